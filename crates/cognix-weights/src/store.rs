//! The local content-addressed weight store, cog's own (pkg/weights/store): files kept by
//! digest at `<root>/files/sha256/<ab>/<hex>`, in `$COG_CACHE_DIR/weights`,
//! `$XDG_CACHE_HOME/cog/weights` or `~/.cache/cog/weights`. Sharing cog's location and layout
//! means weights cognix imported are there for `cog predict`, and the other way round.
//!
//! A file enters only through `put`, which hashes what it writes and renames it into place only
//! when digest and size are the ones expected: the store never holds a wrong or partial file.

use std::env;
use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use cognix_io::copy;
use cognix_io::digest::{Digest, HashingWriter};
use tempfile::NamedTempFile;

#[derive(Clone, Debug)]
pub struct Store {
    root: PathBuf,
}

/// Why a file could not be stored.
#[derive(Debug, thiserror::Error)]
pub enum PutError {
    #[error("{0}")]
    Io(#[from] io::Error),
    #[error("content does not match: expected {expected_digest} ({expected_size} bytes), got {digest} ({size} bytes)")]
    Mismatch { expected_digest: String, expected_size: u64, digest: String, size: u64 },
}

impl Store {
    pub fn new(root: impl Into<PathBuf>) -> Store {
        Store { root: root.into() }
    }

    /// cog's default location, from the environment.
    pub fn default_root() -> Option<PathBuf> {
        let var = |name: &str| env::var_os(name).filter(|v| !v.is_empty()).map(PathBuf::from);
        var("COG_CACHE_DIR")
            .map(|d| d.join("weights"))
            .or_else(|| var("XDG_CACHE_HOME").map(|d| d.join("cog").join("weights")))
            .or_else(|| var("HOME").map(|d| d.join(".cache").join("cog").join("weights")))
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Where the file with `digest` is (or would be). `None` for a malformed digest.
    pub fn path(&self, digest: &str) -> Option<PathBuf> {
        let digest = Digest::parse(digest).ok()?;
        let hex = digest.hex();
        Some(self.root.join("files").join("sha256").join(&hex[..2]).join(hex))
    }

    pub fn has(&self, digest: &str) -> bool {
        self.path(digest).is_some_and(|p| p.is_file())
    }

    pub fn open(&self, digest: &str) -> io::Result<fs::File> {
        let path = self.path(digest).ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, format!("malformed digest {digest}")))?;
        fs::File::open(&path).map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))
    }

    /// Stores what `content` yields as the file `digest` of `size` bytes; `progress` hears the
    /// bytes written so far. Refuses content that is not that file.
    pub fn put(&self, digest: &str, size: u64, content: impl Read, progress: impl FnMut(u64)) -> Result<(), PutError> {
        let path = self.path(digest).ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, format!("malformed digest {digest}")))?;
        // One byte more than expected shows content that is too long without reading it all.
        let (temp, got, written) = self.receive(content.take(size + 1), progress)?;
        if got.as_str() != digest || written != size {
            return Err(PutError::Mismatch { expected_digest: digest.to_owned(), expected_size: size, digest: got.into(), size: written });
        }
        persist(temp, &path)?;
        Ok(())
    }

    /// Stores what `content` yields, whatever it is, and returns its digest and size.
    ///
    /// # Panics
    /// Never: a digest computed here is well-formed.
    pub fn add(&self, content: impl Read, progress: impl FnMut(u64)) -> Result<(String, u64), PutError> {
        let (temp, digest, size) = self.receive(content, progress)?;
        let path = self.path(digest.as_str()).expect("a computed digest is well-formed");
        persist(temp, &path)?;
        Ok((digest.into(), size))
    }

    /// Writes `content` to a temporary file in the store, hashing it; `progress` hears the bytes
    /// written so far.
    fn receive(&self, mut content: impl Read, mut progress: impl FnMut(u64)) -> io::Result<(NamedTempFile, Digest, u64)> {
        let dir = self.root.join("files").join("sha256");
        fs::create_dir_all(&dir)?;
        let mut temp = HashingWriter::new(tempfile::Builder::new().prefix(".put-").tempfile_in(&dir)?);
        let mut so_far = 0;
        copy::with_progress(&mut content, &mut temp, |n| {
            so_far += n;
            progress(so_far);
        })?;
        let (digest, written, temp) = temp.finish();
        Ok((temp, digest, written))
    }
}

/// Renames a complete, synced temporary file to its place.
fn persist(temp: NamedTempFile, path: &Path) -> io::Result<()> {
    temp.as_file().sync_all()?;
    fs::create_dir_all(path.parent().expect("store paths have a parent"))?;
    temp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn put_keeps_only_the_right_content() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path());
        let good = Digest::of(b"abc").to_string();
        store.put(&good, 3, &b"abc"[..], |_| {}).unwrap();
        assert!(store.has(&good));
        assert_eq!(store.path(&good).unwrap(), dir.path().join(format!("files/sha256/{}/{}", &good[7..9], &good[7..])));
        assert_eq!(fs::read(store.path(&good).unwrap()).unwrap(), b"abc");

        let other = Digest::of(b"xyz").to_string();
        let error = store.put(&other, 3, &b"abd"[..], |_| {}).unwrap_err();
        assert!(matches!(error, PutError::Mismatch { size: 3, .. }), "{error}");
        assert!(!store.has(&other));
        // Too long is refused too, and nothing is left behind.
        assert!(store.put(&other, 2, &b"xyz"[..], |_| {}).is_err());
        assert!(!store.has(&other));
        let left: Vec<_> = fs::read_dir(dir.path().join("files/sha256")).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(left.len(), 1, "only the stored file's directory: {left:?}");

        let (added, size) = store.add(&b"new"[..], |_| {}).unwrap();
        assert_eq!((added.as_str(), size), (Digest::of(b"new").to_string().as_str(), 3));
        assert!(store.has(&added));
    }
}
