//! Reading a JSON Lines file, compressed or not, in pieces of whole lines, so that a file of
//! any size is never held whole: the decompressor is read until a piece is full, the piece is
//! cut after its last newline, and what follows waits for the next piece.

use super::compressed::damaged;
use super::jsonl::JsonlReader;
use super::{
    BINARY_SNIFF_LEN, Document, InputOptions, SourceFile, SourceRead, jsonl_refused, read,
    unreadable,
};
use crate::diagnostic::Diagnostic;
use std::io::Read;

/// Reads a JSON Lines `source` (compressed or not) in pieces of about `piece_bytes` of text, so
/// that a file of any size is never held whole: each piece's documents go through `work` in
/// parallel, then to `sink` in document order, with the bytes of the file read so far (for
/// progress). The reading that comes back has no documents
/// (they all went to `sink`), and the file's problems, notes, fingerprint and size. A sink
/// error stops the reading and comes back as it is.
///
/// A file whose decompression fails before its first piece is skipped as
/// [`super::read_source`] skips it; one that fails later keeps the records already read, and a problem
/// says from which line on the rest was not read.
pub(super) fn read_jsonl_pieces<T, W, E>(
    source: &SourceFile,
    options: &InputOptions,
    piece_bytes: usize,
    work: &W,
    sink: &mut dyn FnMut(Vec<T>, u64) -> Result<(), E>,
) -> Result<SourceRead<()>, E>
where
    T: Send,
    W: Fn(Document<'_>) -> T + Sync,
{
    let display = source.display.as_str();
    let mut reader = match read::open_for_reading(&source.path) {
        Ok(file) => read::HashingReader::new(file),
        Err(e) => return Ok(unreadable(source, &e)),
    };
    let read_so_far = reader.counter();
    let mut decoder = match source.compression.decoder(&mut reader) {
        Ok(decoder) => decoder,
        Err(e) => return Ok(unreadable(source, &e)),
    };
    let mut jsonl = JsonlReader::new(display, options);
    let mut buffer: Vec<u8> = Vec::new();
    let mut first_piece = true;
    let mut lines_read = false;
    let mut failure: Option<std::io::Error> = None;
    let mut at_end = false;
    // While no newline ends the buffer: more than this is wanted, and the bytes before
    // `searched` hold none.
    let mut unfinished_line = 0;
    let mut searched = 0;
    loop {
        // Fill the buffer to the piece size (or the end), then cut after its last newline.
        // The first piece holds at least what a whole reading looks at for a binary file.
        let wanted = if first_piece {
            piece_bytes.max(BINARY_SNIFF_LEN)
        } else {
            piece_bytes.max(1)
        }
        .max(unfinished_line);
        if failure.is_none() && !at_end {
            match fill(&mut decoder, &mut buffer, wanted) {
                Ok(end) => at_end = end,
                Err(e) => (failure, at_end) = (Some(e), true),
            }
        }
        if failure.is_some() {
            // After a decompression error, only the lines that ended before it are read, as a
            // whole reading reads them: what follows the last newline is dropped.
            buffer.truncate(memchr::memrchr(b'\n', &buffer).map_or(0, |n| n + 1));
        }
        // Only the bytes read since the last search can hold a new newline.
        let cut = match memchr::memrchr(b'\n', &buffer[searched..]) {
            _ if at_end => buffer.len(),
            Some(newline) => searched + newline + 1,
            // One line longer than a piece: read on, twice as far each time, until it ends.
            None => {
                searched = buffer.len();
                unfinished_line = buffer.len().saturating_mul(2).max(piece_bytes);
                continue;
            }
        };
        searched = 0;
        unfinished_line = 0;
        let done = at_end && cut == 0;
        if first_piece && !buffer.is_empty() {
            first_piece = false;
            if let Some(refused) = jsonl_refused(display, &buffer) {
                drop(decoder);
                return Ok(finish_skipped(source, reader, refused));
            }
            if buffer.starts_with(b"\xEF\xBB\xBF") {
                buffer.drain(..3);
                // Cut again, without the mark.
                continue;
            }
        }
        if done {
            break;
        }
        if cut == 0 {
            continue;
        }
        lines_read = true;
        let docs = jsonl.piece(&buffer[..cut], work);
        buffer.drain(..cut);
        sink(docs, read_so_far.get())?;
        if at_end {
            break;
        }
    }
    drop(decoder);
    Ok(finish(source, jsonl, reader, failure, lines_read))
}

/// Reads from `decoder` into `buffer` until it holds `wanted` bytes (false) or the stream ends
/// (true); a read error ends it too, and comes back.
fn fill(decoder: &mut impl Read, buffer: &mut Vec<u8>, wanted: usize) -> std::io::Result<bool> {
    let mut block = [0u8; 1 << 16];
    while buffer.len() < wanted {
        let room = (wanted - buffer.len()).min(block.len());
        match decoder.read(&mut block[..room]) {
            Ok(0) => return Ok(true),
            Ok(n) => buffer.extend_from_slice(&block[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(false)
}

/// The reading of a file read in pieces to its end, or to the decompression `failure`, after
/// which only lines read before it count (none when `lines_read` is false: the file is passed
/// over).
fn finish(
    source: &SourceFile,
    jsonl: JsonlReader<'_>,
    reader: read::HashingReader,
    failure: Option<std::io::Error>,
    lines_read: bool,
) -> SourceRead<()> {
    let line = jsonl.next_line();
    let (mut problems, notes) = jsonl.finish();
    let (fingerprint, len, read_failed) = reader.finish();
    if let Some(e) = read_failed {
        return unreadable(source, &e);
    }
    let mut skipped = false;
    if let Some(e) = failure {
        // No whole line before the damage: the file is passed over.
        skipped = !lines_read;
        if skipped {
            problems.clear();
        }
        let line = (!skipped).then_some(line);
        problems.push(damaged(source, source.compression, &e, line));
    }
    SourceRead {
        docs: Vec::new(),
        problems,
        notes,
        fingerprint: Some(fingerprint),
        skipped,
        len,
    }
}

/// The reading of a file read to its end (for its fingerprint) and skipped as a whole.
fn finish_skipped(
    source: &SourceFile,
    reader: read::HashingReader,
    problem: Diagnostic,
) -> SourceRead<()> {
    let (fingerprint, len, failed) = reader.finish();
    match failed {
        Some(e) => unreadable(source, &e),
        None => SourceRead {
            len,
            ..SourceRead::skipped(problem, fingerprint)
        },
    }
}
