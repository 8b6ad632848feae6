//! The `neardup` command line: parses flags, sets up progress bars, runs the library, prints the
//! report and chooses the exit code. All the work is in the library.

use clap::builder::TypedValueParser;
use clap::{Args, CommandFactory, Parser, Subcommand};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use neardup::clean::{
    AtomicFiles, CleanConfig, CleanOutcome, OutputWriter, RemovalReason, RepeatKind, RepeatsMode,
};
use neardup::config::{
    DEFAULT_EXTENSIONS, DEFAULT_MIN_DOCS, DEFAULT_MIN_WORDS, DEFAULT_NGRAM, DEFAULT_NUM_PERM,
    DEFAULT_SEED, DEFAULT_THRESHOLD, InputFormat, InputOptions, Keep, Linkage, MAX_NUM_PERM,
    Scheme, ShingleKind, TextEncoding,
};
use neardup::diagnostic::{Diagnostic, location};
use neardup::progress::{NoProgress, Progress, Stage};
use neardup::report::count;
use neardup::{Report, ScanConfig, lists};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

/// mimalloc instead of the system allocator: a scan keeps hundreds of thousands of small sets
/// alive, allocated from every worker thread at once, where glibc's malloc spent time in
/// malloc/free and in `mprotect` calls growing its per-thread arenas (the README's "Where the
/// time goes" has the measurement).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Exit code when some input could not be read or decoded (the rest was processed).
const EXIT_INPUT_ERRORS: u8 = 2;
/// Exit code for a failure that stopped the run (for example, stdout could not be written).
const EXIT_FAILURE: u8 = 1;
/// Exit code after Ctrl-C (or SIGTERM) stopped `clean` (128 + SIGINT, as shells report Ctrl-C).
const EXIT_INTERRUPTED: u8 = 130;

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
    /// Report clusters of near-duplicate documents, repeated paragraphs and boilerplate.
    Scan(ScanArgs),
    /// Write cleaned copies: repeated paragraphs and boilerplate stripped, inputs untouched.
    Clean(CleanArgs),
}

#[derive(Args)]
struct ScanArgs {
    /// Files and folders to scan (folders are walked recursively).
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,

    /// Print one JSON document instead of text.
    #[arg(long)]
    json: bool,

    /// Show at most N entries of each section of the text report, then "and N more"
    /// (0: everything). The JSON report always has everything.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_LIMIT)]
    limit: usize,

    /// Write every verified similar pair to FILE: JSON Lines, or CSV when FILE ends in .csv.
    #[arg(long, value_name = "FILE")]
    pairs: Option<PathBuf>,

    /// Print, one per line, the location of every document that `clean --drop-duplicates`
    /// would leave out (for xargs), instead of the report.
    #[arg(long, conflicts_with = "json")]
    list_duplicates: bool,

    /// With --list-duplicates: end each location with a NUL byte instead of a newline.
    #[arg(short = '0', long = "null", requires = "list_duplicates")]
    null: bool,

    #[command(flatten)]
    options: ScanOptions,
}

/// Entries per section of the text report by default: a screen or two.
const DEFAULT_LIMIT: usize = 10;

#[derive(Args)]
struct CleanArgs {
    /// Files and folders to clean (folders are walked recursively).
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,

    /// Folder for the cleaned copies and the manifest (created if needed; must lie outside the
    /// inputs). Optional with --dry-run.
    #[arg(
        long,
        short = 'o',
        value_name = "DIR",
        required_unless_present = "dry_run"
    )]
    out: Option<PathBuf>,

    /// Paragraphs repeated inside a document: keep the first complete occurrence, or drop all.
    #[arg(long, value_enum, default_value_t = RepeatsArg::KeepFirst)]
    repeats: RepeatsArg,

    /// Keep boilerplate paragraphs (by default those found in --min-docs unrelated documents
    /// are removed).
    #[arg(long)]
    keep_boilerplate: bool,

    /// Also leave out every near-duplicate document but the one --keep keeps in its cluster.
    #[arg(long)]
    drop_duplicates: bool,

    /// Print what would be removed and why; write nothing.
    #[arg(long)]
    dry_run: bool,

    /// Write only the documents: leave out the files of the input folders that --ext does not
    /// select (by default they are copied unchanged, so that the output mirrors the input).
    #[arg(long)]
    text_only: bool,

    /// Print the manifest (JSON) on stdout instead of the text summary.
    #[arg(long)]
    json: bool,

    #[command(flatten)]
    options: ScanOptions,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum RepeatsArg {
    KeepFirst,
    DropAll,
}

