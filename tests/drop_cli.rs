//! What `clean --drop-duplicates` leaves: a scan of its output with the same parameters finds no
//! pair at or above the threshold, every document left out names a kept one at or above it (a
//! verified pair of the input), and `scan --list-duplicates` lists exactly what it leaves out,
//! whatever the keep rule, the linkage and the formats; and `--keep-by` with a field no record
//! has is refused.

mod common;

use common::Rng;
use common::*;
use neardup::config::{Keep, Linkage};
use neardup::diagnostic::location;
use neardup::progress::NoProgress;
use neardup::{CleanConfig, ScanConfig};
use proptest::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// A star whose center is not what `--keep longest` keeps: `a_base.txt` (400 words);
/// `b_longest.txt`, the base with 60 more words (about 0.86 to it); and `copies` copies of the
/// base that share 5 changed words and change one of their own (about 0.86 to the base, 0.95 to
/// each other, 0.75 to the longest).
fn star_corpus(dir: &Path, copies: usize) {
    let mut rng = Rng::new(11);
    let base = words(&mut rng, 400);
    let mut longest = base.clone();
    longest.extend(words(&mut rng, 60));
    // edit() changes words 40, 120, 200, 280 and 360 of 400.
    let shared = edit(&mut rng, &base, 5);
    write_words(&dir.join("a_base.txt"), &base);
    write_words(&dir.join("b_longest.txt"), &longest);
    for c in 0..copies {
        let mut copy = shared.clone();
        copy[10 + c * 13] = format!("own{c}");
        write_words(&dir.join(format!("c_copy{c:02}.txt")), &copy);
    }
}

/// The verified similar pairs of a scan of `input` (`scan --pairs`), as `(a, b)` locations with
/// their similarity, both orders.
fn verified_pairs(dir: &Path, input: &str, args: &[&str]) -> BTreeMap<(String, String), f64> {
    let mut full = vec![input, "--pairs", "pairs.jsonl", "-q"];
    full.extend_from_slice(args);
    let (code, _, stderr) = scan(&full, dir);
    assert_eq!(code, 0, "{stderr}");
    let text = std::fs::read_to_string(dir.join("pairs.jsonl")).unwrap();
    let mut pairs = BTreeMap::new();
    for line in text.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let side = |name: &str| {
            let path = v[name].as_str().unwrap();
            let line = v[format!("{name}_line")].as_u64().map(|l| format!(":{l}"));
            let row = v[format!("{name}_row")].as_u64().map(|r| format!("#{r}"));
            format!("{path}{}", line.or(row).unwrap_or_default())
        };
        // As the manifest gives it: to 4 decimals.
        let s = (v["similarity"].as_f64().unwrap() * 1e4).round() / 1e4;
        pairs.insert((side("a"), side("b")), s);
        pairs.insert((side("b"), side("a")), s);
    }
    pairs
}

