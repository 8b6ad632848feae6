//! External sort of fixed-width records: pushed into a buffer of bounded size, sorted and written
//! as a run whenever it fills, then read back as one ascending stream by a k-way merge of the
//! runs (and what was left in the buffer). A sorter that never filled its buffer writes nothing
//! and hands back its sorted buffer, so a run that fits in memory is as fast as an in-memory
//! sort.

use super::{LazyWorkDir, WorkDir};
use rayon::slice::ParallelSliceMut;
use std::collections::BinaryHeap;
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

/// The header every run file starts with.
pub const RUN_MAGIC: &[u8; 8] = b"NDRUN001";

/// Most runs merged at once; more are first merged into longer runs, this many at a time. Bands
/// are merged in parallel, so a run keeps about this many files open per thread.
pub const MAX_FAN_IN: usize = 16;

/// Fewest records a sorter holds before it writes a run (so that a tiny budget still writes
/// runs of some length).
const MIN_CAPACITY: usize = 16;

/// Bytes of a run read or written at once.
const IO_BUFFER: usize = 1 << 16;

/// A record of fixed width, ordered as it must come out of the sort.
pub trait Record: Copy + Ord + Send {
    /// Bytes on disk.
    const WIDTH: usize;
    /// Writes the record into `out` (`WIDTH` bytes).
    fn encode(&self, out: &mut [u8]);
    /// Reads a record from `bytes` (`WIDTH` bytes).
    fn decode(bytes: &[u8]) -> Self;
}

impl Record for u64 {
    const WIDTH: usize = 8;
    fn encode(&self, out: &mut [u8]) {
        out.copy_from_slice(&self.to_le_bytes());
    }
    fn decode(bytes: &[u8]) -> Self {
        u64::from_le_bytes(bytes.try_into().expect("8 bytes"))
    }
}

impl Record for (u64, u32) {
    const WIDTH: usize = 12;
    fn encode(&self, out: &mut [u8]) {
        out[..8].copy_from_slice(&self.0.to_le_bytes());
        out[8..].copy_from_slice(&self.1.to_le_bytes());
    }
    fn decode(bytes: &[u8]) -> Self {
        (
            u64::from_le_bytes(bytes[..8].try_into().expect("8 bytes")),
            u32::from_le_bytes(bytes[8..12].try_into().expect("4 bytes")),
        )
    }
}

impl Record for (u64, u32, u32) {
    const WIDTH: usize = 16;
    fn encode(&self, out: &mut [u8]) {
        out[..8].copy_from_slice(&self.0.to_le_bytes());
        out[8..12].copy_from_slice(&self.1.to_le_bytes());
        out[12..].copy_from_slice(&self.2.to_le_bytes());
    }
    fn decode(bytes: &[u8]) -> Self {
        (
            u64::from_le_bytes(bytes[..8].try_into().expect("8 bytes")),
            u32::from_le_bytes(bytes[8..12].try_into().expect("4 bytes")),
            u32::from_le_bytes(bytes[12..16].try_into().expect("4 bytes")),
        )
    }
}

/// Sorts records that may not fit in memory.
#[derive(Debug)]
pub struct Sorter<T: Record> {
    buffer: Vec<T>,
    capacity: usize,
    runs: Vec<PathBuf>,
    /// Run files are named `{prefix}-run-NNNNN.bin` in the work folder.
    prefix: String,
}

impl<T: Record> Sorter<T> {
    /// A sorter holding at most `memory` bytes of records before it writes a run, naming its
    /// runs after `prefix` (a path inside the work folder, such as `bands/band-003`).
    pub fn new(memory: usize, prefix: impl Into<String>) -> Self {
        Sorter {
            buffer: Vec::new(),
            capacity: (memory / std::mem::size_of::<T>().max(1)).max(MIN_CAPACITY),
            runs: Vec::new(),
            prefix: prefix.into(),
        }
    }

    /// Runs written so far.
    #[cfg(test)]
    pub fn runs(&self) -> usize {
        self.runs.len()
    }

