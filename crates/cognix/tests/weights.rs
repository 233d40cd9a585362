//! `cognix weights import / inspect` and the weights part of `cognix push`, through the binary.
//! The push tests need Debian's docker-registry (ignored in `cargo test`; `checks/run push` runs
//! them): the index, the weight manifests, their config and layers read back exactly, the files
//! unpacked from the layers equal the sources, a re-push sends no blob, and a machine with an
//! empty weight store pushes from the sources.

mod support;

use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

use cognix::reference::Reference;
use cognix::registry::{Options, Registry};
use cognix_io::digest::Digest;
use cognix_weights::lock::Lock;
use cognix_weights::oci;
use serde_json::Value;
use support::fake_http::{FakeServer, Reply};
use support::image::{gunzip, payload, Image};
use support::registry::LocalRegistry;
use support::run::{Env, Output};

const MIB: u64 = 1024 * 1024;

fn cog_yaml(source: &str) -> String {
    format!(
        "model: r8.im/acme/weighted\nbuild:\n  python_version: \"3.12\"\npredict: predict.py:Predictor\nweights:\n  - name: encoder\n    target: /src/weights/encoder\n    source:\n      uri: {source}\n      exclude: [\"*.md\"]\n"
    )
}

/// A project whose weights are a local directory: small files (a gzip bundle) and a large
/// `.safetensors` file (an uncompressed layer of its own).
fn project(dir: &Path) -> PathBuf {
    fs::create_dir_all(dir.join("weights/tokenizer")).unwrap();
    fs::write(dir.join("cog.yaml"), cog_yaml("weights")).unwrap();
    fs::write(dir.join("predict.py"), "class Predictor: pass\n").unwrap();
    fs::write(dir.join("weights/config.json"), b"{\"hidden_size\": 384}").unwrap();
    fs::write(dir.join("weights/tokenizer/vocab.txt"), b"[PAD]\n[UNK]\nhello\n").unwrap();
    fs::write(dir.join("weights/README.md"), b"left out").unwrap();
    let mut large = fs::File::create(dir.join("weights/model.safetensors")).unwrap();
    large.write_all(&payload(7, 1 << 20)).unwrap();
    large.set_len(65 * MIB).unwrap();
    dir.to_path_buf()
}

fn ok(output: &Output) -> &Output {
    assert_eq!(output.code, 0, "stdout:\n{}\nstderr:\n{}", output.stdout, output.stderr);
    output
}

fn lock(dir: &Path) -> Lock {
    Lock::parse(&fs::read_to_string(dir.join("weights.lock")).unwrap()).unwrap()
}

#[test]
fn import_then_inspect() {
    let env = Env::new();
    let work = tempfile::tempdir().unwrap();
    let dir = project(&work.path().join("model"));
    let path = dir.to_str().unwrap();

    let imported = ok(&env.run(&["weights", "import", path])).stderr.clone();
    assert!(imported.contains("encoder → /src/weights/encoder: 3 files, 65.0 MiB, 2 layers (packed)"), "{imported}");
    assert!(imported.trim_end().ends_with("weights.lock written"), "{imported}");
    let entry = lock(&dir).weights.remove(0);
    // cog's store, under HOME: the files are there for `cog predict` too.
    assert!(env.home.path().join(".cache/cog/weights/files/sha256").is_dir());

    let again = ok(&env.run(&["weights", "import", path])).stderr.clone();
    assert!(again.contains("(unchanged)") && again.trim_end().ends_with("weights.lock is up to date"), "{again}");

    let shown = ok(&env.run(&["weights", "inspect", path])).stdout.clone();
    assert!(shown.contains(&format!("  setDigest  {}\n  manifest   {}\n", entry.set_digest, entry.digest)), "{shown}");
    let json: Value = serde_json::from_str(&ok(&env.run(&["weights", "inspect", "--json", path])).stdout).unwrap();
    assert_eq!(json["weights"][0]["files"], 3);
    assert_eq!(json["weights"][0]["tag"], oci::weight_tag("encoder", &entry.set_digest));
}

#[test]
fn inspect_fails_on_a_damaged_or_missing_lock_and_says_what_to_do() {
    let env = Env::new();
    let work = tempfile::tempdir().unwrap();
    let dir = project(&work.path().join("model"));
    let path = dir.to_str().unwrap();

    let missing = env.run(&["weights", "inspect", path]);
    assert_eq!(missing.code, 1);
    assert_eq!(
        missing.stderr.trim(),
        format!(
            "error: {path}/weights.lock is missing: {path}/cog.yaml declares weights (encoder), and weights.lock pins their files and digests. \
             Create it with `cognix weights import {path}` (remote sources need network)."
        )
    );

    ok(&env.run(&["weights", "import", path]));
    let entry = lock(&dir).weights.remove(0);
    let text = fs::read_to_string(dir.join("weights.lock")).unwrap();
    fs::write(dir.join("weights.lock"), text.replace(&entry.files[0].digest, &oci::Descriptor::of("x", b"other").digest)).unwrap();
    let damaged = env.run(&["weights", "inspect", path]);
    assert_eq!(damaged.code, 1, "{}", damaged.stderr);
    assert!(damaged.stderr.starts_with("error: weights.lock does not hold up:\n"), "{}", damaged.stderr);
    assert!(
        damaged.stderr.contains(&format!("{path}/weights.lock:19:17: weights[0].digest: recorded {}", entry.digest)),
        "{}",
        damaged.stderr
    );
    assert!(damaged.stderr.contains(&format!("run `cognix weights import {path}`")), "{}", damaged.stderr);

    assert_eq!(env.run(&["weights", "inspect", "--no-such-flag"]).code, 2);
}

