//! Is weights.lock true to itself? Every recorded value that follows from the entries is
//! recomputed — the set digest from the files, the manifest digest from the manifest rebuilt from
//! the entry, the sizes from the layers — and every rule cog's writer keeps is checked (names,
//! targets absolute and disjoint, paths relative, each file in a listed layer, each layer holding
//! files). A disagreement means the lock was edited or corrupted; each is reported where it was
//! written.

use std::collections::{BTreeMap, BTreeSet};

use cognix_io::digest::Digest;

use crate::lock::{Entry, Lock};
use crate::oci::{self, MEDIA_TYPE_LAYER_TAR, MEDIA_TYPE_LAYER_TAR_GZIP};
use crate::problem::Problem;
use crate::{digest, uri};

/// What an entry's files and layers give.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Computed {
    pub set_digest: String,
    /// The weight manifest's digest.
    pub digest: String,
    pub size: u64,
    pub size_compressed: u64,
}

pub fn compute(entry: &Entry) -> Computed {
    Computed {
        set_digest: digest::set_digest(entry.files.iter().map(|f| (f.path.as_str(), f.digest.as_str()))),
        digest: Digest::of(&oci::manifest(entry)).into(),
        size: entry.layers.iter().map(|l| l.size_uncompressed).sum(),
        size_compressed: entry.layers.iter().map(|l| l.size).sum(),
    }
}

/// cog's rule for weight names.
pub fn name_ok(name: &str) -> bool {
    !name.is_empty()
        && name.split(['.', '_', '-']).all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()))
}

/// The problem with a target, if any, given the cleaned targets before it.
pub fn target_problem(target: &str, before: &[String]) -> Option<String> {
    if target.is_empty() {
        return Some("target is required".into());
    }
    if !target.starts_with('/') {
        return Some("target must be an absolute path".into());
    }
    let cleaned = uri::clean(target);
    if cleaned == "/" {
        return Some("target must not be the container root \"/\"".into());
    }
    let inside = |child: &str, parent: &str| child.starts_with(&format!("{parent}/"));
    before.iter().find_map(|other| {
        if *other == cleaned {
            Some("duplicate weight target".to_owned())
        } else if inside(&cleaned, other) || inside(other, &cleaned) {
            Some(format!("target overlaps with \"{other}\"; weight targets must be disjoint"))
        } else {
            None
        }
    })
}

/// Every problem of `lock`, in the order of the file. `fix` is what the user should run.
pub fn lock(lock: &Lock, fix: &str) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut names = BTreeSet::new();
    let mut targets: Vec<String> = Vec::new();
    for entry in &lock.weights {
        let at = &entry.at;
        if !name_ok(&entry.name) {
            problems.push(at.problem(
                "name",
                format!("invalid weight name \"{}\": use lowercase letters and digits, separated by single '.', '_' or '-'", entry.name),
            ));
        } else if !names.insert(entry.name.as_str()) {
            problems.push(at.problem("name", format!("duplicate weight name \"{}\"", entry.name)));
        }
        if let Some(message) = target_problem(&entry.target, &targets) {
            problems.push(at.problem("target", message));
        }
        targets.push(uri::clean(&entry.target));
        problems.extend(self_consistency(entry, fix));
    }
    problems.sort_by_key(|p| p.pos);
    problems
}

