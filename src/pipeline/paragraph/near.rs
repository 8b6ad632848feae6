//! Near-exact repeats inside one document: the pairs of paragraphs whose word 3-shingle sets
//! have a Jaccard similarity of at least [`NEAR_SIMILARITY`], found without comparing every
//! pair when a document has many paragraphs (shingle bitmaps bound small documents, a prefix
//! filter over the lowest shingles serves large ones), and those of them that are copies with
//! words spelled differently.

use super::{Analysis, Analyzer, NEAR_MIN_WORDS, NEAR_SHINGLE_WORDS, NEAR_SIMILARITY, rules};
use crate::pipeline::jaccard::jaccard_at_least;
use std::ops::Range;

/// Posting lists longer than this compare each entry with the first and the previous one only,
/// so that a pathological document (thousands of near-identical lines) stays linear.
const MAX_FULL_POSTING: usize = 64;
/// Near paragraphs up to which every pair is compared by bitmaps instead of a prefix filter.
const ALL_PAIRS_UP_TO: usize = 32;
/// Bits of a paragraph's shingle bitmap (a power of two).
const BITMAP_BITS: usize = 512;
pub(super) const BITMAP_WORDS: usize = BITMAP_BITS / 64;

impl Analyzer {
    /// The pairs among the `near` paragraphs, both `long_enough` for near matching, that are
    /// copies with words spelled differently (the module rules), in the order found.
    pub(super) fn respelled_pairs(
        &mut self,
        text: &str,
        analysis: &Analysis,
        near: &[usize],
        long_enough: &dyn Fn(usize, usize) -> bool,
    ) -> Vec<(usize, usize)> {
        let (fps, hashes) = (&analysis.fingerprints, &analysis.token_hashes);
        let units = |n: usize| &hashes[fps[near[n]].tokens.clone()];
        let mut similar = Vec::new();
        self.similar_pairs(near.len(), units, |a, b| similar.push((near[a], near[b])));
        similar.retain(|&(a, b)| {
            if !(long_enough(a, NEAR_MIN_WORDS) && long_enough(b, NEAR_MIN_WORDS)) {
                return false;
            }
            let a_tokens = self.tokens(analysis.paragraphs[a].text(text));
            let b_tokens = self.tokens(analysis.paragraphs[b].text(text));
            rules::same_words_but_spelling(&a_tokens, &b_tokens)
        });
        similar
    }

