//! What `--image SOURCE` (or a built model) names: a stream script, a docker-archive file, or
//! `-` for standard input.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use super::PushError;
use crate::archive::ArchiveFile;
use crate::stream_script::StreamScript;

/// An image to push, opened (and, for a file, indexed and checked) before the registry is
/// contacted.
pub enum Source {
    File(ArchiveFile),
    Script(StreamScript),
    Stdin,
}

impl Source {
    pub fn open(name: &str) -> Result<Self, PushError> {
        if name == "-" {
            return Ok(Self::Stdin);
        }
        let path = Path::new(name);
        let problem = |problem: &str| PushError::Source(format!("--image {name}: {problem}"));
        let meta = std::fs::metadata(path).map_err(|e| problem(&format!("cannot be read ({e})")))?;
        if meta.is_dir() {
            return Err(problem("is a directory; give the ./result of `nix build`, a docker-archive tar, or - for standard input"));
        }
        if let Some(script) = StreamScript::open(path)? {
            return Ok(Self::Script(script));
        }
        if is_tar(path) {
            return Ok(Self::File(ArchiveFile::open(path)?));
        }
        Err(problem("is neither a stream script nor a docker-archive tar (a compressed archive must be decompressed first)"))
    }
}

/// A POSIX tar has `ustar` at offset 257 of its first header.
fn is_tar(path: &Path) -> bool {
    let mut header = [0; 512];
    File::open(path).and_then(|mut f| f.read_exact(&mut header)).is_ok() && &header[257..262] == b"ustar"
}
