//! Integration tests of `neardup clean`: they run the built binary on the sample corpus and on
//! temporary corpora and check the cleaned copies, the manifest and the safety rules.

mod common;

use common::*;
use neardup::stages::segment;
use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

const SEED_001: &str = "corpus/001_bc7ac223c58f7b41.txt";

/// The normalized text of every paragraph of `text`.
fn normalized_paragraphs(text: &str) -> Vec<String> {
    let mut tokenizer = neardup::stages::Tokenizer::new();
    segment(text)
        .iter()
        .map(|p| tokenizer.normalized(p.text(text)))
        .collect()
}

#[test]
fn seed_001_keeps_the_daydaynews_paragraph_once_and_every_single_paragraph() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("cleaned");
    let (code, stdout, stderr) = clean(&["corpus", "--out", out.to_str().unwrap()], &repo());
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("removed 5 paragraphs from 1 of 10 documents"),
        "{stdout}"
    );

    let original = std::fs::read_to_string(repo().join(SEED_001)).unwrap();
    let cleaned = std::fs::read_to_string(out.join("001_bc7ac223c58f7b41.txt")).unwrap();
    assert_eq!(cleaned.matches("DayDayNews").count(), 1);
    // The truncated first line is a copy of the full paragraph and gives way to it.
    let first_line = original.lines().next().unwrap();
    assert!(first_line.ends_with("agai"));
    assert!(!cleaned.lines().any(|l| l == first_line));
    // Every paragraph that occurs once is kept, in order.
    let before = normalized_paragraphs(&original);
    let after = normalized_paragraphs(&cleaned);
    let once: Vec<&String> = before
        .iter()
        .filter(|p| before.iter().filter(|q| q == p).count() == 1)
        .collect();
    let kept: Vec<&String> = after.iter().filter(|p| once.contains(p)).collect();
    assert_eq!(
        kept.len(),
        once.len() - 1,
        "all singles but the truncated line"
    );
    // The other documents are copied byte for byte, nothing else is written.
    for entry in std::fs::read_dir(repo().join("corpus")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap();
        if !path.ends_with("001_bc7ac223c58f7b41.txt") {
            assert_eq!(
                std::fs::read(&path).unwrap(),
                std::fs::read(out.join(name)).unwrap()
            );
        }
    }
    let written = tree(&out);
    assert_eq!(
        written.len(),
        12,
        "10 documents, the manifest and the marker: {:?}",
        written.keys()
    );

    let manifest = manifest(&out);
    assert_eq!(manifest.documents.len(), 1);
    let removed: Vec<([u32; 2], Option<u32>)> = manifest.documents[0]
        .removed
        .iter()
        .map(|r| (r.lines, r.repeat_of_line))
        .collect();
    let expected: Vec<([u32; 2], Option<u32>)> = [1, 43, 69, 91, 107]
        .iter()
        .map(|&l| ([l, l], Some(21)))
        .collect();
    assert_eq!(removed, expected);
    assert_eq!(manifest.stats.repeats_removed, 5);
    assert_eq!(manifest.documents[0].output, "001_bc7ac223c58f7b41.txt");
    // Without a progress bar sizes are not asked for while walking; they come from the reads.
    let sizes: u64 = std::fs::read_dir(repo().join("corpus"))
        .unwrap()
        .map(|e| e.unwrap().metadata().unwrap().len())
        .sum();
    assert_eq!(manifest.stats.bytes_in, sizes);
    let copies: u64 = std::fs::read_dir(repo().join("corpus"))
        .unwrap()
        .map(|e| {
            std::fs::metadata(out.join(e.unwrap().file_name()))
                .unwrap()
                .len()
        })
        .sum();
    assert_eq!(manifest.stats.bytes_out, copies);
    assert!(copies < sizes);
}

/// Running prose between two copies of a paste (a short line there would read as an entry's
/// header).
const BODY: &str = "Body text that stays \u{201c}as is\u{201d}, whatever the cleaner decides about the rest of the page.";

#[test]
fn cleaned_text_is_the_original_minus_whole_paragraphs() {
    let tmp = tempfile::tempdir().unwrap();
    let p = "This paragraph is pasted twice into the page by a broken scraper";
    let text = format!(
        "Title line here\r\n\r\n{p}\r\nwrapped here\r\n\r\n  \r\n{BODY}  \r\n\r\n{p} wrapped\r\nhere\r\n"
    );
    std::fs::write(tmp.path().join("a.txt"), &text).unwrap();
    let (code, _, stderr) = clean(&["a.txt", "--out", "out"], tmp.path());
    assert_eq!(code, 0, "{stderr}");
    let cleaned = std::fs::read(tmp.path().join("out/a.txt")).unwrap();
    let expected = format!("Title line here\r\n\r\n{p}\r\nwrapped here\r\n\r\n  \r\n{BODY}  \r\n");
    assert_eq!(String::from_utf8(cleaned).unwrap(), expected);
    // drop-all removes both copies.
    let (code, _, _) = clean(
        &["a.txt", "--out", "all", "--repeats", "drop-all"],
        tmp.path(),
    );
    assert_eq!(code, 0);
    let cleaned = std::fs::read_to_string(tmp.path().join("all/a.txt")).unwrap();
    // A removed paragraph takes the separator after it (here a blank line of spaces) along.
    assert_eq!(cleaned, format!("Title line here\r\n\r\n{BODY}  \r\n"));
}

#[test]
fn generated_boilerplate_is_found_and_nothing_else_is_removed() {
    let tmp = tempfile::tempdir().unwrap();
    let docs = tmp.path().join("docs");
    std::fs::create_dir(&docs).unwrap();
    let injected = boilerplate_corpus(&docs, 60, 4);
    let out = tmp.path().join("out");
    let (code, _, stderr) = clean(&["docs", "--out", "out"], tmp.path());
    assert_eq!(code, 0, "{stderr}");
    let manifest = manifest(&out);
    let mut removed: std::collections::BTreeMap<String, Vec<usize>> =
        injected.keys().map(|k| (k.clone(), Vec::new())).collect();
    for doc in &manifest.documents {
        let name = Path::new(&doc.path)
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        removed
            .get_mut(&name)
            .unwrap()
            .extend(doc.removed.iter().map(|r| r.paragraph as usize - 1));
    }
    // Every injected footer and pasted copy is removed, and nothing else: the 13 documents of
    // article 0's family share all its paragraphs, which are not boilerplate.
    assert_eq!(removed, injected);
    let footers: usize =
        injected.values().map(Vec::len).sum::<usize>() - manifest.stats.repeats_removed;
    assert_eq!(manifest.stats.boilerplate_removed, footers);
    assert!(manifest.stats.repeats_removed >= 16);

    // The scan reports the same boilerplate, most frequent first, with examples.
    let (report, _) = scan_json(&["docs"], tmp.path(), 0);
    let counts: Vec<usize> = report.boilerplate.iter().map(|b| b.documents).collect();
    assert_eq!(counts, [42, 32, 27, 24]);
    assert_eq!(report.boilerplate[0].families, 30);
    assert!(report.boilerplate[0].preview.starts_with("Footer 0:"));
    assert_eq!(report.boilerplate[0].examples.len(), 3);
    assert_eq!(report.stats.documents_with_repeats, 9);

    // --keep-boilerplate keeps the footers; --min-docs above a footer's count spares it.
    let (code, _, _) = clean(&["docs", "--out", "keep", "--keep-boilerplate"], tmp.path());
    assert_eq!(code, 0);
    assert_eq!(manifest_at(tmp.path(), "keep").stats.boilerplate_removed, 0);
    let (code, _, _) = clean(&["docs", "--out", "min", "--min-docs", "13"], tmp.path());
    assert_eq!(code, 0);
    let m = manifest_at(tmp.path(), "min");
    assert_eq!(m.params.min_docs, 13);
    assert!(
        m.stats.boilerplate_removed > 0 && m.stats.boilerplate_removed < footers,
        "{} of {footers}",
        m.stats.boilerplate_removed
    );
}

