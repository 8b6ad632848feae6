//! What a scan found: the plain data the pipeline produces and every writer (text, JSON, the
//! cleaner) reads. Documents are referred to by their index in [`ScanOutcome::documents`], which
//! is path order (then JSONL line order).

use crate::diagnostic::{Diagnostic, location};
use crate::input::SourceFile;
pub use crate::pipeline::cluster::SimilarPair;
use crate::pipeline::lsh::Banding;
use serde_json::Value;

/// What the scan keeps about one document.
#[derive(Debug, Clone, PartialEq)]
pub struct DocumentInfo {
    /// Index of its file in [`ScanOutcome::sources`].
    pub source: usize,
    /// The file, as displayed.
    pub path: String,
    /// 1-based line of a JSONL record.
    pub line: Option<usize>,
    /// Id of a JSONL record.
    pub id: Option<Value>,
    /// Number of normalized tokens.
    pub tokens: usize,
    /// Number of paragraphs.
    pub paragraphs: usize,
    /// The `--keep-by` field's value in a JSONL record.
    pub keep_value: Option<Value>,
}

impl DocumentInfo {
    /// `path` or `path:line`.
    pub fn label(&self) -> String {
        location(&self.path, self.line)
    }
}

/// A member of a cluster.
#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    /// Index into [`ScanOutcome::documents`].
    pub doc: u32,
    /// Similarity to the cluster's representative (1 for the representative itself).
    pub similarity: f64,
    /// Similarity to the member the keep rule keeps (1 for that member itself).
    pub similarity_to_kept: f64,
}

/// A cluster of near-duplicate documents.
#[derive(Debug, Clone, PartialEq)]
pub struct Cluster {
    /// Index of the representative document (the best-connected member, the cluster's center).
    pub representative: u32,
    /// Index of the member the keep rule keeps.
    pub kept: u32,
    /// The representative first, then the others in path order.
    pub members: Vec<Member>,
    /// Lowest similarity among the verified pairs inside the cluster. With single linkage, a
    /// member's similarity to the representative below the threshold shows a chain (A~B, B~C,
    /// A far from C).
    pub min_pair_similarity: f64,
    /// Connected component of the similar-pair graph; clusters sharing it were joined by a
    /// chain of similar pairs and split by center linkage.
    pub component: u32,
}

impl Cluster {
    /// The members `--drop-duplicates` leaves out: every one but the kept member that is at or
    /// above `threshold` to it, with that similarity. A member below it (a chain of single
    /// linkage, or a star's member far from the member kept instead of the center) has no kept
    /// near-duplicate, so it stays.
    pub fn left_out(&self, threshold: f64) -> impl Iterator<Item = (u32, f64)> + '_ {
        self.members
            .iter()
            .filter(move |m| m.doc != self.kept && m.similarity_to_kept >= threshold)
            .map(|m| (m.doc, m.similarity_to_kept))
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
    pub documents: Vec<DocumentInfo>,
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

/// The work folder's use by one scan.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkUsed {
    /// Bytes written to the work folder.
    pub bytes_written: u64,
    /// The work folder, when it was made and kept (`--keep-work`).
    pub kept: Option<std::path::PathBuf>,
}

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
