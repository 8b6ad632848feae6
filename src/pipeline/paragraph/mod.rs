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
//!   them with a letter, repeat each other when their normalized texts are equal. Words are
//!   counted as a reader sees them ([`rules::reader_words`]): a link or a path is one word.
//!   Paragraphs of at least [`NEAR_MIN_WORDS`] words also repeat each other when
//!   - one is a *truncated copy* of the other: it has at least [`TRUNCATED_MIN_WORDS`] words, its
//!     words are the other's first words, and it looks cut off: its last word stops inside the
//!     other's word at that place, or it stops mid-sentence where the other goes on in the same
//!     line (a paragraph that is a whole first line of a longer one, like a sign-off line
//!     followed by more sign-offs, is not cut);
//!   - or they are *near-exact*: their word 3-shingles have a Jaccard similarity of at least
//!     [`NEAR_SIMILARITY`] and they carry the same words, only some spelled differently
//!     ([`rules::same_words_but_spelling`]); a template filled in with other names or numbers
//!     is other content.
//!
//!   Copies on either side of a heading or an entry's header ([`rules::starts_section`]) are
//!   not repeats: in reference text the same sentence under two entries belongs to each.
//!   Repeats are grouped transitively. Shorter paragraphs (list items, "Yes.", a refrain, a
//!   link under each section) repeat legitimately, and paragraphs made only of numbers (a date,
//!   a count) repeat by coincidence, so neither counts.
//! - **Kept occurrence.** `keep-first` keeps, of each group, the first paragraph that is not a
//!   truncated copy of another member: seed 001's truncated first line gives way to the full
//!   DayDayNews paragraph further down.

mod context;
mod grouping;
mod near;
pub mod prose;
pub mod rules;
mod segment;
mod settle;

pub use segment::{Paragraph, assemble, one_per_line, preview, segment, segment_into};

use context::{Context, Kind};
use grouping::{groups_of, link_exact};
use near::{BITMAP_WORDS, for_each_run};

use super::hash::finalize;
use super::normalize::Tokenizer;
use super::union_find::UnionFind;
use std::ops::Range;

/// Fewest words a paragraph needs to count as a repeat inside a document.
pub const MIN_REPEAT_WORDS: usize = 10;
/// Fewest words a paragraph needs for near-exact matching (truncation, Jaccard); shorter ones
/// match only when their normalized texts are equal.
pub const NEAR_MIN_WORDS: usize = 10;
/// How many earlier copies of a paragraph a copy is tried against, so that a text of thousands
/// of equal lines stays linear.
const EARLIER_COPIES_TRIED: usize = 8;
/// Fewest words a truncated copy needs, so that sharing the first words is not chance.
pub const TRUNCATED_MIN_WORDS: usize = 12;
/// Jaccard similarity of word 3-shingles at or above which two paragraphs are near-exact repeats.
pub const NEAR_SIMILARITY: f64 = 0.8;
/// Words per shingle for paragraph-level similarity (paragraphs are short, so k is smaller than
/// the document default).
const NEAR_SHINGLE_WORDS: usize = 3;
const _: () = assert!(
    NEAR_SHINGLE_WORDS == 3,
    "for_each_near_shingle takes three tokens"
);
/// A paragraph's place in its document's token stream and what it is matched on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fingerprint {
    /// Hash of its normalized token sequence (0 when it has no tokens).
    pub key: u64,
    /// Its tokens, as a range of the document's token hashes.
    pub tokens: Range<usize>,
    /// Whether some token has a letter (paragraphs of only numbers never match).
    pub has_letter: bool,
    /// Its words as a reader counts them ([`rules::reader_words`]), up to [`READER_WORDS_CAP`].
    pub reader_words: u8,
}

