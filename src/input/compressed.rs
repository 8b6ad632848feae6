//! Compressed files read whole: decompressed (as they are read, or from memory for a text file
//! told compressed by its first bytes), then taken apart into documents. A JSON Lines file
//! damaged part way keeps the records that ended before the damage, as a reading in pieces
//! keeps them; any other damaged file is passed over, with a problem that names the
//! compression.

use super::{
    AfterChange, Compression, Document, InputOptions, SourceFile, SourceKind, SourceRead,
    changed_during_run, documents_of, read, unreadable,
};
use crate::diagnostic::{Diagnostic, Problem};

/// [`read_source`] for a gzip or zstd file: decompressed as it is read (the compressed bytes
/// are hashed on the way, never held), then its documents.
pub(super) fn read_compressed<T, W>(
    source: &SourceFile,
    options: &InputOptions,
    expected: Option<u64>,
    work: &W,
) -> SourceRead<T>
where
    T: Send,
    W: Fn(Document<'_>) -> T + Sync,
{
    let mut content = Vec::new();
    let (fingerprint, len, decompressed) =
        match read::decompress_file(&source.path, source.compression, &mut content) {
            Ok(read) => read,
            Err(e) => return unreadable(source, &e),
        };
    let read = if expected.is_some_and(|e| e != fingerprint) {
        SourceRead::failed(changed_during_run(&source.display, AfterChange::Skipped))
    } else {
        let decompressed = Decompressed {
            compression: source.compression,
            content: &content,
            failure: decompressed.err(),
            fingerprint,
        };
        documents_decompressed(source, decompressed, options, work)
    };
    // Progress and the report count the bytes on disk.
    SourceRead { len, ..read }
}

/// What decompressing a file gave.
pub(super) struct Decompressed<'a> {
    /// How it was compressed.
    pub(super) compression: Compression,
    /// The bytes decompressed, up to any failure.
    pub(super) content: &'a [u8],
    /// Why decompressing stopped before the end, if it did.
    pub(super) failure: Option<std::io::Error>,
    /// The fingerprint of the compressed bytes.
    pub(super) fingerprint: u64,
}

/// The documents of a decompressed file. A JSON Lines file whose decompression failed keeps
/// the records that ended before the damage, as a reading in pieces keeps them; any other is
/// skipped.
pub(super) fn documents_decompressed<T, W>(
    source: &SourceFile,
    file: Decompressed<'_>,
    options: &InputOptions,
    work: &W,
) -> SourceRead<T>
where
    T: Send,
    W: Fn(Document<'_>) -> T + Sync,
{
    let Decompressed {
        compression,
        content,
        failure,
        fingerprint,
    } = file;
    let documents = |bytes| {
        documents_of(
            source.kind,
            &source.display,
            bytes,
            fingerprint,
            options,
            work,
        )
    };
    let Some(e) = failure else {
        return documents(content);
    };
    let whole_lines = match source.kind {
        SourceKind::Jsonl => memchr::memrchr(b'\n', content),
        _ => None,
    };
    let Some(last_newline) = whole_lines else {
        return SourceRead::skipped(damaged(source, compression, &e, None), fingerprint);
    };
    let lines = &content[..=last_newline];
    let mut read = documents(lines);
    if !read.skipped {
        let next_line = memchr::memchr_iter(b'\n', lines).count() + 1;
        read.problems
            .push(damaged(source, compression, &e, Some(next_line)));
    }
    read
}

/// The problem for a file compressed as `compression` whose decompression failed: passed over
/// (no `line`), or read up to the line before `line`.
pub(super) fn damaged(
    source: &SourceFile,
    compression: Compression,
    e: &std::io::Error,
    line: Option<usize>,
) -> Diagnostic {
    let problem = Problem::Undecompressable {
        format: compression.name(),
        reason: e.to_string(),
        from_line: line.and_then(std::num::NonZeroUsize::new),
    };
    Diagnostic::new(source.display.as_str(), None, problem)
}
