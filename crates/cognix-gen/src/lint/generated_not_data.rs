//! ## What it does
//! In generated files (cog.nix) only: finds anything that is not plain data. Allowed are
//! non-recursive attribute sets, lists, strings without interpolation, numbers, `true`, `false`
//! and `null`.
//!
//! ## Why is this bad?
//! cog.nix is evaluated by Nix but written from cog.yaml, which people copy from other
//! repositories. If a value could ever become code (an interpolation, a function call, a path),
//! a crafted cog.yaml could run Nix code during evaluation. cognix-gen refuses to write such a
//! file; this lint is the last check before it does.
//!
//! ## Example
//! ```nix
//! { cog = { predict = "${builtins.readFile /etc/passwd}"; }; }
//! ```
//! cognix-gen escapes it as `"\${builtins.readFile /etc/passwd}"`, which is only text.

use rnix::{SyntaxKind, SyntaxNode};

use super::{Finding, Lint, Scope};
use crate::diagnostic::Severity;

pub struct GeneratedNotData;

impl Lint for GeneratedNotData {
    fn code(&self) -> &'static str {
        "NL005"
    }

    fn name(&self) -> &'static str {
        "generated_not_data"
    }

    fn severity(&self) -> Severity {
        Severity::Error
    }

    fn scope(&self) -> Scope {
        Scope::Generated
    }

    fn check(&self, root: &SyntaxNode, out: &mut Vec<Finding>) {
        for node in root.descendants() {
            if let Some(problem) = problem(&node) {
                out.push(Finding::new(self, node.text_range(), format!("generated files hold only data; found {problem}")));
            }
        }
    }
}

fn problem(node: &SyntaxNode) -> Option<String> {
    use SyntaxKind::{
        NODE_ATTRPATH, NODE_ATTRPATH_VALUE, NODE_ATTR_SET, NODE_IDENT, NODE_INTERPOL, NODE_LIST, NODE_LITERAL, NODE_PAREN, NODE_ROOT,
        NODE_STRING, NODE_UNARY_OP, TOKEN_FLOAT, TOKEN_INTEGER, TOKEN_REC, TOKEN_SUB,
    };
    match node.kind() {
        // An interpolation is reported at its string.
        NODE_ROOT | NODE_LIST | NODE_ATTRPATH_VALUE | NODE_ATTRPATH | NODE_PAREN | NODE_INTERPOL => None,
        NODE_ATTR_SET => node.children_with_tokens().any(|c| c.kind() == TOKEN_REC).then(|| "a recursive attribute set".to_owned()),
        NODE_STRING => node.children().any(|c| c.kind() == NODE_INTERPOL).then(|| "an interpolation".to_owned()),
        NODE_LITERAL => node.first_token().filter(|t| !matches!(t.kind(), TOKEN_INTEGER | TOKEN_FLOAT)).map(|_| "a URL literal".to_owned()),
        NODE_UNARY_OP => {
            let negative_number =
                node.children_with_tokens().any(|c| c.kind() == TOKEN_SUB) && node.children().all(|c| c.kind() == NODE_LITERAL);
            (!negative_number).then(|| "an operator".to_owned())
        }
        NODE_IDENT => {
            let in_attrpath = node.parent().is_some_and(|p| p.kind() == NODE_ATTRPATH);
            let text = node.text().to_string();
            (!in_attrpath && !matches!(text.as_str(), "true" | "false" | "null")).then(|| format!("the variable `{text}`"))
        }
        kind => Some(format!("{kind:?}")),
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::{check, Scope};

    fn codes(source: &str) -> Vec<String> {
        check(source, Scope::Generated).into_iter().map(|f| format!("{} {}", f.code, f.message)).collect()
    }

    #[test]
    fn data_passes() {
        assert!(codes("{ cog = { a = [ \"x\" 1 (-2) 1.5 true null ]; \"b c\" = { }; }; }").is_empty());
    }

    #[test]
    fn code_is_refused() {
        assert_eq!(
            codes("{ a = \"${x}\"; }"),
            [
                "NL005 generated files hold only data; found an interpolation",
                "NL005 generated files hold only data; found the variable `x`",
                "NL006 undefined variable `x`: bind it (a function argument such as `{ x, ... }:`, or `let`)"
            ]
        );
        assert_eq!(codes("{ a = import ./x.nix; }").len(), 3);
        assert_eq!(codes("rec { a = 1; }"), ["NL005 generated files hold only data; found a recursive attribute set"]);
        assert!(codes("{ a = \"${x}\"; }").len() > 1);
        assert!(check("b: { a = b; }", Scope::Any).is_empty());
    }
}
