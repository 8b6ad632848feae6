//! The first pass: every source read and every document cut into paragraphs, shingled and
//! signed, in parallel, batch by batch of sources so that what is held stays within the memory
//! plan ([`super::spill`] takes the documents to disk when it does not).

use super::document::HashedDocument;
use super::spill::{Documents, Holder, MemoryPlan, ZoneList};
use crate::config::ScanConfig;
use crate::diagnostic::Diagnostic;
use crate::input::{self, Compression, SourceFile, SourceKind};
use crate::outcome::{DocumentInfo, DocumentRepeats, DocumentTable, RepeatedParagraphs};
use crate::parallel::DOCUMENTS_PER_TASK;
use crate::pipeline::boilerplate;
use crate::pipeline::lsh::Banding;
use crate::pipeline::minhash::{self, MinHasher};
use crate::pipeline::paragraph::{self, Analysis, Analyzer};
use crate::pipeline::shingle::{self, Shingler};
use crate::progress::{Progress, Stage};
use crate::work::LazyWorkDir;
use crate::work::sort::Sorter;
use rayon::prelude::*;
use serde_json::Value;
use std::cell::RefCell;

/// A worker thread's reusable state.
struct Worker {
    shingler: Shingler,
    analyzer: Analyzer,
    analysis: Analysis,
    /// 64-bit shingle fingerprints of the current document.
    shingles: Vec<u64>,
    /// Its 64-bit signature.
    signature: Vec<u64>,
}

thread_local! {
    /// Each worker thread's shingler and analyzer, kept between documents so that their buffers
    /// are reused.
    static WORKER: RefCell<Option<Worker>> = const { RefCell::new(None) };
}

/// Drops the calling thread's worker state (its buffers keep the size of the largest document
/// it hashed).
pub(super) fn release_worker() {
    WORKER.with(|cell| drop(cell.borrow_mut().take()));
}

/// Runs `f` with the calling thread's worker state for `config`.
fn with_worker<T>(config: &ScanConfig, f: impl FnOnce(&mut Worker) -> T) -> T {
    WORKER.with(|cell| {
        let mut slot = cell.borrow_mut();
        let worker = match slot.as_mut() {
            Some(w) if w.shingler.kind() == config.shingle => w,
            _ => slot.insert(Worker {
                shingler: Shingler::new(config.shingle),
                analyzer: Analyzer::new(),
                analysis: Analysis::default(),
                shingles: Vec::new(),
                signature: Vec::new(),
            }),
        };
        f(worker)
    })
}

/// Cuts one text into paragraphs, finds its repeats, shingles and signs it, with the calling
/// thread's reusable state. The text is tokenized once, paragraph by paragraph. With
/// [`ScanConfig::prepare`], all of it is done on the text that gives.
pub fn hash_document(text: &str, config: &ScanConfig, minhasher: &MinHasher) -> HashedDocument {
    let prepared = config.prepare.as_ref().and_then(|filter| (filter.0)(text));
    let text = prepared.as_deref().unwrap_or(text);
    with_worker(config, |w| {
        w.analyzer.analyze(text, &mut w.analysis);
        let analysis = &w.analysis;
        let fingerprints = &mut w.shingles;
        if !w
            .shingler
            .shingle_token_hashes(&analysis.token_hashes, fingerprints)
        {
            w.shingler.shingle(text, fingerprints);
        }
        w.signature.resize(minhasher.num_perm(), 0);
        minhasher.sign(fingerprints, &mut w.signature);
        let signature = minhash::compact_signature(&w.signature);
        let (shingles, shingles_sorted) = shingle::compact_unsorted(fingerprints);
        let repeats = w
            .analyzer
            .repeats(text, analysis)
            .into_iter()
            .map(|group| RepeatedParagraphs {
                lines: group
                    .members
                    .iter()
                    .map(|&m| {
                        let p = &analysis.paragraphs[m as usize];
                        (p.first_line, p.last_line)
                    })
                    .collect(),
                kept: group
                    .members
                    .iter()
                    .position(|&m| m == group.kept)
                    .unwrap_or(0),
                preview: paragraph::preview(analysis.paragraphs[group.kept as usize].text(text)),
                paragraphs: group.members,
            })
            .collect();
        let layout = boilerplate::paragraph_layout(text, analysis, config.min_words);
        let zones = boilerplate::Zones::of(&layout);
        let mut paragraph_keys: Vec<(u64, u32)> = layout
            .iter()
            .enumerate()
            .filter(|(_, e)| e.eligible)
            .map(|(i, e)| (e.key, i as u32))
            .collect();
        paragraph_keys.sort_unstable();
        paragraph_keys.dedup_by_key(|k| k.0);
        HashedDocument {
            shingles,
            shingles_sorted,
            signature,
            tokens: analysis.token_hashes.len(),
            paragraphs: analysis.paragraphs.len(),
            paragraph_keys,
            zones,
            repeats,
        }
    })
}

