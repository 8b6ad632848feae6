//! Scans that do not fit in their memory budget: what spills to the work folder must give the
//! report the in-memory scan gives, whatever the budget and thread count, and the work folder
//! must be gone at the end, after an error and after Ctrl-C, unless it is kept.

mod common;

use common::{Rng, edit, words};
use neardup::progress::NoProgress;
use neardup::work::WorkOptions;
use neardup::{Report, ScanConfig};
use proptest::prelude::*;
use std::io::{BufRead, Write};
use std::path::Path;
use std::process::Stdio;

/// A corpus with near-duplicates, exact copies, a shared footer and repeats, as text files, JSON
/// Lines files and a Parquet file, from `seed`.
fn write_corpus(dir: &Path, seed: u64, documents: usize) {
    let mut rng = Rng::new(seed);
    let footer = "Subscribe to our newsletter for the latest stories from the region, \
                  delivered every morning to your inbox at no cost.";
    let mut bases: Vec<Vec<String>> = Vec::new();
    let mut records = String::new();
    for n in 0..documents {
        let text = if !bases.is_empty() && rng.below(3) == 0 {
            let base = bases[rng.below(bases.len())].clone();
            let changes = rng.below(3);
            edit(&mut rng, &base, changes).join(" ")
        } else {
            let length = 30 + rng.below(120);
            let fresh = words(&mut rng, length);
            bases.push(fresh.clone());
            fresh.join(" ")
        };
        let text = if rng.below(2) == 0 {
            format!("{text}\n\n{footer}")
        } else {
            text
        };
        if n % 2 == 0 {
            std::fs::write(dir.join(format!("doc-{n:04}.txt")), text).unwrap();
        } else {
            let record = serde_json::json!({"id": format!("r{n}"), "text": text});
            records.push_str(&format!("{record}\n"));
        }
    }
    // The records in four files: JSON Lines plain, gzip and zstd, and Parquet in row groups of
    // three rows, each read in pieces under a small budget.
    let lines: Vec<&str> = records.lines().collect();
    let third = lines.len().div_ceil(4).max(1);
    let mut parts = lines
        .chunks(third)
        .map(|part| format!("{}\n", part.join("\n")));
    std::fs::write(dir.join("records.jsonl"), parts.next().unwrap_or_default()).unwrap();
    if let Some(part) = parts.next() {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(part.as_bytes()).unwrap();
        std::fs::write(dir.join("records.jsonl.gz"), gz.finish().unwrap()).unwrap();
    }
    if let Some(part) = parts.next() {
        let packed = zstd::stream::encode_all(part.as_bytes(), 1).unwrap();
        std::fs::write(dir.join("records.jsonl.zst"), packed).unwrap();
    }
    if let Some(part) = parts.next() {
        let rows: Vec<(Option<String>, Option<String>)> = part
            .lines()
            .map(|line| {
                let record: serde_json::Value = serde_json::from_str(line).unwrap();
                let field = |name: &str| record[name].as_str().map(str::to_string);
                (field("id"), field("text"))
            })
            .collect();
        common::write_parquet(&dir.join("records.parquet"), &rows, 3);
    }
}

/// A temporary folder holding a corpus from `seed` (`in`) and an empty parent for work folders
/// (`work`).
fn corpus_and_work(
    seed: u64,
    documents: usize,
) -> (tempfile::TempDir, std::path::PathBuf, std::path::PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let (corpus, work) = (tmp.path().join("in"), tmp.path().join("work"));
    std::fs::create_dir_all(&corpus).unwrap();
    std::fs::create_dir_all(&work).unwrap();
    write_corpus(&corpus, seed, documents);
    (tmp, corpus, work)
}

/// The JSON report of a scan of `dir` with `memory` bytes (`None`: the default) on `threads`
/// threads, its work folder made under `work`.
fn report_json(dir: &Path, memory: Option<u64>, threads: usize, work: &Path) -> String {
    let config = ScanConfig {
        memory,
        work: WorkOptions {
            parent: Some(work.to_path_buf()),
            ..WorkOptions::default()
        },
        ..ScanConfig::default()
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    let outcome = pool
        .install(|| neardup::scan(&[dir.to_path_buf()], &config, &NoProgress))
        .unwrap();
    if memory.is_some_and(|m| m < 64 << 10) && outcome.stats.documents > 0 {
        assert!(outcome.work.bytes_written > 0, "a tiny budget must spill");
    }
    let mut json = Vec::new();
    Report::new(&outcome, &config)
        .write_json(&mut json)
        .unwrap();
    String::from_utf8(json).unwrap()
}

fn entries(dir: &Path) -> Vec<std::path::PathBuf> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    #[test]
    fn a_scan_that_spills_reports_what_the_in_memory_scan_reports(
        seed in any::<u64>(),
        documents in 8usize..70,
        budget in 256u64..8192,
        threads in 1usize..4,
    ) {
        let (_tmp, corpus, work) = corpus_and_work(seed, documents);
        let in_memory = report_json(&corpus, None, 2, &work);
        let spilled = report_json(&corpus, Some(budget), threads, &work);
        prop_assert_eq!(in_memory, spilled);
        prop_assert!(entries(&work).is_empty(), "work folder left: {:?}", entries(&work));
    }
}

