//! Locality-sensitive hashing over MinHash signatures: the choice of bands and rows, and the
//! candidate pairs (documents that agree on every row of at least one band).
//!
//! With `b` bands of `r` rows, two documents of Jaccard similarity `s` become candidates with
//! probability `P(s) = 1 - (1 - s^r)^b`. Candidates are verified afterwards, so a false
//! candidate only costs one comparison while a missed pair is lost for good: the default choice
//! takes the largest `r` (fewest false candidates) whose chance of missing a pair *at* the
//! threshold stays below [`TARGET_MISS_RATE`].
//!
//! Tables are sorted vectors of `(band key, document)` rather than hash maps of vectors: one
//! allocation per band, cache-friendly, and the runs of equal keys come out in a deterministic
//! order. All bands' entries are computed in one parallel pass over the documents (each
//! signature read once), then each band's table is sorted and scanned in parallel.

use super::hash::finalize;
use rayon::prelude::*;

/// Largest accepted chance of missing a pair whose similarity is exactly the threshold.
pub const TARGET_MISS_RATE: f64 = 1e-4;

/// Buckets up to this size give every pair in them; larger buckets (typically many copies of one
/// text) give a star around their first member plus a chain of neighbours, which keeps the work
/// linear and still connects every member that is similar to the first or to its neighbour.
pub const MAX_FULL_BUCKET: usize = 64;

/// A band layout: `bands` bands of `rows` signature positions each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Banding {
    /// Number of bands.
    pub bands: usize,
    /// Rows (signature positions) per band.
    pub rows: usize,
}

impl Banding {
    /// Probability that a pair of Jaccard similarity `s` shares at least one band.
    pub fn probability(self, s: f64) -> f64 {
        1.0 - (1.0 - s.powi(self.rows as i32)).powi(self.bands as i32)
    }

    /// The layout for `threshold` with `num_perm` permutations: the largest row count whose miss
    /// rate at the threshold is at most `TARGET_MISS_RATE` (or one row if none is), with as
    /// many bands as the permutations allow.
    pub fn for_threshold(threshold: f64, num_perm: usize) -> Banding {
        let num_perm = num_perm.max(1);
        (1..=num_perm)
            .rev()
            .map(|rows| Banding {
                bands: num_perm / rows,
                rows,
            })
            .find(|b| 1.0 - b.probability(threshold) <= TARGET_MISS_RATE)
            .unwrap_or(Banding {
                bands: num_perm,
                rows: 1,
            })
    }

    /// Positions used: `bands * rows` (at most the signature length).
    pub fn used_positions(self) -> usize {
        self.bands * self.rows
    }
}

/// A candidate pair `(lower document index, higher document index)`.
pub type Pair = (u32, u32);

/// Candidate pairs among documents whose signatures (each `signature_len` long) are laid out one
/// after another in `signatures`. Sorted and deduplicated.
pub fn candidate_pairs(
    signatures: &[u32],
    signature_len: usize,
    banding: Banding,
    progress: &(dyn Fn(u64) + Sync),
) -> Vec<Pair> {
    if signature_len == 0 {
        return Vec::new();
    }
    let count = signatures.len() / signature_len;
    candidate_pairs_of(
        count,
        |doc| &signatures[doc * signature_len..(doc + 1) * signature_len],
        banding,
        progress,
    )
}

/// [`candidate_pairs`] among `count` documents whose signatures `signature(doc)` gives (each at
/// least `banding.used_positions()` long), wherever they are stored.
pub fn candidate_pairs_of<'a>(
    count: usize,
    signature: impl Fn(usize) -> &'a [u32] + Sync,
    banding: Banding,
    progress: &(dyn Fn(u64) + Sync),
) -> Vec<Pair> {
    candidates_of(count, signature, banding, progress).pairs
}

/// Candidate pairs, and the buckets that gave only some of their pairs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Candidates {
    /// The pairs, sorted and deduplicated.
    pub pairs: Vec<Pair>,
    /// The documents of some bucket of more than [`MAX_FULL_BUCKET`] in some band, sorted and
    /// deduplicated: pairs among them may be missing from `pairs`.
    pub crowded: Vec<u32>,
    /// Those buckets, as their band and [`bucket_key`], sorted.
    pub crowded_buckets: Vec<(u32, u64)>,
}

