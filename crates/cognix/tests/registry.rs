//! `cognix push` against a real registry (Debian's docker-registry on 127.0.0.1): images pull
//! back byte for byte, re-pushes send nothing, one changed layer sends that layer and the
//! config, and faults (a registry killed mid-push, 5xx, dropped connections, auth) end as they
//! should. What was sent is read from the registry's own access log.
//!
//! They need the registry binary, so they are ignored in `cargo test`; `checks/run push`
//! installs it and runs them with `--include-ignored`.

mod support;

use std::time::Duration;

use cognix::reference::Reference;
use cognix::registry::{Options, Registry, MANIFEST_TYPES};
use cognix_io::digest::Digest;
use serde_json::Value;
use support::fake_http::{FakeServer, Reply};
use support::image::{gunzip, noise, payload, Image};
use support::registry::LocalRegistry;
use support::run::{Env, Output};
use support::script::StreamScript;

fn push(env: &Env, source: &str, reference: &str, extra: &[&str]) -> Output {
    let mut args = vec!["push", "--progress", "plain", "--image", source, reference];
    args.extend_from_slice(extra);
    env.run(&args)
}

fn ok(output: &Output) -> &Output {
    assert_eq!(output.code, 0, "stdout:\n{}\nstderr:\n{}", output.stdout, output.stderr);
    output
}

/// The summary line's digest.
fn pushed_digest(output: &Output) -> String {
    let line = output.stdout.lines().last().unwrap_or_default();
    let at = line.find("@sha256:").unwrap_or_else(|| panic!("no digest in {line:?}"));
    line[at + 1..at + 72].to_owned()
}

/// Pulls `reference` back: the manifest, the config bytes and each layer's uncompressed bytes.
fn pull(reference: &str) -> (Value, Vec<u8>, Vec<Vec<u8>>) {
    let reference = Reference::parse(reference).unwrap();
    let registry = Registry::new(&reference.registry, None, Options::default());
    let (media_type, bytes) =
        registry.get_manifest(&reference.repository, &reference.tag, MANIFEST_TYPES).unwrap().expect("the tag exists");
    assert_eq!(media_type, "application/vnd.oci.image.manifest.v1+json");
    let manifest: Value = serde_json::from_slice(&bytes).unwrap();
    let blob = |digest: &str| {
        let mut out = Vec::new();
        registry.get_blob(&reference.repository, &Digest::parse(digest).unwrap(), &mut out).unwrap();
        out
    };
    let config = blob(manifest["config"]["digest"].as_str().unwrap());
    let layers = manifest["layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|layer| {
            let bytes = blob(layer["digest"].as_str().unwrap());
            match layer["mediaType"].as_str().unwrap() {
                "application/vnd.oci.image.layer.v1.tar+gzip" => gunzip(&bytes),
                "application/vnd.oci.image.layer.v1.tar" => bytes,
                other => panic!("unexpected layer media type {other}"),
            }
        })
        .collect();
    (manifest, config, layers)
}

/// Every file under `dir`.
fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}

fn tag_exists(reference: &str) -> bool {
    let reference = Reference::parse(reference).unwrap();
    Registry::new(&reference.registry, None, Options::default())
        .manifest_descriptor(&reference.repository, &reference.tag)
        .unwrap()
        .is_some()
}

/// A push in the background that uploads one layer at a time in the smallest chunks, so that the
/// registry can be stopped in the middle of it.
fn slow_push(env: &Env, archive: &std::path::Path, reference: &str, extra: &[&str]) -> std::process::Child {
    let mut args = vec!["push", "--progress", "plain", "-j", "1", "--chunk-size", "1"];
    args.extend_from_slice(extra);
    args.extend_from_slice(&["--image", archive.to_str().unwrap(), reference]);
    env.command(&args).stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped()).spawn().unwrap()
}

