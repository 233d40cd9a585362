//! Content digests (`sha256:<64 lowercase hex>`), the names of every blob, layer, manifest and
//! weight file, and the writers and readers that compute them while bytes pass through. Bytes
//! (a slice, a reader, or a stream on its way elsewhere) go in; a `Digest` and a byte count
//! come out. cog's weights.lock and the registries spell digests the same way, so one type
//! serves both.

use std::fmt;
use std::io::{self, Read, Write};

use sha2::{Digest as _, Sha256};

use crate::copy;

/// A `sha256:` digest. The only algorithm registries must support and the only one docker
/// archives use.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Digest(String);

#[derive(Debug, thiserror::Error)]
#[error("`{0}` is not a sha256 digest (expected sha256: and 64 lowercase hex digits)")]
pub struct InvalidDigest(pub String);

impl Digest {
    pub fn parse(text: &str) -> Result<Self, InvalidDigest> {
        match text.strip_prefix("sha256:") {
            Some(hex) if is_sha256_hex(hex) => Ok(Self(text.to_owned())),
            _ => Err(InvalidDigest(text.to_owned())),
        }
    }

    /// A digest from its 64 hex digits, as docker archives name layers (`<hex>/layer.tar`).
    pub fn from_hex(hex: &str) -> Option<Self> {
        is_sha256_hex(hex).then(|| Self(format!("sha256:{hex}")))
    }

    pub fn of(bytes: &[u8]) -> Self {
        Self::from_hasher(Sha256::new_with_prefix(bytes))
    }

    /// The digest of everything `reader` yields, and how many bytes that was.
    pub fn of_reader(mut reader: impl Read) -> io::Result<(Self, u64)> {
        let mut hashing = HashingWriter::new(io::sink());
        copy::with_progress(&mut reader, &mut hashing, |_| {})?;
        let (digest, size, _) = hashing.finish();
        Ok((digest, size))
    }

    fn from_hasher(hasher: Sha256) -> Self {
        let mut text = String::with_capacity(71);
        text.push_str("sha256:");
        for byte in hasher.finalize() {
            use fmt::Write as _;
            let _ = write!(text, "{byte:02x}");
        }
        Self(text)
    }

    pub fn hex(&self) -> &str {
        &self.0["sha256:".len()..]
    }

    /// The first 12 hex digits, as docker prints image and layer IDs.
    pub fn short(&self) -> &str {
        &self.hex()[..12]
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A blob as registries know it: its digest and its size in bytes.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Blob {
    pub digest: Digest,
    pub size: u64,
}

fn is_sha256_hex(hex: &str) -> bool {
    hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Where digests are kept as text (weights.lock's fields, which may hold anything a user wrote).
impl From<Digest> for String {
    fn from(digest: Digest) -> Self {
        digest.0
    }
}

/// Hashes and counts what is written through it into `inner`.
pub struct HashingWriter<W> {
    inner: W,
    hasher: Sha256,
    written: u64,
}

impl<W: Write> HashingWriter<W> {
    pub fn new(inner: W) -> Self {
        Self { inner, hasher: Sha256::new(), written: 0 }
    }

    pub fn get_mut(&mut self) -> &mut W {
        &mut self.inner
    }

    /// The digest and size of everything written, and the inner writer.
    pub fn finish(self) -> (Digest, u64, W) {
        (Digest::from_hasher(self.hasher), self.written, self.inner)
    }
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.written += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Hashes and counts what is read through it from `inner`.
pub struct HashingReader<R> {
    inner: R,
    hasher: Sha256,
    read: u64,
}

impl<R: Read> HashingReader<R> {
    pub fn new(inner: R) -> Self {
        Self { inner, hasher: Sha256::new(), read: 0 }
    }

    pub fn finish(self) -> (Digest, u64) {
        (Digest::from_hasher(self.hasher), self.read)
    }
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        self.read += n as u64;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_of_empty_input_is_the_well_known_one() {
        assert_eq!(Digest::of(b"").as_str(), "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    }

    #[test]
    fn parse_accepts_only_lowercase_sha256() {
        let hex = "a".repeat(64);
        assert!(Digest::parse(&format!("sha256:{hex}")).is_ok());
        assert!(Digest::parse(&format!("sha256:{}", hex.to_uppercase())).is_err());
        assert!(Digest::parse(&format!("sha512:{hex}")).is_err());
        assert!(Digest::parse("sha256:abc").is_err());
        assert!(Digest::parse(&format!("sha256:{}", &hex[..63])).is_err());
        assert_eq!(Digest::from_hex(&hex).unwrap().short(), "aaaaaaaaaaaa");
    }

    #[test]
    fn hashing_reader_and_writer_agree_with_digest_of() {
        let data = b"layer bytes".repeat(1000);
        let mut reader = HashingReader::new(&data[..]);
        let mut writer = HashingWriter::new(Vec::new());
        io::copy(&mut reader, &mut writer).unwrap();
        let (read_digest, read_size) = reader.finish();
        let (written_digest, written_size, copy) = writer.finish();
        assert_eq!(read_digest, Digest::of(&data));
        assert_eq!(written_digest, read_digest);
        assert_eq!((read_size, written_size), (data.len() as u64, data.len() as u64));
        assert_eq!(copy, data);
    }

    #[test]
    fn reader_digest_counts_bytes() {
        let data = vec![7u8; (3 << 20) + 5];
        let (digest, size) = Digest::of_reader(&data[..]).unwrap();
        assert_eq!((digest, size), (Digest::of(&data), data.len() as u64));
    }
}
