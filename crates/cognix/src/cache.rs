//! The local digest cache: what earlier pushes and loads learnt, so a re-push neither re-reads,
//! re-hashes nor recompresses a layer the registry already has.
//!
//! - `compressed/<method>/<diff_id hex>`: the compressed blob (digest, size) made from an
//!   uncompressed layer;
//! - `layers/<key hex>`: the `diff_id` of a stream-script layer, keyed by what makes it (see
//!   `stream_script`);
//! - `configs/<key hex>`: the config a stream script writes for a set of layers;
//! - `repositories/<registry>/<digest hex>`: repositories a blob was pushed to (for mounts).
//!
//! One small file per entry, written to a temporary name and renamed, so concurrent pushes and
//! interrupted ones never leave a torn entry. A cache that cannot be written only costs speed.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use cognix_io::digest::{Blob, Digest};

/// How many repositories are remembered per blob; mounting needs just one that still has it.
const REPOSITORIES_PER_BLOB: usize = 8;

#[derive(Clone, Debug)]
pub struct Cache {
    root: Option<PathBuf>,
}

impl Cache {
    /// `$COGNIX_CACHE_DIR`, else `$XDG_CACHE_HOME/cognix`, else `~/.cache/cognix`; with none of
    /// them set, a cache that remembers nothing.
    pub fn from_env() -> Self {
        let var = |name| std::env::var_os(name).filter(|v| !v.is_empty()).map(PathBuf::from);
        let root = var("COGNIX_CACHE_DIR")
            .or_else(|| var("XDG_CACHE_HOME").map(|d| d.join("cognix")))
            .or_else(|| var("HOME").map(|d| d.join(".cache/cognix")));
        Self { root }
    }

    pub fn at(root: &Path) -> Self {
        Self { root: Some(root.to_owned()) }
    }

    pub fn root(&self) -> Option<&Path> {
        self.root.as_deref()
    }

    pub fn compressed(&self, method: &str, diff_id: &Digest) -> Option<Blob> {
        let text = self.read(&["compressed", method, diff_id.hex()])?;
        let (digest, size) = String::from_utf8(text).ok()?.trim().split_once(' ').map(|(d, s)| (d.to_owned(), s.to_owned()))?;
        Some(Blob { digest: Digest::parse(&digest).ok()?, size: size.parse().ok()? })
    }

    pub fn remember_compressed(&self, method: &str, diff_id: &Digest, blob: &Blob) {
        self.write(&["compressed", method, diff_id.hex()], format!("{} {}\n", blob.digest, blob.size).as_bytes());
    }

    pub fn layer(&self, key: &Digest) -> Option<Digest> {
        let text = String::from_utf8(self.read(&["layers", key.hex()])?).ok()?;
        Digest::parse(text.trim()).ok()
    }

    pub fn remember_layer(&self, key: &Digest, diff_id: &Digest) {
        self.write(&["layers", key.hex()], format!("{diff_id}\n").as_bytes());
    }

    pub fn config(&self, key: &Digest) -> Option<Vec<u8>> {
        self.read(&["configs", key.hex()])
    }

    pub fn remember_config(&self, key: &Digest, bytes: &[u8]) {
        self.write(&["configs", key.hex()], bytes);
    }

    /// Repositories of `registry` a blob was pushed to, most recent first.
    pub fn repositories(&self, registry: &str, digest: &Digest) -> Vec<String> {
        self.read(&["repositories", &file_name(registry), digest.hex()])
            .map(|text| String::from_utf8_lossy(&text).lines().map(str::to_owned).collect())
            .unwrap_or_default()
    }

    pub fn remember_repository(&self, registry: &str, digest: &Digest, repository: &str) {
        let mut repositories = self.repositories(registry, digest);
        repositories.retain(|r| r != repository);
        repositories.insert(0, repository.to_owned());
        repositories.truncate(REPOSITORIES_PER_BLOB);
        self.write(&["repositories", &file_name(registry), digest.hex()], (repositories.join("\n") + "\n").as_bytes());
    }

    fn path(&self, parts: &[&str]) -> Option<PathBuf> {
        let mut path = self.root.clone()?;
        path.extend(parts);
        Some(path)
    }

    fn read(&self, parts: &[&str]) -> Option<Vec<u8>> {
        fs::read(self.path(parts)?).ok()
    }

    fn write(&self, parts: &[&str], bytes: &[u8]) {
        let Some(path) = self.path(parts) else { return };
        let write = || -> std::io::Result<()> {
            let dir = path.parent().expect("cache entries live in a directory");
            fs::create_dir_all(dir)?;
            let mut temporary = tempfile::NamedTempFile::new_in(dir)?;
            temporary.write_all(bytes)?;
            temporary.persist(&path).map_err(|e| e.error)?;
            Ok(())
        };
        if let Err(error) = write() {
            crate::error::warn(&format!("cannot write the cache entry {} ({error}); the next push will be slower", path.display()));
        }
    }
}

/// A registry name as a directory name (`127.0.0.1:5000` keeps its colon; `[::1]` too).
fn file_name(registry: &str) -> String {
    registry.replace('/', "_")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn digest(n: u8) -> Digest {
        Digest::of(&[n])
    }

    #[test]
    fn entries_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::at(dir.path());
        let blob = Blob { digest: digest(2), size: 42 };
        assert_eq!(cache.compressed("gzip-1", &digest(1)), None);
        cache.remember_compressed("gzip-1", &digest(1), &blob);
        assert_eq!(cache.compressed("gzip-1", &digest(1)), Some(blob));
        assert_eq!(cache.compressed("gzip-6", &digest(1)), None);
        cache.remember_layer(&digest(3), &digest(4));
        assert_eq!(cache.layer(&digest(3)), Some(digest(4)));
        cache.remember_config(&digest(5), b"{}");
        assert_eq!(cache.config(&digest(5)).as_deref(), Some(&b"{}"[..]));
    }

    #[test]
    fn repositories_are_most_recent_first_and_bounded() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::at(dir.path());
        for n in 0..10 {
            cache.remember_repository("127.0.0.1:5000", &digest(1), &format!("r{n}"));
        }
        cache.remember_repository("127.0.0.1:5000", &digest(1), "r5");
        let repositories = cache.repositories("127.0.0.1:5000", &digest(1));
        assert_eq!(repositories.len(), REPOSITORIES_PER_BLOB);
        assert_eq!(repositories[..3], ["r5", "r9", "r8"]);
        assert!(cache.repositories("r8.im", &digest(1)).is_empty());
    }

    #[test]
    fn a_corrupt_entry_is_a_miss() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::at(dir.path());
        let path = dir.path().join("compressed/gzip-1").join(digest(1).hex());
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, "sha256:nothex 12\n").unwrap();
        assert_eq!(cache.compressed("gzip-1", &digest(1)), None);
    }

    #[test]
    fn a_disabled_cache_remembers_nothing() {
        let cache = Cache { root: None };
        cache.remember_layer(&digest(1), &digest(2));
        assert_eq!(cache.layer(&digest(1)), None);
    }
}
