//! A gzip writer (one standard member, as any gunzip reads) that does not spend time on bytes
//! deflate cannot shrink. Model images carry much of that: weights, wheels' compressed
//! payloads, archives. Each 64 KiB block whose byte distribution is as flat as random data's
//! goes into stored deflate blocks (a copy); the others are compressed at the chosen level.
//! Deflate on such a block gains nothing, so the output is as small as plain gzip's while the
//! time goes to the bytes that do compress.
//!
//! A deflate stream may switch between compressed and stored blocks at any byte boundary. The
//! compressor is flushed (byte-aligned, not final) before stored blocks, and starts afresh after
//! them, so it never refers back past bytes it did not see. (flate2's `set_level` cannot switch
//! a running zlib-rs stream: it fails with a stream error.)
//!
//! The test is order-0 entropy, which does not see repeats: a block made of one random 32 KiB
//! half written twice would be stored where LZ77 could halve it. Layers hardly hold such
//! blocks; this is the trade made for speed.

use std::io::{self, Write};

use flate2::{Compress, Compression, Crc, FlushCompress, Status};

const BLOCK: usize = 64 * 1024;
/// Bits per byte above which a block is stored. Uniformly random bytes measure about 7.997
/// over a 64 KiB block; Huffman coding can shrink a block of entropy H by at most (8 - H) / 8,
/// 0.1 % at 7.99.
const RANDOM: f64 = 7.99;
/// The most a stored deflate block holds.
const STORED_MAX: usize = 65_535;

pub struct GzipWriter<W: Write> {
    out: W,
    deflate: Compress,
    crc: Crc,
    /// The compressor has taken input since it last started: flush it before stored blocks.
    compressing: bool,
    /// The last thing written was a stored block: the compressor starts afresh.
    stored: bool,
    /// Input not yet a whole block.
    pending: Vec<u8>,
    buffer: Vec<u8>,
}

impl<W: Write> GzipWriter<W> {
    pub fn new(mut out: W, level: u32) -> io::Result<Self> {
        // gzip header: magic, deflate, no flags, no mtime, extra flags, OS unknown (RFC 1952).
        let extra = match level {
            1 => 4,
            9 => 2,
            _ => 0,
        };
        out.write_all(&[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, extra, 255])?;
        Ok(Self {
            out,
            deflate: Compress::new(Compression::new(level), false),
            crc: Crc::new(),
            compressing: false,
            stored: false,
            pending: Vec::with_capacity(BLOCK),
            buffer: Vec::with_capacity(2 * BLOCK),
        })
    }

    fn block(&mut self, block: &[u8]) -> io::Result<()> {
        self.crc.update(block);
        if entropy(block) > RANDOM {
            if self.compressing {
                self.deflate(&[], FlushCompress::Sync)?;
                self.compressing = false;
            }
            for part in block.chunks(STORED_MAX) {
                self.store(part, false)?;
            }
            self.stored = true;
            Ok(())
        } else {
            if self.stored {
                self.deflate.reset();
                self.stored = false;
            }
            self.compressing = true;
            self.deflate(block, FlushCompress::None)
        }
    }

    /// A stored block at a byte boundary: header bits (final, type 00) padded to a byte, then
    /// LEN and its complement, then the bytes.
    fn store(&mut self, bytes: &[u8], last: bool) -> io::Result<()> {
        let length = u16::try_from(bytes.len()).expect("stored blocks are at most 65535 bytes");
        self.out.write_all(&[u8::from(last)])?;
        self.out.write_all(&length.to_le_bytes())?;
        self.out.write_all(&(!length).to_le_bytes())?;
        self.out.write_all(bytes)
    }

    fn deflate(&mut self, mut input: &[u8], flush: FlushCompress) -> io::Result<()> {
        loop {
            self.buffer.clear();
            let before = self.deflate.total_in();
            let status = self.deflate.compress_vec(input, &mut self.buffer, flush).map_err(io::Error::other)?;
            let consumed = usize::try_from(self.deflate.total_in() - before).expect("at most the input's length");
            input = &input[consumed..];
            self.out.write_all(&self.buffer)?;
            let drained = self.buffer.len() < self.buffer.capacity();
            let done = match flush {
                FlushCompress::Finish => status == Status::StreamEnd,
                FlushCompress::None => input.is_empty(),
                _ => input.is_empty() && drained,
            };
            if done {
                return Ok(());
            }
        }
    }

