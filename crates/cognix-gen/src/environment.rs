//! `environment`: `NAME=value` entries set in the image (cog-spec §7), with cog's deny-list of
//! names it uses itself. In: the entries as written; out: cog.nix's `environment`, name → value.

use std::collections::BTreeMap;

use crate::config::Spanned;
use crate::diagnostic::{Kind, Reported, Sink};

/// Names cog reserves; a trailing `*` matches a prefix.
const DENY_LIST: &[&str] = &[
    "PATH",
    "LD_LIBRARY_PATH",
    "PYTHONPATH",
    "VIRTUAL_ENV",
    "PYTHONUNBUFFERED",
    "R8_*",
    "REPLICATE_*",
    "LIBRARY_PATH",
    "CUDA_*",
    "NVIDIA_*",
    "NV_*",
    "PGET_*",
    "HF_ENDPOINT",
    "HF_HUB_ENABLE_HF_TRANSFER",
    "KUBERNETES_*",
];

pub fn is_reserved(name: &str) -> bool {
    DENY_LIST.iter().any(|pattern| match pattern.strip_suffix('*') {
        Some(prefix) => name.starts_with(prefix),
        None => name == *pattern,
    })
}

/// The schema's pattern for an entry: `^[A-Za-z_][A-Za-z0-9_]*=.*$` (`.` excludes newlines).
pub fn matches_schema(item: &str) -> bool {
    let Some((name, value)) = item.split_once('=') else { return false };
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !value.contains('\n')
}

/// Parses the list like cog: split at the first `=`; per entry the format, then the deny-list,
/// then duplicates are checked, and the first failure ends parsing.
pub fn parse(items: &[Spanned<String>], sink: &mut Sink) -> Result<BTreeMap<String, String>, Reported> {
    let mut env = BTreeMap::new();
    for (i, item) in items.iter().enumerate() {
        let key = format!("environment[{i}]");
        let kind = match item.value.split_once('=') {
            Some(("", _)) | None => Kind::EnvironmentFormat { item: item.value.clone() },
            Some((name, _)) if is_reserved(name) => Kind::EnvironmentReserved { name: name.to_owned() },
            Some((name, _)) if env.contains_key(name) => Kind::EnvironmentDuplicate { name: name.to_owned() },
            Some((name, value)) => {
                env.insert(name.to_owned(), value.to_owned());
                continue;
            }
        };
        return Err(sink.fail(kind, item.pos, &key));
    }
    Ok(env)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Pos;

    fn items(list: &[&str]) -> Vec<Spanned<String>> {
        list.iter().map(|s| Spanned::new((*s).to_owned(), Pos::START)).collect()
    }

    /// The entries, or the message of the error that ended parsing.
    fn parsed(list: &[&str]) -> Result<BTreeMap<String, String>, String> {
        let mut sink = Sink::new("cog.yaml");
        parse(&items(list), &mut sink).map_err(|_| sink.diagnostics()[0].message())
    }

    #[test]
    fn values_keep_everything_after_the_first_equals() {
        let env = parsed(&["A=b=c", "EMPTY=", "Q=\"x y\""]).unwrap();
        assert_eq!(env["A"], "b=c");
        assert_eq!(env["EMPTY"], "");
        assert_eq!(env["Q"], "\"x y\"");
    }

    #[test]
    fn cog_messages() {
        assert_eq!(
            parsed(&["NVIDIA_VISIBLE_DEVICES=all"]).unwrap_err(),
            "invalid environment: environment variable \"NVIDIA_VISIBLE_DEVICES\" is not allowed: reserved for internal use"
        );
        assert_eq!(parsed(&["A=1", "A=2"]).unwrap_err(), "invalid environment: environment variable \"A\" is already defined");
        assert_eq!(
            parsed(&["NOVALUE"]).unwrap_err(),
            "invalid environment: environment variable \"NOVALUE\" is not in the KEY=VALUE format"
        );
    }

    #[test]
    fn schema_pattern() {
        assert!(matches_schema("HF_HOME=/src/.cache"));
        assert!(!matches_schema("1X=a"));
        assert!(!matches_schema("A-B=c"));
        assert!(!matches_schema("A=line\nbreak"));
    }
}