fn manifest_at(dir: &Path, out: &str) -> neardup::clean::Manifest {
    manifest(&dir.join(out))
}

#[test]
fn cleaning_the_cleaned_folder_removes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let docs = tmp.path().join("docs");
    std::fs::create_dir(&docs).unwrap();
    boilerplate_corpus(&docs, 40, 3);
    let (code, _, _) = clean(&["docs", "--out", "once"], tmp.path());
    assert_eq!(code, 0);
    assert!(manifest_at(tmp.path(), "once").stats.paragraphs_removed > 0);
    let (code, _, _) = clean(&["once", "--out", "twice"], tmp.path());
    assert_eq!(code, 0);
    let twice = manifest_at(tmp.path(), "twice");
    assert_eq!(twice.stats.paragraphs_removed, 0);
    let (a, b) = (
        tree(&tmp.path().join("once")),
        tree(&tmp.path().join("twice")),
    );
    for (name, bytes) in &a {
        if name != neardup::clean::MANIFEST_NAME {
            assert_eq!(Some(bytes), b.get(name), "{name}");
        }
    }
}

#[test]
fn drop_duplicates_keeps_the_member_keep_chooses() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let (code, stdout, _) = clean(
        &[
            "corpus",
            "--out",
            out.to_str().unwrap(),
            "--drop-duplicates",
        ],
        &repo(),
    );
    assert_eq!(code, 0);
    assert!(
        stdout.contains("left out 3 near-duplicate documents"),
        "{stdout}"
    );
    let (report, _) = scan_json(&["corpus"], &repo(), 0);
    let m = manifest(&out);
    assert_eq!(m.dropped_duplicates.len(), 3);
    assert_eq!(m.params.keep, "first");
    for cluster in &report.clusters {
        let kept: Vec<&str> = cluster
            .members
            .iter()
            .filter(|m| m.kept)
            .map(|m| m.path.as_str())
            .collect();
        assert_eq!(kept.len(), 1, "one kept member per cluster");
        // First in path order.
        let first = cluster
            .members
            .iter()
            .map(|m| m.path.as_str())
            .min()
            .unwrap();
        assert_eq!(kept[0], first);
        for member in &cluster.members {
            let name = Path::new(&member.path).file_name().unwrap();
            assert_eq!(out.join(name).exists(), member.kept, "{}", member.path);
            assert_eq!(member.dropped, !member.kept);
            if !member.kept {
                let d = m
                    .dropped_duplicates
                    .iter()
                    .find(|d| d.path == member.path)
                    .unwrap();
                assert_eq!(d.duplicate_of, kept[0]);
                // Two-member clusters: the similarity to the kept one is the pair's.
                assert_eq!(d.similarity, cluster.members[1].similarity);
            }
        }
    }
    // The original article 000 stays; its syndicated copy 005 is left out.
    assert!(out.join("000_19d78a4ffbec308a.txt").exists());
    assert!(!out.join("005_syndicated_copy.txt").exists());
}

#[test]
fn dry_run_prints_the_plan_and_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let (code, stdout, _) = clean(
        &[
            "corpus",
            "--out",
            out.to_str().unwrap(),
            "--dry-run",
            "--drop-duplicates",
        ],
        &repo(),
    );
    assert_eq!(code, 0);
    assert!(!out.exists());
    assert!(stdout.contains(SEED_001));
    assert!(
        stdout.contains("remove line 43: repeat of line 21"),
        "{stdout}"
    );
    assert!(stdout.contains("leave out corpus/006_rewrapped_copy.txt: near-duplicate of"));
    assert!(stdout.contains("dry run: nothing written"));
    // The summary says what would happen, not what happened.
    assert!(
        stdout.contains("would remove 5 paragraphs from 1 of 10 documents:"),
        "{stdout}"
    );
    assert!(
        stdout.contains("would leave out 3 near-duplicate documents"),
        "{stdout}"
    );
    assert!(
        !stdout.contains("\nremoved ") && !stdout.contains("\nleft out "),
        "{stdout}"
    );
    // --json prints the manifest instead.
    let (code, stdout, _) = clean(
        &[
            "corpus",
            "--out",
            out.to_str().unwrap(),
            "--dry-run",
            "--json",
        ],
        &repo(),
    );
    assert_eq!(code, 0);
    let m: neardup::clean::Manifest = serde_json::from_str(&stdout).unwrap();
    assert_eq!(m.stats.repeats_removed, 5);
    assert!(!out.exists());
}

