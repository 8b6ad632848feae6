//! The scan: drives the readers ([`crate::input`]) and the stages ([`crate::pipeline`]) over a
//! corpus and gathers what they find into a [`ScanOutcome`]. Reading -> paragraphs, shingles and
//! signatures (parallel, one pass per document) -> LSH candidates -> verification -> clusters
//! and families -> boilerplate. The only I/O is through the readers (plus a second read of the
//! few documents whose boilerplate paragraphs are quoted in the report).
//!
//! Determinism: documents are numbered in path order (then JSONL line order) before anything
//! depends on their numbers; every parallel step either preserves order (`collect`) or is
//! followed by a sort; signatures depend only on the seed. So the result is the same for any
//! thread count and any order of the paths on the command line.
//!
//! Load balance: every parallel loop hands out bounded pieces (64 documents, or one chunk or
//! band), so that no thread is left with a long sequential piece while the others wait; the few
//! serial steps between stages only move or look up data.

mod clusters;
mod document;
mod hashing;
mod keeping;
mod sets;
mod spill;

pub use clusters::find_clusters;
pub use document::HashedDocument;
pub use hashing::hash_document;

use crate::config::{Keep, ScanConfig};
use crate::diagnostic::{self, AfterChange, Diagnostic, Problem};
use crate::error::{Error, Result};
use crate::input::{self, InputOptions, SourceFile};
use crate::outcome::{
    BoilerplateParagraph, DocumentTable, PassedOver, ScanOutcome, ScanStats, StageUse, WorkUsed,
};
use crate::parallel::DOCUMENTS_PER_TASK;
use crate::pipeline::boilerplate;
use crate::pipeline::minhash::MinHasher;
use crate::pipeline::paragraph;
use crate::progress::{Progress, Stage};
use crate::work::{self, LazyWorkDir};
use clusters::{cluster_candidates, find_clusters_with};
use hashing::{HashedSources, ParagraphData, hash_sources};
use keeping::KeepInputs;
use rayon::prelude::*;
use spill::{Documents, MemoryPlan, SpilledSets};
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

/// Scans the files and folders in `roots`.
pub fn scan(
    roots: &[PathBuf],
    config: &ScanConfig,
    progress: &dyn Progress,
) -> Result<ScanOutcome> {
    let banding = config.validate()?;
    // However it ends, no thread keeps this scan's buffers or open folders.
    let _release = ReleaseThreadState::new();
    let config = &*with_keep_field(config);
    let (sources, diagnostics, passed_over) = walk(roots, config);
    let found = (sources, diagnostics, passed_over);
    scan_sources(found, config, banding, progress)
}

/// Scans texts a program holds in memory, as [`scan`] scans files: the same clusters, pairs,
/// repeats and boilerplate as a scan of the same texts written one per file, in this order
/// (a file's path order). Text number `i` is named `ids[i]`, or `i` in decimal without `ids`,
/// wherever a report names a file; [`ScanOutcome::text_index`] gives a document's text number.
///
/// ```
/// use neardup::{ScanConfig, dedup, progress::NoProgress};
/// use std::sync::Arc;
///
/// let story = "The council approved the new budget on Tuesday after a long debate \
///              about the cost of the bridge and the schools.";
/// let texts = Arc::new(vec![story.to_string(), "Another story.".into(), story.into()]);
/// let outcome = dedup(texts, None, &ScanConfig::default(), &NoProgress).unwrap();
/// let members: Vec<usize> = outcome.clusters[0]
///     .members
///     .iter()
///     .map(|m| outcome.text_index(m.doc as usize).unwrap())
///     .collect();
/// assert_eq!(members, [0, 2]);
/// ```
pub fn dedup(
    texts: std::sync::Arc<dyn input::memory::Texts>,
    ids: Option<&[String]>,
    config: &ScanConfig,
    progress: &dyn Progress,
) -> Result<ScanOutcome> {
    let banding = config.validate()?;
    if let Some(ids) = ids
        && ids.len() != texts.len()
    {
        return Err(Error::InvalidConfig(format!(
            "{} ids for {} texts: give one id per text, or none",
            ids.len(),
            texts.len()
        )));
    }
    // Texts have no modification time and no fields: only rules that look at the texts apply.
    if matches!(config.keep, Keep::Newest | Keep::Field { .. }) {
        return Err(Error::InvalidConfig(format!(
            "keep rule \"{}\" needs files or records; texts in memory are kept by \"first\" or \
             \"longest\"",
            config.keep.describe()
        )));
    }
    let _release = ReleaseThreadState::new();
    let name = |i: usize| ids.map_or_else(|| i.to_string(), |ids| ids[i].clone());
    let sources = input::memory::sources(texts, &name);
    let found = (sources, Vec::new(), PassedOver::default());
    scan_sources(found, config, banding, progress)
}

