//! Puts a lock entry's files into the local store from the sources it records, at the versions
//! it records (a Hugging Face source at its commit), for a push from a machine that did not
//! import: a fresh clone has weights.lock but an empty store. Every file is checked against the
//! lock's digest on the way in.

use std::collections::BTreeMap;

use cognix_io::progress::Progress;
use cognix_io::size;

use crate::import::ImportError;
use crate::lock::Entry;
use crate::source::{self, Remote};
use crate::spec::Project;
use crate::store::Store;
use crate::uri::Uri;

/// Fetches the files of `entry` the store lacks.
pub fn missing_files(
    project: &Project,
    entry: &Entry,
    store: &Store,
    remote: &Remote,
    progress: &mut dyn Progress,
) -> Result<(), ImportError> {
    let mut wanted: BTreeMap<&str, (&str, u64)> =
        entry.files.iter().filter(|f| !store.has(&f.digest)).map(|f| (f.path.as_str(), (f.digest.as_str(), f.size))).collect();
    if wanted.is_empty() {
        return Ok(());
    }
    let total: u64 = wanted.values().map(|(_, size)| size).sum();
    progress.step(&format!(
        "{}: fetching {} files ({}) the weight store lacks from their sources",
        entry.name,
        wanted.len(),
        size::binary(total)
    ));
    let name = entry.name.clone();
    // Later sources won at import; so they are asked first.
    for (index, locked) in entry.sources.iter().enumerate().rev() {
        let error = |source| ImportError::Source { name: name.clone(), index, uri: locked.uri.clone(), source: Box::new(source) };
        let uri = match Uri::parse(&locked.uri) {
            // The commit the lock recorded, not wherever the branch is now.
            Ok(Uri::Hf { repo, .. }) if locked.fingerprint.starts_with("commit:") => {
                Uri::Hf { repo, revision: locked.fingerprint["commit:".len()..].to_owned() }
            }
            Ok(uri) => uri,
            Err(message) => return Err(ImportError::Invalid { name, message }),
        };
        let mut source = source::open(&uri, &project.root, remote).map_err(error)?;
        let inventory = source.inventory(store, progress).map_err(error)?;
        let mut done = 0;
        for item in inventory.files {
            let Some((digest, size)) = wanted.get(item.path.as_str()).copied() else { continue };
            if item.digest == digest && !store.has(digest) {
                let content = source.open(&item.path).map_err(|e| ImportError::Fetch {
                    name: name.clone(),
                    path: item.path.clone(),
                    source: Box::new(e),
                })?;
                store.put(digest, size, content, |n| progress.bytes(done + n, total)).map_err(|source| ImportError::Store {
                    name: name.clone(),
                    path: item.path.clone(),
                    source,
                })?;
                done += size;
            }
            if store.has(digest) {
                wanted.remove(item.path.as_str());
            }
        }
    }
    match wanted.keys().next() {
        None => Ok(()),
        Some(path) => Err(ImportError::Invalid {
            name,
            message: format!("{path} ({}) is in neither the weight store nor its source any more; import the weight again", wanted[path].0),
        }),
    }
}
