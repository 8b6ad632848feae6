//! `neardup scan` run as a user runs it: the built binary on the sample corpus and on corpora
//! generated in temporary folders.

mod common;

use common::*;
use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn sample_corpus_gives_the_three_expected_clusters_and_no_false_merge() {
    let (report, stderr) = scan_json(&["corpus"], &repo(), 0);
    assert_eq!(
        stderr, "",
        "a clean run prints nothing on stderr when it is not a terminal"
    );
    assert_eq!(
        cluster_paths(&report),
        vec![
            vec![
                "corpus/000_19d78a4ffbec308a.txt",
                "corpus/005_syndicated_copy.txt"
            ],
            vec![
                "corpus/002_54dcf901e08c4a3a.txt",
                "corpus/006_rewrapped_copy.txt"
            ],
            vec![
                "corpus/008_zh_report.txt",
                "corpus/009_zh_report_repost.txt"
            ],
        ]
    );
    // The re-wrapped, CRLF, curly-quoted copy is the same text after normalization.
    let rewrapped = report
        .clusters
        .iter()
        .find(|c| c.members.iter().any(|m| m.path.contains("006_")))
        .unwrap();
    assert_eq!(rewrapped.min_pair_similarity, 1.0);
    assert_eq!(report.stats.documents, 10);
    assert_eq!(report.stats.duplicate_documents, 3);
}

#[test]
fn text_report_lists_clusters_and_a_summary() {
    let (code, stdout, _) = scan(&["corpus"], &repo());
    assert_eq!(code, 0);
    assert!(stdout.contains("cluster 1: 2 documents"), "{stdout}");
    assert!(stdout.contains("corpus/005_syndicated_copy.txt"));
    assert!(stdout.contains("(representative)"));
    assert!(stdout.contains("10 documents in 10 files: 3 clusters hold 6 documents"));
    assert!(stdout.contains("25 bands x 5 rows"));
    assert!(
        !stdout.contains("007_same_topic"),
        "the same-topic article is not a duplicate"
    );
    for line in stdout.lines() {
        if !line.contains("corpus/") {
            assert!(
                line.chars().count() <= 80,
                "line wider than 80 columns: {line}"
            );
        }
    }
}

#[test]
fn json_report_matches_the_schema_and_parameters() {
    let (report, _) = scan_json(
        &["corpus", "--threshold", "0.7", "--num-perm", "64"],
        &repo(),
        0,
    );
    assert_eq!(report.version, env!("CARGO_PKG_VERSION"));
    assert_eq!(report.params.threshold, 0.7);
    assert_eq!(report.params.num_perm, 64);
    assert_eq!(report.params.shingle, "word");
    assert_eq!(report.params.shingle_size, 5);
    assert!(report.params.bands * report.params.rows <= 64);
    assert!(report.params.candidate_probability_at_threshold > 0.999);
    for (i, c) in report.clusters.iter().enumerate() {
        assert_eq!(c.id, i + 1);
        assert_eq!(c.size, c.members.len());
        assert!(c.members[0].representative);
        assert_eq!(c.members[0].similarity, 1.0);
        assert_eq!(c.members.iter().filter(|m| m.representative).count(), 1);
        assert!(c.min_pair_similarity >= 0.7);
    }
}

#[test]
fn json_report_is_exactly_what_serde_json_prints() {
    // The lists are rendered in parallel; the document must still be serde_json's pretty
    // output of the report, with clusters, repeats and boilerplate all present.
    let tmp = tempfile::tempdir().unwrap();
    boilerplate_corpus(tmp.path(), 40, 3);
    let (code, stdout, _) = scan(&["--json", "."], tmp.path());
    assert_eq!(code, 0);
    let report: neardup::Report = serde_json::from_str(&stdout).unwrap();
    assert!(!report.clusters.is_empty() && !report.repeats.is_empty());
    assert!(!report.boilerplate.is_empty());
    assert_eq!(
        stdout,
        serde_json::to_string_pretty(&report).unwrap() + "\n"
    );
}

/// A generated corpus: `clusters` groups of a base and `copies` edited copies, plus singletons.
fn generated_corpus(dir: &Path, clusters: usize, copies: usize, singletons: usize) {
    let mut rng = Rng::new(7);
    for c in 0..clusters {
        let base = words(&mut rng, 300);
        write_words(&dir.join(format!("c{c:02}/base.txt")), &base);
        for k in 0..copies {
            // 4 changed words in 300 touch at most 20 of 296 shingles: Jaccard >= 0.86.
            let copy = edit(&mut rng, &base, 4);
            write_words(&dir.join(format!("c{c:02}/copy{k}.txt")), &copy);
        }
    }
    for s in 0..singletons {
        write_words(
            &dir.join(format!("solo/s{s:03}.txt")),
            &words(&mut rng, 250),
        );
    }
}

#[test]
fn generated_corpus_clusters_every_copy_with_its_base_and_nothing_else() {
    let tmp = tempfile::tempdir().unwrap();
    generated_corpus(tmp.path(), 6, 3, 40);
    let (report, _) = scan_json(&["."], tmp.path(), 0);
    let clusters = cluster_paths(&report);
    assert_eq!(clusters.len(), 6);
    for (c, members) in clusters.iter().enumerate() {
        let expected: Vec<String> = std::iter::once(format!("./c{c:02}/base.txt"))
            .chain((0..3).map(|k| format!("./c{c:02}/copy{k}.txt")))
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        assert_eq!(members, &expected);
    }
    assert_eq!(report.stats.documents, 6 * 4 + 40);
}

#[test]
fn boilerplate_in_the_last_files_of_a_large_folder_is_read_back() {
    // Files are hashed in runs of a few dozen; the boilerplate's text is read again from the
    // first file holding it, here the last two of 150, so every file's record must still point
    // at its own file after the runs are gathered.
    let tmp = tempfile::tempdir().unwrap();
    let mut rng = Rng::new(31);
    let footer = format!("Footer: {}", words(&mut rng, 15).join(" "));
    for n in 0..150 {
        let mut text = words(&mut rng, 120).join(" ");
        if n >= 148 {
            text = format!("{text}\n\n{footer}\n");
        }
        std::fs::write(tmp.path().join(format!("doc{n:03}.txt")), text).unwrap();
    }
    let (report, stderr) = scan_json(&[".", "--min-docs", "2"], tmp.path(), 0);
    assert_eq!(stderr, "");
    assert_eq!(report.stats.files, 150);
    assert_eq!(report.boilerplate.len(), 1, "{:?}", report.boilerplate);
    assert_eq!(report.boilerplate[0].text, footer);
    assert_eq!(report.boilerplate[0].documents, 2);
    assert_eq!(report.boilerplate[0].examples[0], "./doc148.txt");
}

