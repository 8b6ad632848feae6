//! The readers: which files are inputs ([`walk`], standard input [`stdin`]), how their bytes are
//! read ([`read`]), decompressed ([`compression`], [`compressed`]) and decoded ([`decode`]), and
//! how a file becomes documents (a text file is one, a JSONL file one per record, [`jsonl`],
//! read in pieces when large, [`pieces`], a Parquet file one per row, [`parquet`]). The only
//! layer that touches the file system on the input side; it knows nothing of the stages that
//! use the documents, nor of the report.
//!
//! Rules, all documented in the README:
//! - Paths on the command line may be files or folders. Folders are walked recursively in byte
//!   order of file names; hidden entries (name starting with `.`, which covers `.git`) are skipped;
//!   symbolic links are not followed unless asked. Files met while walking count when their
//!   extension is in the list (`txt`, `md`, `text`, `jsonl`, `ndjson` and no extension by
//!   default); a file
//!   named on the command line is always read.
//! - Files ending in `.jsonl` or `.ndjson` (or every file, with [`InputFormat::Jsonl`]) hold one
//!   JSON object per line; the text is a string field, the id
//!   another field (the line number when absent). Blank lines are ignored.
//! - Files ending in `.parquet` (or every file, with [`InputFormat::Parquet`]) hold one document
//!   per row: the text is a string column, the id another column (the row number when absent).
//! - Files ending in `.gz` or `.zst` are decompressed; so are standard input and files whose
//!   name says no compression when their first bytes are gzip's or zstd's magic number.
//! - Standard input is JSON Lines when its first line that is not blank is a JSON object
//!   (unless `--format` says otherwise), else text.
//! - A named path that is a FIFO, device or socket is skipped (it could be endless).
//! - Text files are decoded by [`decode`]'s rules (byte-order marks, UTF-16, binary
//!   files, damaged UTF-8, guessed legacy encodings); JSONL is UTF-8, and a NUL byte in its first
//!   8 KiB makes it binary.
//! - Every file read is fingerprinted, so later passes can tell that it changed.
//! - Any problem with one input is a [`Diagnostic`] and the run goes on with the rest.

mod compressed;
pub mod compression;
pub mod decode;
mod ids;
mod jsonl;
pub mod memory;
pub(crate) mod parquet;
mod pieces;
mod read;
pub(crate) use read::{HashingReader, open_for_reading};
mod stdin;
mod walk;

pub use crate::diagnostic::Position;
use crate::diagnostic::{AfterChange, Diagnostic, Problem, io_reason};
pub use compression::Compression;
use decode::TextEncoding;
use serde_json::Value;
use std::path::PathBuf;

pub(crate) use walk::{Walked, discover};

/// Input selection and JSONL field names.
#[derive(Debug, Clone)]
pub struct InputOptions {
    /// Extensions (without the dot, lowercase) of files to read while walking folders; the empty
    /// string stands for files without an extension.
    pub extensions: Vec<String>,
    /// JSONL field holding the text.
    pub text_field: String,
    /// JSONL field holding the document id.
    pub id_field: String,
    /// Follow symbolic links while walking.
    pub follow_links: bool,
    /// `--encoding`: the encoding of files without a byte-order mark (`None`: detect).
    pub encoding: Option<TextEncoding>,
    /// Ask the file system for every file's size while walking, so that progress has a total
    /// in bytes from the start. It costs one more system call per file; without it a text
    /// file's size is known once it is read ([`SourceRead::len`]), and progress totals start at
    /// 0. The sizes of files of records (JSON Lines, Parquet) and compressed files are always
    /// asked for: the scan plans its batches by them.
    pub sizes_up_front: bool,
    /// How files become documents: by extension, or every file as text or as JSON Lines.
    pub format: InputFormat,
    /// JSON Lines field whose value each record carries along for `--keep-by` (the scan sets
    /// it from its keep rule).
    pub keep_field: Option<String>,
}

/// `--format`: how input files become documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum InputFormat {
    /// By extension: `.jsonl` and `.ndjson` are JSON Lines, `.parquet` is Parquet, anything
    /// else is text.
    #[default]
    Auto,
    /// Every file is one text document.
    Text,
    /// Every file is JSON Lines.
    Jsonl,
    /// Every file is Parquet.
    Parquet,
}

impl Default for InputOptions {
    fn default() -> Self {
        InputOptions {
            extensions: DEFAULT_EXTENSIONS.iter().map(|e| e.to_string()).collect(),
            text_field: "text".into(),
            id_field: "id".into(),
            follow_links: false,
            encoding: None,
            sizes_up_front: true,
            format: InputFormat::Auto,
            keep_field: None,
        }
    }
}

