//! The corpus: which files are inputs (walking folders), how they are read, and how a JSONL file
//! becomes documents. The only stage that touches the filesystem on the input side.
//!
//! Rules, all documented in the README:
//! - Paths on the command line may be files or folders. Folders are walked recursively in byte
//!   order of file names; hidden entries (name starting with `.`, which covers `.git`) are skipped;
//!   symbolic links are not followed unless asked. Files met while walking count when their
//!   extension is in the list (`txt`, `md`, `text`, `jsonl` and no extension by default); a file
//!   named on the command line is always read.
//! - Files ending in `.jsonl` hold one JSON object per line; the text is a string field, the id
//!   another field (the line number when absent). Blank lines are ignored.
//! - A named path that is a FIFO, device or socket is skipped (it could be endless).
//! - Text files are decoded by [`crate::decode`]'s rules (byte-order marks, UTF-16, binary
//!   files, damaged UTF-8, guessed legacy encodings); JSONL is UTF-8, and a NUL byte in its first
//!   8 KiB makes it binary.
//! - Every file read is fingerprinted, so later passes can tell that it changed.
//! - Any problem with one input is a [`Diagnostic`] and the run goes on with the rest.

use crate::decode::{self, TextEncoding};
use rayon::prelude::*;
use serde_json::Value;
use std::fmt;
use std::path::{Path, PathBuf};

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
    /// in bytes from the start. It costs one more system call per file; without it a file's
    /// size is known once it is read ([`SourceRead::len`]), and progress totals start at 0.
    pub sizes_up_front: bool,
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
        }
    }
}

/// Extensions read by default while walking folders (`""`: no extension).
pub const DEFAULT_EXTENSIONS: &[&str] = &["txt", "md", "text", "jsonl", ""];

/// How a file's content becomes documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceKind {
    /// The whole file is one document.
    Text,
    /// One JSON object per line, each a document.
    Jsonl,
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
    /// Size in bytes: when it was found with [`InputOptions::sizes_up_front`] (else 0), then,
    /// after a scan, the number of bytes its first reading gave.
    pub len: u64,
}

/// A problem with one input: shown as `PATH: message` or `PATH:LINE: message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The file (display form).
    pub path: String,
    /// 1-based line for JSONL problems.
    pub line: Option<usize>,
    /// What went wrong and what was done about it.
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = crate::report::location(&self.path, self.line);
        write!(f, "{at}: {}", self.message)
    }
}

fn diagnostic(path: &str, line: Option<usize>, message: impl Into<String>) -> Diagnostic {
    Diagnostic {
        path: path.to_string(),
        line,
        message: message.into(),
    }
}

fn kind_of(path: &Path) -> SourceKind {
    match path
        .file_name()
        .and_then(|name| extension(name.as_encoded_bytes()))
    {
        Some(ext) if ext.eq_ignore_ascii_case(b"jsonl") => SourceKind::Jsonl,
        _ => SourceKind::Text,
    }
}

/// The extension of a file name, by the rule of [`Path::extension`] (after the last dot, none
/// for `.name` or `..`), without parsing a whole path: the walk asks this of every file.
fn extension(name: &[u8]) -> Option<&[u8]> {
    if name == b".." {
        return None;
    }
    match name.iter().rposition(|&b| b == b'.') {
        Some(0) | None => None,
        Some(dot) => Some(&name[dot + 1..]),
    }
}

fn extension_selected(path: &Path, extensions: &[String]) -> bool {
    let ext = path
        .file_name()
        .and_then(|name| extension(name.as_encoded_bytes()))
        .unwrap_or_default();
    if ext.is_ascii() {
        // Lowercase ASCII compares without allocating.
        let lowercase_is = |e: &String| {
            e.len() == ext.len() && e.bytes().zip(ext).all(|(c, x)| c == x.to_ascii_lowercase())
        };
        return extensions.iter().any(lowercase_is);
    }
    let ext = String::from_utf8_lossy(ext).to_lowercase();
    extensions.contains(&ext)
}

