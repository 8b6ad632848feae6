//! Parquet: each row a document. The text is a string column (`--text-field`), the id another
//! column (`--id-field`; the row number when the file has none). Rows are numbered from 0 over
//! the whole file, as pyarrow and DuckDB's `file_row_number` number them, and a row is named
//! `path#row`.
//!
//! Only the columns used are decoded. Row groups are read in pieces of about the text a piece
//! may hold: several small row groups make one piece, decoded in parallel; a row group larger
//! than a piece is streamed in batches of rows. A row whose text is null is skipped with one
//! problem per file; a file that cannot be read from some row on keeps the rows before it.

use super::ids::RepeatedIds;
use super::{Document, InputOptions, Position, SourceFile, SourceRead, read, unreadable};
use crate::diagnostic::{Diagnostic, Problem};
use crate::parallel::DOCUMENTS_PER_TASK;
use arrow_array::cast::AsArray;
use arrow_array::types::{
    Date32Type, Date64Type, Float32Type, Float64Type, Int8Type, Int16Type, Int32Type, Int64Type,
    TimestampMicrosecondType, TimestampMillisecondType, TimestampNanosecondType,
    TimestampSecondType, UInt8Type, UInt16Type, UInt32Type, UInt64Type,
};
use arrow_array::{Array, RecordBatch};
use arrow_schema::{DataType, TimeUnit};
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::{
    ArrowReaderMetadata, ArrowReaderOptions, ParquetRecordBatchReaderBuilder,
};
use rayon::prelude::*;
use serde_json::Value;

mod rows;
use rows::{Failure, RowReader};

/// Rows per decoded batch, whatever the budget: a damaged page costs the rows of its batch from
/// the start of that batch on, the same at any budget, and a batch stays far below the 2 GiB a
/// string column's offsets can address.
const BATCH_ROWS: usize = 1024;

/// How the files are read: the Parquet schema's own types, without the Arrow types a writer may
/// have recorded, so that a dictionary-encoded or large string column reads as plain strings.
pub(crate) fn reader_options() -> ArrowReaderOptions {
    ArrowReaderOptions::new().with_skip_arrow_metadata(true)
}

/// Most string column names a problem about a missing text column lists.
const MAX_COLUMNS_SHOWN: usize = 5;

/// Whether a column of this type holds text that is read.
pub(crate) fn is_text_type(data_type: &DataType) -> bool {
    matches!(
        data_type,
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View
    )
}

/// Whether a column of this type is read as an id or `--keep-by` value.
fn is_value_type(data_type: &DataType) -> bool {
    is_text_type(data_type)
        || matches!(
            data_type,
            DataType::Boolean
                | DataType::Int8
                | DataType::Int16
                | DataType::Int32
                | DataType::Int64
                | DataType::UInt8
                | DataType::UInt16
                | DataType::UInt32
                | DataType::UInt64
                | DataType::Float32
                | DataType::Float64
                | DataType::Date32
                | DataType::Date64
                | DataType::Timestamp(_, _)
        )
}

/// The text of row `i` of a string column (`None` when null or not a string column).
pub(crate) fn text_at(array: &dyn Array, i: usize) -> Option<&str> {
    if array.is_null(i) {
        return None;
    }
    match array.data_type() {
        DataType::Utf8 => Some(array.as_string::<i32>().value(i)),
        DataType::LargeUtf8 => Some(array.as_string::<i64>().value(i)),
        DataType::Utf8View => Some(array.as_string_view().value(i)),
        _ => None,
    }
}

