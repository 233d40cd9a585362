//! sha256 digests as cog writes them (`sha256:<64 lowercase hex>`), and the weight set digest
//! (cog's `DirHash`, spec §2.4).

use std::fmt::Write as _;
use std::io::{self, Read};

use sha2::{Digest as _, Sha256};

/// `sha256:` and the lowercase hex of `bytes`' sha256.
pub fn of_bytes(bytes: &[u8]) -> String {
    format(&Sha256::digest(bytes))
}

/// The digest of everything `reader` yields, and how many bytes that was.
pub fn of_reader(mut reader: impl Read) -> io::Result<(String, u64)> {
    let mut hasher = Sha256::new();
    let mut buffer = vec![0; 1 << 20];
    let mut total = 0u64;
    loop {
        let n = reader.read(&mut buffer)?;
        if n == 0 {
            return Ok((format(&hasher.finalize()), total));
        }
        hasher.update(&buffer[..n]);
        total += n as u64;
    }
}

/// `sha256:<hex>` of a finished hash.
pub fn format(hash: &[u8]) -> String {
    let mut out = String::with_capacity(71);
    out.push_str("sha256:");
    for byte in hash {
        let _ = write!(out, "{byte:02x}");
    }
    out
}

/// The hex part of a well-formed digest: `sha256:` and exactly 64 lowercase hex digits (cog's
/// store refuses anything else, and file names are made from it).
pub fn hex(digest: &str) -> Option<&str> {
    let hex = digest.strip_prefix("sha256:")?;
    (hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))).then_some(hex)
}

/// The weight set digest: sha256 over the lines `<hex>  <path>` of every file, the lines sorted
/// as whole strings (so by hex first — cog's code, which its spec text and `sha256sum | sha256sum`
/// recipe do not match), joined by `\n` without a trailing newline. It depends only on the files'
/// paths and contents, not on how they are packed.
pub fn set_digest<'a>(files: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let mut lines: Vec<String> = files
        .into_iter()
        .map(|(path, digest)| {
            // cog takes whatever follows the first ':'.
            let hex = digest.split_once(':').map_or("", |(_, h)| h);
            format!("{hex}  {path}")
        })
        .collect();
    lines.sort_unstable();
    of_bytes(lines.join("\n").as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_set_is_the_empty_string_digest() {
        assert_eq!(set_digest([]), "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    }

    #[test]
    fn lines_sort_by_hex_not_path() {
        let a = ("b.txt", "sha256:0000000000000000000000000000000000000000000000000000000000000001");
        let b = ("a.txt", "sha256:0000000000000000000000000000000000000000000000000000000000000002");
        let text = "0000000000000000000000000000000000000000000000000000000000000001  b.txt\n\
                    0000000000000000000000000000000000000000000000000000000000000002  a.txt";
        assert_eq!(set_digest([a, b]), of_bytes(text.as_bytes()));
        assert_eq!(set_digest([b, a]), set_digest([a, b]));
    }

    #[test]
    fn well_formed_digests() {
        let good = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
        assert_eq!(hex(good), Some(&good[7..]));
        assert_eq!(hex(&good.to_uppercase()), None);
        assert_eq!(hex(&good[..70]), None);
        assert_eq!(hex("md5:abc"), None);
    }

    #[test]
    fn reader_digest_counts_bytes() {
        let (digest, n) = of_reader(&b"hello"[..]).unwrap();
        assert_eq!(n, 5);
        assert_eq!(digest, of_bytes(b"hello"));
    }
}
