//! The text writer: the report as a person reads it on a terminal.

use super::report::{Report, count};
use crate::diagnostic::location;
use std::io::{self, Write};

impl Report {
    /// Writes the report as text for a terminal (80 columns unless paths are longer): the
    /// clusters, the repeats, the boilerplate, then a summary.
    pub fn write_text(&self, out: &mut (impl Write + ?Sized)) -> io::Result<()> {
        self.write_clusters(out)?;
        self.write_repeats(out)?;
        self.write_boilerplate(out)?;
        self.write_summary(out)
    }

    fn write_clusters(&self, out: &mut (impl Write + ?Sized)) -> io::Result<()> {
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
        Ok(())
    }

    fn write_repeats(&self, out: &mut (impl Write + ?Sized)) -> io::Result<()> {
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
        Ok(())
    }

    fn write_boilerplate(&self, out: &mut (impl Write + ?Sized)) -> io::Result<()> {
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
        Ok(())
    }

    fn write_summary(&self, out: &mut (impl Write + ?Sized)) -> io::Result<()> {
        let s = &self.stats;
        let p = &self.params;
        writeln!(
            out,
            "{} in {}: {} {} {} ({})",
            count(s.documents, "document"),
            count(s.files, "file"),
            count(s.clusters, "cluster"),
            if s.clusters == 1 { "holds" } else { "hold" },
            count(s.documents_in_clusters, "document"),
            count(s.duplicate_documents, "duplicate")
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_agree_with_their_noun() {
        assert_eq!(count(1, "document"), "1 document");
        assert_eq!(count(0, "document"), "0 documents");
        assert_eq!(count(2, "empty document"), "2 empty documents");
    }
}
