//! What a scan found: the plain data the pipeline produces and every writer (text, JSON, the
//! cleaner) reads. Documents are referred to by their index in [`ScanOutcome::documents`], which
//! is path order (then JSONL line order).

use crate::diagnostic::{Diagnostic, Position, location};
use crate::input::SourceFile;
pub use crate::pipeline::cluster::SimilarPair;
pub use crate::pipeline::keep::KeptCopy;
use crate::pipeline::lsh::Banding;
use serde_json::Value;

/// What the scan keeps about one document.
#[derive(Debug, Clone, PartialEq)]
pub struct DocumentInfo {
    /// Index of its file in [`ScanOutcome::sources`].
    pub source: usize,
    /// The file, as displayed.
    pub path: String,
    /// The line of a JSON Lines record, the row of a Parquet one.
    pub position: Option<Position>,
    /// Id of a record.
    pub id: Option<Value>,
    /// Number of normalized tokens.
    pub tokens: usize,
    /// Number of paragraphs.
    pub paragraphs: usize,
    /// The `--keep-by` field's value in a JSONL record.
    pub keep_value: Option<Value>,
}

impl DocumentInfo {
    /// `path`, `path:line` or `path#row`.
    pub fn label(&self) -> String {
        location(&self.path, self.position)
    }

    /// The line of a JSON Lines record.
    pub fn line(&self) -> Option<usize> {
        self.position.and_then(Position::line)
    }

    /// The row of a Parquet record.
    pub fn row(&self) -> Option<usize> {
        self.position.and_then(Position::row)
    }
}

/// The documents of a scan in document order, stored compactly: 24 bytes each, plus 8 and the
/// JSON text of each id (and of each `--keep-by` value when there is one), with the paths
/// shared by the documents of one file. [`DocumentTable::get`] gives one as a
/// [`DocumentInfo`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DocumentTable {
    records: Vec<DocumentRecord>,
    /// Each source file's path, as displayed.
    paths: Vec<std::sync::Arc<str>>,
    ids: ValueColumn,
    keep_values: ValueColumn,
    /// Documents whose `--keep-by` value the rule can compare.
    comparable_keep_values: usize,
    /// Documents that are records (of JSON Lines or Parquet files).
    record_count: usize,
}

/// What a document costs in the table besides its values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct DocumentRecord {
    source: u32,
    tokens: u32,
    paragraphs: u32,
    /// [`encode_position`] of its position.
    position: u64,
}

/// A record's position as one number: 0 for none, a line as `line << 1`, a row as
/// `(row + 1) << 1 | 1`.
fn encode_position(position: Option<Position>) -> u64 {
    match position {
        None => 0,
        Some(Position::Line(line)) => (line as u64) << 1,
        Some(Position::Row(row)) => ((row as u64 + 1) << 1) | 1,
    }
}

/// The position [`encode_position`] gave `code` for.
fn decode_position(code: u64) -> Option<Position> {
    match (code >> 1, code & 1) {
        (0, _) => None,
        (line, 0) => Some(Position::Line(line as usize)),
        (row, _) => Some(Position::Row(row as usize - 1)),
    }
}

/// Optional JSON values, one per document, as their JSON text one after another. While every
/// value so far is absent, nothing but their count is kept.
#[derive(Debug, Clone, Default, PartialEq)]
struct ValueColumn {
    text: Vec<u8>,
    /// End of each document's text in `text` (an absent value has none: start == end).
    ends: Vec<u64>,
    absent_before: usize,
}

impl ValueColumn {
    fn push(&mut self, value: Option<&Value>) {
        match value {
            None if self.ends.is_empty() => self.absent_before += 1,
            None => self.ends.push(self.text.len() as u64),
            Some(value) => {
                if self.ends.is_empty() {
                    self.ends.resize(self.absent_before, 0);
                }
                // Writing a Value into a Vec cannot fail.
                let _ = serde_json::to_writer(&mut self.text, value);
                self.ends.push(self.text.len() as u64);
            }
        }
    }

    fn get(&self, doc: usize) -> Option<Value> {
        let end = *self.ends.get(doc)? as usize;
        let start = if doc == 0 {
            0
        } else {
            self.ends[doc - 1] as usize
        };
        if start == end {
            return None;
        }
        serde_json::from_slice(&self.text[start..end]).ok()
    }
}

