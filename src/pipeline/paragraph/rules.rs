//! The tests that decide whether two paragraphs of one document are the same paragraph, beyond
//! equal normalized text: how many words a reader sees in a paragraph, whether a paragraph looks
//! cut off, and whether two paragraphs say the same thing with some words spelled differently.
//! Each errs towards keeping the text: a paragraph that a rule does not clearly match stays.

use crate::pipeline::normalize::is_unspaced_script;

/// Counts the words of `paragraph` as a reader sees them, up to `cap` (the count stops there):
/// each whitespace-separated chunk holding a letter or digit is one word, so that a link, a path
/// or an e-mail address counts once however many tokens it gives; in scripts written without
/// spaces (Han, Kana, Thai, ...) every character is a word, as it is a token.
pub fn reader_words(paragraph: &str, cap: usize) -> usize {
    let bytes = paragraph.as_bytes();
    // Whether the current chunk has had its letter or digit yet.
    let mut counted = false;
    let (mut words, mut at) = (0usize, 0usize);
    while at < bytes.len() && words < cap {
        let b = bytes[at];
        if b.is_ascii() {
            // The common case: a table lookup and no branch but the loop's.
            let class = ASCII_CLASS[b as usize];
            let alphanumeric = class == ALPHANUMERIC;
            words += usize::from(alphanumeric & !counted);
            counted = (counted | alphanumeric) & (class != WHITESPACE);
            at += 1;
            continue;
        }
        let c = paragraph[at..].chars().next().unwrap_or(' ');
        at += c.len_utf8();
        if c.is_whitespace() {
            counted = false;
        } else if is_unspaced_script(c) {
            words += 1;
            counted = false;
        } else if !counted && c.is_alphanumeric() {
            words += 1;
            counted = true;
        }
    }
    words.min(cap)
}

const WHITESPACE: u8 = 1;
const ALPHANUMERIC: u8 = 2;
/// The class of each ASCII byte for [`reader_words`]: whitespace (vertical tab included),
/// letter or digit, or other (0).
const ASCII_CLASS: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 128 {
        let byte = b as u8;
        table[b] = if byte.is_ascii_whitespace() || byte == 0x0B {
            WHITESPACE
        } else if byte.is_ascii_alphanumeric() {
            ALPHANUMERIC
        } else {
            0
        };
        b += 1;
    }
    table
};

/// Whether a paragraph opens a section of reference text, so that a paragraph repeated on
/// either side of it belongs to two entries: [`heading_level`] gives it a level.
pub fn starts_section(paragraph: &str) -> bool {
    heading_level(paragraph).is_some()
}

/// The level of a paragraph that opens a section (1 the highest), or `None` for any other.
/// Headings stand alone as a paragraph of one line of fewer than 12 words: a Markdown heading
/// (`## ...`, its number of `#`), a heading as `html2text` writes it (`*** ... ***`, fewer stars
/// lower), a GNU ChangeLog entry (`2024-01-31  Name  <mail>`), a Debian changelog entry
/// (`pkg (1.2-3) unstable; urgency=low`), a release (`* Version 2.7.1 (released 2008-10-31)`),
/// a manual's heading in capitals (`OPTIONS`), a command-line option over its description
/// (`--zone=ZONE, -z ZONE`), or a short lead-in that ends in a colon (`To set the region
/// attribute:`, the lowest); or of two or three lines, underlined (and overlined)
/// with `===` (level 1) or `---` (level 2); or a git log's `commit <hash>` line over its author
/// and date.
pub fn heading_level(paragraph: &str) -> Option<u8> {
    let mut lines = paragraph.trim().lines().map(str::trim);
    let first = lines.next().unwrap_or("");
    let underline = |line: &str| {
        line.len() >= 3
            && line
                .chars()
                .all(|c| matches!(c, '=' | '-' | '~' | '^' | '*' | '+' | '#'))
            && line.chars().all(|c| line.starts_with(c))
    };
    if commit_line(first) {
        return Some(1);
    }
    match (lines.next(), lines.next(), lines.next()) {
        (None, ..) => one_line_heading(first),
        (Some(under), None, _) if underline(under) => {
            Some(if under.starts_with('=') { 1 } else { 2 })
        }
        (Some(_), Some(under), None) if underline(first) && underline(under) => Some(1),
        _ => None,
    }
}

