//! Reading a JSON Lines file line by line for `clean`, and the signals that stop it: why the
//! lines stopped ([`LinesError`]) and the error a writer is given up with ([`GaveUp`]). A leaf
//! that the whole-file and the streamed cleaning both use.

use std::io::BufRead;

/// The error a streamed write is stopped with when the output is not wanted after all.
#[derive(Debug)]
pub(super) struct GaveUp;

impl std::fmt::Display for GaveUp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("output given up")
    }
}

impl std::error::Error for GaveUp {}

/// Whether an error is the [`GaveUp`] a writer was stopped with.
pub(super) fn gave_up(e: &std::io::Error) -> bool {
    e.get_ref().is_some_and(|inner| inner.is::<GaveUp>())
}

/// Why cleaning the lines of a JSON Lines file stopped.
pub(super) enum LinesError {
    /// Its lines could not be read (decompressed) to the end.
    Read,
    /// The output could not be written.
    Write(std::io::Error),
}

/// What [`for_each_line`] gives each line to.
pub(super) type LineVisitor<'a> = dyn FnMut(usize, &[u8]) -> Result<(), LinesError> + 'a;

/// The lines of `input` as `split(b'\n')` cuts them (the last one after the final newline
/// included, empty), each given to `visit` with its 1-based number; reading stops at the first
/// error of `visit` or of `input`.
pub(super) fn for_each_line(
    input: &mut dyn BufRead,
    visit: &mut LineVisitor<'_>,
) -> Result<(), LinesError> {
    let mut line = Vec::new();
    let mut number = 0;
    loop {
        line.clear();
        let read = input
            .read_until(b'\n', &mut line)
            .map_err(|_| LinesError::Read)?;
        number += 1;
        let ended = line.last() == Some(&b'\n');
        if ended {
            line.pop();
        }
        visit(number, &line)?;
        if read == 0 || !ended {
            return Ok(());
        }
    }
}
