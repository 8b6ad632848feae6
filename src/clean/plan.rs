//! The per-document plan: which paragraphs of one text are removed and why (repeats found in the
//! text itself, boilerplate from the corpus-wide set), and the cleaned text. Pure: no file is
//! read or written here.

use super::RepeatsMode;
use super::manifest::{RemovalReason, Removed, RepeatKind};
use crate::pipeline::boilerplate::{DEFAULT_MIN_WORDS, Zones, paragraph_layout};
use crate::pipeline::paragraph::{self, Analysis, Analyzer, Paragraph, RepeatMatch};
use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

/// A document's text cleaned.
#[derive(Debug, Clone, PartialEq)]
pub struct CleanedText<'a> {
    /// The cleaned text: the original minus the removed paragraphs and their separators (the
    /// original itself, borrowed, when nothing was removed).
    pub text: Cow<'a, str>,
    /// The original's paragraphs.
    pub paragraphs: Vec<Paragraph>,
    /// Whether each paragraph was kept.
    pub kept: Vec<bool>,
    /// The removed paragraphs and why.
    pub removed: Vec<Removed>,
}

/// Why a paragraph is removed.
#[derive(Debug, Clone, Copy)]
enum Why {
    /// Repeats this paragraph.
    RepeatOf(u32),
    /// Boilerplate found in this many documents.
    Boilerplate(usize),
}

/// Cleans single texts: repeats found in the text itself, boilerplate from a given set.
#[derive(Debug, Default)]
pub struct TextCleaner {
    analyzer: Analyzer,
    analysis: Analysis,
    /// Boilerplate paragraph keys, with the number of documents holding each.
    boilerplate: Arc<HashMap<u64, usize>>,
    repeats: RepeatsMode,
    /// Words under which a paragraph is short (the scan's `min_words`).
    min_words: usize,
    /// The scan's boilerplate candidates, sorted, which make a document's boilerplate zones
    /// (`None`: the boilerplate keys themselves).
    candidates: Option<Arc<Vec<u64>>>,
}

impl TextCleaner {
    /// A cleaner that removes repeats in `mode` and the paragraphs whose keys are in
    /// `boilerplate` (key -> documents holding it) where the scan's rule counts them: in the
    /// text's opening or closing boilerplate zone (paragraphs under [`DEFAULT_MIN_WORDS`] words
    /// are short).
    pub fn new(mode: RepeatsMode, boilerplate: HashMap<u64, usize>) -> Self {
        TextCleaner {
            repeats: mode,
            boilerplate: Arc::new(boilerplate),
            min_words: DEFAULT_MIN_WORDS,
            ..Self::default()
        }
    }

    /// [`TextCleaner::new`] with a boilerplate set shared between cleaners (one per thread).
    pub(crate) fn shared(
        mode: RepeatsMode,
        boilerplate: Arc<HashMap<u64, usize>>,
        min_words: usize,
        candidates: Arc<Vec<u64>>,
    ) -> Self {
        TextCleaner {
            repeats: mode,
            boilerplate,
            min_words,
            candidates: Some(candidates),
            ..Self::default()
        }
    }

