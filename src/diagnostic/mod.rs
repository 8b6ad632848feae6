//! Problems with single inputs, typed: what went wrong with one file or one JSONL record, and what
//! was done about it. A [`Diagnostic`] never stops a run (that is an [`crate::Error`]); it is
//! printed as `PATH: message` or `PATH:LINE: message`, and programs can match on its
//! [`ProblemKind`] instead of parsing the message.
//!
//! This module depends on nothing else in the crate, so that every layer (the readers, the
//! pipeline, clean) can report problems the same way.

mod wording;

use std::fmt;
use std::path::PathBuf;

/// Where a record sits in its file: the line of a JSON Lines record, the row of a Parquet one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Position {
    /// 1-based line of a JSON Lines record.
    Line(usize),
    /// 0-based row of a Parquet record, counted over the whole file (as pyarrow and DuckDB's
    /// `file_row_number` count).
    Row(usize),
}

impl Position {
    /// The line, for a JSON Lines record.
    pub fn line(self) -> Option<usize> {
        match self {
            Position::Line(line) => Some(line),
            Position::Row(_) => None,
        }
    }

    /// The row, for a Parquet record.
    pub fn row(self) -> Option<usize> {
        match self {
            Position::Row(row) => Some(row),
            Position::Line(_) => None,
        }
    }

    /// The position a report's `line` and `row` fields give, if either.
    pub fn from_fields(line: Option<usize>, row: Option<usize>) -> Option<Position> {
        line.map(Position::Line).or(row.map(Position::Row))
    }

    /// `line N` or `row N`, as messages name it.
    pub fn named(self) -> String {
        match self {
            Position::Line(line) => format!("line {line}"),
            Position::Row(row) => format!("row {row}"),
        }
    }
}

