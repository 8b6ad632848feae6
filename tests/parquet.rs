//! Parquet in and out: rows are documents named `path#row`, the text and id come from the
//! columns `--text-field` and `--id-field` name, and `clean` writes the same schema with the
//! text column cleaned, every other column kept and the rows of dropped near-duplicates left
//! out. Damaged and unusable files get one line each and are copied unchanged.

mod common;

use arrow_array::builder::{ListBuilder, StringBuilder};
use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int64Type};
use arrow_array::{Array, ArrayRef, Float64Array, Int64Array, RecordBatch, StringArray};
use common::{
    Rng, clean_json, edit, field_paths, manifest, readme_json_block, scan, scan_json, words,
};
use parquet::arrow::ArrowWriter;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::file::properties::WriterProperties;
use std::path::Path;
use std::sync::Arc;

/// Texts for `rows` rows: row 5 a near-copy of row 0, row 9 an exact copy of row 3, row 2 with
/// one paragraph pasted twice, row 7 null; the rest unrelated.
fn texts(rows: usize) -> Vec<Option<String>> {
    let mut rng = Rng::new(11);
    let mut texts: Vec<Option<String>> = (0..rows)
        .map(|_| Some(words(&mut rng, 80).join(" ")))
        .collect();
    let base: Vec<String> = texts[0]
        .as_deref()
        .unwrap()
        .split(' ')
        .map(str::to_string)
        .collect();
    texts[5] = Some(edit(&mut rng, &base, 1).join(" "));
    texts[9] = texts[3].clone();
    let pasted = words(&mut rng, 30).join(" ");
    let own = words(&mut rng, 40).join(" ");
    texts[2] = Some(format!("{pasted}\n\n{own}\n\n{pasted}\n"));
    texts[7] = None;
    texts
}

/// A batch with an id, the text, a nullable score, a list of tags and a count.
fn rich_batch(texts: &[Option<String>]) -> RecordBatch {
    let rows = texts.len();
    let ids: ArrayRef = Arc::new(StringArray::from_iter_values(
        (0..rows).map(|r| format!("doc-{r}")),
    ));
    let text: ArrayRef = Arc::new(StringArray::from_iter(texts.iter().cloned()));
    let score: ArrayRef = Arc::new(Float64Array::from_iter(
        (0..rows).map(|r| (r % 3 != 1).then_some(r as f64 / 4.0)),
    ));
    let mut tags = ListBuilder::new(StringBuilder::new());
    for r in 0..rows {
        for t in 0..r % 3 {
            tags.values().append_value(format!("tag{t}"));
        }
        tags.append(r % 4 != 3);
    }
    let tags: ArrayRef = Arc::new(tags.finish());
    let count: ArrayRef = Arc::new(Int64Array::from_iter_values(
        (0..rows as i64).map(|r| r * 7),
    ));
    RecordBatch::try_from_iter([
        ("id", ids),
        ("text", text),
        ("score", score),
        ("tags", tags),
        ("count", count),
    ])
    .unwrap()
}

/// Writes `batch` to `path` with `compression`, in row groups of `rows_per_group`.
fn write(path: &Path, batch: &RecordBatch, rows_per_group: usize) {
    let properties = WriterProperties::builder()
        .set_compression(parquet::basic::Compression::SNAPPY)
        .set_max_row_group_row_count(Some(rows_per_group))
        .build();
    let mut bytes = Vec::new();
    let mut writer = ArrowWriter::try_new(&mut bytes, batch.schema(), Some(properties)).unwrap();
    writer.write(batch).unwrap();
    writer.close().unwrap();
    std::fs::write(path, bytes).unwrap();
}

/// Every row of a Parquet file as one batch, with its row group count and the compression of
/// each column of the first row group.
fn read(path: &Path) -> (RecordBatch, usize, Vec<String>) {
    let file = std::fs::File::open(path).unwrap();
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).unwrap();
    let metadata = builder.metadata().clone();
    let schema = builder.schema().clone();
    let batches: Vec<RecordBatch> = builder.build().unwrap().map(Result::unwrap).collect();
    let batch = arrow_select::concat::concat_batches(&schema, &batches).unwrap();
    let compression = metadata
        .row_group(0)
        .columns()
        .iter()
        .map(|c| format!("{:?}", c.compression()))
        .collect();
    (batch, metadata.num_row_groups(), compression)
}

