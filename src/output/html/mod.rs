//! The HTML report: one self-contained file (inline CSS and JavaScript, no network) that shows a
//! scan the way a person looks at it: the clusters as a sortable, filterable table, each cluster's
//! members and a side-by-side view of any member against the representative with the passages
//! they share highlighted, each document's repeated paragraphs, and the boilerplate with its
//! examples.
//!
//! The file holds the report's data as JSON in a `<script type="application/json">` element and a
//! small script that draws the views from it. Full texts are only included for the first
//! `texts` clusters, documents with repeats and boilerplate paragraphs (`--html-texts`); the
//! rest are listed without texts (at most [`MAX_LISTED`] clusters), and the report says what it
//! left out. Highlights are ranges in UTF-16 code units, the unit of JavaScript strings.

use crate::compare::{self, LoadedDocument};
use crate::config::ScanConfig;
use crate::outcome::ScanOutcome;
use crate::output::report::Report;
use crate::pipeline::paragraph;
use serde_json::{Value, json};
use std::collections::{BTreeSet, HashMap};
use std::io::Write;

/// Most clusters the table lists.
pub const MAX_LISTED: usize = 5_000;

/// The stylesheet and the script, inlined into every report.
const STYLE: &str = include_str!("report.css");
const SCRIPT: &str = include_str!("report.js");

/// Options of the HTML report.
#[derive(Debug, Clone, Copy)]
pub struct HtmlOptions {
    /// How many clusters, documents with repeats and boilerplate paragraphs get full texts.
    pub texts: usize,
}

impl Default for HtmlOptions {
    fn default() -> Self {
        HtmlOptions { texts: 50 }
    }
}

/// UTF-16 offsets of the byte offsets `at` (each on a character boundary) of `text`.
fn utf16(text: &str, at: &[usize]) -> Vec<usize> {
    crate::pipeline::passages::offsets_in_units(text, at, |s| s.encode_utf16().count())
}

/// The passages `a` and `b` share as the script reads them: `[a start, a end, b start, b end,
/// words]` in UTF-16 units, each text walked once.
fn passage_spans(passages: &[compare::SharedPassage], a: &str, b: &str) -> Value {
    let ends = |side: fn(&compare::SharedPassage) -> &std::ops::Range<usize>| -> Vec<usize> {
        passages
            .iter()
            .flat_map(|p| [side(p).start, side(p).end])
            .collect()
    };
    let ua = utf16(a, &ends(|p| &p.a_bytes));
    let ub = utf16(b, &ends(|p| &p.b_bytes));
    passages
        .iter()
        .enumerate()
        .map(|(k, p)| json!([ua[2 * k], ua[2 * k + 1], ub[2 * k], ub[2 * k + 1], p.words]))
        .collect()
}

/// Byte range of lines `first..=last` (1-based) of `text`, line ending excluded.
fn line_range(text: &str, first: u32, last: u32) -> (usize, usize) {
    let mut starts = vec![0];
    starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|n| n + 1));
    let start = starts
        .get(first as usize - 1)
        .copied()
        .unwrap_or(text.len());
    let end = starts
        .get(last as usize)
        .map_or(text.len(), |&next| next - 1);
    (start, end.max(start))
}

/// The documents whose texts the HTML report of `outcome` shows: the members of the first
/// `options.texts` clusters, the first documents with repeats and the first examples of each
/// boilerplate paragraph, in document order. The caller reads them
/// ([`crate::document_texts`]) and hands them to [`write_html`].
pub fn documents_shown(outcome: &ScanOutcome, options: HtmlOptions) -> Vec<u32> {
    let shown = options.texts;
    let mut wanted = BTreeSet::new();
    for cluster in outcome.clusters.iter().take(shown) {
        wanted.extend(cluster.members.iter().map(|m| m.doc));
    }
    for repeats in outcome.repeats.iter().take(shown) {
        wanted.insert(repeats.doc);
    }
    for paragraph in outcome.boilerplate.iter().take(shown) {
        let examples = paragraph
            .documents
            .iter()
            .take(crate::output::report::BOILERPLATE_EXAMPLES);
        wanted.extend(examples.map(|&(doc, _)| doc));
    }
    wanted.into_iter().collect()
}

