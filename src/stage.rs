//! The scan's first stages run one at a time, on part of a corpus, with their data in folders:
//! the shape a cluster engine runs them in (one task per shard, then one per band range, then
//! one per set of candidate pairs), and the same steps [`crate::scan()`] takes when its data
//! spills. Run over every shard, every band and every candidate run, they give the similar pairs
//! `scan --pairs` gives for the same corpus and parameters.
//!
//! - [`sign`]: the documents of some inputs (a shard) -> a shard folder: `shard.json` (the
//!   format, the parameters, the number of documents and the shard's fingerprint: 32 hex digits
//!   of an xxh3-128 over its documents' lines, shingle sets and signatures, so that two shards
//!   of other contents differ), `documents.jsonl` (one line per document, in
//!   document order: `path`, `line` or `row`, `id`, `tokens`), the store of shingle sets and
//!   signatures (`shingles.bin`, `shingles.idx`, `signatures.bin`, in the formats of
//!   [`crate::work`]) and one sorted run per band (`band-000.run`, ...: `(band key, document)`
//!   records, numbered inside the shard).
//! - [`candidates`]: shard folders in corpus order and a range of bands -> one file of candidate
//!   pairs, documents numbered over the shards in the order given: the header `NDCAND01`, the
//!   number of shards (u32) and each shard's fingerprint in that order (16 bytes, the xxh3-128
//!   as a little-endian u128), then a sorted run in the [`crate::work`] format of `u64` records
//!   (the lower document number in the high 32 bits, the higher in the low ones).
//! - [`verify`]: the shard folders and candidate files -> the similar pairs, as JSON Lines in the
//!   form `scan --pairs` writes (`a`, `b`, `similarity`, and `a_line`, `a_row`, `a_id` and the
//!   same for `b` where the documents have them), in document order. A candidate file computed
//!   over other shards, or over the same in another order, is refused (its document numbers
//!   would name other documents), with the order it expects when only the order differs.
//!
//! Outputs (`--out`) are made with their missing parent folders; an output that cannot be made
//! or written is an [`Error::Output`] naming it.
//!
//! A bucket of a band is a run of keys equal above the document bits, which depend on the number
//! of documents in the whole corpus: candidates are computed over every shard at once, per band,
//! and bands are independent of each other.
//!
//! Memory: `sign` holds its shard's band entries (12 bytes per band and document) and one piece
//! of text at a time; `candidates` one record per shard and band being merged, and the pairs of
//! its bands (8 bytes each); `verify` the pairs of its candidate runs and two shingle sets per
//! thread.

use crate::config::ScanConfig;
use crate::diagnostic::io_reason;
use crate::error::{Error, Result};
use crate::input::{self, Position};
use crate::pipeline::jaccard;
use crate::pipeline::lsh::{self, BandBuckets};
use crate::pipeline::minhash::MinHasher;
use crate::progress::{Progress, Stage};
use crate::scan::hash_document;
use crate::shared::{PairSide, write_pair_line};
use crate::work::WorkDir;
use crate::work::sort::{self, RunReader};
use crate::work::store::{Store, StoreWriter};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};

mod files;

/// The name of a shard folder's description.
pub const SHARD_FILE: &str = "shard.json";
/// The `format` of the shard folders this build writes and reads.
pub const SHARD_FORMAT: &str = "neardup-shard-2";

pub use files::CANDIDATES_MAGIC;

/// What `shard.json` says: the parameters the shard was signed with (every shard of one corpus
/// must have the same) and its number of documents.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShardDescription {
    /// [`SHARD_FORMAT`].
    pub format: String,
    /// Word or character shingles.
    pub shingle: String,
    /// Shingle size.
    pub shingle_size: usize,
    /// Signature length.
    pub num_perm: usize,
    /// The MinHash scheme.
    pub minhash: String,
    /// The hash seed.
    pub seed: u64,
    /// The similarity threshold verification keeps pairs at.
    pub threshold: f64,
    /// LSH bands.
    pub bands: usize,
    /// Rows per band.
    pub rows: usize,
    /// Documents in the shard (those with at least one word).
    pub documents: usize,
    /// What the shard holds, hashed: 32 hex digits of an xxh3-128 over each document's line of
    /// `documents.jsonl`, shingle set and signature, in document order. The candidates record
    /// it, so that verification knows them for the shards they were computed over.
    pub fingerprint: String,
}

