//! Image references (`host[:port]/repository[:tag]`), parsed with docker's grammar so that a REF
//! means what it means to `docker push`: a first component without a dot, a colon or `localhost`
//! is a Docker Hub repository.

use std::fmt;

/// A push target: where (registry), what (repository) and under which name (tag).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reference {
    /// The registry as the user names it and docker's `config.json` keys it: `r8.im`,
    /// `127.0.0.1:5000`, `docker.io`.
    pub registry: String,
    pub repository: String,
    pub tag: String,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ReferenceError {
    #[error("REF is empty; give host[:port]/repository[:tag], e.g. r8.im/acme/whisper")]
    Empty,
    #[error("REF `{0}` names a digest; give a tag (host/repository:tag), the digest is what the push prints")]
    Digest(String),
    #[error(
        "REF `{reference}`: repository `{repository}` is not valid (lowercase letters, digits and . _ - separators, \
         components joined by /), e.g. r8.im/acme/whisper"
    )]
    Repository { reference: String, repository: String },
    #[error("REF `{reference}`: tag `{tag}` is not valid (letters, digits, _ . -, at most 128, not starting with . or -)")]
    Tag { reference: String, tag: String },
    #[error("REF `{reference}`: registry host `{host}` is not valid")]
    Host { reference: String, host: String },
}

const DOCKER_HUB: &str = "docker.io";

impl Reference {
    pub fn parse(text: &str) -> Result<Self, ReferenceError> {
        if text.is_empty() {
            return Err(ReferenceError::Empty);
        }
        if text.contains('@') {
            return Err(ReferenceError::Digest(text.to_owned()));
        }
        let (registry, rest) = match text.split_once('/') {
            Some((first, rest)) if first.contains(['.', ':']) || first == "localhost" => (first.to_owned(), rest),
            _ => (DOCKER_HUB.to_owned(), text),
        };
        // The tag is after the last colon that follows the last slash (a port has a slash after it).
        let (repository, tag) = match rest.rsplit_once(':') {
            Some((repository, tag)) if !tag.contains('/') => (repository, tag),
            _ => (rest, "latest"),
        };
        if !valid_host(&registry) {
            return Err(ReferenceError::Host { reference: text.to_owned(), host: registry });
        }
        let repository =
            if registry == DOCKER_HUB && !repository.contains('/') { format!("library/{repository}") } else { repository.to_owned() };
        if !valid_repository(&repository) {
            return Err(ReferenceError::Repository { reference: text.to_owned(), repository });
        }
        if !valid_tag(tag) {
            return Err(ReferenceError::Tag { reference: text.to_owned(), tag: tag.to_owned() });
        }
        Ok(Self { registry, repository, tag: tag.to_owned() })
    }

    /// The host the registry API answers on (Docker Hub's differs from its name).
    pub fn api_host(&self) -> &str {
        api_host(&self.registry)
    }
}

/// The host a registry's API answers on (Docker Hub's differs from its name).
pub fn api_host(registry: &str) -> &str {
    if registry == DOCKER_HUB {
        "registry-1.docker.io"
    } else {
        registry
    }
}

/// A registry on this machine (`localhost`, `127.x.x.x`, `[::1]`, with or without a port),
/// which docker talks to over plain HTTP without being told.
pub fn is_local_host(registry: &str) -> bool {
    let host = registry.strip_prefix('[').map_or_else(
        || registry.rsplit_once(':').map_or(registry, |(host, _)| host),
        |bracketed| bracketed.split_once(']').map_or(bracketed, |(host, _)| host),
    );
    host == "localhost" || host == "::1" || host.parse::<std::net::Ipv4Addr>().is_ok_and(|ip| ip.is_loopback())
}

impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}:{}", self.registry, self.repository, self.tag)
    }
}

fn valid_host(host: &str) -> bool {
    let (name_ok, port) = if let Some(rest) = host.strip_prefix('[') {
        let Some((address, port)) = rest.split_once(']') else { return false };
        (!address.is_empty() && address.bytes().all(|b| b.is_ascii_hexdigit() || b == b':'), port)
    } else {
        let (name, port) = host.split_at(host.find(':').unwrap_or(host.len()));
        let name_ok =
            !name.is_empty() && !name.starts_with(['-', '.']) && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.');
        (name_ok, port)
    };
    name_ok && (port.is_empty() || port.strip_prefix(':').is_some_and(|p| p.parse::<u16>().is_ok()))
}

