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
//!   renamed over the final name, so no reader ever sees a half-written file (no fsync: see
//!   `write`);
//! - kept text is byte-identical to the original: whole paragraphs and the separator after them
//!   are removed, nothing else; JSONL records keep every field
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
//!
//! The work is split along its seams: `safety` (where copies go, what is refused), `plan`
//! (which paragraphs of one text go, and why), `pass_two` (reading again and writing each
//! source), `write` (the `OutputWriter` and atomic files) and `manifest` (the record of it
//! all). [`clean`] itself plans, writes, then summarizes.

pub mod dedup;
mod lines;
pub mod manifest;
mod parquet;
mod pass_two;
pub(crate) mod plan;
mod safety;
mod stream;
pub mod write;

pub use manifest::{
    CleanParams, CleanStats, DocumentChanges, DroppedDuplicate, MANIFEST_NAME, MARKER_NAME,
    Manifest, RemovalReason, Removed, RepeatKind,
};
pub use plan::{CleanedText, TextCleaner};
pub use safety::check_output_folder;
pub use write::{AtomicFiles, OutputWriter};

use crate::config::ScanConfig;
use crate::diagnostic::{self, Diagnostic, Problem, io_reason};
use crate::error::{Error, Result};
use crate::outcome::ScanOutcome;
use crate::progress::{NoProgress, Progress, Stage};
use crate::scan;
use crate::shared::VERSION;
use pass_two::{DroppedFor, PassTwo, SourceResult};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// What to do with paragraphs repeated inside a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RepeatsMode {
    /// Keep one occurrence per group (the first complete one) and drop the others.
    #[default]
    KeepFirst,
    /// Drop every occurrence.
    DropAll,
    /// Keep every occurrence (only boilerplate and, on request, near-duplicates go): for
    /// reference text such as changelogs, API documentation or generated manuals, where the
    /// same note under two entries belongs to each.
    KeepAll,
}

impl RepeatsMode {
    /// The name used on the command line and in the manifest.
    pub fn name(self) -> &'static str {
        match self {
            RepeatsMode::KeepFirst => "keep-first",
            RepeatsMode::DropAll => "drop-all",
            RepeatsMode::KeepAll => "keep-all",
        }
    }
}

/// Everything `clean` needs to know.
#[derive(Debug, Clone)]
pub struct CleanConfig {
    /// The scan that finds clusters and boilerplate.
    pub scan: ScanConfig,
    /// The output folder. A dry run may leave it empty: the plan is then made without one,
    /// and no folder is checked or swept.
    pub out: PathBuf,
    /// Repeats inside a document.
    pub repeats: RepeatsMode,
    /// Remove boilerplate paragraphs (found in at least `scan.min_docs` unrelated documents).
    pub strip_boilerplate: bool,
    /// Leave out every near-duplicate that has a kept near-duplicate: walked in the keep rule's
    /// order of preference, a document stays unless one of its near-duplicates stayed before
    /// it, so that no two documents left are near-duplicates.
    pub drop_duplicates: bool,
    /// Plan only: write nothing.
    pub dry_run: bool,
    /// Copy the files of the input folders that are not read as documents (other extensions)
    /// unchanged, so that the output mirrors the input; `--text-only` turns it off.
    pub copy_other_files: bool,
    /// Raised (from a signal handler, another thread) to stop writing: files being written are
    /// completed, no new one is started.
    pub interrupt: Arc<AtomicBool>,
}

impl CleanConfig {
    /// The defaults of `neardup clean`: keep the first of each group of repeats, strip
    /// boilerplate, keep near-duplicates, write.
    pub fn new(scan: ScanConfig, out: impl Into<PathBuf>) -> Self {
        CleanConfig {
            scan,
            out: out.into(),
            repeats: RepeatsMode::KeepFirst,
            strip_boilerplate: true,
            drop_duplicates: false,
            dry_run: false,
            copy_other_files: true,
            interrupt: Arc::new(AtomicBool::new(false)),
        }
    }
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
    /// What its scan wrote to the work folder.
    pub work: crate::outcome::WorkUsed,
}

