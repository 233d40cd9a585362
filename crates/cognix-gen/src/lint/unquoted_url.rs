//! ## What it does
//! Finds URL literals written without quotes (`https://example.com/x.tar.gz`).
//!
//! ## Why is this bad?
//! Unquoted URLs are deprecated (RFC 45) and rejected when the `no-url-literals` experimental
//! feature is on; a `#` or `?` in them silently ends the literal.
//!
//! ## Example
//! ```nix
//! { url = https://example.com/weights.tar; }
//! ```
//! Write `url = "https://example.com/weights.tar";`.

use rnix::{SyntaxKind, SyntaxNode};

use super::{Finding, Lint};
use crate::diagnostic::Severity;

pub struct UnquotedUrl;

impl Lint for UnquotedUrl {
    fn code(&self) -> &'static str {
        "NL003"
    }

    fn name(&self) -> &'static str {
        "unquoted_url"
    }

    fn severity(&self) -> Severity {
        Severity::Warning
    }

    fn check(&self, root: &SyntaxNode, out: &mut Vec<Finding>) {
        for token in root.descendants_with_tokens().filter_map(rowan::NodeOrToken::into_token) {
            if token.kind() == SyntaxKind::TOKEN_URI {
                let message = format!("URL literal {} is deprecated; quote it", token.text());
                out.push(Finding::new(self, token.text_range(), message));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::{check, Scope};

    #[test]
    fn finds_url_literals_only() {
        let found = check("{ a = https://x.org/y; b = \"https://x.org/y\"; }", Scope::Any);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].message, "URL literal https://x.org/y is deprecated; quote it");
    }
}
