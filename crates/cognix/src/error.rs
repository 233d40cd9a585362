//! The command's errors: each module's, and the few the command line adds. Every one is a
//! failure (exit 1); usage errors are clap's (exit 2). Warnings (`warn`) go to standard error
//! and change nothing.

use std::path::PathBuf;

use crate::archive::ArchiveError;
use crate::auth::AuthError;
use crate::docker::DockerError;
use crate::load::LoadError;
use crate::nix::NixError;
use crate::predict::PredictError;
use crate::push::weights::WeightsError;
use crate::push::PushError;
use crate::reference::ReferenceError;
use crate::registry::RegistryError;
use crate::stream_script::StreamScriptError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Reference(#[from] ReferenceError),
    #[error(transparent)]
    Auth(#[from] AuthError),
    #[error(transparent)]
    Registry(#[from] RegistryError),
    #[error(transparent)]
    Push(#[from] PushError),
    #[error(transparent)]
    Script(#[from] StreamScriptError),
    #[error(transparent)]
    Archive(#[from] ArchiveError),
    #[error(transparent)]
    Nix(#[from] NixError),
    #[error(transparent)]
    Docker(#[from] DockerError),
    #[error(transparent)]
    Load(#[from] LoadError),
    #[error(transparent)]
    Predict(#[from] PredictError),
    #[error(transparent)]
    Weights(#[from] WeightsError),
    #[error(transparent)]
    WeightsCommand(#[from] cognix_weights::cli::CliError),
    #[error("{} is not a cognix image (not a stream script); build the model's image, not another package", .0.display())]
    NotAnImage(PathBuf),
    #[error("the container exited with {0}; its output is above")]
    Container(String),
    #[error("login to a registry other than Replicate's needs --username")]
    LoginUser,
}

/// A warning on standard error: something went wrong that the command works around.
pub fn warn(message: &str) {
    eprintln!("warning: {message}");
}
