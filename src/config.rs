//! Scan parameters, their defaults and their validation. Every parameter is checked here, once,
//! before any work starts, so that the stages can rely on them.

use crate::error::{Error, Result};
use crate::pipeline::boilerplate;
use crate::work::WorkOptions;

pub use crate::input::decode::TextEncoding;
pub use crate::input::{DEFAULT_EXTENSIONS, InputFormat, InputOptions};
pub use crate::pipeline::boilerplate::{DEFAULT_MIN_DOCS, DEFAULT_MIN_WORDS};
pub use crate::pipeline::cluster::Linkage;
pub use crate::pipeline::keep::Keep;
pub use crate::pipeline::lsh::Banding;
pub use crate::pipeline::minhash::Scheme;
pub use crate::pipeline::shingle::ShingleKind;

/// Default word k-gram size.
pub const DEFAULT_NGRAM: usize = 5;
/// Default number of MinHash permutations.
pub const DEFAULT_NUM_PERM: usize = 128;
/// Default seed of the MinHash permutations.
pub const DEFAULT_SEED: u64 = 42;
/// Default Jaccard threshold.
pub const DEFAULT_THRESHOLD: f64 = 0.8;
/// Largest accepted number of permutations.
pub const MAX_NUM_PERM: usize = 4096;

/// Everything a scan needs to know.
#[derive(Debug, Clone)]
pub struct ScanConfig {
    /// Word or character k-grams.
    pub shingle: ShingleKind,
    /// MinHash permutations (signature length).
    pub num_perm: usize,
    /// How signatures are computed.
    pub minhash: Scheme,
    /// Seed of the permutations.
    pub seed: u64,
    /// Jaccard similarity at or above which two documents are near-duplicates.
    pub threshold: f64,
    /// Band count override (`None`: chosen from the threshold).
    pub bands: Option<usize>,
    /// Rows-per-band override (`None`: chosen from the threshold).
    pub rows: Option<usize>,
    /// Check candidates against the exact Jaccard (true) or trust the signature estimate.
    pub verify: bool,
    /// How connected components become clusters.
    pub linkage: Linkage,
    /// Which files to read and how.
    pub input: InputOptions,
    /// Unrelated documents a paragraph must occur in to be boilerplate (near-duplicates and
    /// close copies count once).
    pub min_docs: usize,
    /// Words under which a paragraph is short: it joins a document's boilerplate zone but does
    /// not make one.
    pub min_words: usize,
    /// Which member of a cluster is kept (`clean --drop-duplicates`, the report's mark).
    pub keep: Keep,
    /// Memory budget in bytes (`None`: [`crate::work::default_memory`]); what does not fit
    /// goes to the work folder. The report is the same for any budget.
    pub memory: Option<u64>,
    /// Where the work folder is made and whether it is kept.
    pub work: WorkOptions,
    /// A rewrite of every document's text before it is compared (`None`: the text as read):
    /// `clean --drop-duplicates` compares the cleaned texts, which are what it writes.
    pub prepare: Option<TextFilter>,
    /// Raised from another thread, it stops the scan at the next file (or piece of a large
    /// file) or stage: the scan returns [`Error::Cancelled`] and removes its work folder.
    pub cancel: Option<std::sync::Arc<std::sync::atomic::AtomicBool>>,
}

/// A rewrite of a document's text: `Some(new text)`, or `None` to leave it as it is. Called
/// from every worker thread.
#[derive(Clone)]
pub struct TextFilter(pub std::sync::Arc<Rewrite>);

/// The function a [`TextFilter`] calls.
pub type Rewrite = dyn Fn(&str) -> Option<String> + Send + Sync;

impl std::fmt::Debug for TextFilter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TextFilter")
    }
}

impl Default for ScanConfig {
    fn default() -> Self {
        ScanConfig {
            shingle: ShingleKind::Words(DEFAULT_NGRAM),
            num_perm: DEFAULT_NUM_PERM,
            minhash: Scheme::OnePermutation,
            seed: DEFAULT_SEED,
            threshold: DEFAULT_THRESHOLD,
            bands: None,
            rows: None,
            verify: true,
            linkage: Linkage::Center,
            input: InputOptions::default(),
            min_docs: boilerplate::DEFAULT_MIN_DOCS,
            min_words: boilerplate::DEFAULT_MIN_WORDS,
            keep: Keep::First,
            memory: None,
            work: WorkOptions::default(),
            prepare: None,
            cancel: None,
        }
    }
}

impl ScanConfig {
    /// Whether [`ScanConfig::cancel`] was raised.
    pub fn cancelled(&self) -> bool {
        self.cancel
            .as_ref()
            .is_some_and(|c| c.load(std::sync::atomic::Ordering::SeqCst))
    }