/// How far [`Fingerprint::reader_words`] counts: to the default `--min-words` of boilerplate,
/// which every paragraph is tested against (the repeats' larger thresholds are counted again
/// for the few paragraphs that match another).
pub const READER_WORDS_CAP: usize = 4;

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
                reader_words: rules::reader_words(p.text(text), READER_WORDS_CAP) as u8,
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

    /// Groups of paragraphs that repeat each other in one look at the analyzed document (see
    /// the module rules), each with the paragraph `keep-first` keeps; ordered by first member.
    /// [`Analyzer::repeats`] looks again at what stays.
    fn repeats_once(&mut self, text: &str, analysis: &Analysis) -> Vec<RepeatGroup> {
        let fps = &analysis.fingerprints;
        let hashes = &analysis.token_hashes;
        let paragraphs = &analysis.paragraphs;
        // Tokens bound a reader's words from above, so the count itself waits for a match.
        let eligible: Vec<usize> = (0..fps.len()).filter(|&i| fps[i].repeatable()).collect();
        // A paragraph that opens or closes a code block never goes: without its fence the rest
        // of the document would read as code.
        let long_enough = |i: usize, words: usize| {
            let paragraph = paragraphs[i].text(text);
            rules::reader_words(paragraph, words) >= words && !rules::holds_code_fence(paragraph)
        };
        if eligible.len() < 2 {
            return Vec::new();
        }
        // Whether a match is a paste (the context module's rules), found on the first pair
        // that matches, which most documents never have.
        let context = std::cell::OnceCell::new();
        let mut pastes: Vec<(usize, usize)> = Vec::new();
        let mut is_paste = |first: usize, second: usize, kind: Kind| {
            let paste = context
                .get_or_init(|| Context::new(text, analysis))
                .is_paste(first, second, kind);
            if paste {
                pastes.push((first.min(second), first.max(second)));
            }
            paste
        };
        let mut sets = UnionFind::new(fps.len());
        let mut merged = false;
        // Exact repeats; one representative per distinct text goes on to near matching.
        let mut by_key: Vec<(u64, usize)> = eligible.iter().map(|&i| (fps[i].key, i)).collect();
        by_key.sort_unstable();
        let mut distinct = Vec::new();
        merged |= link_exact(
            &by_key,
            &long_enough,
            &mut is_paste,
            &mut sets,
            &mut distinct,
        );
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
                    if truncated
                        && long_enough(short, TRUNCATED_MIN_WORDS)
                        && long_enough(long, TRUNCATED_MIN_WORDS)
                        && is_paste(short, long, Kind::Truncated)
                    {
                        merged |= sets.union(short as u32, long as u32);
                        truncated_keys.push(fps[short].key);
                    }
                },
            );
            // Copies with words spelled differently.
            for (a, b) in self.respelled_pairs(text, analysis, &near, &long_enough) {
                if is_paste(a, b, Kind::Respelled) {
                    merged |= sets.union(a as u32, b as u32);
                }
            }
        }
        if !merged {
            return Vec::new();
        }
        // A paste takes the copies before it in its block (a heading pasted with it).
        let mut members = eligible;
        if let Some(context) = context.get() {
            context.join_blocks(&pastes, &mut sets, &mut members);
        }
        groups_of(&mut sets, members, truncated_keys, fps)
    }

    /// Whether paragraph `short` is a truncated copy of `long` (the module rules): not the same
    /// text, no more words, at least [`TRUNCATED_MIN_WORDS`] tokens (the caller counts the
    /// reader's words of the few that pass), all but the last equal to
    /// the first words of `long`, and the last one either a prefix of the word of `long` at that
    /// place (cut off mid-word) or that word itself, `short` stopping mid-sentence where `long`
    /// goes on in the same line.
    fn is_truncated_copy(&mut self, text: &str, a: &Analysis, short: usize, long: usize) -> bool {
        let (s, l) = (&a.fingerprints[short], &a.fingerprints[long]);
        let n = s.words();
        let short_text = a.paragraphs[short].text(text);
        if s.key == l.key || n > l.words() || n < TRUNCATED_MIN_WORDS {
            return false;
        }
        let (hs, hl) = (
            &a.token_hashes[s.tokens.clone()],
            &a.token_hashes[l.tokens.clone()],
        );
        if hs[..n - 1] != hl[..n - 1] {
            return false;
        }
        let long_text = a.paragraphs[long].text(text);
        if hs[n - 1] == hl[n - 1] {
            return rules::ends_mid_sentence(short_text) && !self.a_line_ends_after(long_text, n);
        }
        // Cut mid-word: the text stops on the word's last character, not after it.
        if !short_text
            .trim_end()
            .chars()
            .next_back()
            .is_some_and(char::is_alphanumeric)
        {
            return false;
        }
        let short_tokens = self.tokens(short_text);
        let long_tokens = self.tokens(long_text);
        match (short_tokens.get(n - 1), long_tokens.get(n - 1)) {
            (Some(cut), Some(full)) => full.starts_with(cut.as_str()),
            _ => false,
        }
    }
}

