//! bytes (lossy UTF-8) → `requirements::read` in both comment modes, then every per-line helper.
//! Invariant: nothing panics.
#![no_main]

use cognix_gen::requirements::{self, Comments};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for mode in [Comments::Cog, Comments::Pip] {
        for line in requirements::read(&text, mode) {
            assert!(line.pos.line >= 1 && line.pos.column >= 1, "bad position {:?}", line.pos);
            let l = line.text.as_str();
            let name = requirements::package_name(l);
            let _ = requirements::normalize(name);
            let _ = requirements::normalize(l);
            let _ = requirements::versions(l);
            let _ = requirements::split_pinned(l);
            let _ = requirements::local_artifact(l);
        }
    }
    // The helpers are also called on raw text (run commands feed them pip arguments directly).
    for raw in text.split('\n') {
        let _ = requirements::package_name(raw);
        let _ = requirements::versions(raw);
        let _ = requirements::split_pinned(raw);
        let _ = requirements::local_artifact(raw);
        let _ = requirements::normalize(raw);
    }
});
