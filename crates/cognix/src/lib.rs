//! cognix, the command: builds a model's image with Nix, loads and runs it with Docker, and
//! pushes it to a registry uploading only the layers the registry lacks.
//!
//! One concern per module: the command line (`cli`); docker archives (`archive`) and the stream
//! scripts `nix build` leaves (`stream_script`); references (`reference`), credentials (`auth`)
//! and the distribution API (`registry`, over `http`); layer compression (`compress`, `gzip`), the
//! local digest cache (`cache`), manifests (`oci`) and the push itself (`push`); progress
//! (`progress`); and the `nix` and `docker` commands (`nix`, `docker`), with cog's HTTP API
//! for predictions (`predict`).

// The `expect`s left are on poisoned locks and on invariants their messages state; none is
// reachable from input, so functions do not each document a panic.
#![allow(clippy::missing_panics_doc)]

pub mod archive;
pub mod auth;
pub mod cache;
pub mod cli;
pub mod compress;
pub mod digest;
pub mod docker;
pub mod error;
pub mod gzip;
pub mod http;
pub mod load;
pub mod nix;
pub mod oci;
pub mod predict;
pub mod progress;
pub mod push;
pub mod reference;
pub mod registry;
pub mod stream_script;
