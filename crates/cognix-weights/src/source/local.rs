//! A local directory (`file://./weights`, `file:///data/w`, or a bare path): walked, with `.cog`
//! directories skipped and anything but regular files refused (a symlinked weight would
//! otherwise be silently missing from the image), and hashed on every core. The fingerprint is
//! the directory's set digest.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Mutex;
use std::thread;

use super::{io_error, Inventory, Source, SourceError};
use crate::digest;
use crate::pack::Item;
use crate::progress::Progress;
use crate::store::Store;

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
        let total: u64 = found.iter().map(|(_, size)| size).sum();
        progress.step(&format!("  hashing {} files in {}", found.len(), self.dir.display()));
        let digests = hash_all(&self.dir, &found, total, progress)?;
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

/// The digests of `files`, in order, hashed by as many threads as there are cores.
fn hash_all(dir: &Path, files: &[(String, u64)], total: u64, progress: &mut dyn Progress) -> Result<Vec<String>, SourceError> {
    let workers = thread::available_parallelism().map_or(1, usize::from).min(files.len().max(1));
    let next = AtomicUsize::new(0);
    let finished = AtomicUsize::new(0);
    let hashed = AtomicU64::new(0);
    let results: Mutex<Vec<Option<Result<String, SourceError>>>> = Mutex::new((0..files.len()).map(|_| None).collect());
    thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some((path, size)) = files.get(i) else { break };
                let full = dir.join(path);
                let result = fs::File::open(&full).and_then(digest::of_reader).map_err(io_error(&full)).and_then(|(digest, read)| {
                    if read == *size {
                        Ok(digest)
                    } else {
                        Err(SourceError::Protocol(format!("{path} changed while it was hashed ({size} bytes listed, {read} read)")))
                    }
                });
                hashed.fetch_add(*size, Ordering::Relaxed);
                results.lock().expect("no worker panics holding the lock")[i] = Some(result);
                finished.fetch_add(1, Ordering::Relaxed);
            });
        }
        // The scope's own thread reports while the workers hash.
        while finished.load(Ordering::Relaxed) < files.len() {
            progress.bytes(hashed.load(Ordering::Relaxed), total);
            thread::sleep(std::time::Duration::from_millis(100));
        }
    });
    progress.bytes(total, total);
    results.into_inner().expect("no worker panicked").into_iter().map(|r| r.expect("every file was hashed")).collect()
}
