//! The HTTP client the remote sources share: blocking (ureq, rustls), timeouts on connecting and
//! on every read, and retries with back-off on 5xx, 429 and dropped connections, as cog's client
//! does (three retries). A token goes only into the `Authorization` header of the first request,
//! never across a redirect to another host, and never into a message.

use std::io::Read;
use std::thread;
use std::time::Duration;

use ureq::http::header;

#[derive(Clone, Debug)]
pub struct Client {
    agent: ureq::Agent,
    retries: u32,
    backoff: Duration,
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
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_connect(Some(Duration::from_secs(30)))
            .timeout_recv_response(Some(Duration::from_secs(120)))
            .timeout_per_read(Some(Duration::from_secs(120)))
            .user_agent(concat!("cognix-weights/", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        Client { agent, retries, backoff }
    }

    pub fn get(&self, url: &str, token: Option<&str>) -> Result<Response, HttpError> {
        self.send(url, token, false)
    }

    pub fn head(&self, url: &str) -> Result<Response, HttpError> {
        self.send(url, None, true)
    }

    fn send(&self, url: &str, token: Option<&str>, head: bool) -> Result<Response, HttpError> {
        let mut wait = self.backoff;
        let mut attempt = 0;
        loop {
            let mut request = if head { self.agent.head(url) } else { self.agent.get(url) };
            if let Some(token) = token.filter(|t| !t.is_empty()) {
                request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
            }
            let outcome = match request.call() {
                Ok(response) if response.status().is_success() => return Ok(Response { inner: response }),
                Ok(mut response) => {
                    let status = response.status().as_u16();
                    let body = if head { String::new() } else { response.body_mut().read_to_string().unwrap_or_default() };
                    Err(status_error(url, status, &body))
                }
                // ureq's message names the URL and the cause, never a header.
                Err(e) => Err(HttpError::Transport { url: url.to_owned(), message: e.to_string() }),
            };
            let retry = outcome.as_ref().err().is_some_and(|e| e.status().is_none_or(|s| s == 429 || s >= 500));
            if !retry || attempt >= self.retries {
                return outcome;
            }
            attempt += 1;
            thread::sleep(wait);
            wait *= 2;
        }
    }
}

fn status_error(url: &str, status: u16, body: &str) -> HttpError {
    let hint = match status {
        401 => ": authentication failed".to_owned(),
        403 => ": access denied".to_owned(),
        404 => ": not found".to_owned(),
        _ => {
            let snippet: String = body.chars().take(200).collect();
            if snippet.trim().is_empty() {
                String::new()
            } else {
                format!(": {}", snippet.trim())
            }
        }
    };
    HttpError::Status { url: url.to_owned(), status, hint }
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.inner.headers().get(name).and_then(|v| v.to_str().ok())
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
