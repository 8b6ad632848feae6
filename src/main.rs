//! The `neardup` command line: parses flags, sets up progress bars, runs the library, prints the
//! report and chooses the exit code. All the work is in the library.

use clap::builder::TypedValueParser;
use clap::{Args, CommandFactory, Parser, Subcommand};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use neardup::cluster::Linkage;
use neardup::config::{
    DEFAULT_NGRAM, DEFAULT_NUM_PERM, DEFAULT_SEED, DEFAULT_THRESHOLD, MAX_NUM_PERM,
};
use neardup::corpus::{DEFAULT_EXTENSIONS, InputOptions};
use neardup::progress::{NoProgress, Progress, Stage};
use neardup::shingle::ShingleKind;
use neardup::{Report, ScanConfig};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::RwLock;

/// Exit code when some input could not be read or decoded (the rest was processed).
const EXIT_INPUT_ERRORS: u8 = 2;
/// Exit code for a failure that stopped the run (for example, stdout could not be written).
const EXIT_FAILURE: u8 = 1;

#[derive(Parser)]
#[command(
    name = "neardup",
    version,
    about = "Find near-duplicate documents and repeated boilerplate in a corpus of articles.",
    after_help = "Exit codes: 0 success; 1 the run failed; 2 some input could not be read or \
                  decoded (the rest was processed and reported), or a usage error."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Report clusters of near-duplicate documents.
    Scan(ScanArgs),
}

#[derive(Args)]
struct ScanArgs {
    /// Files and folders to scan (folders are walked recursively).
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,

    /// Jaccard similarity at or above which two documents are near-duplicates, in (0, 1].
    #[arg(long, default_value_t = DEFAULT_THRESHOLD, value_parser = parse_threshold)]
    threshold: f64,

    /// Shingles of N consecutive words.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_NGRAM,
          value_parser = clap::value_parser!(u16).range(1..).map(usize::from))]
    ngram: usize,

    /// Shingles of N consecutive characters of the normalized text instead of words.
    #[arg(long, value_name = "N", conflicts_with = "ngram",
          value_parser = clap::value_parser!(u16).range(1..).map(usize::from))]
    char_ngram: Option<usize>,

    /// MinHash permutations (signature length).
    #[arg(long, value_name = "N", default_value_t = DEFAULT_NUM_PERM,
          value_parser = clap::value_parser!(u16).range(1..=MAX_NUM_PERM as i64).map(usize::from))]
    num_perm: usize,

    /// Seed of the MinHash permutations.
    #[arg(long, default_value_t = DEFAULT_SEED)]
    seed: u64,

    /// LSH bands (default: chosen from the threshold, see the report).
    #[arg(long, value_name = "B", value_parser = clap::value_parser!(u16).range(1..).map(usize::from))]
    bands: Option<usize>,

    /// Rows per LSH band (default: chosen from the threshold).
    #[arg(long, value_name = "R", value_parser = clap::value_parser!(u16).range(1..).map(usize::from))]
    rows: Option<usize>,

    /// How chains of similar pairs become clusters: "center" splits them into stars whose members
    /// are all similar to the representative; "single" keeps each connected component whole.
    #[arg(long, value_enum, default_value_t = LinkageArg::Center)]
    linkage: LinkageArg,

    /// Accept candidates on the signature estimate instead of the exact Jaccard.
    #[arg(long)]
    no_verify: bool,

    /// Print one JSON document instead of text.
    #[arg(long)]
    json: bool,

    /// File extensions to read while walking folders, comma-separated; "" for none
    /// [default: txt,md,text,jsonl,""].
    #[arg(long, value_name = "EXT", value_delimiter = ',')]
    ext: Option<Vec<String>>,

    /// JSONL field holding the text.
    #[arg(long, value_name = "NAME", default_value = "text")]
    text_field: String,

    /// JSONL field holding the document id (the line number when absent).
    #[arg(long, value_name = "NAME", default_value = "id")]
    id_field: String,

    /// Follow symbolic links while walking folders.
    #[arg(long)]
    follow: bool,

    /// Worker threads (0: one per core).
    #[arg(long, short = 'j', value_name = "N", default_value_t = 0,
          value_parser = clap::value_parser!(u16).range(0..=1024).map(usize::from))]
    threads: usize,

    /// No progress bars.
    #[arg(long, short = 'q')]
    quiet: bool,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum LinkageArg {
    Center,
    Single,
}