/// Waits (at most a minute) until the registry has received `count` chunk uploads.
fn wait_for_patches(registry: &LocalRegistry, count: usize) {
    let start = std::time::Instant::now();
    while registry.log().matches("\"PATCH ").count() < count {
        assert!(start.elapsed() < Duration::from_secs(60), "no upload started");
        std::thread::sleep(Duration::from_millis(2));
    }
}

#[test]
#[ignore = "needs docker-registry (checks/run push)"]
fn an_archive_pushes_and_pulls_back_byte_identical_then_re_pushes_nothing() {
    let registry = LocalRegistry::start();
    let env = Env::new();
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("image.tar");
    let image = Image::new(1, 4, 3_000_000).with_layer(0, &payload(9, 5000));
    image.write(&archive);
    let reference = format!("{}/acme/model:v1", registry.address());

    let mark = registry.mark();
    let first = push(&env, archive.to_str().unwrap(), &reference, &["--chunk-size", "1"]);
    ok(&first);
    assert!(first.stdout.trim().starts_with(&format!("pushed {reference}@sha256:")), "{}", first.stdout);
    assert!(first.stdout.contains(": 4 layers, 4 uploaded ("), "{}", first.stdout);
    assert!(first.stdout.trim().ends_with("MB), 0 already present"), "{}", first.stdout);
    // Four layers and the config, each in its own upload session; 3 MB layers in 1 MiB chunks.
    assert_eq!(registry.uploads_since(mark), 5, "{:#?}", registry.requests_since(mark));
    let patches = registry.requests_since(mark).iter().filter(|(m, _, _)| m == "PATCH").count();

    let (manifest, config, layers) = pull(&reference);
    let chunks = |size: u64| usize::try_from(size.div_ceil(1 << 20)).unwrap();
    let blob_sizes = manifest["layers"].as_array().unwrap().iter().chain([&manifest["config"]]).map(|d| d["size"].as_u64().unwrap());
    assert_eq!(patches, blob_sizes.map(chunks).sum::<usize>(), "blobs go in 1 MiB chunks");
    assert!(patches > 5);
    assert_eq!(config, image.config(), "the config (and cog's labels) arrive byte for byte");
    assert_eq!(layers, image.layers, "every layer decompresses to the archive's layer");
    assert_eq!(manifest["layers"].as_array().unwrap().len(), 4);
    assert_eq!(pushed_digest(&first), Digest::of(&serde_json::to_vec(&manifest).unwrap()).to_string());

    let mark = registry.mark();
    let again = ok(&push(&env, archive.to_str().unwrap(), &reference, &[])).stdout.clone();
    assert!(again.contains(": 4 layers, 0 uploaded (0.0 MB), 4 already present"), "{again}");
    assert_eq!(registry.blob_writes_since(mark), vec![], "an unchanged re-push sends no blob");
    assert_eq!(pushed_digest(&first), pushed_digest(ok(&push(&env, archive.to_str().unwrap(), &reference, &[]))));
}

#[test]
#[ignore = "needs docker-registry (checks/run push)"]
fn one_changed_layer_uploads_that_layer_and_the_config() {
    let registry = LocalRegistry::start();
    let env = Env::new();
    let dir = tempfile::tempdir().unwrap();
    let reference = format!("{}/acme/model", registry.address());
    let image = Image::new(2, 5, 1_000_000);
    image.write(&dir.path().join("a.tar"));
    ok(&push(&env, dir.path().join("a.tar").to_str().unwrap(), &reference, &[]));

    let changed = image.with_layer(3, &payload(77, 1_000_000));
    changed.write(&dir.path().join("b.tar"));
    let mark = registry.mark();
    let output = ok(&push(&env, dir.path().join("b.tar").to_str().unwrap(), &reference, &[])).stdout.clone();
    assert!(output.contains(": 5 layers, 1 uploaded ("), "{output}");
    assert!(output.contains("4 already present"), "{output}");
    assert_eq!(registry.uploads_since(mark), 2, "the changed layer and the config: {:#?}", registry.requests_since(mark));
    assert_eq!(pull(&reference).2, changed.layers);
}

