//! Layer compression. A layer to upload is read once: hashed uncompressed (its `diff_id`),
//! gzip-compressed and hashed again (its blob digest) into a spool file. The spool file is what
//! gets uploaded, so a chunk that fails can be sent again, and the blob digest is known before
//! the upload, so a registry that already has the blob (pushed from another machine, whose cache
//! this one lacks) is asked first and nothing is sent.

use std::io::{self, BufWriter, Read};
use std::path::Path;

use cognix_io::copy;
use cognix_io::digest::{Blob, Digest, HashingReader, HashingWriter};

use crate::gzip::GzipWriter;

pub const MEDIA_TYPE_TAR: &str = "application/vnd.oci.image.layer.v1.tar";
pub const MEDIA_TYPE_TAR_GZIP: &str = "application/vnd.oci.image.layer.v1.tar+gzip";

/// The default gzip level. Level 1 compresses model layers (shared libraries, Python) to about
/// the size level 6 gives, at several times the speed (docs/benchmarks.md measures both).
pub const DEFAULT_GZIP_LEVEL: u32 = 1;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Compression {
    /// Layers as they are in the archive: the blob digest is the `diff_id`.
    None,
    Gzip {
        level: u32,
    },
}

impl Compression {
    pub fn media_type(self) -> &'static str {
        match self {
            Self::None => MEDIA_TYPE_TAR,
            Self::Gzip { .. } => MEDIA_TYPE_TAR_GZIP,
        }
    }

    /// The cache's name for blobs made this way.
    pub fn cache_method(self) -> Option<String> {
        match self {
            Self::None => None,
            Self::Gzip { level } => Some(format!("gzip-{level}")),
        }
    }
}

/// A layer read once into a spool file, ready to upload.
pub struct Spooled {
    pub diff_id: Digest,
    pub uncompressed_size: u64,
    pub blob: Blob,
    pub file: tempfile::NamedTempFile,
}

/// Reads a layer to its end, hashing it, compressing it as asked and writing the blob into a
/// new file in `dir`. `progress` gets the number of uncompressed bytes read, as they are read.
pub fn spool(layer: &mut dyn Read, compression: Compression, dir: &Path, progress: &mut dyn FnMut(u64)) -> io::Result<Spooled> {
    let mut file = tempfile::Builder::new().prefix("cognix-layer-").tempfile_in(dir)?;
    let mut input = HashingReader::new(layer);
    let mut output = HashingWriter::new(BufWriter::with_capacity(copy::CHUNK, file.as_file_mut()));
    let (blob_digest, blob_size, writer) = match compression {
        Compression::None => {
            copy::with_progress(&mut input, &mut output, progress)?;
            output.finish()
        }
        Compression::Gzip { level } => {
            let mut gzip = GzipWriter::new(output, level)?;
            copy::with_progress(&mut input, &mut gzip, progress)?;
            gzip.finish()?.finish()
        }
    };
    writer.into_inner().map_err(io::IntoInnerError::into_error)?;
    let (diff_id, uncompressed_size) = input.finish();
    Ok(Spooled { diff_id, uncompressed_size, blob: Blob { digest: blob_digest, size: blob_size }, file })
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::read::GzDecoder;

    #[test]
    fn gzip_spool_hashes_both_sides_and_decompresses_back() {
        let dir = tempfile::tempdir().unwrap();
        let layer: Vec<u8> = (0..300_000u32).flat_map(|n| (n % 251).to_le_bytes()).collect();
        let mut read = 0;
        let spooled = spool(&mut &layer[..], Compression::Gzip { level: 1 }, dir.path(), &mut |n| read += n).unwrap();
        assert_eq!(read, layer.len() as u64);
        assert_eq!(spooled.diff_id, Digest::of(&layer));
        assert_eq!(spooled.uncompressed_size, layer.len() as u64);
        let blob = std::fs::read(spooled.file.path()).unwrap();
        assert_eq!(spooled.blob, Blob { digest: Digest::of(&blob), size: blob.len() as u64 });
        assert!(blob.len() < layer.len());
        let mut back = Vec::new();
        GzDecoder::new(&blob[..]).read_to_end(&mut back).unwrap();
        assert_eq!(back, layer);
    }

    #[test]
    fn gzip_output_is_deterministic() {
        let dir = tempfile::tempdir().unwrap();
        let layer = b"the same layer twice".repeat(10_000);
        let once = spool(&mut &layer[..], Compression::Gzip { level: 6 }, dir.path(), &mut |_| ()).unwrap();
        let twice = spool(&mut &layer[..], Compression::Gzip { level: 6 }, dir.path(), &mut |_| ()).unwrap();
        assert_eq!(once.blob, twice.blob);
    }

    #[test]
    fn uncompressed_spool_is_the_layer() {
        let dir = tempfile::tempdir().unwrap();
        let layer = b"raw".repeat(1000);
        let spooled = spool(&mut &layer[..], Compression::None, dir.path(), &mut |_| ()).unwrap();
        assert_eq!(spooled.blob.digest, spooled.diff_id);
        assert_eq!(std::fs::read(spooled.file.path()).unwrap(), layer);
    }
}