/// Extensions read by default while walking folders (`""`: no extension).
pub const DEFAULT_EXTENSIONS: &[&str] = &["txt", "md", "text", "jsonl", "ndjson", "parquet", ""];

/// How a file's content becomes documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceKind {
    /// The whole file is one document.
    Text,
    /// One JSON object per line, each a document.
    Jsonl,
    /// A Parquet file: one row per document.
    Parquet,
}

/// One input file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    /// Where to read it.
    pub path: PathBuf,
    /// How it is shown: the path as given on the command line joined with the relative path.
    pub display: String,
    /// Index of the command-line path it was found under.
    pub root: usize,
    /// Its path inside that root (a file named on the command line: its file name).
    pub relative: PathBuf,
    /// Text or JSONL.
    pub kind: SourceKind,
    /// How its bytes are compressed: by its last extension, or, where that says none, for
    /// standard input and files of records, by their first bytes (a text file's are looked at
    /// when it is read).
    pub compression: Compression,
    /// Size in bytes: when it was found with [`InputOptions::sizes_up_front`] (else 0), then,
    /// after a scan, the number of bytes its first reading gave.
    pub len: u64,
    /// Where its text is when it is not in a file (then `path` is empty): a text a program
    /// handed to [`crate::dedup`].
    pub memory: Option<memory::InMemory>,
}

/// One document handed to the per-document work.
#[derive(Debug, Clone, Copy)]
pub struct Document<'a> {
    /// The decoded text.
    pub text: &'a str,
    /// The record's line in a JSON Lines file or row in a Parquet file.
    pub position: Option<Position>,
    /// The id field of a record (its line or row number when it has none).
    pub id: Option<&'a Value>,
    /// The value of [`InputOptions::keep_field`] in a JSONL record.
    pub keep_value: Option<&'a Value>,
}

/// What reading one source gave.
#[derive(Debug)]
pub struct SourceRead<T> {
    /// The work's result for each document, in document order.
    pub docs: Vec<T>,
    /// Problems: the file or some of its records were skipped or read with replacements.
    pub problems: Vec<Diagnostic>,
    /// Notes that do not mean anything was lost (a guessed encoding, repeated JSONL ids).
    pub notes: Vec<Diagnostic>,
    /// xxh3 of the bytes read, to tell later whether the file changed; `None` when it could
    /// not be read (or, with an expected fingerprint, changed).
    pub fingerprint: Option<u64>,
    /// The file was read but skipped as a whole (binary, JSONL not in UTF-8): `clean` copies it
    /// unchanged.
    pub skipped: bool,
    /// Number of bytes read (0 when it could not be read).
    pub len: u64,
}

impl SourceRead<()> {
    /// This reading, with the documents that went elsewhere while it was read.
    fn with_docs<T>(self, docs: Vec<T>) -> SourceRead<T> {
        SourceRead {
            docs,
            problems: self.problems,
            notes: self.notes,
            fingerprint: self.fingerprint,
            skipped: self.skipped,
            len: self.len,
        }
    }
}

impl<T> SourceRead<T> {
    /// Nothing read: the file could not be read, or changed.
    fn failed(problem: Diagnostic) -> Self {
        SourceRead {
            docs: Vec::new(),
            problems: vec![problem],
            notes: Vec::new(),
            fingerprint: None,
            skipped: false,
            len: 0,
        }
    }

    /// Read (with that fingerprint), but not taken apart into documents.
    fn skipped(problem: Diagnostic, fingerprint: u64) -> Self {
        SourceRead {
            fingerprint: Some(fingerprint),
            skipped: true,
            ..Self::failed(problem)
        }
    }
}

/// The fingerprint [`SourceRead::fingerprint`] holds for these bytes.
pub fn fingerprint(bytes: &[u8]) -> u64 {
    xxhash_rust::xxh3::xxh3_64(bytes)
}

/// The diagnostic for a file whose bytes differ from those read in the first pass.
pub fn changed_during_run(path: &str, after: AfterChange) -> Diagnostic {
    Diagnostic::new(path, None, Problem::Changed(after))
}

