//! A docker-archive stream, read once (standard input, a running stream script).
//!
//! `streamLayeredImage` writes every layer before the config and `manifest.json`, so each large
//! entry is decided as it passes: if its name gives its `diff_id` (`<sha256>/layer.tar`) and the
//! registry has that layer's blob, its bytes are skipped unread; otherwise a worker thread
//! hashes, compresses and uploads it while the stream moves on to the next entry (up to `jobs`
//! layers at once). Small entries (the config, `manifest.json`, tiny layers) are kept in memory
//! and dealt with at the end, when `manifest.json` says what each entry is. Names are only
//! hints: at the end every layer's `diff_id` is checked against the config.

use std::collections::HashMap;
use std::io::{self, Read};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::Mutex;

use super::layer::{Pushed, Pusher};
use super::PushError;
use crate::archive::{check_layer_count, name_hint, normalise_name, ArchiveManifest, ImageConfig};

/// Entries up to this size are kept in memory until the end of the stream.
const SMALL: u64 = 4 << 20;
const CHUNK: usize = 1 << 20;
/// Chunks queued per worker: the stream runs this far ahead of a busy compressor.
const QUEUE: usize = 4;

/// What the stream held.
pub struct Streamed {
    pub config: ImageConfig,
    pub layers: Vec<Pushed>,
}

/// Reads a docker-archive stream to its end and pushes its layers.
pub fn push_stream(pusher: &Pusher, stream: &mut dyn Read, origin: &str, jobs: usize) -> Result<Streamed, PushError> {
    let mut small: HashMap<String, Vec<u8>> = HashMap::new();
    let outcomes: Mutex<HashMap<String, Pushed>> = Mutex::new(HashMap::new());
    let failure: Mutex<Option<PushError>> = Mutex::new(None);
    let fail = |error: PushError| {
        failure.lock().expect("failure lock").get_or_insert(error);
    };
    let failed = || failure.lock().expect("failure lock").is_some();

    std::thread::scope(|scope| {
        // One token per worker: taking one waits for a free worker.
        let (release, take) = sync_channel::<()>(jobs);
        for _ in 0..jobs {
            release.send(()).expect("the token channel has room for every token");
        }
        let mut archive = tar::Archive::new(&mut *stream);
        let entries = match archive.entries() {
            Ok(entries) => entries,
            Err(e) => return fail(malformed(origin, &e)),
        };
        for entry in entries {
            if failed() {
                return;
            }
            let mut entry = match entry {
                Ok(entry) => entry,
                Err(e) => return fail(malformed(origin, &e)),
            };
            if !entry.header().entry_type().is_file() {
                continue;
            }
            let name = normalise_name(&String::from_utf8_lossy(&entry.path_bytes()));
            let size = entry.size();
            if size <= SMALL {
                let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
                if let Err(e) = entry.read_to_end(&mut bytes) {
                    return fail(malformed(origin, &e));
                }
                small.insert(name, bytes);
                continue;
            }
            if let Some(diff_id) = name_hint(&name) {
                match pusher.existing(&diff_id, Some(size)) {
                    Ok(Some(layer)) => {
                        if let Err(e) = io::copy(&mut entry, &mut io::sink()) {
                            return fail(malformed(origin, &e));
                        }
                        outcomes.lock().expect("outcomes lock").insert(name, layer);
                        continue;
                    }
                    Ok(None) => {}
                    Err(error) => return fail(error),
                }
            }
            if take.recv().is_err() {
                return;
            }
            let (sender, receiver) = sync_channel(QUEUE);
            let (release, outcomes, fail) = (release.clone(), &outcomes, &fail);
            let what = format!("layer {name} of {origin}");
            scope.spawn(move || {
                let mut reader = ChannelReader { receiver, chunk: Vec::new(), at: 0, remaining: size };
                match pusher.upload(&mut reader, None, &what) {
                    Ok(layer) => {
                        outcomes.lock().expect("outcomes lock").insert(name, layer);
                    }
                    Err(error) => fail(error),
                }
                let _ = release.send(());
            });
            if let Err(e) = feed(&mut entry, &sender) {
                return fail(malformed(origin, &e));
            }
        }
    });
    if let Some(error) = failure.into_inner().expect("failure lock") {
        return Err(error);
    }
    finish(pusher, origin, small, outcomes.into_inner().expect("outcomes lock"))
}