/// `path`, `path:line` for a JSON Lines record or `path#row` for a Parquet one: how a document
/// is named in messages and reports.
pub fn location(path: &str, position: Option<Position>) -> String {
    match position {
        Some(Position::Line(line)) => format!("{path}:{line}"),
        Some(Position::Row(row)) => format!("{path}#{row}"),
        None => path.to_string(),
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

/// What happened to a file that changed between two readings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterChange {
    /// It was left out of the scan.
    Skipped,
    /// The scan used its first reading, but its boilerplate paragraphs cannot be quoted.
    ParagraphsNotShown,
    /// `clean` wrote no copy of it.
    NotWritten,
}

/// One problem (or note) about an input or an output file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// The file or folder could not be read (the reason, as [`io_reason`] words it).
    Unreadable {
        /// Why.
        reason: String,
    },
    /// A FIFO, device or socket named on the command line.
    NotRegularFile,
    /// A followed symbolic link leads back to a folder above it.
    LinkLoop {
        /// The folder it leads back to.
        ancestor: PathBuf,
    },
    /// The file's bytes differ from those read earlier in the same run.
    Changed(AfterChange),
    /// A NUL byte where text cannot have one: the file was skipped as binary.
    Binary {
        /// Offset of the first NUL byte.
        nul_at: usize,
    },
    /// Bytes that are not valid in the file's encoding, read as U+FFFD.
    Undecodable {
        /// The encoding's name.
        encoding: &'static str,
        /// Offset of the first bad byte.
        offset: usize,
    },
    /// A compressed file whose data cannot be decompressed: skipped, or, for JSON Lines damaged
    /// part way, read up to the line before `from_line`.
    Undecompressable {
        /// `gzip` or `zstd`.
        format: &'static str,
        /// The decompressor's message.
        reason: String,
        /// The first line not read, when the records before it were.
        from_line: Option<std::num::NonZeroUsize>,
    },
    /// A JSONL file with a byte-order mark of another encoding than UTF-8: skipped.
    JsonlNotUtf8 {
        /// The encoding the byte-order mark names.
        encoding: &'static str,
    },
    /// A JSONL line that is not valid JSON: skipped.
    BadJsonLine {
        /// The JSON parser's message.
        reason: String,
    },
    /// A JSONL line that is valid JSON but not an object: skipped.
    NotAnObject,
    /// JSONL records without the text field: skipped. One problem per file, at the first
    /// such record.
    NoTextField {
        /// The field's name.
        field: String,
        /// How many records of the file lack it.
        lines: usize,
        /// The string fields the first of them has (at most a few), sorted.
        string_fields: Vec<String>,
    },
    /// A JSONL record whose text field is not a string: skipped.
    TextFieldNotString {
        /// The field's name.
        field: String,
    },
    /// A Parquet file that cannot be read: skipped, or, damaged part way, read up to the row
    /// before `from_row`.
    BadParquet {
        /// The Parquet reader's message.
        reason: String,
        /// The first row not read, when the rows before it were.
        from_row: Option<usize>,
    },
    /// A Parquet file without the text column: skipped.
    NoTextColumn {
        /// The column's name.
        column: String,
        /// The file's string columns (at most a few), in schema order.
        string_columns: Vec<String>,
    },
    /// A Parquet file whose text column does not hold strings: skipped.
    TextColumnNotString {
        /// The column's name.
        column: String,
        /// The type it holds, as Arrow names it.
        data_type: String,
    },
    /// Parquet rows whose text is null: skipped. One problem per file, at the first such row.
    NullText {
        /// The text column's name.
        column: String,
        /// How many rows of the file have a null text.
        rows: usize,
    },
    /// Note: a Parquet column named as the id or `--keep-by` field whose type is not read as
    /// one (a list, a struct): its rows go without.
    ColumnNotRead {
        /// The column's name.
        column: String,
        /// The type it holds, as Arrow names it.
        data_type: String,
    },
    /// Note: a text file not in plain UTF-8, read in a guessed encoding.
    GuessedEncoding {
        /// The encoding it was read in.
        encoding: &'static str,
        /// It had no byte-order mark and was recognized as UTF-16 (rather than a legacy
        /// encoding guessed from its bytes).
        utf16: bool,
    },
    /// Note: a document without a single word, left out of the comparison.
    EmptyDocument,
    /// Note: ids used by more than one record of a JSON Lines or Parquet file.
    RepeatedIds {
        /// The first repeated id, as JSON.
        id: String,
        /// The record that used it first.
        first_at: Position,
        /// How many records of the file repeat an earlier id.
        repeated: usize,
    },
    /// `clean` copied the file (or record) as it is: it could not be cleaned and written back
    /// byte for byte.
    CopiedUnchanged,
    /// `clean` wrote no copy of the file.
    NotWritten,
    /// `clean` wrote a near-duplicate because the document it duplicates could not be written.
    WrittenDespiteDuplicate {
        /// The document it duplicates (`path` or `path:line`).
        of: String,
    },
    /// An output file could not be written.
    WriteFailed {
        /// Why.
        reason: String,
    },
    /// A file an earlier run left in the output folder could not be removed.
    StaleNotRemoved {
        /// Why.
        reason: String,
    },
    /// The manifest could not be written.
    ManifestNotWritten {
        /// Why.
        reason: String,
    },
    /// The output disk filled up: writing stopped.
    DiskFull {
        /// Files that were not started.
        not_started: usize,
    },
}

/// The kind of a [`Problem`], without its details: what a program matches on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[allow(missing_docs)] // each is the variant of `Problem` of the same name
pub enum ProblemKind {
    Unreadable,
    NotRegularFile,
    LinkLoop,
    Changed,
    Binary,
    Undecodable,
    Undecompressable,
    JsonlNotUtf8,
    BadJsonLine,
    NotAnObject,
    NoTextField,
    TextFieldNotString,
    BadParquet,
    NoTextColumn,
    TextColumnNotString,
    NullText,
    ColumnNotRead,
    GuessedEncoding,
    EmptyDocument,
    RepeatedIds,
    CopiedUnchanged,
    NotWritten,
    WrittenDespiteDuplicate,
    WriteFailed,
    StaleNotRemoved,
    ManifestNotWritten,
    DiskFull,
}

