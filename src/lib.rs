//! neardup finds near-duplicate documents in a corpus of articles and reports them as clusters.
//!
//! The library does the work as a pipeline of stages, one module each:
//! [`corpus`] (walk, read; [`decode`] turns bytes into text) -> [`normalize`] (NFKC, case and punctuation folding, tokens)
//! -> [`shingle`] (k-gram fingerprints) -> [`minhash`] (signatures) -> [`lsh`] (candidate pairs)
//! -> verification by exact Jaccard -> [`cluster`] (union-find) -> [`report`] (text, JSON).
//! Alongside, [`paragraph`] cuts each document into paragraphs and finds the repeats inside it,
//! and [`boilerplate`] finds the paragraphs shared by many unrelated documents.
//! [`scan::scan`] runs them all; [`clean::clean`] runs a scan, then writes cleaned copies. The
//! `neardup` binary is a thin front end over the two.
//!
//! ```
//! use neardup::shingle::{jaccard, ShingleKind, Shingler};
//!
//! let mut shingler = Shingler::new(ShingleKind::Words(3));
//! let (mut a, mut b) = (Vec::new(), Vec::new());
//! shingler.shingle("The quick brown fox jumps over the lazy dog.", &mut a);
//! shingler.shingle("the QUICK brown fox\njumps over the lazy cat", &mut b);
//! // 7 shingles each, 6 shared: J = 6 / 8.
//! assert_eq!(jaccard(&a, &b), 0.75);
//! ```

pub mod boilerplate;
pub mod clean;
pub mod cluster;
pub mod config;
pub mod corpus;
pub mod decode;
pub mod error;
pub mod lsh;
pub mod minhash;
pub mod normalize;
pub mod paragraph;
pub mod progress;
pub mod report;
pub mod scan;
pub mod shingle;

pub use clean::{CleanConfig, clean};
pub use config::ScanConfig;
pub use error::{Error, Result};
pub use report::Report;
pub use scan::{ScanOutcome, scan};
