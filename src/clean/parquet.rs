//! `clean` for a Parquet file: the copy has the same Parquet schema, key-value metadata, row
//! groups (less the rows left out) and compression per column; every column but the text column
//! is kept value for value, the text column's value is replaced in the rows that lost
//! paragraphs, and the rows of dropped near-duplicates are left out. One row group is held at a
//! time, read and written.

use super::pass_two::{PassTwo, SourceResult};
use crate::input::parquet::text_at;
use arrow_array::{
    Array, ArrayRef, BooleanArray, LargeStringArray, RecordBatch, StringArray, StringViewArray,
};
use arrow_schema::DataType;
use parquet::arrow::arrow_reader::{ArrowReaderMetadata, ParquetRecordBatchReaderBuilder};
use parquet::arrow::arrow_writer::ArrowWriterOptions;
use parquet::arrow::{ArrowSchemaConverter, ArrowWriter};
use parquet::errors::{ParquetError, Result};
use parquet::file::properties::WriterProperties;
use parquet::file::reader::ChunkReader;
use std::collections::HashMap;
use std::io::Write;
use std::sync::Arc;

impl PassTwo<'_> {
    /// Writes the cleaned copy of Parquet source `index`, read from `file`, into `out`, one row
    /// group at a time; whether anything in it changed (if not, its own bytes are copied
    /// instead).
    pub(super) fn clean_parquet<R: ChunkReader + Clone + 'static>(
        &self,
        index: usize,
        file: R,
        out: &mut (dyn Write + Send),
        result: &mut SourceResult,
    ) -> Result<bool> {
        let doc_at: HashMap<usize, u32> = self
            .docs_of(index)
            .filter_map(|(position, d)| Some((position?.row()?, d)))
            .collect();
        result.documents = doc_at.len();
        let metadata = ArrowReaderMetadata::load(&file, crate::input::parquet::reader_options())?;
        let schema = metadata.schema().clone();
        let text_column = schema.index_of(&self.config.scan.input.text_field)?;
        let options = writer_options(&metadata)?;
        let groups = metadata.metadata().row_groups();
        let mut writer = ArrowWriter::try_new_with_options(out, schema, options)?;
        let mut cleaner = self.cleaner();
        let mut changed = false;
        let mut row = 0;
        for group in 0..groups.len() {
            let batches =
                ParquetRecordBatchReaderBuilder::new_with_metadata(file.clone(), metadata.clone())
                    .with_row_groups(vec![group])
                    .build()?;
            for batch in batches {
                let batch = batch?;
                let mut keep = Vec::with_capacity(batch.num_rows());
                let mut cleaned: Vec<Option<String>> = vec![None; batch.num_rows()];
                let texts = batch.column(text_column);
                for (i, cleaned_text) in cleaned.iter_mut().enumerate() {
                    let doc = doc_at.get(&(row + i)).copied();
                    if let Some(dropped) = doc.and_then(|d| self.dropped(d)) {
                        result.dropped.push(dropped);
                        keep.push(false);
                        continue;
                    }
                    keep.push(true);
                    let (Some(doc), Some(text)) = (doc, text_at(texts.as_ref(), i)) else {
                        continue;
                    };
                    let outcome = cleaner.clean(text);
                    if !outcome.removed.is_empty() {
                        result
                            .changes
                            .push(self.change(index, Some(doc), outcome.removed));
                        *cleaned_text = Some(outcome.text.into_owned());
                    }
                }
                row += batch.num_rows();
                let batch = replace_texts(&batch, text_column, &cleaned)?;
                let batch = if keep.iter().all(|&k| k) {
                    batch
                } else {
                    changed = true;
                    arrow_select::filter::filter_record_batch(&batch, &BooleanArray::from(keep))?
                };
                changed |= cleaned.iter().any(Option::is_some);
                writer.write(&batch)?;
            }
            // One row group out per row group in.
            writer.flush()?;
        }
        if changed {
            writer.close()?;
        }
        Ok(changed)
    }
}

/// How the cleaned copy of a Parquet file with `metadata` is written: in the file's own Parquet
/// schema, with its key-value metadata, each column compressed as in its first row group, and
/// row groups no larger than its largest. An error where the Arrow writer would store a column
/// otherwise (INT96 timestamps, decimals as byte arrays): such a file cannot be cleaned.
fn writer_options(metadata: &ArrowReaderMetadata) -> Result<ArrowWriterOptions> {
    let schema = metadata.schema();
    let file_metadata = metadata.metadata().file_metadata();
    // The columns are written back in the file's own Parquet schema, which the Arrow writer
    // can do only where it would store each column the same way (not INT96 timestamps,
    // nor decimals as byte arrays): otherwise the file cannot be cleaned.
    let converted = ArrowSchemaConverter::new().convert(schema)?;
    let own = file_metadata.schema_descr();
    let same_storage = converted.num_columns() == own.num_columns()
        && (0..own.num_columns())
            .all(|c| converted.column(c).physical_type() == own.column(c).physical_type());
    if !same_storage {
        return Err(ParquetError::General(
            "a column is stored in a way the writer cannot reproduce".into(),
        ));
    }
    let groups = metadata.metadata().row_groups();
    // The same compression per column as the first row group's, and row groups no larger
    // than the largest one read.
    let mut properties = WriterProperties::builder()
        .set_key_value_metadata(file_metadata.key_value_metadata().cloned())
        .set_max_row_group_row_count(
            groups
                .iter()
                .map(|g| usize::try_from(g.num_rows()).unwrap_or(0))
                .max()
                .filter(|&rows| rows > 0),
        );
    if let Some(first) = groups.first() {
        for column in first.columns() {
            properties = properties
                .set_column_compression(column.column_path().clone(), column.compression());
        }
    }
    let options = ArrowWriterOptions::new()
        .with_properties(properties.build())
        .with_parquet_schema(file_metadata.schema_descr().clone())
        // The key-value metadata copied above holds the file's own Arrow schema, if any.
        .with_skip_arrow_metadata(true);
    Ok(options)
}

/// `batch` with the text column's value replaced in the rows that have a `cleaned` text.
fn replace_texts(
    batch: &RecordBatch,
    column: usize,
    cleaned: &[Option<String>],
) -> Result<RecordBatch> {
    if cleaned.iter().all(Option::is_none) {
        return Ok(batch.clone());
    }
    let old = batch.column(column);
    let values: Vec<Option<&str>> = (0..old.len())
        .map(|i| cleaned[i].as_deref().or_else(|| text_at(old.as_ref(), i)))
        .collect();
    let new: ArrayRef = match old.data_type() {
        DataType::Utf8 => Arc::new(StringArray::from(values)),
        DataType::LargeUtf8 => Arc::new(LargeStringArray::from(values)),
        DataType::Utf8View => Arc::new(StringViewArray::from(values)),
        other => {
            return Err(ParquetError::General(format!(
                "the text column holds {other}, not strings"
            )));
        }
    };
    let mut columns = batch.columns().to_vec();
    columns[column] = new;
    Ok(RecordBatch::try_new(batch.schema(), columns)?)
}
