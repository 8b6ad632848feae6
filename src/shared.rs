//! What several layers share and none of them owns: the version every output records,
//! similarities rounded as every output gives them, and the JSON Lines record of a similar pair
//! (`scan --pairs` and `stage verify` write the same). Below everything but `diagnostic`, so
//! the cleaning, the comparison and the stages need not reach up into the writers for it.

use crate::diagnostic::Position;
use serde_json::{Map, Value};
use std::io::{self, Write};

/// Version of the tool that wrote a report, a manifest or a shard.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Rounds to 4 decimals: enough to read, and stable under float noise.
pub(crate) fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

/// One document of a similar pair, as a `--pairs` line names it.
pub(crate) struct PairSide<'a> {
    pub(crate) path: &'a str,
    pub(crate) position: Option<Position>,
    pub(crate) id: Option<&'a Value>,
}

/// Writes one JSON Lines record of `--pairs`: `a`, `b`, `similarity` (rounded as given), and
/// each side's `_line` or `_row` and `_id` where it has them.
pub(crate) fn write_pair_line(
    a: PairSide<'_>,
    b: PairSide<'_>,
    similarity: f64,
    out: &mut (impl Write + ?Sized),
) -> io::Result<()> {
    let mut record = Map::new();
    record.insert("a".into(), Value::from(a.path));
    record.insert("b".into(), Value::from(b.path));
    record.insert("similarity".into(), Value::from(similarity));
    for (name, side) in [("a", &a), ("b", &b)] {
        if let Some(line) = side.position.and_then(|p| p.line()) {
            record.insert(format!("{name}_line"), Value::from(line));
        }
        if let Some(row) = side.position.and_then(|p| p.row()) {
            record.insert(format!("{name}_row"), Value::from(row));
        }
        if let Some(id) = side.id {
            record.insert(format!("{name}_id"), id.clone());
        }
    }
    serde_json::to_writer(&mut *out, &record)?;
    writeln!(out)
}
