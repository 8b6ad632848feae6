//! Property tests of the invariants the pipeline relies on.

use neardup::cluster::{Linkage, SimilarPair, group};
use neardup::minhash::{MinHasher, estimate_jaccard};
use neardup::normalize::Tokenizer;
use neardup::shingle::{ShingleKind, Shingler, jaccard, jaccard_at_least};
use proptest::prelude::*;

fn sorted_set(v: Vec<u64>) -> Vec<u64> {
    let mut v = v;
    v.sort_unstable();
    v.dedup();
    v
}

fn shingles(kind: ShingleKind, text: &str) -> Vec<u64> {
    let mut out = Vec::new();
    Shingler::new(kind).shingle(text, &mut out);
    out
}

/// Words of a small alphabet so that random texts share shingles.
fn text_strategy() -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec("[a-eA-E]{1,3}", 0..60)
}

proptest! {
    #[test]
    fn jaccard_is_symmetric_bounded_and_one_on_itself(
        a in prop::collection::vec(0u64..200, 0..100),
        b in prop::collection::vec(0u64..200, 0..100),
    ) {
        let (a, b) = (sorted_set(a), sorted_set(b));
        let ab = jaccard(&a, &b);
        prop_assert_eq!(ab, jaccard(&b, &a));
        prop_assert!((0.0..=1.0).contains(&ab));
        prop_assert_eq!(jaccard(&a, &a), 1.0);
    }

    #[test]
    fn jaccard_equals_the_set_definition(
        a in prop::collection::btree_set(0u64..100, 0..50),
        b in prop::collection::btree_set(0u64..100, 0..50),
    ) {
        let union = a.union(&b).count();
        let inter = a.intersection(&b).count();
        let expected = if union == 0 { 1.0 } else { inter as f64 / union as f64 };
        let (va, vb): (Vec<u64>, Vec<u64>) = (a.into_iter().collect(), b.into_iter().collect());
        prop_assert_eq!(jaccard(&va, &vb), expected);
    }

    #[test]
    fn size_filter_never_drops_a_pair_at_or_above_the_threshold(
        a in prop::collection::vec(0u64..300, 0..120),
        b in prop::collection::vec(0u64..300, 0..120),
        t in 0.05f64..1.0,
    ) {
        let (a, b) = (sorted_set(a), sorted_set(b));
        let exact = jaccard(&a, &b);
        prop_assert_eq!(jaccard_at_least(&a, &b, t), (exact >= t).then_some(exact));
    }

    #[test]
    fn shingles_ignore_case_wrapping_and_punctuation(words in text_strategy(), k in 1usize..6) {
        let plain = words.join(" ");
        let mut noisy = String::new();
        for (i, w) in words.iter().enumerate() {
            noisy.push_str(match i % 4 { 0 => " ", 1 => "\r\n", 2 => " -- ", _ => ",\u{A0}" });
            noisy.push_str(&if i % 3 == 0 { w.to_uppercase() } else { w.to_lowercase() });
        }
        noisy.push('.');
        for kind in [ShingleKind::Words(k), ShingleKind::Chars(k)] {
            prop_assert_eq!(shingles(kind, &plain), shingles(kind, &noisy));
        }
    }

    #[test]
    fn a_nonempty_text_always_has_a_shingle(words in text_strategy(), k in 1usize..8) {
        let text = words.join(" ");
        let s = shingles(ShingleKind::Words(k), &text);
        prop_assert_eq!(s.is_empty(), words.is_empty());
        if !words.is_empty() {
            prop_assert!(s.len() <= words.len().saturating_sub(k) + 1);
        }
    }

    #[test]
    fn tokenizer_never_panics_and_is_idempotent(text in "\\PC{0,80}") {
        let mut t = Tokenizer::new();
        let once = t.normalized(&text);
        prop_assert_eq!(t.normalized(&once), once.clone());
    }

    #[test]
    fn minhash_of_a_set_does_not_depend_on_element_order(
        set in prop::collection::vec(any::<u64>(), 1..200),
        seed in any::<u64>(),
    ) {
        let h = MinHasher::new(32, seed);
        let mut reversed = set.clone();
        reversed.reverse();
        let (mut s1, mut s2) = (vec![0; 32], vec![0; 32]);
        h.sign(&set, &mut s1);
        h.sign(&reversed, &mut s2);
        prop_assert_eq!(&s1, &s2);
        prop_assert_eq!(estimate_jaccard(&s1, &s2), 1.0);
    }

    #[test]
    fn clusters_do_not_depend_on_pair_order(
        edges in prop::collection::vec((0u32..30, 0u32..30, 0.5f64..1.0), 0..60),
        rotate in 0usize..60,
    ) {
        let pairs: Vec<SimilarPair> = edges
            .iter()
            .filter(|(a, b, _)| a != b)
            .map(|&(a, b, similarity)| SimilarPair { a: a.min(b), b: a.max(b), similarity })
            .collect();
        let tokens: Vec<usize> = (0..30).map(|i| (i * 7) % 11).collect();
        let expected = group(30, &pairs, &tokens, Linkage::Center);
        let mut moved = pairs.clone();
        if !moved.is_empty() {
            let r = rotate % moved.len();
            moved.rotate_left(r);
        }
        moved.reverse();
        prop_assert_eq!(group(30, &moved, &tokens, Linkage::Center), expected.clone());
        // Every member belongs to exactly one group.
        let mut seen = std::collections::HashSet::new();
        for g in &expected {
            prop_assert!(g.members.len() >= 2);
            prop_assert!(g.members.contains(&g.representative));
            for m in &g.members {
                prop_assert!(seen.insert(*m));
            }
        }
    }
}
