//! `build.system_packages` (and `apt-get install` in run commands): apt package names, cleaned of
//! apt options and version qualifiers, checked against `lib/system-packages.json`. cog.nix keeps
//! the apt names; the Nix module maps them with the same table, in the same order (the table,
//! then a nixpkgs attribute of that name), after the user's own `cognix.aptPackages`. In: the
//! requested names with their key and position; out: cog.nix's `build.system_packages`, and
//! `attributes`, the lookup the parity test compares with the Nix module's.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Deserialize;

use crate::compat::Mode;
use crate::diagnostic::{Kind, Pos, Reported, Sink};

#[derive(Deserialize)]
struct Table {
    apt: BTreeMap<String, AptEntry>,
    /// nixpkgs attribute paths known to exist, which pass through unchanged.
    nixpkgs: Vec<String>,
}

#[derive(Deserialize)]
struct AptEntry {
    nixpkgs: Vec<String>,
    /// Why an apt package maps to nothing (shown as a warning).
    reason: Option<String>,
}

const TABLE_JSON: &str = include_str!("../../../lib/system-packages.json");

fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| serde_json::from_str(TABLE_JSON).expect("lib/system-packages.json parses"))
}

/// One package request: a `system_packages` item or an `apt-get install` argument, with the
/// position and cog.yaml key it was written at.
#[derive(Clone, Debug)]
pub struct Request {
    pub text: String,
    pub pos: Pos,
    pub key: String,
}

/// The apt names of the requests (deduplicated, in order). A name the table does not know is a
/// warning in the default mode (the user maps it in Nix) and an error with `--strict`;
/// `Err(Reported)` after every request has been looked at.
pub fn apt_names(requests: &[Request], mode: Mode, sink: &mut Sink) -> Result<Vec<String>, Reported> {
    let mut out: Vec<String> = Vec::new();
    for request in requests {
        let mut report = |kind: Kind| sink.report(kind, request.pos, &request.key);
        // Items like "fluidsynth --fix-missing" carry apt options along.
        for word in request.text.split_whitespace() {
            if word.starts_with('-') {
                report(Kind::AptFlagDropped { flag: word.to_owned() });
                continue;
            }
            let (name, qualifier) = split_qualifier(word);
            if let Some(spec) = qualifier {
                report(Kind::AptVersionDropped { name: name.to_owned(), spec: spec.to_owned() });
            }
            match lookup(name) {
                Lookup::Attrs(_) => {}
                Lookup::Dropped(reason) => report(Kind::SystemPackageDropped { name: name.to_owned(), reason }),
                Lookup::Unknown(suggestions) if mode == Mode::Strict => {
                    report(Kind::SystemPackageUnknown { name: name.to_owned(), suggestions });
                }
                Lookup::Unknown(suggestions) => report(Kind::SystemPackageUnknownAccepted { name: name.to_owned(), suggestions }),
            }
            if !out.iter().any(|known| known == name) {
                out.push(name.to_owned());
            }
        }
    }
    sink.result(out)
}

/// `pkg=1.2-3` (apt version) or `pkg:amd64` (architecture) → (`pkg`, the qualifier).
fn split_qualifier(word: &str) -> (&str, Option<&str>) {
    match word.find(['=', ':']) {
        Some(i) if i > 0 => (&word[..i], Some(&word[i..])),
        _ => (word, None),
    }
}

enum Lookup {
    Attrs(Vec<String>),
    Dropped(String),
    Unknown(Vec<String>),
}

/// The nixpkgs attribute paths an apt name maps to (empty for a package left out), or `None` when
/// the table does not know it: what the Nix module's lookup gives for the same name.
pub fn attributes(name: &str) -> Option<Vec<String>> {
    match lookup(name) {
        Lookup::Attrs(attrs) => Some(attrs),
        Lookup::Dropped(_) => Some(Vec::new()),
        Lookup::Unknown(_) => None,
    }
}

