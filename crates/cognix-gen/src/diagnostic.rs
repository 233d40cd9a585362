//! Every message cognix-gen prints about a cog project: one enum of kinds with an exhaustive
//! `code()`, `severity()` and `message()`, and a location (`file:line:column`) plus the cog.yaml
//! key it concerns on every diagnostic.
//!
//! Where cog has a message for a case, `message()` returns cog's own wording (cog-spec §3–§11), so
//! a user who searches for the text finds cog's documentation and issues.

use std::fmt::{self, Write as _};

use serde::Serialize;

/// How bad a diagnostic is. Errors stop generation; warnings are printed and recorded in the
/// `warnings` list of `resolve --json`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        })
    }
}

/// A 1-based line and column (columns count characters, not bytes).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Pos {
    pub line: usize,
    pub column: usize,
}

impl Pos {
    pub const START: Pos = Pos { line: 1, column: 1 };
    /// No place in the file: a message about the file (or path) as a whole.
    pub const NONE: Pos = Pos { line: 0, column: 0 };

    pub fn new(line: usize, column: usize) -> Pos {
        Pos { line, column }
    }
}

/// What went wrong, with the data the message needs. Codes are stable: scripts and docs refer to
/// them. `CG0xx` input and YAML, `CG1xx` cog's validation, `CG2xx` CUDA/framework resolution,
/// `CG3xx` requirements, `CG4xx` system packages, `CG5xx` run commands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Kind {
    // --- input and YAML -------------------------------------------------------------------
    ConfigNotFound {
        dir: String,
    },
    PathNotFound,
    FileRead {
        reason: String,
    },
    FileTooLarge {
        size: u64,
        limit: u64,
    },
    InvalidUtf8,
    NulByte,
    NulInValue,
    YamlSyntax {
        message: String,
    },
    DuplicateKey {
        key: String,
        first_line: usize,
    },
    AliasBudget {
        limit: usize,
    },
    TooDeep {
        limit: usize,
    },
    ScalarTooLong {
        length: usize,
        limit: usize,
    },
    ComplexKey,
    TypeMismatch {
        found: String,
        expected: &'static str,
    },
    RunItemType {
        found: &'static str,
    },
    RunItemMapping {
        text: String,
    },
    WeightSourceShape {
        found: String,
    },
    UnknownKey {
        suggestion: Option<String>,
    },
    RemovedKey {
        note: &'static str,
    },
    ExtraDocuments,
    PathOutsideProject {
        path: String,
    },

    // --- cog's validation (cog-spec §4–§7) -------------------------------------------------
    SchemaError {
        field: String,
        message: String,
    },
    RunPredictConflict,
    ReferenceFormat {
        field: &'static str,
        value: String,
        example: &'static str,
    },
    PythonVersionRequired,
    PythonVersionFormat {
        value: String,
        problem: &'static str,
    },
    PythonVersionTooOld {
        value: String,
    },
    PythonVersionTooOldAccepted {
        value: String,
    },
    PythonPatchIgnored {
        value: String,
        used: String,
    },
    PythonVersionUnset,
    PackagesAndRequirements,
    RequirementsMissing {
        path: String,
    },
    CudaFormat {
        value: String,
        problem: &'static str,
    },
    CudaTooOld {
        value: String,
    },
    CudaTooOldAccepted {
        value: String,
    },
    CudaCudnnIncompatible {
        cuda: String,
        cudnn: String,
        compatible: Vec<String>,
    },
    TensorflowCudaIncompatible {
        tf: String,
        cuda: String,
        tf_cuda: String,
    },
    EnvironmentFormat {
        item: String,
    },
    EnvironmentReserved {
        name: String,
    },
    EnvironmentDuplicate {
        name: String,
    },
    ConcurrencyTooLow {
        value: i64,
    },
    ConcurrencyPython {
        value: i64,
    },
    ModelAndImage,
    ModelTagged {
        value: String,
    },
    ModelInvalid {
        value: String,
        reason: String,
    },
    WeightsNeedModel {
        image_set: bool,
    },
    WeightName {
        index: usize,
        value: Option<String>,
        problem: &'static str,
    },
    WeightSourceMissing {
        index: usize,
    },
    WeightPattern {
        field: String,
        value: Option<String>,
        problem: &'static str,
    },
    WeightTarget {
        index: usize,
        value: Option<String>,
        problem: String,
    },
    Deprecated {
        field: &'static str,
        replacement: &'static str,
    },
    SdkTooOld {
        value: String,
    },
    SdkPrerelease,
    SdkInvalid {
        value: String,
    },

    // --- resolution (cog-spec §10–§11) -----------------------------------------------------
    CudaUnsupported {
        cuda: String,
    },
    CudaCudnnUnsupported {
        cuda: String,
        cudnn: String,
        compatible: Vec<String>,
    },
    CudaMinorInvalid {
        value: String,
    },
    /// `strict`: cog's words (its advice is to upgrade cog); otherwise cognix's.
    TorchUnknown {
        torch: String,
        strict: bool,
    },
    TensorflowUnknown {
        tf: String,
        strict: bool,
    },
    TorchVersionRequired,
    TorchUnpinnedAccepted {
        assumed: String,
    },
    TorchNewerAssumed {
        torch: String,
        assumed: String,
        cuda: String,
    },
    CudaPatchMapped {
        written: String,
        used: String,
    },
    TorchCudaUnknown {
        cuda: String,
        torch: String,
        suggestion: Option<String>,
    },
    TensorflowCudaUnknown {
        cuda: String,
        tf: String,
        suggestion: Option<String>,
    },
    TensorflowCudnn {
        cudnn: String,
        tf: String,
        tf_cudnn: String,
    },
    TorchvisionCudaUnknown {
        cuda: String,
        torchvision: String,
    },

    // --- requirements (cog-spec §8) --------------------------------------------------------
    LocalRequirement {
        message: String,
    },
    SdkInRequirements {
        line: String,
    },
    RequirementInvalid {
        line: String,
        reason: String,
    },
    RequirementOptionIgnored {
        option: String,
        reason: &'static str,
    },
    RequirementHashDropped {
        line: String,
    },

    // --- system packages -------------------------------------------------------------------
    SystemPackageUnknown {
        name: String,
        suggestions: Vec<String>,
    },
    SystemPackageUnknownAccepted {
        name: String,
        suggestions: Vec<String>,
    },
    SystemPackageDropped {
        name: String,
        reason: String,
    },
    AptFlagDropped {
        flag: String,
    },
    AptVersionDropped {
        name: String,
        spec: String,
    },

    // --- run commands ----------------------------------------------------------------------
    RunNewline {
        command: String,
    },
    FetchNeedsHash {
        url: String,
        destination: String,
    },
    FetchViaLock {
        url: String,
    },
    RunNeedsNetwork {
        tool: String,
    },
    RunShellExpansion {
        word: String,
    },
    RunPipIgnored {
        what: String,
    },
    RunSecretMount {
        id: String,
    },
}