#[derive(Args)]
struct ScanOptions {
    /// Jaccard similarity at or above which two documents are near-duplicates, in (0, 1].
    #[arg(long, default_value_t = DEFAULT_THRESHOLD, value_parser = parse_threshold,
          allow_negative_numbers = true)]
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

    /// MinHash scheme: one-permutation hashing with densification (one hash per shingle), or
    /// classic MinHash (num-perm hashes per shingle).
    #[arg(long, value_enum, default_value_t = MinHashArg::Oph)]
    minhash: MinHashArg,

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

    /// A paragraph is boilerplate when found in at least N unrelated documents (near-duplicates
    /// and close copies count once).
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MIN_DOCS,
          value_parser = clap::value_parser!(u32).range(2..).map(|n| n as usize))]
    min_docs: usize,

    /// A boilerplate paragraph of fewer than N words (a heading, "Share this") counts only beside
    /// longer boilerplate or at the end of a document; N words or more count wherever found.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MIN_WORDS,
          value_parser = clap::value_parser!(u32).range(1..).map(|n| n as usize))]
    min_words: usize,

    /// Which member of a cluster of near-duplicates is kept (clean --drop-duplicates, scan
    /// --list-duplicates, the report's mark): the first in path then record order (date-named
    /// files: the oldest), the one with the most words, or the file modified last.
    #[arg(long, value_enum, default_value_t = KeepArg::First, conflicts_with = "keep_by")]
    keep: KeepArg,

    /// Keep the JSON Lines record whose FIELD is largest (desc, the default) or smallest (asc):
    /// a date or a quality score. Records without the field are kept last.
    #[arg(long, value_name = "FIELD[:asc|desc]", value_parser = parse_keep_by)]
    keep_by: Option<Keep>,

    /// File extensions to read while walking folders, comma-separated; "" for none
    /// [default: txt,md,text,jsonl,ndjson,""].
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

    /// Encoding of files without a byte-order mark, as a WHATWG label (utf-8, latin1,
    /// windows-1252, shift_jis, utf-16le, ...) [default: detect].
    #[arg(long, value_name = "LABEL", value_parser = parse_encoding)]
    encoding: Option<TextEncoding>,

    /// How files become documents: "auto" by extension (.jsonl and .ndjson are JSON Lines,
    /// the rest text), or every file as "text" or as "jsonl".
    #[arg(long, value_enum, default_value_t = FormatArg::Auto)]
    format: FormatArg,

    /// Worker threads (0: one per core).
    #[arg(long, short = 'j', value_name = "N", default_value_t = 0,
          value_parser = clap::value_parser!(u16).range(0..=1024).map(usize::from))]
    threads: usize,

    /// No progress bars and no notes (warnings are still printed).
    #[arg(long, short = 'q')]
    quiet: bool,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum MinHashArg {
    Oph,
    Classic,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum FormatArg {
    Auto,
    Text,
    Jsonl,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum KeepArg {
    First,
    Longest,
    Newest,
}

/// `FIELD`, `FIELD:asc` or `FIELD:desc`.
fn parse_keep_by(s: &str) -> Result<Keep, String> {
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
enum LinkageArg {
    Center,
    Single,
}

fn parse_encoding(s: &str) -> Result<TextEncoding, String> {
    TextEncoding::for_label(s).ok_or_else(|| {
        format!("`{s}` is not an encoding label (try utf-8, windows-1252, shift_jis, utf-16le)")
    })
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
            Stage::Hashing | Stage::Writing => {
                "{prefix:>9} [{bar:30}] {bytes}/{total_bytes} ({binary_bytes_per_sec}, {eta})"
            }
            // indicatif's own {per_sec} prints fractions ("60,079,899.4316/s").
            _ => "{prefix:>9} [{bar:30}] {human_pos}/{human_len} ({rate}, {eta})",
        };
        let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr())
            .with_style(
                ProgressStyle::with_template(template)
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .with_key(
                        "rate",
                        |state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                            let _ = w.write_str(&per_second(state.per_sec()));
                        },
                    )
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

/// Wraps the progress display with what must happen when a stage starts: `clean` takes over
/// Ctrl-C when writing begins (before that, Ctrl-C ends the process at once, as nothing has been
/// written yet), and the hooks the integration tests use to act in the middle of a run.
struct StageHooks<'a> {
    display: &'a dyn Progress,
    /// Raised by SIGINT once writing has begun.
    interrupt: Option<Arc<AtomicBool>>,
    /// Test hook `NEARDUP_TEST_PAUSE_AT=STAGE`: when that stage starts, say so on stderr and wait
    /// for a line on stdin (the test changes files meanwhile).
    pause_at: Option<String>,
    /// Test hook `NEARDUP_TEST_WRITE_DELAY_MS=N`: sleep after each file written (so that a test
    /// can interrupt a run in the middle).
    write_delay: Option<std::time::Duration>,
    writing: AtomicBool,
}

impl<'a> StageHooks<'a> {
    fn new(display: &'a dyn Progress, interrupt: Option<Arc<AtomicBool>>) -> Self {
        StageHooks {
            display,
            interrupt,
            pause_at: std::env::var("NEARDUP_TEST_PAUSE_AT").ok(),
            write_delay: std::env::var("NEARDUP_TEST_WRITE_DELAY_MS")
                .ok()
                .and_then(|ms| ms.parse().ok())
                .map(std::time::Duration::from_millis),
            writing: AtomicBool::new(false),
        }
    }
}

impl Progress for StageHooks<'_> {
    fn start(&self, stage: Stage, total: u64) {
        if stage == Stage::Writing {
            self.writing.store(true, Ordering::SeqCst);
            if let Some(flag) = &self.interrupt {
                for signal in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
                    // The first signal raises the flag; a second one, with the flag raised,
                    // ends the process at once (a stuck file system, an impatient user).
                    let caught = signal_hook::flag::register_conditional_shutdown(
                        signal,
                        EXIT_INTERRUPTED.into(),
                        flag.clone(),
                    )
                    .and_then(|_| signal_hook::flag::register(signal, flag.clone()));
                    if let Err(e) = caught {
                        warn(format!("could not catch signal {signal}: {e}"));
                    }
                }
            }
        }
        if self.pause_at.as_deref() == Some(stage.label()) {
            eprintln!("neardup: test pause before {}", stage.label());
            let mut line = String::new();
            let _ = std::io::stdin().read_line(&mut line);
        }
        self.display.start(stage, total);
    }

    fn advance(&self, units: u64) {
        if let Some(delay) = self.write_delay
            && self.writing.load(Ordering::SeqCst)
        {
            std::thread::sleep(delay);
        }
        self.display.advance(units);
    }

    fn finish(&self) {
        self.display.finish();
    }
}

