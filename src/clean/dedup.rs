//! Near-duplicates decided on the texts `clean` writes. Removing boilerplate and pasted repeats
//! changes what two documents share: two copies of one article with different footers become
//! closer, two short pages that were alike only by their chrome drift apart. A scan of the
//! cleaned folder sees the cleaned texts, so `--drop-duplicates` (and `scan --list-duplicates`,
//! which lists what it leaves out) decides on them too: the corpus is scanned a second time
//! with each text cleaned as pass 2 will clean it, and that scan's clusters, pairs and keep
//! decisions replace the first scan's. Boilerplate and families still come from the first
//! scan, which read the texts as they are.

use super::RepeatsMode;
use super::plan::TextCleaner;
use crate::config::{ScanConfig, TextFilter};
use crate::diagnostic::Position;
use crate::error::Result;
use crate::outcome::ScanOutcome;
use crate::progress::Progress;
use crate::scan;
use std::cell::RefCell;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

thread_local! {
    /// Each thread's cleaner, with the address of the cleaning it was made for.
    static CLEANER: RefCell<Option<(usize, TextCleaner)>> = const { RefCell::new(None) };
}

/// The boilerplate `clean` removes after the scan `outcome`: each paragraph's key with the
/// number of documents holding it (none without `strip_boilerplate`).
fn removed_boilerplate(outcome: &ScanOutcome, strip_boilerplate: bool) -> HashMap<u64, usize> {
    if !strip_boilerplate {
        return HashMap::new();
    }
    let found = outcome.boilerplate.iter();
    found.map(|b| (b.key, b.documents.len())).collect()
}

/// How `clean` changes each text: the inputs of a [`TextCleaner`].
pub struct Cleaning {
    /// Repeats inside a document.
    pub repeats: RepeatsMode,
    /// Boilerplate paragraph keys removed, with the number of documents holding each (empty:
    /// `--keep-boilerplate`).
    pub boilerplate: Arc<HashMap<u64, usize>>,
    /// The first scan's boilerplate candidates, which make the zones.
    pub candidates: Arc<Vec<u64>>,
    /// Words under which a paragraph is short.
    pub min_words: usize,
}

impl TextCleaner {
    /// The cleaner `clean` with `config` runs on each text of the scan `outcome` (the scan of
    /// its inputs with `config.scan`): `cleaner.clean(text).text` is what `clean` writes for
    /// that text. For texts that reach a program one at a time after a scan (a stream, a
    /// database), cleaned as the folder would be.
    pub fn for_clean(outcome: &ScanOutcome, config: &super::CleanConfig) -> TextCleaner {
        Cleaning::of(
            outcome,
            &config.scan,
            config.repeats,
            config.strip_boilerplate,
        )
        .cleaner()
    }
}

impl Cleaning {
    /// What `clean` removes after the scan `outcome` (made with `config`): repeats in
    /// `repeats` mode, and its boilerplate when `strip_boilerplate`.
    pub fn of(
        outcome: &ScanOutcome,
        config: &ScanConfig,
        repeats: RepeatsMode,
        strip_boilerplate: bool,
    ) -> Self {
        Cleaning {
            repeats,
            boilerplate: Arc::new(removed_boilerplate(outcome, strip_boilerplate)),
            candidates: Arc::new(outcome.boilerplate_candidates.clone()),
            min_words: config.min_words,
        }
    }

    /// Whether it can change any text of the scan `outcome`.
    fn changes_anything(&self, outcome: &ScanOutcome) -> bool {
        !self.boilerplate.is_empty()
            || (self.repeats != RepeatsMode::KeepAll && !outcome.repeats.is_empty())
    }

    /// The cleaner for one thread.
    pub(crate) fn cleaner(&self) -> TextCleaner {
        TextCleaner::shared(
            self.repeats,
            self.boilerplate.clone(),
            self.min_words,
            self.candidates.clone(),
        )
    }

