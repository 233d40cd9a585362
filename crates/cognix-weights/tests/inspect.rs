//! `inspect` over cog's own example lock in a project whose cog.yaml declares the same weights:
//! cog's digests come out, and tampering, drift and a missing lock are reported where they are.

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use cognix_weights::inspect::{inspect, InspectError};
use cognix_weights::spec::Project;
use common::project;

const FIX: &str = "cognix weights import";

/// cog.yaml declaring the weights of cog's examples/managed-weights.
const COG_YAML: &str = "\
model: r8.im/acme/managed-weights
build:
  python_version: \"3.12\"
run: run.py:Runner
weights:
  - name: parakeet
    source:
      uri: weights
      include: [\"*.safetensors\", \"*.json\"]
    target: /src/weights/parakeet
  - name: minilm
    source:
      uri: hf://sentence-transformers/all-MiniLM-L6-v2
      exclude: [onnx/, openvino/, pytorch_model.bin, tf_model.h5, rust_model.ot, train_script.py, data_config.json, README.md, .gitattributes]
    target: /src/weights/minilm
";

fn golden() -> String {
    fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/cog/managed-weights.weights.lock")).unwrap()
}

fn with_lock(dir: &Path, yaml: &str, lock: Option<&str>) -> PathBuf {
    let dir = project(dir, yaml);
    if let Some(lock) = lock {
        fs::write(dir.join("weights.lock"), lock).unwrap();
    }
    dir
}

#[test]
fn cogs_lock_inspects_to_cogs_digests() {
    let work = tempfile::tempdir().unwrap();
    let dir = with_lock(work.path(), COG_YAML, Some(&golden()));
    let project = Project::read(&dir).unwrap();
    let report = inspect(&project, FIX).unwrap().unwrap();
    assert_eq!(report.problems, Vec::<String>::new());
    let shown: Vec<(&str, usize, u64, &str, &str, &str)> = report
        .weights
        .iter()
        .map(|w| (w.name.as_str(), w.files, w.size, w.set_digest.as_str(), w.digest.as_str(), w.tag.as_str()))
        .collect();
    assert_eq!(
        shown,
        [
            (
                "parakeet",
                6,
                2_509_473_204,
                "sha256:4ebfc8927425c01119080b2e2ca1cf7d57ca9a598109ae6d17b99b9a4ad42792",
                "sha256:c8d627863b85a8fa8441d1bd54b74be116812030e310c08707455227b8196e65",
                "cog-weight.parakeet.4ebfc8927425"
            ),
            (
                "minilm",
                10,
                91_567_913,
                "sha256:18074874da7fd77e7cf1fefcbb2fc7edee0c38417f2255962e8a4fff5567b1d2",
                "sha256:6b15a4ac4f7e4dec39939043d32e7c51238516356f810b496735c50d0d7310be",
                "cog-weight.minilm.18074874da7f"
            ),
        ]
    );
    assert!(report
        .text()
        .replace(&project.display, "")
        .starts_with("weights.lock: 2 weights\nparakeet → /src/weights/parakeet\n  files      6 (2.3 GiB, 2.3 GiB in 2 layers)\n"));
}

#[test]
fn drift_and_tampering_are_located() {
    let work = tempfile::tempdir().unwrap();
    let tampered = golden().replace("\"size\": 1153,", "\"size\": 1154,");
    let yaml = COG_YAML.replace("/src/weights/parakeet", "/src/weights/asr").replace("  - name: minilm", "  - name: other");
    let dir = with_lock(work.path(), &yaml, Some(&tampered));
    let project = Project::read(&dir).unwrap();
    let report = inspect(&project, FIX).unwrap().unwrap();
    let prefix = project.display.clone();
    let problems: Vec<String> = report.problems.iter().map(|p| p.replace(&prefix, "")).collect();
    assert_eq!(
        problems,
        [
            "weights.lock:20:17: weights[0].digest: recorded sha256:c8d627863b85a8fa8441d1bd54b74be116812030e310c08707455227b8196e65, \
             but its files and layers give sha256:ce35c18233e954ef04545bf479e8fdc6867de4ed212b60278b3e1d62d3ac9cd8: \
             weights.lock was edited or is corrupted; run `cognix weights import`",
            "weights.lock:73:31: weights[0].layers[1].sizeUncompressed: recorded 1162084, but the files in this layer add up to 1162085; \
             run `cognix weights import`",
            "weights.lock:5:5: weights[0]: weight \"parakeet\" was imported for another cog.yaml \
             (target: /src/weights/parakeet → /src/weights/asr): run `cognix weights import`",
            "cog.yaml:11:5: weights[1]: weight \"other\" is not imported yet: run `cognix weights import`",
            "weights.lock:78:15: weights[1].name: weight \"minilm\" is not in cog.yaml: run `cognix weights import`",
        ]
    );
}

#[test]
fn a_missing_lock_names_the_file_and_the_command() {
    let work = tempfile::tempdir().unwrap();
    let dir = with_lock(work.path(), COG_YAML, None);
    let project = Project::read(&dir).unwrap();
    let error = inspect(&project, FIX).unwrap_err();
    assert!(matches!(error, InspectError::Missing { .. }));
    assert_eq!(
        error.to_string().strip_prefix(&project.display).unwrap(),
        format!(
            "weights.lock is missing: {}cog.yaml declares weights (parakeet, minilm), and weights.lock pins their files and digests. \
             Create it with `cognix weights import` (remote sources need network).",
            project.display
        )
    );
    // Without weights there is nothing to pin.
    let plain = with_lock(&work.path().join("plain"), "build:\n  python_version: \"3.12\"\n", None);
    assert_eq!(inspect(&Project::read(&plain).unwrap(), FIX).unwrap(), None);
}