fn lookup(name: &str) -> Lookup {
    let t = table();
    // An exact key, else the longest pattern (`cuda-toolkit-*`) that matches.
    let entry = t
        .apt
        .get(name)
        .or_else(|| t.apt.iter().filter(|(k, _)| k.contains('*') && glob(k, name)).max_by_key(|(k, _)| k.len()).map(|(_, e)| e));
    if let Some(entry) = entry {
        return match (&entry.nixpkgs[..], &entry.reason) {
            ([], reason) => Lookup::Dropped(reason.clone().unwrap_or_else(|| "it has no nixpkgs counterpart".to_owned())),
            (attrs, _) => Lookup::Attrs(attrs.to_vec()),
        };
    }
    if t.nixpkgs.iter().any(|a| a == name) || !could_be_apt(name) && is_attr_path(name) {
        return Lookup::Attrs(vec![name.to_owned()]);
    }
    Lookup::Unknown(suggestions(name))
}

/// `*` matches any run of characters; everything else matches itself.
fn glob(pattern: &str, name: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == name,
        Some((head, rest)) => {
            let Some(tail) = name.strip_prefix(head) else { return false };
            (0..=tail.len()).filter(|&i| tail.is_char_boundary(i)).any(|i| glob(rest, &tail[i..]))
        }
    }
}

/// Debian package names are lowercase letters, digits, `+`, `-` and `.`, at least two long.
fn could_be_apt(name: &str) -> bool {
    name.len() >= 2 && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'+' | b'-' | b'.'))
}

/// A dotted path of Nix identifiers (`xorg.libSM`, `python3Packages.opencv4`).
fn is_attr_path(name: &str) -> bool {
    name.split('.').all(|part| {
        let mut chars = part.chars();
        chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '\''))
    })
}

