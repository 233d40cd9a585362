//! The contract with the Nix modules: `nix-instantiate --eval --strict --json cog.nix` is exactly
//! `{"cog": <resolve --json without "warnings">, "cognix": {"generatedFrom": {<file>: <sha256>}}}`,
//! for every fixture project that resolves.
//! Runs whenever `nix-instantiate` is installed (checks/run installs it).

mod common;

use std::fs;
use std::path::Path;

use cognix_gen::{generate, resolve, Mode};

#[test]
fn cog_nix_evaluates_to_the_resolved_json() {
    let Some(nix) = common::nix_for("the cog.nix evaluation contract") else { return };
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/projects");
    let out = tempfile::tempdir().unwrap();
    let mut checked = 0;
    for entry in fs::read_dir(&root).unwrap() {
        let dir = entry.unwrap().path();
        let mode = if dir.file_name().unwrap().to_string_lossy().starts_with("strict-") { Mode::Strict } else { Mode::Default };
        let outcome = resolve(&dir, mode);
        let Some(mut json) = outcome.json() else { continue };
        json.as_object_mut().unwrap().remove("warnings");
        let inputs = &outcome.project.as_ref().unwrap().inputs;
        let text = generate::render(outcome.completed.as_ref().unwrap(), inputs).unwrap();
        let file = out.path().join(format!("{checked}.nix"));
        fs::write(&file, text).unwrap();
        let generated_from: serde_json::Map<_, _> = inputs.iter().map(|i| (i.name.clone(), i.sha256.clone().into())).collect();
        let expected = serde_json::json!({ "cog": json, "cognix": { "generatedFrom": generated_from } });
        assert_eq!(common::nix_eval_json(&nix, &file), expected, "{}", dir.display());
        checked += 1;
    }
    assert!(checked > 25, "only {checked} fixtures resolved");
}
