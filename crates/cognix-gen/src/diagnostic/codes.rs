//! The table of every diagnostic cognix-gen reports about a cog project: one row per kind, in
//! code order, with its code, severity, variant (and the data its message needs), the sentence
//! docs/diagnostics.md shows for it, and its message. In: nothing (a table); out: `Kind` with
//! `code()`, `severity()` and `message()`, and `TABLE`, from which docs/diagnostics.md's tables
//! are generated (`COGNIX_UPDATE_DOCS=1 cargo test -p cognix-gen` rewrites them).
//!
//! Codes are stable: scripts and docs refer to them. `CG0xx` input and YAML, `CG1xx` cog's
//! validation, `CG2xx` CUDA/framework resolution, `CG3xx` requirements, `CG4xx` system packages,
//! `CG5xx` run commands. Where cog has a message for a case, the message is cog's own wording
//! (cog-spec §3–§11), so a user who searches for the text finds cog's documentation and issues.
//! A message may use `key`, the cog.yaml key of the diagnostic (`build.run[2]`).

use std::fmt::Write as _;

use super::Severity;

/// One row of the table, for docs/diagnostics.md.
#[derive(Clone, Copy, Debug)]
pub struct Row {
    pub code: &'static str,
    pub severity: Severity,
    /// When the diagnostic is reported, as docs/diagnostics.md says it.
    pub docs: &'static str,
}

impl Row {
    /// The row's anchor in docs/diagnostics.md (`docs/diagnostics.md#cg105`).
    pub fn anchor(&self) -> String {
        self.code.to_lowercase()
    }
}

