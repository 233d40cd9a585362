//! `cognix weights import`: cog.yaml's weights → their sources' files (filtered, merged) → the
//! local store → layers → weights.lock, as `cog weights import` makes them, without pushing.
//!
//! A weight whose sources, filters, target and fingerprints are unchanged, under the same packer
//! settings, keeps its recorded layers (cog's fast path), so a lock written by cog stays cog's,
//! byte for byte. Otherwise the layers are packed again from the store. weights.lock is written
//! once, atomically, after every weight succeeded, and only when its bytes change.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::io::{self, Write as _};
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use cognix_io::digest::Digest;
use cognix_io::progress::Progress;
use cognix_io::size;

use crate::check;
use crate::envelope;
use crate::filter::Filter;
use crate::layer;
use crate::lock::{self, Entry, Layer, Lock};
use crate::oci;
use crate::pack::{self, Item, Planned};
use crate::source::{self, Remote, Source, SourceError};
use crate::spec::{Project, Spec};
use crate::store::{PutError, Store};
use crate::{digest, parallel, problem::Problem};

/// What an import needs besides the project.
pub struct Options<'a> {
    pub store: &'a Store,
    pub remote: &'a Remote,
    /// Pack every layer again even where the lock's layers could be kept.
    pub repack: bool,
    /// Only these weights (all when empty); the others keep their entries.
    pub names: Vec<String>,
    /// `importedAt` for changed entries (RFC 3339).
    pub now: String,
}

/// What happened to one weight.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Imported {
    pub name: String,
    pub target: String,
    pub files: usize,
    pub size: u64,
    pub layers: usize,
    /// The entry differs from the lock's (content or sources).
    pub changed: bool,
    /// The lock's layer digests were kept rather than packed again.
    pub kept_layers: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{config} has no weights; add a `weights:` section (see docs/getting-started.md, \"Model weights\")")]
    NoWeights { config: String },
    #[error("{config} has no weight named \"{name}\"")]
    UnknownName { config: String, name: String },
    #[error("{}", .problems.iter().map(|p| p.render(.file)).collect::<Vec<_>>().join("\n"))]
    Lock { file: String, problems: Vec<Problem> },
    #[error("weight \"{name}\" source[{index}] ({uri}): {source}")]
    Source { name: String, index: usize, uri: String, source: Box<SourceError> },
    #[error("weight \"{name}\" source[{index}] ({uri}): include/exclude patterns matched zero files out of {total} in the source{patterns}\n  check your patterns — did you mean a different glob?")]
    NothingLeft { name: String, index: usize, uri: String, total: usize, patterns: String },
    #[error("weight \"{name}\": {message}")]
    Invalid { name: String, message: String },
    #[error("weight \"{name}\": fetching {path}: {source}")]
    Fetch { name: String, path: String, source: Box<SourceError> },
    #[error("weight \"{name}\": storing {path}: {source}")]
    Store { name: String, path: String, source: PutError },
    #[error("weight \"{name}\": packing layers: {source}")]
    Pack { name: String, source: io::Error },
    #[error("writing {file}: {source}")]
    Write { file: String, source: io::Error },
}

/// Imports the project's weights and writes weights.lock.
pub fn run(project: &Project, options: &Options<'_>, progress: &mut dyn Progress) -> Result<Vec<Imported>, ImportError> {
    if project.weights.is_empty() {
        return Err(ImportError::NoWeights { config: project.config_display() });
    }
    if let Some(name) = options.names.iter().find(|n| !project.weights.iter().any(|w| &w.name == *n)) {
        return Err(ImportError::UnknownName { config: project.config_display(), name: name.clone() });
    }
    let lock_path = project.lock_path();
    let previous_text = match fs::read_to_string(&lock_path) {
        Ok(text) => Some(text),
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(source) => return Err(ImportError::Write { file: project.lock_display(), source }),
    };
    // A lock that does not parse is not silently replaced: it may hold the only record of a
    // weight's provenance.
    let previous = previous_text
        .as_deref()
        .map(Lock::parse)
        .transpose()
        .map_err(|problems| ImportError::Lock { file: project.lock_display(), problems })?
        .unwrap_or_default();
    let current_envelope = envelope::format();
    let same_envelope = previous.envelope_format == current_envelope;

    let mut entries = Vec::new();
    let mut imported = Vec::new();
    for spec in &project.weights {
        let existing = previous.find(&spec.name);
        if !options.names.is_empty() && !options.names.contains(&spec.name) {
            entries.extend(existing.cloned());
            continue;
        }
        progress.step(&format!("{}: importing into {}", spec.name, spec.target));
        let reusable = existing.filter(|_| same_envelope && !options.repack);
        let (entry, kept_layers) = import_one(project, spec, reusable, options, progress)?;
        let changed = existing.is_none_or(|e| !e.same_as(&entry));
        let entry = match existing {
            Some(e) if !changed => Entry { imported_at: e.imported_at.clone(), ..entry },
            _ => entry,
        };
        imported.push(Imported {
            name: entry.name.clone(),
            target: entry.target.clone(),
            files: entry.files.len(),
            size: entry.size,
            layers: entry.layers.len(),
            changed,
            kept_layers,
        });
        entries.push(entry);
    }

    let lock = Lock { version: lock::VERSION, envelope_format: current_envelope, weights: entries, at: lock::At::default() };
    let bytes = lock.to_bytes();
    if previous_text.as_deref().map(str::as_bytes) != Some(&bytes[..]) {
        write_atomically(&lock_path, &bytes).map_err(|source| ImportError::Write { file: project.lock_display(), source })?;
    }
    Ok(imported)
}

