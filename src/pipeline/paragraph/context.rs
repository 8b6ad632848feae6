//! Whether two paragraphs that match (the same words, a cut-off copy, a respelling) are a paste:
//! the same prose pasted again in one place of a document, rather than the same sentence under
//! two entries of reference text, a line of code, or a fragment of a wrapped sentence.
//!
//! Rules (the README's "Paragraphs" section):
//! - **Prose.** Both read as prose ([`prose::reads_as_code`] says no, and no code fence holds
//!   them), neither carries on a sentence from the line before it (in a text with a paragraph
//!   per line), and the same punctuation and symbols come in the same order
//!   ([`prose::skeleton`]).
//! - **One section.** Their headings, from the top one down, are the same ([`heading_level`],
//!   and copyright notices, which head the licence under them): a copy under another release,
//!   another option, another chapter or another component's copyright belongs there.
//! - **One entry.** Going back from the two copies while the paragraphs before them are equal
//!   (a block pasted whole brings its own heading), they do not both sit under an entry header
//!   ([`prose::header_like`], up to [`ENTRY_REACH`] paragraphs back: a signature, a flag, a
//!   copyright line, anything short or without a sentence end, then the same description). That is reference text, where the same sentence under two entries
//!   belongs to each; a paste sits in running prose, or right after the paragraph it repeats.
//! - **Blocks.** A copy that matches as a paste takes with it the copies before it in the same
//!   block (its heading, a short line), when what follows the block does not need them.

use super::prose;
use super::rules::{
    continues_what_precedes, heading_level, log_entry, manual_section, record_mark,
};
use super::{Analysis, Paragraph};
use crate::pipeline::union_find::UnionFind;
use xxhash_rust::xxh3::xxh3_64_with_seed;

/// The level a copyright notice heads a section at: below every heading.
const NOTICE_LEVEL: u8 = 10;
/// How far back from a copy its entry's header may be, in paragraphs.
const ENTRY_REACH: usize = 3;
/// How many records ([`record_mark`]) make a document one of records.
const RECORD_MARKS: usize = 3;

/// How two paragraphs match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// The same words.
    Exact,
    /// The first one is the second one cut off.
    Truncated,
    /// The same words, some spelled differently.
    Respelled,
}

/// What the rules need to know about a document, found once per document that has a match.
pub(super) struct Context<'a> {
    text: &'a str,
    paragraphs: &'a [Paragraph],
    keys: Vec<u64>,
    /// Hash of the headings a paragraph lies under, from the top one down.
    sections: Vec<u64>,
    /// Whether a paragraph opens a section.
    headings: Vec<bool>,
    /// Whether a paragraph lies in a fenced code block.
    fenced: Vec<bool>,
    /// Whether the text has no blank line between paragraphs, so that every line is one and
    /// a sentence a converter wrapped is several.
    line_mode: bool,
    /// Whether the document is made of records (a changelog, release notes, a copyright
    /// file): at least [`RECORD_MARKS`] distinct paragraphs mark one.
    records: bool,
}

