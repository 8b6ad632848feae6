//! What the command line shows and hooks while the library works: progress bars on stderr, the
//! stage hooks (Ctrl-C once writing begins, and the integration tests' hooks), the test
//! double for a full disk, and the width the text report is cut to.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use neardup::clean::{AtomicFiles, OutputWriter};
use neardup::progress::{Progress, Stage};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use crate::{EXIT_INTERRUPTED, warn};

/// The width the text report's lines are cut to: on a terminal, its width (asked of the
/// terminal, else `COLUMNS`, else 80); none when stdout is a file or a pipe, so that paths come
/// whole.
pub(crate) fn report_width() -> Option<usize> {
    use std::io::IsTerminal;
    if !std::io::stdout().is_terminal() {
        return None;
    }
    let from_env = || {
        let columns = std::env::var("COLUMNS").ok()?;
        columns.trim().parse::<usize>().ok().filter(|&c| c > 0)
    };
    Some(terminal_columns().or_else(from_env).unwrap_or(80))
}

/// The columns of the terminal on stdout, when it says.
#[cfg(unix)]
fn terminal_columns() -> Option<usize> {
    let size = rustix::termios::tcgetwinsize(std::io::stdout()).ok()?;
    Some(usize::from(size.ws_col)).filter(|&c| c > 0)
}

/// The columns of the terminal on stdout, when it says.
#[cfg(not(unix))]
fn terminal_columns() -> Option<usize> {
    None
}

/// indicatif progress bars on stderr, one per stage.
pub(crate) struct Bars {
    bar: RwLock<ProgressBar>,
}

impl Bars {
    pub(crate) fn new() -> Self {
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
pub(crate) struct StageHooks<'a> {
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
    pub(crate) fn new(display: &'a dyn Progress, interrupt: Option<Arc<AtomicBool>>) -> Self {
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

/// Raised when `clean` starts writing: from then on Ctrl-C is `clean`'s to handle.
static WRITING: AtomicBool = AtomicBool::new(false);

/// Until writing begins, Ctrl-C (or SIGTERM) removes the scan's work folder and ends the process
/// with [`EXIT_INTERRUPTED`]: nothing else has been written yet.
pub(crate) fn remove_work_folder_on_signal() {
    use signal_hook::consts::{SIGINT, SIGTERM};
    let mut signals = match signal_hook::iterator::Signals::new([SIGINT, SIGTERM]) {
        Ok(signals) => signals,
        Err(e) => {
            warn(format!("could not catch Ctrl-C: {e}"));
            return;
        }
    };
    std::thread::spawn(move || {
        for _ in signals.forever() {
            if !WRITING.load(Ordering::SeqCst) {
                neardup::work::remove_active_work_folders();
                std::process::exit(i32::from(EXIT_INTERRUPTED));
            }
        }
    });
}

impl Progress for StageHooks<'_> {
    fn start(&self, stage: Stage, total: u64) {
        if stage == Stage::Writing {
            WRITING.store(true, Ordering::SeqCst);
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
pub(crate) struct LimitedDisk {
    left: Option<AtomicU64>,
}

impl LimitedDisk {
    pub(crate) fn from_environment() -> Self {
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

/// A rate for a progress bar: whole units per second, with thousands separators.
pub(crate) fn per_second(rate: f64) -> String {
    let whole = if rate.is_finite() && rate > 0.0 {
        rate.round() as u64
    } else {
        0
    };
    format!("{}/s", indicatif::HumanCount(whole))
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
