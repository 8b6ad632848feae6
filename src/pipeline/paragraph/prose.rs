//! What a pasted paragraph looks like: prose that ends its sentence, not code, not a diagram,
//! not a line of a sentence that a converter wrapped; and what two copies must share beyond
//! their words (their punctuation and symbols). Each test errs towards keeping the text.

/// ASCII characters that are rare in prose and common in code, markup tables and diagrams
/// (not `|`, which separates the links of a navigation bar as often as a table's cells, nor `_`,
/// which `html2text` puts in every link).
const CODE_SYMBOLS: &[u8] = b"{}[]<>=;\\~^*#@$%&+`";

/// The class of each ASCII byte for [`reads_as_code`]: a letter, a code symbol, or other (0).
const ASCII_CLASS: [u8; 128] = {
    let mut table = [0u8; 128];
    let mut b = 0;
    while b < 128 {
        if (b as u8).is_ascii_alphabetic() {
            table[b] = LETTER;
        }
        b += 1;
    }
    let mut i = 0;
    while i < CODE_SYMBOLS.len() {
        table[CODE_SYMBOLS[i] as usize] = SYMBOL;
        i += 1;
    }
    table
};
const LETTER: u8 = 1;
const SYMBOL: u8 = 2;

/// Whether a paragraph reads as code, a table or a diagram rather than prose: a line drawing
/// character, a line that starts as a comment or an attribute does (`//`, `/*`, `#!`, `#[`),
/// three code symbols or more at over one per 25 letters (`{ } [ ] < > = ; * # ...`, a run of
/// stars counting once, and `::`
/// as in `Ipv6Addr::new`), or a line that opens or closes a block (`... {`, `}`, a lone
/// `...;`). One pass over the bytes, as every paragraph near a document's ends goes through it.
pub fn reads_as_code(paragraph: &str) -> bool {
    let bytes = paragraph.as_bytes();
    let (mut letters, mut symbols, mut blocks) = (0usize, 0usize, false);
    // Whether a `//`, `/*`, `#!` or `#[` was seen anywhere: then the lines are looked at.
    let mut marker = false;
    let mut at = 0;
    while at < bytes.len() {
        let b = bytes[at];
        if b.is_ascii() {
            match ASCII_CLASS[b as usize] {
                LETTER => letters += 1,
                // A run of stars is one mark: Markdown's `**bold**` is two, not four.
                SYMBOL if b == b'*' && at > 0 && bytes[at - 1] == b'*' => {}
                SYMBOL => {
                    symbols += 1;
                    blocks |= matches!(b, b'{' | b'}' | b';');
                    marker |= b == b'#' && matches!(bytes.get(at + 1), Some(b'!' | b'['));
                }
                _ if b == b'/' => marker |= matches!(bytes.get(at + 1), Some(b'/' | b'*')),
                _ if b == b':' && bytes.get(at + 1) == Some(&b':') => {
                    symbols += 1;
                    at += 1;
                }
                _ => {}
            }
            at += 1;
            continue;
        }
        let c = paragraph[at..].chars().next().unwrap_or(' ');
        if c.is_alphabetic() {
            letters += 1;
        } else if ('\u{2500}'..='\u{259F}').contains(&c) {
            return true;
        }
        at += c.len_utf8();
    }
    if symbols >= 3 && symbols * 25 > letters {
        return true;
    }
    let starts_as_code = |line: &str| {
        ["//", "/*", "#!", "#["]
            .iter()
            .any(|m| line.trim_start().starts_with(m))
    };
    if marker && paragraph.lines().any(starts_as_code) {
        return true;
    }
    blocks
        && paragraph.lines().map(str::trim).any(|line| {
            line.ends_with('{')
                || line.starts_with('}')
                || (line.ends_with(';') && !line.contains(' '))
        })
}

/// Whether a paragraph that reads as code has the shape of a signature, which heads the
/// description under it: at most [`SIGNATURE_LINES`] lines and [`SIGNATURE_BYTES`] bytes, no
/// sentence end (a signature ends on a bracket, a type, a brace or a semicolon) and no box
/// drawing. A listing, a diagram or a sentence full of symbols heads nothing.
pub fn signature_shaped(paragraph: &str) -> bool {
    let paragraph = paragraph.trim();
    paragraph.len() <= SIGNATURE_BYTES
        && paragraph.lines().count() <= SIGNATURE_LINES
        && !ends_sentence(paragraph)
        && !paragraph
            .chars()
            .any(|c| ('\u{2500}'..='\u{259F}').contains(&c))
}

/// The most lines a signature spans (a function with its `where` clause).
pub const SIGNATURE_LINES: usize = 8;
/// The most bytes a signature holds.
pub const SIGNATURE_BYTES: usize = 400;

/// Whether a paragraph ends a sentence: its last character, past closing quotes, brackets and
/// emphasis, is a full stop, a question or exclamation mark or an ellipsis (in any script).
pub fn ends_sentence(paragraph: &str) -> bool {
    paragraph
        .trim_end()
        .trim_end_matches(['"', '\'', ')', ']', '*', '_', '\u{201D}', '\u{2019}', '»'])
        .chars()
        .next_back()
        .is_some_and(|c| {
            matches!(
                c,
                '.' | '!' | '?' | '\u{2026}' | '\u{3002}' | '\u{FF01}' | '\u{FF1F}'
            )
        })
}

/// Whether a paragraph reads as an entry's header rather than running prose: fewer than 12
/// words, a lead-in ending in a colon, fewer than 24 words without a sentence end (a signature,
/// a name, a flag, a title), or copyright lines.
pub fn header_like(paragraph: &str) -> bool {
    let words = super::rules::reader_words(paragraph, 24);
    words < 12
        || paragraph.trim_end().ends_with(':')
        || (words < 24 && !ends_sentence(paragraph))
        || notice_header(paragraph)
}