/// The bucket of a document whose band `band` holds `rows`, among `count` documents: its band
/// key without the low bits that the tables give the document number.
pub fn bucket_key(rows: &[u32], band: usize, count: usize) -> u64 {
    band_key(rows, band) & !((1u64 << document_bits(count)) - 1)
}

/// [`candidate_pairs_of`], with the documents of crowded buckets.
pub fn candidates_of<'a>(
    count: usize,
    signature: impl Fn(usize) -> &'a [u32] + Sync,
    banding: Banding,
    progress: &(dyn Fn(u64) + Sync),
) -> Candidates {
    // A table entry is one u64: the band key's high bits with the document index in the low
    // bits, so a band's table sorts as plain integers and its buckets are the runs of equal high
    // bits. Cutting the key's low bits can only put two different keys in one bucket (for a pair
    // of documents, with probability 2^-(64 - doc_bits)), which adds a candidate that
    // verification rejects (in a bucket over MAX_FULL_BUCKET it may change the chain's links).
    // It pays: on 200,000 signatures of 128 values (25 bands), two threads, this function took
    // 0.070-0.079 s with packed entries and 0.121-0.142 s with (key, document) pairs, and 40 MB
    // less memory (three alternating runs each); on the large corpus the whole scan was a
    // median 0.045 s faster (12 alternating pairs, within their noise).
    let doc_bits = document_bits(count);
    let doc_mask = (1u64 << doc_bits) - 1;
    // The tables' entries, computed in one pass over the documents, so that each signature is
    // read once (not once per band, from wherever it lies in memory): per chunk of documents,
    // one vector per band.
    const DOCUMENTS_PER_CHUNK: usize = 4096;
    let chunks: Vec<Vec<Vec<u64>>> = (0..count.div_ceil(DOCUMENTS_PER_CHUNK))
        .into_par_iter()
        .with_max_len(1)
        .map(|chunk| {
            let docs = chunk * DOCUMENTS_PER_CHUNK..count.min((chunk + 1) * DOCUMENTS_PER_CHUNK);
            // Not `vec![Vec::with_capacity(..); bands]`: cloning a vector does not keep its
            // capacity, so all but one band would grow by doubling.
            let mut entries: Vec<Vec<u64>> = (0..banding.bands)
                .map(|_| Vec::with_capacity(docs.len()))
                .collect();
            for doc in docs {
                let signature = signature(doc);
                for (band, entries) in entries.iter_mut().enumerate() {
                    let rows = &signature[band * banding.rows..(band + 1) * banding.rows];
                    entries.push((band_key(rows, band) & !doc_mask) | doc as u64);
                }
            }
            entries
        })
        .collect();
    // Regrouped by band, so that each band's parts are freed as soon as its table is built.
    let mut by_band: Vec<Vec<Vec<u64>>> = (0..banding.bands)
        .map(|_| Vec::with_capacity(chunks.len()))
        .collect();
    for chunk in chunks {
        for (parts, entries) in by_band.iter_mut().zip(chunk) {
            parts.push(entries);
        }
    }
    by_band
        .into_par_iter()
        .enumerate()
        .with_max_len(1)
        .map(|(band, parts)| {
            let mut table: Vec<u64> = parts.concat();
            drop(parts);
            table.sort_unstable();
            let mut found = BandCandidates::default();
            for bucket in table.chunk_by(|x, y| (x ^ y) & !doc_mask == 0) {
                if bucket.len() > 1 {
                    found.add_bucket(band as u32, bucket, doc_mask);
                }
            }
            progress(1);
            found.finish()
        })
        .reduce(BandCandidates::default, BandCandidates::union)
        .into_candidates()
}

/// The candidates of some bands, packed: pairs as `lower << 32 | higher`, crowded documents as
/// u64, each list sorted and deduplicated once finished.
#[derive(Debug, Default)]
pub struct BandCandidates {
    pairs: Vec<u64>,
    crowded: Vec<u64>,
    crowded_buckets: Vec<(u32, u64)>,
}

