//! bytes (lossy UTF-8) → `shell::parse` and `run::classify` (plus `run::check_newline`).
//! Invariant: nothing panics; every diagnostic renders.
#![no_main]

use cognix_gen::config::{RunItem, Spanned};
use cognix_gen::diagnostic::Pos;
use cognix_gen::{run, shell};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = shell::parse(&text);
    let item = RunItem {
        pos: Pos::START,
        command: Spanned::new(text.into_owned(), Pos::START),
        object: false,
        mounts: vec![],
        accidental: None,
    };
    let mut diagnostics = Vec::new();
    let _ = run::check_newline(&item, "cog.yaml", "build.run[0]", &mut diagnostics);
    let classified = run::classify(&item, "cog.yaml", "build.run[0]", &mut diagnostics);
    let _ = serde_json::to_value(&classified).expect("Classified serialises");
    for d in &diagnostics {
        let _ = d.render("");
    }
});