/// The scan, with `banding` from the validated `config`, of the sources `found` with the
/// problems met finding them and what was passed over.
fn scan_sources(
    found: (Vec<SourceFile>, Vec<Diagnostic>, PassedOver),
    config: &ScanConfig,
    banding: crate::pipeline::lsh::Banding,
    progress: &dyn Progress,
) -> Result<ScanOutcome> {
    let (mut sources, mut diagnostics, passed_over) = found;
    let minhasher = MinHasher::with_scheme(config.minhash, config.num_perm, config.seed);

    let plan = MemoryPlan::new(
        config.memory.unwrap_or_else(work::default_memory),
        banding.bands,
    );
    let work = LazyWorkDir::new(config.work.clone());
    let clock = StageClock::new(progress, &work);
    let progress: &dyn Progress = &clock;
    let work_failed = |e: std::io::Error| work_error(&work, config, e);
    let HashedSources {
        infos,
        mut documents,
        paragraphs:
            ParagraphData {
                occurrences,
                zones,
                repeats,
                paragraphs,
            },
        empty,
        problems,
        mut notes,
        fingerprints,
        skipped,
    } = hash_sources(
        &mut sources,
        config,
        &minhasher,
        banding,
        &plan,
        &work,
        progress,
    )
    .map_err(|e| {
        if config.cancelled() {
            Error::Cancelled
        } else {
            work_failed(e)
        }
    })?;
    if config.cancelled() {
        return Err(Error::Cancelled);
    }
    diagnostics.extend(problems);
    notes.extend(
        empty
            .iter()
            .map(|doc| Diagnostic::at(doc.path.as_str(), doc.position, Problem::EmptyDocument)),
    );

    let table = (&infos, sources.as_slice());
    let clustering = cluster_documents(&mut documents, table, config, banding, &work, progress)?;
    if config.cancelled() {
        return Err(Error::Cancelled);
    }
    free_documents(documents);
    let (found, boilerplate_candidates) =
        find_boilerplate(occurrences, zones, &clustering.family_of, config, &work)?;
    let inputs = (sources.as_slice(), fingerprints.as_slice(), &infos);
    let (boilerplate, changed) = with_texts(found, inputs, config, &plan);
    diagnostics.extend(changed);
    diagnostic::sort(&mut diagnostics);
    diagnostic::sort(&mut notes);
    Ok(ScanOutcome {
        banding,
        stats: ScanStats {
            files: sources.len(),
            documents: infos.len(),
            empty_documents: empty.len(),
            candidate_pairs: clustering.candidate_pairs,
            similar_pairs: clustering.similar_pairs,
            paragraphs,
        },
        sources,
        documents: infos,
        empty_documents: empty,
        clusters: clustering.clusters,
        pairs: clustering.pairs,
        repeats,
        boilerplate,
        boilerplate_candidates,
        diagnostics,
        notes,
        fingerprints,
        skipped,
        passed_over,
        work: work_used(&work, &clock),
    })
}

/// What the scan wrote to its work folder, whether the folder stays, and each stage's use.
fn work_used(work: &LazyWorkDir, clock: &StageClock<'_>) -> WorkUsed {
    WorkUsed {
        bytes_written: work.made().map_or(0, |w| w.written()),
        kept: work
            .made()
            .filter(|w| w.keeps())
            .map(|w| w.path().to_path_buf()),
        stages: clock.stages(),
    }
}

/// Frees the documents' hashes, in parallel: one thread freeing every document's sets was a
/// tenth of a second in which the others waited.
fn free_documents(documents: Documents) {
    if let Documents::Memory(hashed) = documents {
        hashed
            .into_par_iter()
            .with_max_len(DOCUMENTS_PER_TASK)
            .for_each(drop);
    } else {
        drop(documents);
    }
}