/// The value of row `i` of a column of a type [`is_value_type`] accepts, as JSON (null when
/// null, or for a float that JSON cannot hold).
fn value_at(array: &dyn Array, i: usize) -> Value {
    if array.is_null(i) {
        return Value::Null;
    }
    match array.data_type() {
        DataType::Boolean => Value::from(array.as_boolean().value(i)),
        DataType::Int8 => Value::from(array.as_primitive::<Int8Type>().value(i)),
        DataType::Int16 => Value::from(array.as_primitive::<Int16Type>().value(i)),
        DataType::Int32 => Value::from(array.as_primitive::<Int32Type>().value(i)),
        DataType::Int64 => Value::from(array.as_primitive::<Int64Type>().value(i)),
        DataType::UInt8 => Value::from(array.as_primitive::<UInt8Type>().value(i)),
        DataType::UInt16 => Value::from(array.as_primitive::<UInt16Type>().value(i)),
        DataType::UInt32 => Value::from(array.as_primitive::<UInt32Type>().value(i)),
        DataType::UInt64 => Value::from(array.as_primitive::<UInt64Type>().value(i)),
        DataType::Float32 => Value::from(array.as_primitive::<Float32Type>().value(i)),
        DataType::Float64 => Value::from(array.as_primitive::<Float64Type>().value(i)),
        // Dates and times as their numbers (days, or units since the epoch): they order as the
        // dates do, which is what --keep-by asks of them.
        DataType::Date32 => Value::from(array.as_primitive::<Date32Type>().value(i)),
        DataType::Date64 => Value::from(array.as_primitive::<Date64Type>().value(i)),
        DataType::Timestamp(unit, _) => Value::from(match unit {
            TimeUnit::Second => array.as_primitive::<TimestampSecondType>().value(i),
            TimeUnit::Millisecond => array.as_primitive::<TimestampMillisecondType>().value(i),
            TimeUnit::Microsecond => array.as_primitive::<TimestampMicrosecondType>().value(i),
            TimeUnit::Nanosecond => array.as_primitive::<TimestampNanosecondType>().value(i),
        }),
        _ => text_at(array, i).map_or(Value::Null, Value::from),
    }
}

/// Where the columns a scan reads sit among the columns it decodes.
struct Projected {
    /// The projection: the text column, then the id and `--keep-by` columns that are read.
    mask: ProjectionMask,
    /// Position of the text column in a decoded batch.
    text: usize,
    /// Position of the id column in a decoded batch.
    id: Option<usize>,
    /// Position of the `--keep-by` column in a decoded batch.
    keep: Option<usize>,
}

/// The text, id and keep columns of a file with this metadata, or the problem that makes it
/// unreadable as documents; notes about columns that are present but not read go to `notes`.
fn project(
    display: &str,
    metadata: &ArrowReaderMetadata,
    options: &InputOptions,
    notes: &mut Vec<Diagnostic>,
) -> Result<Projected, Diagnostic> {
    let schema = metadata.schema();
    let problem = |problem: Problem| Diagnostic::new(display, None, problem);
    let Ok(text) = schema.index_of(&options.text_field) else {
        let string_columns = schema
            .fields()
            .iter()
            .filter(|f| is_text_type(f.data_type()))
            .map(|f| f.name().clone())
            .take(MAX_COLUMNS_SHOWN)
            .collect();
        return Err(problem(Problem::NoTextColumn {
            column: options.text_field.clone(),
            string_columns,
        }));
    };
    let text_type = schema.field(text).data_type();
    if !is_text_type(text_type) {
        return Err(problem(Problem::TextColumnNotString {
            column: options.text_field.clone(),
            data_type: text_type.to_string(),
        }));
    }
    let mut roots = vec![text];
    let mut value_column = |name: Option<&String>| -> Option<usize> {
        let index = schema.index_of(name?).ok()?;
        let data_type = schema.field(index).data_type();
        if !is_value_type(data_type) {
            notes.push(problem(Problem::ColumnNotRead {
                column: name?.clone(),
                data_type: data_type.to_string(),
            }));
            return None;
        }
        if let Some(at) = roots.iter().position(|&r| r == index) {
            return Some(at);
        }
        roots.push(index);
        Some(roots.len() - 1)
    };
    let id = value_column(Some(&options.id_field));
    let keep = value_column(options.keep_field.as_ref());
    // Decoded columns come in schema order, whatever the order asked for.
    let mut order = roots.clone();
    order.sort_unstable();
    let at = |slot: Option<usize>| slot.map(|s| order.binary_search(&roots[s]).unwrap_or(0));
    Ok(Projected {
        mask: ProjectionMask::roots(metadata.parquet_schema(), roots.iter().copied()),
        text: at(Some(0)).unwrap_or(0),
        id: at(id),
        keep: at(keep),
    })
}