impl DocumentTable {
    /// A table for the documents of files shown as `paths` (in source order).
    pub fn new<'a>(paths: impl IntoIterator<Item = &'a str>) -> Self {
        DocumentTable {
            paths: paths.into_iter().map(std::sync::Arc::from).collect(),
            ..DocumentTable::default()
        }
    }

    /// Adds the next document.
    pub fn push(&mut self, document: NewDocument<'_>) {
        self.records.push(DocumentRecord {
            source: document.source as u32,
            tokens: u32::try_from(document.tokens).unwrap_or(u32::MAX),
            paragraphs: u32::try_from(document.paragraphs).unwrap_or(u32::MAX),
            position: encode_position(document.position),
        });
        self.ids.push(document.id);
        self.keep_values.push(document.keep_value);
        self.comparable_keep_values += usize::from(
            document
                .keep_value
                .is_some_and(crate::pipeline::keep::comparable),
        );
        self.record_count += usize::from(document.position.is_some());
    }

    /// How many documents have a `--keep-by` value the rule can compare (a boolean, a number or
    /// a string), and how many are records.
    pub fn keep_values(&self) -> (usize, usize) {
        (self.comparable_keep_values, self.record_count)
    }

    /// Adds the next document as `info` says (its path is the table's for its file).
    pub fn push_info(&mut self, info: &DocumentInfo) {
        self.push(NewDocument {
            source: info.source,
            position: info.position,
            id: info.id.as_ref(),
            tokens: info.tokens,
            paragraphs: info.paragraphs,
            keep_value: info.keep_value.as_ref(),
        });
    }

    /// Number of documents.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// Document `doc`.
    pub fn get(&self, doc: usize) -> DocumentInfo {
        let r = &self.records[doc];
        DocumentInfo {
            source: r.source as usize,
            path: self.paths[r.source as usize].to_string(),
            position: decode_position(r.position),
            id: self.ids.get(doc),
            tokens: r.tokens as usize,
            paragraphs: r.paragraphs as usize,
            keep_value: self.keep_values.get(doc),
        }
    }

    /// Every document, in order.
    pub fn iter(&self) -> impl Iterator<Item = DocumentInfo> + '_ {
        (0..self.len()).map(|doc| self.get(doc))
    }

    /// Index of document `doc`'s file in [`ScanOutcome::sources`].
    pub fn source(&self, doc: usize) -> usize {
        self.records[doc].source as usize
    }

    /// Document `doc`'s line (JSON Lines) or row (Parquet).
    pub fn position(&self, doc: usize) -> Option<Position> {
        decode_position(self.records[doc].position)
    }

    /// Document `doc`'s number of normalized tokens.
    pub fn tokens(&self, doc: usize) -> usize {
        self.records[doc].tokens as usize
    }

    /// Document `doc`'s `--keep-by` value.
    pub fn keep_value(&self, doc: usize) -> Option<Value> {
        self.keep_values.get(doc)
    }

    /// `path`, `path:line` or `path#row` of document `doc`.
    pub fn label(&self, doc: usize) -> String {
        let r = &self.records[doc];
        location(&self.paths[r.source as usize], self.position(doc))
    }
}

/// A document being added to a [`DocumentTable`].
#[derive(Debug, Clone, Copy)]
pub struct NewDocument<'a> {
    /// Index of its file.
    pub source: usize,
    /// The line of a JSON Lines record, the row of a Parquet one.
    pub position: Option<Position>,
    /// Id of a record.
    pub id: Option<&'a Value>,
    /// Number of normalized tokens.
    pub tokens: usize,
    /// Number of paragraphs.
    pub paragraphs: usize,
    /// The `--keep-by` field's value.
    pub keep_value: Option<&'a Value>,
}

/// A member of a cluster.
#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    /// Index into [`ScanOutcome::documents`].
    pub doc: u32,
    /// Similarity to the cluster's representative (1 for the representative itself).
    pub similarity: f64,
    /// The kept near-duplicate `clean --drop-duplicates` leaves it out for; `None` when it
    /// stays (it is kept: none of its near-duplicates that the keep rule prefers was kept).
    pub left_out_for: Option<KeptCopy>,
}

impl Member {
    /// Whether it stays under `--drop-duplicates` (the report's `kept` mark).
    pub fn kept(&self) -> bool {
        self.left_out_for.is_none()
    }
}

/// A cluster of near-duplicate documents.
#[derive(Debug, Clone, PartialEq)]
pub struct Cluster {
    /// Index of the representative document (the best-connected member, the cluster's center).
    pub representative: u32,
    /// The representative first, then the others in path order.
    pub members: Vec<Member>,
    /// Lowest similarity among the verified pairs inside the cluster. A member's similarity to
    /// the representative below the threshold shows a chain (A~B, B~C, A far from C). A cluster
    /// of one (center linkage: a document whose near-duplicates all joined earlier stars) has
    /// no pair inside: the highest similarity of its pairs instead.
    pub min_pair_similarity: f64,
    /// Connected component of the similar-pair graph; clusters sharing it were joined by a
    /// chain of similar pairs and split by center linkage.
    pub component: u32,
}

