//! The project directory and the only way cognix-gen reads files from it: size-limited, UTF-8
//! checked, and contained (a path from cog.yaml must resolve inside the project after symlinks
//! are followed, so a crafted cog.yaml cannot make a pre-commit hook read `/etc/shadow`).
//! In: a path, and paths written in cog.yaml; out: the project, the text of its files, and each
//! file's sha256 (cog.nix's `cognix.generatedFrom`).

use std::fs;
use std::io::Read;
use std::path::{Component, Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::diagnostic::{Diagnostic, Kind, Pos, Reported, Sink};

/// Files larger than this are refused before they are read. Real cog.yaml and requirements files
/// are a few kilobytes.
pub const MAX_FILE_BYTES: u64 = 1024 * 1024;

/// A file read from the project, remembered for cog.nix's header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Input {
    /// Relative to the project directory, with `/` separators.
    pub name: String,
    pub sha256: String,
}

#[derive(Debug)]
pub struct Project {
    /// Canonical (symlink-free) project directory.
    root: PathBuf,
    /// The config file, relative to the root (`cog.yaml` unless the user named another file).
    config_name: String,
    /// The project directory as the user wrote it, with a trailing `/` (empty for `.`), put in
    /// front of file names in messages.
    pub display: String,
    /// Every file read so far, in reading order.
    pub inputs: Vec<Input>,
}

impl Project {
    /// `path` is a project directory holding `cog.yaml` (or inside one: like cog, the parent
    /// directories are searched), or a YAML file of any name. Before the project is open there is
    /// no config file to report about, so a failure is the one diagnostic, about `path`.
    #[expect(clippy::result_large_err, reason = "an error ends the run, so its size costs nothing")]
    pub fn open(path: &Path) -> Result<Project, Diagnostic> {
        let written = path.display().to_string();
        if !path.exists() {
            return Err(Diagnostic::new(Kind::PathNotFound, written, Pos::NONE, ""));
        }
        let (dir, config_name) = if path.is_dir() {
            (path.to_path_buf(), "cog.yaml".to_owned())
        } else {
            let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
            (dir.to_path_buf(), name)
        };
        let not_found = || {
            let shown = display_prefix(&dir);
            let kind = Kind::ConfigNotFound { dir: if shown.is_empty() { ".".to_owned() } else { shown.trim_end_matches('/').to_owned() } };
            Diagnostic::new(kind, format!("{shown}{config_name}"), Pos::NONE, "")
        };
        let canonical = fs::canonicalize(&dir).map_err(|_| not_found())?;
        if canonical.join(&config_name).is_file() {
            return Ok(Project { root: canonical, config_name, display: display_prefix(&dir), inputs: Vec::new() });
        }
        if !path.is_dir() {
            return Err(not_found());
        }
        // The nearest ancestor with a cog.yaml, shown relative to the directory as written.
        let mut shown = dir.clone();
        for ancestor in canonical.ancestors().skip(1) {
            shown.push("..");
            if ancestor.join(&config_name).is_file() {
                return Ok(Project { root: ancestor.to_path_buf(), config_name, display: display_prefix(&shown), inputs: Vec::new() });
            }
        }
        Err(not_found())
    }

    pub fn config_name(&self) -> &str {
        &self.config_name
    }

