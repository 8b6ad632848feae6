//! MinHash signatures: a fixed-size sketch of a shingle set whose agreement rate estimates the
//! Jaccard similarity of two sets. Two schemes, both seeded and deterministic:
//!
//! - **One-permutation hashing with optimal densification** (default, [`Scheme::OnePermutation`];
//!   Li, Owen and Zhang 2012; Shrivastava 2017). Each shingle is hashed once,
//!   `h = (x ^ salt) * m` with `m` odd (a bijection of the 64-bit space); the top bits of `h`
//!   pick one of the `num_perm` bins and the bin keeps its smallest `h`. Bins that no shingle
//!   fell into borrow the value of a non-empty bin, found by a sequence that depends only on the
//!   bin and the seed (8 random probes, then the bins to its right), so that two documents
//!   borrow from the same place and the estimate stays unbiased. One multiply per shingle
//!   instead of `num_perm`, and a bounded cost per empty bin.
//! - **Classic k-hash MinHash** ([`Scheme::Classic`]). Permutation `i` maps a fingerprint `x` to
//!   `a_i * x + b_i (mod 2^64)` with `a_i` odd, and the signature keeps the minimum of each over
//!   the set: `num_perm` multiply-adds per shingle.
//!
//! Parameters come from a SplitMix64 stream started at the user's seed, so signatures are the
//! same on every run, machine and thread count. Shingle fingerprints are already well-mixed 64-bit
//! hashes (a finalizer over hashed tokens, see `shingle`), which is what makes these cheap families behave like random
//! permutations (tested below against the exact Jaccard for both schemes).
//!
//! The hasher fills a caller-owned buffer. The table of filled bins that densification needs is
//! on the stack up to 4,096 bins (every length a scan accepts), so signing allocates nothing.

use super::hash::{SplitMix64, finalize};

/// How signatures are computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// One hash per shingle, `num_perm` bins, optimal densification of empty bins.
    OnePermutation,
    /// `num_perm` independent hash functions.
    Classic,
}

impl Scheme {
    /// The name used on the command line and in reports.
    pub fn name(self) -> &'static str {
        match self {
            Scheme::OnePermutation => "oph",
            Scheme::Classic => "classic",
        }
    }
}

/// A seeded MinHash family with `num_perm` positions.
#[derive(Debug, Clone)]
pub struct MinHasher {
    scheme: Scheme,
    num_perm: usize,
    /// Classic: one multiplier and offset per permutation.
    multipliers: Vec<u64>,
    offsets: Vec<u64>,
    /// One-permutation hashing: the salt and odd multiplier of the single hash, and the seed of
    /// the densification probes.
    salt: u64,
    multiplier: u64,
    probe_seed: u64,
}

impl MinHasher {
    /// `num_perm` positions of the default scheme (one-permutation hashing) from `seed`.
    pub fn new(num_perm: usize, seed: u64) -> Self {
        Self::with_scheme(Scheme::OnePermutation, num_perm, seed)
    }

    /// `num_perm` positions of `scheme` from `seed`.
    pub fn with_scheme(scheme: Scheme, num_perm: usize, seed: u64) -> Self {
        let mut rng = SplitMix64::new(seed);
        let mut multipliers = Vec::new();
        let mut offsets = Vec::new();
        if scheme == Scheme::Classic {
            for _ in 0..num_perm {
                multipliers.push(rng.next_u64() | 1);
                offsets.push(rng.next_u64());
            }
        }
        MinHasher {
            scheme,
            num_perm,
            multipliers,
            offsets,
            salt: rng.next_u64(),
            multiplier: rng.next_u64() | 1,
            probe_seed: rng.next_u64(),
        }
    }

    /// Number of positions, the length of a signature.
    pub fn num_perm(&self) -> usize {
        self.num_perm
    }

    /// The scheme.
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// Writes the signature of `shingles` into `signature` (length `num_perm`). An empty set gets
    /// all `u64::MAX`.
    pub fn sign(&self, shingles: &[u64], signature: &mut [u64]) {
        assert_eq!(signature.len(), self.num_perm(), "signature buffer length");
        signature.fill(u64::MAX);
        match self.scheme {
            Scheme::Classic => self.sign_classic(shingles, signature),
            Scheme::OnePermutation => self.sign_one_permutation(shingles, signature),
        }
    }