#[test]
fn output_is_byte_identical_for_any_thread_count() {
    // Parallel loops hand out pieces of 64 files or records, so the corpus must hold more than
    // 64 x 3 of each for the order across pieces and threads to be at stake: 30 clusters of 3
    // and 250 singletons (340 files) in folders, 200 articles with footers and pasted repeats,
    // and a JSONL file of 400 records, a quarter of them near-duplicates of others.
    let tmp = tempfile::tempdir().unwrap();
    generated_corpus(&tmp.path().join("articles"), 30, 2, 250);
    std::fs::create_dir(tmp.path().join("footers")).unwrap();
    boilerplate_corpus(&tmp.path().join("footers"), 200, 3);
    let mut rng = Rng::new(41);
    let mut records = String::new();
    let mut bases: Vec<Vec<String>> = Vec::new();
    for r in 0..400 {
        let text = if r % 4 == 3 {
            edit(&mut rng, &bases[r / 2 % bases.len()], 1)
        } else {
            let base = words(&mut rng, 120);
            bases.push(base.clone());
            base
        };
        records.push_str(&format!(
            "{{\"id\": {r}, \"text\": {}}}\n",
            serde_json::to_string(&text.join(" ")).unwrap()
        ));
    }
    std::fs::write(tmp.path().join("records.jsonl"), records).unwrap();
    let (report, _) = scan_json(&["."], tmp.path(), 0);
    // The footer corpus adds 12 near-copies of its first article to its 200.
    assert_eq!(report.stats.documents, 340 + 212 + 400);
    assert!(report.clusters.len() > 30 + 40, "{}", report.clusters.len());
    assert!(!report.repeats.is_empty() && !report.boilerplate.is_empty());
    // The output folder must lie outside the input (a dry run still checks it).
    let out = tempfile::tempdir().unwrap();
    let out = out.path().join("x").to_string_lossy().into_owned();
    for (command, format) in [
        ("scan", vec![]),
        ("scan", vec!["--json"]),
        (
            "clean",
            vec!["--dry-run", "--json", "--drop-duplicates", "--out", &out],
        ),
    ] {
        let mut outputs = Vec::new();
        for threads in ["1", "2", "3"] {
            let mut args = format.clone();
            args.extend(["--threads", threads, "."]);
            let (code, stdout, _) = if command == "scan" {
                scan(&args, tmp.path())
            } else {
                clean(&args, tmp.path())
            };
            assert_eq!(code, 0, "{command} {args:?}");
            outputs.push(stdout);
        }
        assert_eq!(outputs[0], outputs[1], "{command} {format:?}");
        assert_eq!(outputs[0], outputs[2], "{command} {format:?}");
    }
}

#[test]
fn output_does_not_depend_on_the_order_of_paths() {
    let tmp = tempfile::tempdir().unwrap();
    generated_corpus(tmp.path(), 4, 2, 10);
    let mut files: Vec<String> = walk(tmp.path());
    files.sort();
    let mut shuffled = files.clone();
    let mut rng = Rng::new(99);
    for i in (1..shuffled.len()).rev() {
        shuffled.swap(i, rng.below(i + 1));
    }
    assert_ne!(files, shuffled);
    let run = |paths: &[String]| {
        let mut args = vec!["--json"];
        args.extend(paths.iter().map(String::as_str));
        scan(&args, tmp.path())
    };
    let (code_a, sorted_out, _) = run(&files);
    let (code_b, shuffled_out, _) = run(&shuffled);
    assert_eq!((code_a, code_b), (0, 0));
    assert_eq!(sorted_out, shuffled_out);
    // Folders given in another order, too.
    let (_, ab, _) = scan(&["c00", "c01", "solo"], tmp.path());
    let (_, ba, _) = scan(&["solo", "c01", "c00"], tmp.path());
    assert_eq!(ab, ba);
}

/// Every file under `root`, as paths relative to it.
fn walk(root: &Path) -> Vec<String> {
    fn visit(root: &Path, dir: &Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                visit(root, &path, out);
            } else {
                out.push(
                    path.strip_prefix(root)
                        .unwrap()
                        .to_string_lossy()
                        .into_owned(),
                );
            }
        }
    }
    let mut out = Vec::new();
    visit(root, root, &mut out);
    out
}

#[test]
fn single_linkage_shows_chaining_in_member_similarities() {
    let tmp = tempfile::tempdir().unwrap();
    chain_corpus(tmp.path());
    let (report, _) = scan_json(
        &["--threshold", "0.9", "--linkage", "single", "."],
        tmp.path(),
        0,
    );
    assert_eq!(report.params.linkage, "single");
    assert_eq!(report.clusters.len(), 1, "{report:?}");
    let cluster = &report.clusters[0];
    assert_eq!(cluster.size, 4);
    // Every verified pair is at or above the threshold...
    assert!(cluster.min_pair_similarity >= 0.9);
    // ...but the end of the chain far from the representative is not.
    let lowest = cluster
        .members
        .iter()
        .map(|m| m.similarity)
        .fold(1.0, f64::min);
    assert!(lowest < 0.9, "{cluster:?}");
}

