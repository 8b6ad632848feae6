//! The integer mixing every hashing stage shares: the 64-bit finalizer and the seeded stream that
//! parameters are drawn from. Depends on nothing else in the crate.

/// The murmur3/splitmix 64-bit finalizer: a bijection that spreads every input bit.
#[inline]
pub(crate) fn finalize(mut x: u64) -> u64 {
    x ^= x >> 30;
    x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x ^= x >> 27;
    x = x.wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// SplitMix64: a tiny, well-mixed deterministic stream for deriving parameters from a seed.
pub(crate) struct SplitMix64(u64);

impl SplitMix64 {
    pub(crate) fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        finalize(self.0)
    }
}
