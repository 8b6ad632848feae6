//! Positioned reads: reading a file at an offset without moving a shared file position, so that
//! threads can read one open file at once (the work folder's store, Parquet row groups decoded in
//! parallel). Depends on nothing else in the crate.

use std::fs::File;

/// Fills `buf` from `file` at `offset`, as `FileExt::read_exact_at` does on Unix.
#[cfg(unix)]
pub(crate) fn read_exact_at(file: &File, buf: &mut [u8], offset: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buf, offset)
}

/// Fills `buf` from `file` at `offset`, as `FileExt::read_exact_at` does on Unix.
#[cfg(windows)]
pub(crate) fn read_exact_at(
    file: &File,
    mut buf: &mut [u8],
    mut offset: u64,
) -> std::io::Result<()> {
    use std::os::windows::fs::FileExt;
    while !buf.is_empty() {
        match file.seek_read(buf, offset) {
            Ok(0) => return Err(std::io::ErrorKind::UnexpectedEof.into()),
            Ok(n) => {
                buf = &mut buf[n..];
                offset += n as u64;
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Reads from `file` at `offset` into `buf`, as `FileExt::read_at` does on Unix: the number of
/// bytes read, 0 at the end.
#[cfg(unix)]
pub(crate) fn read_at(file: &File, buf: &mut [u8], offset: u64) -> std::io::Result<usize> {
    std::os::unix::fs::FileExt::read_at(file, buf, offset)
}

/// Reads from `file` at `offset` into `buf`, as `FileExt::read_at` does on Unix: the number of
/// bytes read, 0 at the end.
#[cfg(windows)]
pub(crate) fn read_at(file: &File, buf: &mut [u8], offset: u64) -> std::io::Result<usize> {
    std::os::windows::fs::FileExt::seek_read(file, buf, offset)
}

/// A reader of a shared file from one offset on, with a position of its own.
pub(crate) struct ReaderAt {
    file: std::sync::Arc<File>,
    offset: u64,
}

impl ReaderAt {
    /// Reads `file` from `offset` on.
    pub(crate) fn new(file: std::sync::Arc<File>, offset: u64) -> Self {
        ReaderAt { file, offset }
    }
}

impl std::io::Read for ReaderAt {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = read_at(&self.file, buf, self.offset)?;
        self.offset += n as u64;
        Ok(n)
    }
}
