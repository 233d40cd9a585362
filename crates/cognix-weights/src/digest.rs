//! The weight set digest (cog's `DirHash`, spec §2.4): the files' paths and digests go in, one
//! `sha256:` digest of the set comes out. Digests themselves are `cognix_io::digest`'s.

use cognix_io::digest::Digest;

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
    Digest::of(lines.join("\n").as_bytes()).into()
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
        assert_eq!(set_digest([a, b]), Digest::of(text.as_bytes()).as_str());
        assert_eq!(set_digest([b, a]), set_digest([a, b]));
    }
}