fn parse_threshold(s: &str) -> Result<f64, String> {
    let t: f64 = s.parse().map_err(|_| format!("`{s}` is not a number"))?;
    if t > 0.0 && t <= 1.0 {
        Ok(t)
    } else {
        Err(format!("must be in (0, 1], got {s}"))
    }
}

/// indicatif progress bars on stderr, one per stage.
struct Bars {
    bar: RwLock<ProgressBar>,
}

impl Bars {
    fn new() -> Self {
        Bars {
            bar: RwLock::new(ProgressBar::hidden()),
        }
    }
}

impl Progress for Bars {
    fn start(&self, stage: Stage, total: u64) {
        let template = match stage {
            Stage::Hashing => {
                "{prefix:>9} [{bar:30}] {bytes}/{total_bytes} ({binary_bytes_per_sec}, {eta})"
            }
            _ => "{prefix:>9} [{bar:30}] {human_pos}/{human_len} ({per_sec}, {eta})",
        };
        let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr())
            .with_style(
                ProgressStyle::with_template(template)
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> "),
            )
            .with_prefix(stage.label());
        if let Ok(mut slot) = self.bar.write() {
            *slot = bar;
        }
    }

    fn advance(&self, units: u64) {
        if let Ok(bar) = self.bar.read() {
            bar.inc(units);
        }
    }

    fn finish(&self) {
        if let Ok(bar) = self.bar.read() {
            bar.finish_and_clear();
        }
    }
}

fn warn(message: impl std::fmt::Display) {
    eprintln!("neardup: {message}");
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Scan(args) => run_scan(args),
    }
}

fn run_scan(args: ScanArgs) -> ExitCode {
    if args.threads > 0
        && let Err(e) = rayon::ThreadPoolBuilder::new()
            .num_threads(args.threads)
            .build_global()
    {
        warn(format!("could not set up {} threads: {e}", args.threads));
        return ExitCode::from(EXIT_FAILURE);
    }
    let config = ScanConfig {
        shingle: match args.char_ngram {
            Some(n) => ShingleKind::Chars(n),
            None => ShingleKind::Words(args.ngram),
        },
        num_perm: args.num_perm,
        seed: args.seed,
        threshold: args.threshold,
        bands: args.bands,
        rows: args.rows,
        verify: !args.no_verify,
        linkage: match args.linkage {
            LinkageArg::Center => Linkage::Center,
            LinkageArg::Single => Linkage::Single,
        },
        input: InputOptions {
            extensions: args
                .ext
                .map(|exts| {
                    exts.iter()
                        .map(|e| e.trim_start_matches('.').to_lowercase())
                        .collect()
                })
                .unwrap_or_else(|| DEFAULT_EXTENSIONS.iter().map(|e| e.to_string()).collect()),
            text_field: args.text_field,
            id_field: args.id_field,
            follow_links: args.follow,
        },
    };
    if let Err(e) = config.validate() {
        Cli::command()
            .error(clap::error::ErrorKind::ArgumentConflict, e.to_string())
            .exit();
    }
    let show_progress = !args.quiet && std::io::stderr().is_terminal();
    let bars = Bars::new();
    let progress: &dyn Progress = if show_progress { &bars } else { &NoProgress };

    let outcome = match neardup::scan(&args.paths, &config, progress) {
        Ok(outcome) => outcome,
        Err(e) => {
            warn(e);
            return ExitCode::from(EXIT_FAILURE);
        }
    };
    for problem in &outcome.diagnostics {
        warn(problem);
    }
    for doc in &outcome.empty_documents {
        warn(format!(
            "{}: empty document (no words), skipped",
            doc.label()
        ));
    }
    let report = Report::new(&outcome, &config);
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let written = if args.json {
        report.write_json(&mut out)
    } else {
        report.write_text(&mut out)
    }
    .and_then(|()| out.flush());
    match written {
        Ok(()) => {}
        // A closed pipe (`neardup scan ... | head`) is not an error worth a message.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        Err(e) => {
            warn(format!("could not write the report: {e}"));
            return ExitCode::from(EXIT_FAILURE);
        }
    }
    if outcome.diagnostics.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_INPUT_ERRORS)
    }
}
