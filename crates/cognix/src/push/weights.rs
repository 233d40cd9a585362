//! cog's managed weights in `cognix push`, laid out as `cog push` lays them out: the weight
//! artifacts first (cognix-weights packs and sends them through this client, only what the
//! repository lacks), the image under `cog-image.<tag>`, then the OCI index at `<tag>` that ties
//! them together. weights.lock is read and checked before anything is built or sent.

use std::io::Read;
use std::path::{Path, PathBuf};

use cognix_io::digest::Digest;
use cognix_io::progress::{Mode, Stderr};
use cognix_weights::http::Client;
use cognix_weights::lock::Lock;
use cognix_weights::oci;
use cognix_weights::push::{self as weights_push, Context, PushError, Pushed};
use cognix_weights::source::Remote;
use cognix_weights::spec::Project;
use cognix_weights::store::Store;

use crate::reference::Reference;
use crate::registry::{Descriptor, Registry};

/// One repository of a registry, as cognix-weights needs it.
pub struct Repository<'a> {
    pub registry: &'a Registry,
    pub repository: &'a str,
}

fn digest(text: &str) -> Result<Digest, String> {
    Digest::parse(text).map_err(|e| e.to_string())
}

impl weights_push::Repository for Repository<'_> {
    fn has_blob(&self, digest_text: &str) -> Result<bool, String> {
        Ok(self.registry.blob_size(self.repository, &digest(digest_text)?).map_err(|e| e.to_string())?.is_some())
    }

    fn upload_blob(&self, digest_text: &str, content: &mut dyn Read, progress: &(dyn Fn(u64) + Sync)) -> Result<(), String> {
        self.registry.upload_reader(self.repository, &digest(digest_text)?, content, progress).map(|_| ()).map_err(|e| e.to_string())
    }

    fn manifest_size(&self, digest_text: &str) -> Result<Option<u64>, String> {
        Ok(self.registry.manifest_descriptor(self.repository, digest_text).map_err(|e| e.to_string())?.map(|d| d.size))
    }

    fn put_manifest(&self, tag: &str, media_type: &str, bytes: &[u8]) -> Result<String, String> {
        self.registry.put_manifest(self.repository, tag, media_type, bytes).map(|d| d.as_str().to_owned()).map_err(|e| e.to_string())
    }
}

/// A project's managed weights, ready to go with its image.
pub struct Weights {
    project: Project,
    lock: Lock,
    store: Store,
    remote: Remote,
    fix: String,
    jobs: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum WeightsError {
    #[error("{}", .0.join("\n"))]
    Project(Vec<String>),
    #[error(transparent)]
    Push(#[from] PushError),
    #[error(transparent)]
    Store(#[from] cognix_weights::cli::CliError),
    #[error("the registry does not show the image {0} just pushed, so the index cannot name it")]
    ImageMissing(String),
}

/// The directory whose cog.yaml says which weights go with the image: `given`, else the flake's
/// directory when the flake is one.
pub fn project_dir(given: Option<&Path>, flake: &str) -> PathBuf {
    given.map_or_else(|| PathBuf::from(flake.strip_prefix("path:").unwrap_or(flake)), Path::to_path_buf)
}

/// The managed weights of the project in `dir`, with weights.lock checked, to be uploaded `jobs`
/// layers at once; `None` when there is no cog.yaml there or it declares no weights.
pub fn prepare(dir: &Path, jobs: usize) -> Result<Option<Weights>, WeightsError> {
    if !(dir.join("cog.yaml").is_file() || dir.is_file()) {
        return Ok(None);
    }
    let project = Project::read(dir).map_err(WeightsError::Project)?;
    if project.weights.is_empty() {
        return Ok(None);
    }
    let store = cognix_weights::cli::store()?;
    let remote = Remote::from_env(Client::default());
    let fix = cognix_weights::cli::import_command(dir);
    let context = Context { project: &project, store: &store, remote: &remote, fix: &fix, jobs };
    let Some(lock) = weights_push::lock_for_push(&context)? else { return Ok(None) };
    Ok(Some(Weights { project, lock, store, remote, fix, jobs }))
}

impl Weights {
    /// Pushes every weight the repository lacks, showing progress as `mode` says.
    pub fn push(&self, registry: &Registry, repository: &str, mode: Mode) -> Result<Vec<Pushed>, WeightsError> {
        let context = Context { project: &self.project, store: &self.store, remote: &self.remote, fix: &self.fix, jobs: self.jobs };
        let target = Repository { registry, repository };
        Ok(weights_push::weights(&context, &self.lock, &target, &mut Stderr::new(mode))?)
    }

    /// Puts the model's index at `target`'s tag, the image (pushed at `image`) first.
    pub fn index(&self, registry: &Registry, target: &Reference, image: &Descriptor) -> Result<String, WeightsError> {
        let image = oci::Descriptor {
            media_type: image.media_type.clone(),
            size: image.size,
            digest: image.digest.as_str().to_owned(),
            annotations: std::collections::BTreeMap::new(),
            platform: None,
            artifact_type: None,
        };
        let repository = Repository { registry, repository: &target.repository };
        Ok(weights_push::index(&self.lock, &image, &target.tag, &repository)?)
    }

    pub fn count(&self) -> usize {
        self.lock.weights.len()
    }
}

/// The tag the image gets beside the index at `tag`.
pub fn image_tag(tag: &str) -> String {
    oci::image_tag(tag)
}