impl Kind {
    /// The stable code printed in brackets, e.g. `CG101`.
    #[allow(clippy::match_same_arms)]
    pub fn code(&self) -> &'static str {
        match self {
            Kind::ConfigNotFound { .. } => "CG001",
            Kind::PathNotFound => "CG021",
            Kind::FileRead { .. } => "CG002",
            Kind::FileTooLarge { .. } => "CG003",
            Kind::InvalidUtf8 => "CG004",
            Kind::NulByte => "CG005",
            Kind::NulInValue => "CG020",
            Kind::YamlSyntax { .. } => "CG006",
            Kind::DuplicateKey { .. } => "CG007",
            Kind::AliasBudget { .. } => "CG008",
            Kind::TooDeep { .. } => "CG009",
            Kind::ScalarTooLong { .. } => "CG010",
            Kind::ComplexKey => "CG011",
            Kind::TypeMismatch { .. } => "CG012",
            Kind::RunItemType { .. } => "CG013",
            Kind::RunItemMapping { .. } => "CG019",
            Kind::WeightSourceShape { .. } => "CG014",
            Kind::UnknownKey { .. } => "CG015",
            Kind::RemovedKey { .. } => "CG016",
            Kind::ExtraDocuments => "CG017",
            Kind::PathOutsideProject { .. } => "CG018",

            Kind::SchemaError { .. } => "CG100",
            Kind::RunPredictConflict => "CG101",
            Kind::ReferenceFormat { .. } => "CG102",
            Kind::PythonVersionRequired => "CG103",
            Kind::PythonVersionFormat { .. } => "CG104",
            Kind::PythonVersionTooOld { .. } => "CG105",
            Kind::PythonVersionTooOldAccepted { .. } => "CG106",
            Kind::PythonPatchIgnored { .. } => "CG107",
            Kind::PythonVersionUnset => "CG108",
            Kind::PackagesAndRequirements => "CG109",
            Kind::RequirementsMissing { .. } => "CG110",
            Kind::CudaFormat { .. } => "CG111",
            Kind::CudaTooOld { .. } => "CG112",
            Kind::CudaTooOldAccepted { .. } => "CG132",
            Kind::CudaCudnnIncompatible { .. } => "CG113",
            Kind::TensorflowCudaIncompatible { .. } => "CG114",
            Kind::EnvironmentFormat { .. } => "CG115",
            Kind::EnvironmentReserved { .. } => "CG116",
            Kind::EnvironmentDuplicate { .. } => "CG117",
            Kind::ConcurrencyTooLow { .. } => "CG118",
            Kind::ConcurrencyPython { .. } => "CG119",
            Kind::ModelAndImage => "CG120",
            Kind::ModelTagged { .. } => "CG121",
            Kind::ModelInvalid { .. } => "CG122",
            Kind::WeightsNeedModel { .. } => "CG123",
            Kind::WeightName { .. } => "CG124",
            Kind::WeightSourceMissing { .. } => "CG125",
            Kind::WeightPattern { .. } => "CG126",
            Kind::WeightTarget { .. } => "CG127",
            Kind::Deprecated { .. } => "CG128",
            Kind::SdkTooOld { .. } => "CG129",
            Kind::SdkPrerelease => "CG130",
            Kind::SdkInvalid { .. } => "CG131",

            Kind::CudaUnsupported { .. } => "CG201",
            Kind::CudaCudnnUnsupported { .. } => "CG202",
            Kind::CudaMinorInvalid { .. } => "CG203",
            Kind::TorchUnknown { .. } => "CG204",
            Kind::TensorflowUnknown { .. } => "CG205",
            Kind::TorchVersionRequired => "CG206",
            Kind::TorchUnpinnedAccepted { .. } => "CG207",
            Kind::TorchCudaUnknown { .. } => "CG208",
            Kind::TensorflowCudaUnknown { .. } => "CG209",
            Kind::TensorflowCudnn { .. } => "CG210",
            Kind::TorchvisionCudaUnknown { .. } => "CG211",
            Kind::TorchNewerAssumed { .. } => "CG212",
            Kind::CudaPatchMapped { .. } => "CG213",

            Kind::LocalRequirement { .. } => "CG301",
            Kind::SdkInRequirements { .. } => "CG302",
            Kind::RequirementInvalid { .. } => "CG303",
            Kind::RequirementOptionIgnored { .. } => "CG304",
            Kind::RequirementHashDropped { .. } => "CG305",

            Kind::SystemPackageUnknown { .. } => "CG401",
            Kind::SystemPackageDropped { .. } => "CG402",
            Kind::AptFlagDropped { .. } => "CG403",
            Kind::AptVersionDropped { .. } => "CG404",
            Kind::SystemPackageUnknownAccepted { .. } => "CG405",

            Kind::RunNewline { .. } => "CG501",
            Kind::FetchNeedsHash { .. } => "CG502",
            Kind::FetchViaLock { .. } => "CG503",
            Kind::RunNeedsNetwork { .. } => "CG504",
            Kind::RunShellExpansion { .. } => "CG505",
            Kind::RunPipIgnored { .. } => "CG506",
            Kind::RunSecretMount { .. } => "CG507",
        }
    }

    #[allow(clippy::match_same_arms)]
    pub fn severity(&self) -> Severity {
        match self {
            Kind::UnknownKey { .. }
            | Kind::RemovedKey { .. }
            | Kind::ExtraDocuments
            | Kind::PythonVersionTooOldAccepted { .. }
            | Kind::PythonPatchIgnored { .. }
            | Kind::PythonVersionUnset
            | Kind::Deprecated { .. }
            | Kind::SdkPrerelease
            | Kind::TorchUnpinnedAccepted { .. }
            | Kind::TorchNewerAssumed { .. }
            | Kind::CudaPatchMapped { .. }
            | Kind::CudaTooOldAccepted { .. }
            | Kind::TorchCudaUnknown { .. }
            | Kind::TensorflowCudaUnknown { .. }
            | Kind::TorchvisionCudaUnknown { .. }
            | Kind::SdkInRequirements { .. }
            | Kind::RequirementInvalid { .. }
            | Kind::RequirementOptionIgnored { .. }
            | Kind::RequirementHashDropped { .. }
            | Kind::SystemPackageDropped { .. }
            | Kind::SystemPackageUnknownAccepted { .. }
            | Kind::AptFlagDropped { .. }
            | Kind::AptVersionDropped { .. }
            | Kind::FetchNeedsHash { .. }
            | Kind::FetchViaLock { .. }
            | Kind::RunNeedsNetwork { .. }
            | Kind::RunShellExpansion { .. }
            | Kind::RunPipIgnored { .. }
            | Kind::RunSecretMount { .. } => Severity::Warning,
            _ => Severity::Error,
        }
    }

    /// The message, in cog's words where cog has words for the case.
    #[allow(clippy::too_many_lines)]
    pub fn message(&self, key: &str) -> String {
        match self {
            Kind::ConfigNotFound { dir } => {
                format!("cog.yaml not found in {dir} or any parent directory; run cognix-gen in a cog project, or name its directory or YAML file")
            }
            Kind::PathNotFound => "no such file or directory".to_owned(),
            Kind::FileRead { reason } => format!("cannot read file: {reason}"),
            Kind::FileTooLarge { size, limit } => format!(
                "file is {size} bytes, more than the {limit} bytes cognix-gen accepts; a real cog.yaml or requirements file is a few kilobytes"
            ),
            Kind::InvalidUtf8 => "file is not valid UTF-8".to_owned(),
            Kind::NulByte => "file contains a NUL byte".to_owned(),
            Kind::NulInValue => format!("{}value contains a NUL character (written as an escape), which no Nix string can hold", prefix(key)),
            Kind::YamlSyntax { message } => format!("invalid YAML: {message}"),
            Kind::DuplicateKey { key, first_line } => {
                format!("invalid YAML: mapping key {} already defined at line {first_line}", go_quote(key))
            }
            Kind::AliasBudget { limit } => format!(
                "invalid YAML: aliases expand to more than {limit} nodes; cognix-gen refuses documents that grow when their aliases are expanded (\"billion laughs\")"
            ),
            Kind::TooDeep { limit } => format!("invalid YAML: nesting is deeper than {limit} levels"),
            Kind::ScalarTooLong { length, limit } => format!(
                "{key}: value is {length} characters long, more than the {limit} any cog.yaml field needs"
            ),
            Kind::ComplexKey => format!("invalid YAML: {key}: mapping keys must be plain strings"),
            Kind::TypeMismatch { found, expected } => {
                format!("invalid YAML: {}cannot construct {found} into {expected}", prefix(key))
            }
            Kind::RunItemType { found } => {
                format!("invalid YAML: {key}: unexpected type {found} for runItemFile")
            }
            Kind::RunItemMapping { text } => format!(
                "{key}: YAML reads this item as a mapping, not a command, because it contains \": \" ({}). Quote the whole command, or write it as a folded block (`- >-` and the command on the next line)",
                go_quote(text)
            ),
            Kind::WeightSourceShape { found } => format!(
                "invalid YAML: {key}: source must be an object or array of objects: cannot construct {found} into WeightSourceConfig"
            ),
            Kind::UnknownKey { suggestion } => match suggestion {
                Some(s) => format!("unknown key \"{key}\" is ignored (cog ignores it too); did you mean \"{s}\"?"),
                None => format!("unknown key \"{key}\" is ignored (cog ignores it too)"),
            },
            Kind::RemovedKey { note } => format!("\"{key}\" is ignored: {note}"),
            Kind::ExtraDocuments => {
                "cog.yaml holds more than one YAML document; only the first is used, as cog does".to_owned()
            }
            Kind::PathOutsideProject { path } => format!(
                "{key} {}: the path must stay inside the project directory (after following symlinks)",
                go_quote(path)
            ),

            Kind::SchemaError { field, message } => {
                format!("schema error in {}: {message}", go_quote(field))
            }
            Kind::RunPredictConflict => "invalid run: only one of run or predict can be set".to_owned(),
            Kind::ReferenceFormat { field, value, example } => {
                format!("invalid {field} {}: must be in the form '{example}'", go_quote(value))
            }
            Kind::PythonVersionRequired => "invalid build.python_version: python_version is required. Add it to the build section of your cog.yaml, e.g. `python_version: \"3.13\"`".to_owned(),
            Kind::PythonVersionFormat { value, problem } => {
                format!("invalid build.python_version {}: {problem}", go_quote(value))
            }
            Kind::PythonVersionTooOld { value } => format!(
                "invalid build.python_version {}: minimum supported Python version is 3.10",
                go_quote(value)
            ),
            Kind::PythonVersionTooOldAccepted { value } => format!(
                "build.python_version {}: cog requires Python 3.10 or newer; cognix builds this CPython from source with cachix/nixpkgs-python when nixpkgs lacks it (use --strict to reject it like cog)",
                go_quote(value)
            ),
            Kind::PythonPatchIgnored { value, used } => format!(
                "build.python_version {}: the patch release is not a number; cognix uses the newest Python {used} (write e.g. \"{used}.4\" for an exact release)",
                go_quote(value)
            ),
            Kind::PythonVersionUnset => "build.python_version is not set; cog would build from \"python:-slim\" and fail, cognix uses the pinned nixpkgs' default python3. Add `python_version: \"3.12\"` to the build section to choose".to_owned(),
            Kind::PackagesAndRequirements => "invalid build: only one of python_packages or python_requirements can be set, not both".to_owned(),
            Kind::RequirementsMissing { path } => {
                format!("invalid build.python_requirements {}: file does not exist", go_quote(path))
            }
            Kind::CudaFormat { value, problem } => {
                format!("invalid build.cuda {}: {problem}", go_quote(value))
            }
            Kind::CudaTooOld { value } => format!(
                "invalid build.cuda {}: minimum supported CUDA version is 11",
                go_quote(value)
            ),
            Kind::CudaTooOldAccepted { value } => format!(
                "build.cuda {}: cog requires CUDA 11 or newer; cognix accepts it (torch and TensorFlow wheels of that age bring their CUDA libraries, the host's driver runs them), but nixpkgs has no CUDA package set this old, so cognix.cudaPackages is unavailable (use --strict to reject it like cog)",
                go_quote(value)
            ),
            Kind::CudaCudnnIncompatible { cuda, cudnn, compatible } => format!(
                "CUDA {cuda} is incompatible with CuDNN {cudnn}: compatible CuDNN versions are: {}",
                compatible.join(", ")
            ),
            Kind::TensorflowCudaIncompatible { tf, cuda, tf_cuda } => format!(
                "TensorFlow {tf} is incompatible with CUDA {cuda}: TensorFlow {tf} requires CUDA {tf_cuda}"
            ),
            Kind::EnvironmentFormat { item } => format!(
                "invalid environment: environment variable {} is not in the KEY=VALUE format",
                go_quote(item)
            ),
            Kind::EnvironmentReserved { name } => format!(
                "invalid environment: environment variable {} is not allowed: reserved for internal use",
                go_quote(name)
            ),
            Kind::EnvironmentDuplicate { name } => format!(
                "invalid environment: environment variable {} is already defined",
                go_quote(name)
            ),
            Kind::ConcurrencyTooLow { value } => {
                format!("invalid concurrency.max \"{value}\": must be at least 1")
            }
            Kind::ConcurrencyPython { value } => format!(
                "invalid concurrency.max \"{value}\": concurrency requires Python 3.11 or higher"
            ),
            Kind::ModelAndImage => "invalid model: 'model' and 'image' cannot both be set".to_owned(),
            Kind::ModelTagged { value } => format!(
                "invalid model {}: must be a bare repository — tags and digests are not allowed",
                go_quote(value)
            ),
            Kind::ModelInvalid { value, reason } => {
                format!("invalid model {}: invalid repository: {reason}", go_quote(value))
            }
            Kind::WeightsNeedModel { image_set: true } => {
                "invalid image: weights require 'model', not 'image' — rename 'image' to 'model'".to_owned()
            }
            Kind::WeightsNeedModel { image_set: false } => {
                "invalid model: weights require 'model' in cog.yaml — rename 'image' to 'model'".to_owned()
            }
            Kind::WeightName { index, value, problem } => {
                validation(&format!("weights[{index}].name"), value.as_deref(), problem)
            }
            Kind::WeightSourceMissing { index } => {
                format!("invalid weights[{index}].source: source is required")
            }
            Kind::WeightPattern { field, value, problem } => {
                validation(field, value.as_deref(), problem)
            }
            Kind::WeightTarget { index, value, problem } => {
                validation(&format!("weights[{index}].target"), value.as_deref(), problem)
            }
            Kind::Deprecated { field, replacement } => {
                format!("deprecated field \"{field}\": use \"{replacement}\" instead")
            }
            Kind::SdkTooOld { value } => {
                format!("cog version {value} is below the minimum required version 0.16.0")
            }
            Kind::SdkPrerelease => "sdk_version \"prerelease\" installs the latest pre-release SDK. Pin to a specific version for reproducible production builds.".to_owned(),
            Kind::SdkInvalid { value } => format!(
                "invalid build.sdk_version {}: not a PEP 440 version (e.g. \"0.18.0\") or \"prerelease\"",
                go_quote(value)
            ),

            Kind::CudaUnsupported { cuda } => format!("CUDA {cuda} is not supported by Cog"),
            Kind::CudaCudnnUnsupported { cuda, cudnn, compatible } => format!(
                "the specified CUDA version {cuda} is not compatible with CuDNN {cudnn}.\nCompatible CuDNN versions are: {}",
                compatible.join(",")
            ),
            Kind::CudaMinorInvalid { value } => {
                format!("invalid minor version in CUDA version {}", go_quote(value))
            }
            Kind::TorchUnknown { torch, strict: false } => format!(
                "cognix does not know which CUDA version torch=={torch} was built for, so it cannot choose one. Set it in cog.yaml's build section, `cuda: \"<major.minor>\"`; https://pytorch.org/get-started/previous-versions/ lists the CUDA versions of each release"
            ),
            Kind::TorchUnknown { torch, strict: true } => format!(
                "cog doesn't know what CUDA version is compatible with torch=={torch}. You might need to upgrade Cog: https://github.com/replicate/cog#upgrade\n\nIf that doesn't work, you need to set the 'cuda' option in cog.yaml to set what version to use. You might be able to find this out from https://pytorch.org/"
            ),
            Kind::TensorflowUnknown { tf, strict: false } => format!(
                "cognix does not know which CUDA version tensorflow=={tf} was built for, so it cannot choose one. Set it in cog.yaml's build section, `cuda: \"<major.minor>\"`; https://www.tensorflow.org/install/source#gpu lists the CUDA version of each release"
            ),
            Kind::TensorflowUnknown { tf, strict: true } => format!(
                "cog doesn't know what CUDA version is compatible with tensorflow=={tf}. You might need to upgrade Cog: https://github.com/replicate/cog#upgrade\n\nIf that doesn't work, you need to set the 'cuda' option in cog.yaml to set what version to use. You might be able to find this out from https://www.tensorflow.org/"
            ),
            Kind::TorchVersionRequired => "torch version must be specified when using CUDA".to_owned(),
            Kind::TorchNewerAssumed { torch, assumed, cuda } => format!(
                "torch=={torch} is newer than cognix's compatibility table (newest: torch {assumed}); cognix assumes CUDA {cuda}, the newest its wheels were built for. If torch {torch} needs another CUDA, set it in cog.yaml: `cuda: \"<major.minor>\"` in the build section (use --strict to reject it like cog)"
            ),
            Kind::CudaPatchMapped { written, used } => format!(
                "build.cuda {}: no CUDA image has this patch release; cognix uses {used}, the nearest of the same minor version (use --strict to reject it like cog)",
                go_quote(written)
            ),
            Kind::TorchUnpinnedAccepted { assumed } => format!(
                "torch has no version; cog refuses this on GPU builds (\"torch version must be specified when using CUDA\"). cognix resolves CUDA as for torch {assumed}, the newest torch cog knows, and lock.json pins the version pip picks (use --strict to reject it like cog)"
            ),
            Kind::TorchCudaUnknown { cuda, torch, suggestion } => with_try(
                format!("Cog doesn't know if CUDA {cuda} is compatible with PyTorch {torch}. This might cause CUDA problems."),
                suggestion.as_deref(),
            ),
            Kind::TensorflowCudaUnknown { cuda, tf, suggestion } => with_try(
                format!("Cog doesn't know if CUDA {cuda} is compatible with Tensorflow {tf}. This might cause CUDA problems."),
                suggestion.as_deref(),
            ),
            Kind::TensorflowCudnn { cudnn, tf, tf_cudnn } => format!(
                "the specified cuDNN version {cudnn} is not compatible with tensorflow=={tf}.\nCompatible cuDNN version is: {tf_cudnn}"
            ),
            Kind::TorchvisionCudaUnknown { cuda, torchvision } => format!(
                "Cog doesn't know if CUDA {cuda} is compatible with torchvision {torchvision}. This might cause CUDA problems."
            ),

            Kind::LocalRequirement { message } => message.clone(),
            Kind::SdkInRequirements { line } => format!(
                "'{line}' found in requirements — overriding with the cog SDK from build.sdk_version. Remove it from requirements and use build.sdk_version in cog.yaml to control the version."
            ),
            Kind::RequirementInvalid { line, reason } => format!(
                "{} is not a valid requirement ({reason}); pip will reject it when the lock file is made",
                go_quote(line)
            ),
            Kind::RequirementOptionIgnored { option, reason } => {
                format!("pip option {} is ignored: {reason}", go_quote(option))
            }
            Kind::RequirementHashDropped { line } => format!(
                "{}: --hash options are dropped; lock.json records the sha256 of every file pip picks",
                go_quote(line)
            ),

            Kind::SystemPackageUnknown { name, suggestions } => format!(
                "{key}: unknown system package {}: it is neither an apt package in lib/system-packages.json nor a known nixpkgs attribute{}. Map it in your cognix module (`cognix.aptPackages.{} = [ pkgs.<package> ];`) and leave out --strict, or add the mapping to lib/system-packages.json",
                go_quote(name),
                closest(suggestions),
                go_quote(name)
            ),
            Kind::SystemPackageUnknownAccepted { name, suggestions } => format!(
                "{key}: apt package {} is not in cognix's table (lib/system-packages.json){}. The image gets nixpkgs' package of that name if there is one; otherwise map it in your cognix module: `cognix.aptPackages.{} = [ pkgs.<package> ];`",
                go_quote(name),
                closest(suggestions),
                go_quote(name)
            ),
            Kind::SystemPackageDropped { name, reason } => {
                format!("{key}: apt package {} is left out: {reason}", go_quote(name))
            }
            Kind::AptFlagDropped { flag } => format!(
                "{key}: apt option {} is dropped; system_packages lists package names",
                go_quote(flag)
            ),
            Kind::AptVersionDropped { name, spec } => format!(
                "{key}: {} is pinned by nixpkgs, the apt qualifier {} is dropped",
                go_quote(name),
                go_quote(spec)
            ),

            Kind::RunNewline { command } => format!(
                "One of the commands in 'run' contains a new line, which won't work. You need to create a new list item in YAML prefixed with '-' for each command.\n\nThis is the offending line: {command}"
            ),
            Kind::FetchNeedsHash { url, destination } => format!(
                "{key}: downloads {url} to {destination} at build time. The Nix build has no network, so the download is a fixed-output fetch pinned in lock.json, which does not pin it yet: run the model's lock command (`cognix lock`, or `nix run .#lock`) and commit lock.json"
            ),
            Kind::FetchViaLock { url } => format!(
                "{key}: pip installs {url}; cognix adds it to the Python requirements, and lock.json pins its sha256 when you run the model's `.lock` app"
            ),
            Kind::RunNeedsNetwork { tool } => format!(
                "{key}: this command uses {tool} without saving a file cognix can pin; it runs without network in the Nix build and will fail there. Download to a file with curl -o or wget -O instead"
            ),
            Kind::RunShellExpansion { word } => format!(
                "{key}: {} depends on shell expansion that cognix-gen cannot evaluate ahead of time, so the download is kept as a plain build command (it has no network in the Nix build)",
                go_quote(word)
            ),
            Kind::RunPipIgnored { what } => format!("{key}: {what}"),
            Kind::RunSecretMount { id } => format!(
                "{key}: secret {} is mounted only while this command runs; cognix never copies secret contents into the Nix store or the image, so provide it with cognix.secrets.\"{id}\" (a path read at build time) in Nix",
                go_quote(id)
            ),
        }
    }
}

