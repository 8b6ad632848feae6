//! From signatures to clusters: LSH candidates, verification (exact Jaccard or the signature
//! estimate), which documents stay (`super::keeping`), families, and the clusters with each
//! member's fate. The documents' sets are reached through [`DocumentSets`], so the same steps
//! run on documents in memory and on documents spilled to the work folder.

use super::document::HashedDocument;
use super::keeping::{self, KeepInputs, SettleInputs};
use super::sets::{self, DocumentSets};
use crate::config::ScanConfig;
use crate::input::SourceFile;
use crate::outcome::{Cluster, DocumentTable, KeptCopy, Member};
use crate::parallel::DOCUMENTS_PER_TASK;
use crate::pipeline::cluster::{self, SimilarPair};
use crate::pipeline::jaccard;
use crate::pipeline::lsh::{self, Banding};
use crate::pipeline::minhash;
use crate::pipeline::shingle;
use crate::pipeline::union_find::UnionFind;
use crate::progress::{Progress, Stage};
use rayon::prelude::*;
/// Documents in memory, their sets sorted where they are compared.
pub(crate) struct MemorySets<'a> {
    pub(crate) docs: &'a [HashedDocument],
    pub(crate) verify: bool,
}

impl DocumentSets for MemorySets<'_> {
    fn similarity_at_least(&self, a: u32, b: u32, threshold: f64) -> Option<f64> {
        let (x, y) = (&self.docs[a as usize], &self.docs[b as usize]);
        if self.verify {
            jaccard::jaccard_at_least(&x.shingles, &y.shingles, threshold)
        } else {
            let s = minhash::estimate_jaccard(&x.signature, &y.signature);
            (s >= threshold).then_some(s)
        }
    }

    fn estimate(&self, a: u32, b: u32) -> f64 {
        let (x, y) = (&self.docs[a as usize], &self.docs[b as usize]);
        minhash::estimate_jaccard(&x.signature, &y.signature)
    }

    fn signature(&self, doc: u32) -> Vec<u32> {
        self.docs[doc as usize].signature.clone()
    }
}

/// What [`find_clusters`] found (nothing, for a cancelled scan).
#[derive(Debug, Clone, Default)]
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
    /// [`crate::pipeline::boilerplate::FAMILY_SIMILARITY`] or more, transitively) share one, see the boilerplate stage.
    pub family_of: Vec<u32>,
}

/// Finds the clusters among hashed documents: LSH candidates, verification, union-find. The
/// keep rule sees the documents' tokens only (`newest` and `--keep-by` leave path order).
pub fn find_clusters(
    docs: &mut [HashedDocument],
    config: &ScanConfig,
    banding: Banding,
    progress: &dyn Progress,
) -> Clustering {
    find_clusters_with(docs, None, config, banding, progress)
}