#[test]
fn a_damaged_shard_keeps_the_records_before_the_damage_whatever_the_budget() {
    let tmp = tempfile::tempdir().unwrap();
    let (corpus, work) = (tmp.path().join("in"), tmp.path().join("work"));
    std::fs::create_dir_all(&corpus).unwrap();
    std::fs::create_dir_all(&work).unwrap();
    let mut rng = Rng::new(5);
    let base = words(&mut rng, 80).join(" ");
    let records: String = (0..400)
        .map(|n| {
            let text = if n % 50 == 0 {
                base.clone()
            } else {
                words(&mut rng, 60).join(" ")
            };
            format!("{}\n", serde_json::json!({"id": n, "text": text}))
        })
        .collect();
    let packed = zstd::stream::encode_all(records.as_bytes(), 1).unwrap();
    std::fs::write(
        corpus.join("cut.jsonl.zst"),
        &packed[..packed.len() * 3 / 4],
    )
    .unwrap();
    let scan = |memory: &str| {
        let out = neardup()
            .args(["scan", "-q", "--json", "--memory", memory, "--work-dir"])
            .arg(&work)
            .arg(&corpus)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2));
        (
            String::from_utf8(out.stdout).unwrap(),
            String::from_utf8(out.stderr).unwrap(),
        )
    };
    let (whole, whole_stderr) = scan("1G");
    let (pieces, pieces_stderr) = scan("4K");
    assert_eq!(whole, pieces);
    assert_eq!(whole_stderr, pieces_stderr);
    assert_eq!(whole_stderr.lines().count(), 1, "{whole_stderr}");
    assert!(
        whole_stderr.contains("cut.jsonl.zst") && whole_stderr.contains("on were not read"),
        "{whole_stderr}"
    );
    let report: serde_json::Value = serde_json::from_str(&whole).unwrap();
    let documents = report["stats"]["documents"].as_u64().unwrap();
    assert!(documents > 100 && documents < 400, "{documents}");
    // The copies of `base` before the damage are found.
    assert!(report["stats"]["clusters"].as_u64().unwrap() >= 1);
}

