//! cog's compatibility tables (`lib/compat/*.json`, copied from cog with their provenance in
//! `lib/compat/SOURCE.md`) and the lookups cog's resolution makes in them (cog-spec §10.1).
//! The default mode adds cognix's legacy tables (`lib/compat/*_legacy.json`: torch 1.0–1.10,
//! TensorFlow releases cog dropped, CUDA 8–10 images), so models cog no longer builds resolve to
//! the CUDA their wheels were built for; `--strict` reads cog's tables alone. The Nix library
//! reads the same files. `Mode`, the choice between cognix's defaults and cog's decisions, lives
//! here because the tables are where the two first differ. In: the mode; out: its tables.

use std::sync::OnceLock;

use serde::Deserialize;

use crate::version;

/// cognix's defaults, or cog's decisions exactly (`--strict`). docs/compatibility.md lists the
/// differences.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Default,
    Strict,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TorchRow {
    pub torch: String,
    pub torchvision: String,
    pub torchaudio: String,
    pub find_links: String,
    #[serde(rename = "ExtraIndexURL")]
    pub extra_index_url: String,
    #[serde(rename = "CUDA")]
    pub cuda: Option<String>,
}

impl TorchRow {
    /// The torch version without its `+cu118`/`+cpu` local tag.
    pub fn torch_version(&self) -> &str {
        version::strip_modifier(&self.torch)
    }

    pub fn torchvision_version(&self) -> &str {
        version::strip_modifier(&self.torchvision)
    }
}

#[derive(Debug)]
pub struct TfRow {
    pub tf: String,
    /// `major.minor`.
    pub cuda: String,
    /// The major number only, as nvidia/cuda image tags carry it.
    pub cudnn: String,
    /// What a GPU build installs: `tensorflow-gpu==1.15.5` for the releases that had a separate
    /// GPU package, `tensorflow==<TF>` since.
    pub gpu_package: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CudaImage {
    pub tag: String,
    #[serde(rename = "CUDA")]
    pub cuda: String,
    #[serde(rename = "CuDNN")]
    pub cudnn: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RawTf {
    #[serde(rename = "TF")]
    tf: String,
    #[serde(rename = "CUDA")]
    cuda: String,
    #[serde(rename = "CuDNN")]
    cudnn: String,
    #[serde(rename = "TFGPUPackage")]
    gpu_package: String,
}

pub struct Tables {
    pub torch: Vec<TorchRow>,
    pub tf: Vec<TfRow>,
    pub cuda: Vec<CudaImage>,
}

const TORCH_JSON: &str = include_str!("../../../lib/compat/torch_compatibility.json");
const TF_JSON: &str = include_str!("../../../lib/compat/tf_compatibility.json");
const CUDA_JSON: &str = include_str!("../../../lib/compat/cuda_compatibility.json");
const TORCH_LEGACY_JSON: &str = include_str!("../../../lib/compat/torch_legacy.json");
const TF_LEGACY_JSON: &str = include_str!("../../../lib/compat/tf_legacy.json");
const CUDA_LEGACY_JSON: &str = include_str!("../../../lib/compat/cuda_legacy.json");

/// The tables of a mode, parsed once: cog's for `--strict`, cog's and cognix's legacy rows
/// otherwise.
///
/// # Panics
/// When a compiled-in table does not parse: a build defect that the unit tests catch, never a
/// user error.
pub fn tables(mode: Mode) -> &'static Tables {
    static STRICT: OnceLock<Tables> = OnceLock::new();
    static DEFAULT: OnceLock<Tables> = OnceLock::new();
    match mode {
        Mode::Strict => STRICT.get_or_init(|| load(&[TORCH_JSON], &[TF_JSON], &[CUDA_JSON])),
        Mode::Default => {
            DEFAULT.get_or_init(|| load(&[TORCH_JSON, TORCH_LEGACY_JSON], &[TF_JSON, TF_LEGACY_JSON], &[CUDA_JSON, CUDA_LEGACY_JSON]))
        }
    }
}

fn rows<T: serde::de::DeserializeOwned>(files: &[&str]) -> Vec<T> {
    files.iter().flat_map(|json| serde_json::from_str::<Vec<T>>(json).expect("a lib/compat table parses")).collect()
}

fn load(torch: &[&str], tf: &[&str], cuda: &[&str]) -> Tables {
    let cuda: Vec<CudaImage> = rows(cuda);
    // cog drops torch rows whose CUDA has no base image (the CUDA 10.2 wheels, in cog's tables).
    let torch = rows::<TorchRow>(torch)
        .into_iter()
        .filter(|row| row.cuda.as_ref().is_none_or(|c| cuda.iter().any(|image| version::matches(c, &image.cuda))))
        .collect();
    let tf = rows::<RawTf>(tf)
        .into_iter()
        .map(|row| TfRow {
            tf: row.tf,
            cuda: version::strip_patch(&row.cuda),
            cudnn: row.cudnn.split('.').next().unwrap_or_default().to_owned(),
            gpu_package: row.gpu_package,
        })
        .collect();
    Tables { torch, tf, cuda }
}

impl Tables {
    /// cuDNN majors of every base image whose CUDA matches (duplicates kept, as cog lists them).
    pub fn compatible_cudnns(&self, cuda: &str) -> Vec<String> {
        self.cuda.iter().filter(|i| version::matches(cuda, &i.cuda)).map(|i| i.cudnn.clone()).collect()
    }

