//! `cognix weights inspect`: what weights.lock pins, per weight — name, target, files, size, and
//! the set digest, manifest digest and tag as computed from its entries — and every problem:
//! values that disagree with what the entries give, and drift from cog.yaml.

use std::fmt::Write as _;
use std::fs;
use std::io;

use cognix_io::size;
use serde::Serialize;

use crate::lock::Lock;
use crate::spec::Project;
use crate::{check, drift, oci};

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    pub name: String,
    pub target: String,
    pub files: usize,
    /// Bytes of the files.
    pub size: u64,
    /// Bytes of the layer blobs.
    pub size_compressed: u64,
    pub layers: usize,
    pub set_digest: String,
    /// The weight manifest's digest.
    pub digest: String,
    pub tag: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    pub lock: String,
    pub envelope_format: String,
    pub weights: Vec<Summary>,
    /// Located messages; the lock is fit for a push only when there are none.
    #[serde(skip)]
    pub problems: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum InspectError {
    #[error("{lock} is missing: {config} declares weights ({names}), and weights.lock pins their files and digests. Create it with `{fix}` (remote sources need network).")]
    Missing { lock: String, config: String, names: String, fix: String },
    #[error("{}", .0.join("\n"))]
    Unreadable(Vec<String>),
    #[error("reading {file}: {source}")]
    Read { file: String, source: io::Error },
}

/// Reads and checks the project's weights.lock; `fix` is the import command to suggest. `None`
/// when the project has no weights and no lock.
pub fn inspect(project: &Project, fix: &str) -> Result<Option<Report>, InspectError> {
    let file = project.lock_display();
    let text = match fs::read_to_string(project.lock_path()) {
        Ok(text) => text,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            if project.weights.is_empty() {
                return Ok(None);
            }
            let names = project.weights.iter().map(|w| w.name.as_str()).collect::<Vec<_>>().join(", ");
            return Err(InspectError::Missing { lock: file, config: project.config_display(), names, fix: fix.to_owned() });
        }
        Err(source) => return Err(InspectError::Read { file, source }),
    };
    let lock = Lock::parse(&text).map_err(|problems| InspectError::Unreadable(problems.iter().map(|p| p.render(&file)).collect()))?;
    let fix = format!("run `{fix}`");
    let mut problems: Vec<String> = check::lock(&lock, &fix).iter().map(|p| p.render(&file)).collect();
    problems.extend(drift::check(project, &lock, &fix));
    let weights = lock
        .weights
        .iter()
        .map(|entry| {
            let computed = check::compute(entry);
            Summary {
                name: entry.name.clone(),
                target: entry.target.clone(),
                files: entry.files.len(),
                size: computed.size,
                size_compressed: computed.size_compressed,
                layers: entry.layers.len(),
                tag: oci::weight_tag(&entry.name, &computed.set_digest),
                set_digest: computed.set_digest,
                digest: computed.digest,
            }
        })
        .collect();
    Ok(Some(Report { lock: file, envelope_format: lock.envelope_format, weights, problems }))
}

impl Report {
    /// The report for people.
    pub fn text(&self) -> String {
        let mut out = String::new();
        let count = self.weights.len();
        let _ = writeln!(out, "{}: {count} weight{}", self.lock, if count == 1 { "" } else { "s" });
        for w in &self.weights {
            let _ = writeln!(out, "{} → {}", w.name, w.target);
            let _ = writeln!(
                out,
                "  files      {} ({}, {} in {} layers)",
                w.files,
                size::binary(w.size),
                size::binary(w.size_compressed),
                w.layers
            );
            let _ = writeln!(out, "  setDigest  {}", w.set_digest);
            let _ = writeln!(out, "  manifest   {}", w.digest);
            let _ = writeln!(out, "  tag        {}", w.tag);
        }
        out
    }
}
