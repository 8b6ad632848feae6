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

use crate::cluster::UnionFind;
use crate::normalize::Tokenizer;
use crate::shingle::{self, jaccard_at_least};
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
/// Posting lists longer than this compare each entry with the first and the previous one only,
/// so that a pathological document (thousands of near-identical lines) stays linear.
const MAX_FULL_POSTING: usize = 64;
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
    // ASCII fast path (space, tab, CR, form feed, vertical tab), else Unicode White_Space.
    line.bytes().all(|b| b.is_ascii_whitespace() || b == 0x0B)
        || (!line.is_ascii() && line.chars().all(char::is_whitespace))
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
    shingle::finalize(h ^ token_hashes.len() as u64) | 1
}

/// A document cut into paragraphs, with its tokens hashed.
#[derive(Debug, Clone, Default)]
pub struct Analysis {
    /// The paragraphs in order.
    pub paragraphs: Vec<Paragraph>,
    /// One fingerprint per paragraph.
    pub fingerprints: Vec<Fingerprint>,
    /// [`crate::normalize::token_hash`] of every normalized token of the document, in order (the
    /// scan's word units).
    pub token_hashes: Vec<u64>,
}

/// Reusable paragraph analyzer (one per worker thread); its buffers are kept between documents.
#[derive(Debug, Default)]
pub struct Analyzer {
    tokenizer: Tokenizer,
    /// Word 3-shingle sets of the paragraphs under near matching, one after another.
    shingles: Vec<u64>,
    /// Range of each set in `shingles`.
    ranges: Vec<Range<usize>>,
    /// Whether each set is sorted and deduplicated yet (only sets in a candidate pair are).
    sorted: Vec<bool>,
    /// (prefix shingle, set, 0) entries of the prefix filter.
    postings: Vec<(u64, usize, usize)>,
    /// Candidate pairs of sets.
    pairs: Vec<(usize, usize)>,
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
            for_each_candidate(&by_lead, |x, y| {
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
            });
            // Lightly edited copies: exact Jaccard of word 3-shingles over prefix-filter
            // candidates (two sets with J >= t share an element among the first
            // |x| - ceil(t |x|) + 1 of each, in any fixed order).
            self.shingles.clear();
            self.ranges.clear();
            self.sorted.clear();
            self.postings.clear();
            for (n, &i) in near.iter().enumerate() {
                let start = self.shingles.len();
                shingle::rolling_shingles(
                    &hashes[fps[i].tokens.clone()],
                    NEAR_SHINGLE_WORDS,
                    &mut self.shingles,
                );
                let set = &mut self.shingles[start..];
                // Only the smallest elements go into the filter, so they are selected, not the
                // whole set sorted: most paragraphs never meet a candidate. The prefix length
                // of the multiset's size is at least that of the set's. When its smallest
                // elements are distinct they are also the set's smallest, and the longer prefix
                // only adds candidates; otherwise the set is sorted and deduplicated first.
                let m = set.len();
                let prefix = m - (4 * m).div_ceil(5) + 1; // m - ceil(0.8 m) + 1, exactly
                if prefix < m {
                    set.select_nth_unstable(prefix);
                }
                set[..prefix].sort_unstable();
                let sorted = if set[..prefix].windows(2).any(|w| w[0] == w[1]) {
                    let len = sort_dedup(set);
                    self.shingles.truncate(start + len);
                    true
                } else {
                    false
                };
                let set = &self.shingles[start..];
                let prefix = if sorted {
                    set.len() - (4 * set.len()).div_ceil(5) + 1
                } else {
                    prefix
                };
                self.postings
                    .extend(set[..prefix].iter().map(|&h| (h, n, 0)));
                self.ranges.push(start..self.shingles.len());
                self.sorted.push(sorted);
            }
            self.postings.sort_unstable();
            self.pairs.clear();
            let (postings, pairs) = (&self.postings, &mut self.pairs);
            for_each_candidate(postings, |x, y| {
                let (a, b) = (postings[x].1, postings[y].1);
                pairs.push((a.min(b), a.max(b)));
            });
            self.pairs.sort_unstable();
            self.pairs.dedup();
            for &(a, b) in &self.pairs {
                if a == b {
                    continue;
                }
                for set in [a, b] {
                    if !self.sorted[set] {
                        let range = self.ranges[set].clone();
                        let len = sort_dedup(&mut self.shingles[range.clone()]);
                        self.ranges[set] = range.start..range.start + len;
                        self.sorted[set] = true;
                    }
                }
                let (x, y) = (
                    &self.shingles[self.ranges[a].clone()],
                    &self.shingles[self.ranges[b].clone()],
                );
                if jaccard_at_least(x, y, NEAR_SIMILARITY).is_some() {
                    merged |= sets.union(near[a] as u32, near[b] as u32);
                }
            }
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

/// Calls `visit(x, y)` (x before y) for pairs of entries of `sorted` that share the first field:
/// all pairs in runs of at most [`MAX_FULL_POSTING`], each entry with the run's first and with its
/// predecessor in longer runs.
fn for_each_candidate<T: Copy + PartialEq, U, V>(
    sorted: &[(T, U, V)],
    mut visit: impl FnMut(usize, usize),
) {
    let mut start = 0;
    while start < sorted.len() {
        let mut end = start + 1;
        while end < sorted.len() && sorted[end].0 == sorted[start].0 {
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

/// A one-line preview of a paragraph: whitespace collapsed, at most [`PREVIEW_CHARS`] characters
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