    /// The newest cuDNN for a CUDA version; `None` when cog knows no image for it.
    pub fn latest_cudnn(&self, cuda: &str) -> Option<String> {
        self.compatible_cudnns(cuda).into_iter().reduce(|a, b| if version::greater(&b, &a) { b } else { a })
    }

    /// CUDA versions of the GPU wheels of a torch version (cog's `cudasFromTorch`): a `+cuXY` tag
    /// that names a known wheel wins; otherwise every CUDA with a wheel, sorted as strings.
    pub fn cudas_for_torch(&self, torch: &str) -> Vec<String> {
        let (tag_cuda, base) = cuda_from_local_tag(torch);
        if let Some(tag_cuda) = tag_cuda {
            let known =
                self.torch.iter().any(|row| row.cuda.as_deref() == Some(tag_cuda.as_str()) && version::matches(base, row.torch_version()));
            if known {
                return vec![tag_cuda];
            }
        }
        let mut cudas: Vec<String> =
            self.torch.iter().filter(|row| version::matches(base, row.torch_version())).filter_map(|row| row.cuda.clone()).collect();
        cudas.sort();
        cudas
    }

    pub fn tf_row(&self, tf: &str) -> Option<&TfRow> {
        self.tf.iter().find(|row| row.tf == tf)
    }

    /// The image CUDA version of the same `major.minor` nearest to `cuda` by patch (the newer on a
    /// tie), for a patch release no image has (`11.5.1`); `None` when no image has that minor.
    pub fn nearest_patch(&self, cuda: &str) -> Option<&str> {
        let patch = |v: &str| v.split('.').nth(2).and_then(|p| p.parse::<i64>().ok()).unwrap_or(0);
        let wanted = patch(cuda);
        self.cuda
            .iter()
            .map(|image| image.cuda.as_str())
            .filter(|image| version::equal_minor(image, cuda))
            .min_by_key(|image| ((patch(image) - wanted).abs(), -patch(image)))
    }

