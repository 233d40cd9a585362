//! `build.run` (and the deprecated `build.pre_install`): every command classified so the Nix side
//! can do each part the Nix way. `apt-get install` becomes system packages, `pip install <names>`
//! Python requirements, downloads fixed-output fetches the lock pins, and everything else a
//! command run while the image is assembled (without network). In: the items as written
//! (`config::RunItem`); out: `RunItem`s of `Step`s (cog.nix's `build.run`, the Nix modules'
//! `runItem` and `step`), whose apt and pip packages `pipeline` adds to `build.system_packages`
//! and the requirements.

use serde::Serialize;

use crate::config;
use crate::diagnostic::{Kind, Pos, Reported, Sink};
use crate::shell::{self, Pipeline, SimpleCommand, Word};

/// What one part of a run command does (the Nix modules' `step.kind`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum StepKind {
    /// `apt-get install` and apt housekeeping; `packages` are the apt names as written.
    SystemPackages { command: String, packages: Vec<String> },
    /// `pip install` of requirement specifiers (added to the locked environment).
    PythonPackages { command: String, packages: Vec<String> },
    /// A download to a fixed destination, pinned by the lock command in lock.json's `fetches`
    /// (or by hand in `cognix.fetches`), keyed by `url`.
    Fetch {
        command: String,
        tool: &'static str,
        url: String,
        /// Absolute path in the image; `None` for pip, whose download goes into the environment.
        destination: Option<String>,
        /// Branch or tag a `git clone` checks out.
        rev: Option<String>,
        /// The download is an archive unpacked at the destination (`pget -x`).
        unpack: bool,
        /// A `git clone --recursive` (or `--recurse-submodules`): submodules are checked out too.
        submodules: bool,
    },
    /// Anything else, run at image build time.
    Command { command: String },
}

/// A step of a run item (the Nix modules' `step`): what it does, and the shell operator that joins
/// it to the next one, so that the steps can be run with the command's own control flow
/// (`a || true`, `a; b`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Step {
    #[serde(flatten)]
    pub kind: StepKind,
    /// `&&`, `||`, `;` or `&`; `None` for the last step.
    pub operator: Option<&'static str>,
}

/// A `build.run` item with its classification (the Nix modules' `runItem`). Mounts keep only `id`
/// and `target`: the secret's content is never read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RunItem {
    /// The cog.yaml key of the item (`build.run[2]`), for messages; not part of cog.nix.
    #[serde(skip)]
    pub key: String,
    /// Where the command is written in cog.yaml; not part of cog.nix.
    #[serde(skip)]
    pub pos: Pos,
    pub command: String,
    pub mounts: Vec<Mount>,
    pub steps: Vec<Step>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Mount {
    pub id: String,
    pub target: String,
}

/// What a download records besides its tool, URL and destination.
#[derive(Default)]
struct Details {
    rev: Option<String>,
    unpack: bool,
    submodules: bool,
}

/// Every item of a `build.run`-like list (`name` is its cog.yaml key), classified. An item with a
/// newline is an error (cog's); the others are classified all the same, so that every problem is
/// reported.
pub fn classify_all(items: &[config::RunItem], name: &str, sink: &mut Sink) -> Result<Vec<RunItem>, Reported> {
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let key = format!("{name}[{i}]");
        if check_newline(item, &key, sink).is_ok() {
            out.push(classify(item, &key, sink));
        }
    }
    sink.result(out)
}

/// Classifies one item. `key` names it in messages (`build.run[2]`). Only warns.
pub fn classify(item: &config::RunItem, key: &str, sink: &mut Sink) -> RunItem {
    let mut c = Classifier { key, pos: item.command.pos, sink, cwd: "/".to_owned() };
    let command = item.command.value.trim().to_owned();
    let steps = match shell::parse(&command) {
        Ok(pipelines) => pipelines
            .iter()
            .flat_map(|p| {
                // The steps of one pipeline run one after the other, as its single command would.
                let steps = c.pipeline(p);
                let last = steps.len().saturating_sub(1);
                steps.into_iter().enumerate().map(move |(i, kind)| Step { kind, operator: if i == last { p.operator } else { Some("&&") } })
            })
            .collect(),
        Err(shell::Unsupported) => vec![Step { kind: StepKind::Command { command: command.clone() }, operator: None }],
    };
    for m in &item.mounts {
        c.sink.report(Kind::RunSecretMount { id: m.id.value.clone() }, c.pos, key);
    }
    let mounts = item.mounts.iter().map(|m| Mount { id: m.id.value.clone(), target: m.target.value.clone() }).collect();
    RunItem { key: key.to_owned(), pos: item.pos, command, mounts, steps }
}

