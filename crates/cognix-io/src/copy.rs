//! Copying a stream in large chunks: bytes from a reader go to a writer 1 MiB at a time, and a
//! callback hears each chunk's size. The loop under hashing a file, spooling a layer and filling
//! the weight store; its chunks are large so that a GiB costs a thousand reads, not a hundred
//! thousand.

use std::io::{self, Read, Write};

/// Bytes read at once.
pub const CHUNK: usize = 1 << 20;

/// Copies everything `input` yields into `output` (not flushed); `progress` gets the size of
/// each chunk written. Returns the bytes copied.
pub fn with_progress(
    input: &mut (impl Read + ?Sized),
    output: &mut (impl Write + ?Sized),
    mut progress: impl FnMut(u64),
) -> io::Result<u64> {
    let mut buffer = vec![0; CHUNK];
    let mut total = 0;
    loop {
        let n = match input.read(&mut buffer) {
            Ok(0) => return Ok(total),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        output.write_all(&buffer[..n])?;
        total += n as u64;
        progress(n as u64);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copies_everything_and_reports_each_chunk() {
        let data: Vec<u8> = (0..CHUNK * 2 + 10).map(|n| u8::try_from(n % 251).unwrap()).collect();
        let (mut out, mut reports) = (Vec::new(), Vec::new());
        let copied = with_progress(&mut &data[..], &mut out, |n| reports.push(n)).unwrap();
        assert_eq!((copied, &out), (data.len() as u64, &data));
        assert_eq!(reports, [CHUNK as u64, CHUNK as u64, 10]);
    }
}
