//! The client the remote sources share: GET and HEAD on `cognix_io::http`'s agent, time-outs and
//! retries (on 5xx, 429, 408 and dropped connections, three by default as cog's client makes),
//! and statuses worded for the weights' messages. A token goes only into the `Authorization`
//! header of the first request, never across a redirect to another host, and never into a
//! message.

use std::io::Read;
use std::time::Duration;

use cognix_io::http::{self, Outcome, Retries};
use ureq::http::header;

#[derive(Clone, Debug)]
pub struct Client {
    agent: ureq::Agent,
    retries: Retries,
}

/// A response with a 2xx status.
pub struct Response {
    inner: ureq::http::Response<ureq::Body>,
}

#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    /// `hint` says what the status means and, where the source knows it, what to do.
    #[error("HTTP {status} from {url}{hint}")]
    Status { url: String, status: u16, hint: String },
    #[error("request to {url} failed: {message}")]
    Transport { url: String, message: String },
}

impl HttpError {
    pub fn status(&self) -> Option<u16> {
        match self {
            HttpError::Status { status, .. } => Some(*status),
            HttpError::Transport { .. } => None,
        }
    }
}

impl Default for Client {
    fn default() -> Client {
        Client::new(3, Duration::from_secs(1))
    }
}

impl Client {
    /// `retries` after the first attempt, waiting `backoff`, then twice as long each time.
    pub fn new(retries: u32, backoff: Duration) -> Client {
        let agent = http::agent(concat!("cognix-weights/", env!("CARGO_PKG_VERSION")));
        Client { agent, retries: Retries { count: retries, first_back_off: backoff } }
    }

    pub fn get(&self, url: &str, token: Option<&str>) -> Result<Response, HttpError> {
        self.send(url, token, false)
    }

    pub fn head(&self, url: &str) -> Result<Response, HttpError> {
        self.send(url, None, true)
    }

    fn send(&self, url: &str, token: Option<&str>, head: bool) -> Result<Response, HttpError> {
        http::with_retries(self.retries, |_| {
            let mut request = if head { self.agent.head(url) } else { self.agent.get(url) };
            if let Some(token) = token.filter(|t| !t.is_empty()) {
                request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
            }
            match request.call() {
                Ok(response) if response.status().is_success() => Ok(Outcome::Done(Response { inner: response })),
                Ok(mut response) => {
                    let status = response.status().as_u16();
                    let after = http::retry_after(&response);
                    let error = status_error(url, status, &http::body_excerpt(&mut response));
                    if http::is_transient(status) {
                        Ok(Outcome::Retry { error, after })
                    } else {
                        Err(error)
                    }
                }
                Err(e) => {
                    // ureq's message names the URL and the cause, never a header.
                    let error = HttpError::Transport { url: url.to_owned(), message: e.to_string() };
                    if http::is_transport(&e) {
                        Ok(Outcome::Retry { error, after: None })
                    } else {
                        Err(error)
                    }
                }
            }
        })
    }
}

/// The error for an answer with `status`; `excerpt` is what the body says, for statuses without
/// a hint of their own.
fn status_error(url: &str, status: u16, excerpt: &str) -> HttpError {
    let hint = match status {
        401 => ": authentication failed".to_owned(),
        403 => ": access denied".to_owned(),
        404 => ": not found".to_owned(),
        _ if excerpt.is_empty() => String::new(),
        _ => format!(": {excerpt}"),
    };
    HttpError::Status { url: url.to_owned(), status, hint }
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        http::header(&self.inner, name)
    }

    /// The body's length as the server announced it.
    pub fn content_length(&self) -> Option<u64> {
        self.header("content-length").and_then(|v| v.parse().ok())
    }

    pub fn into_reader(self) -> impl Read + Send {
        self.inner.into_body().into_reader()
    }

    /// The body as text, at most `limit` bytes.
    pub fn text(self, limit: u64) -> std::io::Result<String> {
        let mut text = String::new();
        self.into_reader().take(limit).read_to_string(&mut text)?;
        Ok(text)
    }
}