    /// The rewrite a scan applies to each text: the text as `clean` writes it.
    fn filter(self: &Arc<Self>) -> TextFilter {
        let cleaning = Arc::clone(self);
        TextFilter(Arc::new(move |text: &str| {
            // The cleaner holds the cleaning's sets, so while it is cached no other cleaning
            // can be made at the same address.
            let id = Arc::as_ptr(&cleaning.boilerplate) as usize;
            CLEANER.with(|cell| {
                let mut slot = cell.borrow_mut();
                let cleaner = match slot.as_mut() {
                    Some((made_for, cleaner)) if *made_for == id => cleaner,
                    _ => &mut slot.insert((id, cleaning.cleaner())).1,
                };
                match cleaner.clean(text).text {
                    std::borrow::Cow::Owned(cleaned) => Some(cleaned),
                    std::borrow::Cow::Borrowed(_) => None,
                }
            })
        }))
    }
}

/// `outcome` (the scan of `roots` with `config`) with its clusters, pairs and keep decisions
/// made again on the texts as `cleaning` leaves them. Unchanged when the cleaning changes no
/// text. A document the second scan reads but the first did not (a file that appeared in
/// between) is left out of the clusters; pass 2 notices changed files on its own.
pub fn on_cleaned_texts(
    roots: &[PathBuf],
    mut outcome: ScanOutcome,
    config: &ScanConfig,
    cleaning: &Arc<Cleaning>,
    progress: &dyn Progress,
) -> Result<ScanOutcome> {
    if !cleaning.changes_anything(&outcome) {
        return Ok(outcome);
    }
    let cleaned_config = ScanConfig {
        prepare: Some(cleaning.filter()),
        ..config.clone()
    };
    let cleaned = scan::scan(roots, &cleaned_config, progress);
    // No thread keeps a cleaner (and the boilerplate set it holds) after this scan.
    rayon::broadcast(|_| CLEANER.with(|cell| drop(cell.borrow_mut().take())));
    let cleaned = cleaned?;
    let to_first = document_map(&outcome, &cleaned);
    let mut clusters = cleaned.clusters;
    clusters.retain_mut(|cluster| {
        cluster
            .members
            .retain(|m| to_first[m.doc as usize].is_some());
        for m in &mut cluster.members {
            m.doc = to_first[m.doc as usize].unwrap_or(m.doc);
            if let Some(kept) = &mut m.left_out_for {
                kept.doc = to_first[kept.doc as usize].unwrap_or(kept.doc);
            }
        }
        let Some(first) = cluster.members.first() else {
            return false;
        };
        cluster.representative = to_first[cluster.representative as usize].unwrap_or(first.doc);
        cluster.members.len() > 1 || !first.kept()
    });
    let mut pairs = cleaned.pairs;
    pairs.retain_mut(
        |pair| match (to_first[pair.a as usize], to_first[pair.b as usize]) {
            (Some(a), Some(b)) => {
                (pair.a, pair.b) = (a.min(b), a.max(b));
                true
            }
            _ => false,
        },
    );
    outcome.clusters = clusters;
    outcome.pairs = pairs;
    outcome.stats.candidate_pairs = cleaned.stats.candidate_pairs;
    outcome.stats.similar_pairs = cleaned.stats.similar_pairs;
    Ok(outcome)
}

/// For each document of `cleaned`, the same document in `first` (by file and line or row).
fn document_map(first: &ScanOutcome, cleaned: &ScanOutcome) -> Vec<Option<u32>> {
    let source_of: HashMap<&std::path::Path, usize> = first
        .sources
        .iter()
        .enumerate()
        .map(|(i, s)| (s.path.as_path(), i))
        .collect();
    let doc_of: HashMap<(usize, Option<Position>), u32> = (0..first.documents.len())
        .map(|d| {
            let key = (first.documents.source(d), first.documents.position(d));
            (key, d as u32)
        })
        .collect();
    (0..cleaned.documents.len())
        .map(|d| {
            let path = cleaned.sources[cleaned.documents.source(d)].path.as_path();
            let source = *source_of.get(path)?;
            doc_of
                .get(&(source, cleaned.documents.position(d)))
                .copied()
        })
        .collect()
}