/// Cleans `input` (in `dir`) into `out` with `--drop-duplicates` and `args` (nothing removed
/// inside documents, so the output's texts are the input's), and checks the contract: no pair
/// left in a scan of `out` with the same `args`, every document left out names a kept one in a
/// verified pair at or above `threshold`, `scan --list-duplicates` and the report's `dropped`
/// marks list exactly those. Returns how many were left out.
fn assert_no_duplicate_stays(
    dir: &Path,
    input: &str,
    out: &str,
    threshold: f64,
    args: &[&str],
) -> usize {
    let mut full = vec![
        input,
        "--out",
        out,
        "--drop-duplicates",
        "--keep-boilerplate",
        "--repeats",
        "keep-all",
        "-q",
    ];
    full.extend_from_slice(args);
    let (code, stdout, stderr) = clean(&full, dir);
    assert_eq!(code, 0, "{stderr}\n{stdout}");
    let m = manifest(&dir.join(out));
    assert_eq!(m.stats.paragraphs_removed, 0);

    // A scan of the output finds nothing.
    let mut again = vec![out];
    again.extend_from_slice(args);
    let (report, _) = scan_json(&again, dir, 0);
    assert_eq!(
        (report.stats.similar_pairs, report.clusters.len()),
        (0, 0),
        "{args:?}: pairs left in the output: {:?}",
        cluster_paths(&report)
    );

    // Each one left out names a kept one, in a verified pair at or above the threshold.
    let left_out: BTreeSet<String> = m
        .dropped_duplicates
        .iter()
        .map(|d| location(&d.path, d.position()))
        .collect();
    let pairs = verified_pairs(dir, input, args);
    for d in &m.dropped_duplicates {
        let label = location(&d.path, d.position());
        assert!(
            !left_out.contains(&d.duplicate_of),
            "{d:?} names one left out"
        );
        assert!(d.similarity >= threshold, "{d:?}");
        let verified = pairs.get(&(label.clone(), d.duplicate_of.clone()));
        assert_eq!(
            verified,
            Some(&d.similarity),
            "{d:?} is not a verified pair"
        );
    }

    // The list and the report's marks say the same.
    let mut list = vec![input, "--list-duplicates"];
    list.extend_from_slice(args);
    let (code, listed, stderr) = scan(&list, dir);
    assert_eq!(code, 0, "{stderr}");
    let listed: BTreeSet<String> = listed.lines().map(str::to_string).collect();
    assert_eq!(listed, left_out, "{args:?}");
    let mut json = vec![input];
    json.extend_from_slice(args);
    let (report, _) = scan_json(&json, dir, 0);
    let members = report.clusters.iter().flat_map(|c| &c.members);
    let dropped: BTreeSet<String> = members
        .filter(|m| m.dropped)
        .map(|m| location(&m.path, m.position()))
        .collect();
    assert_eq!(dropped, left_out);
    assert_eq!(report.stats.duplicate_documents, left_out.len());
    assert_eq!(
        report.stats.kept_in_clusters + report.stats.duplicate_documents,
        report.stats.documents_in_clusters
    );
    assert_eq!(m.stats.duplicates_dropped, left_out.len());
    assert_eq!(m.stats.kept_in_clusters, report.stats.kept_in_clusters);
    left_out.len()
}

#[test]
fn a_kept_copy_that_is_not_the_center_leaves_no_near_duplicate_behind() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir(tmp.path().join("in")).unwrap();
    star_corpus(&tmp.path().join("in"), 12);
    for linkage in ["center", "single"] {
        let out = format!("out-{linkage}");
        let args = ["--keep", "longest", "--linkage", linkage];
        let left_out = assert_no_duplicate_stays(tmp.path(), "in", &out, 0.8, &args);
        // The longest stays, the base goes for it, one copy stays, the other 11 go for it.
        let out = tmp.path().join(&out);
        assert!(out.join("b_longest.txt").exists());
        assert!(!out.join("a_base.txt").exists());
        assert!(out.join("c_copy00.txt").exists());
        assert_eq!(left_out, 12, "{linkage}");
        // The report marks both kept members of the one cluster.
        let (report, _) = scan_json(
            &["in", "--keep", "longest", "--linkage", linkage],
            tmp.path(),
            0,
        );
        assert_eq!(report.clusters.len(), 1);
        assert_eq!(report.stats.kept_in_clusters, 2);
        let (_, text, _) = scan(
            &["in", "--keep", "longest", "--linkage", linkage],
            tmp.path(),
        );
        assert!(
            text.contains("1 cluster holds 14 documents (12 duplicates, 2 kept)"),
            "{text}"
        );
        assert!(!text.contains("far from"), "{text}");
    }
}

#[test]
fn a_chain_keeps_its_far_ends_and_nothing_similar_under_either_linkage() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir(tmp.path().join("in")).unwrap();
    // a ~ b ~ c ~ d at about 0.93, two steps apart about 0.86.
    chain_corpus(&tmp.path().join("in"));
    for linkage in ["center", "single"] {
        let out = format!("out-{linkage}");
        let args = ["--threshold", "0.9", "--linkage", linkage];
        assert_eq!(
            assert_no_duplicate_stays(tmp.path(), "in", &out, 0.9, &args),
            2
        );
        let kept: Vec<bool> = ["a.txt", "b.txt", "c.txt", "d.txt"]
            .iter()
            .map(|name| tmp.path().join(&out).join(name).exists())
            .collect();
        assert_eq!(kept, [true, false, true, false], "{linkage}");
    }
}

/// Writes `name` in `dir`: its paragraphs (lists of words), a blank line between them.
fn write_paragraphs(dir: &Path, name: &str, paragraphs: &[&[String]]) {
    let text: Vec<String> = paragraphs.iter().map(|p| p.join(" ")).collect();
    std::fs::write(dir.join(name), text.join("\n\n") + "\n").unwrap();
}

