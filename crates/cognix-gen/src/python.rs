//! The Python requirements of the image: the lines of `build.python_requirements` (or
//! `build.python_packages`), split into requirement lines, pip index options and pip flags, with
//! cog's torch rewrite applied (`torch_index.rs`). In: `build` as written and the project (first),
//! then every requirement line and the chosen CUDA; out: the lines (which `validate` and `cuda`
//! read), then `Python`: cog.nix's `build.python_packages`, `python_index` and `pip_flags`.

use std::panic;
use std::str::FromStr;
use std::sync::Once;

use crate::compat::Mode;
use crate::config::{non_empty, Build};
use crate::diagnostic::{Kind, Pos, Reported, Sink};
use crate::project::Project;
use crate::requirements::{self, is_local, local_artifact, normalize, package_name, Comments, Local, Requirement};
use crate::torch_index::{self, Target};

/// Where pip looks for packages, collected from option lines and the torch rewrite.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Index {
    pub index_url: Option<String>,
    pub extra_index_urls: Vec<String>,
    pub find_links: Vec<String>,
}

impl Index {
    fn add_extra(&mut self, url: &str) {
        if !self.extra_index_urls.iter().any(|u| u == url) {
            self.extra_index_urls.push(url.to_owned());
        }
    }

    fn add_find_links(&mut self, url: &str) {
        if !self.find_links.iter().any(|u| u == url) {
            self.find_links.push(url.to_owned());
        }
    }
}

/// The image's Python requirements after every rewrite.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Python {
    /// Requirement lines, without options.
    pub packages: Vec<String>,
    pub index: Index,
    /// pip options that change resolution (`--pre`, `--only-binary=...`).
    pub pip_flags: Vec<String>,
}

/// `-r` files nested deeper than this are refused (a file including itself would loop).
const MAX_INCLUDE_DEPTH: usize = 8;

/// The requirement lines as cog reads them: the requirements file's logical lines, or the
/// `python_packages` items verbatim. In the default mode `-r other.txt` lines are expanded in
/// place (cog rejects them). `None` when the requirements file does not exist: validation
/// reports that, in cog's words.
pub fn lines(build: &Build, project: &mut Project, mode: Mode, sink: &mut Sink) -> Result<Option<Vec<Requirement>>, Reported> {
    let file = sink.file().to_owned();
    if let Some(path) = non_empty(&build.python_requirements) {
        if project.locate(&path.value, "", REQUIREMENTS_KEY, path.pos, &file, sink)?.is_none() {
            return Ok(None);
        }
        let mut reader = Reader { project, mode, sink, lines: Vec::new() };
        reader.read(&path.value, "", path.pos, &file, 0)?;
        return Ok(Some(reader.lines));
    }
    Ok(Some(
        build
            .python_packages
            .iter()
            .enumerate()
            .map(|(i, item)| Requirement {
                text: item.value.clone(),
                file: file.clone(),
                pos: item.pos,
                key: format!("build.python_packages[{i}]"),
            })
            .collect(),
    ))
}

const REQUIREMENTS_KEY: &str = "build.python_requirements";

/// Reads a requirements file and the ones it includes, in place.
struct Reader<'a> {
    project: &'a mut Project,
    mode: Mode,
    sink: &'a mut Sink,
    lines: Vec<Requirement>,
}

