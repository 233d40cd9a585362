//! `include` / `exclude` as cog applies them (pkg/model/weightsource/filter.go): gitignore-style
//! globs through sabhiram/go-gitignore, whose translation of a pattern into a regular expression
//! is reproduced here step by step, quirks included, so the same files survive as under cog. A
//! file must match an include pattern (when there are any) and no exclude pattern.

use regex::Regex;

/// A compiled pattern list (go-gitignore's `GitIgnore`).
#[derive(Debug)]
struct Patterns(Vec<(Regex, bool)>);

impl Patterns {
    fn new(lines: &[String]) -> Patterns {
        Patterns(lines.iter().filter_map(|l| pattern(l)).collect())
    }

    /// go-gitignore's `MatchesPath`: the last positive match wins unless a later negation undoes it.
    fn matches(&self, path: &str) -> bool {
        let mut matched = false;
        for (regex, negate) in &self.0 {
            if regex.is_match(path) {
                if !negate {
                    matched = true;
                } else if matched {
                    matched = false;
                }
            }
        }
        matched
    }
}

/// One source's filter.
#[derive(Debug)]
pub struct Filter {
    include: Option<Patterns>,
    exclude: Option<Patterns>,
}

impl Filter {
    pub fn new(include: &[String], exclude: &[String]) -> Filter {
        let compile = |lines: &[String]| (!lines.is_empty()).then(|| Patterns::new(lines));
        Filter { include: compile(include), exclude: compile(exclude) }
    }

    /// Whether the file at `path` (relative, `/`-separated) is kept.
    pub fn keeps(&self, path: &str) -> bool {
        if self.exclude.as_ref().is_some_and(|e| e.matches(path)) {
            return false;
        }
        self.include.as_ref().is_none_or(|i| i.matches(path))
    }
}

/// go-gitignore's `getPatternFromLine`.
fn pattern(line: &str) -> Option<(Regex, bool)> {
    let line = line.trim_end_matches('\r');
    if line.starts_with('#') {
        return None;
    }
    let mut line = line.trim_matches(' ').to_owned();
    if line.is_empty() {
        return None;
    }
    let negate = line.starts_with('!');
    if negate {
        line.remove(0);
    }
    if line.starts_with(['#', '!']) {
        line.remove(0);
    }
    // `dir/*.ext` is anchored at the root.
    let anchored_glob = Regex::new(r"([^/+])/.*\*\.").expect("valid");
    if anchored_glob.is_match(&line) && !line.starts_with('/') {
        line.insert(0, '/');
    }
    line = line.replace('.', r"\.");
    // A stand-in for `*` that the single-star rule below must not see.
    let magic_star = "#$~";
    if line.starts_with("/**/") {
        line.remove(0);
    }
    line = line.replace("/**/", "(/|/.+/)");
    line = line.replace("**/", &format!("(|.{magic_star}/)"));
    line = line.replace("/**", &format!("(|/.{magic_star})"));
    line = line.replace(r"\*", &format!(r"\{magic_star}"));
    line = line.replace('*', "([^/]*)");
    line = line.replace('?', r"\?");
    line = line.replace(magic_star, "*");
    let expr = if line.ends_with('/') { format!("{line}(|.*)$") } else { format!("{line}(|/.*)$") };
    let expr = match expr.strip_prefix('/') {
        Some(rest) => format!("^(|/){rest}"),
        None => format!("^(|.*/){expr}"),
    };
    // go-gitignore drops a pattern whose expression does not compile.
    Regex::new(&expr).ok().map(|r| (r, negate))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keeps(include: &[&str], exclude: &[&str], path: &str) -> bool {
        let own = |p: &[&str]| p.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        Filter::new(&own(include), &own(exclude)).keeps(path)
    }

    #[test]
    fn cogs_example_filters() {
        // examples/managed-weights: the minilm excludes.
        let exclude = ["onnx/", "openvino/", "pytorch_model.bin", "README.md", ".gitattributes"];
        assert!(!keeps(&[], &exclude, "onnx/model.onnx"));
        assert!(!keeps(&[], &exclude, "openvino/openvino_model.xml"));
        assert!(!keeps(&[], &exclude, "README.md"));
        assert!(keeps(&[], &exclude, "1_Pooling/config.json"));
        assert!(keeps(&[], &exclude, "model.safetensors"));
        // the parakeet includes.
        let include = ["*.safetensors", "*.json"];
        assert!(keeps(&include, &[], "model.safetensors"));
        assert!(keeps(&include, &[], "sub/tokenizer.json"));
        assert!(!keeps(&include, &[], "model.nemo"));
    }

    #[test]
    fn exclude_wins_and_anchoring() {
        assert!(!keeps(&["*.bin"], &["big.bin"], "big.bin"));
        // `dir/*.ext` matches direct children of dir only.
        assert!(keeps(&["onnx/*.onnx"], &[], "onnx/m.onnx"));
        assert!(!keeps(&["onnx/*.onnx"], &[], "onnx/sub/m.onnx"));
        assert!(!keeps(&["onnx/*.onnx"], &[], "x/onnx/m.onnx"));
        // `**` spans directories.
        assert!(keeps(&["a/**/b.txt"], &[], "a/x/y/b.txt"));
        assert!(keeps(&["a/**/b.txt"], &[], "a/b.txt"));
        assert!(keeps(&["**/b.txt"], &[], "q/b.txt"));
        assert!(keeps(&["a/**"], &[], "a/deep/file"));
        // A bare name matches at any depth, as a file or a directory.
        assert!(keeps(&["config.json"], &[], "sub/config.json"));
        assert!(keeps(&["sub"], &[], "sub/config.json"));
        // A leading slash anchors.
        assert!(!keeps(&["/config.json"], &[], "sub/config.json"));
        assert!(keeps(&["/config.json"], &[], "config.json"));
    }

    #[test]
    fn go_gitignore_quirks() {
        // `?` is a literal, not a wildcard.
        assert!(!keeps(&["model?.bin"], &[], "model1.bin"));
        assert!(keeps(&["model?.bin"], &[], "model?.bin"));
        // Comments and blank patterns match nothing.
        assert!(!keeps(&["# x", "  "], &[], "x"));
    }
}
