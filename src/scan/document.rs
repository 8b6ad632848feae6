//! One document as the scan works on it: its shingles, signature and paragraphs. A leaf that
//! the first pass fills, the memory plan holds or spills, and clustering reads.

use crate::outcome::RepeatedParagraphs;
use crate::pipeline::boilerplate;

/// Shingles, signature and paragraphs of one document, the pipeline's working form.
#[derive(Debug, Clone)]
pub struct HashedDocument {
    /// Shingle fingerprints in their 32-bit verification form (`shingle::compact`). Sorted and
    /// deduplicated only once the document turns out to be in a candidate pair (see
    /// [`super::find_clusters`]): most documents never are, and are never sorted.
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
