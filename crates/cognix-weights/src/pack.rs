//! How a weight's files are packed into layers, by cog's rules (pkg/model/packer.go, spec §1.2):
//! files under 64 MiB are bundled in path order into gzip layers of at most 256 MiB; each larger
//! file gets a layer of its own, uncompressed when its extension says the content is already
//! dense. Bundles come first. A pure function of the file list: no bytes are read here.

use crate::oci::{MEDIA_TYPE_LAYER_TAR, MEDIA_TYPE_LAYER_TAR_GZIP};

/// Files at least this large get a layer of their own.
pub const BUNDLE_FILE_MAX: u64 = 64 * 1024 * 1024;
/// A bundle stops growing before it passes this many bytes of files.
pub const BUNDLE_SIZE_MAX: u64 = 256 * 1024 * 1024;
/// gzip levels, as Go's compress/gzip numbers them (-1 is its default, level 6).
pub const GZIP_LEVEL_BUNDLE: i32 = 9;
pub const GZIP_LEVEL_LARGE: i32 = -1;
/// Extensions of formats gzip cannot shrink, sorted.
pub const INCOMPRESSIBLE_EXTS: [&str; 7] = [".bin", ".gguf", ".onnx", ".parquet", ".pt", ".pth", ".safetensors"];

/// A file to pack: its path in the weight, size and content digest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Item {
    pub path: String,
    pub size: u64,
    pub digest: String,
}

/// One planned layer: its files in tar order, and whether it is gzip-compressed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Planned {
    pub files: Vec<Item>,
    pub media_type: &'static str,
}

impl Planned {
    pub fn gzip(&self) -> bool {
        self.media_type == MEDIA_TYPE_LAYER_TAR_GZIP
    }

    /// cog's gzip level for this layer: best for bundles, the default for a large file.
    pub fn gzip_level(&self) -> u32 {
        let go_level = if self.files.len() > 1 { GZIP_LEVEL_BUNDLE } else { GZIP_LEVEL_LARGE };
        // Go's -1 (DefaultCompression) is level 6.
        u32::try_from(go_level).unwrap_or(6)
    }

    /// The sum of the file sizes (`sizeUncompressed`).
    pub fn size_uncompressed(&self) -> u64 {
        self.files.iter().map(|f| f.size).sum()
    }
}

/// The layers for `files` (any order), bundles first, then the large files in the given order.
pub fn plan(files: &[Item]) -> Vec<Planned> {
    let (mut small, large): (Vec<&Item>, Vec<&Item>) = files.iter().partition(|f| f.size < BUNDLE_FILE_MAX);
    small.sort_by(|a, b| a.path.cmp(&b.path));

    let mut layers = Vec::new();
    let mut bundle: Vec<Item> = Vec::new();
    let mut bundle_size = 0;
    for file in small {
        // A lone file larger than the cap still makes a bundle of its own.
        if bundle_size > 0 && bundle_size + file.size > BUNDLE_SIZE_MAX {
            layers.push(Planned { files: std::mem::take(&mut bundle), media_type: MEDIA_TYPE_LAYER_TAR_GZIP });
            bundle_size = 0;
        }
        bundle_size += file.size;
        bundle.push(file.clone());
    }
    if !bundle.is_empty() {
        layers.push(Planned { files: bundle, media_type: MEDIA_TYPE_LAYER_TAR_GZIP });
    }
    for file in large {
        let media_type = if incompressible(&file.path) { MEDIA_TYPE_LAYER_TAR } else { MEDIA_TYPE_LAYER_TAR_GZIP };
        layers.push(Planned { files: vec![file.clone()], media_type });
    }
    layers
}

/// Go's `strings.ToLower(filepath.Ext(path))` is in the list.
fn incompressible(path: &str) -> bool {
    let base = path.rsplit('/').next().unwrap_or(path);
    base.rfind('.').is_some_and(|dot| INCOMPRESSIBLE_EXTS.contains(&base[dot..].to_lowercase().as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIB: u64 = 1024 * 1024;

    fn item(path: &str, size: u64) -> Item {
        Item { path: path.into(), size, digest: format!("sha256:{path}") }
    }

    fn shape(layers: &[Planned]) -> Vec<(Vec<&str>, &str)> {
        layers.iter().map(|l| (l.files.iter().map(|f| f.path.as_str()).collect(), if l.gzip() { "gz" } else { "tar" })).collect()
    }

    #[test]
    fn bundles_first_then_one_layer_per_large_file() {
        let files =
            [item("z.safetensors", 64 * MIB), item("b.json", 10), item("a.json", 20), item("big.txt", 100 * MIB), item("m.PT", 70 * MIB)];
        assert_eq!(
            shape(&plan(&files)),
            [(vec!["a.json", "b.json"], "gz"), (vec!["z.safetensors"], "tar"), (vec!["big.txt"], "gz"), (vec!["m.PT"], "tar")]
        );
    }

    #[test]
    fn bundles_stop_at_256_mib() {
        let files: Vec<Item> = (0..9).map(|i| item(&format!("f{i}"), 60 * MIB)).collect();
        let layers = plan(&files);
        assert_eq!(layers.iter().map(|l| l.files.len()).collect::<Vec<_>>(), [4, 4, 1]);
        assert_eq!(layers[0].size_uncompressed(), 240 * MIB);
        assert_eq!(layers[0].gzip_level(), 9);
        assert_eq!(layers[2].gzip_level(), 6);
    }

    #[test]
    fn extensions() {
        assert!(incompressible("dir.bin/model.GGUF"));
        assert!(!incompressible("dir.bin/model"));
        assert!(!incompressible(".bin/x"));
        assert!(incompressible("weights/.bin"));
    }
}
