//! Blobs: HEAD, cross-repository mount, and uploads (POST a session, PATCH chunks, PUT the
//! digest). A chunk that fails is resumed where the registry says its data ends (GET on the
//! session gives `Range: 0-<last byte>`); a session the registry lost is started again when
//! the data can be read again from the start.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::ops::Range;
use std::path::PathBuf;

use cognix_io::digest::{Blob, Digest, HashingWriter};
use cognix_io::http::{self, Outcome};
use cognix_io::url;

use super::{pull_scope, push_scope, Payload, Registry, RegistryError, Request, RETRIES};

/// Data that can be read again from any offset, so a failed chunk can be sent again.
pub trait BlobSource: Sync {
    fn read_at(&self, offset: u64) -> io::Result<Box<dyn Read + '_>>;
}

/// `size` bytes of a file from `start`: a spooled layer, or a layer inside an archive file.
pub struct FileRegion {
    pub path: PathBuf,
    pub start: u64,
}

impl FileRegion {
    /// `size` bytes from the start of the region.
    pub fn open(&self, size: u64) -> io::Result<impl Read + '_> {
        Ok(self.read_at(0)?.take(size))
    }
}

impl BlobSource for FileRegion {
    fn read_at(&self, offset: u64) -> io::Result<Box<dyn Read + '_>> {
        let mut file = File::open(&self.path)?;
        file.seek(SeekFrom::Start(self.start + offset))?;
        Ok(Box::new(io::BufReader::with_capacity(1 << 20, file)))
    }
}

impl BlobSource for Vec<u8> {
    fn read_at(&self, offset: u64) -> io::Result<Box<dyn Read + '_>> {
        Ok(Box::new(tail(self, offset)))
    }
}

fn tail(bytes: &[u8], offset: u64) -> &[u8] {
    &bytes[usize::try_from(offset).map_or(bytes.len(), |o| o.min(bytes.len()))..]
}

/// A window of a stream held in memory: absolute offsets `base..base + bytes.len()`.
struct Window<'a> {
    base: u64,
    bytes: &'a [u8],
}

impl BlobSource for Window<'_> {
    fn read_at(&self, offset: u64) -> io::Result<Box<dyn Read + '_>> {
        let relative = offset.checked_sub(self.base).ok_or_else(|| io::Error::other("offset before the chunk in memory"))?;
        Ok(Box::new(tail(self.bytes, relative)))
    }
}

/// What a mount request came to.
pub enum Mount {
    /// The registry linked the blob into the repository: nothing to upload.
    Mounted,
    /// It did not, but opened an upload session instead (the spec's fallback).
    Started(Session),
}

/// An upload session: where to send the next request, and the registry's chunk limits.
pub struct Session {
    location: String,
    min_chunk: Option<u64>,
    max_chunk: Option<u64>,
}

impl Registry {
    /// HEAD a blob: its size if the repository has it.
    pub fn blob_size(&self, repository: &str, digest: &Digest) -> Result<Option<u64>, RegistryError> {
        let scope = push_scope(repository);
        let url = self.url(&format!("/v2/{repository}/blobs/{digest}"));
        let response = self.send(&Request::new("HEAD", url.clone(), &scope), "reading")?;
        match response.status().as_u16() {
            200 => Ok(http::header(&response, "content-length").and_then(|l| l.parse().ok()).or(Some(0))),
            404 => Ok(None),
            _ => Err(self.unexpected("HEAD", &url, response, "")),
        }
    }

    /// Asks the registry to link a blob from another of its repositories.
    pub fn mount_blob(&self, repository: &str, digest: &Digest, from: &str) -> Result<Mount, RegistryError> {
        let scope = format!("{} {}", push_scope(repository), pull_scope(from));
        let url = self.url(&format!(
            "/v2/{repository}/blobs/uploads/?mount={}&from={}",
            url::escape_query_value(digest.as_str()),
            url::escape_query_value(from)
        ));
        self.open_session(&url, &scope)
    }

    /// Uploads a blob of known digest and size from a re-readable source, in chunks.
    pub fn upload_blob(
        &self,
        repository: &str,
        blob: &Blob,
        source: &dyn BlobSource,
        progress: &(dyn Fn(u64) + Sync),
    ) -> Result<(), RegistryError> {
        let session = self.start_upload(repository)?;
        self.upload_into(repository, session, blob, source, progress)
    }

    /// Uploads into a session already open (a mount that fell back to an upload).
    pub fn upload_into(
        &self,
        repository: &str,
        mut session: Session,
        blob: &Blob,
        source: &dyn BlobSource,
        progress: &(dyn Fn(u64) + Sync),
    ) -> Result<(), RegistryError> {
        let scope = push_scope(repository);
        self.send_range(repository, &scope, &mut session, source, 0..blob.size, progress)?;
        self.commit(repository, &scope, &session, blob)
    }

