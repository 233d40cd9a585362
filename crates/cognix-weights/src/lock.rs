//! weights.lock in cog's format (pkg/weights/lockfile): the model, decoding from the positioned
//! JSON tree with an error for every value of the wrong shape, and canonical output byte-identical
//! to cog's (`MarshalIndent` with two spaces, files sorted by path, layers by digest, no trailing
//! newline).

use cognix_gen::diagnostic::Pos;
use serde::Serialize;

use crate::json::{self, Member, Node, Value};
use crate::problem::Problem;

pub const FILE_NAME: &str = "weights.lock";

/// The lock format version cog reads and writes.
pub const VERSION: u64 = 1;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Lock {
    pub version: u64,
    /// Which packer settings made the layer digests (`envelope::FORMAT`); a different value makes
    /// the next import recompute the layers.
    pub envelope_format: String,
    /// In cog.yaml's order.
    pub weights: Vec<Entry>,
    #[serde(skip)]
    pub at: At,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Entry {
    pub name: String,
    pub target: String,
    pub sources: Vec<Source>,
    /// RFC 3339; informational, never compared.
    pub imported_at: String,
    /// The weight manifest's digest.
    pub digest: String,
    pub set_digest: String,
    /// Sum of the layers' `sizeUncompressed`.
    pub size: u64,
    /// Sum of the layers' `size`.
    pub size_compressed: u64,
    pub files: Vec<File>,
    pub layers: Vec<Layer>,
    #[serde(skip)]
    pub at: At,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Source {
    /// Normalised (`file://./weights`, `hf://org/repo`, `https://…`).
    pub uri: String,
    /// The source's version when it was imported: `sha256:<dirhash>`, `commit:<sha>`, `etag:<v>`.
    pub fingerprint: String,
    /// Sorted.
    pub include: Vec<String>,
    /// Sorted.
    pub exclude: Vec<String>,
    #[serde(skip)]
    pub at: At,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct File {
    /// Relative to the weight's target, with forward slashes.
    pub path: String,
    pub size: u64,
    pub digest: String,
    /// The digest of the layer holding the file.
    pub layer: String,
    #[serde(skip)]
    pub at: At,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Layer {
    pub digest: String,
    pub media_type: String,
    /// The blob's size (compressed for gzip layers).
    pub size: u64,
    /// The sum of the sizes of the files in the layer.
    pub size_uncompressed: u64,
    #[serde(skip)]
    pub at: At,
}

/// Where a value and its keys were written; empty for values cognix made itself.
#[derive(Clone, Debug, Default)]
pub struct At {
    pub pos: Pos,
    /// The key path, `weights[0].files[2]`.
    pub path: String,
    keys: Vec<(&'static str, Pos)>,
}

/// Where a value was written is not part of it: entries compare by content.
impl PartialEq for At {
    fn eq(&self, _: &At) -> bool {
        true
    }
}

impl Eq for At {}

impl At {
    /// Where `key`'s value is, or the object itself when the key is absent.
    pub fn of(&self, key: &str) -> Pos {
        self.keys.iter().find(|(k, _)| *k == key).map_or(self.pos, |(_, p)| *p)
    }

    /// The key path of `key` in this object.
    pub fn path_of(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_owned()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    /// A problem with `key` of this object.
    pub fn problem(&self, key: &str, message: impl Into<String>) -> Problem {
        Problem::new(self.of(key), self.path_of(key), message)
    }
}

impl Lock {
    /// Reads weights.lock text. Every value of the wrong shape is reported, each with its place.
    pub fn parse(text: &str) -> Result<Lock, Vec<Problem>> {
        let root = json::parse(text).map_err(|e| vec![Problem::new(e.pos, String::new(), format!("invalid JSON: {}", e.message))])?;
        let mut decoder = Decoder::default();
        let lock = decoder.lock(&root);
        if decoder.problems.is_empty() {
            Ok(lock)
        } else {
            Err(decoder.problems)
        }
    }

    /// The canonical bytes cog writes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut lock = self.clone();
        for entry in &mut lock.weights {
            entry.canonicalize();
        }
        crate::encode::indented(&lock)
    }

    pub fn find(&self, name: &str) -> Option<&Entry> {
        self.weights.iter().find(|e| e.name == name)
    }
}

impl Entry {
    /// Files by path, layers by digest: the order cog writes and builds manifests in.
    pub fn canonicalize(&mut self) {
        self.files.sort_by(|a, b| a.path.cmp(&b.path));
        self.layers.sort_by(|a, b| a.digest.cmp(&b.digest));
    }

    /// Content and sources equal, `importedAt` aside (cog's `EntriesEqual`).
    pub fn same_as(&self, other: &Entry) -> bool {
        let strip = |e: &Entry| Entry { imported_at: String::new(), ..e.clone() };
        strip(self) == strip(other)
    }
}

#[derive(Default)]
struct Decoder {
    problems: Vec<Problem>,
}

/// An object being decoded: its members and its place.
struct Object<'a> {
    members: &'a [Member],
    at: At,
}

impl Decoder {
    fn problem(&mut self, pos: Pos, path: &str, message: String) {
        self.problems.push(Problem::new(pos, path.to_owned(), message));
    }

    fn object<'a>(&mut self, node: &'a Node, path: &str) -> Option<Object<'a>> {
        if let Value::Object(members) = &node.value {
            let keys = members.iter().filter_map(|m| KEYS.iter().find(|k| **k == m.key).map(|k| (*k, m.value.pos))).collect();
            Some(Object { members, at: At { pos: node.pos, path: path.to_owned(), keys } })
        } else {
            self.problem(node.pos, path, format!("expected an object, found {}", node.kind()));
            None
        }
    }

    fn member<'a>(&mut self, object: &Object<'a>, key: &str, required: bool) -> Option<&'a Node> {
        let found = object.members.iter().find(|m| m.key == key).map(|m| &m.value);
        if found.is_none() && required {
            self.problem(object.at.pos, &object.at.path_of(key), format!("missing key \"{key}\""));
        }
        found.filter(|n| !matches!((&n.value, required), (Value::Null, false)))
    }

    fn string(&mut self, object: &Object<'_>, key: &str) -> String {
        match self.member(object, key, true) {
            Some(Node { value: Value::String(s), .. }) => s.clone(),
            Some(node) => {
                self.problem(node.pos, &object.at.path_of(key), format!("expected a string, found {}", node.kind()));
                String::new()
            }
            None => String::new(),
        }
    }

    /// A non-negative integer (Go's int64; cog never writes a negative size).
    fn count(&mut self, object: &Object<'_>, key: &str) -> u64 {
        let Some(node) = self.member(object, key, true) else { return 0 };
        let parsed = match &node.value {
            Value::Number(text) => text.parse::<u64>().ok().filter(|n| i64::try_from(*n).is_ok()),
            _ => None,
        };
        parsed.unwrap_or_else(|| {
            self.problem(node.pos, &object.at.path_of(key), format!("expected a non-negative integer, found {}", shown(node)));
            0
        })
    }

    fn array<'a>(&mut self, object: &Object<'a>, key: &str, required: bool) -> &'a [Node] {
        match self.member(object, key, required) {
            Some(Node { value: Value::Array(items), .. }) => items,
            Some(node) => {
                self.problem(node.pos, &object.at.path_of(key), format!("expected an array, found {}", node.kind()));
                &[]
            }
            None => &[],
        }
    }

    fn strings(&mut self, object: &Object<'_>, key: &str) -> Vec<String> {
        let path = object.at.path_of(key);
        let mut out = Vec::new();
        for (i, node) in self.array(object, key, false).iter().enumerate() {
            match &node.value {
                Value::String(s) => out.push(s.clone()),
                _ => self.problem(node.pos, &format!("{path}[{i}]"), format!("expected a string, found {}", node.kind())),
            }
        }
        out
    }

    fn list<'a, T>(&mut self, object: &Object<'a>, key: &str, decode: impl Fn(&mut Self, &'a Node, &str) -> Option<T>) -> Vec<T> {
        let path = object.at.path_of(key);
        let items = self.array(object, key, true);
        items.iter().enumerate().filter_map(|(i, node)| decode(self, node, &format!("{path}[{i}]"))).collect()
    }

    fn lock(&mut self, root: &Node) -> Lock {
        let Some(object) = self.object(root, "") else { return Lock::default() };
        let version = self.count(&object, "version");
        if version != VERSION && self.problems.is_empty() {
            let pos = object.at.of("version");
            self.problem(pos, "version", format!("unsupported weights.lock version {version} (want {VERSION})"));
        }
        // Empty or absent means "written before envelopes existed": the next import recomputes.
        let envelope_format = match self.member(&object, "envelopeFormat", false) {
            Some(Node { value: Value::String(s), .. }) => s.clone(),
            Some(node) => {
                self.problem(node.pos, "envelopeFormat", format!("expected a string, found {}", node.kind()));
                String::new()
            }
            None => String::new(),
        };
        let weights = self.list(&object, "weights", Self::entry);
        Lock { version, envelope_format, weights, at: object.at }
    }

    fn entry(&mut self, node: &Node, path: &str) -> Option<Entry> {
        let object = self.object(node, path)?;
        let imported_at = match self.member(&object, "importedAt", false) {
            Some(Node { value: Value::String(s), pos }) => {
                if !is_rfc3339(s) {
                    self.problem(*pos, &object.at.path_of("importedAt"), format!("expected an RFC 3339 time, found \"{s}\""));
                }
                s.clone()
            }
            Some(node) => {
                self.problem(node.pos, &object.at.path_of("importedAt"), format!("expected a string, found {}", node.kind()));
                String::new()
            }
            None => String::new(),
        };
        Some(Entry {
            name: self.string(&object, "name"),
            target: self.string(&object, "target"),
            sources: self.list(&object, "sources", Self::source),
            imported_at,
            digest: self.string(&object, "digest"),
            set_digest: self.string(&object, "setDigest"),
            size: self.count(&object, "size"),
            size_compressed: self.count(&object, "sizeCompressed"),
            files: self.list(&object, "files", Self::file),
            layers: self.list(&object, "layers", Self::layer),
            at: object.at,
        })
    }

    fn source(&mut self, node: &Node, path: &str) -> Option<Source> {
        let object = self.object(node, path)?;
        Some(Source {
            uri: self.string(&object, "uri"),
            fingerprint: self.string(&object, "fingerprint"),
            include: self.strings(&object, "include"),
            exclude: self.strings(&object, "exclude"),
            at: object.at,
        })
    }

    fn file(&mut self, node: &Node, path: &str) -> Option<File> {
        let object = self.object(node, path)?;
        Some(File {
            path: self.string(&object, "path"),
            size: self.count(&object, "size"),
            digest: self.string(&object, "digest"),
            layer: self.string(&object, "layer"),
            at: object.at,
        })
    }

    fn layer(&mut self, node: &Node, path: &str) -> Option<Layer> {
        let object = self.object(node, path)?;
        Some(Layer {
            digest: self.string(&object, "digest"),
            media_type: self.string(&object, "mediaType"),
            size: self.count(&object, "size"),
            size_uncompressed: self.count(&object, "sizeUncompressed"),
            at: object.at,
        })
    }
}

