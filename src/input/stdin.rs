//! Standard input (`-`): copied to a temporary file as it comes, so that it can be read again
//! like any file (in pieces, and for the report's quotes), then told apart as no file name
//! tells it: gzip or zstd by its first bytes, and, unless `--format` says, JSON Lines when its
//! first line that is not blank is a JSON object.

use super::compression::Compression;
use super::{InputFormat, InputOptions, SourceFile, SourceKind};
use std::io::{BufRead, Read};
use std::path::{Path, PathBuf};

/// Most bytes of the first line read to tell whether it is a JSON object (a longer one is taken
/// for text).
const FIRST_LINE_LIMIT: u64 = 64 << 20;

/// Standard input, copied to a temporary file (removed when the path is dropped), as the
/// `root_index`th command-line path.
pub(super) fn spool(
    root_index: usize,
    options: &InputOptions,
) -> std::io::Result<(SourceFile, tempfile::TempPath)> {
    let mut file = tempfile::Builder::new()
        .prefix(".neardup-stdin-")
        .tempfile()?;
    let len = std::io::copy(&mut std::io::stdin().lock(), file.as_file_mut())?;
    let spooled = file.into_temp_path();
    let compression = Compression::of_file(&spooled);
    // A forced format is applied with the other files'.
    let kind = match options.format {
        InputFormat::Auto if starts_with_an_object(&spooled, compression) => SourceKind::Jsonl,
        _ => SourceKind::Text,
    };
    let source = SourceFile {
        path: spooled.to_path_buf(),
        display: "-".into(),
        root: root_index,
        relative: PathBuf::from("stdin"),
        kind,
        compression,
        len,
        memory: None,
    };
    Ok((source, spooled))
}

/// Whether the first line that is not blank of the file at `path`, decompressed, is a JSON
/// object (a UTF-8 byte-order mark before it is passed over).
fn starts_with_an_object(path: &Path, compression: Compression) -> bool {
    let Ok(file) = std::fs::File::open(path) else {
        return false;
    };
    let Ok(decoder) = compression.decoder(file) else {
        return false;
    };
    first_line_is_an_object(std::io::BufReader::new(decoder.take(FIRST_LINE_LIMIT)))
}

/// [`starts_with_an_object`] of what `lines` reads.
fn first_line_is_an_object(mut lines: impl BufRead) -> bool {
    let mut line = Vec::new();
    loop {
        line.clear();
        match lines.read_until(b'\n', &mut line) {
            Ok(0) | Err(_) => return false,
            Ok(_) => {}
        }
        let text = line.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&line);
        if text.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let value = serde_json::from_slice::<serde_json::Value>(text);
        return value.is_ok_and(|v| v.is_object());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_lines_are_told_by_their_first_line_that_is_not_blank() {
        let is_object = |text: &str| first_line_is_an_object(text.as_bytes());
        assert!(is_object("{\"text\": \"a\"}\n{\"text\": \"b\"}\n"));
        assert!(is_object("\n  \n\u{feff}{\"body\": \"no text field\"}"));
        assert!(!is_object("An article.\n{\"text\": \"a\"}\n"));
        assert!(!is_object("{\"text\": \"cut"));
        assert!(!is_object("[1, 2]\n"));
        assert!(!is_object("{\n  \"pretty\": true\n}\n"));
        assert!(!is_object(""));
    }
}
