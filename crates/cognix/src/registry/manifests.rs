//! Manifests and indexes, of any media type, under a tag or a digest.

use cognix_io::digest::Digest;
use cognix_io::http;

use super::{pull_scope, push_scope, Payload, Registry, RegistryError, Request};

/// What `get_manifest` accepts unless told otherwise: OCI and Docker, images and indexes.
pub const MANIFEST_TYPES: &[&str] = &[
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.v2+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
];

/// A manifest as the registry describes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Descriptor {
    pub media_type: String,
    pub digest: Digest,
    pub size: u64,
}

impl Registry {
    /// Puts a manifest (or an index) under `reference`, a tag or a digest. Returns its digest,
    /// checked against the registry's `Docker-Content-Digest`.
    pub fn put_manifest(&self, repository: &str, reference: &str, media_type: &str, bytes: &[u8]) -> Result<Digest, RegistryError> {
        let scope = push_scope(repository);
        let url = self.url(&format!("/v2/{repository}/manifests/{reference}"));
        let request = Request::new("PUT", url.clone(), &scope).header("Content-Type", media_type).body(Payload::Bytes(bytes));
        let response = self.send(&request, "pushing the manifest")?;
        if !matches!(response.status().as_u16(), 200 | 201 | 202 | 204) {
            return Err(self.unexpected("PUT", &url, response, ""));
        }
        let digest = Digest::of(bytes);
        match http::header(&response, "docker-content-digest").map(Digest::parse) {
            Some(Ok(theirs)) if theirs != digest => {
                Err(self.protocol(format!("the registry stored the manifest as {theirs}, but its bytes hash to {digest}")))
            }
            _ => Ok(digest),
        }
    }

    /// HEAD a manifest: its descriptor if the repository has it.
    pub fn manifest_descriptor(&self, repository: &str, reference: &str) -> Result<Option<Descriptor>, RegistryError> {
        let scope = pull_scope(repository);
        let url = self.url(&format!("/v2/{repository}/manifests/{reference}"));
        let request = Request::new("HEAD", url.clone(), &scope).header("Accept", MANIFEST_TYPES.join(", "));
        let response = self.send(&request, "reading")?;
        match response.status().as_u16() {
            200 => {
                let header = |name| http::header(&response, name);
                let digest = header("docker-content-digest")
                    .and_then(|d| Digest::parse(d).ok())
                    .or_else(|| Digest::parse(reference).ok())
                    .ok_or_else(|| self.protocol(format!("HEAD manifest {reference} gave no Docker-Content-Digest")))?;
                Ok(Some(Descriptor {
                    media_type: header("content-type").unwrap_or_default().to_owned(),
                    digest,
                    size: header("content-length").and_then(|l| l.parse().ok()).unwrap_or(0),
                }))
            }
            404 => Ok(None),
            _ => Err(self.unexpected("HEAD", &url, response, "")),
        }
    }

    /// GET a manifest: its media type and exact bytes.
    pub fn get_manifest(&self, repository: &str, reference: &str, accept: &[&str]) -> Result<Option<(String, Vec<u8>)>, RegistryError> {
        let scope = pull_scope(repository);
        let url = self.url(&format!("/v2/{repository}/manifests/{reference}"));
        let mut response = self.send(&Request::new("GET", url.clone(), &scope).header("Accept", accept.join(", ")), "reading")?;
        match response.status().as_u16() {
            200 => {
                let media_type = http::header(&response, "content-type").unwrap_or_default().to_owned();
                let bytes = response
                    .body_mut()
                    .with_config()
                    .limit(16 << 20)
                    .read_to_vec()
                    .map_err(|e| self.protocol(format!("GET manifest {reference} broke off: {e}")))?;
                Ok(Some((media_type, bytes)))
            }
            404 => Ok(None),
            _ => Err(self.unexpected("GET", &url, response, "")),
        }
    }
}
