//! Bad input, faults and safety, through the built binary: every bad input gets one line on
//! stderr naming it, the rest of the run completes, the exit code says so, and nothing is lost,
//! modified or half-written (the README's "Reliability" section).

mod common;

use common::{Rng, clean, manifest, outcome, scan, scan_json, tree, words, write_words};
use std::io::{BufRead, Write};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Stdio;

/// A paragraph of `n` generated words.
fn paragraph(rng: &mut Rng, n: usize) -> String {
    words(rng, n).join(" ")
}

/// An article of three paragraphs whose second one is pasted again at the end (a repeat that
/// `clean` removes).
fn article_with_repeat(seed: u64) -> String {
    let mut rng = Rng::new(seed);
    let (a, b, c) = (
        paragraph(&mut rng, 40),
        paragraph(&mut rng, 30),
        paragraph(&mut rng, 50),
    );
    format!("{a}\n\n{b}\n\n{c}\n\n{b}\n")
}

/// The article without its pasted repeat: what `clean` must keep.
fn article_cleaned(seed: u64) -> String {
    let text = article_with_repeat(seed);
    let cut = text[..text.len() - 1].rfind("\n\n").unwrap();
    text[..cut + 1].to_string()
}

fn temporary_files(dir: &Path) -> Vec<String> {
    tree(dir)
        .into_keys()
        .filter(|name| {
            let file = name.rsplit('/').next().unwrap();
            file.starts_with(".neardup-") && file.ends_with(".tmp")
        })
        .collect()
}

#[test]
fn binary_files_are_named_skipped_and_copied_unchanged() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("in");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join("a.txt"), article_with_repeat(1)).unwrap();
    std::fs::write(dir.join("b.txt"), article_with_repeat(1)).unwrap();
    // A PNG renamed .txt, and a JSONL file with a NUL byte.
    let png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00\x00\x00\x01\x00\x08\x06";
    std::fs::write(dir.join("image.txt"), png).unwrap();
    std::fs::write(dir.join("records.jsonl"), b"{\"text\": \"a\x00b\"}\n").unwrap();
    // A JSONL file with a NUL far from its start (zero padding after a crash): only that line
    // is bad.
    let record =
        serde_json::json!({"text": "word ".repeat(2000) + "\n\n" + &article_with_repeat(1)});
    let late = format!("{record}\n\0\0\0\0\n");
    std::fs::write(dir.join("late.jsonl"), &late).unwrap();
    let (report, stderr) = scan_json(&["in"], tmp.path(), 2);
    assert!(
        stderr.contains("neardup: in/image.txt: binary file (NUL byte at offset 8), skipped"),
        "{stderr}"
    );
    assert!(
        stderr.contains("neardup: in/records.jsonl: binary file (NUL byte at offset 11), skipped"),
        "{stderr}"
    );
    assert!(
        stderr.contains("neardup: in/late.jsonl:2: not valid JSON (expected value"),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 3, "{stderr}");
    assert_eq!(report.stats.documents, 3);
    assert_eq!(report.stats.input_errors, 3);

    // clean copies what it cannot read as text unchanged: nothing is lost.
    let (code, _, stderr) = clean(&["in", "--out", "out", "-q"], tmp.path());
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains(
            "in/image.txt: binary file (NUL byte at offset 8), skipped; copied unchanged, not \
             cleaned"
        ),
        "{stderr}"
    );
    let written = tree(&tmp.path().join("out"));
    assert_eq!(written["image.txt"], png);
    assert_eq!(written["records.jsonl"], b"{\"text\": \"a\x00b\"}\n");
    assert_eq!(written["a.txt"], article_cleaned(1).as_bytes());
    let late_out = String::from_utf8(written["late.jsonl"].clone()).unwrap();
    assert!(late_out.ends_with("\n\0\0\0\0\n") && late_out.len() < late.len());
    assert_eq!(std::fs::read(dir.join("image.txt")).unwrap(), png);
}

#[test]
fn empty_and_whitespace_only_files_are_noted_and_copied_as_they_are() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("in");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join("empty.txt"), "").unwrap();
    std::fs::write(dir.join("blank.txt"), " \t\r\n\u{3000}\n\n").unwrap();
    std::fs::write(dir.join("a.txt"), article_with_repeat(2)).unwrap();
    let (report, stderr) = scan_json(&["in"], tmp.path(), 0);
    assert!(
        stderr.contains("neardup: note: in/empty.txt: empty document (no words), skipped"),
        "{stderr}"
    );
    assert!(
        stderr.contains("note: in/blank.txt: empty document"),
        "{stderr}"
    );
    assert_eq!(report.stats.empty_documents, 2);
    // --quiet silences notes.
    let (code, _, stderr) = scan(&["in", "-q"], tmp.path());
    assert_eq!((code, stderr.as_str()), (0, ""));
    let (code, _, stderr) = clean(&["in", "-o", "out"], tmp.path());
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("note: in/empty.txt: empty document"),
        "{stderr}"
    );
    let written = tree(&tmp.path().join("out"));
    assert_eq!(written["empty.txt"], b"");
    assert_eq!(written["blank.txt"], " \t\r\n\u{3000}\n\n".as_bytes());
}