    /// Calls `found(a, b)` (a < b, in increasing order) for every pair of the `count` paragraphs
    /// (`units(n)`: the token hashes of paragraph `n`) whose word 3-shingle sets have an exact
    /// Jaccard similarity of at least [`NEAR_SIMILARITY`]. Up to [`ALL_PAIRS_UP_TO`]
    /// paragraphs, every pair is bounded by the paragraphs' shingle bitmaps
    /// ([`Analyzer::similar_pairs_by_bitmaps`]); more go through a prefix filter
    /// ([`Analyzer::similar_pairs_by_prefix`]). Both find exactly the pairs at the threshold
    /// when no posting list is cut, which needs more than [`MAX_FULL_POSTING`] paragraphs.
    pub(super) fn similar_pairs<'a>(
        &mut self,
        count: usize,
        units: impl Fn(usize) -> &'a [u64],
        found: impl FnMut(usize, usize),
    ) {
        if count <= ALL_PAIRS_UP_TO {
            self.similar_pairs_by_bitmaps(count, units, found);
        } else {
            self.similar_pairs_by_prefix(count, units, found);
        }
    }

    /// [`Analyzer::similar_pairs`] by comparing every pair. Each shingle sets one bit of its
    /// paragraph's 512-bit bitmap. A bit that one paragraph has and the other lacks stands for
    /// at least one shingle of the first that the second lacks, and distinct bits for distinct
    /// shingles, so with `d_a` and `d_b` such bits on either side,
    /// J = (|A| - |A \ B|) / (|A| + |B \ A|) <= (|A| - d_a) / (|A| + d_b), which grows with |A|
    /// and so stays below `(m_a - d_a) / (m_a + d_b)`, `m_a` (the number of shingle windows) being
    /// at least |A|. Pairs whose bound is under the threshold are certainly not similar; the
    /// others are checked on their exact sets.
    pub(super) fn similar_pairs_by_bitmaps<'a>(
        &mut self,
        count: usize,
        units: impl Fn(usize) -> &'a [u64],
        mut found: impl FnMut(usize, usize),
    ) {
        self.forget_sets(count);
        self.bitmaps.clear();
        for n in 0..count {
            let mut bits = [0u64; BITMAP_WORDS];
            let mut windows = 0usize;
            for_each_near_shingle(units(n), |h| {
                // The polynomial's top bits are its best mixed.
                let bit = (h >> (64 - BITMAP_BITS.trailing_zeros())) as usize;
                bits[bit / 64] |= 1 << (bit % 64);
                windows += 1;
            });
            self.bitmaps.push((bits, windows));
        }
        const _: () = assert!(NEAR_SIMILARITY == 0.8, "the bitmap bound compares with 4/5");
        for a in 0..count {
            for b in a + 1..count {
                let ((bits_a, m_a), (bits_b, m_b)) = (&self.bitmaps[a], &self.bitmaps[b]);
                let (mut only_a, mut only_b) = (0usize, 0usize);
                for (x, y) in bits_a.iter().zip(bits_b) {
                    only_a += (x & !y).count_ones() as usize;
                    only_b += (y & !x).count_ones() as usize;
                }
                // The bound from either side: (m - d_own) / (m + d_other) < 4/5 rules it out.
                let below = |m: usize, own: usize, other: usize| 5 * (m - own) < 4 * (m + other);
                if below(*m_a, only_a, only_b) || below(*m_b, only_b, only_a) {
                    continue;
                }
                if self.exactly_similar(a, b, &units) {
                    found(a, b);
                }
            }
        }
    }

    /// [`Analyzer::similar_pairs`] by a prefix filter: two sets with J >= t share an element
    /// among the first |x| - ceil(t |x|) + 1 of each, in any fixed order (here, by value).
    /// Posting lists longer than [`MAX_FULL_POSTING`] are cut as [`for_each_run`] says.
    pub(super) fn similar_pairs_by_prefix<'a>(
        &mut self,
        count: usize,
        units: impl Fn(usize) -> &'a [u64],
        mut found: impl FnMut(usize, usize),
    ) {
        self.postings.clear();
        self.forget_sets(count);
        let index_bits = usize::BITS - count.leading_zeros();
        let index_mask = (1u64 << index_bits) - 1;
        for n in 0..count {
            let units = units(n);
            let prefix: &[u64] = if lowest_shingles(units, &mut self.lowest) {
                &self.lowest
            } else {
                // Too few values under the cut-off: the whole set, sorted.
                let set = self.full_set(n, units);
                &self.shingles[set.start..set.start + prefix_len(set.len())]
            };
            // Posting: the value's high bits, the set's index in the low bits. Two sets that
            // share a value share a posting key, so nothing is lost; a key shared by chance only
            // adds a candidate.
            self.postings
                .extend(prefix.iter().map(|&h| (h & !index_mask) | n as u64));
        }
        self.postings.sort_unstable();
        self.pairs.clear();
        let (postings, pairs) = (&self.postings, &mut self.pairs);
        let set_of = |x: usize| (postings[x] & index_mask) as usize;
        for_each_run(
            postings,
            |&h| h & !index_mask,
            |x, y| {
                let (a, b) = (set_of(x), set_of(y));
                if a != b {
                    pairs.push((a.min(b), a.max(b)));
                }
            },
        );
        self.pairs.sort_unstable();
        self.pairs.dedup();
        for k in 0..self.pairs.len() {
            let (a, b) = self.pairs[k];
            if self.exactly_similar(a, b, &units) {
                found(a, b);
            }
        }
    }

    /// Clears the whole sets of the previous document, making room for `count` paragraphs.
    pub(super) fn forget_sets(&mut self, count: usize) {
        self.full_sets.clear();
        self.full_sets.resize(count, None);
        self.shingles.clear();
    }

    /// Whether near paragraphs `a` and `b` have a Jaccard similarity of at least
    /// [`NEAR_SIMILARITY`] on their whole word 3-shingle sets (built on first use).
    fn exactly_similar<'a>(
        &mut self,
        a: usize,
        b: usize,
        units: &impl Fn(usize) -> &'a [u64],
    ) -> bool {
        let x = self.full_set(a, units(a));
        let y = self.full_set(b, units(b));
        jaccard_at_least(&self.shingles[x], &self.shingles[y], NEAR_SIMILARITY).is_some()
    }

    /// The range in `self.shingles` of near paragraph `n`'s sorted, deduplicated word 3-shingle
    /// set (`units`: its token hashes), computed on first use.
    fn full_set(&mut self, n: usize, units: &[u64]) -> Range<usize> {
        if let Some(range) = &self.full_sets[n] {
            return range.clone();
        }
        let start = self.shingles.len();
        let shingles = &mut self.shingles;
        for_each_near_shingle(units, |h| shingles.push(h));
        let len = sort_dedup(&mut self.shingles[start..]);
        self.shingles.truncate(start + len);
        self.full_sets[n] = Some(start..start + len);
        start..start + len
    }
}

