//! The pipeline: a project directory and the mode in; the completed configuration (what cog.nix
//! holds and `resolve --json` prints) and every diagnostic out. Each step is one module and
//! reports into one `Sink`; this module runs them in cog's order and does the merges between
//! them, each a named function: run commands' packages join `build.system_packages` and the
//! Python requirements, `pre_install` runs like `build.run`, weights are copied.

use std::path::Path;

use crate::compat::Mode;
use crate::config::{self, CogYaml, Text};
use crate::cuda;
use crate::diagnostic::{Diagnostic, Kind, Pos, Reported, Severity, Sink};
use crate::environment;
use crate::lock;
use crate::output;
use crate::project::Project;
use crate::python;
use crate::requirements::Requirement;
use crate::run::{self, StepKind};
use crate::system_packages;
use crate::validate;
use crate::version;
use crate::yaml;

/// The result of resolving a project: the completed configuration when there were no errors, and
/// every diagnostic either way.
#[derive(Debug)]
pub struct Outcome {
    /// `None` when the project could not be opened.
    pub project: Option<Project>,
    pub completed: Option<output::Completed>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Outcome {
    pub fn warnings(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics.iter().filter(|d| d.severity() == Severity::Warning)
    }

    /// The `resolve --json` document: the configuration plus `warnings`.
    pub fn json(&self) -> Option<serde_json::Value> {
        let mut value = serde_json::to_value(self.completed.as_ref()?).ok()?;
        let warnings = self.warnings().map(Diagnostic::to_json).collect();
        value.as_object_mut()?.insert("warnings".to_owned(), serde_json::Value::Array(warnings));
        Some(value)
    }
}

/// Reads, validates and completes the project at `path` (a directory holding cog.yaml or inside
/// one, or a YAML file of any name; see `Project::open`).
pub fn resolve(path: &Path, mode: Mode) -> Outcome {
    let mut project = match Project::open(path) {
        Ok(p) => p,
        Err(d) => return Outcome { project: None, completed: None, diagnostics: vec![d] },
    };
    let mut sink = Sink::new(project.config_name());
    let completed = complete(&mut project, mode, &mut sink).ok();
    let mut diagnostics = sink.into_diagnostics();
    // Reading order, file by file; the sort is stable, so cog's order stays within a line.
    diagnostics.sort_by(|a, b| (&a.file, a.pos).cmp(&(&b.file, b.pos)));
    Outcome { project: Some(project), completed, diagnostics }
}

/// The steps in cog's order; each stops the pipeline when it reported an error.
fn complete(project: &mut Project, mode: Mode, sink: &mut Sink) -> Result<output::Completed, Reported> {
    let cfg = read(project, sink)?;
    let build = cfg.build.clone().unwrap_or_default();
    let lines = python::lines(&build, project, mode, sink)?;
    validate(&cfg, lines.as_deref(), mode, sink)?;
    let mut lines = lines.unwrap_or_default();
    let cuda = cuda::choose(&build, &lines, mode, sink)?;
    let environment = environment::parse(&cfg.environment, sink)?;
    let (run, pre_install) = run_items(&build, project.root(), sink)?;
    lines.extend(run_requirements(run.iter().chain(&pre_install), sink.file()));
    let system = system_packages::apt_names(&system_package_requests(&build, run.iter().chain(&pre_install)), mode, sink);
    let python = python::assemble(&lines, build.gpu(), cuda.cuda.as_deref().unwrap_or_default(), mode, sink);
    let (Ok(system_packages), Ok(python)) = (system, python) else { return Err(Reported) };
    Ok(output::Completed {
        build: output::Build {
            gpu: build.gpu(),
            python_version: config::non_empty(&build.python_version).map(|v| version::python_release(v.value.trim())),
            python_requirements: text(&build.python_requirements),
            python_packages: python.packages,
            python_index: python.index,
            pip_flags: python.pip_flags,
            system_packages,
            run,
            pre_install,
            cuda: cuda.cuda,
            cudnn: cuda.cudnn,
            sdk_version: text(&build.sdk_version),
        },
        image: text(&cfg.image),
        model: text(&cfg.model),
        predict: text(&cfg.run).or_else(|| text(&cfg.predict)),
        train: text(&cfg.train),
        concurrency: cfg.concurrency.as_ref().and_then(|c| c.max.as_ref()).map(|m| output::Concurrency { max: m.value }),
        environment,
        weights: weights(&cfg),
    })
}

/// The config file, parsed and decoded (cog uses the first YAML document only).
fn read(project: &mut Project, sink: &mut Sink) -> Result<CogYaml, Reported> {
    let text = project.read_config(sink)?;
    let document = yaml::parse(&text, yaml::Limits::default()).map_err(|e| sink.fail(e.kind, e.pos, &e.key))?;
    if document.more_documents {
        sink.report(Kind::ExtraDocuments, Pos::START, "");
    }
    config::decode(document.root.as_ref(), sink)
}

/// cog's validation, with what it needs to know besides the config: the requirement lines
/// (`None` when the requirements file is missing) and the misspelled keys the decoder found.
fn validate(cfg: &CogYaml, lines: Option<&[Requirement]>, mode: Mode, sink: &mut Sink) -> Result<(), Reported> {
    let misspelled = validate::misspellings(sink.diagnostics());
    let ctx = validate::Context { lines: lines.unwrap_or_default(), requirements_found: lines.is_some(), mode, misspelled: &misspelled };
    validate::validate(cfg, &ctx, sink)
}

/// `build.run` and `build.pre_install` (which cog runs the same way, after `run`) classified, and
/// a warning for each download lock.json does not pin yet.
fn run_items(build: &config::Build, project_root: &Path, sink: &mut Sink) -> Result<(Vec<run::RunItem>, Vec<run::RunItem>), Reported> {
    let pre_install: Vec<config::RunItem> = build.pre_install.iter().map(config::RunItem::plain).collect();
    let run = run::classify_all(&build.run, "build.run", sink);
    let pre_install = run::classify_all(&pre_install, "build.pre_install", sink);
    let (Ok(run), Ok(pre_install)) = (run, pre_install) else { return Err(Reported) };
    let pinned = lock::pinned(project_root);
    lock::warn_unpinned(&run, &pinned, sink);
    lock::warn_unpinned(&pre_install, &pinned, sink);
    Ok((run, pre_install))
}

/// The requirements that `pip install` in run commands adds, in order, as lines of the run item
/// (in the config file `file`).
fn run_requirements<'a>(items: impl Iterator<Item = &'a run::RunItem>, file: &str) -> Vec<Requirement> {
    let mut lines = Vec::new();
    for item in items {
        let requirement = |text: &String| Requirement { text: text.clone(), file: file.to_owned(), pos: item.pos, key: item.key.clone() };
        for step in &item.steps {
            match &step.kind {
                StepKind::PythonPackages { packages, .. } => lines.extend(packages.iter().map(requirement)),
                StepKind::Fetch { tool: "pip", url, .. } => lines.push(requirement(url)),
                StepKind::SystemPackages { .. } | StepKind::Fetch { .. } | StepKind::Command { .. } => {}
            }
        }
    }
    lines
}

