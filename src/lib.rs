//! neardup finds near-duplicate documents and repeated boilerplate in a corpus of articles,
//! reports them as clusters, and writes cleaned copies.
//!
//! # Scanning
//! [`scan()`] walks files and folders (text files, JSON Lines, Parquet, compressed shards), and
//! returns a [`ScanOutcome`]:
//! clusters of near-duplicate documents, paragraphs repeated inside a document, and boilerplate
//! paragraphs shared by many unrelated documents. [`Report`] turns it into the report the
//! `neardup` binary prints, as text or JSON.
//!
//! ```
//! use neardup::{Report, ScanConfig, progress::NoProgress};
//!
//! let dir = tempfile::tempdir()?;
//! let article = "Rain is expected over the weekend across the northern provinces, with \
//!                strong winds along the coast and snow on the higher passes by Sunday.";
//! std::fs::write(dir.path().join("a.txt"), article)?;
//! std::fs::write(dir.path().join("b.txt"), format!("{article} Drive carefully."))?;
//! std::fs::write(dir.path().join("c.txt"), "Something else entirely, about cooking rice.")?;
//!
//! let config = ScanConfig::default();
//! let outcome = neardup::scan(&[dir.path().to_path_buf()], &config, &NoProgress)?;
//! assert_eq!(outcome.clusters.len(), 1);
//! assert_eq!(outcome.clusters[0].members.len(), 2);
//!
//! let report = Report::new(&outcome, &config);
//! let mut json = Vec::new();
//! report.write_json(&mut json)?;
//! assert!(String::from_utf8(json)?.contains("\"clusters\""));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Cleaning
//! [`clean()`] runs a scan, then writes a cleaned copy of every input into an output folder,
//! with a manifest of every removal ([`clean::Manifest`]); see its example.
//!
//! # Stages on your own texts
//! [`stages`] has the pieces the scan is made of, for texts that are not in files: the
//! tokenizer, shingles, MinHash signatures, LSH banding and paragraph segmentation.
//!
//! # Problems with inputs
//! A file that cannot be read or decoded never stops a run: it becomes a
//! [`Diagnostic`](diagnostic::Diagnostic) with a [`ProblemKind`](diagnostic::ProblemKind), and
//! the run goes on. [`Error`] is for what stops a whole run (bad parameters, a refused output
//! folder).
//!
//! # Corpora larger than memory
//! [`ScanConfig::memory`] is the scan's memory budget; what does not fit goes to a work folder
//! ([`work`]: external sorts of band keys and paragraph keys, a store of shingle sets and
//! signatures read back by document) and the report is the same for any budget.
//!
//! # Stages run apart
//! [`stage`] runs the first stages by themselves on part of a corpus, with their data in
//! folders (sign a shard, the candidates of a band range, verify candidate runs): the tasks a
//! cluster engine would run, giving the pairs [`scan()`] gives.
//!
//! # Layers
//! The crate is built in layers that only point down: the small dependency-free pieces
//! ([`diagnostic`], `parallel`, `positioned`, [`progress`], [`error`]) -> the readers (`input`:
//! walk, read, decode, JSON Lines, Parquet), the work folder ([`work`]: external sort, spilled store) and the algorithms
//! (`pipeline`: normalize, shingle, minhash, lsh, jaccard, cluster, paragraph, boilerplate;
//! they never read files or print) -> [`config`] and `outcome` -> the scan -> the writers
//! (`report`) and `clean`.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod clean;
pub mod compare;
pub mod config;
pub mod diagnostic;
pub mod error;
mod input;
pub mod outcome;
mod output;
mod parallel;
mod pipeline;
mod positioned;
pub mod progress;
mod scan;
mod shared;
pub mod stage;
pub mod work;

pub use clean::{CleanConfig, CleanOutcome, clean, clean_with};
pub use config::ScanConfig;
pub use error::{Error, Result};
pub use input::memory::Texts;
pub use outcome::ScanOutcome;
pub use output::html;
pub use output::lists;
pub use output::report::{self, Report};
pub use scan::{dedup, document_texts, scan};

/// The stages of a scan, for your own texts. In the scan's order, they give the scan's pairs and
/// similarities exactly: [`Shingler::shingle`](stages::Shingler::shingle) (64-bit shingle
/// fingerprints), [`MinHasher::sign`](stages::MinHasher::sign) and then
/// [`compact_signature`](stages::compact_signature) (the 32-bit signature LSH reads),
/// [`candidate_pairs`](stages::candidate_pairs) over the signatures laid end to end, and
/// [`jaccard`](stages::jaccard) of the [`compact_set`](stages::compact_set)s (the 32-bit sets
/// the scan verifies on) at or above the threshold. [`crate::dedup`] does all of it, and more,
/// for a list of texts.
///
/// ```
/// use neardup::stages::{MinHasher, ShingleKind, Shingler, estimate_jaccard, jaccard};
///
/// let mut shingler = Shingler::new(ShingleKind::Words(3));
/// let (mut a, mut b) = (Vec::new(), Vec::new());
/// shingler.shingle("The quick brown fox jumps over the lazy dog.", &mut a);
/// shingler.shingle("the QUICK brown fox\njumps over the lazy cat", &mut b);
/// // 7 shingles each, 6 shared: J = 6 / 8.
/// assert_eq!(jaccard(&a, &b), 0.75);
///
/// let minhasher = MinHasher::new(128, 42);
/// let (mut sa, mut sb) = (vec![0; 128], vec![0; 128]);
/// minhasher.sign(&a, &mut sa);
/// minhasher.sign(&b, &mut sb);
/// assert!((estimate_jaccard(&sa, &sb) - 0.75).abs() < 0.2);
/// ```
pub mod stages {
    pub use crate::clean::{CleanedText, TextCleaner};
    pub use crate::pipeline::jaccard::jaccard;
    pub use crate::pipeline::lsh::{Banding, Pair, candidate_pairs};
    pub use crate::pipeline::minhash::{MinHasher, Scheme, compact_signature, estimate_jaccard};
    pub use crate::pipeline::normalize::Tokenizer;
    pub use crate::pipeline::paragraph::{Paragraph, preview, segment};
    pub use crate::pipeline::shingle::compact as compact_set;
    pub use crate::pipeline::shingle::{ShingleKind, Shingler};
}

/// Internals for the benchmarks, fuzz targets and tests of this repository. Not part of the
/// API: anything here may change in any release.
#[doc(hidden)]
pub mod internals {
    pub use crate::input::decode;
    pub use crate::input::{Document, SourceKind, SourceRead, documents_in, fingerprint};
    pub use crate::pipeline::cluster::{Group, SimilarPair, group};
    pub use crate::pipeline::jaccard::jaccard_at_least;
    pub use crate::pipeline::paragraph::{Analysis, Analyzer, assemble};
    pub use crate::scan::{HashedDocument, find_clusters, hash_document};
}