/// `key: ` in front of a message, or nothing for the document itself.
fn prefix(key: &str) -> String {
    if key.is_empty() {
        String::new()
    } else {
        format!("{key}: ")
    }
}

fn validation(field: &str, value: Option<&str>, problem: &str) -> String {
    match value {
        Some(value) => format!("invalid {field} {}: {problem}", go_quote(value)),
        None => format!("invalid {field}: {problem}"),
    }
}

fn with_try(message: String, suggestion: Option<&str>) -> String {
    match suggestion {
        Some(s) => format!("{message} Try {s} instead?"),
        None => message,
    }
}

/// The `Err` of a step that has reported why it failed: the caller stops, and the sink says why.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reported;

/// What every step of the pipeline reports into: the diagnostics so far, and the name of the
/// config file most of them are about. A step takes its input and `&mut Sink` and returns
/// `Result<T, Reported>`: `Err` when it has reported an error (after reporting every problem it
/// could find), `Ok` otherwise; warnings never stop a step. The few steps that can only warn
/// (`run::classify`, `lock::warn_unpinned`) return their value.
#[derive(Debug)]
pub struct Sink {
    file: String,
    diagnostics: Vec<Diagnostic>,
}

impl Sink {
    /// A sink for the project whose config file is `file` (`cog.yaml`, relative to the project).
    pub fn new(file: impl Into<String>) -> Sink {
        Sink { file: file.into(), diagnostics: Vec::new() }
    }

