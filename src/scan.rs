//! The scan pipeline: corpus -> shingles + signatures (parallel, one pass per document) -> LSH
//! candidates -> verification -> clusters. Plain functions over plain data; the only I/O is the
//! corpus stage's reading.
//!
//! Determinism: documents are numbered in path order (then JSONL line order) before anything
//! depends on their numbers; every parallel step either preserves order (`collect`) or is
//! followed by a sort; signatures depend only on the seed. So the result is the same for any
//! thread count and any order of the paths on the command line.

use crate::cluster::{self, SimilarPair};
use crate::config::ScanConfig;
use crate::corpus::{self, Diagnostic, SourceFile};
use crate::error::Result;
use crate::lsh::{self, Banding};
use crate::minhash::{self, MinHasher};
use crate::progress::{Progress, Stage};
use crate::shingle::{self, Shingler};
use rayon::prelude::*;
use serde_json::Value;
use std::cell::RefCell;
use std::path::PathBuf;

/// What the scan keeps about one document.
#[derive(Debug, Clone, PartialEq)]
pub struct DocumentInfo {
    /// The file, as displayed.
    pub path: String,
    /// 1-based line of a JSONL record.
    pub line: Option<usize>,
    /// Id of a JSONL record.
    pub id: Option<Value>,
    /// Number of normalized tokens.
    pub tokens: usize,
    /// Number of distinct shingles.
    pub shingles: usize,
}

impl DocumentInfo {
    /// `path` or `path:line`.
    pub fn label(&self) -> String {
        match self.line {
            Some(line) => format!("{}:{}", self.path, line),
            None => self.path.clone(),
        }
    }
}

/// A member of a cluster.
#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    /// Index into [`ScanOutcome::documents`].
    pub doc: u32,
    /// Similarity to the cluster's representative (1 for the representative itself).
    pub similarity: f64,
}

/// A cluster of near-duplicate documents.
#[derive(Debug, Clone, PartialEq)]
pub struct Cluster {
    /// Index of the representative document (the best-connected, see [`cluster::group`]).
    pub representative: u32,
    /// The representative first, then the others in path order.
    pub members: Vec<Member>,
    /// Lowest similarity among the verified pairs inside the cluster. With single linkage, a
    /// member's similarity to the representative below the threshold shows a chain (A~B, B~C,
    /// A far from C).
    pub min_pair_similarity: f64,
    /// Connected component of the similar-pair graph; clusters sharing it were joined by a
    /// chain of similar pairs and split by center linkage.
    pub component: u32,
}

/// Counts describing a scan.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScanStats {
    /// Input files read (or attempted).
    pub files: usize,
    /// Documents compared (empty ones excluded).
    pub documents: usize,
    /// Documents without a single word, skipped.
    pub empty_documents: usize,
    /// Pairs that shared an LSH band.
    pub candidate_pairs: usize,
    /// Candidate pairs at or above the threshold.
    pub similar_pairs: usize,
}

/// Everything a scan found.
#[derive(Debug, Clone)]
pub struct ScanOutcome {
    /// The band layout used.
    pub banding: Banding,
    /// Compared documents in path order; clusters refer to them by index.
    pub documents: Vec<DocumentInfo>,
    /// Documents skipped for having no words.
    pub empty_documents: Vec<DocumentInfo>,
    /// Clusters, largest first, then by representative path.
    pub clusters: Vec<Cluster>,
    /// Counts.
    pub stats: ScanStats,
    /// Problems with inputs, in path order.
    pub diagnostics: Vec<Diagnostic>,
}

/// Shingles and signature of one document, the pipeline's working form.
#[derive(Debug, Clone)]
pub struct HashedDocument {
    /// Sorted, deduplicated shingle fingerprints.
    pub shingles: Vec<u64>,
    /// MinHash signature.
    pub signature: Vec<u64>,
    /// Number of tokens.
    pub tokens: usize,
}

thread_local! {
    /// Each worker thread's shingler, kept between documents so that its buffers are reused.
    static SHINGLER: RefCell<Option<Shingler>> = const { RefCell::new(None) };
}

