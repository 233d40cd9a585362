//! cog.yaml as written: every field cog knows, typed the way go-yaml types it for cog
//! (cog-spec §2–§3), with the position of each value. Nothing is validated or completed here;
//! unknown keys become warnings (cog drops them silently) with a did-you-mean. In: the YAML tree
//! (`yaml::Node`); out: `CogYaml`, type errors and unknown keys.

use crate::diagnostic::{Kind, Pos, Reported, Sink};
use crate::yaml::{parse_float, parse_int, Node, Value};

/// A value and where it was written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Spanned<T> {
    pub value: T,
    pub pos: Pos,
}

impl<T> Spanned<T> {
    pub fn new(value: T, pos: Pos) -> Spanned<T> {
        Spanned { value, pos }
    }
}

/// A string field that may be absent; `Some("")` is a key written with an empty string.
pub type Text = Option<Spanned<String>>;

/// The non-empty value of an optional string field.
pub fn non_empty(field: &Text) -> Option<&Spanned<String>> {
    field.as_ref().filter(|s| !s.value.is_empty())
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CogYaml {
    /// `None` when `build` is absent or null; cog then skips every build check.
    pub build: Option<Build>,
    pub image: Text,
    pub model: Text,
    /// Top-level `run`, cog's new name for `predict`.
    pub run: Text,
    pub predict: Text,
    pub train: Text,
    pub concurrency: Option<Concurrency>,
    pub environment: Vec<Spanned<String>>,
    pub weights: Vec<Weight>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Build {
    pub pos: Pos,
    pub gpu: Option<Spanned<bool>>,
    pub python_version: Text,
    pub python_requirements: Text,
    pub python_packages: Vec<Spanned<String>>,
    pub system_packages: Vec<Spanned<String>>,
    pub run: Vec<RunItem>,
    pub pre_install: Vec<Spanned<String>>,
    pub cuda: Text,
    pub cudnn: Text,
    pub sdk_version: Text,
}

impl Build {
    pub fn gpu(&self) -> bool {
        self.gpu.as_ref().is_some_and(|g| g.value)
    }
}

/// One `build.run` entry: a string, or `{command, mounts}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunItem {
    pub pos: Pos,
    pub command: Spanned<String>,
    /// Written as a mapping (the schema then requires `command`).
    pub object: bool,
    pub mounts: Vec<Mount>,
    /// A command that YAML read as a one-pair mapping because it contains `: ` (`- echo a: b`),
    /// rebuilt as text for the error message.
    pub accidental: Option<String>,
}

impl RunItem {
    /// A command written as a plain string (`pre_install` entries are such commands too).
    pub fn plain(command: &Spanned<String>) -> RunItem {
        RunItem { pos: command.pos, command: command.clone(), object: false, mounts: Vec::new(), accidental: None }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mount {
    pub pos: Pos,
    pub r#type: Spanned<String>,
    pub id: Spanned<String>,
    pub target: Spanned<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Concurrency {
    pub pos: Pos,
    pub max: Option<Spanned<i64>>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Weight {
    pub pos: Pos,
    pub name: Spanned<String>,
    pub target: Spanned<String>,
    /// `None` when `source` is absent or null.
    pub source: Option<Spanned<Vec<WeightSource>>>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WeightSource {
    pub pos: Pos,
    pub uri: Text,
    pub include: Vec<Spanned<String>>,
    pub exclude: Vec<Spanned<String>>,
}

const TOP_KEYS: &[&str] = &["build", "image", "model", "run", "predict", "train", "concurrency", "environment", "weights"];
const BUILD_KEYS: &[&str] = &[
    "gpu",
    "python_version",
    "python_requirements",
    "python_packages",
    "system_packages",
    "run",
    "pre_install",
    "cuda",
    "cudnn",
    "sdk_version",
];
const RUN_ITEM_KEYS: &[&str] = &["command", "mounts"];
const MOUNT_KEYS: &[&str] = &["type", "id", "target"];
const CONCURRENCY_KEYS: &[&str] = &["max"];
const WEIGHT_KEYS: &[&str] = &["name", "target", "source"];
const SOURCE_KEYS: &[&str] = &["uri", "include", "exclude"];

/// Keys cog used to accept and now ignores (cog-spec §17).
fn removed_key(path: &str) -> Option<&'static str> {
    Some(match path {
        "tests" => "cog 0.17 removed the tests key",
        "build.fast" | "build.cog_runtime" | "build.python_overrides" => "cog 0.17 removed the fast/monobase generator this key configured",
        "concurrency.default_target" => "cog's decoder drops it; only concurrency.max is read",
        _ => return None,
    })
}

/// Decodes the parsed document, reporting type errors (errors) and unknown keys (warnings).
/// Decoding continues past type errors so that all are reported, like go-yaml's accumulated
/// construct errors; `Err` when there was one.
pub fn decode(root: Option<&Node>, sink: &mut Sink) -> Result<CogYaml, Reported> {
    let mut d = Decoder { sink: &mut *sink };
    let config = match root {
        None => CogYaml::default(),
        Some(node) if node.is_null() => CogYaml::default(),
        Some(node) => d.top(node),
    };
    sink.result(config)
}

struct Decoder<'a> {
    sink: &'a mut Sink,
}

impl Decoder<'_> {
    fn mismatch(&mut self, node: &Node, expected: &'static str, key: &str) {
        let found = describe(node);
        self.sink.report(Kind::TypeMismatch { found, expected }, node.pos, key);
    }

    /// The pairs of a mapping node, warning about keys outside `known`. `None` (after reporting)
    /// when the node is not a mapping.
    fn mapping<'n>(&mut self, node: &'n Node, known: &[&str], key: &str, expected: &'static str) -> Option<Vec<(String, &'n Node)>> {
        let Value::Mapping(pairs) = &node.value else {
            self.mismatch(node, expected, key);
            return None;
        };
        let mut out = Vec::with_capacity(pairs.len());
        for (k, v) in pairs {
            let Value::Scalar(name) = &k.value else { continue };
            let path = join(key, &name.text);
            if known.contains(&name.text.as_str()) {
                out.push((name.text.clone(), v));
            } else if let Some(note) = removed_key(&path) {
                self.sink.report(Kind::RemovedKey { note }, k.pos, &path);
            } else {
                let suggestion = did_you_mean(&name.text, known).map(|s| join(key, s));
                self.sink.report(Kind::UnknownKey { suggestion }, k.pos, &path);
            }
        }
        Some(out)
    }

    fn string(&mut self, node: &Node, key: &str) -> Text {
        match &node.value {
            _ if node.is_null() => None,
            Value::Scalar(s) => Some(Spanned::new(s.text.clone(), node.pos)),
            _ => {
                self.mismatch(node, "string", key);
                None
            }
        }
    }

    /// A string field that must hold something even when null (go-yaml's zero value "").
    fn required_string(&mut self, node: Option<&Node>, pos: Pos, key: &str) -> Spanned<String> {
        node.and_then(|n| self.string(n, key)).unwrap_or_else(|| Spanned::new(String::new(), pos))
    }

    fn bool(&mut self, node: &Node, key: &str) -> Option<Spanned<bool>> {
        let Value::Scalar(s) = &node.value else {
            self.mismatch(node, "bool", key);
            return None;
        };
        if node.is_null() {
            return None;
        }
        // YAML 1.2 booleans when plain; go-yaml also takes YAML 1.1's words for a bool field,
        // quoted or not, but never a quoted "true".
        let value = match s.text.as_str() {
            "true" | "True" | "TRUE" if s.plain => true,
            "false" | "False" | "FALSE" if s.plain => false,
            "y" | "Y" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" => true,
            "n" | "N" | "no" | "No" | "NO" | "off" | "Off" | "OFF" => false,
            _ => {
                self.mismatch(node, "bool", key);
                return None;
            }
        };
        Some(Spanned::new(value, node.pos))
    }

    fn int(&mut self, node: &Node, key: &str) -> Option<Spanned<i64>> {
        if node.is_null() {
            return None;
        }
        let value = match &node.value {
            Value::Scalar(s) if s.plain => parse_int(&s.text).or_else(|| {
                // go-yaml accepts a float with an integral value (`2.0`) for an int field.
                parse_float(&s.text).and_then(integral)
            }),
            _ => None,
        };
        if value.is_none() {
            self.mismatch(node, "int", key);
        }
        value.map(|v| Spanned::new(v, node.pos))
    }

    fn strings(&mut self, node: &Node, key: &str) -> Vec<Spanned<String>> {
        match &node.value {
            _ if node.is_null() => Vec::new(),
            Value::Sequence(items) => items
                .iter()
                .enumerate()
                .map(|(i, item)| {
                    let item_key = format!("{key}[{i}]");
                    self.string(item, &item_key).unwrap_or_else(|| Spanned::new(String::new(), item.pos))
                })
                .collect(),
            _ => {
                self.mismatch(node, "[]string", key);
                Vec::new()
            }
        }
    }

    fn top(&mut self, node: &Node) -> CogYaml {
        let mut config = CogYaml::default();
        let Some(pairs) = self.mapping(node, TOP_KEYS, "", "config (cog.yaml must be a mapping)") else {
            return config;
        };
        for (name, value) in pairs {
            match name.as_str() {
                "build" if !value.is_null() => config.build = self.build(value),
                "image" => config.image = self.string(value, "image"),
                "model" => config.model = self.string(value, "model"),
                "run" => config.run = self.string(value, "run"),
                "predict" => config.predict = self.string(value, "predict"),
                "train" => config.train = self.string(value, "train"),
                "concurrency" if !value.is_null() => config.concurrency = self.concurrency(value),
                "environment" => config.environment = self.strings(value, "environment"),
                "weights" => config.weights = self.weights(value),
                _ => {}
            }
        }
        config
    }

    fn build(&mut self, node: &Node) -> Option<Build> {
        let pairs = self.mapping(node, BUILD_KEYS, "build", "build (a mapping)")?;
        let mut build = Build { pos: node.pos, ..Build::default() };
        for (name, value) in pairs {
            let key = format!("build.{name}");
            match name.as_str() {
                "gpu" => build.gpu = self.bool(value, &key),
                "python_version" => build.python_version = self.string(value, &key),
                "python_requirements" => build.python_requirements = self.string(value, &key),
                "python_packages" => build.python_packages = self.strings(value, &key),
                "system_packages" => build.system_packages = self.strings(value, &key),
                "run" => build.run = self.run_items(value, &key),
                "pre_install" => build.pre_install = self.strings(value, &key),
                "cuda" => build.cuda = self.string(value, &key),
                "cudnn" => build.cudnn = self.string(value, &key),
                "sdk_version" => build.sdk_version = self.string(value, &key),
                _ => {}
            }
        }
        Some(build)
    }

    fn run_items(&mut self, node: &Node, key: &str) -> Vec<RunItem> {
        let items = match &node.value {
            _ if node.is_null() => return Vec::new(),
            Value::Sequence(items) => items,
            _ => {
                self.mismatch(node, "[]runItemFile", key);
                return Vec::new();
            }
        };
        let mut out = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let item_key = format!("{key}[{i}]");
            match &item.value {
                Value::Scalar(s) if !s.plain || item.tag() == "!!str" => out.push(RunItem::plain(&Spanned::new(s.text.clone(), item.pos))),
                Value::Mapping(_) => {
                    if let Some(run) = self.run_object(item, &item_key) {
                        out.push(run);
                    }
                }
                _ => {
                    let found = go_type(item);
                    self.sink.report(Kind::RunItemType { found }, item.pos, &item_key);
                }
            }
        }
        out
    }

    fn run_object(&mut self, node: &Node, key: &str) -> Option<RunItem> {
        if let Value::Mapping(pairs) = &node.value {
            if let [(k, v)] = &pairs[..] {
                if let (Value::Scalar(name), Value::Scalar(value)) = (&k.value, &v.value) {
                    if !RUN_ITEM_KEYS.contains(&name.text.as_str()) {
                        return Some(RunItem {
                            pos: node.pos,
                            command: Spanned::new(String::new(), node.pos),
                            object: true,
                            mounts: Vec::new(),
                            accidental: Some(format!("{}: {}", name.text, value.text)),
                        });
                    }
                }
            }
        }
        let pairs = self.mapping(node, RUN_ITEM_KEYS, key, "runItemFile")?;
        let command = pairs.iter().find(|(n, _)| n == "command").map(|(_, v)| *v);
        let command = self.required_string(command, node.pos, &format!("{key}.command"));
        let mut mounts = Vec::new();
        if let Some((_, list)) = pairs.iter().find(|(n, _)| n == "mounts") {
            let list_key = format!("{key}.mounts");
            match &list.value {
                _ if list.is_null() => {}
                Value::Sequence(items) => {
                    for (j, m) in items.iter().enumerate() {
                        let mount_key = format!("{list_key}[{j}]");
                        let Some(fields) = self.mapping(m, MOUNT_KEYS, &mount_key, "mount (a mapping)") else { continue };
                        let get = |name: &str| fields.iter().find(|(n, _)| n == name).map(|(_, v)| *v);
                        let (t, id, target) = (get("type"), get("id"), get("target"));
                        mounts.push(Mount {
                            pos: m.pos,
                            r#type: self.required_string(t, m.pos, &format!("{mount_key}.type")),
                            id: self.required_string(id, m.pos, &format!("{mount_key}.id")),
                            target: self.required_string(target, m.pos, &format!("{mount_key}.target")),
                        });
                    }
                }
                _ => self.mismatch(list, "[]mount", &list_key),
            }
        }
        Some(RunItem { pos: node.pos, command, object: true, mounts, accidental: None })
    }

    fn concurrency(&mut self, node: &Node) -> Option<Concurrency> {
        let pairs = self.mapping(node, CONCURRENCY_KEYS, "concurrency", "concurrency (a mapping)")?;
        let max = pairs.iter().find(|(n, _)| n == "max").and_then(|(_, v)| self.int(v, "concurrency.max"));
        Some(Concurrency { pos: node.pos, max })
    }

    fn weights(&mut self, node: &Node) -> Vec<Weight> {
        let items = match &node.value {
            _ if node.is_null() => return Vec::new(),
            Value::Sequence(items) => items,
            _ => {
                self.mismatch(node, "[]weightFile", "weights");
                return Vec::new();
            }
        };
        let mut out = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let key = format!("weights[{i}]");
            let Some(pairs) = self.mapping(item, WEIGHT_KEYS, &key, "weightFile (a mapping)") else { continue };
            let get = |name: &str| pairs.iter().find(|(n, _)| n == name).map(|(_, v)| *v);
            let (name, target, source) = (get("name"), get("target"), get("source"));
            let name = self.required_string(name, item.pos, &format!("{key}.name"));
            let target = self.required_string(target, item.pos, &format!("{key}.target"));
            let source = source.filter(|s| !s.is_null()).and_then(|s| self.sources(s, &format!("{key}.source")));
            out.push(Weight { pos: item.pos, name, target, source });
        }
        out
    }

    fn sources(&mut self, node: &Node, key: &str) -> Option<Spanned<Vec<WeightSource>>> {
        let nodes: Vec<(&Node, String)> = match &node.value {
            Value::Mapping(_) => vec![(node, key.to_owned())],
            Value::Sequence(items) => items.iter().enumerate().map(|(k, n)| (n, format!("{key}[{k}]"))).collect(),
            Value::Scalar(_) => {
                self.sink.report(Kind::WeightSourceShape { found: describe(node) }, node.pos, key);
                return None;
            }
        };
        let mut sources = Vec::new();
        for (n, k) in nodes {
            let Value::Mapping(_) = &n.value else {
                self.sink.report(Kind::WeightSourceShape { found: describe(n) }, n.pos, &k);
                return None;
            };
            let pairs = self.mapping(n, SOURCE_KEYS, &k, "WeightSourceConfig")?;
            let mut source = WeightSource { pos: n.pos, uri: None, include: Vec::new(), exclude: Vec::new() };
            for (name, v) in pairs {
                let field = format!("{k}.{name}");
                match name.as_str() {
                    "uri" => source.uri = self.string(v, &field),
                    "include" => source.include = self.strings(v, &field),
                    "exclude" => source.exclude = self.strings(v, &field),
                    _ => {}
                }
            }
            sources.push(source);
        }
        Some(Spanned::new(sources, node.pos))
    }
}