#[test]
fn center_linkage_keeps_every_member_similar_to_its_representative() {
    let tmp = tempfile::tempdir().unwrap();
    chain_corpus(tmp.path());
    let (report, _) = scan_json(&["--threshold", "0.9", "."], tmp.path(), 0);
    assert_eq!(report.params.linkage, "center");
    for cluster in &report.clusters {
        for m in &cluster.members {
            assert!(m.similarity >= 0.9, "{cluster:?}");
        }
    }
    // B is the center and takes A and C; D, whose only near-duplicate C is taken, is a cluster
    // of its own, chained to B's, with its pair's similarity.
    let members = cluster_paths(&report);
    assert_eq!(
        members,
        [vec!["./a.txt", "./b.txt", "./c.txt"], vec!["./d.txt"]]
    );
    let alone = &report.clusters[1];
    assert_eq!(
        (alone.size, alone.linked_clusters.as_slice()),
        (1, &[1][..])
    );
    assert!(alone.min_pair_similarity >= 0.9);
    let (_, text, _) = scan(&["--threshold", "0.9", "."], tmp.path());
    assert!(
        text.contains("cluster 2: 1 document, closest pair similarity 0.9"),
        "{text}"
    );
}

#[test]
fn clusters_split_from_one_chain_are_linked_in_the_report() {
    // Each change of a word alters 5 shingles of ~400: one change step of 2-3 words keeps
    // Jaccard above 0.9, two steps fall below it. y is the best connected (x2, y1, y2), so its
    // star takes x2 and leaves x with x1: two clusters joined through x ~ x2.
    let tmp = tempfile::tempdir().unwrap();
    let mut rng = Rng::new(21);
    let changed = |doc: &[String], at: &[usize], tag: &str| {
        let mut out = doc.to_vec();
        for (i, &p) in at.iter().enumerate() {
            out[p] = format!("{tag}q{i}");
        }
        out
    };
    let x = words(&mut rng, 400);
    let x1 = changed(&x, &[20, 220], "xa");
    let x2 = changed(&x, &[60, 160, 260], "xb");
    let y = changed(&x2, &[100, 200, 300], "ya");
    let y1 = changed(&y, &[40, 340], "yb");
    let y2 = changed(&y, &[140, 380], "yc");
    for (doc, name) in [
        (&x, "x"),
        (&x1, "x1"),
        (&x2, "x2"),
        (&y, "y"),
        (&y1, "y1"),
        (&y2, "y2"),
    ] {
        write_words(&tmp.path().join(format!("{name}.txt")), doc);
    }
    let (report, _) = scan_json(&["--threshold", "0.9", "."], tmp.path(), 0);
    assert_eq!(report.clusters.len(), 2, "{report:#?}");
    assert_eq!(report.clusters[0].linked_clusters, vec![2]);
    assert_eq!(report.clusters[1].linked_clusters, vec![1]);
    let (_, text, _) = scan(&["--threshold", "0.9", "."], tmp.path());
    assert!(text.contains("chained to cluster 2"), "{text}");
    // Single linkage reports the whole chain as one cluster.
    let (report, _) = scan_json(
        &["--threshold", "0.9", "--linkage", "single", "."],
        tmp.path(),
        0,
    );
    assert_eq!(report.clusters.len(), 1);
    assert_eq!(report.clusters[0].size, 6);
}

#[test]
fn missing_paths_damaged_utf8_and_latin1_are_named_and_the_rest_is_reported() {
    let tmp = tempfile::tempdir().unwrap();
    let mut rng = Rng::new(11);
    let base = words(&mut rng, 200);
    let text = format!("Café crème brûlée, naïve déjà vu. {}", base.join(" "));
    std::fs::write(tmp.path().join("a.txt"), &text).unwrap();
    // b.txt: damaged UTF-8 (one byte of the é overwritten): read with U+FFFD, a warning.
    let mut damaged = text.clone().into_bytes();
    damaged[4] = 0xFF;
    std::fs::write(tmp.path().join("b.txt"), damaged).unwrap();
    // c.txt: the same text in Latin-1: decoded as windows-1252, only a note.
    let latin1: Vec<u8> = text.chars().map(|c| c as u32 as u8).collect();
    std::fs::write(tmp.path().join("c.txt"), latin1).unwrap();
    let (report, stderr) = scan_json(&[".", "does-not-exist"], tmp.path(), 2);
    assert!(
        stderr.contains("neardup: does-not-exist: no such file or directory"),
        "{stderr}"
    );
    assert!(
        stderr.contains("neardup: ./b.txt: not valid UTF-8 (first bad byte at offset 3)"),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "neardup: note: ./c.txt: not UTF-8; read as windows-1252 (guessed from its bytes)"
        ),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 3, "one line per problem: {stderr}");
    assert_eq!(
        cluster_paths(&report),
        vec![vec!["./a.txt", "./b.txt", "./c.txt"]]
    );
    // c.txt decoded exactly: as similar to the representative as a.txt, its UTF-8 twin.
    let similarity = |path: &str| {
        let members = &report.clusters[0].members;
        members.iter().find(|m| m.path == path).unwrap().similarity
    };
    assert_eq!(similarity("./a.txt"), similarity("./c.txt"));
    assert_eq!(report.stats.input_errors, 2);
}

#[test]
fn empty_documents_are_reported_and_skipped() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("empty.txt"), "").unwrap();
    std::fs::write(tmp.path().join("blank.txt"), " \r\n -- \n").unwrap();
    std::fs::write(tmp.path().join("short.txt"), "Share this").unwrap();
    std::fs::write(tmp.path().join("short2.txt"), "SHARE, this!").unwrap();
    let (report, stderr) = scan_json(&["."], tmp.path(), 0);
    assert!(stderr.contains("./empty.txt: empty document"), "{stderr}");
    assert!(stderr.contains("./blank.txt: empty document"), "{stderr}");
    assert_eq!(report.stats.empty_documents, 2);
    assert_eq!(report.stats.documents, 2);
    // Documents shorter than one shingle are still compared.
    assert_eq!(
        cluster_paths(&report),
        vec![vec!["./short.txt", "./short2.txt"]]
    );
}