/// Runs the scan, then writes the cleaned copies (or, for a dry run, only plans them) through
/// [`AtomicFiles`].
///
/// ```
/// use neardup::{CleanConfig, ScanConfig, progress::NoProgress};
///
/// let input = tempfile::tempdir()?;
/// let p = "The same paragraph, pasted twice into this article by mistake.";
/// std::fs::write(input.path().join("a.txt"), format!("{p}\n\nThe body.\n\n{p}\n"))?;
/// let out = tempfile::tempdir()?;
/// let config = CleanConfig::new(ScanConfig::default(), out.path().join("clean"));
/// let outcome = neardup::clean(&[input.path().to_path_buf()], &config, &NoProgress)?;
/// assert_eq!(outcome.manifest.stats.repeats_removed, 1);
/// let cleaned = std::fs::read_to_string(out.path().join("clean/a.txt"))?;
/// assert_eq!(cleaned, format!("{p}\n\nThe body.\n"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn clean(
    roots: &[PathBuf],
    config: &CleanConfig,
    progress: &dyn Progress,
) -> Result<CleanOutcome> {
    clean_with(roots, config, progress, &AtomicFiles)
}

/// [`clean`], handing every output file (and the manifest) to `writer`.
pub fn clean_with(
    roots: &[PathBuf],
    config: &CleanConfig,
    progress: &dyn Progress,
    writer: &dyn OutputWriter,
) -> Result<CleanOutcome> {
    config.scan.validate()?;
    // Pass 2 opens the inputs' folders again: no thread keeps them after the run.
    let _release = scan::ReleaseThreadState::new();
    if roots.iter().any(|r| r.as_os_str() == "-") {
        return Err(Error::Refused(
            "standard input (-) cannot be cleaned: clean writes a copy of each input file; \
             save it to a file and clean that"
                .into(),
        ));
    }
    let no_folder = config.out.as_os_str().is_empty();
    if no_folder && !config.dry_run {
        return Err(Error::InvalidConfig(
            "an output folder is needed unless this is a dry run".into(),
        ));
    }
    if !no_folder {
        check_output_folder(roots, &config.out)?;
    }
    let mut outcome = scan::scan(roots, &config.scan, progress)?;
    outcome.check_keep_field(&config.scan.keep)?;
    let cleaning = Arc::new(dedup::Cleaning::of(
        &outcome,
        &config.scan,
        config.repeats,
        config.strip_boilerplate,
    ));
    if config.drop_duplicates {
        // Near-duplicates are decided on the texts as they are written.
        outcome = dedup::on_cleaned_texts(roots, outcome, &config.scan, &cleaning, progress)?;
    }
    // An earlier run's manifest at the top of an input (a cleaned folder cleaned again) is
    // not copied: this run's manifest takes its name.
    let others: Vec<crate::input::SourceFile> = if config.copy_other_files {
        let manifest = Path::new(MANIFEST_NAME);
        // With several inputs, each goes under its own name: no clash.
        let is_manifest = |f: &crate::input::SourceFile| roots.len() == 1 && f.relative == manifest;
        let others = &outcome.passed_over.other_files;
        others.iter().filter(|f| !is_manifest(f)).cloned().collect()
    } else {
        Vec::new()
    };
    // One call for both, so that a copy and a cleaned document cannot land on one name.
    let mut all_files = outcome.sources.clone();
    all_files.extend(others.iter().cloned());
    let mut destinations = safety::destinations(roots, &config.out, &all_files)?;
    drop(all_files);
    let other_destinations = destinations.split_off(outcome.sources.len());
    let plan = Plan::new(&outcome, config);
    if !config.dry_run {
        prepare_output_folder(&config.out, roots)?;
    }
    let mut context = PassTwo {
        config,
        outcome: &outcome,
        writer,
        cleaning: &cleaning,
        dropped_for: &plan.dropped_for,
        destinations: &destinations,
        docs_of_source: &plan.docs_of_source,
        out_resolved: safety::resolve(&config.out),
        checked_folders: std::sync::Mutex::new(HashSet::new()),
        disk_full: AtomicBool::new(false),
    };
    progress.start(Stage::Writing, outcome.sources.iter().map(|s| s.len).sum());
    let all_sources: Vec<usize> = (0..outcome.sources.len()).collect();
    let mut results = context.clean_sources(&all_sources, progress);
    progress.finish();
    let still_dropped: DroppedFor;
    if let Some(rescue) = Rescue::find(&outcome, &plan.dropped_for, &results) {
        still_dropped = rescue.still_dropped.clone();
        context.dropped_for = &still_dropped;
        let redone = context.clean_sources(&rescue.again, &NoProgress);
        rescue.apply(&outcome, redone, &mut results);
    }
    let copies = context.copy_files(&others, &other_destinations);
    let disk_full = context.disk_full.load(Ordering::SeqCst);
    let written: HashSet<&Path> = results
        .iter()
        .zip(&destinations)
        .chain(copies.iter().zip(&other_destinations))
        .filter(|(r, _)| r.written)
        .map(|(_, d)| d.as_path())
        .collect();
    let stale = sweep_stale_outputs(roots, config, &outcome, &written, disk_full);
    let pass = PassTwoResults {
        sources: results,
        copies,
    };
    Ok(summarize(&outcome, config, pass, disk_full, stale, writer))
}