    fn sign_classic(&self, shingles: &[u64], signature: &mut [u64]) {
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

    fn sign_one_permutation(&self, shingles: &[u64], signature: &mut [u64]) {
        if shingles.is_empty() {
            return;
        }
        let bins = signature.len();
        let hash = |x: u64| (x ^ self.salt).wrapping_mul(self.multiplier);
        let bin_of = |h: u64| ((u128::from(h) * bins as u128) >> 64) as usize;
        // Bins are ranges of h (its top bits), so a bin's minimum is the minimum of the h that
        // fall into it.
        let mut saw_max = false;
        for &x in shingles {
            let h = hash(x);
            let slot = &mut signature[bin_of(h)];
            *slot = (*slot).min(h);
            saw_max |= h == u64::MAX;
        }
        // `filled` marks bins that got a shingle: those below u64::MAX, and (if some shingle
        // hashed to u64::MAX itself, about never) the last bin, where such shingles fall.
        let mut small = [0u64; 64];
        let mut large = Vec::new();
        let filled: &mut [u64] = if bins <= 64 * 64 {
            &mut small[..bins.div_ceil(64)]
        } else {
            large.resize(bins.div_ceil(64), 0);
            &mut large
        };
        let mut mark = |bin: usize| filled[bin / 64] |= 1 << (bin % 64);
        for (bin, &value) in signature.iter().enumerate() {
            if value != u64::MAX {
                mark(bin);
            }
        }
        if saw_max {
            mark(bin_of(u64::MAX));
        }
        let is_filled = |bin: usize| filled[bin / 64] >> (bin % 64) & 1 == 1;
        if (0..bins).all(is_filled) {
            return;
        }
        // Densification: an empty bin takes the value of the first filled bin along a sequence
        // that depends only on the seed and the bin (never on the document), so two documents
        // borrow alike and agreement still estimates J: up to PROBES random bins (optimal
        // densification), then the bins to its right, circularly, found 64 at a time in the
        // `filled` words. Filled bins are never written, so sources are read in place. Cost: at
        // most PROBES hashes per empty bin, no allocation.
        const PROBES: u64 = 8;
        let next_filled = |bin: usize| -> usize {
            let words = filled.len();
            let start = (bin + 1) % bins;
            // The start word without the bits before `start`, then whole words, circularly
            // (ending with the start word's low bits).
            let first = filled[start / 64] & (u64::MAX << (start % 64));
            if first != 0 {
                return start / 64 * 64 + first.trailing_zeros() as usize;
            }
            (1..=words)
                .map(|step| (start / 64 + step) % words)
                .find_map(|w| {
                    (filled[w] != 0).then(|| w * 64 + filled[w].trailing_zeros() as usize)
                })
                .unwrap_or(start)
        };
        for bin in 0..bins {
            if is_filled(bin) {
                continue;
            }
            let probed = (0..PROBES).find_map(|attempt| {
                let probe = finalize(
                    self.probe_seed ^ ((bin as u64) << 32) ^ attempt.wrapping_mul(0x9E37_79B9),
                );
                let source = ((u128::from(probe) * bins as u128) >> 64) as usize;
                is_filled(source).then_some(source)
            });
            let source = probed.unwrap_or_else(|| next_filled(bin));
            signature[bin] = signature[source];
        }
    }
}

/// The 32-bit form a signature is kept in: the low half of each value (the high bits of a
/// one-permutation value also encode its bin). Two different minima agree by chance with
/// probability 2^-32 per position.
pub fn compact_signature(signature: &[u64]) -> Vec<u32> {
    signature.iter().map(|&v| v as u32).collect()
}

/// Fraction of positions where two signatures agree: the MinHash estimate of their Jaccard
/// similarity.
pub fn estimate_jaccard<T: PartialEq>(a: &[T], b: &[T]) -> f64 {
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
    use crate::pipeline::jaccard::jaccard;

    const SCHEMES: [Scheme; 2] = [Scheme::OnePermutation, Scheme::Classic];

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
        for scheme in SCHEMES {
            let h = |seed| MinHasher::with_scheme(scheme, 64, seed);
            assert_eq!(signature(&h(7), &set), signature(&h(7), &set));
            assert_ne!(signature(&h(7), &set), signature(&h(8), &set));
        }
    }

