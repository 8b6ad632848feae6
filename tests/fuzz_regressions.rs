//! The fuzz targets' invariants (`tests/fuzz/invariants.rs`) under `cargo test`: on every input
//! in `tests/fuzz/regressions/` (short inputs at the edges of the readers, the segmenter and the
//! tokenizer, and any crash a fuzzer finds, kept once fixed; the test fails when the folder is
//! missing), on the sample
//! corpus and the fuzz seeds, and on a fixed set of tricky inputs, so that they are checked
//! without a nightly toolchain.

#[path = "fuzz/invariants.rs"]
mod invariants;

use std::path::Path;

/// Inputs at the edges of what the readers, the segmenter and the tokenizer handle, too long or
/// too regular to keep as files (the short ones are in `tests/fuzz/regressions/`).
fn tricky_inputs() -> Vec<Vec<u8>> {
    let mut inputs: Vec<Vec<u8>> = Vec::new();
    let number = format!("{{\"text\": \"n\", \"id\": 1{}}}", "0".repeat(400));
    inputs.push(number.into_bytes());
    // Past the first 8 KiB a NUL spoils only its own line.
    let mut late_nul = "{\"text\": \"a b c\"}\n".repeat(600).into_bytes();
    late_nul.extend_from_slice(b"{\"text\": \"\0\"}\n\0\0\0\n{\"text\": \"last\"}\n");
    inputs.push(late_nul);
    // BOM-less UTF-16 with a few NULs on the other side (U+3000, U+4E00).
    for text in [
        "Tokyo\u{3000}\u{4E00} and more words here",
        "\u{3000}\u{3000}a",
    ] {
        inputs.push(text.encode_utf16().flat_map(u16::to_le_bytes).collect());
        inputs.push(text.encode_utf16().flat_map(u16::to_be_bytes).collect());
    }
    let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
    inputs.push(deep.into_bytes());
    let p = "a paragraph that is long enough to be a repeat of itself here";
    let repeats = format!(
        "{p}\n\nmiddle\n\n{}\n\n{p}!\r\n\r\n{}",
        p.to_uppercase(),
        &p[..p.len() - 3]
    );
    inputs.push(repeats.into_bytes());
    inputs
}

#[test]
fn invariants_hold_on_tricky_inputs() {
    for input in tricky_inputs() {
        invariants::all(&input);
    }
}

#[test]
fn invariants_hold_on_the_sample_corpus_and_the_fuzz_seeds() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for dir in [root.join("corpus"), root.join("tests/fuzz/seeds")] {
        let mut seen = 0;
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_file() {
                invariants::all(&std::fs::read(&path).unwrap());
                seen += 1;
            }
        }
        assert!(seen > 0, "no inputs in {}", dir.display());
    }
}

#[test]
fn invariants_hold_on_fuzz_regressions() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz/regressions");
    let entries = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}; the regression inputs are missing", dir.display()));
    let mut paths: Vec<_> = entries.map(|e| e.unwrap().path()).collect();
    paths.sort();
    // Every file is named for the target it broke (or whose edge it sits on), so that a
    // misnamed or stray file is caught too.
    assert!(
        paths.len() >= 20,
        "only {} inputs in {}",
        paths.len(),
        dir.display()
    );
    for path in &paths {
        let name = path.file_name().unwrap().to_string_lossy();
        assert!(
            invariants::TARGETS.iter().any(
                |(target, _)| name.starts_with(&format!("{target}-")) && name.ends_with(".bin")
            ),
            "{name} is not named TARGET-NAME.bin"
        );
    }
    for path in paths {
        let data = std::fs::read(&path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        // Every invariant must hold on every input; the file's own target runs first so that a
        // failure names the right one.
        let own = invariants::TARGETS
            .iter()
            .find(|(target, _)| name.starts_with(&format!("{target}-")));
        let result = std::panic::catch_unwind(|| {
            if let Some((_, check)) = own {
                check(&data);
            }
            invariants::all(&data);
        });
        assert!(result.is_ok(), "invariant broken on {}", path.display());
    }
}
