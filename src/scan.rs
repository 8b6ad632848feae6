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

use crate::config::ScanConfig;
use crate::diagnostic::{self, AfterChange, Diagnostic, Problem};
use crate::error::Result;
use crate::input::{self, InputOptions, SourceFile};
use crate::outcome::{
    BoilerplateParagraph, Cluster, DocumentInfo, DocumentRepeats, Member, PassedOver,
    RepeatedParagraphs, ScanOutcome, ScanStats,
};
use crate::parallel::DOCUMENTS_PER_TASK;
use crate::pipeline::boilerplate::{self, FAMILY_SIMILARITY};
use crate::pipeline::cluster::{self, SimilarPair};
use crate::pipeline::jaccard;
use crate::pipeline::lsh::{self, Banding};
use crate::pipeline::minhash::{self, MinHasher};
use crate::pipeline::paragraph::{self, Analysis, Analyzer};
use crate::pipeline::shingle::{self, Shingler};
use crate::pipeline::union_find::UnionFind;
use crate::progress::{Progress, Stage};
use rayon::prelude::*;
use serde_json::Value;
use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

/// Shingles, signature and paragraphs of one document, the pipeline's working form.
#[derive(Debug, Clone)]
pub struct HashedDocument {
    /// Shingle fingerprints in their 32-bit verification form (`shingle::compact`). Sorted and
    /// deduplicated only once the document turns out to be in a candidate pair (see
    /// [`find_clusters`]): most documents never are, and are never sorted.
    pub shingles: Vec<u32>,
    /// Whether `shingles` is sorted and deduplicated yet.
    pub shingles_sorted: bool,
    /// MinHash signature, in its 32-bit form (`minhash::compact_signature`): read in place by
    /// LSH and by the family estimate.
    pub signature: Vec<u32>,
    /// Number of tokens.
    pub tokens: usize,
    /// Number of paragraphs.
    pub paragraphs: usize,
    /// Distinct keys of the paragraphs that may be boilerplate, each with the index of its first
    /// paragraph, sorted by key.
    pub paragraph_keys: Vec<(u64, u32)>,
    /// The paragraphs at its ends, where boilerplate counts (`None` when none may be
    /// boilerplate).
    pub zones: Option<boilerplate::Zones>,
    /// Repeated paragraphs inside the document.
    pub repeats: Vec<RepeatedParagraphs>,
}

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
/// thread's reusable state. The text is tokenized once, paragraph by paragraph.
pub fn hash_document(text: &str, config: &ScanConfig, minhasher: &MinHasher) -> HashedDocument {
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
            .filter(|(_, (_, eligible, _))| *eligible)
            .map(|(i, &(key, _, _))| (key, i as u32))
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

/// Scans the files and folders in `roots`.
pub fn scan(
    roots: &[PathBuf],
    config: &ScanConfig,
    progress: &dyn Progress,
) -> Result<ScanOutcome> {
    let banding = config.validate()?;
    // The records carry the --keep-by field's value along.
    let with_keep_field;
    let config = if config.input.keep_field.as_deref() != config.keep.field() {
        with_keep_field = ScanConfig {
            input: InputOptions {
                keep_field: config.keep.field().map(str::to_string),
                ..config.input.clone()
            },
            ..config.clone()
        };
        &with_keep_field
    } else {
        config
    };
    let input::Walked {
        files: mut sources,
        problems: mut diagnostics,
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
    let minhasher = MinHasher::with_scheme(config.minhash, config.num_perm, config.seed);

    let HashedSources {
        infos,
        mut hashed,
        empty,
        problems,
        mut notes,
        fingerprints,
        skipped,
    } = hash_sources(&mut sources, config, &minhasher, progress);
    diagnostics.extend(problems);
    notes.extend(
        empty
            .iter()
            .map(|doc| Diagnostic::new(doc.path.as_str(), doc.line, Problem::EmptyDocument)),
    );

    let mut clustering = find_clusters(&mut hashed, config, banding, progress);
    choose_kept(&mut clustering.clusters, &hashed, &infos, &sources, config);
    let occurrences: Vec<(u64, u32, u32)> = hashed
        .par_iter_mut()
        .enumerate()
        .flat_map_iter(|(doc, h)| {
            let doc = doc as u32;
            std::mem::take(&mut h.paragraph_keys)
                .into_iter()
                .map(move |(key, p)| (key, doc, p))
        })
        .collect();
    let zones: Vec<(u32, boilerplate::Zones)> = hashed
        .iter_mut()
        .enumerate()
        .filter_map(|(doc, h)| Some((doc as u32, h.zones.take()?)))
        .collect();
    let mut repeats = Vec::new();
    for (doc, h) in hashed.iter_mut().enumerate() {
        let doc = doc as u32;
        if !h.repeats.is_empty() {
            repeats.push(DocumentRepeats {
                doc,
                groups: std::mem::take(&mut h.repeats),
            });
        }
    }
    let paragraphs = hashed.iter().map(|h| h.paragraphs).sum();
    // Freed in parallel: one thread freeing every document's sets was a tenth of a second in
    // which the others waited.
    hashed
        .into_par_iter()
        .with_max_len(DOCUMENTS_PER_TASK)
        .for_each(drop);
    let (found, boilerplate_candidates) =
        boilerplate::find_in_zones(occurrences, &zones, &clustering.family_of, config.min_docs);
    drop(zones);
    let first_occurrences: Vec<(u32, u32)> = found.iter().map(|b| b.documents[0]).collect();
    let (texts, changed) =
        paragraph_texts(&sources, &fingerprints, &infos, &first_occurrences, config);
    diagnostics.extend(changed);
    diagnostic::sort(&mut diagnostics);
    diagnostic::sort(&mut notes);
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
    })
}