/// The test double for a full disk, test hook `NEARDUP_TEST_DISK_BYTES=N`: writes fail as on a
/// full disk (`StorageFull`) once N bytes have been written in all, wherever the output is. For
/// the integration tests, where a small tmpfs cannot be mounted; unset, every file goes straight
/// to [`AtomicFiles`].
struct LimitedDisk {
    left: Option<AtomicU64>,
}

impl LimitedDisk {
    fn from_environment() -> Self {
        let left = std::env::var("NEARDUP_TEST_DISK_BYTES")
            .ok()
            .and_then(|limit| limit.parse().ok())
            .map(AtomicU64::new);
        LimitedDisk { left }
    }
}

impl OutputWriter for LimitedDisk {
    fn write(
        &self,
        path: &std::path::Path,
        bytes: &[u8],
        permissions_of: Option<&std::path::Path>,
    ) -> std::io::Result<()> {
        if let Some(left) = &self.left {
            let wanted = bytes.len() as u64;
            left.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |l| {
                l.checked_sub(wanted)
            })
            .map_err(|_| std::io::Error::from(std::io::ErrorKind::StorageFull))?;
        }
        AtomicFiles.write(path, bytes, permissions_of)
    }
}

/// The warning for a scan that found no document to compare: what it read and passed over.
fn no_documents(outcome: &neardup::ScanOutcome) -> String {
    let passed_over = outcome.passed_over.other_files.len();
    let mut message = format!(
        "no documents to compare: {} read",
        count(outcome.stats.files, "file")
    );
    if outcome.stats.empty_documents > 0 {
        message.push_str(&format!(
            ", {} without words",
            count(outcome.stats.empty_documents, "document")
        ));
    }
    if passed_over > 0 {
        message.push_str(&format!(
            ", {} passed over by extension (--ext selects them)",
            count(passed_over, "file")
        ));
    }
    message
}

/// A rate for a progress bar: whole units per second, with thousands separators.
fn per_second(rate: f64) -> String {
    let whole = if rate.is_finite() && rate > 0.0 {
        rate.round() as u64
    } else {
        0
    };
    format!("{}/s", indicatif::HumanCount(whole))
}

fn warn(message: impl std::fmt::Display) {
    eprintln!("neardup: {message}");
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Scan(args) => run_scan(args),
        Command::Clean(args) => run_clean(args),
    }
}

/// What goes to stderr besides warnings.
#[derive(Clone, Copy)]
struct Chatter {
    progress: bool,
    notes: bool,
}