impl ShardDescription {
    /// The description of a shard signed with `config`, of no documents yet.
    fn of(config: &ScanConfig, banding: &lsh::Banding) -> Self {
        ShardDescription {
            format: SHARD_FORMAT.to_string(),
            shingle: config.shingle.unit().to_string(),
            shingle_size: config.shingle.size(),
            num_perm: config.num_perm,
            minhash: config.minhash.name().to_string(),
            seed: config.seed,
            threshold: config.threshold,
            bands: banding.bands,
            rows: banding.rows,
            documents: 0,
            fingerprint: String::new(),
        }
    }
}

/// One line of `documents.jsonl`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShardDocument {
    /// The file, as the scan shows it.
    pub path: String,
    /// JSON Lines records: the 1-based line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// Parquet records: the 0-based row.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub row: Option<usize>,
    /// Records: the id (a JSON null stays one).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present_value"
    )]
    pub id: Option<Value>,
    /// Normalized tokens.
    pub tokens: usize,
}

impl ShardDocument {
    /// The side of a similar pair it is.
    fn side(&self) -> PairSide<'_> {
        PairSide {
            path: &self.path,
            position: Position::from_fields(self.line, self.row),
            id: self.id.as_ref(),
        }
    }
}

/// A field that is there, null included.
fn present_value<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Value>, D::Error> {
    Value::deserialize(d).map(Some)
}

fn io_error(path: &Path) -> impl Fn(std::io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// The error of an output that could not be made or written.
fn output_error(path: &Path) -> impl Fn(std::io::Error) -> Error + '_ {
    move |source| Error::Output {
        path: path.to_path_buf(),
        source,
    }
}

/// `path`'s parent folders, made where missing.
fn make_parent(path: &Path) -> Result<()> {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => {
            std::fs::create_dir_all(parent).map_err(|e| {
                let shown = parent.display();
                let reason = match parent.is_file() {
                    true => format!("{shown} is a file, not a folder"),
                    false => format!("its folder {shown} could not be made ({})", io_reason(&e)),
                };
                output_error(path)(std::io::Error::new(e.kind(), reason))
            })
        }
        _ => Ok(()),
    }
}

/// A problem with a file given as input, named as `path: reason`.
fn bad_input(path: &Path, reason: String) -> Error {
    io_error(path)(std::io::Error::new(std::io::ErrorKind::InvalidData, reason))
}