    /// Plans and applies the removals for one text.
    pub fn clean<'a>(&mut self, text: &'a str) -> CleanedText<'a> {
        self.analyzer.analyze(text, &mut self.analysis);
        let analysis = &self.analysis;
        let n = analysis.paragraphs.len();
        let mut reasons: Vec<Option<Why>> = vec![None; n];
        let groups = match self.repeats {
            RepeatsMode::KeepAll => Vec::new(),
            _ => self.analyzer.repeats(text, analysis),
        };
        for group in groups {
            let kept = match self.repeats {
                RepeatsMode::DropAll => None,
                _ => Some(group.kept),
            };
            let reference = kept.unwrap_or(group.members[0]);
            for &m in &group.members {
                if Some(m) != kept {
                    reasons[m as usize] = Some(Why::RepeatOf(reference));
                }
            }
        }
        // A paragraph that is both a repeat and boilerplate is counted as a repeat, so that
        // clean's repeat count is the scan's (the occurrences keep-first removes); the kept
        // occurrence of such a group goes as boilerplate.
        // Boilerplate goes only where the scan counted it: the same rule on the same text.
        let layout = paragraph_layout(text, analysis, self.min_words);
        let boilerplate = &self.boilerplate;
        let mut counts = vec![false; layout.len()];
        if !boilerplate.is_empty()
            && let Some(zones) = Zones::of(&layout)
        {
            // Only what is boilerplate goes, and what is bound to a paragraph that stays stays.
            let is_boilerplate = |k: u64| boilerplate.contains_key(&k);
            let counted = match &self.candidates {
                Some(candidates) => {
                    zones.removable(&|k| candidates.binary_search(&k).is_ok(), &is_boilerplate)
                }
                None => zones.counted(is_boilerplate),
            };
            for (_, i) in counted {
                counts[i as usize] = true;
            }
        }
        for (i, f) in analysis.fingerprints.iter().enumerate() {
            if reasons[i].is_none()
                && counts[i]
                && let Some(&documents) = boilerplate.get(&f.key)
            {
                reasons[i] = Some(Why::Boilerplate(documents));
            }
        }
        let kept: Vec<bool> = reasons.iter().map(Option::is_none).collect();
        let removed = reasons
            .iter()
            .enumerate()
            .filter_map(|(i, r)| {
                let p = &analysis.paragraphs[i];
                let mut removed = Removed {
                    paragraph: i as u32 + 1,
                    lines: [p.first_line, p.last_line],
                    reason: RemovalReason::Boilerplate,
                    repeat_of_line: None,
                    repeat_of_preview: None,
                    repeat_kind: None,
                    similarity: None,
                    boilerplate_documents: None,
                    preview: paragraph::preview(p.text(text)),
                };
                match (*r)? {
                    Why::RepeatOf(reference) => {
                        let of = &analysis.paragraphs[reference as usize];
                        let (kind, similarity) =
                            paragraph::repeat_match(analysis, i, reference as usize);
                        removed.reason = RemovalReason::Repeat;
                        removed.repeat_of_line = Some(of.first_line);
                        removed.repeat_of_preview = Some(paragraph::preview(of.text(text)));
                        removed.repeat_kind = Some(match kind {
                            RepeatMatch::Exact => RepeatKind::Exact,
                            RepeatMatch::Truncated => RepeatKind::Truncated,
                            RepeatMatch::Respelled => RepeatKind::Respelled,
                        });
                        removed.similarity = Some((similarity * 10_000.0).round() / 10_000.0);
                    }
                    Why::Boilerplate(documents) => removed.boilerplate_documents = Some(documents),
                }
                Some(removed)
            })
            .collect::<Vec<_>>();
        let cleaned = if removed.is_empty() {
            Cow::Borrowed(text)
        } else {
            Cow::Owned(paragraph::assemble(text, &analysis.paragraphs, |i| kept[i]))
        };
        CleanedText {
            text: cleaned,
            paragraphs: analysis.paragraphs.clone(),
            kept,
            removed,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keep_first_and_drop_all() {
        let p = "a paragraph that is long enough to count as a repeat of itself";
        let text = format!("{p}\n\nmiddle part stays here\n\n{p}\n");
        let mut keep = TextCleaner::new(RepeatsMode::KeepFirst, HashMap::new());
        let cleaned = keep.clean(&text);
        assert_eq!(cleaned.text, format!("{p}\n\nmiddle part stays here\n"));
        assert_eq!(cleaned.removed.len(), 1);
        assert_eq!(cleaned.removed[0].repeat_of_line, Some(1));
        assert_eq!(cleaned.removed[0].lines, [5, 5]);
        let mut drop = TextCleaner::new(RepeatsMode::DropAll, HashMap::new());
        assert_eq!(drop.clean(&text).text, "middle part stays here\n");
        let mut keep_all = TextCleaner::new(RepeatsMode::KeepAll, HashMap::new());
        assert_eq!(keep_all.clean(&text).text, text);
    }

    #[test]
    fn boilerplate_keys_are_removed_wherever_they_are() {
        let mut analyzer = Analyzer::new();
        let mut analysis = Analysis::default();
        analyzer.analyze("Subscribe to our newsletter!", &mut analysis);
        let key = analysis.fingerprints[0].key;
        let mut cleaner = TextCleaner::new(RepeatsMode::KeepFirst, HashMap::from([(key, 7)]));
        let cleaned = cleaner.clean("Body text.\r\n\r\nSUBSCRIBE to our newsletter\r\n");
        assert_eq!(cleaned.text, "Body text.\r\n");
        assert_eq!(cleaned.removed[0].boilerplate_documents, Some(7));
        assert_eq!(cleaned.kept, [true, false]);
    }
}