impl Chatter {
    fn notes(self, notes: &[Diagnostic]) {
        if self.notes {
            for note in notes {
                eprintln!("neardup: note: {note}");
            }
        }
    }
}

/// Sets the thread count, builds and validates the scan configuration; a usage error exits.
fn prepare(subcommand: &str, options: ScanOptions) -> Result<(ScanConfig, Chatter), ExitCode> {
    if options.threads > 0
        && let Err(e) = rayon::ThreadPoolBuilder::new()
            .num_threads(options.threads)
            .build_global()
    {
        warn(format!("could not set up {} threads: {e}", options.threads));
        return Err(ExitCode::from(EXIT_FAILURE));
    }
    let chatter = Chatter {
        progress: !options.quiet && std::io::stderr().is_terminal(),
        notes: !options.quiet,
    };
    let config = ScanConfig {
        shingle: match options.char_ngram {
            Some(n) => ShingleKind::Chars(n),
            None => ShingleKind::Words(options.ngram),
        },
        num_perm: options.num_perm,
        minhash: match options.minhash {
            MinHashArg::Oph => Scheme::OnePermutation,
            MinHashArg::Classic => Scheme::Classic,
        },
        seed: options.seed,
        threshold: options.threshold,
        bands: options.bands,
        rows: options.rows,
        verify: !options.no_verify,
        linkage: match options.linkage {
            LinkageArg::Center => Linkage::Center,
            LinkageArg::Single => Linkage::Single,
        },
        input: InputOptions {
            extensions: options
                .ext
                .map(|exts| {
                    exts.iter()
                        .map(|e| e.trim_start_matches('.').to_lowercase())
                        .collect()
                })
                .unwrap_or_else(|| DEFAULT_EXTENSIONS.iter().map(|e| e.to_string()).collect()),
            text_field: options.text_field,
            id_field: options.id_field,
            follow_links: options.follow,
            encoding: options.encoding,
            format: match options.format {
                FormatArg::Auto => InputFormat::Auto,
                FormatArg::Text => InputFormat::Text,
                FormatArg::Jsonl => InputFormat::Jsonl,
            },
            // Only a progress bar needs the sizes before the files are read.
            sizes_up_front: chatter.progress,
            keep_field: None,
        },
        min_docs: options.min_docs,
        min_words: options.min_words,
        keep: options.keep_by.unwrap_or(match options.keep {
            KeepArg::First => Keep::First,
            KeepArg::Longest => Keep::Longest,
            KeepArg::Newest => Keep::Newest,
        }),
    };
    if let Err(e) = config.validate() {
        // The subcommand's usage line, not the top level's `neardup <COMMAND>`.
        let mut command = Cli::command();
        command.build();
        let mut command = command
            .find_subcommand_mut(subcommand)
            .cloned()
            .unwrap_or_else(Cli::command);
        let neardup::Error::InvalidConfig(message) = e else {
            command
                .error(clap::error::ErrorKind::ArgumentConflict, e.to_string())
                .exit()
        };
        command
            .error(clap::error::ErrorKind::ArgumentConflict, message)
            .exit();
    }
    Ok((config, chatter))
}

/// Writes a report to stdout; a closed pipe is not an error.
fn print(write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> Result<(), ExitCode> {
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    match write(&mut out).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        // A closed pipe (`neardup scan ... | head`) is not an error worth a message.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => {
            warn(format!("could not write the report: {e}"));
            Err(ExitCode::from(EXIT_FAILURE))
        }
    }
}

fn run_scan(args: ScanArgs) -> ExitCode {
    let (config, chatter) = match prepare("scan", args.options) {
        Ok(prepared) => prepared,
        Err(code) => return code,
    };
    let bars = Bars::new();
    let display: &dyn Progress = if chatter.progress { &bars } else { &NoProgress };
    let hooks = StageHooks::new(display, None);
    let progress: &dyn Progress = &hooks;

    let mut outcome = match neardup::scan(&args.paths, &config, progress) {
        Ok(outcome) => outcome,
        Err(e) => {
            warn(e);
            return ExitCode::from(EXIT_FAILURE);
        }
    };
    chatter.notes(&outcome.notes);
    for problem in &outcome.diagnostics {
        warn(problem);
    }
    if outcome.stats.documents == 0 {
        warn(no_documents(&outcome));
    }
    if let Some(path) = &args.pairs {
        let mut bytes = Vec::new();
        let written = lists::write_pairs(&outcome, lists::PairsFormat::for_path(path), &mut bytes)
            .and_then(|()| AtomicFiles.write(path, &bytes, None));
        if let Err(e) = written {
            warn(format!(
                "{}: could not write the pairs: {e}",
                path.display()
            ));
            return ExitCode::from(EXIT_FAILURE);
        }
    }
    let report = Report::new(&outcome, &config);
    let printed = print(|out| {
        if args.list_duplicates {
            lists::write_left_out(&outcome, config.threshold, args.null, out)
        } else if args.json {
            report.write_json(out)
        } else {
            report.write_text_limited(out, args.limit)
        }
    });
    if let Err(code) = printed {
        return code;
    }
    let code = if outcome.diagnostics.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_INPUT_ERRORS)
    };
    // The process ends here: freeing every document's record one by one (hundreds of thousands
    // of allocations on a large corpus) would only delay the exit; the system takes the memory
    // back at once.
    std::mem::forget(report);
    // What the walk passed over is dropped properly: it holds standard input's temporary copy,
    // which its drop removes.
    drop(std::mem::take(&mut outcome.passed_over));
    std::mem::forget(outcome);
    code
}

