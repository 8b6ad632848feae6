//! Paragraphs: how a text is cut into paragraphs (byte ranges and line numbers in the original),
//! the fingerprints paragraphs are matched on, the repeats inside one document, and the
//! re-assembly of a text from the paragraphs it keeps.
//!
//! Rules (the README's "Paragraphs" section):
//! - **Segmentation.** A line is blank when it holds only whitespace (CR of CRLF included). When a
//!   blank line separates two non-blank lines, paragraphs are the runs of non-blank lines;
//!   otherwise (no blank line inside the text) every non-blank line is a paragraph. A paragraph's
//!   range starts at its first line and ends after the last character of its last line, line
//!   ending excluded.
//! - **Fingerprint.** A paragraph is compared on its normalized tokens (the scan's normalization),
//!   so wrapping, case, punctuation, curly quotes and CRLF do not matter.
//! - **Repeats inside a document.** Two paragraphs of at least [`MIN_REPEAT_WORDS`] words, one of
//!   them with a letter, repeat each other when their normalized texts are equal, or, for
//!   paragraphs of at least [`NEAR_MIN_WORDS`] words, when one is a truncated copy of the other
//!   (its words are the other's first words, the last one possibly cut off) or when the Jaccard
//!   similarity of their word 3-shingles is at least [`NEAR_SIMILARITY`]. Repeats are grouped
//!   transitively. Shorter paragraphs (list items, "Yes.", a refrain) repeat legitimately, and
//!   paragraphs made only of numbers (a date, a count) repeat by coincidence, so neither counts.
//! - **Kept occurrence.** `keep-first` keeps, of each group, the first paragraph that is not a
//!   truncated copy of another member: seed 001's truncated first line gives way to the full
//!   DayDayNews paragraph further down.

use super::hash::finalize;
use super::jaccard::jaccard_at_least;
use super::normalize::Tokenizer;
use super::union_find::UnionFind;
use std::ops::Range;

/// Fewest words a paragraph needs to count as a repeat inside a document.
pub const MIN_REPEAT_WORDS: usize = 4;
/// Fewest words a paragraph needs for near-exact matching (truncation, Jaccard); shorter ones
/// match only when their normalized texts are equal.
pub const NEAR_MIN_WORDS: usize = 8;
/// Jaccard similarity of word 3-shingles at or above which two paragraphs are near-exact repeats.
pub const NEAR_SIMILARITY: f64 = 0.8;
/// Words per shingle for paragraph-level similarity (paragraphs are short, so k is smaller than
/// the document default).
const NEAR_SHINGLE_WORDS: usize = 3;
const _: () = assert!(
    NEAR_SHINGLE_WORDS == 3,
    "for_each_near_shingle takes three tokens"
);
/// Posting lists longer than this compare each entry with the first and the previous one only,
/// so that a pathological document (thousands of near-identical lines) stays linear.
const MAX_FULL_POSTING: usize = 64;
/// Near paragraphs up to which every pair is compared by bitmaps instead of a prefix filter.
const ALL_PAIRS_UP_TO: usize = 32;
/// Bits of a paragraph's shingle bitmap (a power of two).
const BITMAP_BITS: usize = 512;
const BITMAP_WORDS: usize = BITMAP_BITS / 64;
/// Characters of a paragraph shown as its preview.
pub const PREVIEW_CHARS: usize = 72;

/// One paragraph of a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paragraph {
    /// Byte offset of its first character.
    pub start: usize,
    /// Byte offset just past its last character (line ending excluded).
    pub end: usize,
    /// 1-based number of its first line.
    pub first_line: u32,
    /// 1-based number of its last line.
    pub last_line: u32,
}

impl Paragraph {
    /// The paragraph's text.
    pub fn text<'a>(&self, text: &'a str) -> &'a str {
        &text[self.start..self.end]
    }
}

