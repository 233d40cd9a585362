//! What cog.yaml says about weights, read through cognix-gen exactly as cog reads it (and checked
//! by cog's rules there: names, targets, patterns, `model`), with the position of every value, and
//! the sources normalised as weights.lock records them.

use std::path::{Path, PathBuf};

use cognix_gen::diagnostic::{Diagnostic, Pos, Severity, Sink};
use cognix_gen::{config, yaml, Mode};

use crate::lock;
use crate::problem::Problem;
use crate::uri::Uri;

/// A cog project with weights.
#[derive(Clone, Debug)]
pub struct Project {
    /// The project directory, symlinks resolved.
    pub root: PathBuf,
    /// The project directory as the user wrote it, with a trailing `/` (empty for `.`), put in
    /// front of file names in messages.
    pub display: String,
    /// `cog.yaml`, or the name the user gave.
    pub config_name: String,
    /// cog.yaml's `model`: the repository weights and image are pushed to.
    pub model: Option<String>,
    pub weights: Vec<Spec>,
}

/// One `weights:` item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Spec {
    pub name: String,
    pub target: String,
    pub sources: Vec<SourceSpec>,
    /// Where the item starts in cog.yaml.
    pub pos: Pos,
    /// Its key path, `weights[1]`.
    pub key: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceSpec {
    pub uri: Uri,
    /// Sorted and trimmed, as weights.lock records them.
    pub include: Vec<String>,
    pub exclude: Vec<String>,
    pub pos: Pos,
}

impl Project {
    /// Reads the project at `path` (a directory with cog.yaml, or a YAML file). The error is the
    /// list of messages, each with its place.
    pub fn read(path: &Path) -> Result<Project, Vec<String>> {
        let outcome = cognix_gen::resolve(path, Mode::Default);
        let prefix = outcome.project.as_ref().map_or(String::new(), |p| p.display.clone());
        let errors: Vec<String> =
            outcome.diagnostics.iter().filter(|d| d.severity() == Severity::Error).map(|d| d.render(&prefix)).collect();
        let (Some(mut project), Some(completed), true) = (outcome.project, outcome.completed, errors.is_empty()) else {
            return Err(errors);
        };
        // cognix-gen's completed configuration has no positions; the decoded document does.
        let file = project.config_name().to_owned();
        let mut sink = Sink::new(file.clone());
        let rendered = |sink: &Sink| sink.diagnostics().iter().map(|d| d.render(&prefix)).collect::<Vec<_>>();
        let text = project.read_config(&mut sink).map_err(|_| rendered(&sink))?;
        let document = yaml::parse(&text, yaml::Limits::default())
            .map_err(|e| vec![Diagnostic::new(e.kind, file.clone(), e.pos, e.key).render(&prefix)])?;
        let decoded = config::decode(document.root.as_ref(), &mut sink).map_err(|_| rendered(&sink))?;
        let mut problems = Vec::new();
        let weights = decoded.weights.iter().enumerate().map(|(i, w)| spec(i, w, &mut problems)).collect();
        if !problems.is_empty() {
            return Err(problems.iter().map(|p| p.render(&format!("{prefix}{file}"))).collect());
        }
        Ok(Project { root: project.root().to_path_buf(), display: prefix, config_name: file, model: completed.model, weights })
    }

    /// weights.lock, beside cog.yaml.
    pub fn lock_path(&self) -> PathBuf {
        self.root.join(lock::FILE_NAME)
    }

    /// weights.lock as messages name it.
    pub fn lock_display(&self) -> String {
        format!("{}{}", self.display, lock::FILE_NAME)
    }

    /// cog.yaml as messages name it.
    pub fn config_display(&self) -> String {
        format!("{}{}", self.display, self.config_name)
    }
}

fn spec(index: usize, weight: &config::Weight, problems: &mut Vec<Problem>) -> Spec {
    let key = format!("weights[{index}]");
    let written_sources = weight.source.as_ref().map_or(&[][..], |s| &s.value[..]);
    let sources = written_sources
        .iter()
        .enumerate()
        .filter_map(|(k, s)| {
            let written = s.uri.as_ref().map_or("", |u| u.value.as_str());
            let pos = s.uri.as_ref().map_or(s.pos, |u| u.pos);
            let sorted = |patterns: &[config::Spanned<String>]| {
                let mut out: Vec<String> = patterns.iter().map(|p| p.value.trim().to_owned()).collect();
                out.sort();
                out
            };
            match Uri::parse(written) {
                Ok(uri) => Some(SourceSpec { uri, include: sorted(&s.include), exclude: sorted(&s.exclude), pos }),
                Err(message) => {
                    let path = if written_sources.len() == 1 { format!("{key}.source.uri") } else { format!("{key}.source[{k}].uri") };
                    problems.push(Problem::new(pos, path, message));
                    None
                }
            }
        })
        .collect();
    Spec { name: weight.name.value.clone(), target: weight.target.value.clone(), sources, pos: weight.pos, key }
}
