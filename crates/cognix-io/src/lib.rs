//! The byte plumbing the `cognix` command and `cognix-weights` share, kept once so a blob's
//! digest, a retried request and a progress line mean the same in both.
//!
//! Bytes flow through it: read and written through `digest`'s hashing adapters (or `copy`'s
//! chunked loop) to get a `sha256:` digest and a size; sent and fetched over `http` (one agent
//! configuration, retries with back-off, error excerpts) at addresses `url` escapes; watched by
//! `progress` (a bar on a terminal, a plain log otherwise) with sizes as `size` writes them.

pub mod copy;
pub mod digest;
pub mod http;
pub mod progress;
pub mod size;
pub mod url;