    /// The newest torch version in the table, the one an unpinned torch resolves as.
    pub fn newest_torch(&self) -> &str {
        self.torch.iter().map(TorchRow::torch_version).reduce(|a, b| if version::greater(b, a) { b } else { a }).unwrap_or_default()
    }
}

/// `2.0.1+cu118` → (`Some("11.8")`, `2.0.1`); anything else → (`None`, the input).
fn cuda_from_local_tag(torch: &str) -> (Option<String>, &str) {
    let parts: Vec<&str> = torch.split('+').collect();
    if parts.len() > 1 {
        if let Some(digits) = parts[parts.len() - 1].strip_prefix("cu") {
            if digits.len() >= 2 && digits.is_char_boundary(digits.len() - 1) {
                let (major, minor) = digits.split_at(digits.len() - 1);
                return (Some(format!("{major}.{minor}")), parts[0]);
            }
        }
    }
    (None, torch)
}

/// The greatest of several CUDA versions (numerically).
pub fn latest_cuda(cudas: &[String]) -> Option<&str> {
    cudas.iter().map(String::as_str).reduce(|a, b| if version::greater(b, a) { b } else { a })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_load_and_drop_cuda_10_rows() {
        let t = tables(Mode::Strict);
        assert_eq!(t.torch.len(), 93);
        assert_eq!(t.tf.len(), 18);
        assert_eq!(t.cuda.len(), 83);
        assert!(t.torch.iter().all(|r| r.cuda.as_deref() != Some("10.2")));
    }

    #[test]
    fn default_mode_adds_the_legacy_rows() {
        let t = tables(Mode::Default);
        assert!(t.torch.len() > tables(Mode::Strict).torch.len());
        assert_eq!(t.cudas_for_torch("1.8.1"), ["10.1", "10.2", "11.1"]);
        assert_eq!(t.cudas_for_torch("1.7.1+cu110"), ["11.0"]);
        let tf = t.tf_row("1.15.5").unwrap();
        assert_eq!((tf.cuda.as_str(), tf.cudnn.as_str(), tf.gpu_package.as_str()), ("10.0", "7", "tensorflow-gpu==1.15.5"));
        assert_eq!(t.latest_cudnn("10.2").as_deref(), Some("8"));
        assert!(tables(Mode::Strict).tf_row("1.15.5").is_none());
    }

    #[test]
    fn nearest_patch_of_the_same_minor() {
        let t = tables(Mode::Strict);
        assert_eq!(t.nearest_patch("11.8.2"), Some("11.8.0"));
        assert_eq!(t.nearest_patch("12.7.1"), None);
        assert_eq!(t.nearest_patch("11.5.1").map(|v| version::equal_minor(v, "11.5")), Some(true));
    }

    #[test]
    fn cudas_for_torch_follows_cog() {
        let t = tables(Mode::Strict);
        assert_eq!(t.cudas_for_torch("2.0.1"), ["11.7", "11.8"]);
        assert_eq!(t.cudas_for_torch("2.0.1+cu118"), ["11.8"]);
        assert_eq!(t.cudas_for_torch("2.0.1+cu121"), ["11.7", "11.8"]);
        assert_eq!(t.cudas_for_torch("1.11.0"), ["11.3"]);
        assert!(t.cudas_for_torch("0.4.1").is_empty());
        assert_eq!(t.cudas_for_torch("2.3"), ["11.8", "11.8", "12.1", "12.1"]);
    }

    #[test]
    fn cudnn_lookup() {
        let t = tables(Mode::Strict);
        assert_eq!(t.latest_cudnn("11.8").as_deref(), Some("8"));
        assert_eq!(t.latest_cudnn("12.4").as_deref(), Some("9"));
        assert_eq!(t.latest_cudnn("12.7"), None);
        assert_eq!(t.compatible_cudnns("12.4"), ["9", "9"]);
    }

    #[test]
    fn tf_rows_are_reduced() {
        let row = tables(Mode::Strict).tf_row("2.16.1").unwrap();
        assert_eq!((row.cuda.as_str(), row.cudnn.as_str(), row.gpu_package.as_str()), ("12.3", "8", "tensorflow==2.16.1"));
        assert!(tables(Mode::Strict).tf_row("2.16.0").is_none());
    }

    #[test]
    fn newest_torch() {
        assert_eq!(tables(Mode::Strict).newest_torch(), "2.11.0");
        assert_eq!(tables(Mode::Default).newest_torch(), "2.11.0");
        assert_eq!(latest_cuda(&["11.8".into(), "12.1".into(), "11.10".into()]), Some("12.1"));
    }
}