#[test]
#[ignore = "needs docker-registry (checks/run push)"]
fn standard_input_is_pushed_in_one_pass_and_a_re_push_skips_known_layers() {
    let registry = LocalRegistry::start();
    let env = Env::new();
    let image = Image::new(3, 3, 6_000_000).with_layer(1, &payload(5, 1000));
    let reference = format!("{}/acme/stdin:latest", registry.address());
    let args = ["push", "--progress", "plain", "--image", "-", reference.as_str()];
    let first = env.run_with(&args, &image.archive(), Duration::from_secs(120));
    ok(&first);
    assert!(first.stdout.contains(": 3 layers, 3 uploaded ("), "{}", first.stdout);
    let (_, config, layers) = pull(&reference);
    assert_eq!((config, layers), (image.config(), image.layers.clone()));

    let mark = registry.mark();
    let again = env.run_with(&args, &image.archive(), Duration::from_secs(120));
    assert!(ok(&again).stdout.contains(": 3 layers, 0 uploaded (0.0 MB), 3 already present"), "{}", again.stdout);
    assert_eq!(registry.blob_writes_since(mark), vec![]);
    assert_eq!(pushed_digest(&first), pushed_digest(&again));
}

#[test]
#[ignore = "needs docker-registry (checks/run push)"]
fn uncompressed_layers_are_the_archive_layers() {
    let registry = LocalRegistry::start();
    let env = Env::new();
    let dir = tempfile::tempdir().unwrap();
    let image = Image::new(4, 3, 2_000_000);
    image.write(&dir.path().join("i.tar"));
    let reference = format!("{}/acme/raw", registry.address());
    ok(&push(&env, dir.path().join("i.tar").to_str().unwrap(), &reference, &["--no-compress"]));
    let (manifest, _, layers) = pull(&reference);
    let digests: Vec<&str> = manifest["layers"].as_array().unwrap().iter().map(|l| l["digest"].as_str().unwrap()).collect();
    assert_eq!(digests, image.diff_ids(), "uncompressed blobs are the diff_ids");
    assert_eq!(layers, image.layers);
    let mark = registry.mark();
    ok(&push(&env, dir.path().join("i.tar").to_str().unwrap(), &reference, &["--no-compress"]));
    assert_eq!(registry.blob_writes_since(mark), vec![]);
}