#[test]
fn jsonl_out_keeps_every_field_and_line_byte_for_byte() {
    let tmp = tempfile::tempdir().unwrap();
    let mut rng = Rng::new(5);
    let pasted = words(&mut rng, 30).join(" ");
    let body = words(&mut rng, 60).join(" ");
    let other = words(&mut rng, 80).join(" ");
    let repeated = format!("{pasted}\n\n{body}\n\n{pasted}");
    let lines = [
        format!(
            r#"{{"id":"a","meta":{{"n":1.50,"u":"\u00e9"}},"text":{}}}"#,
            serde_json::to_string(&repeated).unwrap()
        ),
        "not json at all".to_string(),
        String::new(),
        format!(
            r#"{{"text":{},"id":7}}"#,
            serde_json::to_string(&other).unwrap()
        ),
        format!(
            r#"{{"id":"dup","text":{}}}"#,
            serde_json::to_string(&other).unwrap()
        ),
    ];
    let input = lines.join("\n") + "\n";
    std::fs::write(tmp.path().join("in.jsonl"), &input).unwrap();
    let (code, _, stderr) = clean(&["in.jsonl", "--out", "out"], tmp.path());
    assert_eq!(code, 2, "a malformed line is an input error: {stderr}");
    assert!(stderr.contains("in.jsonl:2: not valid JSON"), "{stderr}");
    let output = std::fs::read_to_string(tmp.path().join("out/in.jsonl")).unwrap();
    let out_lines: Vec<&str> = output.split('\n').collect();
    assert_eq!(out_lines.len(), lines.len() + 1);
    let cleaned = serde_json::to_string(&format!("{pasted}\n\n{body}")).unwrap();
    assert_eq!(
        out_lines[0],
        format!(r#"{{"id":"a","meta":{{"n":1.50,"u":"\u00e9"}},"text":{cleaned}}}"#)
    );
    assert_eq!(
        &out_lines[1..],
        &lines[1..]
            .iter()
            .map(String::as_str)
            .chain([""])
            .collect::<Vec<_>>()[..]
    );
    let m = manifest(&tmp.path().join("out"));
    assert_eq!(m.documents[0].line, Some(1));
    assert_eq!(m.documents[0].id, Some(serde_json::json!("a")));
    assert_eq!(m.documents[0].removed[0].lines, [5, 5]);

    // --drop-duplicates leaves the later copy's line out; the malformed line is still reported.
    let (code, _, _) = clean(
        &["in.jsonl", "--out", "dd", "--drop-duplicates"],
        tmp.path(),
    );
    assert_eq!(code, 2);
    let output = std::fs::read_to_string(tmp.path().join("dd/in.jsonl")).unwrap();
    assert_eq!(output.lines().count(), lines.len() - 1);
    let m = manifest(&tmp.path().join("dd"));
    assert_eq!(m.dropped_duplicates.len(), 1);
    assert!(
        m.dropped_duplicates[0]
            .duplicate_of
            .starts_with("in.jsonl:")
    );
}

#[test]
fn an_out_folder_that_is_or_holds_an_input_is_refused_and_nothing_is_written() {
    let tmp = tempfile::tempdir().unwrap();
    let docs = tmp.path().join("docs");
    std::fs::create_dir(&docs).unwrap();
    std::fs::write(docs.join("a.txt"), "some text here\n").unwrap();
    std::fs::write(tmp.path().join("b.txt"), "more text here\n").unwrap();
    // A folder neardup wrote to before, holding an input.
    std::fs::create_dir(tmp.path().join("prev")).unwrap();
    std::fs::write(tmp.path().join("prev/c.txt"), "third text here\n").unwrap();
    std::fs::write(
        tmp.path().join("prev").join(neardup::clean::MARKER_NAME),
        "",
    )
    .unwrap();
    let before = tree(tmp.path());
    for (args, message) in [
        (vec!["docs", "--out", "docs"], "is the input"),
        (
            vec!["docs", "--out", "docs/cleaned"],
            "lies inside the input",
        ),
        (
            vec!["docs", "--out", "./docs/../docs/x"],
            "lies inside the input",
        ),
        (vec!["docs/a.txt", "--out", "docs"], "is not empty"),
        (vec!["b.txt", "--out", "."], "is not empty"),
        (
            vec!["prev/c.txt", "--out", "prev"],
            "would overwrite the input",
        ),
        (vec!["docs", "--out", "b.txt"], "is not a folder"),
    ] {
        let (code, stdout, stderr) = clean(&args, tmp.path());
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert!(stderr.contains(message), "{args:?}: {stderr}");
        assert!(stdout.is_empty());
        assert_eq!(tree(tmp.path()), before, "{args:?} wrote something");
    }
}

#[test]
fn several_inputs_are_mirrored_under_their_names_and_no_temporary_file_remains() {
    let tmp = tempfile::tempdir().unwrap();
    let mut rng = Rng::new(8);
    for dir in ["x/news", "y/news", "z"] {
        write_words(
            &tmp.path().join(dir).join("sub/a.txt"),
            &words(&mut rng, 50),
        );
    }
    std::fs::write(tmp.path().join("single.txt"), "one file on its own\n").unwrap();
    let (code, _, stderr) = clean(&["x/news", "z", "single.txt", "--out", "out"], tmp.path());
    assert_eq!(code, 0, "{stderr}");
    let written: Vec<String> = tree(&tmp.path().join("out")).into_keys().collect();
    assert_eq!(
        written,
        [
            neardup::clean::MARKER_NAME,
            neardup::clean::MANIFEST_NAME,
            "news/sub/a.txt",
            "single.txt",
            "z/sub/a.txt"
        ]
    );
    // Two inputs with one name would collide: refused.
    let (code, _, stderr) = clean(&["x/news", "y/news", "--out", "out2"], tmp.path());
    assert_eq!(code, 2);
    assert!(stderr.contains("would both be written to"), "{stderr}");
    assert!(!tmp.path().join("out2").exists());
}

#[test]
fn scan_reports_repeats_with_lines_and_preview() {
    let (report, _) = scan_json(&["corpus"], &repo(), 0);
    assert_eq!(report.repeats.len(), 1);
    let r = &report.repeats[0];
    assert_eq!(r.path, SEED_001);
    assert_eq!(r.groups.len(), 1);
    let g = &r.groups[0];
    assert_eq!(g.count, 6);
    assert_eq!(
        g.lines.iter().map(|l| l[0]).collect::<Vec<_>>(),
        [1, 21, 43, 69, 91, 107]
    );
    assert_eq!(g.kept_line, 21);
    assert!(
        g.preview
            .starts_with("Of course, the emergence of the Russia-Ukraine")
    );
    assert_eq!(report.stats.repeated_paragraphs, 5);
}

#[test]
fn clean_manifest_fields_are_exactly_those_the_readme_documents() {
    // A run with every optional field: JSONL records with a repeat and a dropped duplicate, and
    // boilerplate in text files.
    let tmp = tempfile::tempdir().unwrap();
    let mut rng = Rng::new(41);
    let pasted = words(&mut rng, 20).join(" ");
    let article = words(&mut rng, 80).join(" ");
    let records = [
        serde_json::json!({"id": "r1", "text": format!("{pasted}\n\nx y z\n\n{pasted}")}),
        serde_json::json!({"id": "r2", "text": article}),
        serde_json::json!({"id": "r3", "text": article}),
    ];
    let jsonl: Vec<String> = records.iter().map(|r| r.to_string()).collect();
    std::fs::write(tmp.path().join("r.jsonl"), jsonl.join("\n") + "\n").unwrap();
    for name in ["x.txt", "y.txt"] {
        let body = words(&mut rng, 60).join(" ");
        std::fs::write(
            tmp.path().join(name),
            format!("{body}\n\nSubscribe to our newsletter\n"),
        )
        .unwrap();
    }
    let (code, stdout, stderr) = clean(
        &[
            "r.jsonl",
            "x.txt",
            "y.txt",
            "--out",
            "out",
            "--min-docs",
            "2",
            "--drop-duplicates",
            "--dry-run",
            "--json",
        ],
        tmp.path(),
    );
    assert_eq!(code, 0, "{stderr}");
    let output: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    // The second json block of the README is the manifest; this run has every field but the
    // rows of Parquet records (tests/parquet.rs has those).
    assert_fields_documented(2, &output, &["documents[].row", "dropped_duplicates[].row"]);
}

#[test]
fn an_out_folder_with_foreign_files_is_refused_but_a_previous_output_is_reused() {
    let tmp = tempfile::tempdir().unwrap();
    let mut rng = Rng::new(17);
    write_words(&tmp.path().join("in/a.txt"), &words(&mut rng, 40));
    std::fs::create_dir(tmp.path().join("home")).unwrap();
    std::fs::write(tmp.path().join("home/todo.txt"), "mine").unwrap();
    let (code, _, stderr) = clean(&["in", "--out", "home"], tmp.path());
    assert_eq!(code, 2);
    assert!(
        stderr.contains("is not empty and was not written by neardup"),
        "{stderr}"
    );
    assert_eq!(tree(&tmp.path().join("home")).len(), 1);
    // A folder neardup wrote before (even if interrupted: the marker comes first) is reused.
    for _ in 0..2 {
        let (code, _, stderr) = clean(&["in", "--out", "out"], tmp.path());
        assert_eq!(code, 0, "{stderr}");
    }
    std::fs::remove_file(tmp.path().join("out").join(neardup::clean::MANIFEST_NAME)).unwrap();
    let (code, _, stderr) = clean(&["in", "--out", "out"], tmp.path());
    assert_eq!(code, 0, "{stderr}");
}

#[test]
fn copies_never_land_inside_an_input_folder_or_through_a_link() {
    let tmp = tempfile::tempdir().unwrap();
    let mut rng = Rng::new(18);
    // w/ holds the input w/docs (with a docs/ folder of its own) and neardup's marker.
    write_words(&tmp.path().join("w/docs/docs/x.txt"), &words(&mut rng, 40));
    std::fs::write(tmp.path().join("w").join(neardup::clean::MARKER_NAME), "").unwrap();
    let before = tree(tmp.path());
    let (code, _, stderr) = clean(&["w/docs", "--out", "w"], tmp.path());
    assert_eq!(code, 2);
    assert!(
        stderr.contains("would add a file inside the input"),
        "{stderr}"
    );
    assert_eq!(tree(tmp.path()), before);

    #[cfg(unix)]
    {
        // A link inside --out must not carry a copy elsewhere.
        write_words(&tmp.path().join("in/sub/a.txt"), &words(&mut rng, 40));
        std::fs::create_dir_all(tmp.path().join("out")).unwrap();
        std::fs::create_dir_all(tmp.path().join("elsewhere")).unwrap();
        std::fs::write(tmp.path().join("out").join(neardup::clean::MARKER_NAME), "").unwrap();
        std::os::unix::fs::symlink(tmp.path().join("elsewhere"), tmp.path().join("out/sub"))
            .unwrap();
        let (code, _, stderr) = clean(&["in", "--out", "out"], tmp.path());
        assert_eq!(
            code, 1,
            "a copy that cannot be written is a failure: {stderr}"
        );
        assert!(stderr.contains("leads outside --out"), "{stderr}");
        assert!(tree(&tmp.path().join("elsewhere")).is_empty());
    }
}

#[test]
fn drop_duplicates_with_single_linkage_keeps_members_far_from_the_representative() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir(tmp.path().join("in")).unwrap();
    chain_corpus(&tmp.path().join("in"));
    let (code, _, stderr) = clean(
        &[
            "in",
            "--out",
            "out",
            "--threshold",
            "0.9",
            "--linkage",
            "single",
            "--drop-duplicates",
        ],
        tmp.path(),
    );
    assert_eq!(code, 0, "{stderr}");
    let out = tmp.path().join("out");
    let m = manifest(&out);
    // Every dropped document is at or above the threshold to the kept one it names, and the
    // chain's far end is kept.
    assert!(!m.dropped_duplicates.is_empty());
    for d in &m.dropped_duplicates {
        assert!(d.similarity >= 0.9, "{d:?}");
        let kept = Path::new(&d.duplicate_of).file_name().unwrap();
        assert!(out.join(kept).exists());
    }
    let kept = ["a.txt", "b.txt", "c.txt", "d.txt"]
        .iter()
        .filter(|n| out.join(n).exists())
        .count();
    assert_eq!(kept + m.dropped_duplicates.len(), 4);
    assert!(kept >= 2, "a chain of four cannot all be near one document");
}

