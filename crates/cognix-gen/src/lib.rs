//! cognix-gen turns a Cog project's cog.yaml (plus its requirements file) into `cog.nix`, a typed
//! Nix attrset the cognix modules import without import-from-derivation, and lints Nix files.
//!
//! The pipeline, one module per step: read the files (`project`) → YAML with positions (`yaml`)
//! → cog.yaml's fields (`config`) → cog's validation (`validate`) → CUDA/cuDNN (`cuda`) →
//! requirements (`python`, `torch_index`) → apt packages (`system_packages`) → run commands
//! (`run`, `shell`) → the completed configuration (`output`) → Nix text (`nix`, checked by `lint`)
//! → the file on disk (`generate`).

pub mod compat;
pub mod config;
pub mod cuda;
pub mod diagnostic;
pub mod environment;
pub mod generate;
pub mod lint;
pub mod lock;
pub mod nix;
pub mod output;
pub mod project;
pub mod python;
pub mod requirements;
pub mod run;
pub mod shell;
pub mod system_packages;
pub mod torch_index;
pub mod validate;
pub mod version;
pub mod yaml;

use std::path::Path;

pub use compat::Mode;
use diagnostic::{Diagnostic, Kind, Pos, Reported, Severity};
use project::Project;

/// The result of resolving a project: the completed configuration when there were no errors, and
/// every diagnostic either way.
#[derive(Debug)]
pub struct Outcome {
    /// `None` when the project could not be opened.
    pub project: Option<Project>,
    pub resolved: Option<output::Resolved>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Outcome {
    pub fn warnings(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics.iter().filter(|d| d.severity() == Severity::Warning)
    }

    /// The `resolve --json` document: the configuration plus `warnings`.
    pub fn json(&self) -> Option<serde_json::Value> {
        let mut value = serde_json::to_value(self.resolved.as_ref()?).ok()?;
        let warnings = self.warnings().map(Diagnostic::to_json).collect();
        value.as_object_mut()?.insert("warnings".to_owned(), serde_json::Value::Array(warnings));
        Some(value)
    }
}

/// Reads, validates and completes the project at `path` (a directory holding cog.yaml, or a YAML
/// file of any name).
pub fn resolve(path: &Path, mode: Mode) -> Outcome {
    let mut project = match Project::open(path) {
        Ok(p) => p,
        Err(d) => return Outcome { project: None, resolved: None, diagnostics: vec![d] },
    };
    let mut diagnostics = Vec::new();
    let resolved = complete(&mut project, mode, &mut diagnostics).ok();
    // Reading order, file by file; the sort is stable, so cog's order stays within a line.
    diagnostics.sort_by(|a, b| (&a.file, a.pos).cmp(&(&b.file, b.pos)));
    Outcome { project: Some(project), resolved, diagnostics }
}

fn has_errors(diagnostics: &[Diagnostic]) -> bool {
    diagnostics.iter().any(|d| d.severity() == Severity::Error)
}

/// Stops the pipeline when a step reported an error.
fn stop_on_errors(diagnostics: &[Diagnostic]) -> Result<(), Reported> {
    if has_errors(diagnostics) {
        Err(Reported)
    } else {
        Ok(())
    }
}

fn complete(project: &mut Project, mode: Mode, diagnostics: &mut Vec<Diagnostic>) -> Result<output::Resolved, Reported> {
    let file = project.config_name().to_owned();
    let text = project.read_config().map_err(|d| Reported::push(diagnostics, d))?;
    let document = yaml::parse(&text, yaml::Limits::default())
        .map_err(|e| Reported::push(diagnostics, Diagnostic::new(e.kind, file.clone(), e.pos, e.key)))?;
    if document.more_documents {
        diagnostics.push(Diagnostic::new(Kind::ExtraDocuments, file.clone(), Pos::START, ""));
    }
    let (cfg, decoded) = config::decode(document.root.as_ref(), &file);
    diagnostics.extend(decoded);
    stop_on_errors(diagnostics)?;

    let build = cfg.build.clone().unwrap_or_default();
    let lines = python::lines(&build, project, &file, mode, diagnostics)?;
    let misspelled = validate::misspellings(diagnostics);
    let ctx = validate::Context {
        file: &file,
        lines: lines.as_deref().unwrap_or_default(),
        requirements_found: lines.is_some(),
        mode,
        misspelled: &misspelled,
    };
    diagnostics.extend(validate::validate(&cfg, &ctx));
    stop_on_errors(diagnostics)?;
    let mut lines = lines.unwrap_or_default();

    let cuda = cuda::resolve(&build, &lines, &file, mode, diagnostics)?;
    let environment = environment::parse(&cfg.environment, &file, diagnostics).ok_or(Reported)?;

    let pre_install_items: Vec<config::RunItem> = build
        .pre_install
        .iter()
        .map(|p| config::RunItem { pos: p.pos, command: p.clone(), object: false, mounts: Vec::new(), accidental: None })
        .collect();
    let run = run::classify_all(&build.run, "build.run", &file, diagnostics);
    let pre_install = run::classify_all(&pre_install_items, "build.pre_install", &file, diagnostics);
    stop_on_errors(diagnostics)?;
    let pinned = lock::pinned(project.root());
    lock::warn_unpinned(&run, &pinned, &file, diagnostics);
    lock::warn_unpinned(&pre_install, &pinned, &file, diagnostics);

    // Packages that run commands install join the ones cog.yaml lists: (key, text, position).
    let mut packages: Vec<(String, String, Pos)> =
        build.system_packages.iter().enumerate().map(|(i, p)| (format!("build.system_packages[{i}]"), p.value.clone(), p.pos)).collect();
    for (key, pos, classified) in run.iter().chain(pre_install.iter()) {
        for chained in &classified.steps {
            let requirement =
                |text: &String| requirements::Requirement { text: text.clone(), file: file.clone(), pos: *pos, key: key.clone() };
            match &chained.step {
                run::Step::SystemPackages { packages: names, .. } => {
                    packages.extend(names.iter().map(|p| (key.clone(), p.clone(), *pos)));
                }
                run::Step::PythonPackages { packages: specs, .. } => lines.extend(specs.iter().map(requirement)),
                run::Step::Fetch { tool: "pip", url, .. } => lines.push(requirement(url)),
                run::Step::Fetch { .. } | run::Step::Command { .. } => {}
            }
        }
    }
    let system_requests: Vec<system_packages::Request<'_>> =
        packages.iter().map(|(key, text, pos)| system_packages::Request { text, pos: *pos, key, file: &file }).collect();
    let system = system_packages::resolve(&system_requests, mode, diagnostics);
    let python = python::assemble(&lines, build.gpu(), cuda.cuda.as_deref().unwrap_or_default(), mode, diagnostics);
    let (Ok(system), Ok(python)) = (system, python) else { return Err(Reported) };
    stop_on_errors(diagnostics)?;

    let text_of = |t: &config::Text| config::non_empty(t).map(|s| s.value.clone());
    Ok(output::Resolved {
        build: output::Build {
            gpu: build.gpu(),
            python_version: config::non_empty(&build.python_version).map(|v| version::python_release(v.value.trim())),
            python_requirements: text_of(&build.python_requirements),
            python_packages: python.packages,
            python_index: python.index,
            pip_flags: python.pip_flags,
            system_packages: system,
            run: run.into_iter().map(|(_, _, c)| c).collect(),
            pre_install: pre_install.into_iter().map(|(_, _, c)| c).collect(),
            cuda: cuda.cuda,
            cudnn: cuda.cudnn,
            sdk_version: text_of(&build.sdk_version),
        },
        image: text_of(&cfg.image),
        model: text_of(&cfg.model),
        predict: text_of(&cfg.run).or_else(|| text_of(&cfg.predict)),
        train: text_of(&cfg.train),
        concurrency: cfg.concurrency.as_ref().and_then(|c| c.max.as_ref()).map(|m| output::Concurrency { max: m.value }),
        environment,
        weights: cfg
            .weights
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
            .collect(),
    })
}
