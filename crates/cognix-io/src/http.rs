//! HTTP as both crates speak it: one blocking ureq agent configuration (rustls, pooled
//! connections that upload threads share, time-outs per read and write rather than per call),
//! retries with doubling back-off that honour `Retry-After`, the one list of what is worth
//! retrying, and the excerpts of error answers that go into messages. Requests go out through
//! the caller's own code (a registry client, the weights' download client); this module decides
//! how often and how long to try them and how to word what came back.

use std::thread;
use std::time::Duration;

use ureq::http::Response;
use ureq::{Agent, Body};

/// A server's `Retry-After` is honoured up to this.
const MAX_BACK_OFF: Duration = Duration::from_secs(30);

/// An agent that returns every status as an answer (the caller words the errors), with
/// `user_agent` naming the program.
pub fn agent(user_agent: &str) -> Agent {
    Agent::config_builder()
        .http_status_as_error(false)
        .timeout_connect(Some(Duration::from_secs(15)))
        // Per read and write, not per call: a 96 MiB chunk or a 10 GB download on a slow link
        // may take minutes, a stalled connection must not.
        .timeout_per_read(Some(Duration::from_secs(120)))
        .timeout_per_write(Some(Duration::from_secs(120)))
        .user_agent(user_agent)
        .build()
        .new_agent()
}

/// How often a call is tried again, and how long the first wait is; each later wait is twice
/// as long, unless the server says (`Retry-After`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Retries {
    /// Attempts after the first.
    pub count: u32,
    pub first_back_off: Duration,
}

/// What an attempt came to.
pub enum Outcome<T, E> {
    Done(T),
    /// Worth another attempt (a dropped connection, 5xx, 429): the error to report if none is
    /// left, and how long the server asked us to wait.
    Retry {
        error: E,
        after: Option<Duration>,
    },
}

/// Runs `attempt` (given its number, 0 first) until it is done, fails for good, or the retries
/// are spent, sleeping in between with doubling back-off. Returns the last error then.
pub fn with_retries<T, E>(retries: Retries, mut attempt: impl FnMut(u32) -> Result<Outcome<T, E>, E>) -> Result<T, E> {
    let mut delay = retries.first_back_off;
    let mut number = 0;
    loop {
        match attempt(number)? {
            Outcome::Done(value) => return Ok(value),
            Outcome::Retry { error, .. } if number == retries.count => return Err(error),
            Outcome::Retry { after, .. } => {
                thread::sleep(after.unwrap_or(delay).min(MAX_BACK_OFF));
                delay *= 2;
                number += 1;
            }
        }
    }
}

/// Statuses a later attempt may not get: server errors, throttling, time-outs.
pub fn is_transient(status: u16) -> bool {
    status >= 500 || status == 429 || status == 408
}

/// Errors on the way (refused, reset, timed out, cut short) rather than answers.
pub fn is_transport(error: &ureq::Error) -> bool {
    matches!(
        error,
        ureq::Error::Io(_) | ureq::Error::Timeout(_) | ureq::Error::ConnectionFailed | ureq::Error::Protocol(_) | ureq::Error::HostNotFound
    )
}

/// The `Retry-After` header in seconds.
pub fn retry_after(response: &Response<Body>) -> Option<Duration> {
    header(response, "retry-after")?.parse().ok().map(Duration::from_secs)
}

pub fn header<'a>(response: &'a Response<Body>, name: &str) -> Option<&'a str> {
    response.headers().get(name).and_then(|v| v.to_str().ok())
}

/// A response body for an error message: the registries' error list, else the first line, at
/// most 300 characters.
pub fn body_excerpt(response: &mut Response<Body>) -> String {
    let text = response.body_mut().with_config().limit(64 * 1024).read_to_string().unwrap_or_default();
    registry_errors(&text).unwrap_or_else(|| {
        let line = text.lines().next().unwrap_or_default().trim();
        line.chars().take(300).collect()
    })
}

/// The distribution spec's `{"errors":[{"code","message"}]}` as `CODE: message; …`.
fn registry_errors(text: &str) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(text).ok()?;
    let errors = value.get("errors")?.as_array()?;
    let parts: Vec<String> = errors
        .iter()
        .map(|e| {
            let field = |key| e.get(key).and_then(serde_json::Value::as_str).unwrap_or_default();
            format!("{}: {}", field("code"), field("message"))
        })
        .collect();
    (!parts.is_empty()).then(|| parts.join("; "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_errors_are_summarised() {
        let text = r#"{"errors":[{"code":"DIGEST_INVALID","message":"provided digest did not match uploaded content"}]}"#;
        assert_eq!(registry_errors(text).unwrap(), "DIGEST_INVALID: provided digest did not match uploaded content");
        assert_eq!(registry_errors("plain"), None);
    }

    #[test]
    fn retries_stop_at_success_and_give_up_after_the_last() {
        let retries = Retries { count: 5, first_back_off: Duration::from_millis(500) };
        let mut calls = 0;
        let done: Result<u32, String> = with_retries(retries, |n| {
            calls += 1;
            Ok(if n < 1 { Outcome::Retry { error: "e".into(), after: Some(Duration::ZERO) } } else { Outcome::Done(n) })
        });
        assert_eq!((done, calls), (Ok(1), 2));
        let mut calls = 0;
        let failed: Result<(), String> = with_retries(retries, |n| {
            calls += 1;
            Ok(Outcome::Retry { error: format!("down {n}"), after: Some(Duration::ZERO) })
        });
        assert_eq!((failed, calls), (Err("down 5".to_owned()), 6));
    }
}
