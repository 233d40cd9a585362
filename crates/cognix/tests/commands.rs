//! build, lock, load, predict and serve against a fake `nix` and a fake `docker` on PATH (no
//! Docker engine or Nix store here): the calls cognix makes, what it streams into `docker
//! load`, when it skips the load, and a prediction through cog's HTTP API served by the test.

mod support;

use std::fs;
use std::path::PathBuf;
use std::time::Duration;

use serde_json::{json, Value};
use support::fake_http::{FakeServer, Reply};
use support::image::{sha256, Image};
use support::run::{Env, Output};
use support::script::{executable, StreamScript};

/// The fake docker: logs each call to `calls`, keeps images as `images/<name>.json` records,
/// writes what `load` reads to `loaded.tar`, runs containers until `docker stop`.
const DOCKER: &str = r#"#!/bin/sh
dir="$FAKE_DIR"
echo "docker $*" >> "$dir/calls"
case "$1" in
  image)
    file="$dir/images/$(echo "$3" | tr '/:' '__').json"
    if [ -f "$file" ]; then cat "$file"; else echo "Error: No such image: $3" >&2; exit 1; fi;;
  load)
    cat > "$dir/loaded.tar"; echo "Loaded image: $FAKE_TAG";;
  run)
    name=$4
    if [ -n "$FAKE_RUN_EXIT" ]; then echo "container output" ; exit "$FAKE_RUN_EXIT"; fi
    echo "setup() started"
    while [ ! -f "$dir/stopped-$name" ]; do sleep 0.05; done;;
  port)
    echo "127.0.0.1:$FAKE_COG_PORT"; echo "[::1]:$FAKE_COG_PORT";;
  stop)
    touch "$dir/stopped-$4"; echo "$4";;
  *) echo "fake docker: unexpected $*" >&2; exit 2;;
esac
"#;

/// The fake nix: logs each call; `build` prints `FAKE_OUT` as the built store path.
const NIX: &str = r#"#!/bin/sh
echo "nix $*" >> "$FAKE_DIR/calls"
shift 2
case "$1" in
  build) [ -n "$FAKE_NIX_FAIL" ] && { echo "error: builder failed" >&2; exit 1; }
         echo "[{\"drvPath\":\"/nix/store/x.drv\",\"outputs\":{\"out\":\"$FAKE_OUT\"}}]";;
  run) echo "lock refreshed";;
esac
"#;

struct Fakes {
    env: Env,
    _work: tempfile::TempDir,
    dir: PathBuf,
    script: StreamScript,
    image: Image,
}

impl Fakes {
    fn new(extra: &[(&str, &str)]) -> Self {
        let work = tempfile::tempdir().unwrap();
        let bin = work.path().join("bin");
        fs::create_dir_all(bin.join("images")).unwrap();
        executable(&bin.join("docker"), DOCKER);
        executable(&bin.join("nix"), NIX);
        let image = Image::new(3, 3, 50_000);
        let script = StreamScript::new(work.path(), "model", &image, &["aaa-python", "bbb-app"]);
        let mut env = Env::new()
            .with_path(&bin)
            .set("FAKE_DIR", bin.to_str().unwrap())
            .set("FAKE_OUT", script.result.to_str().unwrap())
            .set("FAKE_TAG", &image.tag);
        for (key, value) in extra {
            env = env.set(key, value);
        }
        Self { env, _work: work, dir: bin, script, image }
    }

    fn calls(&self) -> Vec<String> {
        fs::read_to_string(self.dir.join("calls")).unwrap_or_default().lines().map(str::to_owned).collect()
    }

    /// Docker's record of the image, as `docker image inspect` prints it.
    fn docker_has(&self, id: &str, labels: &Value) {
        let record = json!([{ "Id": id, "RootFS": { "Layers": self.image.diff_ids() }, "Config": { "Labels": labels } }]);
        fs::write(self.dir.join("images").join(format!("{}.json", self.image.tag.replace([':', '/'], "_"))), record.to_string()).unwrap();
    }

    fn run(&self, args: &[&str]) -> Output {
        self.env.run_with(args, b"", Duration::from_secs(60))
    }
}

fn ok(output: &Output) -> &Output {
    assert_eq!(output.code, 0, "stdout:\n{}\nstderr:\n{}", output.stdout, output.stderr);
    output
}