#[test]
#[ignore = "needs docker-registry (checks/run push)"]
fn blobs_in_another_repository_are_mounted_not_uploaded() {
    let registry = LocalRegistry::start();
    let env = Env::new();
    let dir = tempfile::tempdir().unwrap();
    let image = Image::new(5, 3, 500_000);
    image.write(&dir.path().join("i.tar"));
    ok(&push(&env, dir.path().join("i.tar").to_str().unwrap(), &format!("{}/acme/first", registry.address()), &[]));
    let mark = registry.mark();
    let second = format!("{}/acme/second", registry.address());
    // The bar instead of lines: standard error is no terminal here, so it draws nothing.
    let output =
        ok(&env.run(&["push", "--progress", "tty", "--image", dir.path().join("i.tar").to_str().unwrap(), &second])).stdout.clone();
    assert!(output.contains("0 uploaded (0.0 MB), 3 already present"), "{output}");
    let mounts: Vec<_> = registry.requests_since(mark).into_iter().filter(|(m, uri, _)| m == "POST" && uri.contains("mount=")).collect();
    assert_eq!(mounts.len(), 3, "one mount per layer: {mounts:?}");
    assert!(mounts.iter().all(|(_, uri, status)| *status == 201 && uri.contains("from=acme%2Ffirst")), "{mounts:?}");
    assert_eq!(registry.uploads_since(mark), 1, "only the config is uploaded (it is not in the cache's list)");
    assert_eq!(pull(&second).2, image.layers);

    // A blob deleted from the repositories the cache names: the registry answers each mount
    // with an upload session, which is cancelled, and the layer is uploaded.
    let first = Reference::parse(&format!("{}/acme/first", registry.address())).unwrap();
    let client = Registry::new(&first.registry, None, Options::default());
    let (_, manifest) = client.get_manifest(&first.repository, "latest", MANIFEST_TYPES).unwrap().unwrap();
    let manifest: Value = serde_json::from_slice(&manifest).unwrap();
    let gone = manifest["layers"][0]["digest"].as_str().unwrap();
    for repository in ["first", "second"] {
        let url = format!("http://{}/v2/acme/{repository}/blobs/{gone}", registry.address());
        assert_eq!(ureq::delete(&url).call().unwrap().status().as_u16(), 202);
    }
    let mark = registry.mark();
    let third = format!("{}/acme/third", registry.address());
    let output = ok(&push(&env, dir.path().join("i.tar").to_str().unwrap(), &third, &[])).stdout.clone();
    assert!(output.contains("1 uploaded"), "{output}");
    let requests = registry.requests_since(mark);
    assert!(
        requests.iter().any(|(m, uri, s)| m == "POST" && uri.contains(&format!("mount={}", gone.replace(':', "%3A"))) && *s == 202),
        "{requests:#?}"
    );
    let cancelled = requests.iter().filter(|(m, uri, s)| m == "DELETE" && uri.contains("/blobs/uploads/") && *s == 204).count();
    assert_eq!(cancelled, 2, "{requests:#?}");
    assert_eq!(pull(&third).2, image.layers);
}

#[test]
#[ignore = "needs docker-registry (checks/run push)"]
fn a_registry_killed_mid_push_leaves_no_tag_and_the_next_push_completes() {
    let mut registry = LocalRegistry::start();
    let env = Env::new();
    let dir = tempfile::tempdir().unwrap();
    let image = Image::new(6, 8, 4_000_000);
    image.write(&dir.path().join("i.tar"));
    let reference = format!("{}/acme/killed:v1", registry.address());
    let child = slow_push(&env, &dir.path().join("i.tar"), &reference, &[]);
    wait_for_patches(&registry, 1);
    registry.kill();
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains(&format!("error: cannot reach the registry {}", registry.address())), "{stderr}");
    assert!(output.stdout.is_empty(), "no summary line");

    registry.restart();
    assert!(!tag_exists(&reference), "the manifest is written last: no tag after a failed push");
    ok(&push(&env, dir.path().join("i.tar").to_str().unwrap(), &reference, &[]));
    assert_eq!(pull(&reference).2, image.layers);
}

#[test]
#[ignore = "needs docker-registry (checks/run push)"]
fn a_registry_restarted_mid_push_is_asked_where_the_upload_stands_and_the_push_completes() {
    let mut registry = LocalRegistry::start();
    let env = Env::new();
    let dir = tempfile::tempdir().unwrap();
    let image = Image::new(7, 2, 12_000_000);
    image.write(&dir.path().join("i.tar"));
    let reference = format!("{}/acme/resumed", registry.address());
    let child = slow_push(&env, &dir.path().join("i.tar"), &reference, &["--no-compress"]);
    wait_for_patches(&registry, 3);
    registry.kill();
    // Down long enough for requests to fail, back before the retries are spent.
    std::thread::sleep(Duration::from_millis(1500));
    let mark = registry.mark();
    registry.restart();
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    // The session is asked where its data ends: 204 and a Range when the kill fell between
    // requests, 404 when it cut a PATCH (distribution cannot resume a torn write), and then the
    // blob starts over.
    let resumed = registry.requests_since(mark);
    assert!(
        resumed.iter().any(|(method, uri, status)| method == "GET" && uri.contains("/blobs/uploads/") && [204, 404].contains(status)),
        "the upload session was asked where its data ends: {resumed:#?}"
    );
    assert_eq!(pull(&reference).2, image.layers);
}

