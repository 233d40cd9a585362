//! cognix's uncompressed layers against Go's archive/tar (`tests/oracle/go_tar.go`, whose output is
//! `tests/fixtures/go-tar.txt`): same synthetic files, same bytes, so the same digests as cog's.

use std::io::{self, Read};

use cognix_weights::layer;
use cognix_weights::oci::MEDIA_TYPE_LAYER_TAR;
use cognix_weights::pack::{Item, Planned};
use cognix_weights::tar;

/// As the oracle: the path repeated, cut to the size.
fn content(path: &str, size: u64) -> Vec<u8> {
    path.bytes().cycle().take(usize::try_from(size).unwrap()).collect()
}

fn case(name: &str) -> Vec<(String, u64)> {
    let long = format!("{}file-with-a-long-name.json", "long-directory-name/".repeat(6));
    let files: &[(&str, u64)] = match name {
        "single" => &[("model.safetensors", 1000)],
        "bundle" => &[("1_Pooling/config.json", 190), ("a/b/c/deep.txt", 513), ("config.json", 200), ("tokenizer.json", 1024)],
        "empty-file" => &[("empty", 0)],
        "long-name" => return vec![(long, 77)],
        "non-ascii" => &[("données/modèle.json", 33)],
        "exact-block" => &[("x/512.bin", 512), ("x/y/1024.bin", 1024)],
        other => panic!("unknown case {other}"),
    };
    files.iter().map(|(p, s)| ((*p).to_owned(), *s)).collect()
}

fn oracle() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/go-tar.txt")).unwrap()
}

#[test]
fn layers_are_byte_identical_to_go() {
    let mut compared = 0;
    for line in oracle().lines().filter(|l| !l.starts_with("huge-headers")) {
        let [name, digest, size] = line.split(' ').collect::<Vec<_>>()[..] else { panic!("{line}") };
        let files: Vec<Item> = case(name).into_iter().map(|(path, size)| Item { path, size, digest: String::new() }).collect();
        let planned = Planned { files, media_type: MEDIA_TYPE_LAYER_TAR };
        let blob = layer::write(&planned, |item| Ok(io::Cursor::new(content(&item.path, item.size))), io::sink()).unwrap();
        assert_eq!((blob.digest.as_str(), blob.size.to_string().as_str()), (digest, size), "case {name}");
        compared += 1;
    }
    assert_eq!(compared, 6);
}

/// A reader that fails: only the headers of the entry get written.
struct Refuse;

impl Read for Refuse {
    fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
        Err(io::Error::other("headers only"))
    }
}

#[test]
fn headers_of_a_file_over_8_gib_are_gos() {
    let want = oracle().lines().find_map(|l| l.strip_prefix("huge-headers ")).unwrap().to_owned();
    let mut writer = tar::Writer::new(Vec::new());
    let error = writer.file("huge.gguf", (8 << 30) + 1, Refuse).unwrap_err();
    assert_eq!(error.to_string(), "headers only");
    // What was written before the content failed.
    let bytes = writer.finish().unwrap();
    let hex: String = bytes[..1536].iter().map(|b| format!("{b:02x}")).collect::<Vec<_>>().concat();
    assert_eq!(hex, want);
}
