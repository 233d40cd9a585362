//! Nix lints on the rnix syntax tree, statix-style: one lint per file, each with a stable code, a
//! name and a doc comment (What / Why / Example) that `docs/lints.md` repeats. They run on user
//! files (`cognix-gen lint`) and on every cog.nix before it is written. In: Nix source; out:
//! `Finding`s, printed with `diagnostic::render` like every other message.

use rnix::{Root, SyntaxNode};
use rowan::{TextRange, TextSize};

use crate::diagnostic::{self, Pos, Severity};

mod duplicate_attribute;
mod generated_not_data;
mod impure_builtin;
mod placeholder_hash;
mod undefined_variable;
mod unquoted_url;

/// Which files a lint applies to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Every Nix file.
    Any,
    /// Only files cognix-gen generates, which must be plain data.
    Generated,
}

pub trait Lint: Sync {
    /// Stable identifier, e.g. `NL001`.
    fn code(&self) -> &'static str;
    /// Short `snake_case` name.
    fn name(&self) -> &'static str;
    fn severity(&self) -> Severity;
    fn scope(&self) -> Scope {
        Scope::Any
    }
    fn check(&self, root: &SyntaxNode, out: &mut Vec<Finding>);
}

/// The registry: every lint, in code order.
pub const ALL: &[&dyn Lint] = &[
    &duplicate_attribute::DuplicateAttribute,
    &impure_builtin::ImpureBuiltin,
    &unquoted_url::UnquotedUrl,
    &placeholder_hash::PlaceholderHash,
    &generated_not_data::GeneratedNotData,
    &undefined_variable::UndefinedVariable,
];

/// The code of a file that does not parse (or is not text): not a lint, so in no registry entry.
pub const SYNTAX: &str = "NL000";

/// One finding, with the byte range it covers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub code: &'static str,
    pub severity: Severity,
    pub range: TextRange,
    pub message: String,
}

impl Finding {
    pub fn new(lint: &dyn Lint, range: TextRange, message: impl Into<String>) -> Finding {
        Finding { code: lint.code(), severity: lint.severity(), range, message: message.into() }
    }

    /// A file that is not UTF-8, which no parser reads, at the first byte that is not:
    /// `valid` is the text before it.
    pub fn not_utf8(valid: &str) -> Finding {
        let range = TextRange::empty(TextSize::of(valid));
        Finding { code: SYNTAX, severity: Severity::Error, range, message: "file is not valid UTF-8".to_owned() }
    }

    /// The finding in `source` as the CLI prints it (`diagnostic::render`).
    pub fn render(&self, file: &str, source: &str) -> String {
        diagnostic::render(file, position(source, self.range.start()), self.severity, self.code, &self.message)
    }
}

/// Parses `source` and runs the lints of `scope` (plus the `Any` ones). A syntax error is a
/// finding with code `NL000`; like Nix, only the first is reported, since the parser's recovery
/// makes the later ones echoes of it.
pub fn check(source: &str, scope: Scope) -> Vec<Finding> {
    let parse = Root::parse(source);
    let mut out: Vec<Finding> = parse
        .errors()
        .iter()
        .take(1)
        .map(|e| Finding {
            code: SYNTAX,
            severity: Severity::Error,
            range: error_range(e, source),
            message: format!("syntax error: {}", describe(e)),
        })
        .collect();
    let root = parse.syntax();
    for lint in ALL {
        if lint.scope() == Scope::Any || lint.scope() == scope {
            lint.check(&root, &mut out);
        }
    }
    out.sort_by_key(|f| (f.range.start(), f.code));
    out
}

fn error_range(e: &rnix::parser::ParseError, source: &str) -> TextRange {
    use rnix::parser::ParseError as E;
    let end = TextSize::try_from(source.len()).unwrap_or_default();
    match e {
        E::Unexpected(r) | E::UnexpectedExtra(r) | E::UnexpectedWanted(_, r, _) | E::UnexpectedDoubleBind(r) | E::DuplicatedArgs(r, _) => {
            *r
        }
        E::UnexpectedEOF | E::UnexpectedEOFWanted(_) | E::RecursionLimitExceeded => TextRange::empty(end),
        _ => TextRange::empty(TextSize::from(0)),
    }
}

