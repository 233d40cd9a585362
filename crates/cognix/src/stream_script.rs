//! The stream script `nix build` leaves in `./result`: a shell wrapper that execs nixpkgs'
//! streamer (`stream_layered_image.py`) with a `conf.json` listing each layer's store paths, the
//! customisation layer (a `layer.tar` with its `checksum`), the config and the repo tag.
//!
//! Running it re-tars every store path, twice. So what a layer's bytes depend on — the streamer
//! (its store path pins its Python and tarfile), the layer's store paths, their ownership and
//! mtime — is a key for the `diff_id` the cache remembers from an earlier run, and the config
//! the streamer writes is remembered under the conf and the `diff_ids`. With both remembered, a
//! push needs no stream at all. Store paths are immutable, but a path deleted and rebuilt may
//! differ (an unreproducible build), so the key also holds each path's inode and ctime: a
//! rebuilt path misses the cache instead of hitting a stale entry.

use std::fs;
use std::io::{self, BufRead, BufReader, Read};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::thread::JoinHandle;

use cognix_io::digest::Digest;
use serde_json::{json, Value};

use crate::archive::{ArchiveFile, ImageConfig};
use crate::cache::Cache;

/// Lines of the streamer's standard error kept for an error message.
const STDERR_LINES: usize = 20;

#[derive(Debug, thiserror::Error)]
pub enum StreamScriptError {
    #[error(
        "{path} is not a stream script ({problem}); give the ./result of `nix build` for a cognix model, a docker-archive tar, \
         or - for standard input"
    )]
    NotOne { path: PathBuf, problem: String },
    #[error("{path}: {problem}")]
    Conf { path: PathBuf, problem: String },
    #[error("cannot run the stream script {path}: {source}")]
    Spawn { path: PathBuf, source: io::Error },
    #[error("the stream script {path} failed ({status}){stderr}")]
    Failed { path: PathBuf, status: String, stderr: String },
}

/// A stream script and the `conf.json` it streams.
#[derive(Debug)]
pub struct StreamScript {
    pub path: PathBuf,
    /// The program the wrapper execs (nixpkgs' streamer).
    streamer: String,
    conf_path: PathBuf,
    conf_bytes: Vec<u8>,
    conf: Value,
}

/// A stream script's image, known without running it.
#[derive(Debug)]
pub struct Known {
    pub config: ImageConfig,
}

impl StreamScript {
    /// Reads the wrapper and its `conf.json`; `Ok(None)` when `path` is not a text script at all.
    pub fn open(path: &Path) -> Result<Option<Self>, StreamScriptError> {
        let not_one = |problem: String| StreamScriptError::NotOne { path: path.to_owned(), problem };
        let mut head = [0; 2];
        let is_script = fs::File::open(path).and_then(|mut f| f.read_exact(&mut head)).is_ok() && &head == b"#!";
        if !is_script {
            return Ok(None);
        }
        let text = fs::read_to_string(path).map_err(|e| not_one(format!("it cannot be read as text: {e}")))?;
        let exec =
            text.lines().map(str::trim).find_map(|line| line.strip_prefix("exec ")).ok_or_else(|| not_one("it has no exec line".into()))?;
        let words: Vec<&str> = exec.split_whitespace().map(|w| w.trim_matches(['"', '\''])).collect();
        // makeWrapper may write `exec -a "$0" <program> …`.
        let program_at = if words.first() == Some(&"-a") { 2 } else { 0 };
        let streamer = (*words.get(program_at).ok_or_else(|| not_one("its exec line names no program".into()))?).to_owned();
        let conf_path = words[program_at + 1..]
            .iter()
            .map(PathBuf::from)
            .find(|p| p.extension().is_some_and(|e| e == "json") && p.is_file())
            .ok_or_else(|| not_one("its exec line passes no conf.json".into()))?;
        let conf_bytes = fs::read(&conf_path).map_err(|e| not_one(format!("{} cannot be read: {e}", conf_path.display())))?;
        let conf: Value = serde_json::from_slice(&conf_bytes).map_err(|e| not_one(format!("{} is not JSON: {e}", conf_path.display())))?;
        if !conf.get("store_layers").is_some_and(Value::is_array) {
            return Err(not_one(format!("{} has no store_layers", conf_path.display())));
        }
        Ok(Some(Self { path: path.to_owned(), streamer, conf_path, conf_bytes, conf }))
    }

    /// The `name:tag` docker load gives the image.
    pub fn repo_tag(&self) -> Option<&str> {
        self.conf.get("repo_tag").and_then(Value::as_str)
    }

    fn text(&self, key: &str) -> Option<&str> {
        self.conf.get(key).and_then(Value::as_str)
    }

    fn conf_error(&self, problem: String) -> StreamScriptError {
        StreamScriptError::Conf { path: self.conf_path.clone(), problem }
    }