/// Reads a Parquet `source` in pieces of about `piece_bytes` of decoded data: each piece's
/// documents go through `work` in parallel, then to `sink` in row order, with the bytes of the
/// file read so far (for progress). As [`super::read_jsonl_pieces`] does, the reading that comes
/// back has no documents, and the file's problems, notes, fingerprint and size.
pub(super) fn read_pieces<T, W, E>(
    source: &SourceFile,
    options: &InputOptions,
    piece_bytes: usize,
    work: &W,
    sink: &mut dyn FnMut(Vec<T>, u64) -> Result<(), E>,
) -> Result<SourceRead<()>, E>
where
    T: Send,
    W: Fn(Document<'_>) -> T + Sync,
{
    let (shared, fingerprint) = match SharedFile::open(&source.path) {
        Ok(opened) => opened,
        Err(e) => return Ok(unreadable(source, &e)),
    };
    let whole = Whole {
        display: &source.display,
        len: shared.len,
        fingerprint,
    };
    read_rows(
        &whole,
        &|| Ok(shared.clone()),
        options,
        piece_bytes,
        work,
        sink,
    )
}

/// An open file that readers on several threads read at once, each at its own offsets
/// (positioned reads: clones of a `File` would share one position).
#[derive(Clone)]
pub(crate) struct SharedFile {
    file: std::sync::Arc<std::fs::File>,
    len: u64,
}

impl SharedFile {
    /// Opens the file at `path` and reads it once through for its fingerprint (the readers
    /// then read only the column chunks they need, at their offsets).
    pub(crate) fn open(path: &std::path::Path) -> std::io::Result<(SharedFile, u64)> {
        let file = read::open_for_reading(path)?;
        let (fingerprint, len, failed) = read::HashingReader::new(file.try_clone()?).finish();
        if let Some(e) = failed {
            return Err(e);
        }
        let shared = SharedFile {
            file: std::sync::Arc::new(file),
            len,
        };
        Ok((shared, fingerprint))
    }
}

impl parquet::file::reader::Length for SharedFile {
    fn len(&self) -> u64 {
        self.len
    }
}

impl parquet::file::reader::ChunkReader for SharedFile {
    type T = std::io::BufReader<crate::positioned::ReaderAt>;

    fn get_read(&self, start: u64) -> parquet::errors::Result<Self::T> {
        let reader = crate::positioned::ReaderAt::new(self.file.clone(), start);
        Ok(std::io::BufReader::new(reader))
    }

    fn get_bytes(&self, start: u64, length: usize) -> parquet::errors::Result<bytes::Bytes> {
        let mut buffer = vec![0; length];
        crate::positioned::read_exact_at(&self.file, &mut buffer, start)?;
        Ok(buffer.into())
    }
}

/// The documents of a Parquet file held in memory as `bytes` (decompressed, when it was
/// compressed as a whole), read as one piece.
pub(super) fn documents_in_bytes<T, W>(
    display: &str,
    bytes: &[u8],
    fingerprint: u64,
    options: &InputOptions,
    work: &W,
) -> SourceRead<T>
where
    T: Send,
    W: Fn(Document<'_>) -> T + Sync,
{
    let whole = Whole {
        display,
        len: bytes.len() as u64,
        fingerprint,
    };
    let bytes = bytes::Bytes::copy_from_slice(bytes);
    super::every_piece(|sink| {
        read_rows(
            &whole,
            &|| Ok(bytes.clone()),
            options,
            usize::MAX,
            work,
            sink,
        )
    })
}

/// What is known of a whole file before its rows are read.
struct Whole<'a> {
    display: &'a str,
    /// Its size in bytes.
    len: u64,
    fingerprint: u64,
}

/// The metadata of the file that `open` gives a handle of and the columns to read (notes on
/// what was chosen go to `notes`), or the problem that makes it skipped.
fn columns_to_read<R: parquet::file::reader::ChunkReader + 'static>(
    whole: &Whole<'_>,
    open: &(dyn Fn() -> std::io::Result<R> + Sync),
    options: &InputOptions,
    notes: &mut Vec<Diagnostic>,
) -> Result<(ArrowReaderMetadata, Projected), Diagnostic> {
    let display = whole.display;
    let first = open().map_err(|e| bad_parquet(display, &e.into(), None))?;
    let metadata = ArrowReaderMetadata::load(&first, reader_options())
        .map_err(|e| bad_parquet(display, &e, None))?;
    let projected = project(display, &metadata, options, notes)?;
    Ok((metadata, projected))
}