/// What the first pass over the sources gave.
pub(super) struct HashedSources {
    pub(super) infos: DocumentTable,
    pub(super) documents: Documents,
    pub(super) paragraphs: ParagraphData,
    pub(super) empty: Vec<DocumentInfo>,
    pub(super) problems: Vec<Diagnostic>,
    pub(super) notes: Vec<Diagnostic>,
    pub(super) fingerprints: Vec<Option<u64>>,
    pub(super) skipped: Vec<bool>,
}

/// What the paragraph stages found, taken out of the hashed documents batch by batch (in
/// document order) for the boilerplate stage and the report.
pub(super) struct ParagraphData {
    /// Every eligible paragraph's `(key, document, paragraph)`, sorted on the way (spilled to
    /// the work folder past its share of the plan).
    pub(super) occurrences: Sorter<(u64, u32, u32)>,
    /// The boilerplate zones of the documents that have them.
    pub(super) zones: ZoneList,
    /// Repeated paragraphs, per document that has them.
    pub(super) repeats: Vec<DocumentRepeats>,
    /// Paragraphs in all.
    pub(super) paragraphs: usize,
}

impl ParagraphData {
    fn new(plan: &MemoryPlan) -> Self {
        ParagraphData {
            occurrences: Sorter::new(plan.paragraph_buffer, "paragraphs/occurrences"),
            zones: ZoneList::new(plan.zones),
            repeats: Vec::new(),
            paragraphs: 0,
        }
    }

    /// Moves the paragraph findings out of `docs`, numbered from `first`.
    fn take_from(
        &mut self,
        docs: &mut [HashedDocument],
        first: u32,
        work: &LazyWorkDir,
    ) -> std::io::Result<()> {
        for (n, h) in docs.iter_mut().enumerate() {
            let doc = first + n as u32;
            for (key, p) in std::mem::take(&mut h.paragraph_keys) {
                self.occurrences.push((key, doc, p), work)?;
            }
            if let Some(zones) = h.zones.take() {
                self.zones.push(doc, zones, work)?;
            }
            if !h.repeats.is_empty() {
                self.repeats.push(DocumentRepeats {
                    doc,
                    groups: std::mem::take(&mut h.repeats),
                });
            }
            self.paragraphs += h.paragraphs;
        }
        Ok(())
    }
}

/// Reads every source and hashes its documents, in parallel, one batch of sources at a time;
/// results in source order.
pub(super) fn hash_sources(
    sources: &mut [SourceFile],
    config: &ScanConfig,
    minhasher: &MinHasher,
    banding: Banding,
    plan: &MemoryPlan,
    work: &LazyWorkDir,
    progress: &dyn Progress,
) -> std::io::Result<HashedSources> {
    progress.start(Stage::Hashing, sources.iter().map(|s| s.len).sum());
    let mut found = HashedSources {
        infos: DocumentTable::new(sources.iter().map(|s| s.display.as_str())),
        documents: Documents::Memory(Vec::new()),
        paragraphs: ParagraphData::new(plan),
        empty: Vec::new(),
        problems: Vec::new(),
        notes: Vec::new(),
        fingerprints: Vec::with_capacity(sources.len()),
        skipped: Vec::with_capacity(sources.len()),
    };
    let mut holder = Holder::new(banding, minhasher.num_perm());
    let mut start = 0;
    while start < sources.len() {
        let end = batch_end(sources, start, plan);
        if end == start + 1 && is_large(&sources[start], plan) {
            let source = &mut sources[start];
            hash_in_pieces(
                source,
                start,
                config,
                minhasher,
                plan,
                work,
                progress,
                &mut found,
                &mut holder,
            )?;
        } else {
            let first_doc = found.infos.len() as u32;
            let mut hashed = hash_batch(
                &mut sources[start..end],
                start,
                config,
                minhasher,
                progress,
                &mut found,
            );
            found.paragraphs.take_from(&mut hashed, first_doc, work)?;
            holder.add(hashed, plan, work)?;
        }
        if config.cancelled() {
            return Err(std::io::ErrorKind::Interrupted.into());
        }
        start = end;
    }
    progress.finish();
    found.documents = holder.finish(plan, work)?;
    Ok(found)
}