    #[test]
    fn densification_fills_every_bin_from_a_real_one() {
        let h = MinHasher::new(128, 9);
        let set = [11u64, 222, 3333];
        let sig = signature(&h, &set);
        assert!(sig.iter().all(|&v| v != u64::MAX));
        let mut distinct = sig.clone();
        distinct.sort_unstable();
        distinct.dedup();
        assert!(distinct.len() <= 3, "values come from the 3 filled bins");
        assert_eq!(signature(&h, &[]), vec![u64::MAX; 128]);
        // Past 4096 bins the filled-bin table grows instead of overflowing.
        let wide = signature(&MinHasher::new(5000, 9), &set);
        assert_eq!(wide.len(), 5000);
        let mut distinct = wide.clone();
        distinct.sort_unstable();
        distinct.dedup();
        assert!(distinct.len() <= 3);
    }

    #[test]
    fn a_shingle_hashing_to_the_largest_value_still_fills_its_bin() {
        let h = MinHasher::new(128, 9);
        // The shingle whose one-permutation hash is u64::MAX, the value empty bins start with:
        // the multiplier is odd, so it has an inverse modulo 2^64 (Newton's iteration).
        let mut inverse = h.multiplier;
        for _ in 0..6 {
            inverse = inverse.wrapping_mul(2u64.wrapping_sub(h.multiplier.wrapping_mul(inverse)));
        }
        let at_max = u64::MAX.wrapping_mul(inverse) ^ h.salt;
        assert_eq!((at_max ^ h.salt).wrapping_mul(h.multiplier), u64::MAX);
        // Its bin is the last one. With one other shingle, the last bin keeps u64::MAX as a
        // value of its own instead of borrowing the other shingle's as an empty bin would.
        let other = (0u64..)
            .find(|&x| (x ^ h.salt).wrapping_mul(h.multiplier) < u64::MAX / 2)
            .unwrap();
        let sig = signature(&h, &[other, at_max]);
        assert_eq!(sig[127], u64::MAX);
        assert!(sig.contains(&(other ^ h.salt).wrapping_mul(h.multiplier)));
    }

    #[test]
    fn identical_sets_have_identical_signatures_whatever_the_order() {
        let h = MinHasher::with_scheme(Scheme::Classic, 128, 1);
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
        for scheme in SCHEMES {
            estimate_within_expected_error(scheme);
        }
    }

    fn estimate_within_expected_error(scheme: Scheme) {
        let perms = 128;
        let h = MinHasher::with_scheme(scheme, perms, 42);
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
        assert!(
            outside <= 2,
            "{scheme:?}: {outside} of {trials} estimates beyond 4 sd"
        );
        let bias = total_error / trials as f64;
        assert!(bias.abs() < 0.01, "{scheme:?}: mean error {bias}");
    }

    #[test]
    fn small_sets_with_empty_bins_are_still_estimated_without_bias() {
        // 10 to 60 shingles in 128 bins: most bins are densified.
        let h = MinHasher::new(128, 4);
        let mut rng = SplitMix64::new(77);
        let trials = 400;
        let mut total_error = 0.0;
        for t in 0..trials {
            let common = 10 + t % 40;
            let (a, b) = pair(&mut rng, common, t % 11, t % 7);
            let truth = jaccard(&a, &b);
            total_error += estimate_jaccard(&signature(&h, &a), &signature(&h, &b)) - truth;
        }
        let bias = total_error / trials as f64;
        assert!(bias.abs() < 0.03, "mean error {bias}");
    }

    #[test]
    fn disjoint_sets_rarely_agree() {
        for scheme in SCHEMES {
            let h = MinHasher::with_scheme(scheme, 256, 3);
            let mut rng = SplitMix64::new(5);
            let (a, b) = pair(&mut rng, 0, 500, 500);
            assert!(estimate_jaccard(&signature(&h, &a), &signature(&h, &b)) < 0.02);
        }
    }
}
