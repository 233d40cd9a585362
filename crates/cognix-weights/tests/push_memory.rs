//! Pushing weights against a repository kept in memory that checks digests as a registry does:
//! what goes up, in which order, what is skipped, and what is refused before anything is sent.
//! (The real registry is exercised by the `cognix` crate's push tests.)

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::io::Read;
use std::path::Path;
use std::sync::Mutex;

use cognix_io::digest::Digest;
use cognix_io::progress::Quiet;
use cognix_weights::check;
use cognix_weights::lock::Lock;
use cognix_weights::oci::{self, Descriptor, MEDIA_TYPE_MANIFEST};
use cognix_weights::push::{self, Context, PushError, Pushed, Repository};
use cognix_weights::spec::Project;
use cognix_weights::store::Store;
use common::{import_project, project, remote, sparse, write};

#[derive(Default)]
struct Memory {
    blobs: Mutex<BTreeMap<String, Vec<u8>>>,
    manifests: Mutex<BTreeMap<String, (String, Vec<u8>)>>,
    /// Every upload and put, in order.
    log: Mutex<Vec<String>>,
}

impl Repository for Memory {
    fn has_blob(&self, digest: &str) -> Result<bool, String> {
        Ok(self.blobs.lock().unwrap().contains_key(digest))
    }

    fn upload_blob(&self, digest: &str, content: &mut dyn Read, progress: &(dyn Fn(u64) + Sync)) -> Result<(), String> {
        let mut bytes = Vec::new();
        content.read_to_end(&mut bytes).map_err(|e| e.to_string())?;
        progress(bytes.len() as u64);
        if Digest::of(&bytes).to_string() != digest {
            return Err(format!("DIGEST_INVALID: {digest}"));
        }
        self.log.lock().unwrap().push(format!("blob {}", &digest[7..19]));
        self.blobs.lock().unwrap().insert(digest.to_owned(), bytes);
        Ok(())
    }

    fn manifest_size(&self, digest: &str) -> Result<Option<u64>, String> {
        Ok(self.manifests.lock().unwrap().values().find(|(_, b)| Digest::of(b).to_string() == digest).map(|(_, b)| b.len() as u64))
    }

    fn put_manifest(&self, tag: &str, media_type: &str, bytes: &[u8]) -> Result<String, String> {
        self.log.lock().unwrap().push(format!("manifest {tag}"));
        self.manifests.lock().unwrap().insert(tag.to_owned(), (media_type.to_owned(), bytes.to_vec()));
        Ok(Digest::of(bytes).to_string())
    }
}

const COG_YAML: &str = "\
model: r8.im/acme/pushed
predict: predict.py:Predictor
weights:
  - name: pushed
    target: /src/weights/pushed
    source:
      uri: weights
";

fn imported(dir: &Path, store: &Path) -> Lock {
    let dir = project(dir, COG_YAML);
    write(&dir.join("weights/config.json"), b"{\"a\": 1}");
    write(&dir.join("weights/vocab.txt"), b"a\nb\n");
    sparse(&dir.join("weights/model.safetensors"), 70 << 20, b"weights");
    import_project(&dir, store, &remote("http://127.0.0.1:9", None), false).unwrap();
    Lock::parse(&fs::read_to_string(dir.join("weights.lock")).unwrap()).unwrap()
}

fn push(dir: &Path, store: &Path, repository: &Memory) -> Result<Vec<Pushed>, PushError> {
    let project = Project::read(dir).unwrap();
    let (store, remote) = (Store::new(store), remote("http://127.0.0.1:9", None));
    let ctx = Context { project: &project, store: &store, remote: &remote, fix: "cognix weights import", jobs: 2 };
    let lock = push::lock_for_push(&ctx)?.expect("weights");
    push::weights(&ctx, &lock, repository, &mut Quiet)
}

