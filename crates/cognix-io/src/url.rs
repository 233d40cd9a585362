//! URL text: values and path segments percent-encoded on their way into a URL, and URLs
//! shortened for messages. Text goes in, URL text comes out; nothing here parses a URL.

use std::fmt::Write as _;

/// Percent-encodes a query value: only RFC 3986's unreserved characters stay as they are.
pub fn escape_query_value(value: &str) -> String {
    escape(value, b"")
}

/// Percent-encodes one path segment as Go's `url.PathEscape` does (so as cog and the Hugging
/// Face tools address files): sub-delimiters, `:` and `@` stay as well, `/` does not.
pub fn escape_path_segment(segment: &str) -> String {
    escape(segment, b"!$&'()*+,;=:@")
}

/// `text` with every byte but the unreserved characters and `also_kept` as `%XX`.
fn escape(text: &str, also_kept: &[u8]) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) || also_kept.contains(&byte) {
            out.push(char::from(byte));
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}

/// A URL for messages: without its query, which may carry upload state or signatures.
pub fn without_query(url: &str) -> &str {
    url.split_once('?').map_or(url, |(path, _)| path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_values_are_encoded() {
        assert_eq!(escape_query_value("sha256:ab"), "sha256%3Aab");
        assert_eq!(escape_query_value("repository:a/b:pull,push"), "repository%3Aa%2Fb%3Apull%2Cpush");
        assert_eq!(without_query("http://h/v2/x/blobs/uploads/u?_state=secret"), "http://h/v2/x/blobs/uploads/u");
    }

    #[test]
    fn path_segments_are_encoded_as_go_does() {
        assert_eq!(escape_path_segment("a b#c%d/é"), "a%20b%23c%25d%2F%C3%A9");
        assert_eq!(escape_path_segment("v1.0+x"), "v1.0+x");
    }
}
