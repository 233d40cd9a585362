//! The registry's side of authentication: a request without (valid) authorization gets `401`
//! and `WWW-Authenticate`. `Basic` wants the credentials on every request; `Bearer realm=…,
//! service=…` (Docker Hub, GHCR, most hosted registries) wants a token from the realm for the
//! repositories and actions at hand, fetched with the credentials (or anonymously).

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::Mutex;

use cognix_io::{http, url};
use ureq::Agent;

use super::{AuthError, Credentials};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Challenge {
    Basic,
    Bearer { realm: String, service: Option<String> },
}

impl Challenge {
    /// Parses a `WWW-Authenticate` value; `None` for schemes cognix does not speak.
    pub fn parse(header: &str) -> Option<Self> {
        let (scheme, params) = header.trim().split_once(' ').unwrap_or((header.trim(), ""));
        match scheme.to_ascii_lowercase().as_str() {
            "basic" => Some(Self::Basic),
            "bearer" => {
                let params = parse_params(params);
                Some(Self::Bearer { realm: params.get("realm")?.clone(), service: params.get("service").cloned() })
            }
            _ => None,
        }
    }
}

/// `key="value", key=value` pairs; quoted values may hold commas.
fn parse_params(text: &str) -> HashMap<String, String> {
    let mut params = HashMap::new();
    let mut rest = text.trim();
    while let Some((key, after)) = rest.split_once('=') {
        let key = key.trim().trim_start_matches(',').trim().to_ascii_lowercase();
        let after = after.trim_start();
        let (value, remaining) = if let Some(quoted) = after.strip_prefix('"') {
            let end = quoted.find('"').unwrap_or(quoted.len());
            (&quoted[..end], quoted.get(end + 1..).unwrap_or(""))
        } else {
            let end = after.find(',').unwrap_or(after.len());
            (after[..end].trim(), &after[end..])
        };
        params.insert(key, value.to_owned());
        rest = remaining.trim_start().trim_start_matches(',');
    }
    params
}

/// One registry's authentication state, shared by the threads of a push.
pub struct Session {
    registry: String,
    credentials: Option<Credentials>,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    challenge: Option<Challenge>,
    /// Bearer tokens by scope.
    tokens: HashMap<String, String>,
}

impl Session {
    pub fn new(registry: &str, credentials: Option<Credentials>) -> Self {
        Self { registry: registry.to_owned(), credentials, state: Mutex::new(State::default()) }
    }

    pub fn has_credentials(&self) -> bool {
        self.credentials.is_some()
    }

    /// The `Authorization` value for a request that needs `scope` (space-separated
    /// `repository:<name>:<actions>`), when one is known.
    pub fn authorization(&self, scope: &str) -> Option<String> {
        let state = self.state.lock().expect("auth state lock");
        match state.challenge.as_ref()? {
            Challenge::Basic => self.credentials.as_ref().map(Credentials::basic),
            Challenge::Bearer { .. } => state.tokens.get(scope).map(|token| format!("Bearer {token}")),
        }
    }

    /// Answers a 401: learns the challenge and gets what it asks for. `Ok(false)` when there is
    /// nothing new to try (no credentials for Basic, an unknown scheme).
    pub fn answer(&self, agent: &Agent, www_authenticate: Option<&str>, scope: &str) -> Result<bool, AuthError> {
        let Some(challenge) = www_authenticate.and_then(Challenge::parse) else { return Ok(false) };
        let previous = self.state.lock().expect("auth state lock").challenge.replace(challenge.clone());
        match challenge {
            Challenge::Basic => Ok(self.credentials.is_some() && previous != Some(Challenge::Basic)),
            Challenge::Bearer { realm, service } => {
                let token = self.fetch_token(agent, &realm, service.as_deref(), scope)?;
                self.state.lock().expect("auth state lock").tokens.insert(scope.to_owned(), token);
                Ok(true)
            }
        }
    }

    fn fetch_token(&self, agent: &Agent, realm: &str, service: Option<&str>, scope: &str) -> Result<String, AuthError> {
        let mut url = realm.to_owned();
        let mut separator = if realm.contains('?') { '&' } else { '?' };
        for (key, value) in
            service.map(|s| ("service", s)).into_iter().chain(scope.split(' ').filter(|s| !s.is_empty()).map(|s| ("scope", s)))
        {
            url.push(separator);
            let _ = write!(url, "{key}={}", url::escape_query_value(value));
            separator = '&';
        }
        let mut request = agent.get(&url);
        if let Some(credentials) = &self.credentials {
            request = request.header("Authorization", credentials.basic());
        }
        let unreachable = |detail: String| AuthError::TokenUnreachable {
            registry: self.registry.clone(),
            realm: url::without_query(realm).to_owned(),
            detail,
        };
        let mut response = request.call().map_err(|e| unreachable(e.to_string()))?;
        let status = response.status().as_u16();
        if status != 200 {
            let detail = http::body_excerpt(&mut response);
            return Err(AuthError::TokenService {
                registry: self.registry.clone(),
                realm: url::without_query(realm).to_owned(),
                status,
                detail: if detail.is_empty() { String::new() } else { format!(" ({detail})") },
                hint: if status == 401 || status == 403 {
                    login_hint(&self.registry, self.credentials.is_some())
                } else {
                    "try again later".into()
                },
            });
        }
        let text = response.body_mut().with_config().limit(1 << 20).read_to_string().map_err(|e| unreachable(e.to_string()))?;
        let value: serde_json::Value = serde_json::from_str(&text).map_err(|_| unreachable("the answer is not JSON".into()))?;
        ["token", "access_token"]
            .iter()
            .find_map(|key| value.get(*key).and_then(serde_json::Value::as_str).filter(|t| !t.is_empty()))
            .map(str::to_owned)
            .ok_or_else(|| unreachable("the answer holds no token".into()))
    }
}

/// What to tell a user `registry` turned away.
pub fn login_hint(registry: &str, had_credentials: bool) -> String {
    let how = format!("`cognix login {registry}`, `docker login {registry}`, or `cog login` for r8.im");
    if had_credentials {
        format!("the credentials were refused: log in again ({how})")
    } else {
        format!("log in first ({how}), or pass --username and --password-stdin")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn challenges_are_parsed() {
        assert_eq!(Challenge::parse(r#"Basic realm="Registry Realm""#), Some(Challenge::Basic));
        assert_eq!(
            Challenge::parse(
                r#"Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:a/b:pull,push""#
            ),
            Some(Challenge::Bearer { realm: "https://auth.docker.io/token".into(), service: Some("registry.docker.io".into()) })
        );
        assert_eq!(
            Challenge::parse("bearer realm=https://ghcr.io/token, service=ghcr.io"),
            Some(Challenge::Bearer { realm: "https://ghcr.io/token".into(), service: Some("ghcr.io".into()) })
        );
        assert_eq!(Challenge::parse("Bearer service=x"), None);
        assert_eq!(Challenge::parse("Negotiate"), None);
    }

    #[test]
    fn basic_is_tried_once_and_only_with_credentials() {
        let agent = http::agent(crate::USER_AGENT);
        let anonymous = Session::new("r", None);
        assert!(!anonymous.answer(&agent, Some("Basic realm=x"), "s").unwrap());
        let with = Session::new("r", Some(Credentials { username: "u".into(), secret: super::super::Secret::new("p") }));
        assert!(with.answer(&agent, Some("Basic realm=x"), "s").unwrap());
        assert_eq!(with.authorization("s").unwrap(), "Basic dTpw");
        assert!(!with.answer(&agent, Some("Basic realm=x"), "s").unwrap(), "refused credentials are not sent again");
    }
}
