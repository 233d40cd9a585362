//! Every input a fuzzer found a crash or hang with (`tests/fixtures/fuzz-regressions/`, named
//! after its fuzz target) goes through the same entry point again and must finish quickly without
//! panicking. docs/reliability.md records the fuzzing runs.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use cognix_gen::config::{RunItem, Spanned};
use cognix_gen::diagnostic::{Pos, Sink};
use cognix_gen::lint::{self, Scope};
use cognix_gen::{generate, project, requirements, resolve, run, yaml, Mode};
use common::TempProject;

/// Runs one input through the entry point its fuzz target exercises.
fn replay(path: &Path) {
    let bytes = fs::read(path).unwrap();
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    let target = name.split('-').next().unwrap_or_default();
    match target {
        "pipeline" => {
            let (yaml, reqs) = match bytes.iter().position(|&b| b == 0xFF) {
                Some(i) => (String::from_utf8_lossy(&bytes[..i]).into_owned(), String::from_utf8_lossy(&bytes[i + 1..]).into_owned()),
                None => (text, String::new()),
            };
            let p = TempProject::new(&[("cog.yaml", &yaml), ("requirements.txt", &reqs)]);
            let outcome = resolve(p.path(), Mode::Default);
            if let (Some(r), Some(project)) = (&outcome.completed, &outcome.project) {
                generate::render(r, &project.inputs).unwrap();
            }
        }
        "yaml_front_end" => {
            if let Ok(text) = project::decode_text(&bytes) {
                if let Ok(doc) = yaml::parse(&text, yaml::Limits::default()) {
                    let _ = cognix_gen::config::decode(doc.root.as_ref(), &mut Sink::new("cog.yaml"));
                }
            }
        }
        "requirements" => {
            for comments in [requirements::Comments::Cog, requirements::Comments::Pip] {
                for line in requirements::read(&text, comments) {
                    requirements::package_name(&line.text);
                    requirements::versions(&line.text);
                    requirements::split_pinned(&line.text);
                    requirements::local_artifact(&line.text);
                }
            }
        }
        "run_commands" => {
            run::classify(&RunItem::plain(&Spanned::new(text, Pos::START)), "build.run[0]", &mut Sink::new("cog.yaml"));
        }
        "nix_emitter" => {
            let findings = lint::check(&text, Scope::Any);
            assert!(findings.iter().all(|f| !f.message.is_empty()));
        }
        other => panic!("{name}: no entry point for fuzz target {other}"),
    }
}

#[test]
fn fuzz_findings_stay_fixed() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fuzz-regressions");
    let mut paths: Vec<PathBuf> = fs::read_dir(&dir)
        .map(|d| d.map(|e| e.unwrap().path()).filter(|p| p.extension().is_none_or(|e| e != "md")).collect())
        .unwrap_or_default();
    paths.sort();
    for path in paths {
        let (done, finished) = mpsc::channel();
        let input = path.clone();
        // A hang is a finding too: give each input a deadline.
        thread::spawn(move || {
            replay(&input);
            let _ = done.send(());
        });
        match finished.recv_timeout(Duration::from_secs(10)) {
            Ok(()) => {}
            Err(mpsc::RecvTimeoutError::Timeout) => panic!("{} did not finish within 10 s", path.display()),
            Err(mpsc::RecvTimeoutError::Disconnected) => panic!("{} panicked", path.display()),
        }
    }
}
