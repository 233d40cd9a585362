//! One fixture project per feature and per error under `tests/fixtures/projects/<name>/`; each
//! gets a readable snapshot `snapshots/projects__<name>.snap` holding the diagnostics exactly as
//! the CLI prints them, the `resolve --json` document and the generated cog.nix. Fixtures whose
//! name starts with `strict-` run with `--strict`.

use std::fs;
use std::path::Path;

use cognix_gen::{generate, resolve, Mode};

fn describe(dir: &Path, mode: Mode) -> String {
    let outcome = resolve(dir, mode);
    let mut out = String::new();
    out.push_str(if outcome.completed.is_some() { "result: ok\n" } else { "result: error\n" });
    for d in &outcome.diagnostics {
        out.push_str(&d.render(""));
        out.push('\n');
    }
    if let Some(json) = outcome.json() {
        out.push_str("--- resolve --json\n");
        out.push_str(&serde_json::to_string_pretty(&json).unwrap());
        out.push('\n');
        let project = outcome.project.as_ref().unwrap();
        let nix = generate::render(outcome.completed.as_ref().unwrap(), &project.inputs).expect("cog.nix renders");
        out.push_str("--- cog.nix\n");
        out.push_str(&nix);
    }
    out
}

#[test]
fn fixture_projects() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/projects");
    let mut names: Vec<String> = fs::read_dir(&root).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    assert!(names.len() > 40, "fixtures are missing");
    for name in names {
        let mode = if name.starts_with("strict-") { Mode::Strict } else { Mode::Default };
        let text = describe(&root.join(&name), mode);
        if name.starts_with("err-")
            || name.starts_with("strict-python-old")
            || name.starts_with("strict-torch-unpinned")
            || name.starts_with("strict-unknown-system-package")
            || name.starts_with("strict-cuda-too-old")
            || name.starts_with("strict-torch-legacy")
        {
            assert!(text.starts_with("result: error"), "{name} should fail:\n{text}");
        } else {
            assert!(text.starts_with("result: ok"), "{name} should resolve:\n{text}");
        }
        insta::assert_snapshot!(name, text);
    }
}
