//! cog's own weights.lock files (tests/fixtures/cog, from replicate/cog): what cognix computes
//! from their entries must be what cog recorded, and a tampered entry must be reported.

use std::fs;

use cognix_weights::check;
use cognix_weights::lock::Lock;

fn golden(name: &str) -> (String, Lock) {
    let text = fs::read_to_string(format!("{}/tests/fixtures/cog/{name}.weights.lock", env!("CARGO_MANIFEST_DIR"))).unwrap();
    let lock = Lock::parse(&text).unwrap();
    (text, lock)
}

const LOCKS: [&str; 2] = ["managed-weights", "resnet-managed-weights"];

#[test]
fn set_digests_manifest_digests_and_sizes_are_cogs() {
    let mut checked = Vec::new();
    for name in LOCKS {
        let (_, lock) = golden(name);
        for entry in &lock.weights {
            let computed = check::compute(entry);
            assert_eq!(computed.set_digest, entry.set_digest, "{name}/{}: setDigest", entry.name);
            assert_eq!(computed.digest, entry.digest, "{name}/{}: manifest digest", entry.name);
            assert_eq!((computed.size, computed.size_compressed), (entry.size, entry.size_compressed), "{name}/{}: sizes", entry.name);
            checked.push(entry.name.clone());
        }
        assert_eq!(check::lock(&lock, "run `cognix weights import`"), []);
    }
    assert_eq!(checked, ["parakeet", "minilm", "resnet50"]);
}

#[test]
fn locks_reserialize_byte_for_byte() {
    for name in LOCKS {
        let (text, lock) = golden(name);
        assert_eq!(String::from_utf8(lock.to_bytes()).unwrap(), text, "{name}");
    }
}

#[test]
fn envelope_is_cogs() {
    for name in LOCKS {
        assert_eq!(golden(name).1.envelope_format, cognix_weights::envelope::format());
    }
}

#[test]
fn a_tampered_file_digest_is_reported_where_it_is_recorded() {
    let (text, _) = golden("managed-weights");
    let original = "sha256:953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41";
    let tampered = text.replace(original, "sha256:953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b42");
    let lock = Lock::parse(&tampered).unwrap();
    let rendered: Vec<String> = check::lock(&lock, "run `cognix weights import`").iter().map(|p| p.render("weights.lock")).collect();
    assert_eq!(
        rendered,
        [
            "weights.lock:99:17: weights[1].digest: recorded sha256:6b15a4ac4f7e4dec39939043d32e7c51238516356f810b496735c50d0d7310be, \
             but its files and layers give sha256:8abec450d77bd5322f35f1f424a002a51b670f0c6e698c716403a33539ffc5cf: \
             weights.lock was edited or is corrupted; run `cognix weights import`",
            "weights.lock:100:20: weights[1].setDigest: recorded sha256:18074874da7fd77e7cf1fefcbb2fc7edee0c38417f2255962e8a4fff5567b1d2, \
             but its files give sha256:e8247fcbbeb6c82adc5981d47bb21fe5729de83d313ca36da9a05f8994fc3122: \
             weights.lock was edited or is corrupted; run `cognix weights import`",
        ]
    );
}