    /// Adds one record; writes a run into `work` when the buffer is full.
    pub fn push(&mut self, record: T, work: &LazyWorkDir) -> std::io::Result<()> {
        self.buffer.push(record);
        if self.buffer.len() >= self.capacity {
            self.spill(work)?;
        }
        Ok(())
    }

    /// Adds many records.
    #[cfg(test)]
    pub fn extend(
        &mut self,
        records: impl IntoIterator<Item = T>,
        work: &LazyWorkDir,
    ) -> std::io::Result<()> {
        for record in records {
            self.push(record, work)?;
        }
        Ok(())
    }

    /// Writes what is buffered as a run (nothing when the buffer is empty).
    pub fn spill(&mut self, work: &LazyWorkDir) -> std::io::Result<()> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        let work = work.get()?;
        self.buffer.par_sort_unstable();
        let name = format!("{}-run-{:05}.bin", self.prefix, self.runs.len());
        let path = work.file(&name)?;
        write_run(&path, &self.buffer, work)?;
        self.runs.push(path);
        self.buffer.clear();
        Ok(())
    }

    /// Every record pushed, in ascending order, handed to `each`; runs are removed once read
    /// (unless the work folder is kept).
    pub fn for_each_sorted(
        mut self,
        work: &LazyWorkDir,
        mut each: impl FnMut(T),
    ) -> std::io::Result<()> {
        self.buffer.par_sort_unstable();
        let Some(work) = work.made().filter(|_| !self.runs.is_empty()) else {
            self.buffer.into_iter().for_each(each);
            return Ok(());
        };
        // Too many runs for one merge: merge them into longer ones first.
        let mut level = 0;
        while self.runs.len() + 1 > MAX_FAN_IN {
            let mut merged = Vec::new();
            for (n, group) in self.runs.chunks(MAX_FAN_IN).enumerate() {
                let name = format!("{}-merge-{level}-{n:05}.bin", self.prefix);
                let path = work.file(&name)?;
                let mut out = RunWriter::<T>::create(&path, count_runs::<T>(group)?, work)?;
                merge(group, &[], |r| out.write(r))?;
                out.finish()?;
                if !work.keep {
                    for run in group {
                        let _ = std::fs::remove_file(run);
                    }
                }
                merged.push(path);
            }
            self.runs = merged;
            level += 1;
        }
        merge(&self.runs, &self.buffer, |r| {
            each(r);
            Ok(())
        })?;
        if !work.keep {
            for run in &self.runs {
                let _ = std::fs::remove_file(run);
            }
        }
        Ok(())
    }
}

/// Record count of each run in `runs`, summed.
fn count_runs<T: Record>(runs: &[PathBuf]) -> std::io::Result<u64> {
    let mut total = 0;
    for run in runs {
        total += RunReader::<T>::open(run)?.left;
    }
    Ok(total)
}

/// Writes `records` (sorted) as a run at `path`, counted as written into `work`.
pub fn write_run<T: Record>(path: &PathBuf, records: &[T], work: &WorkDir) -> std::io::Result<()> {
    write_run_after(path, &[], records, work)
}

/// [`write_run`], the run preceded in the file by `head` (a header of the caller's format, which
/// [`RunReader::read_from`] reads past).
pub fn write_run_after<T: Record>(
    path: &PathBuf,
    head: &[u8],
    records: &[T],
    work: &WorkDir,
) -> std::io::Result<()> {
    let mut out = RunWriter::<T>::create_after(path, head, records.len() as u64, work)?;
    for &r in records {
        out.write(r)?;
    }
    out.finish()
}

/// Writes one run, record by record.
struct RunWriter<T> {
    out: BufWriter<File>,
    record: Vec<u8>,
    _records: std::marker::PhantomData<T>,
}

impl<T: Record> RunWriter<T> {
    /// Starts a run of `count` records at `path`.
    fn create(path: &PathBuf, count: u64, work: &WorkDir) -> std::io::Result<Self> {
        Self::create_after(path, &[], count, work)
    }