struct Classifier<'a> {
    key: &'a str,
    pos: Pos,
    sink: &'a mut Sink,
    /// cog runs `build.run` before `WORKDIR /src`, so commands start in `/`; `cd` moves it.
    cwd: String,
}

/// `pip install` options that take a value (the next word unless written `--opt=value`).
const PIP_VALUED_OPTIONS: &[&str] = &[
    "-r",
    "--requirement",
    "-c",
    "--constraint",
    "-e",
    "--editable",
    "-i",
    "--index-url",
    "--extra-index-url",
    "-f",
    "--find-links",
    "-t",
    "--target",
    "--prefix",
    "--root",
    "--trusted-host",
    "--cache-dir",
    "--global-option",
    "--config-settings",
    "-C",
    "--platform",
    "--python-version",
    "--implementation",
    "--abi",
    "--progress-bar",
    "--src",
    "--no-binary",
    "--only-binary",
    "--upgrade-strategy",
];

impl Classifier<'_> {
    /// The steps of one pipeline: one, except for `pip install` of names and URLs together.
    fn pipeline(&mut self, p: &Pipeline) -> Vec<StepKind> {
        let first = &p.commands[0];
        let words = strip_prefixes(&first.words);
        let Some(program) = words.first() else { return vec![command(p)] };
        let program = program.text.rsplit('/').next().unwrap_or_default().to_owned();
        if p.commands.len() > 1 {
            if matches!(program.as_str(), "curl" | "wget") {
                self.sink.report(Kind::RunNeedsNetwork { tool: program }, self.pos, self.key);
            }
            return vec![command(p)];
        }
        let args = &words[1..];
        let step = match program.as_str() {
            "cd" => {
                if let Some(dir) = args.first().filter(|w| !w.dynamic) {
                    self.cwd = absolute(&self.cwd, &dir.text);
                }
                command(p)
            }
            "apt-get" | "apt" | "apt-fast" | "aptitude" => Self::apt(p, args),
            "pip" | "pip3" => return self.pip(p, first, args),
            "python" | "python3" if args.len() >= 2 && args[0].text == "-m" && args[1].text == "pip" => {
                return self.pip(p, first, &args[2..]);
            }
            "uv" if args.first().is_some_and(|w| w.text == "pip") => return self.pip(p, first, &args[1..]),
            "curl" => self.curl(p, first, args),
            "wget" => self.wget(p, first, args),
            "git" if args.first().is_some_and(|w| w.text == "clone") => self.git_clone(p, &args[1..]),
            "pget" => self.pget(p, args),
            _ => command(p),
        };
        vec![step]
    }

    fn apt(p: &Pipeline, args: &[Word]) -> StepKind {
        let verb = args.iter().find(|w| !w.text.starts_with('-')).map(|w| w.text.as_str());
        match verb {
            Some("install") => {
                let packages =
                    operands(args, &["-o", "-t", "--target-release", "-c"]).into_iter().skip(1).map(|w| w.text.clone()).collect();
                StepKind::SystemPackages { command: p.text.clone(), packages }
            }
            Some("update" | "upgrade" | "dist-upgrade" | "clean" | "autoclean" | "autoremove") => {
                StepKind::SystemPackages { command: p.text.clone(), packages: Vec::new() }
            }
            _ => command(p),
        }
    }

    /// `pip install`: names (and index options) join the locked environment; a URL is a download
    /// that lock.json pins.
    fn pip(&mut self, p: &Pipeline, cmd: &SimpleCommand, args: &[Word]) -> Vec<StepKind> {
        let Some(verb) = args.first() else { return vec![command(p)] };
        if verb.text != "install" {
            if verb.text == "uninstall" {
                self.sink.report(
                    Kind::RunPipIgnored {
                        what: "pip uninstall cannot change the locked Python environment; remove the package from the requirements instead"
                            .to_owned(),
                    },
                    self.pos,
                    self.key,
                );
            }
            return vec![command(p)];
        }
        let args = &args[1..];
        let custom_location = args.iter().any(|w| {
            let flag = w.text.split('=').next().unwrap_or_default();
            matches!(flag, "-t" | "--target" | "--prefix" | "--root" | "--user" | "-e" | "--editable" | "-r" | "--requirement")
        });
        let specs = operands(args, PIP_VALUED_OPTIONS);
        let local = specs.iter().any(|w| is_local_spec(&w.text));
        if custom_location || local || specs.iter().any(|w| w.dynamic) || cmd.stdout.is_some() {
            self.sink.report(Kind::RunPipIgnored {
                what: "this pip install names a local path, a file or an install location, so it cannot join the locked environment; it runs as a build command without network".to_owned(),
            }, self.pos, self.key);
            return vec![command(p)];
        }
        let mut steps = Vec::new();
        let mut packages = Vec::new();
        // Index options apply to the requirements this command adds.
        let mut options = Vec::new();
        let mut k = 0;
        while k < args.len() {
            let flag = args[k].text.split('=').next().unwrap_or_default();
            let inline = args[k].text.split_once('=').map(|(_, v)| v.to_owned());
            if matches!(flag, "-i" | "--index-url" | "--extra-index-url" | "-f" | "--find-links") {
                let value = inline.or_else(|| args.get(k + 1).map(|w| w.text.clone())).unwrap_or_default();
                let name = if flag == "-i" {
                    "--index-url"
                } else if flag == "-f" {
                    "--find-links"
                } else {
                    flag
                };
                options.push(format!("{name} {value}"));
            } else if matches!(flag, "--pre") {
                options.push("--pre".to_owned());
            }
            k += 1;
        }
        for spec in &specs {
            if spec.text.contains("://") || spec.text.starts_with("git+") {
                self.sink.report(Kind::FetchViaLock { url: spec.text.clone() }, self.pos, self.key);
                steps.push(StepKind::Fetch {
                    command: p.text.clone(),
                    tool: "pip",
                    url: spec.text.clone(),
                    destination: None,
                    rev: None,
                    unpack: false,
                    submodules: false,
                });
            } else {
                packages.push(spec.text.clone());
            }
        }
        if specs.is_empty() {
            return vec![command(p)];
        }
        if !packages.is_empty() || !options.is_empty() {
            packages.extend(options);
            steps.insert(0, StepKind::PythonPackages { command: p.text.clone(), packages });
        }
        steps
    }

    fn fetch(&mut self, p: &Pipeline, tool: &'static str, url: &Word, destination: String, details: Details) -> StepKind {
        if url.dynamic || !url.text.contains("://") {
            self.sink.report(Kind::RunShellExpansion { word: url.text.clone() }, self.pos, self.key);
            return command(p);
        }
        let Details { rev, unpack, submodules } = details;
        StepKind::Fetch { command: p.text.clone(), tool, url: url.text.clone(), destination: Some(destination), rev, unpack, submodules }
    }

    fn curl(&mut self, p: &Pipeline, cmd: &SimpleCommand, args: &[Word]) -> StepKind {
        // Short options that take a value, which may be glued on (`-o/x`) or follow (`-o /x`).
        const VALUED: &str = "oHAuxmwedXCrbcKTFEYyzUQPtD";
        const LONG_VALUED: &[&str] = &[
            "header",
            "user-agent",
            "user",
            "proxy",
            "max-time",
            "write-out",
            "referer",
            "retry",
            "retry-delay",
            "connect-timeout",
            "continue-at",
            "range",
            "cookie",
            "cacert",
            "cert",
        ];
        let mut output: Option<String> = None;
        let mut remote_name = false;
        let mut url: Option<&Word> = None;
        let mut k = 0;
        while k < args.len() {
            let t = args[k].text.as_str();
            if let Some(long) = t.strip_prefix("--") {
                let (name, inline) = long.split_once('=').map_or((long, None), |(n, v)| (n, Some(v)));
                match name {
                    "output" => {
                        output = inline.map(str::to_owned).or_else(|| args.get(k + 1).map(|w| w.text.clone()));
                        k += usize::from(inline.is_none());
                    }
                    "remote-name" => remote_name = true,
                    // A request with a body is an API call, not a download.
                    "data" | "data-binary" | "data-raw" | "form" | "request" => return command(p),
                    n if LONG_VALUED.contains(&n) => k += usize::from(inline.is_none()),
                    _ => {}
                }
            } else if let Some(flags) = t.strip_prefix('-').filter(|f| !f.is_empty()) {
                for (n, f) in flags.char_indices() {
                    match f {
                        'O' => remote_name = true,
                        'd' | 'F' | 'X' => return command(p),
                        f if VALUED.contains(f) => {
                            let glued = &flags[n + f.len_utf8()..];
                            let value = if glued.is_empty() {
                                k += 1;
                                args.get(k).map(|w| w.text.clone())
                            } else {
                                Some(glued.to_owned())
                            };
                            if f == 'o' {
                                output = value;
                            }
                            break;
                        }
                        _ => {}
                    }
                }
            } else if url.is_none() {
                url = Some(&args[k]);
            }
            k += 1;
        }
        let Some(url) = url else { return command(p) };
        let destination = match (output, remote_name, &cmd.stdout) {
            (Some(o), _, _) => absolute(&self.cwd, &o),
            (None, true, _) => absolute(&self.cwd, &url_basename(&url.text)),
            (None, false, Some(stdout)) => absolute(&self.cwd, &stdout.text),
            (None, false, None) => {
                self.sink.report(Kind::RunNeedsNetwork { tool: "curl".to_owned() }, self.pos, self.key);
                return command(p);
            }
        };
        self.fetch(p, "curl", url, destination, Details::default())
    }

    fn wget(&mut self, p: &Pipeline, cmd: &SimpleCommand, args: &[Word]) -> StepKind {
        let mut output: Option<String> = None;
        let mut prefix: Option<String> = None;
        let mut url: Option<&Word> = None;
        let mut k = 0;
        while k < args.len() {
            let t = args[k].text.as_str();
            let next = || args.get(k + 1).map(|w| w.text.clone());
            if let Some(v) = t.strip_prefix("--output-document=") {
                output = Some(v.to_owned());
            } else if let Some(v) = t.strip_prefix("--directory-prefix=") {
                prefix = Some(v.to_owned());
            } else if t == "-O" || t == "--output-document" {
                output = next();
                k += 1;
            } else if t == "-P" || t == "--directory-prefix" {
                prefix = next();
                k += 1;
            } else if let Some(v) = t.strip_prefix("-O").filter(|v| !v.is_empty() && !t.starts_with("--")) {
                output = Some(v.to_owned());
            } else if let Some(v) = t.strip_prefix("-P").filter(|v| !v.is_empty() && !t.starts_with("--")) {
                prefix = Some(v.to_owned());
            } else if matches!(t, "-t" | "-T" | "--tries" | "--timeout" | "--header" | "-U" | "--user-agent" | "-e") {
                k += 1;
            } else if !t.starts_with('-') && url.is_none() {
                url = Some(&args[k]);
            }
            k += 1;
        }
        let Some(url) = url else { return command(p) };
        let destination = match (output.as_deref(), &cmd.stdout) {
            (Some("-"), Some(stdout)) => absolute(&self.cwd, &stdout.text),
            (Some("-"), None) => {
                self.sink.report(Kind::RunNeedsNetwork { tool: "wget".to_owned() }, self.pos, self.key);
                return command(p);
            }
            (Some(o), _) => absolute(&self.cwd, o),
            (None, _) => {
                let dir = prefix.map_or_else(|| self.cwd.clone(), |d| absolute(&self.cwd, &d));
                absolute(&dir, &url_basename(&url.text))
            }
        };
        self.fetch(p, "wget", url, destination, Details::default())
    }

    fn git_clone(&mut self, p: &Pipeline, args: &[Word]) -> StepKind {
        let mut rev = None;
        let mut submodules = false;
        let mut positional: Vec<&Word> = Vec::new();
        let mut k = 0;
        while k < args.len() {
            let t = args[k].text.as_str();
            if let Some(v) = t.strip_prefix("--branch=") {
                rev = Some(v.to_owned());
            } else if t == "--recursive" || t == "--recurse-submodules" || t.starts_with("--recurse-submodules=") {
                submodules = true;
            } else if t == "-b" || t == "--branch" {
                rev = args.get(k + 1).map(|w| w.text.clone());
                k += 1;
            } else if matches!(
                t,
                "--depth"
                    | "-c"
                    | "--config"
                    | "-o"
                    | "--origin"
                    | "--reference"
                    | "-j"
                    | "--jobs"
                    | "--separate-git-dir"
                    | "-u"
                    | "--upload-pack"
            ) {
                k += 1;
            } else if !t.starts_with('-') {
                positional.push(&args[k]);
            }
            k += 1;
        }
        let Some(url) = positional.first() else { return command(p) };
        let name = positional.get(1).map_or_else(|| url_basename(&url.text).trim_end_matches(".git").to_owned(), |d| d.text.clone());
        let destination = absolute(&self.cwd, &name);
        self.fetch(p, "git", url, destination, Details { rev, submodules, ..Details::default() })
    }

    /// Replicate's `pget [-x] URL DEST` (`-x` unpacks a tar archive into DEST).
    fn pget(&mut self, p: &Pipeline, args: &[Word]) -> StepKind {
        let unpack = args.iter().any(|w| w.text == "-x" || w.text == "--extract");
        let positional: Vec<&Word> = args.iter().filter(|w| !w.text.starts_with('-')).collect();
        match positional[..] {
            [url, dest, ..] => {
                let destination = absolute(&self.cwd, &dest.text);
                self.fetch(p, "pget", url, destination, Details { unpack, ..Details::default() })
            }
            _ => command(p),
        }
    }
}