/// Calls `visit` with each word 3-shingle of a paragraph, given its token hashes: one value per
/// window of three tokens (one for the whole paragraph when it is shorter). The value is a
/// polynomial in the token hashes, which are already well mixed, so it needs no finalizer; the
/// three products are independent, with no chain from one window to the next.
#[inline]
pub(super) fn for_each_near_shingle(units: &[u64], mut visit: impl FnMut(u64)) {
    const B: u64 = 0x9E37_79B9_7F4A_7C15;
    const B2: u64 = B.wrapping_mul(B);
    if units.len() < NEAR_SHINGLE_WORDS {
        if !units.is_empty() {
            visit(units.iter().fold(units.len() as u64, |h, &u| {
                h.wrapping_mul(B).wrapping_add(u)
            }));
        }
        return;
    }
    for w in units.windows(NEAR_SHINGLE_WORDS) {
        visit(
            w[0].wrapping_mul(B2)
                .wrapping_add(w[1].wrapping_mul(B))
                .wrapping_add(w[2]),
        );
    }
}

/// Prefix length of the filter at [`NEAR_SIMILARITY`] for a set of `m` elements:
/// m - ceil(0.8 m) + 1, in exact integer arithmetic (0 for an empty set).
fn prefix_len(m: usize) -> usize {
    const _: () = assert!(
        NEAR_SIMILARITY == 0.8,
        "prefix_len computes ceil(0.8 m) as 4/5"
    );
    (m - (4 * m).div_ceil(5) + 1).min(m)
}

/// Fills `out` with the smallest distinct word 3-shingles of the paragraph with token hashes
/// `units`, sorted: at least as many as the prefix filter needs for the paragraph's set. Returns
/// false when the values under the cut-off were too few (then `out` is meaningless).
///
/// Shingles are well-mixed hashes, so instead of selecting among all of them, only those under
/// a cut-off expected to pass the prefix length and a margin (two standard deviations and 3)
/// are kept and sorted. Every
/// distinct value under the cut-off is kept, so the first `prefix_len(m)` of them are the set's
/// smallest; `m`, the multiset's size, is at least the set's, and so is its prefix length.
fn lowest_shingles(units: &[u64], out: &mut Vec<u64>) -> bool {
    out.clear();
    let m = match units.len() {
        0 => 0,
        n => n.saturating_sub(NEAR_SHINGLE_WORDS - 1).max(1),
    };
    let prefix = prefix_len(m);
    let expected = prefix + 2 * prefix.isqrt() + 3;
    let cutoff = if expected >= m {
        u64::MAX
    } else {
        u64::MAX / m as u64 * expected as u64
    };
    // Without a branch: a fifth to a half of the values pass, in no order a predictor could
    // learn. Every value is written at the next free place, and only one that passes moves that
    // place on.
    out.resize(m, 0);
    let mut kept = 0;
    for_each_near_shingle(units, |h| {
        out[kept] = h;
        kept += usize::from(h <= cutoff);
    });
    out.truncate(kept);
    out.sort_unstable();
    out.dedup();
    let len = out.len();
    if len >= prefix {
        out.truncate(prefix);
        true
    } else if cutoff == u64::MAX {
        // Every shingle passed: `out` is the whole set, and its own prefix length applies.
        out.truncate(prefix_len(len));
        true
    } else {
        false
    }
}

/// Sorts `set` and moves its distinct values to the front; returns how many there are.
fn sort_dedup(set: &mut [u64]) -> usize {
    set.sort_unstable();
    let mut len = 0;
    for j in 0..set.len() {
        if j == 0 || set[j] != set[len - 1] {
            set[len] = set[j];
            len += 1;
        }
    }
    len
}

