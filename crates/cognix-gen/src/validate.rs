//! cog's validation of a decoded cog.yaml (cog-spec §4–§6), in cog's order and with cog's
//! messages: the one schema error cog would report, then the semantic checks, then deprecation
//! warnings. The default mode turns one error into a warning (Python older than 3.10). In: the
//! decoded `CogYaml`, the requirement lines and the mode; out: diagnostics only.

use std::fmt::Write as _;

use crate::compat::{tables, Mode};
use crate::config::{non_empty, Build, CogYaml, Spanned, Text};
use crate::diagnostic::{go_quote, Diagnostic, Kind, Pos, Reported, Sink};
use crate::environment;
use crate::requirements::{self, Requirement};
use crate::version;

/// What validation needs besides the config: the requirement lines (for the TensorFlow check),
/// whether the requirements file exists, and the mode.
pub struct Context<'a> {
    pub lines: &'a [Requirement],
    pub requirements_found: bool,
    pub mode: Mode,
    /// Unknown keys that look like a known one (`build.python_verison`), so that a required key
    /// reported missing can name the line that meant it.
    pub misspelled: &'a [Misspelling],
}

/// An unknown key and the known key it looks like.
#[derive(Clone, Debug)]
pub struct Misspelling {
    pub written: String,
    pub meant: String,
    pub line: usize,
}

/// The unknown keys the decoder found that look like known ones.
pub fn misspellings(decoded: &[Diagnostic]) -> Vec<Misspelling> {
    decoded
        .iter()
        .filter_map(|d| match &d.kind {
            Kind::UnknownKey { suggestion: Some(meant) } => {
                Some(Misspelling { written: d.key.clone(), meant: meant.clone(), line: d.pos.line })
            }
            _ => None,
        })
        .collect()
}

/// Validates `cfg` like cog, reporting every problem; `Err` when one is an error.
pub fn validate(cfg: &CogYaml, ctx: &Context<'_>, sink: &mut Sink) -> Result<(), Reported> {
    let mut v = Validator { sink: &mut *sink };
    v.schema(cfg, ctx);
    v.references(cfg);
    if let Some(build) = &cfg.build {
        v.build(build, ctx);
    } else {
        v.sink.report(Kind::PythonVersionUnset, Pos::START, "build.python_version");
    }
    v.environment(cfg);
    v.concurrency(cfg);
    v.model(cfg);
    v.weights(cfg);
    v.deprecations(cfg);
    v.sdk(cfg);
    sink.result(())
}

struct Validator<'a> {
    sink: &'a mut Sink,
}

/// A schema error candidate: gojsonschema reports only the one with the deepest field path.
struct SchemaCandidate {
    field: String,
    message: String,
    pos: Pos,
    invalid_type: bool,
}