/// The text of paragraph `p` of document `doc` for each `(doc, p)` in `wanted`, read again from
/// the files (`None` where a file changed or can no longer be read), and a problem for each file
/// that changed or vanished since the first pass.
fn paragraph_texts(
    sources: &[SourceFile],
    fingerprints: &[Option<u64>],
    infos: &[DocumentInfo],
    wanted: &[(u32, u32)],
    config: &ScanConfig,
) -> (Vec<Option<String>>, Vec<Diagnostic>) {
    // Requests by file, then by document (its JSONL line; `None` for a text file).
    type ByLine = HashMap<Option<usize>, Vec<usize>>;
    let mut by_source: BTreeMap<usize, ByLine> = BTreeMap::new();
    for (n, &(doc, _)) in wanted.iter().enumerate() {
        let info = &infos[doc as usize];
        by_source
            .entry(info.source)
            .or_default()
            .entry(info.line)
            .or_default()
            .push(n);
    }
    // Per file: (request number, text) pairs, and the problem if the file changed.
    type Found = (Vec<(usize, String)>, Vec<Diagnostic>);
    let found: Vec<Found> = by_source
        .into_par_iter()
        .map(|(source, by_line)| {
            let work = |d: input::Document<'_>| -> Vec<(usize, String)> {
                let Some(requests) = by_line.get(&d.line) else {
                    return Vec::new();
                };
                let paragraphs = paragraph::segment(d.text);
                requests
                    .iter()
                    .filter_map(|&n| {
                        let p = paragraphs.get(wanted[n].1 as usize)?;
                        Some((n, p.text(d.text).to_string()))
                    })
                    .collect()
            };
            let read =
                input::read_source(&sources[source], &config.input, fingerprints[source], &work);
            // Only a file that changed is worth a new problem: one that failed in the first
            // pass has no paragraphs to ask for.
            let source = &sources[source];
            let problems = read
                .fingerprint
                .is_none()
                .then(|| {
                    input::changed_during_run(&source.display, AfterChange::ParagraphsNotShown)
                })
                .into_iter()
                .collect();
            (read.docs.into_iter().flatten().collect(), problems)
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

/// What the first pass over the sources gave.
struct HashedSources {
    infos: Vec<DocumentInfo>,
    hashed: Vec<HashedDocument>,
    empty: Vec<DocumentInfo>,
    problems: Vec<Diagnostic>,
    notes: Vec<Diagnostic>,
    fingerprints: Vec<Option<u64>>,
    skipped: Vec<bool>,
}

/// Reads every source and hashes its documents, in parallel; results in source order.
fn hash_sources(
    sources: &mut [SourceFile],
    config: &ScanConfig,
    minhasher: &MinHasher,
    progress: &dyn Progress,
) -> HashedSources {
    progress.start(Stage::Hashing, sources.iter().map(|s| s.len).sum());
    /// What a run of consecutive sources gave: per source, its reading (documents moved out);
    /// per document, its record and hashes, split into those with tokens and the empty ones.
    /// Gathered per run rather than per source, so that the serial loop below moves a few
    /// thousand vectors, not a few for every file.
    /// A document's JSONL line and id, and its hashes.
    type Hashed = (Option<usize>, Option<Value>, Option<Value>, HashedDocument);
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
            let work = |doc: input::Document<'_>| {
                let hashed = hash_document(doc.text, config, minhasher);
                (doc.line, doc.id.cloned(), doc.keep_value.cloned(), hashed)
            };
            for (offset, source) in run.iter().enumerate() {
                let source_index = run_index * DOCUMENTS_PER_TASK + offset;
                let mut read = input::read_source(source, &config.input, None, &work);
                progress.advance(read.len);
                let docs = std::mem::take(&mut read.docs);
                for (line, id, keep_value, doc) in docs {
                    let info = DocumentInfo {
                        source: source_index,
                        path: source.display.clone(),
                        line,
                        id,
                        tokens: doc.tokens,
                        paragraphs: doc.paragraphs,
                        keep_value,
                    };
                    if doc.tokens == 0 {
                        found.empty.push(info);
                    } else {
                        found.infos.push(info);
                        found.hashed.push(doc);
                    }
                }
                found.reads.push(read);
            }
            found
        })
        .collect();
    progress.finish();

    let documents = per_run.iter().map(|r| r.infos.len()).sum();
    let mut infos = Vec::with_capacity(documents);
    let mut hashed = Vec::with_capacity(documents);
    let mut empty = Vec::new();
    let mut problems = Vec::new();
    let mut notes = Vec::new();
    let mut fingerprints = Vec::with_capacity(sources.len());
    let mut skipped = Vec::with_capacity(sources.len());
    let mut sources = sources.iter_mut();
    for run in per_run {
        // The run's readings lead the zip: it asks its first iterator first, and a source taken
        // from `sources` when the run has no reading left would be lost.
        for (read, source) in run.reads.into_iter().zip(sources.by_ref()) {
            // From now on a source's size is what was read (the walk may not have asked).
            source.len = read.len;
            problems.extend(read.problems);
            notes.extend(read.notes);
            fingerprints.push(read.fingerprint);
            skipped.push(read.skipped);
        }
        infos.extend(run.infos);
        hashed.extend(run.hashed);
        empty.extend(run.empty);
    }
    HashedSources {
        infos,
        hashed,
        empty,
        problems,
        notes,
        fingerprints,
        skipped,
    }
}

