//! A Hugging Face model repository (`hf://org/repo[@ref]`), through the Hub API (`Remote`: the
//! endpoint and token from the environment): the ref is resolved to a commit first and everything after is read
//! at that commit, which becomes the fingerprint (`commit:<sha>`). LFS and xet files carry their
//! sha256 in the tree listing; small inline files are downloaded (into the store) and hashed.

use std::io::Read;

use cognix_io::progress::Progress;
use cognix_io::url::escape_path_segment;
use serde::Deserialize;

use super::{Inventory, Remote, Source, SourceError};
use crate::http::{Client, HttpError, Response};
use crate::pack::Item;
use crate::store::Store;

/// Inline (non-LFS) files are git blobs; a listing without a size is read up to this much.
const MAX_INLINE_SIZE: u64 = 256 * 1024 * 1024;

pub struct HuggingFace {
    repo: String,
    revision: String,
    /// The commit `revision` resolved to; set by `inventory`.
    commit: Option<String>,
    endpoint: String,
    token: Option<String>,
    client: Client,
}

#[derive(Deserialize)]
struct Revision {
    #[serde(default)]
    sha: String,
}

#[derive(Deserialize)]
struct TreeEntry {
    #[serde(rename = "type")]
    kind: String,
    path: String,
    #[serde(default)]
    size: u64,
    lfs: Option<Lfs>,
}

#[derive(Deserialize)]
struct Lfs {
    #[serde(default)]
    oid: String,
    #[serde(default)]
    size: u64,
}

impl HuggingFace {
    pub fn new(repo: &str, revision: &str, remote: &Remote) -> HuggingFace {
        HuggingFace {
            repo: repo.to_owned(),
            revision: revision.to_owned(),
            commit: None,
            endpoint: remote.hf_endpoint.clone(),
            token: remote.hf_token.clone(),
            client: remote.client.clone(),
        }
    }

    fn get(&self, url: &str, context: impl FnOnce() -> String) -> Result<Response, SourceError> {
        self.client.get(url, self.token.as_deref()).map_err(|source| SourceError::Http { context: context(), source: with_hint(source) })
    }

    /// The URL of `path` at `revision` (the resolve endpoint, which redirects to the file's store).
    fn file_url(&self, revision: &str, path: &str) -> String {
        format!(
            "{}/{}/resolve/{}/{}",
            self.endpoint,
            self.repo,
            escape_path_segment(revision),
            path.split('/').map(escape_path_segment).collect::<Vec<_>>().join("/")
        )
    }

    fn resolve(&self) -> Result<String, SourceError> {
        let url = format!("{}/api/models/{}/revision/{}", self.endpoint, self.repo, escape_path_segment(&self.revision));
        let context = || format!("resolve ref \"{}\" for {}", self.revision, self.repo);
        let text = self.get(&url, context)?.text(1 << 20).map_err(|e| SourceError::Protocol(format!("{}: {e}", context())))?;
        let revision: Revision =
            serde_json::from_str(&text).map_err(|e| SourceError::Protocol(format!("{}: invalid response: {e}", context())))?;
        if revision.sha.len() != 40 || !revision.sha.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(SourceError::Protocol(format!("{}: the Hub answered no commit sha (\"{}\")", context(), revision.sha)));
        }
        Ok(revision.sha)
    }

    /// The recursive listing at `commit`, following `Link: <…>; rel="next"` pages.
    fn tree(&self, commit: &str) -> Result<Vec<TreeEntry>, SourceError> {
        let context = || format!("list files of {}@{commit}", self.repo);
        let mut next = Some(format!("{}/api/models/{}/tree/{commit}?recursive=true", self.endpoint, self.repo));
        let mut entries = Vec::new();
        while let Some(url) = next.take() {
            let response = self.get(&url, context)?;
            next = response.header("link").and_then(next_link);
            let text = response.text(64 << 20).map_err(|e| SourceError::Protocol(format!("{}: {e}", context())))?;
            let page: Vec<TreeEntry> =
                serde_json::from_str(&text).map_err(|e| SourceError::Protocol(format!("{}: invalid response: {e}", context())))?;
            entries.extend(page);
        }
        Ok(entries)
    }
}