/// Sends an entry's bytes to its worker; a worker that stopped (it failed) ends the feeding.
fn feed(entry: &mut dyn Read, sender: &SyncSender<Vec<u8>>) -> io::Result<()> {
    loop {
        let mut chunk = vec![0; CHUNK];
        let n = entry.read(&mut chunk)?;
        if n == 0 {
            return Ok(());
        }
        chunk.truncate(n);
        if sender.send(chunk).is_err() {
            return Ok(());
        }
    }
}

/// With the stream read: `manifest.json` and the config say which entries were layers, small
/// layers are pushed now, and every layer's `diff_id` is checked against the config.
fn finish(
    pusher: &Pusher,
    origin: &str,
    mut small: HashMap<String, Vec<u8>>,
    mut outcomes: HashMap<String, Pushed>,
) -> Result<Streamed, PushError> {
    let missing = |what: &str| PushError::Malformed(format!("{origin} is not a docker archive: it has no {what}"));
    let manifest = ArchiveManifest::parse(origin, &small.remove("manifest.json").ok_or_else(|| missing("manifest.json"))?)?;
    let config_bytes = small.remove(&manifest.config).ok_or_else(|| missing(&format!("config {}", manifest.config)))?;
    let config = ImageConfig::parse(origin, &manifest.config, config_bytes)?;
    check_layer_count(origin, &manifest, &config)?;
    let mut layers = Vec::with_capacity(manifest.layers.len());
    for (name, diff_id) in manifest.layers.iter().zip(&config.diff_ids) {
        let layer = if let Some(layer) = outcomes.get(name) {
            if &layer.diff_id != diff_id {
                return Err(PushError::Malformed(format!(
                    "{origin}: layer {name} is {}, but the config's diff_id for it is {diff_id}",
                    layer.diff_id
                )));
            }
            layer.clone()
        } else if let Some(bytes) = small.get(name) {
            let layer = match pusher.existing(diff_id, Some(bytes.len() as u64))? {
                Some(layer) => layer,
                None => pusher.upload(&mut &bytes[..], Some(diff_id), &format!("layer {name} of {origin}"))?,
            };
            outcomes.insert(name.clone(), layer.clone());
            layer
        } else {
            return Err(PushError::Malformed(format!("{origin}: manifest.json lists layer {name}, which the stream does not hold")));
        };
        layers.push(layer);
    }
    Ok(Streamed { config, layers })
}

fn malformed(origin: &str, error: &io::Error) -> PushError {
    PushError::Malformed(format!("{origin} is not a readable docker archive: {error}"))
}

/// A layer's bytes as they arrive from the stream; ending early is an error, so a broken
/// stream never becomes a short blob.
struct ChannelReader {
    receiver: Receiver<Vec<u8>>,
    chunk: Vec<u8>,
    at: usize,
    remaining: u64,
}

impl Read for ChannelReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.at == self.chunk.len() {
            match self.receiver.recv() {
                Ok(chunk) => {
                    self.chunk = chunk;
                    self.at = 0;
                }
                Err(_) if self.remaining == 0 => return Ok(0),
                Err(_) => {
                    return Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        format!("the stream ended {} bytes before the layer's end", self.remaining),
                    ))
                }
            }
        }
        let n = buf.len().min(self.chunk.len() - self.at);
        buf[..n].copy_from_slice(&self.chunk[self.at..self.at + n]);
        self.at += n;
        self.remaining = self.remaining.saturating_sub(n as u64);
        Ok(n)
    }
}