impl Validator<'_> {
    fn schema(&mut self, cfg: &CogYaml, ctx: &Context<'_>) {
        let mut candidates = Vec::new();
        let mut accidental = Vec::new();
        let mut add = |field: String, message: String, pos: Pos, invalid_type: bool| {
            candidates.push(SchemaCandidate { field, message, pos, invalid_type });
        };
        if let (Some(_), Some(predict)) = (&cfg.run, &cfg.predict) {
            add("(root)".into(), "Must not validate the schema (not)".into(), predict.pos, false);
        }
        if let Some(build) = &cfg.build {
            if build.python_version.is_none() {
                let mut message = "python_version is required".to_owned();
                if let Some(m) = ctx.misspelled.iter().find(|m| m.meant == "build.python_version") {
                    let _ = write!(message, " (line {} has {}, which cog ignores: a misspelling of it?)", m.line, go_quote(&m.written));
                }
                add("build".into(), message, build.pos, false);
            }
            for (i, item) in build.run.iter().enumerate() {
                let field = format!("build.run.{i}");
                if let Some(text) = &item.accidental {
                    accidental.push((format!("build.run[{i}]"), item.pos, text.clone()));
                }
                if item.command.value.is_empty() {
                    // An item without a command encodes as `{}` plus its mounts; with no mounts
                    // gojsonschema prefers the string branch of the oneOf.
                    if item.mounts.is_empty() {
                        add(field.clone(), "must be a string".into(), item.pos, true);
                    } else {
                        add(field.clone(), "command is required".into(), item.pos, false);
                    }
                }
                for (j, m) in item.mounts.iter().enumerate() {
                    let mount = format!("{field}.mounts.{j}");
                    for (name, value) in [("type", &m.r#type), ("id", &m.id), ("target", &m.target)] {
                        if value.value.is_empty() {
                            add(mount.clone(), format!("{name} is required"), m.pos, false);
                        }
                    }
                    if !m.r#type.value.is_empty() && m.r#type.value != "secret" {
                        let field = format!("{mount}.type");
                        add(field.clone(), format!("{field} must be one of the following: \"secret\""), m.r#type.pos, false);
                    }
                }
            }
        }
        if let Some(c) = &cfg.concurrency {
            if c.max.is_none() {
                add("concurrency".into(), "max is required".into(), c.pos, false);
            }
        }
        for (i, item) in cfg.environment.iter().enumerate() {
            if !environment::matches_schema(&item.value) {
                let message = "Does not match pattern '^[A-Za-z_][A-Za-z0-9_]*=.*$'".to_owned();
                add(format!("environment.{i}"), message, item.pos, false);
            }
        }
        for (i, w) in cfg.weights.iter().enumerate() {
            if !weight_name_ok(&w.name.value) {
                let message = "Does not match pattern '^[a-z0-9]+([._-][a-z0-9]+)*$'".to_owned();
                add(format!("weights.{i}.name"), message, w.name.pos, false);
            }
            let field = format!("weights.{i}.source");
            match &w.source {
                None => add(field, "must be a mapping".into(), w.pos, true),
                Some(s) if s.value.is_empty() => add(field, "Array must have at least 1 items".into(), s.pos, false),
                Some(s) => {
                    let list = s.value.len() > 1;
                    for (k, src) in s.value.iter().enumerate() {
                        if src.uri.is_none() {
                            let f = if list { format!("{field}.{k}") } else { field.clone() };
                            add(f, "uri is required".into(), src.pos, false);
                        }
                    }
                }
            }
        }
        let depth = |c: &SchemaCandidate| c.field.split('.').count();
        let mut best: Option<&SchemaCandidate> = None;
        for c in &candidates {
            best = match best {
                None => Some(c),
                Some(b) if depth(c) > depth(b) || (depth(c) == depth(b) && c.invalid_type && !b.invalid_type) => Some(c),
                keep => keep,
            };
        }
        if let Some(b) = best {
            let field = if b.field == "(root)" { "cog.yaml".to_owned() } else { b.field.clone() };
            let key = b.field.replace("(root)", "");
            self.sink.report(Kind::SchemaError { field, message: b.message.clone() }, b.pos, &key);
        }
        // cog's schema message for these ("must be a string") does not say what happened.
        for (key, pos, text) in accidental {
            self.sink.report(Kind::RunItemMapping { text }, pos, &key);
        }
    }

    fn references(&mut self, cfg: &CogYaml) {
        let run = non_empty(&cfg.run);
        let predict = non_empty(&cfg.predict);
        if let (Some(run), Some(_)) = (run, predict) {
            self.sink.report(Kind::RunPredictConflict, run.pos, "run");
        } else {
            self.reference("run", run, "run.py:Runner");
            self.reference("predict", predict, "predict.py:Predictor");
        }
        self.reference("train", non_empty(&cfg.train), "train.py:Trainer");
    }

    fn reference(&mut self, field: &'static str, value: Option<&Spanned<String>>, example: &'static str) {
        if let Some(v) = value {
            if v.value.split(".py:").count() != 2 {
                self.sink.report(Kind::ReferenceFormat { field, value: v.value.clone(), example }, v.pos, field);
            }
        }
    }

    fn build(&mut self, build: &Build, ctx: &Context<'_>) {
        match (&build.python_version, non_empty(&build.python_version)) {
            // Absent: the schema error says so (cog stops there).
            (None, _) => {}
            (Some(empty), None) => self.sink.report(Kind::PythonVersionRequired, empty.pos, "build.python_version"),
            (_, Some(v)) => self.python_version(v, ctx.mode),
        }
        if !build.python_packages.is_empty() && non_empty(&build.python_requirements).is_some() {
            self.sink.report(Kind::PackagesAndRequirements, build.pos, "build");
        }
        if let Some(path) = non_empty(&build.python_requirements) {
            if !ctx.requirements_found {
                let kind = Kind::RequirementsMissing { path: path.value.clone() };
                self.sink.report(kind, path.pos, "build.python_requirements");
            }
        }
        if let Some(cuda) = non_empty(&build.cuda) {
            self.cuda_format(cuda, ctx.mode);
        }
        if build.gpu() {
            self.gpu(build, ctx);
        }
    }

    fn python_version(&mut self, written: &Spanned<String>, mode: Mode) {
        let value = written.value.trim().to_owned();
        let key = "build.python_version";
        let parts: Vec<&str> = value.splitn(3, '.').collect();
        let format = |problem| Kind::PythonVersionFormat { value: value.clone(), problem };
        let kind = if parts.len() < 2 {
            format("must include major and minor version (e.g., '3.11')")
        } else {
            match (go_atoi(parts[0]), go_atoi(parts[1])) {
                (None, _) => format("invalid major version number"),
                (_, None) => format("invalid minor version number"),
                (Some(major), Some(minor)) if major < 3 || (major == 3 && minor < 10) => match mode {
                    Mode::Strict => Kind::PythonVersionTooOld { value },
                    Mode::Default => Kind::PythonVersionTooOldAccepted { value },
                },
                (Some(major), Some(minor)) => {
                    if parts.len() == 3 && version::python_release(&value) != value {
                        let used = format!("{major}.{minor}");
                        self.sink.report(Kind::PythonPatchIgnored { value: value.clone(), used }, written.pos, key);
                    }
                    return;
                }
            }
        };
        self.sink.report(kind, written.pos, key);
    }

    fn cuda_format(&mut self, cuda: &Spanned<String>, mode: Mode) {
        let parts: Vec<&str> = cuda.value.split('.').collect();
        let format = |problem| Kind::CudaFormat { value: cuda.value.clone(), problem };
        let kind = if parts.len() < 2 {
            format("must include both major and minor versions (e.g., '11.8')")
        } else {
            match go_atoi(parts[0]) {
                None => format("invalid major version number"),
                Some(major) if major < 11 => match mode {
                    Mode::Strict => Kind::CudaTooOld { value: cuda.value.clone() },
                    Mode::Default => Kind::CudaTooOldAccepted { value: cuda.value.clone() },
                },
                Some(_) => return,
            }
        };
        self.sink.report(kind, cuda.pos, "build.cuda");
    }

    fn gpu(&mut self, build: &Build, ctx: &Context<'_>) {
        let cuda = non_empty(&build.cuda);
        if let (Some(cuda), Some(cudnn)) = (cuda, non_empty(&build.cudnn)) {
            let compatible = tables(ctx.mode).compatible_cudnns(&cuda.value);
            if !compatible.is_empty() && !compatible.contains(&cudnn.value) {
                let kind = Kind::CudaCudnnIncompatible { cuda: cuda.value.clone(), cudnn: cudnn.value.clone(), compatible };
                self.sink.report(kind, cudnn.pos, "build.cudnn");
            }
        }
        let Some(cuda) = cuda else { return };
        // The first tensorflow line that carries a version.
        let versioned: Vec<Requirement> = ctx.lines.iter().filter(|l| !requirements::versions(&l.text).is_empty()).cloned().collect();
        let Some(tf) = requirements::find(&versioned, "tensorflow", ctx.mode) else { return };
        let Some(row) = tables(ctx.mode).tf_row(&tf.version) else { return };
        let tf_major = row.cuda.split('.').next().unwrap_or_default();
        if !cuda.value.starts_with(tf_major) {
            let kind = Kind::TensorflowCudaIncompatible { tf: tf.version.clone(), cuda: cuda.value.clone(), tf_cuda: row.cuda.clone() };
            self.sink.report(kind, cuda.pos, "build.cuda");
        }
    }

    /// The values are the pipeline's to take; here the errors are reported in cog's order.
    fn environment(&mut self, cfg: &CogYaml) {
        let _ = environment::parse(&cfg.environment, self.sink);
    }

    fn concurrency(&mut self, cfg: &CogYaml) {
        let Some(max) = cfg.concurrency.as_ref().and_then(|c| c.max.as_ref()) else { return };
        if max.value < 1 {
            self.sink.report(Kind::ConcurrencyTooLow { value: max.value }, max.pos, "concurrency.max");
        }
        let python = cfg.build.as_ref().and_then(|b| b.python_version.as_ref());
        if let (true, Some(python)) = (max.value > 1, python) {
            let parts: Vec<&str> = python.value.trim().splitn(3, '.').collect();
            if let (Some(Some(3)), Some(Some(minor))) = (parts.first().map(|p| go_atoi(p)), parts.get(1).map(|p| go_atoi(p))) {
                if minor < 11 {
                    self.sink.report(Kind::ConcurrencyPython { value: max.value }, max.pos, "concurrency.max");
                }
            }
        }
    }

    fn model(&mut self, cfg: &CogYaml) {
        let model = non_empty(&cfg.model);
        if let (Some(model), Some(_)) = (model, non_empty(&cfg.image)) {
            self.sink.report(Kind::ModelAndImage, model.pos, "model");
        }
        let Some(model) = model else { return };
        if let Err(reason) = check_repository(&model.value) {
            let kind = if is_reference(&model.value) {
                Kind::ModelTagged { value: model.value.clone() }
            } else {
                Kind::ModelInvalid { value: model.value.clone(), reason }
            };
            self.sink.report(kind, model.pos, "model");
        }
    }

    fn weights(&mut self, cfg: &CogYaml) {
        let Some(first) = cfg.weights.first() else { return };
        let model_set = non_empty(&cfg.model).is_some();
        let image: &Text = &cfg.image;
        if !model_set {
            let image_set = non_empty(image).is_some();
            let key = if image_set { "image" } else { "model" };
            self.sink.report(Kind::WeightsNeedModel { image_set }, first.pos, key);
        }
        let mut names: Vec<&str> = Vec::new();
        let mut targets: Vec<String> = Vec::new();
        for (i, w) in cfg.weights.iter().enumerate() {
            let key = format!("weights[{i}]");
            let name = &w.name.value;
            let problem = if name.is_empty() {
                Some((None, "name is required"))
            } else if !weight_name_ok(name) {
                Some((
                    Some(name.clone()),
                    "must contain only lowercase alphanumeric characters, hyphens, dots, or underscores (e.g. \"my-model-weights\")",
                ))
            } else if names.contains(&name.as_str()) {
                Some((Some(name.clone()), "duplicate weight name"))
            } else {
                names.push(name);
                None
            };
            if let Some((value, problem)) = problem {
                self.sink.report(Kind::WeightName { index: i, value, problem }, w.name.pos, &format!("{key}.name"));
            }
            let sources = w.source.as_ref().map_or(&[][..], |s| &s.value[..]);
            if sources.is_empty() {
                self.sink.report(Kind::WeightSourceMissing { index: i }, w.pos, &format!("{key}.source"));
            }
            for (k, src) in sources.iter().enumerate() {
                let prefix = if sources.len() == 1 { format!("{key}.source") } else { format!("{key}.source[{k}]") };
                self.patterns(&format!("{prefix}.include"), &src.include);
                self.patterns(&format!("{prefix}.exclude"), &src.exclude);
            }
            self.weight_target(i, &w.target, &mut targets);
        }
    }

    fn patterns(&mut self, field: &str, patterns: &[Spanned<String>]) {
        for (j, raw) in patterns.iter().enumerate() {
            let p = raw.value.trim();
            let field = format!("{field}[{j}]");
            let mut report = |value: Option<String>, problem: &'static str| {
                let kind = Kind::WeightPattern { field: field.clone(), value, problem };
                self.sink.report(kind, raw.pos, &field);
            };
            if p.is_empty() {
                report(None, "pattern must not be empty");
                continue;
            }
            if p.starts_with('!') {
                report(Some(p.to_owned()), "negation patterns (starting with '!') are not supported");
            }
            if p.contains('\\') {
                report(Some(p.to_owned()), "patterns must use forward slashes, not backslashes");
            }
        }
    }

    fn weight_target(&mut self, i: usize, target: &Spanned<String>, seen: &mut Vec<String>) {
        let key = format!("weights[{i}].target");
        let t = &target.value;
        let mut report = |value: Option<String>, problem: String| {
            let kind = Kind::WeightTarget { index: i, value, problem };
            self.sink.report(kind, target.pos, &key);
        };
        if t.is_empty() {
            report(None, "target is required".into());
            return;
        }
        if !t.starts_with('/') {
            report(Some(t.clone()), "target must be an absolute path".into());
        }
        let cleaned = clean_path(t);
        if cleaned == "/" {
            report(Some(t.clone()), "target must not be the container root \"/\"".into());
        }
        if seen.contains(&cleaned) {
            report(Some(t.clone()), "duplicate weight target".into());
            return;
        }
        let sub = |child: &str, parent: &str| child != parent && child.starts_with(&format!("{parent}/"));
        if let Some(prev) = seen.iter().find(|p| sub(&cleaned, p) || sub(p, &cleaned)) {
            report(Some(t.clone()), format!("target overlaps with {}; weight targets must be disjoint", crate::diagnostic::go_quote(prev)));
        }
        seen.push(cleaned);
    }

    fn deprecations(&mut self, cfg: &CogYaml) {
        if let Some(p) = non_empty(&cfg.predict) {
            self.sink.report(Kind::Deprecated { field: "predict", replacement: "run" }, p.pos, "predict");
        }
        if let Some(max) = cfg.concurrency.as_ref().and_then(|c| c.max.as_ref()) {
            let kind = Kind::Deprecated { field: "concurrency.max", replacement: "@cog.concurrent(max=...)" };
            self.sink.report(kind, max.pos, "concurrency.max");
        }
        let Some(build) = &cfg.build else { return };
        if let Some(first) = build.python_packages.first() {
            let kind = Kind::Deprecated { field: "build.python_packages", replacement: "build.python_requirements" };
            self.sink.report(kind, first.pos, "build.python_packages");
        }
        if let Some(first) = build.pre_install.first() {
            let kind = Kind::Deprecated { field: "build.pre_install", replacement: "build.run" };
            self.sink.report(kind, first.pos, "build.pre_install");
        }
    }

    /// cog checks the SDK version when it writes the Dockerfile; cognix-gen checks it up front.
    fn sdk(&mut self, cfg: &CogYaml) {
        let Some(sdk) = cfg.build.as_ref().and_then(|b| non_empty(&b.sdk_version)) else { return };
        let key = "build.sdk_version";
        if sdk.value == "prerelease" {
            self.sink.report(Kind::SdkPrerelease, sdk.pos, key);
            return;
        }
        match sdk_pep440(&sdk.value) {
            None => self.sink.report(Kind::SdkInvalid { value: sdk.value.clone() }, sdk.pos, key),
            Some(version) => {
                let release = version.release();
                let triple = [0, 1, 2].map(|k| release.get(k).copied().unwrap_or(0));
                if triple < [0, 16, 0] {
                    self.sink.report(Kind::SdkTooOld { value: sdk.value.clone() }, sdk.pos, key);
                }
            }
        }
    }
}

