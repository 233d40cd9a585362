//! A tar writer whose bytes are those of Go's archive/tar as cog's packer drives it (PAX format,
//! mode 0644 for files and 0755 for directories, uid/gid 0, mtime/atime/ctime the Unix epoch):
//! the uncompressed layers cognix packs are byte-identical to cog's, so their digests are too.
//!
//! What that takes, from Go's writer: because atime and ctime are set, every entry is preceded by
//! a PAX extended header named `<dir>/PaxHeaders.0/<file>` holding `atime=0` and `ctime=0` (plus
//! `path` for names over 100 bytes or not ASCII, and `size` for files of 8 GiB or more); the
//! checksum is six octal digits, NUL, space; numeric fields are zero-padded octal with a NUL;
//! the archive ends with two zero blocks and no further padding.

use std::io::{self, Read, Write};

const BLOCK: usize = 512;
/// The largest size the 12-byte octal field holds (8 GiB - 1).
const MAX_OCTAL_SIZE: u64 = 0o77_777_777_777;

/// Writes entries to `out`; `finish` writes the end of the archive.
pub struct Writer<W: Write> {
    out: W,
}

impl<W: Write> Writer<W> {
    pub fn new(out: W) -> Writer<W> {
        Writer { out }
    }

    /// A directory entry (`name` without the trailing slash).
    pub fn dir(&mut self, name: &str) -> io::Result<()> {
        self.entry(&format!("{name}/"), b'5', 0o755, 0)
    }

    /// A regular file of exactly `size` bytes read from `content`.
    pub fn file(&mut self, name: &str, size: u64, content: impl Read) -> io::Result<()> {
        self.entry(name, b'0', 0o644, size)?;
        let copied = io::copy(&mut content.take(size), &mut self.out)?;
        if copied != size {
            return Err(io::Error::new(io::ErrorKind::UnexpectedEof, format!("{name}: expected {size} bytes, read {copied}")));
        }
        self.pad(size)
    }

    /// Two zero blocks; returns the sink.
    pub fn finish(mut self) -> io::Result<W> {
        self.out.write_all(&[0; 2 * BLOCK])?;
        Ok(self.out)
    }

    fn entry(&mut self, name: &str, typeflag: u8, mode: u64, size: u64) -> io::Result<()> {
        let mut records = vec![("atime", "0".to_owned()), ("ctime", "0".to_owned())];
        if name.len() > 100 || !name.is_ascii() {
            records.push(("path", name.to_owned()));
        }
        if size > MAX_OCTAL_SIZE {
            records.push(("size", size.to_string()));
        }
        let data: String = records.iter().map(|(k, v)| pax_record(k, v)).collect();
        let pax_name = pax_header_name(name);
        self.out.write_all(&header(&pax_name, b'x', 0, data.len() as u64, false))?;
        self.out.write_all(data.as_bytes())?;
        self.pad(data.len() as u64)?;
        self.out.write_all(&header(name, typeflag, mode, size, true))
    }

    fn pad(&mut self, written: u64) -> io::Result<()> {
        let block = BLOCK as u64;
        let rest = (block - written % block) % block;
        self.out.write_all(&[0; BLOCK][..usize::try_from(rest).unwrap_or(0)])
    }
}

/// `<length> <key>=<value>\n`, where the length counts itself.
fn pax_record(key: &str, value: &str) -> String {
    let base = key.len() + value.len() + 3;
    let mut size = base + base.to_string().len();
    if base + size.to_string().len() != size {
        size = base + size.to_string().len();
    }
    format!("{size} {key}={value}\n")
}

/// Go's `path.Join(dir, "PaxHeaders.0", file)` for the entry's name, made ASCII and cut to 100
/// bytes as `writeRawFile` does.
fn pax_header_name(name: &str) -> String {
    let (dir, file) = name.rfind('/').map_or(("", name), |i| (&name[..=i], &name[i + 1..]));
    let joined = [dir.trim_end_matches('/'), "PaxHeaders.0", file].iter().filter(|p| !p.is_empty()).copied().collect::<Vec<_>>().join("/");
    let mut ascii: String = joined.chars().filter(char::is_ascii).collect();
    ascii.truncate(100);
    ascii.trim_end_matches('/').to_owned()
}