fn self_consistency(entry: &Entry, fix: &str) -> Vec<Problem> {
    let mut problems = Vec::new();
    let at = &entry.at;
    if entry.sources.is_empty() {
        problems.push(at.problem("sources", "a weight needs at least one source"));
    }
    if entry.files.is_empty() {
        problems.push(at.problem("files", "a weight needs at least one file"));
    }
    if entry.layers.is_empty() {
        problems.push(at.problem("layers", "a weight needs at least one layer"));
    }

    // Per layer: how many files it holds and their total size.
    let mut layer_files: BTreeMap<&str, (usize, u64)> = BTreeMap::new();
    for layer in &entry.layers {
        if Digest::parse(&layer.digest).is_err() {
            problems.push(
                layer.at.problem("digest", format!("\"{}\" is not a sha256 digest (sha256: and 64 lowercase hex digits)", layer.digest)),
            );
        } else if layer_files.insert(layer.digest.as_str(), (0, 0)).is_some() {
            problems.push(layer.at.problem("digest", format!("layer {} is listed twice", layer.digest)));
        }
        if layer.media_type != MEDIA_TYPE_LAYER_TAR && layer.media_type != MEDIA_TYPE_LAYER_TAR_GZIP {
            problems.push(layer.at.problem(
                "mediaType",
                format!("\"{}\" is not a weight layer type ({MEDIA_TYPE_LAYER_TAR} or {MEDIA_TYPE_LAYER_TAR_GZIP})", layer.media_type),
            ));
        }
    }

    let mut paths = BTreeSet::new();
    for file in &entry.files {
        if let Some(message) = path_problem(&file.path) {
            problems.push(file.at.problem("path", message));
        } else if !paths.insert(file.path.as_str()) {
            problems.push(file.at.problem("path", format!("\"{}\" is listed twice", file.path)));
        }
        if Digest::parse(&file.digest).is_err() {
            problems.push(
                file.at.problem("digest", format!("\"{}\" is not a sha256 digest (sha256: and 64 lowercase hex digits)", file.digest)),
            );
        }
        match layer_files.get_mut(file.layer.as_str()) {
            Some((count, total)) => {
                *count += 1;
                *total += file.size;
            }
            None => problems.push(file.at.problem("layer", format!("{} is not one of this weight's layers", file.layer))),
        }
    }
    for layer in &entry.layers {
        match layer_files.get(layer.digest.as_str()) {
            Some((0, _)) => problems.push(layer.at.problem("digest", format!("no file is in layer {}", layer.digest))),
            Some(&(_, total)) if total != layer.size_uncompressed => problems.push(layer.at.problem(
                "sizeUncompressed",
                format!("recorded {}, but the files in this layer add up to {total}; {fix}", layer.size_uncompressed),
            )),
            _ => {}
        }
    }

    let computed = compute(entry);
    let mismatch = |key: &str, recorded: &str, computed: &str, from: &str| {
        at.problem(key, format!("recorded {recorded}, but {from} give {computed}: weights.lock was edited or is corrupted; {fix}"))
    };
    if entry.digest != computed.digest {
        problems.push(mismatch("digest", &entry.digest, &computed.digest, "its files and layers"));
    }
    if entry.set_digest != computed.set_digest {
        problems.push(mismatch("setDigest", &entry.set_digest, &computed.set_digest, "its files"));
    }
    if entry.size != computed.size {
        problems.push(mismatch("size", &entry.size.to_string(), &computed.size.to_string(), "its layers"));
    }
    if entry.size_compressed != computed.size_compressed {
        problems.push(mismatch("sizeCompressed", &entry.size_compressed.to_string(), &computed.size_compressed.to_string(), "its layers"));
    }
    problems
}

/// A file path in a weight must stay inside the target: relative, `/`-separated, no `.` or `..`
/// parts, nothing in `.cog/` (cog never packs its state directory).
pub fn path_problem(path: &str) -> Option<String> {
    if path.is_empty() {
        return Some("empty file path".into());
    }
    if path.starts_with('/') || path.contains('\\') || path.split('/').any(|p| p.is_empty() || p == "." || p == "..") {
        return Some(format!("\"{path}\" is not a clean relative path"));
    }
    if path == ".cog" || path.starts_with(".cog/") {
        return Some(format!("\"{path}\" is in .cog/, which weights never contain"));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        for good in ["minilm", "qwen3.6-27b_fp8", "a1"] {
            assert!(name_ok(good), "{good}");
        }
        for bad in ["", "A", "a..b", "-a", "a-", "a b", "ä"] {
            assert!(!name_ok(bad), "{bad}");
        }
    }

    #[test]
    fn targets() {
        let before = vec!["/src/weights".to_owned()];
        assert_eq!(target_problem("weights", &before).unwrap(), "target must be an absolute path");
        assert_eq!(target_problem("//", &before).unwrap(), "target must not be the container root \"/\"");
        assert_eq!(target_problem("/src/weights/", &before).unwrap(), "duplicate weight target");
        assert_eq!(
            target_problem("/src/weights/a", &before).unwrap(),
            "target overlaps with \"/src/weights\"; weight targets must be disjoint"
        );
        assert_eq!(target_problem("/src", &before).unwrap(), "target overlaps with \"/src/weights\"; weight targets must be disjoint");
        assert_eq!(target_problem("/src/weights2", &before), None);
    }

    #[test]
    fn paths() {
        assert_eq!(path_problem("a/b.json"), None);
        assert!(path_problem("../a").is_some());
        assert!(path_problem("/a").is_some());
        assert!(path_problem("a//b").is_some());
        assert!(path_problem(".cog/x").is_some());
        assert_eq!(path_problem(".cogx"), None);
    }
}
