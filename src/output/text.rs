//! The text writer: the report as a person reads it on a terminal, its lines cut to a width
//! the caller gives (the terminal's), or whole when it gives none (a file or a pipe, where
//! paths must stay whole to be copied).

use super::report::{Report, count};
use crate::diagnostic::location;
use std::io::{self, Write};

/// The narrowest width lines are cut to (a narrower one is taken as this).
const MIN_WIDTH: usize = 40;

impl Report {
    /// Writes the whole report as text: the clusters, the repeats, the boilerplate, then a
    /// summary, no line cut.
    pub fn write_text(&self, out: &mut (impl Write + ?Sized)) -> io::Result<()> {
        self.write_text_limited(out, 0, None)
    }

    /// [`Report::write_text`] with at most `limit` entries per section (0: all), each section
    /// then saying how many more the JSON report has. With a `width` (40 at least), lines
    /// stay within that many columns, as on a terminal: long paths keep their end,
    /// previews and lists are cut. Without one, nothing is cut.
    pub fn write_text_limited(
        &self,
        out: &mut (impl Write + ?Sized),
        limit: usize,
        width: Option<usize>,
    ) -> io::Result<()> {
        let limit = if limit == 0 { usize::MAX } else { limit };
        let width = Width(width.map(|w| w.max(MIN_WIDTH)));
        self.write_clusters(out, limit, width)?;
        self.write_repeats(out, limit, width)?;
        self.write_boilerplate(out, limit, width)?;
        self.write_summary(out)
    }

    fn write_clusters(
        &self,
        out: &mut (impl Write + ?Sized),
        limit: usize,
        width: Width,
    ) -> io::Result<()> {
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
                let line = format!("  chained to cluster {}", ids.join(", "));
                writeln!(out, "{}", width.fit(&line, 0))?;
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
                let label = location(&m.path, m.position());
                let label = width.fit_min(&label, 9 + suffix.chars().count(), 20);
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

    fn write_repeats(
        &self,
        out: &mut (impl Write + ?Sized),
        limit: usize,
        width: Width,
    ) -> io::Result<()> {
        if self.repeats.is_empty() {
            return Ok(());
        }
        writeln!(out, "repeated paragraphs inside documents:")?;
        for r in self.repeats.iter().take(limit) {
            let label = location(&r.path, r.position());
            writeln!(out, "  {}", width.fit(&label, 2))?;
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
                writeln!(out, "{}", width.fit_end(&line))?;
                writeln!(out, "{}", width.quoted(&g.preview, 4))?;
            }
            more(out, r.groups.len(), limit, "group", "    ")?;
        }
        more(out, self.repeats.len(), limit, "document", "  ")?;
        writeln!(out)
    }

    fn write_boilerplate(
        &self,
        out: &mut (impl Write + ?Sized),
        limit: usize,
        width: Width,
    ) -> io::Result<()> {
        if self.boilerplate.is_empty() {
            return Ok(());
        }
        writeln!(
            out,
            "boilerplate (in {} or more unrelated documents):",
            self.params.min_docs
        )?;
        for b in self.boilerplate.iter().take(limit) {
            // As many examples as fit (all of them without a width).
            let mut line = format!(
                "  {} documents ({} unrelated), e.g.",
                b.documents, b.families
            );
            for (n, example) in b.examples.iter().enumerate() {
                let next = format!("{} {example}", if n == 0 { "" } else { "," });
                let past = |w| line.chars().count() + next.chars().count() > w;
                if n > 0 && width.0.is_some_and(past) {
                    break;
                }
                line.push_str(&next);
            }
            writeln!(out, "{}", width.fit(&line, 0))?;
            writeln!(out, "{}", width.quoted(&b.preview, 4))?;
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

/// The width lines are cut to, `None` for none.
#[derive(Debug, Clone, Copy)]
struct Width(Option<usize>);

impl Width {
    /// `text`, to sit after `taken` columns: within the width, its end kept.
    fn fit(self, text: &str, taken: usize) -> String {
        self.fit_min(text, taken, 0)
    }

    /// [`Width::fit`], but never cut below `least` characters.
    fn fit_min(self, text: &str, taken: usize, least: usize) -> String {
        match self.0 {
            Some(width) => fit(text, width.saturating_sub(taken).max(least).max(2)),
            None => text.to_string(),
        }
    }

    /// `text` within the width, its start kept.
    fn fit_end(self, text: &str) -> String {
        match self.0 {
            Some(width) => fit_end(text, width),
            None => text.to_string(),
        }
    }

    /// A preview in quotes, indented, within the width.
    fn quoted(self, preview: &str, indent: usize) -> String {
        quoted(preview, indent, self.0.unwrap_or(usize::MAX))
    }
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

/// A preview in quotes, indented, within `width` columns.
fn quoted(preview: &str, indent: usize, width: usize) -> String {
    let quoted = format!("{}\"{preview}\"", " ".repeat(indent));
    if quoted.chars().count() <= width {
        return quoted;
    }
    let room = width.saturating_sub(indent + 3);
    let cut: String = preview.chars().take(room).collect();
    format!("{}\"{cut}…\"", " ".repeat(indent))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_fit_their_width_and_keep_what_matters() {
        let path = format!("  {}/file.txt", "deep/".repeat(30));
        let fitted = fit(&path, 80);
        assert_eq!(fitted.chars().count(), 80);
        assert!(fitted.starts_with("  …") && fitted.ends_with("/file.txt"));
        assert_eq!(fit("short", 80), "short");
        let long = "x".repeat(100);
        assert_eq!(fit_end(&long, 80).chars().count(), 80);
        let q = quoted(&"y".repeat(75), 4, 80);
        assert_eq!(q.chars().count(), 80);
        assert!(q.ends_with("…\""));
        // A wider terminal cuts less; without a width nothing is cut.
        assert_eq!(Width(Some(120)).fit(&path, 0).chars().count(), 120);
        assert_eq!(Width(None).fit(&path, 2), path);
        assert_eq!(Width(None).fit_end(&long), long);
        assert_eq!(Width(None).quoted(&long, 4), format!("    \"{long}\""));
    }

    #[test]
    fn counts_agree_with_their_noun() {
        assert_eq!(count(1, "document"), "1 document");
        assert_eq!(count(0, "document"), "0 documents");
        assert_eq!(count(2, "empty document"), "2 empty documents");
    }
}
