//! Pushing managed weights with the image, as `cog push` lays them out in the model's repository:
//! each weight manifest (tagged `cog-weight.<name>.<12 hex of the set digest>`) with its config
//! blob and layers, the image (tagged `cog-image.<tag>`, pushed by the caller), then the OCI index
//! at `<tag>` that ties them together.
//!
//! A weight whose manifest the repository already has (HEAD by the lock's digest) costs one
//! request; otherwise only the blobs it lacks are uploaded, streamed from the local store (filled
//! from the sources first when this machine did not import). weights.lock is checked first —
//! against itself and against cog.yaml — so a stale or edited lock never reaches the registry,
//! and a manifest is put only after all its blobs are there; the index comes last.

use std::io::{self, Read};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::thread;

use cognix_io::digest::Digest;
use cognix_io::progress::Progress;
use cognix_io::size;

use crate::drift;
use crate::fetch;
use crate::import::ImportError;
use crate::layer;
use crate::lock::{Entry, Layer, Lock};
use crate::oci::{self, Descriptor, MEDIA_TYPE_INDEX, MEDIA_TYPE_MANIFEST};
use crate::pack::{Item, Planned};
use crate::source::Remote;
use crate::spec::Project;
use crate::store::Store;
use crate::{check, parallel};

/// What the weights need of a registry: one repository, reached through the caller's client,
/// from several threads at once.
pub trait Repository: Sync {
    /// Whether the repository has the blob.
    fn has_blob(&self, digest: &str) -> Result<bool, String>;
    /// Uploads a blob of known digest from a stream; `progress` hears each batch of bytes sent.
    fn upload_blob(&self, digest: &str, content: &mut dyn Read, progress: &(dyn Fn(u64) + Sync)) -> Result<(), String>;
    /// The size of the manifest with this digest, if the repository has it.
    fn manifest_size(&self, digest: &str) -> Result<Option<u64>, String>;
    /// Puts a manifest or index under a tag; returns the digest the registry gives it.
    fn put_manifest(&self, tag: &str, media_type: &str, bytes: &[u8]) -> Result<String, String>;
}

/// What pushing one weight came to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pushed {
    pub name: String,
    pub tag: String,
    pub digest: String,
    /// Blobs uploaded (layers and config) and their bytes.
    pub uploaded: usize,
    pub uploaded_bytes: u64,
    /// Blobs the repository had already.
    pub present: usize,
    /// The manifest was there already: nothing was sent.
    pub manifest_present: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum PushError {
    #[error("{lock} is missing: {config} declares weights; create it with `{fix}` (remote sources need network), then push again")]
    LockMissing { lock: String, config: String, fix: String },
    #[error("weights.lock cannot be pushed:\n{}", .0.join("\n"))]
    Lock(Vec<String>),
    #[error("{0}")]
    Import(#[from] ImportError),
    #[error("weight \"{name}\": layer {digest}: {message}")]
    Layer { name: String, digest: String, message: String },
    #[error("weight \"{name}\": {message}")]
    Registry { name: String, message: String },
    #[error("the model index: {0}")]
    Index(String),
}

/// Where a push gets what it needs besides the registry.
pub struct Context<'a> {
    pub project: &'a Project,
    pub store: &'a Store,
    pub remote: &'a Remote,
    /// The import command messages suggest.
    pub fix: &'a str,
    /// Layers uploaded at once.
    pub jobs: usize,
}

/// Reads and checks the project's weights.lock for a push. `None` when the project has no
/// managed weights.
pub fn lock_for_push(ctx: &Context<'_>) -> Result<Option<Lock>, PushError> {
    let project = ctx.project;
    let file = project.lock_display();
    let text = match std::fs::read_to_string(project.lock_path()) {
        Ok(text) => text,
        Err(_) if project.weights.is_empty() => return Ok(None),
        Err(_) => return Err(PushError::LockMissing { lock: file, config: project.config_display(), fix: ctx.fix.to_owned() }),
    };
    let lock = Lock::parse(&text).map_err(|problems| PushError::Lock(problems.iter().map(|p| p.render(&file)).collect()))?;
    let fix = format!("run `{}`", ctx.fix);
    let mut problems: Vec<String> = check::lock(&lock, &fix).iter().map(|p| p.render(&file)).collect();
    problems.extend(drift::check(project, &lock, &fix));
    if !problems.is_empty() {
        return Err(PushError::Lock(problems));
    }
    Ok((!lock.weights.is_empty()).then_some(lock))
}

/// Pushes every weight of `lock` the repository lacks.
pub fn weights(ctx: &Context<'_>, lock: &Lock, repository: &dyn Repository, progress: &mut dyn Progress) -> Result<Vec<Pushed>, PushError> {
    lock.weights.iter().map(|entry| weight(ctx, entry, repository, progress)).collect()
}

