//! The `neardup` command line: parses flags, sets up progress bars, runs the library, prints the
//! report and chooses the exit code. All the work is in the library: [`args`] holds the flags,
//! [`display`] the progress bars and hooks, [`summary`] what `clean` prints.

use args::{
    CleanArgs, Cli, Command, FormatArg, KeepArg, LinkageArg, MinHashArg, RepeatsArg, ScanArgs,
    ScanOptions,
};
use clap::{CommandFactory, Parser};
use display::{Bars, LimitedDisk, StageHooks};
use neardup::clean::dedup::{Cleaning, on_cleaned_texts};
use neardup::clean::{AtomicFiles, CleanConfig, OutputWriter, RepeatsMode};
use neardup::config::{
    DEFAULT_EXTENSIONS, InputFormat, InputOptions, Keep, Linkage, Scheme, ShingleKind,
};
use neardup::diagnostic::Diagnostic;
use neardup::progress::{NoProgress, Progress};
use neardup::report::count;
use neardup::{Report, ScanConfig, lists};
use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use summary::write_clean_summary;

/// mimalloc instead of the system allocator: a scan keeps hundreds of thousands of small sets
/// alive, allocated from every worker thread at once, where glibc's malloc spent time in
/// malloc/free and in `mprotect` calls growing its per-thread arenas (the README's "Where the
/// time goes" has the measurement).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Exit code when some input could not be read or decoded (the rest was processed).
pub(crate) const EXIT_INPUT_ERRORS: u8 = 2;
/// Exit code for a failure that stopped the run (for example, stdout could not be written).
pub(crate) const EXIT_FAILURE: u8 = 1;
/// Exit code after Ctrl-C (or SIGTERM) stopped `clean` (128 + SIGINT, as shells report Ctrl-C).
pub(crate) const EXIT_INTERRUPTED: u8 = 130;

mod args;
mod compare;
mod display;
mod stage;
mod summary;

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

pub(crate) fn warn(message: impl std::fmt::Display) {
    eprintln!("neardup: {message}");
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Scan(args) => run_scan(args),
        Command::Clean(args) => run_clean(args),
        Command::Compare(args) => compare::run(*args),
        Command::Stage(command) => stage::run(command),
    }
}

/// What goes to stderr besides warnings.
#[derive(Clone, Copy)]
struct Chatter {
    progress: bool,
    notes: bool,
}

impl Chatter {
    /// Says what a scan that spilled wrote to its work folder, stage by stage, and where a
    /// kept work folder is.
    fn work(self, work: &neardup::outcome::WorkUsed) {
        if self.notes && work.bytes_written > 0 {
            let stages: Vec<String> = work
                .stages
                .iter()
                .map(|s| {
                    let bytes = if s.work_bytes > 0 {
                        format!(" ({} written)", indicatif::HumanBytes(s.work_bytes))
                    } else {
                        String::new()
                    };
                    format!("{} {:.1} s{bytes}", s.stage, s.seconds)
                })
                .collect();
            eprintln!(
                "neardup: note: the scan did not fit in its memory budget and wrote {} to its work folder: {}",
                indicatif::HumanBytes(work.bytes_written),
                stages.join(", ")
            );
        }
        if let Some(folder) = &work.kept {
            eprintln!(
                "neardup: work folder kept: {} ({} written)",
                folder.display(),
                indicatif::HumanBytes(work.bytes_written)
            );
        }
    }

    fn notes(self, notes: &[Diagnostic]) {
        if self.notes {
            for note in notes {
                eprintln!("neardup: note: {note}");
            }
        }
    }
}

