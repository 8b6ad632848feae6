//! Bytes to text and back: which encoding a file is in, whether it is text at all, how it is
//! decoded, and how `clean` writes a cleaned copy in the same encoding.
//!
//! The rules (documented in the README, "Reliability"):
//! 1. A byte-order mark decides: UTF-8, UTF-16LE or UTF-16BE.
//! 2. Else, with `--encoding LABEL`, that encoding.
//! 3. Else, a file with NUL bytes is UTF-16 without a byte-order mark when its NULs fall on one
//!    parity only (mostly-ASCII UTF-16), and binary otherwise: it is skipped and named.
//! 4. Else valid UTF-8 is UTF-8.
//! 5. Else a file whose valid multi-byte UTF-8 sequences are at least as many as its invalid
//!    sequences is damaged UTF-8: it is read with U+FFFD for each invalid sequence.
//! 6. Else the legacy encoding is guessed (chardetng: Windows-1252 for Latin-1 text, Shift_JIS,
//!    GBK, KOI8-R and the others browsers know).
//!
//! Every decoding that replaced bytes with U+FFFD is "lossy": the file is scanned, but `clean`
//! copies it unchanged, since its kept text could not be written back byte for byte.

use crate::diagnostic::Problem;
use std::borrow::Cow;

/// The encoding a file was read in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextEncoding {
    /// UTF-8.
    Utf8,
    /// UTF-16, little-endian.
    Utf16Le,
    /// UTF-16, big-endian.
    Utf16Be,
    /// A legacy single- or multi-byte encoding (Windows-1252, Shift_JIS, ...).
    Legacy(&'static encoding_rs::Encoding),
}

impl TextEncoding {
    /// The encoding's name, as in the WHATWG Encoding Standard (`UTF-8`, `windows-1252`, ...).
    pub fn name(self) -> &'static str {
        match self {
            TextEncoding::Utf8 => "UTF-8",
            TextEncoding::Utf16Le => "UTF-16LE",
            TextEncoding::Utf16Be => "UTF-16BE",
            TextEncoding::Legacy(e) => e.name(),
        }
    }

    /// The encoding for a WHATWG label (`latin1`, `utf-16le`, `sjis`, ...), if known.
    pub fn for_label(label: &str) -> Option<TextEncoding> {
        let encoding = encoding_rs::Encoding::for_label(label.trim().as_bytes())?;
        // Labels of encodings too dangerous for the Web (ISO-2022-KR, HZ) map to "replacement",
        // which decodes any input to one U+FFFD: no use here.
        (encoding != encoding_rs::REPLACEMENT).then(|| Self::from_encoding_rs(encoding))
    }

    fn from_encoding_rs(encoding: &'static encoding_rs::Encoding) -> TextEncoding {
        if encoding == encoding_rs::UTF_8 {
            TextEncoding::Utf8
        } else if encoding == encoding_rs::UTF_16LE {
            TextEncoding::Utf16Le
        } else if encoding == encoding_rs::UTF_16BE {
            TextEncoding::Utf16Be
        } else {
            TextEncoding::Legacy(encoding)
        }
    }

    fn encoding_rs(self) -> &'static encoding_rs::Encoding {
        match self {
            TextEncoding::Utf8 => encoding_rs::UTF_8,
            TextEncoding::Utf16Le => encoding_rs::UTF_16LE,
            TextEncoding::Utf16Be => encoding_rs::UTF_16BE,
            TextEncoding::Legacy(e) => e,
        }
    }
}

/// How the encoding was decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Plain UTF-8 (valid, no byte-order mark).
    Utf8,
    /// A byte-order mark.
    ByteOrderMark,
    /// `--encoding`.
    Given,
    /// Guessed from the bytes (UTF-16 without a byte-order mark, damaged UTF-8, a legacy
    /// encoding).
    Guessed,
}

/// A decoded file.
#[derive(Debug)]
pub struct Decoded<'a> {
    /// The text, without the byte-order mark; borrowed when the bytes were valid UTF-8.
    pub text: Cow<'a, str>,
    /// The encoding it was read in.
    pub encoding: TextEncoding,
    /// How the encoding was decided.
    pub decision: Decision,
    /// Length of the byte-order mark (0 when none).
    pub bom_len: usize,
    /// Byte offset of the first sequence replaced by U+FFFD, if any.
    pub first_error: Option<usize>,
}