    /// Where the generated file goes: `cog.nix` beside the config file.
    pub fn output_path(&self) -> PathBuf {
        self.root.join("cog.nix")
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Reads the config file.
    pub fn read_config(&mut self, sink: &mut Sink) -> Result<String, Reported> {
        let name = self.config_name.clone();
        let path = self.root.join(&name);
        self.read_located(&path, &name, "", Pos::START, sink)
    }

    /// Resolves a path written in cog.yaml (under `key`, at `pos`) to a file inside the project,
    /// relative to `base` (a project-relative directory) unless absolute. Returns the
    /// project-relative name, or `Ok(None)` when the file does not exist. `file` is the file the
    /// path was written in.
    pub fn locate(
        &self,
        written: &str,
        base: &str,
        key: &str,
        pos: Pos,
        file: &str,
        sink: &mut Sink,
    ) -> Result<Option<(PathBuf, String)>, Reported> {
        let joined = if Path::new(written).is_absolute() { PathBuf::from(written) } else { self.root.join(base).join(written) };
        let mut outside = || sink.fail_in(file, Kind::PathOutsideProject { path: written.to_owned() }, pos, key);
        let Ok(canonical) = fs::canonicalize(&joined) else {
            // A missing file is the caller's message; but a path that *would* leave the project
            // is refused even when it does not exist.
            return if lexically_inside(&self.root, &joined) { Ok(None) } else { Err(outside()) };
        };
        let Ok(relative) = canonical.strip_prefix(&self.root) else {
            return Err(outside());
        };
        let name = relative.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/");
        Ok(Some((canonical, name)))
    }

    /// Reads a located file (see `locate`), named `name` in messages, for `key` at `pos`.
    pub fn read_located(&mut self, path: &Path, name: &str, key: &str, pos: Pos, sink: &mut Sink) -> Result<String, Reported> {
        let bytes = read_limited(path).map_err(|(kind, at)| sink.fail_in(name, kind, at.unwrap_or(pos), key))?;
        let text = decode_text(&bytes).map_err(|(kind, at)| sink.fail_in(name, kind, at, key))?;
        self.inputs.push(Input { name: name.to_owned(), sha256: hex(&Sha256::digest(&bytes)) });
        Ok(text)
    }
}

/// The bytes of a file of at most `MAX_FILE_BYTES`, or the problem, with its position when it is
/// not the one the file was asked for at.
fn read_limited(path: &Path) -> Result<Vec<u8>, (Kind, Option<Pos>)> {
    let io = |e: std::io::Error| (Kind::FileRead { reason: e.to_string() }, None);
    let file = fs::File::open(path).map_err(io)?;
    let size = file.metadata().map_err(io)?.len();
    if size > MAX_FILE_BYTES {
        return Err((Kind::FileTooLarge { size, limit: MAX_FILE_BYTES }, Some(Pos::START)));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    // `take` bounds the read even if the file grows between metadata() and read().
    file.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes).map_err(io)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err((Kind::FileTooLarge { size: bytes.len() as u64, limit: MAX_FILE_BYTES }, Some(Pos::START)));
    }
    Ok(bytes)
}

/// UTF-8 text without NUL bytes, or the problem and its position.
pub fn decode_text(bytes: &[u8]) -> Result<String, (Kind, Pos)> {
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => return Err((Kind::InvalidUtf8, position(&bytes[..e.valid_up_to()]))),
    };
    if let Some(i) = text.find('\0') {
        return Err((Kind::NulByte, position(&bytes[..i])));
    }
    Ok(text.to_owned())
}

/// The line and column just after `prefix`.
fn position(prefix: &[u8]) -> Pos {
    let text = String::from_utf8_lossy(prefix);
    let line = text.matches('\n').count() + 1;
    let column = text.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    Pos::new(line, column)
}

/// Whether `path`, with `.` and `..` applied without touching the file system, stays in `root`.
fn lexically_inside(root: &Path, path: &Path) -> bool {
    let mut normal = PathBuf::new();
    for component in path.components() {
        match component {
            Component::ParentDir => {
                normal.pop();
            }
            Component::CurDir => {}
            c => normal.push(c),
        }
    }
    normal.starts_with(root)
}

fn display_prefix(dir: &Path) -> String {
    let text = dir.display().to_string();
    let text = text.strip_prefix("./").filter(|t| !t.is_empty()).unwrap_or(&text).to_owned();
    if text.is_empty() || text == "." {
        String::new()
    } else if text.ends_with('/') {
        text
    } else {
        format!("{text}/")
    }
}

pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_text_locates_bad_bytes() {
        assert_eq!(decode_text(b"a: 1\nb: \xff\n"), Err((Kind::InvalidUtf8, Pos::new(2, 4))));
        assert_eq!(decode_text(b"a: \0"), Err((Kind::NulByte, Pos::new(1, 4))));
        assert_eq!(decode_text("é: 1".as_bytes()).unwrap(), "é: 1");
    }

    #[test]
    fn lexical_containment() {
        let root = Path::new("/p/project");
        assert!(lexically_inside(root, Path::new("/p/project/a/../b.txt")));
        assert!(!lexically_inside(root, Path::new("/p/project/../secret")));
    }

    #[test]
    fn display_prefix_forms() {
        assert_eq!(display_prefix(Path::new(".")), "");
        assert_eq!(display_prefix(Path::new("examples/x")), "examples/x/");
    }
}
