//! Cleaning: writes a cleaned copy of every input document into an output folder, with repeated
//! paragraphs and boilerplate stripped and, on request, near-duplicate documents left out; and
//! the manifest that says what was removed and why.
//!
//! It runs the scan first (pass 1: clusters, families, boilerplate keys), then reads every file
//! again (pass 2), plans each document from its own text and the corpus-wide boilerplate, and
//! writes. Guarantees (the README's "clean" section):
//! - inputs are only read; an `--out` that is an input, lies inside one, or would overwrite one
//!   is refused before anything is written;
//! - each output file (and the manifest) is written to a temporary file in its folder, then
//!   renamed over the final name, so no reader ever sees a half-written file;
//! - kept text is byte-identical to the original: whole paragraphs and the separator after them
//!   are removed, nothing else (see [`paragraph::assemble`]); JSONL records keep every field
//!   byte for byte, only the text field's value is replaced when something was removed;
//! - a cleaned copy is written in its input's encoding and byte-order mark; a file that cannot be
//!   written back byte for byte (read with U+FFFD replacements, or in an encoding that does not
//!   round-trip) is copied unchanged, with a warning;
//! - a file that changed since pass 1 is not written (a warning says so);
//! - when [`CleanConfig::interrupt`] is raised (Ctrl-C), no new file is started, the files being
//!   written are completed, no manifest is written, and [`CleanOutcome::interrupted`] says so;
//! - on a full disk writing stops at the first file that does not fit; its temporary file is
//!   removed;
//! - temporary files left in `--out` by a killed run (`.neardup-*.tmp`) are removed by the next
//!   run into the same folder.

use crate::config::ScanConfig;
use crate::corpus::{self, Diagnostic, SourceFile, SourceKind};
use crate::decode;
use crate::error::{Error, Result};
use crate::paragraph::{self, Analysis, Analyzer, Paragraph};
use crate::progress::{NoProgress, Progress, Stage};
use crate::report::{VERSION, round4};
use crate::scan::{self, ScanOutcome};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// File name of the manifest written into the output folder.
pub const MANIFEST_NAME: &str = "neardup-manifest.json";
/// Empty file that marks a folder as neardup's output, written before any copy, so that an
/// interrupted run can be run again into the same folder.
pub const MARKER_NAME: &str = ".neardup-output";
/// What pass 2 adds to the warning about a document it could not decode.
const COPIED_UNCHANGED: &str = "copied unchanged, not cleaned";

/// What to do with paragraphs repeated inside a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RepeatsMode {
    /// Keep one occurrence per group (the first complete one) and drop the others.
    #[default]
    KeepFirst,
    /// Drop every occurrence.
    DropAll,
}

impl RepeatsMode {
    /// The name used on the command line and in the manifest.
    pub fn name(self) -> &'static str {
        match self {
            RepeatsMode::KeepFirst => "keep-first",
            RepeatsMode::DropAll => "drop-all",
        }
    }
}

/// Everything `clean` needs to know.
#[derive(Debug, Clone)]
pub struct CleanConfig {
    /// The scan that finds clusters and boilerplate.
    pub scan: ScanConfig,
    /// The output folder.
    pub out: PathBuf,
    /// Repeats inside a document.
    pub repeats: RepeatsMode,
    /// Remove boilerplate paragraphs (found in at least `scan.min_docs` unrelated documents).
    pub strip_boilerplate: bool,
    /// Leave out every member of a near-duplicate cluster but its representative.
    pub drop_duplicates: bool,
    /// Plan only: write nothing.
    pub dry_run: bool,
    /// Raised (from a signal handler, another thread) to stop writing: files being written are
    /// completed, no new one is started.
    pub interrupt: Arc<AtomicBool>,
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
    /// Whether near-duplicate documents were left out.
    pub drop_duplicates: bool,
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
    /// Near-duplicate documents left out.
    pub duplicates_dropped: usize,
    /// Input problems (the rest was processed).
    pub input_errors: usize,
    /// Bytes read.
    pub bytes_in: u64,
    /// Bytes written.
    pub bytes_out: u64,
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
    /// `"repeat"` or `"boilerplate"`.
    pub reason: String,
    /// Repeats: first line of the occurrence that was kept (`keep-first`) or of the group's
    /// first occurrence (`drop-all`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repeat_of_line: Option<u32>,
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
    /// The kept document it duplicates (`path` or `path:line`): its cluster's representative.
    pub duplicate_of: String,
    /// Jaccard similarity to that document.
    pub similarity: f64,
}