/// Every key the format has, so positions can be kept with `'static` names.
const KEYS: &[&str] = &[
    "version",
    "envelopeFormat",
    "weights",
    "name",
    "target",
    "sources",
    "importedAt",
    "digest",
    "setDigest",
    "size",
    "sizeCompressed",
    "files",
    "layers",
    "uri",
    "fingerprint",
    "include",
    "exclude",
    "path",
    "layer",
    "mediaType",
    "sizeUncompressed",
];

fn shown(node: &Node) -> String {
    match &node.value {
        Value::Number(n) => n.clone(),
        _ => node.kind().to_owned(),
    }
}

/// `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`, what Go's `time.Time` accepts from JSON.
fn is_rfc3339(s: &str) -> bool {
    let b = s.as_bytes();
    let digits = |range: std::ops::Range<usize>| b.get(range).is_some_and(|d| d.iter().all(u8::is_ascii_digit));
    if b.len() < 20 || !digits(0..4) || b[4] != b'-' || !digits(5..7) || b[7] != b'-' || !digits(8..10) {
        return false;
    }
    if !matches!(b[10], b'T' | b't') || !digits(11..13) || b[13] != b':' || !digits(14..16) || b[16] != b':' || !digits(17..19) {
        return false;
    }
    let mut rest = &b[19..];
    if rest.first() == Some(&b'.') {
        let n = rest[1..].iter().take_while(|c| c.is_ascii_digit()).count();
        if n == 0 {
            return false;
        }
        rest = &rest[1 + n..];
    }
    match rest {
        [b'Z' | b'z'] => true,
        [b'+' | b'-', h1, h2, b':', m1, m2] => [h1, h2, m1, m2].iter().all(|c| c.is_ascii_digit()),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMALL: &str = r#"{
  "version": 1,
  "envelopeFormat": "sha256:x",
  "weights": [
    {
      "name": "w",
      "target": "/src/w",
      "sources": [
        {
          "uri": "file://./w",
          "fingerprint": "sha256:f",
          "include": [],
          "exclude": []
        }
      ],
      "importedAt": "2026-06-12T16:41:25.807184Z",
      "digest": "sha256:d",
      "setDigest": "sha256:s",
      "size": 3,
      "sizeCompressed": 2,
      "files": [
        {
          "path": "a",
          "size": 3,
          "digest": "sha256:a",
          "layer": "sha256:l"
        }
      ],
      "layers": [
        {
          "digest": "sha256:l",
          "mediaType": "application/vnd.oci.image.layer.v1.tar",
          "size": 2,
          "sizeUncompressed": 3
        }
      ]
    }
  ]
}"#;

    #[test]
    fn round_trips_byte_for_byte() {
        let lock = Lock::parse(SMALL).unwrap();
        assert_eq!(lock.weights[0].files[0].at.path, "weights[0].files[0]");
        assert_eq!(lock.weights[0].files[0].at.of("digest"), Pos::new(25, 21));
        assert_eq!(String::from_utf8(lock.to_bytes()).unwrap(), SMALL);
    }

    #[test]
    fn every_shape_problem_is_located() {
        let text = SMALL
            .replace("\"size\": 3,\n          \"digest\"", "\"size\": -3,\n          \"digest\"")
            .replace("\"uri\": \"file://./w\"", "\"uri\": 7");
        let problems = Lock::parse(&text).unwrap_err();
        let shown: Vec<String> = problems.iter().map(|p| p.render("weights.lock")).collect();
        assert_eq!(
            shown,
            [
                "weights.lock:10:18: weights[0].sources[0].uri: expected a string, found a number",
                "weights.lock:24:19: weights[0].files[0].size: expected a non-negative integer, found -3",
            ]
        );
    }

    #[test]
    fn missing_keys_and_versions() {
        let problems = Lock::parse(r#"{"version": 2, "weights": [{"name": "w"}]}"#).unwrap_err();
        assert_eq!(problems[0].render("l"), "l:1:13: version: unsupported weights.lock version 2 (want 1)");
        assert!(problems.iter().any(|p| p.render("l") == "l:1:28: weights[0].target: missing key \"target\""));
        assert_eq!(Lock::parse("[]").unwrap_err()[0].render("l"), "l:1:1: expected an object, found an array");
        assert_eq!(Lock::parse("{").unwrap_err()[0].render("l"), "l:1:2: invalid JSON: expected a key in double quotes");
    }

    #[test]
    fn times() {
        assert!(is_rfc3339("2026-06-11T20:44:00.402112Z"));
        assert!(is_rfc3339("2026-06-11T20:44:00+02:00"));
        assert!(!is_rfc3339("2026-06-11 20:44:00Z"));
        assert!(!is_rfc3339("yesterday"));
    }
}
