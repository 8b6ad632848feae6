//! Pass 2 of `clean`: every source read again, checked against its first reading, planned
//! document by document and handed to the [`OutputWriter`]. Text files are decoded, cleaned and
//! encoded back the way they came; JSONL files keep every line byte for byte except the text
//! value of the records that lost paragraphs and the lines of dropped near-duplicates.

use super::CleanConfig;
use super::lines::{self, LinesError, for_each_line};
use super::manifest::{DocumentChanges, DroppedDuplicate, Removed};
use super::plan::TextCleaner;
use super::write::OutputWriter;
use crate::diagnostic::{AfterChange, Diagnostic, Position, Problem, io_reason};
use crate::input::{self, Compression, SourceFile, SourceKind, decode};
use crate::outcome::ScanOutcome;
use crate::parallel::DOCUMENTS_PER_TASK;
use crate::progress::Progress;
use crate::shared::round4;
use rayon::prelude::*;
use serde_json::value::RawValue;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

/// A near-duplicate to leave out: the document it duplicates (kept) and their similarity.
pub(super) type DroppedFor = HashMap<u32, (u32, f64)>;

/// What pass 2 produced for one source.
#[derive(Default)]
pub(super) struct SourceResult {
    pub(super) changes: Vec<DocumentChanges>,
    pub(super) dropped: Vec<DroppedDuplicate>,
    pub(super) problems: Vec<Diagnostic>,
    pub(super) write_failure: Option<Diagnostic>,
    pub(super) written: bool,
    pub(super) bytes_out: u64,
    pub(super) documents: usize,
    /// Writing had stopped before this source's turn.
    pub(super) not_started: bool,
    /// The source could not be read again, changed, or could not be written: nothing of it is
    /// in the output.
    pub(super) failed: bool,
}

/// Shared state of pass 2.
pub(super) struct PassTwo<'a> {
    pub(super) config: &'a CleanConfig,
    pub(super) outcome: &'a ScanOutcome,
    pub(super) writer: &'a dyn OutputWriter,
    /// What is removed inside each text: the same for pass 2 and for the scan of the cleaned
    /// texts that `--drop-duplicates` decides on.
    pub(super) cleaning: &'a super::dedup::Cleaning,
    pub(super) dropped_for: &'a DroppedFor,
    /// Where each source goes, relative to the output folder.
    pub(super) destinations: &'a [PathBuf],
    /// The documents of each source: their line or row (`None` for a text file) and index.
    pub(super) docs_of_source: &'a [std::ops::Range<u32>],
    /// The output folder, resolved: every write must land inside it.
    pub(super) out_resolved: PathBuf,
    /// Folders already created and checked to lie inside it.
    pub(super) checked_folders: std::sync::Mutex<HashSet<PathBuf>>,
    /// A write failed for lack of space: no further file is started.
    pub(super) disk_full: AtomicBool,
}