    /// Uploads a blob of known digest from a stream, holding one chunk in memory at a time
    /// (a failed chunk is resumed from memory). Returns the blob's size.
    pub fn upload_reader(
        &self,
        repository: &str,
        digest: &Digest,
        reader: &mut dyn Read,
        progress: &(dyn Fn(u64) + Sync),
    ) -> Result<u64, RegistryError> {
        let scope = push_scope(repository);
        let mut session = self.start_upload(repository)?;
        let mut buffer = Vec::new();
        let mut base = 0;
        loop {
            buffer.clear();
            let chunk = self.chunk_length(&session);
            reader.take(chunk).read_to_end(&mut buffer).map_err(RegistryError::Source)?;
            if buffer.is_empty() {
                break;
            }
            let end = base + buffer.len() as u64;
            self.send_range(repository, &scope, &mut session, &Window { base, bytes: &buffer }, base..end, progress)?;
            base = end;
        }
        self.commit(repository, &scope, &session, &Blob { digest: digest.clone(), size: base })?;
        Ok(base)
    }

    /// Cancels an upload session: the one a refused mount opens, when the blob is to be sent
    /// in a session of its own.
    pub fn cancel_upload(&self, repository: &str, session: Session) -> Result<(), RegistryError> {
        let scope = push_scope(repository);
        let location = session.location;
        let response = self.send(&Request::new("DELETE", location.clone(), &scope), "pushing")?;
        match response.status().as_u16() {
            200 | 202 | 204 | 404 => Ok(()),
            _ => Err(self.unexpected("DELETE", &location, response, "")),
        }
    }

    /// Downloads a blob into `out`, checking its digest. Returns its size.
    pub fn get_blob(&self, repository: &str, digest: &Digest, out: &mut dyn Write) -> Result<u64, RegistryError> {
        let scope = pull_scope(repository);
        let url = self.url(&format!("/v2/{repository}/blobs/{digest}"));
        let mut response = self.send(&Request::new("GET", url.clone(), &scope), "reading")?;
        if response.status().as_u16() != 200 {
            return Err(self.unexpected("GET", &url, response, ""));
        }
        let mut writer = HashingWriter::new(out);
        io::copy(&mut response.body_mut().as_reader(), &mut writer).map_err(|e| self.protocol(format!("GET {digest} broke off: {e}")))?;
        let (got, size, _) = writer.finish();
        if &got != digest {
            return Err(self.protocol(format!("blob {digest} arrived with digest {got}")));
        }
        Ok(size)
    }

    fn start_upload(&self, repository: &str) -> Result<Session, RegistryError> {
        let url = self.url(&format!("/v2/{repository}/blobs/uploads/"));
        match self.open_session(&url, &push_scope(repository))? {
            Mount::Started(session) => Ok(session),
            Mount::Mounted => Err(self.protocol("POST /blobs/uploads/ answered 201 without being asked to mount".into())),
        }
    }

    fn open_session(&self, url: &str, scope: &str) -> Result<Mount, RegistryError> {
        let response = self.send(&Request::new("POST", url.to_owned(), scope), "pushing")?;
        let header = |name| http::header(&response, name).map(str::to_owned);
        match response.status().as_u16() {
            201 => Ok(Mount::Mounted),
            202 => {
                let location = header("location").ok_or_else(|| self.protocol("an upload session came without a Location".into()))?;
                Ok(Mount::Started(Session {
                    location: self.resolve(&location),
                    min_chunk: header("oci-chunk-min-length").and_then(|v| v.parse().ok()),
                    max_chunk: header("oci-chunk-max-length").and_then(|v| v.parse().ok()),
                }))
            }
            _ => Err(self.unexpected("POST", url, response, "")),
        }
    }

    /// Our chunk size within the registry's `OCI-Chunk-Min-Length` and `OCI-Chunk-Max-Length`.
    fn chunk_length(&self, session: &Session) -> u64 {
        let mut length = self.chunk_size;
        if let Some(max) = session.max_chunk.filter(|&m| m > 0) {
            length = length.min(max);
        }
        if let Some(min) = session.min_chunk {
            length = length.max(min);
        }
        length
    }