/// docker's path components: `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*`, joined by `/`.
fn valid_repository(repository: &str) -> bool {
    repository.split('/').all(|component| {
        let bytes = component.as_bytes();
        let alnum = |b: &u8| b.is_ascii_lowercase() || b.is_ascii_digit();
        if bytes.is_empty() || !alnum(&bytes[0]) || !alnum(&bytes[bytes.len() - 1]) {
            return false;
        }
        let mut separator = String::new();
        for &b in bytes {
            if alnum(&b) {
                if !(separator.is_empty()
                    || separator == "."
                    || separator == "_"
                    || separator == "__"
                    || separator.bytes().all(|s| s == b'-'))
                {
                    return false;
                }
                separator.clear();
            } else if b"._-".contains(&b) {
                separator.push(b as char);
            } else {
                return false;
            }
        }
        true
    }) && repository.len() <= 255
}

/// `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`
fn valid_tag(tag: &str) -> bool {
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    tag.len() <= 128 && tag.bytes().next().is_some_and(word) && tag.bytes().all(|b| word(b) || b == b'.' || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(text: &str) -> (String, String, String) {
        let r = Reference::parse(text).unwrap();
        (r.registry, r.repository, r.tag)
    }

    #[test]
    fn registry_repository_and_tag() {
        assert_eq!(parsed("r8.im/acme/whisper"), ("r8.im".into(), "acme/whisper".into(), "latest".into()));
        assert_eq!(parsed("r8.im/acme/whisper:v2"), ("r8.im".into(), "acme/whisper".into(), "v2".into()));
        assert_eq!(parsed("127.0.0.1:5000/a/b:c"), ("127.0.0.1:5000".into(), "a/b".into(), "c".into()));
        assert_eq!(parsed("localhost/model"), ("localhost".into(), "model".into(), "latest".into()));
        assert_eq!(parsed("[::1]:5000/m:t"), ("[::1]:5000".into(), "m".into(), "t".into()));
    }

    #[test]
    fn docker_hub_names_are_normalised_as_docker_does() {
        assert_eq!(parsed("acme/whisper"), ("docker.io".into(), "acme/whisper".into(), "latest".into()));
        assert_eq!(parsed("ubuntu:22.04"), ("docker.io".into(), "library/ubuntu".into(), "22.04".into()));
        assert_eq!(Reference::parse("ubuntu").unwrap().api_host(), "registry-1.docker.io");
    }

    #[test]
    fn local_registries_are_recognised() {
        for local in ["localhost:5000", "localhost", "127.0.0.1:41234", "127.1.2.3", "[::1]:5000"] {
            assert!(is_local_host(local), "{local}");
        }
        for remote in ["r8.im", "127.example.com", "10.0.0.1:5000", "[::2]:5000"] {
            assert!(!is_local_host(remote), "{remote}");
        }
    }

    #[test]
    fn invalid_references_say_what_is_wrong() {
        assert_eq!(Reference::parse(""), Err(ReferenceError::Empty));
        assert!(matches!(Reference::parse("r8.im/a/m@sha256:00"), Err(ReferenceError::Digest(_))));
        assert!(matches!(Reference::parse("r8.im/Acme/m"), Err(ReferenceError::Repository { .. })));
        assert!(matches!(Reference::parse("r8.im/a//m"), Err(ReferenceError::Repository { .. })));
        assert!(matches!(Reference::parse("r8.im/a/m-"), Err(ReferenceError::Repository { .. })));
        assert!(matches!(Reference::parse("r8.im/a/m:.bad"), Err(ReferenceError::Tag { .. })));
        assert!(matches!(Reference::parse("r8.im:99999/a/m"), Err(ReferenceError::Host { .. })));
        let message = Reference::parse("r8.im/Acme/m").unwrap_err().to_string();
        assert!(message.contains("Acme/m") && message.contains("r8.im/acme/whisper"), "{message}");
    }

    #[test]
    fn separators_follow_docker() {
        assert!(valid_repository("a__b/c.d/e--f/g_h"));
        assert!(!valid_repository("a___b"));
        assert!(!valid_repository("a._b"));
    }
}