    /// The config file's name.
    pub fn file(&self) -> &str {
        &self.file
    }

    /// Reports a diagnostic about the config file, at `pos`, concerning the cog.yaml `key`.
    pub fn report(&mut self, kind: Kind, pos: Pos, key: &str) {
        let file = self.file.clone();
        self.report_in(&file, kind, pos, key);
    }

    /// Reports a diagnostic about another project file (a requirements file).
    pub fn report_in(&mut self, file: &str, kind: Kind, pos: Pos, key: &str) {
        self.diagnostics.push(Diagnostic::new(kind, file, pos, key));
    }

    /// Reports an error that ends the step: `return Err(sink.fail(kind, pos, key))`.
    pub fn fail(&mut self, kind: Kind, pos: Pos, key: &str) -> Reported {
        let file = self.file.clone();
        self.fail_in(&file, kind, pos, key)
    }

    /// `fail` for another project file.
    pub fn fail_in(&mut self, file: &str, kind: Kind, pos: Pos, key: &str) -> Reported {
        debug_assert_eq!(kind.severity(), Severity::Error, "a warning cannot end a step");
        self.report_in(file, kind, pos, key);
        Reported
    }

    /// `Ok(value)` unless an error has been reported: the end of a step that reports every
    /// problem it finds before it stops. The pipeline runs a step only when the steps before it
    /// reported no error, so the errors are the step's own.
    pub fn result<T>(&self, value: T) -> Result<T, Reported> {
        if self.diagnostics.iter().any(|d| d.severity() == Severity::Error) {
            Err(Reported)
        } else {
            Ok(value)
        }
    }

    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }

    pub fn into_diagnostics(self) -> Vec<Diagnostic> {
        self.diagnostics
    }
}