/// The texts of documents a report shows, by document (those of [`documents_shown`] that
/// could be read).
pub type ShownTexts = HashMap<u32, String>;

/// What the parts of the report's data are made from.
struct Parts<'a> {
    outcome: &'a ScanOutcome,
    config: &'a ScanConfig,
    report: &'a Report,
    texts: &'a ShownTexts,
    /// How many clusters, documents with repeats and boilerplate paragraphs show texts.
    shown: usize,
}

impl Parts<'_> {
    fn label(&self, doc: u32) -> String {
        self.outcome.documents.label(doc as usize)
    }

    /// The listed clusters, and the passages each member with a text shares with its
    /// representative (by `cluster id:member`).
    fn clusters(&self) -> (Vec<Value>, serde_json::Map<String, Value>) {
        let (outcome, texts) = (self.outcome, self.texts);
        let mut passages = serde_json::Map::new();
        let clusters = self
            .report
            .clusters
            .iter()
            .zip(&outcome.clusters)
            .take(MAX_LISTED)
            .enumerate()
            .map(|(i, (listed, cluster))| {
                let with_texts = i < self.shown;
                let rep = cluster.representative;
                if with_texts && let Some(rep_text) = texts.get(&rep) {
                    for (m, member) in cluster.members.iter().enumerate() {
                        let Some(text) = texts.get(&member.doc).filter(|_| member.doc != rep)
                        else {
                            continue;
                        };
                        let shared = compare::shared_passages(rep_text, text, self.config);
                        let spans = passage_spans(&shared, rep_text, text);
                        passages.insert(format!("{}:{m}", listed.id), spans);
                    }
                }
                let lowest = with_texts.then(|| lowest_pair(outcome, cluster)).flatten();
                json!({
                    "id": listed.id,
                    "size": listed.size,
                    "min": listed.min_pair_similarity,
                    "texts": with_texts,
                    "lowest": lowest.map(|(a, b, s)| json!([self.label(a), self.label(b), s])),
                    // Compact, as [doc or null, label, similarity, flags, tokens] with flags 1
                    // for the representative, 2 kept, 4 dropped: the script unpacks them.
                    "members": cluster.members.iter().zip(&listed.members).map(|(m, r)| {
                        let flags = u8::from(r.representative)
                            | (u8::from(r.kept) << 1)
                            | (u8::from(r.dropped) << 2);
                        json!([
                            texts.contains_key(&m.doc).then_some(m.doc),
                            self.label(m.doc),
                            r.similarity,
                            flags,
                            r.tokens,
                        ])
                    }).collect::<Vec<_>>(),
                })
            })
            .collect();
        (clusters, passages)
    }

    /// The documents with repeats, each group with the UTF-16 spans of its occurrences.
    fn repeats(&self) -> Vec<Value> {
        self.outcome
            .repeats
            .iter()
            .zip(&self.report.repeats)
            .enumerate()
            .map(|(i, (repeats, listed))| {
                let text = self.texts.get(&repeats.doc).filter(|_| i < self.shown);
                let groups: Vec<Value> = repeats
                    .groups
                    .iter()
                    .map(|g| {
                        let spans: Vec<Value> = text
                            .map(|text| {
                                g.lines
                                    .iter()
                                    .map(|&(first, last)| {
                                        let (s, e) = line_range(text, first, last);
                                        Value::from(utf16(text, &[s, e]))
                                    })
                                    .collect()
                            })
                            .unwrap_or_default();
                        json!({
                            "count": g.lines.len(),
                            "lines": g.lines.iter().map(|&(a, b)| [a, b]).collect::<Vec<_>>(),
                            "kept": g.kept,
                            "preview": g.preview,
                            "spans": spans,
                        })
                    })
                    .collect();
                json!({
                    "label": self.label(repeats.doc),
                    "doc": text.map(|_| repeats.doc),
                    "id": listed.id,
                    "groups": groups,
                })
            })
            .collect()
    }

    /// The boilerplate paragraphs, each with its first examples and their UTF-16 spans.
    fn boilerplate(&self) -> Vec<Value> {
        self.outcome
            .boilerplate
            .iter()
            .zip(&self.report.boilerplate)
            .enumerate()
            .map(|(i, (paragraph, listed))| {
                let examples: Vec<Value> = paragraph
                    .documents
                    .iter()
                    .take(crate::output::report::BOILERPLATE_EXAMPLES)
                    .map(|&(doc, p)| {
                        let text = self.texts.get(&doc).filter(|_| i < self.shown);
                        let span = text.and_then(|text| {
                            let found = paragraph::segment(text);
                            let p = found.get(p as usize)?;
                            Some(utf16(text, &[p.start, p.end]))
                        });
                        json!({"label": self.label(doc), "doc": text.map(|_| doc), "span": span})
                    })
                    .collect();
                json!({
                    "documents": listed.documents,
                    "families": listed.families,
                    "preview": listed.preview,
                    "text": listed.text,
                    "examples": examples,
                })
            })
            .collect()
    }
}