/// Builds `Kind`, its `code()`, `severity()` and `message()`, and `TABLE` from the rows below, so
/// that everything about one diagnostic is written in one place.
macro_rules! diagnostics {
    (
        $key:ident;
        $(
            $(#[$meta:meta])*
            $code:literal $severity:ident $variant:ident $({ $($field:ident: $type:ty),* $(,)? })?
                when $docs:literal
                says $message:expr;
        )*
    ) => {
        /// What went wrong, with the data the message needs.
        #[derive(Clone, Debug, PartialEq, Eq)]
        pub enum Kind {
            $( $(#[$meta])* $variant $({ $($field: $type),* })?, )*
        }

        /// Every row, in code order.
        pub const TABLE: &[Row] = &[ $( Row { code: $code, severity: Severity::$severity, docs: $docs }, )* ];

        impl Kind {
            /// The stable code printed in brackets, e.g. `CG101`.
            pub fn code(&self) -> &'static str {
                match self { $( Kind::$variant { .. } => $code, )* }
            }

            pub fn severity(&self) -> Severity {
                match self { $( Kind::$variant { .. } => Severity::$severity, )* }
            }

            /// The message, in cog's words where cog has words for the case.
            pub fn message(&self, $key: &str) -> String {
                match self { $( Kind::$variant $({ $($field),* })? => $message, )* }
            }
        }
    };
}

diagnostics! { key;
    // --- input and YAML ------------------------------------------------------------------------
    "CG001" Error ConfigNotFound { dir: String }
        when "no cog.yaml in the directory given nor in its parents (cog searches them too)"
        says format!("cog.yaml not found in {dir} or any parent directory; run cognix-gen in a cog project, or name its directory or YAML file");
    "CG002" Error FileRead { reason: String }
        when "a file cannot be read"
        says format!("cannot read file: {reason}");
    "CG003" Error FileTooLarge { size: u64, limit: u64 }
        when "a file is larger than 1 MiB (refused before it is read)"
        says format!("file is {size} bytes, more than the {limit} bytes cognix-gen accepts; a real cog.yaml or requirements file is a few kilobytes");
    "CG004" Error InvalidUtf8
        when "a file is not UTF-8 (located at the first bad byte)"
        says "file is not valid UTF-8".to_owned();
    "CG005" Error NulByte
        when "a file contains a NUL byte"
        says "file contains a NUL byte".to_owned();
    "CG006" Error YamlSyntax { message: String }
        when "YAML syntax error"
        says format!("invalid YAML: {message}");
    "CG007" Error DuplicateKey { key: String, first_line: usize }
        when "a mapping key appears twice (cog's `mapping key \"x\" already defined at line N`)"
        says format!("invalid YAML: mapping key {} already defined at line {first_line}", go_quote(key));
    "CG008" Error AliasBudget { limit: usize }
        when "anchors and aliases expand to more than 100 000 nodes (billion laughs)"
        says format!("invalid YAML: aliases expand to more than {limit} nodes; cognix-gen refuses documents that grow when their aliases are expanded (\"billion laughs\")");
    "CG009" Error TooDeep { limit: usize }
        when "nesting deeper than 64 levels"
        says format!("invalid YAML: nesting is deeper than {limit} levels");
    "CG010" Error ScalarTooLong { length: usize, limit: usize }
        when "a value longer than 65 536 characters"
        says format!("{key}: value is {length} characters long, more than the {limit} any cog.yaml field needs");
    "CG011" Error ComplexKey
        when "a mapping key that is not a plain string"
        says format!("invalid YAML: {key}: mapping keys must be plain strings");
    "CG012" Error TypeMismatch { found: String, expected: &'static str }
        when "a value of the wrong YAML type (cog's `cannot construct !!str `true` into bool`)"
        says format!("invalid YAML: {}cannot construct {found} into {expected}", prefix(key));
    "CG013" Error RunItemType { found: &'static str }
        when "a `build.run` item that is neither a string nor a mapping (cog's `unexpected type <nil> for runItemFile`)"
        says format!("invalid YAML: {key}: unexpected type {found} for runItemFile");
    "CG014" Error WeightSourceShape { found: String }
        when "a weights `source` that is neither a mapping nor a list of mappings"
        says format!("invalid YAML: {key}: source must be an object or array of objects: cannot construct {found} into WeightSourceConfig");
    "CG015" Warning UnknownKey { suggestion: Option<String> }
        when "an unknown key (cog ignores it silently), with a did-you-mean"
        says match suggestion {
            Some(s) => format!("unknown key \"{key}\" is ignored (cog ignores it too); did you mean \"{s}\"?"),
            None => format!("unknown key \"{key}\" is ignored (cog ignores it too)"),
        };
    "CG016" Warning RemovedKey { note: &'static str }
        when "a key cog used to accept and now ignores (`tests`, `build.fast`, …)"
        says format!("\"{key}\" is ignored: {note}");
    "CG017" Warning ExtraDocuments
        when "more than one YAML document (only the first is read, as cog does)"
        says "cog.yaml holds more than one YAML document; only the first is used, as cog does".to_owned();
    "CG018" Error PathOutsideProject { path: String }
        when "a path in cog.yaml (or a `-r` include) that leaves the project directory, also through symlinks"
        says format!("{key} {}: the path must stay inside the project directory (after following symlinks)", go_quote(path));
    "CG019" Error RunItemMapping { text: String }
        when "a `build.run` item YAML reads as a mapping because the command contains `: `"
        says format!("{key}: YAML reads this item as a mapping, not a command, because it contains \": \" ({}). Quote the whole command, or write it as a folded block (`- >-` and the command on the next line)", go_quote(text));
    "CG020" Error NulInValue
        when "a value containing a NUL character (from an escape such as `\"\\0\"`)"
        says format!("{}value contains a NUL character (written as an escape), which no Nix string can hold", prefix(key));
    "CG021" Error PathNotFound
        when "the path given on the command line does not exist"
        says "no such file or directory".to_owned();

    // --- cog's validation (cog-spec §4–§7) --------------------------------------------------------
    "CG100" Error SchemaError { field: String, message: String }
        when "cog's JSON-schema error (`schema error in \"build\": python_version is required`, …)"
        says format!("schema error in {}: {message}", go_quote(field));
    "CG101" Error RunPredictConflict
        when "both `run` and `predict` are set"
        says "invalid run: only one of run or predict can be set".to_owned();
    "CG102" Error ReferenceFormat { field: &'static str, value: String, example: &'static str }
        when "`run`/`predict`/`train` not in the form `file.py:Name`"
        says format!("invalid {field} {}: must be in the form '{example}'", go_quote(value));
    "CG103" Error PythonVersionRequired
        when "`build` without `python_version`"
        says "invalid build.python_version: python_version is required. Add it to the build section of your cog.yaml, e.g. `python_version: \"3.13\"`".to_owned();
    "CG104" Error PythonVersionFormat { value: String, problem: &'static str }
        when "`python_version` not `major.minor[.patch]`"
        says format!("invalid build.python_version {}: {problem}", go_quote(value));
    "CG105" Error PythonVersionTooOld { value: String }
        when "Python older than 3.10 (`--strict`)"
        says format!("invalid build.python_version {}: minimum supported Python version is 3.10", go_quote(value));
    "CG106" Warning PythonVersionTooOldAccepted { value: String }
        when "Python older than 3.10, accepted (default mode): built by cachix/nixpkgs-python"
        says format!("build.python_version {}: cog requires Python 3.10 or newer; cognix builds this CPython from source with cachix/nixpkgs-python when nixpkgs lacks it (use --strict to reject it like cog)", go_quote(value));
    "CG107" Warning PythonPatchIgnored { value: String, used: String }
        when "`python_version`'s patch is not a number (`3.12.x`); the newest release of the line is used"
        says format!("build.python_version {}: the patch release is not a number; cognix uses the newest Python {used} (write e.g. \"{used}.4\" for an exact release)", go_quote(value));
    "CG108" Warning PythonVersionUnset
        when "no `build` section: the pinned nixpkgs' default Python is used"
        says "build.python_version is not set; cog would build from \"python:-slim\" and fail, cognix uses the pinned nixpkgs' default python3. Add `python_version: \"3.12\"` to the build section to choose".to_owned();
    "CG109" Error PackagesAndRequirements
        when "both `python_packages` and `python_requirements`"
        says "invalid build: only one of python_packages or python_requirements can be set, not both".to_owned();
    "CG110" Error RequirementsMissing { path: String }
        when "the requirements file does not exist"
        says format!("invalid build.python_requirements {}: file does not exist", go_quote(path));
    "CG111" Error CudaFormat { value: String, problem: &'static str }
        when "`cuda` not `major.minor[.patch]`"
        says format!("invalid build.cuda {}: {problem}", go_quote(value));
    "CG112" Error CudaTooOld { value: String }
        when "`cuda` older than 11"
        says format!("invalid build.cuda {}: minimum supported CUDA version is 11", go_quote(value));
    "CG113" Error CudaCudnnIncompatible { cuda: String, cudnn: String, compatible: Vec<String> }
        when "`cuda` and `cudnn` do not go together"
        says format!("CUDA {cuda} is incompatible with CuDNN {cudnn}: compatible CuDNN versions are: {}", compatible.join(", "));
    "CG114" Error TensorflowCudaIncompatible { tf: String, cuda: String, tf_cuda: String }
        when "TensorFlow's CUDA major differs from `cuda`"
        says format!("TensorFlow {tf} is incompatible with CUDA {cuda}: TensorFlow {tf} requires CUDA {tf_cuda}");
    "CG115" Error EnvironmentFormat { item: String }
        when "an `environment` entry without `=` or a name"
        says format!("invalid environment: environment variable {} is not in the KEY=VALUE format", go_quote(item));
    "CG116" Error EnvironmentReserved { name: String }
        when "an `environment` name cog reserves (`PATH`, `CUDA_*`, …)"
        says format!("invalid environment: environment variable {} is not allowed: reserved for internal use", go_quote(name));
    "CG117" Error EnvironmentDuplicate { name: String }
        when "an `environment` name given twice"
        says format!("invalid environment: environment variable {} is already defined", go_quote(name));
    "CG118" Error ConcurrencyTooLow { value: i64 }
        when "`concurrency.max` below 1"
        says format!("invalid concurrency.max \"{value}\": must be at least 1");
    "CG119" Error ConcurrencyPython { value: i64 }
        when "`concurrency.max` above 1 with Python older than 3.11"
        says format!("invalid concurrency.max \"{value}\": concurrency requires Python 3.11 or higher");
    "CG120" Error ModelAndImage
        when "both `model` and `image`"
        says "invalid model: 'model' and 'image' cannot both be set".to_owned();
    "CG121" Error ModelTagged { value: String }
        when "`model` with a tag or digest"
        says format!("invalid model {}: must be a bare repository — tags and digests are not allowed", go_quote(value));
    "CG122" Error ModelInvalid { value: String, reason: String }
        when "`model` is not a valid repository"
        says format!("invalid model {}: invalid repository: {reason}", go_quote(value));
    "CG123" Error WeightsNeedModel { image_set: bool }
        when "`weights` without `model`"
        says if *image_set {
            "invalid image: weights require 'model', not 'image' — rename 'image' to 'model'".to_owned()
        } else {
            "invalid model: weights require 'model' in cog.yaml — rename 'image' to 'model'".to_owned()
        };
    "CG124" Error WeightName { index: usize, value: Option<String>, problem: &'static str }
        when "a weight name that is empty, malformed or repeated"
        says validation(&format!("weights[{index}].name"), value.as_deref(), problem);
    "CG125" Error WeightSourceMissing { index: usize }
        when "a weight without `source`"
        says format!("invalid weights[{index}].source: source is required");
    "CG126" Error WeightPattern { field: String, value: Option<String>, problem: &'static str }
        when "an include/exclude pattern that is empty, negated or has backslashes"
        says validation(field, value.as_deref(), problem);
    "CG127" Error WeightTarget { index: usize, value: Option<String>, problem: String }
        when "a weight target that is missing, relative, `/`, repeated or overlapping"
        says validation(&format!("weights[{index}].target"), value.as_deref(), problem);
    "CG128" Warning Deprecated { field: &'static str, replacement: &'static str }
        when "a deprecated field (`predict`, `concurrency.max`, `python_packages`, `pre_install`)"
        says format!("deprecated field \"{field}\": use \"{replacement}\" instead");
    "CG129" Error SdkTooOld { value: String }
        when "`sdk_version` below 0.16.0"
        says format!("cog version {value} is below the minimum required version 0.16.0");
    "CG130" Warning SdkPrerelease
        when "`sdk_version: prerelease`"
        says "sdk_version \"prerelease\" installs the latest pre-release SDK. Pin to a specific version for reproducible production builds.".to_owned();
    "CG131" Error SdkInvalid { value: String }
        when "`sdk_version` is not a PEP 440 version"
        says format!("invalid build.sdk_version {}: not a PEP 440 version (e.g. \"0.18.0\") or \"prerelease\"", go_quote(value));
    "CG132" Warning CudaTooOldAccepted { value: String }
        when "`cuda` older than 11, accepted (default mode): the wheels bring their CUDA libraries; no nixpkgs CUDA set"
        says format!("build.cuda {}: cog requires CUDA 11 or newer; cognix accepts it (torch and TensorFlow wheels of that age bring their CUDA libraries, the host's driver runs them), but nixpkgs has no CUDA package set this old, so cognix.cudaPackages is unavailable (use --strict to reject it like cog)", go_quote(value));

    // --- CUDA and frameworks (cog-spec §10–§11) ---------------------------------------------------
    "CG201" Error CudaUnsupported { cuda: String }
        when "cog knows no base image for the CUDA version (`CUDA 12.7 is not supported by Cog`)"
        says format!("CUDA {cuda} is not supported by Cog");
    "CG202" Error CudaCudnnUnsupported { cuda: String, cudnn: String, compatible: Vec<String> }
        when "`cudnn` is not among the CUDA version's cuDNN versions"
        says format!("the specified CUDA version {cuda} is not compatible with CuDNN {cudnn}.\nCompatible CuDNN versions are: {}", compatible.join(","));
    "CG203" Error CudaMinorInvalid { value: String }
        when "`cuda`'s minor version is not a number"
        says format!("invalid minor version in CUDA version {}", go_quote(value));
    /// `strict`: cog's words (its advice is to upgrade cog); otherwise cognix's.
    "CG204" Error TorchUnknown { torch: String, strict: bool }
        when "no table (cog's, and in default mode cognix's legacy rows) has a CUDA for the torch version, and `cuda` is not set"
        says if *strict {
            format!("cog doesn't know what CUDA version is compatible with torch=={torch}. You might need to upgrade Cog: https://github.com/replicate/cog#upgrade\n\nIf that doesn't work, you need to set the 'cuda' option in cog.yaml to set what version to use. You might be able to find this out from https://pytorch.org/")
        } else {
            format!("cognix does not know which CUDA version torch=={torch} was built for, so it cannot choose one. Set it in cog.yaml's build section, `cuda: \"<major.minor>\"`; https://pytorch.org/get-started/previous-versions/ lists the CUDA versions of each release")
        };
    /// `strict`: cog's words (its advice is to upgrade cog); otherwise cognix's.
    "CG205" Error TensorflowUnknown { tf: String, strict: bool }
        when "the same for TensorFlow"
        says if *strict {
            format!("cog doesn't know what CUDA version is compatible with tensorflow=={tf}. You might need to upgrade Cog: https://github.com/replicate/cog#upgrade\n\nIf that doesn't work, you need to set the 'cuda' option in cog.yaml to set what version to use. You might be able to find this out from https://www.tensorflow.org/")
        } else {
            format!("cognix does not know which CUDA version tensorflow=={tf} was built for, so it cannot choose one. Set it in cog.yaml's build section, `cuda: \"<major.minor>\"`; https://www.tensorflow.org/install/source#gpu lists the CUDA version of each release")
        };
    "CG206" Error TorchVersionRequired
        when "torch without a version on a GPU build (`--strict`)"
        says "torch version must be specified when using CUDA".to_owned();
    "CG207" Warning TorchUnpinnedAccepted { assumed: String }
        when "torch without a version on a GPU build, resolved as the newest torch cog knows (default mode)"
        says format!("torch has no version; cog refuses this on GPU builds (\"torch version must be specified when using CUDA\"). cognix resolves CUDA as for torch {assumed}, the newest torch cog knows, and lock.json pins the version pip picks (use --strict to reject it like cog)");
    "CG208" Warning TorchCudaUnknown { cuda: String, torch: String, suggestion: Option<String> }
        when "`cuda` is not one torch has wheels for"
        says with_try(format!("Cog doesn't know if CUDA {cuda} is compatible with PyTorch {torch}. This might cause CUDA problems."), suggestion.as_deref());
    "CG209" Warning TensorflowCudaUnknown { cuda: String, tf: String, suggestion: Option<String> }
        when "cog does not know whether `cuda` suits the TensorFlow version"
        says with_try(format!("Cog doesn't know if CUDA {cuda} is compatible with Tensorflow {tf}. This might cause CUDA problems."), suggestion.as_deref());
    "CG210" Error TensorflowCudnn { cudnn: String, tf: String, tf_cudnn: String }
        when "`cudnn` differs from the TensorFlow version's"
        says format!("the specified cuDNN version {cudnn} is not compatible with tensorflow=={tf}.\nCompatible cuDNN version is: {tf_cudnn}");
    "CG211" Warning TorchvisionCudaUnknown { cuda: String, torchvision: String }
        when "no torchvision wheel for the CUDA version"
        says format!("Cog doesn't know if CUDA {cuda} is compatible with torchvision {torchvision}. This might cause CUDA problems.");
    "CG212" Warning TorchNewerAssumed { torch: String, assumed: String, cuda: String }
        when "torch newer than the table (default mode): CUDA assumed from the newest torch it knows; set `cuda:` to choose"
        says format!("torch=={torch} is newer than cognix's compatibility table (newest: torch {assumed}); cognix assumes CUDA {cuda}, the newest its wheels were built for. If torch {torch} needs another CUDA, set it in cog.yaml: `cuda: \"<major.minor>\"` in the build section (use --strict to reject it like cog)");
    "CG213" Warning CudaPatchMapped { written: String, used: String }
        when "a CUDA patch release no image has (`11.5.1`), mapped to the nearest of the same minor (default mode)"
        says format!("build.cuda {}: no CUDA image has this patch release; cognix uses {used}, the nearest of the same minor version (use --strict to reject it like cog)", go_quote(written));

    // --- requirements (cog-spec §8) ---------------------------------------------------------------
    "CG301" Error LocalRequirement { message: String }
        when "a local requirement form cog rejects (`name @ ./x.whl`, `file:` URLs, …)"
        says message.clone();
    "CG302" Warning SdkInRequirements { line: String }
        when "`cog` or `coglet` in the requirements (the SDK comes from `sdk_version`)"
        says format!("'{line}' found in requirements — overriding with the cog SDK from build.sdk_version. Remove it from requirements and use build.sdk_version in cog.yaml to control the version.");
    "CG303" Warning RequirementInvalid { line: String, reason: String }
        when "a line pip will reject (PEP 508), with the parser's reason"
        says format!("{} is not a valid requirement ({reason}); pip will reject it when the lock file is made", go_quote(line));
    "CG304" Warning RequirementOptionIgnored { option: String, reason: &'static str }
        when "a pip option cognix does not pass on (`-c`, `--trusted-host`, …)"
        says format!("pip option {} is ignored: {reason}", go_quote(option));
    "CG305" Warning RequirementHashDropped { line: String }
        when "`--hash` options dropped (lock.json records hashes)"
        says format!("{}: --hash options are dropped; lock.json records the sha256 of every file pip picks", go_quote(line));

    // --- system packages --------------------------------------------------------------------------
    "CG401" Error SystemPackageUnknown { name: String, suggestions: Vec<String> }
        when "a name that is neither a known apt package nor a nixpkgs attribute, with the closest known names"
        says format!("{key}: unknown system package {}: it is neither an apt package in lib/system-packages.json nor a known nixpkgs attribute{}. Map it in your cognix module (`cognix.aptPackages.{} = [ pkgs.<package> ];`) and leave out --strict, or add the mapping to lib/system-packages.json", go_quote(name), closest(suggestions), go_quote(name));
    "CG402" Warning SystemPackageDropped { name: String, reason: String }
        when "an apt package with no place in a Nix image (`sudo`, `python3-dev`, CUDA toolkits), with the reason"
        says format!("{key}: apt package {} is left out: {reason}", go_quote(name));
    "CG403" Warning AptFlagDropped { flag: String }
        when "an apt option (`--fix-missing`) written as a package"
        says format!("{key}: apt option {} is dropped; system_packages lists package names", go_quote(flag));
    "CG404" Warning AptVersionDropped { name: String, spec: String }
        when "an apt version or architecture qualifier (`git=1:2.34`), dropped"
        says format!("{key}: {} is pinned by nixpkgs, the apt qualifier {} is dropped", go_quote(name), go_quote(spec));
    "CG405" Warning SystemPackageUnknownAccepted { name: String, suggestions: Vec<String> }
        when "an apt package the table does not know (default mode): kept, for nixpkgs' package of that name or `cognix.aptPackages.<name>`"
        says format!("{key}: apt package {} is not in cognix's table (lib/system-packages.json){}. The image gets nixpkgs' package of that name if there is one; otherwise map it in your cognix module: `cognix.aptPackages.{} = [ pkgs.<package> ];`", go_quote(name), closest(suggestions), go_quote(name));

    // --- run commands -----------------------------------------------------------------------------
    "CG501" Error RunNewline { command: String }
        when "a command with a newline (cog's message)"
        says format!("One of the commands in 'run' contains a new line, which won't work. You need to create a new list item in YAML prefixed with '-' for each command.\n\nThis is the offending line: {command}");
    "CG502" Warning FetchNeedsHash { url: String, destination: String }
        when "a download (curl, wget, git clone, pget) lock.json does not pin yet: run the lock command"
        says format!("{key}: downloads {url} to {destination} at build time. The Nix build has no network, so the download is a fixed-output fetch pinned in lock.json, which does not pin it yet: run the model's lock command (`cognix lock`, or `nix run .#lock`) and commit lock.json");
    "CG503" Warning FetchViaLock { url: String }
        when "`pip install <url>`: lock.json pins it"
        says format!("{key}: pip installs {url}; cognix adds it to the Python requirements, and lock.json pins its sha256 when you run the model's `.lock` app");
    "CG504" Warning RunNeedsNetwork { tool: String }
        when "a download piped into another command (needs network at build time)"
        says format!("{key}: this command uses {tool} without saving a file cognix can pin; it runs without network in the Nix build and will fail there. Download to a file with curl -o or wget -O instead");
    "CG505" Warning RunShellExpansion { word: String }
        when "a download whose URL depends on shell expansion"
        says format!("{key}: {} depends on shell expansion that cognix-gen cannot evaluate ahead of time, so the download is kept as a plain build command (it has no network in the Nix build)", go_quote(word));
    "CG506" Warning RunPipIgnored { what: String }
        when "a pip command cognix cannot fold into the locked environment"
        says format!("{key}: {what}");
    "CG507" Warning RunSecretMount { id: String }
        when "a secret mount: provide it with `cognix.secrets.<id>`"
        says format!("{key}: secret {} is mounted only while this command runs; cognix never copies secret contents into the Nix store or the image, so provide it with cognix.secrets.\"{id}\" (a path read at build time) in Nix", go_quote(id));
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

/// "; closest known names: a, b" for a non-empty list of suggestions.
fn closest(suggestions: &[String]) -> String {
    if suggestions.is_empty() {
        String::new()
    } else {
        format!("; closest known names: {}", suggestions.join(", "))
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

/// The title of each group of codes in docs/diagnostics.md, by the code's first digit.
const GROUPS: &[(&str, &str)] = &[
    ("CG0", "Input and YAML (`CG0xx`)"),
    ("CG1", "cog's validation (`CG1xx`)"),
    ("CG2", "CUDA and frameworks (`CG2xx`)"),
    ("CG3", "Requirements (`CG3xx`)"),
    ("CG4", "System packages (`CG4xx`)"),
    ("CG5", "Run commands (`CG5xx`)"),
];

/// docs/diagnostics.md's tables, one per group, as `TABLE` makes them.
pub fn docs_tables() -> String {
    let mut out = String::new();
    for (prefix, title) in GROUPS {
        let _ = write!(out, "\n## {title}\n\n| Code | Severity | When |\n|---|---|---|\n");
        for row in TABLE.iter().filter(|r| r.code.starts_with(prefix)) {
            let _ = writeln!(out, "| <a id=\"{}\"></a>`{}` | {} | {} |", row.anchor(), row.code, row.severity, row.docs);
        }
    }
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
    fn codes_are_unique_in_order_and_grouped() {
        assert!(TABLE.len() >= 84, "rows are missing");
        for pair in TABLE.windows(2) {
            assert!(pair[0].code < pair[1].code, "{} must come before {}", pair[0].code, pair[1].code);
        }
        for row in TABLE {
            assert!(GROUPS.iter().any(|(prefix, _)| row.code.starts_with(prefix)), "{} has no group", row.code);
        }
    }

    /// docs/diagnostics.md lists every code once, with the table's words, between its markers.
    /// `COGNIX_UPDATE_DOCS=1 cargo test -p cognix-gen` rewrites the tables.
    #[test]
    fn every_code_is_documented_and_the_docs_are_current() {
        const START: &str = "<!-- generated from crates/cognix-gen/src/diagnostic/codes.rs; COGNIX_UPDATE_DOCS=1 cargo test -p cognix-gen rewrites it -->\n";
        const END: &str = "\n<!-- end of generated tables -->\n";
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/diagnostics.md");
        let docs = std::fs::read_to_string(&path).unwrap();
        let (Some(start), Some(end)) = (docs.find(START), docs.find(END)) else { panic!("{} lacks the markers", path.display()) };
        let fresh = format!("{}{START}{}{}", &docs[..start], docs_tables(), &docs[end..]);
        if std::env::var_os("COGNIX_UPDATE_DOCS").is_some() {
            std::fs::write(&path, &fresh).unwrap();
        }
        for row in TABLE {
            assert_eq!(docs.matches(&format!("`{}` |", row.code)).count(), 1, "docs/diagnostics.md must list {} once", row.code);
        }
        assert!(docs == fresh, "{} is stale: run COGNIX_UPDATE_DOCS=1 cargo test -p cognix-gen", path.display());
    }
}
