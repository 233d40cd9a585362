//! The command line: build, load, predict, serve, lock, push and login, each a small sequence
//! of the library's steps. Results go to standard output, progress and messages to standard
//! error.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, CommandFactory, Parser, Subcommand};
use cognix_io::progress::Mode;
use cognix_io::size::megabytes;

use crate::auth::{self, replicate, Given};
use crate::cache::Cache;
use crate::compress::{Compression, DEFAULT_GZIP_LEVEL};
use crate::docker::{self, Container, Publish};
use crate::error::Error;
use crate::load::{self, LoadError, Loaded};
use crate::nix;
use crate::predict::{self, Api};
use crate::push::{self, Source};
use crate::reference::Reference;
use crate::registry::{self, Registry};
use crate::stream_script::StreamScript;

/// cog's HTTP port inside the image.
const COG_PORT: u16 = 5000;

#[derive(Parser)]
#[command(name = "cognix", version, about = "Build, run and push cognix model images", long_about = None)]
struct Cli {
    /// The flake that defines the model (a path or flake reference).
    #[arg(long, global = true, default_value = ".", value_name = "FLAKE")]
    flake: String,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build the model's image with Nix (`nix build`) and print the reference it loads as.
    Build(Model),
    /// Build the image and load it into Docker, unless Docker has that exact image already.
    Load(Model),
    /// Load the image, start it, run one prediction and print its output or write its files.
    Predict(PredictArgs),
    /// Load the image and serve cog's HTTP API on a local port.
    Serve(ServeArgs),
    /// Refresh the model's lock.json (`nix run …lock`; needs network).
    Lock(Model),
    /// Push the image to a registry, uploading only the layers it lacks.
    #[command(override_usage = "cognix push [OPTIONS] [MODEL] REF\n       cognix push [OPTIONS] --image SOURCE REF")]
    Push(PushArgs),
    /// Store credentials for a registry where docker keeps them (r8.im takes a CLI token).
    Login(LoginArgs),
    /// cog's managed weights (cog.yaml `weights:`): import them into weights.lock, inspect it.
    #[command(subcommand)]
    Weights(cognix_weights::cli::Command),
}

#[derive(Args)]
struct Model {
    /// The flake's package for the model (`.#MODEL`); the default package when left out.
    model: Option<String>,
}

#[derive(Args)]
struct GpuArgs {
    /// Docker's --gpus value; GPU models (`build.gpu` in cog.yaml) get `all` unless told.
    #[arg(long, value_name = "GPUS")]
    gpus: Option<String>,
}

#[derive(Args)]
struct PredictArgs {
    #[command(flatten)]
    model: Model,
    /// An input, `name=value`; `name=@path` sends a file. Repeat a name for a list.
    #[arg(short = 'i', long = "input", value_name = "NAME=VALUE")]
    inputs: Vec<String>,
    /// Where to write the output (files get their extension from the output's type).
    #[arg(short = 'o', long = "output", value_name = "PATH")]
    output: Option<PathBuf>,
    /// Seconds to wait for the model's `setup()`.
    #[arg(long, default_value_t = 300, value_name = "SECONDS")]
    setup_timeout: u64,
    #[command(flatten)]
    gpu: GpuArgs,
}

#[derive(Args)]
struct ServeArgs {
    #[command(flatten)]
    model: Model,
    /// The port to publish cog's API on.
    #[arg(short = 'p', long, default_value_t = 8393)]
    port: u16,
    /// The address to publish on (0.0.0.0 lets other machines in).
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    #[command(flatten)]
    gpu: GpuArgs,
}

#[derive(Args)]
struct PushArgs {
    /// The model to build (left out: the flake's default package), then where to push:
    /// `host[:port]/repository[:tag]`, e.g. `r8.im/acme/whisper`.
    #[arg(value_name = "MODEL REF", num_args = 1..=2, required = true)]
    targets: Vec<String>,
    /// Push this instead of building: a stream script (`./result`), a docker-archive tar, or
    /// `-` for standard input.
    #[arg(long, value_name = "SOURCE")]
    image: Option<String>,
    /// Upload layers uncompressed: the fastest re-push, larger uploads.
    #[arg(long)]
    no_compress: bool,
    /// gzip level, 1 (fastest) to 9 (smallest).
    #[arg(long, default_value_t = DEFAULT_GZIP_LEVEL, value_parser = clap::value_parser!(u32).range(1..=9), value_name = "LEVEL")]
    compression_level: u32,
    /// Layers read, compressed and uploaded at once.
    #[arg(short = 'j', long, default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=64), value_name = "N")]
    jobs: u16,
    /// Upload chunk size in MiB (the registry's OCI-Chunk-Min/Max-Length win).
    #[arg(long, default_value_t = registry::DEFAULT_CHUNK_SIZE >> 20, value_parser = clap::value_parser!(u64).range(1..=4096), value_name = "MIB")]
    chunk_size: u64,
    /// Talk plain HTTP to a registry not on this machine (localhost always gets HTTP).
    #[arg(long)]
    plain_http: bool,
    #[command(flatten)]
    credentials: CredentialArgs,
    /// Progress display.
    #[arg(long, value_enum, default_value_t = Mode::Auto)]
    progress: Mode,
    /// The cog project whose managed weights (cog.yaml `weights:`, weights.lock) go with the
    /// image; the flake's directory when left out.
    #[arg(long, value_name = "DIR")]
    project: Option<PathBuf>,
}