#[test]
fn a_single_line_of_200_mb_is_scanned_and_copied_intact() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("in");
    std::fs::create_dir(&dir).unwrap();
    // 200 MB of words on one line: a 1 MB block of words repeated (same words, other order
    // would not change the point: one paragraph, millions of shingles).
    let mut rng = Rng::new(3);
    let mut block = words(&mut rng, 200_000).join(" ");
    block.truncate(1 << 20);
    block.push(' ');
    let big = dir.join("huge.txt");
    {
        let mut file = std::io::BufWriter::new(std::fs::File::create(&big).unwrap());
        for _ in 0..200 {
            file.write_all(block.as_bytes()).unwrap();
        }
    }
    let small_text = block[..2000].to_string();
    std::fs::write(dir.join("small.txt"), &small_text).unwrap();
    let (report, stderr) = scan_json(&["in", "-q"], tmp.path(), 0);
    assert_eq!(stderr, "");
    assert_eq!(report.stats.documents, 2);
    let (code, _, stderr) = clean(&["in", "-o", "out", "-q"], tmp.path());
    assert_eq!(code, 0, "{stderr}");
    let out = tmp.path().join("out");
    assert_eq!(
        std::fs::metadata(out.join("huge.txt")).unwrap().len(),
        200 * (block.len() as u64)
    );
    assert!(std::fs::read(out.join("huge.txt")).unwrap() == std::fs::read(&big).unwrap());
}

fn utf16(text: &str, little_endian: bool) -> Vec<u8> {
    let mut out = if little_endian {
        vec![0xFF, 0xFE]
    } else {
        vec![0xFE, 0xFF]
    };
    for unit in text.encode_utf16() {
        out.extend_from_slice(&if little_endian {
            unit.to_le_bytes()
        } else {
            unit.to_be_bytes()
        });
    }
    out
}

#[test]
fn every_encoding_is_read_and_cleaned_copies_keep_their_encoding() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("in");
    std::fs::create_dir(&dir).unwrap();
    // One article with accents and a pasted repeat, in six encodings.
    let text = format!(
        "Déjà vu à Zürich, «naïve» café.\n\n{}",
        article_with_repeat(4)
    );
    let cleaned = format!("Déjà vu à Zürich, «naïve» café.\n\n{}", article_cleaned(4));
    let latin1 = |s: &str| -> Vec<u8> { s.chars().map(|c| c as u32 as u8).collect() };
    std::fs::write(dir.join("utf8.txt"), &text).unwrap();
    std::fs::write(dir.join("bom.txt"), format!("\u{FEFF}{text}")).unwrap();
    std::fs::write(dir.join("utf16le.txt"), utf16(&text, true)).unwrap();
    std::fs::write(dir.join("utf16be.txt"), utf16(&text, false)).unwrap();
    std::fs::write(dir.join("latin1.txt"), latin1(&text)).unwrap();
    // Windows-1252: curly quotes live in 0x80-0x9F.
    let cp1252_text = text.replace('«', "“").replace('»', "”");
    let cp1252: Vec<u8> = cp1252_text
        .chars()
        .map(|c| match c {
            '“' => 0x93,
            '”' => 0x94,
            c => c as u32 as u8,
        })
        .collect();
    std::fs::write(dir.join("cp1252.txt"), &cp1252).unwrap();

    let (report, stderr) = scan_json(&["in"], tmp.path(), 0);
    assert_eq!(report.clusters.len(), 1, "{stderr}");
    assert_eq!(report.clusters[0].size, 6);
    assert_eq!(report.clusters[0].min_pair_similarity, 1.0);
    for name in ["latin1.txt", "cp1252.txt"] {
        assert!(
            stderr.contains(&format!(
                "neardup: note: in/{name}: not UTF-8; read as windows-1252 (guessed from its bytes)"
            )),
            "{stderr}"
        );
    }
    assert_eq!(
        stderr.lines().count(),
        2,
        "only the guesses are noted: {stderr}"
    );
    // A Latin-1 label decodes without guessing, so without a note.
    let (code, _, stderr) = scan(&["in", "--encoding", "latin1"], tmp.path());
    assert_eq!((code, stderr.as_str()), (0, ""));

    let (code, _, stderr) = clean(&["in", "-o", "out"], tmp.path());
    assert_eq!(code, 0, "{stderr}");
    let out = tree(&tmp.path().join("out"));
    assert_eq!(out["utf8.txt"], cleaned.as_bytes());
    assert_eq!(out["bom.txt"], format!("\u{FEFF}{cleaned}").as_bytes());
    assert_eq!(out["utf16le.txt"], utf16(&cleaned, true));
    assert_eq!(out["utf16be.txt"], utf16(&cleaned, false));
    assert_eq!(out["latin1.txt"], latin1(&cleaned));
    let cp1252_cleaned = &cp1252[..cp1252.len() - (text.len() - cleaned.len())];
    assert_eq!(out["cp1252.txt"], cp1252_cleaned);
    assert_eq!(manifest(&tmp.path().join("out")).stats.documents_changed, 6);
}