/// rnix's messages without its byte offsets (the location is printed separately).
fn describe(e: &rnix::parser::ParseError) -> String {
    use rnix::parser::ParseError as E;
    let kinds = |k: &[rnix::SyntaxKind]| k.iter().map(|k| token(*k)).collect::<Vec<_>>().join(", ");
    match e {
        E::Unexpected(_) => "unexpected input".to_owned(),
        E::UnexpectedExtra(_) => "unexpected input after the expression".to_owned(),
        E::UnexpectedWanted(got, _, want) => format!("unexpected {}, expected {}", token(*got), kinds(want)),
        E::UnexpectedDoubleBind(_) => "pattern bound twice".to_owned(),
        E::UnexpectedEOF => "unexpected end of file".to_owned(),
        E::UnexpectedEOFWanted(want) => format!("unexpected end of file, expected one of {}", kinds(want)),
        E::DuplicatedArgs(_, name) => format!("argument `{name}` is declared twice"),
        E::RecursionLimitExceeded => "expression nests too deeply".to_owned(),
        other => other.to_string(),
    }
}

/// How a token kind reads in a message: `;` for `TOKEN_SEMICOLON`, `identifier` for `TOKEN_IDENT`.
fn token(kind: rnix::SyntaxKind) -> String {
    use rnix::SyntaxKind::{
        TOKEN_ASSIGN, TOKEN_COLON, TOKEN_COMMA, TOKEN_DOT, TOKEN_ELSE, TOKEN_IN, TOKEN_L_BRACE, TOKEN_L_BRACK, TOKEN_L_PAREN, TOKEN_REC,
        TOKEN_R_BRACE, TOKEN_R_BRACK, TOKEN_R_PAREN, TOKEN_SEMICOLON, TOKEN_STRING_END, TOKEN_STRING_START, TOKEN_THEN,
    };
    let text = match kind {
        TOKEN_L_BRACE => "{",
        TOKEN_R_BRACE => "}",
        TOKEN_L_BRACK => "[",
        TOKEN_R_BRACK => "]",
        TOKEN_L_PAREN => "(",
        TOKEN_R_PAREN => ")",
        TOKEN_SEMICOLON => ";",
        TOKEN_ASSIGN => "=",
        TOKEN_COLON => ":",
        TOKEN_COMMA => ",",
        TOKEN_DOT => ".",
        TOKEN_STRING_START | TOKEN_STRING_END => "\"",
        TOKEN_IN => "in",
        TOKEN_REC => "rec",
        TOKEN_THEN => "then",
        TOKEN_ELSE => "else",
        other => {
            let name = format!("{other:?}");
            return name.trim_start_matches("TOKEN_").trim_start_matches("NODE_").to_lowercase().replace('_', " ");
        }
    };
    format!("`{text}`")
}

/// The line and column (in characters) of a byte offset.
pub fn position(source: &str, offset: TextSize) -> Pos {
    let offset = usize::from(offset).min(source.len());
    let before = source.get(..offset).unwrap_or(source);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    Pos::new(line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rendered(source: &str, scope: Scope) -> Vec<String> {
        check(source, scope).iter().map(|f| f.render("f.nix", source)).collect()
    }

    #[test]
    fn registry_codes_are_unique_and_documented() {
        let docs = include_str!("../../../../docs/lints.md");
        let mut codes: Vec<_> = ALL.iter().map(|l| l.code()).collect();
        for lint in ALL {
            assert!(docs.contains(&format!("`{}` {}", lint.code(), lint.name())), "docs/lints.md lacks {}", lint.code());
        }
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), ALL.len());
    }

    #[test]
    fn syntax_errors_are_located() {
        assert_eq!(
            rendered("{ a = 1;\n  b = [ 1 2 ;\n}", Scope::Any),
            ["f.nix:2:13: error[NL000]: syntax error: unexpected `;`, expected `(`, `rec`, `{`, `[`, `\"`, ident"]
        );
    }

    #[test]
    fn clean_files_have_no_findings() {
        assert!(check("{ pkgs, ... }: { x = pkgs.hello; }", Scope::Any).is_empty());
    }

    #[test]
    fn columns_count_characters() {
        assert_eq!(position("é\nab", TextSize::from(4)), Pos::new(2, 2));
    }
}
