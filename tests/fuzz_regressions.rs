//! The fuzz targets' invariants (`tests/fuzz/invariants.rs`) under `cargo test`: on every input
//! in `tests/fuzz/regressions/` (crashes the fuzzers found, kept once fixed), on the sample
//! corpus and the fuzz seeds, and on a fixed set of tricky inputs, so that they are checked
//! without a nightly toolchain.

#[path = "fuzz/invariants.rs"]
mod invariants;

use std::path::Path;

/// Inputs at the edges of what the readers, the segmenter and the tokenizer handle.
fn tricky_inputs() -> Vec<Vec<u8>> {
    let mut inputs: Vec<Vec<u8>> = [
        &b""[..],
        b"\r",
        b"a\rb\r\rc\r",
        b"one\r\n\r\ntwo\r",
        b"\0",
        b"text\0more",
        b"\xEF\xBB\xBF",
        b"\xEF\xBB\xBFhello\n\nworld",
        b"\xFF\xFE",
        b"\xFF\xFEa\0\0\xD8b\0",
        b"\xFE\xFF\0a\0b",
        b"a\0b\0c\0d\0",
        b"\xFF\xC0\x80 caf\xE9 \xE9t\xE9",
        b"\x93quoted\x94 \x82\xA0\x82\xA2",
        b"\x0B\x0C\n\x0B\n  \t\n",
        "\u{3000}\u{a0}\n\u{85}\n\u{2028}x\u{2029}y".as_bytes(),
        "\u{0EA7}\n\n\u{16AF0}\u{0A05} \u{301}a \u{130}\u{2126}ﬁ ＡＢ 朝鲜ＫＣＮＡ กิข".as_bytes(),
        b"{\"text\": \"a\"}\n",
        b"{\"text\": \"x\", \"id\": 1e400}\n{\"text\": 1}\n[]\n",
        b"{\"text\": \"unterminated\n{\"id\": 7}\n\r\n{\"text\": \"\\ud800\"}",
        b"{\"text\": \"caf\xE9\", \"id\": \"a\"}\n{\"text\": \"b\", \"id\": \"a\"}\r\n \n",
    ]
    .iter()
    .map(|b| b.to_vec())
    .collect();
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
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return; // None yet: the tricky inputs above still run.
    };
    let mut paths: Vec<_> = entries.map(|e| e.unwrap().path()).collect();
    paths.sort();
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