#[test]
fn jsonl_records_are_documents_with_ids_and_lines() {
    let tmp = tempfile::tempdir().unwrap();
    let mut rng = Rng::new(5);
    let base = words(&mut rng, 120).join(" ");
    let other = words(&mut rng, 120).join(" ");
    let lines = [
        serde_json::json!({"id": "a-1", "text": base, "lang": "en"}).to_string(),
        serde_json::json!({"id": 7, "text": other}).to_string(),
        String::new(),
        "{not json".to_string(),
        serde_json::json!({"text": base.to_uppercase()}).to_string(),
        serde_json::json!({"id": "no-text"}).to_string(),
    ];
    std::fs::write(tmp.path().join("docs.jsonl"), lines.join("\n")).unwrap();
    let (report, stderr) = scan_json(&["docs.jsonl"], tmp.path(), 2);
    assert!(
        stderr.contains("neardup: docs.jsonl:4: not valid JSON"),
        "{stderr}"
    );
    assert!(
        stderr.contains("neardup: docs.jsonl:6: no field \"text\""),
        "{stderr}"
    );
    assert_eq!(report.stats.documents, 3);
    assert_eq!(report.clusters.len(), 1);
    let members = &report.clusters[0].members;
    let ids: Vec<_> = members.iter().map(|m| (m.id.clone(), m.line)).collect();
    assert!(ids.contains(&(Some(serde_json::json!("a-1")), Some(1))));
    // No id field: the line number is the id.
    assert!(ids.contains(&(Some(serde_json::json!(5)), Some(5))));
    assert!(members.iter().all(|m| m.path == "docs.jsonl"));
}

#[test]
fn jsonl_field_names_can_be_chosen() {
    let tmp = tempfile::tempdir().unwrap();
    let mut rng = Rng::new(6);
    let body = words(&mut rng, 50).join(" ");
    let lines = [
        serde_json::json!({"uid": "x", "body": body}).to_string(),
        serde_json::json!({"uid": "y", "body": body}).to_string(),
    ];
    std::fs::write(tmp.path().join("d.jsonl"), lines.join("\n") + "\n").unwrap();
    let (report, _) = scan_json(
        &["--text-field", "body", "--id-field", "uid", "d.jsonl"],
        tmp.path(),
        0,
    );
    let ids: Vec<_> = report.clusters[0]
        .members
        .iter()
        .map(|m| m.id.clone())
        .collect();
    assert_eq!(
        ids,
        vec![Some(serde_json::json!("x")), Some(serde_json::json!("y"))]
    );
}

#[test]
fn extensions_and_hidden_entries_decide_what_is_read() {
    let tmp = tempfile::tempdir().unwrap();
    let mut rng = Rng::new(8);
    let text = words(&mut rng, 60);
    for name in [
        "a.txt",
        "b.md",
        "c",
        "d.html",
        ".hidden.txt",
        ".git/e.txt",
        "sub/.f/g.txt",
    ] {
        write_words(&tmp.path().join(name), &text);
    }
    let (report, _) = scan_json(&["."], tmp.path(), 0);
    assert_eq!(
        cluster_paths(&report),
        vec![vec!["./a.txt", "./b.md", "./c"]]
    );
    let (report, _) = scan_json(&["--ext", "html,txt", "."], tmp.path(), 0);
    assert_eq!(cluster_paths(&report), vec![vec!["./a.txt", "./d.html"]]);
    // A file named on the command line is read whatever its name.
    let (report, _) = scan_json(&["d.html", ".hidden.txt"], tmp.path(), 0);
    assert_eq!(cluster_paths(&report), vec![vec![".hidden.txt", "d.html"]]);
}

#[test]
fn character_shingles_cluster_the_chinese_pair() {
    let (report, _) = scan_json(
        &[
            "--char-ngram",
            "5",
            "corpus/008_zh_report.txt",
            "corpus/009_zh_report_repost.txt",
        ],
        &repo(),
        0,
    );
    assert_eq!(report.params.shingle, "char");
    assert_eq!(report.clusters.len(), 1);
}

#[test]
fn no_verify_uses_the_signature_estimate() {
    let (report, _) = scan_json(&["--no-verify", "corpus"], &repo(), 0);
    assert!(!report.params.verify);
    assert_eq!(report.clusters.len(), 3);
    // An estimate is a count of agreeing positions out of 128 (rounded to 4 decimals); the
    // exact Jaccard of the syndicated copy, 0.8669, is not such a fraction.
    for m in report.clusters.iter().flat_map(|c| &c.members) {
        let positions = m.similarity * 128.0;
        assert!((positions - positions.round()).abs() < 0.02, "{m:?}");
    }
}

#[test]
fn usage_errors_exit_2_with_a_message() {
    for args in [
        vec!["--threshold", "0", "corpus"],
        vec!["--threshold", "1.5", "corpus"],
        vec!["--ngram", "0", "corpus"],
        vec!["--ngram", "3", "--char-ngram", "4", "corpus"],
        vec!["--bands", "20", "--rows", "10", "corpus"],
        vec![],
    ] {
        let (code, stdout, stderr) = scan(&args, &repo());
        assert_eq!(code, 2, "{args:?}");
        assert!(stdout.is_empty());
        assert!(stderr.contains("error"), "{args:?}: {stderr}");
    }
}

#[test]
fn out_of_range_numbers_are_named_with_the_subcommands_usage() {
    // A negative threshold is a value, not a flag; a band count above the permutations says
    // what it leaves; the usage line is the subcommand's.
    for (args, said) in [
        (
            vec!["--threshold", "-0.1", "corpus"],
            "must be in (0, 1], got -0.1",
        ),
        (
            vec!["--bands", "200", "corpus"],
            "--bands 200 leaves no row",
        ),
        (vec!["--rows", "300", "corpus"], "--rows 300 leaves no band"),
        (
            vec!["--bands", "30", "--rows", "5", "corpus"],
            "30 x 5 = 150 exceeds",
        ),
    ] {
        let (code, stdout, stderr) = scan(&args, &repo());
        assert_eq!(code, 2, "{args:?}");
        assert!(stdout.is_empty());
        assert!(stderr.contains(said), "{args:?}: {stderr}");
        assert!(!stderr.contains("rows 0"), "{args:?}: {stderr}");
        if !args.contains(&"--threshold") {
            assert!(stderr.contains("Usage: neardup scan"), "{args:?}: {stderr}");
        }
    }
}

#[test]
fn counts_of_one_are_singular() {
    // Seed 001 is the only document with repeats in the sample corpus.
    let (code, stdout, _) = scan(&["corpus"], &repo());
    assert_eq!(code, 0);
    assert!(stdout.contains("repeats in 1 document,"), "{stdout}");
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("only.txt"), "one short document here").unwrap();
    let (_, stdout, _) = scan(&["."], tmp.path());
    assert!(
        stdout.contains("1 document in 1 file: 0 clusters hold 0 documents (0 duplicates, 0 kept)"),
        "{stdout}"
    );
    assert!(stdout.contains("1 paragraph:"), "{stdout}");
}

