//! docker credential helpers (`docker-credential-<name> get|store`): the server URL or a JSON
//! record on standard input, JSON on standard output.

use std::io::Write;
use std::process::{Command, Stdio};

use serde_json::{json, Value};

use super::{AuthError, Credentials, Secret};

/// The helper's credentials for `server_url`, `None` when it has none.
pub fn get(name: &str, server_url: &str) -> Result<Option<Credentials>, AuthError> {
    let output = run(name, "get", server_url.as_bytes())?;
    if !output.status.success() {
        // The helpers' protocol says "credentials not found in native keychain" for a miss.
        let said = String::from_utf8_lossy(&output.stdout).to_string() + &String::from_utf8_lossy(&output.stderr);
        if said.to_lowercase().contains("not found") {
            return Ok(None);
        }
        return Err(failure(name, "get", said.trim()));
    }
    // The output holds the secret: a parse error must not quote it.
    let value: Value = serde_json::from_slice(&output.stdout).map_err(|_| failure(name, "get", "printed something that is not JSON"))?;
    let field = |key| value.get(key).and_then(Value::as_str).unwrap_or_default().to_owned();
    let (username, secret) = (field("Username"), field("Secret"));
    if secret.is_empty() {
        return Ok(None);
    }
    Ok(Some(Credentials { username, secret: Secret::new(secret) }))
}

pub fn store(name: &str, server_url: &str, credentials: &Credentials) -> Result<(), AuthError> {
    let record = json!({ "ServerURL": server_url, "Username": credentials.username, "Secret": credentials.secret.expose() });
    let output = run(name, "store", record.to_string().as_bytes())?;
    if output.status.success() {
        Ok(())
    } else {
        Err(failure(name, "store", String::from_utf8_lossy(&output.stderr).trim()))
    }
}

fn run(name: &str, action: &str, input: &[u8]) -> Result<std::process::Output, AuthError> {
    let program = format!("docker-credential-{name}");
    let mut child =
        Command::new(&program).arg(action).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().map_err(|e| {
            AuthError::Helper {
                helper: name.to_owned(),
                problem: format!("cannot be run ({e}); install it or remove it from docker's config.json (credsStore / credHelpers)"),
            }
        })?;
    child.stdin.take().expect("stdin is piped").write_all(input).map_err(|e| failure(name, action, &e.to_string()))?;
    child.wait_with_output().map_err(|e| failure(name, action, &e.to_string()))
}

fn failure(name: &str, action: &str, said: &str) -> AuthError {
    AuthError::Helper { helper: name.to_owned(), problem: format!("`{action}` failed: {said}") }
}