/// Marks in each cluster the member that `config.keep` keeps, and every member's similarity to
/// it (the representative's are known; others are computed on the members' sets, which
/// verification sorted, or estimated without verification). Only the members are looked at:
/// `newest` asks the file system for their files' modification times alone.
fn choose_kept(
    clusters: &mut [Cluster],
    docs: &[HashedDocument],
    infos: &[DocumentInfo],
    sources: &[SourceFile],
    config: &ScanConfig,
) {
    use crate::pipeline::keep::{self, Candidate, Keep};
    let candidate = |doc: u32| {
        let info = &infos[doc as usize];
        let modified = if config.keep == Keep::Newest {
            std::fs::metadata(&sources[info.source].path)
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_nanos() as i128)
        } else {
            0
        };
        Candidate {
            tokens: info.tokens,
            modified,
            value: info.keep_value.as_ref(),
        }
    };
    clusters.par_iter_mut().for_each(|c| {
        // Members in path order, so that a tie under the rule keeps the first.
        let mut members: Vec<(u32, Candidate<'_>)> = c
            .members
            .iter()
            .map(|m| (m.doc, candidate(m.doc)))
            .collect();
        members.sort_unstable_by_key(|&(doc, _)| doc);
        let kept = members
            .iter()
            .reduce(|best, m| {
                if keep::preferred(&config.keep, &m.1, &best.1).is_lt() {
                    m
                } else {
                    best
                }
            })
            .map_or(c.representative, |&(doc, _)| doc);
        c.kept = kept;
        let kept_to_representative = c
            .members
            .iter()
            .find(|m| m.doc == kept)
            .map_or(0.0, |m| m.similarity);
        for m in &mut c.members {
            m.similarity_to_kept = if m.doc == kept {
                1.0
            } else if kept == c.representative {
                m.similarity
            } else if m.doc == c.representative {
                kept_to_representative
            } else {
                let (a, b) = (&docs[m.doc as usize], &docs[kept as usize]);
                if config.verify {
                    jaccard::jaccard(&a.shingles, &b.shingles)
                } else {
                    minhash::estimate_jaccard(&a.signature, &b.signature)
                }
            };
        }
    });
}

/// What [`find_clusters`] found.
#[derive(Debug, Clone)]
pub struct Clustering {
    /// The clusters, largest first.
    pub clusters: Vec<Cluster>,
    /// Pairs that shared an LSH band.
    pub candidate_pairs: usize,
    /// Candidate pairs at or above the threshold.
    pub similar_pairs: usize,
    /// Those pairs, sorted by their documents.
    pub pairs: Vec<SimilarPair>,
    /// Family of each document: related documents (similar pairs and candidates estimated at
    /// [`FAMILY_SIMILARITY`] or more, transitively) share one, see the boilerplate stage.
    pub family_of: Vec<u32>,
}