/// A file of records (JSON Lines, Parquet) whose text would not fit one batch: read in pieces.
pub(super) fn is_large(source: &SourceFile, plan: &MemoryPlan) -> bool {
    let in_pieces = match source.kind {
        SourceKind::Jsonl => true,
        // Compressed as a whole, a Parquet file is read whole.
        SourceKind::Parquet => source.compression == Compression::None,
        SourceKind::Text => false,
    };
    in_pieces && estimated_text(source) > plan.batch_bytes
}

/// The text a source is expected to hold: its size, four times that compressed (Parquet is).
fn estimated_text(source: &SourceFile) -> u64 {
    let factor = if source.compression == Compression::None && source.kind != SourceKind::Parquet {
        1
    } else {
        4
    };
    source.len.max(4096) * factor
}

/// Hashes a large file of records (JSON Lines or Parquet) piece by piece (each about a batch of text), each piece's
/// documents handed to the holder before the next is read.
#[allow(clippy::too_many_arguments)]
fn hash_in_pieces(
    source: &mut SourceFile,
    source_index: usize,
    config: &ScanConfig,
    minhasher: &MinHasher,
    plan: &MemoryPlan,
    work: &LazyWorkDir,
    progress: &dyn Progress,
    found: &mut HashedSources,
    holder: &mut Holder,
) -> std::io::Result<()> {
    let hash = |doc: input::Document<'_>| hash_record(doc, config, minhasher);
    let display = source.display.clone();
    let mut reported = 0;
    let mut sink = |docs: Vec<Hashed>, read_so_far: u64| -> std::io::Result<()> {
        if config.cancelled() {
            return Err(std::io::ErrorKind::Interrupted.into());
        }
        progress.advance(read_so_far.saturating_sub(reported));
        reported = reported.max(read_so_far);
        let first_doc = found.infos.len() as u32;
        let mut hashed = Vec::with_capacity(docs.len());
        for document in docs {
            match record(source_index, &display, document) {
                (info, None) => found.empty.push(info),
                (info, Some(doc)) => {
                    found.infos.push_info(&info);
                    hashed.push(doc);
                }
            }
        }
        found.paragraphs.take_from(&mut hashed, first_doc, work)?;
        holder.add(hashed, plan, work)
    };
    let piece_bytes = plan.batch_bytes as usize;
    let read = input::read_pieces(source, &config.input, piece_bytes, &hash, &mut sink)?;
    progress.advance(read.len.saturating_sub(reported));
    source.len = read.len;
    found.problems.extend(read.problems);
    found.notes.extend(read.notes);
    found.fingerprints.push(read.fingerprint);
    found.skipped.push(read.skipped);
    Ok(())
}

/// A hashed document's record and its hashes; a document without words has no hashes, and its
/// record its file's path (for the list of empty documents: the table has the path of the
/// others' files).
fn record(
    source_index: usize,
    display: &str,
    hashed: Hashed,
) -> (DocumentInfo, Option<HashedDocument>) {
    let (position, id, keep_value, doc) = hashed;
    let empty = doc.tokens == 0;
    let info = DocumentInfo {
        source: source_index,
        path: if empty {
            display.to_string()
        } else {
            String::new()
        },
        position,
        id,
        tokens: doc.tokens,
        paragraphs: doc.paragraphs,
        keep_value,
    };
    (info, (!empty).then_some(doc))
}

