//! Compressed inputs: which files are gzip or zstd (by their last extension, `.gz` or `.zst`,
//! or, where the name does not say, by their first bytes: gzip's `1f 8b`, zstd's `28 b5 2f
//! fd`), and their bytes decompressed and compressed again, so that `x.jsonl.gz` is read as JSON
//! Lines and `clean` writes its copy as gzip. gzip files may hold several members (as `cat
//! a.gz b.gz` makes); all are read.

use std::io::{Read, Write};

/// How a file's bytes are compressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Compression {
    /// Plain.
    #[default]
    None,
    /// gzip (`.gz`).
    Gzip,
    /// Zstandard (`.zst`).
    Zstd,
}

impl Compression {
    /// The compression a file name's last extension names, and the name without it.
    pub fn of_name(name: &[u8]) -> (Compression, &[u8]) {
        let lower_ends_with = |suffix: &[u8]| {
            name.len() > suffix.len()
                && name[name.len() - suffix.len()..].eq_ignore_ascii_case(suffix)
        };
        if lower_ends_with(b".gz") {
            (Compression::Gzip, &name[..name.len() - 3])
        } else if lower_ends_with(b".zst") {
            (Compression::Zstd, &name[..name.len() - 4])
        } else {
            (Compression::None, name)
        }
    }

    /// The compression whose magic number `head` (a file's first bytes) starts with; `None`
    /// for any other.
    pub fn of_magic(head: &[u8]) -> Compression {
        if head.starts_with(&[0x1f, 0x8b]) {
            Compression::Gzip
        } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
            Compression::Zstd
        } else {
            Compression::None
        }
    }

    /// [`Compression::of_magic`] of the file at `path`'s first bytes (`None` when it cannot be
    /// read: reading it later says why).
    pub fn of_file(path: &std::path::Path) -> Compression {
        let mut head = Vec::with_capacity(4);
        let read =
            super::read::open_for_reading(path).and_then(|f| f.take(4).read_to_end(&mut head));
        match read {
            Ok(_) => Compression::of_magic(&head),
            Err(_) => Compression::None,
        }
    }

    /// A reader of what `reader` holds, decompressed this way.
    pub fn decoder<'a>(self, reader: impl Read + 'a) -> std::io::Result<Box<dyn Read + 'a>> {
        Ok(match self {
            Compression::None => Box::new(reader),
            Compression::Gzip => Box::new(flate2::read::MultiGzDecoder::new(reader)),
            Compression::Zstd => Box::new(zstd::stream::read::Decoder::new(reader)?),
        })
    }

    /// Its name in messages.
    pub fn name(self) -> &'static str {
        match self {
            Compression::None => "plain",
            Compression::Gzip => "gzip",
            Compression::Zstd => "zstd",
        }
    }

    /// `bytes` decompressed into `out` (cleared first).
    pub fn decompress(self, bytes: &[u8], out: &mut Vec<u8>) -> std::io::Result<()> {
        self.decompress_from(bytes, out)
    }

    /// [`Compression::decompress`] from a reader, as its bytes come.
    pub fn decompress_from(self, mut reader: impl Read, out: &mut Vec<u8>) -> std::io::Result<()> {
        out.clear();
        match self {
            Compression::None => {
                reader.read_to_end(out)?;
            }
            Compression::Gzip => {
                flate2::read::MultiGzDecoder::new(reader).read_to_end(out)?;
            }
            Compression::Zstd => {
                zstd::stream::read::Decoder::new(reader)?.read_to_end(out)?;
            }
        }
        Ok(())
    }

    /// `bytes` compressed this way (gzip at level 6, zstd at level 3, their usual defaults),
    /// as a stream without a recorded size: the bytes [`Compression::encoder`] gives, however
    /// they are fed to it.
    pub fn compress(self, bytes: &[u8]) -> std::io::Result<Vec<u8>> {
        let mut encoder = self.encoder(Vec::new())?;
        encoder.write_all(bytes)?;
        encoder.finish()
    }

    /// A writer that compresses this way into `out`; [`Encoder::finish`] ends the stream.
    pub fn encoder<W: Write>(self, out: W) -> std::io::Result<Encoder<W>> {
        Ok(match self {
            Compression::None => Encoder::Plain(out),
            Compression::Gzip => Encoder::Gzip(flate2::write::GzEncoder::new(
                out,
                flate2::Compression::new(6),
            )),
            Compression::Zstd => Encoder::Zstd(zstd::stream::write::Encoder::new(out, 3)?),
        })
    }
}

