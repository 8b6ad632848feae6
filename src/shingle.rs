//! Shingling: turns a text into the set of 64-bit fingerprints of its shingles (word k-grams or
//! character k-grams of the normalized text), sorted and deduplicated.
//!
//! Shingles are never materialized as strings. Each token is hashed once
//! ([`crate::normalize::token_hash`]); a word k-gram
//! is a polynomial combination of its k token hashes, updated in O(1) per position as the window
//! rolls, and passed through a 64-bit finalizer. Character k-grams roll the same way over hashed
//! characters of the normalized text (tokens joined by one space).
//!
//! A text with at least one but fewer than k units still gets one shingle (all its units), so short
//! documents are compared instead of silently dropped; a text with no tokens has no shingles.

use crate::normalize::Tokenizer;

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
    /// [`compact`] need no order), of a text whose tokens were already hashed ([`crate::normalize::token_hash`] of each normalized token, as [`crate::paragraph::Analyzer`]
    /// does), so a document is tokenized once for both its paragraphs and its shingles. Only for
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

/// The murmur3/splitmix 64-bit finalizer: a bijection that spreads every input bit.
#[inline]
pub(crate) fn finalize(mut x: u64) -> u64 {
    x ^= x >> 30;
    x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x ^= x >> 27;
    x = x.wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
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
pub fn compact_unsorted(fingerprints: &[u64]) -> Vec<u32> {
    if fingerprints.len() > SORT_AT_ONCE {
        return compact(fingerprints);
    }
    fingerprints.iter().map(|&x| (x >> 32) as u32).collect()
}

/// Length above which [`compact_unsorted`] sorts and deduplicates at once.
pub const SORT_AT_ONCE: usize = 4096;

/// Exact Jaccard similarity |A ∩ B| / |A ∪ B| of two sorted, deduplicated fingerprint sets.
/// Two empty sets are identical (1.0).
pub fn jaccard<T: Ord + Copy>(a: &[T], b: &[T]) -> f64 {
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    let common = intersection_size(a, b);
    common as f64 / (a.len() + b.len() - common) as f64
}

/// Jaccard similarity if it is at least `threshold`, else `None`; skips the merge when the sizes
/// alone rule the pair out (|A ∩ B| / |A ∪ B| <= min(|A|, |B|) / max(|A|, |B|)).
pub fn jaccard_at_least<T: Ord + Copy>(a: &[T], b: &[T], threshold: f64) -> Option<f64> {
    let (small, large) = if a.len() <= b.len() {
        (a.len(), b.len())
    } else {
        (b.len(), a.len())
    };
    // The same division as `jaccard`, so that a pair exactly at the threshold is never cut by
    // rounding (0.55 * 100 is not 55.0 in floating point).
    if large > 0 && (small as f64 / large as f64) < threshold {
        return None;
    }
    // J >= t needs |A ∩ B| >= t (|A| + |B|) / (1 + t); one below the floor of that stays on the
    // safe side of rounding, and the merge stops as soon as the rest cannot reach it.
    let total = a.len() + b.len();
    let need = ((threshold * total as f64 / (1.0 + threshold)).floor() as usize).saturating_sub(1);
    let common = intersection_size_at_least(a, b, need)?;
    if total == 0 {
        return (1.0 >= threshold).then_some(1.0);
    }
    let j = common as f64 / (total - common) as f64;
    (j >= threshold).then_some(j)
}

/// [`intersection_size`], or `None` as soon as the elements left cannot bring it to `need`.
pub fn intersection_size_at_least<T: Ord + Copy>(a: &[T], b: &[T], need: usize) -> Option<usize> {
    // Branch-free steps in blocks; the bound is checked between blocks.
    const BLOCK: usize = 32;
    let (mut i, mut j, mut common) = (0, 0, 0);
    loop {
        let left = (a.len() - i).min(b.len() - j);
        if left == 0 {
            break;
        }
        if common + left < need {
            return None;
        }
        // Each step advances i or j (or both), so `left` steps stay inside both slices.
        for _ in 0..left.min(BLOCK) {
            let (x, y) = (a[i], b[j]);
            common += usize::from(x == y);
            i += usize::from(x <= y);
            j += usize::from(y <= x);
        }
    }
    (common >= need).then_some(common)
}

/// Number of common elements of two sorted, deduplicated slices (linear merge).
pub fn intersection_size<T: Ord + Copy>(a: &[T], b: &[T]) -> usize {
    // With nothing needed, the bounded merge never stops early.
    intersection_size_at_least(a, b, 0).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let unsorted = compact_unsorted(&fingerprints);
        assert_eq!(unsorted, compact(&fingerprints));
        assert!(unsorted.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(unsorted.len(), 5000);
        // Short lists keep their order and repeats.
        assert_eq!(
            compact_unsorted(&[3 << 32, 1 << 32, 3 << 32]),
            vec![3, 1, 3]
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
    fn jaccard_of_known_sets() {
        assert_eq!(jaccard(&[1, 2, 3], &[2, 3, 4]), 0.5);
        assert_eq!(jaccard(&[1, 2], &[1, 2]), 1.0);
        assert_eq!(jaccard(&[1], &[2]), 0.0);
        assert_eq!(jaccard::<u64>(&[], &[]), 1.0);
        assert_eq!(jaccard(&[], &[1]), 0.0);
    }

    #[test]
    fn size_filter_agrees_with_the_exact_jaccard() {
        let a: Vec<u64> = (0..100).collect();
        let b: Vec<u64> = (0..70).collect();
        assert_eq!(jaccard_at_least(&a, &b, 0.8), None);
        assert_eq!(jaccard_at_least(&a, &b, 0.7), Some(0.7));
        let c: Vec<u64> = (10..100).collect();
        assert_eq!(jaccard_at_least(&a, &c, 0.9), Some(0.9));
    }

    proptest::proptest! {
        #[test]
        fn early_exit_agrees_with_the_full_merge(
            a in proptest::collection::btree_set(0u32..400, 0..200),
            b in proptest::collection::btree_set(0u32..400, 0..200),
            need in 0usize..220,
            threshold in 0.0f64..1.0,
        ) {
            let common = a.intersection(&b).count();
            let (a, b): (Vec<u32>, Vec<u32>) = (a.into_iter().collect(), b.into_iter().collect());
            proptest::prop_assert_eq!(intersection_size(&a, &b), common);
            let bounded = intersection_size_at_least(&a, &b, need);
            proptest::prop_assert_eq!(bounded, (common >= need).then_some(common));
            let j = jaccard(&a, &b);
            proptest::prop_assert_eq!(jaccard_at_least(&a, &b, threshold), (j >= threshold).then_some(j));
        }
    }

    #[test]
    fn exact_jaccard_at_the_threshold_survives_the_early_exit() {
        // Pairs exactly at t for several t and sizes: the merge must not stop one short.
        for (n, shift) in [(100u64, 10u64), (90, 9), (1000, 111), (7, 1), (64, 32)] {
            let a: Vec<u64> = (0..n).collect();
            let b: Vec<u64> = (shift..n + shift).collect();
            let j = jaccard(&a, &b);
            assert_eq!(jaccard_at_least(&a, &b, j), Some(j), "{n} {shift}");
        }
    }

    #[test]
    fn size_filter_keeps_a_pair_exactly_at_the_threshold() {
        // 55 of 100, contained: Jaccard exactly 0.55 (and 0.55 * 100.0 > 55.0 in floating point).
        let large: Vec<u64> = (0..100).collect();
        let small: Vec<u64> = (0..55).collect();
        assert_eq!(jaccard_at_least(&large, &small, 0.55), Some(0.55));
        let small: Vec<u64> = (0..81).collect();
        assert_eq!(jaccard_at_least(&large, &small, 0.81), Some(0.81));
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