/// [`heading_level`] for a paragraph of one line: a heading of fewer than 12 words.
fn one_line_heading(line: &str) -> Option<u8> {
    // A one-line paragraph of more words is prose on one long line.
    if reader_words(line, 12) >= 12 {
        return None;
    }
    let markdown = || {
        let rest = line.trim_start_matches('#');
        let level = line.len() - rest.len();
        ((1..=6).contains(&level) && rest.starts_with(' ')).then_some(level as u8)
    };
    let starred = || {
        let stars = line.len() - line.trim_start_matches('*').len();
        let inner = line[stars..].strip_suffix(&"*".repeat(stars))?;
        ((2..=6).contains(&stars)
            && inner.starts_with(' ')
            && inner.ends_with(' ')
            && !inner.trim().is_empty())
        .then_some(7 - stars as u8)
    };
    let release = || release_line(line);
    let lead_in = || line.ends_with(':') && reader_words(line, 10) < 10;
    // A command-line option that a manual describes under it: `--zone=ZONE, -z ZONE`, `-h`.
    let flag = || {
        let name = line.trim_start_matches('-');
        (1..=2).contains(&(line.len() - name.len()))
            && name.starts_with(|c: char| c.is_ascii_alphanumeric())
            && !line.ends_with('.')
    };
    let capitals = || {
        reader_words(line, 6) < 6
            && line.chars().any(char::is_alphabetic)
            && !line.chars().any(char::is_lowercase)
    };
    markdown()
        .or_else(starred)
        .or_else(|| (changelog_entry(line) || release() || capitals()).then_some(1))
        .or_else(|| flag().then_some(8))
        .or_else(|| lead_in().then_some(9))
}

/// Whether a line names a release: fewer than 8 words, not a sentence, and a version standing
/// as a word of its own ([`version_word`]): `* Version 2.7.1 (released 2008-10-31)`,
/// `Release 3.13.0 (15 June 2017)`.
fn release_line(line: &str) -> bool {
    reader_words(line, 8) < 8 && titles_a_version(line)
}

/// Whether a line is no sentence and holds a version standing as a word of its own: `2.7.1`,
/// `v1.2`, `(1.0.3)`.
fn titles_a_version(line: &str) -> bool {
    !line.ends_with('.')
        && !line.starts_with(char::is_lowercase)
        && line.split_whitespace().any(|word| {
            let part = word
                .trim_matches(|c: char| matches!(c, '(' | ')' | '[' | ']' | ',' | ':'))
                .trim_start_matches('v');
            let mut numbers = part.split('.');
            part.contains('.')
                && part.chars().all(|c| c.is_ascii_digit() || c == '.')
                && numbers.next().is_some_and(|n| !n.is_empty())
                && numbers.next().is_some_and(|n| !n.is_empty())
        })
}

/// Whether a paragraph marks one record of a document made of records: a changelog entry or a
/// commit ([`log_entry`]), a release line, a copyright line or a Debian copyright stanza
/// (`Files:`) at its start, a manual's section ([`manual_section`]). A changelog, release
/// notes, a copyright file or a manual hold several; an article seldom does.
pub fn record_mark(paragraph: &str) -> bool {
    let trimmed = paragraph.trim();
    let first = trimmed.lines().next().unwrap_or("").trim();
    // A release's title: a paragraph of up to three short lines that are no sentences, one of
    // them naming a version (`Release 3.19.0` over its underline, `Apache Commons IO` /
    // `Version 2.11.0` / `Release Notes`, `### Changes between 3.0.18 and 3.0.19 [27 Jan
    // 2026]`).
    let release = || {
        let title = |line: &str| reader_words(line, 12) < 12 && !line.trim_end().ends_with('.');
        trimmed.lines().count() <= 3
            && trimmed.lines().all(title)
            && trimmed.lines().any(|line| titles_a_version(line.trim()))
    };
    log_entry(paragraph)
        || manual_section(paragraph)
        || copyright_line(first)
        || first.starts_with("Files:")
        || release()
}

