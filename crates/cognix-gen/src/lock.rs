//! lock.json as cognix-gen sees it: which `build.run` downloads its `fetches` object pins. In:
//! the project directory and the classified run items; out: a CG502 warning for each download
//! the lock does not pin yet. lock.json is read for these warnings only and is never an input of
//! cog.nix, so refreshing the lock does not make cog.nix stale.

use std::collections::BTreeSet;
use std::fs;
use std::io::Read;
use std::path::Path;

use crate::diagnostic::{Kind, Sink};
use crate::project::MAX_FILE_BYTES;
use crate::run::{RunItem, StepKind};

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

/// Warns (CG502) about each download of `items` that `pinned` lacks; `pip` downloads are pinned
/// with the Python packages and are left out.
pub fn warn_unpinned(items: &[RunItem], pinned: &BTreeSet<String>, sink: &mut Sink) {
    for item in items {
        for step in &item.steps {
            if let StepKind::Fetch { tool, url, destination: Some(destination), .. } = &step.kind {
                if *tool != "pip" && !pinned.contains(url) {
                    sink.report(Kind::FetchNeedsHash { url: url.clone(), destination: destination.clone() }, item.pos, &item.key);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Pos;

    fn fetch(key: &str, pos: Pos, url: &str) -> RunItem {
        let kind = StepKind::Fetch {
            command: format!("curl -o /x {url}"),
            tool: "curl",
            url: url.to_owned(),
            destination: Some("/x".to_owned()),
            rev: None,
            unpack: false,
            submodules: false,
        };
        let steps = vec![crate::run::Step { kind, operator: None }];
        RunItem { key: key.to_owned(), pos, command: String::new(), mounts: Vec::new(), steps }
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
        let items = vec![fetch("build.run[0]", Pos::new(3, 5), "https://a/x"), fetch("build.run[1]", Pos::new(4, 5), "https://a/y")];
        let mut sink = Sink::new("cog.yaml");
        warn_unpinned(&items, &BTreeSet::from(["https://a/x".to_owned()]), &mut sink);
        let diagnostics = sink.diagnostics();
        assert_eq!(diagnostics.len(), 1);
        assert_eq!(diagnostics[0].key, "build.run[1]");
        assert_eq!(diagnostics[0].pos, Pos::new(4, 5));
        assert_eq!(diagnostics[0].kind.code(), "CG502");
    }
}