/// Reads `source` and applies `work` to each of its documents, in parallel for the records of a
/// JSONL file. With `expected`, a file whose bytes no longer have that fingerprint gives no
/// documents and a problem instead (it changed since it was first read).
pub fn read_source<T, W>(
    source: &SourceFile,
    options: &InputOptions,
    expected: Option<u64>,
    work: &W,
) -> SourceRead<T>
where
    T: Send,
    W: Fn(Document<'_>) -> T + Sync,
{
    if let Some(memory) = &source.memory {
        return memory::read(source, memory, expected, work);
    }
    if source.kind == SourceKind::Parquet && source.compression == Compression::None {
        return read_parquet(source, options, expected, work);
    }
    if source.compression != Compression::None {
        return compressed::read_compressed(source, options, expected, work);
    }
    // The bytes go into this thread's reused buffer. It is taken out of its cell, not borrowed,
    // so that a nested read (rayon may run another file's job on this thread while a JSONL
    // file's lines are hashed in parallel) simply starts a buffer of its own.
    let mut bytes = READ_BUFFER.take();
    let outcome = match read::read_whole(&source.path, source.len, &mut bytes) {
        Err(e) => unreadable(source, &e),
        Ok(()) => {
            let fingerprint = fingerprint(&bytes);
            let magic = Compression::of_magic(&bytes);
            if expected.is_some_and(|e| e != fingerprint) {
                SourceRead::failed(changed_during_run(&source.display, AfterChange::Skipped))
            } else if magic != Compression::None {
                // Compressed, though its name does not say (a text file: files of records were
                // told by the walk).
                let mut content = Vec::new();
                let failure = magic.decompress(&bytes, &mut content).err();
                let decompressed = compressed::Decompressed {
                    compression: magic,
                    content: &content,
                    failure,
                    fingerprint,
                };
                SourceRead {
                    len: bytes.len() as u64,
                    ..compressed::documents_decompressed(source, decompressed, options, work)
                }
            } else {
                SourceRead {
                    len: bytes.len() as u64,
                    ..documents_of(
                        source.kind,
                        &source.display,
                        &bytes,
                        fingerprint,
                        options,
                        work,
                    )
                }
            }
        }
    };
    if bytes.capacity() <= read::KEPT_READ_BUFFER {
        READ_BUFFER.set(bytes);
    }
    outcome
}

/// [`read_source`] for a Parquet file: its row groups decoded in parallel, all of them.
fn read_parquet<T, W>(
    source: &SourceFile,
    options: &InputOptions,
    expected: Option<u64>,
    work: &W,
) -> SourceRead<T>
where
    T: Send,
    W: Fn(Document<'_>) -> T + Sync,
{
    let read = every_piece(|sink| parquet::read_pieces(source, options, usize::MAX, work, sink));
    if expected.is_some_and(|e| read.fingerprint != Some(e)) {
        return SourceRead::failed(changed_during_run(&source.display, AfterChange::Skipped));
    }
    read
}

/// The reading a piecewise `read` gives, with the documents of every piece gathered.
pub(crate) fn every_piece<T>(
    read: impl FnOnce(
        &mut dyn FnMut(Vec<T>, u64) -> Result<(), std::convert::Infallible>,
    ) -> Result<SourceRead<()>, std::convert::Infallible>,
) -> SourceRead<T> {
    let mut docs = Vec::new();
    let mut sink = |piece: Vec<T>, _| {
        docs.extend(piece);
        Ok(())
    };
    let Ok(read) = read(&mut sink);
    read.with_docs(docs)
}

/// Reads a file of records (JSON Lines, compressed or not, or Parquet) in pieces of about
/// `piece_bytes` of text, so that a file of any size is never held whole: each piece's
/// documents go through `work` in parallel, then to `sink` in document order, with the bytes of
/// the file read so far (for progress). The reading that comes back has no documents (they all
/// went to `sink`), and the file's problems, notes, fingerprint and size. A sink error stops
/// the reading and comes back as it is.
///
/// A file that cannot be read from some record on keeps the records before it, and a problem
/// says from which line or row on the rest was not read; one that fails before its first
/// record is skipped as [`read_source`] skips it.
pub fn read_pieces<T, W, E>(
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
    match source.kind {
        SourceKind::Parquet if source.compression == Compression::None => {
            parquet::read_pieces(source, options, piece_bytes, work, sink)
        }
        // A Parquet file compressed as a whole is decompressed whole: it has no pieces.
        SourceKind::Parquet | SourceKind::Text => {
            let read = read_source(source, options, None, work);
            sink(read.docs, read.len)?;
            Ok(SourceRead {
                docs: Vec::new(),
                problems: read.problems,
                notes: read.notes,
                fingerprint: read.fingerprint,
                skipped: read.skipped,
                len: read.len,
            })
        }
        SourceKind::Jsonl => pieces::read_jsonl_pieces(source, options, piece_bytes, work, sink),
    }
}

/// The result for a file that could not be read.
fn unreadable<T>(source: &SourceFile, e: &std::io::Error) -> SourceRead<T> {
    SourceRead::failed(Diagnostic::new(
        source.display.as_str(),
        None,
        Problem::Unreadable {
            reason: io_reason(e),
        },
    ))
}

/// Lets go of what the calling thread keeps between the files of one scan (its open folder, its
/// read buffer): called on every thread when a scan ends.
pub fn release_thread_state() {
    read::close_cached_folder();
    READ_BUFFER.with(|buffer| drop(buffer.take()));
}

thread_local! {
    /// Each thread's buffer for file contents, kept between files.
    static READ_BUFFER: std::cell::Cell<Vec<u8>> = const { std::cell::Cell::new(Vec::new()) };
}

/// The documents in the bytes of one file of the given kind (`display` names it in
/// diagnostics), each passed to `work`.
pub fn documents_in<T, W>(
    kind: SourceKind,
    display: &str,
    bytes: &[u8],
    options: &InputOptions,
    work: &W,
) -> SourceRead<T>
where
    T: Send,
    W: Fn(Document<'_>) -> T + Sync,
{
    SourceRead {
        len: bytes.len() as u64,
        ..documents_of(kind, display, bytes, fingerprint(bytes), options, work)
    }
}

/// [`documents_in`] for bytes whose fingerprint is known.
fn documents_of<T, W>(
    kind: SourceKind,
    display: &str,
    bytes: &[u8],
    fingerprint: u64,
    options: &InputOptions,
    work: &W,
) -> SourceRead<T>
where
    T: Send,
    W: Fn(Document<'_>) -> T + Sync,
{
    match kind {
        SourceKind::Text => text_document(display, bytes, fingerprint, options.encoding, work),
        SourceKind::Parquet => {
            parquet::documents_in_bytes(display, bytes, fingerprint, options, work)
        }
        SourceKind::Jsonl => {
            if let Some(refused) = jsonl_refused(display, bytes) {
                return SourceRead::skipped(refused, fingerprint);
            }
            let mut read = jsonl::read_jsonl(display, bytes, options, work);
            read.fingerprint = Some(fingerprint);
            read
        }
    }
}

/// The one document of a text file's `bytes`, decoded by [`decode`]'s rules with `encoding`
/// for bytes without a byte-order mark (`None`: detect).
fn text_document<T, W>(
    display: &str,
    bytes: &[u8],
    fingerprint: u64,
    encoding: Option<TextEncoding>,
    work: &W,
) -> SourceRead<T>
where
    W: Fn(Document<'_>) -> T,
{
    let decoded = match decode::decode(bytes, encoding) {
        Ok(decoded) => decoded,
        Err(binary) => {
            return SourceRead::skipped(binary_file(display, binary), fingerprint);
        }
    };
    let problems = decoded
        .first_error
        .map(|offset| undecodable(display, None, decoded.encoding, offset))
        .into_iter()
        .collect();
    let notes = decoded
        .note()
        .map(|note| Diagnostic::new(display, None, note))
        .into_iter()
        .collect();
    let doc = Document {
        text: &decoded.text,
        position: None,
        id: None,
        keep_value: None,
    };
    SourceRead {
        docs: vec![work(doc)],
        problems,
        notes,
        fingerprint: Some(fingerprint),
        skipped: false,
        len: 0,
    }
}

/// Why a JSONL file that starts with `head` is not read as one, if it is not: a byte-order mark
/// of another encoding than UTF-8, or a NUL byte early on (a binary file named .jsonl, an image
/// or an archive; later NUL bytes only spoil their own line, zero padding after a crash).
fn jsonl_refused(display: &str, head: &[u8]) -> Option<Diagnostic> {
    if let Some((encoding, _)) = decode::byte_order_mark(head)
        && encoding != TextEncoding::Utf8
    {
        let problem = Problem::JsonlNotUtf8 {
            encoding: encoding.name(),
        };
        return Some(Diagnostic::new(display, None, problem));
    }
    let head = &head[..head.len().min(BINARY_SNIFF_LEN)];
    let nul_at = head.iter().position(|&b| b == 0)?;
    Some(binary_file(display, decode::Binary { nul_at }))
}

/// How much of a JSONL file is looked at for NUL bytes to call it binary.
const BINARY_SNIFF_LEN: usize = 8192;

fn binary_file(display: &str, binary: decode::Binary) -> Diagnostic {
    let problem = Problem::Binary {
        nul_at: binary.nul_at,
    };
    Diagnostic::new(display, None, problem)
}

/// The warning for text read with U+FFFD replacements.
fn undecodable(
    path: &str,
    line: Option<usize>,
    encoding: TextEncoding,
    offset: usize,
) -> Diagnostic {
    let problem = Problem::Undecodable {
        encoding: encoding.name(),
        offset,
    };
    Diagnostic::new(path, line, problem)
}