/// The boilerplate found, each with its text read again from its first occurrence (`inputs`:
/// the sources, their fingerprints from the first pass, the document table), and the
/// diagnostics of the files that changed since.
fn with_texts(
    found: Vec<boilerplate::Boilerplate>,
    inputs: (&[SourceFile], &[Option<u64>], &DocumentTable),
    config: &ScanConfig,
    plan: &MemoryPlan,
) -> (Vec<BoilerplateParagraph>, Vec<Diagnostic>) {
    let (sources, fingerprints, infos) = inputs;
    let first_occurrences: Vec<(u32, Option<u32>)> = found
        .iter()
        .map(|b| (b.documents[0].0, Some(b.documents[0].1)))
        .collect();
    let (texts, changed) = paragraph_texts(
        sources,
        fingerprints,
        infos,
        &first_occurrences,
        config,
        plan,
    );
    let mut texts = texts.into_iter();
    let boilerplate = found
        .into_iter()
        .map(|b| BoilerplateParagraph {
            key: b.key,
            documents: b.documents,
            families: b.families,
            text: texts.next().flatten().unwrap_or_default(),
        })
        .collect();
    (boilerplate, changed)
}

/// The files to read under `roots`, the problems met finding them, and what the walk passed
/// over.
fn walk(roots: &[PathBuf], config: &ScanConfig) -> (Vec<SourceFile>, Vec<Diagnostic>, PassedOver) {
    let input::Walked {
        files,
        problems,
        other_files,
        hidden,
        links,
        spooled,
    } = input::discover(roots, &config.input);
    let passed_over = PassedOver {
        other_files,
        hidden,
        links,
        spooled: std::sync::Arc::new(spooled),
    };
    (files, problems, passed_over)
}

/// `config`, carrying the `--keep-by` field's value along with the records when the keep rule
/// asks for one.
fn with_keep_field(config: &ScanConfig) -> std::borrow::Cow<'_, ScanConfig> {
    if config.input.keep_field.as_deref() == config.keep.field() {
        return std::borrow::Cow::Borrowed(config);
    }
    std::borrow::Cow::Owned(ScanConfig {
        input: InputOptions {
            keep_field: config.keep.field().map(str::to_string),
            ..config.input.clone()
        },
        ..config.clone()
    })
}

/// A failure to write or read the work folder, naming it (or where it was to be made).
fn work_error(work: &LazyWorkDir, config: &ScanConfig, e: std::io::Error) -> Error {
    Error::WorkFolder {
        path: work
            .made()
            .map(|w| w.path().to_path_buf())
            .or_else(|| config.work.parent.clone())
            .unwrap_or_else(std::env::temp_dir),
        source: e,
    }
}

/// Candidates, verification, clusters and families, from the documents in memory or from the
/// work folder.
fn cluster_documents(
    documents: &mut Documents,
    table: (&DocumentTable, &[SourceFile]),
    config: &ScanConfig,
    banding: crate::pipeline::lsh::Banding,
    work: &LazyWorkDir,
    progress: &dyn Progress,
) -> Result<clusters::Clustering> {
    let work_failed = |e: std::io::Error| work_error(work, config, e);
    let infos = table.0;
    Ok(match documents {
        Documents::Memory(hashed) => {
            find_clusters_with(hashed, Some(table), config, banding, progress)
        }
        Documents::Spilled(spilled) => {
            progress.start(Stage::Banding, banding.bands as u64);
            let candidates = spilled
                .candidate_pairs(infos.len(), work, &|n| progress.advance(n))
                .map_err(work_failed)?;
            progress.finish();
            let tokens: Vec<usize> = (0..infos.len()).map(|d| infos.tokens(d)).collect();
            let sets = SpilledSets::new(&spilled.store, config.verify);
            let keep = KeepInputs {
                keep: &config.keep,
                tokens: &tokens,
                table: Some(table),
            };
            let clustering =
                cluster_candidates(&candidates, &sets, &keep, config, banding, progress);
            if let Some(e) = sets.failure() {
                return Err(work_failed(e));
            }
            clustering
        }
    })
}

