//! bytes → `project::decode_text` → `yaml::parse` → `config::decode`, rendering every diagnostic.
//! Invariant: nothing panics (limits must bound every input).
#![no_main]

use cognix_gen::diagnostic::Sink;
use cognix_gen::{config, project, yaml};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = match project::decode_text(data) {
        Ok(text) => text,
        Err((kind, pos)) => {
            assert!(pos.line >= 1 && pos.column >= 1, "decode_text position {pos:?} for {kind:?}");
            return;
        }
    };
    let document = match yaml::parse(&text, yaml::Limits::default()) {
        Ok(document) => document,
        Err(e) => {
            let _ = cognix_gen::diagnostic::Diagnostic::new(e.kind, "cog.yaml", e.pos, e.key).render("");
            return;
        }
    };
    let mut sink = Sink::new("cog.yaml");
    let _ = config::decode(document.root.as_ref(), &mut sink);
    for d in sink.diagnostics() {
        let _ = d.render("");
        let _ = d.to_json();
    }
});
