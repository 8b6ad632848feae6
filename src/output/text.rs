//! The text writer: the report as a person reads it on a terminal.

use super::report::{Report, count};
use crate::diagnostic::location;
use std::io::{self, Write};

/// Width the text report keeps its lines within.
const COLUMNS: usize = 80;

impl Report {
    /// Writes the whole report as text for a terminal: the clusters, the repeats, the
    /// boilerplate, then a summary.
    pub fn write_text(&self, out: &mut (impl Write + ?Sized)) -> io::Result<()> {
        self.write_text_limited(out, 0)
    }

    /// [`Report::write_text`] with at most `limit` entries per section (0: all), each section
    /// then saying how many more the JSON report has; lines stay within 80 columns (long paths
    /// keep their end, previews are cut).
    pub fn write_text_limited(
        &self,
        out: &mut (impl Write + ?Sized),
        limit: usize,
    ) -> io::Result<()> {
        let limit = if limit == 0 { usize::MAX } else { limit };
        self.write_clusters(out, limit)?;
        self.write_repeats(out, limit)?;
        self.write_boilerplate(out, limit)?;
        self.write_summary(out)
    }

    fn write_clusters(&self, out: &mut (impl Write + ?Sized), limit: usize) -> io::Result<()> {
        for c in self.clusters.iter().take(limit) {
            // A cluster of one has its near-duplicates in the clusters it is chained to.
            let pair = if c.size == 1 { "closest" } else { "lowest" };
            writeln!(
                out,
                "cluster {}: {}, {pair} pair similarity {:.3}",
                c.id,
                count(c.size, "document"),
                c.min_pair_similarity
            )?;
            if !c.linked_clusters.is_empty() {
                let ids: Vec<String> = c.linked_clusters.iter().map(|id| id.to_string()).collect();
                writeln!(
                    out,
                    "{}",
                    fit(&format!("  chained to cluster {}", ids.join(", ")), COLUMNS)
                )?;
            }
            for m in c.members.iter().take(limit) {
                let mut marks = Vec::new();
                if m.representative {
                    marks.push("representative");
                }
                if m.kept {
                    marks.push("kept");
                }
                let mut suffix = String::new();
                if let Some(id) = &m.id {
                    suffix.push_str(&format!("  id {id}"));
                }
                if !marks.is_empty() {
                    suffix.push_str(&format!("  ({})", marks.join(", ")));
                }
                let room = COLUMNS.saturating_sub(9 + suffix.chars().count()).max(20);
                let label = fit(&location(&m.path, m.position()), room);
                writeln!(out, "  {:.3}  {label}{suffix}", m.similarity)?;
            }
            more(out, c.members.len(), limit, "member", "    ")?;
            writeln!(out)?;
        }
        if more(out, self.clusters.len(), limit, "cluster", "")? {
            writeln!(out)?;
        }
        Ok(())
    }

    fn write_repeats(&self, out: &mut (impl Write + ?Sized), limit: usize) -> io::Result<()> {
        if self.repeats.is_empty() {
            return Ok(());
        }
        writeln!(out, "repeated paragraphs inside documents:")?;
        for r in self.repeats.iter().take(limit) {
            writeln!(
                out,
                "  {}",
                fit(&location(&r.path, r.position()), COLUMNS - 2)
            )?;
            for g in r.groups.iter().take(limit) {
                // At most 8 line numbers, so the line fits 80 columns; JSON has them all.
                let mut lines: Vec<String> =
                    g.lines.iter().take(8).map(|l| l[0].to_string()).collect();
                if g.lines.len() > 8 {
                    lines.push(format!("+{} more", g.lines.len() - 8));
                }
                let line = format!(
                    "    {} times, lines {} (kept: line {})",
                    g.count,
                    lines.join(", "),
                    g.kept_line
                );
                writeln!(out, "{}", fit_end(&line, COLUMNS))?;
                writeln!(out, "{}", quoted(&g.preview, 4))?;
            }
            more(out, r.groups.len(), limit, "group", "    ")?;
        }
        more(out, self.repeats.len(), limit, "document", "  ")?;
        writeln!(out)
    }

    fn write_boilerplate(&self, out: &mut (impl Write + ?Sized), limit: usize) -> io::Result<()> {
        if self.boilerplate.is_empty() {
            return Ok(());
        }
        writeln!(
            out,
            "boilerplate (in {} or more unrelated documents):",
            self.params.min_docs
        )?;
        for b in self.boilerplate.iter().take(limit) {
            // As many examples as fit.
            let mut line = format!(
                "  {} documents ({} unrelated), e.g.",
                b.documents, b.families
            );
            for (n, example) in b.examples.iter().enumerate() {
                let next = format!("{} {example}", if n == 0 { "" } else { "," });
                if n > 0 && line.chars().count() + next.chars().count() > COLUMNS {
                    break;
                }
                line.push_str(&next);
            }
            writeln!(out, "{}", fit(&line, COLUMNS))?;
            writeln!(out, "{}", quoted(&b.preview, 4))?;
        }
        more(out, self.boilerplate.len(), limit, "paragraph", "  ")?;
        writeln!(out)
    }

