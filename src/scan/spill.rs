//! Where the hashed documents live between signing and verification: in memory while they fit
//! the memory plan, else on disk in the work folder. Once the documents held pass the plan's
//! share, every document so far and every later batch is written out: its shingle set and
//! signature to the store, each band's key to that band's external sort. Candidates then come
//! from merging each band's runs, and verification reads the sets of the documents it compares.
//! Both ways give the same candidates, the same similarities and so the same report.
//!
//! What a document costs (128 permutations, 25 bands, a text of `t` tokens): in memory, about
//! `4 t + 512` bytes of shingles and signature until the store takes them; on disk `4 t + 512`
//! bytes in the store and `25 x 12` bytes of band entries.

use super::document::HashedDocument;
use super::sets::DocumentSets;
use crate::parallel::DOCUMENTS_PER_TASK;
use crate::pipeline::boilerplate::Zones;
use crate::pipeline::jaccard;
use crate::pipeline::lsh::{self, BandBuckets, BandCandidates, Banding, Candidates};
use crate::pipeline::minhash;
use crate::pipeline::shingle;
use crate::work::sort::Sorter;
use crate::work::store::{Store, StoreWriter};
use crate::work::{LazyWorkDir, WorkDir};
use rayon::prelude::*;
use std::cell::RefCell;
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

/// How a run shares its memory budget out.
#[derive(Debug, Clone, Copy)]
pub(crate) struct MemoryPlan {
    /// Hashed documents held in memory before they go to disk.
    pub(crate) hold: u64,
    /// Input read per batch of the first pass (its texts and their hashes are held at once).
    pub(crate) batch_bytes: u64,
    /// Bytes of each band's sort buffer.
    pub(crate) band_buffer: usize,
    /// Bytes of the paragraph occurrences' sort buffer.
    pub(crate) paragraph_buffer: usize,
    /// Bytes of boilerplate zones held before they go to disk.
    pub(crate) zones: usize,
}

impl MemoryPlan {
    /// The plan for `budget` bytes and `bands` bands: 40% for the documents held, a sixteenth
    /// of text per batch being read (its texts, hashes and records take about three and a half
    /// times that), a fifth for the band sorts once documents spill, a tenth for the paragraph
    /// occurrences, a twentieth for the boilerplate zones.
    pub(crate) fn new(budget: u64, bands: usize) -> Self {
        MemoryPlan {
            hold: budget / 5 * 2,
            batch_bytes: (budget / 16).max(1),
            band_buffer: (budget / 5 / bands.max(1) as u64) as usize,
            paragraph_buffer: (budget / 10) as usize,
            zones: (budget / 20) as usize,
        }
    }
}

/// The hashed documents after the first pass.
pub(crate) enum Documents {
    /// All of them, in memory.
    Memory(Vec<HashedDocument>),
    /// On disk.
    Spilled(SpilledDocuments),
}

/// Documents written to the work folder.
pub(crate) struct SpilledDocuments {
    pub(crate) store: Store,
    bands: Vec<Sorter<(u64, u32)>>,
}

impl SpilledDocuments {
    /// The candidate pairs of `count` documents, each band's runs merged in parallel: the pairs
    /// (and crowded documents) the in-memory tables give.
    pub(crate) fn candidate_pairs(
        &mut self,
        count: usize,
        work: &LazyWorkDir,
        progress: &(dyn Fn(u64) + Sync),
    ) -> std::io::Result<Candidates> {
        let bands = std::mem::take(&mut self.bands);
        let found = bands
            .into_par_iter()
            .enumerate()
            .with_max_len(1)
            .map(|(band, sorter)| {
                let mut buckets = BandBuckets::for_band(count, band);
                sorter.for_each_sorted(work, |(key, doc)| buckets.push(key, doc))?;
                progress(1);
                Ok::<_, std::io::Error>(buckets.finish_with_crowded())
            })
            .try_reduce(BandCandidates::default, |a, b| Ok(a.union(b)))?;
        Ok(found.into_candidates())
    }
}

/// Collects the hashed documents batch by batch, and spills them when they pass the plan.
pub(crate) struct Holder {
    docs: Vec<HashedDocument>,
    held: u64,
    writer: Option<SpillWriter>,
    banding: Banding,
    signature_len: usize,
}

/// The store and band sorts being written.
struct SpillWriter {
    store: StoreWriter,
    bands: Vec<Sorter<(u64, u32)>>,
}

impl Holder {
    pub(crate) fn new(banding: Banding, signature_len: usize) -> Self {
        Holder {
            docs: Vec::new(),
            held: 0,
            writer: None,
            banding,
            signature_len,
        }
    }

    /// Takes the next batch (its paragraph findings already taken out).
    pub(crate) fn add(
        &mut self,
        batch: Vec<HashedDocument>,
        plan: &MemoryPlan,
        work: &LazyWorkDir,
    ) -> std::io::Result<()> {
        self.held += batch.iter().map(held_bytes).sum::<u64>();
        if self.docs.is_empty() {
            self.docs = batch;
        } else {
            self.docs.extend(batch);
        }
        if self.writer.is_some() || self.held > plan.hold {
            self.spill(plan, work)?;
        }
        Ok(())
    }

