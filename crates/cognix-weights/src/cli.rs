//! `cognix weights …`: the subcommands, their arguments (clap) and what they print. The `cognix`
//! command mounts `Command` under `weights`; exit codes are cognix's (0 ok, 1 failed, 2 usage —
//! clap's).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Subcommand};

use crate::http::Client;
use crate::import::{self, Options};
use crate::inspect;
use crate::progress::{self, Stderr};
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

pub fn run(command: &Command) -> ExitCode {
    let ok = match command {
        Command::Import(args) => import(args),
        Command::Inspect(args) => inspect(args),
    };
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
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

/// cog's weight store, or why there is none.
pub fn store() -> Result<Store, String> {
    Store::default_root().map(Store::new).ok_or_else(|| "cognix: no place for the weight store: set COG_CACHE_DIR (or HOME)".to_owned())
}

fn read(project: &Path) -> Option<Project> {
    Project::read(project).map_err(|messages| eprintln!("{}", messages.join("\n"))).ok()
}

fn import(args: &ImportArgs) -> bool {
    let Some(project) = read(&args.project) else { return false };
    let store = match store() {
        Ok(store) => store,
        Err(message) => {
            eprintln!("{message}");
            return false;
        }
    };
    let remote = Remote::from_env(Client::default());
    let options = Options { store: &store, remote: &remote, repack: args.repack, names: args.weights.clone(), now: import::now() };
    match import::run(&project, &options, &mut Stderr::default()) {
        Ok(imported) => {
            for w in &imported {
                let how = if !w.changed {
                    "unchanged"
                } else if w.kept_layers {
                    "layers kept"
                } else {
                    "packed"
                };
                eprintln!("{} → {}: {} files, {}, {} layers ({how})", w.name, w.target, w.files, progress::size(w.size), w.layers);
            }
            let changed = imported.iter().any(|w| w.changed);
            eprintln!("{} {}", project.lock_display(), if changed { "written" } else { "is up to date" });
            true
        }
        Err(e) => {
            eprintln!("cognix: {e}");
            false
        }
    }
}

fn inspect(args: &InspectArgs) -> bool {
    let Some(project) = read(&args.project) else { return false };
    let report = match inspect::inspect(&project, &import_command(&args.project)) {
        Ok(Some(report)) => report,
        Ok(None) => {
            println!("{} declares no weights", project.config_display());
            return true;
        }
        Err(e) => {
            eprintln!("{e}");
            return false;
        }
    };
    let text = if args.json { serde_json::to_string_pretty(&report).expect("plain data serializes") + "\n" } else { report.text() };
    // A closed stdout (`| head`) is not a problem of the lock.
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
    for problem in &report.problems {
        eprintln!("{problem}");
    }
    report.problems.is_empty()
}
