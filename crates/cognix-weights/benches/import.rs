//! Import throughput on this machine: a synthetic model of `COGNIX_BENCH_MIB` MiB (default 1024)
//! — 100 MiB `.safetensors` shards plus 200 small JSON files of random content — imported from a
//! local directory into an empty store (hash, copy, pack), then again unchanged (hash only, layers
//! kept). Run: `cargo bench -p cognix-weights --bench import`; docs/benchmarks.md has the figures.

use std::fs;
use std::io::Write;
use std::time::Instant;

use cognix_io::progress::Quiet;
use cognix_weights::http::Client;
use cognix_weights::import::{self, Options};
use cognix_weights::source::Remote;
use cognix_weights::spec::Project;
use cognix_weights::store::Store;

/// xorshift: incompressible bytes without a dependency.
fn random(seed: u64, len: usize) -> Vec<u8> {
    let mut x = seed | 1;
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        out.extend_from_slice(&x.to_le_bytes());
    }
    out.truncate(len);
    out
}

fn main() {
    let mib: usize = std::env::var("COGNIX_BENCH_MIB").ok().and_then(|v| v.parse().ok()).unwrap_or(1024);
    let work = tempfile::tempdir().unwrap();
    let dir = work.path().join("model");
    let weights = dir.join("weights");
    fs::create_dir_all(&weights).unwrap();
    fs::write(dir.join("cog.yaml"), "model: r8.im/bench/model\npredict: predict.py:Predictor\nweights:\n  - name: model\n    target: /src/weights\n    source:\n      uri: weights\n").unwrap();
    fs::write(dir.join("predict.py"), "class Predictor: pass\n").unwrap();
    let shards = mib / 100;
    for i in 0..shards {
        let mut file = fs::File::create(weights.join(format!("model-{i:05}.safetensors"))).unwrap();
        for chunk in 0..100 {
            file.write_all(&random((i * 100 + chunk + 1) as u64, 1 << 20)).unwrap();
        }
    }
    for i in 0..200u64 {
        fs::write(weights.join(format!("config-{i:03}.json")), random(1_000_000 + i, 4096)).unwrap();
    }
    // The small files add 0.8 MiB.
    let total = shards * 100;

    let project = Project::read(&dir).unwrap();
    let store = Store::new(work.path().join("store"));
    let remote = Remote::from_env(Client::default());
    let run = |label: &str| {
        let options = Options { store: &store, remote: &remote, repack: false, names: Vec::new(), now: import::now() };
        let started = Instant::now();
        let imported = import::run(&project, &options, &mut Quiet).unwrap();
        let seconds = started.elapsed().as_secs_f64();
        #[expect(clippy::cast_precision_loss, reason = "a rate")]
        let rate = total as f64 / seconds;
        println!("{label}: {total} MiB, {} files, {} layers in {seconds:.2} s ({rate:.0} MiB/s)", imported[0].files, imported[0].layers);
    };
    run("first import (hash, copy into the store, pack)");
    run("unchanged import (hash; layers kept)");
}
