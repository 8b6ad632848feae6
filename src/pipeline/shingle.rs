//! Shingling: turns a text into the 64-bit fingerprints of its shingles (word k-grams or
//! character k-grams of the normalized text), and those into the 32-bit sets that verification
//! compares.
//!
//! [`Shingler::shingle`] gives a sorted, deduplicated set. The scan takes the cheaper path: the
//! fingerprints of a document in text order, with repeats ([`Shingler::shingle_token_hashes`]),
//! which signing does not mind; their 32-bit forms are kept unsorted ([`compact_unsorted`]) and
//! sorted by [`sort_set`] only for the documents that turn out to be in a candidate pair.
//!
//! Shingles are never materialized as strings. Each token is hashed once (the tokenizer's
//! `token_hash`); a word k-gram
//! is a polynomial combination of its k token hashes, updated in O(1) per position as the window
//! rolls, and passed through a 64-bit finalizer. Character k-grams roll the same way over hashed
//! characters of the normalized text (tokens joined by one space).
//!
//! A text with at least one but fewer than k units still gets one shingle (all its units), so short
//! documents are compared instead of silently dropped; a text with no tokens has no shingles.

use super::hash::finalize;
use super::normalize::Tokenizer;

/// How a text is cut into shingles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShingleKind {
    /// k consecutive tokens.
    Words(usize),
    /// k consecutive characters of the normalized text (tokens joined by one space).
    Chars(usize),
}

impl ShingleKind {
    /// The k of the k-grams.
    pub fn size(self) -> usize {
        match self {
            ShingleKind::Words(k) | ShingleKind::Chars(k) => k,
        }
    }

    /// `"word"` or `"char"`, as reported in the parameters.
    pub fn unit(self) -> &'static str {
        match self {
            ShingleKind::Words(_) => "word",
            ShingleKind::Chars(_) => "char",
        }
    }
}

/// Odd multiplier of the rolling polynomial (a 64-bit constant with well-mixed bits).
const ROLL_BASE: u64 = 0x9E37_79B9_7F4A_7C15;

/// Reusable shingler: one per worker thread, so that the hot loop does not allocate.
#[derive(Debug)]
pub struct Shingler {
    kind: ShingleKind,
    tokenizer: Tokenizer,
    /// Hash of every unit (token or character) of the current text, in order.
    unit_hashes: Vec<u64>,
}

impl Shingler {
    /// A shingler for `kind`. `kind.size()` must be at least 1 (validated by the caller's config).
    pub fn new(kind: ShingleKind) -> Self {
        Shingler {
            kind,
            tokenizer: Tokenizer::new(),
            unit_hashes: Vec::new(),
        }
    }

    /// The kind of shingles this shingler makes.
    pub fn kind(&self) -> ShingleKind {
        self.kind
    }

    /// Replaces `out` with the sorted, deduplicated shingle fingerprints of `text` and returns the
    /// number of tokens in the text.
    pub fn shingle(&mut self, text: &str, out: &mut Vec<u64>) -> usize {
        out.clear();
        self.unit_hashes.clear();
        let units = &mut self.unit_hashes;
        let mut tokens = 0usize;
        match self.kind {
            ShingleKind::Words(_) => {
                self.tokenizer.for_each_token_hash(text, |hash| {
                    tokens += 1;
                    units.push(hash);
                });
            }
            ShingleKind::Chars(_) => self.tokenizer.for_each_token(text, |token| {
                if tokens > 0 {
                    units.push(char_hash(' '));
                }
                tokens += 1;
                units.extend(token.chars().map(char_hash));
            }),
        }
        rolling_shingles(units, self.kind.size(), out);
        out.sort_unstable();
        out.dedup();
        tokens
    }

    /// Replaces `out` with the word shingles, in text order and with repeats (signing and
    /// `compact` need no order), of a text whose tokens were already hashed (the tokenizer's
    /// `token_hash` of each normalized token, as the paragraph analyzer does), so a document is tokenized once for both its paragraphs and its shingles. Only for
    /// word shingles: returns false and leaves `out` empty for character shingles.
    pub fn shingle_token_hashes(&self, token_hashes: &[u64], out: &mut Vec<u64>) -> bool {
        out.clear();
        let ShingleKind::Words(k) = self.kind else {
            return false;
        };
        rolling_shingles(token_hashes, k, out);
        true
    }
}

#[inline]
fn char_hash(c: char) -> u64 {
    finalize(u64::from(c as u32) ^ 0xA076_1D64_78BD_642F)
}

