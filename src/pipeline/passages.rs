//! The passages two texts share: runs of the same normalized tokens, at least one shingle long,
//! found in both and aligned, for `compare` and the side-by-side views of the HTML report; and
//! their byte offsets counted in the units those show them in ([`offsets_in_units`]).
//!
//! Each text is cut into whitespace-delimited chunks, which keep their byte spans in the
//! original text and their lines; a chunk's tokens (the scan's normalized tokens: tokens never
//! cross whitespace) carry its span. Every maximal run of equal tokens of at least `min_tokens`
//! that starts at a shared `min_tokens`-gram is a match; matches are then tiled longest first
//! (greedy string tiling): a match is taken whole when none of its tokens in either text is
//! taken yet, otherwise its untaken stretches of at least `min_tokens` go back in line. So the
//! passages never overlap in either text, and each is the same token run in both.

use super::normalize::Tokenizer;
use std::collections::{BinaryHeap, HashMap};

/// One normalized token of a text, with where it sits in the original.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    /// Its hash ([`super::normalize::token_hash`]).
    pub hash: u64,
    /// Byte span of the whitespace-delimited chunk holding it.
    pub start: usize,
    /// End of that span.
    pub end: usize,
    /// 1-based line of the chunk's start.
    pub line: u32,
}

/// The tokens of `text`, in order.
pub fn tokens(text: &str, tokenizer: &mut Tokenizer) -> Vec<Token> {
    let mut out = Vec::new();
    let mut line = 1u32;
    let mut chunk_start: Option<usize> = None;
    let mut chunk_line = 1u32;
    let mut flush = |start: usize, end: usize, line: u32, out: &mut Vec<Token>| {
        tokenizer.for_each_token_hash(&text[start..end], |hash| {
            out.push(Token {
                hash,
                start,
                end,
                line,
            });
        });
    };
    for (at, c) in text.char_indices() {
        if c.is_whitespace() {
            if let Some(start) = chunk_start.take() {
                flush(start, at, chunk_line, &mut out);
            }
            if c == '\n' {
                line += 1;
            }
        } else if chunk_start.is_none() {
            chunk_start = Some(at);
            chunk_line = line;
        }
    }
    if let Some(start) = chunk_start {
        flush(start, text.len(), chunk_line, &mut out);
    }
    out
}

/// The byte offsets `at` of `text` (each on a character boundary) counted in other units:
/// `units` gives the length of a piece of text in them (characters for `compare --json`, UTF-16
/// code units for the HTML report's script). The text is walked once, whatever the order of
/// `at`.
pub fn offsets_in_units(text: &str, at: &[usize], units: impl Fn(&str) -> usize) -> Vec<usize> {
    let mut order: Vec<usize> = (0..at.len()).collect();
    order.sort_by_key(|&i| at[i]);
    let mut out = vec![0; at.len()];
    let (mut byte, mut unit) = (0, 0);
    for i in order {
        let target = at[i].min(text.len());
        unit += units(&text[byte..target]);
        byte = target;
        out[i] = unit;
    }
    out
}

/// A passage two texts share: `len` tokens from token `a` of the first and token `b` of the
/// second.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Passage {
    /// First token in the first text.
    pub a: usize,
    /// First token in the second text.
    pub b: usize,
    /// Number of tokens.
    pub len: usize,
}

/// A token sequence's `n`-gram starting at each position, hashed.
fn grams(tokens: &[Token], n: usize) -> impl Iterator<Item = u64> + '_ {
    tokens.windows(n).map(|w| {
        w.iter().fold(0x243F_6A88_85A3_08D3u64, |h, t| {
            (h ^ t.hash)
                .wrapping_mul(0x9E37_79B9_7F4A_7C15)
                .rotate_left(27)
        })
    })
}

/// The passages `a` and `b` share, at least `min_tokens` tokens each, longest first (then by
/// position in `a`, then in `b`).
pub fn shared_passages(a: &[Token], b: &[Token], min_tokens: usize) -> Vec<Passage> {
    let n = min_tokens.max(1);
    if a.len() < n || b.len() < n {
        return Vec::new();
    }
    let same = |i: usize, j: usize| a[i].hash == b[j].hash;
    let mut at_in_b: HashMap<u64, Vec<u32>> = HashMap::new();
    for (j, gram) in grams(b, n).enumerate() {
        at_in_b.entry(gram).or_default().push(j as u32);
    }
    // Every maximal run starting at a shared n-gram (a run that extends backwards is found from
    // its own start).
    let mut queue = BinaryHeap::new();
    for (i, gram) in grams(a, n).enumerate() {
        let Some(starts) = at_in_b.get(&gram) else {
            continue;
        };
        for &j in starts {
            let j = j as usize;
            if i > 0 && j > 0 && same(i - 1, j - 1) {
                continue;
            }
            if !(0..n).all(|k| same(i + k, j + k)) {
                continue; // two n-grams of one hash
            }
            let mut len = n;
            while i + len < a.len() && j + len < b.len() && same(i + len, j + len) {
                len += 1;
            }
            queue.push(Candidate { len, a: i, b: j });
        }
    }
    let (mut taken_a, mut taken_b) = (vec![false; a.len()], vec![false; b.len()]);
    let mut passages = Vec::new();
    while let Some(Candidate { len, a: i, b: j }) = queue.pop() {
        let free = |k: usize| !taken_a[i + k] && !taken_b[j + k];
        if (0..len).all(free) {
            taken_a[i..i + len].fill(true);
            taken_b[j..j + len].fill(true);
            passages.push(Passage { a: i, b: j, len });
            continue;
        }
        // Its untaken stretches, long enough, go back in line.
        let mut k = 0;
        while k < len {
            if !free(k) {
                k += 1;
                continue;
            }
            let start = k;
            while k < len && free(k) {
                k += 1;
            }
            if k - start >= n {
                queue.push(Candidate {
                    len: k - start,
                    a: i + start,
                    b: j + start,
                });
            }
        }
    }
    passages
}