/// What a clean did.
#[derive(Debug, Clone)]
pub struct CleanOutcome {
    /// The manifest (also written to the output folder unless this was a dry run).
    pub manifest: Manifest,
    /// Problems with inputs, in path order (the rest was processed).
    pub diagnostics: Vec<Diagnostic>,
    /// Output files that could not be written.
    pub write_failures: Vec<Diagnostic>,
    /// Where the manifest was written (`None` for a dry run, an interrupted run, or when writing
    /// it failed).
    pub manifest_path: Option<PathBuf>,
    /// Notes about inputs that do not mean anything was lost (see [`ScanOutcome::notes`]).
    pub notes: Vec<Diagnostic>,
    /// The run was interrupted before every file was written.
    pub interrupted: bool,
}

/// A document's text cleaned.
#[derive(Debug, Clone, PartialEq)]
pub struct CleanedText<'a> {
    /// The cleaned text: the original minus the removed paragraphs and their separators (the
    /// original itself, borrowed, when nothing was removed).
    pub text: Cow<'a, str>,
    /// The original's paragraphs.
    pub paragraphs: Vec<Paragraph>,
    /// Whether each paragraph was kept.
    pub kept: Vec<bool>,
    /// The removed paragraphs and why.
    pub removed: Vec<Removed>,
}

/// Why a paragraph is removed.
#[derive(Debug, Clone, Copy)]
enum Why {
    /// Repeats the paragraph starting on this line.
    RepeatOf(u32),
    /// Boilerplate found in this many documents.
    Boilerplate(usize),
}

/// Cleans single texts: repeats found in the text itself, boilerplate from a given set.
#[derive(Debug, Default)]
pub struct TextCleaner {
    analyzer: Analyzer,
    analysis: Analysis,
    /// Boilerplate paragraph keys, with the number of documents holding each.
    boilerplate: Arc<HashMap<u64, usize>>,
    repeats: RepeatsMode,
}

impl TextCleaner {
    /// A cleaner that removes repeats in `mode` and the paragraphs whose keys are in
    /// `boilerplate` (key -> documents holding it).
    pub fn new(mode: RepeatsMode, boilerplate: HashMap<u64, usize>) -> Self {
        Self::shared(mode, Arc::new(boilerplate))
    }

    /// [`TextCleaner::new`] with a boilerplate set shared between cleaners (one per thread).
    pub fn shared(mode: RepeatsMode, boilerplate: Arc<HashMap<u64, usize>>) -> Self {
        TextCleaner {
            repeats: mode,
            boilerplate,
            ..Self::default()
        }
    }

    /// Plans and applies the removals for one text.
    pub fn clean<'a>(&mut self, text: &'a str) -> CleanedText<'a> {
        self.analyzer.analyze(text, &mut self.analysis);
        let analysis = &self.analysis;
        let n = analysis.paragraphs.len();
        let mut reasons: Vec<Option<Why>> = vec![None; n];
        for group in self.analyzer.repeats(text, analysis) {
            let kept = match self.repeats {
                RepeatsMode::KeepFirst => Some(group.kept),
                RepeatsMode::DropAll => None,
            };
            let reference = kept.unwrap_or(group.members[0]);
            let reference_line = analysis.paragraphs[reference as usize].first_line;
            for &m in &group.members {
                if Some(m) != kept {
                    reasons[m as usize] = Some(Why::RepeatOf(reference_line));
                }
            }
        }
        for (i, f) in analysis.fingerprints.iter().enumerate() {
            if f.boilerplate_eligible()
                && let Some(&documents) = self.boilerplate.get(&f.key)
            {
                reasons[i] = Some(Why::Boilerplate(documents));
            }
        }
        let kept: Vec<bool> = reasons.iter().map(Option::is_none).collect();
        let removed = reasons
            .iter()
            .enumerate()
            .filter_map(|(i, r)| {
                let (reason, repeat_of_line, boilerplate_documents) = match (*r)? {
                    Why::RepeatOf(line) => ("repeat", Some(line), None),
                    Why::Boilerplate(documents) => ("boilerplate", None, Some(documents)),
                };
                let p = &analysis.paragraphs[i];
                Some(Removed {
                    paragraph: i as u32 + 1,
                    lines: [p.first_line, p.last_line],
                    reason: reason.to_string(),
                    repeat_of_line,
                    boilerplate_documents,
                    preview: paragraph::preview(p.text(text)),
                })
            })
            .collect::<Vec<_>>();
        let cleaned = if removed.is_empty() {
            Cow::Borrowed(text)
        } else {
            Cow::Owned(paragraph::assemble(text, &analysis.paragraphs, |i| kept[i]))
        };
        CleanedText {
            text: cleaned,
            paragraphs: analysis.paragraphs.clone(),
            kept,
            removed,
        }
    }
}

