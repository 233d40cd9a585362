//! The bytes of one planned layer, streamed: a directory entry for every parent directory (sorted),
//! then the files in plan order, through gzip for compressed layers, into any sink while the
//! blob's digest and size are counted. Nothing is held in memory or written to disk, so the same
//! call computes a digest (sink: `io::sink()`) or feeds an upload.
//!
//! Uncompressed layers are byte-identical to cog's. gzip layers are not: cog's bytes come from
//! Go's compress/flate, cognix's from zlib-compatible deflate at the same level, so the
//! compressed digests (and the manifest digest of a weight with such a layer) differ while the
//! files, the set digest and the uncompressed sizes agree.

use std::collections::BTreeSet;
use std::io::{self, Read, Write};

use cognix_io::digest::{Blob, HashingWriter};
use flate2::write::GzEncoder;
use flate2::Compression;

use crate::pack::{Item, Planned};
use crate::tar;

/// Streams `layer` into `sink`, reading each file's content from `open`; the blob's size counts
/// the bytes written (compressed, for gzip layers).
pub fn write<R: Read>(layer: &Planned, mut open: impl FnMut(&Item) -> io::Result<R>, sink: impl Write) -> io::Result<Blob> {
    let mut counted = HashingWriter::new(sink);
    if layer.gzip() {
        let gzip = GzEncoder::new(&mut counted, Compression::new(layer.gzip_level()));
        entries(layer, &mut open, gzip)?.finish()?;
    } else {
        entries(layer, &mut open, &mut counted)?;
    }
    counted.flush()?;
    let (digest, size, _) = counted.finish();
    Ok(Blob { digest, size })
}

fn entries<R: Read, W: Write>(layer: &Planned, open: &mut impl FnMut(&Item) -> io::Result<R>, out: W) -> io::Result<W> {
    let mut tar = tar::Writer::new(out);
    for dir in parents(&layer.files) {
        tar.dir(&dir)?;
    }
    for file in &layer.files {
        tar.file(&file.path, file.size, open(file)?).map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", file.path)))?;
    }
    tar.finish()
}

/// Every parent directory of every file (`a/b/c` gives `a` and `a/b`), sorted.
fn parents(files: &[Item]) -> BTreeSet<String> {
    let mut dirs = BTreeSet::new();
    for file in files {
        let mut end = 0;
        while let Some(slash) = file.path[end..].find('/') {
            end += slash;
            dirs.insert(file.path[..end].to_owned());
            end += 1;
        }
    }
    dirs
}

#[cfg(test)]
mod tests {
    use cognix_io::digest::Digest;

    use super::*;
    use crate::oci::{MEDIA_TYPE_LAYER_TAR, MEDIA_TYPE_LAYER_TAR_GZIP};

    fn item(path: &str, content: &str) -> Item {
        Item { path: path.into(), size: content.len() as u64, digest: Digest::of(content.as_bytes()).into() }
    }

    #[test]
    fn parents_are_sorted_and_unique() {
        let files = [item("b/c/d.txt", ""), item("a.txt", ""), item("b/e.txt", "")];
        assert_eq!(parents(&files).into_iter().collect::<Vec<_>>(), ["b", "b/c"]);
    }

    #[test]
    fn digest_and_size_are_of_the_bytes_written() {
        let layer = Planned { files: vec![item("d/x.txt", "hello")], media_type: MEDIA_TYPE_LAYER_TAR };
        let mut bytes = Vec::new();
        let blob = write(&layer, |_| Ok(&b"hello"[..]), &mut bytes).unwrap();
        assert_eq!(blob, Blob { digest: Digest::of(&bytes), size: bytes.len() as u64 });
        // dir: pax + header; file: pax + header + data; end.
        assert_eq!(bytes.len(), 1024 + 512 + 1024 + 512 + 512 + 1024);
    }

    #[test]
    fn gzip_layers_decompress_to_the_tar() {
        let files = vec![item("a", "x"), item("b", "y")];
        let plain = Planned { files: files.clone(), media_type: MEDIA_TYPE_LAYER_TAR };
        let gzip = Planned { files, media_type: MEDIA_TYPE_LAYER_TAR_GZIP };
        let content = |i: &Item| Ok(if i.path == "a" { &b"x"[..] } else { &b"y"[..] });
        let (mut tar, mut gz) = (Vec::new(), Vec::new());
        write(&plain, content, &mut tar).unwrap();
        write(&gzip, content, &mut gz).unwrap();
        let mut unpacked = Vec::new();
        flate2::read::GzDecoder::new(&gz[..]).read_to_end(&mut unpacked).unwrap();
        assert_eq!(unpacked, tar);
    }
}
