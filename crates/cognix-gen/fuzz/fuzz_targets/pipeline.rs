//! The whole pipeline on a real directory: bytes split at the first 0xFF into cog.yaml and
//! requirements.txt, written into a fresh temp directory, then `resolve` + `generate::render`.
//! Invariants: nothing panics; when `resolve` returns a configuration, `render` returns Ok.
#![no_main]

use std::fs;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use cognix_gen::{generate, resolve, Mode};
use libfuzzer_sys::fuzz_target;

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// A fresh directory, removed when dropped (a crash aborts the process, so a crashing input leaves
/// its `cognix-fuzz-<pid>-<n>` directory behind).
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> TempDir {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!("cognix-fuzz-{}-{n}", std::process::id()));
        let _ = fs::remove_dir_all(&path);
        fs::create_dir_all(&path).expect("create temp dir");
        TempDir(path)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

fuzz_target!(|data: &[u8]| {
    let (config, requirements) = match data.iter().position(|&b| b == 0xFF) {
        Some(i) => (&data[..i], Some(&data[i + 1..])),
        None => (data, None),
    };
    let dir = TempDir::new();
    fs::write(dir.0.join("cog.yaml"), config).expect("write cog.yaml");
    if let Some(r) = requirements {
        fs::write(dir.0.join("requirements.txt"), r).expect("write requirements.txt");
    }
    for mode in [Mode::Default, Mode::Strict] {
        let outcome = resolve(&dir.0, mode);
        for d in &outcome.diagnostics {
            let _ = d.render("");
        }
        let _ = outcome.json();
        if let (Some(resolved), Some(project)) = (&outcome.completed, &outcome.project) {
            if let Err(e) = generate::render(resolved, &project.inputs) {
                panic!("resolve succeeded ({mode:?}) but render failed: {e}");
            }
        }
    }
});