impl<'a> Context<'a> {
    /// The context of an analyzed document.
    pub(super) fn new(text: &'a str, analysis: &'a Analysis) -> Self {
        let paragraphs = &analysis.paragraphs[..];
        let mut stack: Vec<(u8, u64)> = Vec::new();
        let mut sections = Vec::with_capacity(paragraphs.len());
        let mut headings = Vec::with_capacity(paragraphs.len());
        let mut marks = Vec::new();
        for (p, f) in paragraphs.iter().zip(&analysis.fingerprints) {
            // A copyright line heads the licence text under it: a licence under two of them
            // belongs to two components.
            let level = heading_level(p.text(text))
                .or_else(|| manual_section(p.text(text)).then_some(1))
                .or_else(|| prose::notice_header(p.text(text)).then_some(NOTICE_LEVEL));
            if let Some(level) = level {
                while stack.last().is_some_and(|&(l, _)| l >= level) {
                    stack.pop();
                }
                // Each entry of a log is its own, even under a header line seen before.
                let identity = if log_entry(p.text(text)) {
                    xxh3_64_with_seed(&(sections.len() as u64).to_le_bytes(), f.key)
                } else {
                    f.key
                };
                stack.push((level, identity));
            }
            headings.push(level.is_some());
            if record_mark(p.text(text)) {
                marks.push(f.key);
            }
            let path = stack.iter().fold(0u64, |h, &(l, k)| {
                xxh3_64_with_seed(&k.to_le_bytes(), h ^ u64::from(l))
            });
            sections.push(path);
        }
        Context {
            text,
            paragraphs,
            keys: analysis.fingerprints.iter().map(|f| f.key).collect(),
            sections,
            headings,
            fenced: prose::fenced(paragraphs.iter().map(|p| p.text(text))),
            line_mode: super::one_per_line(paragraphs),
            records: {
                // A header pasted again marks no new record.
                marks.sort_unstable();
                marks.dedup();
                marks.len() >= RECORD_MARKS
            },
        }
    }

