//! ## What it does
//! Finds placeholder hashes left in a file: `lib.fakeHash`, `lib.fakeSha256`, `lib.fakeSha512`,
//! and SRI or base-32 strings made of one repeated character (`"sha256-AAAA…="`, `"0000…"`).
//!
//! ## Why is this bad?
//! A placeholder is the first half of pinning a download: build once, copy the hash Nix reports.
//! Left in place, the fetch fails on every build (or, for some fetchers, is silently refetched).
//!
//! ## Example
//! ```nix
//! cognix.fetches."https://example.com/pget".hash = lib.fakeHash;
//! ```
//! Build, then replace it with the `got: sha256-…` value from the error.

use rnix::ast;
use rnix::{SyntaxKind, SyntaxNode};
use rowan::ast::AstNode;

use super::{Finding, Lint};
use crate::diagnostic::Severity;

pub struct PlaceholderHash;

impl Lint for PlaceholderHash {
    fn code(&self) -> &'static str {
        "NL004"
    }

    fn name(&self) -> &'static str {
        "placeholder_hash"
    }

    fn severity(&self) -> Severity {
        Severity::Warning
    }

    fn check(&self, root: &SyntaxNode, out: &mut Vec<Finding>) {
        for node in root.descendants() {
            match node.kind() {
                SyntaxKind::NODE_SELECT => {
                    let last = ast::Select::cast(node.clone())
                        .and_then(|s| s.attrpath())
                        .and_then(|p| p.attrs().last())
                        .map(|a| a.syntax().text().to_string());
                    if let Some(name @ ("fakeHash" | "fakeSha256" | "fakeSha512")) = last.as_deref() {
                        out.push(Finding::new(
                            self,
                            node.text_range(),
                            format!("{name} is a placeholder; replace it with the hash Nix reports"),
                        ));
                    }
                }
                SyntaxKind::NODE_STRING => {
                    let Some(s) = ast::Str::cast(node.clone()) else { continue };
                    if let [ast::InterpolPart::Literal(text)] = &s.normalized_parts()[..] {
                        if is_placeholder(text) {
                            out.push(Finding::new(
                                self,
                                node.text_range(),
                                format!("\"{text}\" is a placeholder hash; replace it with the hash Nix reports"),
                            ));
                        }
                    }
                }
                _ => {}
            }
        }
    }
}

/// A hash-shaped string whose digest is one repeated character.
fn is_placeholder(text: &str) -> bool {
    let digest = ["sha256-", "sha512-", "sha1-"]
        .iter()
        .find_map(|p| text.strip_prefix(p))
        .map(|d| d.trim_end_matches('='))
        .or_else(|| (text.len() == 52 || text.len() == 64).then_some(text));
    digest.is_some_and(|d| d.len() >= 20 && d.chars().all(|c| c == d.chars().next().unwrap_or_default()))
}

#[cfg(test)]
mod tests {
    use super::is_placeholder;
    use crate::lint::{check, Scope};

    #[test]
    fn placeholders() {
        assert!(is_placeholder("sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="));
        assert!(is_placeholder(&"0".repeat(52)));
        assert!(!is_placeholder("sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="));
        assert_eq!(check("lib: { hash = lib.fakeHash; }", Scope::Any).len(), 1);
    }
}
