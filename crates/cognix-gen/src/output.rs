//! The completed configuration: what `resolve --json` prints and what cog.nix holds, with
//! cog.yaml's key names. The field order here is the key order of the output. Types only:
//! `pipeline` fills them, `generate` and `resolve --json` serialise them.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::python::Index;
use crate::run::RunItem;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Completed {
    pub build: Build,
    pub image: Option<String>,
    pub model: Option<String>,
    /// The predictor reference, written as `run:` or `predict:` (cog stores both as `predict`).
    pub predict: Option<String>,
    pub train: Option<String>,
    pub concurrency: Option<Concurrency>,
    pub environment: BTreeMap<String, String>,
    pub weights: Vec<Weight>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Build {
    pub gpu: bool,
    /// `major.minor`; `None` when cog.yaml has no build section.
    pub python_version: Option<String>,
    /// As written in cog.yaml.
    pub python_requirements: Option<String>,
    /// Final requirement lines, without pip options.
    pub python_packages: Vec<String>,
    pub python_index: Index,
    /// pip options that change resolution (`--pre`).
    pub pip_flags: Vec<String>,
    /// apt names, cleaned of apt options and versions, from `build.system_packages` and the run
    /// commands' `apt-get install`; modules/system-packages.nix maps them to nixpkgs packages.
    pub system_packages: Vec<String>,
    pub run: Vec<RunItem>,
    pub pre_install: Vec<RunItem>,
    pub cuda: Option<String>,
    pub cudnn: Option<String>,
    pub sdk_version: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Concurrency {
    pub max: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Weight {
    pub name: String,
    pub target: String,
    /// Always a list here (cog.yaml may write a single mapping).
    pub source: Vec<WeightSource>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct WeightSource {
    pub uri: String,
    pub include: Vec<String>,
    pub exclude: Vec<String>,
}