#[test]
fn damaged_utf8_with_something_to_remove_is_copied_unchanged() {
    let tmp = tempfile::tempdir().unwrap();
    let mut bytes = format!("Crème brûlée, déjà vu.\n\n{}", article_with_repeat(5)).into_bytes();
    bytes[2] = 0xFF; // the è loses its first byte
    std::fs::write(tmp.path().join("damaged.txt"), &bytes).unwrap();
    let (code, _, stderr) = clean(&["damaged.txt", "-o", "out"], tmp.path());
    assert_eq!(code, 2, "{stderr}");
    assert_eq!(
        stderr.trim(),
        "neardup: damaged.txt: not valid UTF-8 (first bad byte at offset 2); invalid bytes \
         read as U+FFFD; copied unchanged, not cleaned"
    );
    assert_eq!(
        std::fs::read(tmp.path().join("out/damaged.txt")).unwrap(),
        bytes
    );
}

#[test]
fn links_loops_and_dangling_links_are_named_when_followed() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("in");
    std::fs::create_dir_all(dir.join("sub")).unwrap();
    std::fs::write(dir.join("a.txt"), article_with_repeat(6)).unwrap();
    std::os::unix::fs::symlink("..", dir.join("sub/loop")).unwrap();
    std::os::unix::fs::symlink("missing.txt", dir.join("dangling.txt")).unwrap();
    // Without --follow, links are not followed: nothing to report.
    let (report, stderr) = scan_json(&["in"], tmp.path(), 0);
    assert_eq!((report.stats.files, stderr.as_str()), (1, ""));
    let (report, stderr) = scan_json(&["in", "--follow"], tmp.path(), 2);
    assert_eq!(report.stats.files, 1);
    assert!(
        stderr.contains("neardup: in/sub/loop: symbolic link loop back to in, not followed"),
        "{stderr}"
    );
    assert!(
        stderr.contains("neardup: in/dangling.txt: no such file or directory"),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 2, "{stderr}");
    // Something that is not a regular file, named on the command line: /dev/zero never ends.
    let (code, _, stderr) = scan(&["/dev/zero"], tmp.path());
    assert_eq!(code, 2);
    assert_eq!(
        stderr.trim(),
        "neardup: /dev/zero: not a regular file (a FIFO, device or socket), skipped\n\
         neardup: no documents to compare: 0 files read"
    );
    // A dangling link named on the command line.
    let (code, _, stderr) = scan(&["in/dangling.txt"], tmp.path());
    assert_eq!(code, 2);
    assert_eq!(
        stderr.trim(),
        "neardup: in/dangling.txt: no such file or directory\n\
         neardup: no documents to compare: 0 files read"
    );
}

/// Runs the binary as an unprivileged user when the tests run as root (for whom permissions do
/// not apply), so that unreadable files and read-only folders behave as for anyone else.
fn unprivileged(dir: &Path, subcommand: &str, args: &[&str]) -> (i32, String, String) {
    let probe = dir.join(".uid-probe");
    std::fs::write(&probe, "").unwrap();
    let root = std::os::unix::fs::MetadataExt::uid(&std::fs::metadata(&probe).unwrap()) == 0;
    std::fs::remove_file(&probe).unwrap();
    let binary = assert_cmd::cargo::cargo_bin("neardup");
    let mut command = if root {
        // The binary is copied where the unprivileged user can reach it.
        let copy = dir.join("neardup-bin");
        std::fs::copy(&binary, &copy).unwrap();
        let mut c = std::process::Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(&copy);
        c
    } else {
        std::process::Command::new(binary)
    };
    outcome(
        command
            .arg(subcommand)
            .args(args)
            .current_dir(dir)
            .output()
            .unwrap(),
    )
}