#[test]
fn bands_and_rows_can_be_overridden() {
    let (report, _) = scan_json(&["--bands", "16", "--rows", "8", "corpus"], &repo(), 0);
    assert_eq!((report.params.bands, report.params.rows), (16, 8));
    // The reported curve is that of the layout used: 1 - (1 - 0.8^8)^16, floored to 6 decimals.
    let expected = ((1.0 - (1.0 - 0.8f64.powi(8)).powi(16)) * 1e6).floor() / 1e6;
    assert_eq!(report.params.candidate_probability_at_threshold, expected);
}

#[test]
fn clusters_and_members_come_in_the_documented_order() {
    let tmp = tempfile::tempdir().unwrap();
    let mut rng = Rng::new(17);
    // Clusters of sizes 2, 3, 2, 4 under names that do not sort by size.
    for (c, size) in [2usize, 3, 2, 4].iter().enumerate() {
        let base = words(&mut rng, 200);
        for k in 0..*size {
            write_words(
                &tmp.path().join(format!("k{c}/m{k}.txt")),
                &edit(&mut rng, &base, 1),
            );
        }
    }
    let (report, _) = scan_json(&["."], tmp.path(), 0);
    let sizes: Vec<usize> = report.clusters.iter().map(|c| c.size).collect();
    assert_eq!(sizes, vec![4, 3, 2, 2]);
    // Equal sizes: by representative path.
    assert!(report.clusters[2].members[0].path < report.clusters[3].members[0].path);
    for c in &report.clusters {
        assert!(c.members[0].representative);
        let others: Vec<&String> = c.members[1..].iter().map(|m| &m.path).collect();
        let mut sorted = others.clone();
        sorted.sort();
        assert_eq!(
            others, sorted,
            "members after the representative are in path order"
        );
    }
}

#[test]
fn json_fields_are_exactly_those_the_readme_documents() {
    // A run whose output has every optional field: JSONL members and linked clusters, a JSONL
    // record with a repeated paragraph, and boilerplate.
    let tmp = tempfile::tempdir().unwrap();
    chain_corpus(tmp.path());
    let text = std::fs::read_to_string(tmp.path().join("a.txt")).unwrap();
    let mut rng = Rng::new(77);
    let pasted = words(&mut rng, 20).join(" ");
    let line = serde_json::json!({"id": "r1", "text": text}).to_string();
    let repeat = serde_json::json!({"id": "r2", "text": format!("{pasted}\n\nx y z\n\n{pasted}")});
    std::fs::write(tmp.path().join("r.jsonl"), format!("{line}\n{repeat}\n")).unwrap();
    for name in ["x.txt", "y.txt"] {
        let body = words(&mut rng, 60).join(" ");
        std::fs::write(
            tmp.path().join(name),
            format!("{body}\n\nSubscribe to our newsletter\n"),
        )
        .unwrap();
    }
    let (code, stdout, _) = scan(
        &["--json", "--threshold", "0.9", "--min-docs", "2", "."],
        tmp.path(),
    );
    assert_eq!(code, 0);
    let output: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    // The first json block of the README is the scan report.
    assert_fields_documented(
        1,
        &output,
        &[
            "clusters[].linked_clusters",
            "clusters[].members[].id",
            "clusters[].members[].line",
            "clusters[].members[].row",
            "repeats[].id",
            "repeats[].line",
            "repeats[].row",
            "stats.skipped_by_extension[].extension",
            "stats.skipped_by_extension[].files",
            "problems[].path",
            "problems[].line",
            "problems[].row",
            "problems[].kind",
            "problems[].message",
        ],
    );
}

#[test]
fn a_folder_given_under_two_spellings_is_read_once() {
    let (report, _) = scan_json(&["corpus", "./corpus"], &repo(), 0);
    assert_eq!(report.stats.files, 10);
    assert_eq!(report.stats.documents, 10);
    assert_eq!(report.clusters.len(), 3);
}

#[test]
fn a_jsonl_line_with_invalid_utf8_is_read_with_replacement_and_named() {
    let tmp = tempfile::tempdir().unwrap();
    let mut rng = Rng::new(12);
    let body = words(&mut rng, 80).join(" ");
    let mut bytes = serde_json::json!({"id": 1, "text": body})
        .to_string()
        .into_bytes();
    bytes.push(b'\n');
    let mut bad = serde_json::json!({"id": 2, "text": format!("{body} caf")})
        .to_string()
        .into_bytes();
    let at = bad.len() - 2; // inside the text, before the closing quote
    bad.insert(at, 0xE9);
    bytes.extend_from_slice(&bad);
    std::fs::write(tmp.path().join("d.jsonl"), bytes).unwrap();
    let (report, stderr) = scan_json(&["d.jsonl"], tmp.path(), 2);
    assert!(
        stderr.contains("neardup: d.jsonl:2: not valid UTF-8"),
        "{stderr}"
    );
    assert_eq!(report.stats.documents, 2);
    assert_eq!(report.clusters.len(), 1);
}

#[test]
fn records_without_the_text_field_are_one_warning_with_a_hint() {
    let tmp = tempfile::tempdir().unwrap();
    let records: String = (0..300)
        .map(|i| format!("{{\"id\": {i}, \"body\": \"words number {i}\", \"title\": \"t\"}}\n"))
        .collect();
    std::fs::write(tmp.path().join("dump.jsonl"), records).unwrap();
    let (code, _, stderr) = scan(&["dump.jsonl"], tmp.path());
    assert_eq!(code, 2);
    // The warning, and that the run found no document at all.
    assert_eq!(stderr.lines().count(), 2, "{stderr}");
    assert_eq!(
        stderr.lines().nth(1),
        Some("neardup: no documents to compare: 1 file read")
    );
    let warning = stderr.lines().next().unwrap();
    assert_eq!(
        warning,
        "neardup: dump.jsonl:1: no field \"text\" here and in 299 more lines; all skipped (its \
         string fields: \"body\", \"title\"; --text-field names the one to read)"
    );
    // With the right field, every record is a document.
    let (report, _) = scan_json(&["dump.jsonl", "--text-field", "body"], tmp.path(), 0);
    assert_eq!(report.stats.documents, 300);
}

