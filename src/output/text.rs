//! The text writer: the report as a person reads it on a terminal.

use super::report::Report;
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
