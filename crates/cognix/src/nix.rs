//! The `nix` command: build a model's image (its stream script) and run its lock refresh.
//! Nix's own progress and errors go straight to the terminal.

use std::path::PathBuf;
use std::process::{Command, Stdio};

use serde_json::Value;

#[derive(Debug, thiserror::Error)]
pub enum NixError {
    #[error("cannot run nix ({0}); install Nix (https://nixos.org/download) with flakes enabled")]
    Missing(std::io::Error),
    #[error("`{command}` failed ({status}); see nix's messages above")]
    Failed { command: String, status: String },
    #[error("`{command}` printed no store path ({problem})")]
    Output { command: String, problem: String },
}

/// The flake output of a model: `<flake>#<model>`, or the flake's default package.
pub fn installable(flake: &str, model: Option<&str>) -> String {
    match model {
        Some(model) => format!("{flake}#{model}"),
        None => flake.to_owned(),
    }
}

/// The lock refresh: `<flake>#<model>.lock` (the flake-parts module's), or `<flake>#lock`
/// (`cognix.lib.mkFlake`'s).
pub fn lock_installable(flake: &str, model: Option<&str>) -> String {
    match model {
        Some(model) => format!("{flake}#{model}.lock"),
        None => format!("{flake}#lock"),
    }
}

fn nix() -> Command {
    let mut command = Command::new("nix");
    // Nix releases before flakes were stable need both features; later ones ignore the flag.
    command.args(["--extra-experimental-features", "nix-command flakes"]);
    command
}

/// `nix build` of a model's image: the stream script's store path. `link`: leave `./result`
/// as `nix build` does.
pub fn build(flake: &str, model: Option<&str>, link: bool) -> Result<PathBuf, NixError> {
    let installable = installable(flake, model);
    let mut command = nix();
    command.args(["build", "--json"]);
    if !link {
        command.arg("--no-link");
    }
    command.arg(&installable).stdin(Stdio::null()).stderr(Stdio::inherit());
    let shown = format!("nix build {installable}");
    let output = command.output().map_err(NixError::Missing)?;
    if !output.status.success() {
        return Err(NixError::Failed { command: shown, status: output.status.to_string() });
    }
    let problem = |problem: &str| NixError::Output { command: shown.clone(), problem: problem.to_owned() };
    let built: Value = serde_json::from_slice(&output.stdout).map_err(|_| problem("its --json output is not JSON"))?;
    let out = built.pointer("/0/outputs/out").and_then(Value::as_str).ok_or_else(|| problem("no outputs.out in its --json output"))?;
    Ok(PathBuf::from(out))
}

/// `nix run` of the model's lock refresh, which rewrites lock.json.
pub fn lock(flake: &str, model: Option<&str>) -> Result<(), NixError> {
    let installable = lock_installable(flake, model);
    let status = nix().args(["run", &installable]).status().map_err(NixError::Missing)?;
    if status.success() {
        Ok(())
    } else {
        Err(NixError::Failed { command: format!("nix run {installable}"), status: status.to_string() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn installables() {
        assert_eq!(installable(".", None), ".");
        assert_eq!(installable(".", Some("whisper")), ".#whisper");
        assert_eq!(lock_installable("/p", None), "/p#lock");
        assert_eq!(lock_installable("/p", Some("whisper")), "/p#whisper.lock");
    }
}
