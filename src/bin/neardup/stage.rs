//! `neardup stage`: the scan's first stages run one at a time (sign a shard, the candidates of a
//! range of bands, verify candidate runs), for a cluster engine to run as separate tasks.

use crate::args::{CandidatesArgs, SignArgs, StageCommand, VerifyArgs};
use crate::{EXIT_FAILURE, EXIT_INPUT_ERRORS, prepare, warn};
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
    match neardup::stage::sign(&args.paths, &config, &args.out) {
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
    match neardup::stage::candidates(&args.shards, bands, &args.out) {
        Ok(_) => ExitCode::SUCCESS,
        Err(e) => failed(e),
    }
}

fn verify(args: VerifyArgs) -> ExitCode {
    match neardup::stage::verify(&args.shards, &args.candidates, &args.out) {
        Ok(_) => ExitCode::SUCCESS,
        Err(e) => failed(e),
    }
}