fn run_clean(args: CleanArgs) -> ExitCode {
    let (scan, chatter) = match prepare("clean", args.options) {
        Ok(prepared) => prepared,
        Err(code) => return code,
    };
    let config = CleanConfig {
        scan,
        // A dry run without --out plans without an output folder.
        out: args.out.unwrap_or_default(),
        repeats: match args.repeats {
            RepeatsArg::KeepFirst => RepeatsMode::KeepFirst,
            RepeatsArg::DropAll => RepeatsMode::DropAll,
        },
        strip_boilerplate: !args.keep_boilerplate,
        drop_duplicates: args.drop_duplicates,
        dry_run: args.dry_run,
        copy_other_files: !args.text_only,
        interrupt: Arc::new(AtomicBool::new(false)),
    };
    let bars = Bars::new();
    let display: &dyn Progress = if chatter.progress { &bars } else { &NoProgress };
    let hooks = StageHooks::new(display, Some(config.interrupt.clone()));
    let progress: &dyn Progress = &hooks;
    let writer = LimitedDisk::from_environment();
    let outcome = match neardup::clean_with(&args.paths, &config, progress, &writer) {
        Ok(outcome) => outcome,
        Err(neardup::Error::Refused(message)) => {
            warn(format!("refusing to write: {message}"));
            return ExitCode::from(EXIT_INPUT_ERRORS);
        }
        Err(e) => {
            warn(e);
            return ExitCode::from(EXIT_FAILURE);
        }
    };
    chatter.notes(&outcome.notes);
    for problem in outcome.diagnostics.iter().chain(&outcome.write_failures) {
        warn(problem);
    }
    if outcome.manifest.stats.documents == 0 {
        let stats = &outcome.manifest.stats;
        warn(format!(
            "no documents to clean: {} read",
            count(stats.files, "file")
        ));
    }
    if outcome.interrupted {
        let stats = &outcome.manifest.stats;
        warn(format!(
            "interrupted: {} of {} files written, each complete; no manifest written. Run the \
             same command again to finish.",
            stats.files_written, stats.files
        ));
        return ExitCode::from(EXIT_INTERRUPTED);
    }
    let printed = print(|out| {
        if args.json {
            serde_json::to_writer_pretty(&mut *out, &outcome.manifest)?;
            writeln!(out)
        } else {
            write_clean_summary(out, &outcome, &config)
        }
    });
    if let Err(code) = printed {
        return code;
    }
    if !outcome.write_failures.is_empty() {
        ExitCode::from(EXIT_FAILURE)
    } else if !outcome.diagnostics.is_empty() {
        ExitCode::from(EXIT_INPUT_ERRORS)
    } else {
        ExitCode::SUCCESS
    }
}

/// The text `clean` prints: with `--dry-run` the whole plan, then a summary.
fn write_clean_summary(
    out: &mut dyn Write,
    outcome: &CleanOutcome,
    config: &CleanConfig,
) -> std::io::Result<()> {
    let m = &outcome.manifest;
    if config.dry_run {
        for doc in &m.documents {
            let label = location(&doc.path, doc.line);
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
            let label = location(&d.path, d.line);
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
    writeln!(
        out,
        "{verb} {} of {}{} ({} of {} bytes)",
        s.files_written,
        count(s.files, "file"),
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
            "{left_out} {} (Jaccard >= {})",
            count(s.duplicates_dropped, "near-duplicate document"),
            m.params.threshold
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_are_whole_numbers_with_separators() {
        assert_eq!(per_second(60_079_899.431_6), "60,079,899/s");
        assert_eq!(per_second(0.4), "0/s");
        assert_eq!(per_second(f64::NAN), "0/s");
        assert_eq!(per_second(f64::INFINITY), "0/s");
    }
}
