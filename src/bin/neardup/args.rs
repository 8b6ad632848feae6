//! The command line's flags, as clap parses them, and the parsers of their values.

use clap::builder::TypedValueParser;
use clap::{Args, Parser, Subcommand};
use neardup::config::{
    DEFAULT_MIN_DOCS, DEFAULT_MIN_WORDS, DEFAULT_NGRAM, DEFAULT_NUM_PERM, DEFAULT_SEED,
    DEFAULT_THRESHOLD, Keep, MAX_NUM_PERM, TextEncoding,
};
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "neardup",
    version,
    about = "Find near-duplicate documents and repeated boilerplate in a corpus of articles.",
    after_help = "Exit codes: 0 success; 1 the run failed; 2 some input could not be read or \
                  decoded (the rest was processed and reported), or a usage error."
)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Subcommand)]
pub(crate) enum Command {
    /// Report clusters of near-duplicate documents, repeated paragraphs and boilerplate.
    Scan(ScanArgs),
    /// Write cleaned copies: repeated paragraphs and boilerplate stripped, inputs untouched.
    Clean(CleanArgs),
    /// Compare two documents: Jaccard similarity on the scan's shingles, how much of each the
    /// other contains, and the passages they share.
    Compare(Box<CompareArgs>),
    /// Run one of the scan's first stages by itself, on part of a corpus, with its data in
    /// files (the steps a cluster engine runs as separate tasks).
    #[command(subcommand)]
    Stage(StageCommand),
}

#[derive(Args)]
pub(crate) struct CompareArgs {
    /// The first document: a file, PATH:LINE for a JSON Lines record or PATH#ROW for a Parquet
    /// row (0-based).
    #[arg(value_name = "A")]
    pub(crate) a: String,

    /// The second document, named the same way.
    #[arg(value_name = "B")]
    pub(crate) b: String,

    /// Print one JSON object instead of text.
    #[arg(long)]
    pub(crate) json: bool,

    /// Also write the side-by-side view as one self-contained HTML file.
    #[arg(long, value_name = "FILE")]
    pub(crate) html: Option<PathBuf>,

    #[command(flatten)]
    pub(crate) options: ScanOptions,
}

#[derive(Subcommand)]
pub(crate) enum StageCommand {
    /// Sign the documents of PATH... (one shard) into a new shard folder: their shingle sets,
    /// signatures and one sorted run of band keys per band.
    Sign(Box<SignArgs>),
    /// Write the candidate pairs of a range of bands over shard folders (given in corpus order).
    Candidates(CandidatesArgs),
    /// Verify candidate pairs on the shards' shingle sets; write the similar pairs as JSON
    /// Lines, as scan --pairs writes them.
    Verify(VerifyArgs),
}

#[derive(Args)]
pub(crate) struct SignArgs {
    /// Files and folders of the shard (folders are walked recursively).
    #[arg(required = true, value_name = "PATH")]
    pub(crate) paths: Vec<PathBuf>,

    /// The shard folder to make (it must not exist; missing parent folders are made).
    #[arg(long, short = 'o', value_name = "DIR")]
    pub(crate) out: PathBuf,

    #[command(flatten)]
    pub(crate) options: ScanOptions,
}

#[derive(Args)]
pub(crate) struct CandidatesArgs {
    /// Shard folders, in corpus order (documents are numbered over them in this order).
    #[arg(required = true, value_name = "SHARD")]
    pub(crate) shards: Vec<PathBuf>,

    /// Bands to take, as FIRST..END (END excluded); default: every band.
    #[arg(long, value_name = "FIRST..END", value_parser = parse_band_range)]
    pub(crate) bands: Option<std::ops::Range<usize>>,

    /// The file of candidate pairs to write (missing parent folders are made); it names the
    /// shards in their order, which verify checks.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub(crate) out: PathBuf,
}

#[derive(Args)]
pub(crate) struct VerifyArgs {
    /// Shard folders, in the order the candidates were computed over (other shards or another
    /// order are refused).
    #[arg(required = true, value_name = "SHARD")]
    pub(crate) shards: Vec<PathBuf>,

