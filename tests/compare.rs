//! `neardup compare A B`: the numbers agree with the scan's for the same pair and parameters,
//! the passages sit where they say in both documents, and records are named as the report
//! names them.

mod common;

use common::{Rng, edit, neardup, words};
use std::path::Path;

fn compare(args: &[&str], dir: &Path) -> (i32, String, String) {
    let output = neardup()
        .current_dir(dir)
        .arg("compare")
        .args(args)
        .output()
        .unwrap();
    common::outcome(output)
}

/// A corpus of text files and JSON Lines records with near-duplicates among and across them.
fn write_corpus(dir: &Path) {
    let mut rng = Rng::new(21);
    let mut records = String::new();
    let mut bases = Vec::new();
    for n in 0..24 {
        let text = if n % 3 == 2 {
            let base: &Vec<String> = &bases[rng.below(bases.len())];
            let changes = 1 + rng.below(4);
            edit(&mut rng, base, changes).join(" ")
        } else {
            let length = 60 + rng.below(100);
            let fresh = words(&mut rng, length);
            bases.push(fresh.clone());
            // Some documents quote an earlier one inside a longer text.
            fresh.join(" ")
        };
        if n % 2 == 0 {
            std::fs::write(dir.join(format!("doc-{n:02}.txt")), &text).unwrap();
        } else {
            let record = serde_json::json!({"id": n, "text": text});
            records.push_str(&format!("{record}\n"));
        }
    }
    std::fs::write(dir.join("records.jsonl"), records).unwrap();
}

fn name(pair: &serde_json::Value, side: &str) -> String {
    let path = pair[side].as_str().unwrap();
    match pair.get(format!("{side}_line")) {
        Some(line) => format!("{path}:{line}"),
        None => path.to_string(),
    }
}

#[test]
fn compare_gives_every_scanned_pair_the_similarity_the_scan_gives_it() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir(tmp.path().join("in")).unwrap();
    write_corpus(&tmp.path().join("in"));
    for threshold in ["0.8", "0.5"] {
        let (code, _, stderr) = common::scan(
            &[
                "in",
                "--pairs",
                "pairs.jsonl",
                "--threshold",
                threshold,
                "-q",
            ],
            tmp.path(),
        );
        assert_eq!(code, 0, "{stderr}");
        let pairs = std::fs::read_to_string(tmp.path().join("pairs.jsonl")).unwrap();
        let pairs: Vec<serde_json::Value> = pairs
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert!(pairs.len() >= 4, "{pairs:?}");
        assert!(pairs.iter().any(|p| p.get("b_line").is_some()));
        for pair in &pairs {
            let (a, b) = (name(pair, "a"), name(pair, "b"));
            let (code, stdout, stderr) =
                compare(&[&a, &b, "--json", "--threshold", threshold], tmp.path());
            assert_eq!(code, 0, "{stderr}");
            let c: neardup::compare::Comparison = serde_json::from_str(&stdout).unwrap();
            assert_eq!(c.jaccard, pair["similarity"].as_f64().unwrap(), "{a} {b}");
            assert_eq!((c.a.as_str(), c.b.as_str()), (a.as_str(), b.as_str()));
            // Containment is at least the Jaccard similarity, both ways.
            assert!(c.containment_a_in_b >= c.jaccard && c.containment_b_in_a >= c.jaccard);
            // Swapped, the containments swap.
            let (_, swapped, _) = compare(&[&b, &a, "--json"], tmp.path());
            let s: neardup::compare::Comparison = serde_json::from_str(&swapped).unwrap();
            assert_eq!(
                (s.containment_a_in_b, s.containment_b_in_a),
                (c.containment_b_in_a, c.containment_a_in_b)
            );
            assert!(!c.passages.is_empty());
        }
    }
}

#[test]
fn a_quoted_article_is_contained_and_its_passage_sits_at_its_lines_in_both() {
    let tmp = tempfile::tempdir().unwrap();
    let mut rng = Rng::new(4);
    let quoted: Vec<String> = words(&mut rng, 80);
    let before = words(&mut rng, 200).join(" ");
    let after = words(&mut rng, 150).join(" ");
    let short = quoted.join(" ");
    let long = format!(
        "{before}\n\nAs reported:\n{}\n\n{after}\n",
        quoted.join("\n")
    );
    std::fs::write(tmp.path().join("short.txt"), &short).unwrap();
    std::fs::write(tmp.path().join("long.txt"), &long).unwrap();
    let (code, stdout, _) = compare(&["short.txt", "long.txt", "--json"], tmp.path());
    assert_eq!(code, 0);
    let c: neardup::compare::Comparison = serde_json::from_str(&stdout).unwrap();
    assert_eq!(c.containment_a_in_b, 1.0);
    assert!(c.jaccard < 0.5 && c.containment_b_in_a < 0.5);
    assert_eq!(c.passages.len(), 1, "{stdout}");
    let p = &c.passages[0];
    assert_eq!(p.words, 80);
    // The quote is one word per line in the long text, after 3 lines.
    assert_eq!((p.a_lines, p.b_lines), ([1, 1], [4, 83]));
    assert!(
        p.preview.starts_with(&quoted[..3].join(" ")),
        "{}",
        p.preview
    );
    // The text form names the same ranges, without colour when piped.
    let (_, text, _) = compare(&["short.txt", "long.txt"], tmp.path());
    assert!(
        text.contains("a line 1  b lines 4-83  (80 words)"),
        "{text}"
    );
    assert!(!text.contains('\x1b'));
    // The fields are those the README documents.
    common::assert_fields_documented(3, &serde_json::from_str(&stdout).unwrap(), &[]);
}