/// A ustar header block as Go fills it: V7 fields, the `ustar\0` magic, version `00`, and for
/// real entries (`full`) the user/group names (empty) and device numbers.
fn header(name: &str, typeflag: u8, mode: u64, size: u64, full: bool) -> [u8; BLOCK] {
    let mut block = [0u8; BLOCK];
    let ascii: String = name.chars().filter(char::is_ascii).collect();
    let bytes = ascii.as_bytes();
    block[..bytes.len().min(100)].copy_from_slice(&bytes[..bytes.len().min(100)]);
    // Go ends a cut name before its trailing slashes, so that no reader takes a file for a
    // directory; the PAX `path` record has the whole name.
    if bytes.len() > 100 && bytes[99] == b'/' {
        let kept = ascii[..100].trim_end_matches('/').len();
        block[kept] = 0;
    }
    octal(&mut block[100..108], mode);
    octal(&mut block[108..116], 0);
    octal(&mut block[116..124], 0);
    // Go writes zero when the size does not fit; the PAX `size` record carries it.
    octal(&mut block[124..136], if size > MAX_OCTAL_SIZE { 0 } else { size });
    octal(&mut block[136..148], 0);
    block[156] = typeflag;
    block[257..263].copy_from_slice(b"ustar\0");
    block[263..265].copy_from_slice(b"00");
    if full {
        octal(&mut block[329..337], 0);
        octal(&mut block[337..345], 0);
    }
    block[148..156].fill(b' ');
    let sum: u64 = block.iter().map(|&b| u64::from(b)).sum();
    octal(&mut block[148..155], sum);
    block[155] = b' ';
    block
}

/// Zero-padded octal filling the field but its last byte, which stays NUL.
fn octal(field: &mut [u8], value: u64) {
    let digits = format!("{value:o}");
    let width = field.len() - 1;
    let text = format!("{digits:0>width$}");
    field[..width].copy_from_slice(&text.as_bytes()[text.len() - width..]);
    field[width] = 0;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pax_records_count_their_own_length() {
        assert_eq!(pax_record("atime", "0"), "11 atime=0\n");
        assert_eq!(pax_record("path", &"a".repeat(90)), format!("99 path={}\n", "a".repeat(90)));
        assert_eq!(pax_record("path", &"a".repeat(91)), format!("101 path={}\n", "a".repeat(91)));
    }

    #[test]
    fn pax_header_names() {
        assert_eq!(pax_header_name("config.json"), "PaxHeaders.0/config.json");
        assert_eq!(pax_header_name("1_Pooling/config.json"), "1_Pooling/PaxHeaders.0/config.json");
        assert_eq!(pax_header_name("1_Pooling/"), "1_Pooling/PaxHeaders.0");
        assert_eq!(pax_header_name("a/b/"), "a/b/PaxHeaders.0");
    }

    #[test]
    fn a_file_entry_takes_its_headers_and_padded_data() {
        let mut writer = Writer::new(Vec::new());
        writer.file("a.txt", 3, &b"abc"[..]).unwrap();
        let bytes = writer.finish().unwrap();
        assert_eq!(bytes.len(), 512 * 3 + 512 + 1024);
        assert_eq!(&bytes[512..534], b"11 atime=0\n11 ctime=0\n");
        assert_eq!(&bytes[1024..1029], b"a.txt");
        // Checksum: six octal digits, NUL, space.
        assert_eq!(bytes[1024 + 154], 0);
        assert_eq!(bytes[1024 + 155], b' ');
        assert_eq!(&bytes[1536..1539], b"abc");
    }

    #[test]
    fn short_content_is_an_error() {
        let mut writer = Writer::new(Vec::new());
        assert!(writer.file("a", 4, &b"abc"[..]).is_err());
    }
}
