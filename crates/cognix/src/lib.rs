//! cognix, the command: builds a model's image with Nix, loads and runs it with Docker, and
//! pushes it to a registry uploading only the layers the registry lacks.
//!
//! One concern per module: the command line (`cli`); docker archives (`archive`) and the stream
//! scripts `nix build` leaves (`stream_script`); references (`reference`), credentials (`auth`)
//! and the distribution API (`registry`); layer compression (`compress`, `gzip`), the local
//! digest cache (`cache`), manifests (`oci`) and the push itself (`push`, with its progress); and
//! the `nix` and `docker` commands (`nix`, `docker`), with cog's HTTP API for predictions
//! (`predict`). Digests, HTTP retries, progress and sizes are `cognix-io`'s, shared with
//! `cognix-weights`.

// The `expect`s left are on poisoned locks and on invariants their messages state; none is
// reachable from input, so functions do not each document a panic.
#![allow(clippy::missing_panics_doc)]

/// How cognix names itself to registries and Replicate's API.
pub const USER_AGENT: &str = concat!("cognix/", env!("CARGO_PKG_VERSION"));

pub mod archive;
pub mod auth;
pub mod cache;
pub mod cli;
pub mod compress;
pub mod docker;
pub mod error;
pub mod gzip;
pub mod load;
pub mod nix;
pub mod oci;
pub mod predict;
pub mod push;
pub mod reference;
pub mod registry;
pub mod stream_script;
