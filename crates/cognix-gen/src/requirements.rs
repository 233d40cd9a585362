//! Requirement lines: reading a requirements file (cog-spec §8.1) and the ways cog looks at a
//! line: its package name (§8.2), its version tokens (§8.3), its pinned split (§8.4), whether it
//! is a local artifact (§8.6), and the first line naming a framework (torch, tensorflow). These
//! reproduce cog's regular expressions exactly, because CUDA resolution and the torch index
//! rewrite are defined in their terms. In: text; out: lines (`Line`, and `Requirement`, a line
//! with the file and cog.yaml key it came from) and what cog reads in them. No diagnostics.

use crate::compat::Mode;
use crate::diagnostic::Pos;

/// One logical requirement line and where it starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    pub text: String,
    pub pos: Pos,
}

/// A requirement line and where it was written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Requirement {
    pub text: String,
    /// Project-relative file (`cog.yaml` for `python_packages` items).
    pub file: String,
    pub pos: Pos,
    /// The cog.yaml key the line comes from.
    pub key: String,
}

/// A framework requirement found among the requirement lines.
#[derive(Clone, Debug)]
pub struct Framework<'a> {
    /// The first version token of the line (`2.0.1` for `torch>=2.0.1,<3`), empty when unpinned.
    pub version: String,
    pub line: &'a Requirement,
}

/// The first line that names `name`. cog compares its package-name regex case-sensitively with
/// extras included, so `Torch==2.1` and `torch[opt]==2.1` are invisible to it; the default mode
/// compares PEP 503-normalised names instead (docs/compatibility.md).
pub fn find<'a>(lines: &'a [Requirement], name: &str, mode: Mode) -> Option<Framework<'a>> {
    lines
        .iter()
        .filter(|line| !is_local(&line.text) && !line.text.starts_with('-'))
        .find(|line| {
            let found = package_name(&line.text);
            match mode {
                Mode::Strict => found == name,
                Mode::Default => normalize(found) == name,
            }
        })
        .map(|line| Framework { version: versions(&line.text).first().map_or_else(String::new, |v| (*v).to_owned()), line })
}

/// How comments are recognised. cog cuts every line at its first `#` (so
/// `pkg @ https://host/x.whl#sha256=...` loses its fragment); pip only treats `#` as a comment at
/// the start of a line or after whitespace.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Comments {
    Cog,
    Pip,
}

/// Reads the logical lines of a requirements file: `\r\n` and `\n` endings, backslash
/// continuations joined without a separator, `#` comments and `-e .` dropped, empty lines skipped.
pub fn read(text: &str, comments: Comments) -> Vec<Line> {
    let mut out = Vec::new();
    let mut acc = String::new();
    let mut start: Option<Pos> = None;
    let physical: Vec<&str> = text.split('\n').collect();
    let last = physical.len() - 1;
    for (i, raw) in physical.iter().enumerate() {
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        if start.is_none() && !raw.trim().is_empty() {
            let indent = raw.chars().take_while(|c| c.is_whitespace()).count();
            start = Some(Pos::new(i + 1, indent + 1));
        }
        acc.push_str(raw);
        if i < last && acc.ends_with('\\') {
            acc.pop();
            continue;
        }
        if let (Some(pos), Some(text)) = (start, logical(&acc, comments)) {
            out.push(Line { text, pos });
        }
        acc.clear();
        start = None;
    }
    out
}

fn logical(line: &str, comments: Comments) -> Option<String> {
    let line = line.trim();
    if line.starts_with('#') || is_editable_dot(line) {
        return None;
    }
    let cut = match comments {
        Comments::Cog => line.find('#'),
        Comments::Pip => line.char_indices().find(|&(i, c)| c == '#' && line[..i].ends_with(char::is_whitespace)).map(|(i, _)| i),
    };
    let line = cut.map_or(line, |i| line[..i].trim());
    (!line.is_empty()).then(|| line.to_owned())
}

/// `-e .` (with any spacing), which cog skips: the project itself is not a dependency.
fn is_editable_dot(line: &str) -> bool {
    line.strip_prefix("-e").is_some_and(|rest| rest.starts_with(char::is_whitespace) && rest.trim() == ".")
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')
}

/// cog's package name of a line: the longest prefix of `[A-Za-z0-9_.-]`, plus one `[...]` extras
/// group if it follows. `Torch==2` → `Torch`, `torch[x]==2` → `torch[x]`.
pub fn package_name(line: &str) -> &str {
    let end = line.find(|c: char| !is_name_char(c)).unwrap_or(line.len());
    if end == 0 {
        return "";
    }
    let rest = &line[end..];
    if let Some(inner) = rest.strip_prefix('[') {
        if let Some(close) = inner.find(']') {
            if close > 0 {
                return &line[..end + close + 2];
            }
        }
    }
    &line[..end]
}