/// Whether a line (its leading blanks trimmed) opens with a copyright notice: `Copyright ...`
/// in any case, `(c) ...` or `© ...`.
pub fn copyright_line(line: &str) -> bool {
    let head = line.as_bytes().get(..9).unwrap_or(line.as_bytes());
    let starts =
        |word: &[u8]| head.len() >= word.len() && head[..word.len()].eq_ignore_ascii_case(word);
    starts(b"copyright") || starts(b"(c)") || line.starts_with('\u{A9}')
}

/// Whether a line heads a changelog entry: a GNU ChangeLog entry (`2024-01-31  Name  <mail>`)
/// or a Debian changelog entry (`pkg (1.2-3) unstable; urgency=low`).
fn changelog_entry(line: &str) -> bool {
    let bytes = line.as_bytes();
    let gnu = line.ends_with('>')
        && bytes.len() > 11
        && bytes[..10].iter().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                *b == b'-'
            } else {
                b.is_ascii_digit()
            }
        })
        && bytes[10].is_ascii_whitespace();
    gnu || (line.contains(") ") && line.contains("; urgency="))
}

/// Whether a line is a git log's `commit <hash>` line.
fn commit_line(line: &str) -> bool {
    line.strip_prefix("commit ").is_some_and(|rest| {
        let hash = rest.split_whitespace().next().unwrap_or("");
        (7..=40).contains(&hash.len()) && hash.bytes().all(|b| b.is_ascii_hexdigit())
    })
}

/// Whether a paragraph heads one entry of a log (a changelog entry, a git log's `commit <hash>`
/// line): each is an entry of its own even when its text comes again (two entries by one
/// author on one day).
pub fn log_entry(paragraph: &str) -> bool {
    let trimmed = paragraph.trim();
    let first = trimmed.lines().next().unwrap_or("").trim();
    commit_line(first)
        || (!trimmed.contains('\n') && reader_words(first, 12) < 12 && changelog_entry(first))
}

/// Whether a paragraph introduces what follows it, so that the two go or stay together: a
/// heading or an entry's header ([`starts_section`]), a manual's section whose first line is
/// its heading in capitals (`GCLOUD WIDE FLAGS` over its indented text, which the paragraphs
/// after it carry on), or, in prose ([`leads_in`]), a lead-in ending in a colon or an item
/// the next one continues. What code opens is the caller's to say (a signature, its
/// description).
pub fn heads_what_follows(paragraph: &str) -> bool {
    starts_section(paragraph) || manual_section(paragraph)
}

/// Whether a paragraph of prose leads into the next: a lead-in ending in a colon ("Licensed
/// under either of:"), or an item ending in a comma or semicolon, which the next continues.
pub fn leads_in(paragraph: &str) -> bool {
    paragraph.trim_end().ends_with([':', ';', ','])
}

/// Whether a paragraph is a manual's section: its first line a heading in capitals at the
/// margin (`DESCRIPTION`, `GCLOUD WIDE FLAGS`), its text indented under it.
pub fn manual_section(paragraph: &str) -> bool {
    let mut lines = paragraph.lines();
    let (Some(first), Some(second)) = (lines.next(), lines.next()) else {
        return false;
    };
    !first.starts_with(char::is_whitespace)
        && second.starts_with(char::is_whitespace)
        && one_line_heading(first.trim()) == Some(1)
        && !first.chars().any(char::is_lowercase)
}

/// Whether a paragraph may carry on the sentence before it: its first character is a lowercase
/// letter ("at your option.", the second line of a sentence that a converter put on a line of
/// its own). It does when that sentence is unfinished ([`ends_mid_sentence`] or a list item
/// without a full stop).
pub fn continues_what_precedes(paragraph: &str) -> bool {
    paragraph
        .trim_start()
        .chars()
        .next()
        .is_some_and(char::is_lowercase)
}

