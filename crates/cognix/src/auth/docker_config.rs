//! docker's `config.json` (`$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`):
//! `credHelpers` per registry, the `credsStore` for all, and `auths` with base64
//! `user:password` — the file `docker login` and `cog login` write.

use std::fs;
use std::io::Write;
use std::path::PathBuf;

use base64::Engine as _;
use serde_json::{json, Map, Value};

use super::{helper, AuthError, Credentials, Secret};

pub struct DockerConfig {
    path: PathBuf,
    value: Map<String, Value>,
}

impl DockerConfig {
    pub fn load() -> Result<Self, AuthError> {
        let dir = std::env::var_os("DOCKER_CONFIG")
            .filter(|d| !d.is_empty())
            .map_or_else(|| std::env::var_os("HOME").map(PathBuf::from).unwrap_or_default().join(".docker"), PathBuf::from);
        let path = dir.join("config.json");
        let problem = |problem: String| AuthError::Config { path: path.display().to_string(), problem };
        let value = match fs::read(&path) {
            Ok(bytes) if bytes.iter().all(u8::is_ascii_whitespace) => Map::new(),
            Ok(bytes) => match serde_json::from_slice(&bytes) {
                Ok(Value::Object(map)) => map,
                Ok(_) => return Err(problem("is not a JSON object".into())),
                Err(e) => return Err(problem(format!("is not valid JSON ({e})"))),
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Map::new(),
            Err(e) => return Err(problem(format!("cannot be read ({e})"))),
        };
        Ok(Self { path, value })
    }

    /// The helper docker would ask for `registry`: its `credHelpers` entry, else `credsStore`.
    fn helper(&self, registry: &str) -> Option<String> {
        let per_registry = self
            .value
            .get("credHelpers")
            .and_then(Value::as_object)
            .and_then(|helpers| helpers.iter().find(|(key, _)| same_registry(key, registry)).and_then(|(_, name)| name.as_str()));
        per_registry.or_else(|| self.value.get("credsStore").and_then(Value::as_str)).filter(|name| !name.is_empty()).map(str::to_owned)
    }

    pub fn credentials(&self, registry: &str) -> Result<Option<Credentials>, AuthError> {
        if let Some(name) = self.helper(registry) {
            if let Some(credentials) = helper::get(&name, &server_url(registry))? {
                return Ok(Some(credentials));
            }
        }
        let Some((_, entry)) = self.auths().and_then(|auths| auths.iter().find(|(key, _)| same_registry(key, registry))) else {
            return Ok(None);
        };
        let field = |key| entry.get(key).and_then(Value::as_str).filter(|s| !s.is_empty());
        if let Some(encoded) = field("auth") {
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(encoded.trim())
                .ok()
                .and_then(|bytes| String::from_utf8(bytes).ok())
                .and_then(|pair| pair.split_once(':').map(|(u, p)| (u.to_owned(), p.to_owned())));
            let Some((username, password)) = decoded else {
                return Err(AuthError::Config {
                    path: self.path.display().to_string(),
                    problem: format!("auths.\"{registry}\".auth is not base64 of user:password"),
                });
            };
            return Ok(Some(Credentials { username, secret: Secret::new(password) }));
        }
        Ok(field("username").zip(field("password")).map(|(u, p)| Credentials { username: u.to_owned(), secret: Secret::new(p) }))
    }

    fn auths(&self) -> Option<&Map<String, Value>> {
        self.value.get("auths").and_then(Value::as_object)
    }

    /// Stores credentials in the registry's helper, else in `auths`. Returns where they went.
    pub fn store(mut self, registry: &str, credentials: &Credentials) -> Result<String, AuthError> {
        if let Some(name) = self.helper(registry) {
            helper::store(&name, &server_url(registry), credentials)?;
            return Ok(format!("the credential helper docker-credential-{name}"));
        }
        let pair = format!("{}:{}", credentials.username, credentials.secret.expose());
        let auths = self.value.entry("auths").or_insert_with(|| json!({}));
        if !auths.is_object() {
            *auths = json!({});
        }
        let auths = auths.as_object_mut().expect("auths was just made an object");
        let key = auths.keys().find(|key| same_registry(key, registry)).cloned().unwrap_or_else(|| registry.to_owned());
        auths.insert(key, json!({ "auth": base64::engine::general_purpose::STANDARD.encode(pair) }));
        self.write()
            .map_err(|e| AuthError::Config { path: self.path.display().to_string(), problem: format!("cannot be written ({e})") })?;
        Ok(self.path.display().to_string())
    }

    /// Writes the file readable by its owner only, replacing it in one step.
    fn write(&self) -> std::io::Result<()> {
        let dir = self.path.parent().expect("config.json has a directory");
        fs::create_dir_all(dir)?;
        let mut file = tempfile::NamedTempFile::new_in(dir)?;
        serde_json::to_writer_pretty(&mut file, &self.value)?;
        file.write_all(b"\n")?;
        // NamedTempFile creates the file 0600, as docker keeps config.json.
        file.persist(&self.path).map_err(|e| e.error)?;
        Ok(())
    }
}

/// How docker names a registry to credential helpers: Docker Hub by its old index URL.
fn server_url(registry: &str) -> String {
    if normalise(registry) == "docker.io" {
        "https://index.docker.io/v1/".to_owned()
    } else {
        registry.to_owned()
    }
}

/// Keys may be written `https://host/v1/`, `http://host` or `host`.
fn same_registry(key: &str, registry: &str) -> bool {
    normalise(key) == normalise(registry)
}

fn normalise(name: &str) -> &str {
    let name = name.strip_prefix("https://").or_else(|| name.strip_prefix("http://")).unwrap_or(name);
    let host = name.split('/').next().unwrap_or(name);
    match host {
        "index.docker.io" | "registry-1.docker.io" => "docker.io",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(value: Value) -> DockerConfig {
        let Value::Object(map) = value else { unreachable!() };
        DockerConfig { path: PathBuf::from("/nonexistent/config.json"), value: map }
    }

    #[test]
    fn auths_are_matched_whatever_the_key_form() {
        let c = config(json!({ "auths": {
            "https://index.docker.io/v1/": { "auth": "aHViOnB3" },
            "http://127.0.0.1:5000": { "username": "u", "password": "p" },
            "r8.im": { "auth": "YWNtZTp0b2tlbg==" },
        }}));
        assert_eq!(c.credentials("docker.io").unwrap().unwrap().username, "hub");
        assert_eq!(c.credentials("127.0.0.1:5000").unwrap().unwrap().secret.expose(), "p");
        let r8 = c.credentials("r8.im").unwrap().unwrap();
        assert_eq!((r8.username.as_str(), r8.secret.expose()), ("acme", "token"));
        assert!(c.credentials("ghcr.io").unwrap().is_none());
    }

    #[test]
    fn a_broken_auth_names_the_file_and_key_but_not_the_value() {
        let c = config(json!({ "auths": { "r8.im": { "auth": "bm9jb2xvbg==" } } }));
        let message = c.credentials("r8.im").unwrap_err().to_string();
        assert!(message.contains("/nonexistent/config.json") && message.contains("auths.\"r8.im\".auth"), "{message}");
        assert!(!message.contains("nocolon") && !message.contains("bm9jb2xvbg"), "{message}");
    }

    #[test]
    fn helpers_per_registry_win_over_the_store() {
        let c = config(json!({ "credsStore": "desktop", "credHelpers": { "gcr.io": "gcloud" } }));
        assert_eq!(c.helper("gcr.io").as_deref(), Some("gcloud"));
        assert_eq!(c.helper("r8.im").as_deref(), Some("desktop"));
        assert_eq!(server_url("docker.io"), "https://index.docker.io/v1/");
    }
}