/// PEP 503 normalisation: extras dropped, runs of `-_.` become `-`, lowercase.
pub fn normalize(name: &str) -> String {
    let name = name.split('[').next().unwrap_or(name);
    let mut out = String::with_capacity(name.len());
    let mut in_separator = false;
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            if !in_separator {
                out.push('-');
            }
            in_separator = true;
        } else {
            out.extend(c.to_lowercase());
            in_separator = false;
        }
    }
    out
}

/// cog's version tokens of a line: every `<>=!~` operator (optionally followed by `=`) and its
/// token, then the target of an `@` direct reference. The first one is the "framework version".
pub fn versions(line: &str) -> Vec<&str> {
    let bytes = line.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if matches!(bytes[i], b'<' | b'>' | b'=' | b'!' | b'~') {
            let mut j = i + 1;
            if bytes.get(j) == Some(&b'=') {
                j += 1;
            }
            while bytes.get(j).is_some_and(u8::is_ascii_whitespace) {
                j += 1;
            }
            let end = token_end(line, j, |c| c.is_whitespace() || matches!(c, ',' | ';' | '|'));
            if end > j {
                out.push(&line[j..end]);
                i = end;
                continue;
            }
        }
        i += 1;
    }
    if let Some(at) = line.find('@') {
        let rest = &line[at + 1..];
        let start = rest.len() - rest.trim_start().len();
        let end = token_end(rest, start, char::is_whitespace);
        if end > start {
            out.push(&rest[start..end]);
        }
    }
    out
}

fn token_end(s: &str, start: usize, stop: impl Fn(char) -> bool) -> usize {
    s[start..].find(stop).map_or(s.len(), |n| start + n)
}

/// The pieces of a pinned line (cog's `SplitPinnedPythonRequirement`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pinned<'a> {
    pub name: &'a str,
    pub version: &'a str,
    pub find_links: Vec<&'a str>,
    pub extra_index_urls: Vec<&'a str>,
}

/// Finds `NAME==VER`, `--find-links=URL`, `-f URL` and `--extra-index-url=URL` the way cog's
/// regular expression does (leftmost-first, non-overlapping). `None` unless both a name and a
/// version were found: such lines are passed through verbatim.
pub fn split_pinned(line: &str) -> Option<Pinned<'_>> {
    let mut pinned = Pinned { name: "", version: "", find_links: Vec::new(), extra_index_urls: Vec::new() };
    let mut found = false;
    // End of the run of name characters at each byte, computed once so the scan stays linear.
    let bytes = line.as_bytes();
    let mut run_end = vec![0; bytes.len() + 1];
    run_end[bytes.len()] = bytes.len();
    for k in (0..bytes.len()).rev() {
        let name_char = bytes[k].is_ascii_alphanumeric() || matches!(bytes[k], b'-' | b'_');
        run_end[k] = if name_char { run_end[k + 1] } else { k };
    }
    let mut i = 0;
    while i < line.len() {
        if !line.is_char_boundary(i) {
            i += 1;
            continue;
        }
        let rest = &line[i..];
        let name_len = run_end[i] - i;
        if name_len > 0 && rest[name_len..].starts_with("==") {
            let version_start = name_len + 2;
            let version_end = token_end(rest, version_start, |c| c == ' ');
            if version_end > version_start {
                pinned.name = &rest[..name_len];
                pinned.version = &rest[version_start..version_end];
                found = true;
                i += version_end;
                continue;
            }
        }
        let option = |prefix: &str| -> Option<(usize, usize)> {
            let value = rest.strip_prefix(prefix)?;
            let skip = if prefix == "-f" {
                let spaces = value.len() - value.trim_start().len();
                if spaces == 0 {
                    return None;
                }
                spaces
            } else {
                0
            };
            let start = prefix.len() + skip;
            let end = token_end(rest, start, char::is_whitespace);
            (end > start).then_some((start, end))
        };
        if let Some((s, e)) = option("--find-links=").or_else(|| option("-f")) {
            pinned.find_links.push(&rest[s..e]);
            i += e;
        } else if let Some((s, e)) = option("--extra-index-url=") {
            pinned.extra_index_urls.push(&rest[s..e]);
            i += e;
        } else {
            i += rest.chars().next().map_or(1, char::len_utf8);
        }
    }
    (found && !pinned.version.is_empty()).then_some(pinned)
}