/// What a run did about the files an earlier run left in `--out`.
struct Stale {
    /// Files removed (with `--dry-run`: that would be).
    removed: usize,
    /// Those that could not be removed.
    failures: Vec<Diagnostic>,
}

/// After a complete run, `--out` holds exactly what this run wrote, the manifest and the
/// marker: whatever an earlier run left there (a document this run leaves out, a file of
/// another input) is removed. An interrupted run, or one stopped by a full disk, leaves them
/// for the run that finishes the job; a dry run only counts them.
fn sweep_stale_outputs(
    roots: &[PathBuf],
    config: &CleanConfig,
    outcome: &ScanOutcome,
    written: &HashSet<&Path>,
    disk_full: bool,
) -> Stale {
    let mut stale = Stale {
        removed: 0,
        failures: Vec::new(),
    };
    let no_folder = config.out.as_os_str().is_empty();
    if no_folder || !config.out.is_dir() || disk_full || config.interrupt.load(Ordering::SeqCst) {
        return stale;
    }
    let inputs: Vec<PathBuf> = outcome.sources.iter().map(|s| s.path.clone()).collect();
    let found = safety::stale_outputs(&config.out, roots, &inputs, written);
    if config.dry_run {
        stale.removed = found.len();
        return stale;
    }
    for inside in found {
        let path = config.out.join(&inside);
        match std::fs::remove_file(&path) {
            Ok(()) => stale.removed += 1,
            Err(e) => stale.failures.push(Diagnostic::new(
                path.display().to_string(),
                None,
                Problem::StaleNotRemoved {
                    reason: io_reason(&e),
                },
            )),
        }
    }
    safety::remove_empty_folders(&config.out, roots);
    stale
}

/// What pass 2 gave: per source, and per other file copied.
struct PassTwoResults {
    sources: Vec<SourceResult>,
    copies: Vec<SourceResult>,
}

/// What pass 2 works from, decided before anything is written.
struct Plan {
    /// Near-duplicates to leave out.
    dropped_for: DroppedFor,
    /// The documents of each source: a range of the document table, which is in source order
    /// (documents without words are not in it).
    docs_of_source: Vec<std::ops::Range<u32>>,
}