#[test]
fn build_runs_nix_build_and_prints_the_image_reference() {
    let fakes = Fakes::new(&[]);
    let output = fakes.run(&["build", "whisper"]);
    assert_eq!(ok(&output).stdout, "model:synthetic\n");
    assert_eq!(fakes.calls(), ["nix --extra-experimental-features nix-command flakes build --json .#whisper"]);
    let default = fakes.run(&["--flake", "/src/models", "build"]);
    ok(&default);
    assert_eq!(fakes.calls()[1], "nix --extra-experimental-features nix-command flakes build --json /src/models");

    let failing = Fakes::new(&[("FAKE_NIX_FAIL", "1")]);
    let output = failing.run(&["build", "whisper"]);
    assert_eq!(output.code, 1);
    assert!(output.stderr.contains("error: builder failed"), "nix's own message passes through: {}", output.stderr);
    assert!(output.stderr.contains("error: `nix build .#whisper` failed (exit status: 1); see nix's messages above"), "{}", output.stderr);
}

#[test]
fn lock_runs_the_models_lock_refresh() {
    let fakes = Fakes::new(&[]);
    ok(&fakes.run(&["lock"]));
    ok(&fakes.run(&["lock", "whisper"]));
    assert_eq!(
        fakes.calls(),
        [
            "nix --extra-experimental-features nix-command flakes run .#lock",
            "nix --extra-experimental-features nix-command flakes run .#whisper.lock"
        ]
    );
}

#[test]
fn load_streams_the_image_into_docker_once() {
    let fakes = Fakes::new(&[]);
    let first = fakes.run(&["load"]);
    assert_eq!(ok(&first).stdout, "model:synthetic\n");
    assert!(first.stderr.contains("Loaded image: model:synthetic"), "{}", first.stderr);
    assert_eq!(fs::read(fakes.dir.join("loaded.tar")).unwrap(), fakes.image.archive(), "docker load got the stream byte for byte");
    assert_eq!(fakes.script.runs(), 1);

    // Docker now has it: the next load asks and skips.
    let config_digest = sha256(&fakes.image.config());
    fakes.docker_has(&config_digest, &json!({}));
    let second = fakes.run(&["load"]);
    assert!(ok(&second).stderr.contains("docker has model:synthetic already"), "{}", second.stderr);
    assert_eq!(fakes.script.runs(), 1, "nothing streamed");
    assert!(!fakes.calls().iter().skip(3).any(|c| c == "docker load"), "{:?}", fakes.calls());

    // Another image under the same tag is replaced.
    fakes.docker_has(&format!("sha256:{}", "1".repeat(64)), &json!({ "other": "labels" }));
    ok(&fakes.run(&["load"]));
    assert_eq!(fakes.script.runs(), 2);
}

#[test]
fn docker_missing_is_reported() {
    let mut fakes = Fakes::new(&[]);
    fs::remove_file(fakes.dir.join("docker")).unwrap();
    // Only the fakes' directory on PATH: no docker at all.
    fakes.env.extra.push(("PATH".into(), fakes.dir.display().to_string()));
    let output = fakes.run(&["load"]);
    assert_eq!(output.code, 1);
    assert!(output.stderr.contains("cannot run docker (No such file or directory"), "{}", output.stderr);
    assert!(output.stderr.contains("need Docker (or podman's docker command) with a running engine"), "{}", output.stderr);
}

