//! A YAML front end that keeps the position of every node and refuses hostile documents.
//!
//! `serde_yaml` (and go-yaml inside cog) decode straight into structs and forget where values came
//! from; we need `cog.yaml:LINE:COL` on every message, a bounded expansion of anchors and aliases,
//! and a nesting limit. So this module drives the `saphyr-parser` event stream itself and builds a
//! small tree. Typing the tree is `config.rs`'s job. In: text; out: a `Document` of positioned
//! nodes, or a `YamlError` (the diagnostic's kind, position and key).

use std::collections::{HashMap, HashSet};

use saphyr_parser::{Event, Parser, ScalarStyle, Span};

use crate::diagnostic::{Kind, Pos};

/// Bounds that keep a crafted document from exhausting time or memory. Real cog.yaml files are a
/// few kilobytes with a few hundred nodes (the largest in our corpus has 120).
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Nodes in the tree after every alias is expanded.
    pub max_nodes: usize,
    /// Nesting of sequences and mappings.
    pub max_depth: usize,
    /// Characters in one scalar.
    pub max_scalar: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits { max_nodes: 100_000, max_depth: 64, max_scalar: 65_536 }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scalar {
    pub text: String,
    /// Plain (unquoted, untagged) scalars are the ones YAML resolves to null, bool, int or float;
    /// quoted, block and `!!str` scalars are always strings.
    pub plain: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    Scalar(Scalar),
    Sequence(Vec<Node>),
    Mapping(Vec<(Node, Node)>),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Node {
    pub value: Value,
    pub pos: Pos,
    /// Nodes in this subtree, counted so that copying an alias can be charged before it happens.
    size: usize,
}

impl Node {
    fn new(value: Value, pos: Pos) -> Node {
        let size = 1 + match &value {
            Value::Scalar(_) => 0,
            Value::Sequence(items) => items.iter().map(|n| n.size).sum(),
            Value::Mapping(pairs) => pairs.iter().map(|(k, v)| k.size + v.size).sum(),
        };
        Node { value, pos, size }
    }

    /// `~`, `null`, an empty value, or `!!null`.
    pub fn is_null(&self) -> bool {
        matches!(&self.value, Value::Scalar(s) if s.plain && matches!(s.text.as_str(), "" | "~" | "null" | "Null" | "NULL"))
    }

    /// The YAML tag this node resolves to, in go-yaml's words (used in "cannot construct" errors).
    pub fn tag(&self) -> &'static str {
        match &self.value {
            Value::Sequence(_) => "!!seq",
            Value::Mapping(_) => "!!map",
            Value::Scalar(s) if !s.plain => "!!str",
            Value::Scalar(_) if self.is_null() => "!!null",
            Value::Scalar(s) => plain_tag(&s.text),
        }
    }
}

fn plain_tag(text: &str) -> &'static str {
    if matches!(text, "true" | "True" | "TRUE" | "false" | "False" | "FALSE") {
        "!!bool"
    } else if parse_int(text).is_some() {
        "!!int"
    } else if parse_float(text).is_some() {
        "!!float"
    } else {
        "!!str"
    }
}

/// YAML 1.2 core-schema integers (`12`, `-3`, `0x1f`, `0o17`), as go-yaml accepts them.
pub fn parse_int(text: &str) -> Option<i64> {
    let (negative, digits) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let digits = digits.replace('_', "");
    let value = if let Some(hex) = digits.strip_prefix("0x") {
        i64::from_str_radix(hex, 16).ok()?
    } else if let Some(oct) = digits.strip_prefix("0o") {
        i64::from_str_radix(oct, 8).ok()?
    } else if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        digits.parse().ok()?
    } else {
        return None;
    };
    Some(if negative { -value } else { value })
}

/// YAML floats (`1.5`, `2.`, `1e3`, `.inf`).
pub fn parse_float(text: &str) -> Option<f64> {
    let t = text.trim_start_matches(['+', '-']);
    if matches!(t, ".inf" | ".Inf" | ".INF" | ".nan" | ".NaN" | ".NAN") {
        return Some(f64::NAN);
    }
    let looks_numeric = t.starts_with(|c: char| c.is_ascii_digit() || c == '.')
        && t.chars().all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-' | '_'));
    if looks_numeric {
        text.replace('_', "").parse().ok()
    } else {
        None
    }
}