/// How a removed repeat matches the paragraph kept in its place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RepeatMatch {
    /// The same normalized text.
    Exact,
    /// The kept paragraph's start, cut off.
    Truncated,
    /// The same words, some spelled differently (or joined to the kept one through such a
    /// copy).
    Respelled,
}

/// How paragraph `removed` of an analyzed document matches paragraph `kept`, and the Jaccard
/// similarity of their word 3-shingle sets.
pub fn repeat_match(analysis: &Analysis, removed: usize, kept: usize) -> (RepeatMatch, f64) {
    let (r, k) = (
        &analysis.fingerprints[removed],
        &analysis.fingerprints[kept],
    );
    if r.key == k.key {
        return (RepeatMatch::Exact, 1.0);
    }
    let (hr, hk) = (
        &analysis.token_hashes[r.tokens.clone()],
        &analysis.token_hashes[k.tokens.clone()],
    );
    let set = |units: &[u64]| {
        let mut set = Vec::new();
        near::for_each_near_shingle(units, |h| set.push(h));
        set.sort_unstable();
        set.dedup();
        set
    };
    let similarity = super::jaccard::jaccard(&set(hr), &set(hk));
    let n = hr.len();
    let kind = if n > 0 && n <= hk.len() && hr[..n - 1] == hk[..n - 1] {
        RepeatMatch::Truncated
    } else {
        RepeatMatch::Respelled
    };
    (kind, similarity)
}