/// 50 JSON Lines records, half of them five records repeated line for line (no id, the same
/// long text): read as text, each line would be a paragraph and the repeated ones would be
/// removed.
fn repeating_records() -> String {
    let mut rng = Rng::new(5);
    let shared: Vec<String> = (0..5).map(|_| words(&mut rng, 30).join(" ")).collect();
    (0..50)
        .map(|i| {
            let record = if i % 2 == 0 {
                serde_json::json!({"text": shared[i % 5]})
            } else {
                serde_json::json!({"id": i, "text": words(&mut rng, 30).join(" ")})
            };
            format!("{record}\n")
        })
        .collect()
}

/// Lines of `text` minus its distinct lines: the repeats a reading as paragraphs finds.
fn repeated_lines(text: &str) -> usize {
    let lines: Vec<&str> = text.lines().collect();
    let distinct: std::collections::BTreeSet<&str> = lines.iter().copied().collect();
    lines.len() - distinct.len()
}

#[test]
fn ndjson_records_are_never_removed_as_paragraphs() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    std::fs::create_dir(&input).unwrap();
    let records = repeating_records();
    std::fs::write(input.join("dump.ndjson"), &records).unwrap();
    // Named by --ext, found by default, and named on the command line: always records.
    for (n, args) in [
        vec!["in", "--ext", "ndjson"],
        vec!["in"],
        vec!["in/dump.ndjson"],
    ]
    .into_iter()
    .enumerate()
    {
        let out = tmp.path().join(format!("out{n}"));
        let mut args = args;
        args.extend(["--out", out.to_str().unwrap()]);
        let (code, stdout, stderr) = clean(&args, tmp.path());
        assert_eq!(code, 0, "{args:?}: {stderr}");
        assert!(
            stdout.contains("removed 0 paragraphs"),
            "{args:?}: {stdout}"
        );
        let copy = std::fs::read_to_string(out.join("dump.ndjson")).unwrap();
        assert_eq!(copy, records, "{args:?}");
    }
    let (report, _) = scan_json(&["in"], tmp.path(), 0);
    assert_eq!(report.stats.documents, 50);
    // Read as text, the same file loses its repeated lines: what the records are spared.
    let (code, stdout, stderr) = clean(
        &["in/dump.ndjson", "--format", "text", "--dry-run"],
        tmp.path(),
    );
    assert_eq!(code, 0, "{stderr}");
    let repeats = repeated_lines(&records);
    assert!(repeats >= 20);
    assert!(
        stdout.contains(&format!("would remove {repeats} paragraphs")),
        "{stdout}"
    );
}