fn command(p: &Pipeline) -> StepKind {
    StepKind::Command { command: p.text.clone() }
}

/// Drops `sudo`, `env`, `VAR=value` assignments and `time` in front of the program.
fn strip_prefixes(words: &[Word]) -> &[Word] {
    let mut k = 0;
    while let Some(w) = words.get(k) {
        let is_assignment =
            w.text.split_once('=').is_some_and(|(n, _)| !n.is_empty() && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'));
        let is_sudo_flag = w.text.starts_with('-') && k > 0 && words[k - 1].text == "sudo";
        if !(matches!(w.text.as_str(), "sudo" | "env" | "time" | "nohup") || is_assignment || is_sudo_flag) {
            break;
        }
        k += 1;
    }
    &words[k..]
}

/// The non-option arguments, skipping the values of `valued` options.
fn operands<'w>(args: &'w [Word], valued: &[&str]) -> Vec<&'w Word> {
    let mut out = Vec::new();
    let mut k = 0;
    while k < args.len() {
        let t = args[k].text.as_str();
        if t.starts_with('-') {
            if valued.contains(&t) {
                k += 1;
            }
        } else {
            out.push(&args[k]);
        }
        k += 1;
    }
    out
}

fn is_local_spec(spec: &str) -> bool {
    spec == "." || spec.starts_with("./") || spec.starts_with("../") || spec.starts_with('/') || spec.starts_with('~')
}

