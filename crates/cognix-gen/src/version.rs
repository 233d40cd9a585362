//! cog's version primitives (cog-spec §9): `NUM[.NUM[.NUM]][+META]`, a missing minor counts as 0,
//! a missing patch is absent. CUDA and torch resolution is defined in these terms, so they are
//! reproduced exactly rather than replaced by PEP 440 ordering. In: version strings; out: their
//! comparisons.

use std::cmp::Ordering;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Version {
    pub major: u64,
    pub minor: u64,
    pub patch: Option<u64>,
    pub metadata: String,
}

impl Version {
    pub fn parse(s: &str) -> Option<Version> {
        let (number, metadata) = s.split_once('+').unwrap_or((s, ""));
        let parts: Vec<&str> = number.split('.').collect();
        if parts.len() > 3 {
            return None;
        }
        let num = |p: &str| atoi(p);
        Some(Version {
            major: num(parts[0])?,
            minor: parts.get(1).map_or(Some(0), |p| num(p))?,
            patch: match parts.get(2) {
                Some(p) => Some(num(p)?),
                None => None,
            },
            metadata: metadata.to_owned(),
        })
    }

    fn key(&self) -> (u64, u64, u64) {
        (self.major, self.minor, self.patch.unwrap_or(0))
    }
}

/// Go's `strconv.Atoi` for the non-negative numbers versions use: optional `+`, digits only.
fn atoi(p: &str) -> Option<u64> {
    let digits = p.strip_prefix('+').unwrap_or(p);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// Same major and minor, and the same patch when both have one. Metadata is ignored.
pub fn matches(a: &str, b: &str) -> bool {
    match (Version::parse(a), Version::parse(b)) {
        (Some(a), Some(b)) => a.major == b.major && a.minor == b.minor && !matches!((a.patch, b.patch), (Some(x), Some(y)) if x != y),
        _ => false,
    }
}

/// Numerically greater on (major, minor, patch-or-0); false when either does not parse.
pub fn greater(a: &str, b: &str) -> bool {
    compare(a, b) == Some(Ordering::Greater)
}

pub fn compare(a: &str, b: &str) -> Option<Ordering> {
    Some(Version::parse(a)?.key().cmp(&Version::parse(b)?.key()))
}

/// Equal including metadata; plain string equality when either does not parse.
pub fn equal(a: &str, b: &str) -> bool {
    match (Version::parse(a), Version::parse(b)) {
        (Some(x), Some(y)) => x.key() == y.key() && x.metadata == y.metadata,
        _ => a == b,
    }
}

/// Same major and minor; false when either does not parse.
pub fn equal_minor(a: &str, b: &str) -> bool {
    match (Version::parse(a), Version::parse(b)) {
        (Some(x), Some(y)) => x.major == y.major && x.minor == y.minor,
        _ => false,
    }
}

/// The text before the first `+`.
pub fn strip_modifier(v: &str) -> &str {
    v.split('+').next().unwrap_or(v)
}

/// The Python release cog.yaml asks for: `major.minor`, with the patch when it is a number (cog
/// uses it verbatim, `python:3.10.14-slim`), so cognix builds exactly that release.
pub fn python_release(v: &str) -> String {
    match v.splitn(3, '.').collect::<Vec<_>>()[..] {
        [_, _, patch] if !patch.is_empty() && patch.bytes().all(|b| b.is_ascii_digit()) => v.to_owned(),
        [major, minor, _] => format!("{major}.{minor}"),
        _ => v.to_owned(),
    }
}

/// `major.minor`, or the input unchanged when it does not parse.
pub fn strip_patch(v: &str) -> String {
    Version::parse(v).map_or_else(|| v.to_owned(), |x| format!("{}.{}", x.major, x.minor))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_ignores_missing_patch_and_metadata() {
        assert!(matches("2.3", "2.3.2+cu118"));
        assert!(matches("11.8", "11.8.0"));
        assert!(!matches("11.8.0", "11.8.1"));
        assert!(!matches("x", "1.0"));
    }

    #[test]
    fn greater_and_equal() {
        assert!(greater("12.1", "11.8"));
        assert!(!greater("11.8", "11.8.0"));
        assert!(equal("11.2", "11.2.0"));
        assert!(!equal("1.0.0+foo", "1.0.0"));
        assert!(equal("abc", "abc"));
        assert!(equal_minor("12.4", "12.4.1"));
        assert!(!equal_minor("12.4", "junk"));
    }

    #[test]
    fn strip() {
        assert_eq!(strip_modifier("2.0.1+cu118"), "2.0.1");
        assert_eq!(strip_patch("3.11.4"), "3.11");
        assert_eq!(strip_patch("3"), "3.0");
        assert_eq!(strip_patch("x.y"), "x.y");
        assert_eq!(python_release("3.10.14"), "3.10.14");
        assert_eq!(python_release("3.8"), "3.8");
        assert_eq!(python_release("3.12.x"), "3.12");
        assert_eq!(python_release("3.12."), "3.12");
    }

    #[test]
    fn parse_rejects_too_many_parts() {
        assert_eq!(Version::parse("1.2.3.4"), None);
        assert_eq!(Version::parse("1.2").unwrap().patch, None);
    }
}
