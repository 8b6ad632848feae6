//! The report: one serde model of a scan's results, built from a [`ScanOutcome`]. The writers
//! (`super::text`, `super::json`) only render it. The JSON schema is documented in the README
//! and tested by deserializing into these same structs with unknown fields denied.

use crate::config::ScanConfig;
use crate::diagnostic::Position;
use crate::outcome::ScanOutcome;
use crate::pipeline::paragraph;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use crate::shared::VERSION;
use crate::shared::round4;

/// A whole scan report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Report {
    /// neardup's version.
    pub version: String,
    /// The parameters the scan ran with.
    pub params: Params,
    /// Counts.
    pub stats: Stats,
    /// Clusters of near-duplicates, largest first, then by representative path.
    pub clusters: Vec<ClusterReport>,
    /// Documents with paragraphs repeated inside them, in path order.
    pub repeats: Vec<RepeatReport>,
    /// Paragraphs found in many unrelated documents, most frequent first.
    pub boilerplate: Vec<BoilerplateReport>,
    /// Every problem with an input (what stderr showed), in path order.
    pub problems: Vec<ProblemReport>,
}

/// One problem with an input.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProblemReport {
    /// The file.
    pub path: String,
    /// JSONL: the 1-based line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// Parquet records: the 0-based row in the file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub row: Option<usize>,
    /// What kind of problem, in snake case (`binary`, `unreadable`, `bad_json_line`, ...).
    pub kind: String,
    /// What went wrong and what was done, as on stderr.
    pub message: String,
}

/// Scan parameters as reported.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// `"word"` or `"char"`.
    pub shingle: String,
    /// Words or characters per shingle.
    pub shingle_size: usize,
    /// MinHash permutations (signature length).
    pub num_perm: usize,
    /// `"oph"` (one-permutation hashing, densified) or `"classic"`.
    pub minhash: String,
    /// Seed of the permutations.
    pub seed: u64,
    /// Jaccard threshold.
    pub threshold: f64,
    /// LSH bands.
    pub bands: usize,
    /// Rows per band.
    pub rows: usize,
    /// Probability that a pair exactly at the threshold becomes a candidate.
    pub candidate_probability_at_threshold: f64,
    /// Whether candidates were checked against the exact Jaccard.
    pub verify: bool,
    /// `"center"` (chains split into stars) or `"single"` (connected components).
    pub linkage: String,
    /// Unrelated documents a paragraph must occur in to be boilerplate.
    pub min_docs: usize,
    /// Words under which a paragraph is short: it joins a boilerplate zone but does not make one.
    pub min_words: usize,
    /// Which member of a cluster is kept: `first`, `longest`, `newest` or `by FIELD:desc`.
    pub keep: String,
}

/// Counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Stats {
    /// Input files.
    pub files: usize,
    /// Documents compared.
    pub documents: usize,
    /// Documents without words, skipped.
    pub empty_documents: usize,
    /// Input problems (unreadable files, invalid UTF-8, bad JSONL lines).
    pub input_errors: usize,
    /// Pairs sharing an LSH band.
    pub candidate_pairs: usize,
    /// Candidate pairs at or above the threshold.
    pub similar_pairs: usize,
    /// Clusters found.
    pub clusters: usize,
    /// Documents in some cluster.
    pub documents_in_clusters: usize,
    /// Documents in clusters that `clean --drop-duplicates` leaves out (each for a kept
    /// near-duplicate), and `scan --list-duplicates` lists.
    pub duplicate_documents: usize,
    /// Documents in clusters that stay: `documents_in_clusters - duplicate_documents`.
    pub kept_in_clusters: usize,
    /// Paragraphs in the compared documents.
    pub paragraphs: usize,
    /// Documents with at least one repeated paragraph.
    pub documents_with_repeats: usize,
    /// Repeated paragraphs that `keep-first` would remove (every occurrence but one per group).
    pub repeated_paragraphs: usize,
    /// Distinct boilerplate paragraphs.
    pub boilerplate_paragraphs: usize,
    /// Documents holding at least one boilerplate paragraph.
    pub documents_with_boilerplate: usize,
    /// Files the walk passed over because `--ext` does not select their extension, per
    /// extension, most first.
    pub skipped_by_extension: Vec<SkippedExtension>,
    /// Hidden entries (files or folders) the walk passed over.
    pub skipped_hidden: usize,
    /// Symbolic links the walk passed over (not followed without `--follow`).
    pub skipped_links: usize,
}

/// Files of one extension passed over.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SkippedExtension {
    /// The extension, without the dot, lowercase (`""`: files without one).
    pub extension: String,
    /// How many files.
    pub files: usize,
}

