//! Does weights.lock still describe what cog.yaml asks for? cog's three kinds of drift
//! (pkg/weights/lockfile/drift.go): a weight not imported yet, one whose target or sources
//! changed since, and one the lock has but cog.yaml no longer names. Each is reported where it is
//! written — in cog.yaml or in weights.lock.

use crate::lock::{Entry, Lock};
use crate::spec::{Project, Spec};

/// Every drift, rendered as `file:line:column: key: message`, cog.yaml's first.
pub fn check(project: &Project, lock: &Lock, fix: &str) -> Vec<String> {
    let config = project.config_display();
    let lock_file = project.lock_display();
    let mut out = Vec::new();
    for spec in &project.weights {
        match lock.find(&spec.name) {
            None => out.push(format!(
                "{config}:{}:{}: {}: weight \"{}\" is not imported yet: {fix}",
                spec.pos.line, spec.pos.column, spec.key, spec.name
            )),
            Some(entry) => {
                let changes = changes(spec, entry);
                if !changes.is_empty() {
                    let pos = entry.at.pos;
                    out.push(format!(
                        "{lock_file}:{}:{}: {}: weight \"{}\" was imported for another cog.yaml ({}): {fix}",
                        pos.line,
                        pos.column,
                        entry.at.path,
                        spec.name,
                        changes.join("; ")
                    ));
                }
            }
        }
    }
    for entry in lock.weights.iter().filter(|e| !project.weights.iter().any(|s| s.name == e.name)) {
        let pos = entry.at.of("name");
        out.push(format!(
            "{lock_file}:{}:{}: {}: weight \"{}\" is not in {config}: {fix}",
            pos.line,
            pos.column,
            entry.at.path_of("name"),
            entry.name
        ));
    }
    out
}

/// What differs, lock → cog.yaml, in cog's words (`target: /old → /new`).
fn changes(spec: &Spec, entry: &Entry) -> Vec<String> {
    let mut out = Vec::new();
    if spec.target != entry.target {
        out.push(format!("target: {} → {}", entry.target, spec.target));
    }
    if spec.sources.len() != entry.sources.len() {
        out.push(format!("source count: {} → {}", entry.sources.len(), spec.sources.len()));
        return out;
    }
    let several = spec.sources.len() > 1;
    for (i, (wanted, locked)) in spec.sources.iter().zip(&entry.sources).enumerate() {
        let prefix = if several { format!("source[{i}].") } else { String::new() };
        let uri = wanted.uri.to_string();
        if uri != locked.uri {
            out.push(format!("{prefix}uri: {} → {uri}", locked.uri));
        }
        if wanted.include != locked.include {
            out.push(format!("{prefix}include: {} → {}", go_list(&locked.include), go_list(&wanted.include)));
        }
        if wanted.exclude != locked.exclude {
            out.push(format!("{prefix}exclude: {} → {}", go_list(&locked.exclude), go_list(&wanted.exclude)));
        }
    }
    out
}

/// A list as Go's `%v` prints it: `[a b]`.
fn go_list(items: &[String]) -> String {
    format!("[{}]", items.join(" "))
}