impl ProblemKind {
    /// Its name in reports, in snake case (`bad_json_line`).
    pub fn name(self) -> &'static str {
        match self {
            ProblemKind::Unreadable => "unreadable",
            ProblemKind::NotRegularFile => "not_regular_file",
            ProblemKind::LinkLoop => "link_loop",
            ProblemKind::Changed => "changed",
            ProblemKind::Binary => "binary",
            ProblemKind::Undecodable => "undecodable",
            ProblemKind::Undecompressable => "undecompressable",
            ProblemKind::JsonlNotUtf8 => "jsonl_not_utf8",
            ProblemKind::BadJsonLine => "bad_json_line",
            ProblemKind::NotAnObject => "not_an_object",
            ProblemKind::NoTextField => "no_text_field",
            ProblemKind::TextFieldNotString => "text_field_not_string",
            ProblemKind::BadParquet => "bad_parquet",
            ProblemKind::NoTextColumn => "no_text_column",
            ProblemKind::TextColumnNotString => "text_column_not_string",
            ProblemKind::NullText => "null_text",
            ProblemKind::ColumnNotRead => "column_not_read",
            ProblemKind::GuessedEncoding => "guessed_encoding",
            ProblemKind::EmptyDocument => "empty_document",
            ProblemKind::RepeatedIds => "repeated_ids",
            ProblemKind::CopiedUnchanged => "copied_unchanged",
            ProblemKind::NotWritten => "not_written",
            ProblemKind::WrittenDespiteDuplicate => "written_despite_duplicate",
            ProblemKind::WriteFailed => "write_failed",
            ProblemKind::StaleNotRemoved => "stale_not_removed",
            ProblemKind::ManifestNotWritten => "manifest_not_written",
            ProblemKind::DiskFull => "disk_full",
        }
    }
}

impl Problem {
    /// Its kind.
    pub fn kind(&self) -> ProblemKind {
        match self {
            Problem::Unreadable { .. } => ProblemKind::Unreadable,
            Problem::NotRegularFile => ProblemKind::NotRegularFile,
            Problem::LinkLoop { .. } => ProblemKind::LinkLoop,
            Problem::Changed(_) => ProblemKind::Changed,
            Problem::Binary { .. } => ProblemKind::Binary,
            Problem::Undecodable { .. } => ProblemKind::Undecodable,
            Problem::Undecompressable { .. } => ProblemKind::Undecompressable,
            Problem::JsonlNotUtf8 { .. } => ProblemKind::JsonlNotUtf8,
            Problem::BadJsonLine { .. } => ProblemKind::BadJsonLine,
            Problem::NotAnObject => ProblemKind::NotAnObject,
            Problem::NoTextField { .. } => ProblemKind::NoTextField,
            Problem::TextFieldNotString { .. } => ProblemKind::TextFieldNotString,
            Problem::BadParquet { .. } => ProblemKind::BadParquet,
            Problem::NoTextColumn { .. } => ProblemKind::NoTextColumn,
            Problem::TextColumnNotString { .. } => ProblemKind::TextColumnNotString,
            Problem::NullText { .. } => ProblemKind::NullText,
            Problem::ColumnNotRead { .. } => ProblemKind::ColumnNotRead,
            Problem::GuessedEncoding { .. } => ProblemKind::GuessedEncoding,
            Problem::EmptyDocument => ProblemKind::EmptyDocument,
            Problem::RepeatedIds { .. } => ProblemKind::RepeatedIds,
            Problem::CopiedUnchanged => ProblemKind::CopiedUnchanged,
            Problem::NotWritten => ProblemKind::NotWritten,
            Problem::WrittenDespiteDuplicate { .. } => ProblemKind::WrittenDespiteDuplicate,
            Problem::WriteFailed { .. } => ProblemKind::WriteFailed,
            Problem::StaleNotRemoved { .. } => ProblemKind::StaleNotRemoved,
            Problem::ManifestNotWritten { .. } => ProblemKind::ManifestNotWritten,
            Problem::DiskFull { .. } => ProblemKind::DiskFull,
        }
    }
}

