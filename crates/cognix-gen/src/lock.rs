//! lock.json as cognix-gen sees it: which `build.run` downloads its `fetches` object pins. In:
//! the project directory and the classified run items; out: a CG502 warning for each download
//! the lock does not pin yet. lock.json is read for these warnings only and is never an input of
//! cog.nix, so refreshing the lock does not make cog.nix stale.

use std::collections::BTreeSet;
use std::fs;
use std::io::Read;
use std::path::Path;

use crate::diagnostic::{Kind, Pos, Sink};
use crate::project::MAX_FILE_BYTES;
use crate::run::{Classified, Step};

/// The URLs lock.json pins; empty when there is no lock, or none cognix-gen can read (the Nix
/// evaluation reports a broken lock).
pub fn pinned(project_root: &Path) -> BTreeSet<String> {
    let Ok(file) = fs::File::open(project_root.join("lock.json")) else { return BTreeSet::new() };
    let mut text = String::new();
    // A GPU lock is tens of kilobytes; anything past the limit is not a lock cognix wrote.
    if file.take(MAX_FILE_BYTES).read_to_string(&mut text).is_err() {
        return BTreeSet::new();
    }
    let Ok(serde_json::Value::Object(lock)) = serde_json::from_str::<serde_json::Value>(&text) else { return BTreeSet::new() };
    match lock.get("fetches") {
        Some(serde_json::Value::Object(fetches)) => fetches.keys().cloned().collect(),
        _ => BTreeSet::new(),
    }
}

/// Warns (CG502) about each download of `items` — `(key, position, classification)` — that
/// `pinned` lacks; `pip` downloads are pinned with the Python packages and are left out.
pub fn warn_unpinned(items: &[(String, Pos, Classified)], pinned: &BTreeSet<String>, sink: &mut Sink) {
    for (key, pos, classified) in items {
        for chained in &classified.steps {
            if let Step::Fetch { tool, url, destination: Some(destination), .. } = &chained.step {
                if *tool != "pip" && !pinned.contains(url) {
                    sink.report(Kind::FetchNeedsHash { url: url.clone(), destination: destination.clone() }, *pos, key);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fetch(url: &str) -> Classified {
        let step = Step::Fetch {
            command: format!("curl -o /x {url}"),
            tool: "curl",
            url: url.to_owned(),
            destination: Some("/x".to_owned()),
            rev: None,
            unpack: false,
            submodules: false,
        };
        Classified { command: String::new(), mounts: Vec::new(), steps: vec![crate::run::Chained { step, operator: None }] }
    }

    #[test]
    fn reads_the_fetches_keys() {
        let dir = tempfile::tempdir().unwrap();
        assert!(pinned(dir.path()).is_empty());
        fs::write(dir.path().join("lock.json"), r#"{"fetchPipMetadata": {}, "fetches": {"https://a/x": {"hash": "sha256-x"}}}"#).unwrap();
        assert_eq!(pinned(dir.path()), BTreeSet::from(["https://a/x".to_owned()]));
        fs::write(dir.path().join("lock.json"), "not json").unwrap();
        assert!(pinned(dir.path()).is_empty());
    }

    #[test]
    fn warns_only_about_unpinned_downloads() {
        let items = vec![
            ("build.run[0]".to_owned(), Pos::new(3, 5), fetch("https://a/x")),
            ("build.run[1]".to_owned(), Pos::new(4, 5), fetch("https://a/y")),
        ];
        let mut sink = Sink::new("cog.yaml");
        warn_unpinned(&items, &BTreeSet::from(["https://a/x".to_owned()]), &mut sink);
        let diagnostics = sink.diagnostics();
        assert_eq!(diagnostics.len(), 1);
        assert_eq!(diagnostics[0].key, "build.run[1]");
        assert_eq!(diagnostics[0].pos, Pos::new(4, 5));
        assert_eq!(diagnostics[0].kind.code(), "CG502");
    }
}
