//! Invariants shared by the cargo-fuzz targets (`tests/fuzz/fuzz_targets/*.rs`) and the
//! regression test (`tests/fuzz_regressions.rs`): each function takes arbitrary bytes and panics
//! when the library breaks one of its documented guarantees on them.
//!
//! Included with `#[path]` from both places, so it uses only `neardup` and `serde_json` (a
//! dependency of both the fuzz crate and the main package) and `std`.

#![allow(dead_code)]

use neardup::clean::{RemovalReason, RepeatsMode, TextCleaner};
use neardup::config::InputOptions;
use neardup::diagnostic::Problem;
use neardup::internals::{self as corpus, Analysis, Analyzer, SourceKind, decode};
use neardup::stages::Tokenizer;
use serde_json::Value;

/// One target's invariants: panics when they do not hold on the input.
pub type Check = fn(&[u8]);

/// The targets by name, as used in `tests/fuzz/regressions/TARGET-NAME.bin`.
pub const TARGETS: &[(&str, Check)] = &[
    ("normalize", normalize),
    ("paragraphs", paragraphs),
    ("jsonl", jsonl),
    ("decode", decode),
];

/// Runs every target's invariants on `data`.
pub fn all(data: &[u8]) {
    for (_, check) in TARGETS {
        check(data);
    }
}

fn tokens(tokenizer: &mut Tokenizer, text: &str) -> Vec<String> {
    let mut out = Vec::new();
    tokenizer.for_each_token(text, |t| out.push(t.to_string()));
    out
}

