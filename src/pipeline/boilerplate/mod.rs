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
//!
//! Where it counts: boilerplate is page chrome (navigation, a footer, a licence or newsletter
//! block, "Share this"), and chrome opens or closes a page; a paragraph shared by many documents
//! in the middle of their text (a generated page's template sentence, a section heading, a
//! flag's description) is part of that text, and removing it leaves the rest orphaned. So an
//! occurrence counts only inside one of the document's two *boilerplate zones*: the run of
//! paragraphs from its first one (or up to its last one), within [`ZONE_PARAGRAPHS`] of that
//! end, in which every paragraph is a boilerplate candidate (a paragraph found in `min_docs`
//! unrelated documents) or short (fewer than `min_words` words, [`DEFAULT_MIN_WORDS`] by
//! default, counted as a reader sees them), with at least one candidate of `min_words` or more
//! among them ([`Zones::counted`]). A candidate is boilerplate when its occurrences that count
//! are in `min_docs` unrelated documents, and it is removed only where it counts. Short lines
//! ("Usage:", "Advertisement") alone never make a zone, so a heading stays.
//!
//! A zone goes whole or not at all ([`Zones::removable`]): a run of candidates that reaches
//! [`ZONE_PARAGRAPHS`] paragraphs is not a zone (a long generated section), nothing goes from a
//! document that would be left empty, and a paragraph bound to one that stays (a
//! heading over it, a lead-in ending in a colon, a sentence it carries on) stays with it. So no
//! block is cut inside a statement, and cleaning a cleaned text finds no new zone.

mod zones;

#[cfg(test)]
use zones::LayoutEntry;
pub use zones::{Zones, paragraph_layout};

/// Default of `--min-docs`.
pub const DEFAULT_MIN_DOCS: usize = 10;
/// Estimated Jaccard similarity at or above which two documents are related (same family).
pub const FAMILY_SIMILARITY: f64 = 0.5;

/// Default of `--min-words`: paragraphs with fewer words do not make a boilerplate zone by
/// themselves.
pub const DEFAULT_MIN_WORDS: usize = 4;
/// How far from either end of a document its boilerplate zones may reach, in paragraphs.
pub const ZONE_PARAGRAPHS: usize = 32;

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

/// The boilerplate of a corpus: the candidates among `occurrences` (paragraph key, document,
/// paragraph index; every paragraph with a letter, once per document) are the paragraphs in
/// `min_docs` families ([`find`]); the boilerplate is the candidates whose occurrences in the
/// documents' boilerplate zones (`zones`: document, its ends) are in `min_docs` families, as
/// [`find`] orders them, each with those occurrences. Returns it and the candidates' keys,
/// sorted (what [`Zones::counted`] needs to find the same zones again).
#[cfg(test)]
pub fn find_in_zones(
    occurrences: Vec<(u64, u32, u32)>,
    zones: &[(u32, Zones)],
    family_of: &[u32],
    min_docs: usize,
) -> (Vec<Boilerplate>, Vec<u64>) {
    let candidates = find(occurrences, family_of, min_docs);
    in_zones(candidates, zones, family_of, min_docs)
}

/// The boilerplate among the `candidates` (found by [`find`] or [`KeyRuns`]): those whose
/// occurrences in the documents' boilerplate zones (`zones`: document, its ends) are in
/// `min_docs` families, as [`find`] orders them, each with those occurrences. Returns it and the
/// candidates' keys, sorted (what [`Zones::counted`] needs to find the same zones again).
#[cfg(test)]
pub fn in_zones(
    candidates: Vec<Boilerplate>,
    zones: &[(u32, Zones)],
    family_of: &[u32],
    min_docs: usize,
) -> (Vec<Boilerplate>, Vec<u64>) {
    let keys = candidate_keys(candidates);
    let counted = counted_in_zones(zones, &keys);
    (find(counted, family_of, min_docs), keys)
}

/// The keys of the boilerplate candidates, sorted.
pub fn candidate_keys(candidates: Vec<Boilerplate>) -> Vec<u64> {
    let mut keys: Vec<u64> = candidates.into_iter().map(|b| b.key).collect();
    keys.sort_unstable();
    keys
}

/// The occurrences `(key, document, paragraph)` of the candidates (`keys`, sorted) inside the
/// boilerplate zones of `zones`' documents: what [`find`] then judges, from all documents.
pub fn counted_in_zones(zones: &[(u32, Zones)], keys: &[u64]) -> Vec<(u64, u32, u32)> {
    use rayon::prelude::*;
    if keys.is_empty() {
        return Vec::new();
    }
    let is_candidate = |k: u64| keys.binary_search(&k).is_ok();
    zones
        .par_iter()
        .flat_map_iter(|(doc, z)| {
            z.counted(is_candidate)
                .into_iter()
                .map(move |(key, p)| (key, *doc, p))
        })
        .collect()
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
    let mut runs = KeyRuns::new(family_of, min_docs);
    for (key, doc, paragraph) in occurrences {
        runs.push(key, doc, paragraph);
    }
    runs.finish()
}