/// One message about one place in a project file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub kind: Kind,
    /// The file, relative to the project directory (`cog.yaml`, `requirements.txt`).
    pub file: String,
    pub pos: Pos,
    /// The cog.yaml key the diagnostic is about, as a path: `build.run[2]`.
    pub key: String,
}

/// "; closest known names: a, b" for a non-empty list of suggestions.
fn closest(suggestions: &[String]) -> String {
    if suggestions.is_empty() {
        String::new()
    } else {
        format!("; closest known names: {}", suggestions.join(", "))
    }
}

impl Diagnostic {
    pub fn new(kind: Kind, file: impl Into<String>, pos: Pos, key: impl Into<String>) -> Diagnostic {
        Diagnostic { kind, file: file.into(), pos, key: key.into() }
    }

    pub fn severity(&self) -> Severity {
        self.kind.severity()
    }

    pub fn message(&self) -> String {
        self.kind.message(&self.key)
    }

    /// `file:line:column: severity[CODE]: message`, with `prefix` (the project directory as the
    /// user wrote it) before the file name.
    pub fn render(&self, prefix: &str) -> String {
        let place = if self.pos == Pos::NONE { String::new() } else { format!(":{}:{}", self.pos.line, self.pos.column) };
        format!("{prefix}{}{place}: {}[{}]: {}", self.file, self.severity(), self.kind.code(), self.message())
    }

    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "code": self.kind.code(),
            "severity": self.severity(),
            "file": self.file,
            "line": (self.pos != Pos::NONE).then_some(self.pos.line),
            "column": (self.pos != Pos::NONE).then_some(self.pos.column),
            "key": self.key,
            "message": self.message(),
        })
    }
}