fn is_blank(line: &str) -> bool {
    // ASCII whitespace (space, tab, CR, form feed, vertical tab) is skipped a byte at a time; a
    // line is blank when nothing else follows, or when what follows starts with a non-ASCII
    // character and is all Unicode White_Space.
    match line
        .bytes()
        .position(|b| !(b.is_ascii_whitespace() || b == 0x0B))
    {
        None => true,
        // Every byte before `i` is ASCII, so `i` is a character boundary.
        Some(i) => !line.as_bytes()[i].is_ascii() && line[i..].chars().all(char::is_whitespace),
    }
}

/// Cuts `text` into paragraphs (see the module rules).
pub fn segment(text: &str) -> Vec<Paragraph> {
    let mut paragraphs = Vec::new();
    segment_into(text, &mut paragraphs);
    paragraphs
}

/// Calls `visit(start, end, blank)` for every line of `text`: its byte range without the line
/// ending (LF or CRLF) and whether it is blank.
fn for_each_line(text: &str, mut visit: impl FnMut(usize, usize, bool)) {
    let bytes = text.as_bytes();
    let mut pos = 0;
    while pos < bytes.len() {
        // memchr through str::find: a word at a time.
        let line_end = text[pos..].find('\n').map_or(bytes.len(), |i| pos + i);
        let mut content_end = line_end;
        if content_end > pos && bytes[content_end - 1] == b'\r' {
            content_end -= 1;
        }
        visit(pos, content_end, is_blank(&text[pos..content_end]));
        pos = line_end + 1;
    }
}

/// [`segment`] into a reused vector (cleared first).
pub fn segment_into(text: &str, paragraphs: &mut Vec<Paragraph>) {
    paragraphs.clear();
    // One pass cuts at blank lines. Two or more paragraphs mean a blank line separates non-blank
    // ones, so the cut stands; a single paragraph of several lines means there is no such blank
    // line, and each of its lines is a paragraph instead.
    let mut current: Option<Paragraph> = None;
    let mut line_no = 0u32;
    for_each_line(text, |start, end, blank| {
        line_no += 1;
        if blank {
            paragraphs.extend(current.take());
            return;
        }
        match current.as_mut() {
            Some(p) => {
                p.end = end;
                p.last_line = line_no;
            }
            None => {
                current = Some(Paragraph {
                    start,
                    end,
                    first_line: line_no,
                    last_line: line_no,
                });
            }
        }
    });
    paragraphs.extend(current);
    if let [only] = paragraphs[..]
        && only.first_line != only.last_line
    {
        // The lines are cut again from the text itself, not from the paragraph's range: that
        // range already lost its last line's ending, and "b\r\r\n" must lose one CR, not two.
        paragraphs.clear();
        let mut line_no = only.first_line;
        for_each_line(&text[only.start..], |start, end, _| {
            if line_no <= only.last_line {
                paragraphs.push(Paragraph {
                    start: only.start + start,
                    end: only.start + end,
                    first_line: line_no,
                    last_line: line_no,
                });
            }
            line_no += 1;
        });
    }
}

/// The text with only the paragraphs for which `keep` is true: the bytes before the first
/// paragraph, each kept paragraph followed by the separator that followed it in the original
/// (the last kept one by the text's ending), so kept bytes are copied unchanged.
pub fn assemble(text: &str, paragraphs: &[Paragraph], keep: impl Fn(usize) -> bool) -> String {
    let Some(last) = paragraphs.last() else {
        return text.to_string();
    };
    let mut out = String::with_capacity(text.len());
    out.push_str(&text[..paragraphs[0].start]);
    let kept: Vec<usize> = (0..paragraphs.len()).filter(|&i| keep(i)).collect();
    for (n, &i) in kept.iter().enumerate() {
        let p = &paragraphs[i];
        out.push_str(p.text(text));
        if n + 1 < kept.len() {
            out.push_str(&text[p.end..paragraphs[i + 1].start]);
        }
    }
    out.push_str(&text[last.end..]);
    out
}

