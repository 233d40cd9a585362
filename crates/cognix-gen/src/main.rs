//! The command line: parse arguments, call the library, print, and map the result to an exit
//! code (0 success, 1 invalid input or stale output, 2 usage errors from clap). In: arguments;
//! out: JSON and lint findings on stdout, diagnostics on stderr, files, the exit code.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use cognix_gen::diagnostic::Severity;
use cognix_gen::generate::{self, Freshness};
use cognix_gen::lint::{self, Scope};
use cognix_gen::{resolve, Mode, Outcome};

#[derive(Parser)]
#[command(name = "cognix-gen", version, about = "Turn a Cog project's cog.yaml into cog.nix for the cognix Nix library")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Write cog.nix beside each project's cog.yaml (or check that it is up to date).
    Generate {
        /// Write nothing; exit 1 when cog.nix is missing or stale.
        #[arg(long)]
        check: bool,
        /// Reproduce cog's decisions exactly, errors included.
        #[arg(long)]
        strict: bool,
        /// Project directories holding cog.yaml, or YAML files of any name.
        #[arg(default_value = ".")]
        paths: Vec<PathBuf>,
    },
    /// Print the completed configuration as JSON.
    Resolve {
        /// JSON, the only format (accepted for scripts that pass it).
        #[arg(long)]
        json: bool,
        /// Reproduce cog's decisions exactly, errors included.
        #[arg(long)]
        strict: bool,
        /// A project directory holding cog.yaml, or a YAML file of any name.
        #[arg(default_value = ".")]
        path: PathBuf,
    },
    /// Report syntax errors and lint findings in Nix files.
    Lint {
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
}

fn mode(strict: bool) -> Mode {
    if strict {
        Mode::Strict
    } else {
        Mode::Default
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let ok = match cli.command {
        // Every path is processed, also after a failure, so one run reports all of them.
        Command::Generate { check, strict, paths } => paths.iter().filter(|p| !generate_one(p, check, mode(strict))).count() == 0,
        Command::Resolve { json: _, strict, path } => resolve_json(&path, mode(strict)),
        Command::Lint { files } => files.iter().filter(|f| !lint_file(f)).count() == 0,
    };
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// Prints the diagnostics of an outcome to stderr.
fn report(outcome: &Outcome) {
    let prefix = outcome.project.as_ref().map_or("", |p| p.display.as_str());
    let mut err = io::stderr().lock();
    for d in &outcome.diagnostics {
        // stderr closed: nothing more can be reported.
        let _ = writeln!(err, "{}", d.render(prefix));
    }
}

fn resolve_json(path: &Path, mode: Mode) -> bool {
    let outcome = resolve(path, mode);
    report(&outcome);
    let Some(json) = outcome.json() else { return false };
    let text = serde_json::to_string_pretty(&json).unwrap_or_default();
    // A closed stdout (`| head`) is not an error of the input.
    let _ = writeln!(io::stdout().lock(), "{text}");
    true
}

fn generate_one(path: &Path, check: bool, mode: Mode) -> bool {
    let outcome = resolve(path, mode);
    report(&outcome);
    let (Some(project), Some(completed)) = (&outcome.project, &outcome.completed) else { return false };
    let text = match generate::render(completed, &project.inputs) {
        Ok(text) => text,
        Err(e) => {
            eprintln!("{}cog.nix: error: {e}", project.display);
            return false;
        }
    };
    let target = project.output_path();
    let display = format!("{}cog.nix", project.display);
    if check {
        return match generate::check(&target, &text, &display) {
            Freshness::Fresh => true,
            Freshness::Missing => {
                eprintln!("{display} is missing; run `cognix-gen generate {}`", path.display());
                false
            }
            Freshness::Stale(diff) => {
                eprintln!("{display} is stale; run `cognix-gen generate {}`\n{diff}", path.display());
                false
            }
        };
    }
    // An unchanged file is left alone, mtime included (build tools and editors watch it).
    if generate::check(&target, &text, &display) == Freshness::Fresh {
        return true;
    }
    match generate::write(&target, &text) {
        Ok(()) => true,
        Err(e) => {
            eprintln!("error: {e}");
            false
        }
    }
}

fn lint_file(path: &Path) -> bool {
    let display = path.display().to_string();
    let source = match std::fs::read(path).map(String::from_utf8) {
        Ok(Ok(s)) => s,
        Ok(Err(e)) => {
            let valid = std::str::from_utf8(&e.as_bytes()[..e.utf8_error().valid_up_to()]).unwrap_or_default();
            eprintln!("{}", lint::Finding::not_utf8(valid).render(&display, valid));
            return false;
        }
        Err(e) => {
            eprintln!("{display}: error: cannot read file: {e}");
            return false;
        }
    };
    let findings = lint::check(&source, Scope::Any);
    let mut out = io::stdout().lock();
    for f in &findings {
        let _ = writeln!(out, "{}", f.render(&display, &source));
    }
    !findings.iter().any(|f| f.severity == Severity::Error)
}