/// Go's `%q`: double quotes, backslash escapes for quotes, backslashes and non-printable
/// characters. cog formats values in its messages this way.
pub fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{b}' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if c.is_control() || c == '\u{feff}' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_quote_escapes_like_go() {
        assert_eq!(go_quote("3.10"), "\"3.10\"");
        assert_eq!(go_quote("a\"b\\c\n\t"), "\"a\\\"b\\\\c\\n\\t\"");
        assert_eq!(go_quote("\u{1}é"), "\"\\x01é\"");
    }

    #[test]
    fn render_has_location_code_and_cog_wording() {
        let d = Diagnostic::new(Kind::PythonVersionTooOld { value: "3.8".into() }, "cog.yaml", Pos::new(3, 19), "build.python_version");
        assert_eq!(
            d.render("examples/x/"),
            "examples/x/cog.yaml:3:19: error[CG105]: invalid build.python_version \"3.8\": minimum supported Python version is 3.10"
        );
    }

    #[test]
    fn every_code_is_unique_and_documented() {
        // The codes, read from `code()` above: each arm is `Kind::Name ... => "CGnnn",`.
        let source = include_str!("diagnostic.rs");
        let body = &source[source.find("pub fn code(&self)").unwrap()..source.find("pub fn severity(&self)").unwrap()];
        let codes: Vec<&str> = body.split('"').filter(|s| s.starts_with("CG") && s.len() == 5).collect();
        let docs = include_str!("../../../docs/diagnostics.md");
        let mut seen = std::collections::HashSet::new();
        for code in &codes {
            assert!(seen.insert(code), "{code} is used twice");
            assert_eq!(docs.matches(&format!("| `{code}` |")).count(), 1, "docs/diagnostics.md must list {code} once");
        }
        assert!(codes.len() >= 79, "the codes could not be read from code()");
    }
}