/// Whether a paragraph belongs to the one above it whatever that one is: the trailer of a
/// Debian changelog entry (` -- Name <mail>  Mon, 16 May 2005 22:10:17 +1000`).
pub fn trails_what_precedes(paragraph: &str) -> bool {
    let line = paragraph.trim_start();
    line.starts_with("-- ") && line.contains('<') && line.contains(">  ") && line.contains(", ")
}

/// Whether a paragraph holds a Markdown code fence (a line starting with three backticks or
/// tildes).
pub fn holds_code_fence(paragraph: &str) -> bool {
    paragraph.lines().any(|line| {
        let line = line.trim_start();
        line.starts_with("```") || line.starts_with("~~~")
    })
}

/// Whether a paragraph stops mid-sentence: its last visible character is a letter, a digit, a
/// comma or a dash, not the end of a sentence, a closing bracket or quote.
pub fn ends_mid_sentence(paragraph: &str) -> bool {
    paragraph
        .trim_end()
        .chars()
        .next_back()
        .is_some_and(|c| c.is_alphanumeric() || matches!(c, ',' | '-' | '\u{2013}' | '\u{2014}'))
}

/// Whether `a` and `b` (the normalized tokens of two paragraphs) carry the same words, some of
/// them spelled differently: as many tokens, and wherever they differ, both are words (not
/// numbers) that [`spelling_variants`] says are the same word. A changed name, number or clause
/// is other content, so a licence template filled in for another program does not match; an
/// inserted or dropped word does not match either.
pub fn same_words_but_spelling(a: &[String], b: &[String]) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|(x, y)| x == y || spelling_variants(x, y))
}

/// Whether two different tokens are spellings of one word: both at least
/// [`SPELLING_MIN_CHARS`] characters of letters (no digits, no `_` of identifiers), the same
/// first character, and one edit apart (a character inserted, dropped, replaced, or two
/// neighbours swapped); so "colour" and "color", "recieve" and "receive", "casuse" and "cause"
/// match, while "synchronously" and "asynchronously", "decipher" and "encipher", "dsa" and "rsa",
/// "getvideo" and "putvideo" do not (a changed beginning changes the word).
pub fn spelling_variants(a: &str, b: &str) -> bool {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let word = |w: &[char]| w.len() >= SPELLING_MIN_CHARS && w.iter().all(|c| c.is_alphabetic());
    word(&a)
        && word(&b)
        && a[0] == b[0]
        && a.len().abs_diff(b.len()) <= 1
        && edit_distance(&a, &b) == 1
}

/// Fewest characters a word needs for another spelling of it to count as the same word.
pub const SPELLING_MIN_CHARS: usize = 5;