#[test]
fn a_run_without_documents_says_so() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("page.html"), "<p>a page</p>").unwrap();
    std::fs::write(tmp.path().join("blank.txt"), " \n\n").unwrap();
    let (code, _, stderr) = scan(&["-q", "."], tmp.path());
    assert_eq!(code, 0);
    assert_eq!(
        stderr.trim(),
        "neardup: no documents to compare: 1 file read, 1 document without words, 1 file \
         passed over by extension (--ext selects them)"
    );
}

#[test]
fn help_fits_the_terminal_width() {
    for command in ["scan", "clean"] {
        for width in [60usize, 100] {
            let out = neardup()
                .args([command, "--help"])
                .env("COLUMNS", width.to_string())
                .output()
                .unwrap();
            let help = String::from_utf8(out.stdout).unwrap();
            assert!(help.lines().count() > 20, "{help}");
            let long: Vec<&str> = help.lines().filter(|l| l.chars().count() > width).collect();
            assert!(long.is_empty(), "{command}, {width} columns: {long:?}");
        }
    }
}

/// Three near-copies of one text and two unrelated ones, as JSON Lines records.
fn records_with_one_family() -> String {
    let mut rng = Rng::new(31);
    let base = words(&mut rng, 120);
    let mut texts = vec![
        base.clone(),
        edit(&mut rng, &base, 1),
        edit(&mut rng, &base, 1),
    ];
    texts.push(words(&mut rng, 100));
    texts.push(words(&mut rng, 90));
    texts
        .iter()
        .enumerate()
        .map(|(i, t)| format!("{}\n", serde_json::json!({"id": i, "text": t.join(" ")})))
        .collect()
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

#[test]
fn compressed_and_json_lines_standard_input_is_read_as_what_it_holds() {
    let tmp = tempfile::tempdir().unwrap();
    let records = records_with_one_family();
    let scan_stdin = |args: &[&str], input: Vec<u8>| {
        let out = neardup()
            .args(["scan", "-", "--json"])
            .args(args)
            .env("TMPDIR", tmp.path())
            .write_stdin(input)
            .output()
            .unwrap();
        let (code, stdout, stderr) = outcome(out);
        let report: Option<neardup::Report> = serde_json::from_str(&stdout).ok();
        (code, report.unwrap_or_else(|| panic!("{stderr}")), stderr)
    };
    // `zstdcat dump.jsonl.zst | zstd | neardup scan -`, `zcat ... | gzip | ...` and plain JSON
    // Lines: five records, one family of three.
    let zstd = zstd::stream::encode_all(records.as_bytes(), 3).unwrap();
    for (input, args) in [
        (zstd.clone(), &[][..]),
        (gzip(records.as_bytes()), &["--format", "jsonl"][..]),
        (records.clone().into_bytes(), &[][..]),
    ] {
        let (code, report, stderr) = scan_stdin(args, input);
        assert_eq!(code, 0, "{stderr}");
        assert_eq!(report.stats.documents, 5, "{stderr}");
        assert_eq!(report.clusters.len(), 1);
        let members: Vec<String> = report.clusters[0]
            .members
            .iter()
            .map(|m| neardup::diagnostic::location(&m.path, m.position()))
            .collect();
        assert_eq!(members, ["-:1", "-:2", "-:3"]);
    }
    // Asked for, it is one text; a text that merely starts with a brace stays one too.
    let (_, report, _) = scan_stdin(&["--format", "text"], zstd);
    assert_eq!(report.stats.documents, 1);
    let (_, report, _) = scan_stdin(&[], b"{braces} open this article\n{\"text\": 1}\n".to_vec());
    assert_eq!(report.stats.documents, 1);
    // Records without the text field: read as JSON Lines, and the warning names their fields.
    let other_field = records.replace("\"text\"", "\"body\"");
    let (code, report, stderr) = scan_stdin(&[], gzip(other_field.as_bytes()));
    assert_eq!((code, report.stats.documents), (2, 0));
    assert!(
        stderr.contains(
            "-:1: no field \"text\" here and in 4 more lines; all skipped (its string \
                         fields: \"body\"; --text-field names the one to read)"
        ),
        "{stderr}"
    );
}

#[test]
fn files_whose_name_does_not_say_they_are_compressed_are_decompressed() {
    let tmp = tempfile::tempdir().unwrap();
    let records = records_with_one_family();
    // A dump without an extension, and a .txt file, both zstd JSON Lines.
    let zstd = zstd::stream::encode_all(records.as_bytes(), 3).unwrap();
    std::fs::write(tmp.path().join("dump"), &zstd).unwrap();
    std::fs::write(tmp.path().join("records.txt"), &zstd).unwrap();
    for file in ["dump", "records.txt"] {
        let (report, stderr) = scan_json(&[file, "--format", "jsonl"], tmp.path(), 0);
        assert_eq!(report.stats.documents, 5, "{stderr}");
        assert_eq!(report.clusters[0].members.len(), 3);
    }
    // Text files gzipped under their own names: read as the texts they hold.
    let mut rng = Rng::new(5);
    let text = words(&mut rng, 150).join(" ");
    std::fs::create_dir(tmp.path().join("texts")).unwrap();
    std::fs::write(tmp.path().join("texts/a.txt"), gzip(text.as_bytes())).unwrap();
    std::fs::write(tmp.path().join("texts/b"), gzip(text.as_bytes())).unwrap();
    let (report, stderr) = scan_json(&["texts"], tmp.path(), 0);
    assert_eq!(report.stats.documents, 2, "{stderr}");
    assert_eq!(cluster_paths(&report), [["texts/a.txt", "texts/b"]]);
    // clean tells them the same way, and writes the copy it keeps as it found it: gzip.
    let (code, _, stderr) = clean(
        &["texts", "--out", "cleaned", "--drop-duplicates"],
        tmp.path(),
    );
    assert_eq!(code, 0, "{stderr}");
    let kept = std::fs::read(tmp.path().join("cleaned/a.txt")).unwrap();
    assert_eq!(kept, gzip(text.as_bytes()));
    assert!(!tmp.path().join("cleaned/b").exists());
}

#[test]
fn standard_input_is_a_path_and_leaves_nothing_behind() {
    let tmp = tempfile::tempdir().unwrap();
    let records: String = (0..5)
        .map(|i| format!("{{\"id\": {i}, \"text\": \"record {i} with a few words of its own\"}}\n"))
        .collect();
    let run = |args: &[&str], input: &str| {
        let out = neardup()
            .arg("scan")
            .args(args)
            .env("TMPDIR", tmp.path())
            .write_stdin(input.to_string())
            .output()
            .unwrap();
        outcome(out)
    };
    let (code, stdout, stderr) = run(&["-", "--format", "jsonl", "--json"], &records);
    assert_eq!(code, 0, "{stderr}");
    let report: neardup::Report = serde_json::from_str(&stdout).unwrap();
    assert_eq!(report.stats.documents, 5);
    let (code, stdout, _) = run(&["-", "-q"], "Plain text read from a pipe.\n");
    assert_eq!(code, 0);
    assert!(stdout.starts_with("1 document in 1 file"), "{stdout}");
    // The copy of standard input is gone once the run ends.
    assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 0);
    // clean writes a copy per input file, which standard input is not.
    let out = neardup()
        .args(["clean", "-", "--out"])
        .arg(tmp.path().join("out"))
        .write_stdin("text")
        .output()
        .unwrap();
    let (code, _, stderr) = outcome(out);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("standard input (-) cannot be cleaned"),
        "{stderr}"
    );
}

