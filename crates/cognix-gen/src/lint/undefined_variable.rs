//! ## What it does
//! Finds variables that nothing binds: not a function argument (`x:` or `{ x, ... }:`), not a
//! `let` or `rec` binding, not a Nix builtin. Inside `with e;` any name may come from `e`, so
//! nothing there is reported.
//!
//! ## Why is this bad?
//! Nix reports an undefined variable only when the file is evaluated, and a module file is
//! evaluated only when a build uses it. An example left commented out in a module, or a function
//! argument forgotten when a line is uncommented, fails later, far from the edit.
//!
//! ## Example
//! ```nix
//! { lib, ... }:
//! {
//!   cognix.systemPackages = [ pkgs.imagemagick ];
//! }
//! ```
//! `pkgs` is not an argument: write `{ lib, pkgs, ... }:`.

use std::collections::HashSet;

use rnix::ast::{self, HasEntry};
use rnix::SyntaxNode;
use rowan::ast::AstNode;

use super::{Finding, Lint};
use crate::diagnostic::Severity;

pub struct UndefinedVariable;

/// The names Nix's global scope has besides `builtins.*` (every builtin is also `__name`).
const GLOBALS: &[&str] = &[
    "abort",
    "baseNameOf",
    "break",
    "builtins",
    "derivation",
    "derivationStrict",
    "dirOf",
    "false",
    "fetchGit",
    "fetchMercurial",
    "fetchTarball",
    "fetchTree",
    "fromTOML",
    "import",
    "isNull",
    "map",
    "null",
    "placeholder",
    "removeAttrs",
    "scopedImport",
    "throw",
    "toString",
    "true",
];

impl Lint for UndefinedVariable {
    fn code(&self) -> &'static str {
        "NL006"
    }

    fn name(&self) -> &'static str {
        "undefined_variable"
    }

    fn severity(&self) -> Severity {
        Severity::Error
    }

    fn check(&self, root: &SyntaxNode, out: &mut Vec<Finding>) {
        if let Some(expr) = ast::Root::cast(root.clone()).and_then(|r| r.expr()) {
            Walk { lint: self, out }.expr(&expr, &Scope::Global);
        }
    }
}

/// The variables in scope: a chain of binding sets, or anything at all inside `with`.
enum Scope<'a> {
    Global,
    With,
    Names(HashSet<String>, &'a Scope<'a>),
}

impl Scope<'_> {
    fn binds(&self, name: &str) -> bool {
        match self {
            Scope::Global => GLOBALS.contains(&name) || name.starts_with("__"),
            Scope::With => true,
            Scope::Names(names, outer) => names.contains(name) || outer.binds(name),
        }
    }
}

struct Walk<'l, 'o> {
    lint: &'l UndefinedVariable,
    out: &'o mut Vec<Finding>,
}

impl Walk<'_, '_> {
    fn expr(&mut self, expr: &ast::Expr, scope: &Scope) {
        match expr {
            ast::Expr::Ident(ident) => {
                let name = ident.syntax().text().to_string();
                if !scope.binds(&name) {
                    let message =
                        format!("undefined variable `{name}`: bind it (a function argument such as `{{ {name}, ... }}:`, or `let`)");
                    self.out.push(Finding::new(self.lint, ident.syntax().text_range(), message));
                }
            }
            ast::Expr::LetIn(let_in) => {
                let inner = Scope::Names(bound_names(let_in), scope);
                self.entries(let_in, &inner, scope);
                if let Some(body) = let_in.body() {
                    self.expr(&body, &inner);
                }
            }
            ast::Expr::LegacyLet(legacy) => {
                let inner = Scope::Names(bound_names(legacy), scope);
                self.entries(legacy, &inner, scope);
            }
            ast::Expr::AttrSet(set) if set.rec_token().is_some() => {
                let inner = Scope::Names(bound_names(set), scope);
                self.entries(set, &inner, scope);
            }
            ast::Expr::AttrSet(set) => self.entries(set, scope, scope),
            ast::Expr::Lambda(lambda) => self.lambda(lambda, scope),
            ast::Expr::With(with) => {
                if let Some(namespace) = with.namespace() {
                    self.expr(&namespace, scope);
                }
                if let Some(body) = with.body() {
                    self.expr(&body, &Scope::With);
                }
            }
            ast::Expr::Select(select) => {
                if let Some(inner) = select.expr() {
                    self.expr(&inner, scope);
                }
                if let Some(path) = select.attrpath() {
                    self.attrpath(&path, scope);
                }
                if let Some(default) = select.default_expr() {
                    self.expr(&default, scope);
                }
            }
            ast::Expr::HasAttr(has) => {
                if let Some(inner) = has.expr() {
                    self.expr(&inner, scope);
                }
                if let Some(path) = has.attrpath() {
                    self.attrpath(&path, scope);
                }
            }
            _ => self.children(expr.syntax(), scope),
        }
    }

    /// The expressions anywhere below `node` (lists, operands, interpolations, ...).
    fn children(&mut self, node: &SyntaxNode, scope: &Scope) {
        for child in node.children() {
            match ast::Expr::cast(child.clone()) {
                Some(expr) => self.expr(&expr, scope),
                None => self.children(&child, scope),
            }
        }
    }