/// Finds the clusters among hashed documents: LSH candidates, verification, union-find.
pub fn find_clusters(
    docs: &mut [HashedDocument],
    config: &ScanConfig,
    banding: Banding,
    progress: &dyn Progress,
) -> Clustering {
    progress.start(Stage::Banding, banding.bands as u64);
    let candidates = lsh::candidate_pairs_of(docs.len(), |d| &docs[d].signature, banding, &|n| {
        progress.advance(n)
    });
    progress.finish();
    // Only documents in a candidate pair need their sets sorted for verification.
    let mut in_pair = vec![false; docs.len()];
    for &(a, b) in &candidates {
        in_pair[a as usize] = true;
        in_pair[b as usize] = true;
    }
    docs.par_iter_mut()
        .zip(&in_pair)
        .with_max_len(DOCUMENTS_PER_TASK)
        .filter(|(d, needed)| **needed && !d.shingles_sorted)
        .for_each(|(d, _)| {
            shingle::sort_set(&mut d.shingles);
            d.shingles_sorted = true;
        });
    drop(in_pair);
    let docs = &*docs;
    let signature = |d: u32| &docs[d as usize].signature[..];

    progress.start(Stage::Verifying, candidates.len() as u64);
    // Similarity of two documents if it is at least `threshold`: exact Jaccard (with its size
    // filter) or, without verification, the signature estimate.
    let similarity_at_least = |a: u32, b: u32, threshold: f64| -> Option<f64> {
        let (x, y) = (&docs[a as usize], &docs[b as usize]);
        if config.verify {
            jaccard::jaccard_at_least(&x.shingles, &y.shingles, threshold)
        } else {
            let s = minhash::estimate_jaccard(signature(a), signature(b));
            (s >= threshold).then_some(s)
        }
    };
    // Chunks keep the progress counter (shared by all threads) off the per-pair path. Each
    // candidate is similar (a cluster edge), related (a family edge) or neither.
    let checked: Vec<(u32, u32, Option<f64>)> = candidates
        .par_chunks(1024)
        .with_max_len(1)
        .flat_map_iter(|chunk| {
            progress.advance(chunk.len() as u64);
            chunk.iter().filter_map(|&(a, b)| {
                let similarity = similarity_at_least(a, b, config.threshold);
                let related = similarity.is_some()
                    || minhash::estimate_jaccard(signature(a), signature(b)) >= FAMILY_SIMILARITY;
                related.then_some((a, b, similarity))
            })
        })
        .collect();
    progress.finish();

    let mut families = UnionFind::new(docs.len());
    let mut similar = Vec::new();
    for &(a, b, similarity) in &checked {
        families.union(a, b);
        if let Some(similarity) = similarity {
            similar.push(SimilarPair { a, b, similarity });
        }
    }
    drop(checked);
    let family_of = (0..docs.len() as u32).map(|d| families.find(d)).collect();

    let clusters = clusters_of(docs, &similar, config.linkage, &similarity_at_least);
    Clustering {
        clusters,
        candidate_pairs: candidates.len(),
        similar_pairs: similar.len(),
        pairs: similar,
        family_of,
    }
}

/// The clusters of the verified `similar` pairs (in candidate order), each member with its
/// similarity to the representative.
fn clusters_of(
    docs: &[HashedDocument],
    similar: &[SimilarPair],
    linkage: cluster::Linkage,
    similarity_at_least: &(dyn Fn(u32, u32, f64) -> Option<f64> + Sync),
) -> Vec<Cluster> {
    // `similar` is in candidate order: sorted by (a, b), a < b.
    debug_assert!(similar.is_sorted_by_key(|p| (p.a, p.b)));
    let verified = |x: u32, y: u32| {
        let key = (x.min(y), x.max(y));
        similar
            .binary_search_by_key(&key, |p| (p.a, p.b))
            .ok()
            .map(|i| similar[i].similarity)
    };
    let tokens: Vec<usize> = docs.iter().map(|d| d.tokens).collect();
    cluster::group(docs.len(), similar, &tokens, linkage)
        .into_par_iter()
        .with_max_len(DOCUMENTS_PER_TASK)
        .map(|group| {
            let rep = group.representative;
            let mut members = vec![Member {
                doc: rep,
                similarity: 1.0,
                similarity_to_kept: 1.0,
            }];
            members.extend(group.members.iter().filter(|&&m| m != rep).map(|&m| {
                // A verified pair's similarity is looked up (the center of a cluster is similar
                // to every member), others are computed. Every similarity is at least 0, so
                // this always has a value.
                let similarity = verified(rep, m)
                    .or_else(|| similarity_at_least(rep, m, 0.0))
                    .unwrap_or(0.0);
                Member {
                    doc: m,
                    similarity,
                    // Until the keep rule chooses, the representative is the kept one.
                    similarity_to_kept: similarity,
                }
            }));
            Cluster {
                representative: rep,
                kept: rep,
                members,
                min_pair_similarity: group.min_pair_similarity,
                component: group.component,
            }
        })
        .collect()
}