#[test]
fn the_json_report_lists_every_input_problem() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(
        tmp.path().join("a.txt"),
        "A readable article with enough words.",
    )
    .unwrap();
    std::fs::write(tmp.path().join("b.txt"), b"text\0with a NUL").unwrap();
    std::fs::write(
        tmp.path().join("c.jsonl"),
        "{\"text\": \"a record\"}\n{broken\n",
    )
    .unwrap();
    let (code, stdout, stderr) = scan(&["--json", "."], tmp.path());
    assert_eq!(code, 2);
    let report: neardup::Report = serde_json::from_str(&stdout).unwrap();
    assert_eq!(report.stats.input_errors, 2);
    let listed: Vec<(String, Option<usize>, String)> = report
        .problems
        .iter()
        .map(|p| (p.path.clone(), p.line, p.kind.clone()))
        .collect();
    assert_eq!(
        listed,
        [
            ("./b.txt".to_string(), None, "binary".to_string()),
            (
                "./c.jsonl".to_string(),
                Some(2),
                "bad_json_line".to_string()
            ),
        ]
    );
    // The messages are those stderr showed.
    for p in &report.problems {
        assert!(stderr.contains(&p.message), "{}: {stderr}", p.message);
    }
}

/// A folder of three copies of one article: `a.txt` (the base), `b.txt` (longer: a paragraph
/// added), `c.txt` (one word changed, and modified last), so that first, longest and newest
/// are three different files.
fn three_copies(dir: &Path) {
    let mut rng = Rng::new(31);
    let base = words(&mut rng, 300);
    let mut longer = base.clone();
    longer.extend(words(&mut rng, 20));
    let edited = edit(&mut rng, &base, 1);
    for (name, words) in [("c.txt", &edited), ("a.txt", &base), ("b.txt", &longer)] {
        write_words(&dir.join(name), words);
        // Modification times far enough apart for any file system.
        let when = std::time::SystemTime::now()
            - std::time::Duration::from_secs(match name {
                "c.txt" => 100,
                "a.txt" => 200,
                _ => 300,
            });
        let file = std::fs::File::options()
            .write(true)
            .open(dir.join(name))
            .unwrap();
        file.set_modified(when).unwrap();
    }
}

fn kept_and_left_out(dir: &Path, args: &[&str]) -> (String, Vec<String>) {
    let mut all = vec!["."];
    all.extend(args);
    let (report, _) = scan_json(&all, dir, 0);
    assert_eq!(report.clusters.len(), 1, "{:?}", cluster_paths(&report));
    let kept: Vec<&str> = report.clusters[0]
        .members
        .iter()
        .filter(|m| m.kept)
        .map(|m| m.path.as_str())
        .collect();
    assert_eq!(kept.len(), 1);
    all.push("--list-duplicates");
    let (code, stdout, stderr) = scan(&all, dir);
    assert_eq!(code, 0, "{stderr}");
    let left_out: Vec<String> = stdout.lines().map(str::to_string).collect();
    (kept[0].to_string(), left_out)
}

#[test]
fn keep_chooses_the_first_the_longest_or_the_newest_and_lists_the_rest() {
    let tmp = tempfile::tempdir().unwrap();
    three_copies(tmp.path());
    let (kept, left_out) = kept_and_left_out(tmp.path(), &[]);
    assert_eq!(
        (kept.as_str(), left_out),
        ("./a.txt", vec!["./b.txt".to_string(), "./c.txt".into()])
    );
    let (kept, left_out) = kept_and_left_out(tmp.path(), &["--keep", "longest"]);
    assert_eq!(
        (kept.as_str(), left_out),
        ("./b.txt", vec!["./a.txt".to_string(), "./c.txt".into()])
    );
    let (kept, left_out) = kept_and_left_out(tmp.path(), &["--keep", "newest"]);
    assert_eq!(
        (kept.as_str(), left_out),
        ("./c.txt", vec!["./a.txt".to_string(), "./b.txt".into()])
    );
    // clean --drop-duplicates leaves out exactly what the list names.
    let out = tempfile::tempdir().unwrap();
    let out = out.path().join("o");
    let (code, _, stderr) = clean(
        &[
            ".",
            "--drop-duplicates",
            "--keep",
            "longest",
            "--out",
            out.to_str().unwrap(),
        ],
        tmp.path(),
    );
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        tree(&out)
            .keys()
            .filter(|k| k.ends_with(".txt"))
            .collect::<Vec<_>>(),
        ["b.txt"]
    );
    // NUL-separated for xargs -0.
    let (_, stdout, _) = scan(&[".", "--list-duplicates", "-0"], tmp.path());
    assert_eq!(stdout, "./b.txt\0./c.txt\0");
}

