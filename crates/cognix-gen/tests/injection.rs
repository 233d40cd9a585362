//! No value in cog.yaml can become Nix code. Arbitrary strings — `${`, `''`, `'''`, `$${`,
//! backslashes, quotes, CR/LF/TAB, non-ASCII — are put into every string field that cog.yaml
//! keeps verbatim; cog.nix must parse, hold only data, and give back exactly the original strings:
//! through rnix always, and through `nix-instantiate --eval --strict --json` whenever Nix is
//! installed (checks/run installs it).

mod common;

use std::fs;
use std::path::Path;

use proptest::prelude::*;
use serde_json::{json, Value};

use cognix_gen::lint::{self, Scope};
use cognix_gen::{generate, resolve, Mode};
use common::TempProject;

/// The strings cog.yaml hands over unchanged, and where they land in the output.
struct Inputs {
    predict: String,
    train: String,
    env: String,
    command: String,
    uri: String,
}

impl Inputs {
    fn from(s: &str) -> Inputs {
        // Each field's own rules: a reference has exactly one ".py:", an environment value and a
        // run command have no newline (cog rejects those), a command is trimmed.
        let one_line = s.replace(['\n', '\r'], " ");
        let reference = s.replace(".py:", "_py_");
        Inputs {
            predict: format!("predict.py:{reference}"),
            train: format!("train.py:{reference}"),
            env: one_line.clone(),
            command: format!("echo {}", one_line.trim()),
            uri: s.to_owned(),
        }
    }

    fn yaml(&self) -> String {
        let q = |s: &str| serde_json::to_string(s).unwrap();
        format!(
            "build:\n  python_version: \"3.12\"\n  run:\n    - {}\nmodel: acme/model\nweights:\n  - name: w\n    target: /src/w\n    source:\n      uri: {}\nrun: {}\ntrain: {}\nenvironment:\n  - {}\n",
            q(&self.command),
            q(&self.uri),
            q(&self.predict),
            q(&self.train),
            q(&format!("VALUE={}", self.env)),
        )
    }