/// Makes `path` absolute and resolves what exists of it, so that two spellings of one place
/// compare equal: the longest existing ancestor is canonicalized and the rest appended with `.`
/// and `..` folded.
fn resolve(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut existing = absolute.as_path();
    let mut rest = Vec::new();
    loop {
        if let Ok(canonical) = std::fs::canonicalize(existing) {
            let mut out = canonical;
            for part in rest.iter().rev() {
                match part {
                    Component::ParentDir => {
                        out.pop();
                    }
                    Component::CurDir => {}
                    other => out.push(other.as_os_str()),
                }
            }
            return out;
        }
        match (existing.parent(), existing.components().next_back()) {
            (Some(parent), Some(last)) => {
                rest.push(last);
                existing = parent;
            }
            _ => return absolute,
        }
    }
}

fn refuse(message: String) -> Error {
    Error::Refused(message)
}

/// Refuses an output folder that is an input, lies inside an input folder, is not a folder, or
/// already holds files that neardup did not write (no marker, no manifest).
pub fn check_output_folder(roots: &[PathBuf], out: &Path) -> Result<()> {
    let out_resolved = resolve(out);
    if out_resolved.exists() && !out_resolved.is_dir() {
        return Err(refuse(format!(
            "--out {} exists and is not a folder",
            out.display()
        )));
    }
    for root in roots {
        let Ok(root_resolved) = std::fs::canonicalize(root) else {
            continue; // reported by the scan as a missing input
        };
        if out_resolved == root_resolved {
            return Err(refuse(format!(
                "--out {} is the input {}; inputs are never modified",
                out.display(),
                root.display()
            )));
        }
        if root_resolved.is_dir() && out_resolved.starts_with(&root_resolved) {
            return Err(refuse(format!(
                "--out {} lies inside the input {}; choose a folder outside the inputs",
                out.display(),
                root.display()
            )));
        }
    }
    if let Ok(mut entries) = std::fs::read_dir(&out_resolved)
        && entries.next().is_some()
        && !out_resolved.join(MARKER_NAME).exists()
        && !out_resolved.join(MANIFEST_NAME).exists()
    {
        return Err(refuse(format!(
            "--out {} is not empty and was not written by neardup; choose a new or empty folder",
            out.display()
        )));
    }
    Ok(())
}

/// Where each source goes, relative to the output folder: with one command-line path, its
/// relative path; with several, under the name of the path it was found in. Refuses two
/// sources with one destination and a destination that is an input.
fn destinations(roots: &[PathBuf], out: &Path, sources: &[SourceFile]) -> Result<Vec<PathBuf>> {
    let root_names: Vec<PathBuf> = roots
        .iter()
        .enumerate()
        .map(|(i, root)| {
            resolve(root)
                .file_name()
                .map(PathBuf::from)
                .unwrap_or_else(|| PathBuf::from(format!("input{}", i + 1)))
        })
        .collect();
    let several = roots.len() > 1;
    let relative: Vec<PathBuf> = sources
        .iter()
        .map(|s| {
            let rel: PathBuf = s
                .relative
                .components()
                .filter(|c| matches!(c, Component::Normal(_)))
                .collect();
            if !several {
                rel
            } else if s.path == roots[s.root] {
                // A file named on the command line goes under its own name.
                root_names[s.root].clone()
            } else {
                root_names[s.root].join(rel)
            }
        })
        .collect();
    let mut taken: HashMap<&Path, &SourceFile> = HashMap::new();
    for (rel, source) in relative.iter().zip(sources) {
        if rel.as_os_str().is_empty() || rel == Path::new(MANIFEST_NAME) {
            return Err(refuse(format!(
                "{} cannot be written to {}: name reserved",
                source.display,
                out.join(rel).display()
            )));
        }
        if let Some(other) = taken.insert(rel, source) {
            return Err(refuse(format!(
                "{} and {} would both be written to {}",
                other.display,
                source.display,
                out.join(rel).display()
            )));
        }
    }
    let inputs: HashSet<PathBuf> = sources
        .iter()
        .filter_map(|s| std::fs::canonicalize(&s.path).ok())
        .collect();
    let input_folders: Vec<PathBuf> = roots
        .iter()
        .filter_map(|r| std::fs::canonicalize(r).ok())
        .filter(|r| r.is_dir())
        .collect();
    let out_resolved = resolve(out);
    for (rel, source) in relative.iter().zip(sources) {
        let target = resolve(&out_resolved.join(rel));
        if inputs.contains(&target) {
            return Err(refuse(format!(
                "writing {} would overwrite the input {}",
                out.join(rel).display(),
                source.display
            )));
        }
        if let Some(folder) = input_folders.iter().find(|f| target.starts_with(f)) {
            return Err(refuse(format!(
                "writing {} would add a file inside the input {}",
                out.join(rel).display(),
                folder.display()
            )));
        }
    }
    Ok(relative)
}