/// A private temporary folder opened to everyone (for [`unprivileged`]).
fn open_tempdir() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
    tmp
}

#[test]
fn unreadable_files_and_folders_are_named_and_the_rest_is_cleaned() {
    let tmp = open_tempdir();
    let dir = tmp.path().join("in");
    std::fs::create_dir_all(dir.join("closed")).unwrap();
    std::fs::write(dir.join("a.txt"), article_with_repeat(7)).unwrap();
    std::fs::write(dir.join("secret.txt"), article_with_repeat(7)).unwrap();
    std::fs::write(dir.join("closed/inner.txt"), article_with_repeat(8)).unwrap();
    std::fs::set_permissions(dir.join("secret.txt"), PermissionsExt::from_mode(0o000)).unwrap();
    std::fs::set_permissions(dir.join("closed"), PermissionsExt::from_mode(0o000)).unwrap();
    std::fs::set_permissions(tmp.path(), PermissionsExt::from_mode(0o777)).unwrap();

    let (code, stdout, stderr) = unprivileged(tmp.path(), "scan", &["in", "--json"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("neardup: in/secret.txt: permission denied"),
        "{stderr}"
    );
    assert!(
        stderr.contains("neardup: in/closed: permission denied"),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 2, "{stderr}");
    let report: neardup::Report = serde_json::from_str(&stdout).unwrap();
    assert_eq!(report.stats.documents, 1);

    let (code, _, stderr) = unprivileged(tmp.path(), "clean", &["in", "-o", "out"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("neardup: in/secret.txt: permission denied; not written"),
        "{stderr}"
    );
    let written = tree(&tmp.path().join("out"));
    assert_eq!(written["a.txt"], article_cleaned(7).as_bytes());
    assert!(!written.contains_key("secret.txt"));
    std::fs::set_permissions(dir.join("closed"), PermissionsExt::from_mode(0o755)).unwrap();
}

#[test]
fn an_out_folder_that_cannot_be_created_stops_the_run_before_writing() {
    let tmp = open_tempdir();
    std::fs::create_dir(tmp.path().join("in")).unwrap();
    std::fs::write(tmp.path().join("in/a.txt"), article_with_repeat(9)).unwrap();
    std::fs::create_dir(tmp.path().join("readonly")).unwrap();
    std::fs::set_permissions(
        tmp.path().join("readonly"),
        PermissionsExt::from_mode(0o555),
    )
    .unwrap();
    let (code, stdout, stderr) = unprivileged(tmp.path(), "clean", &["in", "-o", "readonly/out"]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(stdout, "");
    assert_eq!(stderr.trim(), "neardup: readonly/out: permission denied");
    assert!(tree(&tmp.path().join("readonly")).is_empty());
}

/// Starts `neardup ARGS` in `dir` with the test hook that pauses before `stage`; runs `change`
/// while it waits, then lets it finish. Returns (exit code, stdout, stderr).
fn paused_run(
    dir: &Path,
    args: &[&str],
    stage: &str,
    change: impl FnOnce(),
) -> (i32, String, String) {
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("neardup"))
        .args(args)
        .current_dir(dir)
        .env("NEARDUP_TEST_PAUSE_AT", stage)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = std::io::BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    loop {
        line.clear();
        assert!(stderr.read_line(&mut line).unwrap() > 0, "no pause");
        if line.contains("test pause before") {
            break;
        }
    }
    change();
    child.stdin.take().unwrap().write_all(b"\n").unwrap();
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stderr, &mut rest).unwrap();
    let (code, stdout, _) = outcome(child.wait_with_output().unwrap());
    (code, stdout, rest)
}

#[test]
fn files_deleted_or_changed_during_clean_are_named_and_not_written() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("in");
    std::fs::create_dir(&dir).unwrap();
    for (n, name) in ["a.txt", "deleted.txt", "truncated.txt", "grown.txt"]
        .iter()
        .enumerate()
    {
        std::fs::write(dir.join(name), article_with_repeat(10 + n as u64)).unwrap();
    }
    let (code, _, stderr) =
        paused_run(tmp.path(), &["clean", "in", "-o", "out"], "writing", || {
            std::fs::remove_file(dir.join("deleted.txt")).unwrap();
            let truncated = std::fs::OpenOptions::new()
                .write(true)
                .open(dir.join("truncated.txt"))
                .unwrap();
            truncated.set_len(100).unwrap();
            let mut grown = std::fs::OpenOptions::new()
                .append(true)
                .open(dir.join("grown.txt"))
                .unwrap();
            grown.write_all(b"\nOne more line.\n").unwrap();
        });
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("neardup: in/deleted.txt: no such file or directory; not written"),
        "{stderr}"
    );
    for name in ["truncated.txt", "grown.txt"] {
        assert!(
            stderr.contains(&format!(
                "neardup: in/{name}: changed while neardup was running; not written (run again)"
            )),
            "{stderr}"
        );
    }
    let written = tree(&tmp.path().join("out"));
    assert_eq!(written["a.txt"], article_cleaned(10).as_bytes());
    assert!(!written.contains_key("truncated.txt") && !written.contains_key("grown.txt"));
    assert_eq!(manifest(&tmp.path().join("out")).stats.input_errors, 3);
}

