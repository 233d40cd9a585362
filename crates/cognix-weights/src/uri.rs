//! Weight source URIs as cog normalises them (pkg/model/weightsource NormalizeURI): what
//! weights.lock records and compares. Local directories (`file://`, or a bare path) become
//! `file://./rel` or `file:///abs`; `huggingface://` becomes `hf://`, with `@main` implied;
//! `http(s)://` URLs must not carry credentials, since the lock is committed.

use std::fmt;

/// A parsed, normalised source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Uri {
    /// A directory: relative to the project (`./weights`) or absolute.
    File { path: String },
    /// A Hugging Face model repository at a branch, tag or commit.
    Hf { repo: String, revision: String },
    /// One file at a URL.
    Http { url: String },
}

impl Uri {
    pub fn parse(uri: &str) -> Result<Uri, String> {
        if uri.is_empty() {
            return Err("weight source.uri is required".into());
        }
        match uri.split_once("://") {
            None => file(uri),
            Some(("file", path)) => file(path),
            Some(("hf" | "huggingface", rest)) => hf(uri, rest),
            Some((scheme, rest)) if scheme.eq_ignore_ascii_case("https") || scheme.eq_ignore_ascii_case("http") => {
                http(&scheme.to_lowercase(), rest)
            }
            Some((scheme, _)) => {
                Err(format!("unsupported weight source scheme \"{scheme}\" (supported: file, hf, huggingface, https, http)"))
            }
        }
    }
}

/// The normalised form, as weights.lock records it.
impl fmt::Display for Uri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Uri::File { path } => write!(f, "file://{path}"),
            Uri::Hf { repo, revision } if revision == "main" => write!(f, "hf://{repo}"),
            Uri::Hf { repo, revision } => write!(f, "hf://{repo}@{revision}"),
            Uri::Http { url } => f.write_str(url),
        }
    }
}

fn file(path: &str) -> Result<Uri, String> {
    if path.is_empty() {
        return Err("empty weight source path".into());
    }
    let cleaned = clean(path);
    if cleaned.starts_with('/') {
        return Ok(Uri::File { path: cleaned });
    }
    if cleaned == "." {
        return Err("weight source cannot be the project directory itself".into());
    }
    if cleaned.starts_with("..") {
        return Err(format!("weight source \"{path}\" escapes the project directory"));
    }
    Ok(Uri::File { path: format!("./{cleaned}") })
}

fn hf(uri: &str, rest: &str) -> Result<Uri, String> {
    if rest.is_empty() {
        return Err("empty hf:// URI".into());
    }
    let (repo, revision) = match rest.rfind('@') {
        Some(at) if at > 0 => {
            let revision = &rest[at + 1..];
            if revision.is_empty() {
                return Err(format!("empty ref in hf:// URI: \"{uri}\""));
            }
            (&rest[..at], revision)
        }
        _ => (rest, "main"),
    };
    let parts: Vec<&str> = repo.split('/').collect();
    if parts.len() != 2 || parts.iter().any(|p| p.is_empty()) {
        return Err(format!("invalid hf:// repo \"{repo}\": expected org/repo"));
    }
    Ok(Uri::Hf { repo: repo.to_owned(), revision: revision.to_owned() })
}

fn http(scheme: &str, rest: &str) -> Result<Uri, String> {
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.contains('@') {
        return Err("HTTP URI must not embed credentials (user:pass@host)".into());
    }
    if authority.is_empty() {
        return Err(format!("HTTP URI \"{scheme}://{rest}\" has no host"));
    }
    let path = rest[authority.len()..].split(['?', '#']).next().unwrap_or_default();
    if path.rsplit('/').next().unwrap_or_default().is_empty() {
        return Err(format!("HTTP URI \"{scheme}://{rest}\" has no filename in path"));
    }
    Ok(Uri::Http { url: format!("{scheme}://{rest}") })
}

/// Go's `path.Clean`: the shortest equivalent path, lexically.
pub fn clean(path: &str) -> String {
    let rooted = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." if parts.last().is_some_and(|p| *p != "..") => {
                parts.pop();
            }
            ".." if rooted => {}
            part => parts.push(part),
        }
    }
    let joined = parts.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".to_owned(),
        (false, false) => joined,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn normal(uri: &str) -> String {
        Uri::parse(uri).map_or_else(|e| format!("error: {e}"), |u| u.to_string())
    }

    #[test]
    fn local_directories() {
        assert_eq!(normal("weights"), "file://./weights");
        assert_eq!(normal("./weights/"), "file://./weights");
        assert_eq!(normal("file://./a/../b"), "file://./b");
        assert_eq!(normal("file:///data/w"), "file:///data/w");
        assert_eq!(normal("/data//w/."), "file:///data/w");
        assert_eq!(normal("."), "error: weight source cannot be the project directory itself");
        assert_eq!(normal("../w"), "error: weight source \"../w\" escapes the project directory");
    }

    #[test]
    fn hugging_face() {
        assert_eq!(normal("hf://org/repo"), "hf://org/repo");
        assert_eq!(normal("huggingface://org/repo@main"), "hf://org/repo");
        assert_eq!(normal("hf://org/repo@v1.0"), "hf://org/repo@v1.0");
        assert_eq!(Uri::parse("hf://o/r").unwrap(), Uri::Hf { repo: "o/r".into(), revision: "main".into() });
        assert_eq!(normal("hf://org"), "error: invalid hf:// repo \"org\": expected org/repo");
        assert_eq!(normal("hf://org/repo@"), "error: empty ref in hf:// URI: \"hf://org/repo@\"");
    }

    #[test]
    fn urls_and_schemes() {
        assert_eq!(normal("HTTPS://example.com/m.pth"), "https://example.com/m.pth");
        assert_eq!(normal("https://u:p@example.com/m.pth"), "error: HTTP URI must not embed credentials (user:pass@host)");
        assert_eq!(normal("https://example.com/"), "error: HTTP URI \"https://example.com/\" has no filename in path");
        assert_eq!(
            normal("s3://bucket/key"),
            "error: unsupported weight source scheme \"s3\" (supported: file, hf, huggingface, https, http)"
        );
        assert_eq!(normal(""), "error: weight source.uri is required");
    }

    #[test]
    fn cleaning() {
        assert_eq!(clean("a/./b/../../.."), "..");
        assert_eq!(clean("/../a"), "/a");
        assert_eq!(clean("/"), "/");
        assert_eq!(clean("a//b/"), "a/b");
    }
}