/// Asserts that every field of `output` is in the README's `block`th json block, and that
/// `present` are among them.
fn fields_documented(block: usize, output: &str, present: &[&str]) {
    let mut documented = std::collections::BTreeSet::new();
    field_paths(&readme_json_block(block), "", &mut documented);
    let mut produced = std::collections::BTreeSet::new();
    field_paths(&serde_json::from_str(output).unwrap(), "", &mut produced);
    let undocumented: Vec<_> = produced.difference(&documented).collect();
    assert!(
        undocumented.is_empty(),
        "fields missing from the README: {undocumented:?}"
    );
    for field in present {
        assert!(produced.contains(*field), "{field} not in {produced:?}");
    }
}

#[test]
fn rows_are_named_by_path_and_row_and_ids_come_from_the_named_column() {
    let tmp = tempfile::tempdir().unwrap();
    let texts = texts(12);
    let ids: ArrayRef = Arc::new(Int64Array::from_iter_values((0..12).map(|r| 1000 + r)));
    let body: ArrayRef = Arc::new(StringArray::from_iter(texts.iter().cloned()));
    let batch = RecordBatch::try_from_iter([("doc_id", ids), ("body", body)]).unwrap();
    write(&tmp.path().join("x.parquet"), &batch, 4);
    let (report, stderr) = scan_json(
        &["x.parquet", "--text-field", "body", "--id-field", "doc_id"],
        tmp.path(),
        2,
    );
    // The null text is one problem, at its row.
    assert!(
        stderr.contains("x.parquet#7: column \"body\" is null; row skipped"),
        "{stderr}"
    );
    let mut found: Vec<Vec<(usize, i64)>> = report
        .clusters
        .iter()
        .map(|c| {
            c.members
                .iter()
                .map(|m| {
                    assert_eq!(m.line, None);
                    (m.row.unwrap(), m.id.as_ref().unwrap().as_i64().unwrap())
                })
                .collect()
        })
        .collect();
    found.sort();
    assert_eq!(
        found,
        [vec![(0, 1000), (5, 1005)], vec![(3, 1003), (9, 1009)]]
    );
    let repeat = &report.repeats[0];
    assert_eq!((repeat.row, repeat.line), (Some(2), None));
    let (_, json, _) = scan(&["x.parquet", "--text-field", "body", "--json"], tmp.path());
    fields_documented(
        1,
        &json,
        &[
            ".clusters[].members[].row",
            ".repeats[].row",
            ".problems[].row",
        ],
    );
    // The text report names rows as path#row; without an id column, the row is the id.
    let (_, text, _) = scan(&["x.parquet", "--text-field", "body"], tmp.path());
    assert!(text.contains("x.parquet#5"), "{text}");
    let (report, _) = scan_json(&["x.parquet", "--text-field", "body"], tmp.path(), 2);
    let member = &report.clusters[0].members[0];
    assert_eq!(member.id, member.row.map(serde_json::Value::from));
}

