//! The OCI objects of cog's managed weights (spec §2), built from a weights.lock entry alone: the
//! weight config blob, the weight manifest (whose digest is the entry's `digest`), the tags, and
//! the model's OCI index that ties the image to its weights. Bytes are Go's, key for key, so the
//! digests are cog's.

use std::collections::BTreeMap;

use cognix_io::digest::Digest;
use serde::Serialize;

use crate::encode;
use crate::lock::Entry;

pub const MEDIA_TYPE_LAYER_TAR: &str = "application/vnd.oci.image.layer.v1.tar";
pub const MEDIA_TYPE_LAYER_TAR_GZIP: &str = "application/vnd.oci.image.layer.v1.tar+gzip";
pub const MEDIA_TYPE_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
pub const MEDIA_TYPE_INDEX: &str = "application/vnd.oci.image.index.v1+json";
pub const MEDIA_TYPE_WEIGHT_CONFIG: &str = "application/vnd.cog.weight.config.v1+json";
pub const ARTIFACT_TYPE_WEIGHT: &str = "application/vnd.cog.weight.v1";

pub const ANNOTATION_NAME: &str = "run.cog.weight.name";
pub const ANNOTATION_TARGET: &str = "run.cog.weight.target";
pub const ANNOTATION_SET_DIGEST: &str = "run.cog.weight.set-digest";
pub const ANNOTATION_SIZE_UNCOMPRESSED: &str = "run.cog.weight.size.uncompressed";

/// An OCI descriptor, fields in go-containerregistry's order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Descriptor {
    pub media_type: String,
    pub size: u64,
    pub digest: String,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub platform: Option<Platform>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub artifact_type: Option<String>,
}