/// One weight's files, in the store, packed into its lock entry.
fn import_one(
    project: &Project,
    spec: &Spec,
    existing: Option<&Entry>,
    options: &Options<'_>,
    progress: &mut dyn Progress,
) -> Result<(Entry, bool), ImportError> {
    let name = spec.name.clone();
    let mut sources: Vec<Box<dyn Source>> = Vec::new();
    let mut lock_sources = Vec::new();
    // Later sources win for a path they share with earlier ones (cog's layering order).
    let mut merged: BTreeMap<String, (Item, usize)> = BTreeMap::new();
    for (index, source_spec) in spec.sources.iter().enumerate() {
        let uri = source_spec.uri.to_string();
        let error = |source| ImportError::Source { name: name.clone(), index, uri: uri.clone(), source: Box::new(source) };
        let mut source = source::open(&source_spec.uri, &project.root, options.remote).map_err(error)?;
        let inventory = source.inventory(options.store, progress).map_err(error)?;
        let filter = Filter::new(&source_spec.include, &source_spec.exclude);
        let kept: Vec<Item> = inventory.files.iter().filter(|f| filter.keeps(&f.path)).cloned().collect();
        if kept.is_empty() {
            let mut patterns = String::new();
            for (kind, list) in [("include", &source_spec.include), ("exclude", &source_spec.exclude)] {
                if !list.is_empty() {
                    let quoted: Vec<String> = list.iter().map(|x| format!("\"{x}\"")).collect();
                    let _ = write!(patterns, "\n  {kind}: [{}]", quoted.join(", "));
                }
            }
            return Err(ImportError::NothingLeft { name, index, uri, total: inventory.files.len(), patterns });
        }
        for item in kept {
            if merged.contains_key(&item.path) {
                progress.step(&format!("  source[{index}] ({uri}) overrides {}", item.path));
            }
            merged.insert(item.path.clone(), (item, index));
        }
        lock_sources.push(lock::Source {
            uri,
            fingerprint: inventory.fingerprint,
            include: source_spec.include.clone(),
            exclude: source_spec.exclude.clone(),
            at: lock::At::default(),
        });
        sources.push(source);
    }
    if let Some(message) = merged.keys().find_map(|p| check::path_problem(p)) {
        return Err(ImportError::Invalid { name, message });
    }

    ingest(&name, &merged, &sources, options.store, progress)?;

    let files: Vec<Item> = merged.into_values().map(|(item, _)| item).collect();
    let plan = pack::plan(&files);
    let kept = existing.filter(|e| same_intent(e, spec, &lock_sources)).and_then(|e| layers_of(e, &plan));
    let kept_layers = kept.is_some();
    let layers = match kept {
        Some(layers) => layers,
        None => pack_layers(&name, &plan, options.store, progress)?,
    };
    Ok((entry(spec, lock_sources, &plan, layers, &options.now), kept_layers))
}

/// Copies every file the store lacks from its source, verified against its digest.
fn ingest(
    name: &str,
    files: &BTreeMap<String, (Item, usize)>,
    sources: &[Box<dyn Source>],
    store: &Store,
    progress: &mut dyn Progress,
) -> Result<(), ImportError> {
    let mut missing: BTreeMap<&str, (&Item, usize)> = BTreeMap::new();
    for (item, owner) in files.values() {
        if !store.has(&item.digest) {
            missing.entry(item.digest.as_str()).or_insert((item, *owner));
        }
    }
    if missing.is_empty() {
        return Ok(());
    }
    let total: u64 = missing.values().map(|(item, _)| item.size).sum();
    progress.step(&format!("  copying {} files ({}) into the weight store", missing.len(), size::binary(total)));
    let mut done = 0;
    for (item, owner) in missing.values() {
        let content = sources[*owner].open(&item.path).map_err(|source| ImportError::Fetch {
            name: name.to_owned(),
            path: item.path.clone(),
            source: Box::new(source),
        })?;
        store.put(&item.digest, item.size, content, |n| progress.bytes(done + n, total)).map_err(|source| ImportError::Store {
            name: name.to_owned(),
            path: item.path.clone(),
            source,
        })?;
        done += item.size;
    }
    progress.bytes(total, total);
    Ok(())
}