#[test]
fn clean_keeps_the_schema_row_groups_and_every_other_column() {
    let tmp = tempfile::tempdir().unwrap();
    let texts = texts(12);
    let batch = rich_batch(&texts);
    write(&tmp.path().join("x.parquet"), &batch, 4);
    let (written, stderr) = clean_json(
        &["x.parquet", "--out", "out", "--drop-duplicates"],
        tmp.path(),
        2,
    );
    assert!(stderr.contains("x.parquet#7"), "{stderr}");
    let (_, json, _) = common::clean(
        &[
            "x.parquet",
            "--out",
            "again",
            "--drop-duplicates",
            "--json",
            "--dry-run",
        ],
        tmp.path(),
    );
    fields_documented(2, &json, &[".documents[].row", ".dropped_duplicates[].row"]);
    let (before, groups_before, compression_before) = read(&tmp.path().join("x.parquet"));
    let (after, groups_after, compression_after) = read(&tmp.path().join("out/x.parquet"));
    assert_eq!(after.schema(), before.schema());
    assert_eq!(
        (groups_after, &compression_after),
        (groups_before, &compression_before)
    );
    // The later member of each cluster is left out, and the manifest names it by row.
    let mut dropped: Vec<usize> = written
        .dropped_duplicates
        .iter()
        .map(|d| d.row.unwrap())
        .collect();
    dropped.sort();
    assert_eq!(dropped, [5, 9]);
    assert_eq!(
        manifest(&tmp.path().join("out")).dropped_duplicates.len(),
        2
    );
    let kept: Vec<usize> = (0..12).filter(|r| !dropped.contains(r)).collect();
    assert_eq!(after.num_rows(), kept.len());
    let changed: Vec<usize> = written.documents.iter().map(|c| c.row.unwrap()).collect();
    assert_eq!(changed, [2]);
    for (out_row, &in_row) in kept.iter().enumerate() {
        for column in 0..before.num_columns() {
            let (old, new) = (before.column(column), after.column(column));
            if before.schema().field(column).name() == "text" {
                let old_text = (!old.is_null(in_row)).then(|| old.as_string::<i32>().value(in_row));
                let new_text =
                    (!new.is_null(out_row)).then(|| new.as_string::<i32>().value(out_row));
                if in_row == 2 {
                    let (old_text, new_text) = (old_text.unwrap(), new_text.unwrap());
                    assert!(
                        new_text.len() < old_text.len()
                            && old_text.starts_with(new_text.trim_end())
                    );
                } else {
                    assert_eq!(new_text, old_text, "row {in_row}");
                }
            } else {
                assert_eq!(
                    new.slice(out_row, 1).to_data(),
                    old.slice(in_row, 1).to_data(),
                    "column {column}, row {in_row}"
                );
            }
        }
    }
    // The values themselves, read back typed.
    let scores = after.column(2).as_primitive::<Float64Type>();
    assert!(scores.is_null(1) && scores.value(0) == 0.0);
    let counts = after.column(4).as_primitive::<Int64Type>();
    assert_eq!(counts.value(kept.len() - 1), 7 * 11);
}

#[test]
fn a_parquet_file_with_nothing_to_remove_is_copied_byte_for_byte() {
    let tmp = tempfile::tempdir().unwrap();
    let mut rng = Rng::new(3);
    let texts: Vec<Option<String>> = (0..6)
        .map(|_| Some(words(&mut rng, 60).join(" ")))
        .collect();
    write(&tmp.path().join("x.parquet"), &rich_batch(&texts), 4);
    clean_json(
        &["x.parquet", "--out", "out", "--drop-duplicates"],
        tmp.path(),
        0,
    );
    assert_eq!(
        std::fs::read(tmp.path().join("out/x.parquet")).unwrap(),
        std::fs::read(tmp.path().join("x.parquet")).unwrap()
    );
}

#[test]
fn unusable_parquet_files_get_one_line_each_and_are_copied_unchanged() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(
        tmp.path().join("garbage.parquet"),
        b"PAR1 this is not parquet at all",
    )
    .unwrap();
    let mut rng = Rng::new(5);
    let body: ArrayRef = Arc::new(StringArray::from_iter_values(
        (0..3).map(|_| words(&mut rng, 40).join(" ")),
    ));
    let batch = RecordBatch::try_from_iter([("body", body)]).unwrap();
    write(&tmp.path().join("other.parquet"), &batch, 10);
    let count: ArrayRef = Arc::new(Int64Array::from_iter_values([1, 2]));
    let batch = RecordBatch::try_from_iter([("text", count)]).unwrap();
    write(&tmp.path().join("numbers.parquet"), &batch, 10);
    let (code, _, stderr) = scan(&["."], tmp.path());
    assert_eq!(code, 2, "{stderr}");
    let lines: Vec<&str> = stderr.lines().filter(|l| l.contains(".parquet")).collect();
    assert_eq!(lines.len(), 3, "{stderr}");
    assert!(
        lines
            .iter()
            .any(|l| l.contains("garbage.parquet: not a readable Parquet file"))
    );
    assert!(lines.iter().any(|l| l.contains(
        "other.parquet: no column \"text\"; skipped (its string columns: \"body\"; --text-field \
         names the one to read)"
    )));
    assert!(
        lines
            .iter()
            .any(|l| l.contains("numbers.parquet: column \"text\" holds Int64, not strings"))
    );
    let out = tempfile::tempdir().unwrap();
    let out_arg = out.path().join("out");
    let (_, stderr) = clean_json(&[".", "--out", out_arg.to_str().unwrap()], tmp.path(), 2);
    assert_eq!(stderr.matches("copied unchanged").count(), 3, "{stderr}");
    for name in ["garbage.parquet", "other.parquet", "numbers.parquet"] {
        assert_eq!(
            std::fs::read(out_arg.join(name)).unwrap(),
            std::fs::read(tmp.path().join(name)).unwrap(),
            "{name}"
        );
    }
}

