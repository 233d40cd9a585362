//! Every message cognix-gen prints about a cog project, and the contract of the pipeline's steps.
//! A diagnostic is a kind from the table in `codes.rs` (code, severity, message, docs), a file, a
//! position and the cog.yaml key it concerns. Steps report into a `Sink` and return
//! `Result<T, Reported>`. `render` is the one line format of every message cognix-gen prints
//! about a file: diagnostics, lint findings and the CLI's own. In: kinds and places; out: lines
//! and JSON.

use std::fmt;

use serde::Serialize;

mod codes;

pub use codes::{docs_tables, go_quote, Kind, Row, TABLE};

/// How bad a diagnostic is. Errors stop generation; warnings are printed and recorded in the
/// `warnings` list of `resolve --json`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        })
    }
}

/// A 1-based line and column (columns count characters, not bytes).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Pos {
    pub line: usize,
    pub column: usize,
}

impl Pos {
    pub const START: Pos = Pos { line: 1, column: 1 };
    /// No place in the file: a message about the file (or path) as a whole.
    pub const NONE: Pos = Pos { line: 0, column: 0 };

    pub fn new(line: usize, column: usize) -> Pos {
        Pos { line, column }
    }
}

/// The `Err` of a step that has reported why it failed: the caller stops, and the sink says why.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reported;

/// What every step of the pipeline reports into: the diagnostics so far, and the name of the
/// config file most of them are about. A step takes its input and `&mut Sink` and returns
/// `Result<T, Reported>`: `Err` when it has reported an error (after reporting every problem it
/// could find), `Ok` otherwise; warnings never stop a step. The few steps that can only warn
/// (`run::classify`, `lock::warn_unpinned`) return their value.
#[derive(Debug)]
pub struct Sink {
    file: String,
    diagnostics: Vec<Diagnostic>,
}

impl Sink {
    /// A sink for the project whose config file is `file` (`cog.yaml`, relative to the project).
    pub fn new(file: impl Into<String>) -> Sink {
        Sink { file: file.into(), diagnostics: Vec::new() }
    }

    /// The config file's name.
    pub fn file(&self) -> &str {
        &self.file
    }

    /// Reports a diagnostic about the config file, at `pos`, concerning the cog.yaml `key`.
    pub fn report(&mut self, kind: Kind, pos: Pos, key: &str) {
        let file = self.file.clone();
        self.report_in(&file, kind, pos, key);
    }

    /// Reports a diagnostic about another project file (a requirements file).
    pub fn report_in(&mut self, file: &str, kind: Kind, pos: Pos, key: &str) {
        self.diagnostics.push(Diagnostic::new(kind, file, pos, key));
    }

    /// Reports an error that ends the step: `return Err(sink.fail(kind, pos, key))`.
    pub fn fail(&mut self, kind: Kind, pos: Pos, key: &str) -> Reported {
        let file = self.file.clone();
        self.fail_in(&file, kind, pos, key)
    }

    /// `fail` for another project file.
    pub fn fail_in(&mut self, file: &str, kind: Kind, pos: Pos, key: &str) -> Reported {
        debug_assert_eq!(kind.severity(), Severity::Error, "a warning cannot end a step");
        self.report_in(file, kind, pos, key);
        Reported
    }

    /// `Ok(value)` unless an error has been reported: the end of a step that reports every
    /// problem it finds before it stops. The pipeline runs a step only when the steps before it
    /// reported no error, so the errors are the step's own.
    pub fn result<T>(&self, value: T) -> Result<T, Reported> {
        if self.diagnostics.iter().any(|d| d.severity() == Severity::Error) {
            Err(Reported)
        } else {
            Ok(value)
        }
    }

    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }

    pub fn into_diagnostics(self) -> Vec<Diagnostic> {
        self.diagnostics
    }
}

/// `file:line:column: severity[CODE]: message`, or `file: severity[CODE]: message` for the file
/// as a whole (`Pos::NONE`): the form compilers and editors recognise.
pub fn render(file: &str, pos: Pos, severity: Severity, code: &str, message: &str) -> String {
    if pos == Pos::NONE {
        format!("{file}: {severity}[{code}]: {message}")
    } else {
        format!("{file}:{}:{}: {severity}[{code}]: {message}", pos.line, pos.column)
    }
}

/// One message about one place in a project file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub kind: Kind,
    /// The file, relative to the project directory (`cog.yaml`, `requirements.txt`).
    pub file: String,
    pub pos: Pos,
    /// The cog.yaml key the diagnostic is about, as a path: `build.run[2]`.
    pub key: String,
}

impl Diagnostic {
    pub fn new(kind: Kind, file: impl Into<String>, pos: Pos, key: impl Into<String>) -> Diagnostic {
        Diagnostic { kind, file: file.into(), pos, key: key.into() }
    }

    pub fn severity(&self) -> Severity {
        self.kind.severity()
    }

    pub fn message(&self) -> String {
        self.kind.message(&self.key)
    }

    /// The diagnostic as the CLI prints it (see `render`), with `prefix` (the project directory as
    /// the user wrote it) before the file name.
    pub fn render(&self, prefix: &str) -> String {
        render(&format!("{prefix}{}", self.file), self.pos, self.severity(), self.kind.code(), &self.message())
    }

    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "code": self.kind.code(),
            "severity": self.severity(),
            "file": self.file,
            "line": (self.pos != Pos::NONE).then_some(self.pos.line),
            "column": (self.pos != Pos::NONE).then_some(self.pos.column),
            "key": self.key,
            "message": self.message(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn render_has_location_code_and_cog_wording() {
        let d = Diagnostic::new(Kind::PythonVersionTooOld { value: "3.8".into() }, "cog.yaml", Pos::new(3, 19), "build.python_version");
        assert_eq!(
            d.render("examples/x/"),
            "examples/x/cog.yaml:3:19: error[CG105]: invalid build.python_version \"3.8\": minimum supported Python version is 3.10"
        );
    }

    #[test]
    fn a_message_about_the_whole_file_has_no_position() {
        let d = Diagnostic::new(Kind::PathNotFound, "nowhere", Pos::NONE, "");
        assert_eq!(d.render(""), "nowhere: error[CG021]: no such file or directory");
    }

    #[test]
    fn a_step_fails_once_it_reported_an_error() {
        let mut sink = Sink::new("cog.yaml");
        sink.report(Kind::ExtraDocuments, Pos::START, "");
        assert_eq!(sink.result(1), Ok(1));
        let Reported = sink.fail_in("requirements.txt", Kind::InvalidUtf8, Pos::new(2, 3), "build.python_requirements");
        assert_eq!(sink.result(1), Err(Reported));
        let files: Vec<&str> = sink.diagnostics().iter().map(|d| d.file.as_str()).collect();
        assert_eq!(files, ["cog.yaml", "requirements.txt"]);
    }
}
