//! cog's managed weights for cognix: weights.lock read and written byte for byte as cog does,
//! checked against itself and cog.yaml, imported from local directories, Hugging Face and URLs,
//! packed into layers by cog's rules, and described as cog's OCI objects.
//!
//! Data flows: cog.yaml (`spec`) → sources (`uri`, `source::*`, `filter`) → the local store
//! (`store`) → layers (`pack`, `tar`, `layer`) → weights.lock (`lock`, `encode`, `envelope`) and
//! the OCI objects (`oci`); `check` recomputes what a lock records.

pub mod check;
pub mod cli;
pub mod digest;
pub mod drift;
pub mod encode;
pub mod envelope;
pub mod fetch;
pub mod filter;
pub mod http;
pub mod import;
pub mod inspect;
pub mod json;
pub mod layer;
pub mod lock;
pub mod oci;
pub mod pack;
pub mod parallel;
pub mod problem;
pub mod push;
pub mod source;
pub mod spec;
pub mod store;
pub mod tar;
pub mod uri;