    /// Writes every document held to the work folder.
    fn spill(&mut self, plan: &MemoryPlan, work: &LazyWorkDir) -> std::io::Result<()> {
        let dir = work.get()?;
        let writer = match &mut self.writer {
            Some(writer) => writer,
            None => self.writer.insert(SpillWriter {
                store: StoreWriter::create(dir, self.signature_len)?,
                bands: (0..self.banding.bands)
                    .map(|band| Sorter::new(plan.band_buffer, format!("bands/band-{band:03}")))
                    .collect(),
            }),
        };
        let docs = std::mem::take(&mut self.docs);
        self.held = 0;
        let first = writer.store.documents() as u32;
        let rows = self.banding.rows;
        let SpillWriter { store, bands } = writer;
        let (stored, banded) = rayon::join(
            || -> std::io::Result<()> {
                for d in &docs {
                    store.push(&d.shingles, &d.signature, dir)?;
                }
                Ok(())
            },
            || {
                bands.par_iter_mut().enumerate().try_for_each(
                    |(band, sorter)| -> std::io::Result<()> {
                        for (n, d) in docs.iter().enumerate() {
                            let key = lsh::band_key(&d.signature[band * rows..][..rows], band);
                            sorter.push((key, first + n as u32), work)?;
                        }
                        Ok(())
                    },
                )
            },
        );
        docs.into_par_iter()
            .with_max_len(DOCUMENTS_PER_TASK)
            .for_each(drop);
        stored.and(banded)
    }

    /// The documents: in memory if they never passed the plan, else on disk.
    pub(crate) fn finish(
        mut self,
        plan: &MemoryPlan,
        work: &LazyWorkDir,
    ) -> std::io::Result<Documents> {
        if self.writer.is_none() {
            return Ok(Documents::Memory(self.docs));
        }
        self.spill(plan, work)?;
        let SpillWriter { store, bands } = self.writer.take().expect("spilled");
        Ok(Documents::Spilled(SpilledDocuments {
            store: store.finish(work.get()?)?,
            bands,
        }))
    }
}

/// Bytes a hashed document holds (once its paragraph findings are taken out).
fn held_bytes(doc: &HashedDocument) -> u64 {
    ((doc.shingles.capacity() + doc.signature.capacity()) * 4
        + std::mem::size_of::<HashedDocument>()) as u64
}

/// Spilled documents' sets and signatures as verification and the keep rule ask for them. A read
/// that fails is kept (the first one) for [`SpilledSets::failure`] and counts as no similarity.
pub(crate) struct SpilledSets<'a> {
    store: &'a Store,
    verify: bool,
    id: u64,
    failed: Mutex<Option<std::io::Error>>,
}

/// Tells the stores of concurrent scans apart in the threads' caches.
static NEXT_SETS_ID: AtomicU64 = AtomicU64::new(0);

/// A thread's last two loaded documents: consecutive candidate pairs mostly share their first
/// document, and each pair is asked for its similarity and then its estimate, so each is read
/// once.
#[derive(Default)]
struct Loaded {
    first: Slot,
    second: Slot,
    /// The bytes of the last read, reused.
    bytes: Vec<u8>,
}

/// One loaded document: its set (sorted) and signature, and which store and document they are.
#[derive(Default)]
struct Slot {
    loaded: Option<(u64, u32)>,
    set: Vec<u32>,
    signature: Vec<u32>,
}

impl Slot {
    /// Makes the slot hold document `doc` of `sets`' store.
    fn load(
        &mut self,
        sets: &SpilledSets<'_>,
        doc: u32,
        bytes: &mut Vec<u8>,
    ) -> std::io::Result<()> {
        if self.loaded == Some((sets.id, doc)) {
            return Ok(());
        }
        self.loaded = None;
        sets.store.signature(doc, &mut self.signature, bytes)?;
        if sets.verify {
            sets.store.shingles(doc, &mut self.set, bytes)?;
            shingle::sort_set(&mut self.set);
        }
        self.loaded = Some((sets.id, doc));
        Ok(())
    }
}

thread_local! {
    static LOADED: RefCell<Loaded> = RefCell::new(Loaded::default());
}

/// Drops the calling thread's loaded sets.
pub(super) fn release_loaded() {
    LOADED.with(|cell| drop(cell.take()));
}

impl<'a> SpilledSets<'a> {
    pub(crate) fn new(store: &'a Store, verify: bool) -> Self {
        SpilledSets {
            store,
            verify,
            id: NEXT_SETS_ID.fetch_add(1, Ordering::Relaxed),
            failed: Mutex::new(None),
        }
    }

    /// The first read that failed, if any.
    pub(crate) fn failure(self) -> Option<std::io::Error> {
        self.failed.into_inner().ok().flatten()
    }

