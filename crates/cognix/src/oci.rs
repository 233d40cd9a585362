//! OCI image manifests: the document a push writes last, naming the config and the layer blobs.

use cognix_io::digest::Blob;
use serde_json::{json, Value};

pub const MEDIA_TYPE_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
pub const MEDIA_TYPE_CONFIG: &str = "application/vnd.oci.image.config.v1+json";

/// A layer as the manifest lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Layer {
    pub media_type: &'static str,
    pub blob: Blob,
}

/// The manifest's exact bytes: compact JSON, keys in the spec's order.
pub fn image_manifest(config: &Blob, layers: &[Layer]) -> Vec<u8> {
    let descriptor = |media_type: &str, blob: &Blob| json!({ "mediaType": media_type, "digest": blob.digest.as_str(), "size": blob.size });
    let manifest = json!({
        "schemaVersion": 2,
        "mediaType": MEDIA_TYPE_MANIFEST,
        "config": descriptor(MEDIA_TYPE_CONFIG, config),
        "layers": layers.iter().map(|layer| descriptor(layer.media_type, &layer.blob)).collect::<Vec<Value>>(),
    });
    serde_json::to_vec(&manifest).expect("a JSON value serialises")
}

#[cfg(test)]
mod tests {
    use cognix_io::digest::Digest;

    use super::*;

    #[test]
    fn manifest_bytes() {
        let config = Blob { digest: Digest::of(b"c"), size: 1 };
        let layer = Layer { media_type: crate::compress::MEDIA_TYPE_TAR_GZIP, blob: Blob { digest: Digest::of(b"l"), size: 2 } };
        let text = String::from_utf8(image_manifest(&config, &[layer])).unwrap();
        assert!(text.starts_with(r#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:"#), "{text}");
        assert!(text.ends_with(r#""size":2}]}"#), "{text}");
    }
}