/// [`find_clusters`], the keep rule looking at `table` (the document table and the files).
pub(crate) fn find_clusters_with(
    docs: &mut [HashedDocument],
    table: Option<(&DocumentTable, &[SourceFile])>,
    config: &ScanConfig,
    banding: Banding,
    progress: &dyn Progress,
) -> Clustering {
    progress.start(Stage::Banding, banding.bands as u64);
    let candidates = lsh::candidates_of(docs.len(), |d| &docs[d].signature, banding, &|n| {
        progress.advance(n)
    });
    progress.finish();
    // Only documents in a candidate pair need their sets sorted for verification (the crowded
    // buckets' documents, looked at again, are in one).
    let mut in_pair = vec![false; docs.len()];
    for &(a, b) in &candidates.pairs {
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
    let tokens: Vec<usize> = docs.iter().map(|d| d.tokens).collect();
    let sets = MemorySets {
        docs,
        verify: config.verify,
    };
    let keep = KeepInputs {
        keep: &config.keep,
        tokens: &tokens,
        table,
    };
    cluster_candidates(&candidates, &sets, &keep, config, banding, progress)
}

/// Verifies the `candidates` (sorted), settles which documents stay, and groups the similar
/// pairs into clusters and the related ones into families.
pub(crate) fn cluster_candidates(
    candidates: &lsh::Candidates,
    sets: &dyn DocumentSets,
    keep: &KeepInputs<'_>,
    config: &ScanConfig,
    banding: Banding,
    progress: &dyn Progress,
) -> Clustering {
    let count = keep.tokens.len();
    progress.start(Stage::Verifying, candidates.pairs.len() as u64);
    // Chunks keep the progress counter (shared by all threads) off the per-pair path. Each
    // candidate is similar (a cluster edge), related (a family edge) or neither.
    let mut checked: Vec<(u32, u32, Option<f64>)> = candidates
        .pairs
        .par_chunks(1024)
        .with_max_len(1)
        .flat_map_iter(|chunk| {
            progress.advance(chunk.len() as u64);
            // A cancelled scan checks no more pairs; the scan returns as soon as this ends.
            let chunk = if config.cancelled() { &[][..] } else { chunk };
            chunk
                .iter()
                .filter_map(|&pair| sets::check(sets, pair, config.threshold))
        })
        .collect();
    progress.finish();
    if config.cancelled() {
        return Clustering::default();
    }

    let mut similar: Vec<SimilarPair> = checked
        .iter()
        .filter_map(|&(a, b, s)| s.map(|similarity| SimilarPair { a, b, similarity }))
        .collect();
    let settled = keeping::settle(
        &mut similar,
        &SettleInputs {
            candidates,
            sets,
            keep,
            threshold: config.threshold,
            banding,
        },
    );
    checked.extend(settled.added);
    let mut families = UnionFind::new(count);
    for &(a, b, _) in &checked {
        families.union(a, b);
    }
    drop(checked);
    let family_of = (0..count as u32).map(|d| families.find(d)).collect();

    let clusters = clusters_of(keep.tokens, &similar, config.linkage, sets, &settled.fates);
    Clustering {
        clusters,
        candidate_pairs: candidates.pairs.len() + settled.added_candidates,
        similar_pairs: similar.len(),
        pairs: similar,
        family_of,
    }
}

/// The clusters of the verified `similar` pairs (sorted by their documents), each member with
/// its similarity to the representative and its fate (from `fates`, by document).
fn clusters_of(
    tokens: &[usize],
    similar: &[SimilarPair],
    linkage: cluster::Linkage,
    sets: &dyn DocumentSets,
    fates: &[(u32, Option<KeptCopy>)],
) -> Vec<Cluster> {
    debug_assert!(similar.is_sorted_by_key(|p| (p.a, p.b)));
    let verified = |x: u32, y: u32| {
        let key = (x.min(y), x.max(y));
        similar
            .binary_search_by_key(&key, |p| (p.a, p.b))
            .ok()
            .map(|i| similar[i].similarity)
    };
    let fate = |doc: u32| {
        fates
            .binary_search_by_key(&doc, |&(d, _)| d)
            .ok()
            .and_then(|i| fates[i].1)
    };
    cluster::group(tokens.len(), similar, tokens, linkage)
        .into_par_iter()
        .with_max_len(DOCUMENTS_PER_TASK)
        .map(|group| {
            let rep = group.representative;
            let mut members = vec![Member {
                doc: rep,
                similarity: 1.0,
                left_out_for: fate(rep),
            }];
            members.extend(group.members.iter().filter(|&&m| m != rep).map(|&m| {
                // A verified pair's similarity is looked up (the center of a star is similar
                // to its members), others are computed. Every similarity is at least 0, so
                // this always has a value.
                let similarity = verified(rep, m)
                    .or_else(|| sets.similarity_at_least(rep, m, 0.0))
                    .unwrap_or(0.0);
                Member {
                    doc: m,
                    similarity,
                    left_out_for: fate(m),
                }
            }));
            Cluster {
                representative: rep,
                members,
                min_pair_similarity: group.min_pair_similarity,
                component: group.component,
            }
        })
        .collect()
}