#[derive(Args)]
struct CredentialArgs {
    /// The registry user (with --password-stdin).
    #[arg(long, value_name = "USER")]
    username: Option<String>,
    /// Read the password or token from standard input (r8.im: a CLI token, no --username).
    #[arg(long)]
    password_stdin: bool,
}

#[derive(Args)]
struct LoginArgs {
    /// The registry; `r8.im` (or `COG_REGISTRY_HOST`) when left out.
    registry: Option<String>,
    #[command(flatten)]
    credentials: CredentialArgs,
    /// Talk plain HTTP to a registry not on this machine.
    #[arg(long)]
    plain_http: bool,
}

pub fn run() -> Result<(), Error> {
    let cli = Cli::parse();
    let flake = cli.flake.as_str();
    match cli.command {
        Command::Build(model) => build(flake, model.model.as_deref()),
        Command::Load(model) => {
            let loaded = load_model(flake, model.model.as_deref())?;
            println!("{}", loaded.reference);
            Ok(())
        }
        Command::Predict(args) => predict(flake, &args),
        Command::Serve(args) => serve(flake, &args),
        Command::Lock(model) => Ok(nix::lock(flake, model.model.as_deref())?),
        Command::Push(args) => push(flake, args),
        Command::Login(args) => login(args),
        Command::Weights(command) => Ok(cognix_weights::cli::run(&command)?),
    }
}

fn build(flake: &str, model: Option<&str>) -> Result<(), Error> {
    let out = nix::build(flake, model, true)?;
    let script = stream_script(&out)?;
    let reference = script.repo_tag().ok_or_else(|| LoadError::NoTag(out.display().to_string()))?;
    eprintln!("built {}", out.display());
    println!("{reference}");
    Ok(())
}

fn stream_script(out: &std::path::Path) -> Result<StreamScript, Error> {
    StreamScript::open(out)?.ok_or_else(|| Error::NotAnImage(out.to_owned()))
}

fn load_model(flake: &str, model: Option<&str>) -> Result<Loaded, Error> {
    let script = stream_script(&nix::build(flake, model, false)?)?;
    let loaded = load::load(&script, &Cache::from_env())?;
    if !loaded.loaded {
        eprintln!("docker has {} already", loaded.reference);
    }
    Ok(loaded)
}

/// `--gpus` as given, else `all` for a GPU model (`build.gpu` in the image's `run.cog.config`).
fn gpus(reference: &str, given: Option<&String>) -> Result<Option<String>, Error> {
    if given.is_some() {
        return Ok(given.cloned());
    }
    let record = docker::inspect_image(reference)?.unwrap_or_default();
    let config = record.pointer("/Config/Labels/run.cog.config").and_then(serde_json::Value::as_str).unwrap_or("{}");
    let gpu =
        serde_json::from_str::<serde_json::Value>(config).ok().and_then(|c| c.pointer("/build/gpu").and_then(serde_json::Value::as_bool));
    Ok(gpu.unwrap_or(false).then(|| "all".to_owned()))
}

fn predict(flake: &str, args: &PredictArgs) -> Result<(), Error> {
    let inputs = predict::parse_inputs(&args.inputs)?;
    let loaded = load_model(flake, args.model.model.as_deref())?;
    let gpus = gpus(&loaded.reference, args.gpu.gpus.as_ref())?;
    eprintln!("starting {} and running setup()", loaded.reference);
    let mut container = Container::run(&loaded.reference, COG_PORT, &Publish::AnyLocal, gpus.as_deref())?;
    let port = container.host_port(COG_PORT, Duration::from_secs(60))?;
    let api = Api::new(port);
    api.wait_ready(Duration::from_secs(args.setup_timeout), &mut || container.exited().is_some())?;
    let schema = api.schema()?;
    let input = predict::build_input(&inputs, &schema)?;
    eprintln!("running the prediction");
    let response = api.predict(&input)?;
    let presented = predict::present(&response, &schema, args.output.as_deref(), &mut std::io::stdout().lock());
    container.stop()?;
    presented?;
    Ok(())
}

fn serve(flake: &str, args: &ServeArgs) -> Result<(), Error> {
    let loaded = load_model(flake, args.model.model.as_deref())?;
    let gpus = gpus(&loaded.reference, args.gpu.gpus.as_ref())?;
    eprintln!("serving {} at http://{}:{} (Ctrl-C stops it)", loaded.reference, args.host, args.port);
    let container =
        Container::run(&loaded.reference, COG_PORT, &Publish::At { host: args.host.clone(), port: args.port }, gpus.as_deref())?;
    let status = container.wait()?;
    if status.success() {
        Ok(())
    } else {
        Err(Error::Container(status.to_string()))
    }
}