#[test]
fn hugging_face_through_hf_endpoint_with_a_token_never_shown() {
    const COMMIT: &str = "34c2154c194f829b11125337b98c8f5f9965ff19";
    let content = payload(3, 4000);
    let body = content.clone();
    let hub = FakeServer::start(None, move |head, _| {
        if head.header("authorization") != Some("Bearer hf_binary_token_42") {
            return Reply::json(401, "{\"error\": \"Invalid credentials\"}");
        }
        match head.path.as_str() {
            "/api/models/acme/encoder/revision/main" => Reply::json(200, &format!("{{\"sha\": \"{COMMIT}\"}}")),
            p if p.starts_with(&format!("/api/models/acme/encoder/tree/{COMMIT}")) => {
                Reply::json(200, &format!("[{{\"type\": \"file\", \"path\": \"encoder.bin\", \"size\": {}}}, {{\"type\": \"file\", \"path\": \"README.md\", \"size\": 2}}]", body.len()))
            }
            p if p.ends_with("/encoder.bin") => Reply::Respond { status: 200, headers: Vec::new(), body: body.clone() },
            p if p.ends_with("/README.md") => Reply::Respond { status: 200, headers: Vec::new(), body: b"hi".to_vec() },
            _ => Reply::status(404),
        }
    });
    let work = tempfile::tempdir().unwrap();
    let dir = work.path().join("model");
    fs::create_dir_all(&dir).unwrap();
    fs::write(dir.join("cog.yaml"), cog_yaml("hf://acme/encoder")).unwrap();
    let path = dir.to_str().unwrap();
    let endpoint = format!("http://{}", hub.address());

    let refused = Env::new().set("HF_ENDPOINT", &endpoint).set("HF_TOKEN", "hf_wrong_token_99").run(&["weights", "import", path]);
    assert_eq!(refused.code, 1);
    assert!(
        refused.stderr.contains("HTTP 401") && refused.stderr.contains("set HF_TOKEN (or HUGGING_FACE_HUB_TOKEN)"),
        "{}",
        refused.stderr
    );
    assert!(!refused.all().contains("hf_wrong_token_99"));

    let env = Env::new().set("HF_ENDPOINT", &endpoint).set("HUGGING_FACE_HUB_TOKEN", "hf_binary_token_42");
    let imported = env.run(&["weights", "import", path]);
    assert!(!ok(&imported).all().contains("hf_binary_token_42"));
    let entry = lock(&dir).weights.remove(0);
    assert_eq!(entry.sources[0].fingerprint, format!("commit:{COMMIT}"));
    assert_eq!(entry.files.iter().map(|f| f.digest.clone()).collect::<Vec<_>>(), [Digest::of(&content).to_string()]);
}

// --- push -----------------------------------------------------------------------------------

fn push(env: &Env, archive: &Path, project: &Path, reference: &str) -> Output {
    env.run(&["push", "--progress", "plain", "--image", archive.to_str().unwrap(), "--project", project.to_str().unwrap(), reference])
}

fn client(reference: &str) -> (Registry, Reference) {
    let reference = Reference::parse(reference).unwrap();
    (Registry::new(&reference.registry, None, Options::default()), reference)
}

fn manifest(reference: &str, tag: &str, accept: &str) -> Vec<u8> {
    let (registry, reference) = client(reference);
    let (media_type, bytes) = registry.get_manifest(&reference.repository, tag, &[accept]).unwrap().expect("the manifest is there");
    assert_eq!(media_type, accept);
    bytes
}

fn blob(reference: &str, digest: &str) -> Vec<u8> {
    let (registry, reference) = client(reference);
    let mut out = Vec::new();
    registry.get_blob(&reference.repository, &Digest::parse(digest).unwrap(), &mut out).unwrap();
    out
}

/// Unpacks a tar with the system's tar and returns its regular files.
fn untar(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("layer.tar");
    fs::write(&archive, bytes).unwrap();
    let out = dir.path().join("out");
    fs::create_dir(&out).unwrap();
    assert!(Command::new("tar").arg("-xf").arg(&archive).arg("-C").arg(&out).status().unwrap().success());
    let mut files = Vec::new();
    let mut stack = vec![out.clone()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let mut content = Vec::new();
                fs::File::open(&path).unwrap().read_to_end(&mut content).unwrap();
                files.push((path.strip_prefix(&out).unwrap().to_string_lossy().into_owned(), content));
            }
        }
    }
    files
}