impl Cluster {
    /// The members `--drop-duplicates` leaves out, each with the kept near-duplicate it names
    /// (which may lie in another cluster of the same component).
    pub fn left_out(&self) -> impl Iterator<Item = (u32, KeptCopy)> + '_ {
        self.members
            .iter()
            .filter_map(|m| m.left_out_for.map(|kept| (m.doc, kept)))
    }

    /// The members that stay: usually one; several where members far from each other have no
    /// kept near-duplicate, none where each has one in another cluster of its component.
    pub fn kept(&self) -> impl Iterator<Item = u32> + '_ {
        self.members.iter().filter(|m| m.kept()).map(|m| m.doc)
    }
}

/// Paragraphs of one document that repeat each other.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepeatedParagraphs {
    /// Index of each occurrence among the document's paragraphs, in order.
    pub paragraphs: Vec<u32>,
    /// First and last line of each occurrence.
    pub lines: Vec<(u32, u32)>,
    /// Position (in `paragraphs`) of the occurrence that `keep-first` keeps.
    pub kept: usize,
    /// One-line preview of the kept occurrence.
    pub preview: String,
}

/// The repeated paragraphs of one document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentRepeats {
    /// Index into [`ScanOutcome::documents`].
    pub doc: u32,
    /// Its groups of repeats, by first occurrence.
    pub groups: Vec<RepeatedParagraphs>,
}

/// A paragraph found in many unrelated documents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoilerplateParagraph {
    /// Its exact-match key (the hash of its normalized tokens).
    pub key: u64,
    /// The documents holding it (indices into [`ScanOutcome::documents`], path order), each
    /// with the index of its first occurrence among that document's paragraphs.
    pub documents: Vec<(u32, u32)>,
    /// Unrelated families among those documents (near-duplicates and close copies count once).
    pub families: usize,
    /// Its text as written in the first document (empty if that file could no longer be read).
    pub text: String,
}

/// Counts describing a scan.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScanStats {
    /// Input files read (or attempted).
    pub files: usize,
    /// Documents compared (empty ones excluded).
    pub documents: usize,
    /// Documents without a single word, skipped.
    pub empty_documents: usize,
    /// Pairs that shared an LSH band.
    pub candidate_pairs: usize,
    /// Candidate pairs at or above the threshold.
    pub similar_pairs: usize,
    /// Paragraphs in the compared documents.
    pub paragraphs: usize,
}

/// Everything a scan found.
#[derive(Debug, Clone)]
pub struct ScanOutcome {
    /// The band layout used.
    pub banding: Banding,
    /// The input files, in path order.
    pub sources: Vec<SourceFile>,
    /// Compared documents in path order; clusters refer to them by index.
    pub documents: DocumentTable,
    /// Documents skipped for having no words.
    pub empty_documents: Vec<DocumentInfo>,
    /// Clusters, largest first, then by representative path.
    pub clusters: Vec<Cluster>,
    /// Every verified similar pair (the edges the clusters were made of), by documents.
    pub pairs: Vec<SimilarPair>,
    /// Documents with repeated paragraphs, in path order.
    pub repeats: Vec<DocumentRepeats>,
    /// Boilerplate paragraphs, most frequent first.
    pub boilerplate: Vec<BoilerplateParagraph>,
    /// Keys of the paragraphs found in `min_docs` unrelated documents anywhere, sorted: the
    /// candidates that make a document's boilerplate zones (the boilerplate is those that
    /// count there).
    pub boilerplate_candidates: Vec<u64>,
    /// Counts.
    pub stats: ScanStats,
    /// Problems with inputs, in path order.
    pub diagnostics: Vec<Diagnostic>,
    /// Notes about inputs that do not mean anything was lost (a guessed encoding, an empty
    /// document, repeated JSONL ids), in path order.
    pub notes: Vec<Diagnostic>,
    /// Per source, the fingerprint of the bytes read in the first pass (`None`: the file could
    /// not be read), so that later passes can tell a file that changed in between.
    pub fingerprints: Vec<Option<u64>>,
    /// Per source, whether it was read but skipped as a whole (binary, JSONL not in UTF-8).
    pub skipped: Vec<bool>,
    /// What the walk passed over without reading.
    pub passed_over: PassedOver,
    /// What the scan wrote to its work folder (nothing when everything fit in memory). Not in
    /// the report, which is the same for any memory budget.
    pub work: WorkUsed,
}

impl ScanOutcome {
    /// For a scan of texts in memory ([`crate::dedup`]), the number of the text document `doc`
    /// (an index into [`ScanOutcome::documents`]) was; `None` for a document read from a file.
    pub fn text_index(&self, doc: usize) -> Option<usize> {
        let source = self.documents.source(doc);
        self.sources[source].memory.as_ref().map(|m| m.index)
    }