    /// Runs of candidate pairs (from stage candidates), one or more.
    #[arg(long = "candidates", required = true, value_name = "FILE", num_args = 1..)]
    pub(crate) candidates: Vec<PathBuf>,

    /// The JSON Lines file of similar pairs to write (missing parent folders are made).
    #[arg(long, short = 'o', value_name = "FILE")]
    pub(crate) out: PathBuf,
}

/// `FIRST..END` as a range of band numbers.
fn parse_band_range(s: &str) -> Result<std::ops::Range<usize>, String> {
    let (first, end) = s
        .split_once("..")
        .ok_or_else(|| format!("`{s}` is not FIRST..END"))?;
    let number = |n: &str| {
        n.trim()
            .parse::<usize>()
            .map_err(|_| format!("`{n}` is not a band number"))
    };
    let (first, end) = (number(first)?, number(end)?);
    if first >= end {
        return Err(format!("`{s}` holds no band"));
    }
    Ok(first..end)
}

#[derive(Args)]
pub(crate) struct ScanArgs {
    /// Files and folders to scan (folders are walked recursively).
    #[arg(required = true, value_name = "PATH")]
    pub(crate) paths: Vec<PathBuf>,

    /// Print one JSON document instead of text.
    #[arg(long)]
    pub(crate) json: bool,

    /// Show at most N entries of each section of the text report, then "and N more"
    /// (0: everything). The JSON report always has everything.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_LIMIT)]
    pub(crate) limit: usize,

    /// Write every verified similar pair to FILE: JSON Lines, or CSV when FILE ends in .csv.
    #[arg(long, value_name = "FILE")]
    pub(crate) pairs: Option<PathBuf>,

    /// Also write the report as one self-contained HTML file (opens from disk in a browser).
    #[arg(long, value_name = "FILE")]
    pub(crate) html: Option<PathBuf>,

    /// With --html: include full texts for the first N clusters, documents with repeats and
    /// boilerplate paragraphs; the rest are listed without texts.
    #[arg(long, value_name = "N", default_value_t = 50, requires = "html")]
    pub(crate) html_texts: usize,

    /// Print, one per line, the location of every document that `clean --drop-duplicates`
    /// would leave out (for xargs), instead of the report.
    #[arg(long, conflicts_with = "json")]
    pub(crate) list_duplicates: bool,

    /// With --list-duplicates: end each location with a NUL byte instead of a newline.
    #[arg(short = '0', long = "null", requires = "list_duplicates")]
    pub(crate) null: bool,

    #[command(flatten)]
    pub(crate) options: ScanOptions,
}

/// Entries per section of the text report by default: a screen or two.
pub(crate) const DEFAULT_LIMIT: usize = 10;

#[derive(Args)]
pub(crate) struct CleanArgs {
    /// Files and folders to clean (folders are walked recursively).
    #[arg(required = true, value_name = "PATH")]
    pub(crate) paths: Vec<PathBuf>,

    /// Folder for the cleaned copies and the manifest (created if needed; must lie outside the
    /// inputs). Optional with --dry-run.
    #[arg(
        long,
        short = 'o',
        value_name = "DIR",
        required_unless_present = "dry_run"
    )]
    pub(crate) out: Option<PathBuf>,

    /// Paragraphs repeated inside a document: keep the first complete occurrence, drop all, or
    /// keep all (for changelogs, API docs and manuals, where a note repeated under two entries
    /// belongs to each).
    #[arg(long, value_enum, default_value_t = RepeatsArg::KeepFirst)]
    pub(crate) repeats: RepeatsArg,

    /// Keep boilerplate paragraphs (by default those found in --min-docs unrelated documents
    /// are removed).
    #[arg(long)]
    pub(crate) keep_boilerplate: bool,

    /// Also leave out every near-duplicate document but the one --keep keeps in its cluster.
    #[arg(long)]
    pub(crate) drop_duplicates: bool,

    /// Print what would be removed and why; write nothing.
    #[arg(long)]
    pub(crate) dry_run: bool,

    /// Write only the documents: leave out the files of the input folders that --ext does not
    /// select (by default they are copied unchanged, so that the output mirrors the input).
    #[arg(long)]
    pub(crate) text_only: bool,

    /// Print the manifest (JSON) on stdout instead of the text summary.
    #[arg(long)]
    pub(crate) json: bool,

    /// Also write the plan as one self-contained HTML file: every removal highlighted in its
    /// document beside the paragraph it repeats (with --dry-run, before anything is written).
    #[arg(long, value_name = "FILE")]
    pub(crate) html: Option<PathBuf>,

    /// With --html: include the texts of the first N changed documents.
    #[arg(long, value_name = "N", default_value_t = 50, requires = "html")]
    pub(crate) html_texts: usize,

    #[command(flatten)]
    pub(crate) options: ScanOptions,
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub(crate) enum RepeatsArg {
    KeepFirst,
    DropAll,
    KeepAll,
}