#[test]
#[ignore = "needs docker-registry (checks/run push)"]
fn a_model_with_weights_pushes_as_cog_lays_it_out_and_re_pushes_nothing() {
    let registry = LocalRegistry::start();
    let env = Env::new();
    let work = tempfile::tempdir().unwrap();
    let dir = project(&work.path().join("model"));
    ok(&env.run(&["weights", "import", dir.to_str().unwrap()]));
    let entry = lock(&dir).weights.remove(0);
    let archive = work.path().join("image.tar");
    Image::new(5, 2, 200_000).write(&archive);
    let reference = format!("{}/acme/weighted:v1", registry.address());

    let first = ok(&push(&env, &archive, &dir, &reference)).stdout.clone();
    let tag = oci::weight_tag("encoder", &entry.set_digest);
    assert!(first.contains(&format!("pushed weight acme/weighted:{tag}@{}: 3 blobs uploaded", entry.digest)), "{first}");
    assert!(first.contains(&format!("pushed {}/acme/weighted:cog-image.v1@sha256:", registry.address())), "{first}");
    assert!(first.trim_end().ends_with("an OCI index of the image and 1 weights"), "{first}");

    // The weight manifest, its config and its layers, byte for byte what the lock describes.
    let weight = manifest(&reference, &tag, oci::MEDIA_TYPE_MANIFEST);
    assert_eq!(weight, oci::manifest(&entry));
    assert_eq!(blob(&reference, &Digest::of(&oci::config_blob(&entry)).to_string()), oci::config_blob(&entry));
    let mut unpacked = Vec::new();
    for layer in &entry.layers {
        let bytes = blob(&reference, &layer.digest);
        assert_eq!(bytes.len() as u64, layer.size);
        unpacked.extend(untar(&if layer.media_type.ends_with("+gzip") { gunzip(&bytes) } else { bytes }));
    }
    unpacked.sort();
    let sources: Vec<(String, Vec<u8>)> = ["config.json", "model.safetensors", "tokenizer/vocab.txt"]
        .iter()
        .map(|p| ((*p).to_owned(), fs::read(dir.join("weights").join(p)).unwrap()))
        .collect();
    assert!(unpacked == sources, "the files unpacked from the layers are the sources");

    // The index: the image (linux/amd64), then the weight with cog's annotations.
    let index: Value = serde_json::from_slice(&manifest(&reference, "v1", oci::MEDIA_TYPE_INDEX)).unwrap();
    let image = manifest(
        &format!("{}/acme/weighted:cog-image.v1", registry.address()),
        "cog-image.v1",
        "application/vnd.oci.image.manifest.v1+json",
    );
    assert_eq!(index["manifests"][0]["digest"], Digest::of(&image).to_string());
    assert_eq!(index["manifests"][0]["platform"], serde_json::json!({"architecture": "amd64", "os": "linux"}));
    assert_eq!(index["manifests"][1], serde_json::to_value(oci::index_entry(&entry)).unwrap());
    assert_eq!(index["manifests"][1]["artifactType"], "application/vnd.cog.weight.v1");
    assert_eq!(index["manifests"][1]["platform"], serde_json::json!({"architecture": "unknown", "os": "unknown"}));

    // Again: no blob is sent, weights or image.
    let mark = registry.mark();
    let again = ok(&push(&env, &archive, &dir, &reference)).stdout.clone();
    assert!(again.contains(&format!("pushed weight acme/weighted:{tag}@{}: already present", entry.digest)), "{again}");
    assert_eq!(registry.blob_writes_since(mark), vec![], "a re-push uploads nothing");

    // Another machine (an empty weight store) pushing to another repository gets the files from
    // the project's sources.
    let elsewhere = format!("{}/acme/copy:v1", registry.address());
    let fresh = Env::new();
    let pushed = ok(&push(&fresh, &archive, &dir, &elsewhere)).stdout.clone();
    assert!(pushed.contains(&format!("pushed weight acme/copy:{tag}@{}: 3 blobs uploaded", entry.digest)), "{pushed}");
}

#[test]
#[ignore = "needs docker-registry (checks/run push)"]
fn a_stale_lock_stops_the_push_before_anything_is_sent() {
    let registry = LocalRegistry::start();
    let env = Env::new();
    let work = tempfile::tempdir().unwrap();
    let dir = project(&work.path().join("model"));
    ok(&env.run(&["weights", "import", dir.to_str().unwrap()]));
    fs::write(dir.join("cog.yaml"), cog_yaml("weights").replace("/src/weights/encoder", "/src/weights/other")).unwrap();
    let archive = work.path().join("image.tar");
    Image::new(6, 1, 10_000).write(&archive);

    let mark = registry.mark();
    let refused = push(&env, &archive, &dir, &format!("{}/acme/stale:v1", registry.address()));
    assert_eq!(refused.code, 1, "{}", refused.stdout);
    assert!(
        refused.stderr.contains("weight \"encoder\" was imported for another cog.yaml (target: /src/weights/encoder → /src/weights/other)"),
        "{}",
        refused.stderr
    );
    assert!(registry.requests_since(mark).iter().all(|(method, _, _)| method == "GET"), "{:?}", registry.requests_since(mark));
}