/// Whether a file name is one of [`write_atomically`]'s temporary files: the prefix, tempfile's
/// 6 random alphanumeric characters, the suffix.
fn is_temporary(name: &std::ffi::OsStr) -> bool {
    let name = name.as_encoded_bytes();
    name.len() == TEMPORARY_PREFIX.len() + 6 + TEMPORARY_SUFFIX.len()
        && name.starts_with(TEMPORARY_PREFIX.as_bytes())
        && name.ends_with(TEMPORARY_SUFFIX.as_bytes())
        && name[TEMPORARY_PREFIX.len()..TEMPORARY_PREFIX.len() + 6]
            .iter()
            .all(u8::is_ascii_alphanumeric)
}

/// Removes the temporary files a killed run left in the output folder (best effort: the folder
/// is neardup's own, see [`MARKER_NAME`]). Input folders inside it are not entered.
fn remove_stale_temporaries(out: &Path, roots: &[PathBuf]) {
    let inputs: Vec<PathBuf> = roots.iter().map(|r| resolve(r)).collect();
    let walker = walkdir::WalkDir::new(out)
        .into_iter()
        .filter_entry(|e| !(e.file_type().is_dir() && inputs.contains(&resolve(e.path()))));
    for entry in walker.flatten() {
        if entry.file_type().is_file() && is_temporary(entry.file_name()) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

const TEMPORARY_PREFIX: &str = ".neardup-";
const TEMPORARY_SUFFIX: &str = ".tmp";

/// Writes `bytes` to `path` through a temporary file in the same folder and a rename, with the
/// permissions of `like` when given.
pub fn write_atomically(path: &Path, bytes: &[u8], like: Option<&Path>) -> std::io::Result<()> {
    let folder = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(folder)?;
    let mut temporary = tempfile::Builder::new()
        .prefix(TEMPORARY_PREFIX)
        .suffix(TEMPORARY_SUFFIX)
        .tempfile_in(folder)?;
    simulated_disk::reserve(bytes.len())?;
    temporary.write_all(bytes)?;
    temporary.flush()?;
    // Temporary files are private (0600); the result gets the input's permissions, or the
    // usual 0644. Best effort: a file system without permissions keeps what it has.
    let permissions = like
        .and_then(|p| std::fs::metadata(p).ok())
        .map(|m| m.permissions());
    #[cfg(unix)]
    let permissions = permissions.or_else(|| {
        use std::os::unix::fs::PermissionsExt;
        Some(std::fs::Permissions::from_mode(0o644))
    });
    if let Some(permissions) = permissions {
        let _ = temporary.as_file().set_permissions(permissions);
    }
    temporary.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// The test double for a full disk: with `NEARDUP_TEST_DISK_BYTES=N` in the environment, writes
/// fail as on a full disk (`StorageFull`) once N bytes have been written in all, wherever the
/// output is. For the integration tests where a small tmpfs cannot be mounted; unset, it costs
/// one atomic load per file.
mod simulated_disk {
    use std::sync::OnceLock;
    use std::sync::atomic::{AtomicU64, Ordering};

    static LEFT: OnceLock<Option<AtomicU64>> = OnceLock::new();

    pub fn reserve(bytes: usize) -> std::io::Result<()> {
        let left = LEFT.get_or_init(|| {
            let limit = std::env::var("NEARDUP_TEST_DISK_BYTES").ok()?;
            Some(AtomicU64::new(limit.parse().ok()?))
        });
        let Some(left) = left else {
            return Ok(());
        };
        let wanted = bytes as u64;
        left.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |l| {
            l.checked_sub(wanted)
        })
        .map(|_| ())
        .map_err(|_| std::io::Error::from(std::io::ErrorKind::StorageFull))
    }
}

/// What pass 2 produced for one source.
#[derive(Default)]
struct SourceResult {
    changes: Vec<DocumentChanges>,
    dropped: Vec<DroppedDuplicate>,
    problems: Vec<Diagnostic>,
    write_failure: Option<Diagnostic>,
    written: bool,
    bytes_out: u64,
    documents: usize,
    /// Writing had stopped before this source's turn.
    not_started: bool,
    /// The source could not be read again, changed, or could not be written: nothing of it is
    /// in the output.
    failed: bool,
}

/// Runs the scan, then writes the cleaned copies (or, for a dry run, only plans them).
pub fn clean(
    roots: &[PathBuf],
    config: &CleanConfig,
    progress: &dyn Progress,
) -> Result<CleanOutcome> {
    config.scan.validate()?;
    check_output_folder(roots, &config.out)?;
    let outcome = scan::scan(roots, &config.scan, progress)?;
    let destinations = destinations(roots, &config.out, &outcome.sources)?;

    let boilerplate: HashMap<u64, usize> = if config.strip_boilerplate {
        outcome
            .boilerplate
            .iter()
            .map(|b| (b.key, b.documents.len()))
            .collect()
    } else {
        HashMap::new()
    };
    // Near-duplicates to leave out: every cluster member but the representative.
    let mut dropped_for: HashMap<u32, (u32, f64)> = HashMap::new();
    if config.drop_duplicates {
        for cluster in &outcome.clusters {
            // With single linkage a chained member may be far from the representative: it is
            // kept, since it has no kept near-duplicate.
            for m in cluster.members.iter().filter(|m| {
                m.doc != cluster.representative && m.similarity >= config.scan.threshold
            }) {
                dropped_for.insert(m.doc, (cluster.representative, m.similarity));
            }
        }
    }
    // The documents of each source, by line (JSONL) or alone (text).
    let mut docs_of_source: Vec<Vec<(Option<usize>, u32)>> =
        vec![Vec::new(); outcome.sources.len()];
    for (i, d) in outcome.documents.iter().enumerate() {
        docs_of_source[d.source].push((d.line, i as u32));
    }

    let out_resolved = resolve(&config.out);
    if !config.dry_run {
        std::fs::create_dir_all(&config.out)
            .and_then(|()| std::fs::write(config.out.join(MARKER_NAME), b""))
            .map_err(|source| Error::Io {
                path: config.out.clone(),
                source,
            })?;
        // The manifest of an earlier run into this folder goes first: until this run's is
        // written, none describes the folder (an interrupted run leaves none).
        match std::fs::remove_file(config.out.join(MANIFEST_NAME)) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(source) => {
                return Err(Error::Io {
                    path: config.out.join(MANIFEST_NAME),
                    source,
                });
            }
        }
        remove_stale_temporaries(&config.out, roots);
    }
    progress.start(Stage::Writing, outcome.sources.iter().map(|s| s.len).sum());
    let mut context = PassTwo {
        config,
        outcome: &outcome,
        boilerplate: Arc::new(boilerplate),
        dropped_for: &dropped_for,
        out_resolved,
        checked_folders: std::sync::Mutex::new(HashSet::new()),
        disk_full: AtomicBool::new(false),
    };
    let all_sources: Vec<usize> = (0..outcome.sources.len()).collect();
    let mut results = context.clean_sources(&all_sources, &destinations, &docs_of_source, progress);
    progress.finish();
    // A near-duplicate left out for a representative that could not be written after all (it
    // changed, vanished, or failed to write) is written instead: never both lost.
    let failed: HashSet<usize> = (0..results.len()).filter(|&i| results[i].failed).collect();
    let rescued: HashMap<u32, u32> = dropped_for
        .iter()
        .filter(|(_, (kept, _))| failed.contains(&outcome.documents[*kept as usize].source))
        .map(|(&doc, &(kept, _))| (doc, kept))
        .collect();
    let still_dropped: HashMap<u32, (u32, f64)>;
    if !rescued.is_empty() {
        still_dropped = dropped_for
            .iter()
            .filter(|(doc, _)| !rescued.contains_key(doc))
            .map(|(&doc, &entry)| (doc, entry))
            .collect();
        context.dropped_for = &still_dropped;
        let mut again: Vec<usize> = rescued
            .keys()
            .map(|&doc| outcome.documents[doc as usize].source)
            .filter(|source| !failed.contains(source))
            .collect();
        again.sort_unstable();
        again.dedup();
        let redone = context.clean_sources(&again, &destinations, &docs_of_source, &NoProgress);
        for (&source, mut result) in again.iter().zip(redone) {
            for (&doc, &kept) in &rescued {
                if outcome.documents[doc as usize].source == source {
                    result.problems.push(Diagnostic {
                        path: outcome.sources[source].display.clone(),
                        line: outcome.documents[doc as usize].line,
                        message: format!(
                            "written although a near-duplicate of {}, which could not be written",
                            outcome.documents[kept as usize].label()
                        ),
                    });
                }
            }
            results[source] = result;
        }
    }
    let interrupted = config.interrupt.load(Ordering::SeqCst);
    let disk_full = context.disk_full.load(Ordering::SeqCst);

    let mut diagnostics = outcome.diagnostics.clone();
    let mut stats = CleanStats {
        files: outcome.sources.len(),
        ..CleanStats::default()
    };
    let mut documents = Vec::new();
    let mut dropped_duplicates = Vec::new();
    let mut write_failures = Vec::new();
    let mut second_pass_problems = Vec::new();
    let not_started = results.iter().filter(|r| r.not_started).count();
    for (source, result) in outcome.sources.iter().zip(results) {
        stats.bytes_in += source.len;
        stats.bytes_out += result.bytes_out;
        stats.files_written += usize::from(result.written);
        stats.documents += result.documents;
        for change in &result.changes {
            for r in &change.removed {
                match r.reason.as_str() {
                    "repeat" => stats.repeats_removed += 1,
                    _ => stats.boilerplate_removed += 1,
                }
            }
        }
        stats.documents_changed += result.changes.len();
        documents.extend(result.changes);
        dropped_duplicates.extend(result.dropped);
        second_pass_problems.extend(result.problems);
        write_failures.extend(result.write_failure);
    }
    stats.paragraphs_removed = stats.repeats_removed + stats.boilerplate_removed;
    stats.duplicates_dropped = dropped_duplicates.len();
    // One line per problem: what pass 2 adds about a document pass 1 already warned about
    // ("copied unchanged", "not written") goes on the same line.
    diagnostics.sort_by(|a, b| (&a.path, a.line).cmp(&(&b.path, b.line)));
    for problem in second_pass_problems {
        match diagnostics
            .binary_search_by(|d| (&d.path, d.line).cmp(&(&problem.path, problem.line)))
        {
            Ok(at) => {
                diagnostics[at].message.push_str("; ");
                diagnostics[at].message.push_str(&problem.message);
            }
            Err(at) => diagnostics.insert(at, problem),
        }
    }
    stats.input_errors = diagnostics.len();

    let manifest = Manifest {
        version: VERSION.to_string(),
        params: CleanParams {
            repeats: config.repeats.name().to_string(),
            strip_boilerplate: config.strip_boilerplate,
            min_docs: config.scan.min_docs,
            drop_duplicates: config.drop_duplicates,
            threshold: config.scan.threshold,
        },
        stats,
        documents,
        dropped_duplicates,
    };
    if disk_full {
        write_failures.push(Diagnostic {
            path: config.out.display().to_string(),
            line: None,
            message: format!(
                "no space left on device; writing stopped, {not_started} more file{} not written",
                if not_started == 1 { "" } else { "s" }
            ),
        });
    }
    let mut manifest_path = None;
    // An interrupted run has no manifest: it would describe files that were never written.
    if !config.dry_run && !interrupted {
        let path = config.out.join(MANIFEST_NAME);
        let json = serde_json::to_vec_pretty(&manifest).map_err(std::io::Error::other);
        match json.and_then(|mut bytes| {
            bytes.push(b'\n');
            write_atomically(&path, &bytes, None)
        }) {
            Ok(()) => manifest_path = Some(path),
            Err(e) => write_failures.push(Diagnostic {
                path: path.display().to_string(),
                line: None,
                message: format!("could not write the manifest: {}", corpus::io_reason(&e)),
            }),
        }
    }
    Ok(CleanOutcome {
        manifest,
        diagnostics,
        write_failures,
        manifest_path,
        notes: outcome.notes.clone(),
        interrupted,
    })
}

/// Shared state of pass 2.
struct PassTwo<'a> {
    config: &'a CleanConfig,
    outcome: &'a ScanOutcome,
    boilerplate: Arc<HashMap<u64, usize>>,
    dropped_for: &'a HashMap<u32, (u32, f64)>,
    /// The output folder, resolved: every write must land inside it.
    out_resolved: PathBuf,
    /// Folders already created and checked to lie inside it.
    checked_folders: std::sync::Mutex<HashSet<PathBuf>>,
    /// A write failed for lack of space: no further file is started.
    disk_full: AtomicBool,
}