    /// Ends the stream (the rest of the input, the final block, the trailer) and returns the
    /// writer.
    pub fn finish(mut self) -> io::Result<W> {
        let rest = std::mem::take(&mut self.pending);
        if !rest.is_empty() {
            self.block(&rest)?;
        }
        if self.stored {
            self.store(&[], true)?;
        } else {
            self.deflate(&[], FlushCompress::Finish)?;
        }
        self.out.write_all(&self.crc.sum().to_le_bytes())?;
        self.out.write_all(&self.crc.amount().to_le_bytes())?;
        Ok(self.out)
    }
}

impl<W: Write> Write for GzipWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut input = buf;
        if !self.pending.is_empty() {
            let take = input.len().min(BLOCK - self.pending.len());
            self.pending.extend_from_slice(&input[..take]);
            input = &input[take..];
            if self.pending.len() == BLOCK {
                let block = std::mem::take(&mut self.pending);
                self.block(&block)?;
                self.pending = block;
                self.pending.clear();
            }
        }
        while input.len() >= BLOCK {
            self.block(&input[..BLOCK])?;
            input = &input[BLOCK..];
        }
        self.pending.extend_from_slice(input);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// Order-0 entropy in bits per byte.
fn entropy(block: &[u8]) -> f64 {
    let mut counts = [0u32; 256];
    for &byte in block {
        counts[usize::from(byte)] += 1;
    }
    #[allow(clippy::cast_precision_loss)] // counts of a 64 KiB block are exact in f64
    let total = block.len() as f64;
    counts
        .iter()
        .filter(|&&count| count > 0)
        .map(|&count| {
            let p = f64::from(count) / total;
            -p * p.log2()
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn random(size: usize, seed: u64) -> Vec<u8> {
        let mut state = seed | 1;
        (0..size)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                state.to_le_bytes()[0]
            })
            .collect()
    }

    fn gzip(data: &[u8], level: u32, piece: usize) -> Vec<u8> {
        let mut writer = GzipWriter::new(Vec::new(), level).unwrap();
        for part in data.chunks(piece) {
            writer.write_all(part).unwrap();
        }
        writer.finish().unwrap()
    }

    fn gunzip(data: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        // A single member: what readers that stop after one (flate2's GzDecoder) see is all.
        flate2::read::GzDecoder::new(data).read_to_end(&mut out).unwrap();
        out
    }

    #[test]
    fn mixed_data_round_trips_whatever_the_write_sizes() {
        let text = b"def predict(self, prompt: str) -> str:\n    return prompt\n".repeat(4000);
        let mut data = random(300_000, 7);
        data.extend_from_slice(&text);
        data.extend(random(100_001, 9));
        for writes in [1, 999, BLOCK, 1 << 20] {
            for level in [1, 6, 9] {
                let compressed = gzip(&data, level, writes);
                assert_eq!(gunzip(&compressed), data, "writes of {writes}, level {level}");
            }
        }
    }

    #[test]
    fn random_blocks_are_stored_and_text_is_compressed() {
        let noise = random(10 * BLOCK, 3);
        let stored = gzip(&noise, 6, 1 << 20);
        // 5 bytes per stored block (two per 64 KiB block), a final one, header and trailer.
        assert_eq!(stored.len(), noise.len() + 20 * 5 + 5 + 10 + 8);
        let text = b"layer ".repeat(100_000);
        assert!(gzip(&text, 1, 1 << 20).len() < text.len() / 50);
        assert!(entropy(&noise[..BLOCK]) > RANDOM);
        assert!(entropy(&text[..BLOCK]) < 3.0);
    }

    #[test]
    fn output_is_deterministic_and_empty_input_is_valid() {
        let data = random(200_000, 11);
        assert_eq!(gzip(&data, 1, 4096), gzip(&data, 1, 1 << 20));
        assert_eq!(gunzip(&gzip(b"", 1, 1)), b"");
    }
}
