//! ## What it does
//! Finds an attribute defined twice in one attribute set or `let`, including a value defined
//! both as a whole and through a longer path (`a = 1; a.b = 2;`).
//!
//! ## Why is this bad?
//! Nix refuses the file (`attribute 'a' already defined`), but only when the expression is
//! evaluated; editors and rnix accept it. For generated files it would also mean two cog.yaml keys
//! collapsed into one name.
//!
//! ## Example
//! ```nix
//! { python_version = "3.11"; python_version = "3.12"; }
//! ```
//! Keep one definition.

use std::collections::HashMap;

use rnix::ast::{self, HasEntry};
use rnix::{SyntaxKind, SyntaxNode};
use rowan::ast::AstNode;

use super::{Finding, Lint};
use crate::diagnostic::Severity;

pub struct DuplicateAttribute;

impl Lint for DuplicateAttribute {
    fn code(&self) -> &'static str {
        "NL001"
    }

    fn name(&self) -> &'static str {
        "duplicate_attribute"
    }

    fn severity(&self) -> Severity {
        Severity::Error
    }

    fn check(&self, root: &SyntaxNode, out: &mut Vec<Finding>) {
        for node in root.descendants() {
            let entries: Vec<ast::Entry> = match node.kind() {
                SyntaxKind::NODE_ATTR_SET => ast::AttrSet::cast(node).map(|s| s.entries().collect()).unwrap_or_default(),
                SyntaxKind::NODE_LET_IN => ast::LetIn::cast(node).map(|s| s.entries().collect()).unwrap_or_default(),
                _ => continue,
            };
            self.check_entries(&entries, out);
        }
    }
}

/// How a name was first defined in a set.
struct Defined {
    /// Defined with a path of one element whose value is not a literal attribute set (which
    /// longer paths cannot extend).
    whole: bool,
}

impl DuplicateAttribute {
    fn check_entries(&self, entries: &[ast::Entry], out: &mut Vec<Finding>) {
        let mut seen: HashMap<Vec<String>, Defined> = HashMap::new();
        for entry in entries {
            let bindings: Vec<(Vec<String>, SyntaxNode, bool)> = match entry {
                ast::Entry::AttrpathValue(av) => {
                    let Some(path) = av.attrpath().and_then(|p| static_path(&p)) else { continue };
                    let literal_set = av.value().is_some_and(|v| matches!(v, ast::Expr::AttrSet(ref s) if s.rec_token().is_none()));
                    vec![(path, av.syntax().clone(), !literal_set)]
                }
                ast::Entry::Inherit(inherit) => {
                    inherit.attrs().filter_map(|a| static_attr(&a).map(|name| (vec![name], a.syntax().clone(), true))).collect()
                }
            };
            for (path, node, whole) in bindings {
                let conflict = if path.len() == 1 {
                    seen.get(&path).is_some_and(|d| d.whole || whole)
                } else {
                    seen.contains_key(&path) || (1..path.len()).any(|n| seen.get(&path[..n]).is_some_and(|d| d.whole))
                };
                if conflict {
                    let message = format!("attribute '{}' is already defined", path.join("."));
                    out.push(Finding::new(self, node.text_range(), message));
                }
                seen.entry(path.clone()).or_insert(Defined { whole: whole && path.len() == 1 });
                for n in 1..path.len() {
                    seen.entry(path[..n].to_vec()).or_insert(Defined { whole: false });
                }
            }
        }
    }
}

fn static_path(path: &ast::Attrpath) -> Option<Vec<String>> {
    path.attrs().map(|a| static_attr(&a)).collect()
}

/// The name of an attribute written as an identifier or a string without interpolation.
fn static_attr(attr: &ast::Attr) -> Option<String> {
    match attr {
        ast::Attr::Ident(i) => Some(i.syntax().text().to_string()),
        ast::Attr::Str(s) => match &s.normalized_parts()[..] {
            [] => Some(String::new()),
            [ast::InterpolPart::Literal(text)] => Some(text.clone()),
            _ => None,
        },
        ast::Attr::Dynamic(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::{check, Scope};

    fn codes(source: &str) -> Vec<&'static str> {
        check(source, Scope::Any).into_iter().filter(|f| f.code == "NL001").map(|f| f.code).collect()
    }

    #[test]
    fn finds_duplicates() {
        assert_eq!(codes("{ a = 1; a = 2; }").len(), 1);
        assert_eq!(codes("{ a = 1; \"a\" = 2; }").len(), 1);
        assert_eq!(codes("{ a = 1; a.b = 2; }").len(), 1);
        assert_eq!(codes("let x = 1; inherit (y) x; in x").len(), 1);
    }

    #[test]
    fn allows_merging_paths() {
        assert!(codes("{ a.b = 1; a.c = 2; }").is_empty());
        assert!(codes("{ a = { b = 1; }; a.c = 2; }").is_empty());
        assert!(codes("{ ${x} = 1; ${x} = 2; }").is_empty());
    }
}