impl BandCandidates {
    /// Adds the pairs of one bucket of band `band` (its entries in document order).
    fn add_bucket(&mut self, band: u32, bucket: &[u64], doc_mask: u64) {
        if bucket_pairs(bucket, doc_mask, &mut self.pairs, &mut self.crowded) {
            self.crowded_buckets.push((band, bucket[0] & !doc_mask));
        }
    }

    /// Sorted and deduplicated.
    fn finish(mut self) -> Self {
        self.pairs.sort_unstable();
        self.pairs.dedup();
        self.crowded.sort_unstable();
        self.crowded.dedup();
        self.crowded_buckets.sort_unstable();
        self
    }

    /// The union of two finished ones (each band's, as they finish: the pairs most bands share,
    /// those of close copies, are held once).
    pub fn union(self, other: Self) -> Self {
        let mut crowded_buckets = self.crowded_buckets;
        crowded_buckets.extend(other.crowded_buckets);
        crowded_buckets.sort_unstable();
        BandCandidates {
            pairs: union_of_sorted(self.pairs, other.pairs),
            crowded: union_of_sorted(self.crowded, other.crowded),
            crowded_buckets,
        }
    }

    /// As [`Candidates`].
    pub fn into_candidates(self) -> Candidates {
        Candidates {
            pairs: unpack_pairs(self.pairs),
            crowded: self.crowded.into_iter().map(|doc| doc as u32).collect(),
            crowded_buckets: self.crowded_buckets,
        }
    }
}

/// The union of two sorted, deduplicated lists of packed pairs, sorted and deduplicated. Bands
/// are merged this way two at a time as they finish, so that the pairs most bands share (those
/// of close copies) are held once, not once per band.
pub fn union_of_sorted(a: Vec<u64>, b: Vec<u64>) -> Vec<u64> {
    if a.is_empty() {
        return b;
    }
    if b.is_empty() {
        return a;
    }
    let mut out = Vec::with_capacity(a.len().max(b.len()));
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        let (x, y) = (a[i], b[j]);
        out.push(x.min(y));
        i += usize::from(x <= y);
        j += usize::from(y <= x);
    }
    out.extend_from_slice(&a[i..]);
    out.extend_from_slice(&b[j..]);
    out
}

/// Packed pairs as `(lower, higher)` document pairs.
pub fn unpack_pairs(pairs: Vec<u64>) -> Vec<Pair> {
    pairs
        .into_iter()
        .map(|p| ((p >> 32) as u32, p as u32))
        .collect()
}

/// Bits of a table entry that hold the document number, for `count` documents: the rest hold
/// the band key's high bits.
pub fn document_bits(count: usize) -> u32 {
    (u64::BITS - (count.max(2) as u64 - 1).leading_zeros()).max(1)
}

/// Builds one band's candidate pairs from its `(band key, document)` entries coming in
/// ascending order (an external sort's output), exactly as [`candidate_pairs_of`] builds them
/// from its table: a bucket is a run of entries whose keys agree above the document bits, its
/// members in document order.
#[derive(Debug)]
pub struct BandBuckets {
    doc_mask: u64,
    key: u64,
    bucket: Vec<u64>,
    band: u32,
    found: BandCandidates,
}

impl BandBuckets {
    /// A band over `count` documents.
    pub fn new(count: usize) -> Self {
        Self::for_band(count, 0)
    }

    /// Band number `band` over `count` documents (the number its crowded buckets are given).
    pub fn for_band(count: usize, band: usize) -> Self {
        BandBuckets {
            doc_mask: (1u64 << document_bits(count)) - 1,
            key: 0,
            bucket: Vec::new(),
            band: band as u32,
            found: BandCandidates::default(),
        }
    }

    /// The next entry (not below the previous one).
    pub fn push(&mut self, key: u64, doc: u32) {
        let key = key & !self.doc_mask;
        if key != self.key {
            self.close_bucket();
            self.key = key;
        }
        self.bucket.push(key | u64::from(doc));
    }

    fn close_bucket(&mut self) {
        if self.bucket.len() > 1 {
            // Sorted by full key, then document: within one bucket, put in document order.
            self.bucket.sort_unstable();
            self.found
                .add_bucket(self.band, &self.bucket, self.doc_mask);
        }
        self.bucket.clear();
    }

