//! A local directory (`file://./weights`, `file:///data/w`, or a bare path): walked, with `.cog`
//! directories skipped and anything but regular files refused (a symlinked weight would
//! otherwise be silently missing from the image), and hashed on every core. The fingerprint is
//! the directory's set digest.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use cognix_io::digest::Digest;
use cognix_io::progress::Progress;

use super::{io_error, Inventory, Source, SourceError};
use crate::pack::Item;
use crate::store::Store;
use crate::{digest, parallel};

pub struct Local {
    dir: PathBuf,
}

impl Local {
    pub fn new(path: &str, project: &Path) -> Result<Local, SourceError> {
        let dir = if path.starts_with('/') { PathBuf::from(path) } else { project.join(path.trim_start_matches("./")) };
        let uri = format!("file://{path}");
        match fs::metadata(&dir) {
            Err(_) => Err(SourceError::NotFound(uri)),
            Ok(m) if !m.is_dir() => Err(SourceError::NotADirectory(uri)),
            Ok(_) => Ok(Local { dir }),
        }
    }
}

impl Source for Local {
    fn inventory(&mut self, _: &Store, progress: &mut dyn Progress) -> Result<Inventory, SourceError> {
        let mut found = Vec::new();
        walk(&self.dir, "", &mut found)?;
        found.sort();
        progress.step(&format!("  hashing {} files in {}", found.len(), self.dir.display()));
        let digests = hash_all(&self.dir, &found, progress)?;
        let files: Vec<Item> = found.into_iter().zip(digests).map(|((path, size), digest)| Item { path, size, digest }).collect();
        let fingerprint = digest::set_digest(files.iter().map(|f| (f.path.as_str(), f.digest.as_str())));
        Ok(Inventory { files, fingerprint })
    }

    fn open(&self, path: &str) -> Result<Box<dyn Read + Send>, SourceError> {
        let full = self.dir.join(path);
        Ok(Box::new(fs::File::open(&full).map_err(io_error(&full))?))
    }
}

/// Every regular file under `dir` as (relative path, size).
fn walk(dir: &Path, prefix: &str, found: &mut Vec<(String, u64)>) -> Result<(), SourceError> {
    for entry in fs::read_dir(dir).map_err(io_error(dir))? {
        let entry = entry.map_err(io_error(dir))?;
        let name = entry.file_name().into_string().map_err(|_| SourceError::NotUtf8(entry.path()))?;
        let path = if prefix.is_empty() { name.clone() } else { format!("{prefix}/{name}") };
        // `file_type` does not follow symlinks.
        let kind = entry.file_type().map_err(io_error(&entry.path()))?;
        if kind.is_dir() {
            if name != ".cog" {
                walk(&entry.path(), &path, found)?;
            }
        } else if kind.is_file() {
            found.push((path, entry.metadata().map_err(io_error(&entry.path()))?.len()));
        } else {
            let kind = if kind.is_symlink() { "symlink" } else { "special file" };
            return Err(SourceError::NonRegular { path, kind });
        }
    }
    Ok(())
}

/// The digests of `files`, in order, hashed on every core.
fn hash_all(dir: &Path, files: &[(String, u64)], progress: &mut dyn Progress) -> Result<Vec<String>, SourceError> {
    let hash = |(path, size): &(String, u64)| {
        let full = dir.join(path);
        let (digest, read) = fs::File::open(&full).and_then(Digest::of_reader).map_err(io_error(&full))?;
        if read == *size {
            Ok(digest.into())
        } else {
            Err(SourceError::Protocol(format!("{path} changed while it was hashed ({size} bytes listed, {read} read)")))
        }
    };
    parallel::map(files, |(_, size)| *size, hash, progress).into_iter().collect()
}
