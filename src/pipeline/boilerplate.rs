//! Boilerplate: paragraphs repeated across documents (site footers, "I'm a bot" lines, newsletter
//! sign-ups, licence blocks, mailing-list footers).
//!
//! Rule (the README's "Paragraphs" section): a paragraph with at least one letter is boilerplate
//! when its normalized text occurs in at least `min_docs` documents that are not related to each
//! other. Two documents are related when they are near-duplicates or close copies: verified
//! similar pairs, and LSH candidate pairs whose signatures estimate a Jaccard similarity of at
//! least [`FAMILY_SIMILARITY`]. Related documents form a family (a connected component) and a
//! family counts once, so the paragraphs that a syndicated article shares with its forty copies
//! are article text, not boilerplate, while a footer found under a hundred different articles is.
//! Matching across documents is exact (after normalization): near-exact matching across a corpus
//! joins paragraphs that quote the same sentences by coincidence.

/// Default of `--min-docs`.
pub const DEFAULT_MIN_DOCS: usize = 10;
/// Estimated Jaccard similarity at or above which two documents are related (same family).
pub const FAMILY_SIMILARITY: f64 = 0.5;

/// One boilerplate paragraph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Boilerplate {
    /// Exact-match key of the paragraph (see [`crate::pipeline::paragraph::key_of`]).
    pub key: u64,
    /// Documents holding it, in path order, each with the index of its first occurrence there.
    pub documents: Vec<(u32, u32)>,
    /// Number of unrelated families among those documents.
    pub families: usize,
}

/// Finds the boilerplate among `occurrences` (paragraph key, document, paragraph index):
/// paragraphs in at least `min_docs` families. Most frequent first (documents, then families),
/// then by first document.
pub fn find(
    mut occurrences: Vec<(u64, u32, u32)>,
    family_of: &[u32],
    min_docs: usize,
) -> Vec<Boilerplate> {
    use rayon::prelude::*;
    occurrences.par_sort_unstable();
    let mut found: Vec<Boilerplate> = occurrences
        .chunk_by(|a, b| a.0 == b.0)
        .filter_map(|run| {
            if run.len() < min_docs {
                return None;
            }
            // First occurrence per document (sorted by document, then paragraph).
            let mut documents: Vec<(u32, u32)> = Vec::new();
            for &(_, doc, paragraph) in run {
                if documents.last().is_none_or(|&(d, _)| d != doc) {
                    documents.push((doc, paragraph));
                }
            }
            if documents.len() < min_docs {
                return None;
            }
            let mut families: Vec<u32> = documents
                .iter()
                .map(|&(doc, _)| family_of[doc as usize])
                .collect();
            families.sort_unstable();
            families.dedup();
            (families.len() >= min_docs).then(|| Boilerplate {
                key: run[0].0,
                documents,
                families: families.len(),
            })
        })
        .collect();
    found.sort_by(|a, b| {
        (b.documents.len(), b.families, a.documents[0]).cmp(&(
            a.documents.len(),
            a.families,
            b.documents[0],
        ))
    });
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_families_not_documents() {
        // Key 7 in documents 0..6, which form 3 families; key 9 in 4 unrelated documents.
        let family_of = [0, 0, 0, 1, 1, 2, 3, 4, 5, 6];
        let mut occ: Vec<(u64, u32, u32)> = (0..6).map(|d| (7, d, 2)).collect();
        occ.extend((6..10).map(|d| (9, d, 0)));
        assert!(find(occ.clone(), &family_of, 4).iter().all(|b| b.key == 9));
        let both = find(occ, &family_of, 3);
        assert_eq!(both.iter().map(|b| b.key).collect::<Vec<_>>(), [7, 9]);
        assert_eq!((both[0].documents.len(), both[0].families), (6, 3));
    }

    #[test]
    fn a_paragraph_twice_in_one_document_counts_once() {
        let family_of = [0, 1, 2];
        let occ = vec![(5, 0, 1), (5, 0, 4), (5, 1, 0), (5, 2, 3)];
        let found = find(occ, &family_of, 3);
        assert_eq!(found[0].documents, [(0, 1), (1, 0), (2, 3)]);
        let occ = vec![(5, 0, 1), (5, 0, 4), (5, 1, 0)];
        assert!(find(occ, &family_of, 3).is_empty());
    }

    #[test]
    fn order_is_most_frequent_first() {
        let family_of: Vec<u32> = (0..10).collect();
        let mut occ: Vec<(u64, u32, u32)> = (0..3).map(|d| (1, d, 0)).collect();
        occ.extend((0..5).map(|d| (2, d, 1)));
        occ.extend((5..8).map(|d| (3, d, 1)));
        let keys: Vec<u64> = find(occ, &family_of, 2).iter().map(|b| b.key).collect();
        assert_eq!(keys, [2, 1, 3]);
    }
}