/// The repeated paragraphs of one document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RepeatReport {
    /// The file.
    pub path: String,
    /// JSONL records: the id field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<Value>,
    /// JSONL records: the 1-based line of the record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// Parquet records: the 0-based row in the file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub row: Option<usize>,
    /// Groups of paragraphs that repeat each other, by first occurrence.
    pub groups: Vec<RepeatGroupReport>,
}

/// One group of repeated paragraphs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RepeatGroupReport {
    /// Number of occurrences.
    pub count: usize,
    /// First and last line (1-based, inside the document's text) of each occurrence.
    pub lines: Vec<[u32; 2]>,
    /// First line of the occurrence `keep-first` keeps.
    pub kept_line: u32,
    /// The kept occurrence, whitespace collapsed and cut to 72 characters.
    pub preview: String,
}

/// One boilerplate paragraph.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BoilerplateReport {
    /// Documents holding it.
    pub documents: usize,
    /// Unrelated families among them (near-duplicates and close copies count once).
    pub families: usize,
    /// Whitespace collapsed, cut to 72 characters.
    pub preview: String,
    /// The whole paragraph as written in the first document holding it.
    pub text: String,
    /// The first few documents holding it (`path` or `path:line`), in path order.
    pub examples: Vec<String>,
}

/// Documents named as examples of a boilerplate paragraph.
pub const BOILERPLATE_EXAMPLES: usize = 3;

/// One cluster.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClusterReport {
    /// 1-based position in the report.
    pub id: usize,
    /// Number of members.
    pub size: usize,
    /// Lowest similarity among the verified pairs inside the cluster; for a cluster of one
    /// (center linkage: a document whose near-duplicates all joined earlier stars, in its
    /// `linked_clusters`), the highest of its pairs.
    pub min_pair_similarity: f64,
    /// Ids of other clusters joined to this one by a chain of similar pairs (center linkage
    /// split them apart); absent when there are none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub linked_clusters: Vec<usize>,
    /// The representative first, then the others by path.
    pub members: Vec<MemberReport>,
}

/// One member of a cluster.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MemberReport {
    /// The file: the command-line path joined with the path inside it.
    pub path: String,
    /// Records: the id field (the line or row number when the record has none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<Value>,
    /// JSONL records: the 1-based line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// Parquet records: the 0-based row in the file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub row: Option<usize>,
    /// Similarity to the representative (1 for the representative).
    pub similarity: f64,
    /// Whether this member is the representative (the cluster's center).
    pub representative: bool,
    /// Whether it stays under `clean --drop-duplicates`: none of its near-duplicates that
    /// `--keep` prefers was kept (usually one member per cluster; several where members far
    /// from each other each have no kept near-duplicate).
    pub kept: bool,
    /// Whether `clean --drop-duplicates` leaves it out (it has a kept near-duplicate; listed by
    /// `scan --list-duplicates`): the members that are not kept.
    pub dropped: bool,
    /// Number of normalized tokens (words) in the document.
    pub tokens: usize,
}

impl MemberReport {
    /// Its line or row.
    pub fn position(&self) -> Option<Position> {
        Position::from_fields(self.line, self.row)
    }
}

impl RepeatReport {
    /// Its line or row.
    pub fn position(&self) -> Option<Position> {
        Position::from_fields(self.line, self.row)
    }
}

impl ProblemReport {
    /// Its line or row.
    pub fn position(&self) -> Option<Position> {
        Position::from_fields(self.line, self.row)
    }
}

impl Report {
    /// Builds the report of a scan.
    pub fn new(outcome: &ScanOutcome, config: &ScanConfig) -> Report {
        let clusters = cluster_reports(outcome);
        let repeats = repeat_reports(outcome);
        let boilerplate = boilerplate_reports(outcome);
        Report {
            version: VERSION.to_string(),
            params: params(outcome, config),
            stats: stats(outcome, &clusters, &repeats, &boilerplate),
            clusters,
            repeats,
            boilerplate,
            problems: outcome
                .diagnostics
                .iter()
                .map(|d| ProblemReport {
                    path: d.path.clone(),
                    line: d.at.and_then(Position::line),
                    row: d.at.and_then(Position::row),
                    kind: d.kind().name().to_string(),
                    message: d
                        .problems()
                        .map(|p| p.to_string())
                        .collect::<Vec<_>>()
                        .join("; "),
                })
                .collect(),
        }
    }
}