fn join(parent: &str, child: &str) -> String {
    if parent.is_empty() {
        child.to_owned()
    } else {
        format!("{parent}.{child}")
    }
}

/// `f` as an integer when it has no fractional part and is small enough to be exact.
#[expect(clippy::cast_possible_truncation, reason = "the value is integral and below 2^53")]
fn integral(f: f64) -> Option<i64> {
    (f.fract() == 0.0 && f.abs() < 9.0e15).then_some(f as i64)
}

/// go-yaml's description of an offending node: its tag, and for scalars the value shortened to
/// seven characters (``!!str `true` ``, `!!seq`).
fn describe(node: &Node) -> String {
    match &node.value {
        Value::Scalar(s) => {
            let shown: String =
                if s.text.chars().count() > 10 { format!("{}...", s.text.chars().take(7).collect::<String>()) } else { s.text.clone() };
            format!("{} `{shown}`", node.tag())
        }
        _ => node.tag().to_owned(),
    }
}

/// The Go type go-yaml decodes a node to when the target is `any` (cog's run-item message).
fn go_type(node: &Node) -> &'static str {
    match node.tag() {
        "!!null" => "<nil>",
        "!!bool" => "bool",
        "!!int" => "int",
        "!!float" => "float64",
        "!!seq" => "[]interface {}",
        "!!map" => "map[string]interface {}",
        _ => "string",
    }
}