impl Reader<'_> {
    /// Reads the file `written` (relative to the project directory `base`) at `pos` of
    /// `from_file`, `depth` includes deep.
    fn read(&mut self, written: &str, base: &str, pos: Pos, from_file: &str, depth: usize) -> Result<(), Reported> {
        let key = REQUIREMENTS_KEY;
        let Some((path, name)) = self.project.locate(written, base, key, pos, from_file, self.sink)? else {
            return Err(self.sink.fail_in(from_file, Kind::RequirementsMissing { path: written.to_owned() }, pos, key));
        };
        let text = self.project.read_located(&path, &name, key, pos, self.sink)?;
        let comments = match self.mode {
            Mode::Strict => Comments::Cog,
            Mode::Default => Comments::Pip,
        };
        let dir = name.rsplit_once('/').map_or("", |(d, _)| d).to_owned();
        for line in requirements::read(&text, comments) {
            let include = option(&line.text).filter(|(o, _)| matches!(*o, "-r" | "--requirement")).map(|(_, v)| v.to_owned());
            match include {
                Some(included) if self.mode == Mode::Default && !included.contains("://") => {
                    if depth >= MAX_INCLUDE_DEPTH {
                        let kind = Kind::LocalRequirement {
                            message: format!("requirement files nest more than {MAX_INCLUDE_DEPTH} levels deep: {}", line.text),
                        };
                        return Err(self.sink.fail_in(&name, kind, line.pos, key));
                    }
                    self.read(&included, &dir, line.pos, &name, depth + 1)?;
                }
                _ => self.lines.push(Requirement { text: line.text, file: name.clone(), pos: line.pos, key: key.to_owned() }),
            }
        }
        Ok(())
    }
}

/// An option line's name and value: `--opt=value`, `--opt value`, `-x value`, `-xvalue`, `--flag`.
fn option(line: &str) -> Option<(&str, &str)> {
    if !line.starts_with('-') {
        return None;
    }
    if line.starts_with("--") {
        let end = line.find(|c: char| c == '=' || c.is_whitespace()).unwrap_or(line.len());
        let value = line[end..].trim_start_matches('=').trim();
        return Some((&line[..end], value));
    }
    let name_end = line.char_indices().nth(2).map_or(line.len(), |(i, _)| i);
    Some((&line[..name_end], line[name_end..].trim()))
}

/// Splits inline options off a requirement line: `numpy==1.0 --hash=sha256:ab` →
/// (`numpy==1.0`, [`--hash=sha256:ab`]). An option starts at whitespace followed by `-`.
fn split_inline(line: &str) -> (&str, Vec<&str>) {
    let mut starts =
        line.char_indices().filter(|&(i, c)| c == '-' && i > 0 && line[..i].ends_with(char::is_whitespace)).map(|(i, _)| i).peekable();
    let Some(&first) = starts.peek() else {
        return (line, Vec::new());
    };
    let starts: Vec<usize> = starts.collect();
    let options = starts.iter().enumerate().map(|(k, &s)| line[s..starts.get(k + 1).copied().unwrap_or(line.len())].trim()).collect();
    (line[..first].trim_end(), options)
}

/// Builds the final requirement list, reporting every line's problems. `gpu`/`cuda` are the
/// resolved build settings.
pub fn assemble(lines: &[Requirement], gpu: bool, cuda: &str, mode: Mode, sink: &mut Sink) -> Result<Python, Reported> {
    let mut python = Python::default();
    let target = Target { gpu, cuda, mode };
    let mut originals = Vec::new();
    let mut rewritten = Vec::new();
    for line in lines {
        let mut report = |kind: Kind| sink.report_in(&line.file, kind, line.pos, &line.key);
        let text = line.text.trim();
        if let Local::Unsupported(message) = local_artifact(text) {
            report(Kind::LocalRequirement { message });
            continue;
        }
        if let Some((name, value)) = option(text) {
            apply_option(name, value, &mut python).unwrap_or_else(&mut report);
            continue;
        }
        let (requirement, inline) = if is_local(text) { (text, Vec::new()) } else { split_inline(text) };
        let mut hashes = false;
        for opt in &inline {
            match option(opt) {
                Some(("--hash", _)) => hashes = true,
                Some((name, value)) if matches!(name, "--extra-index-url" | "--find-links" | "-f" | "--index-url" | "-i") => {
                    apply_option(name, value, &mut python).unwrap_or_else(&mut report);
                }
                _ => report(Kind::RequirementOptionIgnored {
                    option: (*opt).to_owned(),
                    reason: "pip's per-requirement options do not apply to a locked environment",
                }),
            }
        }
        if hashes {
            report(Kind::RequirementHashDropped { line: text.to_owned() });
        }
        // The rewrite sees the whole line, as cog's does: an index URL written on a pinned line
        // wins over the matrix. A line it passes through is kept without its options.
        let r = torch_index::rewrite(text, target);
        if let Some(kind) = r.warning {
            report(kind);
        }
        r.find_links.iter().for_each(|u| python.index.add_find_links(u));
        r.extra_index_urls.iter().for_each(|u| python.index.add_extra(u));
        let installed = if r.line == text { requirement.to_owned() } else { r.line };
        if is_managed(&installed) {
            report(Kind::SdkInRequirements { line: installed });
            continue;
        }
        if let Some(reason) = pip_rejects(&installed) {
            report(Kind::RequirementInvalid { line: installed.clone(), reason });
        }
        originals.push(text);
        rewritten.push(installed);
    }
    if mode == Mode::Strict {
        let extra = torch_index::includes(&originals, &rewritten);
        rewritten.extend(extra);
    }
    python.packages = rewritten.into_iter().filter(|l| !l.is_empty()).collect();
    sink.result(python)
}

