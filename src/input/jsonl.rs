//! JSON Lines: one JSON object per line, each a document; the text is a string field, the id
//! another field (the line number when absent). Blank lines are ignored; a bad line is skipped
//! with a problem that names it.

use super::ids::RepeatedIds;
use super::{Document, InputOptions, Position, SourceRead, undecodable};
use crate::diagnostic::{Diagnostic, Problem};
use crate::input::decode::{self, TextEncoding};
use crate::parallel::DOCUMENTS_PER_TASK;
use rayon::prelude::*;
use serde_json::Value;

/// Most string field names a problem about a missing text field lists.
const MAX_FIELDS_SHOWN: usize = 5;

pub(super) fn read_jsonl<T, W>(
    display: &str,
    bytes: &[u8],
    options: &InputOptions,
    work: &W,
) -> SourceRead<T>
where
    T: Send,
    W: Fn(Document<'_>) -> T + Sync,
{
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = JsonlReader::new(display, options);
    let docs = reader.piece(bytes, work);
    let (problems, notes) = reader.finish();
    SourceRead {
        docs,
        problems,
        notes,
        fingerprint: None,
        skipped: false,
        len: 0,
    }
}

/// Reads one JSON Lines file piece by piece (each a run of whole lines), keeping what spans
/// pieces: line numbers, the ids seen (for the repeated-id note) and the count of records
/// without the text field.
pub(super) struct JsonlReader<'a> {
    display: &'a str,
    options: &'a InputOptions,
    /// Number of the next piece's first line.
    next_line: usize,
    problems: Vec<Diagnostic>,
    ids: RepeatedIds,
    first_missing_field: Option<usize>,
}

impl<'a> JsonlReader<'a> {
    pub(super) fn new(display: &'a str, options: &'a InputOptions) -> Self {
        JsonlReader {
            display,
            options,
            next_line: 1,
            problems: Vec::new(),
            ids: RepeatedIds::default(),
            first_missing_field: None,
        }
    }

    /// The documents of the next piece: whole lines, the last one ending the piece with or
    /// without its newline.
    pub(super) fn piece<T, W>(&mut self, bytes: &[u8], work: &W) -> Vec<T>
    where
        T: Send,
        W: Fn(Document<'_>) -> T + Sync,
    {
        let (display, options) = (self.display, self.options);
        let first_line = self.next_line;
        let lines: Vec<(usize, &[u8])> = bytes
            .split(|&b| b == b'\n')
            .enumerate()
            .map(|(i, line)| (first_line + i, line.strip_suffix(b"\r").unwrap_or(line)))
            .filter(|(_, line)| !line.iter().all(u8::is_ascii_whitespace))
            .collect();
        // A piece ending in a newline ends its last line: the next piece starts the next one.
        let newlines = memchr::memchr_iter(b'\n', bytes).count();
        self.next_line += newlines + usize::from(bytes.last() != Some(&b'\n'));
        let record = |line_no: usize, line: &str| -> Result<(T, Option<String>), Diagnostic> {
            let skip = |problem: Problem| Diagnostic::new(display, Some(line_no), problem);
            let record: Value = serde_json::from_str(line).map_err(|e| {
                skip(Problem::BadJsonLine {
                    reason: e.to_string(),
                })
            })?;
            let Value::Object(fields) = &record else {
                return Err(skip(Problem::NotAnObject));
            };
            let field = || options.text_field.clone();
            let text = match fields.get(&options.text_field) {
                Some(Value::String(text)) => text,
                Some(_) => return Err(skip(Problem::TextFieldNotString { field: field() })),
                None => {
                    // The string fields it has instead, for the hint to --text-field.
                    let mut others: Vec<String> = fields
                        .iter()
                        .filter(|(_, v)| v.is_string())
                        .map(|(name, _)| name.clone())
                        .collect();
                    others.sort_unstable();
                    others.truncate(MAX_FIELDS_SHOWN);
                    let problem = Problem::NoTextField {
                        field: field(),
                        lines: 1,
                        string_fields: others,
                    };
                    return Err(skip(problem));
                }
            };
            let line_id = Value::from(line_no);
            let given_id = fields.get(&options.id_field);
            let id = given_id.unwrap_or(&line_id);
            let keep_value = options.keep_field.as_ref().and_then(|f| fields.get(f));
            let doc = work(Document {
                text,
                position: Some(Position::Line(line_no)),
                id: Some(id),
                keep_value,
            });
            Ok((doc, given_id.map(Value::to_string)))
        };
        // Per line: a warning when it had to be decoded with replacements (the rule for text
        // files), and the document or the reason it was skipped.
        type LineOutcome<T> = (Option<Diagnostic>, Result<(T, Option<String>), Diagnostic>);
        let outcomes: Vec<LineOutcome<T>> = lines
            .par_iter()
            .with_max_len(DOCUMENTS_PER_TASK)
            .map(|&(line_no, line)| {
                // JSON is UTF-8 by definition: no other encoding is guessed for a line.
                let (line, bad_at) = decode::utf8_lossy(line);
                let warning = bad_at
                    .map(|offset| undecodable(display, Some(line_no), TextEncoding::Utf8, offset));
                (warning, record(line_no, &line))
            })
            .collect();
        let mut docs = Vec::with_capacity(outcomes.len());
        for ((warning, outcome), &(line_no, _)) in outcomes.into_iter().zip(&lines) {
            self.problems.extend(warning);
            match outcome {
                Ok((doc, id)) => {
                    docs.push(doc);
                    if let Some(id) = id {
                        self.ids.saw(id, Position::Line(line_no));
                    }
                }
                // A file whose records all lack the field is one problem, not one per line.
                Err(problem) => match (&problem.problem, self.first_missing_field) {
                    (Problem::NoTextField { .. }, Some(at)) => {
                        if let Problem::NoTextField { lines, .. } = &mut self.problems[at].problem {
                            *lines += 1;
                        }
                    }
                    (Problem::NoTextField { .. }, None) => {
                        self.first_missing_field = Some(self.problems.len());
                        self.problems.push(problem);
                    }
                    _ => self.problems.push(problem),
                },
            }
        }
        docs
    }

    /// Number of the line the next piece starts with.
    pub(super) fn next_line(&self) -> usize {
        self.next_line
    }

    /// The problems with the file's records, and its notes.
    pub(super) fn finish(self) -> (Vec<Diagnostic>, Vec<Diagnostic>) {
        let notes = self.ids.note(self.display).into_iter().collect();
        (self.problems, notes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_utf8_in_a_line_is_replaced_and_located() {
        let (text, bad) = decode::utf8_lossy(b"ab\xFFcd");
        assert_eq!((text.as_ref(), bad), ("ab\u{FFFD}cd", Some(2)));
    }
}