#[test]
fn near_duplicates_are_decided_on_the_cleaned_texts() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::create_dir(&input).unwrap();
    let mut rng = Rng::new(5);
    let mut para = |n: usize| words(&mut rng, n);
    // One article under two footers: a third alike as read, the same once the footers go.
    let (body, footer_a, footer_b) = (para(80), para(80), para(80));
    write_paragraphs(&input, "a.txt", &[&body, &footer_a]);
    write_paragraphs(&input, "b.txt", &[&body, &footer_b]);
    // Two short notes under the same long chrome: alike as read, nothing alike once it goes.
    let (chrome_1, chrome_2) = (para(80), para(80));
    let (note_c, note_d) = (para(15), para(15));
    write_paragraphs(&input, "c.txt", &[&note_c, &chrome_1, &chrome_2]);
    write_paragraphs(&input, "d.txt", &[&note_d, &chrome_1, &chrome_2]);
    // Unrelated pages that make each footer and the chrome boilerplate.
    for i in 0..4 {
        let own = para(80);
        write_paragraphs(&input, &format!("u{i}.txt"), &[&own, &footer_a]);
        let own = para(80);
        write_paragraphs(&input, &format!("v{i}.txt"), &[&own, &footer_b]);
        let own = para(300);
        write_paragraphs(&input, &format!("w{i}.txt"), &[&own, &chrome_1, &chrome_2]);
    }
    // As read, c and d are near-duplicates and a and b are not.
    let (report, _) = scan_json(&["in", "--min-docs", "3"], dir.path(), 0);
    assert_eq!(cluster_paths(&report), [["in/c.txt", "in/d.txt"]]);

    let args = [
        "in",
        "--out",
        "out",
        "--drop-duplicates",
        "--min-docs",
        "3",
        "-q",
    ];
    let (code, stdout, stderr) = clean(&args, dir.path());
    assert_eq!(code, 0, "{stderr}\n{stdout}");
    let m = manifest(&dir.path().join("out"));
    let dropped: Vec<(&str, &str)> = m
        .dropped_duplicates
        .iter()
        .map(|d| (d.path.as_str(), d.duplicate_of.as_str()))
        .collect();
    assert_eq!(dropped, [("in/b.txt", "in/a.txt")]);
    // Both notes are written, without the chrome.
    let note = std::fs::read_to_string(dir.path().join("out/d.txt")).unwrap();
    assert_eq!(note, note_d.join(" ") + "\n");
    // A scan of the output finds nothing; the list says what clean left out.
    let (report, _) = scan_json(&["out", "--min-docs", "3"], dir.path(), 0);
    assert_eq!((report.stats.similar_pairs, report.clusters.len()), (0, 0));
    let (code, listed, stderr) = scan(&["in", "--min-docs", "3", "--list-duplicates"], dir.path());
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(listed, "in/b.txt\n");
}

/// `count` records of one text in `name`, each with a `score` (the highest at `best`).
fn scored_records(dir: &Path, name: &str, text: &str, count: usize, best: usize) {
    let records: String = (0..count)
        .map(|i| {
            let score = if i == best { 1000 } else { (i * 37) % 101 };
            format!(
                "{}\n",
                serde_json::json!({"id": format!("r{i}"), "text": text, "score": score})
            )
        })
        .collect();
    std::fs::write(dir.join(name), records).unwrap();
}

#[test]
fn a_crowded_bucket_keeps_one_copy_whichever_the_rule_prefers() {
    // 90 copies of one text share every band: the bucket gives only a star and a chain of
    // pairs, so the record --keep-by prefers is similar to few of them by verified pairs alone.
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir(tmp.path().join("in")).unwrap();
    let text = words(&mut Rng::new(21), 200).join(" ");
    scored_records(&tmp.path().join("in"), "a.jsonl", &text, 90, 45);
    let args = ["--keep-by", "score"];
    assert_eq!(
        assert_no_duplicate_stays(tmp.path(), "in", "out", 0.8, &args),
        89
    );
    let kept = std::fs::read_to_string(tmp.path().join("out/a.jsonl")).unwrap();
    assert!(kept.contains("\"id\":\"r45\""), "{kept}");
    assert_eq!(kept.lines().count(), 1);
}

