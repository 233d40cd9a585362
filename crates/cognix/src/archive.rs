//! docker-archive images: what `./result` (`dockerTools.streamLayeredImage`) streams and
//! `docker save` writes. A tar of `<dir>/layer.tar` entries (uncompressed layers), a config
//! `<sha>.json` and `manifest.json`, which lists the config and the layers in order.
//!
//! A file is indexed first (tar headers give every entry's offset and size, so layers are seeked
//! past, never read); a stream is walked once, and `streamLayeredImage` writes the layers *before*
//! the config and `manifest.json`, so a stream reader has to decide about each layer as it passes.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use cognix_io::digest::Digest;
use serde_json::Value;

#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    #[error("cannot read {path}: {source}")]
    Io { path: PathBuf, source: io::Error },
    #[error("{origin} is not a docker archive: {problem}")]
    Malformed { origin: String, problem: String },
}

impl ArchiveError {
    pub fn malformed(origin: &str, problem: impl Into<String>) -> Self {
        Self::Malformed { origin: origin.to_owned(), problem: problem.into() }
    }
}

/// The one image of `manifest.json`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArchiveManifest {
    /// The entry name of the config.
    pub config: String,
    pub repo_tags: Vec<String>,
    /// Entry names of the layers, bottom first.
    pub layers: Vec<String>,
}

impl ArchiveManifest {
    pub fn parse(origin: &str, bytes: &[u8]) -> Result<Self, ArchiveError> {
        let bad = |problem: String| ArchiveError::malformed(origin, format!("manifest.json {problem}"));
        let value: Value = serde_json::from_slice(bytes).map_err(|e| bad(format!("is not JSON ({e})")))?;
        let images = value.as_array().ok_or_else(|| bad("is not a list of images".into()))?;
        let [image] = images.as_slice() else {
            return Err(bad(format!("lists {} images; cognix pushes an archive of exactly one", images.len())));
        };
        let config = image.get("Config").and_then(Value::as_str).ok_or_else(|| bad("has no \"Config\" entry name".into()))?;
        let strings = |key: &str| -> Result<Vec<String>, ArchiveError> {
            match image.get(key) {
                None | Some(Value::Null) => Ok(Vec::new()),
                Some(Value::Array(items)) => items
                    .iter()
                    .map(|item| item.as_str().map(normalise_name).ok_or_else(|| bad(format!("\"{key}\" holds a non-string"))))
                    .collect(),
                Some(_) => Err(bad(format!("\"{key}\" is not a list"))),
            }
        };
        let layers = strings("Layers")?;
        if layers.is_empty() {
            return Err(bad("lists no layers".into()));
        }
        Ok(Self { config: normalise_name(config), repo_tags: strings("RepoTags")?, layers })
    }
}

/// The image configuration, kept as the exact bytes the archive holds (they are the config blob
/// and its digest is the image ID; labels such as `run.cog.config` pass through untouched).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageConfig {
    pub bytes: Vec<u8>,
    /// `rootfs.diff_ids`: the digests of the uncompressed layers, bottom first.
    pub diff_ids: Vec<Digest>,
}

impl ImageConfig {
    pub fn parse(origin: &str, name: &str, bytes: Vec<u8>) -> Result<Self, ArchiveError> {
        let bad = |problem: String| ArchiveError::malformed(origin, format!("config {name} {problem}"));
        let value: Value = serde_json::from_slice(&bytes).map_err(|e| bad(format!("is not JSON ({e})")))?;
        let diff_ids = value
            .pointer("/rootfs/diff_ids")
            .and_then(Value::as_array)
            .ok_or_else(|| bad("has no rootfs.diff_ids list".into()))?
            .iter()
            .map(|id| id.as_str().and_then(|s| Digest::parse(s).ok()).ok_or_else(|| bad(format!("has an invalid diff_id {id}"))))
            .collect::<Result<_, _>>()?;
        Ok(Self { bytes, diff_ids })
    }

    pub fn digest(&self) -> Digest {
        Digest::of(&self.bytes)
    }
}