#[derive(Args)]
pub(crate) struct ScanOptions {
    /// Jaccard similarity at or above which two documents are near-duplicates, in (0, 1].
    #[arg(long, default_value_t = DEFAULT_THRESHOLD, value_parser = parse_threshold,
          allow_negative_numbers = true)]
    pub(crate) threshold: f64,

    /// Shingles of N consecutive words.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_NGRAM,
          value_parser = clap::value_parser!(u16).range(1..).map(usize::from))]
    pub(crate) ngram: usize,

    /// Shingles of N consecutive characters of the normalized text instead of words.
    #[arg(long, value_name = "N", conflicts_with = "ngram",
          value_parser = clap::value_parser!(u16).range(1..).map(usize::from))]
    pub(crate) char_ngram: Option<usize>,

    /// MinHash permutations (signature length).
    #[arg(long, value_name = "N", default_value_t = DEFAULT_NUM_PERM,
          value_parser = clap::value_parser!(u16).range(1..=MAX_NUM_PERM as i64).map(usize::from))]
    pub(crate) num_perm: usize,

    /// MinHash scheme: one-permutation hashing with densification (one hash per shingle), or
    /// classic MinHash (num-perm hashes per shingle).
    #[arg(long, value_enum, default_value_t = MinHashArg::Oph)]
    pub(crate) minhash: MinHashArg,

    /// Seed of the MinHash permutations.
    #[arg(long, default_value_t = DEFAULT_SEED)]
    pub(crate) seed: u64,

    /// LSH bands (default: chosen from the threshold, see the report).
    #[arg(long, value_name = "B", value_parser = clap::value_parser!(u16).range(1..).map(usize::from))]
    pub(crate) bands: Option<usize>,

    /// Rows per LSH band (default: chosen from the threshold).
    #[arg(long, value_name = "R", value_parser = clap::value_parser!(u16).range(1..).map(usize::from))]
    pub(crate) rows: Option<usize>,

    /// How chains of similar pairs become clusters: "center" splits them into stars whose members
    /// are all similar to the representative; "single" keeps each connected component whole.
    #[arg(long, value_enum, default_value_t = LinkageArg::Center)]
    pub(crate) linkage: LinkageArg,

    /// Accept candidates on the signature estimate instead of the exact Jaccard.
    #[arg(long)]
    pub(crate) no_verify: bool,

    /// A paragraph is boilerplate when found in at least N unrelated documents (near-duplicates
    /// and close copies count once).
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MIN_DOCS,
          value_parser = clap::value_parser!(u32).range(2..).map(|n| n as usize))]
    pub(crate) min_docs: usize,

    /// Paragraphs of fewer than N words (a heading, "Share this") are short: they join the block
    /// of boilerplate that opens or closes a document, but do not make one by themselves.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MIN_WORDS,
          value_parser = clap::value_parser!(u32).range(1..).map(|n| n as usize))]
    pub(crate) min_words: usize,

    /// Which member of a cluster of near-duplicates is kept (clean --drop-duplicates, scan
    /// --list-duplicates, the report's mark): the first in path then record order (date-named
    /// files: the oldest), the one with the most words, or the file modified last.
    #[arg(long, value_enum, default_value_t = KeepArg::First, conflicts_with = "keep_by")]
    pub(crate) keep: KeepArg,

    /// Keep the JSON Lines or Parquet record whose FIELD is largest (desc, the default) or smallest (asc):
    /// a date or a quality score. Records without the field are kept last.
    #[arg(long, value_name = "FIELD[:asc|desc]", value_parser = parse_keep_by)]
    pub(crate) keep_by: Option<Keep>,

    /// File extensions to read while walking folders, comma-separated; "" for none
    /// [default: txt,md,text,jsonl,ndjson,parquet,""].
    #[arg(long, value_name = "EXT", value_delimiter = ',')]
    pub(crate) ext: Option<Vec<String>>,

    /// JSON Lines field or Parquet column holding the text.
    #[arg(long, value_name = "NAME", default_value = "text")]
    pub(crate) text_field: String,

    /// JSON Lines field or Parquet column holding the document id (the line or row number when
    /// absent).
    #[arg(long, value_name = "NAME", default_value = "id")]
    pub(crate) id_field: String,

    /// Follow symbolic links while walking folders.
    #[arg(long)]
    pub(crate) follow: bool,

    /// Encoding of files without a byte-order mark, as a WHATWG label (utf-8, latin1,
    /// windows-1252, shift_jis, utf-16le, ...) [default: detect].
    #[arg(long, value_name = "LABEL", value_parser = parse_encoding)]
    pub(crate) encoding: Option<TextEncoding>,

    /// How files become documents: "auto" by extension (.jsonl and .ndjson are JSON Lines,
    /// .parquet is Parquet, the rest text), or every file as "text", "jsonl" or "parquet".
    #[arg(long, value_enum, default_value_t = FormatArg::Auto)]
    pub(crate) format: FormatArg,

    /// Worker threads (0: one per core).
    #[arg(long, short = 'j', value_name = "N", default_value_t = 0,
          value_parser = clap::value_parser!(u16).range(0..=1024).map(usize::from))]
    pub(crate) threads: usize,

    /// No progress bars and no notes (warnings are still printed).
    #[arg(long, short = 'q')]
    pub(crate) quiet: bool,

    /// Memory budget, as for sort -S: "500M", "2G", or a share of the machine's memory ("25%").
    /// What does not fit goes to the work folder; the report is the same for any budget.
    /// Default: half of the memory available when the run starts.
    #[arg(long, value_name = "SIZE", value_parser = neardup::work::parse_size)]
    pub(crate) memory: Option<u64>,

    /// Folder in which the run makes its work folder for spilled data (default: the system temp
    /// folder). The work folder is removed at the end, on an error and on Ctrl-C.
    #[arg(long, value_name = "DIR")]
    pub(crate) work_dir: Option<std::path::PathBuf>,

    /// Keep the work folder after the run (its path is printed on stderr).
    #[arg(long)]
    pub(crate) keep_work: bool,
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub(crate) enum MinHashArg {
    Oph,
    Classic,
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub(crate) enum FormatArg {
    Auto,
    Text,
    Jsonl,
    Parquet,
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub(crate) enum KeepArg {
    First,
    Longest,
    Newest,
}

/// `FIELD`, `FIELD:asc` or `FIELD:desc`.
pub(crate) fn parse_keep_by(s: &str) -> Result<Keep, String> {
    let (name, descending) = match s.rsplit_once(':') {
        Some((name, "desc")) => (name, true),
        Some((name, "asc")) => (name, false),
        _ => (s, true),
    };
    if name.is_empty() {
        return Err("the field name is empty".into());
    }
    Ok(Keep::Field {
        name: name.to_string(),
        descending,
    })
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub(crate) enum LinkageArg {
    Center,
    Single,
}

pub(crate) fn parse_encoding(s: &str) -> Result<TextEncoding, String> {
    TextEncoding::for_label(s).ok_or_else(|| {
        format!("`{s}` is not an encoding label (try utf-8, windows-1252, shift_jis, utf-16le)")
    })
}

pub(crate) fn parse_threshold(s: &str) -> Result<f64, String> {
    let t: f64 = s.parse().map_err(|_| format!("`{s}` is not a number"))?;
    if t > 0.0 && t <= 1.0 {
        Ok(t)
    } else {
        Err(format!("must be in (0, 1], got {s}"))
    }
}