#[test]
fn a_row_group_damaged_part_way_keeps_the_rows_before_it_whatever_the_budget() {
    let tmp = tempfile::tempdir().unwrap();
    let texts = texts(12);
    let path = tmp.path().join("x.parquet");
    write(&path, &rich_batch(&texts), 4);
    // Spoil the text column's pages in the last row group.
    let file = std::fs::File::open(&path).unwrap();
    let metadata = ParquetRecordBatchReaderBuilder::try_new(file)
        .unwrap()
        .metadata()
        .clone();
    let (start, length) = metadata.row_group(2).column(1).byte_range();
    let (start, end) = (start as usize, (start + length) as usize);
    let mut bytes = std::fs::read(&path).unwrap();
    bytes[start..end].fill(0xFF);
    std::fs::write(&path, &bytes).unwrap();
    let (whole, whole_stderr) = scan_json(&["x.parquet"], tmp.path(), 2);
    let (pieces, pieces_stderr) = scan_json(&["x.parquet", "--memory", "4K"], tmp.path(), 2);
    assert_eq!(whole, pieces);
    let damage = |stderr: &str| {
        stderr
            .lines()
            .filter(|l| l.contains("rows from row 8 on were not read"))
            .count()
    };
    assert_eq!(
        (damage(&whole_stderr), damage(&pieces_stderr)),
        (1, 1),
        "{whole_stderr}"
    );
    assert_eq!(whole.stats.documents, 7, "rows 0 to 7 but the null one");
    // The copy is the file as it is.
    clean_json(
        &["x.parquet", "--out", "out", "--drop-duplicates"],
        tmp.path(),
        2,
    );
    assert_eq!(
        std::fs::read(tmp.path().join("out/x.parquet")).unwrap(),
        bytes
    );
}

/// Writes `texts` as one row group of many small pages, zstd-compressed.
fn write_paged(path: &Path, texts: &[String]) {
    let text: ArrayRef = Arc::new(StringArray::from_iter_values(texts));
    let batch = RecordBatch::try_from_iter([("text", text)]).unwrap();
    let properties = WriterProperties::builder()
        .set_compression(parquet::basic::Compression::ZSTD(Default::default()))
        .set_dictionary_enabled(false)
        .set_data_page_row_count_limit(100)
        .set_write_batch_size(100)
        .build();
    let mut bytes = Vec::new();
    let mut writer = ArrowWriter::try_new(&mut bytes, batch.schema(), Some(properties)).unwrap();
    writer.write(&batch).unwrap();
    writer.close().unwrap();
    std::fs::write(path, bytes).unwrap();
}

#[test]
fn a_page_damaged_inside_a_row_group_costs_the_same_rows_at_any_budget() {
    let tmp = tempfile::tempdir().unwrap();
    let mut rng = Rng::new(8);
    let texts: Vec<String> = (0..3000).map(|_| words(&mut rng, 12).join(" ")).collect();
    let path = tmp.path().join("x.parquet");
    write_paged(&path, &texts);
    // Spoil the bytes at two thirds of the only column chunk: a page near row 2000.
    let file = std::fs::File::open(&path).unwrap();
    let metadata = ParquetRecordBatchReaderBuilder::try_new(file)
        .unwrap()
        .metadata()
        .clone();
    assert_eq!(metadata.num_row_groups(), 1);
    let (start, length) = metadata.row_group(0).column(0).byte_range();
    let at = (start + length * 2 / 3) as usize;
    let mut bytes = std::fs::read(&path).unwrap();
    bytes[at..at + 64].fill(0xFF);
    std::fs::write(&path, &bytes).unwrap();
    let (whole, whole_stderr) = scan_json(&["x.parquet"], tmp.path(), 2);
    let (pieces, _) = scan_json(&["x.parquet", "--memory", "4K"], tmp.path(), 2);
    assert_eq!(whole, pieces);
    // Whole batches before the damage are kept: more than none, fewer than all.
    let kept = whole.stats.documents;
    assert!(
        kept > 0 && kept < 3000 && kept % 1024 == 0,
        "{kept}: {whole_stderr}"
    );
    assert!(
        whole_stderr.contains(&format!("rows from row {kept} on were not read")),
        "{whole_stderr}"
    );
}