fn is_hidden(name: &std::ffi::OsStr) -> bool {
    name.as_encoded_bytes().first() == Some(&b'.')
}

/// Finds the input files under `roots`, sorted by display path and without repeats, plus a
/// diagnostic for every path that could not be walked.
pub fn discover(roots: &[PathBuf], options: &InputOptions) -> (Vec<SourceFile>, Vec<Diagnostic>) {
    let mut files = Vec::new();
    let mut problems = Vec::new();
    for (root_index, root) in roots.iter().enumerate() {
        let shown = root.to_string_lossy();
        let meta = match std::fs::metadata(root) {
            Ok(meta) => meta,
            Err(e) => {
                problems.push(diagnostic(&shown, None, io_reason(&e)));
                continue;
            }
        };
        if !meta.is_dir() && !meta.is_file() {
            // A FIFO, device or socket: it could be endless (`/dev/zero`) and cannot be read a
            // second time.
            problems.push(diagnostic(
                &shown,
                None,
                "not a regular file (a FIFO, device or socket), skipped",
            ));
            continue;
        }
        if !meta.is_dir() {
            files.push(SourceFile {
                path: root.clone(),
                display: shown.into_owned(),
                root: root_index,
                relative: root
                    .file_name()
                    .map(PathBuf::from)
                    .unwrap_or_else(|| PathBuf::from("document")),
                kind: kind_of(root),
                len: meta.len(),
            });
            continue;
        }
        // Without links to follow, the folders right under the root are walked in parallel
        // (the order is restored by the sort below); with links, one walk detects loops.
        if options.follow_links {
            walk(root, root_index, root, options, &mut files, &mut problems);
        } else {
            let mut subfolders = Vec::new();
            match std::fs::read_dir(root) {
                Ok(entries) => {
                    for entry in entries {
                        let entry = match entry {
                            Ok(entry) => entry,
                            Err(e) => {
                                problems.push(diagnostic(&shown, None, io_reason(&e)));
                                continue;
                            }
                        };
                        if is_hidden(&entry.file_name()) {
                            continue;
                        }
                        let path = entry.path();
                        match entry.file_type() {
                            Ok(t) if t.is_dir() => subfolders.push(path),
                            Ok(t) if t.is_file() => {
                                if extension_selected(&path, &options.extensions) {
                                    files.push(source_in(root, root_index, path));
                                }
                            }
                            Ok(_) => {} // a link, not followed
                            Err(e) => problems.push(diagnostic(
                                &path.to_string_lossy(),
                                None,
                                io_reason(&e),
                            )),
                        }
                    }
                }
                Err(e) => problems.push(diagnostic(&shown, None, io_reason(&e))),
            }
            // In name order, so that the files usually come out sorted already.
            subfolders.sort();
            let found: Vec<(Vec<SourceFile>, Vec<Diagnostic>)> = subfolders
                .par_iter()
                .with_max_len(1)
                .map(|folder| {
                    let (mut files, mut problems) = (Vec::new(), Vec::new());
                    walk(root, root_index, folder, options, &mut files, &mut problems);
                    (files, problems)
                })
                .collect();
            for (more_files, more_problems) in found {
                files.extend(more_files);
                problems.extend(more_problems);
            }
        }
    }
    // Each walk sorted its files, and the folders under a root were taken in name order, so
    // the whole list is usually in order already (not always: "a-b/x" sorts before "a/x" as
    // text), and checking costs one comparison per file.
    if !files.is_sorted_by(|a, b| by_name(a, b).is_le()) {
        files.sort_by(by_name);
    }
    problems.sort_by(|a, b| (&a.path, a.line).cmp(&(&b.path, b.line)));
    // The same file reached twice (`corpus` and `./corpus`, an absolute path, a followed link)
    // is read once, under the first name in sorted order. One path walked without following
    // links cannot reach a file twice, so the (parallel) canonicalization is skipped then.
    if roots.len() > 1 || options.follow_links {
        let canonical: Vec<PathBuf> = files
            .par_iter()
            .map(|f| std::fs::canonicalize(&f.path).unwrap_or_else(|_| f.path.clone()))
            .collect();
        let mut seen = std::collections::HashSet::new();
        let keep: Vec<bool> = canonical.into_iter().map(|c| seen.insert(c)).collect();
        let mut flags = keep.into_iter();
        files.retain(|_| flags.next().unwrap_or(true));
    }
    if options.sizes_up_front {
        files.par_iter_mut().filter(|f| f.len == 0).for_each(|f| {
            f.len = std::fs::metadata(&f.path).map(|m| m.len()).unwrap_or(0);
        });
    }
    (files, problems)
}