#[test]
#[ignore = "needs docker-registry (checks/run push)"]
fn server_errors_and_dropped_connections_are_retried() {
    let registry = LocalRegistry::start();
    let env = Env::new();
    let dir = tempfile::tempdir().unwrap();
    let image = Image::new(8, 2, 3_000_000);
    image.write(&dir.path().join("i.tar"));
    let patches = std::sync::atomic::AtomicUsize::new(0);
    let proxy = FakeServer::start(Some(registry.port), move |head, _| {
        if head.method == "PATCH" {
            match patches.fetch_add(1, std::sync::atomic::Ordering::SeqCst) {
                0 => return Reply::json(500, r#"{"errors":[{"code":"UNKNOWN","message":"storage hiccup"}]}"#),
                2 => return Reply::Drop,
                _ => {}
            }
        }
        Reply::Forward
    });
    let reference = format!("{}/acme/flaky", proxy.address());
    let mark = registry.mark();
    let output = ok(&push(&env, dir.path().join("i.tar").to_str().unwrap(), &reference, &["--chunk-size", "1", "-j", "1"])).stdout.clone();
    assert!(output.contains("2 uploaded"), "{output}");
    // The dropped PATCH never reached the registry: asked, the session says where its data
    // ends (204, Range) and the upload goes on from there in the same session.
    let requests = registry.requests_since(mark);
    let status_query = requests.iter().position(|(m, uri, s)| m == "GET" && uri.contains("/blobs/uploads/") && *s == 204);
    assert!(status_query.is_some(), "{requests:#?}");
    assert_eq!(registry.uploads_since(mark), 3, "two layers and the config, no session started over: {requests:#?}");
    assert_eq!(pull(&format!("{}/acme/flaky", registry.address())).2, image.layers);
}

#[test]
#[ignore = "needs docker-registry (checks/run push)"]
fn a_bearer_challenge_is_answered_with_a_token_from_the_realm() {
    let registry = LocalRegistry::start();
    let env = Env::new();
    let dir = tempfile::tempdir().unwrap();
    let image = Image::new(9, 2, 100_000);
    image.write(&dir.path().join("i.tar"));
    // The token service: Basic alice:s3cret in, a token out.
    let tokens = FakeServer::start(None, |head, _| match head.header("authorization") {
        Some("Basic YWxpY2U6czNjcmV0") => Reply::json(200, r#"{"token":"tok-123"}"#),
        _ => Reply::json(401, r#"{"details":"bad credentials"}"#),
    });
    let realm = format!("http://{}/token", tokens.address());
    let challenge = format!(r#"Bearer realm="{realm}",service="fake-registry""#);
    let proxy = FakeServer::start(Some(registry.port), move |head, _| {
        if head.header("authorization") == Some("Bearer tok-123") {
            Reply::Forward
        } else {
            Reply::json(401, r#"{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}"#)
                .with_header("WWW-Authenticate", &challenge)
        }
    });
    let reference = format!("{}/acme/private", proxy.address());
    let archive = dir.path().join("i.tar");
    let args = ["push", "--progress", "plain", "--username", "alice", "--password-stdin", "--image", archive.to_str().unwrap(), &reference];
    let output = env.run_with(&args, b"s3cret\n", Duration::from_secs(60));
    ok(&output);
    assert!(!output.all().contains("s3cret") && !output.all().contains("tok-123"), "{}", output.all());
    // Nor in any file cognix wrote (its cache and spool, the docker config it did not need).
    for entry in walk(env.home.path()) {
        let bytes = std::fs::read(&entry).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains("s3cret") && !text.contains("tok-123") && !text.contains("YWxpY2U6czNjcmV0"), "{}", entry.display());
    }
    let token_requests = tokens.heads();
    assert!(!token_requests.is_empty());
    assert!(
        token_requests[0].path.contains("service=fake-registry")
            && token_requests[0].path.contains("scope=repository%3Aacme%2Fprivate%3Apull%2Cpush"),
        "{:?}",
        token_requests[0].path
    );

    let wrong = env.run_with(&args, b"wrong\n", Duration::from_secs(60));
    assert_eq!(wrong.code, 1);
    assert!(wrong.stderr.contains("the token service") && wrong.stderr.contains("the credentials were refused"), "{}", wrong.stderr);
    assert!(!wrong.all().contains("wrong\n") && !wrong.all().contains("YWxpY2U6d3Jvbmc"), "{}", wrong.all());
}

#[test]
#[ignore = "needs docker-registry (checks/run push)"]
fn a_stream_script_runs_once_then_re_pushes_without_streaming() {
    let registry = LocalRegistry::start();
    let env = Env::new();
    let dir = tempfile::tempdir().unwrap();
    let image = Image::new(10, 3, 2_000_000);
    let script = StreamScript::new(dir.path(), "v1", &image, &["aaa-python", "bbb-torch"]);
    let reference = format!("{}/acme/scripted", registry.address());
    let result = script.result.to_str().unwrap();

    let first = ok(&push(&env, result, &reference, &[])).stdout.clone();
    assert!(first.contains(": 3 layers, 3 uploaded ("), "{first}");
    assert_eq!(script.runs(), 1);
    assert_eq!(pull(&reference).1, image.config());

    let mark = registry.mark();
    let again = push(&env, result, &reference, &[]);
    ok(&again);
    assert!(again.stdout.contains(": 3 layers, 0 uploaded (0.0 MB), 3 already present"), "{}", again.stdout);
    assert!(again.stderr.contains("known from an earlier run"), "{}", again.stderr);
    assert_eq!(script.runs(), 1, "nothing was streamed");
    assert_eq!(registry.blob_writes_since(mark), vec![]);

    // A new build: the second store layer is a new path, with new bytes.
    let changed = image.with_layer(1, &payload(99, 2_000_000));
    let rebuilt = StreamScript::new(dir.path(), "v2", &changed, &["aaa-python", "ccc-torch"]);
    let mark = registry.mark();
    let output = ok(&push(&env, rebuilt.result.to_str().unwrap(), &reference, &[])).stdout.clone();
    assert!(output.contains(": 3 layers, 1 uploaded ("), "{output}");
    assert_eq!(rebuilt.runs(), 1);
    assert_eq!(registry.uploads_since(mark), 2, "the changed layer and the config");
    assert_eq!(pull(&reference).2, changed.layers);

    // Another registry lacks the blobs the cache knows: the script runs and sends everything.
    let other = LocalRegistry::start();
    let output = ok(&push(&env, result, &format!("{}/acme/scripted", other.address()), &[])).stdout.clone();
    assert!(output.contains(": 3 layers, 3 uploaded ("), "{output}");
    assert_eq!(script.runs(), 2);
}

#[test]
#[ignore = "needs docker-registry (checks/run push)"]
fn a_malformed_stream_fails_without_a_tag() {
    let registry = LocalRegistry::start();
    let env = Env::new();
    let image = Image::new(11, 2, 5_000_000);
    let mut truncated = image.archive();
    truncated.truncate(7_000_000);
    let reference = format!("{}/acme/broken", registry.address());
    let output = env.run_with(&["push", "--progress", "plain", "--image", "-", &reference], &truncated, Duration::from_secs(60));
    assert_eq!(output.code, 1, "{}", output.stderr);
    assert!(output.stderr.contains("error: standard input"), "{}", output.stderr);
    assert!(!tag_exists(&reference));

    // A layer whose bytes do not match the config's diff_id.
    let mut lying = image.clone();
    lying.layers[1] = support::image::layer("nix/store/x/other", b"other bytes");
    let archive = lying.archive_with_config(&image.config());
    let output = env.run_with(&["push", "--progress", "plain", "--image", "-", &reference], &archive, Duration::from_secs(60));
    assert_eq!(output.code, 1, "{}", output.stderr);
    assert!(output.stderr.contains("but the config's diff_id for it is"), "{}", output.stderr);
    assert!(!tag_exists(&reference));
}

/// The client API the weights work builds on: a blob streamed from a reader in chunks, a
/// manifest with `artifactType` and annotations under a digest, an OCI index under a tag, and
/// HEAD by digest; what goes in comes back byte for byte.
#[test]
#[ignore = "needs docker-registry (checks/run push)"]
fn the_client_pushes_artifacts_and_indexes_as_given() {
    let registry = LocalRegistry::start();
    let reference = Reference::parse(&format!("{}/acme/weights:v1", registry.address())).unwrap();
    let client = Registry::connect(&reference, None, Options { plain_http: false, chunk_size: 1 << 20 }).unwrap();
    let repository = &reference.repository;

    let weights = payload(12, 3_500_000);
    let digest = Digest::of(&weights);
    let mark = registry.mark();
    let sent = std::sync::atomic::AtomicU64::new(0);
    let size = client
        .upload_reader(repository, &digest, &mut &weights[..], &|n| {
            sent.fetch_add(n, std::sync::atomic::Ordering::Relaxed);
        })
        .unwrap();
    assert_eq!(size, weights.len() as u64);
    assert_eq!(sent.into_inner(), size);
    assert_eq!(registry.requests_since(mark).iter().filter(|(m, _, _)| m == "PATCH").count(), 4, "3.5 MB in 1 MiB chunks");
    assert_eq!(client.blob_size(repository, &digest).unwrap(), Some(size));

    let config = br#"{"name":"minilm","target":"/src/weights"}"#.to_vec();
    let config_blob = cognix_io::digest::Blob { digest: Digest::of(&config), size: config.len() as u64 };
    client.upload_blob(repository, &config_blob, &config, &|_| ()).unwrap();
    let manifest = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "artifactType": "application/vnd.cog.weight.v1",
        "config": { "mediaType": "application/vnd.cog.weight.config.v1+json", "digest": config_blob.digest.as_str(), "size": config_blob.size },
        "layers": [{ "mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": digest.as_str(), "size": size,
                     "annotations": { "run.cog.weight.size.uncompressed": size.to_string() } }],
        "annotations": { "run.cog.weight.name": "minilm" }
    }))
    .unwrap();
    let manifest_digest = Digest::of(&manifest);
    let put = client.put_manifest(repository, manifest_digest.as_str(), "application/vnd.oci.image.manifest.v1+json", &manifest).unwrap();
    assert_eq!(put, manifest_digest);
    let described = client.manifest_descriptor(repository, manifest_digest.as_str()).unwrap().unwrap();
    assert_eq!((described.digest, described.size), (manifest_digest.clone(), manifest.len() as u64));

    let index = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": [{ "mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": manifest_digest.as_str(), "size": manifest.len(),
                        "artifactType": "application/vnd.cog.weight.v1", "platform": { "os": "unknown", "architecture": "unknown" } }]
    }))
    .unwrap();
    client.put_manifest(repository, "v1", "application/vnd.oci.image.index.v1+json", &index).unwrap();
    let (media_type, bytes) = client.get_manifest(repository, "v1", MANIFEST_TYPES).unwrap().unwrap();
    assert_eq!((media_type.as_str(), bytes), ("application/vnd.oci.image.index.v1+json", index));
    assert_eq!(client.get_manifest(repository, manifest_digest.as_str(), MANIFEST_TYPES).unwrap().unwrap().1, manifest);
    let mut back = Vec::new();
    client.get_blob(repository, &digest, &mut back).unwrap();
    assert_eq!(back, weights);
    assert_eq!(client.manifest_descriptor(repository, &format!("sha256:{}", "0".repeat(64))).unwrap(), None);
}