/// The report and stderr of `neardup scan -q --json --memory MEMORY DIR`.
fn scan_with(dir: &Path, memory: &str, work: &Path) -> (Option<i32>, String, String) {
    let out = neardup()
        .args(["scan", "-q", "--json", "--memory", memory, "--work-dir"])
        .arg(work)
        .arg(dir)
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn records_longer_than_a_piece_and_damage_after_the_last_line_read_as_a_whole_file_does() {
    let tmp = tempfile::tempdir().unwrap();
    let work = tmp.path().join("work");
    std::fs::create_dir_all(&work).unwrap();
    let mut rng = Rng::new(17);
    // One record of 400 KB among short ones: read in 1 KiB pieces, it must be read on (in
    // steps that grow, or it takes minutes) and come out whole.
    let long = tmp.path().join("long");
    std::fs::create_dir_all(&long).unwrap();
    let short = words(&mut rng, 40).join(" ");
    let huge = words(&mut rng, 60_000).join(" ");
    let records = format!(
        "{}\n{}\n{}\n{}",
        serde_json::json!({"id": 1, "text": short}),
        serde_json::json!({"id": 2, "text": huge}),
        serde_json::json!({"id": 3, "text": huge}),
        serde_json::json!({"id": 4, "text": short}),
    );
    std::fs::write(long.join("r.jsonl"), &records).unwrap();
    let whole = scan_with(&long, "1G", &work);
    assert_eq!(whole.0, Some(0), "{}", whole.2);
    assert_eq!(whole, scan_with(&long, "16K", &work));
    let report: serde_json::Value = serde_json::from_str(&whole.1).unwrap();
    assert_eq!(report["stats"]["clusters"], 2, "{}", report["stats"]);

    // A gzip file whose damage comes after its one whole line and some NUL bytes: the NUL
    // bytes are past the last newline, so both readings keep the line.
    let damaged = tmp.path().join("damaged");
    std::fs::create_dir_all(&damaged).unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let text = serde_json::json!({"text": words(&mut rng, 30).join(" ")});
    gz.write_all(format!("{text}\n").as_bytes()).unwrap();
    gz.write_all(&[0u8; 20]).unwrap();
    let packed = gz.finish().unwrap();
    std::fs::write(damaged.join("d.jsonl.gz"), &packed[..packed.len() - 4]).unwrap();
    let whole = scan_with(&damaged, "1G", &work);
    assert_eq!(whole, scan_with(&damaged, "1000", &work));
    assert!(
        whole.2.contains("records from line 2 on were not read"),
        "{}",
        whole.2
    );
    assert!(entries(&work).is_empty());
}

#[test]
fn the_spilled_report_finds_the_planted_copies() {
    // The in-memory report is checked elsewhere; here, that the comparison above is not between
    // two empty reports.
    let (_tmp, corpus, work) = corpus_and_work(7, 60);
    let report: serde_json::Value =
        serde_json::from_str(&report_json(&corpus, Some(8 << 10), 2, &work)).unwrap();
    assert!(
        report["stats"]["clusters"].as_u64().unwrap() >= 3,
        "{}",
        report["stats"]
    );
    assert!(report["stats"]["boilerplate_paragraphs"].as_u64().unwrap() >= 1);
}

fn neardup() -> std::process::Command {
    std::process::Command::new(assert_cmd::cargo::cargo_bin("neardup"))
}

#[test]
fn a_kept_work_folder_holds_the_documented_files_and_is_named() {
    let (_tmp, corpus, work) = corpus_and_work(3, 40);
    let run = |extra: &[&str]| {
        let out = neardup()
            .args(["scan", "-q", "--json", "--memory", "16K", "--work-dir"])
            .arg(&work)
            .args(extra)
            .arg(&corpus)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0));
        (
            String::from_utf8(out.stdout).unwrap(),
            String::from_utf8(out.stderr).unwrap(),
        )
    };
    let (report, stderr) = run(&[]);
    assert!(entries(&work).is_empty(), "{stderr}");
    let (kept_report, stderr) = run(&["--keep-work"]);
    assert_eq!(report, kept_report);
    let kept = entries(&work);
    assert_eq!(kept.len(), 1, "{stderr}");
    assert!(
        stderr.contains(&format!("work folder kept: {}", kept[0].display())),
        "{stderr}"
    );
    for file in [
        "shingles.bin",
        "shingles.idx",
        "signatures.bin",
        "zones.bin",
    ] {
        assert!(kept[0].join(file).is_file(), "{file}");
    }
    // shingles.idx: one u64 start per document and the end; signatures: 128 u32 each.
    let documents =
        serde_json::from_str::<serde_json::Value>(&report).unwrap()["stats"]["documents"]
            .as_u64()
            .unwrap();
    let index = std::fs::read(kept[0].join("shingles.idx")).unwrap();
    assert_eq!(index.len() as u64, 8 * (documents + 1));
    let last = u64::from_le_bytes(index[index.len() - 8..].try_into().unwrap());
    assert_eq!(
        std::fs::metadata(kept[0].join("shingles.bin"))
            .unwrap()
            .len(),
        last
    );
    assert_eq!(
        std::fs::metadata(kept[0].join("signatures.bin"))
            .unwrap()
            .len(),
        documents * 128 * 4
    );
    let runs: Vec<_> = entries(&kept[0].join("bands"));
    assert!(
        runs.iter()
            .any(|r| r.to_string_lossy().contains("band-000-run-")),
        "{runs:?}"
    );
}

