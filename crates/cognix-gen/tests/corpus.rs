//! Every real cog.yaml in the corpus (`../shared/corpus`, or `$COGNIX_CORPUS`) either converts or
//! fails with located errors; nothing panics, and every cog.nix that is produced is plain data.
//! With the default corpus the outcome of each file is also a snapshot, so a change in behaviour
//! on real files shows up in review.

mod common;

use std::fmt::Write;
use std::fs;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;

use cognix_gen::diagnostic::Severity;
use cognix_gen::lint::{self, Scope};
use cognix_gen::{generate, resolve, system_packages, Mode};
use common::TempProject;

fn corpus_dir() -> (PathBuf, bool) {
    match std::env::var_os("COGNIX_CORPUS") {
        Some(dir) => (PathBuf::from(dir), false),
        None => (PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus"), true),
    }
}

#[test]
fn every_corpus_file_converts_or_fails_with_located_errors() {
    let (dir, default_corpus) = corpus_dir();
    let Ok(entries) = fs::read_dir(&dir) else {
        eprintln!("corpus: skipped ({} not found; set COGNIX_CORPUS to a directory of <name>__cog.yaml files)", dir.display());
        return;
    };
    let mut names: Vec<String> =
        entries.filter_map(|e| e.ok()?.file_name().to_str()?.strip_suffix("__cog.yaml").map(str::to_owned)).collect();
    names.sort();
    let mut summary = String::new();
    let (mut converted, mut failed) = (0, 0);
    for name in &names {
        let mut files = vec![("cog.yaml".to_owned(), fs::read_to_string(dir.join(format!("{name}__cog.yaml"))).unwrap_or_default())];
        if let Ok(reqs) = fs::read_to_string(dir.join(format!("{name}__requirements.txt"))) {
            files.push(("requirements.txt".to_owned(), reqs));
        }
        let refs: Vec<(&str, &str)> = files.iter().map(|(n, t)| (n.as_str(), t.as_str())).collect();
        let project = TempProject::new(&refs);
        let outcome = catch_unwind(AssertUnwindSafe(|| resolve(project.path(), Mode::Default)))
            .unwrap_or_else(|_| panic!("{name}: cognix-gen panicked"));
        for d in &outcome.diagnostics {
            assert!(!d.file.is_empty() && d.pos.line >= 1 && d.pos.column >= 1, "{name}: unlocated diagnostic {d:?}");
            assert!(!d.message().is_empty(), "{name}: empty message");
        }
        let warnings = outcome.warnings().count();
        if let Some(r) = &outcome.completed {
            converted += 1;
            let text = generate::render(r, &outcome.project.as_ref().unwrap().inputs).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(lint::check(&text, Scope::Generated).is_empty(), "{name}: cog.nix is not plain data");
            let b = &r.build;
            // The nixpkgs attributes the apt names map to (what the image gets), `?` for a name
            // the table does not know.
            let mut attributes: Vec<String> = Vec::new();
            for name in &b.system_packages {
                for attribute in system_packages::attributes(name).unwrap_or_else(|| vec![format!("{name}?")]) {
                    if !attributes.contains(&attribute) {
                        attributes.push(attribute);
                    }
                }
            }
            let _ = writeln!(
                summary,
                "{name}: ok python={} gpu={} cuda={} cudnn={} packages={} system={} run={} warnings={warnings}",
                b.python_version.as_deref().unwrap_or("-"),
                b.gpu,
                b.cuda.as_deref().unwrap_or("-"),
                b.cudnn.as_deref().unwrap_or("-"),
                b.python_packages.len(),
                attributes.join(","),
                b.run.len(),
            );
        } else {
            failed += 1;
            let errors: Vec<_> = outcome.diagnostics.iter().filter(|d| d.severity() == Severity::Error).collect();
            assert!(!errors.is_empty(), "{name}: failed without an error");
            let first = errors[0];
            let _ = writeln!(
                summary,
                "{name}: error {} at {}:{}:{} ({} errors)",
                first.kind.code(),
                first.file,
                first.pos.line,
                first.pos.column,
                errors.len()
            );
        }
    }
    eprintln!("corpus: {} files, {converted} converted, {failed} failed with located errors, 0 crashes", names.len());
    assert!(!names.is_empty(), "corpus directory {} holds no <name>__cog.yaml files", dir.display());
    if default_corpus {
        insta::assert_snapshot!("corpus_outcomes", summary);
    }
}
