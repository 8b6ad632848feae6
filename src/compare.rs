//! Two documents side by side: their Jaccard similarity on the scan's shingles, how much of each
//! the other contains, and the passages they share, as `neardup compare` shows them (and the
//! HTML report's side-by-side view). The numbers are the scan's: the same shingles, the same
//! sets, so a pair's Jaccard here is its similarity in `scan --pairs`.

use crate::config::ScanConfig;
use crate::diagnostic::{Diagnostic, Position};
use crate::error::{Error, Result};
use crate::input::{self, InputOptions};
use crate::pipeline::jaccard;
use crate::pipeline::minhash::MinHasher;
use crate::pipeline::normalize::Tokenizer;
use crate::pipeline::passages::{self, Token};
use crate::scan::hash_document;
use crate::shared::round4;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// What `compare --json` prints.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Comparison {
    /// The first document, as named (`path`, `path:line` or `path#row`).
    pub a: String,
    /// The second document.
    pub b: String,
    /// Jaccard similarity of their shingle sets, rounded to 4 decimals.
    pub jaccard: f64,
    /// Share of the first's shingles that the second has.
    pub containment_a_in_b: f64,
    /// Share of the second's shingles that the first has.
    pub containment_b_in_a: f64,
    /// The passages they share, longest first.
    pub passages: Vec<SharedPassage>,
}

/// One passage two documents share.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SharedPassage {
    /// Its first and last line in the first document.
    pub a_lines: [u32; 2],
    /// Its first and last line in the second.
    pub b_lines: [u32; 2],
    /// Where it starts in the first document's text as read (decoded; a record's text field),
    /// in characters (Unicode scalar values) from the text's start.
    pub a_offset: usize,
    /// Its length in the first document's text, in characters, from its first word's start to
    /// its last word's end.
    pub a_length: usize,
    /// Where it starts in the second document's text, in characters.
    pub b_offset: usize,
    /// Its length in the second document's text, in characters.
    pub b_length: usize,
    /// Its length in normalized words.
    pub words: usize,
    /// Its start in the first document, whitespace collapsed, cut to 72 characters.
    pub preview: String,
    /// Byte range in the first document's text (for highlighting; not in the JSON).
    #[serde(skip)]
    pub a_bytes: std::ops::Range<usize>,
    /// Byte range in the second document's text.
    #[serde(skip)]
    pub b_bytes: std::ops::Range<usize>,
}

/// The passages `a` and `b` share, longest first, at least one of the scan's word shingles
/// long.
pub fn shared_passages(a: &str, b: &str, config: &ScanConfig) -> Vec<SharedPassage> {
    let mut tokenizer = Tokenizer::new();
    let (ta, tb) = (
        passages::tokens(a, &mut tokenizer),
        passages::tokens(b, &mut tokenizer),
    );
    let found = passages::shared_passages(&ta, &tb, min_words(config));
    // Each passage's byte range and lines in one text; a chunk holds no line break, so the last
    // token's line is the passage's last.
    let spans = |tokens: &[Token], first: fn(&passages::Passage) -> usize| -> Vec<Span> {
        let span = |p: &passages::Passage| {
            let (start, end) = (&tokens[first(p)], &tokens[first(p) + p.len - 1]);
            (start.start..end.end, [start.line, end.line])
        };
        found.iter().map(span).collect()
    };
    let (sa, sb) = (spans(&ta, |p| p.a), spans(&tb, |p| p.b));
    // The same ranges in characters (offset, length), each text walked once.
    let chars = |text: &str, spans: &[Span]| -> Vec<(usize, usize)> {
        let ends: Vec<usize> = spans.iter().flat_map(|(r, _)| [r.start, r.end]).collect();
        let at = passages::offsets_in_units(text, &ends, |s| s.chars().count());
        at.chunks(2).map(|c| (c[0], c[1] - c[0])).collect()
    };
    let (ca, cb) = (chars(a, &sa), chars(b, &sb));
    (0..found.len())
        .map(|k| {
            let ((a_bytes, a_lines), (b_bytes, b_lines)) = (sa[k].clone(), sb[k].clone());
            SharedPassage {
                a_lines,
                b_lines,
                a_offset: ca[k].0,
                a_length: ca[k].1,
                b_offset: cb[k].0,
                b_length: cb[k].1,
                words: found[k].len,
                preview: crate::pipeline::paragraph::preview(&a[a_bytes.clone()]),
                a_bytes,
                b_bytes,
            }
        })
        .collect()
}

/// A passage's byte range in one text, and its first and last line.
type Span = (std::ops::Range<usize>, [u32; 2]);

/// A document read for comparing.
#[derive(Debug, Clone)]
pub struct LoadedDocument {
    /// How it was named.
    pub name: String,
    /// Its text, decoded as the scan decodes it.
    pub text: String,
}