/// A paragraph's place in its document's token stream and what it is matched on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fingerprint {
    /// Hash of its normalized token sequence (0 when it has no tokens).
    pub key: u64,
    /// Its tokens, as a range of the document's token hashes.
    pub tokens: Range<usize>,
    /// Whether some token has a letter (paragraphs of only numbers never match).
    pub has_letter: bool,
}

impl Fingerprint {
    /// Number of words (tokens).
    pub fn words(&self) -> usize {
        self.tokens.len()
    }

    /// Whether it may repeat inside a document.
    fn repeatable(&self) -> bool {
        self.has_letter && self.words() >= MIN_REPEAT_WORDS
    }

    /// Whether it may count as boilerplate across documents.
    pub fn boilerplate_eligible(&self) -> bool {
        self.has_letter
    }
}

/// Hash of a token-hash sequence: the exact-match key of a paragraph.
pub fn key_of(token_hashes: &[u64]) -> u64 {
    if token_hashes.is_empty() {
        return 0;
    }
    let h = token_hashes.iter().fold(0x5851_F42D_4C95_7F2Du64, |h, &t| {
        h.rotate_left(23).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ t
    });
    finalize(h ^ token_hashes.len() as u64) | 1
}

/// A document cut into paragraphs, with its tokens hashed.
#[derive(Debug, Clone, Default)]
pub struct Analysis {
    /// The paragraphs in order.
    pub paragraphs: Vec<Paragraph>,
    /// One fingerprint per paragraph.
    pub fingerprints: Vec<Fingerprint>,
    /// `crate::pipeline::normalize::token_hash` of every normalized token of the document, in order (the
    /// scan's word units).
    pub token_hashes: Vec<u64>,
}

/// Reusable paragraph analyzer (one per worker thread); its buffers are kept between documents.
#[derive(Debug, Default)]
pub struct Analyzer {
    tokenizer: Tokenizer,
    /// Sorted word 3-shingle sets of the paragraphs under near matching that needed one, one
    /// after another.
    shingles: Vec<u64>,
    /// Range in `shingles` of each near paragraph's set, once computed.
    full_sets: Vec<Option<Range<usize>>>,
    /// The smallest shingles of the paragraph being indexed.
    lowest: Vec<u64>,
    /// Prefix-filter postings: shingle high bits, set index in the low bits.
    postings: Vec<u64>,
    /// Candidate pairs of sets.
    pairs: Vec<(usize, usize)>,
    /// Shingle bitmap and number of shingle windows of each near paragraph.
    bitmaps: Vec<([u64; BITMAP_WORDS], usize)>,
}

impl Analyzer {
    /// A fresh analyzer.
    pub fn new() -> Self {
        Self::default()
    }

    /// Segments `text` and hashes the tokens of every paragraph. The concatenated token hashes
    /// are those of the whole text (text between paragraphs is whitespace).
    pub fn analyze(&mut self, text: &str, into: &mut Analysis) {
        segment_into(text, &mut into.paragraphs);
        into.fingerprints.clear();
        into.token_hashes.clear();
        for p in &into.paragraphs {
            let start = into.token_hashes.len();
            let hashes = &mut into.token_hashes;
            let has_letter = self
                .tokenizer
                .for_each_token_hash(p.text(text), |hash| hashes.push(hash));
            let tokens = start..into.token_hashes.len();
            into.fingerprints.push(Fingerprint {
                key: key_of(&into.token_hashes[tokens.clone()]),
                tokens,
                has_letter,
            });
        }
    }

    /// The normalized tokens of a text.
    fn tokens(&mut self, text: &str) -> Vec<String> {
        let mut out = Vec::new();
        self.tokenizer
            .for_each_token(text, |t| out.push(t.to_string()));
        out
    }