/// Signs the documents of `roots` (files and folders, walked and read as the scan reads them)
/// into the shard folder `out`, which must not exist yet (its parent folders are made); problems
/// with single inputs come back as the scan's diagnostics do.
pub fn sign(
    roots: &[PathBuf],
    config: &ScanConfig,
    out: &Path,
    progress: &dyn Progress,
) -> Result<(ShardDescription, Vec<crate::diagnostic::Diagnostic>)> {
    let banding = config.validate()?;
    if !config.verify {
        return Err(Error::InvalidConfig(
            "stage verify computes the exact Jaccard similarity; --no-verify is for scan".into(),
        ));
    }
    let folder = make_shard_folder(out)?;
    // No thread keeps the inputs' folders or the hashing buffers after the shard is signed.
    let _release = crate::scan::ReleaseThreadState::new();
    let written = output_error(out);
    let minhasher = MinHasher::with_scheme(config.minhash, config.num_perm, config.seed);
    // Files of records are read in pieces of a sixteenth of the budget, as the scan reads them.
    let piece_bytes = (config.memory.unwrap_or_else(crate::work::default_memory) / 16) as usize;
    let walked = input::discover(roots, &config.input);
    let mut problems = walked.problems;
    let mut store = StoreWriter::create(&folder, minhasher.num_perm()).map_err(&written)?;
    let mut bands: Vec<Vec<(u64, u32)>> = vec![Vec::new(); banding.bands];
    let documents_path = out.join("documents.jsonl");
    let mut documents =
        files::DocumentList::create(&documents_path).map_err(output_error(&documents_path))?;
    type Signed = (Option<Position>, Option<Value>, crate::scan::HashedDocument);
    let mut count = 0u32;
    progress.start(Stage::Hashing, walked.files.iter().map(|s| s.len).sum());
    for source in &walked.files {
        let work = |doc: input::Document<'_>| -> Signed {
            (
                doc.position,
                doc.id.cloned(),
                hash_document(doc.text, config, &minhasher),
            )
        };
        let mut reported = 0;
        let mut add = |signed: Vec<Signed>, read_so_far: u64| -> std::io::Result<()> {
            progress.advance(read_so_far.saturating_sub(reported));
            reported = reported.max(read_so_far);
            for (position, id, mut hashed) in signed {
                if hashed.tokens == 0 {
                    continue;
                }
                hashed.shingles.sort_unstable();
                hashed.shingles.dedup();
                store.push(&hashed.shingles, &hashed.signature, &folder)?;
                for (band, keys) in bands.iter_mut().enumerate() {
                    let rows = &hashed.signature[band * banding.rows..(band + 1) * banding.rows];
                    keys.push((lsh::band_key(rows, band), count));
                }
                let document = ShardDocument {
                    path: source.display.clone(),
                    line: position.and_then(Position::line),
                    row: position.and_then(Position::row),
                    id,
                    tokens: hashed.tokens,
                };
                documents.push(&document, &hashed.shingles, &hashed.signature)?;
                count = count.checked_add(1).ok_or_else(|| {
                    std::io::Error::other("more than 4,294,967,295 documents in one shard")
                })?;
            }
            Ok(())
        };
        if source.kind == input::SourceKind::Text {
            let mut read = input::read_source(source, &config.input, None, &work);
            let docs = std::mem::take(&mut read.docs);
            add(docs, read.len).map_err(&written)?;
            problems.extend(read.problems);
        } else {
            let read = input::read_pieces(source, &config.input, piece_bytes, &work, &mut add)
                .map_err(&written)?;
            progress.advance(read.len.saturating_sub(reported));
            problems.extend(read.problems);
        }
    }
    progress.finish();
    let fingerprint = documents.finish().map_err(output_error(&documents_path))?;
    store.finish(&folder).map_err(&written)?;
    bands.par_iter_mut().for_each(|keys| keys.sort_unstable());
    for (band, keys) in bands.iter().enumerate() {
        let path = out.join(band_file(band));
        sort::write_run(&path, keys, &folder).map_err(output_error(&path))?;
    }
    let description = ShardDescription {
        documents: count as usize,
        fingerprint,
        ..ShardDescription::of(config, &banding)
    };
    let path = out.join(SHARD_FILE);
    let json = serde_json::to_vec_pretty(&description).map_err(std::io::Error::other);
    json.and_then(|json| std::fs::write(&path, json))
        .map_err(output_error(&path))?;
    Ok((description, problems))
}

/// The new shard folder `out`, its parent folders made; one that exists is refused.
fn make_shard_folder(out: &Path) -> Result<WorkDir> {
    make_parent(out)?;
    WorkDir::at(out).map_err(|e| {
        let e = match e.kind() {
            std::io::ErrorKind::AlreadyExists => std::io::Error::new(
                e.kind(),
                "it exists already (stage sign makes a new shard folder)",
            ),
            _ => e,
        };
        output_error(out)(e)
    })
}

/// The name of band `band`'s run in a shard folder.
fn band_file(band: usize) -> String {
    format!("band-{band:03}.run")
}

/// Reads a shard folder's description.
pub fn describe(shard: &Path) -> Result<ShardDescription> {
    let path = shard.join(SHARD_FILE);
    let text = std::fs::read(&path).map_err(io_error(&path))?;
    let not_json = |e: serde_json::Error| bad_input(&path, e.to_string());
    // The format first: a shard of another format may have other fields.
    let value: Value = serde_json::from_slice(&text).map_err(not_json)?;
    let format = value
        .get("format")
        .and_then(Value::as_str)
        .unwrap_or("none");
    if format != SHARD_FORMAT {
        return Err(bad_input(
            &path,
            format!("a shard of format {format}; this build reads {SHARD_FORMAT} (sign it again)"),
        ));
    }
    serde_json::from_value(value).map_err(not_json)
}

