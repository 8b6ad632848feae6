//! The JSON writer: the report as one pretty-printed JSON document.

use super::report::{Params, Report, Stats};
use rayon::prelude::*;
use serde::Serialize;
use std::io::{self, Write};

/// Writes `,\n  "name": [...]` as serde_json's pretty printer writes a list that is a field of
/// the top-level object: each element on a new line, four spaces deeper. Elements are rendered
/// alone, in parallel, and their lines shifted by those four spaces; a newline byte inside
/// rendered JSON is always the printer's (strings escape theirs), so shifting cannot touch text.
fn write_json_list<T: Serialize + Sync>(
    out: &mut (impl Write + ?Sized),
    name: &str,
    items: &[T],
) -> io::Result<()> {
    write!(out, ",\n  \"{name}\": [")?;
    if items.is_empty() {
        return out.write_all(b"]");
    }
    const ITEMS_PER_PART: usize = 256;
    let parts: Vec<Vec<u8>> = items
        .par_chunks(ITEMS_PER_PART)
        .with_max_len(1)
        .enumerate()
        .map(|(part, chunk)| -> io::Result<Vec<u8>> {
            let mut rendered = Vec::new();
            let mut one = Vec::new();
            for (i, item) in chunk.iter().enumerate() {
                let separator: &[u8] = if part == 0 && i == 0 {
                    b"\n    "
                } else {
                    b",\n    "
                };
                rendered.extend_from_slice(separator);
                one.clear();
                serde_json::to_writer_pretty(&mut one, item)?;
                for (n, line) in one.split(|&b| b == b'\n').enumerate() {
                    if n > 0 {
                        rendered.extend_from_slice(b"\n    ");
                    }
                    rendered.extend_from_slice(line);
                }
            }
            Ok(rendered)
        })
        .collect::<io::Result<_>>()?;
    for part in parts {
        out.write_all(&part)?;
    }
    out.write_all(b"\n  ]")
}

impl Report {
    /// Writes the report as one JSON document (pretty-printed, newline-terminated): the bytes
    /// of `serde_json::to_writer_pretty`, but with the three lists (nearly all of a large
    /// report) rendered in parallel, element by element.
    pub fn write_json(&self, out: &mut (impl Write + ?Sized)) -> io::Result<()> {
        /// The fields before the lists, in the same order and with the same names.
        #[derive(Serialize)]
        struct Head<'a> {
            version: &'a str,
            params: &'a Params,
            stats: &'a Stats,
        }
        let head = serde_json::to_vec_pretty(&Head {
            version: &self.version,
            params: &self.params,
            stats: &self.stats,
        })?;
        // Without its closing "\n}": the lists follow as more fields.
        out.write_all(&head[..head.len() - 2])?;
        write_json_list(out, "clusters", &self.clusters)?;
        write_json_list(out, "repeats", &self.repeats)?;
        write_json_list(out, "boilerplate", &self.boilerplate)?;
        out.write_all(b"\n}\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    struct Item {
        name: String,
        values: Vec<u32>,
        nested: Option<Box<Item>>,
    }

    fn item(i: u32) -> Item {
        Item {
            // A newline and quotes inside a string, escaped by the printer.
            name: format!("line\nbreak \"{i}\""),
            values: (0..i % 4).collect(),
            nested: i.is_multiple_of(3).then(|| Box::new(item(i + 1))),
        }
    }

    #[test]
    fn lists_are_written_byte_for_byte_as_serde_json_writes_them() {
        #[derive(Serialize)]
        struct Whole<'a> {
            first: u32,
            long: &'a [Item],
            empty: &'a [Item],
            short: &'a [Item],
        }
        // More elements than one parallel part holds, so that parts are joined.
        let items: Vec<Item> = (0..600).map(item).collect();
        let expected = serde_json::to_vec_pretty(&Whole {
            first: 1,
            long: &items,
            empty: &[],
            short: &items[..1],
        })
        .unwrap();
        let mut written = b"{\n  \"first\": 1".to_vec();
        write_json_list(&mut written, "long", &items).unwrap();
        write_json_list(&mut written, "empty", &items[..0]).unwrap();
        write_json_list(&mut written, "short", &items[..1]).unwrap();
        written.extend_from_slice(b"\n}");
        assert_eq!(
            String::from_utf8(written).unwrap(),
            String::from_utf8(expected).unwrap()
        );
    }
}
