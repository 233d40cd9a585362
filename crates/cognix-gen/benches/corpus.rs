//! Benchmark (not a test): converting every corpus cog.yaml, in process and through the CLI.
//! `cargo bench --bench corpus` prints the figures docs/benchmarks.md records. The corpus is
//! `$COGNIX_CORPUS` or ../shared/corpus next to the repository.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use cognix_gen::{generate, resolve, Mode};

fn stage(corpus: &Path, out: &Path) -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    let mut names: Vec<String> = fs::read_dir(corpus)
        .expect("corpus directory")
        .filter_map(|e| e.ok()?.file_name().to_str()?.strip_suffix("__cog.yaml").map(str::to_owned))
        .collect();
    names.sort();
    for name in names {
        let dir = out.join(&name);
        fs::create_dir_all(&dir).unwrap();
        fs::copy(corpus.join(format!("{name}__cog.yaml")), dir.join("cog.yaml")).unwrap();
        let reqs = corpus.join(format!("{name}__requirements.txt"));
        if reqs.exists() {
            fs::copy(reqs, dir.join("requirements.txt")).unwrap();
        }
        dirs.push(dir);
    }
    dirs
}

fn per_file(total: Duration, files: usize, rounds: usize) -> f64 {
    total.as_secs_f64() * 1e3 / f64::from(u32::try_from(files * rounds).expect("a corpus of fewer than 2^32 runs"))
}

fn main() {
    let corpus = std::env::var_os("COGNIX_CORPUS")
        .map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus"), PathBuf::from);
    let work = tempfile::tempdir().unwrap();
    let dirs = stage(&corpus, work.path());

    // In process: read, validate, resolve and render cog.nix (what `generate` does minus the write).
    let rounds = 50;
    let start = Instant::now();
    let mut converted = 0;
    for _ in 0..rounds {
        for dir in &dirs {
            let outcome = resolve(dir, Mode::Default);
            if let (Some(r), Some(p)) = (&outcome.completed, &outcome.project) {
                generate::render(r, &p.inputs).unwrap();
                converted += 1;
            }
        }
    }
    let in_process = start.elapsed();
    println!(
        "in-process: {} files x {rounds} rounds, {:.3} ms per file ({} converted per round)",
        dirs.len(),
        per_file(in_process, dirs.len(), rounds),
        converted / rounds
    );

    // The CLI: one `cognix-gen resolve --json` process per file.
    let binary = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/release/cognix-gen");
    if binary.exists() {
        let rounds = 5;
        let start = Instant::now();
        for _ in 0..rounds {
            for dir in &dirs {
                Command::new(&binary).args(["resolve", "--json"]).arg(dir).output().unwrap();
            }
        }
        println!("cli: {:.3} ms per call (resolve --json, {} files x {rounds})", per_file(start.elapsed(), dirs.len(), rounds), dirs.len());
    } else {
        println!("cli: skipped (build target/release/cognix-gen first: cargo build --release)");
    }
}
