//! The rows of a Parquet file as documents: a reader that turns decoded record batches into
//! documents in row order, keeping what spans batches (the row number, the null texts, the ids
//! seen), hands on a row group larger than a piece about a piece at a time, and says what
//! reading the file gave once its rows are read.

use super::*;

/// Turns decoded batches into documents, keeping what spans them: the row number, the null
/// texts and the ids seen.
pub(super) struct RowReader<'a> {
    display: &'a str,
    column: &'a str,
    projected: &'a Projected,
    /// Number of the next batch's first row.
    pub(super) next_row: usize,
    problems: Vec<Diagnostic>,
    /// Index in `problems` of the null-text problem, once there is one.
    null_text: Option<usize>,
    ids: RepeatedIds,
}

/// Where reading a Parquet file's rows stopped: the error, and the row it came at.
pub(super) type Failure = Option<(parquet::errors::ParquetError, usize)>;

impl<'a> RowReader<'a> {
    /// A reader of the rows of file `display`, its text in `column`, its columns `projected`.
    pub(super) fn new(display: &'a str, column: &'a str, projected: &'a Projected) -> Self {
        RowReader {
            display,
            column,
            projected,
            next_row: 0,
            problems: Vec::new(),
            null_text: None,
            ids: RepeatedIds::default(),
        }
    }

    /// Hands on the batches of one row group larger than a piece (`reader`'s), about a piece
    /// at a time, with the bytes read before it (`progress.0`) and, once it is whole, after it
    /// (`progress.1`); the failure that stopped it, if one did.
    pub(super) fn stream_group<T, W, E>(
        &mut self,
        reader: impl Iterator<Item = Result<RecordBatch, arrow_schema::ArrowError>>,
        piece_bytes: usize,
        progress: (u64, u64),
        work: &W,
        sink: &mut dyn FnMut(Vec<T>, u64) -> Result<(), E>,
    ) -> Result<Failure, E>
    where
        T: Send,
        W: Fn(Document<'_>) -> T + Sync,
    {
        let mut held: Vec<RecordBatch> = Vec::new();
        let mut held_bytes = 0;
        let mut failure = None;
        for batch in reader {
            match batch {
                Ok(batch) => {
                    held_bytes += batch.get_array_memory_size();
                    held.push(batch);
                    if held_bytes >= piece_bytes {
                        let docs = self.documents(&std::mem::take(&mut held), work);
                        held_bytes = 0;
                        sink(docs, progress.0)?;
                    }
                }
                Err(e) => {
                    let decoded: usize = held.iter().map(RecordBatch::num_rows).sum();
                    failure = Some((e.into(), self.next_row + decoded));
                    break;
                }
            }
        }
        let docs = self.documents(&held, work);
        sink(
            docs,
            if failure.is_none() {
                progress.1
            } else {
                progress.0
            },
        )?;
        Ok(failure)
    }

    /// What reading the file gave, once its rows are read (`failure`: where they stopped):
    /// the problems and `notes`; a file that failed before its first row is passed over.
    pub(super) fn finish(
        self,
        mut notes: Vec<Diagnostic>,
        failure: Failure,
        whole: &Whole<'_>,
    ) -> SourceRead<()> {
        let RowReader {
            mut problems,
            ids,
            next_row,
            ..
        } = self;
        notes.extend(ids.note(whole.display));
        let mut skipped = false;
        if let Some((e, first_row)) = failure {
            // No row before the damage: the file is passed over.
            skipped = next_row == 0;
            if skipped {
                problems.clear();
                notes.clear();
            }
            problems.push(bad_parquet(
                whole.display,
                &e,
                (!skipped).then_some(first_row),
            ));
        }
        SourceRead {
            docs: Vec::new(),
            problems,
            notes,
            fingerprint: Some(whole.fingerprint),
            skipped,
            len: whole.len,
        }
    }

    /// The documents of `batches`, the next rows of the file, in row order.
    pub(super) fn documents<T, W>(&mut self, batches: &[RecordBatch], work: &W) -> Vec<T>
    where
        T: Send,
        W: Fn(Document<'_>) -> T + Sync,
    {
        let first_row = self.next_row;
        // Every row as (row number, batch, index in the batch).
        let mut rows = Vec::with_capacity(batches.iter().map(RecordBatch::num_rows).sum());
        let mut row = first_row;
        for (b, batch) in batches.iter().enumerate() {
            for i in 0..batch.num_rows() {
                rows.push((row, b, i));
                row += 1;
            }
        }
        self.next_row = row;
        let projected = self.projected;
        let outcomes: Vec<Option<(T, Option<String>)>> = rows
            .par_iter()
            .with_max_len(DOCUMENTS_PER_TASK)
            .map(|&(row, b, i)| {
                let batch = &batches[b];
                let text = text_at(batch.column(projected.text).as_ref(), i)?;
                let given_id = projected.id.map(|c| value_at(batch.column(c).as_ref(), i));
                let row_id = Value::from(row);
                let keep_value = projected
                    .keep
                    .map(|c| value_at(batch.column(c).as_ref(), i));
                let id_text = given_id.as_ref().map(Value::to_string);
                let doc = work(Document {
                    text,
                    position: Some(Position::Row(row)),
                    id: Some(given_id.as_ref().unwrap_or(&row_id)),
                    keep_value: keep_value.as_ref(),
                });
                Some((doc, id_text))
            })
            .collect();
        let mut docs = Vec::with_capacity(outcomes.len());
        for (outcome, &(row, _, _)) in outcomes.into_iter().zip(&rows) {
            match outcome {
                Some((doc, id)) => {
                    docs.push(doc);
                    if let Some(id) = id {
                        self.ids.saw(id, Position::Row(row));
                    }
                }
                None => match self.null_text {
                    Some(at) => {
                        if let Problem::NullText { rows, .. } = &mut self.problems[at].problem {
                            *rows += 1;
                        }
                    }
                    None => {
                        self.null_text = Some(self.problems.len());
                        let problem = Problem::NullText {
                            column: self.column.to_string(),
                            rows: 1,
                        };
                        let at = Some(Position::Row(row));
                        self.problems
                            .push(Diagnostic::at(self.display, at, problem));
                    }
                },
            }
        }
        docs
    }
}
