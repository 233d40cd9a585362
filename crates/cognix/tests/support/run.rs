//! Running the cognix binary in a sealed environment: its own HOME, docker config and cache,
//! a time limit, and output captured.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

pub struct Env {
    pub home: tempfile::TempDir,
    pub extra: Vec<(String, String)>,
    pub path_prefix: Option<PathBuf>,
}

pub struct Output {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Output {
    /// Both streams, for assertions that something never shows.
    pub fn all(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }
}

impl Env {
    pub fn new() -> Self {
        Self { home: tempfile::tempdir().unwrap(), extra: Vec::new(), path_prefix: None }
    }

    pub fn cache(&self) -> PathBuf {
        self.home.path().join("cache")
    }

    pub fn docker_config(&self) -> PathBuf {
        self.home.path().join(".docker")
    }

    pub fn set(mut self, key: &str, value: &str) -> Self {
        self.extra.push((key.into(), value.into()));
        self
    }

    /// Puts a directory of fake programs (docker, nix) first on PATH.
    pub fn with_path(mut self, dir: &Path) -> Self {
        self.path_prefix = Some(dir.to_owned());
        self
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_cognix"));
        let path = std::env::var("PATH").unwrap_or_default();
        let path = match &self.path_prefix {
            Some(prefix) => format!("{}:{path}", prefix.display()),
            None => path,
        };
        command
            .args(args)
            .env_clear()
            .env("PATH", path)
            .env("HOME", self.home.path())
            .env("DOCKER_CONFIG", self.docker_config())
            .env("COGNIX_CACHE_DIR", self.cache());
        for (key, value) in &self.extra {
            command.env(key, value);
        }
        command
    }

    /// Runs cognix with `stdin`, killing it after `limit`.
    pub fn run_with(&self, args: &[&str], stdin: &[u8], limit: Duration) -> Output {
        let mut child = self.command(args).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
        let mut input = child.stdin.take().unwrap();
        let stdin = stdin.to_vec();
        let writer = std::thread::spawn(move || {
            let _ = input.write_all(&stdin);
        });
        let mut out = child.stdout.take().unwrap();
        let mut err = child.stderr.take().unwrap();
        let stdout = std::thread::spawn(move || {
            let mut s = String::new();
            let _ = out.read_to_string(&mut s);
            s
        });
        let stderr = std::thread::spawn(move || {
            let mut s = String::new();
            let _ = err.read_to_string(&mut s);
            s
        });
        let start = Instant::now();
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            if start.elapsed() > limit {
                let _ = child.kill();
                let _ = child.wait();
                panic!("cognix {args:?} ran longer than {limit:?}; stderr:\n{}", stderr.join().unwrap());
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        let _ = writer.join();
        Output { code: status.code().unwrap_or(-1), stdout: stdout.join().unwrap(), stderr: stderr.join().unwrap() }
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.run_with(args, b"", Duration::from_secs(120))
    }
}