    fn expected(&self) -> [(&'static str, String); 5] {
        [
            ("/cog/predict", self.predict.clone()),
            ("/cog/train", self.train.clone()),
            ("/cog/environment/VALUE", self.env.clone()),
            ("/cog/build/run/0/command", self.command.trim().to_owned()),
            ("/cog/weights/0/source/0/uri", self.uri.clone()),
        ]
    }
}

/// Generates cog.nix for `s` (with the image field set separately, since `model` and `image`
/// exclude each other) and checks it without Nix. Returns the project and the expected values.
fn generate_for(s: &str) -> (TempProject, Vec<(&'static str, String)>) {
    let inputs = Inputs::from(s);
    let p = TempProject::new(&[("cog.yaml", &inputs.yaml())]);
    let outcome = resolve(p.path(), Mode::Default);
    let resolved = outcome.completed.as_ref().unwrap_or_else(|| panic!("{:?} did not resolve: {:?}", s, outcome.diagnostics));
    let text = generate::render(resolved, &outcome.project.as_ref().unwrap().inputs).unwrap();
    assert!(lint::check(&text, Scope::Generated).is_empty(), "{text}");
    fs::write(p.file("cog.nix"), &text).unwrap();
    (p, inputs.expected().to_vec())
}

/// The value at `pointer` after parsing cog.nix with rnix and unescaping its strings.
fn rnix_strings(text: &str) -> Value {
    use rnix::ast::{self, HasEntry};
    use rowan::ast::AstNode;
    fn to_json(expr: ast::Expr) -> Value {
        match expr {
            ast::Expr::AttrSet(set) => Value::Object(
                set.attrpath_values()
                    .map(|av| {
                        let key = av.attrpath().unwrap().attrs().next().unwrap();
                        let key = match key {
                            ast::Attr::Ident(i) => i.syntax().text().to_string(),
                            ast::Attr::Str(s) => literal(&s),
                            ast::Attr::Dynamic(_) => panic!("dynamic attribute in cog.nix"),
                        };
                        (key, to_json(av.value().unwrap()))
                    })
                    .collect(),
            ),
            ast::Expr::List(list) => Value::Array(list.items().map(to_json).collect()),
            ast::Expr::Str(s) => Value::String(literal(&s)),
            ast::Expr::Ident(i) if i.syntax().text() == "null" => Value::Null,
            other => Value::String(other.syntax().text().to_string()),
        }
    }
    fn literal(s: &ast::Str) -> String {
        match &s.normalized_parts()[..] {
            [] => String::new(),
            [ast::InterpolPart::Literal(text)] => text.clone(),
            _ => panic!("interpolation in cog.nix"),
        }
    }
    let root = rnix::Root::parse(text);
    assert!(root.errors().is_empty());
    to_json(root.tree().expr().unwrap())
}

fn check_without_nix(p: &Path, expected: &[(&str, String)]) {
    let value = rnix_strings(&fs::read_to_string(p.join("cog.nix")).unwrap());
    for (pointer, want) in expected {
        assert_eq!(value.pointer(pointer), Some(&json!(want)), "{pointer}");
    }
}

/// The strings that have broken Nix generators before, and the characters that matter.
const NASTY: &[&str] = &[
    "${builtins.currentTime}",
    "$${x}",
    "$$${x}",
    "\\${x}",
    "''${x}",
    "'''",
    "''",
    "''\\n",
    "\"; x = import /etc/passwd; y = \"",
    "\\",
    "\\\\\"",
    "a\"b",
    "$",
    "x$",
    "${",
    "}",
    "line\nbreak",
    "cr\rlf\r\n",
    "tab\tstop",
    "é ü 中文 🙂 \u{2028} \u{feff}",
    "\u{1}\u{7}\u{1b}[31m",
    "# not a comment",
    "/* not a comment */",
    "  padded  ",
    "",
];

#[test]
fn nasty_strings_round_trip_through_rnix() {
    for s in NASTY {
        let (p, expected) = generate_for(s);
        check_without_nix(p.path(), &expected);
    }
}

#[test]
fn nasty_strings_round_trip_through_nix() {
    let Some(nix) = common::nix_for("the Nix half of the injection test") else { return };
    for s in NASTY {
        let (p, expected) = generate_for(s);
        let value = common::nix_eval_json(&nix, &p.file("cog.nix"));
        for (pointer, want) in &expected {
            assert_eq!(value.pointer(pointer), Some(&json!(want)), "{s:?} at {pointer}");
        }
    }
}

/// Strings built from the pieces that matter, plus arbitrary Unicode.
fn hostile() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("${".to_owned()),
        Just("$".to_owned()),
        Just("{".to_owned()),
        Just("}".to_owned()),
        Just("''".to_owned()),
        Just("'".to_owned()),
        Just("\\".to_owned()),
        Just("\"".to_owned()),
        Just("\n".to_owned()),
        Just("\r".to_owned()),
        Just("\t".to_owned()),
        Just("#".to_owned()),
        "[a-z ]{0,3}",
        "\\PC{0,3}",
    ];
    prop::collection::vec(piece, 0..12).prop_map(|parts| parts.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_strings_round_trip(s in hostile()) {
        let (p, expected) = generate_for(&s);
        check_without_nix(p.path(), &expected);
        if let Some(nix) = common::nix_instantiate() {
            let value = common::nix_eval_json(&nix, &p.file("cog.nix"));
            for (pointer, want) in &expected {
                prop_assert_eq!(value.pointer(pointer), Some(&json!(want)), "{:?} at {}", s, pointer);
            }
        }
    }
}

#[test]
fn image_strings_round_trip_too() {
    // `image` and `model` exclude each other, so `image` gets its own project.
    for s in NASTY {
        let yaml = format!("build:\n  python_version: \"3.12\"\nimage: {}\n", serde_json::to_string(s).unwrap());
        let p = TempProject::new(&[("cog.yaml", &yaml)]);
        let outcome = resolve(p.path(), Mode::Default);
        let text = generate::render(outcome.completed.as_ref().unwrap(), &outcome.project.as_ref().unwrap().inputs).unwrap();
        // An empty value is an unset one, for cog as for cognix.
        let want = if s.is_empty() { Value::Null } else { json!(s) };
        assert_eq!(rnix_strings(&text).pointer("/cog/image"), Some(&want));
    }
}

#[test]
fn a_nul_character_never_reaches_cog_nix() {
    // The readers refuse NUL (CG005, CG020); render refuses it too, whatever its source.
    let p = TempProject::new(&[("cog.yaml", "build:\n  python_version: \"3.12\"\n")]);
    let outcome = resolve(p.path(), Mode::Default);
    let mut resolved = outcome.completed.expect("a valid project");
    resolved.image = Some("a\0b".to_owned());
    let error = generate::render(&resolved, &outcome.project.expect("a project").inputs).unwrap_err();
    assert_eq!(
        error.to_string(),
        "internal error: the generated Nix did not pass its checks (a value contains a NUL character, which a Nix string cannot hold); nothing was written. Please report this with your cog.yaml"
    );
}