/// Whether a paragraph of up to four lines and 24 words holds a copyright line (`Copyright ...`, `(c) ...`,
/// `© ...`) or opens a Debian copyright stanza (`Files:`): it heads the licence text under it.
pub fn notice_header(paragraph: &str) -> bool {
    let mut lines = paragraph.lines().map(str::trim_start);
    paragraph.lines().count() <= 4
        && super::rules::reader_words(paragraph, 24) < 24
        && (paragraph.trim_start().starts_with("Files:") || lines.any(super::rules::copyright_line))
}

/// The punctuation and symbols of a paragraph in order (whitespace, letters and digits left
/// out; curly quotes read as straight ones): two copies of one paste have the same, while
/// `%{http_code}` and `%%{http_code}`, or two diagrams of the same labels, do not.
pub fn skeleton(paragraph: &str) -> String {
    paragraph
        .chars()
        .filter(|c| !(c.is_whitespace() || c.is_alphanumeric()))
        .map(|c| match c {
            '\u{2018}' | '\u{2019}' => '\'',
            '\u{201C}' | '\u{201D}' => '"',
            c => c,
        })
        .collect()
}

/// Whether each paragraph lies in a fenced code block (```` ``` ```` or `~~~`), the fence lines
/// included: a code block with blank lines in it is several paragraphs, all code.
pub fn fenced(paragraphs: impl Iterator<Item = impl AsRef<str>>) -> Vec<bool> {
    let mut open = false;
    paragraphs
        .map(|p| {
            let mut inside = open;
            for line in p.as_ref().lines() {
                let line = line.trim_start();
                if line.starts_with("```") || line.starts_with("~~~") {
                    open = !open;
                    inside = true;
                }
            }
            inside
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_tables_and_diagrams_are_not_prose() {
        for code in [
            "fn main() {\n    let leaf = Rc::new(Node {\n        value: 3,\n    });",
            "}",
            "x = a[i] + b[j];",
            "+-------+     +-------+\n| Input | --> | Store |\n+-------+     +-------+",
            "┌──────┐\n│ box  │\n└──────┘",
            "If curl --write-out \"%%{http_code}\" is executed in a batch file:\n%{http_code}",
            "def wrap(*args, **kwargs):\n    return f(*args, **kwargs)",
        ] {
            assert!(reads_as_code(code), "{code}");
        }
        for prose in [
            "Of course, the emergence of the conflict is also inevitable. On the one hand, NATO \
             continues to put pressure on Russia.",
            "Permission is hereby granted, free of charge, to any person obtaining a copy of \
             this software and associated documentation files (the \"Software\").",
            "See https://example.org/docs/guide.html for the details; it is short.",
            // Markdown emphasis and html2text's heading stars are prose.
            "Additionally, **we do not consider pkgconf doing what you tell it to do, when \
             pkg-config fails to do so, to be a bug**.",
            "***** Keyboard shortcuts *****\nPress ? to show this help",
        ] {
            assert!(!reads_as_code(prose), "{prose}");
        }
    }

    #[test]
    fn a_signature_heads_its_description_and_a_listing_or_diagram_does_not() {
        for signature in [
            "pub fn as_ptr(&self) -> *const T",
            "pub fn try_fold<B, F, R>(&mut self, init: B, f: F) -> R\nwhere\n    F: FnMut(B) -> R,",
            "int strcmp(const char *s1, const char *s2);",
        ] {
            assert!(signature_shaped(signature), "{signature}");
        }
        let listing = (0..10)
            .map(|i| format!("    let v{i} = vec![{i}];"))
            .collect::<Vec<_>>()
            .join("\n");
        let diagram = "┌─── Request\n│ CARD8 opcode\n└───";
        let sentence = "using v8::Object; using v8::String; using v8::Value.";
        for other in [listing.as_str(), diagram, sentence, &"x = y;".repeat(80)] {
            assert!(!signature_shaped(other), "{other}");
        }
    }

    #[test]
    fn sentences_end_past_quotes_and_brackets() {
        assert!(ends_sentence("It ended."));
        assert!(ends_sentence("He said \"it ended.\""));
        assert!(ends_sentence("(An aside.)"));
        assert!(ends_sentence("北京欢迎你。"));
        assert!(!ends_sentence(
            "Returns the maximum of two values with respect to the"
        ));
        assert!(!ends_sentence("Author: Ann Lee <ann@example.org>"));
        assert!(!ends_sentence("subject to the following conditions:"));
    }

    #[test]
    fn headers_are_short_or_open() {
        assert!(header_like("*** type Error = Infallible ***"));
        assert!(header_like("Copyright (C) 2018 Intel Corporation"));
        assert!(header_like(
            "- rimraf, located at lib/internal/fs/rimraf.js, is licensed as follows, with \
             the notice that comes with it:"
        ));
        assert!(!header_like(
            "Of course, Russia is also actively mediating. It needs more countries to \
             respond to them and recognize it."
        ));
    }

    #[test]
    fn skeletons_keep_symbols_and_fold_quotes() {
        assert_eq!(skeleton("It’s “here”, now."), "'\"\",.");
        assert_ne!(skeleton("%{http_code}"), skeleton("%%{http_code}"));
        assert_eq!(skeleton("a  b\n c."), skeleton("A B C."));
    }

    #[test]
    fn fenced_blocks_cover_their_paragraphs() {
        let paragraphs = ["text", "```rust\nfn a() {}", "", "fn b() {}\n```", "after"];
        assert_eq!(fenced(paragraphs.iter()), [false, true, true, true, false]);
    }
}