/// Packs each planned layer from the store to learn its digest and size.
fn pack_layers(name: &str, plan: &[Planned], store: &Store, progress: &mut dyn Progress) -> Result<Vec<Layer>, ImportError> {
    progress.step(&format!("  packing {} layers ({})", plan.len(), size::binary(plan.iter().map(Planned::size_uncompressed).sum())));
    let pack = |planned: &Planned| {
        let blob = layer::write(planned, |item| store.open(&item.digest), io::sink())
            .map_err(|source| ImportError::Pack { name: name.to_owned(), source })?;
        Ok(Layer {
            digest: blob.digest.into(),
            media_type: planned.media_type.to_owned(),
            size: blob.size,
            size_uncompressed: planned.size_uncompressed(),
            at: lock::At::default(),
        })
    };
    parallel::map(plan, Planned::size_uncompressed, pack, progress).into_iter().collect()
}

/// The lock entry was made from the same sources, filters and target, at the same versions.
fn same_intent(existing: &Entry, spec: &Spec, sources: &[lock::Source]) -> bool {
    existing.target == spec.target
        && existing.sources.len() == sources.len()
        && existing
            .sources
            .iter()
            .zip(sources)
            .all(|(a, b)| a.uri == b.uri && a.fingerprint == b.fingerprint && a.include == b.include && a.exclude == b.exclude)
}

/// The entry's layers in plan order, when it packed exactly the planned files into exactly the
/// planned layers.
fn layers_of(existing: &Entry, plan: &[Planned]) -> Option<Vec<Layer>> {
    if existing.layers.len() != plan.len() {
        return None;
    }
    plan.iter()
        .map(|planned| {
            let first = existing.files.iter().find(|f| f.path == planned.files[0].path)?;
            let layer = existing.layers.iter().find(|l| l.digest == first.layer && l.media_type == planned.media_type)?;
            let mut recorded: Vec<(&str, &str)> =
                existing.files.iter().filter(|f| f.layer == layer.digest).map(|f| (f.path.as_str(), f.digest.as_str())).collect();
            let mut wanted: Vec<(&str, &str)> = planned.files.iter().map(|f| (f.path.as_str(), f.digest.as_str())).collect();
            recorded.sort_unstable();
            wanted.sort_unstable();
            (recorded == wanted).then(|| layer.clone())
        })
        .collect()
}

fn entry(spec: &Spec, sources: Vec<lock::Source>, plan: &[Planned], layers: Vec<Layer>, now: &str) -> Entry {
    let files = plan
        .iter()
        .zip(&layers)
        .flat_map(|(planned, layer)| {
            planned.files.iter().map(|f| lock::File {
                path: f.path.clone(),
                size: f.size,
                digest: f.digest.clone(),
                layer: layer.digest.clone(),
                at: lock::At::default(),
            })
        })
        .collect();
    let mut entry = Entry {
        name: spec.name.clone(),
        target: spec.target.clone(),
        sources,
        imported_at: now.to_owned(),
        digest: String::new(),
        set_digest: String::new(),
        size: layers.iter().map(|l| l.size_uncompressed).sum(),
        size_compressed: layers.iter().map(|l| l.size).sum(),
        files,
        layers,
        at: lock::At::default(),
    };
    entry.canonicalize();
    entry.set_digest = digest::set_digest(entry.files.iter().map(|f| (f.path.as_str(), f.digest.as_str())));
    entry.digest = Digest::of(&oci::manifest(&entry)).into();
    entry
}

/// Writes `bytes` to a temporary file beside `path`, syncs it and renames it over `path`, so a
/// crash leaves the old file or the new one, never a mix.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut temp = tempfile::Builder::new().prefix(".weights-").suffix(".lock.tmp").tempfile_in(dir)?;
    temp.write_all(bytes)?;
    temp.as_file().sync_all()?;
    temp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// The current time as Go's `time.RFC3339Nano` writes it in UTC (`2026-06-12T16:41:25.807184Z`).
pub fn now() -> String {
    let since = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
    rfc3339(since.as_secs(), since.subsec_nanos())
}

fn rfc3339(seconds: u64, nanos: u32) -> String {
    let days = i64::try_from(seconds / 86_400).unwrap_or(0);
    let rest = seconds % 86_400;
    // Howard Hinnant's days-to-civil.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let fraction = if nanos == 0 { String::new() } else { format!(".{nanos:09}").trim_end_matches('0').to_owned() };
    format!("{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}{fraction}Z", rest / 3600, rest % 3600 / 60, rest % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_like_go() {
        assert_eq!(rfc3339(0, 0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_781_282_485, 807_184_000), "2026-06-12T16:41:25.807184Z");
        assert_eq!(rfc3339(951_782_400, 1), "2000-02-29T00:00:00.000000001Z");
    }
}