/// Checks that the manifest's layers and the config's `diff_ids` line up.
pub fn check_layer_count(origin: &str, manifest: &ArchiveManifest, config: &ImageConfig) -> Result<(), ArchiveError> {
    if manifest.layers.len() == config.diff_ids.len() {
        Ok(())
    } else {
        Err(ArchiveError::malformed(
            origin,
            format!(
                "manifest.json lists {} layers but config {} has {} rootfs.diff_ids",
                manifest.layers.len(),
                manifest.config,
                config.diff_ids.len()
            ),
        ))
    }
}

/// Entry names as `manifest.json` spells them (`docker save` may write `./` in front).
pub fn normalise_name(name: &str) -> String {
    name.trim_start_matches("./").to_owned()
}

/// The `diff_id` an entry's name claims: `streamLayeredImage` names layers `<sha256 hex>/layer.tar`
/// and OCI-style archives `blobs/sha256/<hex>`. Only a hint: it is trusted only where the
/// config's `diff_id` for that layer agrees.
pub fn name_hint(name: &str) -> Option<Digest> {
    let hex = name.strip_suffix("/layer.tar").or_else(|| name.strip_prefix("blobs/sha256/"))?;
    Digest::from_hex(hex)
}

/// Where an entry's data lies in an archive file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Region {
    pub offset: u64,
    pub size: u64,
}

/// An archive file, indexed: manifest, config, and where each entry's data lies.
#[derive(Debug)]
pub struct ArchiveFile {
    pub path: PathBuf,
    pub manifest: ArchiveManifest,
    pub config: ImageConfig,
    regions: HashMap<String, Region>,
}

impl ArchiveFile {
    /// Reads the tar headers (seeking past the data), then `manifest.json` and the config.
    pub fn open(path: &Path) -> Result<Self, ArchiveError> {
        let io_error = |source| ArchiveError::Io { path: path.to_owned(), source };
        let origin = path.display().to_string();
        let file = File::open(path).map_err(io_error)?;
        let mut archive = tar::Archive::new(file);
        let mut regions = HashMap::new();
        let entries = archive.entries_with_seek().map_err(io_error)?;
        for entry in entries {
            let entry = entry.map_err(|e| ArchiveError::malformed(&origin, format!("a tar header cannot be read ({e})")))?;
            if entry.header().entry_type().is_file() {
                let name = normalise_name(&String::from_utf8_lossy(&entry.path_bytes()));
                regions.insert(name, Region { offset: entry.raw_file_position(), size: entry.size() });
            }
        }
        let mut file = archive.into_inner();
        let mut read = |name: &str, what: &str| -> Result<Vec<u8>, ArchiveError> {
            let region = regions.get(name).ok_or_else(|| ArchiveError::malformed(&origin, format!("it has no {what} entry {name}")))?;
            read_region(&mut file, *region).map_err(io_error)
        };
        let manifest = ArchiveManifest::parse(&origin, &read("manifest.json", "manifest")?)?;
        let config = ImageConfig::parse(&origin, &manifest.config, read(&manifest.config, "config")?)?;
        check_layer_count(&origin, &manifest, &config)?;
        if let Some(missing) = manifest.layers.iter().find(|layer| !regions.contains_key(*layer)) {
            return Err(ArchiveError::malformed(&origin, format!("manifest.json lists layer {missing}, which the archive does not hold")));
        }
        Ok(Self { path: path.to_owned(), manifest, config, regions })
    }

    /// Each layer's region and `diff_id`, bottom first.
    pub fn layers(&self) -> impl Iterator<Item = (Region, &Digest)> {
        self.manifest.layers.iter().map(|name| self.regions[name]).zip(&self.config.diff_ids)
    }
}