    fn paragraph(&self, i: usize) -> &'a str {
        self.paragraphs[i].text(self.text)
    }

    /// Whether paragraph `i` carries on the sentence of the line before it, in a text with a
    /// paragraph per line.
    fn carries_on(&self, i: usize) -> bool {
        self.line_mode
            && i > 0
            && continues_what_precedes(self.paragraph(i))
            && !prose::ends_sentence(self.paragraph(i - 1))
    }

    /// Whether paragraphs `first` and `second` (`first` cut off from `second` for
    /// [`Kind::Truncated`]) are a paste, by the module rules.
    pub(super) fn is_paste(&self, first: usize, second: usize, kind: Kind) -> bool {
        if self.records {
            return false;
        }
        let (a, b) = (first.min(second), first.max(second));
        let (x, y) = (self.paragraph(first), self.paragraph(second));
        let prose =
            |i: usize, p: &str| !self.fenced[i] && !prose::reads_as_code(p) && !self.carries_on(i);
        if !(prose(first, x) && prose(second, y)) || self.sections[a] != self.sections[b] {
            return false;
        }
        let (sx, sy) = (prose::skeleton(x), prose::skeleton(y));
        let shaped = match kind {
            Kind::Exact | Kind::Respelled => sx == sy,
            // The cut-off copy is not the first line of a sentence that the next line carries on.
            Kind::Truncated => sy.starts_with(&sx) && !self.carries_on(first + 1),
        };
        shaped && self.one_entry(a, b)
    }

    /// Where the equal runs that end at `a` and `b` (a < b) start, going back.
    fn run_starts(&self, a: usize, b: usize) -> (usize, usize) {
        let (mut i, mut j) = (a, b);
        while i > 0 && self.keys[i - 1] != 0 && self.keys[i - 1] == self.keys[j - 1] {
            i -= 1;
            j -= 1;
        }
        (i, j)
    }

    /// The nearest entry header within [`ENTRY_REACH`] paragraphs before paragraph `start` and
    /// after paragraph `floor` (the other copy, which is no header of its own entry): its
    /// distance (1 for the paragraph right before).
    fn entry_header(&self, start: usize, floor: Option<usize>) -> Option<usize> {
        let reach = ENTRY_REACH.min(start - floor.map_or(0, |f| f + 1));
        (1..=reach).find(|&d| prose::header_like(self.paragraph(start - d)))
    }

    /// Whether copies `a` < `b` belong to one entry: unless the runs touch (a block doubled in
    /// place), they do not both sit under an entry header (two entries of one shape: a
    /// signature, a flag or a copyright line, then the same description).
    fn one_entry(&self, a: usize, b: usize) -> bool {
        let (i, j) = self.run_starts(a, b);
        if j <= a + 1 {
            return true;
        }
        !(self.entry_header(i, None).is_some() && self.entry_header(j, Some(a)).is_some())
    }

    /// Joins to each paste of `pastes` the copies before it in its block
    /// ([`Context::block_before`]), adding them to `members`.
    pub(super) fn join_blocks(
        &self,
        pastes: &[(usize, usize)],
        sets: &mut UnionFind,
        members: &mut Vec<usize>,
    ) {
        for &(a, b) in pastes {
            for (earlier, later) in self.block_before(a, b) {
                sets.union(earlier as u32, later as u32);
                members.extend([earlier, later]);
            }
        }
    }

    /// The copies that go with the paste `a` < `b`: pairs `(earlier, later)` of the equal
    /// paragraphs before `b` in the same block, when the block ends at a heading or at the
    /// document's end (so no text after it loses the heading it had).
    pub(super) fn block_before(&self, a: usize, b: usize) -> Vec<(usize, usize)> {
        let (i, j) = self.run_starts(a, b);
        if j == b || j <= a {
            return Vec::new();
        }
        let mut end = b + 1;
        while end < self.keys.len()
            && end - (b - a) < b
            && self.keys[end] != 0
            && self.keys[end] == self.keys[end - (b - a)]
        {
            end += 1;
        }
        let bounded = end == self.keys.len() || self.headings[end];
        if !bounded {
            return Vec::new();
        }
        (j..b).map(|k| (i + (k - j), k)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Analysis, Analyzer, RepeatGroup};

    fn groups(text: &str) -> Vec<RepeatGroup> {
        let mut analyzer = Analyzer::new();
        let mut analysis = Analysis::default();
        analyzer.analyze(text, &mut analysis);
        analyzer.repeats(text, &analysis)
    }

    const PASTE: &str = "Of course, the emergence of the conflict was also inevitable, as the \
                         alliance kept putting pressure on its neighbour for many years.";
    const PROSE: [&str; 3] = [
        "The talks began in spring and went on through the summer without any result at all.",
        "Observers expected a settlement before the winter, but none of them came to pass then.",
        "By the end of the year both sides had moved their troops closer to the border again.",
    ];

    #[test]
    fn a_paragraph_pasted_into_running_prose_is_a_repeat() {
        let text = [PASTE, PROSE[0], PROSE[1], PASTE, PROSE[2], PASTE].join("\n\n");
        assert_eq!(groups(&text)[0].members, [0, 3, 5]);
    }

    #[test]
    fn one_description_under_two_entry_headers_is_not() {
        // API documentation with a line per paragraph: each copy belongs to its signature.
        let text = "Source\n*** type Error = Infallible ***\nThe type returned in the event of a \
                    conversion error.\nSource\n*** type Error = <U as TryFrom<T>>::Error ***\n\
                    The type returned in the event of a conversion error.";
        assert!(groups(text).is_empty());
        // A licence under two copyright lines, each with its own first paragraph.
        let licence = "The above copyright notice and this permission notice shall be included \
                       in all copies or substantial portions of the Software.";
        let text = format!(
            "Copyright 2000 Precision Insight, Inc.\nAll Rights Reserved.\n\n{}\n\n{licence}\n\n\
             Copyright 2002 Frank C. Earl\nAll Rights Reserved.\n\n{}\n\n{licence}",
            PROSE[0], PROSE[1]
        );
        assert!(groups(&text).is_empty());
        // A flag's note under two flags of a manual.
        let note = "This flag argument must be specified if any of the other arguments in this \
                    group are specified.";
        let text = format!(
            "--keytab=KEYTAB\n\n{}\n\n{note}\n\n--krb5-config=KRB5_CONFIG\n\n{}\n\n{note}",
            PROSE[0], PROSE[1]
        );
        assert!(groups(&text).is_empty());
    }

    #[test]
    fn a_licence_under_two_copyright_notices_is_not_a_repeat_however_far_down() {
        let disclaimer = "Except as contained in this notice, the name of a copyright holder \
                          shall not be used in advertising without prior written authorization.";
        let text = format!(
            "Copyright 1999 Anton Example\n\n{}\n\n{}\n\n{}\n\n{disclaimer}\n\n\
             Copyright (C) 2007 Kim Example\n\n{}\n\n{}\n\n{}\n\n{disclaimer}",
            PROSE[0], PROSE[1], PROSE[2], PROSE[2], PROSE[0], PROSE[1]
        );
        assert!(groups(&text).is_empty());
        // Under one notice, a paragraph pasted again in running prose still goes.
        let text = format!(
            "Copyright 1999 Anton Example\n\n{disclaimer}\n\n{}\n\n{}\n\n{}\n\n{disclaimer}",
            PROSE[0], PROSE[1], PROSE[2]
        );
        assert_eq!(groups(&text).len(), 1);
    }

    #[test]
    fn copies_under_two_sections_of_a_manual_are_not_repeats() {
        let note = "       See the policy guide for details of the policy file format and its \
                    contents, with examples.";
        let text = format!(
            "DESCRIPTION\n       {}\n\n{note}\n\nEXAMPLES\n       {}\n\n{note}",
            PROSE[0], PROSE[1]
        );
        assert!(groups(&text).is_empty());
        // Under two options, however long their descriptions.
        let note = "         This flag argument must be specified if any of the other arguments \
                    in this group are specified.";
        let [a, b, c] = PROSE.map(|p| format!("         {p}"));
        let text = format!(
            "       --pull-request-pattern=REGEX\n\n{a}\n\n{b}\n\n{c}\n\n{note}\n\n\
             --dockerfile=DOCKERFILE\n\n{b}\n\n{c}\n\n{a}\n\n{note}"
        );
        assert!(groups(&text).is_empty());
    }

    #[test]
    fn two_changelog_entries_with_one_header_line_are_two_entries() {
        let header = "2021-03-17  Sergey Example  <sergey@example.org>";
        let item = "\t* src/recover.c (finish_transfer): Reset the file size after the \
                    transfer, as the header says it should be.";
        let [a, b, c] = PROSE;
        let text = format!(
            "{header}\n\n{a}\n\n{b}\n\n{c}\n\n{item}\n\n{header}\n\n{b}\n\n{c}\n\n{a}\n\n{item}"
        );
        assert!(groups(&text).is_empty());
    }

    #[test]
    fn copies_under_two_releases_are_not_repeats() {
        let item =
            "- certtool: Print a PKCS key even if it is not encrypted by the user, as before.";
        // Far enough below each release that only the release tells the entries apart.
        let [a, b, c] = PROSE;
        let text = format!(
            "* Version 2.7.1 (released 2008-10-31)\n\n{a}\n\n{b}\n\n{c}\n\n{item}\n\n\
             * Version 2.6.1 (released 2008-11-10)\n\n{b}\n\n{c}\n\n{a}\n\n{item}"
        );
        assert!(groups(&text).is_empty());
        // Under one release, the same item pasted again goes.
        let text = format!(
            "* Version 2.7.1 (released 2008-10-31)\n\n{a}\n\n{item}\n\n{b}\n\n{c}\n\n{item}"
        );
        assert_eq!(groups(&text).len(), 1);
    }

    #[test]
    fn a_document_of_records_keeps_every_copy() {
        // Release notes whose titles the section rules do not know (a title over its
        // underline, three lines of a title): an item and a note come again under each.
        let note = "The following bugs have been fixed or resolved. We encourage you to file \
                    bugs in the tracker rather than mailing the developers directly.";
        let [a, b, c] = PROSE;
        let releases = [
            "Release 3.19.0 (11 Apr 2022)\n~~~~~~~~~~~~~~~~~~~~~~~~~~~~",
            "Apache \
                         Commons IO\nVersion 2.11.0\nRelease Notes",
            "### Changes between 3.0.18 \
                         and 3.0.19 [27 Jan 2026]",
        ];
        let text = releases
            .iter()
            .map(|title| format!("{title}\n\n{a}\n\n{b}\n\n{note}\n\n{c}"))
            .collect::<Vec<_>>()
            .join("\n\n");
        assert!(groups(&text).is_empty());
        // A copyright file: a licence paragraph under each of three notices of many lines.
        let notices = (0..3)
            .map(|n| {
                let holders = (0..6)
                    .map(|k| format!("Copyright (c) 200{k} Holder {n}{k} Inc."))
                    .collect::<Vec<_>>();
                format!("{}\n\n{a}\n\n{note}", holders.join("\n"))
            })
            .collect::<Vec<_>>();
        assert!(groups(&notices.join("\n\n")).is_empty());
        // A manual, whose options hold their name and description in one paragraph.
        let note = "           Without this option Wget looks for CA certificates at the \
                    system-specified locations, chosen at OpenSSL installation time.";
        let text = format!(
            "NAME\n       wget - The non-interactive network downloader.\n\n\
             SYNOPSIS\n       wget [option]... [URL]...\n\n\
             OPTIONS\n       --ca-certificate=file\n           {a}\n\n{note}\n\n\
             \x20      --ca-directory=directory\n           {b}\n\n{note}"
        );
        assert!(groups(&text).is_empty());
        // A release title pasted three times is one record, not three: the pasted note goes.
        let title = "Release 3.19.0 (11 Apr 2022)";
        let text = [title, note, a, b, c, note, title, title].join("\n\n");
        assert_eq!(groups(&text).len(), 1);
        // An article with two version numbers in its prose is no document of records.
        let text = format!(
            "Version 2.1 of the library shipped in March.\n\n{a}\n\n{note}\n\n{b}\n\n{note}"
        );
        assert_eq!(groups(&text).len(), 1);
    }

    #[test]
    fn code_diagrams_and_other_symbols_are_not_repeats() {
        let code = "fn main() {\n    let leaf = Rc::new(Node { value: 3, parent: RefCell::new(\
                    Weak::new()), children: RefCell::new(vec![]) });";
        let text = format!("{code}\n\n{}\n\n{code}", PROSE[0]);
        assert!(groups(&text).is_empty());
        let a = "If curl --write-out \"%{http_code}\" is executed in a batch file, the shell \
                 expands it before curl sees it.";
        let b = a.replace("%{", "%%{");
        let text = format!("{a}\n\n{}\n\n{b}", PROSE[0]);
        assert!(groups(&text).is_empty());
        // Inside a fenced block, even prose is code.
        let text = format!("```\n{PASTE}\n\n{PASTE}\n```");
        assert!(groups(&text).is_empty());
        // A listing without its fence (as html2text gives it): a comment, a call by its path.
        for code in [
            "// we want to get our `TcpStream` back, so let's try: the stream is returned \
             whole, with the data it buffered.",
            "let socket = SocketAddrV6::new(Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1),\n\
             8080, 0, 0);",
        ] {
            let text = format!("{code}\n\n{}\n\n{code}", PROSE[0]);
            assert!(groups(&text).is_empty(), "{code}");
        }
    }

    #[test]
    fn the_first_line_of_a_wrapped_sentence_is_not_a_cut_off_copy() {
        // A paragraph per line: "Returns ... comparison" is the start of a sentence the next
        // line carries on, not a cut-off copy of the whole sentence above.
        let whole = "Returns the maximum of two values with respect to the specified \
                     comparison function of the caller.";
        let text = format!(
            "{whole}\nSource\nReturns the maximum of two values with respect to the specified\n\
             comparison function of the caller. Read more"
        );
        assert!(groups(&text).is_empty());
    }

    #[test]
    fn a_block_pasted_with_its_heading_goes_whole() {
        let text = [
            "## Background",
            PASTE,
            PROSE[0],
            "## Analysis",
            PROSE[1],
            PROSE[2],
            "## Background",
            PASTE,
            PROSE[0],
        ]
        .join("\n\n");
        let groups = groups(&text);
        let later: Vec<u32> = groups.iter().map(|g| g.members[1]).collect();
        assert_eq!(later, [6, 7, 8]);
        assert!(groups.iter().all(|g| g.kept == g.members[0]));
    }
}