/// The largest char boundary of `text` at or below `at`.
fn floor_boundary(text: &str, mut at: usize) -> usize {
    at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// Tokenizer: deterministic (twice, and with buffers reused from another text), tokens non-empty
/// and without whitespace, `normalized` is the tokens joined by spaces and is idempotent, and a
/// separator between two texts gives the concatenation of their tokens (both the ASCII fast path
/// and the Unicode path).
pub fn normalize(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let mut fresh = Tokenizer::new();
    let first = tokens(&mut fresh, &text);
    let second = tokens(&mut fresh, &text);
    assert_eq!(first, second, "tokenizing twice differs");
    let mut reused = Tokenizer::new();
    tokens(&mut reused, "ÉCOLE Ünïcode 朝鲜ＫＣＮＡ ﬁnal กิข");
    assert_eq!(
        tokens(&mut reused, &text),
        first,
        "a reused tokenizer differs"
    );
    for t in &first {
        assert!(!t.is_empty(), "empty token in {first:?}");
        assert!(
            !t.chars().any(char::is_whitespace),
            "token {t:?} holds whitespace"
        );
    }
    let normalized = fresh.normalized(&text);
    assert_eq!(
        fresh.normalized(&normalized),
        normalized,
        "normalized is not idempotent"
    );
    // Cut anywhere (on a char boundary), a separator between the halves only separates.
    let cut = floor_boundary(&text, usize::from(data.first().copied().unwrap_or(0)));
    let (a, b) = text.split_at(cut);
    let mut expected = tokens(&mut fresh, a);
    expected.extend(tokens(&mut fresh, b));
    for separator in [" ", "\u{2014}"] {
        let joined = format!("{a}{separator}{b}");
        assert_eq!(
            tokens(&mut fresh, &joined),
            expected,
            "tokens of {a:?} + {separator:?} + {b:?} are not the halves' tokens"
        );
    }
}

/// Segmentation and cleaning (keep-first, no boilerplate): paragraphs are in-bounds, ascending,
/// non-overlapping ranges on char boundaries that start and end on line boundaries, hold a
/// non-blank line at each end and have the right line numbers, with only whitespace outside
/// them; per-paragraph tokens are the whole text's; the cleaned text is the kept paragraphs'
/// original bytes, in order, with only whitespace around them; every removal is a repeat of a
/// kept paragraph; each repeat group keeps exactly one member; cleaning again removes nothing.
pub fn paragraphs(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let text: &str = &text;
    let is_blank = |s: &str| s.chars().all(char::is_whitespace);
    let line_of = |offset: usize| 1 + text[..offset].bytes().filter(|&b| b == b'\n').count();
    let ps = neardup::stages::segment(text);
    let mut prev_end = 0;
    for (i, p) in ps.iter().enumerate() {
        assert!(
            p.start < p.end && p.end <= text.len(),
            "paragraph {i} {p:?} out of bounds or empty"
        );
        assert!(
            text.is_char_boundary(p.start) && text.is_char_boundary(p.end),
            "paragraph {i} {p:?} not on char boundaries"
        );
        assert!(
            if i == 0 {
                p.start >= prev_end
            } else {
                p.start > prev_end
            },
            "paragraph {i} {p:?} overlaps or touches the previous one"
        );
        assert!(
            is_blank(&text[prev_end..p.start]),
            "non-whitespace before paragraph {i} {p:?}"
        );
        assert!(
            p.start == 0 || text.as_bytes()[p.start - 1] == b'\n',
            "paragraph {i} {p:?} does not start a line"
        );
        let after = &text[p.end..];
        assert!(
            after.is_empty()
                || after.starts_with('\n')
                || after.starts_with("\r\n")
                || after == "\r",
            "paragraph {i} {p:?} does not end a line"
        );
        let body = p.text(text);
        let first_line = body.split('\n').next().unwrap_or_default();
        let last_line = body.rsplit('\n').next().unwrap_or_default();
        assert!(
            !is_blank(first_line) && !is_blank(last_line.strip_suffix('\r').unwrap_or(last_line)),
            "paragraph {i} {p:?} starts or ends with a blank line"
        );
        assert_eq!(
            (p.first_line as usize, p.last_line as usize),
            (line_of(p.start), line_of(p.end)),
            "paragraph {i} {p:?} has wrong line numbers"
        );
        prev_end = p.end;
    }
    assert!(
        is_blank(&text[prev_end..]),
        "non-whitespace after the last paragraph"
    );
    assert_eq!(
        corpus::assemble(text, &ps, |_| true),
        text,
        "assemble(all) changed the text"
    );

    // Per-paragraph tokens are the whole text's tokens.
    let mut analyzer = Analyzer::new();
    let mut analysis = Analysis::default();
    analyzer.analyze(text, &mut analysis);
    let whole = tokens(&mut Tokenizer::new(), text);
    assert_eq!(
        analysis.token_hashes.len(),
        whole.len(),
        "token count differs from the whole text's"
    );
    let mut tokenizer = Tokenizer::new();
    let mut next = 0;
    for (p, f) in ps.iter().zip(&analysis.fingerprints) {
        assert_eq!(
            f.tokens.start, next,
            "fingerprint token ranges are not contiguous"
        );
        let own = tokens(&mut tokenizer, p.text(text));
        assert_eq!(
            own[..],
            whole[f.tokens.clone()],
            "paragraph {p:?} tokens differ"
        );
        next = f.tokens.end;
    }

    let mut cleaner = TextCleaner::new(RepeatsMode::KeepFirst, Default::default());
    let cleaned = cleaner.clean(text);
    let mut prev = 0;
    for r in &cleaned.removed {
        let i = r.paragraph as usize;
        assert!(
            i > prev && i <= ps.len(),
            "removed paragraph numbers {:?}",
            cleaned.removed
        );
        prev = i;
        assert_eq!(r.reason, RemovalReason::Repeat, "no boilerplate was given");
        assert_eq!(r.boilerplate_documents, None);
        let of = r
            .repeat_of_line
            .expect("a repeat names the line it repeats");
        assert!(
            ps.iter()
                .zip(&cleaned.kept)
                .any(|(q, &kept)| kept && q.first_line == of),
            "paragraph {i} repeats line {of}, which is not a kept paragraph"
        );
    }
    for g in analyzer.repeats(text, &analysis) {
        let kept = g
            .members
            .iter()
            .filter(|&&m| cleaned.kept[m as usize])
            .count();
        assert_eq!(kept, 1, "group {g:?} keeps {kept} members");
    }
    if cleaned.removed.is_empty() {
        assert_eq!(cleaned.text, text, "nothing removed but the text changed");
    }
    // Kept text is byte-identical: the kept paragraphs in order, only whitespace around them.
    let mut rest: &str = &cleaned.text;
    for (p, _) in ps.iter().zip(&cleaned.kept).filter(|(_, k)| **k) {
        let body = p.text(text);
        let at = rest
            .find(body)
            .unwrap_or_else(|| panic!("kept paragraph {p:?} missing from the cleaned text"));
        assert!(
            is_blank(&rest[..at]),
            "non-whitespace before kept paragraph {p:?}"
        );
        rest = &rest[at + body.len()..];
    }
    assert!(
        is_blank(rest),
        "non-whitespace after the last kept paragraph"
    );
    assert!(cleaned.text.len() <= text.len());
    let again = cleaner.clean(&cleaned.text);
    assert!(
        again.removed.is_empty(),
        "cleaning the cleaned text removed {:?}",
        again.removed
    );
}

/// JSONL and text reading: no panic; every read has the bytes' fingerprint. For JSONL, a file
/// with a UTF-16 byte-order mark or a NUL byte in its first 8 KiB is skipped as a whole (one
/// problem, no line); otherwise every non-blank line gives exactly one document (with the line's
/// `text` and `id`) or one line problem, plus one warning when it is not valid UTF-8; blank lines
/// give nothing; every problem and note names a line in range; documents are in line order. For
/// text, one document with `decode`'s text, or none and one problem for a binary file.
pub fn jsonl(data: &[u8]) {
    /// The README's rule: a NUL byte in the first 8 KiB makes a JSONL file binary.
    const BINARY_SNIFF_LEN: usize = 8192;
    let options = InputOptions::default();
    let work = |d: corpus::Document<'_>| {
        (
            d.position.and_then(|p| p.line()),
            d.text.to_string(),
            d.id.cloned(),
        )
    };
    let read = corpus::documents_in(SourceKind::Jsonl, "f.jsonl", data, &options, &work);
    assert_eq!(read.fingerprint, Some(corpus::fingerprint(data)));
    let head = &data[..data.len().min(BINARY_SNIFF_LEN)];
    let skipped = matches!(data, [0xFF, 0xFE, ..] | [0xFE, 0xFF, ..]) || head.contains(&0);
    assert_eq!(read.skipped, skipped, "JSONL skipped as a whole or not");
    if skipped {
        assert!(read.docs.is_empty(), "a skipped JSONL file gave documents");
        assert_eq!(read.problems.len(), 1, "{:?}", read.problems);
        assert_eq!(read.problems[0].line(), None);
    } else {
        let body = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
        let lines: Vec<&[u8]> = body
            .split(|&b| b == b'\n')
            .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
            .collect();
        assert!(
            read.docs.len() + read.problems.len() <= 2 * lines.len(),
            "more documents and problems than lines allow"
        );
        for d in &read.problems {
            let line = d.line().expect("a JSONL line problem names its line");
            assert!(
                (1..=lines.len()).contains(&line),
                "problem {d:?} out of range"
            );
        }
        for d in &read.notes {
            let line = d.line().expect("a JSONL note names its line");
            assert!((1..=lines.len()).contains(&line), "note {d:?} out of range");
        }
        let mut docs = read.docs.iter().peekable();
        let mut missing_field_lines = 0usize;
        for (n, line) in lines.iter().enumerate() {
            let line_no = n + 1;
            let doc = docs.next_if(|d| d.0 == Some(line_no));
            let problems = read
                .problems
                .iter()
                .filter(|d| d.line() == Some(line_no))
                .count();
            if line.iter().all(u8::is_ascii_whitespace) {
                assert!(
                    doc.is_none() && problems == 0,
                    "blank line {line_no} counted"
                );
                continue;
            }
            let lossy = String::from_utf8_lossy(line);
            let warning = usize::from(std::str::from_utf8(line).is_err());
            let record: Option<Value> = serde_json::from_str(&lossy).ok();
            let text = match &record {
                Some(Value::Object(fields)) => match fields.get("text") {
                    Some(Value::String(text)) => Some(text),
                    _ => None,
                },
                _ => None,
            };
            match (text, doc) {
                (Some(text), Some((_, got, id))) => {
                    assert_eq!(got, text, "line {line_no}: wrong text");
                    let id_field = record.as_ref().and_then(|r| r.get("id"));
                    let expected_id = id_field.cloned().unwrap_or(Value::from(line_no));
                    assert_eq!(id.as_ref(), Some(&expected_id), "line {line_no}: wrong id");
                    assert_eq!(problems, warning, "line {line_no}: problems for a document");
                }
                (None, None) => {
                    // Records without the text field are one problem, at the first of them,
                    // that counts them all.
                    let lacks_field =
                        matches!(&record, Some(Value::Object(f)) if !f.contains_key("text"));
                    let own = if lacks_field {
                        missing_field_lines += 1;
                        usize::from(missing_field_lines == 1)
                    } else {
                        1
                    };
                    assert_eq!(
                        problems,
                        own + warning,
                        "line {line_no}: skipped line's problems"
                    );
                }
                (Some(_), None) => panic!("line {line_no}: a record with a text gave no document"),
                (None, Some(_)) => panic!("line {line_no}: a document from a line without text"),
            }
        }
        assert!(
            docs.next().is_none(),
            "documents out of line order or out of range"
        );
        let counted: usize = read
            .problems
            .iter()
            .filter_map(|d| match &d.problem {
                Problem::NoTextField { lines, .. } => Some(*lines),
                _ => None,
            })
            .sum();
        assert_eq!(
            counted, missing_field_lines,
            "records without the text field"
        );
    }

    let read = corpus::documents_in(SourceKind::Text, "f.txt", data, &options, &work);
    assert_eq!(read.fingerprint, Some(corpus::fingerprint(data)));
    match decode::decode(data, None) {
        Err(_) => {
            assert!(read.docs.is_empty(), "a binary file gave a document");
            assert_eq!(read.problems.len(), 1);
            assert!(read.skipped, "a binary file is not marked skipped");
        }
        Ok(decoded) => {
            assert!(!read.skipped, "a decoded text file is marked skipped");
            assert_eq!(read.docs.len(), 1);
            assert_eq!(read.docs[0], (None, decoded.text.to_string(), None));
            assert_eq!(
                read.problems.len(),
                usize::from(decoded.first_error.is_some())
            );
            assert_eq!(read.notes.len(), usize::from(decoded.note().is_some()));
        }
    }
}