#[test]
fn a_file_changed_during_scan_has_its_boilerplate_text_left_out_and_is_named() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("in");
    std::fs::create_dir(&dir).unwrap();
    common::boilerplate_corpus(&dir, 40, 1);
    // Footer 0 is in every even article; article000.txt holds its first occurrence.
    let (code, stdout, stderr) = paused_run(
        tmp.path(),
        &["scan", "in", "--json", "--min-docs", "5"],
        "verifying",
        || std::fs::write(dir.join("article000.txt"), "rewritten\n").unwrap(),
    );
    assert_eq!(code, 2, "{stderr}");
    assert_eq!(
        stderr.trim(),
        "neardup: in/article000.txt: changed while neardup was running; its paragraphs not shown"
    );
    let report: neardup::Report = serde_json::from_str(&stdout).unwrap();
    let footer = report
        .boilerplate
        .iter()
        .find(|b| b.examples[0] == "in/article000.txt")
        .expect("footer 0 found");
    assert_eq!(footer.text, "");
}

#[test]
fn file_names_that_are_not_utf8_are_read_shown_and_mirrored() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("in");
    std::fs::create_dir(&dir).unwrap();
    let odd = std::ffi::OsStr::from_bytes(b"caf\xE9.txt");
    std::fs::write(dir.join(odd), article_with_repeat(20)).unwrap();
    std::fs::write(dir.join("plain.txt"), article_with_repeat(20)).unwrap();
    let (report, stderr) = scan_json(&["in"], tmp.path(), 0);
    assert_eq!(stderr, "");
    let paths: Vec<&str> = report.clusters[0]
        .members
        .iter()
        .map(|m| m.path.as_str())
        .collect();
    assert!(paths.contains(&"in/caf\u{FFFD}.txt"), "{paths:?}");
    let (code, _, stderr) = clean(&["in", "-o", "out"], tmp.path());
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        std::fs::read(tmp.path().join("out").join(odd)).unwrap(),
        article_cleaned(20).as_bytes()
    );
}

#[test]
fn a_very_deep_folder_tree_is_walked_and_mirrored() {
    let tmp = tempfile::tempdir().unwrap();
    let mut deep = tmp.path().join("in");
    for _ in 0..1000 {
        deep.push("d");
    }
    std::fs::create_dir_all(&deep).unwrap();
    std::fs::write(deep.join("deep.txt"), article_with_repeat(21)).unwrap();
    std::fs::write(tmp.path().join("in/top.txt"), article_with_repeat(21)).unwrap();
    let (report, stderr) = scan_json(&["in"], tmp.path(), 0);
    assert_eq!(report.clusters.len(), 1, "{stderr}");
    assert_eq!(report.clusters[0].size, 2);
    let (code, _, stderr) = clean(&["in", "-o", "out"], tmp.path());
    assert_eq!(code, 0, "{stderr}");
    let mirrored: PathBuf = tmp
        .path()
        .join("out")
        .join(deep.strip_prefix(tmp.path().join("in")).unwrap())
        .join("deep.txt");
    assert_eq!(
        std::fs::read(mirrored).unwrap(),
        article_cleaned(21).as_bytes()
    );
}

#[test]
fn a_hundred_thousand_small_files_are_all_read() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("in");
    // 100 folders of 1000 files; file f of every folder has the same text, so the clusters
    // are known: 1000 clusters of 100 files.
    let mut rng = Rng::new(22);
    let texts: Vec<String> = (0..1000).map(|_| paragraph(&mut rng, 12)).collect();
    for folder in 0..100 {
        let sub = dir.join(format!("f{folder:03}"));
        std::fs::create_dir_all(&sub).unwrap();
        for (f, text) in texts.iter().enumerate() {
            std::fs::write(sub.join(format!("{f:04}.txt")), text).unwrap();
        }
    }
    let (report, stderr) = scan_json(&["in", "-q", "--min-docs", "1000"], tmp.path(), 0);
    assert_eq!(stderr, "");
    assert_eq!(report.stats.files, 100_000);
    assert_eq!(report.clusters.len(), 1000);
    assert!(report.clusters.iter().all(|c| c.size == 100));
}

