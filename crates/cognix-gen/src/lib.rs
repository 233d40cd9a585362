//! cognix-gen turns a Cog project's cog.yaml (plus its requirements file) into `cog.nix`, a typed
//! Nix attrset the cognix modules import without import-from-derivation, and lints Nix files.
//!
//! The pipeline (`pipeline`), one module per step, each reporting into a `diagnostic::Sink`:
//! read the files (`project`) → YAML with positions (`yaml`) → cog.yaml's fields (`config`) →
//! cog's validation (`validate`) → CUDA/cuDNN (`cuda`) → requirements (`python`, `torch_index`)
//! → run commands (`run`, `shell`, `lock`) → apt packages (`system_packages`) → the completed
//! configuration (`output`) → Nix text (`nix`, checked by `lint`) → the file on disk
//! (`generate`). docs/architecture.md has the checklist for adding a key, a diagnostic or a lint.

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
pub mod pipeline;
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

pub use compat::Mode;
pub use pipeline::{resolve, Outcome};