/// What cog decides about a line that may name a local wheel or source archive (cog-spec §8.6).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Local {
    /// Not a local artifact: an ordinary requirement or option line.
    No,
    /// A bare path to a wheel or archive.
    Artifact(String),
    /// A local form cog rejects, with cog's message.
    Unsupported(String),
}

pub fn local_artifact(line: &str) -> Local {
    let line = line.trim();
    if line.is_empty() {
        return Local::No;
    }
    if is_file_url(line) {
        return Local::Unsupported(format!("local file URL requirements are not supported: {line}"));
    }
    if let Some((name, target)) = line.split_once('@') {
        let spaced = name != name.trim() || target != target.trim();
        let (name, target) = (name.trim(), target.trim());
        if !name.is_empty() && package_name(name) == name {
            if is_file_url(target) {
                return Local::Unsupported(format!("local file URL requirements are not supported: {line}"));
            }
            if is_local_path(target) || (spaced && is_local_artifact(target)) {
                return Local::Unsupported(format!(
                    "local direct reference requirements (`name @ path`) are not supported; list the path directly instead: {line}"
                ));
            }
        }
    }
    if line.starts_with('-') {
        for option in ["--find-links", "--requirement", "-f", "-r"] {
            if let Some(value) = option_value(line, option) {
                if !value.is_empty() && (is_file_url(value) || !is_remote(value)) {
                    return Local::Unsupported(format!("local requirements option \"{option}\" is not supported: {line}"));
                }
            }
        }
        return Local::No;
    }
    if has_inline_option(line) {
        return Local::Unsupported(format!("local package artifact requirements do not support inline options or hashes: {line}"));
    }
    if is_remote(line) {
        return Local::No;
    }
    if let Some((base, _)) = line.split_once(';') {
        if is_local_artifact(base.trim()) {
            return Local::Unsupported(format!("environment markers are not supported on local package artifact requirements: {line}"));
        }
    }
    if let Some((base, _)) = line.split_once('[') {
        if line.ends_with(']') && is_local_artifact(base.trim()) {
            return Local::Unsupported(format!("extras are not supported on local package artifact requirements: {line}"));
        }
    }
    match (is_local_path(line), has_artifact_suffix(line)) {
        (false, false) => Local::No,
        (true, false) => Local::Unsupported(format!("local package requirement \"{line}\" is not a supported wheel or source archive")),
        (_, true) => Local::Artifact(line.to_owned()),
    }
}

/// The value of `option` at the start of `line`: `--opt=value`, `--opt value`, `-f value`.
fn option_value<'a>(line: &'a str, option: &str) -> Option<&'a str> {
    let rest = line.strip_prefix(option)?;
    if rest.is_empty() {
        return None;
    }
    if option.starts_with("--") {
        if let Some(value) = rest.strip_prefix('=') {
            return Some(value.trim());
        }
        if !rest.starts_with([' ', '\t']) {
            return None;
        }
    }
    Some(rest.trim())
}

/// A local artifact followed by an option: some run of blanks splits the line into a local
/// path and `--opt`, `-f …` or `-r …`. Each run of blanks is looked at once.
fn has_inline_option(line: &str) -> bool {
    let remote_at = line.find("://");
    let bytes = line.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if !matches!(bytes[i], b' ' | b'\t') {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && matches!(bytes[i], b' ' | b'\t') {
            i += 1;
        }
        let rest = &line[i..];
        let option = rest.starts_with("--") || option_value(rest, "-f").is_some() || option_value(rest, "-r").is_some();
        if option {
            let prefix = line[..start].trim_start();
            let remote = prefix.starts_with("git+") || remote_at.is_some_and(|r| r + 3 <= start);
            if !remote && (is_local_path(prefix) || has_artifact_suffix(prefix)) {
                return true;
            }
        }
    }
    false
}

fn is_local_artifact(path: &str) -> bool {
    !is_remote(path) && (is_local_path(path) || has_artifact_suffix(path))
}

fn is_remote(line: &str) -> bool {
    line.contains("://") || line.starts_with("git+")
}

fn is_file_url(line: &str) -> bool {
    line.get(..5).is_some_and(|p| p.eq_ignore_ascii_case("file:"))
}

fn is_local_path(line: &str) -> bool {
    line.starts_with('/') || line.starts_with("./") || line.starts_with("../")
}

fn has_artifact_suffix(path: &str) -> bool {
    let path = path.as_bytes();
    [".whl", ".zip", ".tar.gz", ".tgz", ".tar.bz2", ".tar.xz"]
        .iter()
        .any(|s| path.len() >= s.len() && path[path.len() - s.len()..].eq_ignore_ascii_case(s.as_bytes()))
}