#[test]
fn format_decides_over_the_extension() {
    let tmp = tempfile::tempdir().unwrap();
    // Fifty records and the first one again, word for word.
    let records = repeating_records();
    let first = records.lines().next().unwrap();
    std::fs::write(
        tmp.path().join("records.txt"),
        format!("{records}{first}\n"),
    )
    .unwrap();
    // By extension a .txt file is one document; as JSON Lines, 51.
    let (auto, _) = scan_json(&["records.txt"], tmp.path(), 0);
    assert_eq!(auto.stats.documents, 1);
    let (jsonl, _) = scan_json(&["records.txt", "--format", "jsonl"], tmp.path(), 0);
    assert_eq!(jsonl.stats.documents, 51);
    std::fs::rename(tmp.path().join("records.txt"), tmp.path().join("r.jsonl")).unwrap();
    let (text, _) = scan_json(&["r.jsonl", "--format", "text"], tmp.path(), 0);
    assert_eq!(text.stats.documents, 1);
    // The repeated records, read as text, are repeated paragraphs of one document.
    assert_eq!(
        text.stats.repeated_paragraphs,
        repeated_lines(&format!("{records}{first}\n"))
    );
}

#[test]
fn a_reused_out_holds_exactly_what_the_last_run_wrote() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let out_arg = out.to_str().unwrap().to_string();
    let (code, _, stderr) = clean(&["corpus", "--out", &out_arg], &repo());
    assert_eq!(code, 0, "{stderr}");
    let first: Vec<String> = tree(&out).into_keys().collect();
    assert!(
        first.contains(&"006_rewrapped_copy.txt".to_string()),
        "{first:?}"
    );
    // A dry run counts what would go and removes nothing.
    let (code, stdout, _) = clean(
        &[
            "corpus",
            "--out",
            &out_arg,
            "--drop-duplicates",
            "--dry-run",
        ],
        &repo(),
    );
    assert_eq!(code, 0);
    assert!(
        stdout.contains("would remove 3 files an earlier run left in"),
        "{stdout}"
    );
    assert_eq!(tree(&out).into_keys().collect::<Vec<_>>(), first);
    // The three near-duplicates left out this time are gone from --out, and counted.
    let (code, stdout, stderr) =
        clean(&["corpus", "--out", &out_arg, "--drop-duplicates"], &repo());
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("removed 3 files an earlier run left in"),
        "{stdout}"
    );
    let m = manifest(&out);
    assert_eq!(m.stats.stale_files_removed, 3);
    let mut expected: Vec<String> = first
        .iter()
        .filter(|name| {
            !m.dropped_duplicates
                .iter()
                .any(|d| d.path == format!("corpus/{name}"))
        })
        .cloned()
        .collect();
    expected.sort();
    let second: Vec<String> = tree(&out).into_keys().collect();
    assert_eq!(second, expected);
    assert_eq!(second.len(), first.len() - 3);
    // Another input cleaned into the same folder replaces the first one's files entirely.
    let other = tmp.path().join("other");
    std::fs::create_dir_all(other.join("deep/er")).unwrap();
    std::fs::write(other.join("deep/er/one.txt"), "A single short article.\n").unwrap();
    let (code, _, stderr) = clean(&[other.to_str().unwrap(), "--out", &out_arg], tmp.path());
    assert_eq!(code, 0, "{stderr}");
    let third: Vec<String> = tree(&out).into_keys().collect();
    assert_eq!(
        third,
        [
            ".neardup-output",
            "deep/er/one.txt",
            neardup::clean::MANIFEST_NAME
        ]
    );
    assert_eq!(manifest(&out).stats.stale_files_removed, second.len() - 2);
}

#[test]
fn the_sweep_of_a_reused_out_never_touches_an_input_inside_it() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    std::fs::create_dir_all(out.join("in/empty")).unwrap();
    std::fs::write(out.join(neardup::clean::MARKER_NAME), "").unwrap();
    std::fs::write(out.join("old.txt"), "left by an earlier run").unwrap();
    std::fs::write(
        out.join("in/a.txt"),
        "An input that lives inside the output folder.\n",
    )
    .unwrap();
    let (code, stdout, stderr) = clean(&["out/in", "--out", "out"], tmp.path());
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("removed 1 file an earlier run left in"),
        "{stdout}"
    );
    assert!(!out.join("old.txt").exists());
    assert!(out.join("a.txt").exists());
    assert_eq!(
        std::fs::read_to_string(out.join("in/a.txt")).unwrap(),
        "An input that lives inside the output folder.\n"
    );
    assert!(
        out.join("in/empty").is_dir(),
        "an empty folder inside the input was removed"
    );
}

#[test]
fn the_output_mirrors_the_input_but_for_the_documented_removals() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    std::fs::create_dir_all(input.join("docs/img")).unwrap();
    let p = "A paragraph pasted twice into this article by a careless editor, word for word.";
    std::fs::write(
        input.join("docs/a.txt"),
        format!("{p}\n\nThe body.\n\n{p}\n"),
    )
    .unwrap();
    std::fs::write(
        input.join("docs/page.html"),
        "<p>not a document by default</p>\n",
    )
    .unwrap();
    std::fs::write(
        input.join("docs/img/logo.png"),
        b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR",
    )
    .unwrap();
    std::fs::write(input.join("notes.rst"), "Notes\n=====\n").unwrap();
    let (code, stdout, stderr) = clean(&["in", "--out", "out"], tmp.path());
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("copied 3 other files unchanged (not documents; --text-only"),
        "{stdout}"
    );
    let (before, after) = (tree(&input), tree(&tmp.path().join("out")));
    let m = manifest(&tmp.path().join("out"));
    assert_eq!(m.stats.files_copied, 3);
    assert!(m.params.copy_other_files);
    for (name, bytes) in &before {
        if name == "docs/a.txt" {
            assert_eq!(after[name], format!("{p}\n\nThe body.\n").into_bytes());
        } else {
            assert_eq!(after.get(name), Some(bytes), "{name}");
        }
    }
    let extra: Vec<&String> = after.keys().filter(|k| !before.contains_key(*k)).collect();
    assert_eq!(extra, [".neardup-output", neardup::clean::MANIFEST_NAME]);
    // The scan names what it passed over, in text and JSON.
    let (code, stdout, _) = scan(&["in"], tmp.path());
    assert_eq!(code, 0);
    assert!(
        stdout
            .contains("skipped 3 files by extension (.html 1, .png 1, .rst 1): --ext selects them"),
        "{stdout}"
    );
    let (report, _) = scan_json(&["in"], tmp.path(), 0);
    let counts: Vec<(String, usize)> = report
        .stats
        .skipped_by_extension
        .iter()
        .map(|e| (e.extension.clone(), e.files))
        .collect();
    assert_eq!(
        counts,
        [("html".into(), 1), ("png".into(), 1), ("rst".into(), 1)]
    );
    // --text-only writes the documents alone; a rerun removes the copies it no longer makes.
    let (code, stdout, stderr) = clean(&["in", "--out", "out", "--text-only"], tmp.path());
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("removed 3 files an earlier run left in"),
        "{stdout}"
    );
    let only: Vec<String> = tree(&tmp.path().join("out")).into_keys().collect();
    assert_eq!(
        only,
        [
            ".neardup-output",
            "docs/a.txt",
            neardup::clean::MANIFEST_NAME
        ]
    );
    assert!(!manifest(&tmp.path().join("out")).params.copy_other_files);
}

