//! The report: one serde model of a scan's results, written as human-readable text or as JSON.
//! The JSON schema is documented in the README and tested by deserializing into these same
//! structs with unknown fields denied. The JSON is serde_json's pretty output; its three lists
//! are rendered in parallel, element by element, and framed as serde_json frames them.

use crate::config::ScanConfig;
use crate::paragraph;
use crate::scan::{DocumentInfo, ScanOutcome};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::io::{self, Write};

/// Writes `,\n  "name": [...]` as serde_json's pretty printer writes a list that is a field of
/// the top-level object: each element on a new line, four spaces deeper. Elements are rendered
/// alone, in parallel, and their lines shifted by those four spaces; a newline byte inside
/// rendered JSON is always the printer's (strings escape theirs), so shifting cannot touch text.
fn write_json_list<T: Serialize + Sync>(
    out: &mut (impl Write + ?Sized),
    name: &str,
    items: &[T],
) -> io::Result<()> {
    write!(out, ",\n  \"{name}\": [")?;
    if items.is_empty() {
        return out.write_all(b"]");
    }
    const ITEMS_PER_PART: usize = 256;
    let parts: Vec<Vec<u8>> = items
        .par_chunks(ITEMS_PER_PART)
        .with_max_len(1)
        .enumerate()
        .map(|(part, chunk)| -> io::Result<Vec<u8>> {
            let mut rendered = Vec::new();
            let mut one = Vec::new();
            for (i, item) in chunk.iter().enumerate() {
                let separator: &[u8] = if part == 0 && i == 0 {
                    b"\n    "
                } else {
                    b",\n    "
                };
                rendered.extend_from_slice(separator);
                one.clear();
                serde_json::to_writer_pretty(&mut one, item)?;
                for (n, line) in one.split(|&b| b == b'\n').enumerate() {
                    if n > 0 {
                        rendered.extend_from_slice(b"\n    ");
                    }
                    rendered.extend_from_slice(line);
                }
            }
            Ok(rendered)
        })
        .collect::<io::Result<_>>()?;
    for part in parts {
        out.write_all(&part)?;
    }
    out.write_all(b"\n  ]")
}

/// Version of the tool that wrote a report.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

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
    /// Documents in clusters minus one representative per cluster.
    pub duplicate_documents: usize,
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
    /// Lowest similarity among the verified pairs inside the cluster.
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
    /// JSONL records: the id field (the line number when the record has none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<Value>,
    /// JSONL records: the 1-based line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// Similarity to the representative (1 for the representative).
    pub similarity: f64,
    /// Whether this member is the representative.
    pub representative: bool,
    /// Number of normalized tokens (words) in the document.
    pub tokens: usize,
}

/// `path`, or `path:line` for a JSONL record: how a document is named in messages and reports.
pub fn location(path: &str, line: Option<usize>) -> String {
    match line {
        Some(line) => format!("{path}:{line}"),
        None => path.to_string(),
    }
}

/// Rounds to 4 decimals: enough to read, and stable under float noise.
pub(crate) fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

