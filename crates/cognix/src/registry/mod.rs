//! A client for the OCI distribution API: blobs (`blobs`: exists, mount, chunked and monolithic
//! uploads that resume) and manifests of any media type (`manifests`). Every call goes through
//! `send`, which authenticates (Basic or Bearer, `auth::challenge`) and retries with back-off
//! on dropped connections and server errors.
//!
//! This is the public API the weights work uses as well: `blob_size`, `upload_blob`,
//! `upload_reader`, `mount_blob` (and `upload_into` or `cancel_upload` the session a refused
//! mount opens),
//! `put_manifest` (a manifest or an index, under a tag or a digest), `manifest_descriptor`
//! (HEAD by digest), `get_manifest`, `get_blob`.

mod blobs;
mod manifests;

use std::io::{self, Read};
use std::time::Duration;

use cognix_io::http::{self, Outcome, Retries};
use cognix_io::url;
use ureq::http::Response;
use ureq::{Agent, Body, SendBody};

pub use blobs::{BlobSource, FileRegion, Mount};
pub use manifests::{Descriptor, MANIFEST_TYPES};

use crate::auth::{challenge, AuthError, Credentials, Session};
use crate::reference::{self, Reference};

/// cog's chunk size for r8.im: 96 MiB chunks got images over 10 GB through without time-outs.
pub const DEFAULT_CHUNK_SIZE: u64 = 96 << 20;

/// With this back-off a call gives up after about 15 s.
const RETRIES: Retries = Retries { count: 5, first_back_off: Duration::from_millis(500) };