/// [`read_pieces`] over a file that `open` gives a handle of (one per reader, so that row
/// groups are decoded in parallel).
fn read_rows<R, T, W, E>(
    whole: &Whole<'_>,
    open: &(dyn Fn() -> std::io::Result<R> + Sync),
    options: &InputOptions,
    piece_bytes: usize,
    work: &W,
    sink: &mut dyn FnMut(Vec<T>, u64) -> Result<(), E>,
) -> Result<SourceRead<()>, E>
where
    R: parquet::file::reader::ChunkReader + 'static,
    T: Send,
    W: Fn(Document<'_>) -> T + Sync,
{
    let (display, len) = (whole.display, whole.len);
    let mut notes = Vec::new();
    let (metadata, projected) = match columns_to_read(whole, open, options, &mut notes) {
        Ok(found) => found,
        Err(problem) => {
            return Ok(SourceRead {
                len,
                ..SourceRead::skipped(problem, whole.fingerprint)
            });
        }
    };
    let groups = metadata.metadata().row_groups();
    let mut rows = RowReader::new(display, &options.text_field, &projected);
    // One reader per row group, each with its own handle of the file.
    let reader = |group: usize| {
        let handle = open().map_err(parquet::errors::ParquetError::from)?;
        ParquetRecordBatchReaderBuilder::new_with_metadata(handle, metadata.clone())
            .with_projection(projected.mask.clone())
            .with_row_groups(vec![group])
            .with_batch_size(BATCH_ROWS)
            .build()
    };
    let size = |g: usize| usize::try_from(groups[g].total_byte_size()).unwrap_or(0);
    let packed = |g: usize| u64::try_from(groups[g].compressed_size()).unwrap_or(0);
    // A row group's batches until the first that fails, and that failure.
    let decode = |g: usize| -> (Vec<RecordBatch>, Option<parquet::errors::ParquetError>) {
        let mut batches = Vec::new();
        let reader = match reader(g) {
            Ok(reader) => reader,
            Err(e) => return (batches, Some(e)),
        };
        for batch in reader {
            match batch {
                Ok(batch) => batches.push(batch),
                Err(e) => return (batches, Some(e.into())),
            }
        }
        (batches, None)
    };
    let mut failure: Failure = None;
    let mut read_so_far = 0u64;
    let mut group = 0;
    while group < groups.len() && failure.is_none() {
        if size(group) > piece_bytes {
            // One row group larger than a piece: its batches handed on about a piece at a time.
            let after = (read_so_far + packed(group)).min(len);
            let progress = (read_so_far, after);
            failure = match reader(group) {
                Ok(reader) => rows.stream_group(reader, piece_bytes, progress, work, sink)?,
                Err(e) => Some((e, rows.next_row)),
            };
            if failure.is_none() {
                read_so_far = after;
            }
            group += 1;
            continue;
        }
        // A run of row groups that together fit a piece, decoded in parallel.
        let mut end = group + 1;
        let mut bytes = size(group);
        while end < groups.len() && bytes.saturating_add(size(end)) <= piece_bytes {
            bytes += size(end);
            end += 1;
        }
        let decoded: Vec<(Vec<RecordBatch>, Option<parquet::errors::ParquetError>)> =
            (group..end).into_par_iter().map(decode).collect();
        let mut batches: Vec<RecordBatch> = Vec::new();
        for (g, (decoded, failed)) in (group..end).zip(decoded) {
            batches.extend(decoded);
            if let Some(e) = failed {
                let decoded_rows: usize = batches.iter().map(RecordBatch::num_rows).sum();
                failure = Some((e, rows.next_row + decoded_rows));
                break;
            }
            read_so_far = (read_so_far + packed(g)).min(len);
        }
        let docs = rows.documents(&batches, work);
        sink(docs, read_so_far)?;
        group = end;
    }
    Ok(rows.finish(notes, failure, whole))
}

/// The problem for a Parquet file that could not be read (from `from_row` on).
fn bad_parquet(
    display: &str,
    e: &parquet::errors::ParquetError,
    from_row: Option<usize>,
) -> Diagnostic {
    let problem = Problem::BadParquet {
        reason: e.to_string(),
        from_row,
    };
    Diagnostic::new(display, None, problem)
}