/// The closest known name, if it is close enough to be a likely typo.
pub fn did_you_mean<'k>(name: &str, known: &[&'k str]) -> Option<&'k str> {
    if name.len() > 64 {
        return None;
    }
    let lower = name.to_lowercase();
    known
        .iter()
        .map(|k| (strsim::damerau_levenshtein(&lower, k), *k))
        .filter(|(distance, k)| *distance <= (k.len() / 3).max(1) + 1)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, k)| k)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Diagnostic;
    use crate::yaml::{parse, Limits};

    /// The config (default when decoding failed) and the diagnostics in reading order.
    fn decode_str(text: &str) -> (CogYaml, Vec<Diagnostic>) {
        let doc = parse(text, Limits::default()).unwrap();
        let mut sink = Sink::new("cog.yaml");
        let config = decode(doc.root.as_ref(), &mut sink).unwrap_or_default();
        let mut diagnostics = sink.into_diagnostics();
        diagnostics.sort_by_key(|d| d.pos);
        (config, diagnostics)
    }

    fn messages(text: &str) -> Vec<String> {
        decode_str(text).1.iter().map(|d| d.render("")).collect()
    }

    #[test]
    fn unquoted_python_version_is_the_written_text() {
        let (config, diags) = decode_str("build:\n  python_version: 3.10\n  gpu: yes\n");
        assert!(diags.is_empty());
        let build = config.build.unwrap();
        assert_eq!(build.python_version.as_ref().unwrap().value, "3.10");
        assert!(build.gpu());
    }

    #[test]
    fn quoted_true_is_not_a_bool() {
        assert_eq!(
            messages("build:\n  gpu: \"true\"\n"),
            ["cog.yaml:2:8: error[CG012]: invalid YAML: build.gpu: cannot construct !!str `true` into bool"]
        );
    }

    #[test]
    fn unknown_keys_warn_with_a_suggestion() {
        assert_eq!(
            messages("build:\n  python_verison: '3.11'\npredictor: p.py:P\n"),
            [
                "cog.yaml:2:3: warning[CG015]: unknown key \"build.python_verison\" is ignored (cog ignores it too); did you mean \"build.python_version\"?",
                "cog.yaml:3:1: warning[CG015]: unknown key \"predictor\" is ignored (cog ignores it too); did you mean \"predict\"?",
            ]
        );
    }

    #[test]
    fn removed_keys_say_so() {
        assert_eq!(
            messages("build:\n  fast: false\n"),
            ["cog.yaml:2:3: warning[CG016]: \"build.fast\" is ignored: cog 0.17 removed the fast/monobase generator this key configured"]
        );
    }

    #[test]
    fn run_items_as_strings_and_objects() {
        let (config, diags) = decode_str(
            "build:\n  run:\n    - echo hi\n    - command: cat /s\n      mounts:\n        - type: secret\n          id: tok\n          target: /s\n",
        );
        assert!(diags.is_empty());
        let run = config.build.unwrap().run;
        assert_eq!(run[0].command.value, "echo hi");
        assert!(run[1].object);
        assert_eq!(run[1].mounts[0].id.value, "tok");
    }

    #[test]
    fn run_item_of_wrong_type_uses_cogs_message() {
        assert_eq!(
            messages("build:\n  run:\n    - ~\n    - 12\n"),
            [
                "cog.yaml:3:7: error[CG013]: invalid YAML: build.run[0]: unexpected type <nil> for runItemFile",
                "cog.yaml:4:7: error[CG013]: invalid YAML: build.run[1]: unexpected type int for runItemFile",
            ]
        );
    }

    #[test]
    fn scalar_where_list_expected() {
        assert_eq!(
            messages("build:\n  system_packages: ffmpeg\n"),
            ["cog.yaml:2:20: error[CG012]: invalid YAML: build.system_packages: cannot construct !!str `ffmpeg` into []string"]
        );
    }

    #[test]
    fn concurrency_accepts_integral_floats() {
        let (config, diags) = decode_str("concurrency:\n  max: 2.0\n");
        assert!(diags.is_empty());
        assert_eq!(config.concurrency.unwrap().max.unwrap().value, 2);
        assert_eq!(
            messages("concurrency:\n  max: 2.5\n"),
            ["cog.yaml:2:8: error[CG012]: invalid YAML: concurrency.max: cannot construct !!float `2.5` into int"]
        );
    }

    #[test]
    fn weights_source_object_or_list() {
        let (config, diags) = decode_str(
            "weights:\n  - name: a\n    target: /w\n    source: {uri: 'hf://x'}\n  - name: b\n    target: /v\n    source:\n      - uri: s3://y\n        include: ['*.bin']\n",
        );
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(config.weights[0].source.as_ref().unwrap().value.len(), 1);
        assert_eq!(config.weights[1].source.as_ref().unwrap().value[0].include[0].value, "*.bin");
        assert_eq!(
            messages("weights:\n  - name: a\n    target: /w\n    source: hf://x\n"),
            ["cog.yaml:4:13: error[CG014]: invalid YAML: weights[0].source: source must be an object or array of objects: cannot construct !!str `hf://x` into WeightSourceConfig"]
        );
    }

    #[test]
    fn top_level_must_be_a_mapping() {
        assert_eq!(
            messages("hello\n"),
            ["cog.yaml:1:1: error[CG012]: invalid YAML: cannot construct !!str `hello` into config (cog.yaml must be a mapping)"]
        );
        assert_eq!(decode_str("---\nnull\n").0, CogYaml::default());
    }
}
