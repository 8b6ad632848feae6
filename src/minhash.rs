//! MinHash signatures: a fixed-size sketch of a shingle set whose agreement rate estimates the
//! Jaccard similarity of two sets.
//!
//! Permutation `i` maps a shingle fingerprint `x` to `a_i * x + b_i (mod 2^64)` with `a_i` odd,
//! a bijection of the 64-bit space; the signature keeps the minimum of each over the set. The
//! `(a_i, b_i)` come from a SplitMix64 stream started at the user's seed, so signatures are the
//! same on every run, machine and thread count. Shingle fingerprints are already uniform 64-bit
//! hashes (xxh3, see `shingle`), which is what makes this cheap family behave like independent
//! random permutations (tested below against the exact Jaccard).
//!
//! The hasher fills a caller-owned buffer: no allocation per document.

/// A seeded family of `num_perm` hash permutations.
#[derive(Debug, Clone)]
pub struct MinHasher {
    multipliers: Vec<u64>,
    offsets: Vec<u64>,
}

/// SplitMix64: a tiny, well-mixed deterministic stream for deriving parameters from a seed.
pub(crate) struct SplitMix64(u64);

impl SplitMix64 {
    pub(crate) fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        crate::shingle::finalize(self.0)
    }
}

impl MinHasher {
    /// `num_perm` permutations derived from `seed`.
    pub fn new(num_perm: usize, seed: u64) -> Self {
        let mut rng = SplitMix64::new(seed);
        let mut multipliers = Vec::with_capacity(num_perm);
        let mut offsets = Vec::with_capacity(num_perm);
        for _ in 0..num_perm {
            multipliers.push(rng.next_u64() | 1);
            offsets.push(rng.next_u64());
        }
        MinHasher {
            multipliers,
            offsets,
        }
    }

    /// Number of permutations, the length of a signature.
    pub fn num_perm(&self) -> usize {
        self.multipliers.len()
    }

    /// Writes the signature of `shingles` into `signature` (length `num_perm`). An empty set gets
    /// all `u64::MAX`.
    pub fn sign(&self, shingles: &[u64], signature: &mut [u64]) {
        assert_eq!(signature.len(), self.num_perm(), "signature buffer length");
        signature.fill(u64::MAX);
        for &x in shingles {
            for ((slot, &a), &b) in signature
                .iter_mut()
                .zip(&self.multipliers)
                .zip(&self.offsets)
            {
                let v = a.wrapping_mul(x).wrapping_add(b);
                *slot = (*slot).min(v);
            }
        }
    }
}

/// Fraction of positions where two signatures agree: the MinHash estimate of their Jaccard
/// similarity.
pub fn estimate_jaccard(a: &[u64], b: &[u64]) -> f64 {
    debug_assert_eq!(a.len(), b.len());
    if a.is_empty() {
        return 0.0;
    }
    let equal = a.iter().zip(b).filter(|(x, y)| x == y).count();
    equal as f64 / a.len() as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shingle::jaccard;

    fn signature(hasher: &MinHasher, set: &[u64]) -> Vec<u64> {
        let mut sig = vec![0; hasher.num_perm()];
        hasher.sign(set, &mut sig);
        sig
    }

    /// Two sets with `common` shared and `only` private elements each, drawn from a hash stream.
    fn pair(
        rng: &mut SplitMix64,
        common: usize,
        only_a: usize,
        only_b: usize,
    ) -> (Vec<u64>, Vec<u64>) {
        let shared: Vec<u64> = (0..common).map(|_| rng.next_u64()).collect();
        let mut a = shared.clone();
        a.extend((0..only_a).map(|_| rng.next_u64()));
        let mut b = shared;
        b.extend((0..only_b).map(|_| rng.next_u64()));
        a.sort_unstable();
        b.sort_unstable();
        (a, b)
    }

    #[test]
    fn same_seed_gives_same_signature_and_other_seed_differs() {
        let set = [1u64, 99, 12345, u64::MAX - 3];
        assert_eq!(
            signature(&MinHasher::new(64, 7), &set),
            signature(&MinHasher::new(64, 7), &set)
        );
        assert_ne!(
            signature(&MinHasher::new(64, 7), &set),
            signature(&MinHasher::new(64, 8), &set)
        );
    }

    #[test]
    fn identical_sets_have_identical_signatures_whatever_the_order() {
        let h = MinHasher::new(128, 1);
        assert_eq!(signature(&h, &[5, 3, 9]), signature(&h, &[9, 5, 3]));
        assert_eq!(
            estimate_jaccard(&signature(&h, &[5, 3, 9]), &signature(&h, &[3, 9, 5])),
            1.0
        );
    }

    #[test]
    fn estimate_is_within_its_expected_error_of_the_true_jaccard() {
        // With P permutations the estimate is Binomial(P, J)/P: standard error sqrt(J(1-J)/P).
        // Over many pairs, the mean error must be close to 0 (unbiased) and almost all pairs must
        // lie within 4 standard errors.
        let perms = 128;
        let h = MinHasher::new(perms, 42);
        let mut rng = SplitMix64::new(2024);
        let mut outside = 0;
        let mut total_error = 0.0;
        let trials = 600;
        for t in 0..trials {
            let common = 50 + (t * 7) % 400;
            let only = (t * 13) % 300;
            let (a, b) = pair(&mut rng, common, only, (t * 5) % 200);
            let truth = jaccard(&a, &b);
            let est = estimate_jaccard(&signature(&h, &a), &signature(&h, &b));
            let sd = (truth * (1.0 - truth) / perms as f64).sqrt().max(1e-9);
            if (est - truth).abs() > 4.0 * sd + 1.0 / perms as f64 {
                outside += 1;
            }
            total_error += est - truth;
        }
        assert!(outside <= 2, "{outside} of {trials} estimates beyond 4 sd");
        let bias = total_error / trials as f64;
        assert!(bias.abs() < 0.01, "mean error {bias}");
    }

    #[test]
    fn disjoint_sets_rarely_agree() {
        let h = MinHasher::new(256, 3);
        let mut rng = SplitMix64::new(5);
        let (a, b) = pair(&mut rng, 0, 500, 500);
        assert!(estimate_jaccard(&signature(&h, &a), &signature(&h, &b)) < 0.02);
    }
}
