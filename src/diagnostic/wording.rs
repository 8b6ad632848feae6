//! How each problem reads: the one line, in words, that `neardup: PATH: ...` ends with.

use super::{AfterChange, Problem};
use std::fmt;

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::Unreadable { .. }
            | Problem::NotRegularFile
            | Problem::LinkLoop { .. }
            | Problem::Changed(_)
            | Problem::Binary { .. }
            | Problem::Undecodable { .. }
            | Problem::Undecompressable { .. }
            | Problem::GuessedEncoding { .. }
            | Problem::EmptyDocument => files(self, f),
            Problem::JsonlNotUtf8 { .. }
            | Problem::BadJsonLine { .. }
            | Problem::NotAnObject
            | Problem::NoTextField { .. }
            | Problem::TextFieldNotString { .. }
            | Problem::BadParquet { .. }
            | Problem::NoTextColumn { .. }
            | Problem::TextColumnNotString { .. }
            | Problem::NullText { .. }
            | Problem::ColumnNotRead { .. }
            | Problem::RepeatedIds { .. } => records(self, f),
            Problem::CopiedUnchanged
            | Problem::NotWritten
            | Problem::WrittenDespiteDuplicate { .. }
            | Problem::WriteFailed { .. }
            | Problem::StaleNotRemoved { .. }
            | Problem::ManifestNotWritten { .. }
            | Problem::DiskFull { .. } => writing(self, f),
        }
    }
}

/// A problem with an input file as a whole: reading, decoding, decompressing it.
fn files(problem: &Problem, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    match problem {
        Problem::Unreadable { reason } => f.write_str(reason),
        Problem::NotRegularFile => {
            f.write_str("not a regular file (a FIFO, device or socket), skipped")
        }
        Problem::LinkLoop { ancestor } => write!(
            f,
            "symbolic link loop back to {}, not followed",
            ancestor.display()
        ),
        Problem::Changed(after) => {
            let now = match after {
                AfterChange::Skipped => "skipped",
                AfterChange::ParagraphsNotShown => "its paragraphs not shown",
                AfterChange::NotWritten => "not written (run again)",
            };
            write!(f, "changed while neardup was running; {now}")
        }
        Problem::Binary { nul_at } => {
            write!(f, "binary file (NUL byte at offset {nul_at}), skipped")
        }
        Problem::Undecodable { encoding, offset } => write!(
            f,
            "not valid {encoding} (first bad byte at offset {offset}); invalid bytes read \
             as U+FFFD"
        ),
        Problem::Undecompressable {
            format,
            reason,
            from_line: None,
        } => write!(f, "not valid {format} data ({reason}), skipped"),
        Problem::Undecompressable {
            format,
            reason,
            from_line: Some(line),
        } => write!(
            f,
            "not valid {format} data ({reason}); records from line {line} on were not read"
        ),
        Problem::GuessedEncoding {
            encoding,
            utf16: true,
        } => write!(
            f,
            "no byte-order mark; read as {encoding} (guessed from its bytes)"
        ),
        Problem::GuessedEncoding {
            encoding,
            utf16: false,
        } => write!(f, "not UTF-8; read as {encoding} (guessed from its bytes)"),
        Problem::EmptyDocument => f.write_str("empty document (no words), skipped"),
        _ => unreachable!("Display for Problem sends each variant to its group"),
    }
}

/// A problem with the records of a JSON Lines or Parquet file.
fn records(problem: &Problem, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    match problem {
        Problem::JsonlNotUtf8 { encoding } => write!(
            f,
            "JSONL must be UTF-8, found a {encoding} byte-order mark; skipped"
        ),
        Problem::BadJsonLine { reason } => write!(f, "not valid JSON ({reason}); line skipped"),
        Problem::NotAnObject => f.write_str("not a JSON object; line skipped"),
        Problem::NoTextField {
            field,
            lines,
            string_fields,
        } => {
            if *lines == 1 {
                write!(f, "no field \"{field}\"; line skipped")?;
            } else {
                write!(
                    f,
                    "no field \"{field}\" here and in {} more lines; all skipped",
                    lines - 1
                )?;
            }
            if !string_fields.is_empty() {
                let names: Vec<String> = string_fields.iter().map(|n| format!("\"{n}\"")).collect();
                write!(
                    f,
                    " (its string fields: {}; --text-field names the one to read)",
                    names.join(", ")
                )?;
            }
            Ok(())
        }
        Problem::TextFieldNotString { field } => {
            write!(f, "field \"{field}\" is not a string; line skipped")
        }
        Problem::BadParquet {
            reason,
            from_row: None,
        } => write!(f, "not a readable Parquet file ({reason}), skipped"),
        Problem::BadParquet {
            reason,
            from_row: Some(row),
        } => write!(
            f,
            "not readable Parquet data ({reason}); rows from row {row} on were not read"
        ),
        Problem::NoTextColumn {
            column,
            string_columns,
        } => {
            write!(f, "no column \"{column}\"; skipped")?;
            if !string_columns.is_empty() {
                let names: Vec<String> =
                    string_columns.iter().map(|n| format!("\"{n}\"")).collect();
                write!(
                    f,
                    " (its string columns: {}; --text-field names the one to read)",
                    names.join(", ")
                )?;
            }
            Ok(())
        }
        Problem::TextColumnNotString { column, data_type } => {
            write!(
                f,
                "column \"{column}\" holds {data_type}, not strings; skipped"
            )
        }
        Problem::NullText { column, rows: 1 } => {
            write!(f, "column \"{column}\" is null; row skipped")
        }
        Problem::NullText { column, rows } => write!(
            f,
            "column \"{column}\" is null here and in {} more rows; all skipped",
            rows - 1
        ),
        Problem::ColumnNotRead { column, data_type } => write!(
            f,
            "column \"{column}\" holds {data_type}, which is not read as an id or \
             --keep-by value; its rows go without"
        ),
        Problem::RepeatedIds {
            id,
            first_at,
            repeated,
        } => write!(
            f,
            "id {id} already used at {} ({repeated} repeated id{} in this file); documents \
             are told apart by {}",
            first_at.named(),
            if *repeated == 1 { "" } else { "s" },
            if first_at.line().is_some() {
                "line"
            } else {
                "row"
            },
        ),
        _ => unreachable!("Display for Problem sends each variant to its group"),
    }
}

/// A problem writing `clean`'s output.
fn writing(problem: &Problem, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    match problem {
        Problem::CopiedUnchanged => f.write_str("copied unchanged, not cleaned"),
        Problem::NotWritten => f.write_str("not written"),
        Problem::WrittenDespiteDuplicate { of } => write!(
            f,
            "written although a near-duplicate of {of}, which could not be written"
        ),
        Problem::WriteFailed { reason } => write!(f, "could not be written: {reason}"),
        Problem::StaleNotRemoved { reason } => write!(
            f,
            "left by an earlier run and not written by this one, but could not be removed: \
             {reason}"
        ),
        Problem::ManifestNotWritten { reason } => {
            write!(f, "could not write the manifest: {reason}")
        }
        Problem::DiskFull { not_started } => write!(
            f,
            "no space left on device; writing stopped, {not_started} more file{} not written",
            if *not_started == 1 { "" } else { "s" }
        ),
        _ => unreachable!("Display for Problem sends each variant to its group"),
    }
}
