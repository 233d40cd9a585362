//! Where weights come from (cog's pkg/model/weightsource): a source lists its files with their
//! sizes and sha256 digests and a fingerprint of its version (`inventory`), and streams any one
//! of them (`open`). One module per scheme: a local directory, a Hugging Face repository, a URL.

mod hf;
mod local;
mod url;

use std::env;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use cognix_io::progress::Progress;

use crate::http::{Client, HttpError};
use crate::pack::Item;
use crate::store::{PutError, Store};
use crate::uri::Uri;

/// A source's files (sorted by path) and version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Inventory {
    pub files: Vec<Item>,
    /// `sha256:<dirhash>` (a directory), `commit:<sha>` (Hugging Face), `etag:<v>` or
    /// `sha256:<digest>` (a URL).
    pub fingerprint: String,
}

pub trait Source {
    /// Lists the files. Remote files that must be downloaded to be hashed go into `store` on the
    /// way, so they are downloaded once.
    fn inventory(&mut self, store: &Store, progress: &mut dyn Progress) -> Result<Inventory, SourceError>;

    /// The content of the file at `path` (an inventory path).
    fn open(&self, path: &str) -> Result<Box<dyn Read + Send>, SourceError>;
}

#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error("weight source not found: {0}")]
    NotFound(String),
    #[error("weight source {0} is not a directory (file:// sources must be directories)")]
    NotADirectory(String),
    #[error("weight source contains non-regular entry \"{path}\" ({kind}); resolve to regular files before importing")]
    NonRegular { path: String, kind: &'static str },
    #[error("weight source contains a file name that is not UTF-8: {0}")]
    NotUtf8(PathBuf),
    #[error("{path}: {source}")]
    Io { path: String, source: io::Error },
    #[error("{context}: {source}")]
    Http { context: String, source: HttpError },
    #[error("{0}")]
    Protocol(String),
    #[error("{path}: {source}")]
    Store { path: String, source: PutError },
}

/// How remote sources are reached.
#[derive(Clone, Debug)]
pub struct Remote {
    pub client: Client,
    /// The Hugging Face Hub, without a trailing slash.
    pub hf_endpoint: String,
    /// Sent to the Hub only.
    pub hf_token: Option<String>,
}

impl Remote {
    /// `$HF_ENDPOINT` (default `https://huggingface.co`) and `$HF_TOKEN` or
    /// `$HUGGING_FACE_HUB_TOKEN`, as the Hugging Face tools read them.
    pub fn from_env(client: Client) -> Remote {
        let var = |name: &str| env::var(name).ok().filter(|v| !v.is_empty());
        Remote {
            client,
            hf_endpoint: var("HF_ENDPOINT").unwrap_or_else(|| "https://huggingface.co".to_owned()).trim_end_matches('/').to_owned(),
            hf_token: var("HF_TOKEN").or_else(|| var("HUGGING_FACE_HUB_TOKEN")),
        }
    }
}

/// The source for `uri`; relative directories are in `project`.
pub fn open(uri: &Uri, project: &Path, remote: &Remote) -> Result<Box<dyn Source>, SourceError> {
    Ok(match uri {
        Uri::File { path } => Box::new(local::Local::new(path, project)?),
        Uri::Hf { repo, revision } => Box::new(hf::HuggingFace::new(repo, revision, remote)),
        Uri::Http { url } => Box::new(url::Url::new(url, remote.client.clone())),
    })
}

fn io_error(path: &Path) -> impl FnOnce(io::Error) -> SourceError + '_ {
    move |source| SourceError::Io { path: path.display().to_string(), source }
}
