//! `neardup::dedup` over texts in memory gives what `scan` gives over the same texts written
//! one per file: the report (text and JSON), the pairs, repeats and boilerplate, in memory and
//! with a budget that spills.

mod common;

use common::*;
use neardup::lists::{PairsFormat, write_pairs};
use neardup::progress::NoProgress;
use neardup::{Error, Report, ScanConfig, ScanOutcome, dedup, scan};
use std::sync::Arc;

/// The JSON report, the text report and the pairs of `outcome`.
fn outputs(outcome: &ScanOutcome, config: &ScanConfig) -> (String, String, String) {
    let report = Report::new(outcome, config);
    let (mut json, mut text, mut pairs) = (Vec::new(), Vec::new(), Vec::new());
    report.write_json(&mut json).unwrap();
    report.write_text(&mut text).unwrap();
    write_pairs(outcome, PairsFormat::JsonLines, &mut pairs).unwrap();
    let utf8 = |b: Vec<u8>| String::from_utf8(b).unwrap();
    (utf8(json), utf8(text), utf8(pairs))
}

#[test]
fn texts_in_memory_give_the_scan_of_the_same_texts_in_files() {
    let tmp = tempfile::tempdir().unwrap();
    // Near-duplicates (12 copies of one article), pasted repeats, footers in many articles.
    boilerplate_corpus(tmp.path(), 60, 3);
    for budget in [None, Some(64 << 10)] {
        let config = ScanConfig {
            memory: budget,
            ..ScanConfig::default()
        };
        let on_files = scan(&[tmp.path().to_path_buf()], &config, &NoProgress).unwrap();
        // The same texts, in the scan's order, named as the scan names them.
        let ids: Vec<String> = on_files.sources.iter().map(|s| s.display.clone()).collect();
        let texts: Vec<String> = on_files
            .sources
            .iter()
            .map(|s| std::fs::read_to_string(&s.path).unwrap())
            .collect();
        let in_memory = dedup(Arc::new(texts), Some(&ids), &config, &NoProgress).unwrap();
        assert!(!on_files.clusters.is_empty() && !on_files.repeats.is_empty());
        assert!(!on_files.boilerplate.is_empty());
        assert_eq!(
            outputs(&in_memory, &config),
            outputs(&on_files, &config),
            "budget {budget:?}"
        );
        // Every document is a text in memory, numbered in the order given.
        for doc in 0..in_memory.documents.len() {
            assert_eq!(in_memory.text_index(doc), Some(doc));
            assert_eq!(on_files.text_index(doc), None);
        }
    }
}