impl Decoded<'_> {
    /// A one-line note on how a file not in plain UTF-8 was read, or `None` for plain UTF-8.
    /// Lossy decoding is a warning of its own ([`Decoded::first_error`]).
    pub fn note(&self) -> Option<Problem> {
        let utf16 = match (self.decision, self.encoding) {
            (Decision::Guessed, TextEncoding::Utf16Le | TextEncoding::Utf16Be) => true,
            (Decision::Guessed, TextEncoding::Legacy(_)) => false,
            _ => return None,
        };
        Some(Problem::GuessedEncoding {
            encoding: self.encoding.name(),
            utf16,
        })
    }
}

/// Why a file is not read as text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Binary {
    /// Offset of the first NUL byte.
    pub nul_at: usize,
}

/// Decodes a whole file by the module's rules; `given` is `--encoding`.
pub fn decode(bytes: &[u8], given: Option<TextEncoding>) -> Result<Decoded<'_>, Binary> {
    if let Some((encoding, bom_len)) = byte_order_mark(bytes) {
        return Ok(decode_as(bytes, encoding, bom_len, Decision::ByteOrderMark));
    }
    if let Some(encoding) = given {
        if !matches!(encoding, TextEncoding::Utf16Le | TextEncoding::Utf16Be)
            && let Some(nul_at) = memchr::memchr(0, bytes)
        {
            return Err(Binary { nul_at });
        }
        return Ok(decode_as(bytes, encoding, 0, Decision::Given));
    }
    if let Some(nul_at) = memchr::memchr(0, bytes) {
        return match utf16_without_bom(bytes) {
            Some(encoding) => Ok(decode_as(bytes, encoding, 0, Decision::Guessed)),
            None => Err(Binary { nul_at }),
        };
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok(Decoded {
            text: Cow::Borrowed(text),
            encoding: TextEncoding::Utf8,
            decision: Decision::Utf8,
            bom_len: 0,
            first_error: None,
        });
    }
    let (mut multibyte, mut invalid) = (0usize, 0usize);
    for chunk in bytes.utf8_chunks() {
        multibyte += chunk.valid().bytes().filter(|&b| b >= 0xC0).count();
        invalid += usize::from(!chunk.invalid().is_empty());
    }
    if multibyte >= invalid {
        return Ok(decode_as(bytes, TextEncoding::Utf8, 0, Decision::Guessed));
    }
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(bytes, true);
    let guessed = detector.guess(None, chardetng::Utf8Detection::Deny);
    Ok(decode_as(
        bytes,
        TextEncoding::from_encoding_rs(guessed),
        0,
        Decision::Guessed,
    ))
}

/// The encoding named by a byte-order mark at the start of `bytes`, with the mark's length.
pub fn byte_order_mark(bytes: &[u8]) -> Option<(TextEncoding, usize)> {
    match bytes {
        [0xEF, 0xBB, 0xBF, ..] => Some((TextEncoding::Utf8, 3)),
        [0xFF, 0xFE, ..] => Some((TextEncoding::Utf16Le, 2)),
        [0xFE, 0xFF, ..] => Some((TextEncoding::Utf16Be, 2)),
        _ => None,
    }
}

/// UTF-16 without a byte-order mark, recognized when (in the first 4 KiB of an even-length file)
/// at least a third of the code units have a NUL byte on one side, and at most one in twenty on
/// the other (characters such as U+3000 or U+4E00 have a NUL low byte).
fn utf16_without_bom(bytes: &[u8]) -> Option<TextEncoding> {
    if !bytes.len().is_multiple_of(2) {
        return None;
    }
    let head = &bytes[..bytes.len().min(4096)];
    let units = head.len() / 2;
    let (mut even, mut odd) = (0usize, 0usize);
    for pair in head.chunks_exact(2) {
        even += usize::from(pair[0] == 0);
        odd += usize::from(pair[1] == 0);
    }
    if odd * 3 >= units && even * 20 <= units {
        Some(TextEncoding::Utf16Le)
    } else if even * 3 >= units && odd * 20 <= units {
        Some(TextEncoding::Utf16Be)
    } else {
        None
    }
}