/// `cog` and `coglet` are installed from `build.sdk_version`, never from the requirements.
fn is_managed(line: &str) -> bool {
    !is_local(line) && matches!(normalize(package_name(line)).as_str(), "cog" | "coglet")
}

/// Records an option line. `Err` carries a warning (or an error for unsupported local forms).
fn apply_option(name: &str, value: &str, python: &mut Python) -> Result<(), Kind> {
    let ignored =
        |reason: &'static str| Err(Kind::RequirementOptionIgnored { option: format!("{name} {value}").trim().to_owned(), reason });
    match name {
        "-i" | "--index-url" => python.index.index_url = Some(value.to_owned()),
        "--extra-index-url" => python.index.add_extra(value),
        "-f" | "--find-links" => python.index.add_find_links(value),
        "--pre" | "--prefer-binary" | "--no-index" => python.pip_flags.push(name.to_owned()),
        "--only-binary" | "--no-binary" => python.pip_flags.push(format!("{name}={value}")),
        "-e" | "--editable" if value.contains("://") || value.starts_with("git+") => {
            return Err(Kind::RequirementOptionIgnored {
                option: format!("{name} {value}"),
                reason: "an image has no editable installs; write the requirement without -e",
            });
        }
        "-c" | "--constraint" => return ignored("constraint files are not supported; pin the versions in the requirements instead"),
        "--trusted-host" => return ignored("lock.json pins every file by sha256, so host trust does not matter"),
        "-r" | "--requirement" => return ignored("only local requirement files can be included"),
        _ => return ignored("cognix does not pass this option to pip"),
    }
    Ok(())
}

/// Why pip will reject `line` when the lock file is made, if it will.
fn pip_rejects(line: &str) -> Option<String> {
    if line.is_empty() || is_local(line) || line.contains("://") || line.starts_with("git+") {
        return None;
    }
    pep508_error(line)
}