/// [`find`] over occurrences that come in ascending order (an external sort's output): each run
/// of one key is judged as it ends.
#[derive(Debug)]
pub struct KeyRuns<'a> {
    family_of: &'a [u32],
    min_docs: usize,
    key: Option<u64>,
    /// The current key's first occurrence per document (by document, then paragraph).
    documents: Vec<(u32, u32)>,
    found: Vec<Boilerplate>,
}

impl<'a> KeyRuns<'a> {
    /// Judges runs against `min_docs` families of `family_of`.
    pub fn new(family_of: &'a [u32], min_docs: usize) -> Self {
        KeyRuns {
            family_of,
            min_docs,
            key: None,
            documents: Vec::new(),
            found: Vec::new(),
        }
    }

    /// The next occurrence (not below the previous one).
    pub fn push(&mut self, key: u64, doc: u32, paragraph: u32) {
        if self.key != Some(key) {
            self.close_run();
            self.key = Some(key);
        }
        if self.documents.last().is_none_or(|&(d, _)| d != doc) {
            self.documents.push((doc, paragraph));
        }
    }

    fn close_run(&mut self) {
        let documents = std::mem::take(&mut self.documents);
        let Some(key) = self.key else { return };
        if documents.len() < self.min_docs {
            self.documents = documents;
            self.documents.clear();
            return;
        }
        let mut families: Vec<u32> = documents
            .iter()
            .map(|&(doc, _)| self.family_of[doc as usize])
            .collect();
        families.sort_unstable();
        families.dedup();
        if families.len() >= self.min_docs {
            self.found.push(Boilerplate {
                key,
                documents,
                families: families.len(),
            });
        }
    }

    /// The boilerplate found, most frequent first.
    pub fn finish(mut self) -> Vec<Boilerplate> {
        self.close_run();
        sort_most_frequent_first(&mut self.found);
        self.found
    }
}

/// Orders boilerplate by documents, then families (most first), then first document.
fn sort_most_frequent_first(found: &mut [Boilerplate]) {
    found.sort_by(|a, b| {
        (b.documents.len(), b.families, a.documents[0]).cmp(&(
            a.documents.len(),
            a.families,
            b.documents[0],
        ))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(key: u64, eligible: bool, short: bool) -> LayoutEntry {
        LayoutEntry::new(key, eligible, short)
    }

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
    fn a_candidate_is_boilerplate_only_where_it_counts() {
        // A footer (key 100) closes every document; "Read the report" (key 105, long) sits
        // right above it in documents 0..3, and in documents 3..6 either opens them or sits in
        // the middle of their text.
        let family_of: Vec<u32> = (0..6).collect();
        let layouts = |opening: bool| -> Vec<Vec<LayoutEntry>> {
            (0..6u64)
                .map(|d| {
                    let text = 200 + d;
                    let keys = match (d < 3, opening) {
                        (true, _) => vec![text, 105, 100],
                        (false, true) => vec![105, text, text + 10, 100],
                        (false, false) => vec![text, 105, text + 10, 100],
                    };
                    keys.into_iter().map(|k| entry(k, true, false)).collect()
                })
                .collect()
        };
        let zones_of = |layouts: &[Vec<LayoutEntry>]| -> Vec<(u32, Zones)> {
            layouts
                .iter()
                .enumerate()
                .map(|(d, l)| (d as u32, Zones::of(l).unwrap()))
                .collect()
        };
        let opening = layouts(true);
        let occurrences: Vec<(u64, u32, u32)> = opening
            .iter()
            .enumerate()
            .flat_map(|(d, l)| {
                l.iter()
                    .enumerate()
                    .map(move |(i, e)| (e.key, d as u32, i as u32))
            })
            .collect();
        let (found, candidates) =
            find_in_zones(occurrences.clone(), &zones_of(&opening), &family_of, 3);
        assert_eq!(candidates, [100, 105]);
        // Both in six documents; in documents 3..6 the other one opens the document, a zone too.
        let found: Vec<(u64, usize)> = found.iter().map(|b| (b.key, b.documents.len())).collect();
        assert_eq!(found, [(105, 6), (100, 6)]);
        // Moved into the middle in 3..6, it counts in three documents only.
        let middle = zones_of(&layouts(false));
        let (found, _) = find_in_zones(occurrences.clone(), &middle, &family_of, 3);
        assert_eq!(found[0].key, 100);
        assert_eq!(found[1].documents, [(0, 1), (1, 1), (2, 1)]);
        let (found, _) = find_in_zones(occurrences, &middle, &family_of, 4);
        assert_eq!(found.len(), 1);
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