/// Writes the HTML report of `outcome` to `out`, with the `texts` of the documents it shows
/// ([`documents_shown`]; one missing is listed without its text). It reads nothing.
pub fn write_html(
    outcome: &ScanOutcome,
    config: &ScanConfig,
    report: &Report,
    options: HtmlOptions,
    texts: &ShownTexts,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let parts = Parts {
        outcome,
        config,
        report,
        texts,
        shown: options.texts,
    };
    let shown = options.texts;
    // Texts of documents the scan does not have are no part of it.
    let docs: serde_json::Map<String, Value> = texts
        .iter()
        .filter(|(doc, _)| (**doc as usize) < outcome.documents.len())
        .map(|(&doc, text)| {
            (
                doc.to_string(),
                json!({"label": parts.label(doc), "text": text}),
            )
        })
        .collect();
    let (clusters, passages) = parts.clusters();
    let listed_clusters = report.clusters.len().min(MAX_LISTED);
    let data = json!({
        "kind": "report",
        "version": report.version,
        "params": report.params,
        "stats": report.stats,
        "clusters": clusters,
        "docs": docs,
        "passages": passages,
        "repeats": parts.repeats(),
        "boilerplate": parts.boilerplate(),
        "problems": report.problems,
        "left_out": {
            "clusters_not_listed": report.clusters.len() - listed_clusters,
            "clusters_without_texts": listed_clusters.saturating_sub(shown),
            "repeats_without_texts": report.repeats.len().saturating_sub(shown),
            "boilerplate_without_texts": report.boilerplate.len().saturating_sub(shown),
            "texts": shown,
        },
    });
    write_page(&data, out)
}

/// `data` as JSON that a `<script>` element holds as it is: `<`, `>` and `&` (found only inside
/// JSON strings) written as `\u003c`, `\u003e` and `\u0026`, so that no `</script>` in a text
/// ends the element early and no `<!--` followed by `<script>` keeps it open past its end, and
/// U+2028 and U+2029 as `\u2028` and `\u2029`. All are JSON escapes: `JSON.parse` reads the
/// original text back.
fn script_json(data: &Value) -> serde_json::Result<String> {
    let json = serde_json::to_string(data)?;
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    Ok(out)
}

/// Writes the page around `data` (its `kind` says which view the script draws).
fn write_page(data: &Value, out: &mut dyn Write) -> std::io::Result<()> {
    let data = script_json(data).map_err(std::io::Error::other)?;
    write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"color-scheme\" content=\"light dark\">\n\
         <title>neardup report</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n\
         <noscript>This report draws its views with JavaScript; the data is in the file as \
         JSON.</noscript>\n<div id=\"app\"></div>\n\
         <script type=\"application/json\" id=\"data\">{data}</script>\n\
         <script>\n{SCRIPT}</script>\n</body>\n</html>\n"
    )
}

/// Writes the side-by-side view of two compared documents alone (`compare --html`).
pub fn write_compare_html(
    comparison: &compare::Comparison,
    a: &LoadedDocument,
    b: &LoadedDocument,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let spans = passage_spans(&comparison.passages, &a.text, &b.text);
    let data = json!({
        "kind": "compare",
        "version": crate::output::report::VERSION,
        "comparison": comparison,
        "a": a.text,
        "b": b.text,
        "spans": spans,
    });
    write_page(&data, out)
}