#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    #[error("cannot reach the registry {registry} ({detail}); check the address and that it is up{hint}")]
    Unreachable { registry: String, detail: String, hint: &'static str },
    #[error("{registry}: {action} was refused ({status}{detail}); {hint}")]
    Denied { registry: String, action: String, status: u16, detail: String, hint: String },
    #[error("{registry} answered {status} to {method} {path}{detail}{retried}")]
    Status { registry: String, method: &'static str, path: String, status: u16, detail: String, retried: String },
    #[error("{registry}: {problem}")]
    Protocol { registry: String, problem: String },
    #[error(transparent)]
    Auth(#[from] AuthError),
    #[error("cannot read the data to upload: {0}")]
    Source(io::Error),
}

#[derive(Clone, Copy, Debug)]
pub struct Options {
    /// Talk HTTP to a registry that is not on this machine.
    pub plain_http: bool,
    /// Upload blobs larger than this in chunks of this size (within the registry's limits).
    pub chunk_size: u64,
}

impl Default for Options {
    fn default() -> Self {
        Self { plain_http: false, chunk_size: DEFAULT_CHUNK_SIZE }
    }
}

pub struct Registry {
    agent: Agent,
    /// `https://host[:port]`
    base: String,
    /// The registry as the user names it: in messages and for credentials.
    name: String,
    session: Session,
    chunk_size: u64,
}

/// A request, re-sendable: retries and authentication send it again.
struct Request<'a> {
    method: &'static str,
    url: String,
    scope: &'a str,
    headers: Vec<(&'static str, String)>,
    body: Payload<'a>,
}

enum Payload<'a> {
    Empty,
    Bytes(&'a [u8]),
    /// `len` bytes of `source` from `offset`, with a callback for bytes sent.
    Source {
        source: &'a dyn BlobSource,
        offset: u64,
        len: u64,
        progress: &'a (dyn Fn(u64) + Sync),
    },
}

impl Registry {
    /// Connects to the registry of `reference` and authenticates for pushing to its repository,
    /// so that a wrong address, a registry that is down or missing credentials show up before
    /// any layer is read.
    pub fn connect(reference: &Reference, credentials: Option<Credentials>, options: Options) -> Result<Self, RegistryError> {
        let registry = Self::new(&reference.registry, credentials, options);
        registry.ping(&push_scope(&reference.repository))?;
        Ok(registry)
    }

    /// A client for `registry` (`host[:port]`, as a reference names it) that has not talked to
    /// it yet.
    pub fn new(registry: &str, credentials: Option<Credentials>, options: Options) -> Self {
        let scheme = if reference::is_local_host(registry) || options.plain_http { "http" } else { "https" };
        Self {
            agent: http::agent(crate::USER_AGENT),
            base: format!("{scheme}://{}", reference::api_host(registry)),
            name: registry.to_owned(),
            session: Session::new(registry, credentials),
            chunk_size: options.chunk_size.max(1),
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// `GET /v2/`: the registry is there, speaks the API and lets us in for `scope` (empty:
    /// no repository, as `login` asks).
    pub fn ping(&self, scope: &str) -> Result<(), RegistryError> {
        let request = Request::new("GET", self.url("/v2/"), scope);
        // A registry that refuses the first connection is not there: no use retrying it for
        // seconds. Server errors are retried as anywhere.
        let response = http::with_retries(RETRIES, |_| match self.attempt(&request, "connecting")? {
            Outcome::Retry { error: error @ RegistryError::Unreachable { .. }, .. } => Err(error),
            outcome => Ok(outcome),
        })?;
        match response.status().as_u16() {
            200 => Ok(()),
            404 => Err(self.protocol(format!("{}/v2/ is not a registry API (404); check the registry address", self.base))),
            _ => Err(self.unexpected("GET", "/v2/", response, "")),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Upload locations may be absolute URLs, absolute paths or (rarely) relative ones.
    fn resolve(&self, location: &str) -> String {
        if location.starts_with("http://") || location.starts_with("https://") {
            location.to_owned()
        } else if location.starts_with('/') {
            self.url(location)
        } else {
            self.url(&format!("/v2/{location}"))
        }
    }

    /// Sends a request: authenticates on 401, retries transport errors and transient statuses
    /// with back-off. Answers other than 401 and 403 come back as they are.
    fn send(&self, request: &Request, action: &str) -> Result<Response<Body>, RegistryError> {
        http::with_retries(RETRIES, |_| self.attempt(request, action))
    }

    /// One attempt at a request, authenticating on 401: `Retry` for a dropped connection or a
    /// transient status, an error for a refusal.
    fn attempt(&self, request: &Request, action: &str) -> Result<Outcome<Response<Body>, RegistryError>, RegistryError> {
        let mut answered = false;
        loop {
            let mut response = match self.send_once(request) {
                Ok(response) => response,
                Err(Failure::Source(error)) => return Err(RegistryError::Source(error)),
                Err(Failure::Http(error)) if http::is_transport(&error) => {
                    return Ok(Outcome::Retry { error: self.unreachable(&error), after: None });
                }
                Err(Failure::Http(error)) => return Err(self.unreachable(&error)),
            };
            let status = response.status().as_u16();
            if status == 401 && !answered {
                let challenge = http::header(&response, "www-authenticate").map(str::to_owned);
                if self.session.answer(&self.agent, challenge.as_deref(), request.scope)? {
                    answered = true;
                    continue;
                }
            }
            if status == 401 || status == 403 {
                return Err(self.denied(action, status, &mut response));
            }
            if http::is_transient(status) {
                let after = http::retry_after(&response);
                let error = self.unexpected(request.method, &request.url, response, " (after retrying)");
                return Ok(Outcome::Retry { error, after });
            }
            return Ok(Outcome::Done(response));
        }
    }

    fn send_once(&self, request: &Request) -> Result<Response<Body>, Failure> {
        let mut builder = ureq::http::Request::builder().method(request.method).uri(&request.url);
        if let Some(authorization) = self.session.authorization(request.scope) {
            builder = builder.header("Authorization", authorization);
        }
        for (name, value) in &request.headers {
            builder = builder.header(*name, value);
        }
        let with_length = |builder: ureq::http::request::Builder, length: u64| builder.header("Content-Length", length.to_string());
        match &request.body {
            Payload::Empty if matches!(request.method, "GET" | "HEAD") => {
                Ok(self.agent.run(builder.body(()).map_err(ureq::Error::from)?)?)
            }
            Payload::Empty => Ok(self.agent.run(with_length(builder, 0).body(()).map_err(ureq::Error::from)?)?),
            Payload::Bytes(bytes) => {
                Ok(self.agent.run(with_length(builder, bytes.len() as u64).body(*bytes).map_err(ureq::Error::from)?)?)
            }
            Payload::Source { source, offset, len, progress } => {
                let reader = source.read_at(*offset).map_err(Failure::Source)?;
                let mut reader = Progressed { inner: reader.take(*len), progress: *progress, failed: None };
                let request = with_length(builder, *len).body(SendBody::from_reader(&mut reader)).map_err(ureq::Error::from)?;
                let result = self.agent.run(request);
                match (result, reader.failed.take()) {
                    (Err(_), Some(error)) => Err(Failure::Source(error)),
                    (result, _) => Ok(result?),
                }
            }
        }
    }

    fn unreachable(&self, error: &ureq::Error) -> RegistryError {
        let hint = if self.base.starts_with("https://")
            && matches!(error, ureq::Error::Tls(_) | ureq::Error::Protocol(_) | ureq::Error::Rustls(_))
        {
            "; a registry that speaks plain HTTP needs --plain-http"
        } else {
            ""
        };
        RegistryError::Unreachable { registry: self.name.clone(), detail: error.to_string(), hint }
    }

    fn denied(&self, action: &str, status: u16, response: &mut Response<Body>) -> RegistryError {
        let detail = http::body_excerpt(response);
        let hint = if status == 401 {
            challenge::login_hint(&self.name, self.session.has_credentials())
        } else if crate::auth::replicate::is_replicate(&self.name) {
            "check the model name: it must exist on replicate.com (create it at https://replicate.com/create) and belong to you or \
             your organisation"
                .to_owned()
        } else {
            "these credentials may not push to this repository; check the repository name and your permissions".to_owned()
        };
        RegistryError::Denied {
            registry: self.name.clone(),
            action: action.to_owned(),
            status,
            detail: if detail.is_empty() { String::new() } else { format!(": {detail}") },
            hint,
        }
    }

    fn unexpected(&self, method: &'static str, url: &str, mut response: Response<Body>, retried: &str) -> RegistryError {
        let detail = http::body_excerpt(&mut response);
        let path = url::without_query(url.strip_prefix(&self.base).unwrap_or(url)).to_owned();
        RegistryError::Status {
            registry: self.name.clone(),
            method,
            path,
            status: response.status().as_u16(),
            detail: if detail.is_empty() { String::new() } else { format!(": {detail}") },
            retried: retried.to_owned(),
        }
    }

    fn protocol(&self, problem: String) -> RegistryError {
        RegistryError::Protocol { registry: self.name.clone(), problem }
    }
}

impl<'a> Request<'a> {
    fn new(method: &'static str, url: String, scope: &'a str) -> Self {
        Self { method, url, scope, headers: Vec::new(), body: Payload::Empty }
    }

    fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    fn body(mut self, body: Payload<'a>) -> Self {
        self.body = body;
        self
    }
}

/// Why a request got no answer: the connection, or the data we were sending.
enum Failure {
    Http(ureq::Error),
    Source(io::Error),
}

impl From<ureq::Error> for Failure {
    fn from(error: ureq::Error) -> Self {
        Self::Http(error)
    }
}

/// Counts bytes as they are sent, and keeps a read error apart from the connection's.
struct Progressed<'a, R> {
    inner: R,
    progress: &'a (dyn Fn(u64) + Sync),
    failed: Option<io::Error>,
}

impl<R: Read> Read for Progressed<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self.inner.read(buf) {
            Ok(n) => {
                (self.progress)(n as u64);
                Ok(n)
            }
            Err(error) => {
                let copy = io::Error::new(error.kind(), error.to_string());
                self.failed = Some(error);
                Err(copy)
            }
        }
    }
}

/// The scope to push to a repository.
pub fn push_scope(repository: &str) -> String {
    format!("repository:{repository}:pull,push")
}

/// The scope to read a repository.
pub fn pull_scope(repository: &str) -> String {
    format!("repository:{repository}:pull")
}