/// Walks `folder` (inside the command-line path `root`), adding the selected files and the
/// problems met.
fn walk(
    root: &Path,
    root_index: usize,
    folder: &Path,
    options: &InputOptions,
    files: &mut Vec<SourceFile>,
    problems: &mut Vec<Diagnostic>,
) {
    let shown = root.to_string_lossy();
    let first_new = files.len();
    // Unsorted: walkdir's sort by file name parses each path's last component at every
    // comparison. The files found are sorted once below, by their text.
    let walker = walkdir::WalkDir::new(folder)
        .follow_links(options.follow_links)
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !is_hidden(e.file_name()));
    for entry in walker {
        match entry {
            Ok(entry) => {
                if !entry.file_type().is_file()
                    || !extension_selected(entry.path(), &options.extensions)
                {
                    continue;
                }
                files.push(source_in(root, root_index, entry.into_path()));
            }
            Err(e) => {
                let path = e
                    .path()
                    .map(|p| p.to_string_lossy().into_owned())
                    .unwrap_or_else(|| shown.to_string());
                let reason = match (e.loop_ancestor(), e.io_error()) {
                    (Some(ancestor), _) => format!(
                        "symbolic link loop back to {}, not followed",
                        ancestor.display()
                    ),
                    (None, Some(io)) => io_reason(io),
                    (None, None) => e.to_string(),
                };
                problems.push(diagnostic(&path, None, reason));
            }
        }
    }
    files[first_new..].sort_unstable_by(by_name);
}

/// The order of sources: by displayed path, then (for names that only differ in bytes that are
/// not UTF-8) by the path itself, so that equal texts still sort the same way every run.
fn by_name(a: &SourceFile, b: &SourceFile) -> std::cmp::Ordering {
    a.display.cmp(&b.display).then_with(|| a.path.cmp(&b.path))
}

/// A file found while walking the command-line path `root` (its size is filled in later, in
/// parallel).
fn source_in(root: &Path, root_index: usize, path: PathBuf) -> SourceFile {
    let display = path.to_string_lossy().into_owned();
    // Walked paths are the root joined with more components: cut the root's text off when it
    // is there, instead of comparing the two paths component by component.
    let root_text = root.as_os_str().as_encoded_bytes();
    let relative = match path.as_os_str().as_encoded_bytes().strip_prefix(root_text) {
        Some([b'/', rest @ ..]) if !root_text.is_empty() && !root_text.ends_with(b"/") => {
            std::str::from_utf8(rest).ok().map(PathBuf::from)
        }
        _ => None,
    }
    .unwrap_or_else(|| path.strip_prefix(root).unwrap_or(&path).to_path_buf());
    SourceFile {
        display,
        root: root_index,
        relative,
        kind: kind_of(&path),
        len: 0,
        path,
    }
}

/// A one-line reason for an I/O error, without the OS error number noise.
pub fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        std::io::ErrorKind::StorageFull => "no space left on device".into(),
        std::io::ErrorKind::QuotaExceeded => "disk quota exceeded".into(),
        _ => e.to_string(),
    }
}