/// `bytes` as UTF-8, borrowed when valid; else with U+FFFD for each invalid sequence, and the
/// offset of the first one.
pub fn utf8_lossy(bytes: &[u8]) -> (Cow<'_, str>, Option<usize>) {
    match std::str::from_utf8(bytes) {
        Ok(text) => (Cow::Borrowed(text), None),
        Err(e) => (String::from_utf8_lossy(bytes), Some(e.valid_up_to())),
    }
}

fn decode_as(
    bytes: &[u8],
    encoding: TextEncoding,
    bom_len: usize,
    decision: Decision,
) -> Decoded<'_> {
    let body = &bytes[bom_len..];
    let (text, first_error) = match encoding {
        TextEncoding::Utf8 => {
            let (text, bad_at) = utf8_lossy(body);
            (text, bad_at.map(|offset| bom_len + offset))
        }
        other => {
            let (text, had_errors) = other.encoding_rs().decode_without_bom_handling(body);
            let first_error = had_errors.then(|| bom_len + first_error_offset(body, other));
            (Cow::Owned(text.into_owned()), first_error)
        }
    };
    Decoded {
        text,
        encoding,
        decision,
        bom_len,
        first_error,
    }
}

/// Offset of the first malformed sequence of `body` in `encoding` (decoded in steps).
fn first_error_offset(body: &[u8], encoding: TextEncoding) -> usize {
    let mut decoder = encoding.encoding_rs().new_decoder_without_bom_handling();
    let mut scratch = String::with_capacity(4096);
    let mut read_total = 0;
    loop {
        scratch.clear();
        let (result, read) =
            decoder.decode_to_string_without_replacement(&body[read_total..], &mut scratch, true);
        read_total += read;
        match result {
            encoding_rs::DecoderResult::InputEmpty => return read_total,
            encoding_rs::DecoderResult::Malformed(bad, after) => {
                return read_total.saturating_sub(bad as usize + after as usize);
            }
            encoding_rs::DecoderResult::OutputFull => {
                scratch.reserve(4096);
            }
        }
    }
}

