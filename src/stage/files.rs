//! The stages' own files besides the work folder's formats: a shard's list of documents
//! (`documents.jsonl`), written with the shard's fingerprint, and the file of candidate pairs,
//! whose header names the shards it was computed over, in order, so that verification refuses
//! other shards or another order (the formats are in [`super`]'s documentation).

use super::{ShardDocument, bad_input, io_error};
use crate::error::Result;
use crate::work::sort::{self, RunReader};
use std::collections::HashMap;
use std::io::{BufRead, BufWriter, Write};
use std::path::{Path, PathBuf};

/// The header of a file of candidate pairs (the format's version is its last digits).
pub const CANDIDATES_MAGIC: &[u8; 8] = b"NDCAND01";

/// The header of a file of candidate pairs over shards of these fingerprints, in order.
pub(super) fn candidates_header(fingerprints: &[u128]) -> Vec<u8> {
    let mut head = CANDIDATES_MAGIC.to_vec();
    head.extend_from_slice(&(fingerprints.len() as u32).to_le_bytes());
    for fingerprint in fingerprints {
        head.extend_from_slice(&fingerprint.to_le_bytes());
    }
    head
}

/// `documents.jsonl` as it is written, and the shard's fingerprint: an xxh3-128 over each
/// document's line, the size of its shingle set (u64), the set and the signature (u32 each,
/// little-endian), in document order.
pub(super) struct DocumentList {
    out: BufWriter<std::fs::File>,
    fingerprint: xxhash_rust::xxh3::Xxh3,
    line: Vec<u8>,
}

impl DocumentList {
    /// A new list at `path`.
    pub(super) fn create(path: &Path) -> std::io::Result<Self> {
        Ok(DocumentList {
            out: BufWriter::new(std::fs::File::create(path)?),
            fingerprint: xxhash_rust::xxh3::Xxh3::new(),
            line: Vec::new(),
        })
    }

    /// Writes the line of one document, whose shingle set and signature these are.
    pub(super) fn push(
        &mut self,
        document: &ShardDocument,
        shingles: &[u32],
        signature: &[u32],
    ) -> std::io::Result<()> {
        let line = &mut self.line;
        line.clear();
        serde_json::to_writer(&mut *line, document)?;
        line.push(b'\n');
        self.out.write_all(line)?;
        line.extend_from_slice(&(shingles.len() as u64).to_le_bytes());
        line.extend(
            shingles
                .iter()
                .chain(signature)
                .flat_map(|v| v.to_le_bytes()),
        );
        self.fingerprint.update(line);
        Ok(())
    }

    /// Flushes the list; the shard's fingerprint, as 32 hex digits.
    pub(super) fn finish(mut self) -> std::io::Result<String> {
        self.out.flush()?;
        Ok(format!("{:032x}", self.fingerprint.digest128()))
    }
}

/// The documents numbered `wanted` (ascending) over `shards`, whose first documents are
/// numbered `offsets`, read from the shards' `documents.jsonl`.
pub(super) fn read_documents(
    shards: &[PathBuf],
    offsets: &[usize],
    wanted: &[u32],
) -> Result<HashMap<u32, ShardDocument>> {
    let mut named = HashMap::with_capacity(wanted.len());
    let mut next = wanted.iter().peekable();
    for (shard, offset) in shards.iter().zip(offsets) {
        let path = shard.join("documents.jsonl");
        let file = std::fs::File::open(&path).map_err(io_error(&path))?;
        for (n, line) in std::io::BufReader::new(file).lines().enumerate() {
            let doc = (offset + n) as u32;
            if next.peek() != Some(&&doc) {
                continue;
            }
            next.next();
            let line = line.map_err(io_error(&path))?;
            let document: ShardDocument =
                serde_json::from_str(&line).map_err(|e| bad_input(&path, e.to_string()))?;
            named.insert(doc, document);
        }
    }
    Ok(named)
}

/// The candidate pairs of the file at `path`, refused unless they were computed over `shards`
/// (whose fingerprints are `given`) in this order.
pub(super) fn read_candidates(path: &Path, shards: &[PathBuf], given: &[u128]) -> Result<Vec<u64>> {
    use std::io::Read;
    let file = std::fs::File::open(path).map_err(io_error(path))?;
    let mut input = RunReader::<u64>::buffered(file);
    let mut head = [0u8; 12];
    let read = input.read_exact(&mut head);
    if read.is_ok() && &head[..8] == sort::RUN_MAGIC {
        let reason = "a run of candidates without the list of its shards (an older build wrote \
                      it); run stage candidates again";
        return Err(bad_input(path, reason.into()));
    }
    if read.is_err() || &head[..8] != CANDIDATES_MAGIC {
        let reason = "not a file of candidate pairs (stage candidates writes them)";
        return Err(bad_input(path, reason.into()));
    }
    let shard_count = u32::from_le_bytes(head[8..12].try_into().expect("4 bytes")) as usize;
    // A corrupt count reads to the end of the file, not into memory it does not have.
    let mut listed = Vec::new();
    (&mut input)
        .take(shard_count as u64 * 16)
        .read_to_end(&mut listed)
        .map_err(io_error(path))?;
    let recorded: Vec<u128> = listed
        .chunks_exact(16)
        .map(|b| u128::from_le_bytes(b.try_into().expect("16 bytes")))
        .collect();
    if recorded.len() != shard_count {
        return Err(bad_input(path, "cut short in its list of shards".into()));
    }
    if recorded != given {
        return Err(bad_input(path, other_shards(&recorded, shards, given)));
    }
    let mut run = RunReader::<u64>::read_from(input, path).map_err(io_error(path))?;
    let mut pairs = Vec::new();
    while let Some(pair) = run.next().map_err(io_error(path))? {
        pairs.push(pair);
    }
    Ok(pairs)
}

/// Why candidates computed over the shards `recorded` do not fit the `shards` given (whose
/// fingerprints are `given`): the order to give them in, when only the order differs.
fn other_shards(recorded: &[u128], shards: &[PathBuf], given: &[u128]) -> String {
    let mut unused: Vec<Option<&PathBuf>> = shards.iter().map(Some).collect();
    let mut order = Vec::new();
    for fingerprint in recorded {
        let found = (0..given.len()).find(|&i| given[i] == *fingerprint && unused[i].is_some());
        match found.and_then(|i| unused[i].take()) {
            Some(shard) => order.push(shard.display().to_string()),
            None => break,
        }
    }
    if order.len() == recorded.len() && recorded.len() == given.len() {
        return format!(
            "computed over these shards in another order (documents are numbered in the order \
             of the shards); give them in this order: {}",
            order.join(" ")
        );
    }
    let known = given.iter().filter(|g| recorded.contains(g)).count();
    format!(
        "computed over other shards ({} shards, {known} of the {} given here among them); give \
         stage verify the shards stage candidates was given, in the same order",
        recorded.len(),
        given.len()
    )
}