/// One document handed to the per-document work.
#[derive(Debug, Clone, Copy)]
pub struct Document<'a> {
    /// The decoded text.
    pub text: &'a str,
    /// 1-based line in a JSONL file.
    pub line: Option<usize>,
    /// The id field of a JSONL record (the line number when the record has none).
    pub id: Option<&'a Value>,
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
pub fn changed_during_run(path: &str, what_now: &str) -> Diagnostic {
    diagnostic(
        path,
        None,
        format!("changed while neardup was running; {what_now}"),
    )
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
    // The bytes go into this thread's reused buffer. It is taken out of its cell, not borrowed,
    // so that a nested read (rayon may run another file's job on this thread while a JSONL
    // file's lines are hashed in parallel) simply starts a buffer of its own.
    let mut bytes = READ_BUFFER.take();
    let outcome = match read_whole(&source.path, source.len, &mut bytes) {
        Err(e) => SourceRead::failed(diagnostic(&source.display, None, io_reason(&e))),
        Ok(()) => {
            let fingerprint = fingerprint(&bytes);
            if expected.is_some_and(|e| e != fingerprint) {
                SourceRead::failed(changed_during_run(&source.display, "skipped"))
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
    if bytes.capacity() <= KEPT_READ_BUFFER {
        READ_BUFFER.set(bytes);
    }
    outcome
}

thread_local! {
    /// Each thread's buffer for file contents, kept between files.
    static READ_BUFFER: std::cell::Cell<Vec<u8>> = const { std::cell::Cell::new(Vec::new()) };
}

/// Largest read buffer a thread keeps for the next file; a larger one is freed after use.
const KEPT_READ_BUFFER: usize = 1 << 20;

/// Reads the whole file at `path` into `bytes` (cleared first), without asking the file system
/// for its size again as `std::fs::read` does. The first read goes up to one byte past
/// `expected_len`, the size the walk found, so that a file that did not change takes one read
/// and one empty read; without that size (0), up to [`KEPT_READ_BUFFER`]. Only a file longer
/// than that is read on by `File::read_to_end`, which asks for the size and reserves the rest at
/// once instead of growing the buffer by doubling.
fn read_whole(path: &Path, expected_len: u64, bytes: &mut Vec<u8>) -> std::io::Result<()> {
    use std::io::Read;
    let mut file = open_for_reading(path)?;
    bytes.clear();
    let first = match expected_len {
        0 => KEPT_READ_BUFFER as u64,
        len => len.saturating_add(1),
    };
    bytes.try_reserve(usize::try_from(first).unwrap_or(usize::MAX))?;
    (&mut file).take(first).read_to_end(bytes)?;
    if bytes.len() as u64 == first {
        file.read_to_end(bytes)?;
    }
    Ok(())
}

/// Opens the file at `path` for reading, as `File::open` does. On Unix the file is opened by
/// its name inside its folder, through a descriptor of that folder that the calling thread
/// keeps for the next file: files come in path order, so one thread's consecutive files mostly
/// share a folder, and the kernel then looks up one name instead of every component of the
/// path. A folder that cannot be opened that way (searchable but not readable, say) is
/// remembered as such, and its files are opened by their whole path, so the errors are those
/// of `File::open`.
fn open_for_reading(path: &Path) -> std::io::Result<std::fs::File> {
    #[cfg(unix)]
    if let (Some(folder), Some(name)) = (path.parent(), path.file_name())
        && !folder.as_os_str().is_empty()
    {
        use rustix::fs::{Mode, OFlags};
        let opened = OPEN_FOLDER.with_borrow_mut(|open_folder| {
            if open_folder
                .as_ref()
                .is_none_or(|(cached, _)| cached != folder.as_os_str())
            {
                let fd = rustix::fs::open(
                    folder,
                    OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
                    Mode::empty(),
                )
                .ok();
                *open_folder = Some((folder.as_os_str().to_owned(), fd));
            }
            let fd = open_folder.as_ref()?.1.as_ref()?;
            Some(rustix::fs::openat(
                fd,
                name,
                OFlags::RDONLY | OFlags::CLOEXEC,
                Mode::empty(),
            ))
        });
        if let Some(opened) = opened {
            return opened.map(std::fs::File::from).map_err(Into::into);
        }
    }
    std::fs::File::open(path)
}

#[cfg(unix)]
thread_local! {
    /// The folder of the calling thread's last file opened by [`open_for_reading`], with its
    /// descriptor (`None`: it could not be opened).
    static OPEN_FOLDER: std::cell::RefCell<Option<(std::ffi::OsString, Option<rustix::fd::OwnedFd>)>> =
        const { std::cell::RefCell::new(None) };
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
        SourceKind::Text => {
            let decoded = match decode::decode(bytes, options.encoding) {
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
                .map(|note| diagnostic(display, None, note))
                .into_iter()
                .collect();
            let doc = Document {
                text: &decoded.text,
                line: None,
                id: None,
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
        SourceKind::Jsonl => {
            if let Some((encoding, _)) = decode::byte_order_mark(bytes)
                && encoding != TextEncoding::Utf8
            {
                return SourceRead::skipped(
                    diagnostic(
                        display,
                        None,
                        format!(
                            "JSONL must be UTF-8, found a {} byte-order mark; skipped",
                            encoding.name()
                        ),
                    ),
                    fingerprint,
                );
            }
            // A NUL byte early on means a binary file named .jsonl (an image, an archive); later
            // ones only spoil their own line (zero padding after a crash), see read_jsonl.
            let head = &bytes[..bytes.len().min(BINARY_SNIFF_LEN)];
            if let Some(nul_at) = head.iter().position(|&b| b == 0) {
                let binary = decode::Binary { nul_at };
                return SourceRead::skipped(binary_file(display, binary), fingerprint);
            }
            let mut read = read_jsonl(display, bytes, options, work);
            read.fingerprint = Some(fingerprint);
            read
        }
    }
}

/// How much of a JSONL file is looked at for NUL bytes to call it binary.
const BINARY_SNIFF_LEN: usize = 8192;

fn binary_file(display: &str, binary: decode::Binary) -> Diagnostic {
    diagnostic(
        display,
        None,
        format!(
            "binary file (NUL byte at offset {}), skipped",
            binary.nul_at
        ),
    )
}

/// The warning for text read with U+FFFD replacements.
fn undecodable(
    path: &str,
    line: Option<usize>,
    encoding: TextEncoding,
    offset: usize,
) -> Diagnostic {
    diagnostic(
        path,
        line,
        format!(
            "not valid {} (first bad byte at offset {offset}); invalid bytes read as U+FFFD",
            encoding.name()
        ),
    )
}

fn read_jsonl<T, W>(display: &str, bytes: &[u8], options: &InputOptions, work: &W) -> SourceRead<T>
where
    T: Send,
    W: Fn(Document<'_>) -> T + Sync,
{
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let lines: Vec<(usize, &[u8])> = bytes
        .split(|&b| b == b'\n')
        .enumerate()
        .map(|(i, line)| (i + 1, line.strip_suffix(b"\r").unwrap_or(line)))
        .filter(|(_, line)| !line.iter().all(u8::is_ascii_whitespace))
        .collect();
    let record = |line_no: usize, line: &str| -> Result<(T, Option<String>), Diagnostic> {
        let skip = |reason: String| diagnostic(display, Some(line_no), reason);
        let record: Value = serde_json::from_str(line)
            .map_err(|e| skip(format!("not valid JSON ({e}); line skipped")))?;
        let Value::Object(fields) = &record else {
            return Err(skip("not a JSON object; line skipped".into()));
        };
        let text = match fields.get(&options.text_field) {
            Some(Value::String(text)) => text,
            Some(_) => {
                return Err(skip(format!(
                    "field \"{}\" is not a string; line skipped",
                    options.text_field
                )));
            }
            None => {
                return Err(skip(format!(
                    "no field \"{}\"; line skipped",
                    options.text_field
                )));
            }
        };
        let line_id = Value::from(line_no);
        let given_id = fields.get(&options.id_field);
        let id = given_id.unwrap_or(&line_id);
        let doc = work(Document {
            text,
            line: Some(line_no),
            id: Some(id),
        });
        Ok((doc, given_id.map(Value::to_string)))
    };
    // Per line: a warning when it had to be decoded with replacements (the rule for text
    // files), and the document or the reason it was skipped.
    type LineOutcome<T> = (Option<Diagnostic>, Result<(T, Option<String>), Diagnostic>);
    let outcomes: Vec<LineOutcome<T>> = lines
        .par_iter()
        .with_max_len(crate::scan::DOCUMENTS_PER_TASK)
        .map(|&(line_no, line)| {
            // JSON is UTF-8 by definition: no other encoding is guessed for a line.
            let (line, bad_at) = decode::utf8_lossy(line);
            let warning = bad_at
                .map(|offset| undecodable(display, Some(line_no), TextEncoding::Utf8, offset));
            (warning, record(line_no, &line))
        })
        .collect();
    let mut docs = Vec::with_capacity(outcomes.len());
    let mut problems = Vec::new();
    // Ids are not used to tell documents apart (the line number does), but a repeated id is
    // worth a note: whoever joins the report with their data by id would be misled.
    let mut first_line_of_id: std::collections::HashMap<String, usize> = Default::default();
    let mut repeated_ids: Vec<(usize, usize, String)> = Vec::new();
    for ((warning, outcome), &(line_no, _)) in outcomes.into_iter().zip(&lines) {
        problems.extend(warning);
        match outcome {
            Ok((doc, id)) => {
                docs.push(doc);
                if let Some(id) = id {
                    let first = *first_line_of_id.entry(id.clone()).or_insert(line_no);
                    if first != line_no {
                        repeated_ids.push((line_no, first, id));
                    }
                }
            }
            Err(problem) => problems.push(problem),
        }
    }
    let notes = repeated_ids
        .first()
        .map(|(line, first, id)| {
            diagnostic(
                display,
                Some(*line),
                format!(
                    "id {id} already used at line {first} ({} repeated id{} in this file); \
                     documents are told apart by line",
                    repeated_ids.len(),
                    if repeated_ids.len() == 1 { "" } else { "s" }
                ),
            )
        })
        .into_iter()
        .collect();
    SourceRead {
        docs,
        problems,
        notes,
        fingerprint: None,
        skipped: false,
        len: 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_utf8_in_a_line_is_replaced_and_located() {
        let (text, bad) = decode::utf8_lossy(b"ab\xFFcd");
        assert_eq!((text.as_ref(), bad), ("ab\u{FFFD}cd", Some(2)));
    }

    #[test]
    fn extension_rules() {
        let exts: Vec<String> = DEFAULT_EXTENSIONS.iter().map(|s| s.to_string()).collect();
        assert!(extension_selected(Path::new("a/b.txt"), &exts));
        assert!(extension_selected(Path::new("a/B.TXT"), &exts));
        assert!(extension_selected(Path::new("a/README"), &exts));
        assert!(!extension_selected(Path::new("a/img.png"), &exts));
        assert_eq!(kind_of(Path::new("x.JSONL")), SourceKind::Jsonl);
        assert_eq!(kind_of(Path::new("x.txt")), SourceKind::Text);
        // The extension rule of Path::extension, on names alone.
        for name in [
            "a.txt",
            "a.",
            ".bashrc",
            "..",
            "...",
            ".a.b",
            "noext",
            "a.b.JSONL",
            "é.TXT",
            "x.Ä",
        ] {
            assert_eq!(
                extension(name.as_bytes()),
                Path::new(name).extension().map(|e| e.as_encoded_bytes()),
                "{name}"
            );
        }
        for (root, path, relative) in [
            ("corpus", "corpus/d/x.txt", "d/x.txt"),
            ("corpus/", "corpus/d/x.txt", "d/x.txt"),
            (".", "./x.txt", "x.txt"),
            ("/", "/x.txt", "x.txt"),
            ("a/b", "a/b/c/d.md", "c/d.md"),
            ("a/b", "a/bc/d.md", "a/bc/d.md"),
        ] {
            let found = source_in(Path::new(root), 0, PathBuf::from(path));
            assert_eq!(found.relative, Path::new(relative), "{root} {path}");
            assert_eq!(found.display, path);
        }
        assert!(!extension_selected(Path::new("a/b.tx"), &exts));
        assert!(!extension_selected(Path::new("a/b.txtx"), &exts));
    }

    #[test]
    fn walked_files_come_out_in_text_order() {
        // Names whose order by component differs from their order as text ("a-b/x" sorts before
        // "a/x" as text, after it by component), in several folders and depths.
        let dir = tempfile::tempdir().unwrap();
        let names = [
            "a/x.txt",
            "a-b/x.txt",
            "a/b/y.txt",
            "a.txt",
            "B.txt",
            "z/1/2.txt",
            "z/10.txt",
            "z/1.txt",
        ];
        for name in names {
            let path = dir.path().join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, "text").unwrap();
        }
        let root = dir.path().to_path_buf();
        for follow_links in [false, true] {
            let options = InputOptions {
                follow_links,
                ..InputOptions::default()
            };
            let (files, problems) = discover(std::slice::from_ref(&root), &options);
            assert!(problems.is_empty(), "{problems:?}");
            let shown: Vec<&str> = files.iter().map(|f| f.display.as_str()).collect();
            let mut expected: Vec<String> = names
                .iter()
                .map(|n| root.join(n).to_string_lossy().into_owned())
                .collect();
            expected.sort();
            assert_eq!(shown, expected, "follow_links {follow_links}");
        }
    }

    #[test]
    fn whole_files_are_read_whatever_size_was_expected() {
        let dir = tempfile::tempdir().unwrap();
        let mut buffer = Vec::new();
        // Empty, small, exactly the first read's length, longer; sizes unknown, right, stale.
        for len in [
            0,
            3,
            KEPT_READ_BUFFER,
            KEPT_READ_BUFFER + 17,
            3 * KEPT_READ_BUFFER,
        ] {
            let content: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
            let path = dir.path().join(format!("f{len}"));
            std::fs::write(&path, &content).unwrap();
            for expected in [0, len as u64, 1, len as u64 * 2 + 5] {
                read_whole(&path, expected, &mut buffer).unwrap();
                assert!(buffer == content, "{len} bytes, {expected} expected");
            }
        }
    }

    #[test]
    fn files_of_the_same_name_in_different_folders_are_told_apart() {
        // The folder kept open for the next file must be the file's own, whatever came before:
        // the same name in another folder or a subfolder, a file that is not there, a path
        // through a file.
        let dir = tempfile::tempdir().unwrap();
        for (folder, content) in [("a", "in a"), ("b", "in b"), ("a/b", "in a/b")] {
            std::fs::create_dir_all(dir.path().join(folder)).unwrap();
            std::fs::write(dir.path().join(folder).join("x.txt"), content).unwrap();
        }
        let mut buffer = Vec::new();
        for folder in ["a", "b", "a", "a/b", "b", "a/b", "a"] {
            let path = dir.path().join(folder).join("x.txt");
            read_whole(&path, 0, &mut buffer).unwrap();
            assert_eq!(buffer, format!("in {folder}").into_bytes(), "{folder}");
        }
        let missing = read_whole(&dir.path().join("a/none.txt"), 0, &mut buffer).unwrap_err();
        assert_eq!(missing.kind(), std::io::ErrorKind::NotFound);
        let not_a_folder = read_whole(&dir.path().join("a/x.txt/y"), 0, &mut buffer).unwrap_err();
        assert_eq!(
            io_reason(&not_a_folder),
            io_reason(&std::fs::File::open(dir.path().join("a/x.txt/y")).unwrap_err())
        );
        read_whole(&dir.path().join("b/x.txt"), 0, &mut buffer).unwrap();
        assert_eq!(buffer, b"in b");
    }

    #[test]
    fn diagnostics_show_path_and_line() {
        assert_eq!(
            diagnostic("a.jsonl", Some(3), "bad").to_string(),
            "a.jsonl:3: bad"
        );
        assert_eq!(diagnostic("a.txt", None, "bad").to_string(), "a.txt: bad");
    }
}