/// Optimal string alignment distance: Levenshtein with swaps of two neighbouring characters.
fn edit_distance(a: &[char], b: &[char]) -> usize {
    let width = b.len() + 1;
    let mut rows = vec![vec![0usize; width]; 3];
    for (j, cell) in rows[1].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        let (current, previous, before) = (i % 3, (i + 2) % 3, (i + 1) % 3);
        rows[current][0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (rows[previous][j] + 1)
                .min(rows[current][j - 1] + 1)
                .min(rows[previous][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(rows[before][j - 2] + 1);
            }
            rows[current][j] = best;
        }
    }
    rows[a.len() % 3][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn a_link_is_one_word_and_the_count_stops_at_the_cap() {
        assert_eq!(
            reader_words("<https://salsa.debian.org/iso-codes/issues>", 10),
            1
        );
        assert_eq!(
            reader_words("Signed-off-by: Ann Lee <ann@example.org>", 10),
            4
        );
        assert_eq!(reader_words("one two three four five six", 4), 4);
        assert_eq!(reader_words("-- * --", 4), 0);
        assert_eq!(reader_words("北京欢迎你", 10), 5);
        assert_eq!(reader_words("naïve café au lait, déjà vu", 10), 6);
        assert_eq!(reader_words("word\u{a0}word", 10), 2);
        let long = "a ".repeat(40);
        assert_eq!(reader_words(&long, 33), 33);
        assert_eq!(reader_words(&format!("{long}é"), 100), 41);
    }

    #[test]
    fn headings_and_entry_headers_open_sections_and_prose_does_not() {
        for heading in [
            "## Changes in 1.2",
            "Library\n-------",
            "=====\nTitle\n=====",
            "What's New in Python 3.7.0 rc 1?\n=================================",
            "commit 3183269e9a1c0ffee\nAuthor: Ann Lee <ann@example.org>",
            "commit 3183269e9a1c0ffee",
            "2011-09-02  Jim Meyering  <meyering@example.org>",
            "grep (3.8-5) unstable; urgency=medium",
            "       To set the region attribute:",
            "       OPTIONAL FLAGS",
            "* Version 2.7.1 (released 2008-10-31)",
            "*** type Error = Infallible ***",
        ] {
            assert!(starts_section(heading), "{heading}");
        }
        for prose in [
            "Of course, the emergence of the conflict is also inevitable.",
            "In fact, there are several reasons, and this sentence names them all at length:",
            "2024/07/0103:02:33 international 1546",
            "#hashtag at the start of a line",
            "### ncurses 1.8.5 -> 1.8.6 Implemented wbkgd(), bkgd(), bkgdset(), and\nwbkgdset().",
            "2009-01-14 Craig Small Updated Russian PO file\nClarified -m and -c for fuser",
            "2009-01-14 Craig Small Updated Russian PO file Clarified -m and -c for fuser",
            "# matches expr if it is the first token on the line # (allows for leading whitespace)",
            "Read the full story at the site, - B - C",
            "    * In_the_first_edition:_Ch_4.10_—_Borrow_and_AsRef",
            "NATO",
        ] {
            assert_eq!(starts_section(prose), prose == "NATO", "{prose}");
        }
    }

    #[test]
    fn code_fences_are_seen() {
        assert!(holds_code_fence("const x = require('x');\n```"));
        assert!(holds_code_fence("  ~~~ js\ncode"));
        assert!(!holds_code_fence("a sentence with `code` in it"));
    }

    #[test]
    fn mid_sentence_ends() {
        assert!(ends_mid_sentence("for Western countries agai"));
        assert!(ends_mid_sentence("the first part, "));
        assert!(!ends_mid_sentence("A whole sentence."));
        assert!(!ends_mid_sentence("(an aside)"));
        assert!(!ends_mid_sentence(""));
    }

    #[test]
    fn spelling_variants_and_other_words() {
        assert!(spelling_variants("colour", "color"));
        assert!(spelling_variants("recieve", "receive"));
        assert!(spelling_variants("organisation", "organization"));
        assert!(!spelling_variants("the", "this"));
        assert!(!spelling_variants("regents", "author"));
        assert!(!spelling_variants("dutch", "italian"));
        assert!(spelling_variants("casuse", "cause"));
        assert!(!spelling_variants("synchronously", "asynchronously"));
        assert!(!spelling_variants("deciphered", "enciphered"));
        assert!(!spelling_variants("getvideo", "putvideo"));
        assert!(!spelling_variants("dsa", "rsa"));
        assert!(!spelling_variants("invert_limb", "invent_limb"));
    }

    #[test]
    fn same_words_but_spelling_rejects_other_names_numbers_and_extra_words() {
        let a = tokens("this library is free software you can redistribute it");
        let typo = tokens("this libary is free software you can redistribute it");
        let other = tokens("the gnu c library is free software you can redistribute it");
        let renamed = tokens("libiberty library is free software you can redistribute it");
        assert!(same_words_but_spelling(&a, &typo));
        assert!(!same_words_but_spelling(&a, &other));
        assert!(!same_words_but_spelling(&a, &renamed));
        let five = tokens("5 this agreement will terminate upon a breach");
        let six = tokens("6 this agreement will terminate upon a breach");
        assert!(!same_words_but_spelling(&five, &six));
    }
}
