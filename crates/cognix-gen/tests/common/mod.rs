//! Helpers shared by the integration tests: throw-away projects and running the real binary.

#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A temporary project directory, removed when dropped.
pub struct TempProject {
    pub dir: tempfile::TempDir,
}

impl TempProject {
    pub fn new(files: &[(&str, &str)]) -> TempProject {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in files {
            let path = dir.path().join(name);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, text).unwrap();
        }
        TempProject { dir }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn file(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Names of every entry in the directory, sorted.
    pub fn listing(&self) -> Vec<String> {
        let mut names: Vec<String> =
            fs::read_dir(self.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        names.sort();
        names
    }
}

/// Runs cognix-gen with `args` in `cwd` and a minimal, fixed environment.
pub fn run(cwd: &Path, args: &[&str]) -> Output {
    run_with_env(cwd, args, &[])
}

pub fn run_with_env(cwd: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cognix-gen"));
    cmd.args(args).current_dir(cwd).env_clear().env("PATH", std::env::var("PATH").unwrap_or_default());
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// `nix-instantiate`, when installed (checks/run installs it on Debian).
pub fn nix_instantiate() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|d| d.join("nix-instantiate")).find(|p| p.is_file())
}

/// `nix-instantiate` for a test whose point is Nix's reading of cog.nix: a failure when it is not
/// installed, unless `COGNIX_TESTS_WITHOUT_NIX=1` says that is expected (the Nix build's sandbox),
/// so that a missing Nix never passes for a checked contract.
///
/// # Panics
/// When Nix is missing and that was not expected.
pub fn nix_for(test: &str) -> Option<PathBuf> {
    if let Some(nix) = nix_instantiate() {
        return Some(nix);
    }
    assert!(
        std::env::var_os("COGNIX_TESTS_WITHOUT_NIX").is_some_and(|v| v == "1"),
        "nix-instantiate is not on PATH, so {test} cannot run: install Nix (`apt-get install nix-bin`; checks/run does), \
         or set COGNIX_TESTS_WITHOUT_NIX=1 to leave it out"
    );
    eprintln!("COGNIX_TESTS_WITHOUT_NIX=1: {test} left out");
    None
}

/// `nix-instantiate --eval --strict --json FILE`, parsed.
pub fn nix_eval_json(nix: &Path, file: &Path) -> serde_json::Value {
    let out = Command::new(nix).args(["--eval", "--strict", "--json"]).arg(file).output().unwrap();
    assert!(out.status.success(), "nix-instantiate failed on {}: {}", file.display(), String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}