/// An independent reader: skopeo (Go's registry client and gzip, as docker and containerd use)
/// pulls what cognix pushed into a docker archive, checking every layer against its `diff_id`;
/// the layers and config come back as they went in. The layers mix random blocks (which cognix
/// stores) with text (which it compresses).
#[test]
#[ignore = "needs docker-registry and skopeo (checks/run push)"]
fn skopeo_pulls_back_what_cognix_pushed() {
    let skopeo = std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
        .map(|dir| dir.join("skopeo"))
        .find(|path| path.is_file())
        .expect("skopeo is not installed: checks/run push installs it (apt-get install skopeo)");
    let registry = LocalRegistry::start();
    let env = Env::new();
    let dir = tempfile::tempdir().unwrap();
    let mixed = [noise(13, 400_000), payload(14, 300_000), noise(15, 200_000)].concat();
    let image = Image::new(13, 3, 700_000).with_layer(0, &noise(12, 700_000)).with_layer(2, &mixed);
    image.write(&dir.path().join("i.tar"));
    let reference = format!("{}/acme/interop:v1", registry.address());
    ok(&push(&env, dir.path().join("i.tar").to_str().unwrap(), &reference, &[]));

    let pulled = dir.path().join("pulled.tar");
    let status = std::process::Command::new(skopeo)
        .args([
            "copy",
            "--quiet",
            "--src-tls-verify=false",
            &format!("docker://{reference}"),
            &format!("docker-archive:{}", pulled.display()),
        ])
        .status()
        .unwrap();
    assert!(status.success());
    let archive = cognix::archive::ArchiveFile::open(&pulled).unwrap();
    assert_eq!(archive.config.bytes, image.config(), "the config, byte for byte");
    let mut file = std::fs::File::open(&pulled).unwrap();
    let layers: Vec<Vec<u8>> = archive
        .layers()
        .map(|(region, _)| {
            use std::io::{Read, Seek, SeekFrom};
            file.seek(SeekFrom::Start(region.offset)).unwrap();
            let mut bytes = vec![0; usize::try_from(region.size).unwrap()];
            file.read_exact(&mut bytes).unwrap();
            bytes
        })
        .collect();
    assert_eq!(layers, image.layers);
}