impl PassTwo<'_> {
    /// Cleans the sources numbered `which`, in parallel; results in that order.
    fn clean_sources(
        &self,
        which: &[usize],
        destinations: &[PathBuf],
        docs_of_source: &[Vec<(Option<usize>, u32)>],
        progress: &dyn Progress,
    ) -> Vec<SourceResult> {
        which
            .par_iter()
            .with_max_len(crate::scan::DOCUMENTS_PER_TASK)
            .map(|&i| {
                if self.stopped() {
                    return SourceResult {
                        not_started: true,
                        ..SourceResult::default()
                    };
                }
                let source = &self.outcome.sources[i];
                let result = self.clean_source(
                    source,
                    self.outcome.fingerprints[i],
                    self.outcome.skipped[i],
                    &destinations[i],
                    &docs_of_source[i],
                );
                progress.advance(source.len);
                result
            })
            .collect()
    }

    /// Whether writing must stop (interrupted, or the disk is full).
    fn stopped(&self) -> bool {
        self.config.interrupt.load(Ordering::SeqCst) || self.disk_full.load(Ordering::SeqCst)
    }

    fn dropped(&self, doc: u32) -> Option<DroppedDuplicate> {
        let &(kept, similarity) = self.dropped_for.get(&doc)?;
        let info = &self.outcome.documents[doc as usize];
        Some(DroppedDuplicate {
            path: info.path.clone(),
            id: info.id.clone(),
            line: info.line,
            duplicate_of: self.outcome.documents[kept as usize].label(),
            similarity: round4(similarity),
        })
    }

    fn cleaner(&self) -> TextCleaner {
        TextCleaner::shared(self.config.repeats, self.boilerplate.clone())
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

    fn clean_source(
        &self,
        source: &SourceFile,
        fingerprint: Option<u64>,
        skipped: bool,
        rel: &Path,
        docs: &[(Option<usize>, u32)],
    ) -> SourceResult {
        let mut result = SourceResult::default();
        let problem = |message: String| Diagnostic {
            path: source.display.clone(),
            line: None,
            message,
        };
        result.failed = true;
        // Pass 1 could not read the file (it said why): not written.
        let Some(fingerprint) = fingerprint else {
            result.problems.push(problem("not written".into()));
            return result;
        };
        let bytes = match std::fs::read(&source.path) {
            Ok(bytes) => bytes,
            Err(e) => {
                result
                    .problems
                    .push(problem(format!("{}; not written", corpus::io_reason(&e))));
                return result;
            }
        };
        if corpus::fingerprint(&bytes) != fingerprint {
            result.problems.push(corpus::changed_during_run(
                &source.display,
                "not written (run again)",
            ));
            return result;
        }
        result.failed = false;
        let output_name = rel.to_string_lossy().into_owned();
        let change = |doc: Option<u32>, removed: Vec<Removed>| {
            let info = doc.map(|d| &self.outcome.documents[d as usize]);
            DocumentChanges {
                path: source.display.clone(),
                id: info.and_then(|i| i.id.clone()),
                line: info.and_then(|i| i.line),
                output: output_name.clone(),
                removed,
            }
        };
        let output: Option<Vec<u8>> = match source.kind {
            // Read but not taken apart in pass 1 (binary, JSONL not in UTF-8): kept as it is.
            _ if skipped => {
                result.problems.push(problem(COPIED_UNCHANGED.into()));
                Some(bytes)
            }
            SourceKind::Text => {
                let doc = docs.first().map(|&(_, d)| d);
                result.documents = 1;
                if let Some(dropped) = doc.and_then(|d| self.dropped(d)) {
                    result.dropped.push(dropped);
                    None
                } else {
                    // The cleaned bytes, or None to copy the file as it is.
                    let changed = match decode::decode(&bytes, self.config.scan.input.encoding) {
                        Err(_) => {
                            result.problems.push(problem(COPIED_UNCHANGED.into()));
                            None
                        }
                        Ok(decoded) => {
                            let cleaned = self.cleaner().clean(&decoded.text);
                            if cleaned.removed.is_empty() {
                                None
                            } else if let Some(encoded) =
                                decode::encode_like(&decoded, &bytes, &cleaned.text)
                            {
                                result.changes.push(change(doc, cleaned.removed));
                                Some(encoded)
                            } else {
                                result.problems.push(problem(COPIED_UNCHANGED.into()));
                                None
                            }
                        }
                    };
                    Some(changed.unwrap_or(bytes))
                }
            }
            SourceKind::Jsonl => Some(self.clean_jsonl(source, &bytes, docs, &mut result, &change)),
        };
        let Some(output) = output else {
            return result;
        };
        result.bytes_out = output.len() as u64;
        result.written = true;
        if !self.config.dry_run {
            let target = self.config.out.join(rel);
            let written = self
                .inside_out(&target)
                .and_then(|()| write_atomically(&target, &output, Some(&source.path)));
            if let Err(e) = written {
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
                result.write_failure = Some(Diagnostic {
                    path: target.display().to_string(),
                    line: None,
                    message: format!("could not be written: {}", corpus::io_reason(&e)),
                });
            }
        }
        result
    }

    /// Cleans the records of a JSONL file: every line is copied byte for byte except the text
    /// value of records that lost paragraphs, and the lines of dropped near-duplicates.
    fn clean_jsonl(
        &self,
        source: &SourceFile,
        bytes: &[u8],
        docs: &[(Option<usize>, u32)],
        result: &mut SourceResult,
        change: &dyn Fn(Option<u32>, Vec<Removed>) -> DocumentChanges,
    ) -> Vec<u8> {
        let doc_at: HashMap<usize, u32> = docs
            .iter()
            .filter_map(|&(line, d)| Some((line?, d)))
            .collect();
        result.documents = doc_at.len();
        let mut cleaner = self.cleaner();
        // A byte-order mark stays at the start even if the first record is left out.
        let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        let mut out = bytes[..bytes.len() - body.len()].to_vec();
        out.reserve(body.len());
        let pieces: Vec<&[u8]> = body.split(|&b| b == b'\n').collect();
        let mut first = true;
        for (i, piece) in pieces.iter().enumerate() {
            let line_no = i + 1;
            let mut replacement: Option<Vec<u8>> = None;
            if let Some(&doc) = doc_at.get(&line_no) {
                if let Some(dropped) = self.dropped(doc) {
                    result.dropped.push(dropped);
                    continue;
                }
                if std::str::from_utf8(piece).is_err() {
                    result.problems.push(Diagnostic {
                        path: source.display.clone(),
                        line: Some(line_no),
                        message: COPIED_UNCHANGED.into(),
                    });
                } else if let Some((spliced, removed)) = self.clean_record(piece, &mut cleaner) {
                    result.changes.push(change(Some(doc), removed));
                    replacement = Some(spliced);
                }
            }
            if !first {
                out.push(b'\n');
            }
            first = false;
            out.extend_from_slice(replacement.as_deref().unwrap_or(piece));
        }
        out
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keep_first_and_drop_all() {
        let p = "a paragraph long enough to count as a repeat";
        let text = format!("{p}\n\nmiddle part stays here\n\n{p}\n");
        let mut keep = TextCleaner::new(RepeatsMode::KeepFirst, HashMap::new());
        let cleaned = keep.clean(&text);
        assert_eq!(cleaned.text, format!("{p}\n\nmiddle part stays here\n"));
        assert_eq!(cleaned.removed.len(), 1);
        assert_eq!(cleaned.removed[0].repeat_of_line, Some(1));
        assert_eq!(cleaned.removed[0].lines, [5, 5]);
        let mut drop = TextCleaner::new(RepeatsMode::DropAll, HashMap::new());
        assert_eq!(drop.clean(&text).text, "middle part stays here\n");
    }

    #[test]
    fn boilerplate_keys_are_removed_wherever_they_are() {
        let mut analyzer = Analyzer::new();
        let mut analysis = Analysis::default();
        analyzer.analyze("Subscribe to our newsletter!", &mut analysis);
        let key = analysis.fingerprints[0].key;
        let mut cleaner = TextCleaner::new(RepeatsMode::KeepFirst, HashMap::from([(key, 7)]));
        let cleaned = cleaner.clean("Body text.\r\n\r\nSUBSCRIBE to our newsletter\r\n");
        assert_eq!(cleaned.text, "Body text.\r\n");
        assert_eq!(cleaned.removed[0].boilerplate_documents, Some(7));
        assert_eq!(cleaned.kept, [true, false]);
    }

    #[test]
    fn only_names_shaped_like_our_temporaries_are_swept() {
        let name = |s: &str| is_temporary(std::ffi::OsStr::new(s));
        assert!(name(".neardup-Ab12Cd.tmp"));
        assert!(!name(".neardup-notes.tmp"));
        assert!(!name(".neardup-Ab12C!.tmp"));
        assert!(!name("neardup-Ab12Cd.tmp"));
        assert!(!name(".neardup-Ab12Cd.txt"));
    }

    #[test]
    fn resolve_folds_missing_components() {
        let dir = tempfile::tempdir().unwrap();
        let base = std::fs::canonicalize(dir.path()).unwrap();
        assert_eq!(resolve(&dir.path().join("x/../y/./z")), base.join("y/z"));
    }

    #[test]
    fn output_inside_an_input_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("in");
        std::fs::create_dir(&input).unwrap();
        let roots = [input.clone()];
        assert!(check_output_folder(&roots, &input).is_err());
        assert!(check_output_folder(&roots, &input.join("sub/out")).is_err());
        assert!(check_output_folder(&roots, &input.join("../in/x")).is_err());
        assert!(check_output_folder(&roots, &dir.path().join("out")).is_ok());
    }
}