#[test]
fn scan_and_clean_count_repeats_the_same_way_when_a_repeat_is_also_boilerplate() {
    // A footer under 12 unrelated articles is boilerplate; article 0 has it twice, so its
    // second copy is also a repeat. It counts once, as a repeat, in both commands.
    let tmp = tempfile::tempdir().unwrap();
    let mut rng = Rng::new(77);
    let footer = format!("Footer: {}", words(&mut rng, 14).join(" "));
    for a in 0..12 {
        let body: Vec<String> = (0..3).map(|_| words(&mut rng, 40).join(" ")).collect();
        let mut text = format!("{}\n\n{footer}\n", body.join("\n\n"));
        if a == 0 {
            text.push_str(&format!("\n{footer}\n"));
        }
        std::fs::write(tmp.path().join(format!("a{a:02}.txt")), text).unwrap();
    }
    let (report, _) = scan_json(&["."], tmp.path(), 0);
    assert_eq!(report.stats.repeated_paragraphs, 1);
    assert_eq!(report.stats.boilerplate_paragraphs, 1);
    let out = tempfile::tempdir().unwrap();
    let out = out.path().join("o");
    let (m, _) = clean_json(
        &[".", "--out", out.to_str().unwrap(), "--dry-run"],
        tmp.path(),
        0,
    );
    assert_eq!(m.stats.repeats_removed, report.stats.repeated_paragraphs);
    assert_eq!(m.stats.boilerplate_removed, 12);
}

#[test]
fn a_dry_run_needs_no_output_folder() {
    let (code, stdout, stderr) = clean(&["corpus", "--dry-run", "--drop-duplicates"], &repo());
    assert_eq!(code, 0, "{stderr}");
    assert!(
        // 005 is left out now, 000 (the first, the original article) kept.
        stdout.contains("would write 7 of 10 files (32603 of 41216 bytes)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("remove line 43: repeat of line 21"),
        "{stdout}"
    );
    assert!(stdout.contains("dry run: nothing written"));
    // Without --dry-run, --out is required.
    let (code, _, stderr) = clean(&["corpus"], &repo());
    assert_eq!(code, 2);
    assert!(stderr.contains("--out <DIR>"), "{stderr}");
}

#[test]
fn the_summary_counts_the_files_its_bytes_count() {
    // Two documents and three files of another extension, copied unchanged: the first line
    // counts all five, as its bytes do, with a dry run as without.
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    std::fs::create_dir(&input).unwrap();
    for (name, bytes) in [("a.txt", 40), ("b.txt", 60)] {
        std::fs::write(input.join(name), "word ".repeat(bytes / 5)).unwrap();
    }
    for n in 0..3 {
        std::fs::write(input.join(format!("page{n}.html")), "<p>x</p>".repeat(100)).unwrap();
    }
    for (dry, verb) in [(true, "would write"), (false, "wrote")] {
        let mut args = vec!["in", "--out", "out"];
        if dry {
            args.push("--dry-run");
        }
        let (code, stdout, stderr) = clean(&args, tmp.path());
        assert_eq!(code, 0, "{stderr}");
        assert!(
            stdout.starts_with(&format!(
                "{verb} 5 of 5 files to out (2500 of 2500 bytes)\n"
            )),
            "{stdout}"
        );
    }
    assert_eq!(manifest_at(tmp.path(), "out").stats.other_files, 3);
    // Nothing but other files: never "0 of 0 files" with bytes.
    for n in 0..2 {
        std::fs::remove_file(input.join(["a.txt", "b.txt"][n])).unwrap();
    }
    let (_, stdout, _) = clean(&["in", "--out", "out", "--dry-run"], tmp.path());
    assert!(
        stdout.starts_with("would write 3 of 3 files to out (2400 of 2400 bytes)\n"),
        "{stdout}"
    );
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Read;
    let mut out = Vec::new();
    flate2::read::MultiGzDecoder::new(bytes)
        .read_to_end(&mut out)
        .unwrap();
    out
}

#[test]
fn compressed_text_and_jsonl_are_read_and_written_back_compressed() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    std::fs::create_dir(&input).unwrap();
    let mut rng = Rng::new(9);
    let p = words(&mut rng, 20).join(" ");
    let body = words(&mut rng, 40).join(" ");
    let text = format!("{p}\n\n{body}\n\n{p}\n");
    let record = |id: usize, text: &str| {
        format!(
            "{{\"id\": {id}, \"text\": {}}}\n",
            serde_json::to_string(text).unwrap()
        )
    };
    // Two gzip members, as `cat a.gz b.gz` makes them.
    let (first, second) = (record(0, &text), record(1, &body));
    let mut members = gzip(first.as_bytes());
    members.extend(gzip(second.as_bytes()));
    std::fs::write(input.join("x.jsonl.gz"), &members).unwrap();
    let zst =
        zstd::stream::encode_all(record(2, &words(&mut rng, 30).join(" ")).as_bytes(), 3).unwrap();
    std::fs::write(input.join("y.jsonl.zst"), &zst).unwrap();
    std::fs::write(input.join("t.txt.gz"), gzip(text.as_bytes())).unwrap();
    std::fs::write(input.join("broken.txt.gz"), b"\x1f\x8b not really gzip").unwrap();

    let (report, stderr) = scan_json(&["in"], tmp.path(), 2);
    assert_eq!(report.stats.files, 4);
    assert_eq!(report.stats.documents, 4, "{stderr}");
    assert_eq!(report.stats.repeated_paragraphs, 2);
    assert!(
        stderr.contains("in/broken.txt.gz: not valid gzip data ("),
        "{stderr}"
    );
    let (code, _, stderr) = clean(&["in", "--out", "out"], tmp.path());
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("copied unchanged, not cleaned"), "{stderr}");
    let out = tmp.path().join("out");
    let cleaned = format!("{p}\n\n{body}\n");
    assert_eq!(
        gunzip(&std::fs::read(out.join("t.txt.gz")).unwrap()),
        cleaned.as_bytes()
    );
    let lines = gunzip(&std::fs::read(out.join("x.jsonl.gz")).unwrap());
    assert_eq!(
        String::from_utf8(lines).unwrap(),
        format!("{}{second}", record(0, &cleaned))
    );
    // Nothing removed: the very bytes, still zstd; the broken file as it was.
    assert_eq!(std::fs::read(out.join("y.jsonl.zst")).unwrap(), zst);
    assert_eq!(
        std::fs::read(out.join("broken.txt.gz")).unwrap(),
        b"\x1f\x8b not really gzip"
    );
    assert_eq!(manifest(&out).stats.repeats_removed, 2);
}