/// The boilerplate: the paragraphs in `min_docs` families anywhere (the candidates, whose keys
/// it also returns, sorted) that count in enough documents' boilerplate zones.
fn find_boilerplate(
    occurrences: crate::work::sort::Sorter<(u64, u32, u32)>,
    zones: spill::ZoneList,
    family_of: &[u32],
    config: &ScanConfig,
    work: &LazyWorkDir,
) -> Result<(Vec<boilerplate::Boilerplate>, Vec<u64>)> {
    let work_failed = |e: std::io::Error| work_error(work, config, e);
    let mut candidates = boilerplate::KeyRuns::new(family_of, config.min_docs);
    occurrences
        .for_each_sorted(work, |(key, doc, p)| candidates.push(key, doc, p))
        .map_err(work_failed)?;
    let keys = boilerplate::candidate_keys(candidates.finish());
    let mut counted = Vec::new();
    if !keys.is_empty() {
        zones
            .for_each_chunk(work, |chunk| {
                counted.extend(boilerplate::counted_in_zones(chunk, &keys));
            })
            .map_err(work_failed)?;
    }
    Ok((boilerplate::find(counted, family_of, config.min_docs), keys))
}

/// Wraps the caller's progress to time each stage and count what it wrote to the work folder.
struct StageClock<'a> {
    inner: &'a dyn Progress,
    work: &'a LazyWorkDir,
    started: std::time::Instant,
    current: std::sync::Mutex<Option<(Stage, std::time::Instant, u64)>>,
    done: std::sync::Mutex<Vec<StageUse>>,
}

impl<'a> StageClock<'a> {
    fn new(inner: &'a dyn Progress, work: &'a LazyWorkDir) -> Self {
        StageClock {
            inner,
            work,
            started: std::time::Instant::now(),
            current: std::sync::Mutex::new(None),
            done: std::sync::Mutex::new(Vec::new()),
        }
    }

    fn written(&self) -> u64 {
        self.work.made().map_or(0, |w| w.written())
    }

    /// The stages so far, and the rest of the time since the scan began as one more.
    fn stages(&self) -> Vec<StageUse> {
        let mut stages = self.done.lock().map(|d| d.clone()).unwrap_or_default();
        let (seconds, bytes) = stages
            .iter()
            .fold((0.0, 0), |(s, b), u| (s + u.seconds, b + u.work_bytes));
        stages.push(StageUse {
            stage: "clustering and boilerplate",
            seconds: (self.started.elapsed().as_secs_f64() - seconds).max(0.0),
            work_bytes: self.written().saturating_sub(bytes),
        });
        stages
    }
}

impl Progress for StageClock<'_> {
    fn start(&self, stage: Stage, total: u64) {
        if let Ok(mut current) = self.current.lock() {
            *current = Some((stage, std::time::Instant::now(), self.written()));
        }
        self.inner.start(stage, total);
    }

    fn advance(&self, units: u64) {
        self.inner.advance(units);
    }

    fn finish(&self) {
        let finished = self.current.lock().ok().and_then(|mut c| c.take());
        if let (Some((stage, at, bytes)), Ok(mut done)) = (finished, self.done.lock()) {
            done.push(StageUse {
                stage: stage.label(),
                seconds: at.elapsed().as_secs_f64(),
                work_bytes: self.written().saturating_sub(bytes),
            });
        }
        self.inner.finish();
    }
}

/// Whether the scan with `config` reads `source` in pieces (a file of records whose text would
/// not fit one batch of its memory budget): `clean` then streams its copy as well.
pub(crate) fn reads_in_pieces(source: &SourceFile, config: &ScanConfig) -> bool {
    let budget = config.memory.unwrap_or_else(work::default_memory);
    hashing::is_large(source, &MemoryPlan::new(budget, 1))
}

/// The texts of documents `docs` (indices into [`ScanOutcome::documents`]) of a scan's outcome,
/// read again from their files or texts in memory (`None` where a file changed or can no
/// longer be read since the scan): for the views of the HTML report
/// ([`crate::html::documents_shown`]), or for a program that shows what was found.
pub fn document_texts(
    outcome: &ScanOutcome,
    config: &ScanConfig,
    docs: &[u32],
) -> Vec<Option<String>> {
    let budget = config.memory.unwrap_or_else(work::default_memory);
    let plan = MemoryPlan::new(budget, 1);
    let wanted: Vec<(u32, Option<u32>)> = docs.iter().map(|&d| (d, None)).collect();
    let (texts, _) = paragraph_texts(
        &outcome.sources,
        &outcome.fingerprints,
        &outcome.documents,
        &wanted,
        config,
        &plan,
    );
    texts
}