    /// The band's packed pairs, sorted and deduplicated (for [`union_of_sorted`]).
    pub fn finish(self) -> Vec<u64> {
        self.finish_with_crowded().pairs
    }

    /// The band's candidates, crowded buckets included (for [`BandCandidates::union`]).
    pub fn finish_with_crowded(mut self) -> BandCandidates {
        self.close_bucket();
        self.found.finish()
    }
}

fn pack(a: u32, b: u32) -> u64 {
    let (lo, hi) = if a < b { (a, b) } else { (b, a) };
    (u64::from(lo) << 32) | u64::from(hi)
}

/// The pairs of one bucket, packed, into `out`; the documents of a crowded one (more than
/// [`MAX_FULL_BUCKET`], which gives a star and a chain) into `crowded` too, and then `true`.
fn bucket_pairs(bucket: &[u64], doc_mask: u64, out: &mut Vec<u64>, crowded: &mut Vec<u64>) -> bool {
    let doc = |entry: u64| (entry & doc_mask) as u32;
    if bucket.len() <= MAX_FULL_BUCKET {
        for (i, &a) in bucket.iter().enumerate() {
            for &b in &bucket[i + 1..] {
                out.push(pack(doc(a), doc(b)));
            }
        }
        false
    } else {
        crowded.extend(bucket.iter().map(|&entry| entry & doc_mask));
        let first = doc(bucket[0]);
        for w in bucket.windows(2) {
            out.push(pack(first, doc(w[1])));
            out.push(pack(doc(w[0]), doc(w[1])));
        }
        true
    }
}

