//! The note about repeated ids in one file of records (JSON Lines or Parquet). Ids do not tell
//! documents apart (their line or row does), but whoever joins the report with their data by id
//! would be misled by a repeated one.

use crate::diagnostic::{Diagnostic, Position, Problem};
use std::collections::HashMap;

/// The ids of one file's records seen so far: where each was first used (by a 128-bit hash of
/// its JSON text, so that a file of millions of records does not keep their texts), and the
/// first repeat.
#[derive(Default)]
pub(super) struct RepeatedIds {
    first_use: HashMap<u128, Position>,
    /// The first record that repeated an earlier id: where, where that id was first used, and
    /// the id as JSON.
    first_repeat: Option<(Position, Position, String)>,
    repeats: usize,
}

impl RepeatedIds {
    /// Records that the record at `at` has the id `id` (its JSON text).
    pub(super) fn saw(&mut self, id: String, at: Position) {
        use std::collections::hash_map::Entry;
        match self
            .first_use
            .entry(xxhash_rust::xxh3::xxh3_128(id.as_bytes()))
        {
            Entry::Vacant(slot) => {
                slot.insert(at);
            }
            Entry::Occupied(slot) => {
                self.repeats += 1;
                if self.first_repeat.is_none() {
                    self.first_repeat = Some((at, *slot.get(), id));
                }
            }
        }
    }

    /// The note for the file shown as `display`, if an id was repeated.
    pub(super) fn note(self, display: &str) -> Option<Diagnostic> {
        let (at, first_at, id) = self.first_repeat?;
        let problem = Problem::RepeatedIds {
            id,
            first_at,
            repeated: self.repeats,
        };
        Some(Diagnostic::at(display, Some(at), problem))
    }
}
