//! ## What it does
//! Finds impure builtins (`builtins.currentTime`, `builtins.getEnv`, `builtins.currentSystem`,
//! `builtins.storePath`), lookup paths such as `<nixpkgs>`, and `builtins.fetchurl`,
//! `fetchTarball`, `fetchGit` or `fetchTree` without a pinned hash or revision.
//!
//! ## Why is this bad?
//! cognix promises the same image from the same inputs and pure evaluation in `nix flake check`.
//! Each of these makes the result depend on the machine, the clock, `NIX_PATH` or the network,
//! and pure evaluation refuses most of them.
//!
//! ## Example
//! ```nix
//! import (builtins.fetchTarball "https://github.com/NixOS/nixpkgs/archive/master.tar.gz") { }
//! ```
//! Take nixpkgs as a flake input (pinned in flake.lock), or give `fetchTarball` a `sha256`.

use rnix::ast;
use rnix::{SyntaxKind, SyntaxNode};
use rowan::ast::AstNode;

use super::{Finding, Lint};
use crate::diagnostic::Severity;

pub struct ImpureBuiltin;

const IMPURE: &[&str] = &["currentTime", "getEnv", "currentSystem", "storePath"];
const FETCHERS: &[&str] = &["fetchurl", "fetchTarball", "fetchGit", "fetchTree"];
/// Arguments that pin a fetch.
const PINS: &[&str] = &["sha256", "hash", "narHash", "rev"];

impl Lint for ImpureBuiltin {
    fn code(&self) -> &'static str {
        "NL002"
    }

    fn name(&self) -> &'static str {
        "impure_builtin"
    }

    fn severity(&self) -> Severity {
        Severity::Warning
    }

    fn check(&self, root: &SyntaxNode, out: &mut Vec<Finding>) {
        for node in root.descendants() {
            match node.kind() {
                SyntaxKind::NODE_PATH if node.text().to_string().starts_with('<') => {
                    let message =
                        format!("lookup path {} depends on NIX_PATH; take it as a flake input or a function argument", node.text());
                    out.push(Finding::new(self, node.text_range(), message));
                }
                SyntaxKind::NODE_SELECT => self.select(&node, out),
                _ => {}
            }
        }
    }
}

impl ImpureBuiltin {
    fn select(&self, node: &SyntaxNode, out: &mut Vec<Finding>) {
        let Some(select) = ast::Select::cast(node.clone()) else { return };
        let is_builtins = matches!(select.expr(), Some(ast::Expr::Ident(ref i)) if i.syntax().text() == "builtins");
        let Some(name) = select.attrpath().and_then(|p| p.attrs().next()).map(|a| a.syntax().text().to_string()) else { return };
        if !is_builtins {
            return;
        }
        if IMPURE.contains(&name.as_str()) {
            let message = format!("builtins.{name} is impure: the result depends on the machine or the moment of evaluation");
            out.push(Finding::new(self, node.text_range(), message));
        } else if FETCHERS.contains(&name.as_str()) && !pinned(node) {
            let message = format!(
                "builtins.{name} without a hash or revision fetches whatever the URL serves today; pin it (sha256/hash, or rev for git)"
            );
            out.push(Finding::new(self, node.text_range(), message));
        }
    }
}

/// Whether the fetcher is applied to an attribute set naming one of `PINS`.
fn pinned(select: &SyntaxNode) -> bool {
    let Some(apply) = select.parent().and_then(ast::Apply::cast) else { return false };
    let Some(ast::Expr::AttrSet(set)) = apply.argument() else { return false };
    set.syntax()
        .children()
        .filter(|c| c.kind() == SyntaxKind::NODE_ATTRPATH_VALUE)
        .any(|av| av.first_child().is_some_and(|path| PINS.contains(&path.text().to_string().as_str())))
}

#[cfg(test)]
mod tests {
    use crate::lint::{check, Scope};

    fn messages(source: &str) -> Vec<String> {
        check(source, Scope::Any).into_iter().filter(|f| f.code == "NL002").map(|f| f.message).collect()
    }

    #[test]
    fn impure_things_are_found() {
        assert_eq!(messages("builtins.currentTime").len(), 1);
        assert_eq!(
            messages("import <nixpkgs> { }"),
            ["lookup path <nixpkgs> depends on NIX_PATH; take it as a flake input or a function argument"]
        );
        assert_eq!(messages("builtins.fetchTarball \"https://x/y.tar.gz\"").len(), 1);
        assert_eq!(messages("builtins.fetchGit { url = \"https://x\"; }").len(), 1);
    }

    #[test]
    fn pinned_fetches_and_other_selects_pass() {
        assert!(messages("builtins.fetchTarball { url = \"https://x\"; sha256 = \"0abc\"; }").is_empty());
        assert!(messages("builtins.fetchGit { url = \"https://x\"; rev = \"abc\"; }").is_empty());
        assert!(messages("lib.getEnv").is_empty());
        assert!(messages("builtins.toJSON { }").is_empty());
    }
}