#[test]
fn a_parquet_file_compressed_whole_is_read_whole_at_any_budget_and_copied_unchanged() {
    let tmp = tempfile::tempdir().unwrap();
    let texts = texts(12);
    let mut plain = Vec::new();
    {
        let properties = WriterProperties::builder().build();
        let batch = rich_batch(&texts);
        let mut writer =
            ArrowWriter::try_new(&mut plain, batch.schema(), Some(properties)).unwrap();
        writer.write(&batch).unwrap();
        writer.close().unwrap();
    }
    let packed = zstd::stream::encode_all(&plain[..], 3).unwrap();
    std::fs::write(tmp.path().join("x.parquet.zst"), &packed).unwrap();
    let (whole, _) = scan_json(&["x.parquet.zst"], tmp.path(), 2);
    let (pieces, _) = scan_json(&["x.parquet.zst", "--memory", "4K"], tmp.path(), 2);
    assert_eq!(whole, pieces);
    assert_eq!(whole.stats.documents, 11, "every row but the null one");
    assert_eq!(whole.clusters.len(), 2);
    let (_, stderr) = clean_json(
        &["x.parquet.zst", "--out", "out", "--drop-duplicates"],
        tmp.path(),
        2,
    );
    assert!(
        stderr.contains("x.parquet.zst: copied unchanged"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read(tmp.path().join("out/x.parquet.zst")).unwrap(),
        packed
    );
}

#[test]
fn a_column_the_writer_cannot_store_the_same_way_leaves_the_file_copied_unchanged() {
    use parquet::data_type::{ByteArray, ByteArrayType, Int96, Int96Type};
    use parquet::file::writer::SerializedFileWriter;
    let tmp = tempfile::tempdir().unwrap();
    let texts = texts(12);
    let schema = Arc::new(
        parquet::schema::parser::parse_message_type(
            "message m { required binary text (UTF8); required int96 written; }",
        )
        .unwrap(),
    );
    let path = tmp.path().join("spark.parquet");
    let file = std::fs::File::create(&path).unwrap();
    let mut writer = SerializedFileWriter::new(file, schema, Default::default()).unwrap();
    let mut group = writer.next_row_group().unwrap();
    let values: Vec<ByteArray> = texts
        .iter()
        .map(|t| ByteArray::from(t.clone().unwrap_or_default().as_str()))
        .collect();
    let mut column = group.next_column().unwrap().unwrap();
    column
        .typed::<ByteArrayType>()
        .write_batch(&values, None, None)
        .unwrap();
    column.close().unwrap();
    let times: Vec<Int96> = (0..texts.len())
        .map(|r| {
            let mut t = Int96::new();
            t.set_data(r as u32, 0, 2_460_000);
            t
        })
        .collect();
    let mut column = group.next_column().unwrap().unwrap();
    column
        .typed::<Int96Type>()
        .write_batch(&times, None, None)
        .unwrap();
    column.close().unwrap();
    group.close().unwrap();
    writer.close().unwrap();
    let (report, _) = scan_json(&["spark.parquet"], tmp.path(), 0);
    assert_eq!(report.clusters.len(), 2);
    let (written, stderr) = clean_json(
        &["spark.parquet", "--out", "out", "--drop-duplicates"],
        tmp.path(),
        2,
    );
    assert!(
        stderr.contains("spark.parquet: copied unchanged"),
        "{stderr}"
    );
    assert!(written.dropped_duplicates.is_empty());
    assert_eq!(
        std::fs::read(tmp.path().join("out/spark.parquet")).unwrap(),
        std::fs::read(&path).unwrap()
    );
}