impl Source for HuggingFace {
    fn inventory(&mut self, store: &Store, progress: &mut dyn Progress) -> Result<Inventory, SourceError> {
        progress.step(&format!("  resolving hf://{}@{}", self.repo, self.revision));
        let commit = self.resolve()?;
        let entries = self.tree(&commit)?;
        let mut files = Vec::new();
        let inline: Vec<&TreeEntry> =
            entries.iter().filter(|e| e.kind == "file" && e.lfs.as_ref().is_none_or(|l| l.oid.is_empty())).collect();
        for entry in entries.iter().filter(|e| e.kind == "file") {
            if let Some(lfs) = entry.lfs.as_ref().filter(|l| !l.oid.is_empty()) {
                files.push(Item { path: entry.path.clone(), size: lfs.size, digest: format!("sha256:{}", lfs.oid) });
            }
        }
        if !inline.is_empty() {
            progress.step(&format!("  hashing {} small files of {} at {}", inline.len(), self.repo, &commit[..12]));
        }
        let total: u64 = inline.iter().map(|e| e.size).sum();
        let mut done = 0;
        for entry in inline {
            let limit = if entry.size > 0 { entry.size + 1 } else { MAX_INLINE_SIZE };
            let url = self.file_url(&commit, &entry.path);
            let body = self.get(&url, || format!("fetch {}", entry.path))?.into_reader().take(limit);
            let (digest, size) = store
                .add(body, |n| progress.bytes(done + n, total))
                .map_err(|source| SourceError::Store { path: entry.path.clone(), source })?;
            if entry.size > 0 && size != entry.size {
                return Err(SourceError::Protocol(format!(
                    "inline file {}: server returned {size} bytes, advertised {}",
                    entry.path, entry.size
                )));
            }
            done += size;
            files.push(Item { path: entry.path.clone(), size, digest });
        }
        files.sort_by(|a, b| a.path.cmp(&b.path));
        let fingerprint = format!("commit:{commit}");
        self.commit = Some(commit);
        Ok(Inventory { files, fingerprint })
    }

    fn open(&self, path: &str) -> Result<Box<dyn Read + Send>, SourceError> {
        let revision = self.commit.as_deref().unwrap_or(&self.revision);
        let url = self.file_url(revision, path);
        Ok(Box::new(self.get(&url, || format!("download {path}"))?.into_reader()))
    }
}

/// Says what to do about the Hub's refusals.
fn with_hint(error: HttpError) -> HttpError {
    match error {
        HttpError::Status { url, status: status @ (401 | 403), hint } => {
            let todo = if status == 401 {
                "set HF_TOKEN (or HUGGING_FACE_HUB_TOKEN) to a token that can read the repository"
            } else {
                "check the repository's visibility and the token's permissions; a gated model must be accepted on its page first"
            };
            HttpError::Status { url, status, hint: format!("{hint}; {todo}") }
        }
        other => other,
    }
}

/// The target of `rel="next"` in a Link header.
fn next_link(header: &str) -> Option<String> {
    header.split(',').find(|part| part.contains("rel=\"next\"")).and_then(|part| {
        let start = part.find('<')?;
        let end = part.find('>')?;
        (end > start).then(|| part[start + 1..end].to_owned())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_links() {
        assert_eq!(next_link(r#"<https://hub/api/x?cursor=abc>; rel="next""#).unwrap(), "https://hub/api/x?cursor=abc");
        assert_eq!(next_link(r#"<https://hub/a>; rel="prev", <https://hub/b>; rel="next""#).unwrap(), "https://hub/b");
        assert_eq!(next_link(r#"<https://hub/a>; rel="prev""#), None);
    }
}