impl Plan {
    fn new(outcome: &ScanOutcome, config: &CleanConfig) -> Plan {
        // Near-duplicates to leave out: every cluster member with a kept near-duplicate, which
        // it names.
        let mut dropped_for = DroppedFor::new();
        if config.drop_duplicates {
            for cluster in &outcome.clusters {
                for (doc, kept) in cluster.left_out() {
                    dropped_for.insert(doc, (kept.doc, kept.similarity));
                }
            }
        }
        let mut docs_of_source = vec![0..0; outcome.sources.len()];
        let documents = &outcome.documents;
        let mut doc = 0;
        while doc < documents.len() {
            let source = documents.source(doc);
            let first = doc;
            while doc < documents.len() && documents.source(doc) == source {
                doc += 1;
            }
            docs_of_source[source] = first as u32..doc as u32;
        }
        Plan {
            dropped_for,
            docs_of_source,
        }
    }
}

/// Creates the output folder with its marker, removes the manifest of an earlier run (until
/// this run's is written, none describes the folder: an interrupted run leaves none) and the
/// temporary files a killed run left.
fn prepare_output_folder(out: &Path, roots: &[PathBuf]) -> Result<()> {
    std::fs::create_dir_all(out)
        .and_then(|()| std::fs::write(out.join(MARKER_NAME), b""))
        .map_err(|source| Error::Io {
            path: out.to_path_buf(),
            source,
        })?;
    match std::fs::remove_file(out.join(MANIFEST_NAME)) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(source) => {
            return Err(Error::Io {
                path: out.join(MANIFEST_NAME),
                source,
            });
        }
    }
    safety::remove_stale_temporaries(out, roots);
    Ok(())
}

/// Near-duplicates left out for a kept document that could not be written after all (it
/// changed, vanished, or failed to write): they are written instead, never both lost.
struct Rescue {
    /// Each rescued near-duplicate, with the document it duplicates.
    rescued: HashMap<u32, u32>,
    /// The near-duplicates still left out.
    still_dropped: DroppedFor,
    /// The sources to clean again, in order.
    again: Vec<usize>,
}

impl Rescue {
    fn find(
        outcome: &ScanOutcome,
        dropped_for: &DroppedFor,
        results: &[SourceResult],
    ) -> Option<Self> {
        let failed: HashSet<usize> = (0..results.len()).filter(|&i| results[i].failed).collect();
        let source_of = |doc: u32| outcome.documents.source(doc as usize);
        let rescued: HashMap<u32, u32> = dropped_for
            .iter()
            .filter(|(_, (kept, _))| failed.contains(&source_of(*kept)))
            .map(|(&doc, &(kept, _))| (doc, kept))
            .collect();
        if rescued.is_empty() {
            return None;
        }
        let still_dropped = dropped_for
            .iter()
            .filter(|(doc, _)| !rescued.contains_key(doc))
            .map(|(&doc, &entry)| (doc, entry))
            .collect();
        let mut again: Vec<usize> = rescued
            .keys()
            .map(|&doc| source_of(doc))
            .filter(|source| !failed.contains(source))
            .collect();
        again.sort_unstable();
        again.dedup();
        Some(Rescue {
            rescued,
            still_dropped,
            again,
        })
    }

    /// Puts the sources cleaned again in place of their first results, each rescued document
    /// with a problem that says why it was written.
    fn apply(
        &self,
        outcome: &ScanOutcome,
        redone: Vec<SourceResult>,
        results: &mut [SourceResult],
    ) {
        for (&source, mut result) in self.again.iter().zip(redone) {
            for (&doc, &kept) in &self.rescued {
                if outcome.documents.source(doc as usize) == source {
                    let of = outcome.documents.label(kept as usize);
                    result.problems.push(Diagnostic::at(
                        outcome.sources[source].display.as_str(),
                        outcome.documents.position(doc as usize),
                        Problem::WrittenDespiteDuplicate { of },
                    ));
                }
            }
            results[source] = result;
        }
    }
}