    /// Each layer's cache key or, where it is at hand, its `diff_id`: base-image layers (from the
    /// base archive's config), store layers (keys), then the customisation layer (its
    /// `checksum` file). `None` when layers change with every run (`mtime = "now"`) or a store
    /// path is missing.
    fn layer_identities(&self) -> Result<Option<Vec<Identity>>, StreamScriptError> {
        if self.text("mtime") == Some("now") || self.text("created") == Some("now") {
            return Ok(None);
        }
        let mut identities = Vec::new();
        if let Some(base) = self.text("from_image") {
            let archive = ArchiveFile::open(Path::new(base)).map_err(|e| self.conf_error(format!("from_image: {e}")))?;
            identities.extend(archive.config.diff_ids.into_iter().map(Identity::DiffId));
        }
        let ownership =
            json!([self.conf.get("mtime"), self.conf.get("uid"), self.conf.get("gid"), self.conf.get("uname"), self.conf.get("gname")]);
        let layers = self.conf["store_layers"].as_array().expect("checked in open");
        for layer in layers {
            let paths = layer.as_array().ok_or_else(|| self.conf_error("store_layers holds a non-list".into()))?;
            let mut stamped = Vec::new();
            for path in paths {
                let path = path.as_str().ok_or_else(|| self.conf_error("store_layers holds a non-string".into()))?;
                let Ok(meta) = fs::symlink_metadata(path) else { return Ok(None) };
                stamped.push(json!([path, meta.dev(), meta.ino(), meta.ctime(), meta.ctime_nsec()]));
            }
            let recipe =
                json!({ "streamer": self.streamer, "store_dir": self.conf.get("store_dir"), "ownership": ownership, "paths": stamped });
            identities.push(Identity::Key(Digest::of(recipe.to_string().as_bytes())));
        }
        let customisation = self.text("customisation_layer").ok_or_else(|| self.conf_error("customisation_layer is missing".into()))?;
        let checksum = fs::read_to_string(Path::new(customisation).join("checksum")).ok();
        match checksum.as_deref().map(str::trim).and_then(Digest::from_hex) {
            Some(diff_id) => identities.push(Identity::DiffId(diff_id)),
            None => return Ok(None),
        }
        Ok(Some(identities))
    }

    /// The config's cache key: the streamer, the conf and the layers' `diff_ids` determine it.
    fn config_key(&self, diff_ids: &[Digest]) -> Digest {
        let ids: Vec<&str> = diff_ids.iter().map(Digest::as_str).collect();
        let recipe = json!({ "streamer": self.streamer, "conf": Digest::of(&self.conf_bytes).as_str(), "diff_ids": ids });
        Digest::of(recipe.to_string().as_bytes())
    }

    /// The image this script streams, if an earlier push or load remembered it.
    pub fn known(&self, cache: &Cache) -> Result<Option<Known>, StreamScriptError> {
        let Some(identities) = self.layer_identities()? else { return Ok(None) };
        let diff_ids: Option<Vec<Digest>> = identities
            .into_iter()
            .map(|identity| match identity {
                Identity::DiffId(diff_id) => Some(diff_id),
                Identity::Key(key) => cache.layer(&key),
            })
            .collect();
        let Some(diff_ids) = diff_ids else { return Ok(None) };
        let Some(bytes) = cache.config(&self.config_key(&diff_ids)) else { return Ok(None) };
        // A config that does not parse or lists other layers is a miss, never a wrong push.
        match ImageConfig::parse(&self.path.display().to_string(), "cached config", bytes) {
            Ok(config) if config.diff_ids == diff_ids => Ok(Some(Known { config })),
            _ => Ok(None),
        }
    }

    /// Remembers what a run of the script produced, for `known`.
    pub fn remember(&self, cache: &Cache, config: &ImageConfig) -> Result<(), StreamScriptError> {
        let Some(identities) = self.layer_identities()? else { return Ok(()) };
        if identities.len() != config.diff_ids.len() {
            return Err(self.conf_error(format!(
                "lists {} layers, but the stream's config has {}",
                identities.len(),
                config.diff_ids.len()
            )));
        }
        for (identity, diff_id) in identities.iter().zip(&config.diff_ids) {
            match identity {
                Identity::Key(key) => cache.remember_layer(key, diff_id),
                Identity::DiffId(expected) if expected != diff_id => {
                    return Err(self.conf_error(format!("a layer's checksum says {expected}, but the stream's config says {diff_id}")));
                }
                Identity::DiffId(_) => {}
            }
        }
        cache.remember_config(&self.config_key(&config.diff_ids), &config.bytes);
        Ok(())
    }

    /// Starts the script; its standard output is the docker-archive stream.
    pub fn spawn(&self) -> Result<Running, StreamScriptError> {
        let mut child = Command::new(&self.path)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|source| StreamScriptError::Spawn { path: self.path.clone(), source })?;
        let stdout = child.stdout.take().expect("stdout is piped");
        let stderr = child.stderr.take().expect("stderr is piped");
        // The streamer reports every layer on stderr; only the end is worth showing on failure.
        let tail = std::thread::spawn(move || {
            let mut lines = std::collections::VecDeque::new();
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if lines.len() == STDERR_LINES {
                    lines.pop_front();
                }
                lines.push_back(line);
            }
            lines.into_iter().collect::<Vec<_>>().join("\n")
        });
        Ok(Running { path: self.path.clone(), child, stdout: Some(stdout), tail: Some(tail) })
    }
}

enum Identity {
    Key(Digest),
    DiffId(Digest),
}

/// A running stream script.
pub struct Running {
    path: PathBuf,
    child: Child,
    stdout: Option<ChildStdout>,
    tail: Option<JoinHandle<String>>,
}

impl Running {
    pub fn take_stdout(&mut self) -> ChildStdout {
        self.stdout.take().expect("stdout is taken once")
    }

    /// Waits for the script; an error holds the end of what it printed.
    pub fn finish(mut self) -> Result<(), StreamScriptError> {
        drop(self.stdout.take());
        let status = self.child.wait().map_err(|source| StreamScriptError::Spawn { path: self.path.clone(), source })?;
        let tail = self.tail.take().and_then(|t| t.join().ok()).unwrap_or_default();
        if status.success() {
            Ok(())
        } else {
            let stderr = if tail.is_empty() { String::new() } else { format!(":\n{tail}") };
            Err(StreamScriptError::Failed { path: self.path.clone(), status: status.to_string(), stderr })
        }
    }

    /// Stops the script (the push failed on our side).
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