    /// Starts a run of `count` records at `path`, after the bytes `head`.
    fn create_after(
        path: &PathBuf,
        head: &[u8],
        count: u64,
        work: &WorkDir,
    ) -> std::io::Result<Self> {
        let mut out = BufWriter::with_capacity(IO_BUFFER, File::create(path)?);
        out.write_all(head)?;
        out.write_all(RUN_MAGIC)?;
        out.write_all(&(T::WIDTH as u32).to_le_bytes())?;
        out.write_all(&count.to_le_bytes())?;
        work.wrote(head.len() as u64 + 20 + count * T::WIDTH as u64)?;
        Ok(RunWriter {
            out,
            record: vec![0; T::WIDTH],
            _records: std::marker::PhantomData,
        })
    }

    fn write(&mut self, record: T) -> std::io::Result<()> {
        record.encode(&mut self.record);
        self.out.write_all(&self.record)
    }

    /// Flushes the run: a full disk shows here at the latest.
    fn finish(self) -> std::io::Result<()> {
        self.out.into_inner().map_err(|e| e.into_error())?;
        Ok(())
    }
}

/// Reads one run back, record by record.
pub struct RunReader<T> {
    input: BufReader<File>,
    left: u64,
    record: Vec<u8>,
    _records: std::marker::PhantomData<T>,
}

impl<T: Record> RunReader<T> {
    /// Opens the run at `path`, refusing a file that is not a run of `T`'s width.
    pub fn open(path: &Path) -> std::io::Result<Self> {
        Self::read_from(Self::buffered(File::open(path)?), path)
    }

    /// `file` buffered as runs are read, for a caller that reads its own header before the run
    /// ([`write_run_after`]).
    pub fn buffered(file: File) -> BufReader<File> {
        BufReader::with_capacity(IO_BUFFER, file)
    }

    /// The run that starts where `input` stands (`path` names it in errors), refused as
    /// [`RunReader::open`] refuses one.
    pub fn read_from(mut input: BufReader<File>, path: &Path) -> std::io::Result<Self> {
        let mut header = [0u8; 20];
        input.read_exact(&mut header)?;
        let width = u32::from_le_bytes(header[8..12].try_into().expect("4 bytes"));
        if &header[..8] != RUN_MAGIC || width as usize != T::WIDTH {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!(
                    "{} is not a run of {}-byte records",
                    path.display(),
                    T::WIDTH
                ),
            ));
        }
        Ok(RunReader {
            input,
            left: u64::from_le_bytes(header[12..20].try_into().expect("8 bytes")),
            record: vec![0; T::WIDTH],
            _records: std::marker::PhantomData,
        })
    }

    /// The next record, `None` after the last.
    pub fn next(&mut self) -> std::io::Result<Option<T>> {
        if self.left == 0 {
            return Ok(None);
        }
        self.input.read_exact(&mut self.record)?;
        self.left -= 1;
        Ok(Some(T::decode(&self.record)))
    }
}