#[test]
fn texts_without_ids_are_named_by_their_index_and_ids_must_match_the_texts() {
    let mut rng = Rng::new(5);
    let base = words(&mut rng, 80);
    let texts: Vec<String> = vec![
        words(&mut rng, 60).join(" "),
        base.join(" "),
        edit(&mut rng, &base, 1).join(" "),
        String::new(),
    ];
    let config = ScanConfig::default();
    let outcome = dedup(Arc::new(texts.clone()), None, &config, &NoProgress).unwrap();
    assert_eq!(outcome.clusters.len(), 1);
    let names: Vec<String> = outcome.clusters[0]
        .members
        .iter()
        .map(|m| outcome.documents.get(m.doc as usize).path)
        .collect();
    assert_eq!(names, ["1", "2"]);
    // The empty text is accounted for, as an empty file is.
    assert_eq!(outcome.empty_documents.len(), 1);
    assert_eq!(outcome.empty_documents[0].path, "3");
    let two = ["a".to_string(), "b".to_string()];
    match dedup(Arc::new(texts), Some(&two), &config, &NoProgress) {
        Err(Error::InvalidConfig(message)) => assert!(message.contains("2 ids for 4 texts")),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_thousand_scans_in_a_row_two_at_a_time_give_the_same_answer() {
    let mut rng = Rng::new(17);
    let mut texts = Vec::new();
    for _ in 0..30 {
        let base = words(&mut rng, 60);
        texts.push(edit(&mut rng, &base, 1).join(" "));
        texts.push(base.join(" "));
    }
    let texts: Arc<Vec<String>> = Arc::new(texts);
    let config = ScanConfig::default();
    let first = dedup(texts.clone(), None, &config, &NoProgress).unwrap();
    assert_eq!(first.clusters.len(), 30);
    std::thread::scope(|s| {
        let runs: Vec<_> = (0..2)
            .map(|_| {
                s.spawn(|| {
                    for _ in 0..500 {
                        let again = dedup(texts.clone(), None, &config, &NoProgress).unwrap();
                        assert_eq!(again.clusters, first.clusters);
                        assert_eq!(again.pairs, first.pairs);
                    }
                })
            })
            .collect();
        for run in runs {
            run.join().unwrap();
        }
    });
}

#[test]
fn the_public_stages_in_the_scan_s_order_give_the_scan_s_pairs() {
    use neardup::stages::{
        MinHasher, Shingler, candidate_pairs, compact_set, compact_signature, jaccard,
    };
    let mut rng = Rng::new(23);
    let mut texts = Vec::new();
    for _ in 0..40 {
        let length = 40 + rng.below(60);
        let base = words(&mut rng, length);
        let copies = rng.below(3);
        texts.push(base.join(" "));
        for _ in 0..copies {
            let changes = rng.below(4);
            texts.push(edit(&mut rng, &base, changes).join(" "));
        }
    }
    let config = ScanConfig::default();
    let banding = config.validate().unwrap();
    // Shingles, a signature in its 32-bit form, LSH candidates, the exact Jaccard of the 32-bit
    // sets: what the scan does.
    let mut shingler = Shingler::new(config.shingle);
    let minhasher = MinHasher::with_scheme(config.minhash, config.num_perm, config.seed);
    let (mut sets, mut signatures) = (Vec::new(), Vec::new());
    for text in &texts {
        let mut fingerprints = Vec::new();
        shingler.shingle(text, &mut fingerprints);
        let mut signature = vec![0; config.num_perm];
        minhasher.sign(&fingerprints, &mut signature);
        signatures.extend(compact_signature(&signature));
        sets.push(compact_set(&fingerprints));
    }
    let mut by_stages: Vec<(u32, u32, f64)> =
        candidate_pairs(&signatures, config.num_perm, banding, &|_| {})
            .into_iter()
            .map(|(a, b)| (a, b, jaccard(&sets[a as usize], &sets[b as usize])))
            .filter(|&(_, _, j)| j >= config.threshold)
            .collect();
    by_stages.sort_by_key(|&(a, b, _)| (a, b));
    let outcome = dedup(Arc::new(texts), None, &config, &NoProgress).unwrap();
    let by_scan: Vec<(u32, u32, f64)> = outcome
        .pairs
        .iter()
        .map(|p| (p.a, p.b, p.similarity))
        .collect();
    assert!(by_scan.len() > 20, "{}", by_scan.len());
    assert_eq!(by_stages, by_scan);
}

#[test]
fn texts_in_memory_read_as_text_files_and_keep_rules_that_need_files_are_refused() {
    let mut rng = Rng::new(41);
    let article = words(&mut rng, 60).join(" ");
    // A byte-order mark is dropped, as from a file; a NUL byte makes a text binary, as a file.
    let texts = vec![
        article.clone(),
        format!("\u{feff}{article}"),
        format!("{article}\0"),
    ];
    let config = ScanConfig::default();
    let outcome = dedup(Arc::new(texts), None, &config, &NoProgress).unwrap();
    assert_eq!(outcome.clusters.len(), 1);
    assert_eq!(outcome.clusters[0].members.len(), 2);
    assert_eq!(outcome.documents.len(), 2);
    let binary: Vec<String> = outcome.diagnostics.iter().map(|d| d.to_string()).collect();
    assert!(
        binary.len() == 1 && binary[0].starts_with("2: binary file"),
        "{binary:?}"
    );
    // `--encoding` is for files: a text in memory is UTF-8 whatever it says.
    let latin1 = ScanConfig {
        input: neardup::config::InputOptions {
            encoding: Some(neardup::config::TextEncoding::for_label("latin1").unwrap()),
            ..Default::default()
        },
        ..ScanConfig::default()
    };
    let accented = vec![format!("Café déjà vu {article}")];
    let outcome = dedup(Arc::new(accented.clone()), None, &latin1, &NoProgress).unwrap();
    let read = neardup::document_texts(&outcome, &latin1, &[0]);
    assert_eq!(read, [Some(accented[0].clone())]);
    assert!(outcome.diagnostics.is_empty() && outcome.notes.is_empty());
    for keep in [
        neardup::config::Keep::Newest,
        neardup::config::Keep::Field {
            name: "date".into(),
            descending: true,
        },
    ] {
        let config = ScanConfig {
            keep,
            ..ScanConfig::default()
        };
        let refused = dedup(Arc::new(vec![article.clone()]), None, &config, &NoProgress);
        assert!(
            matches!(refused, Err(Error::InvalidConfig(_))),
            "{refused:?}"
        );
    }
}

#[test]
fn the_text_cleaner_for_a_clean_cleans_each_text_as_clean_writes_it() {
    use neardup::stages::TextCleaner;
    use neardup::{CleanConfig, clean};
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    std::fs::create_dir(&input).unwrap();
    boilerplate_corpus(&input, 40, 2);
    let config = CleanConfig::new(ScanConfig::default(), tmp.path().join("out"));
    clean(std::slice::from_ref(&input), &config, &NoProgress).unwrap();
    let outcome = scan(std::slice::from_ref(&input), &config.scan, &NoProgress).unwrap();
    let mut cleaner = TextCleaner::for_clean(&outcome, &config);
    let mut changed = 0;
    for source in &outcome.sources {
        let text = std::fs::read_to_string(&source.path).unwrap();
        let written = std::fs::read_to_string(config.out.join(&source.relative)).unwrap();
        let cleaned = cleaner.clean(&text);
        changed += usize::from(!cleaned.removed.is_empty());
        assert_eq!(cleaned.text, written, "{}", source.display);
    }
    assert!(changed > 10, "{changed}");
}
