//! `neardup compare A B`: two documents' Jaccard similarity, containment both ways and shared
//! passages, as text (in colour on a terminal) or JSON.

use crate::args::CompareArgs;
use crate::{EXIT_FAILURE, EXIT_INPUT_ERRORS, prepare, print, warn};
use neardup::compare::{Comparison, LoadedDocument};
use std::io::{IsTerminal, Write};
use std::process::ExitCode;

/// Runs `compare`.
pub(crate) fn run(args: CompareArgs) -> ExitCode {
    let (config, chatter) = match prepare("compare", args.options) {
        Ok(prepared) => prepared,
        Err(code) => return code,
    };
    let mut problems = false;
    let mut load = |name: &str| -> Option<LoadedDocument> {
        match neardup::compare::load(name, &config.input) {
            Ok(loaded) => {
                for problem in loaded.problems {
                    problems = true;
                    warn(problem);
                }
                if chatter.notes {
                    for note in loaded.notes {
                        eprintln!("neardup: note: {note}");
                    }
                }
                Some(loaded.document)
            }
            Err(e) => {
                warn(e);
                None
            }
        }
    };
    let (Some(a), Some(b)) = (load(&args.a), load(&args.b)) else {
        return ExitCode::from(EXIT_FAILURE);
    };
    let comparison = neardup::compare::compare_texts(&a, &b, &config);
    if let Some(path) = &args.html {
        use neardup::clean::OutputWriter;
        let written = neardup::clean::AtomicFiles.write_from(path, None, &mut |out| {
            neardup::html::write_compare_html(&comparison, &a, &b, out)
        });
        if let Err(e) = written {
            warn(format!(
                "{}: could not write the HTML view: {e}",
                path.display()
            ));
            return ExitCode::from(EXIT_FAILURE);
        }
    }
    let colour = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let printed = print(|out| {
        if args.json {
            serde_json::to_writer_pretty(&mut *out, &comparison)?;
            writeln!(out)
        } else {
            write_text(&comparison, colour, out)
        }
    });
    match printed {
        Err(code) => code,
        Ok(()) if problems => ExitCode::from(EXIT_INPUT_ERRORS),
        Ok(()) => ExitCode::SUCCESS,
    }
}

/// The comparison as text: the numbers, then one line per shared passage.
fn write_text(c: &Comparison, colour: bool, out: &mut dyn Write) -> std::io::Result<()> {
    let paint = |code: &str, text: String| {
        if colour {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text
        }
    };
    let percent = |x: f64| format!("{:.1}%", x * 100.0);
    writeln!(out, "a: {}", c.a)?;
    writeln!(out, "b: {}", c.b)?;
    writeln!(
        out,
        "jaccard {}; {} of a is in b, {} of b is in a",
        paint("1", format!("{:.4}", c.jaccard)),
        paint("1", percent(c.containment_a_in_b)),
        paint("1", percent(c.containment_b_in_a)),
    )?;
    if c.passages.is_empty() {
        return writeln!(out, "no shared passage");
    }
    writeln!(out, "shared passages, longest first:")?;
    let lines = |[first, last]: [u32; 2]| {
        if first == last {
            format!("line {first}")
        } else {
            format!("lines {first}-{last}")
        }
    };
    for p in &c.passages {
        writeln!(
            out,
            "  a {}  b {}  ({} words)  {}",
            paint("36", lines(p.a_lines)),
            paint("35", lines(p.b_lines)),
            p.words,
            p.preview
        )?;
    }
    Ok(())
}