/// The first document of a stream. `root` is `None` for an empty stream or a document that is
/// only comments.
#[derive(Debug)]
pub struct Document {
    pub root: Option<Node>,
    /// Set when the stream holds further documents (which cog, and so we, ignore).
    pub more_documents: bool,
}

/// A problem with the YAML itself, before any cog meaning is attached.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct YamlError {
    pub kind: Kind,
    pub pos: Pos,
    /// Dotted path of the mapping key the error is under, when known.
    pub key: String,
}

fn pos_of(span: &Span) -> Pos {
    Pos::new(span.start.line(), span.start.col() + 1)
}

enum Frame {
    Sequence { pos: Pos, anchor: usize, items: Vec<Node>, key: String },
    Mapping { pos: Pos, anchor: usize, pairs: Vec<(Node, Node)>, pending: Option<Node>, seen: HashSet<String>, key: String },
}

impl Frame {
    /// The key path of the next child: `build.run[3]` or `build.gpu`.
    fn child_key(&self) -> String {
        match self {
            Frame::Sequence { key, items, .. } => format!("{key}[{}]", items.len()),
            Frame::Mapping { key, pending: Some(k), .. } => join_key(key, &scalar_text(k)),
            Frame::Mapping { key, .. } => key.clone(),
        }
    }
}

fn join_key(parent: &str, child: &str) -> String {
    if parent.is_empty() {
        child.to_owned()
    } else {
        format!("{parent}.{child}")
    }
}

fn scalar_text(node: &Node) -> String {
    match &node.value {
        Value::Scalar(s) => s.text.clone(),
        _ => String::new(),
    }
}

struct Builder {
    limits: Limits,
    stack: Vec<Frame>,
    anchors: HashMap<usize, Node>,
    nodes: usize,
    root: Option<Node>,
}

impl Builder {
    fn error(&self, kind: Kind, pos: Pos) -> YamlError {
        let key = self.stack.last().map(Frame::child_key).unwrap_or_default();
        YamlError { kind, pos, key }
    }

    fn charge(&mut self, size: usize, pos: Pos) -> Result<(), YamlError> {
        self.nodes = self.nodes.saturating_add(size);
        if self.nodes > self.limits.max_nodes {
            return Err(self.error(Kind::AliasBudget { limit: self.limits.max_nodes }, pos));
        }
        Ok(())
    }

    fn open(&mut self, frame: Frame, pos: Pos) -> Result<(), YamlError> {
        if self.stack.len() >= self.limits.max_depth {
            return Err(self.error(Kind::TooDeep { limit: self.limits.max_depth }, pos));
        }
        self.charge(1, pos)?;
        self.stack.push(frame);
        Ok(())
    }

    /// Attach a finished node to its parent (or make it the root).
    fn attach(&mut self, node: Node, anchor: usize) -> Result<(), YamlError> {
        if anchor != 0 {
            self.anchors.insert(anchor, node.clone());
        }
        let Some(frame) = self.stack.last_mut() else {
            self.root = Some(node);
            return Ok(());
        };
        match frame {
            Frame::Sequence { items, .. } => items.push(node),
            Frame::Mapping { pairs, pending, seen, key, .. } => match pending.take() {
                None => {
                    let Value::Scalar(scalar) = &node.value else {
                        let pos = node.pos;
                        let key = key.clone();
                        return Err(YamlError { kind: Kind::ComplexKey, pos, key });
                    };
                    let is_merge = scalar.plain && scalar.text == "<<";
                    if !is_merge && !seen.insert(scalar.text.clone()) {
                        let first_line = pairs.iter().find(|(k, _)| scalar_text(k) == scalar.text).map_or(0, |(k, _)| k.pos.line);
                        let kind = Kind::DuplicateKey { key: scalar.text.clone(), first_line };
                        let full = join_key(key, &scalar.text);
                        return Err(YamlError { kind, pos: node.pos, key: full });
                    }
                    *pending = Some(node);
                }
                Some(k) => pairs.push((k, node)),
            },
        }
        Ok(())
    }

    fn close(&mut self) -> Result<(), YamlError> {
        let frame = self.stack.pop().expect("the parser balances start and end events");
        let (node, anchor) = match frame {
            Frame::Sequence { pos, anchor, items, .. } => (Node::new(Value::Sequence(items), pos), anchor),
            Frame::Mapping { pos, anchor, pairs, key, .. } => (Node::new(Value::Mapping(merge_keys(pairs, &key)?), pos), anchor),
        };
        self.attach(node, anchor)
    }
}

