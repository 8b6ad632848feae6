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
//! Short paragraphs (fewer than `min_words` words, [`DEFAULT_MIN_WORDS`] by default, counted as
//! a reader sees them) recur across documents as section headings ("Usage:", "Example:", a
//! command name in a list) as often as they do as site chrome ("Share this", "Advertisement").
//! Chrome sits in the block of boilerplate that opens or closes a page (navigation, footer);
//! headings sit inside the text. So an occurrence of a short paragraph counts only inside a
//! document's *boilerplate zone*: the run of paragraphs from its first one (or up to its last
//! one), within the first or last [`ZONE_PARAGRAPHS`], in which every paragraph is short or
//! longer boilerplate, and at least one is longer boilerplate ([`Zones::counted`]). A short
//! paragraph is boilerplate when its occurrences that count are in `min_docs` unrelated
//! documents, and it is removed only where it counts.

use crate::pipeline::paragraph::READER_WORDS_CAP;
use crate::pipeline::paragraph::rules::reader_words;

/// Default of `--min-docs`.
pub const DEFAULT_MIN_DOCS: usize = 10;
/// Estimated Jaccard similarity at or above which two documents are related (same family).
pub const FAMILY_SIMILARITY: f64 = 0.5;

/// Default of `--min-words`: boilerplate paragraphs with fewer words count only in a
/// document's boilerplate zone.
pub const DEFAULT_MIN_WORDS: usize = 4;
/// How far from either end of a document its boilerplate zones may reach, in paragraphs.
pub const ZONE_PARAGRAPHS: usize = 32;

/// A paragraph as the zone rule sees it: its key, whether it may be boilerplate (it has a
/// letter), and whether it is short.
pub type LayoutEntry = (u64, bool, bool);

/// The paragraphs at both ends of a document, where its boilerplate zones can be: the first and
/// the last [`ZONE_PARAGRAPHS`] (the same paragraphs in both when the document is short).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Zones {
    /// Number of paragraphs of the document.
    pub paragraphs: u32,
    /// Its first paragraphs.
    pub head: Vec<LayoutEntry>,
    /// Its last paragraphs.
    pub tail: Vec<LayoutEntry>,
}

impl Zones {
    /// The ends of a document with this layout, or `None` when no short paragraph with a letter
    /// lies there (then no short paragraph of it can count).
    pub fn of(layout: &[LayoutEntry]) -> Option<Zones> {
        let reach = layout.len().min(ZONE_PARAGRAPHS);
        let (head, tail) = (&layout[..reach], &layout[layout.len() - reach..]);
        let short_with_letter = |e: &LayoutEntry| e.1 && e.2;
        (head.iter().any(short_with_letter) || tail.iter().any(short_with_letter)).then(|| Zones {
            paragraphs: layout.len() as u32,
            head: head.to_vec(),
            tail: tail.to_vec(),
        })
    }

    /// The short paragraphs with a letter that lie in a boilerplate zone, given which keys are
    /// longer boilerplate: `(key, paragraph index)`, in document order, each once.
    pub fn counted(&self, is_long_boilerplate: impl Fn(u64) -> bool) -> Vec<(u64, u32)> {
        let in_zone = |e: &LayoutEntry| e.2 || (e.1 && is_long_boilerplate(e.0));
        let mut out = Vec::new();
        let mut take = |entries: &mut dyn Iterator<Item = (usize, &LayoutEntry)>| {
            let zone: Vec<(usize, &LayoutEntry)> =
                entries.take_while(|(_, e)| in_zone(e)).collect();
            if zone.iter().any(|(_, e)| !e.2) {
                out.extend(
                    zone.iter()
                        .filter(|(_, e)| e.1 && e.2)
                        .map(|&(i, e)| (e.0, i as u32)),
                );
            }
        };
        take(&mut self.head.iter().enumerate());
        let tail_start = self.paragraphs as usize - self.tail.len();
        take(
            &mut self
                .tail
                .iter()
                .enumerate()
                .rev()
                .map(|(i, e)| (tail_start + i, e)),
        );
        out.sort_unstable_by_key(|&(_, i)| i);
        out.dedup();
        out
    }
}

/// Each paragraph's key, whether it may be boilerplate (it has a letter), and whether it is
/// shorter than `min_words` words: what [`Zones`] work from.
pub fn paragraph_layout(
    text: &str,
    analysis: &crate::pipeline::paragraph::Analysis,
    min_words: usize,
) -> Vec<LayoutEntry> {
    analysis
        .fingerprints
        .iter()
        .zip(&analysis.paragraphs)
        .map(|(f, p)| {
            let words = if min_words <= READER_WORDS_CAP {
                usize::from(f.reader_words)
            } else {
                reader_words(p.text(text), min_words)
            };
            let short = words < min_words;
            (f.key, f.boilerplate_eligible(), short)
        })
        .collect()
}

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

