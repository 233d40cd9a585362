//! `cognix weights …`: the subcommands, their arguments (clap) and what they print. The `cognix`
//! command mounts `Command` under `weights` and prints a `CliError` as its other errors (exit 1;
//! usage errors are clap's, exit 2).

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use cognix_io::progress::Stderr;
use cognix_io::size;

use crate::http::Client;
use crate::import::{self, ImportError, Options};
use crate::inspect::{self, InspectError};
use crate::source::Remote;
use crate::spec::Project;
use crate::store::Store;

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Import cog.yaml's weights: list their sources' files (network for hf:// and https://),
    /// copy them into cog's weight store, pack them by cog's rules and write weights.lock.
    Import(ImportArgs),
    /// Show what weights.lock pins per weight (files, size, set digest, manifest digest, tag) and
    /// check it against itself and cog.yaml; exit 1 on any problem.
    Inspect(InspectArgs),
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The project: a directory with cog.yaml, or a cog.yaml file.
    #[arg(default_value = ".")]
    pub project: PathBuf,
    /// Import only this weight (repeatable); the others keep their entries.
    #[arg(long = "weight", value_name = "NAME")]
    pub weights: Vec<String>,
    /// Pack every layer again, also where weights.lock's layers could be kept (e.g. layers another
    /// tool packed, whose gzip bytes cognix cannot reproduce).
    #[arg(long)]
    pub repack: bool,
}

#[derive(Debug, Args)]
pub struct InspectArgs {
    /// The project: a directory with cog.yaml, or a cog.yaml file.
    #[arg(default_value = ".")]
    pub project: PathBuf,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Why a subcommand failed; the message says what to do.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("{}", .0.join("\n"))]
    Project(Vec<String>),
    #[error("no place for the weight store: set COG_CACHE_DIR (or HOME)")]
    NoStore,
    #[error(transparent)]
    Import(#[from] ImportError),
    #[error(transparent)]
    Inspect(#[from] InspectError),
    #[error("weights.lock does not hold up:\n{}", .0.join("\n"))]
    Problems(Vec<String>),
}

pub fn run(command: &Command) -> Result<(), CliError> {
    match command {
        Command::Import(args) => import(args),
        Command::Inspect(args) => inspect(args),
    }
}

/// The import command to suggest for `project`, as the user would type it.
pub fn import_command(project: &Path) -> String {
    if project == Path::new(".") {
        "cognix weights import".to_owned()
    } else {
        format!("cognix weights import {}", project.display())
    }
}

/// cog's weight store.
pub fn store() -> Result<Store, CliError> {
    Store::default_root().map(Store::new).ok_or(CliError::NoStore)
}

fn import(args: &ImportArgs) -> Result<(), CliError> {
    let project = Project::read(&args.project).map_err(CliError::Project)?;
    let store = store()?;
    let remote = Remote::from_env(Client::default());
    let options = Options { store: &store, remote: &remote, repack: args.repack, names: args.weights.clone(), now: import::now() };
    let imported = import::run(&project, &options, &mut Stderr::default())?;
    for w in &imported {
        let how = if !w.changed {
            "unchanged"
        } else if w.kept_layers {
            "layers kept"
        } else {
            "packed"
        };
        eprintln!("{} → {}: {} files, {}, {} layers ({how})", w.name, w.target, w.files, size::binary(w.size), w.layers);
    }
    let changed = imported.iter().any(|w| w.changed);
    eprintln!("{} {}", project.lock_display(), if changed { "written" } else { "is up to date" });
    Ok(())
}

fn inspect(args: &InspectArgs) -> Result<(), CliError> {
    let project = Project::read(&args.project).map_err(CliError::Project)?;
    let Some(report) = inspect::inspect(&project, &import_command(&args.project))? else {
        println!("{} declares no weights", project.config_display());
        return Ok(());
    };
    let text = if args.json { serde_json::to_string_pretty(&report).expect("plain data serializes") + "\n" } else { report.text() };
    // A closed stdout (`| head`) is not a problem of the lock.
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
    if report.problems.is_empty() {
        Ok(())
    } else {
        Err(CliError::Problems(report.problems))
    }
}
