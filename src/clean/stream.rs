//! `clean` for files of records of any size: a JSON Lines file the scan read in pieces (plain,
//! gzip or zstd) is cleaned line by line, and a Parquet file row group by row group, from the
//! input straight into the output's temporary file, never held whole. The input's fingerprint
//! is checked on the way: a file that changed since the scan leaves no output, one that cannot
//! be decompressed or decoded to its end is copied unchanged, and one with nothing to change is
//! copied byte for byte, as for files cleaned whole.

use super::lines::{GaveUp, LinesError};
use super::pass_two::{PassTwo, SourceResult};
use crate::diagnostic::{AfterChange, Diagnostic, Problem, io_reason};
use crate::input::parquet::SharedFile;
use crate::input::{self, Compression, HashingReader, SourceKind};
use std::io::{Read, Write};

/// How a streamed cleaning ended, when it did not fail to write.
pub(super) enum Streamed {
    /// Something was removed: the copy is the cleaned file.
    Changed,
    /// Nothing was removed: the input's own bytes are copied instead.
    Unchanged,
    /// The input's bytes are not those the scan read.
    Differs,
    /// The input could not be decompressed or decoded to its end: copied unchanged.
    CannotClean,
    /// The input could not be read.
    Unreadable(std::io::Error),
}

/// A writer that remembers its first error, for encoders that wrap what they get.
struct Remembering<'a> {
    inner: &'a mut (dyn Write + Send),
    failed: Option<std::io::Error>,
}

impl Write for Remembering<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.inner.write(buf).inspect_err(|e| {
            self.failed
                .get_or_insert_with(|| std::io::Error::new(e.kind(), e.to_string()));
        })
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

