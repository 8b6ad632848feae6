//! What the cluster stages and the keep rule ask of the documents, wherever they are:
//! [`DocumentSets`] (in memory: `super::clusters::MemorySets`, in the work folder:
//! `super::spill::SpilledSets`), and [`check`], verification of one candidate pair.

use crate::pipeline::boilerplate::FAMILY_SIMILARITY;

/// The similarities and signatures the cluster stages ask for, wherever the documents are.
pub(crate) trait DocumentSets: Sync {
    /// Similarity of two documents if it is at least `threshold`: exact Jaccard (with its size
    /// filter) or, without verification, the signature estimate.
    fn similarity_at_least(&self, a: u32, b: u32, threshold: f64) -> Option<f64>;
    /// The signature estimate.
    fn estimate(&self, a: u32, b: u32) -> f64;
    /// Document `doc`'s signature (empty if it could not be read).
    fn signature(&self, doc: u32) -> Vec<u32>;
}

/// A candidate pair as verification checks it: `None` when it is neither similar (at or above
/// `threshold`) nor related (estimated at [`FAMILY_SIMILARITY`] or more, for the families of
/// the boilerplate stage); else the pair with its similarity when it is similar.
pub(crate) fn check(
    sets: &dyn DocumentSets,
    (a, b): (u32, u32),
    threshold: f64,
) -> Option<(u32, u32, Option<f64>)> {
    let similarity = sets.similarity_at_least(a, b, threshold);
    let related = similarity.is_some() || sets.estimate(a, b) >= FAMILY_SIMILARITY;
    related.then_some((a, b, similarity))
}