/// cog's HTTP API: STARTING twice, then READY; a schema; a prediction that returns a PNG.
fn cog_server(setup: &'static str) -> FakeServer {
    let schema = json!({
        "components": { "schemas": {
            "Input": { "properties": { "prompt": { "type": "string" }, "steps": { "type": "integer" } } },
            "Output": { "type": "string", "format": "uri" },
            "PredictionResponse": { "properties": { "output": { "$ref": "#/components/schemas/Output" } } }
        }},
        "paths": { "/predictions": { "post": { "responses": { "200": { "content": { "application/json": {
            "schema": { "$ref": "#/components/schemas/PredictionResponse" } } } } } } } }
    });
    FakeServer::start(None, move |head, number| match head.path.as_str() {
        "/health-check" if number < 2 => Reply::json(200, r#"{"status":"STARTING"}"#),
        "/health-check" => Reply::json(200, setup),
        "/openapi.json" => Reply::json(200, &schema.to_string()),
        "/predictions" => Reply::json(200, r#"{"status":"succeeded","output":"data:image/png;base64,iVBORw0K"}"#),
        _ => Reply::status(404),
    })
}

#[test]
fn predict_runs_the_model_once_and_writes_its_output() {
    let cog = cog_server(r#"{"status":"READY"}"#);
    let fakes = Fakes::new(&[("FAKE_COG_PORT", &cog.port.to_string())]);
    fakes.docker_has(&sha256(&fakes.image.config()), &json!({ "run.cog.config": "{\"build\":{\"gpu\":true}}" }));
    let out = tempfile::tempdir().unwrap();
    let output = fakes.run(&["predict", "-i", "prompt=a cat", "-i", "steps=4", "-o", out.path().join("cat").to_str().unwrap()]);
    ok(&output);
    assert_eq!(fs::read(out.path().join("cat.png")).unwrap(), [0x89, b'P', b'N', b'G', 0x0d, 0x0a]);
    assert!(output.stderr.contains(&format!("Written output to {}", out.path().join("cat.png").display())), "{}", output.stderr);
    assert!(output.stderr.contains("setup() started"), "the container's output goes to stderr: {}", output.stderr);
    assert!(output.stdout.is_empty(), "{}", output.stdout);

    let posted = cog.heads().into_iter().find(|h| h.path == "/predictions").unwrap();
    assert_eq!(serde_json::from_slice::<Value>(&posted.body).unwrap(), json!({ "input": { "prompt": "a cat", "steps": 4 } }));
    let calls = fakes.calls();
    let run = calls.iter().find(|c| c.starts_with("docker run")).unwrap();
    assert!(run.contains("--publish 127.0.0.1::5000 --gpus all model:synthetic"), "a GPU model gets --gpus all: {run}");
    let name = run.split_whitespace().nth(4).unwrap();
    assert!(calls.contains(&format!("docker stop --time 10 {name}")), "the container is stopped: {calls:?}");
}

#[test]
fn a_failed_setup_is_reported_and_the_container_stopped() {
    let cog = cog_server(r#"{"status":"SETUP_FAILED","setup":{"logs":"ImportError: no module named torch"}}"#);
    let fakes = Fakes::new(&[("FAKE_COG_PORT", &cog.port.to_string())]);
    let output = fakes.run(&["predict", "-i", "prompt=x", "--gpus", "device=1"]);
    assert_eq!(output.code, 1);
    assert!(output.stderr.contains("error: the model's setup() failed:\nImportError: no module named torch"), "{}", output.stderr);
    let calls = fakes.calls();
    assert!(calls.iter().any(|c| c.starts_with("docker run") && c.contains("--gpus device=1")), "{calls:?}");
    assert!(calls.iter().any(|c| c.starts_with("docker stop")), "{calls:?}");
    assert!(!cog.heads().iter().any(|h| h.path == "/predictions"));
}

#[test]
fn a_bad_input_fails_before_anything_runs() {
    let fakes = Fakes::new(&[]);
    let output = fakes.run(&["predict", "-i", "prompt"]);
    assert_eq!(output.code, 1);
    assert_eq!(output.stderr.trim(), "error: -i prompt: expected name=value (or name=@file)");
    assert!(fakes.calls().is_empty());
}

#[test]
fn serve_publishes_cogs_port_and_returns_the_containers_status() {
    let fakes = Fakes::new(&[("FAKE_RUN_EXIT", "0")]);
    let output = fakes.run(&["serve", "-p", "8080"]);
    assert!(ok(&output).stderr.contains("serving model:synthetic at http://127.0.0.1:8080"), "{}", output.stderr);
    assert!(
        fakes
            .calls()
            .iter()
            .any(|c| c.starts_with("docker run --rm --name cognix-") && c.ends_with("--publish 127.0.0.1:8080:5000 model:synthetic")),
        "{:?}",
        fakes.calls()
    );

    let crashing = Fakes::new(&[("FAKE_RUN_EXIT", "3")]);
    let output = crashing.run(&["serve", "--host", "0.0.0.0"]);
    assert_eq!(output.code, 1);
    assert!(output.stderr.contains("error: the container exited with exit status: 3; its output is above"), "{}", output.stderr);
    assert!(output.stderr.contains("container output"), "{}", output.stderr);
}

#[test]
fn a_package_that_is_not_an_image_is_named() {
    let mut fakes = Fakes::new(&[]);
    let elsewhere = fakes.dir.join("not-an-image");
    fs::write(&elsewhere, "ELF").unwrap();
    fakes.env.extra.push(("FAKE_OUT".into(), elsewhere.display().to_string()));
    let output = fakes.run(&["load", "cognix-gen"]);
    assert_eq!(output.code, 1);
    assert_eq!(
        output.stderr.trim(),
        format!("error: {} is not a cognix image (not a stream script); build the model's image, not another package", elsewhere.display())
    );
}