impl PassTwo<'_> {
    /// Whether source `index` is cleaned streamed: every Parquet file, and the JSON Lines files
    /// the scan read in pieces.
    pub(super) fn streams(&self, index: usize) -> bool {
        let source = &self.outcome.sources[index];
        match source.kind {
            SourceKind::Parquet => source.compression == Compression::None,
            SourceKind::Jsonl => crate::scan::reads_in_pieces(source, &self.config.scan),
            SourceKind::Text => false,
        }
    }

    /// Cleans source `index` streamed, and writes its copy.
    pub(super) fn clean_streamed(&self, index: usize) -> SourceResult {
        let source = &self.outcome.sources[index];
        let mut result = SourceResult::default();
        let diagnostic = |problem: Problem| Diagnostic::new(source.display.as_str(), None, problem);
        // Pass 1 could not read the file (it said why): not written.
        let Some(expected) = self.outcome.fingerprints[index] else {
            result.problems.push(diagnostic(Problem::NotWritten));
            result.failed = true;
            return result;
        };
        if self.outcome.skipped[index] {
            result.problems.push(diagnostic(Problem::CopiedUnchanged));
            self.copy_streamed(index, expected, &mut result);
            return result;
        }
        let mut found = SourceResult::default();
        let mut ending = None;
        self.write_streamed(index, &mut result, &mut |out| {
            let streamed = match source.kind {
                SourceKind::Parquet => self.stream_parquet(index, expected, out, &mut found),
                _ => self.stream_jsonl(index, expected, out, &mut found),
            }?;
            let done = matches!(streamed, Streamed::Changed);
            ending = Some(streamed);
            if done {
                Ok(())
            } else {
                Err(std::io::Error::other(GaveUp))
            }
        });
        match ending {
            Some(Streamed::Changed) if result.written => {
                result.changes = found.changes;
                result.dropped = found.dropped;
                result.problems.extend(found.problems);
                result.documents = found.documents;
            }
            // A write failure: write_streamed recorded it.
            None | Some(Streamed::Changed) => {}
            Some(Streamed::Unchanged) => {
                result.documents = found.documents;
                result.problems.extend(found.problems);
                self.copy_streamed(index, expected, &mut result);
            }
            Some(Streamed::CannotClean) => {
                result.problems.push(diagnostic(Problem::CopiedUnchanged));
                self.copy_streamed(index, expected, &mut result);
            }
            Some(ending) => not_written(&source.display, ending, &mut result),
        }
        result
    }

    /// Copies source `index` as it is, streamed, if its bytes are still those the scan read.
    fn copy_streamed(&self, index: usize, expected: u64, result: &mut SourceResult) {
        let source = &self.outcome.sources[index];
        let mut ending = None;
        self.write_streamed(index, result, &mut |out| {
            let file = match input::open_for_reading(&source.path) {
                Ok(file) => file,
                Err(e) => {
                    ending = Some(Streamed::Unreadable(e));
                    return Err(std::io::Error::other(GaveUp));
                }
            };
            let mut reader = HashingReader::new(file);
            let copied = std::io::copy(&mut reader, out);
            let (fingerprint, _, failed) = reader.finish();
            if let Some(e) = failed {
                ending = Some(Streamed::Unreadable(e));
                return Err(std::io::Error::other(GaveUp));
            }
            copied?;
            if fingerprint != expected {
                ending = Some(Streamed::Differs);
                return Err(std::io::Error::other(GaveUp));
            }
            Ok(())
        });
        if let Some(ending) = ending {
            not_written(&source.display, ending, result);
        }
        // What was not written did not change.
        if !result.written {
            result.changes.clear();
            result.dropped.clear();
        }
    }

    /// Cleans a JSON Lines source line by line from its file into `out`, compressed as it is.
    fn stream_jsonl(
        &self,
        index: usize,
        expected: u64,
        out: &mut (dyn Write + Send),
        result: &mut SourceResult,
    ) -> std::io::Result<Streamed> {
        let source = &self.outcome.sources[index];
        let file = match input::open_for_reading(&source.path) {
            Ok(file) => file,
            Err(e) => return Ok(Streamed::Unreadable(e)),
        };
        let mut reader = HashingReader::new(file);
        let cleaned = {
            let decoder: Box<dyn Read + '_> = match source.compression {
                Compression::None => Box::new(&mut reader),
                Compression::Gzip => Box::new(flate2::read::MultiGzDecoder::new(&mut reader)),
                Compression::Zstd => match zstd::stream::read::Decoder::new(&mut reader) {
                    Ok(decoder) => Box::new(decoder),
                    Err(_) => return Ok(Streamed::CannotClean),
                },
            };
            let mut lines = std::io::BufReader::with_capacity(1 << 16, decoder);
            let mut encoder = source.compression.encoder(out)?;
            let cleaned = self.clean_lines(index, &mut lines, &mut encoder, result);
            if cleaned.is_ok() {
                encoder.finish()?.flush()?;
            }
            cleaned
        };
        // A write failure (a full disk) is said first: it stops the other files.
        if let Err(LinesError::Write(e)) = cleaned {
            return Err(e);
        }
        let (fingerprint, _, failed) = reader.finish();
        if let Some(e) = failed {
            return Ok(Streamed::Unreadable(e));
        }
        if fingerprint != expected {
            return Ok(Streamed::Differs);
        }
        Ok(match cleaned {
            Ok(true) => Streamed::Changed,
            Ok(false) => Streamed::Unchanged,
            Err(LinesError::Read) => Streamed::CannotClean,
            Err(LinesError::Write(e)) => return Err(e),
        })
    }

    /// Cleans a Parquet source row group by row group from its file into `out`.
    fn stream_parquet(
        &self,
        index: usize,
        expected: u64,
        out: &mut (dyn Write + Send),
        result: &mut SourceResult,
    ) -> std::io::Result<Streamed> {
        let source = &self.outcome.sources[index];
        let (file, fingerprint) = match SharedFile::open(&source.path) {
            Ok(opened) => opened,
            Err(e) => return Ok(Streamed::Unreadable(e)),
        };
        if fingerprint != expected {
            return Ok(Streamed::Differs);
        }
        let mut remembering = Remembering {
            inner: out,
            failed: None,
        };
        // A panic in the Parquet writer (a column type it does not handle) must not end the
        // run: the file is copied unchanged instead.
        let cleaned = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            self.clean_parquet(index, file, &mut remembering, result)
        }));
        let Ok(cleaned) = cleaned else {
            return Ok(Streamed::CannotClean);
        };
        // The rows were read at their offsets after the file was hashed: it must still be what
        // the scan read.
        match SharedFile::open(&source.path) {
            Ok((_, again)) if again == expected => {}
            Ok(_) => return Ok(Streamed::Differs),
            Err(e) => return Ok(Streamed::Unreadable(e)),
        }
        match cleaned {
            Ok(true) => Ok(Streamed::Changed),
            Ok(false) => Ok(Streamed::Unchanged),
            Err(e) => match remembering.failed {
                Some(write_failure) => Err(write_failure),
                None => {
                    drop(e);
                    Ok(Streamed::CannotClean)
                }
            },
        }
    }
}

/// Records why the copy of the source shown as `display` was not written: it changed since the
/// scan, or could not be read.
fn not_written(display: &str, ending: Streamed, result: &mut SourceResult) {
    let problem = match ending {
        Streamed::Differs => input::changed_during_run(display, AfterChange::NotWritten),
        Streamed::Unreadable(e) => {
            let reason = io_reason(&e);
            let mut unreadable = Diagnostic::new(display, None, Problem::Unreadable { reason });
            unreadable.then.push(Problem::NotWritten);
            unreadable
        }
        Streamed::Changed | Streamed::Unchanged | Streamed::CannotClean => return,
    };
    result.problems.push(problem);
    result.failed = true;
}
