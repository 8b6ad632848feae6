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

use crate::pipeline::paragraph::READER_WORDS_CAP;
use crate::pipeline::paragraph::rules::reader_words;

/// Default of `--min-docs`.
pub const DEFAULT_MIN_DOCS: usize = 10;
/// Estimated Jaccard similarity at or above which two documents are related (same family).
pub const FAMILY_SIMILARITY: f64 = 0.5;

/// Default of `--min-words`: paragraphs with fewer words do not make a boilerplate zone by
/// themselves.
pub const DEFAULT_MIN_WORDS: usize = 4;
/// How far from either end of a document its boilerplate zones may reach, in paragraphs.
pub const ZONE_PARAGRAPHS: usize = 32;

/// A paragraph as the zone rule sees it: its key, whether it may be boilerplate (it has a
/// letter), and whether it is short.
pub type LayoutEntry = (u64, bool, bool);

/// The paragraphs at both ends of a document, where its boilerplate zones can be: the first and
/// the last [`ZONE_PARAGRAPHS`] (all of them, once, when the document has no more). Compact, as
/// one is kept per document until the boilerplate is found: each paragraph is its key (0 when it
/// may not be boilerplate), and a bit mask says which are short.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Zones {
    /// Number of paragraphs of the document.
    paragraphs: u32,
    /// Keys of its first paragraphs (all of them when there are at most [`ZONE_PARAGRAPHS`]).
    head: Box<[u64]>,
    /// Keys of its last paragraphs (empty when `head` holds them all).
    tail: Box<[u64]>,
    /// Bit `i`: paragraph `i` of `head` is short.
    head_short: u32,
    /// Bit `i`: paragraph `i` of `tail` is short.
    tail_short: u32,
}

const _: () = assert!(ZONE_PARAGRAPHS <= 32, "the short masks have 32 bits");

impl Zones {
    /// The ends of a document with this layout, or `None` when no paragraph there may be
    /// boilerplate.
    pub fn of(layout: &[LayoutEntry]) -> Option<Zones> {
        let (head, tail) = if layout.len() <= ZONE_PARAGRAPHS {
            (layout, &layout[..0])
        } else {
            (
                &layout[..ZONE_PARAGRAPHS],
                &layout[layout.len() - ZONE_PARAGRAPHS..],
            )
        };
        let eligible = |e: &LayoutEntry| e.1;
        if !(head.iter().any(eligible) || tail.iter().any(eligible)) {
            return None;
        }
        let keys = |part: &[LayoutEntry]| -> Box<[u64]> {
            part.iter()
                .map(|&(key, eligible, _)| if eligible { key } else { 0 })
                .collect()
        };
        let short = |part: &[LayoutEntry]| {
            part.iter()
                .enumerate()
                .fold(0u32, |mask, (i, e)| mask | (u32::from(e.2) << i))
        };
        Some(Zones {
            paragraphs: layout.len() as u32,
            head: keys(head),
            tail: keys(tail),
            head_short: short(head),
            tail_short: short(tail),
        })
    }