/// The clusters as reported, in the outcome's order.
fn cluster_reports(outcome: &ScanOutcome) -> Vec<ClusterReport> {
    // Cluster ids (1-based) of each connected component, built once.
    let mut ids_of_component: std::collections::HashMap<u32, Vec<usize>> =
        std::collections::HashMap::new();
    for (i, c) in outcome.clusters.iter().enumerate() {
        ids_of_component.entry(c.component).or_default().push(i + 1);
    }
    let linked = |i: usize, component: u32| -> Vec<usize> {
        ids_of_component[&component]
            .iter()
            .copied()
            .filter(|&id| id != i + 1)
            .collect()
    };
    outcome
        .clusters
        .par_iter()
        .enumerate()
        .map(|(i, c)| ClusterReport {
            id: i + 1,
            size: c.members.len(),
            min_pair_similarity: round4(c.min_pair_similarity),
            linked_clusters: linked(i, c.component),
            members: c
                .members
                .iter()
                .map(|m| {
                    let doc = &outcome.documents.get(m.doc as usize);
                    MemberReport {
                        path: doc.path.clone(),
                        id: doc.id.clone(),
                        line: doc.line(),
                        row: doc.row(),
                        similarity: round4(m.similarity),
                        representative: m.doc == c.representative,
                        kept: m.kept(),
                        dropped: !m.kept(),
                        tokens: doc.tokens,
                    }
                })
                .collect(),
        })
        .collect()
}

/// The documents with repeats as reported.
fn repeat_reports(outcome: &ScanOutcome) -> Vec<RepeatReport> {
    outcome
        .repeats
        .par_iter()
        .map(|r| {
            let doc = &outcome.documents.get(r.doc as usize);
            RepeatReport {
                path: doc.path.clone(),
                id: doc.id.clone(),
                line: doc.line(),
                row: doc.row(),
                groups: r
                    .groups
                    .iter()
                    .map(|g| RepeatGroupReport {
                        count: g.lines.len(),
                        lines: g.lines.iter().map(|&(a, b)| [a, b]).collect(),
                        kept_line: g.lines[g.kept].0,
                        preview: g.preview.clone(),
                    })
                    .collect(),
            }
        })
        .collect()
}

/// The boilerplate paragraphs as reported.
fn boilerplate_reports(outcome: &ScanOutcome) -> Vec<BoilerplateReport> {
    outcome
        .boilerplate
        .par_iter()
        .map(|b| BoilerplateReport {
            documents: b.documents.len(),
            families: b.families,
            preview: paragraph::preview(&b.text),
            text: b.text.clone(),
            examples: b
                .documents
                .iter()
                .take(BOILERPLATE_EXAMPLES)
                .map(|&(d, _)| outcome.documents.label(d as usize))
                .collect(),
        })
        .collect()
}

fn params(outcome: &ScanOutcome, config: &ScanConfig) -> Params {
    Params {
        shingle: config.shingle.unit().to_string(),
        shingle_size: config.shingle.size(),
        num_perm: config.num_perm,
        minhash: config.minhash.name().to_string(),
        seed: config.seed,
        threshold: config.threshold,
        bands: outcome.banding.bands,
        rows: outcome.banding.rows,
        candidate_probability_at_threshold: (outcome.banding.probability(config.threshold) * 1e6)
            .floor()
            / 1e6,
        verify: config.verify,
        linkage: config.linkage.name().to_string(),
        min_docs: config.min_docs,
        min_words: config.min_words,
        keep: config.keep.describe(),
    }
}

fn stats(
    outcome: &ScanOutcome,
    clusters: &[ClusterReport],
    repeats: &[RepeatReport],
    boilerplate: &[BoilerplateReport],
) -> Stats {
    let in_clusters: usize = clusters.iter().map(|c| c.size).sum();
    let left_out = clusters
        .iter()
        .flat_map(|c| &c.members)
        .filter(|m| m.dropped)
        .count();
    let mut with_boilerplate: Vec<u32> = outcome
        .boilerplate
        .iter()
        .flat_map(|b| b.documents.iter().map(|&(d, _)| d))
        .collect();
    with_boilerplate.sort_unstable();
    with_boilerplate.dedup();
    Stats {
        files: outcome.stats.files,
        documents: outcome.stats.documents,
        empty_documents: outcome.stats.empty_documents,
        input_errors: outcome.diagnostics.len(),
        candidate_pairs: outcome.stats.candidate_pairs,
        similar_pairs: outcome.stats.similar_pairs,
        clusters: clusters.len(),
        documents_in_clusters: in_clusters,
        duplicate_documents: left_out,
        kept_in_clusters: in_clusters - left_out,
        paragraphs: outcome.stats.paragraphs,
        documents_with_repeats: repeats.len(),
        repeated_paragraphs: repeats
            .iter()
            .flat_map(|r| &r.groups)
            .map(|g| g.count - 1)
            .sum(),
        boilerplate_paragraphs: boilerplate.len(),
        documents_with_boilerplate: with_boilerplate.len(),
        skipped_by_extension: outcome
            .passed_over
            .by_extension()
            .into_iter()
            .map(|(extension, files)| SkippedExtension { extension, files })
            .collect(),
        skipped_hidden: outcome.passed_over.hidden,
        skipped_links: outcome.passed_over.links,
    }
}

/// `n` and the noun, in the plural unless `n` is 1: "1 document", "2 documents", "0 files".
pub fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}
