//! Helpers shared by the integration tests: synthetic docker archives (`image`), stream
//! scripts like `nix build`'s (`script`), a real local registry (`registry`), a
//! fault-injecting proxy and fake servers (`fake_http`), and running the binary (`run`).

#![allow(dead_code)]

pub mod fake_http;
pub mod image;
pub mod registry;
pub mod run;
pub mod script;
