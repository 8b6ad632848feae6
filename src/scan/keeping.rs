//! Which documents with near-duplicates stay: the keep rule's order of preference over them and
//! [`settle`], which walks it (`pipeline::keep::settle`: a document is left out when one of its
//! near-duplicates was kept before it) so that no two documents that stay are a pair a scan
//! would find.
//!
//! The walk sees the verified pairs, but a bucket of more than [`lsh::MAX_FULL_BUCKET`]
//! documents gave only a star and a chain of its pairs: two documents of such a bucket could
//! both stay while similar, and a scan of the cleaned output, where the bucket holds fewer
//! documents, would pair them. So a document of a crowded bucket that no verified pair shows
//! near a kept one is compared with the documents of its crowded buckets kept so far
//! ([`Crowds`]); what it finds joins the similar pairs.

use super::sets::{self, DocumentSets};
use crate::input::SourceFile;
use crate::outcome::DocumentTable;
use crate::pipeline::cluster::SimilarPair;
use crate::pipeline::keep::{self, Candidate, Keep, KeptCopy, Unpaired};
use crate::pipeline::lsh::{self, Banding, Pair};
use rayon::prelude::*;
use serde_json::Value;
use std::collections::HashMap;
/// What the keep rule looks at.
pub(crate) struct KeepInputs<'a> {
    /// The rule.
    pub(crate) keep: &'a Keep,
    /// Each document's number of tokens.
    pub(crate) tokens: &'a [usize],
    /// The document table and the files, for `newest` and `--keep-by`; without them those
    /// rules leave path order.
    pub(crate) table: Option<(&'a DocumentTable, &'a [SourceFile])>,
}

impl KeepInputs<'_> {
    /// `docs` most preferred first: by the rule, then in document order (a total order, so the
    /// same for any thread count).
    fn order(&self, docs: Vec<u32>) -> Vec<u32> {
        let newest = *self.keep == Keep::Newest;
        let by_field = self.keep.field().is_some();
        let mut modified = vec![0i128; if newest { docs.len() } else { 0 }];
        let mut values: Vec<Option<Value>> = Vec::new();
        if let Some((infos, sources)) = self.table {
            if newest {
                // Asked once per file: the records of a file share its time.
                let mut by_source = std::collections::HashMap::new();
                for (at, &doc) in modified.iter_mut().zip(&docs) {
                    let source = infos.source(doc as usize);
                    *at = *by_source
                        .entry(source)
                        .or_insert_with(|| modified_time(&sources[source].path));
                }
            }
            if by_field {
                values = docs
                    .par_iter()
                    .map(|&doc| infos.keep_value(doc as usize))
                    .collect();
            }
        }
        let candidate = |i: usize| Candidate {
            tokens: self.tokens[docs[i] as usize],
            modified: modified.get(i).copied().unwrap_or(0),
            value: values.get(i).and_then(Option::as_ref),
        };
        let mut at: Vec<usize> = (0..docs.len()).collect();
        at.par_sort_unstable_by(|&x, &y| {
            keep::preferred(self.keep, &candidate(x), &candidate(y)).then(docs[x].cmp(&docs[y]))
        });
        at.into_iter().map(|i| docs[i]).collect()
    }
}

/// The modification time of the file at `path`, in nanoseconds since the epoch (0 when
/// unknown).
fn modified_time(path: &std::path::Path) -> i128 {
    std::fs::metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos() as i128)
}

/// What [`settle`] decided.
pub(crate) struct Settled {
    /// Every document of a similar pair or of a crowded bucket, in document order, with the kept
    /// near-duplicate it is left out for (`None`: it stays).
    pub(crate) fates: Vec<(u32, Option<KeptCopy>)>,
    /// Pairs of crowded buckets compared that were not candidates.
    pub(crate) added_candidates: usize,
    /// Those of them that verification found related or similar, as [`sets::check`] gives them.
    pub(crate) added: Vec<(u32, u32, Option<f64>)>,
}

/// What the scan settles with.
pub(crate) struct SettleInputs<'a> {
    /// The LSH's candidates: pairs and crowded buckets.
    pub(crate) candidates: &'a lsh::Candidates,
    /// The documents.
    pub(crate) sets: &'a dyn DocumentSets,
    /// The keep rule and what it looks at.
    pub(crate) keep: &'a KeepInputs<'a>,
    /// The threshold.
    pub(crate) threshold: f64,
    /// The band layout.
    pub(crate) banding: Banding,
}

