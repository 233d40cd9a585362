//! bytes (lossy UTF-8) → `shell::parse` and `run::classify` (plus `run::check_newline`).
//! Invariant: nothing panics; every diagnostic renders.
#![no_main]

use cognix_gen::config::{RunItem, Spanned};
use cognix_gen::diagnostic::{Pos, Sink};
use cognix_gen::{run, shell};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = shell::parse(&text);
    let item = RunItem::plain(&Spanned::new(text.into_owned(), Pos::START));
    let mut sink = Sink::new("cog.yaml");
    let _ = run::check_newline(&item, "build.run[0]", &mut sink);
    let classified = run::classify(&item, "build.run[0]", &mut sink);
    let _ = serde_json::to_value(&classified).expect("a run item serialises");
    for d in sink.diagnostics() {
        let _ = d.render("");
    }
});