#[test]
fn layers_config_then_manifest_and_nothing_twice() {
    let work = tempfile::tempdir().unwrap();
    let (dir, store) = (work.path().join("p"), work.path().join("store"));
    let lock = imported(&dir, &store);
    let entry = &lock.weights[0];
    let repository = Memory::default();

    let pushed = push(&dir, &store, &repository).unwrap();
    let tag = format!("cog-weight.pushed.{}", &entry.set_digest[7..19]);
    assert_eq!(
        pushed,
        [Pushed {
            name: "pushed".into(),
            tag: tag.clone(),
            digest: entry.digest.clone(),
            uploaded: 3,
            uploaded_bytes: entry.size_compressed + oci::config_blob(entry).len() as u64,
            present: 0,
            manifest_present: false
        }]
    );
    let log = repository.log.lock().unwrap().clone();
    assert_eq!(log.len(), 4);
    assert_eq!(log[3], format!("manifest {tag}"), "the manifest goes last");
    let (media_type, manifest) = repository.manifests.lock().unwrap()[&tag].clone();
    assert_eq!((media_type.as_str(), Digest::of(&manifest).to_string()), (MEDIA_TYPE_MANIFEST, entry.digest.clone()));
    assert_eq!(repository.blobs.lock().unwrap()[&Digest::of(&oci::config_blob(entry)).to_string()], oci::config_blob(entry));

    // Again: one HEAD, nothing sent.
    let again = push(&dir, &store, &repository).unwrap();
    assert!(again[0].manifest_present && again[0].uploaded == 0);
    assert_eq!(repository.log.lock().unwrap().len(), 4);

    // A repository that lost the manifest and one layer gets exactly those back, from a machine
    // whose store is empty: the files come from the sources again.
    let lost = entry.layers[0].digest.clone();
    repository.blobs.lock().unwrap().remove(&lost);
    repository.manifests.lock().unwrap().clear();
    let pushed = push(&dir, &work.path().join("empty-store"), &repository).unwrap();
    assert_eq!((pushed[0].uploaded, pushed[0].present), (1, 2));
    assert_eq!(repository.log.lock().unwrap()[4..], [format!("blob {}", &lost[7..19]), format!("manifest {tag}")]);

    // The index: the image first (linux/amd64), then the weight with cog's annotations.
    let image = Descriptor::of(MEDIA_TYPE_MANIFEST, b"{\"image\": true}");
    push::index(&lock, &image, "v1", &repository).unwrap();
    let (_, index) = repository.manifests.lock().unwrap()["v1"].clone();
    let index: serde_json::Value = serde_json::from_slice(&index).unwrap();
    assert_eq!(index["mediaType"], "application/vnd.oci.image.index.v1+json");
    assert_eq!(index["manifests"][0]["platform"], serde_json::json!({"architecture": "amd64", "os": "linux"}));
    assert_eq!(
        index["manifests"][1],
        serde_json::json!({
            "mediaType": MEDIA_TYPE_MANIFEST,
            "size": manifest.len(),
            "digest": entry.digest,
            "annotations": {
                "run.cog.weight.name": "pushed",
                "run.cog.weight.set-digest": entry.set_digest,
                "run.cog.weight.size.uncompressed": entry.size.to_string(),
            },
            "platform": {"architecture": "unknown", "os": "unknown"},
            "artifactType": "application/vnd.cog.weight.v1",
        })
    );
}

#[test]
fn a_bad_lock_or_a_foreign_layer_sends_nothing() {
    let work = tempfile::tempdir().unwrap();
    let (dir, store) = (work.path().join("p"), work.path().join("store"));
    let lock = imported(&dir, &store);
    let text = fs::read_to_string(dir.join("weights.lock")).unwrap();
    let repository = Memory::default();

    // An edited file digest.
    let file = &lock.weights[0].files[0];
    fs::write(dir.join("weights.lock"), text.replace(&file.digest, &Digest::of(b"other").to_string())).unwrap();
    let message = push(&dir, &store, &repository).unwrap_err().to_string();
    assert!(message.starts_with("weights.lock cannot be pushed:\n"), "{message}");
    assert!(message.contains("weights[0].digest: recorded"), "{message}");

    // A bundle another tool packed: the same files, other gzip bytes.
    let bundle = lock.weights[0].layers.iter().find(|l| l.media_type.ends_with("gzip")).unwrap();
    let foreign = Digest::of(b"the bundle as Go's compress/flate writes it").to_string();
    let mut edited: Lock = Lock::parse(&text.replace(&bundle.digest, &foreign)).unwrap();
    edited.weights[0].digest = check::compute(&edited.weights[0]).digest;
    fs::write(dir.join("weights.lock"), edited.to_bytes()).unwrap();
    let message = push(&dir, &store, &repository).unwrap_err().to_string();
    assert!(
        message.starts_with(&format!("weight \"pushed\": layer {foreign}: cognix packs these files into {} instead", bundle.digest)),
        "{message}"
    );
    assert!(message.contains("run `cognix weights import --repack`"), "{message}");
    assert_eq!(repository.log.lock().unwrap().len(), 0, "nothing was sent");
}