/// Apply YAML merge keys (`<<: *defaults`), which go-yaml honours: keys written in the mapping
/// win over merged ones, and earlier merged mappings win over later ones.
fn merge_keys(pairs: Vec<(Node, Node)>, key: &str) -> Result<Vec<(Node, Node)>, YamlError> {
    if !pairs.iter().any(|(k, _)| is_merge_key(k)) {
        return Ok(pairs);
    }
    let mut own = Vec::new();
    let mut merged = Vec::new();
    for (k, v) in pairs {
        if !is_merge_key(&k) {
            own.push((k, v));
            continue;
        }
        let sources = match v.value {
            Value::Sequence(items) => items,
            Value::Mapping(_) | Value::Scalar(_) => vec![v],
        };
        for source in sources {
            let Value::Mapping(source_pairs) = source.value else {
                let kind = Kind::TypeMismatch { found: source.tag().to_owned(), expected: "a mapping to merge" };
                return Err(YamlError { kind, pos: source.pos, key: join_key(key, "<<") });
            };
            merged.extend(source_pairs);
        }
    }
    let mut seen: HashSet<String> = own.iter().map(|(k, _)| scalar_text(k)).collect();
    for (k, v) in merged {
        if seen.insert(scalar_text(&k)) {
            own.push((k, v));
        }
    }
    Ok(own)
}

fn is_merge_key(node: &Node) -> bool {
    matches!(&node.value, Value::Scalar(s) if s.plain && s.text == "<<")
}