/// `build.system_packages`, then the packages `apt-get install` in run commands adds.
fn system_package_requests<'a>(build: &config::Build, items: impl Iterator<Item = &'a run::RunItem>) -> Vec<system_packages::Request> {
    let request = |text: &String, pos: Pos, key: String| system_packages::Request { text: text.clone(), pos, key };
    let mut requests: Vec<_> =
        build.system_packages.iter().enumerate().map(|(i, p)| request(&p.value, p.pos, format!("build.system_packages[{i}]"))).collect();
    for item in items {
        for step in &item.steps {
            if let StepKind::SystemPackages { packages, .. } = &step.kind {
                requests.extend(packages.iter().map(|p| request(p, item.pos, item.key.clone())));
            }
        }
    }
    requests
}

/// `weights`, with a single `source` mapping written as a list of one.
fn weights(cfg: &CogYaml) -> Vec<output::Weight> {
    cfg.weights
        .iter()
        .map(|w| output::Weight {
            name: w.name.value.clone(),
            target: w.target.value.clone(),
            source: w
                .source
                .iter()
                .flat_map(|s| &s.value)
                .map(|s| output::WeightSource {
                    uri: s.uri.as_ref().map(|u| u.value.clone()).unwrap_or_default(),
                    include: s.include.iter().map(|p| p.value.trim().to_owned()).collect(),
                    exclude: s.exclude.iter().map(|p| p.value.trim().to_owned()).collect(),
                })
                .collect(),
        })
        .collect()
}

/// A string field's value, `None` when absent or empty.
fn text(field: &Text) -> Option<String> {
    config::non_empty(field).map(|s| s.value.clone())
}