/// The SDK version as PEP 440, converting cog's semver pre-releases (`0.17.0-alpha1` →
/// `0.17.0a1`, `-dev1` → `.dev1`).
pub fn sdk_pep440(written: &str) -> Option<pep440_rs::Version> {
    let converted = written.replacen("-alpha", "a", 1).replacen("-beta", "b", 1).replacen("-rc", "rc", 1).replacen("-dev", ".dev", 1);
    converted.parse().ok()
}

fn weight_name_ok(name: &str) -> bool {
    !name.is_empty()
        && name.split(['.', '_', '-']).all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()))
}

/// Go's `strconv.Atoi`: optional sign, decimal digits.
fn go_atoi(s: &str) -> Option<i64> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Lexical `filepath.Clean` for absolute and relative paths.
fn clean_path(p: &str) -> String {
    let absolute = p.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in p.split('/') {
        match part {
            "" | "." => {}
            ".." if parts.last().is_some_and(|l| *l != "..") => {
                parts.pop();
            }
            ".." if absolute => {}
            part => parts.push(part),
        }
    }
    match (absolute, parts.is_empty()) {
        (true, _) => format!("/{}", parts.join("/")),
        (false, true) => ".".to_owned(),
        (false, false) => parts.join("/"),
    }
}

const REPOSITORY_CHARS: &str = "abcdefghijklmnopqrstuvwxyz0123456789_-./";