/// The shortest passage shown: one shingle of the scan's word shingles (5 words for character
/// shingles).
fn min_words(config: &ScanConfig) -> usize {
    match config.shingle {
        crate::config::ShingleKind::Words(k) => k.max(1),
        crate::config::ShingleKind::Chars(_) => 5,
    }
}

/// Compares two texts with the scan's parameters.
pub fn compare_texts(a: &LoadedDocument, b: &LoadedDocument, config: &ScanConfig) -> Comparison {
    let minhasher = MinHasher::with_scheme(config.minhash, config.num_perm, config.seed);
    let set = |text: &str| {
        let mut shingles = hash_document(text, config, &minhasher).shingles;
        shingles.sort_unstable();
        shingles.dedup();
        shingles
    };
    let (sa, sb) = (set(&a.text), set(&b.text));
    let common = jaccard::intersection_size(&sa, &sb);
    let share = |of: &[u32]| {
        if of.is_empty() {
            0.0
        } else {
            common as f64 / of.len() as f64
        }
    };
    let shared = shared_passages(&a.text, &b.text, config);
    Comparison {
        a: a.name.clone(),
        b: b.name.clone(),
        jaccard: round4(jaccard::jaccard(&sa, &sb)),
        containment_a_in_b: round4(share(&sa)),
        containment_b_in_a: round4(share(&sb)),
        passages: shared,
    }
}

/// Reads the document `name` names: a file (one document: a text file, or a file of records
/// holding one record), `path:line` for a JSON Lines record or `path#row` for a Parquet one.
/// What reading it found comes back too: its problems (damaged bytes) and notes (a guessed
/// encoding), those of the file and of the record.
pub fn load(name: &str, options: &InputOptions) -> Result<Loaded> {
    // No thread keeps the file's folder open afterwards.
    let _release = crate::scan::ReleaseThreadState::new();
    let (path, wanted) = split_location(name);
    let path = PathBuf::from(path);
    let not_found = |reason: String| Error::Io {
        path: PathBuf::from(name),
        source: std::io::Error::other(reason),
    };
    let walked = input::discover(std::slice::from_ref(&path), options);
    let Some(source) = walked.files.first() else {
        let reason = walked
            .problems
            .first()
            .map(|d| d.problem.to_string())
            .unwrap_or_else(|| "not a file".into());
        return Err(not_found(reason));
    };
    // Only the record asked for keeps its text.
    let work = |doc: input::Document<'_>| {
        let asked = wanted.is_none() || doc.position == wanted;
        (doc.position, asked.then(|| doc.text.to_string()))
    };
    let read = input::read_source(source, options, None, &work);
    if read.fingerprint.is_none() || read.skipped {
        let reason = read
            .problems
            .first()
            .map(|d| d.problem.to_string())
            .unwrap_or_else(|| "could not be read".into());
        return Err(not_found(reason));
    }
    let about_it = |d: &Diagnostic| d.at.is_none() || d.at == wanted;
    let problems = read.problems.into_iter().filter(about_it).collect();
    let notes = read.notes.into_iter().filter(about_it).collect();
    let text = match wanted {
        Some(position) => read
            .docs
            .into_iter()
            .find_map(|(at, text)| text.filter(|_| at == Some(position)))
            .ok_or_else(|| not_found(format!("no record at {}", position.named())))?,
        None => {
            let count = read.docs.len();
            let mut docs = read.docs.into_iter();
            match (docs.next(), count) {
                (Some((_, Some(text))), 1) => text,
                (None, _) => return Err(not_found("no document in it".into())),
                (Some((Some(Position::Row(_)), _)), _) => {
                    return Err(not_found(format!(
                        "it holds {count} rows; name one as {name}#ROW"
                    )));
                }
                _ => {
                    return Err(not_found(format!(
                        "it holds {count} records; name one as {name}:LINE"
                    )));
                }
            }
        }
    };
    let document = LoadedDocument {
        name: name.to_string(),
        text,
    };
    Ok(Loaded {
        document,
        problems,
        notes,
    })
}

/// A document [`load`] read, with what reading it found.
#[derive(Debug)]
pub struct Loaded {
    /// The document.
    pub document: LoadedDocument,
    /// Problems: the text was read with replacements, or the file has damage.
    pub problems: Vec<Diagnostic>,
    /// Notes that do not mean anything was lost (a guessed encoding).
    pub notes: Vec<Diagnostic>,
}

/// `path:LINE` or `path#ROW` as the path and the record, when the name ends so and the path
/// without the ending is a file; else the whole name.
fn split_location(name: &str) -> (&str, Option<Position>) {
    let exists = |p: &str| std::path::Path::new(p).is_file();
    if exists(name) {
        return (name, None);
    }
    for (separator, position) in [
        (':', Position::Line as fn(usize) -> Position),
        ('#', Position::Row as fn(usize) -> Position),
    ] {
        if let Some((path, number)) = name.rsplit_once(separator)
            && let Ok(number) = number.parse::<usize>()
            && exists(path)
        {
            return (path, Some(position(number)));
        }
    }
    (name, None)
}