impl Report {
    /// Builds the report of a scan.
    pub fn new(outcome: &ScanOutcome, config: &ScanConfig) -> Report {
        let member = |doc: &DocumentInfo, similarity: f64, representative: bool| MemberReport {
            path: doc.path.clone(),
            id: doc.id.clone(),
            line: doc.line,
            similarity: round4(similarity),
            representative,
            tokens: doc.tokens,
        };
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
        let clusters: Vec<ClusterReport> = outcome
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
                        member(
                            &outcome.documents[m.doc as usize],
                            m.similarity,
                            m.doc == c.representative,
                        )
                    })
                    .collect(),
            })
            .collect();
        let in_clusters: usize = clusters.iter().map(|c| c.size).sum();
        let repeats: Vec<RepeatReport> = outcome
            .repeats
            .par_iter()
            .map(|r| {
                let doc = &outcome.documents[r.doc as usize];
                RepeatReport {
                    path: doc.path.clone(),
                    id: doc.id.clone(),
                    line: doc.line,
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
            .collect();
        let boilerplate: Vec<BoilerplateReport> = outcome
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
                    .map(|&(d, _)| outcome.documents[d as usize].label())
                    .collect(),
            })
            .collect();
        let mut with_boilerplate: Vec<u32> = outcome
            .boilerplate
            .iter()
            .flat_map(|b| b.documents.iter().map(|&(d, _)| d))
            .collect();
        with_boilerplate.sort_unstable();
        with_boilerplate.dedup();
        Report {
            version: VERSION.to_string(),
            params: Params {
                shingle: config.shingle.unit().to_string(),
                shingle_size: config.shingle.size(),
                num_perm: config.num_perm,
                minhash: config.minhash.name().to_string(),
                seed: config.seed,
                threshold: config.threshold,
                bands: outcome.banding.bands,
                rows: outcome.banding.rows,
                candidate_probability_at_threshold: (outcome.banding.probability(config.threshold)
                    * 1e6)
                    .floor()
                    / 1e6,
                verify: config.verify,
                linkage: config.linkage.name().to_string(),
                min_docs: config.min_docs,
            },
            stats: Stats {
                files: outcome.stats.files,
                documents: outcome.stats.documents,
                empty_documents: outcome.stats.empty_documents,
                input_errors: outcome.diagnostics.len(),
                candidate_pairs: outcome.stats.candidate_pairs,
                similar_pairs: outcome.stats.similar_pairs,
                clusters: clusters.len(),
                documents_in_clusters: in_clusters,
                duplicate_documents: in_clusters - clusters.len(),
                paragraphs: outcome.stats.paragraphs,
                documents_with_repeats: repeats.len(),
                repeated_paragraphs: repeats
                    .iter()
                    .flat_map(|r| &r.groups)
                    .map(|g| g.count - 1)
                    .sum(),
                boilerplate_paragraphs: boilerplate.len(),
                documents_with_boilerplate: with_boilerplate.len(),
            },
            clusters,
            repeats,
            boilerplate,
        }
    }

    /// Writes the report as one JSON document (pretty-printed, newline-terminated): the bytes
    /// of `serde_json::to_writer_pretty`, but with the three lists (nearly all of a large
    /// report) rendered in parallel, element by element.
    pub fn write_json(&self, out: &mut (impl Write + ?Sized)) -> io::Result<()> {
        /// The fields before the lists, in the same order and with the same names.
        #[derive(Serialize)]
        struct Head<'a> {
            version: &'a str,
            params: &'a Params,
            stats: &'a Stats,
        }
        let head = serde_json::to_vec_pretty(&Head {
            version: &self.version,
            params: &self.params,
            stats: &self.stats,
        })?;
        // Without its closing "\n}": the lists follow as more fields.
        out.write_all(&head[..head.len() - 2])?;
        write_json_list(out, "clusters", &self.clusters)?;
        write_json_list(out, "repeats", &self.repeats)?;
        write_json_list(out, "boilerplate", &self.boilerplate)?;
        out.write_all(b"\n}\n")
    }

    /// Writes the report as text for a terminal (80 columns unless paths are longer).
    pub fn write_text(&self, out: &mut (impl Write + ?Sized)) -> io::Result<()> {
        for c in &self.clusters {
            writeln!(
                out,
                "cluster {}: {} documents, lowest pair similarity {:.3}",
                c.id, c.size, c.min_pair_similarity
            )?;
            if !c.linked_clusters.is_empty() {
                let ids: Vec<String> = c.linked_clusters.iter().map(|id| id.to_string()).collect();
                writeln!(out, "  chained to cluster {}", ids.join(", "))?;
            }
            for m in &c.members {
                let mut label = location(&m.path, m.line);
                if let Some(id) = &m.id {
                    label.push_str(&format!("  id {id}"));
                }
                if m.representative {
                    label.push_str("  (representative)");
                }
                writeln!(out, "  {:.3}  {}", m.similarity, label)?;
            }
            writeln!(out)?;
        }
        if !self.repeats.is_empty() {
            writeln!(out, "repeated paragraphs inside documents:")?;
            for r in &self.repeats {
                let label = location(&r.path, r.line);
                writeln!(out, "  {label}")?;
                for g in &r.groups {
                    // At most 8 line numbers, so the line fits 80 columns; JSON has them all.
                    let mut lines: Vec<String> =
                        g.lines.iter().take(8).map(|l| l[0].to_string()).collect();
                    if g.lines.len() > 8 {
                        lines.push(format!("+{} more", g.lines.len() - 8));
                    }
                    writeln!(
                        out,
                        "    {} times, lines {} (kept: line {})",
                        g.count,
                        lines.join(", "),
                        g.kept_line
                    )?;
                    writeln!(out, "    \"{}\"", g.preview)?;
                }
            }
            writeln!(out)?;
        }
        if !self.boilerplate.is_empty() {
            writeln!(
                out,
                "boilerplate (in {} or more unrelated documents):",
                self.params.min_docs
            )?;
            for b in &self.boilerplate {
                writeln!(
                    out,
                    "  {} documents ({} unrelated), e.g. {}",
                    b.documents,
                    b.families,
                    b.examples.join(", ")
                )?;
                writeln!(out, "    \"{}\"", b.preview)?;
            }
            writeln!(out)?;
        }
        let s = &self.stats;
        let p = &self.params;
        writeln!(
            out,
            "{} documents in {} files: {} clusters hold {} documents ({} duplicates)",
            s.documents, s.files, s.clusters, s.documents_in_clusters, s.duplicate_documents
        )?;
        writeln!(
            out,
            "{} paragraphs: {} repeats in {} documents, {} boilerplate in {} documents",
            s.paragraphs,
            s.repeated_paragraphs,
            s.documents_with_repeats,
            s.boilerplate_paragraphs,
            s.documents_with_boilerplate
        )?;
        if s.empty_documents > 0 || s.input_errors > 0 {
            writeln!(
                out,
                "skipped: {} empty documents; input errors: {}",
                s.empty_documents, s.input_errors
            )?;
        }
        writeln!(
            out,
            "Jaccard >= {} on {} {}-shingles, {} linkage, {}",
            p.threshold,
            p.shingle,
            p.shingle_size,
            p.linkage,
            if p.verify {
                "exact verification"
            } else {
                "estimated from signatures (no verification)"
            }
        )?;
        writeln!(
            out,
            "{} permutations, {} bands x {} rows: P(candidate | J = {}) = {}",
            p.num_perm, p.bands, p.rows, p.threshold, p.candidate_probability_at_threshold
        )?;
        writeln!(
            out,
            "{} candidate pairs, {} at or above the threshold",
            s.candidate_pairs, s.similar_pairs
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    struct Item {
        name: String,
        values: Vec<u32>,
        nested: Option<Box<Item>>,
    }

    fn item(i: u32) -> Item {
        Item {
            // A newline and quotes inside a string, escaped by the printer.
            name: format!("line\nbreak \"{i}\""),
            values: (0..i % 4).collect(),
            nested: i.is_multiple_of(3).then(|| Box::new(item(i + 1))),
        }
    }

    #[test]
    fn lists_are_written_byte_for_byte_as_serde_json_writes_them() {
        #[derive(Serialize)]
        struct Whole<'a> {
            first: u32,
            long: &'a [Item],
            empty: &'a [Item],
            short: &'a [Item],
        }
        // More elements than one parallel part holds, so that parts are joined.
        let items: Vec<Item> = (0..600).map(item).collect();
        let expected = serde_json::to_vec_pretty(&Whole {
            first: 1,
            long: &items,
            empty: &[],
            short: &items[..1],
        })
        .unwrap();
        let mut written = b"{\n  \"first\": 1".to_vec();
        write_json_list(&mut written, "long", &items).unwrap();
        write_json_list(&mut written, "empty", &items[..0]).unwrap();
        write_json_list(&mut written, "short", &items[..1]).unwrap();
        written.extend_from_slice(b"\n}");
        assert_eq!(
            String::from_utf8(written).unwrap(),
            String::from_utf8(expected).unwrap()
        );
    }
}