impl PassTwo<'_> {
    /// Cleans the sources numbered `which`, in parallel; results in that order.
    pub(super) fn clean_sources(
        &self,
        which: &[usize],
        progress: &dyn Progress,
    ) -> Vec<SourceResult> {
        which
            .par_iter()
            .with_max_len(DOCUMENTS_PER_TASK)
            .map(|&i| {
                if self.stopped() {
                    return SourceResult {
                        not_started: true,
                        ..SourceResult::default()
                    };
                }
                let source = &self.outcome.sources[i];
                let result = self.clean_source(i);
                progress.advance(source.len);
                result
            })
            .collect()
    }

    /// Copies the files not read as documents (`others`, going to `destinations`) unchanged,
    /// in parallel; results in that order.
    pub(super) fn copy_files(
        &self,
        others: &[SourceFile],
        destinations: &[PathBuf],
    ) -> Vec<SourceResult> {
        others
            .par_iter()
            .zip(destinations)
            .with_max_len(DOCUMENTS_PER_TASK)
            .map(|(file, destination)| {
                let mut result = SourceResult::default();
                if self.stopped() {
                    result.not_started = true;
                    return result;
                }
                match std::fs::read(&file.path) {
                    Ok(bytes) => self.write_to(destination, &file.path, &bytes, &mut result),
                    Err(e) => {
                        let reason = io_reason(&e);
                        let mut unreadable = Diagnostic::new(
                            file.display.as_str(),
                            None,
                            Problem::Unreadable { reason },
                        );
                        unreadable.then.push(Problem::NotWritten);
                        result.problems.push(unreadable);
                        result.failed = true;
                    }
                }
                result
            })
            .collect()
    }

    /// The documents of source `index`, each with its line or row.
    pub(super) fn docs_of(&self, index: usize) -> impl Iterator<Item = (Option<Position>, u32)> {
        self.docs_of_source[index]
            .clone()
            .map(|doc| (self.outcome.documents.position(doc as usize), doc))
    }

    /// Whether writing must stop (interrupted, or the disk is full).
    fn stopped(&self) -> bool {
        self.config.interrupt.load(Ordering::SeqCst) || self.disk_full.load(Ordering::SeqCst)
    }

    pub(super) fn dropped(&self, doc: u32) -> Option<DroppedDuplicate> {
        let &(kept, similarity) = self.dropped_for.get(&doc)?;
        let info = &self.outcome.documents.get(doc as usize);
        Some(DroppedDuplicate {
            path: info.path.clone(),
            id: info.id.clone(),
            line: info.line(),
            row: info.row(),
            duplicate_of: self.outcome.documents.label(kept as usize),
            similarity: round4(similarity),
        })
    }

    pub(super) fn cleaner(&self) -> TextCleaner {
        self.cleaning.cleaner()
    }

    /// Creates the folder of `target` and checks that it lies inside the output folder (a
    /// symbolic link inside `--out` must not lead writes elsewhere).
    fn inside_out(&self, target: &Path) -> std::io::Result<()> {
        let folder = target.parent().unwrap_or(Path::new("."));
        let seen = |folders: &HashSet<PathBuf>| folders.contains(folder);
        if self.checked_folders.lock().is_ok_and(|f| seen(&f)) {
            return Ok(());
        }
        std::fs::create_dir_all(folder)?;
        if std::fs::canonicalize(folder)?.starts_with(&self.out_resolved) {
            if let Ok(mut folders) = self.checked_folders.lock() {
                folders.insert(folder.to_path_buf());
            }
            Ok(())
        } else {
            Err(std::io::Error::other(
                "its folder leads outside --out (symbolic link); not written",
            ))
        }
    }

    /// Reads source `index` again, plans it and writes its copy.
    fn clean_source(&self, index: usize) -> SourceResult {
        if self.streams(index) {
            return self.clean_streamed(index);
        }
        let source = &self.outcome.sources[index];
        let mut result = SourceResult::default();
        let Some(raw) = self.read_again(index, &mut result) else {
            result.failed = true;
            return result;
        };
        let copied_unchanged =
            || Diagnostic::new(source.display.as_str(), None, Problem::CopiedUnchanged);
        // Read but not taken apart in pass 1 (binary, JSONL not in UTF-8, not decompressible):
        // kept as it is.
        if self.outcome.skipped[index] {
            result.problems.push(copied_unchanged());
            self.write_output(index, &raw, &mut result);
            return result;
        }
        // A compressed file is cleaned decompressed, and written compressed the same way; when
        // nothing of it changed, its own bytes are copied. A text file's compression is told by
        // its first bytes, as pass 1 told it.
        let compression = match source.compression {
            Compression::None => Compression::of_magic(&raw),
            named => named,
        };
        let (content, original) = if compression == Compression::None {
            (raw, None)
        } else {
            let mut content = Vec::new();
            if compression.decompress(&raw, &mut content).is_err() {
                result.problems.push(copied_unchanged());
                self.write_output(index, &raw, &mut result);
                return result;
            }
            (content.clone(), Some((raw, content)))
        };
        let output = match source.kind {
            SourceKind::Text => self.clean_text_file(index, content, &mut result),
            SourceKind::Jsonl => Some(self.clean_jsonl(index, &content, &mut result)),
            // Compressed as a whole: read, but copied as it is.
            SourceKind::Parquet => {
                result.problems.push(copied_unchanged());
                Some(content.clone())
            }
        };
        let output = match (output, original) {
            (Some(output), Some((raw, content))) if output == content => Some(raw),
            (Some(output), Some((raw, _))) => match compression.compress(&output) {
                Ok(packed) => Some(packed),
                Err(_) => {
                    result.changes.clear();
                    result.problems.push(copied_unchanged());
                    Some(raw)
                }
            },
            (output, _) => output,
        };
        if let Some(output) = output {
            self.write_output(index, &output, &mut result);
        }
        result
    }

    /// The bytes of source `index` as pass 1 read them, or `None` (with the problem recorded)
    /// when it could not be read then or now, or changed in between.
    fn read_again(&self, index: usize, result: &mut SourceResult) -> Option<Vec<u8>> {
        let source = &self.outcome.sources[index];
        let diagnostic = |problem: Problem| Diagnostic::new(source.display.as_str(), None, problem);
        // Pass 1 could not read the file (it said why): not written.
        let Some(fingerprint) = self.outcome.fingerprints[index] else {
            result.problems.push(diagnostic(Problem::NotWritten));
            return None;
        };
        let bytes = match std::fs::read(&source.path) {
            Ok(bytes) => bytes,
            Err(e) => {
                let reason = io_reason(&e);
                let mut unreadable = diagnostic(Problem::Unreadable { reason });
                unreadable.then.push(Problem::NotWritten);
                result.problems.push(unreadable);
                return None;
            }
        };
        if input::fingerprint(&bytes) != fingerprint {
            let changed = input::changed_during_run(&source.display, AfterChange::NotWritten);
            result.problems.push(changed);
            return None;
        }
        Some(bytes)
    }

    /// A change record for `doc` of source `index`.
    pub(super) fn change(
        &self,
        index: usize,
        doc: Option<u32>,
        removed: Vec<Removed>,
    ) -> DocumentChanges {
        let info = doc.map(|d| self.outcome.documents.get(d as usize));
        DocumentChanges {
            path: self.outcome.sources[index].display.clone(),
            line: info.as_ref().and_then(|i| i.line()),
            row: info.as_ref().and_then(|i| i.row()),
            id: info.and_then(|i| i.id),
            output: self.destinations[index].to_string_lossy().into_owned(),
            removed,
        }
    }

    /// The output of a text file: `None` when it is left out as a near-duplicate, the original
    /// bytes when nothing is removed or the cleaned text cannot be written back byte for byte.
    fn clean_text_file(
        &self,
        index: usize,
        bytes: Vec<u8>,
        result: &mut SourceResult,
    ) -> Option<Vec<u8>> {
        let source = &self.outcome.sources[index];
        let doc = self.docs_of(index).next().map(|(_, d)| d);
        result.documents = 1;
        if let Some(dropped) = doc.and_then(|d| self.dropped(d)) {
            result.dropped.push(dropped);
            return None;
        }
        let copied_unchanged =
            || Diagnostic::new(source.display.as_str(), None, Problem::CopiedUnchanged);
        let decoded = match decode::decode(&bytes, self.config.scan.input.encoding) {
            Ok(decoded) => decoded,
            Err(_) => {
                result.problems.push(copied_unchanged());
                return Some(bytes);
            }
        };
        let cleaned = self.cleaner().clean(&decoded.text);
        if cleaned.removed.is_empty() {
            return Some(bytes);
        }
        match decode::encode_like(&decoded, &bytes, &cleaned.text) {
            Some(encoded) => {
                result
                    .changes
                    .push(self.change(index, doc, cleaned.removed));
                Some(encoded)
            }
            None => {
                result.problems.push(copied_unchanged());
                Some(bytes)
            }
        }
    }

    /// Writes the output of source `index` (unless this is a dry run) and records the outcome.
    fn write_output(&self, index: usize, output: &[u8], result: &mut SourceResult) {
        let source: &SourceFile = &self.outcome.sources[index];
        self.write_to(&self.destinations[index], &source.path, output, result);
    }

    /// Writes `output` to `destination` inside the output folder, with the permissions of
    /// `input` (unless this is a dry run), and records the outcome.
    fn write_to(&self, destination: &Path, input: &Path, output: &[u8], result: &mut SourceResult) {
        self.write_with(destination, input, result, &mut |out| out.write_all(output));
    }

    /// Writes the copy of source `index` from what `fill` writes (unless this is a dry run:
    /// then `fill` writes nowhere), and records the outcome. A `fill` that gives up
    /// ([`lines::GaveUp`]) leaves no file and no failure.
    pub(super) fn write_streamed(
        &self,
        index: usize,
        result: &mut SourceResult,
        fill: &mut dyn FnMut(&mut (dyn std::io::Write + Send)) -> std::io::Result<()>,
    ) {
        let source: &SourceFile = &self.outcome.sources[index];
        self.write_with(&self.destinations[index], &source.path, result, fill);
    }

    /// [`PassTwo::write_streamed`] to `destination`, with the permissions of `input`.
    fn write_with(
        &self,
        destination: &Path,
        input: &Path,
        result: &mut SourceResult,
        fill: &mut dyn FnMut(&mut (dyn std::io::Write + Send)) -> std::io::Result<()>,
    ) {
        let mut counted = 0u64;
        let mut counting = |out: &mut (dyn std::io::Write + Send)| {
            let mut counter = Counting {
                inner: out,
                count: &mut counted,
            };
            fill(&mut counter)
        };
        let target = self.config.out.join(destination);
        let written = if self.config.dry_run {
            counting(&mut std::io::sink())
        } else {
            self.inside_out(&target)
                .and_then(|()| self.writer.write_from(&target, Some(input), &mut counting))
        };
        match written {
            Ok(()) => {
                result.bytes_out = counted;
                result.written = true;
            }
            Err(e) if lines::gave_up(&e) => {}
            Err(e) => {
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::StorageFull | std::io::ErrorKind::QuotaExceeded
                ) {
                    self.disk_full.store(true, Ordering::SeqCst);
                }
                // What was not written did not change.
                result.changes.clear();
                result.failed = true;
                result.written = false;
                result.bytes_out = 0;
                let reason = io_reason(&e);
                result.write_failure = Some(Diagnostic::new(
                    target.display().to_string(),
                    None,
                    Problem::WriteFailed { reason },
                ));
            }
        }
    }

    /// Cleans the records of a JSONL file: every line is copied byte for byte except the text
    /// value of records that lost paragraphs, and the lines of dropped near-duplicates.
    fn clean_jsonl(&self, index: usize, bytes: &[u8], result: &mut SourceResult) -> Vec<u8> {
        let mut out = Vec::with_capacity(bytes.len());
        // Reading a slice cannot fail, nor can writing to a vector.
        let _ = self.clean_lines(index, &mut &bytes[..], &mut out, result);
        out
    }

    /// Cleans the lines of JSON Lines source `index` from `input` into `out`; whether anything
    /// was left out or changed.
    pub(super) fn clean_lines(
        &self,
        index: usize,
        input: &mut dyn std::io::BufRead,
        out: &mut dyn std::io::Write,
        result: &mut SourceResult,
    ) -> Result<bool, LinesError> {
        let source = &self.outcome.sources[index];
        let doc_at: HashMap<usize, u32> = self
            .docs_of(index)
            .filter_map(|(position, d)| Some((position?.line()?, d)))
            .collect();
        result.documents = doc_at.len();
        let mut cleaner = self.cleaner();
        let mut first = true;
        let mut changed = false;
        for_each_line(input, &mut |line_no, mut piece| {
            // A byte-order mark stays at the start even if the first record is left out.
            if line_no == 1
                && let Some(rest) = piece.strip_prefix(b"\xEF\xBB\xBF")
            {
                out.write_all(&piece[..3]).map_err(LinesError::Write)?;
                piece = rest;
            }
            let mut replacement: Option<Vec<u8>> = None;
            if let Some(&doc) = doc_at.get(&line_no) {
                if let Some(dropped) = self.dropped(doc) {
                    result.dropped.push(dropped);
                    changed = true;
                    return Ok(());
                }
                if std::str::from_utf8(piece).is_err() {
                    result.problems.push(Diagnostic::new(
                        source.display.as_str(),
                        Some(line_no),
                        Problem::CopiedUnchanged,
                    ));
                } else if let Some((spliced, removed)) = self.clean_record(piece, &mut cleaner) {
                    result.changes.push(self.change(index, Some(doc), removed));
                    replacement = Some(spliced);
                    changed = true;
                }
            }
            if !first {
                out.write_all(b"\n").map_err(LinesError::Write)?;
            }
            first = false;
            out.write_all(replacement.as_deref().unwrap_or(piece))
                .map_err(LinesError::Write)
        })?;
        Ok(changed)
    }

    /// The record with its text value cleaned, if anything was removed from it.
    fn clean_record(
        &self,
        line: &[u8],
        cleaner: &mut TextCleaner,
    ) -> Option<(Vec<u8>, Vec<Removed>)> {
        let line = std::str::from_utf8(line).ok()?;
        let fields: HashMap<String, &RawValue> = serde_json::from_str(line).ok()?;
        let raw = fields.get(&self.config.scan.input.text_field)?;
        let text: String = serde_json::from_str(raw.get()).ok()?;
        let cleaned = cleaner.clean(&text);
        if cleaned.removed.is_empty() {
            return None;
        }
        let start = raw.get().as_ptr() as usize - line.as_ptr() as usize;
        let end = start + raw.get().len();
        let value = serde_json::to_string(&cleaned.text).ok()?;
        let mut spliced = Vec::with_capacity(line.len());
        spliced.extend_from_slice(&line.as_bytes()[..start]);
        spliced.extend_from_slice(value.as_bytes());
        spliced.extend_from_slice(&line.as_bytes()[end..]);
        Some((spliced, cleaned.removed))
    }
}

/// A writer that counts the bytes written through it.
struct Counting<'a> {
    inner: &'a mut (dyn std::io::Write + Send),
    count: &'a mut u64,
}

impl std::io::Write for Counting<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        *self.count += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}