/// go-containerregistry's `NewRepository` with default options: an optional registry host
/// (a first component holding `.` or `:`, or `localhost`) and a repository path.
fn check_repository(name: &str) -> Result<(), String> {
    let (registry, repo) = match name.split_once('/') {
        Some((first, rest)) if first.contains(['.', ':']) || first == "localhost" => (Some(first), rest),
        _ => (None, name),
    };
    if repo.len() < 2 || repo.len() > 255 {
        return Err(format!("repository must be between 2 and 255 characters in length: {repo}"));
    }
    if !repo.chars().all(|c| REPOSITORY_CHARS.contains(c)) {
        return Err(format!("repository can only contain the characters `{REPOSITORY_CHARS}`: {repo}"));
    }
    if let Some(registry) = registry {
        let ok = !registry.is_empty() && registry.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'));
        if !ok {
            return Err(format!("registries must be valid RFC 3986 URI authorities: {registry}"));
        }
    }
    Ok(())
}

/// Whether the name parses as a full reference (`repo:tag` or `repo@sha256:...`).
fn is_reference(name: &str) -> bool {
    if let Some((repo, digest)) = name.split_once('@') {
        let valid_digest = digest.strip_prefix("sha256:").is_some_and(|hex| hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()));
        return valid_digest && check_repository(repo).is_ok();
    }
    let Some(colon) = name.rfind(':') else { return false };
    let (repo, tag) = (&name[..colon], &name[colon + 1..]);
    let valid_tag = !tag.is_empty()
        && tag.len() <= 128
        && !tag.contains('/')
        && tag.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
        && tag.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'));
    valid_tag && check_repository(repo).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repositories() {
        assert!(check_repository("registry.example.com/acme/my-model").is_ok());
        assert!(check_repository("acme/my-model").is_ok());
        assert!(check_repository("my-model").is_ok());
        assert!(check_repository("localhost:5000/acme/my-model").is_ok());
        assert!(is_reference("registry.example.com/acme/my-model:v1"));
        assert!(is_reference("registry.example.com/acme/my-model@sha256:abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789"));
        assert_eq!(
            check_repository("Registry.Example.Com/ACME/Model"),
            Err("repository can only contain the characters `abcdefghijklmnopqrstuvwxyz0123456789_-./`: ACME/Model".into())
        );
        assert!(!is_reference("Registry.Example.Com/ACME/Model"));
    }

    #[test]
    fn paths_clean_like_go() {
        assert_eq!(clean_path("/a/b/../c/"), "/a/c");
        assert_eq!(clean_path("/.."), "/");
        assert_eq!(clean_path("/"), "/");
    }

    #[test]
    fn weight_names() {
        assert!(weight_name_ok("my-model.v2_x"));
        assert!(!weight_name_ok("My"));
        assert!(!weight_name_ok("a--b"));
        assert!(!weight_name_ok(""));
    }

    #[test]
    fn sdk_versions() {
        assert_eq!(sdk_pep440("0.17.0-alpha1").unwrap().to_string(), "0.17.0a1");
        assert_eq!(sdk_pep440("0.18.0-dev1").unwrap().to_string(), "0.18.0.dev1");
        assert!(sdk_pep440("latest").is_none());
    }

    #[test]
    fn atoi_like_go() {
        assert_eq!(go_atoi("+3"), Some(3));
        assert_eq!(go_atoi("-3"), Some(-3));
        assert_eq!(go_atoi("3a"), None);
        assert_eq!(go_atoi(""), None);
    }
}
