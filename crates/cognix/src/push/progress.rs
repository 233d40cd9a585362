//! A push's progress over its layers, shared by the upload threads: layer bytes read and sent,
//! layers done and found present go in; out on standard error comes one bar (bytes, rate, layers
//! done and skipped) on a terminal, or a plain log of one line per layer otherwise (CI logs,
//! pipes), as `--progress` says. Standard output carries only results.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use cognix_io::progress::{self, Mode};
use cognix_io::size::megabytes;
use indicatif::ProgressBar;

pub struct LayerProgress {
    bar: Option<ProgressBar>,
    layers: usize,
    done: AtomicUsize,
    present: AtomicUsize,
    sent: AtomicU64,
}

impl LayerProgress {
    /// Progress over `layers` layers of `total` uncompressed bytes (unknown for a stream).
    pub fn new(mode: Mode, layers: usize, total: Option<u64>) -> Self {
        let bar = mode.bar().then(|| {
            let template = if total.is_some() {
                "{spinner} {elapsed:>4} [{bar:28}] {bytes}/{total_bytes} {bytes_per_sec:>11} {msg}"
            } else {
                "{spinner} {elapsed:>4} {bytes} read {bytes_per_sec:>11} {msg}"
            };
            let bar = progress::bar(total, template);
            bar.enable_steady_tick(Duration::from_millis(200));
            bar
        });
        let progress = Self { bar, layers, done: AtomicUsize::new(0), present: AtomicUsize::new(0), sent: AtomicU64::new(0) };
        progress.update_message();
        progress
    }

    /// A line above the bar, or on its own.
    pub fn log(&self, line: &str) {
        match &self.bar {
            Some(bar) => bar.println(line),
            None => eprintln!("{line}"),
        }
    }

    /// Uncompressed layer bytes read (or skipped over).
    pub fn read(&self, bytes: u64) {
        if let Some(bar) = &self.bar {
            bar.inc(bytes);
        }
    }

    /// Bytes sent to the registry.
    pub fn sent(&self, bytes: u64) {
        self.sent.fetch_add(bytes, Ordering::Relaxed);
    }

    /// A layer is finished; `present` when the registry had it already.
    pub fn layer_done(&self, present: bool) {
        self.done.fetch_add(1, Ordering::Relaxed);
        if present {
            self.present.fetch_add(1, Ordering::Relaxed);
        }
        self.update_message();
    }

    fn update_message(&self) {
        if let Some(bar) = &self.bar {
            let done = self.done.load(Ordering::Relaxed);
            // A stream's layers are counted as they come.
            let layers = if self.layers == 0 { format!("layers {done}") } else { format!("layers {done}/{}", self.layers) };
            let (present, sent) = (self.present.load(Ordering::Relaxed), megabytes(self.sent.load(Ordering::Relaxed)));
            bar.set_message(format!("{layers} ({present} present), {sent} sent"));
        }
    }

    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

impl Drop for LayerProgress {
    fn drop(&mut self) {
        self.finish();
    }
}