    /// Groups of paragraphs that repeat each other inside the analyzed document (see the module
    /// rules), each with the paragraph `keep-first` keeps; ordered by first member.
    pub fn repeats(&mut self, text: &str, analysis: &Analysis) -> Vec<RepeatGroup> {
        let fps = &analysis.fingerprints;
        let hashes = &analysis.token_hashes;
        let eligible: Vec<usize> = (0..fps.len()).filter(|&i| fps[i].repeatable()).collect();
        if eligible.len() < 2 {
            return Vec::new();
        }
        let mut sets = UnionFind::new(fps.len());
        let mut merged = false;
        // Exact repeats; one representative per distinct text goes on to near matching.
        let mut by_key: Vec<(u64, usize)> = eligible.iter().map(|&i| (fps[i].key, i)).collect();
        by_key.sort_unstable();
        let mut distinct = Vec::new();
        for (n, &(key, i)) in by_key.iter().enumerate() {
            if n > 0 && by_key[n - 1].0 == key {
                merged |= sets.union(by_key[n - 1].1 as u32, i as u32);
            } else {
                distinct.push(i);
            }
        }
        distinct.sort_unstable();
        let near: Vec<usize> = distinct
            .into_iter()
            .filter(|&i| fps[i].words() >= NEAR_MIN_WORDS)
            .collect();
        let mut truncated_keys = Vec::new();
        if near.len() >= 2 {
            // Truncated copies share their first NEAR_MIN_WORDS - 1 words with the original.
            let lead = NEAR_MIN_WORDS - 1;
            let mut by_lead: Vec<(u64, usize, usize)> = near
                .iter()
                .map(|&i| {
                    let t = &fps[i].tokens;
                    (key_of(&hashes[t.start..t.start + lead]), fps[i].words(), i)
                })
                .collect();
            by_lead.sort_unstable();
            for_each_run(
                &by_lead,
                |e| e.0,
                |x, y| {
                    // Sorted by word count, so x has no more words than y.
                    let (mut short, mut long) = (by_lead[x].2, by_lead[y].2);
                    let mut truncated = self.is_truncated_copy(text, analysis, short, long);
                    if !truncated && by_lead[x].1 == by_lead[y].1 {
                        (short, long) = (long, short);
                        truncated = self.is_truncated_copy(text, analysis, short, long);
                    }
                    if truncated {
                        merged |= sets.union(short as u32, long as u32);
                        truncated_keys.push(fps[short].key);
                    }
                },
            );
            // Lightly edited copies.
            let units = |n: usize| &hashes[fps[near[n]].tokens.clone()];
            self.similar_pairs(near.len(), units, |a, b| {
                merged |= sets.union(near[a] as u32, near[b] as u32);
            });
        }
        if !merged {
            return Vec::new();
        }
        truncated_keys.sort_unstable();
        let mut groups: Vec<(u32, Vec<u32>)> = Vec::new();
        let mut slot_of_root = std::collections::HashMap::new();
        for &i in &eligible {
            let root = sets.find(i as u32);
            let slot = *slot_of_root.entry(root).or_insert_with(|| {
                groups.push((root, Vec::new()));
                groups.len() - 1
            });
            groups[slot].1.push(i as u32);
        }
        groups
            .into_iter()
            .filter(|(_, members)| members.len() >= 2)
            .map(|(_, members)| {
                let complete = members
                    .iter()
                    .copied()
                    .find(|&m| truncated_keys.binary_search(&fps[m as usize].key).is_err());
                RepeatGroup {
                    kept: complete.unwrap_or(members[0]),
                    members,
                }
            })
            .collect()
    }

    /// Whether paragraph `short` is a truncated copy of `long`: not the same text, no more
    /// words, all its words but the last equal to the first words of `long`, and its last word
    /// a prefix of the word of `long` at that place (cut off mid-word).
    fn is_truncated_copy(&mut self, text: &str, a: &Analysis, short: usize, long: usize) -> bool {
        let (s, l) = (&a.fingerprints[short], &a.fingerprints[long]);
        let n = s.words();
        if s.key == l.key || n > l.words() {
            return false;
        }
        let (hs, hl) = (
            &a.token_hashes[s.tokens.clone()],
            &a.token_hashes[l.tokens.clone()],
        );
        if hs[..n - 1] != hl[..n - 1] {
            return false;
        }
        if hs[n - 1] == hl[n - 1] {
            return true;
        }
        let short_tokens = self.tokens(a.paragraphs[short].text(text));
        let long_tokens = self.tokens(a.paragraphs[long].text(text));
        match (short_tokens.get(n - 1), long_tokens.get(n - 1)) {
            (Some(cut), Some(full)) => full.starts_with(cut.as_str()),
            _ => false,
        }
    }

