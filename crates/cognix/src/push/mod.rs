//! `cognix push`: an image from a stream script, a docker-archive file or standard input into a
//! registry, uploading only the blobs the registry lacks: layers first (`layer`, `stream`),
//! then the config, then the manifest — last, so a failed push never leaves a tag behind.
//!
//! - An archive file is indexed (`archive`); each layer's `diff_id` comes from the config, and a
//!   layer whose blob the registry has is never read.
//! - A stream script whose layers and config an earlier run remembered (`stream_script`) is
//!   pushed without running it when the registry has every blob; otherwise it runs once, and
//!   its stream is pushed like standard input.

mod layer;
mod progress;
mod source;
mod stream;
pub mod weights;

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use cognix_io::digest::{Blob, Digest};
use cognix_io::progress::Mode;
use cognix_io::size::megabytes;
pub use source::Source;

use crate::archive::{ArchiveError, ArchiveFile, ImageConfig};
use crate::cache::Cache;
use crate::compress::Compression;
use crate::oci;
use crate::reference::Reference;
use crate::registry::{FileRegion, Registry, RegistryError};
use crate::stream_script::{StreamScript, StreamScriptError};
use layer::{Pushed, Pusher};
use progress::LayerProgress;

#[derive(Debug, thiserror::Error)]
pub enum PushError {
    #[error(transparent)]
    Archive(#[from] ArchiveError),
    #[error(transparent)]
    Registry(#[from] RegistryError),
    #[error(transparent)]
    Script(#[from] StreamScriptError),
    #[error("{0}")]
    Malformed(String),
    #[error("cannot read {what}: {source}")]
    Read { what: String, source: io::Error },
    #[error("{0}")]
    Source(String),
}

pub struct Options {
    pub compression: Compression,
    /// Layers read, compressed and uploaded at once.
    pub jobs: usize,
    pub progress: Mode,
}

/// The outcome, printed as the last line of a push.
#[derive(Debug)]
pub struct Summary {
    pub reference: Reference,
    pub digest: Digest,
    pub layers: usize,
    pub uploaded: usize,
    pub uploaded_bytes: u64,
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "pushed {}@{}: {} layers, {} uploaded ({}), {} already present",
            self.reference,
            self.digest,
            self.layers,
            self.uploaded,
            megabytes(self.uploaded_bytes),
            self.layers.saturating_sub(self.uploaded)
        )
    }
}

/// What the layers came to, before the config and manifest are written.
struct Pushing {
    config: ImageConfig,
    layers: Vec<Pushed>,
    /// Distinct layer blobs uploaded, and their bytes.
    uploads: (usize, u64),
}

/// Pushes `source` to `target`.
pub fn push(source: Source, target: &Reference, registry: &Registry, cache: &Cache, options: &Options) -> Result<Summary, PushError> {
    let spool_dir = spool_dir(cache)?;
    let jobs = options.jobs.max(1);
    let pushing = match source {
        Source::File(archive) => {
            let total = archive.layers().map(|(region, _)| region.size).sum();
            let progress = LayerProgress::new(options.progress, archive.manifest.layers.len(), Some(total));
            progress.log(&format!("pushing {} to {target}: {} layers", archive.path.display(), archive.manifest.layers.len()));
            let pusher = Pusher::new(registry, &target.repository, cache, options.compression, &progress, spool_dir);
            let layers = push_file(&pusher, &archive, jobs)?;
            Pushing { config: archive.config, layers, uploads: pusher.uploads() }
        }
        Source::Script(script) => push_script(&script, target, registry, cache, options, spool_dir, jobs)?,
        Source::Stdin => {
            let progress = LayerProgress::new(options.progress, 0, None);
            progress.log(&format!("pushing standard input to {target}"));
            let pusher = Pusher::new(registry, &target.repository, cache, options.compression, &progress, spool_dir);
            let streamed = stream::push_stream(&pusher, &mut io::stdin().lock(), "standard input", jobs)?;
            Pushing { config: streamed.config, layers: streamed.layers, uploads: pusher.uploads() }
        }
    };
    let digest = push_manifest(registry, target, &pushing.config, &pushing.layers)?;
    let (uploaded, uploaded_bytes) = pushing.uploads;
    Ok(Summary { reference: target.clone(), digest, layers: pushing.layers.len(), uploaded, uploaded_bytes })
}

/// An archive file: every layer's `diff_id` is in the config, so layers the registry has are
/// never read; the others are read from their place in the file, `jobs` at once.
fn push_file(pusher: &Pusher, archive: &ArchiveFile, jobs: usize) -> Result<Vec<Pushed>, PushError> {
    let layers: Vec<_> = archive.layers().collect();
    let all = in_parallel(layers.len(), jobs, |index| {
        let (region, diff_id) = layers[index];
        if let Some(layer) = pusher.existing(diff_id, Some(region.size))? {
            return Ok(Some(layer));
        }
        let source = FileRegion { path: archive.path.clone(), start: region.offset };
        if pusher.compression == Compression::None {
            return pusher.upload_in_place(diff_id, &source, region.size).map(Some);
        }
        let what = format!("layer {} of {}", archive.manifest.layers[index], archive.path.display());
        let mut reader = source.open(region.size).map_err(|e| PushError::Read { what: what.clone(), source: e })?;
        pusher.upload(&mut reader, Some(diff_id), &what).map(Some)
    })?;
    Ok(all.expect("every layer was pushed"))
}

/// A stream script: without running it when an earlier run told us its layers and config and
/// the registry has every blob; else its stream, once.
fn push_script(
    script: &StreamScript,
    target: &Reference,
    registry: &Registry,
    cache: &Cache,
    options: &Options,
    spool_dir: PathBuf,
    jobs: usize,
) -> Result<Pushing, PushError> {
    let origin = script.path.display().to_string();
    if let Some(known) = script.known(cache)? {
        let count = known.config.diff_ids.len();
        let progress = LayerProgress::new(options.progress, count, None);
        progress.log(&format!("pushing {origin} to {target}: {count} layers, known from an earlier run"));
        let pusher = Pusher::new(registry, &target.repository, cache, options.compression, &progress, spool_dir.clone());
        // Stops at the first layer the registry lacks: the script runs anyway then.
        let present = in_parallel(count, jobs, |index| pusher.existing(&known.config.diff_ids[index], None))?;
        if let Some(layers) = present {
            return Ok(Pushing { config: known.config, layers, uploads: (0, 0) });
        }
        progress.log("some layers are missing from the registry: running the stream script");
    }
    let progress = LayerProgress::new(options.progress, 0, None);
    progress.log(&format!("pushing {origin} to {target}: running the stream script"));
    let pusher = Pusher::new(registry, &target.repository, cache, options.compression, &progress, spool_dir);
    let mut running = script.spawn()?;
    let mut stdout = running.take_stdout();
    // The tar's end blocks and padding follow its last entry: read to the end, so the script
    // never writes into a closed pipe.
    let result = stream::push_stream(&pusher, &mut stdout, &origin, jobs).and_then(|streamed| {
        io::copy(&mut stdout, &mut io::sink()).map(|_| streamed).map_err(|e| PushError::Read { what: origin.clone(), source: e })
    });
    drop(stdout);
    let streamed = match result {
        Ok(streamed) => streamed,
        Err(error) => {
            running.kill();
            return Err(error);
        }
    };
    // The script must have ended well before anything it streamed is published.
    running.finish()?;
    script.remember(cache, &streamed.config)?;
    Ok(Pushing { config: streamed.config, layers: streamed.layers, uploads: pusher.uploads() })
}

/// Runs `work` for each of `0..count` on `jobs` threads. Stops early at an error (returned) or
/// at a `None` (then the result is `None`).
fn in_parallel<T: Send>(
    count: usize,
    jobs: usize,
    work: impl Fn(usize) -> Result<Option<T>, PushError> + Sync,
) -> Result<Option<Vec<T>>, PushError> {
    let next = AtomicUsize::new(0);
    let results: Vec<Mutex<Option<T>>> = (0..count).map(|_| Mutex::new(None)).collect();
    let stop: Mutex<Option<Result<(), PushError>>> = Mutex::new(None);
    std::thread::scope(|scope| {
        for _ in 0..jobs.min(count) {
            scope.spawn(|| loop {
                let index = next.fetch_add(1, Ordering::Relaxed);
                if index >= count || stop.lock().expect("stop lock").is_some() {
                    return;
                }
                match work(index) {
                    Ok(Some(value)) => *results[index].lock().expect("result lock") = Some(value),
                    Ok(None) => drop(stop.lock().expect("stop lock").get_or_insert(Ok(()))),
                    Err(error) => drop(stop.lock().expect("stop lock").get_or_insert(Err(error))),
                }
            });
        }
    });
    match stop.into_inner().expect("stop lock") {
        Some(Err(error)) => Err(error),
        Some(Ok(())) => Ok(None),
        None => Ok(Some(results.into_iter().map(|r| r.into_inner().expect("result lock").expect("every index ran")).collect())),
    }
}

/// The config blob, then the manifest under the tag: the step that publishes.
fn push_manifest(registry: &Registry, target: &Reference, config: &ImageConfig, layers: &[Pushed]) -> Result<Digest, PushError> {
    let config_blob = Blob { digest: config.digest(), size: config.bytes.len() as u64 };
    if registry.blob_size(&target.repository, &config_blob.digest)? != Some(config_blob.size) {
        registry.upload_blob(&target.repository, &config_blob, &config.bytes, &|_| ())?;
    }
    let manifest_layers: Vec<oci::Layer> = layers.iter().map(|layer| layer.layer.clone()).collect();
    let manifest = oci::image_manifest(&config_blob, &manifest_layers);
    Ok(registry.put_manifest(&target.repository, &target.tag, oci::MEDIA_TYPE_MANIFEST, &manifest)?)
}

/// Where layers are spooled: beside the cache (on disk; /tmp may be memory), else the system's
/// temporary directory. Spool files a killed push left behind are removed after a day.
fn spool_dir(cache: &Cache) -> Result<PathBuf, PushError> {
    let dir = cache.root().map_or_else(std::env::temp_dir, |root| root.join("spool"));
    std::fs::create_dir_all(&dir).map_err(|e| PushError::Source(format!("cannot create the spool directory {}: {e}", dir.display())))?;
    remove_stale(&dir);
    Ok(dir)
}

fn remove_stale(dir: &Path) {
    let day = std::time::Duration::from_secs(24 * 3600);
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let stale = entry.metadata().ok().and_then(|m| m.modified().ok()).and_then(|t| t.elapsed().ok()).is_some_and(|age| age > day);
        if stale && name.to_string_lossy().starts_with("cognix-layer-") {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}