/// The descriptions of `shards`, checked to share their parameters.
fn describe_all(shards: &[PathBuf]) -> Result<Vec<ShardDescription>> {
    let descriptions: Vec<ShardDescription> =
        shards.iter().map(|s| describe(s)).collect::<Result<_>>()?;
    if let Some(first) = descriptions.first() {
        let same = |d: &ShardDescription| ShardDescription {
            documents: 0,
            fingerprint: String::new(),
            ..d.clone()
        };
        if let Some((i, _)) = descriptions
            .iter()
            .enumerate()
            .find(|(_, d)| same(d) != same(first))
        {
            return Err(Error::InvalidConfig(format!(
                "{} was signed with other parameters than {}",
                shards[i].display(),
                shards[0].display()
            )));
        }
    }
    Ok(descriptions)
}

/// Writes to `out` (its parent folders made) the candidate pairs of `bands` over `shards` (in
/// corpus order), as a file of candidate pairs that names the shards in that order; their
/// number.
pub fn candidates(
    shards: &[PathBuf],
    bands: std::ops::Range<usize>,
    out: &Path,
    progress: &dyn Progress,
) -> Result<u64> {
    let descriptions = describe_all(shards)?;
    let total: usize = descriptions.iter().map(|d| d.documents).sum();
    if u32::try_from(total).is_err() {
        return Err(Error::InvalidConfig(format!(
            "{total} documents over the shards; a run numbers at most 4,294,967,295"
        )));
    }
    if let Some(first) = descriptions.first()
        && bands.end > first.bands
    {
        return Err(Error::InvalidConfig(format!(
            "bands {}..{} asked of shards with {} bands",
            bands.start, bands.end, first.bands
        )));
    }
    let offsets: Vec<u32> = descriptions
        .iter()
        .scan(0u32, |next, d| {
            let first = *next;
            *next += d.documents as u32;
            Some(first)
        })
        .collect();
    progress.start(Stage::Banding, bands.len() as u64);
    let pairs = bands
        .into_par_iter()
        .with_max_len(1)
        .map(|band| -> Result<Vec<u64>> {
            let mut buckets = BandBuckets::new(total);
            // Each shard's run is sorted by (key, document); with the shard's offset added, a
            // merge of them is the band's entries over the corpus, in order.
            let mut runs = Vec::new();
            // The lowest head of every shard's run, on a heap: one step per entry whatever the
            // number of shards.
            let mut heads = std::collections::BinaryHeap::new();
            for (i, (shard, &offset)) in shards.iter().zip(&offsets).enumerate() {
                let path = shard.join(band_file(band));
                let mut run = RunReader::<(u64, u32)>::open(&path).map_err(io_error(&path))?;
                if let Some((key, doc)) = run.next().map_err(io_error(&path))? {
                    heads.push(std::cmp::Reverse((key, doc + offset, i)));
                }
                runs.push((run, offset, path));
            }
            while let Some(std::cmp::Reverse((key, doc, i))) = heads.pop() {
                buckets.push(key, doc);
                let (run, offset, path) = &mut runs[i];
                if let Some((key, doc)) = run.next().map_err(io_error(path))? {
                    heads.push(std::cmp::Reverse((key, doc + *offset, i)));
                }
            }
            progress.advance(1);
            Ok(buckets.finish())
        })
        .try_reduce(Vec::new, |a, b| Ok(lsh::union_of_sorted(a, b)))?;
    progress.finish();
    let count = pairs.len() as u64;
    let head = files::candidates_header(&fingerprints(shards, &descriptions)?);
    make_parent(out)?;
    let parent = out.parent().unwrap_or(Path::new("."));
    let folder = WorkDir::existing(parent);
    sort::write_run_after(&out.to_path_buf(), &head, &pairs, &folder).map_err(output_error(out))?;
    Ok(count)
}