/// The closest apt names and attributes the table knows, best first. Names far longer than any
/// package name get none (and cost nothing).
fn suggestions(name: &str) -> Vec<String> {
    if name.len() > 64 {
        return Vec::new();
    }
    let t = table();
    let mut scored: Vec<(usize, &str)> = t
        .apt
        .keys()
        .map(String::as_str)
        .chain(t.nixpkgs.iter().map(String::as_str))
        .map(|known| (strsim::damerau_levenshtein(name, known), known))
        .filter(|(distance, _)| *distance <= (name.len() / 2).max(2))
        .collect();
    scored.sort_unstable();
    scored.dedup_by(|a, b| a.1 == b.1);
    scored.into_iter().take(3).map(|(_, k)| k.to_owned()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Diagnostic;

    fn apt_names_in(names: &[&str], mode: Mode) -> (Result<Vec<String>, Reported>, Vec<String>) {
        let requests: Vec<_> =
            names.iter().map(|n| Request { text: (*n).to_owned(), pos: Pos::START, key: "build.system_packages".to_owned() }).collect();
        let mut sink = Sink::new("cog.yaml");
        let result = apt_names(&requests, mode, &mut sink);
        (result, sink.diagnostics().iter().map(Diagnostic::message).collect())
    }

    fn apt_names_of(names: &[&str]) -> (Result<Vec<String>, Reported>, Vec<String>) {
        apt_names_in(names, Mode::Default)
    }

    #[test]
    fn apt_names_are_kept_and_attributes_map() {
        let names = ["libgl1-mesa-glx", "libglib2.0-0", "ffmpeg", "xorg.libSM", "libGL", "ffmpeg-headless"];
        let (result, warnings) = apt_names_of(&names);
        assert_eq!(result.unwrap(), names);
        assert!(warnings.is_empty());
        let mapped: Vec<_> = names.iter().map(|n| attributes(n).unwrap()).collect();
        assert_eq!(mapped, [vec!["libGL"], vec!["glib"], vec!["ffmpeg"], vec!["xorg.libSM"], vec!["libGL"], vec!["ffmpeg-headless"]]);
    }

    #[test]
    fn flags_versions_and_dropped_packages_warn() {
        let (result, warnings) = apt_names_of(&["fluidsynth --fix-missing", "git=1:2.34", "sudo"]);
        assert_eq!(result.unwrap(), ["fluidsynth", "git", "sudo"]);
        assert_eq!(attributes("sudo"), Some(Vec::new()));
        assert_eq!(warnings.len(), 3);
        assert!(warnings[0].contains("apt option \"--fix-missing\" is dropped"));
        assert!(warnings[1].contains("\"git\" is pinned by nixpkgs"));
        assert!(warnings[2].contains("apt package \"sudo\" is left out"));
    }

    #[test]
    fn patterns_match_versioned_names() {
        assert!(glob("cuda-toolkit-*", "cuda-toolkit-12-1"));
        assert!(glob("libpython3*-dev", "libpython3.11-dev"));
        assert!(!glob("libpython3*-dev", "libpython3.11"));
        let (result, warnings) = apt_names_of(&["cuda-toolkit-12-1", "libpython3.11-dev"]);
        assert_eq!(result.unwrap(), ["cuda-toolkit-12-1", "libpython3.11-dev"]);
        assert_eq!(attributes("cuda-toolkit-12-1"), Some(Vec::new()));
        assert_eq!(warnings.len(), 2);
    }

    #[test]
    fn unknown_names_suggest_close_ones() {
        let (result, errors) = apt_names_in(&["libglib2.0-O"], Mode::Strict);
        assert!(result.is_err());
        assert!(errors[0].contains("unknown system package \"libglib2.0-O\""), "{errors:?}");
        assert!(errors[0].contains("closest known names: libglib2.0-0"), "{errors:?}");
    }

    #[test]
    fn unknown_names_are_kept_for_the_user_to_map_in_default_mode() {
        let (result, warnings) = apt_names_of(&["libturbojpeg0-nothere"]);
        assert_eq!(result.unwrap(), ["libturbojpeg0-nothere"]);
        assert_eq!(attributes("libturbojpeg0-nothere"), None);
        assert!(warnings[0].contains("cognix.aptPackages.\"libturbojpeg0-nothere\" = [ pkgs.<package> ];"), "{warnings:?}");
    }

    #[test]
    fn every_name_seen_in_real_cog_yaml_files_is_known() {
        let wild = include_str!("../tests/fixtures/apt-names-in-the-wild.tsv");
        for line in wild.lines().filter(|l| !l.starts_with('#')) {
            let name = line.split('\t').nth(1).unwrap();
            let (result, warnings) = apt_names_of(&[name]);
            assert!(result.is_ok() && !warnings.iter().any(|w| w.contains("not in cognix's table")), "{name} is not mapped");
        }
    }

    /// checks/eval/system-packages-parity.json: what this lookup gives for every exact name of the
    /// table and every apt name seen in real cog.yaml files. The Nix module's lookup is compared
    /// with it (checks/eval/cases/system.nix), so the two cannot drift apart.
    /// `COGNIX_UPDATE_PARITY=1 cargo test -p cognix-gen` rewrites it.
    #[test]
    fn parity_fixture_is_current() {
        let wild = include_str!("../tests/fixtures/apt-names-in-the-wild.tsv");
        let names = table()
            .apt
            .keys()
            .filter(|k| !k.contains('*'))
            .map(String::as_str)
            .chain(wild.lines().filter(|l| !l.starts_with('#')).filter_map(|l| l.split('\t').nth(1)))
            .filter(|n| !n.contains(' '));
        let parity: BTreeMap<&str, Option<Vec<String>>> = names.map(|n| (n, attributes(n))).collect();
        let text = serde_json::to_string_pretty(&parity).unwrap() + "\n";
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../checks/eval/system-packages-parity.json");
        if std::env::var_os("COGNIX_UPDATE_PARITY").is_some() {
            std::fs::write(&path, &text).unwrap();
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(committed == text, "{} is stale: run COGNIX_UPDATE_PARITY=1 cargo test -p cognix-gen", path.display());
    }
}
