//! Segmentation: how a text is cut into paragraphs (byte ranges and line numbers in the
//! original), how a text is put back together from the paragraphs it keeps, and the one-line
//! preview of a paragraph. The rules are those of the paragraph module's header.

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

/// Whether `paragraphs` come one per line with no blank line between them: the text had no
/// blank line inside it, so a sentence a converter wrapped is several paragraphs.
pub fn one_per_line(paragraphs: &[Paragraph]) -> bool {
    paragraphs
        .windows(2)
        .all(|w| w[1].first_line == w[0].last_line + 1)
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

    #[test]
    fn preview_collapses_whitespace_and_cuts() {
        assert_eq!(preview("a\n  b\tc"), "a b c");
        let long = "word ".repeat(40);
        let p = preview(&long);
        assert_eq!(p.chars().count(), PREVIEW_CHARS + 1);
        assert!(p.ends_with('…'));
    }
}
