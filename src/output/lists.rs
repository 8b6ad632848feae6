//! Lists for scripts, written from the scan's outcome: every verified pair (`scan --pairs`, as
//! JSON Lines or CSV) and the documents `clean --drop-duplicates` would leave out
//! (`scan --list-duplicates`, one location per line or NUL-separated, for `xargs`).

use crate::outcome::{DocumentInfo, ScanOutcome};
use crate::shared::{PairSide, round4, write_pair_line};
use serde_json::Value;
use std::io::{self, Write};

/// How `--pairs` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PairsFormat {
    /// One JSON object per line: `a`, `b`, `similarity`, and for records `a_line`, `b_line`
    /// (JSON Lines) or `a_row`, `b_row` (Parquet), and `a_id`, `b_id`.
    JsonLines,
    /// A header, then one row per pair: `a,a_line,a_id,b,b_line,b_id,similarity,a_row,b_row`
    /// (empty cells where a document has no line, row or id).
    Csv,
}

impl PairsFormat {
    /// CSV for a file name ending in `.csv` (any case), JSON Lines otherwise.
    pub fn for_path(path: &std::path::Path) -> PairsFormat {
        match path.extension().and_then(|e| e.to_str()) {
            Some(ext) if ext.eq_ignore_ascii_case("csv") => PairsFormat::Csv,
            _ => PairsFormat::JsonLines,
        }
    }
}

/// Writes every verified similar pair of `outcome`, in document order (path, then record).
pub fn write_pairs(
    outcome: &ScanOutcome,
    format: PairsFormat,
    out: &mut (impl Write + ?Sized),
) -> io::Result<()> {
    if format == PairsFormat::Csv {
        writeln!(out, "a,a_line,a_id,b,b_line,b_id,similarity,a_row,b_row")?;
    }
    for pair in &outcome.pairs {
        let (a, b) = (
            &outcome.documents.get(pair.a as usize),
            &outcome.documents.get(pair.b as usize),
        );
        let similarity = round4(pair.similarity);
        match format {
            PairsFormat::JsonLines => {
                write_pair_line(PairSide::of(a), PairSide::of(b), similarity, out)?;
            }
            PairsFormat::Csv => {
                let cells = |doc: &DocumentInfo| {
                    [
                        csv_cell(&doc.path),
                        doc.line().map(|l| l.to_string()).unwrap_or_default(),
                        doc.id
                            .as_ref()
                            .map(|id| csv_cell(&id_text(id)))
                            .unwrap_or_default(),
                    ]
                    .join(",")
                };
                let row = |doc: &DocumentInfo| doc.row().map(|r| r.to_string()).unwrap_or_default();
                writeln!(
                    out,
                    "{},{},{similarity},{},{}",
                    cells(a),
                    cells(b),
                    row(a),
                    row(b)
                )?;
            }
        }
    }
    Ok(())
}

impl<'a> PairSide<'a> {
    /// The side a scanned document is.
    fn of(d: &'a DocumentInfo) -> Self {
        PairSide {
            path: &d.path,
            position: d.position,
            id: d.id.as_ref(),
        }
    }
}

/// Writes the location (`path`, or `path:line` or `path#row` for a record) of every document that
/// `clean --drop-duplicates` leaves out, in document order, each followed by a newline or, with
/// `nul`, a NUL byte.
pub fn write_left_out(
    outcome: &ScanOutcome,
    nul: bool,
    out: &mut (impl Write + ?Sized),
) -> io::Result<()> {
    let mut docs: Vec<u32> = outcome
        .clusters
        .iter()
        .flat_map(|c| c.left_out().map(|(doc, _)| doc))
        .collect();
    docs.sort_unstable();
    for doc in docs {
        out.write_all(outcome.documents.label(doc as usize).as_bytes())?;
        out.write_all(if nul { b"\0" } else { b"\n" })?;
    }
    Ok(())
}

/// An id as text: a string as it is, anything else as JSON.
fn id_text(id: &Value) -> String {
    match id {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A CSV cell: quoted (quotes doubled) when it holds a comma, a quote or a line break.
fn csv_cell(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_cells_are_quoted_only_when_needed() {
        assert_eq!(csv_cell("a/b.txt"), "a/b.txt");
        assert_eq!(csv_cell("a,b.txt"), "\"a,b.txt\"");
        assert_eq!(csv_cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(id_text(&Value::from("x-1")), "x-1");
        assert_eq!(id_text(&Value::from(7)), "7");
    }

    #[test]
    fn the_format_follows_the_file_name() {
        use std::path::Path;
        assert_eq!(PairsFormat::for_path(Path::new("p.CSV")), PairsFormat::Csv);
        assert_eq!(
            PairsFormat::for_path(Path::new("p.jsonl")),
            PairsFormat::JsonLines
        );
        assert_eq!(
            PairsFormat::for_path(Path::new("pairs")),
            PairsFormat::JsonLines
        );
    }
}