fn weight(ctx: &Context<'_>, entry: &Entry, repository: &dyn Repository, progress: &mut dyn Progress) -> Result<Pushed, PushError> {
    let name = entry.name.clone();
    let registry = |message: String| PushError::Registry { name: name.clone(), message };
    let tag = oci::weight_tag(&entry.name, &entry.set_digest);
    let mut pushed = Pushed {
        name: name.clone(),
        tag: tag.clone(),
        digest: entry.digest.clone(),
        uploaded: 0,
        uploaded_bytes: 0,
        present: 0,
        manifest_present: false,
    };
    if repository.manifest_size(&entry.digest).map_err(registry)?.is_some() {
        pushed.manifest_present = true;
        progress.step(&format!("{name}: {} is in the repository already", short(&entry.digest)));
        return Ok(pushed);
    }

    let mut missing = Vec::new();
    for layer in &entry.layers {
        if repository.has_blob(&layer.digest).map_err(registry)? {
            pushed.present += 1;
        } else {
            missing.push(layer);
        }
    }
    if !missing.is_empty() {
        let bytes: u64 = missing.iter().map(|l| l.size).sum();
        progress.step(&format!("{name}: uploading {} of {} layers ({})", missing.len(), entry.layers.len(), size::binary(bytes)));
        let needed =
            Entry { files: entry.files.iter().filter(|f| missing.iter().any(|l| l.digest == f.layer)).cloned().collect(), ..entry.clone() };
        fetch::missing_files(ctx.project, &needed, ctx.store, ctx.remote, progress)?;
    }
    let layers: Vec<(&Layer, Planned)> = missing.into_iter().map(|l| (l, planned(entry, l))).collect();
    let layer_error = |digest: &str, message: String| PushError::Layer { name: name.clone(), digest: digest.to_owned(), message };
    // A compressed layer another packer made (cog, with Go's deflate) cannot be reproduced byte
    // for byte; that is found out for every layer before anything is sent.
    for (recorded, planned) in layers.iter().filter(|(_, p)| p.gzip()) {
        let blob = layer::write(planned, |item| ctx.store.open(&item.digest), io::sink())
            .map_err(|e| layer_error(&recorded.digest, e.to_string()))?;
        if blob.digest.as_str() != recorded.digest {
            return Err(layer_error(
                &recorded.digest,
                format!(
                    "cognix packs these files into {} instead (gzip output differs between implementations); weights.lock was written by another tool. \
                     Push with that tool, or run `{} --repack` to pack every layer with cognix (the layer and manifest digests change, the set digest stays)",
                    blob.digest, ctx.fix
                ),
            ));
        }
    }
    let total: u64 = layers.iter().map(|(l, _)| l.size).sum();
    let sent = AtomicU64::new(0);
    let shown = Mutex::new(&mut *progress);
    let report = |n: u64| {
        let done = sent.fetch_add(n, Ordering::Relaxed) + n;
        shown.lock().expect("progress is not poisoned").bytes(done.min(total), total);
    };
    parallel::try_each(&layers, ctx.jobs, |(recorded, planned)| {
        upload_layer(ctx.store, planned, &recorded.digest, repository, &report).map_err(|m| layer_error(&recorded.digest, m))
    })?;
    pushed.uploaded += layers.len();
    pushed.uploaded_bytes += total;

    let config = oci::config_blob(entry);
    let config_digest = Digest::of(&config);
    if repository.has_blob(config_digest.as_str()).map_err(registry)? {
        pushed.present += 1;
    } else {
        repository.upload_blob(config_digest.as_str(), &mut &config[..], &|_| {}).map_err(registry)?;
        pushed.uploaded += 1;
        pushed.uploaded_bytes += config.len() as u64;
    }
    let manifest = oci::manifest(entry);
    let got = repository.put_manifest(&tag, MEDIA_TYPE_MANIFEST, &manifest).map_err(registry)?;
    if got != entry.digest {
        return Err(registry(format!("the registry stored the manifest as {got}, not {} as weights.lock records", entry.digest)));
    }
    Ok(pushed)
}

/// The layer's files in tar order (by path), from the lock.
fn planned(entry: &Entry, recorded: &Layer) -> Planned {
    let mut files: Vec<Item> = entry
        .files
        .iter()
        .filter(|f| f.layer == recorded.digest)
        .map(|f| Item { path: f.path.clone(), size: f.size, digest: f.digest.clone() })
        .collect();
    files.sort_by(|a, b| a.path.cmp(&b.path));
    let media_type =
        if recorded.media_type == oci::MEDIA_TYPE_LAYER_TAR { oci::MEDIA_TYPE_LAYER_TAR } else { oci::MEDIA_TYPE_LAYER_TAR_GZIP };
    Planned { files, media_type }
}

/// Streams the layer from the store into the upload through a pipe; the registry checks the
/// digest when the upload completes, so a wrong byte is never stored.
fn upload_layer(
    store: &Store,
    planned: &Planned,
    digest: &str,
    repository: &dyn Repository,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<(), String> {
    let (mut reader, writer) = io::pipe().map_err(|e| e.to_string())?;
    thread::scope(|scope| {
        let packing = scope.spawn(move || layer::write(planned, |item| store.open(&item.digest), writer));
        let sent = repository.upload_blob(digest, &mut reader, progress);
        // Unblocks the packing thread if the upload stopped early.
        drop(reader);
        let packed = packing.join().map_err(|_| "packing the layer panicked".to_owned())?;
        sent?;
        let blob = packed.map_err(|e| e.to_string())?;
        if blob.digest.as_str() == digest {
            Ok(())
        } else {
            Err(format!("the store's files pack into {}, not {digest}", blob.digest))
        }
    })
}

/// The model's OCI index at `tag`: the image (already pushed, as `image`), then each weight.
pub fn index(lock: &Lock, image: &Descriptor, tag: &str, repository: &dyn Repository) -> Result<String, PushError> {
    let bytes = oci::index(image, &lock.weights);
    repository.put_manifest(tag, MEDIA_TYPE_INDEX, &bytes).map_err(PushError::Index)
}

fn short(digest: &str) -> &str {
    &digest[..digest.len().min(19)]
}
