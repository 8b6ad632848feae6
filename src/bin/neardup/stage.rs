//! `neardup stage`: the scan's first stages run one at a time (sign a shard, the candidates of a
//! range of bands, verify candidate runs), for a cluster engine to run as separate tasks.

use crate::args::{CandidatesArgs, SignArgs, StageCommand, VerifyArgs};
use crate::display::Bars;
use crate::{EXIT_FAILURE, EXIT_INPUT_ERRORS, prepare, warn};
use neardup::progress::{NoProgress, Progress, Stage};
use std::io::IsTerminal;
use std::process::ExitCode;

/// Runs one stage.
pub(crate) fn run(command: StageCommand) -> ExitCode {
    match command {
        StageCommand::Sign(args) => sign(*args),
        StageCommand::Candidates(args) => candidates(args),
        StageCommand::Verify(args) => verify(args),
    }
}

fn failed(e: neardup::Error) -> ExitCode {
    warn(e);
    ExitCode::from(EXIT_FAILURE)
}

fn sign(args: SignArgs) -> ExitCode {
    let (config, chatter) = match prepare("stage", args.options) {
        Ok(prepared) => prepared,
        Err(code) => return code,
    };
    let bars = Bars::new();
    let progress: &dyn Progress = if chatter.progress { &bars } else { &NoProgress };
    match neardup::stage::sign(&args.paths, &config, &args.out, progress) {
        Ok((shard, problems)) => {
            for problem in &problems {
                warn(problem);
            }
            if chatter.notes {
                eprintln!(
                    "neardup: signed {} documents into {}",
                    shard.documents,
                    args.out.display()
                );
            }
            if problems.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(EXIT_INPUT_ERRORS)
            }
        }
        Err(e) => failed(e),
    }
}

fn candidates(args: CandidatesArgs) -> ExitCode {
    let bands = match args.bands {
        Some(bands) => bands,
        None => match args.shards.first().map(|s| neardup::stage::describe(s)) {
            Some(Ok(shard)) => 0..shard.bands,
            Some(Err(e)) => return failed(e),
            None => 0..0,
        },
    };
    match neardup::stage::candidates(&args.shards, bands, &args.out, &bars_on_a_terminal()) {
        Ok(_) => ExitCode::SUCCESS,
        Err(e) => failed(e),
    }
}

fn verify(args: VerifyArgs) -> ExitCode {
    match neardup::stage::verify(
        &args.shards,
        &args.candidates,
        &args.out,
        &bars_on_a_terminal(),
    ) {
        Ok(_) => ExitCode::SUCCESS,
        Err(e) => failed(e),
    }
}

/// Progress bars when stderr is a terminal, nothing otherwise (the stages that take no scan
/// options have no --quiet).
fn bars_on_a_terminal() -> Quiet {
    Quiet {
        bars: std::io::stderr().is_terminal().then(Bars::new),
    }
}

/// [`Bars`] or nothing.
struct Quiet {
    bars: Option<Bars>,
}

impl Progress for Quiet {
    fn start(&self, stage: Stage, total: u64) {
        if let Some(bars) = &self.bars {
            bars.start(stage, total);
        }
    }

    fn advance(&self, units: u64) {
        if let Some(bars) = &self.bars {
            bars.advance(units);
        }
    }

    fn finish(&self) {
        if let Some(bars) = &self.bars {
            bars.finish();
        }
    }
}