/// A match waiting to be tiled: longer first, then earlier in `a`, then in `b`.
#[derive(Debug, PartialEq, Eq)]
struct Candidate {
    len: usize,
    a: usize,
    b: usize,
}

impl Ord for Candidate {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.len
            .cmp(&other.len)
            .then_with(|| other.a.cmp(&self.a))
            .then_with(|| other.b.cmp(&self.b))
    }
}

impl PartialOrd for Candidate {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn tokens_of(text: &str) -> Vec<Token> {
        tokens(text, &mut Tokenizer::new())
    }

    #[test]
    fn offsets_count_the_units_asked_for_in_any_order() {
        let text = "héllo 😀 world";
        let world = text.find("world").unwrap();
        let chars = offsets_in_units(text, &[world, 0, 6], |s| s.chars().count());
        assert_eq!(chars, [8, 0, 5]);
        let utf16 = offsets_in_units(text, &[world, 0, 6], |s| s.encode_utf16().count());
        assert_eq!(utf16, [9, 0, 5]);
    }

    #[test]
    fn tokens_keep_their_chunk_and_line() {
        let t = tokens_of("Hello,  world!\n\nsecond line's end");
        let spans: Vec<(usize, usize, u32)> = t.iter().map(|t| (t.start, t.end, t.line)).collect();
        // "line's" is two tokens of one chunk.
        assert_eq!(
            spans,
            [
                (0, 6, 1),
                (8, 14, 1),
                (16, 22, 3),
                (23, 29, 3),
                (23, 29, 3),
                (30, 33, 3)
            ]
        );
        let mut whole = Vec::new();
        Tokenizer::new()
            .for_each_token_hash("Hello,  world!\n\nsecond line's end", |h| whole.push(h));
        assert_eq!(t.iter().map(|t| t.hash).collect::<Vec<_>>(), whole);
    }

    #[test]
    fn a_pasted_paragraph_is_found_where_it_sits_in_both() {
        let pasted = "the committee will publish its findings on the new bridge next spring";
        let a = format!("Opening words of the first article here.\n\n{pasted}\n\nA closing line.");
        let b = format!("Something else entirely to begin with today.\n{pasted}, said the mayor.");
        let (ta, tb) = (tokens_of(&a), tokens_of(&b));
        let passages = shared_passages(&ta, &tb, 5);
        assert_eq!(passages.len(), 1);
        let p = passages[0];
        assert_eq!(p.len, 12);
        assert_eq!(&a[ta[p.a].start..ta[p.a + p.len - 1].end], pasted);
        assert_eq!((ta[p.a].line, tb[p.b].line), (3, 2));
    }

    #[test]
    fn a_passage_repeated_in_one_text_is_matched_once_in_the_other() {
        let pasted = "one two three four five six seven";
        let a = format!("{pasted}\n{pasted}\n{pasted}");
        let (ta, tb) = (tokens_of(&a), tokens_of(pasted));
        let passages = shared_passages(&ta, &tb, 5);
        assert_eq!(passages, [Passage { a: 0, b: 0, len: 7 }]);
    }

    fn text_from(words: &[u8]) -> String {
        let vocabulary = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta"];
        words
            .iter()
            .enumerate()
            .map(|(i, &w)| {
                let sep = if i % 9 == 8 { "\n" } else { " " };
                format!("{}{sep}", vocabulary[w as usize % vocabulary.len()])
            })
            .collect()
    }

    proptest! {
        #[test]
        fn passages_occur_in_both_texts_and_never_overlap(
            a in proptest::collection::vec(0u8..6, 0..120),
            b in proptest::collection::vec(0u8..6, 0..120),
            shared in proptest::collection::vec(0u8..6, 0..40),
            min in 1usize..6,
        ) {
            // Part of `b` pasted into `a`, so that long passages exist.
            let a = [&a[..a.len() / 2], &shared, &a[a.len() / 2..]].concat();
            let b = [&b[..], &shared].concat();
            let (ta, tb) = (tokens_of(&text_from(&a)), tokens_of(&text_from(&b)));
            let passages = shared_passages(&ta, &tb, min);
            let (mut in_a, mut in_b) = (vec![false; ta.len()], vec![false; tb.len()]);
            for p in &passages {
                prop_assert!(p.len >= min);
                for k in 0..p.len {
                    prop_assert_eq!(ta[p.a + k].hash, tb[p.b + k].hash);
                    prop_assert!(!in_a[p.a + k] && !in_b[p.b + k], "overlap at {:?}", p);
                    in_a[p.a + k] = true;
                    in_b[p.b + k] = true;
                }
            }
            // Longest first.
            prop_assert!(passages.windows(2).all(|w| w[0].len >= w[1].len));
            // The pasted run is found (whole, or tiled with others as long).
            if shared.len() >= min {
                prop_assert!(passages.first().is_some_and(|p| p.len >= shared.len()));
            }
        }
    }
}