/// One document of a cleaning plan, for [`write_plan_html`]: its changes and its text (`None`
/// when it is not shown).
pub struct PlannedDocument<'a> {
    /// What `clean` removes from it.
    pub changes: &'a crate::clean::DocumentChanges,
    /// Its text as read.
    pub text: Option<String>,
}

/// Writes a cleaning plan (`clean --dry-run --html`): every removal highlighted in its
/// document, beside the paragraph it repeats.
pub fn write_plan_html(
    manifest: &crate::clean::Manifest,
    documents: &[PlannedDocument<'_>],
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let docs: Vec<Value> = documents
        .iter()
        .map(|d| {
            let marks: Vec<Value> = d
                .text
                .as_ref()
                .map(|text| {
                    let mut marks = Vec::new();
                    for (n, r) in d.changes.removed.iter().enumerate() {
                        let (s, e) = line_range(text, r.lines[0], r.lines[1]);
                        let removed = utf16(text, &[s, e]);
                        marks.push(
                            json!({"start": removed[0], "end": removed[1], "cls": "removed",
                                "key": n, "title": match r.reason {
                                crate::clean::RemovalReason::Repeat => "removed: a repeat",
                                crate::clean::RemovalReason::Boilerplate => "removed: boilerplate",
                            }}),
                        );
                        if let Some(line) = r.repeat_of_line {
                            // The paragraph it repeats, from that line to the paragraph's end.
                            let kept = paragraph::segment(text)
                                .into_iter()
                                .find(|p| p.first_line == line);
                            if let Some(p) = kept {
                                let kept = utf16(text, &[p.start, p.end]);
                                marks.push(
                                    json!({"start": kept[0], "end": kept[1], "cls": "repeated",
                                    "key": n, "title": "the paragraph it repeats, kept"}),
                                );
                            }
                        }
                    }
                    marks
                })
                .unwrap_or_default();
            json!({
                "label": crate::diagnostic::location(&d.changes.path, d.changes.position()),
                "text": d.text,
                "removed": d.changes.removed,
                "marks": marks,
            })
        })
        .collect();
    let data = json!({
        "kind": "plan",
        "version": manifest.version,
        "stats": manifest.stats,
        "params": manifest.params,
        "documents": docs,
        "dropped": manifest.dropped_duplicates,
        "not_shown": manifest.documents.len().saturating_sub(documents.len()),
    });
    write_page(&data, out)
}

/// The least similar verified pair inside `cluster`, with its similarity.
fn lowest_pair(
    outcome: &ScanOutcome,
    cluster: &crate::outcome::Cluster,
) -> Option<(u32, u32, f64)> {
    let members: std::collections::HashSet<u32> = cluster.members.iter().map(|m| m.doc).collect();
    outcome
        .pairs
        .iter()
        .filter(|p| members.contains(&p.a) && members.contains(&p.b))
        .min_by(|x, y| x.similarity.total_cmp(&y.similarity))
        .map(|p| (p.a, p.b, crate::shared::round4(p.similarity)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_count_utf16_units_and_lines_their_bytes() {
        let text = "héllo 😀 world\nsecond\nthird";
        // é is 2 bytes and 1 unit, the emoji 4 bytes and 2 units.
        let world = text.find("world").unwrap();
        assert_eq!(utf16(text, &[world, 0, 6]), [9, 0, 5]);
        let (s, e) = line_range(text, 2, 3);
        assert_eq!(&text[s..e], "second\nthird");
        let (s, e) = line_range(text, 1, 1);
        assert_eq!(&text[s..e], "héllo 😀 world");
    }

    #[test]
    fn the_data_holds_no_markup_and_reads_back_as_written() {
        let text = "a <!-- b --> </script><script>c</script> & d\u{2028}e\u{2029}f <\\/ \\u003c";
        let data = json!({"docs": {"1": {"text": text}}, "<key>": [1, "&"]});
        let json = script_json(&data).unwrap();
        for c in ['<', '>', '&', '\u{2028}', '\u{2029}'] {
            assert!(!json.contains(c), "{c:?} in {json}");
        }
        let back: Value = serde_json::from_str(&json).unwrap();
        assert_eq!(back, data);
    }
}