/// Shingles and signs one text with the calling thread's reusable shingler.
pub fn hash_document(text: &str, config: &ScanConfig, minhasher: &MinHasher) -> HashedDocument {
    SHINGLER.with(|cell| {
        let mut slot = cell.borrow_mut();
        let shingler = match slot.as_mut() {
            Some(s) if s.kind() == config.shingle => s,
            _ => slot.insert(Shingler::new(config.shingle)),
        };
        let mut shingles = Vec::new();
        let tokens = shingler.shingle(text, &mut shingles);
        shingles.shrink_to_fit();
        let mut signature = vec![0u64; minhasher.num_perm()];
        minhasher.sign(&shingles, &mut signature);
        HashedDocument {
            shingles,
            signature,
            tokens,
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
    let (sources, mut diagnostics) = corpus::discover(roots, &config.input);
    let minhasher = MinHasher::new(config.num_perm, config.seed);

    let (infos, hashed, empty, read_problems) =
        hash_sources(&sources, config, &minhasher, progress);
    diagnostics.extend(read_problems);
    diagnostics.sort_by(|a, b| (&a.path, a.line).cmp(&(&b.path, b.line)));

    let (clusters, candidate_pairs, similar_pairs) =
        find_clusters(&hashed, config, banding, progress);
    Ok(ScanOutcome {
        banding,
        stats: ScanStats {
            files: sources.len(),
            documents: infos.len(),
            empty_documents: empty.len(),
            candidate_pairs,
            similar_pairs,
        },
        documents: infos,
        empty_documents: empty,
        clusters,
        diagnostics,
    })
}

type HashedSources = (
    Vec<DocumentInfo>,
    Vec<HashedDocument>,
    Vec<DocumentInfo>,
    Vec<Diagnostic>,
);

/// Reads every source and hashes its documents, in parallel; results in source order.
fn hash_sources(
    sources: &[SourceFile],
    config: &ScanConfig,
    minhasher: &MinHasher,
    progress: &dyn Progress,
) -> HashedSources {
    progress.start(Stage::Hashing, sources.iter().map(|s| s.len).sum());
    let per_source: Vec<_> = sources
        .par_iter()
        .map(|source| {
            let work = |doc: corpus::Document<'_>| {
                let hashed = hash_document(doc.text, config, minhasher);
                (doc.line, doc.id.cloned(), hashed)
            };
            let outcome = corpus::read_source(source, &config.input, &work);
            progress.advance(source.len);
            (source, outcome)
        })
        .collect();
    progress.finish();

    let mut infos = Vec::new();
    let mut hashed = Vec::new();
    let mut empty = Vec::new();
    let mut problems = Vec::new();
    for (source, (docs, source_problems)) in per_source {
        problems.extend(source_problems);
        for (line, id, doc) in docs {
            let info = DocumentInfo {
                path: source.display.clone(),
                line,
                id,
                tokens: doc.tokens,
                shingles: doc.shingles.len(),
            };
            if doc.tokens == 0 {
                empty.push(info);
            } else {
                infos.push(info);
                hashed.push(doc);
            }
        }
    }
    (infos, hashed, empty, problems)
}

/// Finds the clusters among hashed documents: LSH candidates, verification, union-find.
/// Returns the clusters and the numbers of candidate and similar pairs.
pub fn find_clusters(
    docs: &[HashedDocument],
    config: &ScanConfig,
    banding: Banding,
    progress: &dyn Progress,
) -> (Vec<Cluster>, usize, usize) {
    let width = config.num_perm;
    let mut signatures = Vec::with_capacity(docs.len() * width);
    for doc in docs {
        signatures.extend_from_slice(&doc.signature);
    }
    progress.start(Stage::Banding, banding.bands as u64);
    let candidates = lsh::candidate_pairs(&signatures, width, banding, &|n| progress.advance(n));
    progress.finish();

    progress.start(Stage::Verifying, candidates.len() as u64);
    // Similarity of two documents if it is at least `threshold`: exact Jaccard (with its size
    // filter) or, without verification, the signature estimate.
    let similarity_at_least = |a: u32, b: u32, threshold: f64| -> Option<f64> {
        let (x, y) = (&docs[a as usize], &docs[b as usize]);
        if config.verify {
            shingle::jaccard_at_least(&x.shingles, &y.shingles, threshold)
        } else {
            let s = minhash::estimate_jaccard(&x.signature, &y.signature);
            (s >= threshold).then_some(s)
        }
    };
    // Chunks keep the progress counter (shared by all threads) off the per-pair path.
    let similar: Vec<SimilarPair> = candidates
        .par_chunks(1024)
        .flat_map_iter(|chunk| {
            progress.advance(chunk.len() as u64);
            chunk.iter().filter_map(|&(a, b)| {
                let similarity = similarity_at_least(a, b, config.threshold)?;
                Some(SimilarPair { a, b, similarity })
            })
        })
        .collect();
    progress.finish();

    let tokens: Vec<usize> = docs.iter().map(|d| d.tokens).collect();
    let clusters = cluster::group(docs.len(), &similar, &tokens, config.linkage)
        .into_iter()
        .map(|group| {
            let rep = group.representative;
            let mut members = vec![Member {
                doc: rep,
                similarity: 1.0,
            }];
            members.extend(
                group
                    .members
                    .iter()
                    .filter(|&&m| m != rep)
                    .map(|&m| Member {
                        doc: m,
                        // Every similarity is at least 0, so this always has a value.
                        similarity: similarity_at_least(rep, m, 0.0).unwrap_or(0.0),
                    }),
            );
            Cluster {
                representative: rep,
                members,
                min_pair_similarity: group.min_pair_similarity,
                component: group.component,
            }
        })
        .collect();
    (clusters, candidates.len(), similar.len())
}