    /// The bindings of a set or `let`: values in `values_scope` (the set's own names when it is
    /// recursive), `inherit x;` from `inherit_scope` (always the enclosing one).
    fn entries(&mut self, node: &impl HasEntry, values_scope: &Scope, inherit_scope: &Scope) {
        for entry in node.entries() {
            match entry {
                ast::Entry::AttrpathValue(binding) => {
                    if let Some(path) = binding.attrpath() {
                        self.attrpath(&path, values_scope);
                    }
                    if let Some(value) = binding.value() {
                        self.expr(&value, values_scope);
                    }
                }
                ast::Entry::Inherit(inherit) => match inherit.from() {
                    Some(from) => {
                        if let Some(source) = from.expr() {
                            self.expr(&source, values_scope);
                        }
                    }
                    None => {
                        for attr in inherit.attrs() {
                            if let ast::Attr::Ident(ident) = attr {
                                self.expr(&ast::Expr::Ident(ident), inherit_scope);
                            }
                        }
                    }
                },
            }
        }
    }

    /// Attribute names are not variables; `${…}` and interpolated strings in them are.
    fn attrpath(&mut self, path: &ast::Attrpath, scope: &Scope) {
        for attr in path.attrs() {
            if !matches!(attr, ast::Attr::Ident(_)) {
                self.children(attr.syntax(), scope);
            }
        }
    }

    fn lambda(&mut self, lambda: &ast::Lambda, scope: &Scope) {
        let mut names = HashSet::new();
        let mut defaults = Vec::new();
        match lambda.param() {
            Some(ast::Param::IdentParam(param)) => names.extend(param.ident().map(|i| i.syntax().text().to_string())),
            Some(ast::Param::Pattern(pattern)) => {
                names.extend(pattern.pat_bind().and_then(|b| b.ident()).map(|i| i.syntax().text().to_string()));
                for entry in pattern.pat_entries() {
                    names.extend(entry.ident().map(|i| i.syntax().text().to_string()));
                    defaults.extend(entry.default());
                }
            }
            None => {}
        }
        // Defaults see every formal of the pattern (and the `@` name).
        let inner = Scope::Names(names, scope);
        for default in &defaults {
            self.expr(default, &inner);
        }
        if let Some(body) = lambda.body() {
            self.expr(&body, &inner);
        }
    }
}

/// The names a `let` or `rec` set binds: the first attribute of each binding, and inherited names.
fn bound_names(node: &impl HasEntry) -> HashSet<String> {
    let mut names = HashSet::new();
    for entry in node.entries() {
        match entry {
            ast::Entry::AttrpathValue(binding) => {
                if let Some(ast::Attr::Ident(ident)) = binding.attrpath().and_then(|p| p.attrs().next()) {
                    names.insert(ident.syntax().text().to_string());
                }
            }
            ast::Entry::Inherit(inherit) => {
                for attr in inherit.attrs() {
                    if let ast::Attr::Ident(ident) = attr {
                        names.insert(ident.syntax().text().to_string());
                    }
                }
            }
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use crate::lint::{check, Scope};

    fn undefined(source: &str) -> Vec<String> {
        check(source, Scope::Any).into_iter().filter(|f| f.code == "NL006").map(|f| f.message).collect()
    }

    #[test]
    fn a_module_without_the_argument_it_uses() {
        assert_eq!(
            undefined("{ lib, ... }:\n{\n  cognix.systemPackages = [ pkgs.imagemagick ];\n}\n"),
            ["undefined variable `pkgs`: bind it (a function argument such as `{ pkgs, ... }:`, or `let`)"]
        );
    }

    #[test]
    fn every_way_of_binding() {
        let source = r#"
          { lib, pkgs ? null, self ? pkgs, ... }@args:
          let
            a = b;
            b = { c = 1; };
            inherit (lib) mkIf;
            inherit (b) c;
            d.e = a;
          in
          rec {
            x = y;
            y = z: z + c;
            f = { g ? h, h }: g;
            inherit d;
            "${toString x}" = builtins.map (v: v) [ args ];
            s = "${mkIf true x}";
            w = with lib; anything;
            has = b ? c.${toString x};
            sel = b.c or __curPos;
          }
        "#;
        assert_eq!(undefined(source), Vec::<String>::new());
    }

    #[test]
    fn attribute_names_are_not_variables() {
        assert!(undefined("{ a.b.c = 1; inherit (builtins) map; }").is_empty());
        assert!(undefined("x: x.pkgs.lib").is_empty());
    }

    #[test]
    fn what_a_plain_set_or_a_let_does_not_bind() {
        assert_eq!(undefined("{ a = 1; b = a; }").len(), 1, "a non-recursive set binds nothing");
        assert_eq!(undefined("let inherit x; in x").len(), 1, "`inherit x;` takes x from outside");
        assert_eq!(undefined("{ inherit pkgs; }").len(), 1);
        assert_eq!(undefined("(x: x) y").len(), 1);
        assert_eq!(undefined("let a = 1; in [ a b ]").len(), 1);
    }

    #[test]
    fn inside_with_anything_goes_but_not_around_it() {
        assert!(undefined("with import ./pkgs.nix; [ hello ]").is_empty());
        assert_eq!(undefined("with pkgs; [ hello ]").len(), 1);
    }
}