/// Merges the sorted `runs` and the sorted `memory` records into one ascending stream. Ties keep
/// the order of their sources (runs first, then memory), which only matters for records that
/// are equal, so the stream is the same as one sort of everything.
fn merge<T: Record>(
    runs: &[PathBuf],
    memory: &[T],
    mut each: impl FnMut(T) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let mut readers = runs
        .iter()
        .map(|run| RunReader::<T>::open(run))
        .collect::<std::io::Result<Vec<_>>>()?;
    let mut memory = memory.iter().copied();
    let memory_source = readers.len();
    let mut heap = BinaryHeap::with_capacity(readers.len() + 1);
    for (source, reader) in readers.iter_mut().enumerate() {
        if let Some(r) = reader.next()? {
            heap.push(std::cmp::Reverse((r, source)));
        }
    }
    if let Some(r) = memory.next() {
        heap.push(std::cmp::Reverse((r, memory_source)));
    }
    while let Some(std::cmp::Reverse((record, source))) = heap.pop() {
        each(record)?;
        let next = if source == memory_source {
            memory.next()
        } else {
            readers[source].next()?
        };
        if let Some(r) = next {
            heap.push(std::cmp::Reverse((r, source)));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::work::WorkOptions;
    use proptest::prelude::*;

    fn work() -> (tempfile::TempDir, LazyWorkDir) {
        let parent = tempfile::tempdir().unwrap();
        let dir = LazyWorkDir::new(WorkOptions {
            parent: Some(parent.path().to_path_buf()),
            ..WorkOptions::default()
        });
        (parent, dir)
    }

    fn sorted_by_sorter(records: &[(u64, u32)], capacity: usize) -> (Vec<(u64, u32)>, usize) {
        let (_parent, work) = work();
        let mut sorter = Sorter::new(0, "t/x");
        sorter.capacity = capacity;
        sorter.extend(records.iter().copied(), &work).unwrap();
        let runs = sorter.runs();
        let mut out = Vec::new();
        sorter.for_each_sorted(&work, |r| out.push(r)).unwrap();
        (out, runs)
    }

    #[test]
    fn a_sorter_that_spills_gives_what_a_sort_gives_and_removes_its_runs() {
        let records: Vec<(u64, u32)> = (0..10_000u32)
            .map(|i| ((u64::from(i) * 7919) % 1013, i % 17))
            .collect();
        let (_parent, work) = work();
        let mut sorter = Sorter::new(0, "bands/band-000");
        sorter.capacity = 100;
        sorter.extend(records.iter().copied(), &work).unwrap();
        // 10,000 records in runs of 100: more than one merge level.
        assert!(sorter.runs() > MAX_FAN_IN);
        let mut out = Vec::new();
        sorter.for_each_sorted(&work, |r| out.push(r)).unwrap();
        let mut expected = records;
        expected.sort_unstable();
        assert_eq!(out, expected);
        let work = work.made().unwrap();
        let left: Vec<_> = walkdir::WalkDir::new(work.path())
            .into_iter()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_type().is_file())
            .collect();
        assert!(left.is_empty(), "{left:?}");
        assert!(work.written() > 0);
    }

    #[test]
    fn a_run_of_another_width_is_refused() {
        let (_parent, work) = work();
        let work = work.get().unwrap();
        let path = work.file("r.bin").unwrap();
        write_run::<u64>(&path, &[1, 2, 3], work).unwrap();
        assert!(RunReader::<(u64, u32)>::open(&path).is_err());
        let mut reader = RunReader::<u64>::open(&path).unwrap();
        assert_eq!(reader.next().unwrap(), Some(1));
    }

    #[test]
    fn a_run_after_a_header_is_read_from_where_the_header_ends() {
        let (_parent, work) = work();
        let work = work.get().unwrap();
        let path = work.file("h.bin").unwrap();
        write_run_after::<u64>(&path, b"HEAD", &[7, 9], work).unwrap();
        let mut input = RunReader::<u64>::buffered(File::open(&path).unwrap());
        let mut head = [0u8; 4];
        input.read_exact(&mut head).unwrap();
        assert_eq!(&head, b"HEAD");
        let mut run = RunReader::<u64>::read_from(input, &path).unwrap();
        assert_eq!(
            (run.next().unwrap(), run.next().unwrap()),
            (Some(7), Some(9))
        );
        assert_eq!(run.next().unwrap(), None);
        // Read from its start, the file is not a run.
        assert!(RunReader::<u64>::open(&path).is_err());
    }

    proptest! {
        #[test]
        fn any_records_and_capacity_sort_as_in_memory(
            records in proptest::collection::vec((0u64..50, 0u32..5), 0..600),
            capacity in 1usize..80,
        ) {
            let (out, _) = sorted_by_sorter(&records, capacity);
            let mut expected = records.clone();
            expected.sort_unstable();
            prop_assert_eq!(out, expected);
        }
    }
}