/// Why `pep508_rs` rejects `line`, if it does. Version 0.9.2 panics on some malformed lines
/// instead of returning an error (found by fuzzing: names and extras that end in `-`, `_` or
/// `.`, like `a-==1` and `a[b-]`), so its panics are caught and reported as an invalid line. A
/// panic hook, installed once, keeps those quiet and passes every other panic on.
fn pep508_error(line: &str) -> Option<String> {
    static QUIET: Once = Once::new();
    QUIET.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if !info.location().is_some_and(|l| l.file().contains("pep508_rs") || l.file().contains("pep440_rs")) {
                previous(info);
            }
        }));
    });
    match panic::catch_unwind(|| pep508_rs::Requirement::<pep508_rs::VerbatimUrl>::from_str(line)) {
        Ok(Ok(_)) => None,
        Ok(Err(e)) => Some(e.message.to_string()),
        Err(_) => Some("not a PEP 508 requirement: a name or extra must start and end with a letter or digit".to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Diagnostic;

    fn req(text: &str) -> Requirement {
        Requirement { text: text.into(), file: "requirements.txt".into(), pos: Pos::START, key: "build.python_requirements".into() }
    }

    fn run(lines: &[&str], gpu: bool, cuda: &str, mode: Mode) -> (Python, Vec<String>) {
        let reqs: Vec<_> = lines.iter().map(|l| req(l)).collect();
        let mut sink = Sink::new("cog.yaml");
        let python = assemble(&reqs, gpu, cuda, mode, &mut sink).unwrap_or_default();
        (python, sink.diagnostics().iter().map(Diagnostic::message).collect())
    }

    #[test]
    fn option_forms() {
        assert_eq!(option("--extra-index-url=https://x"), Some(("--extra-index-url", "https://x")));
        assert_eq!(option("--extra-index-url https://x"), Some(("--extra-index-url", "https://x")));
        assert_eq!(option("-f https://x"), Some(("-f", "https://x")));
        assert_eq!(option("-ihttps://x"), Some(("-i", "https://x")));
        assert_eq!(option("--pre"), Some(("--pre", "")));
        assert_eq!(option("numpy"), None);
        assert_eq!(split_inline("numpy==1.0 --hash=sha256:a --hash=sha256:b"), ("numpy==1.0", vec!["--hash=sha256:a", "--hash=sha256:b"]));
        assert_eq!(split_inline("pkg-name>=1"), ("pkg-name>=1", vec![]));
    }

    #[test]
    fn index_options_leave_the_package_list() {
        let (python, warnings) = run(
            &[
                "--extra-index-url https://download.pytorch.org/whl/cu121",
                "-f https://data.pyg.org/whl/torch-2.1.0.html",
                "--pre",
                "numpy==1.26.4",
            ],
            true,
            "12.1",
            Mode::Default,
        );
        assert_eq!(python.packages, ["numpy==1.26.4"]);
        assert_eq!(python.index.extra_index_urls, ["https://download.pytorch.org/whl/cu121"]);
        assert_eq!(python.index.find_links, ["https://data.pyg.org/whl/torch-2.1.0.html"]);
        assert_eq!(python.pip_flags, ["--pre"]);
        assert!(warnings.is_empty(), "{warnings:?}");
    }

    #[test]
    fn torch_gets_its_wheel_index() {
        let (python, _) = run(&["torch==2.0.1", "torchvision==0.15.2", "foo==1.0.0"], true, "11.8", Mode::Strict);
        assert_eq!(python.packages, ["torch==2.0.1", "torchvision==0.15.2", "foo==1.0.0"]);
        assert_eq!(python.index.extra_index_urls, ["https://download.pytorch.org/whl/cu118/"]);
    }

    #[test]
    fn hashes_are_dropped_with_a_warning() {
        let (python, warnings) = run(&["numpy==1.26.0 --hash=sha256:abc"], false, "", Mode::Default);
        assert_eq!(python.packages, ["numpy==1.26.0"]);
        assert_eq!(warnings.len(), 1);
        assert!(warnings[0].contains("--hash options are dropped"));
    }

    #[test]
    fn cog_sdk_lines_are_removed() {
        let (python, warnings) = run(&["cog==0.9.4", "numpy"], false, "", Mode::Default);
        assert_eq!(python.packages, ["numpy"]);
        assert!(warnings[0].starts_with("'cog==0.9.4' found in requirements"));
    }

    #[test]
    fn invalid_requirements_warn() {
        let (_, warnings) = run(&["numpy=1.2"], false, "", Mode::Default);
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(warnings[0].starts_with("\"numpy=1.2\" is not a valid requirement"), "{warnings:?}");
    }

    #[test]
    fn lines_pep508_rs_panics_on_are_reported_as_invalid() {
        let lines = ["a-==1", "b_[x]", "c[d-]==2", "e."];
        let (python, warnings) = run(&lines, false, "", Mode::Default);
        assert_eq!(python.packages, lines);
        assert_eq!(warnings.len(), 4, "{warnings:?}");
        for (line, warning) in lines.iter().zip(&warnings) {
            assert!(warning.starts_with(&format!("\"{line}\" is not a valid requirement (")), "{warning}");
        }
    }

    #[test]
    fn unsupported_local_forms_fail() {
        let reqs = [req("pkg @ ./x.whl")];
        let mut sink = Sink::new("cog.yaml");
        assert!(assemble(&reqs, false, "", Mode::Default, &mut sink).is_err());
        assert_eq!(sink.diagnostics()[0].kind.code(), "CG301");
    }
}