impl Descriptor {
    pub fn of(media_type: &str, bytes: &[u8]) -> Descriptor {
        Descriptor {
            media_type: media_type.to_owned(),
            size: bytes.len() as u64,
            digest: Digest::of(bytes).into(),
            annotations: BTreeMap::new(),
            platform: None,
            artifact_type: None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Platform {
    pub architecture: String,
    pub os: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub variant: String,
}

impl Platform {
    /// cog's models run on linux/amd64.
    pub fn image() -> Platform {
        Platform { architecture: "amd64".into(), os: "linux".into(), variant: String::new() }
    }

    /// What a weight manifest says it runs on: nothing in particular.
    fn unknown() -> Platform {
        Platform { architecture: "unknown".into(), os: "unknown".into(), variant: String::new() }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ConfigBlob<'a> {
    name: &'a str,
    target: &'a str,
    set_digest: &'a str,
    files: Vec<ConfigFile<'a>>,
}

#[derive(Serialize)]
struct ConfigFile<'a> {
    path: &'a str,
    layer: &'a str,
    size: u64,
    digest: &'a str,
}

/// The weight config blob (`application/vnd.cog.weight.config.v1+json`): the file index.
pub fn config_blob(entry: &Entry) -> Vec<u8> {
    let mut files: Vec<ConfigFile<'_>> =
        entry.files.iter().map(|f| ConfigFile { path: &f.path, layer: &f.layer, size: f.size, digest: &f.digest }).collect();
    files.sort_by(|a, b| a.path.cmp(b.path));
    encode::compact(&ConfigBlob { name: &entry.name, target: &entry.target, set_digest: &entry.set_digest, files })
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Manifest {
    schema_version: u32,
    media_type: &'static str,
    artifact_type: &'static str,
    config: Descriptor,
    layers: Vec<Descriptor>,
    annotations: BTreeMap<String, String>,
}

/// The weight manifest's bytes; their digest is what weights.lock records as `digest`.
pub fn manifest(entry: &Entry) -> Vec<u8> {
    let mut layers: Vec<Descriptor> = entry
        .layers
        .iter()
        .map(|l| Descriptor {
            media_type: l.media_type.clone(),
            size: l.size,
            digest: l.digest.clone(),
            annotations: BTreeMap::from([(ANNOTATION_SIZE_UNCOMPRESSED.to_owned(), l.size_uncompressed.to_string())]),
            platform: None,
            artifact_type: None,
        })
        .collect();
    layers.sort_by(|a, b| a.digest.cmp(&b.digest));
    encode::compact(&Manifest {
        schema_version: 2,
        media_type: MEDIA_TYPE_MANIFEST,
        artifact_type: ARTIFACT_TYPE_WEIGHT,
        config: Descriptor::of(MEDIA_TYPE_WEIGHT_CONFIG, &config_blob(entry)),
        layers,
        annotations: BTreeMap::from([
            (ANNOTATION_NAME.to_owned(), entry.name.clone()),
            (ANNOTATION_SET_DIGEST.to_owned(), entry.set_digest.clone()),
            (ANNOTATION_TARGET.to_owned(), entry.target.clone()),
        ]),
    })
}

/// The descriptor of a weight in the model's index: the manifest, with the weight's name, set
/// digest and total size hoisted into annotations so the index reads without fetching it.
pub fn index_entry(entry: &Entry) -> Descriptor {
    let mut annotations = BTreeMap::new();
    annotations.insert(ANNOTATION_NAME.to_owned(), entry.name.clone());
    annotations.insert(ANNOTATION_SET_DIGEST.to_owned(), entry.set_digest.clone());
    if entry.size > 0 {
        annotations.insert(ANNOTATION_SIZE_UNCOMPRESSED.to_owned(), entry.size.to_string());
    }
    Descriptor {
        media_type: MEDIA_TYPE_MANIFEST.to_owned(),
        size: manifest(entry).len() as u64,
        digest: entry.digest.clone(),
        annotations,
        platform: Some(Platform::unknown()),
        artifact_type: Some(ARTIFACT_TYPE_WEIGHT.to_owned()),
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Index<'a> {
    schema_version: u32,
    media_type: &'static str,
    manifests: &'a [Descriptor],
}

/// The model's OCI index: the image (platform linux/amd64), then each weight.
pub fn index(image: &Descriptor, weights: &[Entry]) -> Vec<u8> {
    let mut manifests = vec![Descriptor { platform: Some(Platform::image()), ..image.clone() }];
    manifests.extend(weights.iter().map(index_entry));
    encode::compact(&Index { schema_version: 2, media_type: MEDIA_TYPE_INDEX, manifests: &manifests })
}

/// The tag of a weight manifest: `cog-weight.<name>.<12 hex of the set digest>`.
pub fn weight_tag(name: &str, set_digest: &str) -> String {
    let short: String = set_digest.split_once(':').map_or("", |(_, h)| h).chars().take(12).collect();
    if short.is_empty() {
        format!("cog-weight.{}", tag_segment(name))
    } else {
        format!("cog-weight.{}.{short}", tag_segment(name))
    }
}

/// The tag the image gets beside a model index at `tag`.
pub fn image_tag(tag: &str) -> String {
    format!("cog-image.{tag}")
}

/// A name made safe as one dot-separated segment of a tag, as cog's `SanitizeTagSegment` does:
/// other characters become `-`, runs of `-` collapse, none at either end, at most 104 bytes.
fn tag_segment(name: &str) -> String {
    let replaced: String = name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' || c == '-' { c } else { '-' }).collect();
    let mut collapsed = String::with_capacity(replaced.len());
    for c in replaced.chars() {
        if !(c == '-' && collapsed.ends_with('-')) {
            collapsed.push(c);
        }
    }
    let mut segment = collapsed.trim_matches('-');
    if segment.len() > 104 {
        segment = segment[..104].trim_end_matches('-');
    }
    if segment.is_empty() {
        "unnamed".to_owned()
    } else {
        segment.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags() {
        assert_eq!(
            weight_tag("minilm", "sha256:18074874da7fd77e7cf1fefcbb2fc7edee0c38417f2255962e8a4fff5567b1d2"),
            "cog-weight.minilm.18074874da7f"
        );
        assert_eq!(weight_tag("qwen3.6-27b..fp8", "sha256:ab"), "cog-weight.qwen3-6-27b-fp8.ab");
        assert_eq!(weight_tag("...", ""), "cog-weight.unnamed");
        assert_eq!(weight_tag(&"a".repeat(200), "sha256:0").len(), "cog-weight.".len() + 104 + 2);
        assert_eq!(image_tag("v2"), "cog-image.v2");
    }
}