/// For each `(doc, p)` in `wanted`, the text of paragraph `p` of document `doc`, or with no `p`
/// its whole text, read again from the files (`None` where a file changed or can no longer be
/// read), and a problem for each file that changed or vanished since the first pass.
fn paragraph_texts(
    sources: &[SourceFile],
    fingerprints: &[Option<u64>],
    infos: &DocumentTable,
    wanted: &[(u32, Option<u32>)],
    config: &ScanConfig,
    plan: &MemoryPlan,
) -> (Vec<Option<String>>, Vec<Diagnostic>) {
    // Requests by file, then by document (its line or row; `None` for a text file).
    type ByLine = HashMap<Option<input::Position>, Vec<usize>>;
    let mut by_source: BTreeMap<usize, ByLine> = BTreeMap::new();
    for (n, &(doc, _)) in wanted.iter().enumerate() {
        let doc = doc as usize;
        by_source
            .entry(infos.source(doc))
            .or_default()
            .entry(infos.position(doc))
            .or_default()
            .push(n);
    }
    // Per file: (request number, text) pairs, and the problem if the file changed.
    type Found = (Vec<(usize, String)>, Vec<Diagnostic>);
    let found: Vec<Found> = by_source
        .into_par_iter()
        .map(|(source, by_line)| {
            let work = |d: input::Document<'_>| -> Vec<(usize, String)> {
                let Some(requests) = by_line.get(&d.position) else {
                    return Vec::new();
                };
                let mut paragraphs = None;
                requests
                    .iter()
                    .filter_map(|&n| match wanted[n].1 {
                        None => Some((n, d.text.to_string())),
                        Some(p) => {
                            let paragraphs =
                                paragraphs.get_or_insert_with(|| paragraph::segment(d.text));
                            let p = paragraphs.get(p as usize)?;
                            Some((n, p.text(d.text).to_string()))
                        }
                    })
                    .collect()
            };
            let expected = fingerprints[source];
            let source = &sources[source];
            // A file read in pieces the first time is read in pieces again, and its texts are
            // kept only if its bytes did not change.
            let (texts, unchanged) = if hashing::is_large(source, plan) {
                let piece_bytes = plan.batch_bytes as usize;
                let read = input::every_piece(|sink| {
                    input::read_pieces(source, &config.input, piece_bytes, &work, sink)
                });
                let unchanged = read.fingerprint.is_some() && read.fingerprint == expected;
                (read.docs.into_iter().flatten().collect(), unchanged)
            } else {
                let read = input::read_source(source, &config.input, expected, &work);
                let unchanged = read.fingerprint.is_some();
                (read.docs.into_iter().flatten().collect(), unchanged)
            };
            // Only a file that changed is worth a new problem: one that failed in the first
            // pass has no paragraphs to ask for.
            if unchanged {
                (texts, Vec::new())
            } else {
                let changed =
                    input::changed_during_run(&source.display, AfterChange::ParagraphsNotShown);
                (Vec::new(), vec![changed])
            }
        })
        .collect();
    let mut texts = vec![None; wanted.len()];
    let mut problems: Vec<Diagnostic> = Vec::new();
    for (found_texts, found_problems) in found {
        for (n, text) in found_texts {
            texts[n] = Some(text);
        }
        problems.extend(found_problems);
    }
    (texts, problems)
}

/// Releases on every thread of the current pool what the stages keep per thread between
/// documents (buffers, an open folder), when made and when dropped: a long-lived process (a
/// Python kernel, a server) runs many scans and cleans, and none should hold the last one's
/// buffers or read a folder made again since through the last one's handle.
pub(crate) struct ReleaseThreadState;

impl ReleaseThreadState {
    /// Releases now, and again when dropped.
    pub(crate) fn new() -> Self {
        release_thread_state();
        ReleaseThreadState
    }
}

fn release_thread_state() {
    rayon::broadcast(|_| {
        hashing::release_worker();
        spill::release_loaded();
        input::release_thread_state();
    });
}

impl Drop for ReleaseThreadState {
    fn drop(&mut self) {
        release_thread_state();
    }
}