/// The paragraphs `clean --dry-run --json` would remove from the files in `dir`, as
/// `(file name, preview)`.
fn planned_removals(dir: &Path, extra: &[&str]) -> Vec<(String, String)> {
    let mut args = vec![".", "--dry-run"];
    args.extend(extra);
    let (plan, _) = clean_json(&args, dir, 0);
    plan.documents
        .iter()
        .flat_map(|d| {
            let path = d.path.trim_start_matches("./").to_string();
            d.removed
                .iter()
                .map(move |r| (path.clone(), r.preview.clone()))
        })
        .collect()
}

#[test]
fn near_repeat_rules_keep_links_sign_offs_and_templates_filled_in_for_others() {
    let tmp = tempfile::tempdir().unwrap();
    let gnu = "The GNU C Library is free software; you can redistribute it and/or modify it \
               under the terms of the GNU Lesser General Public License as published by the \
               Free Software Foundation; either version 2.1 of the License, or (at your option) \
               any later version.";
    let this = gnu.replace("The GNU C Library", "This library");
    let copyright = format!(
        "Files: glibc/*\n\n{gnu}\n\nFiles: libiberty/*\n\n{this}\n\n\
         THIS SOFTWARE IS PROVIDED BY THE REGENTS AND CONTRIBUTORS AS IS AND ANY EXPRESS OR \
         IMPLIED WARRANTIES ARE DISCLAIMED.\n\n\
         THIS SOFTWARE IS PROVIDED BY THE AUTHOR AND CONTRIBUTORS AS IS AND ANY EXPRESS OR \
         IMPLIED WARRANTIES ARE DISCLAIMED.\n"
    );
    std::fs::write(tmp.path().join("copyright"), copyright).unwrap();
    let readme = "# iso-codes\n\nhttps://salsa.debian.org/iso-codes-team/iso-codes\n\n\
                  Lists of ISO standards.\n\n## ISO 3166-1\n\nCountry codes.\n\n\
                  <http://www.iso.org/iso/country_codes>\n\n## ISO 3166-2\n\nSubdivisions.\n\n\
                  <http://www.iso.org/iso/country_codes>\n\n# Reporting a bug\n\n\
                  <https://salsa.debian.org/iso-codes-team/iso-codes/issues>\n\n\
                  Data: <https://salsa.debian.org/iso-codes-team/iso-codes/-/blob/main/data/x.json>\n\n\
                  Data: <https://salsa.debian.org/iso-codes-team/iso-codes/-/blob/main/data/x.json>\n";
    std::fs::write(tmp.path().join("README.md"), readme).unwrap();
    let changelog = "commit 1\n\n    Fix the parser for the new long option format used here\n\n    \
                     Signed-off-by: Ann Example Lee of the Example Project team at example dot \
                     org\n\ncommit 2\n\n    Add a test for the long option format used in there\n\n    \
                     Signed-off-by: Ann Example Lee of the Example Project team at example dot \
                     org\n    Reviewed-by: Bob Other Person\n";
    std::fs::write(tmp.path().join("ChangeLog.txt"), changelog).unwrap();
    assert_eq!(planned_removals(tmp.path(), &[]), []);
    // The same paragraph pasted again, one word misspelt, is still a repeat.
    let respelled = gnu.replace("redistribute", "redistribtue");
    std::fs::write(
        tmp.path().join("twice.txt"),
        format!("{gnu}\n\nbetween\n\n{respelled}\n"),
    )
    .unwrap();
    let removed = planned_removals(tmp.path(), &[]);
    assert_eq!(removed.len(), 1);
    assert_eq!(removed[0].0, "twice.txt");
}

#[test]
fn short_boilerplate_counts_in_a_page_s_closing_block_not_as_a_heading_in_the_text() {
    let tmp = tempfile::tempdir().unwrap();
    let mut rng = Rng::new(77);
    let footer = "Copyright 2024 Example News Group. All rights reserved. No part of this site \
                  may be reproduced without permission.";
    for d in 0..12 {
        let text = format!(
            "{}\n\nUsage:\n\n{}\n\nShare this\n\n{footer}\n",
            words(&mut rng, 40).join(" "),
            words(&mut rng, 40).join(" ")
        );
        std::fs::write(tmp.path().join(format!("a{d:02}.txt")), text).unwrap();
    }
    let removed = planned_removals(tmp.path(), &[]);
    let previews = |removed: &[(String, String)], preview: &str| {
        removed.iter().filter(|(_, p)| p == preview).count()
    };
    assert_eq!(previews(&removed, "Share this"), 12, "{removed:?}");
    assert_eq!(previews(&removed, "Usage:"), 0, "{removed:?}");
    assert_eq!(removed.len(), 24, "{removed:?}");
    // Inside the text it stays whatever its length: --min-words 1 makes it no short line.
    let removed = planned_removals(tmp.path(), &["--min-words", "1"]);
    assert_eq!(previews(&removed, "Usage:"), 0, "{removed:?}");
    // A heading that opens every document: short, it makes no zone by itself; with
    // --min-words 1 it makes one, but it opens the text under it, which stays, so it stays.
    let top = tempfile::tempdir().unwrap();
    for d in 0..12 {
        let text = format!("Usage:\n\n{}\n", words(&mut rng, 40).join(" "));
        std::fs::write(top.path().join(format!("b{d:02}.txt")), text).unwrap();
    }
    assert_eq!(planned_removals(top.path(), &[]), []);
    assert_eq!(planned_removals(top.path(), &["--min-words", "1"]), []);
    // A navigation line over it goes, and the heading stays with its text.
    let nav = tempfile::tempdir().unwrap();
    for d in 0..12 {
        let text = format!(
            "Home | News | Sport | Weather | Contact us\n\nUsage:\n\n{}\n",
            words(&mut rng, 40).join(" ")
        );
        std::fs::write(nav.path().join(format!("c{d:02}.txt")), text).unwrap();
    }
    let removed = planned_removals(nav.path(), &["--min-words", "1"]);
    assert_eq!(previews(&removed, "Usage:"), 0, "{removed:?}");
    assert_eq!(removed.len(), 12, "{removed:?}");
    // The scan counts what clean removes.
    let (report, _) = scan_json(&["."], tmp.path(), 0);
    assert_eq!(report.boilerplate.len(), 2);
    assert!(report.boilerplate.iter().all(|b| b.documents == 12));
}