    /// Calls `found(a, b)` (a < b, in increasing order) for every pair of the `count` paragraphs
    /// (`units(n)`: the token hashes of paragraph `n`) whose word 3-shingle sets have an exact
    /// Jaccard similarity of at least [`NEAR_SIMILARITY`]. Up to [`ALL_PAIRS_UP_TO`]
    /// paragraphs, every pair is bounded by the paragraphs' shingle bitmaps
    /// ([`Analyzer::similar_pairs_by_bitmaps`]); more go through a prefix filter
    /// ([`Analyzer::similar_pairs_by_prefix`]). Both find exactly the pairs at the threshold
    /// when no posting list is cut, which needs more than [`MAX_FULL_POSTING`] paragraphs.
    fn similar_pairs<'a>(
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
    fn similar_pairs_by_bitmaps<'a>(
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
    fn similar_pairs_by_prefix<'a>(
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
    fn forget_sets(&mut self, count: usize) {
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
fn for_each_near_shingle(units: &[u64], mut visit: impl FnMut(u64)) {
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
fn for_each_run<E, K: PartialEq>(
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

/// Paragraphs of one document that repeat each other.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepeatGroup {
    /// Paragraph indices, in document order.
    pub members: Vec<u32>,
    /// The member `keep-first` keeps.
    pub kept: u32,
}

/// A one-line preview of a paragraph: whitespace collapsed, at most `PREVIEW_CHARS` characters
/// (an ellipsis marks a cut).
pub fn preview(paragraph: &str) -> String {
    let mut out = String::new();
    let mut chars = 0;
    for word in paragraph.split_whitespace() {
        for c in (!out.is_empty())
            .then_some(' ')
            .into_iter()
            .chain(word.chars())
        {
            if chars == PREVIEW_CHARS {
                out.push('…');
                return out;
            }
            out.push(c);
            chars += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts<'a>(text: &'a str, ps: &[Paragraph]) -> Vec<&'a str> {
        ps.iter().map(|p| p.text(text)).collect()
    }

    fn groups(text: &str) -> (Vec<Paragraph>, Vec<RepeatGroup>) {
        let mut analyzer = Analyzer::new();
        let mut analysis = Analysis::default();
        analyzer.analyze(text, &mut analysis);
        let groups = analyzer.repeats(text, &analysis);
        (analysis.paragraphs, groups)
    }

    /// The module rule as first written: all lines, then the blank-line decision, then the cut.
    fn reference_segment(text: &str) -> Vec<Paragraph> {
        let mut lines = Vec::new();
        for_each_line(text, |start, end, blank| lines.push((start, end, blank)));
        let (Some(first), Some(last)) = (
            lines.iter().position(|l| !l.2),
            lines.iter().rposition(|l| !l.2),
        ) else {
            return Vec::new();
        };
        let blocks = lines[first..=last].iter().any(|l| l.2);
        let mut out: Vec<Paragraph> = Vec::new();
        let mut open = false;
        for (i, &(start, end, blank)) in lines.iter().enumerate() {
            let line_no = i as u32 + 1;
            if blank {
                open = false;
            } else if open && blocks {
                let p = out.last_mut().unwrap();
                p.end = end;
                p.last_line = line_no;
            } else {
                out.push(Paragraph {
                    start,
                    end,
                    first_line: line_no,
                    last_line: line_no,
                });
                open = true;
            }
        }
        out
    }

    proptest::proptest! {
        #[test]
        fn one_pass_segmentation_matches_the_rule(
            lines in proptest::collection::vec(proptest::sample::select(vec![
                "", " ", "\t", "\r", " \r", "a", "b c", "\u{A0}", "\u{3000}x", "d\r", "e\r\r",
                "\r\r",
            ]), 0..12),
            trailing_newline in proptest::bool::ANY,
        ) {
            let mut text = lines.join("\n");
            if trailing_newline {
                text.push('\n');
            }
            proptest::prop_assert_eq!(segment(&text), reference_segment(&text));
        }
    }

    #[test]
    fn a_doubled_cr_before_the_last_line_end_loses_only_one_cr() {
        // A file converted to CRLF twice; without blank lines every line is a paragraph.
        let text = "a\nb\r\r\n";
        let ps = segment(text);
        assert_eq!(texts(text, &ps), ["a", "b\r"]);
        assert_eq!(ps, reference_segment(text));
    }

    #[test]
    fn blank_lines_separate_paragraphs_and_wrapped_lines_stay_together() {
        let text = "first line\nstill first\n\n  \t\nsecond\r\n\r\nthird";
        let ps = segment(text);
        assert_eq!(
            texts(text, &ps),
            ["first line\nstill first", "second", "third"]
        );
        assert_eq!(
            ps.iter()
                .map(|p| (p.first_line, p.last_line))
                .collect::<Vec<_>>(),
            [(1, 2), (5, 5), (7, 7)]
        );
    }

    #[test]
    fn without_blank_lines_every_line_is_a_paragraph() {
        let text = "\n\none\r\ntwo  \nthree\n\n";
        let ps = segment(text);
        // Blank lines only at the edges do not make blocks.
        assert_eq!(texts(text, &ps), ["one", "two  ", "three"]);
        assert_eq!(ps[0].first_line, 3);
    }

    #[test]
    fn blank_lines_follow_the_whitespace_rule() {
        // Every line of up to four characters from an alphabet of ASCII and Unicode whitespace
        // and non-whitespace, against the rule: all characters are White_Space.
        let alphabet = [
            ' ', '\t', '\r', '\u{0B}', '\u{0C}', '\u{85}', '\u{a0}', '\u{3000}', 'a', 'é',
        ];
        let mut line = String::new();
        for n in 0..alphabet.len().pow(4) {
            line.clear();
            let mut rest = n;
            for _ in 0..(n % 5) {
                line.push(alphabet[rest % alphabet.len()]);
                rest /= alphabet.len();
            }
            assert_eq!(
                is_blank(&line),
                line.chars().all(char::is_whitespace),
                "{line:?}"
            );
        }
    }

    #[test]
    fn unicode_whitespace_lines_are_blank() {
        let text = "a b\n\u{3000}\u{a0}\nc d";
        assert_eq!(texts(text, &segment(text)), ["a b", "c d"]);
        let text = "a b\n\u{0B}\x0C \nc d";
        assert_eq!(texts(text, &segment(text)), ["a b", "c d"]);
    }

    #[test]
    fn empty_and_whitespace_texts_have_no_paragraphs() {
        assert!(segment("").is_empty());
        assert!(segment(" \n\r\n\t").is_empty());
    }

    #[test]
    fn assemble_keeps_bytes_and_separators() {
        let text = "\nA a\r\n\r\nB b\r\n\r\n\r\nC c\r\n";
        let ps = segment(text);
        assert_eq!(assemble(text, &ps, |_| true), text);
        assert_eq!(assemble(text, &ps, |i| i != 1), "\nA a\r\n\r\nC c\r\n");
        assert_eq!(assemble(text, &ps, |i| i != 2), "\nA a\r\n\r\nB b\r\n");
        assert_eq!(assemble(text, &ps, |i| i != 0), "\nB b\r\n\r\n\r\nC c\r\n");
        assert_eq!(assemble(text, &ps, |_| false), "\n\r\n");
    }

    const LONG: &str = "the quick brown fox jumps over the lazy dog near the river bank";

    #[test]
    fn exact_repeats_match_after_normalization() {
        let text = format!(
            "{LONG}\n\nintro text here for once\n\n{}\n\n{LONG}!",
            LONG.to_uppercase()
        );
        let (_, gs) = groups(&text);
        assert_eq!(
            gs,
            [RepeatGroup {
                members: vec![0, 2, 3],
                kept: 0
            }]
        );
    }

    #[test]
    fn short_and_number_only_paragraphs_never_repeat() {
        let text = "Yes.\n\nShare this now\n\nYes.\n\nShare this now\n\n2024/07/01 12:00 1546 77\n\n\
                    2024/07/01 12:00 1546 77";
        assert!(groups(text).1.is_empty());
        let text = "Share this article now\n\nShare this article now";
        assert_eq!(groups(text).1.len(), 1);
    }

    #[test]
    fn a_truncated_copy_joins_the_full_paragraph_and_gives_way_to_it() {
        let cut = &LONG[..LONG.len() - 3]; // "... river ba"
        let text = format!(
            "{cut}\n\nsomething else entirely different words here\n\n{LONG} - Site\n\n{LONG} - Site"
        );
        let (_, gs) = groups(&text);
        assert_eq!(
            gs,
            [RepeatGroup {
                members: vec![0, 2, 3],
                kept: 2
            }]
        );
        // A paragraph that merely starts the same way but goes on differently is not a copy.
        let other = "the quick brown fox jumps over the lazy cat and then sleeps all day long";
        let text = format!("{other}\n\n{LONG}");
        assert!(groups(&text).1.is_empty());
    }

    #[test]
    fn lightly_edited_copies_match_and_different_ones_do_not() {
        // 40 words, 38 shingles: one changed word leaves 35 shared (J = 35/41 = 0.85), three
        // changed words far apart leave 29 (J = 29/47 = 0.62).
        let a: Vec<String> = (0..40).map(|i| format!("word{i}")).collect();
        let mut edited = a.clone();
        edited[20] = "other".into();
        let mut different = a.clone();
        for i in [5, 20, 35] {
            different[i] = format!("new{i}");
        }
        let text = [a, edited, different].map(|p| p.join(" ")).join("\n\n");
        let (_, gs) = groups(&text);
        assert_eq!(
            gs,
            [RepeatGroup {
                members: vec![0, 1],
                kept: 0
            }]
        );
    }

    #[test]
    fn long_posting_lists_still_group_near_identical_lines() {
        // 300 lines of 20 words that differ only in their last word: every pair is J = 17/19.
        let lines: Vec<String> = (0..300)
            .map(|i| {
                format!(
                    "error while connecting to the upstream server at the port number given \
                     in the configuration file of the proxy service w{i}"
                )
            })
            .collect();
        let (ps, gs) = groups(&lines.join("\n"));
        assert_eq!(ps.len(), 300);
        assert_eq!(gs.len(), 1);
        assert_eq!(gs[0].members.len(), 300);
    }

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

    #[test]
    fn preview_collapses_whitespace_and_cuts() {
        assert_eq!(preview("a\n  b\tc"), "a b c");
        let long = "word ".repeat(40);
        let p = preview(&long);
        assert_eq!(p.chars().count(), PREVIEW_CHARS + 1);
        assert!(p.ends_with('…'));
    }

    #[test]
    fn key_ignores_formatting_but_not_words() {
        let mut analyzer = Analyzer::new();
        let mut a = Analysis::default();
        let mut b = Analysis::default();
        analyzer.analyze("Hello,   World\tagain", &mut a);
        analyzer.analyze("hello world again", &mut b);
        assert_eq!(a.fingerprints[0].key, b.fingerprints[0].key);
        analyzer.analyze("hello world again now", &mut b);
        assert_ne!(a.fingerprints[0].key, b.fingerprints[0].key);
        assert_ne!(key_of(&[1, 2]), key_of(&[2, 1]));
    }
}