    fn write_summary(&self, out: &mut (impl Write + ?Sized)) -> io::Result<()> {
        let s = &self.stats;
        let p = &self.params;
        writeln!(
            out,
            "{} in {}: {} {} {} ({}, {} kept)",
            count(s.documents, "document"),
            count(s.files, "file"),
            count(s.clusters, "cluster"),
            if s.clusters == 1 { "holds" } else { "hold" },
            count(s.documents_in_clusters, "document"),
            count(s.duplicate_documents, "duplicate"),
            s.kept_in_clusters
        )?;
        writeln!(
            out,
            "{}: {} in {}, {} boilerplate in {}",
            count(s.paragraphs, "paragraph"),
            count(s.repeated_paragraphs, "repeat"),
            count(s.documents_with_repeats, "document"),
            s.boilerplate_paragraphs,
            count(s.documents_with_boilerplate, "document")
        )?;
        if !s.skipped_by_extension.is_empty() {
            let files = s.skipped_by_extension.iter().map(|e| e.files).sum();
            let kinds: Vec<String> = s
                .skipped_by_extension
                .iter()
                .take(4)
                .map(|e| match e.extension.as_str() {
                    "" => format!("no extension {}", e.files),
                    ext => format!(".{ext} {}", e.files),
                })
                .collect();
            let more = if s.skipped_by_extension.len() > 4 {
                ", ..."
            } else {
                ""
            };
            writeln!(
                out,
                "skipped {} by extension ({}{more}): --ext selects them",
                count(files, "file"),
                kinds.join(", ")
            )?;
        }
        if s.skipped_hidden > 0 || s.skipped_links > 0 {
            writeln!(
                out,
                "skipped {} hidden {} and {} (not followed: --follow)",
                s.skipped_hidden,
                if s.skipped_hidden == 1 {
                    "entry"
                } else {
                    "entries"
                },
                count(s.skipped_links, "symbolic link")
            )?;
        }
        if s.empty_documents > 0 || s.input_errors > 0 {
            writeln!(
                out,
                "skipped: {}; input errors: {}",
                count(s.empty_documents, "empty document"),
                s.input_errors
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
            "{}, {} at or above the threshold",
            count(s.candidate_pairs, "candidate pair"),
            s.similar_pairs
        )
    }
}

/// Writes "... and N more NOUNs (--limit 0 or --json shows them)" when `total` exceeds `limit`;
/// returns whether it did.
fn more(
    out: &mut (impl Write + ?Sized),
    total: usize,
    limit: usize,
    noun: &str,
    indent: &str,
) -> io::Result<bool> {
    if total <= limit {
        return Ok(false);
    }
    writeln!(
        out,
        "{indent}... and {} (--limit 0 or --json shows them)",
        count(total - limit, noun).replacen(' ', " more ", 1)
    )?;
    Ok(true)
}

/// `text` within `width` characters: its end kept, its start replaced by "…" (a path keeps
/// its file name).
fn fit(text: &str, width: usize) -> String {
    let chars = text.chars().count();
    if chars <= width {
        return text.to_string();
    }
    let keep: String = text.chars().skip(chars - (width - 1)).collect();
    // Keep the leading indentation.
    let indent: String = text.chars().take_while(|c| *c == ' ').collect();
    if indent.is_empty() {
        format!("…{keep}")
    } else {
        format!(
            "{indent}…{}",
            keep.chars().skip(indent.len()).collect::<String>()
        )
    }
}

/// `text` within `width` characters: its start kept, its end replaced by "…".
fn fit_end(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(width - 1).collect();
    cut.push('…');
    cut
}

/// A preview in quotes, indented, within 80 columns.
fn quoted(preview: &str, indent: usize) -> String {
    let quoted = format!("{}\"{preview}\"", " ".repeat(indent));
    if quoted.chars().count() <= COLUMNS {
        return quoted;
    }
    let room = COLUMNS - indent - 3;
    let cut: String = preview.chars().take(room).collect();
    format!("{}\"{cut}…\"", " ".repeat(indent))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_fit_80_columns_and_keep_what_matters() {
        let path = format!("  {}/file.txt", "deep/".repeat(30));
        let fitted = fit(&path, COLUMNS);
        assert_eq!(fitted.chars().count(), COLUMNS);
        assert!(fitted.starts_with("  …") && fitted.ends_with("/file.txt"));
        assert_eq!(fit("short", COLUMNS), "short");
        let long = "x".repeat(100);
        assert_eq!(fit_end(&long, COLUMNS).chars().count(), COLUMNS);
        let q = quoted(&"y".repeat(75), 4);
        assert_eq!(q.chars().count(), COLUMNS);
        assert!(q.ends_with("…\""));
    }

    #[test]
    fn counts_agree_with_their_noun() {
        assert_eq!(count(1, "document"), "1 document");
        assert_eq!(count(0, "document"), "0 documents");
        assert_eq!(count(2, "empty document"), "2 empty documents");
    }
}