/// Decides which documents of the `similar` pairs (sorted by their documents) and of the
/// crowded buckets stay, adding to `similar` the pairs found in crowded buckets. Afterwards no
/// two documents that stay are a similar pair, nor a pair of one bucket that verification
/// accepts.
pub(crate) fn settle(similar: &mut Vec<SimilarPair>, inputs: &SettleInputs<'_>) -> Settled {
    let count = inputs.keep.tokens.len();
    let mut docs: Vec<u32> = similar.iter().flat_map(|p| [p.a, p.b]).collect();
    docs.extend_from_slice(&inputs.candidates.crowded);
    docs.par_sort_unstable();
    docs.dedup();
    let order = inputs.keep.order(docs);
    let mut crowds = Crowds::new(inputs);
    let fate = keep::settle(count, &order, similar, &mut crowds);
    let mut fates: Vec<(u32, Option<KeptCopy>)> = order.into_iter().zip(fate).collect();
    fates.par_sort_unstable_by_key(|&(doc, _)| doc);
    let found = crowds
        .checked
        .iter()
        .filter_map(|&(a, b, s)| s.map(|similarity| SimilarPair { a, b, similarity }));
    similar.extend(found);
    similar.par_sort_unstable_by_key(|p| (p.a, p.b));
    Settled {
        fates,
        added_candidates: crowds.compared,
        added: crowds.checked,
    }
}

/// The crowded buckets as the walk goes: each one's documents kept so far, compared with each
/// document of it that no verified pair shows near a kept one. A bucket of copies of one text
/// keeps its first and compares each other document with it once.
struct Crowds<'a> {
    inputs: &'a SettleInputs<'a>,
    /// Each crowded bucket (band, bucket key) with its documents kept so far.
    kept_in: HashMap<(u32, u64), Vec<u32>>,
    /// The crowded buckets of the document asked about last.
    last: Option<(u32, Vec<(u32, u64)>)>,
    /// Pairs compared.
    compared: usize,
    /// Those related or similar.
    checked: Vec<(u32, u32, Option<f64>)>,
}

impl<'a> Crowds<'a> {
    fn new(inputs: &'a SettleInputs<'a>) -> Self {
        let kept_in = inputs
            .candidates
            .crowded_buckets
            .iter()
            .map(|&bucket| (bucket, Vec::new()))
            .collect();
        Crowds {
            inputs,
            kept_in,
            last: None,
            compared: 0,
            checked: Vec::new(),
        }
    }

    /// The crowded buckets of `doc`.
    fn buckets_of(&mut self, doc: u32) -> Vec<(u32, u64)> {
        if let Some((last, buckets)) = self.last.take()
            && last == doc
        {
            return buckets;
        }
        if self.inputs.candidates.crowded.binary_search(&doc).is_err() {
            return Vec::new();
        }
        let (banding, count) = (self.inputs.banding, self.inputs.keep.tokens.len());
        let signature = self.inputs.sets.signature(doc);
        if signature.len() < banding.used_positions() {
            // It could not be read: the scan reports the failure.
            return Vec::new();
        }
        (0..banding.bands)
            .map(|band| {
                let rows = &signature[band * banding.rows..(band + 1) * banding.rows];
                (band as u32, lsh::bucket_key(rows, band, count))
            })
            .filter(|bucket| self.kept_in.contains_key(bucket))
            .collect()
    }
}

impl Unpaired for Crowds<'_> {
    fn kept_near(&mut self, doc: u32) -> Vec<(u32, f64)> {
        let buckets = self.buckets_of(doc);
        let mut kept: Vec<u32> = buckets
            .iter()
            .flat_map(|bucket| &self.kept_in[bucket])
            .copied()
            .collect();
        self.last = Some((doc, buckets));
        kept.sort_unstable();
        kept.dedup();
        // A candidate pair was verified: were it similar, the walk would have seen it.
        let pair = |other: u32| -> Pair { (doc.min(other), doc.max(other)) };
        let candidates = &self.inputs.candidates.pairs;
        kept.retain(|&other| candidates.binary_search(&pair(other)).is_err());
        self.compared += kept.len();
        let (sets, threshold) = (self.inputs.sets, self.inputs.threshold);
        let checked: Vec<(u32, u32, Option<f64>)> = kept
            .par_iter()
            .filter_map(|&other| sets::check(sets, pair(other), threshold))
            .collect();
        let near = checked
            .iter()
            .filter_map(|&(a, b, s)| Some((if a == doc { b } else { a }, s?)))
            .collect();
        self.checked.extend(checked);
        near
    }

    fn kept(&mut self, doc: u32) {
        for bucket in self.buckets_of(doc) {
            if let Some(kept) = self.kept_in.get_mut(&bucket) {
                kept.push(doc);
            }
        }
    }
}
