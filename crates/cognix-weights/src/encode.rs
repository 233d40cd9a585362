//! JSON bytes exactly as Go's encoding/json writes them, since digests are taken over them (the
//! weight config blob, the weight manifest) and weights.lock must not churn between cog and
//! cognix. `serde_json` writes the same structure, separators and indentation (fields in struct
//! order, two-space `MarshalIndent`); Go additionally escapes `<`, `>`, `&`, U+2028 and U+2029,
//! which can only occur inside strings, so they are rewritten afterwards.

use serde::Serialize;

/// `json.Marshal`.
///
/// # Panics
/// Only for a value serde cannot represent as JSON (a map with non-string keys), which this
/// crate never passes.
pub fn compact(value: &impl Serialize) -> Vec<u8> {
    go_escape(serde_json::to_string(value).expect("plain data serializes"))
}

/// `json.MarshalIndent(value, "", "  ")`: no trailing newline.
///
/// # Panics
/// As `compact`.
pub fn indented(value: &impl Serialize) -> Vec<u8> {
    go_escape(serde_json::to_string_pretty(value).expect("plain data serializes"))
}

fn go_escape(text: String) -> Vec<u8> {
    if !text.contains(['<', '>', '&', '\u{2028}', '\u{2029}']) {
        return text.into_bytes();
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    struct Sample {
        name: &'static str,
        list: Vec<u8>,
    }

    #[test]
    fn escapes_like_go() {
        let bytes = compact(&Sample { name: "a<b>&c\u{2028}\"\\\n\u{1}", list: vec![] });
        assert_eq!(String::from_utf8(bytes).unwrap(), r#"{"name":"a\u003cb\u003e\u0026c\u2028\"\\\n\u0001","list":[]}"#);
    }

    #[test]
    fn indents_like_marshal_indent() {
        let bytes = indented(&Sample { name: "x", list: vec![1, 2] });
        assert_eq!(String::from_utf8(bytes).unwrap(), "{\n  \"name\": \"x\",\n  \"list\": [\n    1,\n    2\n  ]\n}");
    }
}