/// True for lines cog leaves out of framework detection and rewriting: local artifacts and local
/// forms it will reject later.
pub fn is_local(line: &str) -> bool {
    !matches!(local_artifact(line), Local::No)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(text: &str, comments: Comments) -> Vec<String> {
        read(text, comments).into_iter().map(|l| l.text).collect()
    }

    #[test]
    fn reading_follows_cog() {
        let file = "# top\r\ntorch==\\\r\n2.5.1\r\n\r\n-e .\r\n-e ./x\nnumpy  # pinned below\npkg @ https://h/x.whl#sha256=ab\n";
        assert_eq!(texts(file, Comments::Cog), ["torch==2.5.1", "-e ./x", "numpy", "pkg @ https://h/x.whl"]);
        assert_eq!(texts(file, Comments::Pip), ["torch==2.5.1", "-e ./x", "numpy", "pkg @ https://h/x.whl#sha256=ab"]);
    }

    #[test]
    fn lines_know_where_they_start() {
        let lines = read("\n\n  numpy==1.0\nscipy\\\n==1.2\n", Comments::Cog);
        assert_eq!(lines[0].pos, Pos::new(3, 3));
        assert_eq!(lines[1], Line { text: "scipy==1.2".into(), pos: Pos::new(4, 1) });
    }

    #[test]
    fn package_names() {
        assert_eq!(package_name("torch>=2"), "torch");
        assert_eq!(package_name("torch[opt]==2.7.0"), "torch[opt]");
        assert_eq!(package_name("Torch==2.1"), "Torch");
        assert_eq!(package_name("--extra-index-url x"), "--extra-index-url");
        assert_eq!(package_name("@x"), "");
        assert_eq!(normalize("Foo__Bar.baz[x]"), "foo-bar-baz");
    }

    #[test]
    fn version_tokens() {
        assert_eq!(versions("torch==2.0.1"), ["2.0.1"]);
        assert_eq!(versions("torch>=2.0,<3"), ["2.0", "3"]);
        assert_eq!(versions("torch<2.7.0"), ["2.7.0"]);
        assert_eq!(versions("torch~=2.1.0"), ["2.1.0"]);
        assert_eq!(versions("torch===2.0.1"), ["=2.0.1"]);
        assert_eq!(versions("torch @ https://x/torch.whl"), ["https://x/torch.whl"]);
        assert!(versions("torch").is_empty());
    }

    #[test]
    fn pinned_split() {
        let p = split_pinned("torch==1.12.1 --extra-index-url=https://download.pytorch.org/whl/cu116").unwrap();
        assert_eq!((p.name, p.version), ("torch", "1.12.1"));
        assert_eq!(p.extra_index_urls, ["https://download.pytorch.org/whl/cu116"]);
        assert_eq!(split_pinned("colorama==0.4.6 ; sys_platform == 'win32'").unwrap().version, "0.4.6");
        assert_eq!(split_pinned("numpy==1.26.0 --hash=sha256:abc").unwrap().version, "1.26.0");
        assert!(split_pinned("name[extra]==1").is_none());
        assert!(split_pinned("fastapi>=0.6,<1").is_none());
        assert!(split_pinned("-f http://example.com").is_none());
        assert_eq!(split_pinned("x==1 -f  http://a").unwrap().find_links, ["http://a"]);
    }

    #[test]
    fn local_artifacts() {
        assert_eq!(local_artifact("./wheels/a-1.0-py3-none-any.whl"), Local::Artifact("./wheels/a-1.0-py3-none-any.whl".into()));
        assert_eq!(local_artifact("dist/pkg.tar.gz"), Local::Artifact("dist/pkg.tar.gz".into()));
        assert_eq!(local_artifact("torch==2.0.1"), Local::No);
        assert_eq!(local_artifact("https://x/y.whl"), Local::No);
        assert_eq!(
            local_artifact("pkg @ ./x.whl"),
            Local::Unsupported(
                "local direct reference requirements (`name @ path`) are not supported; list the path directly instead: pkg @ ./x.whl"
                    .into()
            )
        );
        assert_eq!(
            local_artifact("-r other.txt"),
            Local::Unsupported("local requirements option \"-r\" is not supported: -r other.txt".into())
        );
        assert_eq!(local_artifact("--extra-index-url https://x"), Local::No);
        assert_eq!(
            local_artifact("./pkgdir"),
            Local::Unsupported("local package requirement \"./pkgdir\" is not a supported wheel or source archive".into())
        );
        assert!(matches!(local_artifact("./a.whl --hash=sha256:x"), Local::Unsupported(_)));
        assert!(matches!(local_artifact("file:///x.whl"), Local::Unsupported(_)));
    }
}