    /// Checks every parameter and returns the band layout to use.
    pub fn validate(&self) -> Result<Banding> {
        let invalid = |msg: String| Err(Error::InvalidConfig(msg));
        if !(self.threshold > 0.0 && self.threshold <= 1.0) {
            return invalid(format!(
                "threshold must be in (0, 1], got {}",
                self.threshold
            ));
        }
        if self.shingle.size() == 0 {
            return invalid("shingle size must be at least 1".into());
        }
        if self.num_perm == 0 || self.num_perm > MAX_NUM_PERM {
            return invalid(format!(
                "number of permutations must be in 1..={MAX_NUM_PERM}, got {}",
                self.num_perm
            ));
        }
        if self.min_docs < 2 {
            return invalid(format!(
                "--min-docs must be at least 2 (a paragraph in one document is not boilerplate), \
                 got {}",
                self.min_docs
            ));
        }
        if self.min_words == 0 {
            return invalid("--min-words must be at least 1".into());
        }
        if self.keep.field() == Some("") {
            return invalid("the --keep-by field name is empty".into());
        }
        if self.input.text_field.is_empty() {
            return invalid("the JSONL text field name is empty".into());
        }
        let banding = match (self.bands, self.rows) {
            (None, None) => Banding::for_threshold(self.threshold, self.num_perm),
            (Some(bands), Some(rows)) => Banding { bands, rows },
            (Some(bands), None) => Banding {
                bands,
                rows: self.num_perm.checked_div(bands).unwrap_or(0),
            },
            (None, Some(rows)) => Banding {
                bands: self.num_perm.checked_div(rows).unwrap_or(0),
                rows,
            },
        };
        if banding.rows == 0 && self.rows.is_none() {
            return invalid(format!(
                "--bands {} leaves no row for each band: {} permutations / {} bands < 1; use at \
                 most {} bands or more --num-perm",
                banding.bands, self.num_perm, banding.bands, self.num_perm
            ));
        }
        if banding.bands == 0 && self.bands.is_none() {
            return invalid(format!(
                "--rows {} leaves no band: {} permutations / {} rows < 1; use at most {} rows \
                 or more --num-perm",
                banding.rows, self.num_perm, banding.rows, self.num_perm
            ));
        }
        if banding.bands == 0 || banding.rows == 0 {
            return invalid(format!(
                "bands and rows must be at least 1 (bands {}, rows {}, {} permutations)",
                banding.bands, banding.rows, self.num_perm
            ));
        }
        if banding.used_positions() > self.num_perm {
            return invalid(format!(
                "bands x rows = {} x {} = {} exceeds the {} permutations",
                banding.bands,
                banding.rows,
                banding.used_positions(),
                self.num_perm
            ));
        }
        Ok(banding)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_pick_25_by_5() {
        let b = ScanConfig::default().validate().unwrap();
        assert_eq!((b.bands, b.rows), (25, 5));
    }

    #[test]
    fn thresholds_outside_zero_one_are_rejected() {
        for t in [0.0, -0.1, 1.01, f64::NAN] {
            let c = ScanConfig {
                threshold: t,
                ..Default::default()
            };
            assert!(c.validate().is_err(), "{t}");
        }
        let c = ScanConfig {
            threshold: 1.0,
            ..Default::default()
        };
        assert!(c.validate().is_ok());
    }

    #[test]
    fn zero_sizes_are_rejected() {
        let c = ScanConfig {
            shingle: ShingleKind::Words(0),
            ..Default::default()
        };
        assert!(c.validate().is_err());
        let c = ScanConfig {
            num_perm: 0,
            ..Default::default()
        };
        assert!(c.validate().is_err());
        let c = ScanConfig {
            rows: Some(0),
            ..Default::default()
        };
        assert!(c.validate().is_err());
    }

    #[test]
    fn one_override_derives_the_other() {
        let c = ScanConfig {
            bands: Some(16),
            ..Default::default()
        };
        assert_eq!(c.validate().unwrap(), Banding { bands: 16, rows: 8 });
        let c = ScanConfig {
            rows: Some(4),
            ..Default::default()
        };
        assert_eq!(c.validate().unwrap(), Banding { bands: 32, rows: 4 });
    }

    #[test]
    fn layouts_larger_than_the_signature_are_rejected() {
        let c = ScanConfig {
            bands: Some(20),
            rows: Some(8),
            ..Default::default()
        };
        assert!(c.validate().is_err());
        let c = ScanConfig {
            bands: Some(200),
            ..Default::default()
        };
        assert!(c.validate().is_err());
    }
}