#[test]
fn a_dry_run_shows_what_each_repeat_repeats_and_how_closely() {
    let (m, _) = clean_json(&[SEED_001, "--dry-run"], &repo(), 0);
    let removed = &m.documents[0].removed;
    assert_eq!(removed.len(), 5);
    let original = std::fs::read_to_string(repo().join(SEED_001)).unwrap();
    let line_21 = original.lines().nth(20).unwrap();
    for r in removed {
        assert_eq!(r.repeat_of_line, Some(21));
        let kept = r.repeat_of_preview.as_deref().unwrap();
        assert!(kept.trim_end_matches('…').len() > 40);
        assert!(line_21.starts_with(kept.trim_end_matches('…')), "{kept}");
    }
    // The first line is the cut-off copy; the others are the same text.
    use neardup::clean::RepeatKind;
    assert_eq!(removed[0].repeat_kind, Some(RepeatKind::Truncated));
    assert!(removed[0].similarity.unwrap() < 1.0 && removed[0].similarity.unwrap() > 0.9);
    assert!(
        removed[1..]
            .iter()
            .all(|r| r.repeat_kind == Some(RepeatKind::Exact) && r.similarity == Some(1.0))
    );
    let (_, text, _) = clean(&[SEED_001, "--dry-run"], &repo());
    assert!(
        text.contains("remove line 1: repeat of line 21, cut off, similarity 0.9"),
        "{text}"
    );
    assert!(
        text.contains("remove line 43: repeat of line 21, same text, similarity 1.000"),
        "{text}"
    );
}

#[test]
fn keep_all_repeats_removes_no_repeat_but_still_the_boilerplate() {
    let tmp = tempfile::tempdir().unwrap();
    boilerplate_corpus(tmp.path(), 60, 4);
    let dry_run =
        |repeats: &str| clean_json(&[".", "--dry-run", "--repeats", repeats], tmp.path(), 0).0;
    let (first, all) = (dry_run("keep-first"), dry_run("keep-all"));
    assert!(first.stats.repeats_removed > 0);
    assert_eq!(all.params.repeats, "keep-all");
    assert_eq!(all.stats.repeats_removed, 0);
    assert!(all.stats.boilerplate_removed > 0);
    assert_eq!(
        all.stats.boilerplate_removed,
        first.stats.boilerplate_removed
    );
    let (report, _) = scan_json(&["."], tmp.path(), 0);
    assert_eq!(
        report.stats.repeated_paragraphs, first.stats.repeats_removed,
        "the scan still reports them"
    );
}

#[test]
fn a_note_repeated_under_two_entries_of_reference_text_stays() {
    let tmp = tempfile::tempdir().unwrap();
    let note = "This release also contains minor fixes to the documentation and the build \
                scripts that nobody noticed before.";
    let news =
        format!("Version 1.2\n===========\n\n{note}\n\nVersion 1.1\n===========\n\n{note}\n");
    std::fs::write(tmp.path().join("NEWS"), news).unwrap();
    let api = format!("## read(path)\n\nOpens the file.\n\n{note}\n\n## write(path)\n\n{note}\n");
    std::fs::write(tmp.path().join("api.md"), api).unwrap();
    assert_eq!(planned_removals(tmp.path(), &["--ext", ",md"]), []);
    // Code is never a repeat: not inside fences, where removing a fence would turn the rest
    // into code, and not without them either (two listings may start alike).
    let code = "const value = compute(first, second, third, fourth, fifth, sixth, seventh);\n\
                console.log(value);";
    let fenced = format!("## Example\n\n```js\n{code}\n```\n\n```js\n{code}\n```\n");
    std::fs::write(tmp.path().join("fences.md"), fenced).unwrap();
    assert_eq!(planned_removals(tmp.path(), &["--ext", ",md"]), []);
    let bare = tempfile::tempdir().unwrap();
    let unfenced = format!("## Example\n\n{code}\n\nand once again.\n\n{code}\n");
    std::fs::write(bare.path().join("bare.md"), unfenced).unwrap();
    assert_eq!(planned_removals(bare.path(), &["--ext", "md"]), []);
    // Pasted twice into the running prose of one section, it is a repeat.
    let article = format!(
        "## News\n\n{note}\n\nSomething else happened today, and the people who saw it told \
         everyone they met.\n\n{note}\n"
    );
    std::fs::write(tmp.path().join("article.md"), article).unwrap();
    let removed = planned_removals(tmp.path(), &["--ext", ",md"]);
    assert_eq!(removed.len(), 1, "{removed:?}");
    assert_eq!(removed[0].0, "article.md");
}

#[test]
fn a_description_under_a_signature_stays_and_chrome_after_a_listing_or_diagram_goes() {
    let mut rng = Rng::new(91);
    let shared = "Returns a raw pointer to the buffer, or a dangling raw pointer that is valid \
                  for zero sized reads when nothing was allocated.";
    let last = [
        // A signature heads the description under it: the shared description stays.
        ("signature", 0),
        // A listing longer than a signature and a diagram head nothing: the chrome goes.
        ("listing", 12),
        ("diagram", 12),
    ];
    for (kind, expected) in last {
        let tmp = tempfile::tempdir().unwrap();
        for d in 0..12 {
            let code = match kind {
                "signature" => format!("pub fn as_ptr_{d}(&self) -> *const T"),
                "listing" => words(&mut rng, 20)
                    .chunks(2)
                    .map(|w| format!("    let {} = {}();", w[0], w[1]))
                    .collect::<Vec<_>>()
                    .join("\n"),
                _ => format!(
                    "┌─── {}\n│ CARD8 opcode\n└───",
                    words(&mut rng, 3).join(" ")
                ),
            };
            let text = format!("{}\n\n{code}\n\n{shared}\n", words(&mut rng, 40).join(" "));
            std::fs::write(tmp.path().join(format!("p{d:02}.txt")), text).unwrap();
        }
        let removed = planned_removals(tmp.path(), &[]);
        assert_eq!(removed.len(), expected, "{kind}: {removed:?}");
        assert!(
            removed.iter().all(|(_, preview)| shared
                .starts_with(preview.trim_end_matches('…').trim_end_matches("..."))),
            "{kind}: {removed:?}"
        );
    }
}
