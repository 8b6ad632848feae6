//! Similarity of sorted, deduplicated sets (shingle sets, paragraph shingles): the exact Jaccard
//! and the bounded merges that stop as soon as a threshold is out of reach. Depends on nothing
//! else in the crate.

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
}