#[test]
fn a_file_of_records_must_name_its_record_and_a_missing_one_is_one_line() {
    let tmp = tempfile::tempdir().unwrap();
    write_corpus(tmp.path());
    let (code, _, stderr) = compare(&["records.jsonl", "doc-00.txt"], tmp.path());
    assert_eq!(code, 1);
    assert!(
        stderr.contains("it holds 12 records; name one as records.jsonl:LINE"),
        "{stderr}"
    );
    let (code, _, stderr) = compare(&["records.jsonl:99", "doc-00.txt"], tmp.path());
    assert_eq!(code, 1);
    assert!(stderr.contains("no record at line 99"), "{stderr}");
    let (code, _, stderr) = compare(&["nothing.txt", "doc-00.txt"], tmp.path());
    assert_eq!((code, stderr.lines().count()), (1, 1), "{stderr}");
    let (code, stdout, _) = compare(&["records.jsonl:1", "doc-00.txt", "--json"], tmp.path());
    assert_eq!(code, 0);
    assert!(stdout.contains("\"a\": \"records.jsonl:1\""));
}

/// `s` as a JSON string with every non-ASCII character escaped (`\u00e9`, surrogate pairs).
fn ascii_json(s: &str) -> String {
    let mut out = String::new();
    for c in serde_json::to_string(s).unwrap().chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        }
    }
    out
}

#[test]
fn json_passages_give_character_offsets_that_slice_both_texts_to_the_passage() {
    let tmp = tempfile::tempdir().unwrap();
    let mut rng = Rng::new(9);
    // Letters of 2, 3 and 4 bytes in the passage, and before it texts whose lengths in bytes,
    // characters and UTF-16 units all differ.
    let mut shared = words(&mut rng, 60);
    shared[3] = "café".into();
    shared[10] = "日本語".into();
    shared[20] = "naïve🙂".into();
    let shared = shared.join(" ");
    let a = format!(
        "Ünïcödé prelude — {} alphaonlyina\n\n{shared}\n\nthe end of a {}\n",
        words(&mut rng, 40).join(" "),
        words(&mut rng, 30).join(" ")
    );
    let b = format!(
        "«{}» 😀😀 betaonlyinb\n{shared}\nomega {}",
        words(&mut rng, 25).join(" "),
        words(&mut rng, 20).join(" ")
    );
    // A text file with a byte-order mark (not part of the text as read), and a record whose
    // text field has its non-ASCII characters escaped.
    std::fs::write(tmp.path().join("a.txt"), format!("\u{feff}{a}")).unwrap();
    let record = format!("{{\"id\": 1, \"text\": {}}}\n", ascii_json(&b));
    assert!(record.is_ascii());
    std::fs::write(
        tmp.path().join("b.jsonl"),
        format!("{{\"text\": \"x\"}}\n{record}"),
    )
    .unwrap();
    let (code, stdout, stderr) = compare(&["a.txt", "b.jsonl:2", "--json"], tmp.path());
    assert_eq!(code, 0, "{stderr}");
    let c: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let passages = c["passages"].as_array().unwrap();
    assert_eq!(passages.len(), 1, "{stdout}");
    let slice = |text: &str, side: &str| -> String {
        let offset = passages[0][format!("{side}_offset")].as_u64().unwrap() as usize;
        let length = passages[0][format!("{side}_length")].as_u64().unwrap() as usize;
        text.chars().skip(offset).take(length).collect()
    };
    assert_eq!(slice(&a, "a"), shared);
    assert_eq!(slice(&b, "b"), shared);
    // Swapped, the offsets swap.
    let (_, swapped, _) = compare(&["b.jsonl:2", "a.txt", "--json"], tmp.path());
    let s: serde_json::Value = serde_json::from_str(&swapped).unwrap();
    assert_eq!(s["passages"][0]["a_offset"], passages[0]["b_offset"]);
    assert_eq!(s["passages"][0]["b_length"], passages[0]["a_length"]);
}
