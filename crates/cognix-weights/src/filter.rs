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

    /// The cases `lib/lock_weights.py` is tested on too (`checks/lock/test_lock_weights.py`), so the
    /// two readings of go-gitignore agree.
    #[test]
    fn shared_cases() {
        #[derive(serde::Deserialize)]
        struct Case {
            include: Vec<String>,
            exclude: Vec<String>,
            path: String,
            kept: bool,
        }
        let cases: Vec<Case> = serde_json::from_str(include_str!("../tests/fixtures/filter-cases.json")).unwrap();
        assert!(cases.len() > 20);
        for case in cases {
            assert_eq!(
                Filter::new(&case.include, &case.exclude).keeps(&case.path),
                case.kept,
                "{:?} {:?} {}",
                case.include,
                case.exclude,
                case.path
            );
        }
    }
}
