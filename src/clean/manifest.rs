//! The manifest: what a clean did and why, and its writing as JSON into the output folder (it
//! is also printed by `--json`). Its schema is documented in the README and tested by
//! deserializing into these structs with unknown fields denied.

use super::write::OutputWriter;
use crate::diagnostic::{Diagnostic, Position, Problem, io_reason};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// File name of the manifest written into the output folder.
pub const MANIFEST_NAME: &str = "neardup-manifest.json";
/// Empty file that marks a folder as neardup's output, written before any copy, so that an
/// interrupted run can be run again into the same folder.
pub const MARKER_NAME: &str = ".neardup-output";

/// Why a paragraph was removed; written as `"repeat"` or `"boilerplate"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RemovalReason {
    /// It repeats another paragraph of the same document.
    Repeat,
    /// It occurs in many unrelated documents.
    Boilerplate,
}

/// How a removed repeat matches the paragraph kept in its place; written as `"exact"`,
/// `"truncated"` or `"respelled"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RepeatKind {
    /// The same normalized text.
    Exact,
    /// The kept paragraph's start, cut off.
    Truncated,
    /// The same words, some spelled differently.
    Respelled,
}

/// The manifest: what clean did, written as JSON into the output folder.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// neardup's version.
    pub version: String,
    /// The parameters.
    pub params: CleanParams,
    /// Counts.
    pub stats: CleanStats,
    /// Documents that lost paragraphs, in path order.
    pub documents: Vec<DocumentChanges>,
    /// Documents left out as near-duplicates, in path order.
    pub dropped_duplicates: Vec<DroppedDuplicate>,
}

/// Parameters of a clean, as recorded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CleanParams {
    /// `"keep-first"` or `"drop-all"`.
    pub repeats: String,
    /// Whether boilerplate was removed.
    pub strip_boilerplate: bool,
    /// Unrelated documents a paragraph must occur in to be boilerplate.
    pub min_docs: usize,
    /// Words under which a paragraph is short: it joins a boilerplate zone but does not make one.
    pub min_words: usize,
    /// Whether near-duplicate documents were left out.
    pub drop_duplicates: bool,
    /// Which member of a cluster is kept: `first`, `longest`, `newest` or `by FIELD:desc`.
    pub keep: String,
    /// Whether files not read as documents were copied unchanged (false with `--text-only`).
    pub copy_other_files: bool,
    /// Jaccard threshold of the near-duplicate clusters.
    pub threshold: f64,
}

/// Counts of a clean.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CleanStats {
    /// Input files.
    pub files: usize,
    /// Output files written (or, with `--dry-run`, that would be).
    pub files_written: usize,
    /// Documents read.
    pub documents: usize,
    /// Documents that lost at least one paragraph.
    pub documents_changed: usize,
    /// Paragraphs removed, for any reason.
    pub paragraphs_removed: usize,
    /// Paragraphs removed as repeats inside their document.
    pub repeats_removed: usize,
    /// Paragraphs removed as boilerplate.
    pub boilerplate_removed: usize,
    /// Near-duplicate documents left out, each for a kept near-duplicate it names.
    pub duplicates_dropped: usize,
    /// Documents of near-duplicate clusters that stay: without `--drop-duplicates` all of
    /// them, with it the kept ones (usually one per cluster, several where members far from
    /// each other each have no kept near-duplicate).
    pub kept_in_clusters: usize,
    /// Input problems (the rest was processed).
    pub input_errors: usize,
    /// Bytes read.
    pub bytes_in: u64,
    /// Bytes written.
    pub bytes_out: u64,
    /// Files of the input folders not read as documents (other extensions), to be copied
    /// unchanged (none with `--text-only`).
    pub other_files: usize,
    /// Those of them copied (with `--dry-run`: that would be).
    pub files_copied: usize,
    /// Files an earlier run left in the output folder that this run did not write, removed
    /// (with `--dry-run`: that would be).
    pub stale_files_removed: usize,
}

/// The paragraphs removed from one document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocumentChanges {
    /// The input file.
    pub path: String,
    /// JSONL records: the id field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<Value>,
    /// JSONL records: the 1-based line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// Parquet records: the 0-based row in the file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub row: Option<usize>,
    /// The output file, relative to the output folder.
    pub output: String,
    /// The removed paragraphs, in document order.
    pub removed: Vec<Removed>,
}

/// One removed paragraph.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Removed {
    /// 1-based paragraph number in the original document.
    pub paragraph: u32,
    /// Its first and last line in the original document (inside the record's text for JSONL).
    pub lines: [u32; 2],
    /// Why it was removed.
    pub reason: RemovalReason,
    /// Repeats: first line of the occurrence that was kept (`keep-first`) or of the group's
    /// first occurrence (`drop-all`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repeat_of_line: Option<u32>,
    /// Repeats: that paragraph's preview, to check the match before anything is written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repeat_of_preview: Option<String>,
    /// Repeats: how it matches that paragraph.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repeat_kind: Option<RepeatKind>,
    /// Repeats: Jaccard similarity of the two paragraphs' word 3-shingles (1 when exact).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub similarity: Option<f64>,
    /// Boilerplate: number of documents holding the paragraph.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub boilerplate_documents: Option<usize>,
    /// Whitespace collapsed, cut to 72 characters.
    pub preview: String,
}

/// A document left out as a near-duplicate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DroppedDuplicate {
    /// The input file.
    pub path: String,
    /// JSONL records: the id field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<Value>,
    /// JSONL records: the 1-based line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// Parquet records: the 0-based row in the file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub row: Option<usize>,
    /// The kept document it duplicates (`path`, `path:line` or `path#row`): the member `--keep` keeps.
    pub duplicate_of: String,
    /// Jaccard similarity to that document.
    pub similarity: f64,
}

impl DocumentChanges {
    /// Its line or row.
    pub fn position(&self) -> Option<Position> {
        Position::from_fields(self.line, self.row)
    }
}

impl DroppedDuplicate {
    /// Its line or row.
    pub fn position(&self) -> Option<Position> {
        Position::from_fields(self.line, self.row)
    }
}

/// Writes `manifest` into the output folder `out` and returns its path; a failure joins
/// `write_failures`.
pub(super) fn write(
    manifest: &Manifest,
    out: &Path,
    writer: &dyn OutputWriter,
    write_failures: &mut Vec<Diagnostic>,
) -> Option<PathBuf> {
    let path = out.join(MANIFEST_NAME);
    // Written as it is serialized: the manifest of a large corpus lists millions of documents,
    // and its JSON is never held whole.
    let written = writer.write_from(&path, None, &mut |out| {
        serde_json::to_writer_pretty(&mut *out, manifest)?;
        out.write_all(b"\n")
    });
    match written {
        Ok(()) => Some(path),
        Err(e) => {
            write_failures.push(Diagnostic::new(
                path.display().to_string(),
                None,
                Problem::ManifestNotWritten {
                    reason: io_reason(&e),
                },
            ));
            None
        }
    }
}