    /// Sends the bytes `window` of `source` (the registry already holds `window.start` bytes)
    /// in chunks. After a failure it asks the session where the data ends and goes on from
    /// there; a lost session starts again when the window begins at 0.
    fn send_range(
        &self,
        repository: &str,
        scope: &str,
        session: &mut Session,
        source: &dyn BlobSource,
        window: Range<u64>,
        progress: &(dyn Fn(u64) + Sync),
    ) -> Result<(), RegistryError> {
        let mut offset = window.start;
        while offset < window.end {
            let mut at = offset;
            let mut refused_offset = false;
            offset = http::with_retries(RETRIES, |attempt| {
                if attempt > 0 {
                    at = self.resync(repository, scope, session, &window, refused_offset)?;
                    if at == window.end {
                        return Ok(Outcome::Done(at));
                    }
                }
                let end = window.end.min(at + self.chunk_length(session));
                let request = Request::new("PATCH", session.location.clone(), scope)
                    .header("Content-Type", "application/octet-stream")
                    .header("Content-Range", format!("{at}-{}", end - 1))
                    .body(Payload::Source { source, offset: at, len: end - at, progress });
                let response = match self.attempt(&request, "pushing")? {
                    Outcome::Done(response) => response,
                    Outcome::Retry { error, after } => return Ok(Outcome::Retry { error, after }),
                };
                refused_offset = response.status().as_u16() == 416;
                match response.status().as_u16() {
                    202 | 204 => {
                        if let Some(location) = http::header(&response, "location") {
                            session.location = self.resolve(location);
                        }
                        Ok(Outcome::Done(end))
                    }
                    416 => Ok(Outcome::Retry { error: self.unexpected("PATCH", &request.url, response, " (after retrying)"), after: None }),
                    _ => Err(self.unexpected("PATCH", &request.url, response, "")),
                }
            })?;
        }
        Ok(())
    }

    /// Where the registry's data for the session ends. A session the registry lost, or one
    /// whose offset it refused (416; distribution's `Range: 0-0` cannot tell 0 bytes from 1),
    /// starts again when the window begins at 0.
    fn resync(
        &self,
        repository: &str,
        scope: &str,
        session: &mut Session,
        window: &Range<u64>,
        refused_offset: bool,
    ) -> Result<u64, RegistryError> {
        if !refused_offset {
            let response = self.send(&Request::new("GET", session.location.clone(), scope), "pushing")?;
            match response.status().as_u16() {
                200 | 202 | 204 => {
                    let received = http::header(&response, "range").and_then(range_end).unwrap_or(0);
                    if let Some(location) = http::header(&response, "location") {
                        session.location = self.resolve(location);
                    }
                    if (window.start..=window.end).contains(&received) {
                        return Ok(received);
                    }
                }
                404 => {}
                _ => return Err(self.unexpected("GET", &session.location, response, "")),
            }
        }
        if window.start == 0 {
            *session = self.start_upload(repository)?;
            return Ok(0);
        }
        Err(self.protocol(format!(
            "the registry lost part of an upload that cannot be read again (it was streamed from bytes {} on); push again",
            window.start
        )))
    }

    /// PUT `?digest=`: the registry checks the digest and makes the blob visible.
    fn commit(&self, repository: &str, scope: &str, session: &Session, blob: &Blob) -> Result<(), RegistryError> {
        let separator = if session.location.contains('?') { '&' } else { '?' };
        let url = format!("{}{separator}digest={}", session.location, url::escape_query_value(blob.digest.as_str()));
        let response = self.send(&Request::new("PUT", url.clone(), scope).header("Content-Type", "application/octet-stream"), "pushing")?;
        match response.status().as_u16() {
            201 | 204 => Ok(()),
            // An earlier PUT may have gone through with its answer lost: then the blob is there.
            404 if self.blob_size(repository, &blob.digest)? == Some(blob.size) => Ok(()),
            400 => {
                let error = self.unexpected("PUT", &url, response, "");
                Err(self.protocol(format!(
                    "the registry refused blob {} as uploaded ({error}); the data changed while it was read?",
                    blob.digest
                )))
            }
            _ => Err(self.unexpected("PUT", &url, response, "")),
        }
    }
}

/// The end of `Range: 0-<last>` as a byte count (`bytes=` prefix tolerated). distribution
/// answers `0-0` for an empty session too; it is counted as empty (see `resync` for the
/// one-byte case).
fn range_end(range: &str) -> Option<u64> {
    let (_, last) = range.trim().trim_start_matches("bytes=").split_once('-')?;
    let last: u64 = last.trim().parse().ok()?;
    Some(if last == 0 { 0 } else { last + 1 })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        assert_eq!(range_end("0-1023"), Some(1024));
        assert_eq!(range_end("bytes=0-9"), Some(10));
        assert_eq!(range_end("0-0"), Some(0));
        assert_eq!(range_end("garbage"), None);
    }

    #[test]
    fn windows_read_from_absolute_offsets() {
        let window = Window { base: 100, bytes: b"abcdef" };
        let mut text = String::new();
        window.read_at(102).unwrap().read_to_string(&mut text).unwrap();
        assert_eq!(text, "cdef");
        assert!(window.read_at(99).is_err());
    }
}
