//! An arbitrary JSON tree → `nix::expression` → must parse with rnix with no errors and
//! `lint::check(.., Scope::Generated)` must report nothing of severity Error. Also checks
//! `nix::string` alone, and that a string round-trips as a single Nix string literal.
//!
//! Optional oracle (not used while fuzzing; slow): with `COGNIX_FUZZ_NIX_EVAL=<file>` set, each
//! emitted expression is also evaluated by `nix-instantiate --eval --strict --json` and every
//! value that does not come back equal to the input is appended to `<file>`. Run it over the
//! corpus: `COGNIX_FUZZ_NIX_EVAL=/tmp/mismatches target/*/release/nix_emitter corpus/nix_emitter/*`.
#![no_main]

use arbitrary::{Result, Unstructured};
use cognix_gen::diagnostic::Severity;
use cognix_gen::{lint, nix};
use libfuzzer_sys::fuzz_target;
use serde_json::{Map, Value};

/// Fragments that are special somewhere in Nix string syntax.
const TRICKY: &[&str] = &[
    "${", "$", "$${", "''", "'''", "''$", "''\\", "\\", "\"", "\\\"", "\n", "\r", "\t", "\r\n", "}", "{", "#", "/*", "*/",
    "\\${", "$\\{", "''${", "\0", "\u{feff}", "é", "𝄞", " ", "=", ";", "rec", "or", "if", "in", "let", "https://x/y",
];

fn string(u: &mut Unstructured) -> Result<String> {
    let mut s = String::new();
    let parts = u.int_in_range(0..=8)?;
    for _ in 0..parts {
        match u.int_in_range(0..=2)? {
            0 => s.push_str(u.choose(TRICKY)?),
            1 => s.push(u.arbitrary::<char>()?),
            _ => {
                let chunk: &str = u.arbitrary()?;
                s.push_str(chunk);
            }
        }
    }
    Ok(s)
}

fn value(u: &mut Unstructured, depth: usize) -> Result<Value> {
    let max = if depth >= 6 { 3 } else { 5 };
    Ok(match u.int_in_range(0..=max)? {
        0 => Value::Null,
        1 => Value::Bool(u.arbitrary()?),
        2 => Value::from(u.arbitrary::<i64>()?),
        3 => Value::String(string(u)?),
        4 => {
            let n = u.int_in_range(0..=4)?;
            let mut items = Vec::new();
            for _ in 0..n {
                items.push(value(u, depth + 1)?);
            }
            Value::Array(items)
        }
        _ => {
            let n = u.int_in_range(0..=4)?;
            let mut map = Map::new();
            for _ in 0..n {
                map.insert(string(u)?, value(u, depth + 1)?);
            }
            Value::Object(map)
        }
    })
}

fn assert_clean(text: &str, what: &str) {
    let parse = rnix::Root::parse(text);
    assert!(parse.errors().is_empty(), "{what}: rnix errors {:?} in {text:?}", parse.errors());
    let errors: Vec<_> = lint::check(text, lint::Scope::Generated).into_iter().filter(|f| f.severity == Severity::Error).collect();
    assert!(errors.is_empty(), "{what}: lint errors {:?} in {text:?}", errors.iter().map(|f| f.render("x.nix", text)).collect::<Vec<_>>());
}

/// Evaluates `text` with the real Nix and records a mismatch with `expected` (see the top).
fn nix_oracle(report: &str, text: &str, expected: &Value) {
    use std::io::Write;
    // Through a file: a command-line argument cannot hold NUL.
    let file = std::env::temp_dir().join(format!("cognix-fuzz-oracle-{}.nix", std::process::id()));
    std::fs::write(&file, text).expect("write oracle input");
    let output = std::process::Command::new("nix-instantiate").args(["--eval", "--strict", "--json"]).arg(&file).output();
    let _ = std::fs::remove_file(&file);
    let line = match output {
        Ok(o) if o.status.success() => match serde_json::from_slice::<Value>(&o.stdout) {
            Ok(got) if &got == expected => return,
            Ok(got) => format!("MISMATCH input={expected} nix={got} text={text:?}"),
            Err(e) => format!("BAD-JSON {e} input={expected} stdout={:?}", String::from_utf8_lossy(&o.stdout)),
        },
        Ok(o) => format!("NIX-ERROR input={expected} text={text:?} stderr={:?}", String::from_utf8_lossy(&o.stderr)),
        Err(e) => format!("SPAWN-ERROR {e}"),
    };
    let mut f = std::fs::OpenOptions::new().create(true).append(true).open(report).expect("open oracle report");
    writeln!(f, "{line}").expect("write oracle report");
}

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let Ok(v) = value(&mut u, 0) else { return };
    let mut out = String::new();
    nix::expression(&v, 0, &mut out);
    out.push('\n');
    assert_clean(&out, "expression");
    if let Ok(report) = std::env::var("COGNIX_FUZZ_NIX_EVAL") {
        nix_oracle(&report, &out, &v);
    }

    // The same value wrapped the way generate::render wraps it.
    let wrapped = serde_json::json!({ "cog": v });
    let mut out = String::from("# header\n");
    nix::expression(&wrapped, 0, &mut out);
    out.push('\n');
    assert_clean(&out, "wrapped expression");

    // A lone string literal must be exactly one string token: nothing can escape it.
    if let Ok(s) = string(&mut u) {
        let mut lit = String::new();
        nix::string(&s, &mut lit);
        assert_clean(&lit, "string");
        let root = rnix::Root::parse(&lit).tree();
        let expr = root.expr().expect("a string parses to an expression");
        assert!(matches!(expr, rnix::ast::Expr::Str(_)), "not a plain string: {lit:?}");
        if let rnix::ast::Expr::Str(st) = expr {
            let parts = st.normalized_parts();
            let mut decoded = String::new();
            for p in parts {
                match p {
                    rnix::ast::InterpolPart::Literal(t) => decoded.push_str(&t),
                    rnix::ast::InterpolPart::Interpolation(_) => panic!("interpolation in {lit:?}"),
                }
            }
            assert_eq!(decoded, s, "string did not round-trip: {lit:?}");
        }
    }
});