/// Pushes one fingerprint per window of `k` consecutive unit hashes (one for the whole sequence
/// when it is shorter than `k`, none when it is empty).
pub(crate) fn rolling_shingles(units: &[u64], k: usize, out: &mut Vec<u64>) {
    let k = k.max(1);
    if units.is_empty() {
        return;
    }
    if units.len() <= k {
        let h = units
            .iter()
            .fold(0u64, |h, &u| h.wrapping_mul(ROLL_BASE).wrapping_add(u));
        out.push(finalize(h ^ units.len() as u64));
        return;
    }
    // h = u[i]*B^(k-1) + ... + u[i+k-1]; rolling: drop u[i]*B^(k-1), multiply by B, add u[i+k].
    let top_power = (1..k).fold(1u64, |p, _| p.wrapping_mul(ROLL_BASE));
    let mut h = units[..k]
        .iter()
        .fold(0u64, |h, &u| h.wrapping_mul(ROLL_BASE).wrapping_add(u));
    out.reserve(units.len() - k + 1);
    out.push(finalize(h ^ k as u64));
    // Zipped slices make an iterator of known length: `extend` writes it without a capacity
    // check or bounds check per shingle.
    out.extend(units.iter().zip(&units[k..]).map(|(&leaving, &entering)| {
        h = h
            .wrapping_sub(leaving.wrapping_mul(top_power))
            .wrapping_mul(ROLL_BASE)
            .wrapping_add(entering);
        finalize(h ^ k as u64)
    }));
}

