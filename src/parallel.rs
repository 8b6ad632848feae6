//! How parallel loops are cut into pieces. Depends on nothing else in the crate: the readers, the
//! scan and clean all use it.

/// Documents (or small files) one parallel task handles in a row. Rayon's adaptive splitting
/// stops dividing a range once no thread is idle, so left to itself it can hand a thread a
/// quarter of the corpus as one sequential piece that nobody can share, and at the end of the
/// stage the other threads wait for it (0.3 s of 4 s on the large corpus with two threads).
/// Pieces of 64 documents keep that wait to a few milliseconds; loops over larger pieces
/// (chunks, bands) make each piece its own task.
pub(crate) const DOCUMENTS_PER_TASK: usize = 64;