/// Finds the boilerplate among the long paragraphs' `occurrences` (paragraph key, document,
/// paragraph index), then among the short paragraphs that count in the documents' boilerplate
/// zones given it (`zones`: document, its ends), as [`find`] orders them.
pub fn find_with_short(
    occurrences: Vec<(u64, u32, u32)>,
    zones: &[(u32, Zones)],
    family_of: &[u32],
    min_docs: usize,
) -> Vec<Boilerplate> {
    use rayon::prelude::*;
    let mut found = find(occurrences, family_of, min_docs);
    if zones.is_empty() || found.is_empty() {
        return found;
    }
    let long: std::collections::HashSet<u64> = found.iter().map(|b| b.key).collect();
    let counted: Vec<(u64, u32, u32)> = zones
        .par_iter()
        .flat_map_iter(|(doc, z)| {
            z.counted(|k| long.contains(&k))
                .into_iter()
                .filter(|(key, _)| !long.contains(key))
                .map(move |(key, p)| (key, *doc, p))
        })
        .collect();
    found.extend(find(counted, family_of, min_docs));
    sort_most_frequent_first(&mut found);
    found
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
    sort_most_frequent_first(&mut found);
    found
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
    fn short_paragraphs_count_only_in_a_boilerplate_zone() {
        // Keys: short paragraphs are 1.., long ones 100..; the long boilerplate is 100.
        let (nav, title, heading, share, stars) = (1, 3, 5, 7, 9);
        let layout = [
            (nav, true, true),     // "Home" above the navigation boilerplate
            (100, true, false),    // navigation boilerplate
            (title, true, true),   // the title, short, still in the zone
            (101, true, false),    // article text: the zone ends
            (heading, true, true), // "Example:" inside the text
            (102, true, false),    // article text
            (share, true, true),   // "Share this", in the closing zone
            (stars, false, true),  // "***", no letter
            (100, true, false),    // footer boilerplate
        ];
        let zones = Zones::of(&layout).unwrap();
        let counted = zones.counted(|k| k == 100);
        assert_eq!(counted, [(nav, 0), (title, 2), (share, 6)]);
        // Without longer boilerplate in it, an end of short paragraphs is no zone.
        assert!(zones.counted(|_| false).is_empty());
        // A document without short paragraphs has no zones to look at.
        assert_eq!(
            Zones::of(&[(100, true, false), (5, false, true), (101, true, false)]),
            None
        );
    }

    #[test]
    fn zones_reach_only_so_far_into_a_long_document() {
        let mut layout = vec![(100, true, false); 2 * ZONE_PARAGRAPHS + 10];
        layout[ZONE_PARAGRAPHS + 3] = (7, true, true);
        layout[1] = (5, true, true);
        let zones = Zones::of(&layout).unwrap();
        assert_eq!(zones.head.len(), ZONE_PARAGRAPHS);
        assert_eq!(zones.counted(|k| k == 100), [(5, 1)]);
    }

    #[test]
    fn a_short_paragraph_is_boilerplate_only_where_it_counts() {
        // A footer (key 100) in every document; "Share this" (key 5) right above it in
        // documents 0..3, and above the article text in documents 3..6.
        let family_of: Vec<u32> = (0..6).collect();
        let occurrences: Vec<(u64, u32, u32)> = (0..6).map(|d| (100, d, 2)).collect();
        let zones: Vec<(u32, Zones)> = (0..6)
            .map(|d| {
                let layout = if d < 3 {
                    vec![
                        (101 + d as u64, true, false),
                        (5, true, true),
                        (100, true, false),
                    ]
                } else {
                    vec![
                        (5, true, true),
                        (101 + d as u64, true, false),
                        (100, true, false),
                    ]
                };
                (d, Zones::of(&layout).unwrap())
            })
            .collect();
        let found = find_with_short(occurrences.clone(), &zones, &family_of, 3);
        assert_eq!(found.len(), 2);
        assert_eq!((found[0].key, found[0].documents.len()), (100, 6));
        assert_eq!(found[1].key, 5);
        assert_eq!(found[1].documents, [(0, 1), (1, 1), (2, 1)]);
        // In four documents it would need four where it counts.
        assert_eq!(find_with_short(occurrences, &zones, &family_of, 4).len(), 1);
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
