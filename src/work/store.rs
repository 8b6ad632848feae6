//! Spilled documents: each document's shingle set and signature written once in document order
//! (`shingles.bin` with its index `shingles.idx`, and `signatures.bin`; see the formats in
//! [`super`]), then read back by document number for the few documents that verification and
//! the keep rule look at. Reads are positioned reads into a buffer, not a memory map, so what a
//! run holds is what it asked for.

use super::WorkDir;
use std::fs::File;
use std::io::{BufWriter, Write};

/// Bytes written to each store file at once.
const IO_BUFFER: usize = 1 << 20;

/// Writes documents' sets and signatures, in document order.
#[derive(Debug)]
pub struct StoreWriter {
    shingles: BufWriter<File>,
    signatures: BufWriter<File>,
    /// Start of each document's set in `shingles.bin`, in bytes, then the end of the last.
    offsets: Vec<u64>,
    signature_len: usize,
    bytes: Vec<u8>,
}

impl StoreWriter {
    /// Starts the store files in `work`, for signatures of `signature_len` values.
    pub fn create(work: &WorkDir, signature_len: usize) -> std::io::Result<Self> {
        let open = |name| -> std::io::Result<BufWriter<File>> {
            Ok(BufWriter::with_capacity(
                IO_BUFFER,
                File::create(work.file(name)?)?,
            ))
        };
        Ok(StoreWriter {
            shingles: open("shingles.bin")?,
            signatures: open("signatures.bin")?,
            offsets: vec![0],
            signature_len,
            bytes: Vec::new(),
        })
    }

    /// Documents written so far.
    pub fn documents(&self) -> usize {
        self.offsets.len() - 1
    }

    /// Appends the next document.
    pub fn push(
        &mut self,
        shingles: &[u32],
        signature: &[u32],
        work: &WorkDir,
    ) -> std::io::Result<()> {
        debug_assert_eq!(signature.len(), self.signature_len);
        work.wrote((shingles.len() + signature.len()) as u64 * 4)?;
        self.bytes.clear();
        self.bytes
            .extend(shingles.iter().flat_map(|v| v.to_le_bytes()));
        self.shingles.write_all(&self.bytes)?;
        let end = self.offsets.last().copied().unwrap_or(0) + self.bytes.len() as u64;
        self.offsets.push(end);
        self.bytes.clear();
        self.bytes
            .extend(signature.iter().flat_map(|v| v.to_le_bytes()));
        self.signatures.write_all(&self.bytes)?;
        Ok(())
    }

    /// Flushes the files and writes the index: the store, ready to be read.
    pub fn finish(self, work: &WorkDir) -> std::io::Result<Store> {
        let shingles = self.shingles.into_inner().map_err(|e| e.into_error())?;
        let signatures = self.signatures.into_inner().map_err(|e| e.into_error())?;
        work.wrote(self.offsets.len() as u64 * 8)?;
        let mut index =
            BufWriter::with_capacity(IO_BUFFER, File::create(work.file("shingles.idx")?)?);
        for offset in &self.offsets {
            index.write_all(&offset.to_le_bytes())?;
        }
        index.into_inner().map_err(|e| e.into_error())?;
        drop((shingles, signatures));
        Ok(Store {
            shingles: File::open(work.path().join("shingles.bin"))?,
            signatures: File::open(work.path().join("signatures.bin"))?,
            offsets: self.offsets,
            signature_len: self.signature_len,
        })
    }
}

/// Spilled documents, read back by number.
#[derive(Debug)]
pub struct Store {
    shingles: File,
    signatures: File,
    offsets: Vec<u64>,
    signature_len: usize,
}

impl Store {
    /// Opens the store a [`StoreWriter`] finished in `folder`, for signatures of
    /// `signature_len` values.
    pub fn open(folder: &std::path::Path, signature_len: usize) -> std::io::Result<Store> {
        let index = std::fs::read(folder.join("shingles.idx"))?;
        let offsets = index
            .chunks_exact(8)
            .map(|b| u64::from_le_bytes(b.try_into().expect("8 bytes")))
            .collect();
        Ok(Store {
            shingles: File::open(folder.join("shingles.bin"))?,
            signatures: File::open(folder.join("signatures.bin"))?,
            offsets,
            signature_len,
        })
    }

    /// Document `doc`'s shingle fingerprints, as written (unsorted), into `out`; `bytes` is the
    /// caller's buffer for the read.
    pub fn shingles(
        &self,
        doc: u32,
        out: &mut Vec<u32>,
        bytes: &mut Vec<u8>,
    ) -> std::io::Result<()> {
        let (start, end) = (self.offsets[doc as usize], self.offsets[doc as usize + 1]);
        read_values(
            &self.shingles,
            start,
            ((end - start) / 4) as usize,
            out,
            bytes,
        )
    }

    /// Document `doc`'s signature into `out`, as [`Store::shingles`].
    pub fn signature(
        &self,
        doc: u32,
        out: &mut Vec<u32>,
        bytes: &mut Vec<u8>,
    ) -> std::io::Result<()> {
        let start = doc as u64 * self.signature_len as u64 * 4;
        read_values(&self.signatures, start, self.signature_len, out, bytes)
    }
}

/// Reads `count` u32 values at byte `offset` of `file` into `out`, through `bytes`.
fn read_values(
    file: &File,
    offset: u64,
    count: usize,
    out: &mut Vec<u32>,
    bytes: &mut Vec<u8>,
) -> std::io::Result<()> {
    bytes.clear();
    bytes.resize(count * 4, 0);
    crate::positioned::read_exact_at(file, bytes, offset)?;
    out.clear();
    out.extend(
        bytes
            .chunks_exact(4)
            .map(|b| u32::from_le_bytes(b.try_into().expect("4 bytes"))),
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::work::WorkOptions;

    #[test]
    fn documents_come_back_as_they_were_written() {
        let parent = tempfile::tempdir().unwrap();
        let work = WorkDir::create(&WorkOptions {
            parent: Some(parent.path().to_path_buf()),
            ..WorkOptions::default()
        })
        .unwrap();
        let docs: Vec<(Vec<u32>, Vec<u32>)> = (0..50u32)
            .map(|d| ((0..d * 3).map(|v| v * 31 + d).collect(), vec![d; 4]))
            .collect();
        let mut writer = StoreWriter::create(&work, 4).unwrap();
        for (shingles, signature) in &docs {
            writer.push(shingles, signature, &work).unwrap();
        }
        let store = writer.finish(&work).unwrap();
        assert_eq!(store.offsets.len(), 51);
        let (mut out, mut bytes) = (Vec::new(), Vec::new());
        for d in [0u32, 1, 17, 49, 3] {
            store.shingles(d, &mut out, &mut bytes).unwrap();
            assert_eq!(out, docs[d as usize].0);
            store.signature(d, &mut out, &mut bytes).unwrap();
            assert_eq!(out, docs[d as usize].1);
        }
        let index = std::fs::read(work.path().join("shingles.idx")).unwrap();
        assert_eq!(index.len(), 51 * 8);
    }
}
