//! Progress of long work (hashing, downloading, packing, uploading) for a person watching: steps
//! and byte counts go in; out on standard error comes a bar redrawn in place on a terminal, or a
//! plain log otherwise (CI logs, pipes) — a line per step and one every few seconds with bytes,
//! total and rate. Standard output stays for results.

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};

use crate::size;

/// How progress is shown (`--progress`).
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
    pub fn bar(self) -> bool {
        match self {
            Self::Auto => std::io::stderr().is_terminal(),
            Self::Tty => true,
            Self::Plain => false,
        }
    }
}

/// A bar on standard error drawn with `template` (indicatif's placeholders): a bar of `length`
/// bytes, or a spinner when the length is unknown.
///
/// # Panics
/// When `template` is not a valid template (a programming error).
pub fn bar(length: Option<u64>, template: &str) -> ProgressBar {
    let bar = length.map_or_else(ProgressBar::new_spinner, ProgressBar::new);
    bar.set_style(ProgressStyle::with_template(template).expect("the template is valid").progress_chars("=> "));
    bar
}

/// What long work tells the person watching. `Send`: a push reports upload progress from the
/// client's callback, which may be called from its worker threads.
pub trait Progress: Send {
    /// A step begins (`minilm: downloading 3 files`).
    fn step(&mut self, text: &str);
    /// `done` of `total` bytes of the current step.
    fn bytes(&mut self, done: u64, total: u64);
}

/// Shows nothing.
pub struct Quiet;

impl Progress for Quiet {
    fn step(&mut self, _: &str) {}
    fn bytes(&mut self, _: u64, _: u64) {}
}

/// A plain log shows a step's byte count this often at most.
const LOG_EVERY: Duration = Duration::from_secs(5);

/// Progress on standard error: each step a line, its byte counts a bar redrawn in place (left
/// showing the last count when the step ends) or logged.
pub struct Stderr {
    bar: bool,
    /// The current step's bar, from its first byte count to its end.
    current: Option<ProgressBar>,
    started: Instant,
    /// When the log last showed a count.
    last: Option<Instant>,
    /// The count last shown, so the same state is not shown twice.
    shown: Option<u64>,
}

impl Default for Stderr {
    fn default() -> Stderr {
        Stderr::new(Mode::Auto)
    }
}

impl Stderr {
    pub fn new(mode: Mode) -> Stderr {
        Stderr { bar: mode.bar(), current: None, started: Instant::now(), last: None, shown: None }
    }

    fn end_bar(&mut self) {
        if let Some(bar) = self.current.take() {
            bar.finish();
        }
    }
}

impl Drop for Stderr {
    fn drop(&mut self) {
        self.end_bar();
    }
}

impl Progress for Stderr {
    fn step(&mut self, text: &str) {
        self.end_bar();
        eprintln!("{text}");
        self.started = Instant::now();
        self.last = None;
        self.shown = None;
    }

    fn bytes(&mut self, done: u64, total: u64) {
        let now = Instant::now();
        if self.shown == Some(done) || (!self.bar && done < total && self.last.is_some_and(|last| now - last < LOG_EVERY)) {
            return;
        }
        self.last = Some(now);
        self.shown = Some(done);
        let line = format!("  {}", transfer(done, total, now - self.started));
        if self.bar {
            // The bar limits its redraws itself.
            self.current.get_or_insert_with(|| bar(None, "{msg}")).set_message(line);
            if done >= total {
                self.end_bar();
            }
        } else {
            eprintln!("{line}");
        }
    }
}

/// `12.0 MiB / 40.0 MiB (30%, 6.0 MiB/s)`.
pub fn transfer(done: u64, total: u64, elapsed: Duration) -> String {
    let percent = done.saturating_mul(100).checked_div(total).unwrap_or(100);
    let seconds = elapsed.as_secs_f64();
    let rate = if seconds > 0.0 { format!(", {}/s", size::binary(to_u64(size::as_f64(done) / seconds))) } else { String::new() };
    format!("{} / {} ({percent}%{rate})", size::binary(done), size::binary(total))
}

#[expect(clippy::cast_possible_truncation, clippy::cast_sign_loss, reason = "a display value, non-negative")]
fn to_u64(x: f64) -> u64 {
    x as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transfers() {
        assert_eq!(transfer(12 << 20, 40 << 20, Duration::from_secs(2)), "12.0 MiB / 40.0 MiB (30%, 6.0 MiB/s)");
        assert_eq!(transfer(0, 0, Duration::ZERO), "0 B / 0 B (100%)");
    }

    #[test]
    fn plain_progress_dedupes_and_throttles() {
        let mut progress = Stderr::new(Mode::Plain);
        progress.step("step");
        progress.bytes(1, 10);
        assert_eq!(progress.shown, Some(1));
        progress.bytes(2, 10);
        assert_eq!(progress.shown, Some(1), "a count within a few seconds of the last is not logged");
        progress.bytes(10, 10);
        assert_eq!(progress.shown, Some(10), "the end of a step is always logged");
    }
}