    /// Runs `f` on the two documents' sets (sorted) and signatures, read from the store.
    fn with<T>(&self, a: u32, b: u32, f: impl FnOnce(&Slot, &Slot) -> T) -> Option<T> {
        LOADED.with(|cell| {
            let loaded = &mut *cell.borrow_mut();
            let read = loaded
                .first
                .load(self, a, &mut loaded.bytes)
                .and_then(|()| loaded.second.load(self, b, &mut loaded.bytes));
            match read {
                Ok(()) => Some(f(&loaded.first, &loaded.second)),
                Err(e) => {
                    if let Ok(mut failed) = self.failed.lock() {
                        failed.get_or_insert(e);
                    }
                    None
                }
            }
        })
    }
}

impl DocumentSets for SpilledSets<'_> {
    fn similarity_at_least(&self, a: u32, b: u32, threshold: f64) -> Option<f64> {
        self.with(a, b, |x, y| {
            if self.verify {
                jaccard::jaccard_at_least(&x.set, &y.set, threshold)
            } else {
                let s = minhash::estimate_jaccard(&x.signature, &y.signature);
                (s >= threshold).then_some(s)
            }
        })
        .flatten()
    }

    fn estimate(&self, a: u32, b: u32) -> f64 {
        self.with(a, b, |x, y| {
            minhash::estimate_jaccard(&x.signature, &y.signature)
        })
        .unwrap_or(0.0)
    }

    fn signature(&self, doc: u32) -> Vec<u32> {
        let (mut signature, mut bytes) = (Vec::new(), Vec::new());
        if let Err(e) = self.store.signature(doc, &mut signature, &mut bytes) {
            if let Ok(mut failed) = self.failed.lock() {
                failed.get_or_insert(e);
            }
            signature.clear();
        }
        signature
    }
}

/// The documents' boilerplate zones in document order: in memory until they pass their share of
/// the plan, then in `zones.bin` in the work folder (each document's number, u32, then its
/// zones as [`Zones::encode`] writes them), read back a chunk at a time.
pub(crate) struct ZoneList {
    held: Vec<(u32, Zones)>,
    held_bytes: usize,
    limit: usize,
    file: Option<BufWriter<File>>,
    bytes: Vec<u8>,
}

/// Zones handed on at once when they are read back.
const ZONES_PER_CHUNK: usize = 1 << 16;

impl ZoneList {
    /// A list that holds up to `limit` bytes of zones in memory.
    pub(crate) fn new(limit: usize) -> Self {
        ZoneList {
            held: Vec::new(),
            held_bytes: 0,
            limit,
            file: None,
            bytes: Vec::new(),
        }
    }

    /// Adds the next document's zones.
    pub(crate) fn push(
        &mut self,
        doc: u32,
        zones: Zones,
        work: &LazyWorkDir,
    ) -> std::io::Result<()> {
        if self.file.is_none() {
            self.held_bytes += zones.held_bytes() + 8;
            self.held.push((doc, zones));
            if self.held_bytes <= self.limit {
                return Ok(());
            }
            let dir = work.get()?;
            self.file = Some(BufWriter::with_capacity(
                1 << 20,
                File::create(dir.file("zones.bin")?)?,
            ));
            for (doc, zones) in std::mem::take(&mut self.held) {
                self.write(doc, &zones, dir)?;
            }
            self.held_bytes = 0;
            return Ok(());
        }
        self.write(doc, &zones, work.get()?)
    }

    fn write(&mut self, doc: u32, zones: &Zones, dir: &WorkDir) -> std::io::Result<()> {
        self.bytes.clear();
        self.bytes.extend_from_slice(&doc.to_le_bytes());
        zones.encode(&mut self.bytes);
        dir.wrote(self.bytes.len() as u64)?;
        self.file
            .as_mut()
            .expect("spilled zones have a file")
            .write_all(&self.bytes)
    }

    /// Every document's zones, in document order, a chunk at a time.
    pub(crate) fn for_each_chunk(
        self,
        work: &LazyWorkDir,
        mut each: impl FnMut(&[(u32, Zones)]),
    ) -> std::io::Result<()> {
        let Some(file) = self.file else {
            each(&self.held);
            return Ok(());
        };
        file.into_inner().map_err(|e| e.into_error())?;
        let dir = work.get()?;
        let mut input =
            BufReader::with_capacity(1 << 20, File::open(dir.path().join("zones.bin"))?);
        let mut chunk = Vec::with_capacity(ZONES_PER_CHUNK);
        let mut record = Vec::new();
        loop {
            let mut doc = [0u8; 4];
            match input.read_exact(&mut doc) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => break,
                Err(e) => return Err(e),
            }
            let mut header = [0u8; Zones::ENCODED_HEADER];
            input.read_exact(&mut header)?;
            record.clear();
            record.extend_from_slice(&header);
            record.resize(Zones::encoded_len(&header), 0);
            input.read_exact(&mut record[Zones::ENCODED_HEADER..])?;
            let doc = u32::from_le_bytes(doc);
            let (zones, _) = Zones::decode(&record).ok_or_else(|| {
                std::io::Error::new(std::io::ErrorKind::InvalidData, "damaged zones.bin")
            })?;
            chunk.push((doc, zones));
            if chunk.len() == ZONES_PER_CHUNK {
                each(&chunk);
                chunk.clear();
            }
        }
        each(&chunk);
        Ok(())
    }
}
