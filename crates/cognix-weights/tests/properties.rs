//! Properties over generated input: reading any text as weights.lock ends in a lock or located
//! problems, never a panic; a lock written and read back is the same lock; the set digest does not
//! depend on the order of the files.

use cognix_io::digest::Digest;
use cognix_weights::digest;
use cognix_weights::lock::{At, Entry, File, Layer, Lock, Source};
use proptest::prelude::*;

fn text() -> impl Strategy<Value = String> {
    // JSON-ish fragments, so that generated text gets past the first byte often.
    let piece = prop_oneof![
        Just("{".to_owned()),
        Just("}".to_owned()),
        Just("[".to_owned()),
        Just("]".to_owned()),
        Just(",".to_owned()),
        Just(":".to_owned()),
        Just("\"weights\"".to_owned()),
        Just("\"version\"".to_owned()),
        Just("\"files\"".to_owned()),
        Just("1".to_owned()),
        Just("-0.5e3".to_owned()),
        Just("null".to_owned()),
        Just("\"\\ud800\"".to_owned()),
        "\\PC{0,4}",
    ];
    prop::collection::vec(piece, 0..40).prop_map(|p| p.concat())
}

fn digest_of(seed: u32) -> String {
    Digest::of(&seed.to_le_bytes()).to_string()
}

fn entry() -> impl Strategy<Value = Entry> {
    let file = ("[a-z0-9_./<>&é-]{1,20}", 0u64..1 << 40, any::<u32>(), any::<u32>()).prop_map(|(path, size, d, l)| File {
        path,
        size,
        digest: digest_of(d),
        layer: digest_of(l),
        at: At::default(),
    });
    let layer = (any::<u32>(), any::<bool>(), 0u64..1 << 40, 0u64..1 << 40).prop_map(|(d, gz, size, raw)| Layer {
        digest: digest_of(d),
        media_type: if gz { "application/vnd.oci.image.layer.v1.tar+gzip".into() } else { "application/vnd.oci.image.layer.v1.tar".into() },
        size,
        size_uncompressed: raw,
        at: At::default(),
    });
    let source = ("[a-z:/.@-]{1,30}", prop::collection::vec("[*a-z./]{1,8}", 0..3), prop::collection::vec("[*a-z./]{1,8}", 0..3)).prop_map(
        |(uri, mut include, mut exclude)| {
            include.sort();
            exclude.sort();
            Source { uri, fingerprint: "commit:abc".into(), include, exclude, at: At::default() }
        },
    );
    (
        "[a-z0-9]{1,10}",
        "/[a-z/]{1,20}",
        prop::collection::vec(source, 1..3),
        prop::collection::vec(file, 1..6),
        prop::collection::vec(layer, 1..4),
        0u64..1 << 50,
        0u64..1 << 50,
    )
        .prop_map(|(name, target, sources, files, layers, size, size_compressed)| {
            let mut entry = Entry {
                name,
                target,
                sources,
                imported_at: "2026-01-02T03:04:05.5Z".into(),
                digest: digest_of(1),
                set_digest: digest_of(2),
                size,
                size_compressed,
                files,
                layers,
                at: At::default(),
            };
            entry.canonicalize();
            entry
        })
}

proptest! {
    #[test]
    fn any_text_reads_to_a_lock_or_problems(text in text()) {
        if let Err(problems) = Lock::parse(&text) {
            prop_assert!(!problems.is_empty());
            prop_assert!(problems.iter().all(|p| p.pos.line >= 1 && p.pos.column >= 1));
        }
    }

    #[test]
    fn written_locks_read_back_unchanged(weights in prop::collection::vec(entry(), 0..3)) {
        let lock = Lock { version: 1, envelope_format: digest_of(3), weights, at: At::default() };
        let bytes = lock.to_bytes();
        let read = Lock::parse(std::str::from_utf8(&bytes).unwrap()).unwrap();
        prop_assert_eq!(&read, &lock);
        prop_assert_eq!(read.to_bytes(), bytes);
    }

    #[test]
    fn set_digest_ignores_file_order(mut files in prop::collection::vec(("[a-z/.]{1,12}", any::<u32>()), 0..8), seed in any::<u64>()) {
        let lines: Vec<(String, String)> = files.iter().map(|(p, d)| (p.clone(), digest_of(*d))).collect();
        let before = digest::set_digest(lines.iter().map(|(p, d)| (p.as_str(), d.as_str())));
        let by = usize::try_from(seed % 8).unwrap().min(files.len());
        files.rotate_left(by);
        let rotated: Vec<(String, String)> = files.iter().map(|(p, d)| (p.clone(), digest_of(*d))).collect();
        prop_assert_eq!(before, digest::set_digest(rotated.iter().map(|(p, d)| (p.as_str(), d.as_str()))));
    }
}
