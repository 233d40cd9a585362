//! `cognix load`: a stream script into `docker load`, unless docker has that exact image.
//!
//! Whether it has is known when an earlier push or load remembered the script's config
//! (`stream_script`): docker's record of the tag is compared with it. A load reads the stream
//! on its way to docker, so the next one knows.

use std::io::{self, Read, Write};

use crate::archive::{self, ArchiveError};
use crate::cache::Cache;
use crate::docker::{self, DockerError};
use crate::stream_script::{StreamScript, StreamScriptError};

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error(transparent)]
    Docker(#[from] DockerError),
    #[error(transparent)]
    Script(#[from] StreamScriptError),
    #[error(transparent)]
    Archive(#[from] ArchiveError),
    #[error("{0} names no image (its conf.json has no repo_tag)")]
    NoTag(String),
}

pub struct Loaded {
    /// `name:tag`
    pub reference: String,
    /// False when docker had the image already.
    pub loaded: bool,
}

pub fn load(script: &StreamScript, cache: &Cache) -> Result<Loaded, LoadError> {
    let origin = script.path.display().to_string();
    let reference = script.repo_tag().ok_or_else(|| LoadError::NoTag(origin.clone()))?.to_owned();
    if let Some(known) = script.known(cache)? {
        let config: serde_json::Value = serde_json::from_slice(&known.config.bytes).unwrap_or_default();
        if docker::inspect_image(&reference)?.is_some_and(|record| docker::same_image(&record, known.config.digest().as_str(), &config)) {
            return Ok(Loaded { reference, loaded: false });
        }
    }
    let mut running = script.spawn()?;
    let mut stdout = running.take_stdout();
    let mut scanned = None;
    let loaded = docker::load(|stdin| {
        let mut tee = Tee { inner: &mut stdout, copy: stdin };
        scanned = Some(archive::scan_stream(&origin, &mut tee));
        io::copy(&mut tee, &mut io::sink()).map(drop)
    });
    let finished = running.finish();
    let said = loaded?;
    finished?;
    let (_, config) = scanned.expect("docker load ran the writer")?;
    script.remember(cache, &config)?;
    if !said.is_empty() {
        eprintln!("{said}");
    }
    Ok(Loaded { reference, loaded: true })
}

/// Passes what it reads on to `copy`.
struct Tee<'a> {
    inner: &'a mut dyn Read,
    copy: &'a mut dyn Write,
}

impl Read for Tee<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.copy.write_all(&buf[..n])?;
        Ok(n)
    }
}