/// `cognix push MODEL REF` builds the model (a fake `nix` hands over a stream script) and pushes
/// what the build made.
#[test]
#[ignore = "needs docker-registry (checks/run push)"]
fn a_model_is_built_then_pushed() {
    let registry = LocalRegistry::start();
    let dir = tempfile::tempdir().unwrap();
    let image = Image::new(16, 2, 300_000);
    let script = StreamScript::new(dir.path(), "whisper", &image, &["aaa-python"]);
    let bin = dir.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    let calls = dir.path().join("nix-calls");
    support::script::executable(
        &bin.join("nix"),
        &format!(
            "#!/bin/sh\necho \"$*\" >> {}\necho '[{{\"drvPath\":\"/nix/store/x.drv\",\"outputs\":{{\"out\":\"{}\"}}}}]'\n",
            calls.display(),
            script.result.display()
        ),
    );
    let env = Env::new().with_path(&bin);
    let reference = format!("{}/acme/whisper:v1", registry.address());
    let output = env.run(&["push", "--progress", "plain", "--flake", "/src/models", "whisper", &reference]);
    assert!(ok(&output).stdout.contains(": 2 layers, 2 uploaded ("), "{}", output.stdout);
    assert_eq!(
        std::fs::read_to_string(&calls).unwrap(),
        "--extra-experimental-features nix-command flakes build --json --no-link /src/models#whisper\n"
    );
    assert_eq!(pull(&reference).2, image.layers);
}
