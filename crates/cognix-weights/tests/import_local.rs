//! Importing from local directories: cog's packing rules on small, large (sparse, > 64 MiB) and
//! incompressible files, layers that unpack to the sources, a lock that stays put when nothing
//! changed, and clear errors.

mod common;

use std::fs;
use std::path::Path;
use std::process::Command;

use cognix_io::digest::Digest;
use cognix_weights::lock::Lock;
use cognix_weights::oci::{MEDIA_TYPE_LAYER_TAR, MEDIA_TYPE_LAYER_TAR_GZIP};
use cognix_weights::{check, digest, layer, pack};
use common::{import_named, import_project, project, remote, sha256_hex, sparse, write};

const MIB: u64 = 1024 * 1024;

const COG_YAML: &str = "\
model: r8.im/acme/local
build:
  python_version: \"3.12\"
predict: predict.py:Predictor
weights:
  - name: local
    target: /src/weights/local
    source:
      uri: weights
      exclude: [\"*.md\"]
";

/// The files of the `weights` directory, relative path → content.
fn populate(dir: &Path) -> Vec<(&'static str, Vec<u8>)> {
    let small = vec![
        ("config.json", b"{\"hidden\": 384}".to_vec()),
        ("sub/tokenizer.json", b"{\"vocab\": []}".to_vec()),
        // Incompressible by extension, but small: bundled like the rest.
        ("tiny.bin", vec![7; 1000]),
    ];
    for (path, content) in &small {
        write(&dir.join("weights").join(path), content);
    }
    write(&dir.join("weights/README.md"), b"# excluded by the pattern");
    write(&dir.join("weights/.cog/state"), b"cog's state, never packed");
    sparse(&dir.join("weights/model.safetensors"), 65 * MIB, b"safetensors");
    sparse(&dir.join("weights/big.txt"), 64 * MIB, b"compressible");
    small
}

fn read_lock(dir: &Path) -> (String, Lock) {
    let text = fs::read_to_string(dir.join("weights.lock")).unwrap();
    let lock = Lock::parse(&text).unwrap();
    (text, lock)
}

#[test]
fn packs_by_cogs_rules_and_unpacks_to_the_sources() {
    let work = tempfile::tempdir().unwrap();
    let dir = project(&work.path().join("p"), COG_YAML);
    let small = populate(&dir);
    let store = work.path().join("store");

    let imported = import_project(&dir, &store, &remote("http://127.0.0.1:9", None), false).unwrap();
    assert_eq!((imported[0].files, imported[0].layers, imported[0].changed, imported[0].kept_layers), (5, 3, true, false));

    let (_, lock) = read_lock(&dir);
    let entry = &lock.weights[0];
    assert_eq!(check::lock(&lock, "fix"), []);
    let paths: Vec<&str> = entry.files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(paths, ["big.txt", "config.json", "model.safetensors", "sub/tokenizer.json", "tiny.bin"]);
    for (path, content) in &small {
        let file = entry.files.iter().find(|f| f.path == *path).unwrap();
        assert_eq!(file.digest, format!("sha256:{}", sha256_hex(content)), "{path}");
    }
    let source = &entry.sources[0];
    assert_eq!((source.uri.as_str(), source.include.len(), source.exclude.as_slice()), ("file://./weights", 0, &["*.md".to_owned()][..]));
    // The fingerprint covers the whole directory (README.md too), not .cog.
    let mut all: Vec<(String, String)> = Vec::new();
    for f in &entry.files {
        all.push((f.path.clone(), f.digest.clone()));
    }
    all.push(("README.md".into(), format!("sha256:{}", sha256_hex(b"# excluded by the pattern"))));
    assert_eq!(source.fingerprint, digest::set_digest(all.iter().map(|(p, d)| (p.as_str(), d.as_str()))));

    // A bundle of the three small files, the large .safetensors uncompressed, the large .txt gzipped.
    let layer_of = |path: &str| {
        let digest = &entry.files.iter().find(|f| f.path == path).unwrap().layer;
        entry.layers.iter().find(|l| &l.digest == digest).unwrap()
    };
    assert_eq!(layer_of("config.json"), layer_of("tiny.bin"));
    assert_eq!(layer_of("config.json").media_type, MEDIA_TYPE_LAYER_TAR_GZIP);
    assert_eq!(layer_of("big.txt").media_type, MEDIA_TYPE_LAYER_TAR_GZIP);
    let safetensors = layer_of("model.safetensors");
    assert_eq!(safetensors.media_type, MEDIA_TYPE_LAYER_TAR);
    // PAX header + header + data + end of archive, as Go writes it.
    assert_eq!((safetensors.size, safetensors.size_uncompressed), (65 * MIB + 2560, 65 * MIB));
    assert_eq!(entry.size, 129 * MIB + 15 + 13 + 1000);

    // Every layer, rebuilt from the store, has the lock's digest and unpacks to the sources.
    let store = cognix_weights::store::Store::new(&store);
    let files: Vec<pack::Item> =
        entry.files.iter().map(|f| pack::Item { path: f.path.clone(), size: f.size, digest: f.digest.clone() }).collect();
    let unpacked = work.path().join("unpacked");
    fs::create_dir_all(&unpacked).unwrap();
    for planned in pack::plan(&files) {
        let blob_path = work.path().join("layer");
        let blob = layer::write(&planned, |i| store.open(&i.digest), fs::File::create(&blob_path).unwrap()).unwrap();
        assert!(entry.layers.iter().any(|l| l.digest == blob.digest.as_str() && l.size == blob.size));
        let status = Command::new("tar").arg("-xf").arg(&blob_path).arg("-C").arg(&unpacked).status().unwrap();
        assert!(status.success());
    }
    for f in &entry.files {
        let original = fs::read(dir.join("weights").join(&f.path)).unwrap();
        assert!(fs::read(unpacked.join(&f.path)).unwrap() == original, "{} differs after unpacking", f.path);
    }
    assert!(!unpacked.join("README.md").exists() && !unpacked.join(".cog").exists());
}

#[test]
fn an_unchanged_import_leaves_the_lock_alone_and_keeps_recorded_layers() {
    let work = tempfile::tempdir().unwrap();
    let dir = project(&work.path().join("p"), COG_YAML);
    write(&dir.join("weights/a.json"), b"{}");
    write(&dir.join("weights/b.json"), b"[]");
    let store = work.path().join("store");
    let remote = remote("http://127.0.0.1:9", None);
    import_project(&dir, &store, &remote, false).unwrap();

    // As if cog had packed the bundle: its gzip bytes (and so the digests) differ from cognix's.
    let (text, mut lock) = read_lock(&dir);
    let ours = lock.weights[0].layers[0].digest.clone();
    let cogs = Digest::of(b"the bundle as Go's compress/flate writes it").to_string();
    let mut edited = text.replace(&ours, &cogs);
    let mut entry = Lock::parse(&edited).unwrap().weights.remove(0);
    entry.digest = check::compute(&entry).digest;
    edited = edited.replace(&lock.weights[0].digest, &entry.digest);
    fs::write(dir.join("weights.lock"), &edited).unwrap();
    lock = Lock::parse(&edited).unwrap();
    assert_eq!(check::lock(&lock, "fix"), []);

    let imported = import_project(&dir, &store, &remote, false).unwrap();
    assert_eq!((imported[0].changed, imported[0].kept_layers), (false, true));
    assert_eq!(fs::read_to_string(dir.join("weights.lock")).unwrap(), edited, "cog's layers and importedAt are kept");

    // --repack packs them again, with cognix's bytes.
    let imported = import_project(&dir, &store, &remote, true).unwrap();
    assert_eq!((imported[0].changed, imported[0].kept_layers), (true, false));
    assert_eq!(read_lock(&dir).1.weights[0].layers[0].digest, ours);

    // A changed file changes the entry.
    write(&dir.join("weights/b.json"), b"[1]");
    let imported = import_project(&dir, &store, &remote, false).unwrap();
    assert_eq!((imported[0].changed, imported[0].kept_layers), (true, false));
}

#[test]
fn errors_name_the_weight_and_what_to_do() {
    let work = tempfile::tempdir().unwrap();
    let store = work.path().join("store");
    let remote = remote("http://127.0.0.1:9", None);

    let dir = project(&work.path().join("none-left"), COG_YAML);
    write(&dir.join("weights/only.md"), b"x");
    assert_eq!(
        import_project(&dir, &store, &remote, false).unwrap_err(),
        "weight \"local\" source[0] (file://./weights): include/exclude patterns matched zero files out of 1 in the source\n  exclude: [\"*.md\"]\n  check your patterns — did you mean a different glob?"
    );

    let dir = project(&work.path().join("missing"), COG_YAML);
    assert_eq!(
        import_project(&dir, &store, &remote, false).unwrap_err(),
        "weight \"local\" source[0] (file://./weights): weight source not found: file://./weights"
    );

    let dir = project(&work.path().join("symlink"), COG_YAML);
    write(&dir.join("elsewhere.json"), b"{}");
    fs::create_dir_all(dir.join("weights")).unwrap();
    std::os::unix::fs::symlink(dir.join("elsewhere.json"), dir.join("weights/linked.json")).unwrap();
    assert_eq!(
        import_project(&dir, &store, &remote, false).unwrap_err(),
        "weight \"local\" source[0] (file://./weights): weight source contains non-regular entry \"linked.json\" (symlink); resolve to regular files before importing"
    );

    let dir = project(&work.path().join("scheme"), &COG_YAML.replace("uri: weights", "uri: s3://bucket/w"));
    let message = import_project(&dir, &store, &remote, false).unwrap_err();
    assert!(
        message.ends_with(
            "cog.yaml:9:12: weights[0].source.uri: unsupported weight source scheme \"s3\" (supported: file, hf, huggingface, https, http)"
        ),
        "{message}"
    );

    // An unreadable lock is reported where it breaks, and left as it is.
    let dir = project(&work.path().join("bad-lock"), COG_YAML);
    write(&dir.join("weights/a.json"), b"{}");
    fs::write(dir.join("weights.lock"), "{\"version\": 1, \"weights\": [}").unwrap();
    let message = import_project(&dir, &store, &remote, false).unwrap_err();
    assert!(message.ends_with("weights.lock:1:28: invalid JSON: expected a JSON value"), "{message}");
    assert_eq!(fs::read_to_string(dir.join("weights.lock")).unwrap(), "{\"version\": 1, \"weights\": [}");
}

#[test]
fn named_weights_are_imported_alone_and_the_others_keep_their_entries() {
    let work = tempfile::tempdir().unwrap();
    let yaml = format!("{COG_YAML}  - name: second\n    target: /src/weights/second\n    source:\n      uri: other\n");
    let dir = project(&work.path().join("p"), &yaml);
    write(&dir.join("weights/a.json"), b"{}");
    write(&dir.join("other/b.json"), b"[]");
    let (store, remote) = (work.path().join("store"), remote("http://127.0.0.1:9", None));

    let imported = import_named(&dir, &store, &remote, false, &["second"]).unwrap();
    assert_eq!(imported.iter().map(|w| w.name.as_str()).collect::<Vec<_>>(), ["second"]);
    assert_eq!(read_lock(&dir).1.weights.iter().map(|w| w.name.as_str()).collect::<Vec<_>>(), ["second"]);

    import_project(&dir, &store, &remote, false).unwrap();
    write(&dir.join("weights/a.json"), b"{\"changed\": true}");
    let before = read_lock(&dir).1.weights[1].clone();
    import_named(&dir, &store, &remote, false, &["local"]).unwrap();
    let after = read_lock(&dir).1;
    assert_eq!(after.weights.iter().map(|w| w.name.as_str()).collect::<Vec<_>>(), ["local", "second"], "cog.yaml's order");
    assert_eq!(after.weights[1], before, "the weight not named is left as it was");

    assert!(import_named(&dir, &store, &remote, false, &["third"]).unwrap_err().ends_with("cog.yaml has no weight named \"third\""));
}