/// The 32-bit verification form of a list of 64-bit fingerprints (in any order, repeats
/// allowed): their top halves, sorted and deduplicated. Half the memory of the 64-bit set, and a
/// 32-bit sort; two distinct shingles of a pair of documents collide with probability about
/// |A| |B| / 2^32 (6e-5 for two 500-shingle documents).
pub fn compact(fingerprints: &[u64]) -> Vec<u32> {
    let mut out: Vec<u32> = fingerprints.iter().map(|&x| (x >> 32) as u32).collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// Sorts a 32-bit set and removes its repeats. Sets of verification size are sorted by a
/// least-significant-digit radix sort (one counting pass for all four bytes, then one
/// distribution pass per byte, skipping a byte that is the same in every value); short ones by
/// comparison.
pub fn sort_set(set: &mut Vec<u32>) {
    const RADIX_FROM: usize = 128;
    if set.len() < RADIX_FROM {
        set.sort_unstable();
        set.dedup();
        return;
    }
    let n = set.len();
    let mut counts = [[0usize; 256]; 4];
    for &v in set.iter() {
        for (byte, count) in counts.iter_mut().enumerate() {
            count[((v >> (8 * byte)) & 0xFF) as usize] += 1;
        }
    }
    let mut other = vec![0u32; n];
    for (byte, count) in counts.iter().enumerate() {
        if count.contains(&n) {
            continue; // every value has the same byte here: the pass would change nothing
        }
        let mut next = [0usize; 256];
        let mut total = 0;
        for (slot, &c) in next.iter_mut().zip(count) {
            *slot = total;
            total += c;
        }
        for &v in set.iter() {
            let digit = ((v >> (8 * byte)) & 0xFF) as usize;
            other[next[digit]] = v;
            next[digit] += 1;
        }
        std::mem::swap(set, &mut other);
    }
    set.dedup();
}

/// The top halves of `fingerprints`, in their order, repeats kept: [`compact`] without the sort,
/// for sets that may never need one. Lists longer than [`SORT_AT_ONCE`] are sorted and
/// deduplicated right away, so that a text repeating itself cannot hold one entry per word.
/// Returns the set and whether it is sorted and deduplicated.
pub fn compact_unsorted(fingerprints: &[u64]) -> (Vec<u32>, bool) {
    if fingerprints.len() > SORT_AT_ONCE {
        return (compact(fingerprints), true);
    }
    (
        fingerprints.iter().map(|&x| (x >> 32) as u32).collect(),
        false,
    )
}

/// Length above which [`compact_unsorted`] sorts and deduplicates at once.
pub const SORT_AT_ONCE: usize = 4096;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::jaccard::jaccard;

    use proptest::strategy::Strategy as _;

    proptest::proptest! {
        #[test]
        fn radix_set_sort_matches_the_comparison_sort(
            values in (0u32..3, proptest::collection::vec(proptest::num::u32::ANY, 0..600))
                .prop_map(|(mode, values)| {
                    // Random values; small ones with many repeats (the high bytes are all zero);
                    // only the top byte varying (three passes skipped).
                    values
                        .into_iter()
                        .map(|v| match mode {
                            0 => v,
                            1 => v % 300,
                            _ => (v & 0xFF00_0000) | 0x00AB_CD00,
                        })
                        .collect::<Vec<u32>>()
                })
        ) {
            let mut expected = values.clone();
            expected.sort_unstable();
            expected.dedup();
            let mut got = values;
            sort_set(&mut got);
            proptest::prop_assert_eq!(got, expected);
        }
    }

    #[test]
    fn long_lists_are_compacted_sorted_at_once() {
        // More fingerprints than SORT_AT_ONCE, with repeats: sorted and deduplicated right away.
        let fingerprints: Vec<u64> = (0..3 * SORT_AT_ONCE as u64)
            .map(|i| ((i % 5000) << 32).wrapping_mul(0x9E37_79B9))
            .collect();
        let (unsorted, sorted) = compact_unsorted(&fingerprints);
        assert!(sorted);
        assert_eq!(unsorted, compact(&fingerprints));
        assert!(unsorted.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(unsorted.len(), 5000);
        // Short lists keep their order and repeats.
        assert_eq!(
            compact_unsorted(&[3 << 32, 1 << 32, 3 << 32]),
            (vec![3, 1, 3], false)
        );
    }

    fn shingles(kind: ShingleKind, text: &str) -> (Vec<u64>, usize) {
        let mut out = Vec::new();
        let tokens = Shingler::new(kind).shingle(text, &mut out);
        (out, tokens)
    }

    #[test]
    fn a_text_of_n_words_has_n_minus_k_plus_1_word_shingles() {
        let (s, tokens) = shingles(ShingleKind::Words(3), "a b c d e f");
        assert_eq!(tokens, 6);
        assert_eq!(s.len(), 4);
    }

    #[test]
    fn repeated_windows_are_counted_once() {
        let (s, _) = shingles(ShingleKind::Words(2), "a b a b a b");
        assert_eq!(s.len(), 2); // "a b" and "b a"
    }

    #[test]
    fn a_text_shorter_than_k_still_has_one_shingle() {
        let (s, tokens) = shingles(ShingleKind::Words(5), "Share this");
        assert_eq!((s.len(), tokens), (1, 2));
        let (other, _) = shingles(ShingleKind::Words(5), "share, THIS!");
        assert_eq!(s, other);
        let (different, _) = shingles(ShingleKind::Words(5), "share that");
        assert_ne!(s, different);
    }

    #[test]
    fn empty_and_punctuation_only_texts_have_no_shingles() {
        assert_eq!(shingles(ShingleKind::Words(5), ""), (vec![], 0));
        assert_eq!(shingles(ShingleKind::Words(5), " -- \r\n"), (vec![], 0));
        assert_eq!(shingles(ShingleKind::Chars(4), "…"), (vec![], 0));
    }

    #[test]
    fn word_order_matters_inside_a_shingle() {
        let (ab, _) = shingles(ShingleKind::Words(2), "alpha beta");
        let (ba, _) = shingles(ShingleKind::Words(2), "beta alpha");
        assert_ne!(ab, ba);
    }

    #[test]
    fn rolling_hash_equals_hash_of_the_window_computed_directly() {
        // The shingle of "c d e" inside a long text equals the shingle of the text "c d e" alone
        // (k = 3, exactly k words, so both go through the same window formula).
        let (long, _) = shingles(ShingleKind::Words(3), "a b c d e f g");
        let (alone, _) = shingles(ShingleKind::Words(3), "c d e");
        assert_eq!(alone.len(), 1);
        assert!(long.contains(&alone[0]));
    }

    #[test]
    fn char_shingles_cover_the_normalized_text() {
        // "ab cd" has 5 characters, so 3 windows of 3.
        let (s, tokens) = shingles(ShingleKind::Chars(3), "AB,\n cd");
        assert_eq!((s.len(), tokens), (3, 2));
        let (same, _) = shingles(ShingleKind::Chars(3), "ab cd");
        assert_eq!(s, same);
    }

    #[test]
    fn near_duplicate_chinese_pair_shares_most_shingles() {
        let a = "朝鲜与俄罗斯签署全面战略伙伴关系条约，双方承诺在遭受侵略时相互提供军事援助。\
                 分析人士认为，这一条约将深刻影响东北亚的安全格局。";
        let b = "朝鲜与俄罗斯签署全面战略伙伴关系条约,双方承诺在遭受侵略时相互提供军事援助.\
                 分析人士认为,这一条约将深远影响东北亚的安全格局.";
        let unrelated = "今天天气很好，我们去公园散步，看到很多人在放风筝，孩子们玩得很开心。";
        let (sa, _) = shingles(ShingleKind::Words(5), a);
        let (sb, _) = shingles(ShingleKind::Words(5), b);
        let (su, _) = shingles(ShingleKind::Words(5), unrelated);
        assert!(sa.len() > 40, "Chinese text must give many shingles");
        let near = jaccard(&sa, &sb);
        assert!(near > 0.8 && near < 1.0, "near-duplicate pair: {near}");
        assert!(jaccard(&sa, &su) < 0.05);
    }
}