/// The last path component of a URL (query and fragment removed).
fn url_basename(url: &str) -> String {
    let path = url.split(['?', '#']).next().unwrap_or(url);
    let path = path.split_once("://").map_or(path, |(_, rest)| rest);
    let name = path.trim_end_matches('/').rsplit('/').next().unwrap_or_default();
    if name.is_empty() || !path.contains('/') {
        "index.html".to_owned()
    } else {
        name.to_owned()
    }
}

/// `path` made absolute against `cwd`, with `.` and `..` applied.
fn absolute(cwd: &str, path: &str) -> String {
    let joined = if path.starts_with('/') { path.to_owned() } else { format!("{cwd}/{path}") };
    let mut parts: Vec<&str> = Vec::new();
    for part in joined.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    format!("/{}", parts.join("/"))
}

/// A command with a newline runs as several Dockerfile lines in cog, which breaks it.
pub fn check_newline(item: &config::RunItem, key: &str, sink: &mut Sink) -> Result<(), Reported> {
    let command = item.command.value.trim();
    if command.contains('\n') {
        return Err(sink.fail(Kind::RunNewline { command: command.to_owned() }, item.command.pos, key));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Spanned;

    fn steps(command: &str) -> (Vec<StepKind>, Vec<String>) {
        let item = config::RunItem::plain(&Spanned::new(command.to_owned(), Pos::START));
        let mut sink = Sink::new("cog.yaml");
        let c = classify(&item, "build.run[0]", &mut sink);
        (c.steps.into_iter().map(|s| s.kind).collect(), sink.diagnostics().iter().map(|d| d.kind.code().to_owned()).collect())
    }

    fn fetch(url: &str, destination: &str, tool: &'static str, command: &str) -> StepKind {
        StepKind::Fetch {
            command: command.into(),
            tool,
            url: url.into(),
            destination: Some(destination.into()),
            rev: None,
            unpack: false,
            submodules: false,
        }
    }

    #[test]
    fn steps_keep_the_command_s_control_flow() {
        let item =
            config::RunItem::plain(&Spanned::new("pip install numpy https://x.org/a.whl || true; rm -rf /tmp/x".to_owned(), Pos::START));
        let c = classify(&item, "build.run[0]", &mut Sink::new("cog.yaml"));
        let operators: Vec<_> = c.steps.iter().map(|s| s.operator).collect();
        // One pip command becomes two steps that run as one: `&&` between them, then its own `||`.
        assert_eq!(operators, [Some("&&"), Some("||"), Some(";"), None]);
    }

    #[test]
    fn apt_install_lists_packages() {
        let (s, _) = steps("apt-get update && apt-get install -y --no-install-recommends git ffmpeg");
        assert_eq!(
            s,
            [
                StepKind::SystemPackages { command: "apt-get update".into(), packages: vec![] },
                StepKind::SystemPackages {
                    command: "apt-get install -y --no-install-recommends git ffmpeg".into(),
                    packages: vec!["git".into(), "ffmpeg".into()]
                },
            ]
        );
    }

    #[test]
    fn pip_install_names_become_requirements() {
        let (s, w) = steps("pip install flash-attn --no-build-isolation");
        assert_eq!(
            s,
            [StepKind::PythonPackages {
                command: "pip install flash-attn --no-build-isolation".into(),
                packages: vec!["flash-attn".into()]
            }]
        );
        assert!(w.is_empty());
        let (s, _) = steps("python -m pip install 'transformers[torch]==4.40.0' --extra-index-url https://x/simple");
        assert_eq!(
            s,
            [StepKind::PythonPackages {
                command: "python -m pip install 'transformers[torch]==4.40.0' --extra-index-url https://x/simple".into(),
                packages: vec!["transformers[torch]==4.40.0".into(), "--extra-index-url https://x/simple".into()],
            }]
        );
    }

    #[test]
    fn pip_install_of_a_url_is_a_download_pinned_by_the_lock() {
        let (s, w) = steps("pip install numpy https://h/x-1.0-py3-none-any.whl");
        assert_eq!(
            s,
            [
                StepKind::PythonPackages {
                    command: "pip install numpy https://h/x-1.0-py3-none-any.whl".into(),
                    packages: vec!["numpy".into()]
                },
                StepKind::Fetch {
                    command: "pip install numpy https://h/x-1.0-py3-none-any.whl".into(),
                    tool: "pip",
                    url: "https://h/x-1.0-py3-none-any.whl".into(),
                    destination: None,
                    rev: None,
                    unpack: false,
                    submodules: false,
                },
            ]
        );
        assert_eq!(w, ["CG503"]);
    }

    #[test]
    fn pip_install_of_a_local_path_stays_a_command() {
        let (s, w) = steps("cd /pre-build/ops && pip install .");
        assert_eq!(s[1], StepKind::Command { command: "pip install .".into() });
        assert_eq!(w, ["CG506"]);
    }

    #[test]
    fn downloads_become_fetches() {
        let cmd =
            "curl -o /usr/local/bin/pget -L \"https://github.com/replicate/pget/releases/latest/download/pget_$(uname -s)_$(uname -m)\"";
        let (s, w) = steps(&format!("{cmd} && chmod +x /usr/local/bin/pget"));
        assert_eq!(
            s,
            [
                fetch("https://github.com/replicate/pget/releases/latest/download/pget_Linux_x86_64", "/usr/local/bin/pget", "curl", cmd),
                StepKind::Command { command: "chmod +x /usr/local/bin/pget".into() },
            ]
        );
        // Whether the download is pinned is the lock's business (lock::warn_unpinned).
        assert!(w.is_empty());
        let (s, _) = steps("mkdir -p /w && cd /w && wget -q https://h.co/m/model.safetensors?download=true");
        assert_eq!(
            s[2],
            fetch(
                "https://h.co/m/model.safetensors?download=true",
                "/w/model.safetensors",
                "wget",
                "wget -q https://h.co/m/model.safetensors?download=true"
            )
        );
        let (s, _) = steps("curl -sSLo /tmp/x.bin https://h/x.bin");
        assert_eq!(s[0], fetch("https://h/x.bin", "/tmp/x.bin", "curl", "curl -sSLo /tmp/x.bin https://h/x.bin"));
    }

    #[test]
    fn git_clone_records_branch_and_directory() {
        let (s, _) = steps("git clone --depth 1 --branch main https://github.com/AICodeFactory/LivePortrait.git /pre-build");
        assert_eq!(
            s,
            [StepKind::Fetch {
                command: "git clone --depth 1 --branch main https://github.com/AICodeFactory/LivePortrait.git /pre-build".into(),
                tool: "git",
                url: "https://github.com/AICodeFactory/LivePortrait.git".into(),
                destination: Some("/pre-build".into()),
                rev: Some("main".into()),
                unpack: false,
                submodules: false,
            }]
        );
        let (s, _) = steps("git clone https://github.com/a/b.git");
        assert!(matches!(&s[0], StepKind::Fetch { destination: Some(d), .. } if d == "/b"));
        let (s, _) = steps("git clone --recursive https://github.com/a/b.git");
        assert!(matches!(&s[0], StepKind::Fetch { submodules: true, .. }));
        let (s, _) = steps("git clone --recurse-submodules=lib https://github.com/a/b.git");
        assert!(matches!(&s[0], StepKind::Fetch { submodules: true, .. }));
    }

    #[test]
    fn piped_and_dynamic_downloads_stay_commands() {
        let (s, w) = steps("curl -fsSL https://x/install.sh | sh");
        assert!(matches!(s[0], StepKind::Command { .. }));
        assert_eq!(w, ["CG504"]);
        let (s, w) = steps("wget $URL -O /x");
        assert!(matches!(s[0], StepKind::Command { .. }));
        assert_eq!(w, ["CG505"]);
    }

    #[test]
    fn pget_extracts() {
        let (s, _) = steps("pget -x https://weights.replicate.delivery/x.tar /src/weights");
        assert!(matches!(&s[0], StepKind::Fetch { tool: "pget", unpack: true, destination: Some(d), .. } if d == "/src/weights"));
    }

    #[test]
    fn paths() {
        assert_eq!(absolute("/", "a/../b"), "/b");
        assert_eq!(absolute("/x/y", "../z"), "/x/z");
        assert_eq!(url_basename("https://h/a/b.tar.gz?x=1"), "b.tar.gz");
        assert_eq!(url_basename("https://h"), "index.html");
    }
}