/// A document read from its file, hashed, with what its record carries.
fn hash_record(doc: input::Document<'_>, config: &ScanConfig, minhasher: &MinHasher) -> Hashed {
    let hashed = hash_document(doc.text, config, minhasher);
    (
        doc.position,
        doc.id.cloned(),
        doc.keep_value.cloned(),
        hashed,
    )
}

/// A document's line or row, id and `--keep-by` value, and its hashes.
type Hashed = (
    Option<input::Position>,
    Option<Value>,
    Option<Value>,
    HashedDocument,
);

/// End of the batch of sources that starts at `start`: sources until their estimated text
/// reaches the plan's batch (at least one), and before a file read in pieces.
fn batch_end(sources: &[SourceFile], start: usize, plan: &MemoryPlan) -> usize {
    let mut bytes = 0u64;
    let mut end = start;
    // A file read in pieces is a batch of its own: it never joins the small files before it.
    while end < sources.len()
        && (end == start || (bytes < plan.batch_bytes && !is_large(&sources[end], plan)))
    {
        // The walk asked for the size of every file of records; a text file whose size it did
        // not ask for is one document, counted as a small one.
        bytes += estimated_text(&sources[end]);
        end += 1;
    }
    end
}

/// Hashes one batch of sources (the first is source number `first_source`), adding their
/// readings and documents' records to `found`; the hashed documents, in document order.
fn hash_batch(
    sources: &mut [SourceFile],
    first_source: usize,
    config: &ScanConfig,
    minhasher: &MinHasher,
    progress: &dyn Progress,
    found: &mut HashedSources,
) -> Vec<HashedDocument> {
    /// What a run of consecutive sources gave: per source, its reading (documents moved out);
    /// per document, its record and hashes, split into those with tokens and the empty ones.
    /// Gathered per run rather than per source, so that the serial loop below moves a few
    /// thousand vectors, not a few for every file.
    #[derive(Default)]
    struct RunDocuments {
        reads: Vec<input::SourceRead<Hashed>>,
        infos: Vec<DocumentInfo>,
        hashed: Vec<HashedDocument>,
        empty: Vec<DocumentInfo>,
    }
    let per_run: Vec<RunDocuments> = sources
        .par_chunks(DOCUMENTS_PER_TASK)
        .with_max_len(1)
        .enumerate()
        .map(|(run_index, run)| {
            let mut found = RunDocuments {
                reads: Vec::with_capacity(run.len()),
                ..RunDocuments::default()
            };
            let work = |doc: input::Document<'_>| hash_record(doc, config, minhasher);
            for (offset, source) in run.iter().enumerate() {
                if config.cancelled() {
                    break;
                }
                let source_index = first_source + run_index * DOCUMENTS_PER_TASK + offset;
                let mut read = input::read_source(source, &config.input, None, &work);
                progress.advance(read.len);
                let docs = std::mem::take(&mut read.docs);
                for document in docs {
                    match record(source_index, &source.display, document) {
                        (info, None) => found.empty.push(info),
                        (info, Some(doc)) => {
                            found.infos.push(info);
                            found.hashed.push(doc);
                        }
                    }
                }
                found.reads.push(read);
            }
            found
        })
        .collect();

    let documents = per_run.iter().map(|r| r.infos.len()).sum();
    let mut hashed = Vec::with_capacity(documents);
    let mut sources = sources.iter_mut();
    for run in per_run {
        // The run's readings lead the zip: it asks its first iterator first, and a source taken
        // from `sources` when the run has no reading left would be lost.
        for (read, source) in run.reads.into_iter().zip(sources.by_ref()) {
            // From now on a source's size is what was read (the walk may not have asked).
            source.len = read.len;
            found.problems.extend(read.problems);
            found.notes.extend(read.notes);
            found.fingerprints.push(read.fingerprint);
            found.skipped.push(read.skipped);
        }
        for info in &run.infos {
            found.infos.push_info(info);
        }
        hashed.extend(run.hashed);
        found.empty.extend(run.empty);
    }
    hashed
}