/// Encodes `text` back into the encoding `decoded` was read in, with the same byte-order mark:
/// the bytes a cleaned copy is written with. `None` when the encoding cannot give back the
/// original bytes (a lossy decoding, a stateful encoding, or a file whose decoding does not
/// round-trip), so the caller copies the file unchanged instead.
pub fn encode_like(decoded: &Decoded<'_>, original: &[u8], text: &str) -> Option<Vec<u8>> {
    if decoded.first_error.is_some() {
        return None;
    }
    let bom = &original[..decoded.bom_len];
    let encode = |text: &str| -> Option<Vec<u8>> {
        let mut out = bom.to_vec();
        match decoded.encoding {
            TextEncoding::Utf8 => out.extend_from_slice(text.as_bytes()),
            TextEncoding::Utf16Le => text
                .encode_utf16()
                .for_each(|u| out.extend_from_slice(&u.to_le_bytes())),
            TextEncoding::Utf16Be => text
                .encode_utf16()
                .for_each(|u| out.extend_from_slice(&u.to_be_bytes())),
            TextEncoding::Legacy(e) => {
                if e == encoding_rs::ISO_2022_JP || e.output_encoding() != e {
                    return None;
                }
                let (bytes, _, unmappable) = e.encode(text);
                if unmappable {
                    return None;
                }
                out.extend_from_slice(&bytes);
            }
        }
        Some(out)
    };
    // Character by character, a stateless encoding gives back the same bytes for the kept text
    // exactly when it gives back the whole original.
    if decoded.encoding != TextEncoding::Utf8 && encode(&decoded.text)?.as_slice() != original {
        return None;
    }
    encode(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16(text: &str, little: bool, bom: bool) -> Vec<u8> {
        let mut out = Vec::new();
        if bom {
            out.extend_from_slice(if little { &[0xFF, 0xFE] } else { &[0xFE, 0xFF] });
        }
        for u in text.encode_utf16() {
            out.extend_from_slice(&if little {
                u.to_le_bytes()
            } else {
                u.to_be_bytes()
            });
        }
        out
    }

    #[test]
    fn plain_utf8_is_borrowed_without_note() {
        let d = decode("naïve café".as_bytes(), None).unwrap();
        assert!(matches!(d.text, Cow::Borrowed("naïve café")));
        assert_eq!(
            (d.encoding, d.first_error, d.note()),
            (TextEncoding::Utf8, None, None)
        );
    }

    #[test]
    fn utf8_bom_is_dropped() {
        let d = decode(b"\xEF\xBB\xBFhello", None).unwrap();
        assert_eq!((d.text.as_ref(), d.bom_len), ("hello", 3));
        assert_eq!(d.note(), None);
    }

    #[test]
    fn utf16_with_and_without_bom() {
        let text = "Grüße, “quoted” — 東京\u{3000}一 and more words here";
        for little in [true, false] {
            for bom in [true, false] {
                let bytes = utf16(text, little, bom);
                let d = decode(&bytes, None).unwrap();
                assert_eq!(d.text, text, "little {little} bom {bom}");
                let expected = if little {
                    TextEncoding::Utf16Le
                } else {
                    TextEncoding::Utf16Be
                };
                assert_eq!(d.encoding, expected);
                assert_eq!(encode_like(&d, &bytes, &d.text).unwrap(), bytes);
            }
        }
    }

    #[test]
    fn nul_bytes_make_a_binary_file() {
        let png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00";
        assert_eq!(decode(png, None).unwrap_err(), Binary { nul_at: 8 });
        assert!(decode(b"text\0more", Some(TextEncoding::Utf8)).is_err());
        // Anywhere in a long file, the first of several NULs is the one named.
        for at in [4095, 4096, 5000, 12_287] {
            let mut bytes = vec![b'a'; 12_288];
            bytes[at] = 0;
            bytes[at + 1..].iter_mut().take(3).for_each(|b| *b = 0);
            assert_eq!(
                decode(&bytes, None).unwrap_err(),
                Binary { nul_at: at },
                "{at}"
            );
        }
        assert!(decode(&[b'a'; 9000], None).is_ok());
    }

    #[test]
    fn latin1_is_guessed_and_round_trips() {
        let bytes = b"Le caf\xE9 \xE9tait ferm\xE9 \xE0 cause de la gr\xE8ve; \x93quoted\x94.";
        let d = decode(bytes, None).unwrap();
        assert_eq!(d.encoding.name(), "windows-1252");
        assert_eq!(d.decision, Decision::Guessed);
        assert!(d.text.contains("café était fermé à cause de la grève"));
        assert!(d.text.contains("“quoted”"));
        assert!(d.note().unwrap().to_string().contains("windows-1252"));
        let kept = d.text.replacen("Le ", "", 1);
        assert_eq!(encode_like(&d, bytes, &kept).unwrap(), &bytes[3..]);
    }

    #[test]
    fn damaged_utf8_keeps_utf8_and_is_lossy() {
        let bytes = "café crème brûlée ".repeat(3) + "end";
        let mut bytes = bytes.into_bytes();
        bytes[4] = 0xFF; // breaks the first é
        let d = decode(&bytes, None).unwrap();
        assert_eq!(d.encoding, TextEncoding::Utf8);
        assert_eq!(d.first_error, Some(3));
        assert!(d.text.contains("crème"));
        assert_eq!(encode_like(&d, &bytes, &d.text), None);
    }

    #[test]
    fn given_encoding_is_used_and_labels_resolve() {
        let latin1 = TextEncoding::for_label("latin1").unwrap();
        assert_eq!(latin1.name(), "windows-1252");
        let d = decode(b"na\xEFve", Some(latin1)).unwrap();
        assert_eq!((d.text.as_ref(), d.decision), ("naïve", Decision::Given));
        // A byte-order mark still wins.
        let d = decode(b"\xEF\xBB\xBFna\xC3\xAFve", Some(latin1)).unwrap();
        assert_eq!(d.text, "naïve");
        assert_eq!(TextEncoding::for_label("no-such-encoding"), None);
        assert_eq!(TextEncoding::for_label("iso-2022-kr"), None);
    }

    #[test]
    fn lossy_utf16_reports_the_offset() {
        // An unpaired high surrogate at code unit 1 (byte offset 2 after the BOM).
        let bytes = [0xFF, 0xFE, b'a', 0, 0x00, 0xD8, b'b', 0];
        let d = decode(&bytes, None).unwrap();
        assert_eq!(d.text, "a\u{FFFD}b");
        assert_eq!(d.first_error, Some(4));
    }
}
