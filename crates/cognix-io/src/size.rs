//! Byte counts as the commands print them: binary units for weights and transfers (`1.5 GiB`,
//! what `cognix weights` and progress lines show), decimal megabytes for the push summary
//! (`1.2 MB`). Both forms are output that users and tests read, so each stays as it is.

/// Bytes in binary units, one decimal: `1.5 GiB`.
pub fn binary(bytes: u64) -> String {
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

/// Decimal megabytes with one decimal, whatever the size: `1.2 MB`, `2000.0 MB`.
pub fn megabytes(bytes: u64) -> String {
    format!("{:.1} MB", as_f64(bytes) / 1e6)
}

/// A count as a float, for display.
#[expect(clippy::cast_precision_loss, reason = "a display value")]
pub(crate) fn as_f64(n: u64) -> f64 {
    n as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_sizes() {
        assert_eq!(binary(512), "512 B");
        assert_eq!(binary(1536), "1.5 KiB");
        assert_eq!(binary(3 << 30), "3.0 GiB");
    }

    #[test]
    fn megabytes_are_decimal() {
        assert_eq!(megabytes(0), "0.0 MB");
        assert_eq!(megabytes(1_250_000), "1.2 MB");
        assert_eq!(megabytes(2_000_000_000), "2000.0 MB");
    }
}
