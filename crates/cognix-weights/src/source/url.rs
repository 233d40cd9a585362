//! One file at an `https://` (or `http://`) URL, named after the URL path's last segment. A HEAD
//! asks for a strong `ETag` (the fingerprint, `etag:<v>`; weak `ETag`s promise no identity and are
//! ignored); the file is downloaded once, into the store, to get its digest (the fingerprint when
//! there is no `ETag`).

use std::io::Read;

use cognix_io::progress::Progress;

use super::{Inventory, Source, SourceError};
use crate::http::Client;
use crate::pack::Item;
use crate::store::Store;

pub struct Url {
    location: String,
    name: String,
    client: Client,
    /// The file's digest once `inventory` has stored it.
    stored: Option<(String, Store)>,
}

impl Url {
    pub fn new(url: &str, client: Client) -> Url {
        let path = url.split_once("://").map_or(url, |(_, rest)| rest).split(['?', '#']).next().unwrap_or_default();
        let name = percent_decode(path.rsplit('/').next().unwrap_or_default());
        Url { location: url.to_owned(), name, client, stored: None }
    }
}

impl Source for Url {
    fn inventory(&mut self, store: &Store, progress: &mut dyn Progress) -> Result<Inventory, SourceError> {
        let (etag, announced) = match self.client.head(&self.location) {
            Ok(response) => (response.header("etag").filter(|e| !e.starts_with("W/")).map(str::to_owned), response.content_length()),
            // The HEAD is only a hint; the GET below reports real failures.
            Err(_) => (None, None),
        };
        progress.step(&format!("  downloading {}", self.location));
        let response = self
            .client
            .get(&self.location, None)
            .map_err(|source| SourceError::Http { context: format!("download {}", self.location), source })?;
        let total = response.content_length().or(announced).unwrap_or(0);
        let (digest, size) = store
            .add(response.into_reader(), |n| progress.bytes(n, total.max(n)))
            .map_err(|source| SourceError::Store { path: self.name.clone(), source })?;
        let fingerprint = etag.map_or_else(|| digest.clone(), |e| format!("etag:{e}"));
        self.stored = Some((digest.clone(), store.clone()));
        Ok(Inventory { files: vec![Item { path: self.name.clone(), size, digest }], fingerprint })
    }

    fn open(&self, _: &str) -> Result<Box<dyn Read + Send>, SourceError> {
        if let Some((digest, store)) = &self.stored {
            if let Ok(file) = store.open(digest) {
                return Ok(Box::new(file));
            }
        }
        let response = self
            .client
            .get(&self.location, None)
            .map_err(|source| SourceError::Http { context: format!("download {}", self.location), source })?;
        Ok(Box::new(response.into_reader()))
    }
}

/// `%XX` escapes decoded, as Go's URL parser gives the path; invalid ones are kept.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| char::from(b).to_digit(16);
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push(u8::try_from(h * 16 + l).expect("two hex digits fit a byte"));
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_come_from_the_path() {
        let client = Client::default();
        assert_eq!(Url::new("https://h/x/RealESRGAN_x4plus.pth?download=1", client.clone()).name, "RealESRGAN_x4plus.pth");
        assert_eq!(Url::new("https://h/a%20b.bin", client).name, "a b.bin");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%4"), "%4");
    }
}
