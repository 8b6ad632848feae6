//! The JSON writer: the report as one pretty-printed JSON document.

use super::report::Report;
use std::io::{self, Write};

impl Report {
    /// Writes the report as one JSON document (serde_json's pretty layout, newline-terminated).
    pub fn write_json(&self, out: &mut (impl Write + ?Sized)) -> io::Result<()> {
        serde_json::to_writer_pretty(&mut *out, self)?;
        out.write_all(b"\n")
    }
}