#[test]
fn jsonl_problems_are_named_by_line_and_every_byte_is_kept() {
    let tmp = tempfile::tempdir().unwrap();
    let text = article_with_repeat(23);
    let record = |id: &str| serde_json::json!({"id": id, "text": text}).to_string();
    let huge = "word ".repeat(4 << 20); // a 20 MB line
    let lines = [
        record("a"),
        "{not json".to_string(),
        "[1, 2]".to_string(),
        r#"{"id": "c"}"#.to_string(),
        r#"{"id": "d", "text": 42}"#.to_string(),
        serde_json::json!({"id": "huge", "text": huge}).to_string(),
        record("a"),
        String::new(),
        record("last"), // no newline at the end of the file
    ];
    let content = lines.join("\r\n");
    std::fs::write(tmp.path().join("docs.jsonl"), &content).unwrap();
    let (report, stderr) = scan_json(&["docs.jsonl"], tmp.path(), 2);
    let expected = [
        "neardup: docs.jsonl:2: not valid JSON (key must be a string at line 1 column 2); line skipped",
        "neardup: docs.jsonl:3: not a JSON object; line skipped",
        "neardup: docs.jsonl:4: no field \"text\"; line skipped",
        "neardup: docs.jsonl:5: field \"text\" is not a string; line skipped",
        "neardup: note: docs.jsonl:7: id \"a\" already used at line 1 (1 repeated id in this \
         file); documents are told apart by line",
    ];
    for line in expected {
        assert!(stderr.contains(line), "missing {line:?} in\n{stderr}");
    }
    assert_eq!(stderr.lines().count(), expected.len(), "{stderr}");
    assert_eq!(report.stats.documents, 4);
    assert_eq!(report.stats.input_errors, 4);
    let cluster: Vec<Option<usize>> = report.clusters[0].members.iter().map(|m| m.line).collect();
    assert_eq!(cluster, vec![Some(1), Some(7), Some(9)]);

    // clean: the skipped lines are kept byte for byte, the texts cleaned, no newline added.
    let (code, _, stderr) = clean(&["docs.jsonl", "-o", "out", "-q"], tmp.path());
    assert_eq!(code, 2, "{stderr}");
    let out = std::fs::read_to_string(tmp.path().join("out/docs.jsonl")).unwrap();
    let out_lines: Vec<&str> = out.split("\r\n").collect();
    assert_eq!(out_lines.len(), lines.len());
    for (n, (got, original)) in out_lines.iter().zip(&lines).enumerate() {
        if [0, 6, 8].contains(&n) {
            let value: serde_json::Value = serde_json::from_str(got).unwrap();
            assert_eq!(value["text"], article_cleaned(23));
        } else {
            assert_eq!(got, original, "line {}", n + 1);
        }
    }
    assert!(!out.ends_with('\n'));
}

#[test]
fn utf16_jsonl_is_named_skipped_and_copied_unchanged() {
    let tmp = tempfile::tempdir().unwrap();
    let line = r#"{"text": "hello world"}"#;
    std::fs::write(tmp.path().join("wide.jsonl"), utf16(line, true)).unwrap();
    let (code, _, stderr) = scan(&["wide.jsonl"], tmp.path());
    assert_eq!(code, 2);
    assert_eq!(
        stderr.trim(),
        "neardup: wide.jsonl: JSONL must be UTF-8, found a UTF-16LE byte-order mark; skipped\n\
         neardup: no documents to compare: 1 file read"
    );
    let (code, _, stderr) = clean(&["wide.jsonl", "-o", "out"], tmp.path());
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("skipped; copied unchanged, not cleaned"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read(tmp.path().join("out/wide.jsonl")).unwrap(),
        utf16(line, true)
    );
}

