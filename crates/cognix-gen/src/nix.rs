//! Writes a JSON value as Nix text: pretty, deterministic, and with every string escaped so that no
//! value from cog.yaml can become Nix code (`${`, `''`, backslashes, quotes, control characters).
//! `generate.rs` re-parses the result with rnix and lints it before anything is written. In: a
//! JSON value; out: Nix text.

use serde_json::Value;

/// Nix keywords, which must be quoted when used as attribute names.
const KEYWORDS: &[&str] = &["if", "then", "else", "assert", "with", "let", "in", "rec", "inherit", "or"];

/// `value` as a Nix expression, starting at indentation `indent`.
pub fn expression(value: &Value, indent: usize, out: &mut String) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => {
            let text = n.to_string();
            // In a list, `1 -2` would parse as a subtraction.
            if text.starts_with('-') {
                out.push('(');
                out.push_str(&text);
                out.push(')');
            } else {
                out.push_str(&text);
            }
        }
        Value::String(s) => string(s, out),
        Value::Array(items) if items.is_empty() => out.push_str("[ ]"),
        Value::Array(items) => {
            out.push_str("[\n");
            for item in items {
                push_indent(indent + 2, out);
                expression(item, indent + 2, out);
                out.push('\n');
            }
            push_indent(indent, out);
            out.push(']');
        }
        Value::Object(map) if map.is_empty() => out.push_str("{ }"),
        Value::Object(map) => {
            out.push_str("{\n");
            for (key, item) in map {
                push_indent(indent + 2, out);
                attr_name(key, out);
                out.push_str(" = ");
                expression(item, indent + 2, out);
                out.push_str(";\n");
            }
            push_indent(indent, out);
            out.push('}');
        }
    }
}

fn push_indent(n: usize, out: &mut String) {
    out.extend(std::iter::repeat_n(' ', n));
}

/// A plain identifier when it is one, otherwise a quoted string.
fn attr_name(key: &str, out: &mut String) {
    let mut chars = key.chars();
    let identifier = chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '\''))
        && !KEYWORDS.contains(&key);
    if identifier {
        out.push_str(key);
    } else {
        string(key, out);
    }
}

/// A double-quoted Nix string. Inside `"…"` only `\`, `"` and `${` are special; `$` is escaped
/// only before `{`, which also covers `$${` (its second `$` becomes `\$`).
pub fn string(s: &str, out: &mut String) {
    out.push('"');
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '$' if chars.peek() == Some(&'{') => out.push_str("\\$"),
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn emit(value: &Value) -> String {
        let mut out = String::new();
        expression(value, 0, &mut out);
        out
    }

    #[test]
    fn pretty_and_stable() {
        assert_eq!(
            emit(&json!({"cog": {"build": {"gpu": true, "run": [], "python_packages": ["numpy==1.26.4"]}, "image": null, "concurrency": {"max": 2}}})),
            "{\n  cog = {\n    build = {\n      gpu = true;\n      run = [ ];\n      python_packages = [\n        \"numpy==1.26.4\"\n      ];\n    };\n    image = null;\n    concurrency = {\n      max = 2;\n    };\n  };\n}"
        );
    }

    #[test]
    fn strings_cannot_escape() {
        let mut out = String::new();
        string("${builtins.currentTime} $${x} '' \\ \" \n $ $x", &mut out);
        assert_eq!(out, r#""\${builtins.currentTime} $\${x} '' \\ \" \n $ $x""#);
    }

    #[test]
    fn attribute_names_are_quoted_when_needed() {
        assert_eq!(
            emit(&json!({"HF_HOME": "/x", "if": "1", "a.b": "2", "1x": "3"})),
            "{\n  HF_HOME = \"/x\";\n  \"if\" = \"1\";\n  \"a.b\" = \"2\";\n  \"1x\" = \"3\";\n}"
        );
    }

    #[test]
    fn negative_numbers_are_parenthesised() {
        assert_eq!(emit(&json!([1, -2])), "[\n  1\n  (-2)\n]");
    }
}