#[test]
fn a_work_folder_that_cannot_be_made_stops_the_run_with_one_line() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("in");
    std::fs::create_dir_all(&corpus).unwrap();
    write_corpus(&corpus, 5, 20);
    let missing = tmp.path().join("no-such-folder");
    let out = neardup()
        .args(["scan", "-q", "--memory", "4K", "--work-dir"])
        .arg(&missing)
        .arg(&corpus)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("work folder") && stderr.contains("no-such-folder"),
        "{stderr}"
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn a_full_disk_in_the_work_folder_stops_the_run_with_one_line_and_removes_it() {
    let (tmp, corpus, work) = corpus_and_work(13, 40);
    for (command, limit) in [("scan", "3000"), ("scan", "20000"), ("clean", "3000")] {
        let mut run = neardup();
        run.args([command, "--memory", "8K", "--work-dir"])
            .arg(&work)
            .arg(&corpus)
            .env("NEARDUP_TEST_WORK_BYTES", limit);
        if command == "clean" {
            run.arg("--out").arg(tmp.path().join("out"));
        }
        let out = run.output().unwrap();
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert_eq!(out.status.code(), Some(1), "{stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(
            stderr.contains("work folder") && stderr.contains("no space left"),
            "{stderr}"
        );
        assert!(out.stdout.is_empty());
        assert!(entries(&work).is_empty(), "{:?}", entries(&work));
        assert!(!tmp.path().join("out").exists(), "clean wrote nothing");
    }
}

#[test]
fn ctrl_c_during_a_spilled_scan_leaves_no_work_folder() {
    let (_tmp, corpus, work) = corpus_and_work(11, 40);
    for signal in ["INT", "TERM"] {
        let mut child = neardup()
            .args(["scan", "--memory", "8K", "--work-dir"])
            .arg(&work)
            .arg(&corpus)
            // Paused once the documents are on disk.
            .env("NEARDUP_TEST_PAUSE_AT", "verifying")
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stderr = std::io::BufReader::new(child.stderr.take().unwrap());
        let mut line = String::new();
        stderr.read_line(&mut line).unwrap();
        assert!(line.contains("test pause before verifying"), "{line}");
        assert_eq!(entries(&work).len(), 1, "the scan spilled");
        let sent = std::process::Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(child.id().to_string())
            .status()
            .unwrap();
        assert!(sent.success());
        // Waited for with its stdin open: the pause goes on until the signal ends the run.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "the signal did not end the run"
            );
            std::thread::sleep(std::time::Duration::from_millis(20));
        };
        assert_eq!(status.code(), Some(130));
        assert!(entries(&work).is_empty(), "{:?}", entries(&work));
        let _ = child.stdin.take().map(|mut s| s.write_all(b"\n"));
    }
}

#[test]
fn a_scan_that_spills_says_what_each_stage_wrote_and_one_that_fits_says_nothing() {
    let (_tmp, corpus, work) = corpus_and_work(9, 30);
    let stderr = |memory: &str| {
        let out = neardup()
            .args(["scan", "--memory", memory, "--work-dir"])
            .arg(&work)
            .arg(&corpus)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0));
        String::from_utf8(out.stderr).unwrap()
    };
    let spilled = stderr("8K");
    assert!(
        spilled.contains("did not fit in its memory budget")
            && spilled.contains("hashing")
            && spilled.contains("written)"),
        "{spilled}"
    );
    assert!(!stderr("1G").contains("memory budget"));
}

/// Runs `neardup clean CORPUS --out OUT --drop-duplicates --min-docs 3 --json` with `memory`;
/// the files written and the manifest printed.
fn clean_tree(
    corpus: &Path,
    out: &Path,
    memory: &str,
) -> (std::collections::BTreeMap<String, Vec<u8>>, String) {
    let output = neardup()
        .arg("clean")
        .arg(corpus)
        .arg("--out")
        .arg(out)
        .args([
            "--drop-duplicates",
            "--min-docs",
            "3",
            "--json",
            "-q",
            "--memory",
            memory,
        ])
        .output()
        .unwrap();
    assert!(output.status.code().is_some_and(|c| c < 2), "{output:?}");
    let manifest = String::from_utf8(output.stdout).unwrap();
    (common::tree(out), manifest)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn a_clean_that_streams_its_shards_writes_what_a_clean_in_memory_writes(
        seed in any::<u64>(),
        documents in 8usize..60,
    ) {
        let (tmp, corpus, _work) = corpus_and_work(seed, documents);
        // Under 4 KiB every file of records is read in pieces and cleaned streamed.
        let (whole, whole_manifest) = clean_tree(&corpus, &tmp.path().join("whole"), "1G");
        let (streamed, streamed_manifest) = clean_tree(&corpus, &tmp.path().join("streamed"), "4K");
        prop_assert_eq!(whole.keys().collect::<Vec<_>>(), streamed.keys().collect::<Vec<_>>());
        for (name, bytes) in &whole {
            if name != "neardup-manifest.json" {
                prop_assert!(&streamed[name] == bytes, "{} differs", name);
            }
        }
        prop_assert_eq!(
            whole_manifest.replace("whole", "OUT"),
            streamed_manifest.replace("streamed", "OUT")
        );
    }
}