#[test]
fn usage_errors_are_one_clear_message_and_nothing_runs() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("a.txt"), article_with_repeat(24)).unwrap();
    for (args, says) in [
        (
            vec!["scan", "--threshold", "0", "a.txt"],
            "must be in (0, 1]",
        ),
        (
            vec!["scan", "--threshold=-0.5", "a.txt"],
            "must be in (0, 1]",
        ),
        (
            vec!["scan", "--threshold", "nan", "a.txt"],
            "must be in (0, 1]",
        ),
        (
            vec!["scan", "--threshold", "abc", "a.txt"],
            "is not a number",
        ),
        (vec!["scan", "--ngram", "0", "a.txt"], "0 is not in"),
        (vec!["scan", "--char-ngram", "0", "a.txt"], "0 is not in"),
        (
            vec!["scan", "--ngram", "3", "--char-ngram", "4", "a.txt"],
            "cannot be used with",
        ),
        (
            vec!["scan", "--encoding", "klingon", "a.txt"],
            "not an encoding label",
        ),
        (vec!["scan", "--num-perm", "0", "a.txt"], "0 is not in"),
        (vec!["clean", "a.txt"], "--out <DIR>"),
        (
            vec![
                "clean",
                "a.txt",
                "-o",
                "o",
                "--dry-run",
                "--drop-duplicates",
                "--keep-boilerplate",
                "--repeats",
                "sometimes",
            ],
            "invalid value 'sometimes'",
        ),
    ] {
        let (code, stdout, stderr) = outcome(
            common::neardup()
                .args(&args)
                .current_dir(tmp.path())
                .output()
                .unwrap(),
        );
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert!(stdout.is_empty(), "{args:?}");
        assert!(stderr.contains(says), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
    assert!(!tmp.path().join("o").exists());
}

#[test]
fn a_full_disk_stops_writing_and_leaves_only_complete_files() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("in");
    std::fs::create_dir(&dir).unwrap();
    let mut rng = Rng::new(25);
    for n in 0..40 {
        write_words(&dir.join(format!("doc{n:02}.txt")), &words(&mut rng, 8000));
    }
    let disk = tmp.path().join("disk");
    std::fs::create_dir(&disk).unwrap();
    // A 1 MB tmpfs (needs root or CAP_SYS_ADMIN).
    let mounted = std::process::Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=1m", "tmpfs"])
        .arg(&disk)
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    struct Unmount<'a>(&'a Path, bool);
    impl Drop for Unmount<'_> {
        fn drop(&mut self) {
            if self.1 {
                let _ = std::process::Command::new("umount").arg(self.0).status();
            }
        }
    }
    let _unmount = Unmount(&disk, mounted);
    // Where a tmpfs cannot be mounted, the writer's test double plays a 1 MB disk.
    let mut command = common::neardup();
    if !mounted {
        command.env("NEARDUP_TEST_DISK_BYTES", "1000000");
    }
    let (code, _, stderr) = outcome(
        command
            .args(["clean", "in", "-o", "disk/out", "-q", "-j", "1"])
            .current_dir(tmp.path())
            .output()
            .unwrap(),
    );
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("no space left on device"), "{stderr}");
    assert!(
        stderr.contains("neardup: disk/out: no space left on device; writing stopped"),
        "{stderr}"
    );
    // Only complete copies (identical to the input: nothing to remove) and no temporary file.
    let written = tree(&disk.join("out"));
    assert!(temporary_files(&disk.join("out")).is_empty(), "{written:?}");
    let copies: Vec<&String> = written.keys().filter(|k| k.ends_with(".txt")).collect();
    assert!(!copies.is_empty() && copies.len() < 40, "{copies:?}");
    for name in copies {
        assert_eq!(
            written[name],
            std::fs::read(dir.join(name)).unwrap(),
            "{name}"
        );
    }
}

/// Sends the signal `name` (`INT`, `TERM`) to a running child.
fn send(child: &std::process::Child, name: &str) {
    let sent = std::process::Command::new("kill")
        .arg(format!("-{name}"))
        .arg(child.id().to_string())
        .status()
        .unwrap();
    assert!(sent.success());
}

