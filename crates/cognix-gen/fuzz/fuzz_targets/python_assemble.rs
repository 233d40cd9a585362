//! Requirement lines straight into `python::assemble` (validation with pep508_rs, CUDA/torch index
//! rewriting, pip options) without the YAML and file-system cost of `pipeline`. The first byte
//! picks `gpu`, the mode and the CUDA version; the rest is read as a requirements file (lossy
//! UTF-8). Invariant: nothing panics; every diagnostic renders.
#![no_main]

use cognix_gen::diagnostic::Sink;
use cognix_gen::python;
use cognix_gen::requirements::{self, Comments, Requirement};
use cognix_gen::Mode;
use libfuzzer_sys::fuzz_target;

const CUDA: &[&str] = &["", "11.8", "12.1", "12.4", "11.7", "10.2"];

fuzz_target!(|data: &[u8]| {
    let Some((&flags, rest)) = data.split_first() else { return };
    let gpu = flags & 1 != 0;
    let mode = if flags & 2 != 0 { Mode::Strict } else { Mode::Default };
    let cuda = CUDA[usize::from(flags >> 2) % CUDA.len()];
    let text = String::from_utf8_lossy(rest);
    let lines: Vec<Requirement> = requirements::read(&text, Comments::Cog)
        .into_iter()
        .map(|l| Requirement { text: l.text, file: "requirements.txt".into(), pos: l.pos, key: "build.python_requirements".into() })
        .collect();
    let mut sink = Sink::new("cog.yaml");
    let _ = python::assemble(&lines, gpu, cuda, mode, &mut sink);
    for d in sink.diagnostics() {
        let _ = d.render("");
    }
});
