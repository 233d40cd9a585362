//! Progress for long work: a bar on a terminal (bytes, rate, layers done and skipped), a plain
//! log of one line per event otherwise (CI logs, pipes). Both go to standard error, so standard
//! output carries only results.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Mode {
    /// A bar when standard error is a terminal, else plain lines.
    Auto,
    /// A bar.
    Tty,
    /// One line per event.
    Plain,
}

impl Mode {
    /// Whether progress is a bar redrawn in place (else plain lines).
    pub(crate) fn bar(self) -> bool {
        match self {
            Self::Auto => std::io::stderr().is_terminal(),
            Self::Tty => true,
            Self::Plain => false,
        }
    }
}

pub struct Progress {
    bar: Option<ProgressBar>,
    layers: usize,
    done: AtomicUsize,
    present: AtomicUsize,
    sent: AtomicU64,
}

impl Progress {
    /// Progress over `layers` layers of `total` uncompressed bytes (unknown for a stream).
    pub fn new(mode: Mode, layers: usize, total: Option<u64>) -> Self {
        let bar = mode.bar().then(|| {
            let (bar, template) = match total {
                Some(total) => {
                    (ProgressBar::new(total), "{spinner} {elapsed:>4} [{bar:28}] {bytes}/{total_bytes} {bytes_per_sec:>11} {msg}")
                }
                None => (ProgressBar::new_spinner(), "{spinner} {elapsed:>4} {bytes} read {bytes_per_sec:>11} {msg}"),
            };
            bar.set_draw_target(ProgressDrawTarget::stderr());
            bar.set_style(ProgressStyle::with_template(template).expect("the template is valid").progress_chars("=> "));
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

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}

/// A warning on standard error.
pub fn warn(message: &str) {
    eprintln!("warning: {message}");
}

/// Decimal megabytes with one decimal, as the summary line prints sizes.
pub fn megabytes(bytes: u64) -> String {
    #[allow(clippy::cast_precision_loss)] // a display value
    let mb = bytes as f64 / 1e6;
    format!("{mb:.1} MB")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn megabytes_are_decimal() {
        assert_eq!(megabytes(0), "0.0 MB");
        assert_eq!(megabytes(1_250_000), "1.2 MB");
        assert_eq!(megabytes(2_000_000_000), "2000.0 MB");
    }
}