/// `base` with the words at `positions` replaced by fresh ones.
fn changed(base: &[String], positions: &[usize], tag: &str) -> Vec<String> {
    let mut out = base.to_vec();
    for (n, &at) in positions.iter().enumerate() {
        out[at] = format!("{tag}x{n}");
    }
    out
}

#[test]
fn json_lines_and_parquet_copies_of_the_same_pages_leave_one_each() {
    // 30 pages of 300 words, each as a JSON Lines record and as a Parquet row. Every third page
    // is also a copy of a text file C (3 words changed, about 0.90) of which another text file
    // X, first in path order, is a copy too (4 other words changed, about 0.87); X and the page
    // are about 0.79 apart. Kept first, X stays, and so must one copy of the page.
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("in");
    std::fs::create_dir(&dir).unwrap();
    let mut rng = Rng::new(33);
    let mut pages = Vec::new();
    for i in 0..30 {
        let text = words(&mut rng, 300);
        if i % 3 == 0 {
            let x = changed(&text, &[20, 100, 200, 280], &format!("x{i}"));
            write_words(&dir.join(format!("0x{i:02}.txt")), &x);
            write_words(&dir.join(format!("c{i:02}.txt")), &text);
            pages.push(changed(&text, &[50, 150, 250], &format!("p{i}")));
        } else {
            pages.push(text);
        }
    }
    let records: String = pages
        .iter()
        .enumerate()
        .map(|(i, p)| format!("{}\n", serde_json::json!({"id": i, "text": p.join(" ")})))
        .collect();
    std::fs::write(dir.join("a.jsonl"), records).unwrap();
    let rows: Vec<(Option<String>, Option<String>)> = pages
        .iter()
        .enumerate()
        .map(|(i, p)| (Some(format!("p{i}")), Some(p.join(" "))))
        .collect();
    write_parquet(&dir.join("b.parquet"), &rows, 7);
    for linkage in ["center", "single"] {
        for keep in ["first", "longest"] {
            let out = format!("out-{linkage}-{keep}");
            let args = ["--linkage", linkage, "--keep", keep];
            // Each Parquet row, and each C.
            let left_out = assert_no_duplicate_stays(tmp.path(), "in", &out, 0.8, &args);
            assert_eq!(left_out, 40, "{linkage} {keep}");
            let kept = std::fs::read_to_string(tmp.path().join(&out).join("a.jsonl")).unwrap();
            assert_eq!(kept.lines().count(), 30);
        }
    }
}

#[test]
fn keep_by_a_field_no_record_has_is_refused_before_anything_is_written() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir(tmp.path().join("text")).unwrap();
    chain_corpus(&tmp.path().join("text"));
    let (code, stdout, stderr) = scan(
        &["text", "--keep-by", "date", "--list-duplicates"],
        tmp.path(),
    );
    assert_eq!(code, 2, "{stderr}");
    assert_eq!(stdout, "");
    assert_eq!(
        stderr.trim_end(),
        "neardup: --keep-by date: no record has a value in this field (0 of the 4 documents \
         read are records), so it would decide nothing; nothing printed"
    );
    let (code, _, stderr) = clean(
        &[
            "text",
            "--out",
            "out",
            "--keep-by",
            "date",
            "--drop-duplicates",
        ],
        tmp.path(),
    );
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("--keep-by date: no record has a value"),
        "{stderr}"
    );
    assert!(stderr.trim_end().ends_with("; nothing written"), "{stderr}");
    assert!(!tmp.path().join("out").exists());

    // Records without it (a misspelt field) are refused too; one record with it is enough.
    std::fs::create_dir(tmp.path().join("records")).unwrap();
    let text = words(&mut Rng::new(4), 100).join(" ");
    scored_records(&tmp.path().join("records"), "a.jsonl", &text, 3, 1);
    let (code, _, stderr) = scan(&["records", "--keep-by", "scroe"], tmp.path());
    assert_eq!(code, 2);
    assert!(
        stderr.contains("(3 of the 3 documents read are records)"),
        "{stderr}"
    );
    std::fs::write(
        tmp.path().join("records/b.jsonl"),
        format!(
            "{}\n",
            serde_json::json!({"text": "another text entirely, one record", "scroe": 1})
        ),
    )
    .unwrap();
    let (code, _, stderr) = scan(&["records", "--keep-by", "scroe"], tmp.path());
    assert_eq!(code, 0, "{stderr}");
}

