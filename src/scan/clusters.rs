//! From signatures to clusters: LSH candidates, verification (exact Jaccard or the signature
//! estimate), families, union-find clusters and the member each cluster keeps. The documents'
//! sets are reached through [`DocumentSets`], so the same steps run on documents in memory and
//! on documents spilled to the work folder.

use super::hashing::HashedDocument;
use crate::config::ScanConfig;
use crate::input::SourceFile;
use crate::outcome::{Cluster, DocumentTable, Member};
use crate::parallel::DOCUMENTS_PER_TASK;
use crate::pipeline::boilerplate::FAMILY_SIMILARITY;
use crate::pipeline::cluster::{self, SimilarPair};
use crate::pipeline::jaccard;
use crate::pipeline::lsh::{self, Banding};
use crate::pipeline::minhash;
use crate::pipeline::shingle;
use crate::pipeline::union_find::UnionFind;
use crate::progress::{Progress, Stage};
use rayon::prelude::*;

/// The similarities the cluster stages ask for, wherever the documents are.
pub(crate) trait DocumentSets: Sync {
    /// Similarity of two documents if it is at least `threshold`: exact Jaccard (with its size
    /// filter) or, without verification, the signature estimate.
    fn similarity_at_least(&self, a: u32, b: u32, threshold: f64) -> Option<f64>;
    /// Their similarity, exact or estimated as [`DocumentSets::similarity_at_least`].
    fn similarity(&self, a: u32, b: u32) -> f64;
    /// The signature estimate.
    fn estimate(&self, a: u32, b: u32) -> f64;
}

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

    fn similarity(&self, a: u32, b: u32) -> f64 {
        let (x, y) = (&self.docs[a as usize], &self.docs[b as usize]);
        if self.verify {
            jaccard::jaccard(&x.shingles, &y.shingles)
        } else {
            minhash::estimate_jaccard(&x.signature, &y.signature)
        }
    }

    fn estimate(&self, a: u32, b: u32) -> f64 {
        let (x, y) = (&self.docs[a as usize], &self.docs[b as usize]);
        minhash::estimate_jaccard(&x.signature, &y.signature)
    }
}

/// Marks in each cluster the member that `config.keep` keeps, and every member's similarity to
/// it (the representative's are known; others are computed on the members' sets, which
/// verification sorted, or estimated without verification). Only the members are looked at:
/// `newest` asks the file system for their files' modification times alone.
pub(crate) fn choose_kept(
    clusters: &mut [Cluster],
    sets: &dyn DocumentSets,
    infos: &DocumentTable,
    sources: &[SourceFile],
    config: &ScanConfig,
) {
    use crate::pipeline::keep::{self, Candidate, Keep};
    let modified = |doc: u32| {
        if config.keep != Keep::Newest {
            return 0;
        }
        std::fs::metadata(&sources[infos.source(doc as usize)].path)
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos() as i128)
    };
    let by_field = config.keep.field().is_some();
    clusters.par_iter_mut().for_each(|c| {
        // The --keep-by values, read from the table only when the rule asks for them.
        let values: Vec<Option<serde_json::Value>> = c
            .members
            .iter()
            .map(|m| by_field.then(|| infos.keep_value(m.doc as usize)).flatten())
            .collect();
        // Members in path order, so that a tie under the rule keeps the first.
        let mut members: Vec<(u32, Candidate<'_>)> = c
            .members
            .iter()
            .zip(&values)
            .map(|(m, value)| {
                let candidate = Candidate {
                    tokens: infos.tokens(m.doc as usize),
                    modified: modified(m.doc),
                    value: value.as_ref(),
                };
                (m.doc, candidate)
            })
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
                sets.similarity(m.doc, kept)
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
    let tokens: Vec<usize> = docs.iter().map(|d| d.tokens).collect();
    let sets = MemorySets {
        docs,
        verify: config.verify,
    };
    cluster_candidates(&candidates, &sets, &tokens, config, progress)
}

/// Verifies the `candidates` (sorted) among documents of `tokens` tokens each, and groups the
/// similar pairs into clusters and the related ones into families.
pub(crate) fn cluster_candidates(
    candidates: &[lsh::Pair],
    sets: &dyn DocumentSets,
    tokens: &[usize],
    config: &ScanConfig,
    progress: &dyn Progress,
) -> Clustering {
    let count = tokens.len();
    progress.start(Stage::Verifying, candidates.len() as u64);
    // Chunks keep the progress counter (shared by all threads) off the per-pair path. Each
    // candidate is similar (a cluster edge), related (a family edge) or neither.
    let checked: Vec<(u32, u32, Option<f64>)> = candidates
        .par_chunks(1024)
        .with_max_len(1)
        .flat_map_iter(|chunk| {
            progress.advance(chunk.len() as u64);
            chunk.iter().filter_map(|&(a, b)| {
                let similarity = sets.similarity_at_least(a, b, config.threshold);
                let related = similarity.is_some() || sets.estimate(a, b) >= FAMILY_SIMILARITY;
                related.then_some((a, b, similarity))
            })
        })
        .collect();
    progress.finish();

    let mut families = UnionFind::new(count);
    let mut similar = Vec::new();
    for &(a, b, similarity) in &checked {
        families.union(a, b);
        if let Some(similarity) = similarity {
            similar.push(SimilarPair { a, b, similarity });
        }
    }
    drop(checked);
    let family_of = (0..count as u32).map(|d| families.find(d)).collect();

    let clusters = clusters_of(tokens, &similar, config.linkage, sets);
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
    tokens: &[usize],
    similar: &[SimilarPair],
    linkage: cluster::Linkage,
    sets: &dyn DocumentSets,
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
    cluster::group(tokens.len(), similar, tokens, linkage)
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
                    .or_else(|| sets.similarity_at_least(rep, m, 0.0))
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