/// A compressor in front of a writer ([`Compression::encoder`]).
pub enum Encoder<W: Write> {
    /// No compression.
    Plain(W),
    /// gzip.
    Gzip(flate2::write::GzEncoder<W>),
    /// Zstandard.
    Zstd(zstd::stream::write::Encoder<'static, W>),
}

impl<W: Write> Encoder<W> {
    /// Ends the stream and gives the writer back.
    pub fn finish(self) -> std::io::Result<W> {
        match self {
            Encoder::Plain(mut out) => out.flush().map(|()| out),
            Encoder::Gzip(encoder) => encoder.finish(),
            Encoder::Zstd(encoder) => encoder.finish(),
        }
    }
}

impl<W: Write> Write for Encoder<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            Encoder::Plain(out) => out.write(buf),
            Encoder::Gzip(encoder) => encoder.write(buf),
            Encoder::Zstd(encoder) => encoder.write(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Encoder::Plain(out) => out.flush(),
            Encoder::Gzip(encoder) => encoder.flush(),
            Encoder::Zstd(encoder) => encoder.flush(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_say_the_compression_and_keep_the_inner_extension() {
        assert_eq!(
            Compression::of_name(b"x.jsonl.gz"),
            (Compression::Gzip, &b"x.jsonl"[..])
        );
        assert_eq!(
            Compression::of_name(b"X.TXT.ZST"),
            (Compression::Zstd, &b"X.TXT"[..])
        );
        assert_eq!(
            Compression::of_name(b".gz"),
            (Compression::None, &b".gz"[..])
        );
        assert_eq!(
            Compression::of_name(b"a.txt"),
            (Compression::None, &b"a.txt"[..])
        );
    }

    #[test]
    fn magic_numbers_tell_both_formats() {
        let text = b"some text, long enough to compress\n".repeat(4);
        for c in [Compression::Gzip, Compression::Zstd] {
            let packed = c.compress(&text).unwrap();
            assert_eq!(Compression::of_magic(&packed), c);
            let mut out = Vec::new();
            c.decoder(&packed[..])
                .unwrap()
                .read_to_end(&mut out)
                .unwrap();
            assert_eq!(out, text);
        }
        assert_eq!(Compression::of_magic(&text), Compression::None);
        assert_eq!(Compression::of_magic(b"\x1f"), Compression::None);
        assert_eq!(Compression::of_magic(b""), Compression::None);
    }

    #[test]
    fn both_formats_round_trip_and_gzip_members_are_all_read() {
        let text = "one line\nand another, long enough to be worth compressing\n".repeat(50);
        for c in [Compression::Gzip, Compression::Zstd] {
            let packed = c.compress(text.as_bytes()).unwrap();
            assert!(packed.len() < text.len());
            let mut out = Vec::new();
            c.decompress(&packed, &mut out).unwrap();
            assert_eq!(out, text.as_bytes());
        }
        let mut two = Compression::Gzip.compress(b"first member\n").unwrap();
        two.extend(Compression::Gzip.compress(b"second member\n").unwrap());
        let mut out = Vec::new();
        Compression::Gzip.decompress(&two, &mut out).unwrap();
        assert_eq!(out, b"first member\nsecond member\n");
        assert!(Compression::Gzip.decompress(b"not gzip", &mut out).is_err());
        assert!(Compression::Zstd.decompress(b"not zstd", &mut out).is_err());
    }
}
