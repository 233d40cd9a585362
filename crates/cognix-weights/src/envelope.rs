//! weights.lock's `envelopeFormat`: the digest of the packer settings that made the layer
//! digests (cog's pkg/model/envelope.go). Equal envelopes mean cog packs the same files into the
//! same layers; cognix writes cog's value because it packs by the same rules.

use cognix_io::digest::Digest;
use serde::Serialize;

use crate::oci::{MEDIA_TYPE_LAYER_TAR, MEDIA_TYPE_LAYER_TAR_GZIP};
use crate::{encode, pack};

/// Bumped by cog when the layer bytes change in a way the settings do not show (tar header
/// details, file order, the compressor).
const REVISION: u32 = 1;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Envelope {
    bundle_file_max: u64,
    bundle_size_max: u64,
    gzip_level_bundle: i32,
    gzip_level_large: i32,
    incompressible_exts: [&'static str; 7],
    media_type_compressed: &'static str,
    media_type_raw: &'static str,
    revision: u32,
}

/// `sha256:…` of the settings' JSON.
pub fn format() -> String {
    Digest::of(&encode::compact(&Envelope {
        bundle_file_max: pack::BUNDLE_FILE_MAX,
        bundle_size_max: pack::BUNDLE_SIZE_MAX,
        gzip_level_bundle: pack::GZIP_LEVEL_BUNDLE,
        gzip_level_large: pack::GZIP_LEVEL_LARGE,
        incompressible_exts: pack::INCOMPRESSIBLE_EXTS,
        media_type_compressed: MEDIA_TYPE_LAYER_TAR_GZIP,
        media_type_raw: MEDIA_TYPE_LAYER_TAR,
        revision: REVISION,
    }))
    .into()
}

#[cfg(test)]
mod tests {
    #[test]
    fn is_cogs() {
        // cog's pkg/model/envelope_test.go, defaultEnvelopeFormatDigest.
        assert_eq!(super::format(), "sha256:ce2d53f8dd962ace393450e0abadbe227304897be87753a503b61f9c8525726e");
    }
}
