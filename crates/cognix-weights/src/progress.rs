//! Progress of long work (hashing, downloading, packing): steps and byte counts, shown as a
//! line redrawn in place on a terminal, or as a plain log — a line per step and one every few
//! seconds with bytes, total and rate — otherwise.

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

/// `Send`: a push reports upload progress from the client's callback, which may be called from
/// its worker threads.
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

/// Progress on standard error: redrawn in place on a terminal, logged otherwise.
pub struct Stderr {
    terminal: bool,
    step: String,
    started: Instant,
    last: Option<Instant>,
    /// The count last shown, so the same state is not logged twice.
    shown: Option<u64>,
    /// A redrawn line is on screen and must be ended before other output.
    open_line: bool,
}

impl Default for Stderr {
    fn default() -> Stderr {
        Stderr::new(std::io::stderr().is_terminal())
    }
}

impl Stderr {
    pub fn new(terminal: bool) -> Stderr {
        Stderr { terminal, step: String::new(), started: Instant::now(), last: None, shown: None, open_line: false }
    }

    fn end_line(&mut self) {
        if self.open_line {
            eprintln!();
            self.open_line = false;
        }
    }
}

impl Drop for Stderr {
    fn drop(&mut self) {
        self.end_line();
    }
}

impl Progress for Stderr {
    fn step(&mut self, text: &str) {
        self.end_line();
        eprintln!("{text}");
        text.clone_into(&mut self.step);
        self.started = Instant::now();
        self.last = None;
        self.shown = None;
    }

    fn bytes(&mut self, done: u64, total: u64) {
        let now = Instant::now();
        let every = if self.terminal { Duration::from_millis(200) } else { Duration::from_secs(5) };
        if self.shown == Some(done) || (done < total && self.last.is_some_and(|last| now - last < every)) {
            return;
        }
        self.last = Some(now);
        self.shown = Some(done);
        let line = format!("  {}", transfer(done, total, now - self.started));
        if self.terminal {
            let mut err = std::io::stderr().lock();
            // A closed stderr leaves nothing to report to.
            let _ = write!(err, "\r\x1b[2K{line}");
            let _ = err.flush();
            self.open_line = true;
            if done >= total {
                self.end_line();
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
    let rate = if seconds > 0.0 { format!(", {}/s", size(to_u64(as_f64(done) / seconds))) } else { String::new() };
    format!("{} / {} ({percent}%{rate})", size(done), size(total))
}

/// Bytes in binary units, one decimal: `1.5 GiB`.
pub fn size(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut value = as_f64(bytes);
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

#[expect(clippy::cast_precision_loss, reason = "a display value")]
fn as_f64(n: u64) -> f64 {
    n as f64
}

#[expect(clippy::cast_possible_truncation, clippy::cast_sign_loss, reason = "a display value, non-negative")]
fn to_u64(x: f64) -> u64 {
    x as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_transfers() {
        assert_eq!(size(512), "512 B");
        assert_eq!(size(1536), "1.5 KiB");
        assert_eq!(size(3 << 30), "3.0 GiB");
        assert_eq!(transfer(12 << 20, 40 << 20, Duration::from_secs(2)), "12.0 MiB / 40.0 MiB (30%, 6.0 MiB/s)");
        assert_eq!(transfer(0, 0, Duration::ZERO), "0 B / 0 B (100%)");
    }
}