/// Counts, the manifest and the problems of a clean, from pass 2's results; writes the manifest
/// unless this is a dry run or an interrupted run.
fn summarize(
    outcome: &ScanOutcome,
    config: &CleanConfig,
    pass: PassTwoResults,
    disk_full: bool,
    stale: Stale,
    writer: &dyn OutputWriter,
) -> CleanOutcome {
    let interrupted = config.interrupt.load(Ordering::SeqCst);
    let mut stats = CleanStats {
        files: outcome.sources.len(),
        ..CleanStats::default()
    };
    let mut documents = Vec::new();
    let mut dropped_duplicates = Vec::new();
    let mut write_failures = Vec::new();
    let mut second_pass_problems = Vec::new();
    let PassTwoResults {
        sources: results,
        copies,
    } = pass;
    let not_started = results
        .iter()
        .chain(&copies)
        .filter(|r| r.not_started)
        .count();
    stats.other_files = copies.len();
    for copy in copies {
        stats.files_copied += usize::from(copy.written);
        // A copy's bytes in are its bytes out.
        stats.bytes_in += copy.bytes_out;
        stats.bytes_out += copy.bytes_out;
        second_pass_problems.extend(copy.problems);
        write_failures.extend(copy.write_failure);
    }
    for (source, result) in outcome.sources.iter().zip(results) {
        stats.bytes_in += source.len;
        stats.bytes_out += result.bytes_out;
        stats.files_written += usize::from(result.written);
        stats.documents += result.documents;
        for removed in result.changes.iter().flat_map(|c| &c.removed) {
            match removed.reason {
                RemovalReason::Repeat => stats.repeats_removed += 1,
                RemovalReason::Boilerplate => stats.boilerplate_removed += 1,
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
    let in_clusters: usize = outcome.clusters.iter().map(|c| c.members.len()).sum();
    stats.kept_in_clusters = in_clusters.saturating_sub(stats.duplicates_dropped);
    let diagnostics = merge_problems(outcome.diagnostics.clone(), second_pass_problems);
    stats.input_errors = diagnostics.len();
    stats.stale_files_removed = stale.removed;
    write_failures.extend(stale.failures);
    let manifest = Manifest {
        version: VERSION.to_string(),
        params: CleanParams {
            repeats: config.repeats.name().to_string(),
            strip_boilerplate: config.strip_boilerplate,
            min_docs: config.scan.min_docs,
            min_words: config.scan.min_words,
            keep: config.scan.keep.describe(),
            drop_duplicates: config.drop_duplicates,
            copy_other_files: config.copy_other_files,
            threshold: config.scan.threshold,
        },
        stats,
        documents,
        dropped_duplicates,
    };
    if disk_full {
        write_failures.push(Diagnostic::new(
            config.out.display().to_string(),
            None,
            Problem::DiskFull { not_started },
        ));
    }
    // An interrupted run has no manifest: it would describe files that were never written.
    let manifest_path = (!config.dry_run && !interrupted)
        .then(|| manifest::write(&manifest, &config.out, writer, &mut write_failures))
        .flatten();
    CleanOutcome {
        manifest,
        diagnostics,
        write_failures,
        manifest_path,
        notes: outcome.notes.clone(),
        interrupted,
        work: outcome.work.clone(),
    }
}

/// Pass 1's problems with pass 2's merged in, in path order: what pass 2 adds about an input
/// pass 1 already warned about ("copied unchanged", "not written") joins that input's
/// diagnostic, so that each input gets one line.
fn merge_problems(mut diagnostics: Vec<Diagnostic>, later: Vec<Diagnostic>) -> Vec<Diagnostic> {
    diagnostic::sort(&mut diagnostics);
    for problem in later {
        match diagnostics.binary_search_by(|d| d.position().cmp(&problem.position())) {
            Ok(at) => diagnostics[at].absorb(problem),
            Err(at) => diagnostics.insert(at, problem),
        }
    }
    diagnostics
}