/// A problem with one input (or output) file: shown as `PATH: message` or `PATH:LINE: message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The file (display form).
    pub path: String,
    /// The record, for problems with one record of a JSON Lines or Parquet file.
    pub at: Option<Position>,
    /// What went wrong first.
    pub problem: Problem,
    /// What later passes found or did about the same file or record (`clean`: "copied
    /// unchanged", "not written"), in order; shown after the problem, each after `; `, so that
    /// one input gets one line.
    pub then: Vec<Problem>,
}

impl Diagnostic {
    /// A diagnostic with one problem, about the file or, with `line`, one JSON Lines record.
    pub fn new(path: impl Into<String>, line: Option<usize>, problem: Problem) -> Self {
        Self::at(path, line.map(Position::Line), problem)
    }

    /// A diagnostic with one problem, about the file or the record at `at`.
    pub fn at(path: impl Into<String>, at: Option<Position>, problem: Problem) -> Self {
        Diagnostic {
            path: path.into(),
            at,
            problem,
            then: Vec::new(),
        }
    }

    /// The line of the JSON Lines record it is about.
    pub fn line(&self) -> Option<usize> {
        self.at.and_then(Position::line)
    }

    /// The kind of its first problem.
    pub fn kind(&self) -> ProblemKind {
        self.problem.kind()
    }

    /// Every problem it holds, first to last.
    pub fn problems(&self) -> impl Iterator<Item = &Problem> {
        std::iter::once(&self.problem).chain(&self.then)
    }

    /// Adds what `later` says about the same file or record.
    pub fn absorb(&mut self, later: Diagnostic) {
        self.then.push(later.problem);
        self.then.extend(later.then);
    }

    /// The order diagnostics are listed in: by path, then record.
    pub(crate) fn position(&self) -> (&str, Option<Position>) {
        (&self.path, self.at)
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", location(&self.path, self.at), self.problem)?;
        for more in &self.then {
            write!(f, "; {more}")?;
        }
        Ok(())
    }
}

/// Sorts diagnostics into listing order (stable: one file's problems keep their order).
pub(crate) fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| a.position().cmp(&b.position()));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diagnostics_show_path_line_and_what_followed() {
        let bad = Problem::BadJsonLine {
            reason: "EOF".into(),
        };
        assert_eq!(
            Diagnostic::new("a.jsonl", Some(3), bad).to_string(),
            "a.jsonl:3: not valid JSON (EOF); line skipped"
        );
        let mut binary = Diagnostic::new("a.bin", None, Problem::Binary { nul_at: 7 });
        binary.absorb(Diagnostic::new("a.bin", None, Problem::CopiedUnchanged));
        assert_eq!(
            binary.to_string(),
            "a.bin: binary file (NUL byte at offset 7), skipped; copied unchanged, not cleaned"
        );
        assert_eq!(binary.kind(), ProblemKind::Binary);
        assert_eq!(
            binary.problems().map(Problem::kind).collect::<Vec<_>>(),
            [ProblemKind::Binary, ProblemKind::CopiedUnchanged]
        );
    }

    #[test]
    fn counts_take_their_plural() {
        let ids = |repeated| Problem::RepeatedIds {
            id: "\"a\"".into(),
            first_at: Position::Line(1),
            repeated,
        };
        assert!(ids(1).to_string().contains("(1 repeated id in this file)"));
        assert!(ids(2).to_string().contains("(2 repeated ids in this file)"));
        let full = |not_started| Problem::DiskFull { not_started }.to_string();
        assert!(full(1).ends_with("1 more file not written"));
        assert!(full(3).ends_with("3 more files not written"));
    }
}