    /// Appends the zones to `out` in their spilled form: the paragraph count (u32), the head's
    /// and the tail's lengths (u8 each), the two short masks (u32 each), then the keys (u64
    /// each), little-endian.
    pub fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.paragraphs.to_le_bytes());
        out.push(self.head.len() as u8);
        out.push(self.tail.len() as u8);
        out.extend_from_slice(&self.head_short.to_le_bytes());
        out.extend_from_slice(&self.tail_short.to_le_bytes());
        for key in self.head.iter().chain(self.tail.iter()) {
            out.extend_from_slice(&key.to_le_bytes());
        }
    }

    /// Bytes of the fixed part of the encoding, before the keys.
    pub const ENCODED_HEADER: usize = 14;

    /// Length of the whole encoding whose fixed part is `header`.
    pub fn encoded_len(header: &[u8; Self::ENCODED_HEADER]) -> usize {
        Self::ENCODED_HEADER + 8 * (usize::from(header[4]) + usize::from(header[5]))
    }

    /// Reads zones [`Zones::encode`] wrote at the start of `bytes`, and the bytes they took
    /// (`None` when `bytes` is too short).
    pub fn decode(bytes: &[u8]) -> Option<(Zones, usize)> {
        let u32_at = |at: usize| -> Option<u32> {
            Some(u32::from_le_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
        };
        let header: &[u8; Self::ENCODED_HEADER] =
            bytes.get(..Self::ENCODED_HEADER)?.try_into().ok()?;
        let paragraphs = u32_at(0)?;
        let head_len = usize::from(header[4]);
        let (head_short, tail_short) = (u32_at(6)?, u32_at(10)?);
        let end = Self::encoded_len(header);
        let mut keys = bytes
            .get(Self::ENCODED_HEADER..end)?
            .chunks_exact(8)
            .map(|b| u64::from_le_bytes(b.try_into().expect("8 bytes")));
        let head = keys.by_ref().take(head_len).collect();
        let tail = keys.collect();
        let zones = Zones {
            paragraphs,
            head,
            tail,
            head_short,
            tail_short,
        };
        Some((zones, end))
    }

    /// Bytes the zones hold in memory.
    pub fn held_bytes(&self) -> usize {
        std::mem::size_of::<Zones>() + 8 * (self.head.len() + self.tail.len())
    }

    /// The paragraphs in a boilerplate zone, given which keys are candidates: `(key, paragraph
    /// index)` of each candidate there, in document order, each once.
    pub fn counted(&self, is_candidate: impl Fn(u64) -> bool) -> Vec<(u64, u32)> {
        // (index in the document, key, short) of each paragraph, from one end inwards.
        type Entry = (usize, u64, bool);
        let candidate = |e: &Entry| e.1 != 0 && is_candidate(e.1);
        let mut out = Vec::new();
        let mut take = |entries: &mut dyn Iterator<Item = Entry>| {
            let zone: Vec<Entry> = entries.take_while(|e| e.2 || candidate(e)).collect();
            if zone.iter().any(|e| !e.2 && candidate(e)) {
                out.extend(
                    zone.iter()
                        .filter(|e| candidate(e))
                        .map(|e| (e.1, e.0 as u32)),
                );
            }
        };
        let head = |i: usize| (i, self.head[i], self.head_short >> i & 1 == 1);
        take(&mut (0..self.head.len()).map(head));
        if self.tail.is_empty() {
            // A short document: its closing zone is read from the same paragraphs.
            take(&mut (0..self.head.len()).rev().map(head));
        } else {
            let tail_start = self.paragraphs as usize - self.tail.len();
            take(
                &mut (0..self.tail.len())
                    .rev()
                    .map(|i| (tail_start + i, self.tail[i], self.tail_short >> i & 1 == 1)),
            );
        }
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

    #[test]
    fn zones_come_back_from_their_encoding() {
        // 40 paragraphs: an opening and a closing zone, some short, some not eligible.
        let layout: Vec<LayoutEntry> = (0..40u64)
            .map(|i| (1000 + i, i % 7 != 3, i % 5 == 0))
            .collect();
        for layout in [&layout[..], &layout[..6]] {
            let zones = Zones::of(layout).unwrap();
            let mut bytes = Vec::new();
            zones.encode(&mut bytes);
            let header: &[u8; Zones::ENCODED_HEADER] =
                bytes[..Zones::ENCODED_HEADER].try_into().unwrap();
            assert_eq!(Zones::encoded_len(header), bytes.len());
            bytes.extend_from_slice(b"next");
            assert_eq!(Zones::decode(&bytes), Some((zones, bytes.len() - 4)));
        }
        assert_eq!(Zones::decode(&[0; 10]), None);
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
    fn boilerplate_counts_only_in_the_zones_that_open_or_close_a_document() {
        // Keys: short paragraphs are 1.., long ones 100..; the candidates are 1, 5, 7, 100
        // and 103.
        let (nav, title, heading, share, stars) = (1, 3, 5, 7, 9);
        let layout = [
            (nav, true, true),     // "Home", above the navigation
            (100, true, false),    // navigation, a candidate
            (title, true, true),   // the title, short, not a candidate: still in the zone
            (101, true, false),    // article text: the opening zone ends
            (heading, true, true), // "Example:" inside the text
            (103, true, false),    // a template sentence inside the text
            (102, true, false),    // article text
            (share, true, true),   // "Share this", in the closing zone
            (stars, false, true),  // "***", no letter
            (100, true, false),    // footer
        ];
        let candidates = [1u64, 5, 7, 100, 103];
        let zones = Zones::of(&layout).unwrap();
        let counted = zones.counted(|k| candidates.contains(&k));
        assert_eq!(counted, [(nav, 0), (100, 1), (share, 7), (100, 9)]);
        // Short lines alone make no zone.
        let headings = [(5, true, true), (101, true, false), (5, true, true)];
        assert!(Zones::of(&headings).unwrap().counted(|k| k == 5).is_empty());
        // A document whose paragraphs have no letter has nothing to look at.
        assert_eq!(Zones::of(&[(0, false, true), (0, false, false)]), None);
    }

    #[test]
    fn zones_reach_only_so_far_into_a_long_document() {
        let mut layout = vec![(100, true, false); 2 * ZONE_PARAGRAPHS + 10];
        layout[ZONE_PARAGRAPHS + 3] = (7, true, true);
        layout[1] = (5, true, true);
        let zones = Zones::of(&layout).unwrap();
        assert_eq!(
            (zones.head.len(), zones.tail.len()),
            (ZONE_PARAGRAPHS, ZONE_PARAGRAPHS)
        );
        let counted = zones.counted(|k| k == 100 || k == 5 || k == 7);
        assert_eq!(counted.len(), 2 * ZONE_PARAGRAPHS);
        assert!(counted.contains(&(5, 1)));
        assert!(!counted.iter().any(|&(k, _)| k == 7));
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
                    keys.into_iter().map(|k| (k, true, false)).collect()
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
                    .map(move |(i, e)| (e.0, d as u32, i as u32))
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
