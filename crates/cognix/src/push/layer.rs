//! One layer's way into the registry: present already (HEAD the blob the cache names), mounted
//! from another repository of the same registry, or read, compressed and uploaded.

use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Mutex;

use cognix_io::digest::{Blob, Digest};
use cognix_io::size::megabytes;

use super::progress::LayerProgress;
use super::PushError;
use crate::cache::Cache;
use crate::compress::{self, Compression};
use crate::oci::Layer;
use crate::registry::{BlobSource, FileRegion, Mount, Registry};

/// A layer the manifest can list: the blob, and the `diff_id` it was made from.
#[derive(Clone, Debug)]
pub struct Pushed {
    pub diff_id: Digest,
    pub layer: Layer,
}

/// How a layer got into the repository.
enum Status {
    Present,
    Mounted(String),
    Uploaded(u64),
}

/// What one push shares between its threads.
pub struct Pusher<'a> {
    pub registry: &'a Registry,
    pub repository: &'a str,
    pub cache: &'a Cache,
    pub compression: Compression,
    pub progress: &'a LayerProgress,
    pub spool_dir: PathBuf,
    uploaded: AtomicUsize,
    uploaded_bytes: AtomicU64,
    /// Blobs this push found in the repository, with their sizes: a layer listed twice is
    /// asked about once.
    present: Mutex<HashMap<Digest, u64>>,
    /// Blobs the repository lacks and no mount could bring: asked about once.
    absent: Mutex<HashSet<Digest>>,
}

impl<'a> Pusher<'a> {
    pub fn new(
        registry: &'a Registry,
        repository: &'a str,
        cache: &'a Cache,
        compression: Compression,
        progress: &'a LayerProgress,
        spool_dir: PathBuf,
    ) -> Self {
        Self {
            registry,
            repository,
            cache,
            compression,
            progress,
            spool_dir,
            uploaded: AtomicUsize::new(0),
            uploaded_bytes: AtomicU64::new(0),
            present: Mutex::new(HashMap::new()),
            absent: Mutex::new(HashSet::new()),
        }
    }

    /// Distinct layer blobs uploaded, and their bytes.
    pub fn uploads(&self) -> (usize, u64) {
        (self.uploaded.load(Ordering::Relaxed), self.uploaded_bytes.load(Ordering::Relaxed))
    }

    /// The layer's blob, if the repository has it or it can be mounted, without reading the
    /// layer: the `diff_id` itself (no compression) or what the cache remembers the layer
    /// compressed to. `size`: the layer's uncompressed size, where known.
    pub fn existing(&self, diff_id: &Digest, size: Option<u64>) -> Result<Option<Pushed>, PushError> {
        let expected = match self.compression.cache_method() {
            None => Blob { digest: diff_id.clone(), size: size.unwrap_or(0) },
            Some(method) => match self.cache.compressed(&method, diff_id) {
                Some(blob) => blob,
                None => return Ok(None),
            },
        };
        let known_size = (expected.size > 0 || size.is_some()).then_some(expected.size);
        let Some((blob, status)) = self.find(&expected.digest, known_size)? else { return Ok(None) };
        self.report(diff_id, size.unwrap_or(0), &status);
        self.progress.read(size.unwrap_or(0));
        Ok(Some(self.pushed(diff_id, blob)))
    }

    /// Reads a layer (hashing and compressing it into a spool file), then uploads the blob
    /// unless the repository has it. `expected`: the config's `diff_id` for it, checked.
    pub fn upload(&self, layer: &mut dyn Read, expected: Option<&Digest>, what: &str) -> Result<Pushed, PushError> {
        let spooled = compress::spool(layer, self.compression, &self.spool_dir, &mut |n| self.progress.read(n))
            .map_err(|source| PushError::Read { what: what.to_owned(), source })?;
        if let Some(expected) = expected.filter(|e| **e != spooled.diff_id) {
            return Err(PushError::Malformed(format!(
                "{what} hashes to {}, but the config's diff_id for it is {expected}",
                spooled.diff_id
            )));
        }
        if let Some(method) = self.compression.cache_method() {
            self.cache.remember_compressed(&method, &spooled.diff_id, &spooled.blob);
        }
        // Another machine may have pushed the same bytes: the digest is known before sending.
        let status = if let Some((_, status)) = self.find(&spooled.blob.digest, Some(spooled.blob.size))? {
            status
        } else {
            self.send(&spooled.blob, &FileRegion { path: spooled.file.path().to_owned(), start: 0 })?
        };
        self.report(&spooled.diff_id, spooled.uncompressed_size, &status);
        Ok(self.pushed(&spooled.diff_id, spooled.blob))
    }