/// Sets the thread count, builds and validates the scan configuration; a usage error exits.
pub(crate) fn prepare(
    subcommand: &str,
    options: ScanOptions,
) -> Result<(ScanConfig, Chatter), ExitCode> {
    if options.threads > 0
        && let Err(e) = rayon::ThreadPoolBuilder::new()
            .num_threads(options.threads)
            .build_global()
    {
        warn(format!("could not set up {} threads: {e}", options.threads));
        return Err(ExitCode::from(EXIT_FAILURE));
    }
    display::remove_work_folder_on_signal();
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
                FormatArg::Parquet => InputFormat::Parquet,
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
        memory: options.memory,
        work: neardup::work::WorkOptions {
            parent: options.work_dir,
            keep: options.keep_work,
            // Test hook: the work folder's disk holds this many bytes (see WorkOptions::limit).
            limit: std::env::var("NEARDUP_TEST_WORK_BYTES")
                .ok()
                .and_then(|n| n.parse().ok()),
        },
        prepare: None,
        cancel: None,
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
pub(crate) fn print(
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), ExitCode> {
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
    chatter.work(&outcome.work);
    for problem in &outcome.diagnostics {
        warn(problem);
    }
    if outcome.stats.documents == 0 {
        warn(no_documents(&outcome));
    }
    // A rule that decides nothing: no list or report marks it as if it had.
    if let Err(e) = outcome.check_keep_field(&config.keep) {
        warn(format!("{e}; nothing printed"));
        return ExitCode::from(EXIT_INPUT_ERRORS);
    }
    if args.list_duplicates {
        // What `clean --drop-duplicates` leaves out: decided on the texts it writes.
        let cleaning = Arc::new(Cleaning::of(
            &outcome,
            &config,
            RepeatsMode::KeepFirst,
            true,
        ));
        outcome = match on_cleaned_texts(&args.paths, outcome, &config, &cleaning, progress) {
            Ok(outcome) => outcome,
            Err(e) => {
                warn(e);
                return ExitCode::from(EXIT_FAILURE);
            }
        };
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
    if let Some(path) = &args.html {
        let options = neardup::html::HtmlOptions {
            texts: args.html_texts,
        };
        let shown = neardup::html::documents_shown(&outcome, options);
        let texts: neardup::html::ShownTexts = shown
            .iter()
            .zip(neardup::document_texts(&outcome, &config, &shown))
            .filter_map(|(&doc, text)| Some((doc, text?)))
            .collect();
        let written = AtomicFiles.write_from(path, None, &mut |out| {
            neardup::html::write_html(&outcome, &config, &report, options, &texts, out)
        });
        if let Err(e) = written {
            warn(format!(
                "{}: could not write the HTML report: {e}",
                path.display()
            ));
            return ExitCode::from(EXIT_FAILURE);
        }
    }
    let printed = print(|out| {
        if args.list_duplicates {
            lists::write_left_out(&outcome, args.null, out)
        } else if args.json {
            report.write_json(out)
        } else {
            report.write_text_limited(out, args.limit, display::report_width())
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
            RepeatsArg::KeepAll => RepeatsMode::KeepAll,
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
        Err(e @ neardup::Error::KeepFieldMissing { .. }) => {
            warn(format!("{e}; nothing written"));
            return ExitCode::from(EXIT_INPUT_ERRORS);
        }
        Err(e) => {
            warn(e);
            return ExitCode::from(EXIT_FAILURE);
        }
    };
    chatter.notes(&outcome.notes);
    chatter.work(&outcome.work);
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
    if let Some(path) = &args.html {
        // The documents' texts as the scan read them, for the first changed ones.
        let documents: Vec<neardup::html::PlannedDocument<'_>> = outcome
            .manifest
            .documents
            .iter()
            .take(args.html_texts)
            .map(|changes| {
                let name = neardup::diagnostic::location(&changes.path, changes.position());
                let text = neardup::compare::load(&name, &config.scan.input)
                    .ok()
                    .map(|loaded| loaded.document.text);
                neardup::html::PlannedDocument { changes, text }
            })
            .collect();
        let written = AtomicFiles.write_from(path, None, &mut |out| {
            neardup::html::write_plan_html(&outcome.manifest, &documents, out)
        });
        if let Err(e) = written {
            warn(format!(
                "{}: could not write the HTML plan: {e}",
                path.display()
            ));
            return ExitCode::from(EXIT_FAILURE);
        }
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