/// Hash of one band of a signature, salted with the band number. Only equality matters (a
/// collision adds a false candidate), so the rows are combined with one multiply each and mixed
/// once at the end.
pub fn band_key(rows: &[u32], band: usize) -> u64 {
    let mut h = band as u64 ^ 0x5851_F42D_4C95_7F2D;
    for &v in rows {
        h = (h ^ u64::from(v))
            .wrapping_mul(0x9E37_79B9_7F4A_7C15)
            .rotate_left(31);
    }
    finalize(h)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_layout_for_0_8_with_128_permutations_is_25_bands_of_5_rows() {
        let b = Banding::for_threshold(0.8, 128);
        assert_eq!((b.bands, b.rows), (25, 5));
        assert!(b.probability(0.8) > 1.0 - TARGET_MISS_RATE);
        // One more row per band would miss too many pairs at the threshold.
        let tighter = Banding {
            bands: 128 / 6,
            rows: 6,
        };
        assert!(1.0 - tighter.probability(0.8) > TARGET_MISS_RATE);
    }

    #[test]
    fn chosen_layout_meets_the_miss_target_for_many_thresholds() {
        for t in [0.3, 0.5, 0.7, 0.8, 0.9, 0.95, 1.0] {
            for perms in [32, 64, 128, 256] {
                let b = Banding::for_threshold(t, perms);
                assert!(b.used_positions() <= perms);
                if b.rows > 1 {
                    assert!(
                        1.0 - b.probability(t) <= TARGET_MISS_RATE,
                        "t={t} p={perms}"
                    );
                }
            }
        }
    }

    #[test]
    fn a_higher_threshold_never_gives_fewer_rows() {
        let mut last = 0;
        for t in [0.2, 0.4, 0.6, 0.8, 0.9, 0.99] {
            let rows = Banding::for_threshold(t, 128).rows;
            assert!(rows >= last);
            last = rows;
        }
    }

    #[test]
    fn probability_curve_is_an_s_curve() {
        let b = Banding { bands: 25, rows: 5 };
        assert!(b.probability(0.2) < 0.01);
        assert!(b.probability(0.9) > 0.999_999);
        assert_eq!(b.probability(0.0), 0.0);
        assert_eq!(b.probability(1.0), 1.0);
    }

    fn no_progress(_: u64) {}

    #[test]
    fn documents_sharing_a_band_are_candidates_and_others_are_not() {
        let banding = Banding { bands: 2, rows: 2 };
        #[rustfmt::skip]
        let sigs = vec![
            1, 2, 3, 4,   // doc 0
            1, 2, 9, 9,   // doc 1: shares band 0 with doc 0
            7, 7, 3, 4,   // doc 2: shares band 1 with doc 0
            5, 6, 8, 8,   // doc 3: shares nothing
            2, 1, 4, 3,   // doc 4: same values, other order: shares nothing
        ];
        let pairs = candidate_pairs(&sigs, 4, banding, &no_progress);
        assert_eq!(pairs, vec![(0, 1), (0, 2)]);
    }

    #[test]
    fn document_indices_survive_packing_at_every_table_size() {
        // The table packs each document index into the low bits of its entry: around powers of
        // two, the last document must still pair with the first, and distinct bands not at all.
        for count in [2usize, 3, 4, 5, 63, 64, 65, 255, 256, 257] {
            let mut sigs: Vec<u32> = (0..count as u32).flat_map(|d| [d + 100, d + 100]).collect();
            sigs[2 * (count - 1)] = 100;
            sigs[2 * (count - 1) + 1] = 100;
            let pairs = candidate_pairs(&sigs, 2, Banding { bands: 1, rows: 2 }, &no_progress);
            assert_eq!(pairs, vec![(0, count as u32 - 1)], "{count}");
        }
    }

    /// The candidates [`BandBuckets`] build from entries sorted by (full key, document).
    fn pairs_from_sorted_entries(sigs: &[u32], len: usize, banding: Banding) -> Candidates {
        let count = sigs.len() / len;
        (0..banding.bands)
            .map(|band| {
                let mut entries: Vec<(u64, u32)> = (0..count)
                    .map(|d| {
                        let rows = &sigs[d * len + band * banding.rows..][..banding.rows];
                        let key = band_key(rows, band);
                        (key, d as u32)
                    })
                    .collect();
                entries.sort_unstable();
                let mut buckets = BandBuckets::for_band(count, band);
                for (key, doc) in entries {
                    buckets.push(key, doc);
                }
                buckets.finish_with_crowded()
            })
            .fold(BandCandidates::default(), BandCandidates::union)
            .into_candidates()
    }

    proptest::proptest! {
        #[test]
        fn buckets_from_a_sorted_stream_give_the_table_s_pairs(
            values in proptest::collection::vec(0u32..3, 4..1200),
            huge in 0usize..2,
        ) {
            // Few distinct values: many shared bands, and with `huge` one bucket over the full
            // size, whose chain depends on the order of its members.
            let mut sigs = values;
            sigs.truncate(sigs.len() / 4 * 4);
            if huge == 1 {
                let n = sigs.len().min(4 * (MAX_FULL_BUCKET + 10));
                sigs[..n].fill(7);
            }
            let banding = Banding { bands: 2, rows: 2 };
            let count = sigs.len() / 4;
            proptest::prop_assert_eq!(
                pairs_from_sorted_entries(&sigs, 4, banding),
                candidates_of(count, |d| &sigs[d * 4..][..4], banding, &no_progress)
            );
        }
    }

    #[test]
    fn a_huge_bucket_gives_linear_pairs_that_still_connect_it() {
        let n = 1000u32;
        let sigs = vec![42u32; n as usize * 2];
        let pairs = candidate_pairs(&sigs, 2, Banding { bands: 1, rows: 2 }, &no_progress);
        assert!(pairs.len() < 2 * n as usize);
        for doc in 1..n {
            assert!(pairs.binary_search(&(0, doc)).is_ok());
        }
    }

    #[test]
    fn crowded_buckets_are_named_with_their_documents() {
        // Documents 0..70 share band 0, and 0..5 band 1 too: only band 0's bucket is crowded.
        let n = 80usize;
        let sigs: Vec<u32> = (0..n as u32)
            .flat_map(|d| [if d < 70 { 7 } else { d }, if d < 5 { 9 } else { 1000 + d }])
            .collect();
        let banding = Banding { bands: 2, rows: 1 };
        let found = candidates_of(n, |d| &sigs[d * 2..][..2], banding, &no_progress);
        assert_eq!(found.crowded, (0..70).collect::<Vec<u32>>());
        assert_eq!(found.crowded_buckets, [(0, bucket_key(&[7], 0, n))]);
        assert!(found.pairs.binary_search(&(0, 4)).is_ok());
    }
}