/// Calls `visit(x, y)` (x before y) for pairs of entries of `sorted` with the same `key`: all
/// pairs in runs of at most [`MAX_FULL_POSTING`], each entry with the run's first and with its
/// predecessor in longer runs.
pub(super) fn for_each_run<E, K: PartialEq>(
    sorted: &[E],
    key: impl Fn(&E) -> K,
    mut visit: impl FnMut(usize, usize),
) {
    let mut start = 0;
    while start < sorted.len() {
        let run_key = key(&sorted[start]);
        let mut end = start + 1;
        while end < sorted.len() && key(&sorted[end]) == run_key {
            end += 1;
        }
        if end - start <= MAX_FULL_POSTING {
            for x in start..end {
                for y in x + 1..end {
                    visit(x, y);
                }
            }
        } else {
            for y in start + 1..end {
                visit(start, y);
                if y - 1 > start {
                    visit(y - 1, y);
                }
            }
        }
        start = end;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The sorted, deduplicated word 3-shingle set of a paragraph's token hashes.
    fn whole_set(units: &[u64]) -> Vec<u64> {
        let mut set = Vec::new();
        for_each_near_shingle(units, |h| set.push(h));
        set.sort_unstable();
        set.dedup();
        set
    }

    /// Paragraphs as token hashes: edited copies of a few base paragraphs over a small
    /// vocabulary (so shingles repeat inside a set), and runs of one word (whose single value
    /// often lies above the cut-off of [`lowest_shingles`], so that the whole set is used).
    fn paragraph_sets_strategy() -> impl proptest::strategy::Strategy<Value = Vec<Vec<u64>>> {
        use proptest::prelude::*;
        let base = prop::collection::vec(0u64..6, 8..40);
        let edit = (0usize..3, any::<prop::sample::Index>(), 0u64..6);
        (
            prop::collection::vec(base, 1..4),
            prop::collection::vec(
                (
                    0usize..4,
                    prop::collection::vec(edit, 0..4),
                    0u64..40,
                    12usize..30,
                ),
                2..24,
            ),
        )
            .prop_map(|(bases, picks)| {
                let word = |w: u64| crate::pipeline::normalize::token_hash(&[b'a' + w as u8]);
                picks
                    .into_iter()
                    .map(|(which, edits, run_word, run_len)| {
                        if which == 3 {
                            return vec![word(run_word); run_len];
                        }
                        let mut words = bases[which % bases.len()].clone();
                        for (kind, at, w) in edits {
                            let i = at.index(words.len());
                            match kind {
                                0 => words[i] = w,
                                1 if words.len() > 8 => {
                                    words.remove(i);
                                }
                                _ => words.insert(i, w),
                            }
                        }
                        words.into_iter().map(word).collect()
                    })
                    .collect()
            })
    }

    proptest::proptest! {
        #[test]
        fn both_candidate_filters_find_every_similar_pair(sets in paragraph_sets_strategy()) {
            let (mut by_prefix, mut by_bitmaps) = (Vec::new(), Vec::new());
            let mut analyzer = Analyzer::new();
            analyzer.similar_pairs_by_prefix(sets.len(), |n| &sets[n], |a, b| by_prefix.push((a, b)));
            analyzer.similar_pairs_by_bitmaps(sets.len(), |n| &sets[n], |a, b| by_bitmaps.push((a, b)));
            let full: Vec<Vec<u64>> = sets
                .iter()
                .map(|units| whole_set(units))
                .collect();
            let mut expected = Vec::new();
            for a in 0..full.len() {
                for b in a + 1..full.len() {
                    if crate::pipeline::jaccard::jaccard(&full[a], &full[b]) >= NEAR_SIMILARITY {
                        expected.push((a, b));
                    }
                }
            }
            proptest::prop_assert_eq!(&by_prefix, &expected);
            proptest::prop_assert_eq!(&by_bitmaps, &expected);
        }

        #[test]
        fn lowest_shingles_are_the_smallest_of_the_set(
            units in proptest::collection::vec(0u64..8, 0..60)
        ) {
            let units: Vec<u64> = units.into_iter().map(|w| w.wrapping_mul(0x9E37_79B9_7F4A_7C15)).collect();
            let set = whole_set(&units);
            let mut lowest = Vec::new();
            if lowest_shingles(&units, &mut lowest) {
                proptest::prop_assert!(lowest.len() >= prefix_len(set.len()));
                proptest::prop_assert_eq!(&lowest[..], &set[..lowest.len()]);
            }
        }
    }

    #[test]
    fn too_few_shingles_under_the_cut_off_fall_back_to_the_whole_set() {
        // Twenty copies of one word: a single value, above the cut-off for some words.
        let fallbacks = (0..64u64)
            .filter(|&w| {
                !lowest_shingles(
                    &[w.wrapping_mul(0x9E37_79B9_7F4A_7C15); 20],
                    &mut Vec::new(),
                )
            })
            .count();
        assert!(fallbacks > 0);
        // The whole-set path still matches such a paragraph with its copy.
        let word = crate::pipeline::normalize::token_hash(b"spam");
        let paragraph = [word; 20];
        let mut found = Vec::new();
        let copies = [&paragraph[..], &paragraph[..19]];
        Analyzer::new().similar_pairs_by_prefix(2, |n| copies[n], |a, b| found.push((a, b)));
        assert_eq!(found, [(0, 1)]);
    }
}