    /// An error when `keep` is `--keep-by FIELD` and documents were read but none has a value
    /// in FIELD that the rule can compare: the rule would then decide nothing, and the first in
    /// path order would stay everywhere. `clean` returns it before writing anything.
    pub fn check_keep_field(&self, keep: &crate::config::Keep) -> crate::error::Result<()> {
        let (comparable, records) = self.documents.keep_values();
        match keep.field() {
            Some(field) if comparable == 0 && !self.documents.is_empty() => {
                Err(crate::error::Error::KeepFieldMissing {
                    field: field.to_string(),
                    documents: self.documents.len(),
                    records,
                })
            }
            _ => Ok(()),
        }
    }
}

/// The work folder's use by one scan.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkUsed {
    /// Bytes written to the work folder.
    pub bytes_written: u64,
    /// The work folder, when it was made and kept (`--keep-work`).
    pub kept: Option<std::path::PathBuf>,
    /// Each stage's time and what it wrote to the work folder, in the order they ran; the
    /// steps between the stages that report progress (clustering, boilerplate) last, as one.
    pub stages: Vec<StageUse>,
}

/// The time and work-folder bytes of one stage of a scan.
#[derive(Debug, Clone, PartialEq)]
pub struct StageUse {
    /// The stage's name.
    pub stage: &'static str,
    /// Wall-clock seconds.
    pub seconds: f64,
    /// Bytes it wrote to the work folder.
    pub work_bytes: u64,
}

impl Eq for StageUse {}

/// What walking the inputs passed over without reading.
#[derive(Debug, Clone, Default)]
pub struct PassedOver {
    /// Regular files whose extension `--ext` does not select, in path order.
    pub other_files: Vec<SourceFile>,
    /// Hidden entries (names starting with `.`), files or folders.
    pub hidden: usize,
    /// Symbolic links, not followed.
    pub links: usize,
    /// Standard input's temporary copies, alive as long as the outcome (and its clones).
    #[expect(dead_code, reason = "held for its drop, which removes the copies")]
    pub(crate) spooled: std::sync::Arc<Vec<tempfile::TempPath>>,
}

impl PassedOver {
    /// The files passed over by extension, counted per extension (`""`: none), most first,
    /// then by extension.
    pub fn by_extension(&self) -> Vec<(String, usize)> {
        let mut counts: std::collections::BTreeMap<String, usize> = Default::default();
        for file in &self.other_files {
            let ext = file
                .path
                .extension()
                .map(|e| e.to_string_lossy().to_lowercase())
                .unwrap_or_default();
            *counts.entry(ext).or_default() += 1;
        }
        let mut counts: Vec<(String, usize)> = counts.into_iter().collect();
        counts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        counts
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_table_gives_back_every_document_as_it_was_added() {
        let mut table = DocumentTable::new(["a.txt", "b.jsonl", "c.parquet"]);
        let ids = [
            None,
            Some(json!("r1")),
            Some(json!(7)),
            Some(json!({"shard": 3, "row": [1, 2]})),
            // A float that a parse of its shortest text without round-trip parsing moves.
            Some(json!(1.0715660391465826e-75)),
        ];
        // The --keep-by values start absent and appear later.
        let keep = [None, None, None, Some(json!(2.5)), None];
        // Parquet rows count from 0: row 0 must not read back as no position.
        let positions = [
            None,
            Some(Position::Line(10)),
            Some(Position::Row(0)),
            Some(Position::Row(7)),
            Some(Position::Line(1)),
        ];
        let source = |n: usize| match positions[n] {
            None => 0,
            Some(Position::Line(_)) => 1,
            Some(Position::Row(_)) => 2,
        };
        let documents: Vec<DocumentInfo> = (0..5)
            .map(|n| DocumentInfo {
                source: source(n),
                path: ["a.txt", "b.jsonl", "c.parquet"][source(n)].into(),
                position: positions[n],
                id: ids[n].clone(),
                tokens: 100 + n,
                paragraphs: n,
                keep_value: keep[n].clone(),
            })
            .collect();
        for d in &documents {
            table.push_info(d);
        }
        assert_eq!(table.len(), 5);
        for (n, d) in documents.iter().enumerate() {
            assert_eq!(&table.get(n), d);
            assert_eq!(table.label(n), d.label());
            assert_eq!((table.source(n), table.position(n)), (d.source, d.position));
            assert_eq!(table.tokens(n), d.tokens);
        }
        assert_eq!(table.iter().collect::<Vec<_>>(), documents);
    }
}