fn push(flake: &str, args: PushArgs) -> Result<(), Error> {
    let (model, reference) = match (args.image.as_deref(), args.targets.as_slice()) {
        (_, [reference]) => (None, reference),
        (None, [model, reference]) => (Some(model.as_str()), reference),
        (Some(_), [_, _]) => usage_error("give either MODEL or --image SOURCE, not both"),
        _ => unreachable!("clap takes one or two"),
    };
    let target = Reference::parse(reference)?;
    let given = Given { username: args.credentials.username, password_stdin: args.credentials.password_stdin };
    if args.image.as_deref() == Some("-") && given.password_stdin {
        usage_error("--image - and --password-stdin both read standard input");
    }
    // A given image is checked first; then the registry is asked, before a long build, so a
    // wrong address or a missing login shows at once.
    let given_source = args.image.as_deref().map(Source::open).transpose()?;
    // weights.lock is checked before anything is built or sent.
    let weights = push::weights::prepare(&push::weights::project_dir(args.project.as_deref(), flake), usize::from(args.jobs))?;
    let credentials = auth::credentials_for(&target.registry, &given)?;
    let options = registry::Options { plain_http: args.plain_http, chunk_size: args.chunk_size << 20 };
    let registry = Registry::connect(&target, credentials, options)?;
    let source = match given_source {
        Some(source) => source,
        None => Source::Script(stream_script(&nix::build(flake, model, false)?)?),
    };
    let compression = if args.no_compress { Compression::None } else { Compression::Gzip { level: args.compression_level } };
    let options = push::Options { compression, jobs: usize::from(args.jobs), progress: args.progress };
    let Some(weights) = weights else {
        let summary = push::push(source, &target, &registry, &Cache::from_env(), &options)?;
        println!("{summary}");
        return Ok(());
    };
    // With managed weights, as `cog push`: the weights, the image beside them, the index at REF.
    for pushed in weights.push(&registry, &target.repository, args.progress)? {
        let what = if pushed.manifest_present {
            "already present".to_owned()
        } else {
            format!("{} blobs uploaded ({}), {} already present", pushed.uploaded, megabytes(pushed.uploaded_bytes), pushed.present)
        };
        println!("pushed weight {}:{}@{}: {what}", target.repository, pushed.tag, pushed.digest);
    }
    let image_target = Reference { tag: push::weights::image_tag(&target.tag), ..target.clone() };
    let summary = push::push(source, &image_target, &registry, &Cache::from_env(), &options)?;
    println!("{summary}");
    let image = registry
        .manifest_descriptor(&target.repository, summary.digest.as_str())?
        .ok_or_else(|| push::weights::WeightsError::ImageMissing(summary.digest.to_string()))?;
    let index = weights.index(&registry, &target, &image)?;
    println!("pushed {target}@{index}: an OCI index of the image and {} weights", weights.count());
    Ok(())
}

/// A usage error in `cognix push`, reported as clap reports its own (exit 2).
fn usage_error(message: &str) -> ! {
    let mut command = Cli::command();
    command.build();
    let push = command.find_subcommand_mut("push").expect("push is a subcommand");
    push.error(clap::error::ErrorKind::ArgumentConflict, message).exit()
}

fn login(args: LoginArgs) -> Result<(), Error> {
    let registry = args.registry.unwrap_or_else(|| std::env::var("COG_REGISTRY_HOST").unwrap_or_else(|_| replicate::REGISTRY.to_owned()));
    let credentials = if replicate::is_replicate(&registry) && args.credentials.username.is_none() {
        let token = login_secret(&args.credentials, &format!("CLI token for {registry} (from https://replicate.com/auth/token): "))?;
        replicate::credentials(&registry, token)?
    } else {
        let username = args.credentials.username.clone().ok_or(Error::LoginUser)?;
        let secret = login_secret(&args.credentials, &format!("password for {username} at {registry}: "))?;
        let credentials = auth::Credentials { username, secret };
        // As docker login does: the registry must take them before they are stored.
        let options = registry::Options { plain_http: args.plain_http, ..registry::Options::default() };
        Registry::new(&registry, Some(credentials.clone()), options).ping("")?;
        credentials
    };
    let stored = auth::store(&registry, &credentials)?;
    eprintln!("logged in to {registry} as {}; credentials stored in {stored}", credentials.username);
    Ok(())
}

/// The password or token: from standard input with `--password-stdin`, else asked for on the
/// terminal (without echo) or read from a pipe.
fn login_secret(given: &CredentialArgs, prompt: &str) -> Result<auth::Secret, Error> {
    Ok(if given.password_stdin { auth::read_secret_line(&mut std::io::stdin().lock())? } else { auth::prompt_secret(prompt)? })
}