/// The shards' fingerprints, as numbers.
fn fingerprints(shards: &[PathBuf], descriptions: &[ShardDescription]) -> Result<Vec<u128>> {
    shards
        .iter()
        .zip(descriptions)
        .map(|(shard, d)| {
            u128::from_str_radix(&d.fingerprint, 16).map_err(|_| {
                let reason = format!("fingerprint {:?} is not 32 hex digits", d.fingerprint);
                bad_input(&shard.join(SHARD_FILE), reason)
            })
        })
        .collect()
}

/// Verifies the candidate pairs in the files `candidate_runs` on the shingle sets of `shards`
/// (in corpus order) and writes the similar pairs to `out` as JSON Lines; their number. A file
/// of candidates computed over other shards, or over these in another order, is refused.
pub fn verify(
    shards: &[PathBuf],
    candidate_runs: &[PathBuf],
    out: &Path,
    progress: &dyn Progress,
) -> Result<u64> {
    let descriptions = describe_all(shards)?;
    let Some(first) = descriptions.first() else {
        return Ok(0);
    };
    let threshold = first.threshold;
    let given = fingerprints(shards, &descriptions)?;
    let mut packed = Vec::new();
    for path in candidate_runs {
        let pairs = files::read_candidates(path, shards, &given)?;
        packed = lsh::union_of_sorted(packed, pairs);
    }
    let pairs = lsh::unpack_pairs(packed);
    let total: usize = descriptions.iter().map(|d| d.documents).sum();
    if let Some(&(_, b)) = pairs.iter().find(|&&(_, b)| b as usize >= total) {
        return Err(Error::InvalidConfig(format!(
            "a candidate pair names document {b}, but the shards hold {total}: the candidates \
             were computed over other shards"
        )));
    }
    // Where each document lives: its shard and number there.
    let offsets: Vec<usize> = descriptions
        .iter()
        .scan(0, |next, d| {
            let first = *next;
            *next += d.documents;
            Some(first)
        })
        .collect();
    let locate = |doc: u32| {
        let shard = offsets.partition_point(|&o| o <= doc as usize) - 1;
        (shard, (doc as usize - offsets[shard]) as u32)
    };
    let stores: Vec<Store> = shards
        .iter()
        .zip(&descriptions)
        .map(|(shard, d)| Store::open(shard, d.num_perm).map_err(io_error(shard)))
        .collect::<Result<_>>()?;
    progress.start(Stage::Verifying, pairs.len() as u64);
    let similar: Vec<(u32, u32, f64)> = pairs
        .par_iter()
        .map_init(
            || (Vec::new(), Vec::new(), Vec::new()),
            |(bytes, a_set, b_set), &(a, b)| -> Result<Option<(u32, u32, f64)>> {
                let ((sa, da), (sb, db)) = (locate(a), locate(b));
                stores[sa]
                    .shingles(da, a_set, bytes)
                    .map_err(io_error(&shards[sa]))?;
                stores[sb]
                    .shingles(db, b_set, bytes)
                    .map_err(io_error(&shards[sb]))?;
                progress.advance(1);
                Ok(jaccard::jaccard_at_least(a_set, b_set, threshold).map(|s| (a, b, s)))
            },
        )
        .filter_map(|r| r.transpose())
        .collect::<Result<_>>()?;
    progress.finish();
    // The documents the pairs name, read from the shards' lists.
    let mut wanted: Vec<u32> = similar.iter().flat_map(|&(a, b, _)| [a, b]).collect();
    wanted.sort_unstable();
    wanted.dedup();
    let named = files::read_documents(shards, &offsets, &wanted)?;
    make_parent(out)?;
    let created = std::fs::File::create(out).map_err(output_error(out))?;
    let mut writer = std::io::BufWriter::new(created);
    for &(a, b, similarity) in &similar {
        let missing = |doc: u32| {
            Error::InvalidConfig(format!(
                "document {doc} is not listed in its shard's documents.jsonl"
            ))
        };
        let da = named.get(&a).ok_or_else(|| missing(a))?;
        let db = named.get(&b).ok_or_else(|| missing(b))?;
        let similarity = crate::shared::round4(similarity);
        write_pair_line(da.side(), db.side(), similarity, &mut writer)
            .map_err(output_error(out))?;
    }
    writer.flush().map_err(output_error(out))?;
    Ok(similar.len() as u64)
}