#[test]
fn keep_by_a_field_chooses_the_record_with_the_largest_or_smallest_value() {
    let tmp = tempfile::tempdir().unwrap();
    let mut rng = Rng::new(8);
    let text = words(&mut rng, 200).join(" ");
    let other = words(&mut rng, 200).join(" ");
    let records = [
        serde_json::json!({"id": "x1", "text": text, "date": "2024-03-01"}),
        serde_json::json!({"id": "x2", "text": other}),
        serde_json::json!({"id": "x3", "text": text, "date": "2024-05-09"}),
        serde_json::json!({"id": "x4", "text": text}),
        serde_json::json!({"id": "x5", "text": text, "date": "2023-12-31"}),
    ];
    let lines: String = records.iter().map(|r| format!("{r}\n")).collect();
    std::fs::write(tmp.path().join("dump.jsonl"), lines).unwrap();
    let (kept, left_out) = kept_and_left_out(tmp.path(), &["--keep-by", "date"]);
    assert_eq!(kept, "./dump.jsonl");
    assert_eq!(
        left_out,
        ["./dump.jsonl:1", "./dump.jsonl:4", "./dump.jsonl:5"]
    );
    let (_, left_out) = kept_and_left_out(tmp.path(), &["--keep-by", "date:asc"]);
    assert_eq!(
        left_out,
        ["./dump.jsonl:1", "./dump.jsonl:3", "./dump.jsonl:4"]
    );
    // Without a value anywhere, the rule would decide nothing: refused.
    let (code, stdout, stderr) = scan(&[".", "--keep-by", "score", "--json"], tmp.path());
    assert_eq!((code, stdout.as_str()), (2, ""), "{stderr}");
    assert!(
        stderr.contains("--keep-by score: no record has a value in this field"),
        "{stderr}"
    );
    let (code, _, stderr) = scan(&[".", "--keep", "longest", "--keep-by", "date"], tmp.path());
    assert_eq!(code, 2);
    assert!(stderr.contains("cannot be used with"), "{stderr}");
}

#[test]
fn pairs_are_written_as_json_lines_or_csv() {
    let tmp = tempfile::tempdir().unwrap();
    three_copies(tmp.path());
    // --ext txt: the pairs files written into the folder are not read back as documents.
    let (report, _) = scan_json(
        &[".", "--ext", "txt", "--pairs", "pairs.jsonl"],
        tmp.path(),
        0,
    );
    let pairs: Vec<serde_json::Value> = std::fs::read_to_string(tmp.path().join("pairs.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(pairs.len(), report.stats.similar_pairs);
    assert_eq!(pairs.len(), 3);
    assert_eq!(
        (pairs[0]["a"].as_str(), pairs[0]["b"].as_str()),
        (Some("./a.txt"), Some("./b.txt"))
    );
    assert!(
        pairs
            .iter()
            .all(|p| p["similarity"].as_f64().unwrap() >= 0.8)
    );
    let (code, _, _) = scan(&[".", "--ext", "txt", "--pairs", "pairs.csv"], tmp.path());
    assert_eq!(code, 0);
    let csv = std::fs::read_to_string(tmp.path().join("pairs.csv")).unwrap();
    let rows: Vec<&str> = csv.lines().collect();
    assert_eq!(
        rows[0],
        "a,a_line,a_id,b,b_line,b_id,similarity,a_row,b_row"
    );
    assert_eq!(rows.len(), 4);
    assert!(
        rows[1].starts_with("./a.txt,,,./b.txt,,,0.9"),
        "{}",
        rows[1]
    );
    // Records carry their lines and ids.
    let jsonl = tempfile::tempdir().unwrap();
    let mut rng = Rng::new(4);
    let text = words(&mut rng, 120).join(" ");
    let lines = format!(
        "{}\n{}\n",
        serde_json::json!({"id": "p", "text": text}),
        serde_json::json!({"id": "q", "text": text})
    );
    std::fs::write(jsonl.path().join("r.jsonl"), lines).unwrap();
    scan_json(&["r.jsonl", "--pairs", "p.jsonl"], jsonl.path(), 0);
    let pair: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(jsonl.path().join("p.jsonl")).unwrap())
            .unwrap();
    assert_eq!(pair["a_line"], 1);
    assert_eq!(pair["b_line"], 2);
    assert_eq!(
        (pair["a_id"].as_str(), pair["b_id"].as_str()),
        (Some("p"), Some("q"))
    );
}

#[test]
fn the_text_report_shows_the_top_entries_and_piped_keeps_paths_whole() {
    let tmp = tempfile::tempdir().unwrap();
    let mut rng = Rng::new(12);
    let deep = tmp
        .path()
        .join("a-folder-with-a-rather-long-name/and-another-one-below-it");
    std::fs::create_dir_all(&deep).unwrap();
    // 14 pairs of copies: 14 clusters.
    for c in 0..14 {
        let text = words(&mut rng, 150);
        write_words(
            &deep.join(format!("article-number-{c:02}-original-version.txt")),
            &text,
        );
        write_words(
            &deep.join(format!("article-number-{c:02}-syndicated-copy.txt")),
            &text,
        );
    }
    let (code, stdout, _) = scan(&[".", "--limit", "5"], tmp.path());
    assert_eq!(code, 0);
    assert_eq!(stdout.matches("cluster ").count(), 5, "{stdout}");
    assert!(stdout.contains("... and 9 more clusters"), "{stdout}");
    // Not a terminal: the paths, wider than 80 columns, come whole, to be copied.
    let path = "./a-folder-with-a-rather-long-name/and-another-one-below-it/\
                article-number-00-original-version.txt";
    assert!(path.len() > 80);
    assert!(
        stdout.lines().any(|l| l.contains(&format!("  {path}"))),
        "{stdout}"
    );
    assert!(!stdout.contains('…'), "{stdout}");
    let (_, everything, _) = scan(&[".", "--limit", "0"], tmp.path());
    assert_eq!(
        everything.matches("\ncluster ").count() + 1,
        14,
        "{everything}"
    );
    let (_, default, _) = scan(&["."], tmp.path());
    assert!(default.contains("... and 4 more clusters"), "{default}");
}