/// Decoding: a binary verdict points at the first NUL; the byte-order mark is found; an error
/// offset is in range; a clean UTF-8 or UTF-16 decoding encodes back; whatever `encode_like`
/// gives for the whole text is exactly the original bytes, and for a prefix of the text a prefix
/// of them; giving the detected encoding explicitly decodes the same.
pub fn decode(data: &[u8]) {
    use decode::TextEncoding;
    let decoded = match decode::decode(data, None) {
        Err(binary) => {
            assert_eq!(
                data.iter().position(|&b| b == 0),
                Some(binary.nul_at),
                "binary verdict does not point at the first NUL"
            );
            assert_eq!(
                decode::byte_order_mark(data),
                None,
                "a file with a BOM is binary"
            );
            return;
        }
        Ok(decoded) => decoded,
    };
    assert_eq!(
        decode::byte_order_mark(data).map_or(0, |(_, len)| len),
        decoded.bom_len
    );
    if let Some(at) = decoded.first_error {
        assert!(
            at >= decoded.bom_len && at < data.len(),
            "first_error {at} out of range"
        );
    }
    let round_trip = decode::encode_like(&decoded, data, &decoded.text);
    if decoded.first_error.is_none()
        && matches!(
            decoded.encoding,
            TextEncoding::Utf8 | TextEncoding::Utf16Le | TextEncoding::Utf16Be
        )
    {
        assert!(
            round_trip.is_some(),
            "a clean {} decoding does not encode back",
            decoded.encoding.name()
        );
    }
    if let Some(bytes) = round_trip {
        assert_eq!(
            bytes, data,
            "encode_like(whole text) is not the original bytes"
        );
        let text = &decoded.text;
        let cut = floor_boundary(text, text.len() / 2);
        let prefix = decode::encode_like(&decoded, data, &text[..cut])
            .expect("a prefix of a round-tripping text encodes");
        assert!(
            data.starts_with(&prefix),
            "encode_like(prefix) is not a prefix of the original bytes"
        );
    }
    if decoded.bom_len == 0 {
        let again = decode::decode(data, Some(decoded.encoding))
            .expect("the detected encoding, given, decodes");
        assert_eq!(
            again.text, decoded.text,
            "giving the detected encoding decodes differently"
        );
        assert_eq!(again.first_error, decoded.first_error);
    }
}