/// A corpus of near-copies for the property test: `bases` texts, each with `copies` copies made
/// from it or from an earlier copy (chains) by changing 1 to 6 words, some with words added;
/// and, with `crowd`, that many JSON Lines copies of the first base with random scores.
fn write_near_copies(dir: &Path, seed: u64, bases: usize, copies: usize, crowd: usize) {
    let mut rng = Rng::new(seed);
    for b in 0..bases {
        let length = 120 + rng.below(80);
        let mut family = vec![words(&mut rng, length)];
        for _ in 0..copies {
            let from = family[rng.below(family.len())].clone();
            let changes = 1 + rng.below(6);
            let mut copy = edit(&mut rng, &from, changes);
            if rng.below(3) == 0 {
                let more = rng.below(12);
                copy.extend(words(&mut rng, more));
            }
            family.push(copy);
        }
        for (c, text) in family.iter().enumerate() {
            write_words(&dir.join(format!("b{b}/{c:02}.txt")), text);
        }
    }
    if crowd > 0 {
        let text = std::fs::read_to_string(dir.join("b0/00.txt")).unwrap();
        let best = rng.below(crowd);
        scored_records(dir, "crowd.jsonl", &text, crowd, best);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn after_drop_duplicates_a_scan_of_the_output_finds_no_pair(
        seed in any::<u64>(),
        bases in 1usize..4,
        copies in 1usize..14,
        crowd in prop_oneof![Just(0usize), 66usize..90],
        threshold in prop_oneof![Just(0.7), Just(0.8), Just(0.9)],
        single in any::<bool>(),
        rule in 0usize..3,
    ) {
        let tmp = tempfile::tempdir().unwrap();
        let (input, out) = (tmp.path().join("in"), tmp.path().join("out"));
        std::fs::create_dir(&input).unwrap();
        write_near_copies(&input, seed, bases, copies, crowd);
        let scan_config = ScanConfig {
            threshold,
            linkage: if single { Linkage::Single } else { Linkage::Center },
            keep: match rule {
                1 => Keep::Longest,
                // Only the crowd's records have the field.
                2 if crowd > 0 => Keep::Field { name: "score".into(), descending: true },
                _ => Keep::First,
            },
            ..ScanConfig::default()
        };
        let config = CleanConfig {
            strip_boilerplate: false,
            repeats: neardup::clean::RepeatsMode::KeepAll,
            drop_duplicates: true,
            ..CleanConfig::new(scan_config.clone(), &out)
        };
        let before = neardup::scan(std::slice::from_ref(&input), &scan_config, &NoProgress).unwrap();
        // The same decisions spilled to a work folder and on one thread.
        let spilled_config = ScanConfig {
            memory: Some(4096),
            work: neardup::work::WorkOptions {
                parent: Some(tmp.path().to_path_buf()),
                ..Default::default()
            },
            ..scan_config.clone()
        };
        let one_thread = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
        let spilled = one_thread
            .install(|| neardup::scan(std::slice::from_ref(&input), &spilled_config, &NoProgress))
            .unwrap();
        prop_assert!(spilled.work.bytes_written > 0);
        prop_assert_eq!(
            neardup::Report::new(&spilled, &spilled_config),
            neardup::Report::new(&before, &scan_config)
        );
        let cleaned = neardup::clean(&[input], &config, &NoProgress).unwrap();
        let after = neardup::scan(&[out], &scan_config, &NoProgress).unwrap();
        prop_assert!(after.pairs.is_empty(), "{} pairs left", after.pairs.len());
        // Every one left out names a kept one in a verified pair at or above the threshold.
        let label = |doc: u32| before.documents.label(doc as usize);
        let pairs: BTreeMap<(String, String), f64> = before
            .pairs
            .iter()
            .flat_map(|p| {
                let s = (p.similarity * 1e4).round() / 1e4;
                [((label(p.a), label(p.b)), s), ((label(p.b), label(p.a)), s)]
            })
            .collect();
        let left_out: BTreeSet<String> = cleaned
            .manifest
            .dropped_duplicates
            .iter()
            .map(|d| location(&d.path, d.position()))
            .collect();
        for d in &cleaned.manifest.dropped_duplicates {
            let from = location(&d.path, d.position());
            prop_assert!(!left_out.contains(&d.duplicate_of));
            prop_assert!(d.similarity >= threshold);
            prop_assert_eq!(pairs.get(&(from, d.duplicate_of.clone())), Some(&d.similarity));
        }
    }
}