#[test]
fn ctrl_c_or_sigterm_during_clean_leave_only_complete_files_and_a_rerun_finishes() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("in");
    std::fs::create_dir(&dir).unwrap();
    for n in 0..200u64 {
        std::fs::write(
            dir.join(format!("doc{n:03}.txt")),
            article_with_repeat(100 + n),
        )
        .unwrap();
    }
    // The reference: an uninterrupted run.
    let (code, _, stderr) = clean(&["in", "-o", "reference", "-q"], tmp.path());
    assert_eq!(code, 0, "{stderr}");
    let reference = tree(&tmp.path().join("reference"));

    let out = tmp.path().join("out");
    let child = std::process::Command::new(assert_cmd::cargo::cargo_bin("neardup"))
        .args(["clean", "in", "-o", "out", "-q", "-j", "2"])
        .current_dir(tmp.path())
        .env("NEARDUP_TEST_WRITE_DELAY_MS", "50")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Interrupt once some copies are written.
    let started = std::time::Instant::now();
    let copies_in = |dir: &Path| {
        walkdir::WalkDir::new(dir)
            .into_iter()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().ends_with(".txt"))
            .count()
    };
    while copies_in(&out) < 10 {
        assert!(started.elapsed().as_secs() < 120, "no progress");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    send(&child, "INT");
    let (code, _, stderr) = outcome(child.wait_with_output().unwrap());
    assert_eq!(code, 130, "{stderr}");
    assert!(stderr.contains("interrupted: "), "{stderr}");
    let partial = tree(&out);
    assert!(temporary_files(&out).is_empty(), "{:?}", partial.keys());
    assert!(!partial.contains_key(neardup::clean::MANIFEST_NAME));
    let copies = partial.keys().filter(|k| k.ends_with(".txt")).count();
    assert!((10..200).contains(&copies), "{copies} copies");
    for (name, bytes) in &partial {
        assert_eq!(Some(bytes), reference.get(name), "{name} incomplete");
    }

    // The same command again finishes the job, with a manifest.
    let (code, _, stderr) = clean(&["in", "-o", "out", "-q"], tmp.path());
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(tree(&out), reference);

    // Once more, stopped by SIGTERM just after writing began: same guarantees, and the earlier
    // run's manifest is gone, since it no longer describes the folder.
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("neardup"))
        .args(["clean", "in", "-o", "out", "-q", "-j", "2"])
        .current_dir(tmp.path())
        .env("NEARDUP_TEST_WRITE_DELAY_MS", "50")
        .env("NEARDUP_TEST_PAUSE_AT", "writing")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut child_stderr = std::io::BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    child_stderr.read_line(&mut line).unwrap();
    assert!(line.contains("test pause before writing"), "{line}");
    child.stdin.take().unwrap().write_all(b"\n").unwrap();
    // 200 copies at 50 ms on 2 threads take 5 s; the signal comes after 0.2 s.
    std::thread::sleep(std::time::Duration::from_millis(200));
    send(&child, "TERM");
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child_stderr, &mut stderr).unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130), "{stderr}");
    assert!(temporary_files(&out).is_empty());
    let after_term = tree(&out);
    assert!(!after_term.contains_key(neardup::clean::MANIFEST_NAME));
    for (name, bytes) in &after_term {
        assert_eq!(Some(bytes), reference.get(name), "{name} incomplete");
    }

    // The same command again finishes the job.
    let (code, _, stderr) = clean(&["in", "-o", "out", "-q"], tmp.path());
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(tree(&out), reference);
}

#[test]
fn temporary_files_left_by_a_killed_run_are_removed_by_the_next_one() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir(tmp.path().join("in")).unwrap();
    std::fs::write(tmp.path().join("in/a.txt"), article_with_repeat(26)).unwrap();
    let (code, _, _) = clean(&["in", "-o", "out"], tmp.path());
    assert_eq!(code, 0);
    // What SIGKILL in the middle of a write would leave.
    std::fs::write(tmp.path().join("out/.neardup-Ab12Cd.tmp"), "half a fi").unwrap();
    let (code, _, stderr) = clean(&["in", "-o", "out"], tmp.path());
    assert_eq!(code, 0, "{stderr}");
    assert!(temporary_files(&tmp.path().join("out")).is_empty());
}

#[test]
fn a_duplicate_left_out_for_a_copy_that_changed_is_written_instead() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("in");
    std::fs::create_dir(&dir).unwrap();
    for name in ["a.txt", "b.txt"] {
        std::fs::write(dir.join(name), article_with_repeat(27)).unwrap();
    }
    // Which one is kept: the dry run's plan says.
    let (code, stdout, _) = clean(
        &[
            "in",
            "-o",
            "plan",
            "--drop-duplicates",
            "--dry-run",
            "--json",
        ],
        tmp.path(),
    );
    assert_eq!(code, 0);
    let plan: neardup::clean::Manifest = serde_json::from_str(&stdout).unwrap();
    let kept = plan.dropped_duplicates[0].duplicate_of.clone();
    let dropped = plan.dropped_duplicates[0].path.clone();
    // The kept copy changes while clean runs: it is not written, so its duplicate is.
    let (code, _, stderr) = paused_run(
        tmp.path(),
        &["clean", "in", "-o", "out", "--drop-duplicates"],
        "writing",
        || {
            let mut file = std::fs::OpenOptions::new()
                .append(true)
                .open(tmp.path().join(&kept))
                .unwrap();
            file.write_all(b"\nAn update.\n").unwrap();
        },
    );
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains(&format!(
            "neardup: {dropped}: written although a near-duplicate of {kept}, which could not \
             be written"
        )),
        "{stderr}"
    );
    let written = tree(&tmp.path().join("out"));
    let dropped_name = dropped.rsplit('/').next().unwrap();
    assert_eq!(written[dropped_name], article_cleaned(27).as_bytes());
    assert!(
        manifest(&tmp.path().join("out"))
            .dropped_duplicates
            .is_empty()
    );
}