    /// Uploads an uncompressed layer straight from where it lies (an archive file); the
    /// registry checks it against its digest, the `diff_id`.
    pub fn upload_in_place(&self, diff_id: &Digest, source: &dyn BlobSource, size: u64) -> Result<Pushed, PushError> {
        let blob = Blob { digest: diff_id.clone(), size };
        let status = self.send(&blob, source)?;
        self.progress.read(size);
        self.report(diff_id, size, &status);
        Ok(self.pushed(diff_id, blob))
    }

    /// HEADs a blob (a size other than the expected one is a miss: a stale cache entry must not
    /// become a wrong layer), else mounts it from a repository it was pushed to before.
    fn find(&self, digest: &Digest, size: Option<u64>) -> Result<Option<(Blob, Status)>, PushError> {
        let matches = |actual: u64| size.is_none_or(|s| s == actual);
        let seen = self.present.lock().expect("present lock").get(digest).copied();
        if let Some(actual) = seen.filter(|a| matches(*a)) {
            return Ok(Some((Blob { digest: digest.clone(), size: actual }, Status::Present)));
        }
        if self.absent.lock().expect("absent lock").contains(digest) {
            return Ok(None);
        }
        if let Some(actual) = self.registry.blob_size(self.repository, digest)?.filter(|a| matches(*a)) {
            self.mark_present(digest, actual);
            return Ok(Some((Blob { digest: digest.clone(), size: actual }, Status::Present)));
        }
        let Some(size) = size else { return Ok(None) };
        for from in self.cache.repositories(self.registry.name(), digest) {
            if from == self.repository {
                continue;
            }
            match self.registry.mount_blob(self.repository, digest, &from)? {
                Mount::Mounted => {
                    self.mark_present(digest, size);
                    return Ok(Some((Blob { digest: digest.clone(), size }, Status::Mounted(from))));
                }
                // The registry opened an upload instead (the blob is gone from `from`): it is
                // cancelled; the upload, if any, gets a session of its own. A cancel that fails
                // only leaves a session the registry expires.
                Mount::Started(session) => drop(self.registry.cancel_upload(self.repository, session)),
            }
        }
        self.absent.lock().expect("absent lock").insert(digest.clone());
        Ok(None)
    }

    fn send(&self, blob: &Blob, source: &dyn BlobSource) -> Result<Status, PushError> {
        self.registry.upload_blob(self.repository, blob, source, &|n| self.progress.sent(n))?;
        self.uploaded.fetch_add(1, Ordering::Relaxed);
        self.uploaded_bytes.fetch_add(blob.size, Ordering::Relaxed);
        self.mark_present(&blob.digest, blob.size);
        Ok(Status::Uploaded(blob.size))
    }

    fn mark_present(&self, digest: &Digest, size: u64) {
        self.present.lock().expect("present lock").insert(digest.clone(), size);
        self.cache.remember_repository(self.registry.name(), digest, self.repository);
    }

    fn pushed(&self, diff_id: &Digest, blob: Blob) -> Pushed {
        Pushed { diff_id: diff_id.clone(), layer: Layer { media_type: self.compression.media_type(), blob } }
    }

    fn report(&self, diff_id: &Digest, uncompressed: u64, status: &Status) {
        let how = match status {
            Status::Present => "already present".to_owned(),
            Status::Mounted(from) => format!("mounted from {from}"),
            Status::Uploaded(size) if self.compression == Compression::None => format!("uploaded {}", megabytes(*size)),
            Status::Uploaded(size) => format!("uploaded {} gzip", megabytes(*size)),
        };
        let size = if uncompressed > 0 { format!(" ({})", megabytes(uncompressed)) } else { String::new() };
        self.progress.log(&format!("layer {}{size}: {how}", diff_id.short()));
        self.progress.layer_done(!matches!(status, Status::Uploaded(_)));
    }
}
