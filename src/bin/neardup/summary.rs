//! The text `clean` prints: the plan of a dry run and the summary.

use neardup::clean::{CleanConfig, CleanOutcome, RemovalReason, RepeatKind};
use neardup::diagnostic::location;
use neardup::report::count;
use std::io::Write;

/// The text `clean` prints: with `--dry-run` the whole plan, then a summary.
pub(crate) fn write_clean_summary(
    out: &mut dyn Write,
    outcome: &CleanOutcome,
    config: &CleanConfig,
) -> std::io::Result<()> {
    let m = &outcome.manifest;
    if config.dry_run {
        for doc in &m.documents {
            let label = location(&doc.path, doc.position());
            writeln!(out, "{label}")?;
            for r in &doc.removed {
                let why = match r.reason {
                    RemovalReason::Repeat => {
                        let mut why = match r.repeat_of_line {
                            Some(line) => format!("repeat of line {line}"),
                            None => "repeat".to_string(),
                        };
                        if let (Some(kind), Some(similarity)) = (r.repeat_kind, r.similarity) {
                            let kind = match kind {
                                RepeatKind::Exact => "same text",
                                RepeatKind::Truncated => "cut off",
                                RepeatKind::Respelled => "respelled",
                            };
                            why.push_str(&format!(", {kind}, similarity {similarity:.3}"));
                        }
                        why
                    }
                    RemovalReason::Boilerplate => match r.boilerplate_documents {
                        Some(docs) => format!("boilerplate in {docs} documents"),
                        None => "boilerplate".to_string(),
                    },
                };
                let lines = if r.lines[0] == r.lines[1] {
                    format!("line {}", r.lines[0])
                } else {
                    format!("lines {}-{}", r.lines[0], r.lines[1])
                };
                writeln!(out, "  remove {lines}: {why}")?;
                writeln!(out, "    \"{}\"", r.preview)?;
                // The kept paragraph, where it reads differently: a wrong match shows here.
                if let (Some(kept), Some(line)) = (&r.repeat_of_preview, r.repeat_of_line)
                    && *kept != r.preview
                {
                    writeln!(out, "    kept, line {line}: \"{kept}\"")?;
                }
            }
        }
        for d in &m.dropped_duplicates {
            let label = location(&d.path, d.position());
            writeln!(
                out,
                "leave out {label}: near-duplicate of {} ({:.3})",
                d.duplicate_of, d.similarity
            )?;
        }
        if !m.documents.is_empty() || !m.dropped_duplicates.is_empty() {
            writeln!(out)?;
        }
    }
    let s = &m.stats;
    let verb = if config.dry_run {
        "would write"
    } else {
        "wrote"
    };
    // The bytes count the other files copied: so do the files.
    writeln!(
        out,
        "{verb} {} of {}{} ({} of {} bytes)",
        s.files_written + s.files_copied,
        count(s.files + s.other_files, "file"),
        if config.out.as_os_str().is_empty() {
            String::new()
        } else {
            format!(" to {}", config.out.display())
        },
        s.bytes_out,
        s.bytes_in
    )?;
    let (removed, left_out) = if config.dry_run {
        ("would remove", "would leave out")
    } else {
        ("removed", "left out")
    };
    writeln!(
        out,
        "{removed} {} from {} of {}:",
        count(s.paragraphs_removed, "paragraph"),
        s.documents_changed,
        count(s.documents, "document")
    )?;
    writeln!(
        out,
        "  {} ({}), {} boilerplate{}",
        count(s.repeats_removed, "repeat"),
        m.params.repeats,
        s.boilerplate_removed,
        if m.params.strip_boilerplate {
            format!(" (in {}+ unrelated documents)", m.params.min_docs)
        } else {
            " (kept: --keep-boilerplate)".to_string()
        }
    )?;
    if m.params.drop_duplicates {
        writeln!(
            out,
            "{left_out} {} (Jaccard >= {} to one kept); {} of the {} in clusters {}",
            count(s.duplicates_dropped, "near-duplicate document"),
            m.params.threshold,
            s.kept_in_clusters,
            s.kept_in_clusters + s.duplicates_dropped,
            match (config.dry_run, s.kept_in_clusters) {
                (true, _) => "would stay",
                (false, 1) => "stays",
                (false, _) => "stay",
            }
        )?;
    }
    if s.files_copied > 0 {
        let copied = if config.dry_run {
            "would copy"
        } else {
            "copied"
        };
        writeln!(
            out,
            "{copied} {} unchanged (not documents; --text-only leaves them out)",
            count(s.files_copied, "other file")
        )?;
    }
    if s.stale_files_removed > 0 {
        writeln!(
            out,
            "{removed} {} an earlier run left in {}",
            count(s.stale_files_removed, "file"),
            config.out.display()
        )?;
    }
    match &outcome.manifest_path {
        Some(path) => writeln!(out, "manifest: {}", path.display()),
        None if config.dry_run => writeln!(out, "dry run: nothing written"),
        None => Ok(()),
    }
}