impl Analyzer {
    /// Whether one of the lines of `paragraph` ends right after its first `words` tokens.
    fn a_line_ends_after(&mut self, paragraph: &str, words: usize) -> bool {
        let mut seen = 0;
        for line in paragraph.lines() {
            self.tokenizer.for_each_token_hash(line, |_| seen += 1);
            if seen >= words {
                return seen == words;
            }
        }
        false
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

#[cfg(test)]
mod tests {
    use super::*;

    const LONG: &str = "the quick brown fox jumps over the lazy dog near the river bank";

    fn groups(text: &str) -> (Vec<Paragraph>, Vec<RepeatGroup>) {
        let mut analyzer = Analyzer::new();
        let mut analysis = Analysis::default();
        analyzer.analyze(text, &mut analysis);
        let groups = analyzer.repeats(text, &analysis);
        (analysis.paragraphs, groups)
    }

    #[test]
    fn exact_repeats_match_after_normalization() {
        // Case and wrapping do not matter; other punctuation does (`%{x}` is not `%%{x}`).
        let wrapped = LONG.replacen(' ', "\n", 3);
        let text = format!(
            "{LONG}\n\nintro text here for once\n\n{}\n\n{wrapped}\n\n{LONG}!",
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
        // Under ten words, a line repeats legitimately (a sign-off, an entry's header).
        let text = "Signed-off-by: Ann Lee <ann@example.org>\n\nfix\n\n\
                    Signed-off-by: Ann Lee <ann@example.org>";
        assert!(groups(text).1.is_empty());
        let text = "A paragraph of ten words that someone pasted in twice.\n\n\
                    A paragraph of ten words that someone pasted in twice.";
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

    /// A word of letters only, distinct for each `i` below 676.
    fn word(i: usize) -> String {
        let (a, b) = (
            (b'a' + (i % 26) as u8) as char,
            (b'a' + (i / 26) as u8) as char,
        );
        format!("wor{a}{b}dle")
    }

    #[test]
    fn copies_with_words_spelled_differently_match_and_other_words_do_not() {
        // 40 words, 38 shingles: one respelled word leaves 35 shared (J = 35/41 = 0.85).
        let a: Vec<String> = (0..40).map(word).collect();
        let mut respelled = a.clone();
        respelled[20] = respelled[20].replace("dle", "del");
        let mut renamed = a.clone();
        renamed[20] = "other".into();
        let text = [&a, &respelled, &renamed].map(|p| p.join(" ")).join("\n\n");
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
    fn a_template_filled_in_with_other_names_is_not_a_repeat() {
        let gnu = "The GNU C Library is free software; you can redistribute it and/or modify it \
                   under the terms of the GNU Lesser General Public License as published by the \
                   Free Software Foundation; either version 2.1 of the License, or (at your \
                   option) any later version.";
        let this = gnu.replace("The GNU C Library", "This library");
        let regents = "THIS SOFTWARE IS PROVIDED BY THE REGENTS AND CONTRIBUTORS AS IS AND ANY \
                       EXPRESS OR IMPLIED WARRANTIES ARE DISCLAIMED.";
        let author = regents.replace("THE REGENTS", "THE AUTHOR");
        let text = format!("{this}\n\n{gnu}\n\n{regents}\n\n{author}");
        assert!(groups(&text).1.is_empty());
        // The same paragraph again is still a repeat.
        let text = format!("{gnu}\n\n{this}\n\n{gnu}");
        assert_eq!(groups(&text).1[0].members, [0, 2]);
    }

    #[test]
    fn a_link_or_a_whole_first_line_is_not_a_truncated_copy() {
        // A homepage link and the same link to its issues: one word each, too short to count.
        let text = "https://salsa.debian.org/iso-codes-team/iso-codes\n\nabout it\n\n\
                    <https://salsa.debian.org/iso-codes-team/iso-codes/issues>\n\n\
                    <https://salsa.debian.org/iso-codes-team/iso-codes>";
        assert!(groups(text).1.is_empty());
        // A long line that is the whole first line of a longer paragraph was not cut.
        let line = "Signed-off-by: Ann Example Lee of the Example Project team at example dot org";
        let text = format!("{line}\n\nfix a bug\n\n{line}\nReviewed-by: Bob Other Person");
        assert!(groups(&text).1.is_empty());
        // A sentence that ends is not cut either.
        let sentence = "The committee met on the first day of the month to agree on the plan.";
        let text = format!("{sentence}\n\nother text\n\n{sentence} Then it adjourned.");
        assert!(groups(&text).1.is_empty());
        // Stopping mid-sentence where the other goes on in the same line is cut.
        let cut = &sentence[..sentence.len() - " the plan.".len()];
        let text = format!("{cut}\n\nother text\n\n{sentence} Then it adjourned.");
        assert_eq!(groups(&text).1[0].members, [0, 2]);
        // A word that ends before a full stop was not cut either ("time." and "timestamp").
        let time = "The value it returns when the resource is not a valid time.";
        let stamp = "The value it returns when the resource is not a valid timestamp.";
        assert!(groups(&format!("{time}\n\n{stamp}")).1.is_empty());
        // But not when it is too short for a shared start to mean anything.
        let short = "The committee met on the first day";
        let text = format!("{short}\n\nother text\n\n{sentence}");
        assert!(groups(&text).1.is_empty());
    }

    #[test]
    fn long_posting_lists_still_group_near_identical_lines() {
        // A line of 20 words, then 300 copies with its last word respelled (one letter replaced,
        // not the first): every copy is J = 17/19 from the first line and one edit away from it.
        let line = |last: &str| {
            format!(
                "Error while connecting to the upstream server at the port number given in the \
                 configuration file of the proxy service {last}."
            )
        };
        let mut lines = vec![line("configuration")];
        for at in 1..13 {
            for letter in (b'a'..=b'z').filter(|&l| l != b"configuration"[at]) {
                let mut respelled = b"configuration".to_vec();
                respelled[at] = letter;
                lines.push(line(std::str::from_utf8(&respelled).unwrap()));
            }
        }
        let (ps, gs) = groups(&lines.join("\n"));
        assert_eq!(ps.len(), 301);
        assert_eq!(gs.len(), 1);
        assert_eq!(gs[0].members.len(), 301);
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
