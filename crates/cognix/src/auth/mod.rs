//! Registry credentials, found the way docker finds them (`docker_config`, `helper`), given on
//! the command line, or from Replicate's CLI token (`replicate`); and the registry's own
//! authentication dance, Basic or Bearer (`challenge`).
//!
//! Secrets live in `Secret`, whose Debug and Display print `<redacted>`, so no error message,
//! log line or panic can show one.

pub mod challenge;
pub mod docker_config;
pub mod helper;
pub mod replicate;

use std::fmt;
use std::io::{self, BufRead, IsTerminal};

use base64::Engine as _;

pub use challenge::Session;

/// A password or token.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(text: impl Into<String>) -> Self {
        Self(text.into())
    }

    /// The secret itself, for the one place that sends it (a request header or form).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Credentials {
    pub username: String,
    pub secret: Secret,
}

impl Credentials {
    /// The `Authorization: Basic` value.
    pub fn basic(&self) -> String {
        let pair = format!("{}:{}", self.username, self.secret.expose());
        format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(pair))
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("--password-stdin: nothing was read from standard input; pipe the password or token in, e.g. `cat token | cognix …`")]
    EmptySecret,
    #[error("--password-stdin: cannot read standard input: {0}")]
    Stdin(io::Error),
    #[error("--password-stdin needs --username for {registry} (only Replicate's registry takes a token alone)")]
    UsernameNeeded { registry: String },
    #[error("{path}: {problem}; fix or remove the file (docker login rewrites it)")]
    Config { path: String, problem: String },
    #[error("credential helper docker-credential-{helper}: {problem}")]
    Helper { helper: String, problem: String },
    #[error("{0}")]
    Replicate(String),
    #[error("{registry}: the token service {realm} answered {status}{detail}; {hint}")]
    TokenService { registry: String, realm: String, status: u16, detail: String, hint: String },
    #[error("{registry}: cannot reach the token service {realm}: {detail}")]
    TokenUnreachable { registry: String, realm: String, detail: String },
}

/// Credentials given on the command line.
#[derive(Debug, Default)]
pub struct Given {
    pub username: Option<String>,
    pub password_stdin: bool,
}

/// The credentials for `registry`: those given on the command line, else docker's (credential
/// helper, `credsStore`, then `config.json` auths). `None`: try anonymously, as docker does.
pub fn credentials_for(registry: &str, given: &Given) -> Result<Option<Credentials>, AuthError> {
    if given.password_stdin {
        let secret = read_secret_line(&mut io::stdin().lock())?;
        return match &given.username {
            Some(username) => Ok(Some(Credentials { username: username.clone(), secret })),
            None if replicate::is_replicate(registry) => replicate::credentials(registry, secret).map(Some),
            None => Err(AuthError::UsernameNeeded { registry: registry.to_owned() }),
        };
    }
    docker_config::DockerConfig::load()?.credentials(registry)
}

/// Reads one line (a password or token) from `input`, without its line ending.
pub fn read_secret_line(input: &mut dyn BufRead) -> Result<Secret, AuthError> {
    let mut line = String::new();
    input.read_line(&mut line).map_err(AuthError::Stdin)?;
    let secret = line.trim();
    if secret.is_empty() {
        Err(AuthError::EmptySecret)
    } else {
        Ok(Secret::new(secret))
    }
}

/// Reads a secret from the terminal without echoing it, or from piped standard input.
pub fn prompt_secret(prompt: &str) -> Result<Secret, AuthError> {
    let stdin = io::stdin();
    if !stdin.is_terminal() {
        return read_secret_line(&mut stdin.lock());
    }
    eprint!("{prompt}");
    let echo = |on: bool| {
        let _ = std::process::Command::new("stty").arg(if on { "echo" } else { "-echo" }).stdin(std::process::Stdio::inherit()).status();
    };
    echo(false);
    let secret = read_secret_line(&mut stdin.lock());
    echo(true);
    eprintln!();
    secret
}

/// Stores credentials where docker would: the registry's credential helper or `credsStore`, else
/// `config.json`'s `auths`.
pub fn store(registry: &str, credentials: &Credentials) -> Result<String, AuthError> {
    docker_config::DockerConfig::load()?.store(registry, credentials)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_print() {
        let credentials = Credentials { username: "acme".into(), secret: Secret::new("hunter2") };
        assert!(!format!("{credentials:?}").contains("hunter2"));
        assert_eq!(format!("{}", credentials.secret), "<redacted>");
        assert_eq!(credentials.basic(), "Basic YWNtZTpodW50ZXIy");
    }

    #[test]
    fn secret_lines_are_trimmed_and_required() {
        assert_eq!(read_secret_line(&mut &b"tok\n"[..]).unwrap().expose(), "tok");
        assert!(matches!(read_secret_line(&mut &b"\n"[..]), Err(AuthError::EmptySecret)));
    }
}