/// Reads a docker-archive stream to the end of its entries, keeping `manifest.json` and the
/// config (top-level JSON entries); layers pass unread. What follows the last entry (the tar's
/// end blocks) is left in `stream`.
pub fn scan_stream(origin: &str, stream: &mut dyn Read) -> Result<(ArchiveManifest, ImageConfig), ArchiveError> {
    let broken = |e: io::Error| ArchiveError::malformed(origin, format!("the stream cannot be read as tar ({e})"));
    let mut documents = HashMap::new();
    let mut archive = tar::Archive::new(stream);
    for entry in archive.entries().map_err(broken)? {
        let mut entry = entry.map_err(broken)?;
        let name = normalise_name(&String::from_utf8_lossy(&entry.path_bytes()));
        if entry.header().entry_type().is_file()
            && !name.contains('/')
            && Path::new(&name).extension().is_some_and(|e| e.eq_ignore_ascii_case("json"))
            && entry.size() <= 16 << 20
        {
            let mut bytes = Vec::new();
            entry.read_to_end(&mut bytes).map_err(broken)?;
            documents.insert(name, bytes);
        }
    }
    let mut take =
        |name: &str, what: &str| documents.remove(name).ok_or_else(|| ArchiveError::malformed(origin, format!("it has no {what} {name}")));
    let manifest = ArchiveManifest::parse(origin, &take("manifest.json", "manifest")?)?;
    let config = ImageConfig::parse(origin, &manifest.config, take(&manifest.config.clone(), "config")?)?;
    check_layer_count(origin, &manifest, &config)?;
    Ok((manifest, config))
}

fn read_region(file: &mut File, region: Region) -> io::Result<Vec<u8>> {
    file.seek(SeekFrom::Start(region.offset))?;
    let mut bytes = Vec::with_capacity(usize::try_from(region.size).unwrap_or(0));
    file.take(region.size).read_to_end(&mut bytes)?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifest_with_one_image() {
        let manifest =
            ArchiveManifest::parse("x.tar", br#"[{"Config":"abc.json","RepoTags":["m:t"],"Layers":["./d1/layer.tar","d2/layer.tar"]}]"#)
                .unwrap();
        assert_eq!(manifest.config, "abc.json");
        assert_eq!(manifest.layers, ["d1/layer.tar", "d2/layer.tar"]);
        assert_eq!(manifest.repo_tags, ["m:t"]);
    }

    #[test]
    fn manifest_problems_are_named() {
        let problem = |json: &str| ArchiveManifest::parse("x.tar", json.as_bytes()).unwrap_err().to_string();
        assert_eq!(
            problem("{"),
            "x.tar is not a docker archive: manifest.json is not JSON (EOF while parsing an object at line 1 column 1)"
        );
        assert!(problem("[]").contains("lists 0 images"));
        assert!(problem(r#"[{"Layers":["a"]}]"#).contains("no \"Config\""));
        assert!(problem(r#"[{"Config":"c.json","Layers":[]}]"#).contains("lists no layers"));
        assert!(problem(r#"[{"Config":"c.json","Layers":"a"}]"#).contains("\"Layers\" is not a list"));
    }

    #[test]
    fn config_diff_ids_are_required_and_checked() {
        let good = format!(r#"{{"rootfs":{{"type":"layers","diff_ids":["sha256:{}"]}}}}"#, "0".repeat(64));
        assert_eq!(ImageConfig::parse("x", "c.json", good.into_bytes()).unwrap().diff_ids.len(), 1);
        let bad = ImageConfig::parse("x", "c.json", br#"{"rootfs":{"diff_ids":["md5:00"]}}"#.to_vec()).unwrap_err();
        assert!(bad.to_string().contains("invalid diff_id \"md5:00\""), "{bad}");
        let missing = ImageConfig::parse("x", "c.json", b"{}".to_vec()).unwrap_err();
        assert!(missing.to_string().contains("no rootfs.diff_ids"), "{missing}");
    }

    #[test]
    fn name_hints() {
        let hex = "ab".repeat(32);
        assert_eq!(name_hint(&format!("{hex}/layer.tar")).unwrap().hex(), hex);
        assert_eq!(name_hint(&format!("blobs/sha256/{hex}")).unwrap().hex(), hex);
        assert!(name_hint("0123/layer.tar").is_none());
        assert!(name_hint(&format!("{hex}.json")).is_none());
    }
}