/// Parse the first YAML document of `text`.
pub fn parse(text: &str, limits: Limits) -> Result<Document, YamlError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut parser = Parser::new_from_str(text);
    let mut b = Builder { limits, stack: Vec::new(), anchors: HashMap::new(), nodes: 0, root: None };
    let mut documents = 0;
    while let Some(next) = parser.next_event() {
        let (event, span) = next.map_err(|e| {
            let pos = Pos::new(e.marker().line(), e.marker().col() + 1);
            b.error(Kind::YamlSyntax { message: e.info().to_owned() }, pos)
        })?;
        let pos = pos_of(&span);
        match event {
            Event::DocumentStart(_) => {
                documents += 1;
                if documents > 1 {
                    return Ok(Document { root: b.root, more_documents: true });
                }
            }
            Event::Scalar(text, style, anchor, tag) => {
                let length = text.chars().count();
                if length > limits.max_scalar {
                    return Err(b.error(Kind::ScalarTooLong { length, limit: limits.max_scalar }, pos));
                }
                if text.contains('\0') {
                    return Err(b.error(Kind::NulInValue, pos));
                }
                b.charge(1, pos)?;
                let tagged = tag.as_deref().map(|t| t.suffix.as_str());
                let plain = style == ScalarStyle::Plain && tagged != Some("str");
                let text = if tagged == Some("null") { "~".to_owned() } else { text.into_owned() };
                b.attach(Node::new(Value::Scalar(Scalar { text, plain }), pos), anchor)?;
            }
            Event::SequenceStart(anchor, _) => {
                let key = b.stack.last().map(Frame::child_key).unwrap_or_default();
                b.open(Frame::Sequence { pos, anchor, items: Vec::new(), key }, pos)?;
            }
            Event::MappingStart(anchor, _) => {
                let key = b.stack.last().map(Frame::child_key).unwrap_or_default();
                let frame = Frame::Mapping { pos, anchor, pairs: Vec::new(), pending: None, seen: HashSet::new(), key };
                b.open(frame, pos)?;
            }
            Event::SequenceEnd | Event::MappingEnd => b.close()?,
            Event::Alias(id) => {
                let node =
                    b.anchors.get(&id).cloned().ok_or_else(|| b.error(Kind::YamlSyntax { message: "unknown anchor".to_owned() }, pos))?;
                b.charge(node.size, pos)?;
                // The copy keeps the anchor's positions: messages point at the original text.
                b.attach(node, 0)?;
            }
            Event::StreamEnd => break,
            Event::StreamStart | Event::DocumentEnd | Event::Nothing => {}
        }
    }
    Ok(Document { root: b.root, more_documents: false })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fmt::Write as _;

    fn root(text: &str) -> Node {
        parse(text, Limits::default()).unwrap().root.unwrap()
    }

    fn err(text: &str) -> YamlError {
        parse(text, Limits::default()).unwrap_err()
    }

    #[test]
    fn positions_are_one_based() {
        let node = root("build:\n  gpu: true\n");
        let Value::Mapping(top) = &node.value else { panic!() };
        let Value::Mapping(build) = &top[0].1.value else { panic!() };
        assert_eq!(build[0].0.pos, Pos::new(2, 3));
        assert_eq!(build[0].1.pos, Pos::new(2, 8));
    }

    #[test]
    fn empty_and_comment_only_documents_have_no_root() {
        assert!(parse("", Limits::default()).unwrap().root.is_none());
        assert!(parse("# nothing\n", Limits::default()).unwrap().root.is_none());
    }

    #[test]
    fn unquoted_version_keeps_its_text() {
        let node = root("v: 3.10\n");
        let Value::Mapping(pairs) = &node.value else { panic!() };
        assert_eq!(pairs[0].1.value, Value::Scalar(Scalar { text: "3.10".into(), plain: true }));
        assert_eq!(pairs[0].1.tag(), "!!float");
    }

    #[test]
    fn duplicate_keys_name_the_first_line() {
        let e = err("build:\n  gpu: true\n  gpu: false\n");
        assert_eq!(e.kind, Kind::DuplicateKey { key: "gpu".into(), first_line: 2 });
        assert_eq!(e.pos, Pos::new(3, 3));
        assert_eq!(e.key, "build.gpu");
    }

    #[test]
    fn aliases_are_expanded_and_merge_keys_applied() {
        let node = root("base: &b {gpu: true, cuda: '11.8'}\nbuild:\n  <<: *b\n  cuda: '12.1'\n");
        let Value::Mapping(top) = &node.value else { panic!() };
        let Value::Mapping(build) = &top[1].1.value else { panic!() };
        let keys: Vec<_> = build.iter().map(|(k, v)| (scalar_text(k), scalar_text(v))).collect();
        assert_eq!(keys, [("cuda".to_owned(), "12.1".to_owned()), ("gpu".to_owned(), "true".to_owned())]);
    }

    #[test]
    fn billion_laughs_is_refused() {
        let mut doc = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            let refs = vec![format!("*a{}", i - 1); 10].join(", ");
            let _ = writeln!(doc, "a{i}: &a{i} [{refs}]");
        }
        assert!(matches!(err(&doc).kind, Kind::AliasBudget { .. }));
    }

    #[test]
    fn deep_nesting_is_refused() {
        let doc = format!("{}{}", "[".repeat(200), "]".repeat(200));
        assert_eq!(err(&doc).kind, Kind::TooDeep { limit: 64 });
    }

    #[test]
    fn syntax_errors_are_located() {
        let e = err("a: 1\n  b: [\n");
        assert!(matches!(e.kind, Kind::YamlSyntax { .. }));
        assert_eq!(e.pos.line, 2);
    }

    #[test]
    fn bom_is_ignored_and_str_tag_quotes() {
        let node = root("\u{feff}a: !!str 12\n");
        let Value::Mapping(pairs) = &node.value else { panic!() };
        assert_eq!(scalar_text(&pairs[0].0), "a");
        assert_eq!(pairs[0].1.tag(), "!!str");
    }

    #[test]
    fn nul_escapes_are_refused() {
        // Nix strings end at NUL, so the value could not reach cog.nix intact.
        let e = err("image: \"a\\0b\"\n");
        assert_eq!((e.kind, e.pos, e.key.as_str()), (Kind::NulInValue, Pos::new(1, 8), "image"));
    }

    #[test]
    fn second_document_is_reported() {
        let doc = parse("a: 1\n---\nb: 2\n", Limits::default()).unwrap();
        assert!(doc.more_documents);
    }

    #[test]
    fn integers_and_floats() {
        assert_eq!(parse_int("0x10"), Some(16));
        assert_eq!(parse_int("-7"), Some(-7));
        assert_eq!(parse_int("3.0"), None);
        assert_eq!(parse_float("2.0"), Some(2.0));
        assert_eq!(parse_float("abc"), None);
    }
}
