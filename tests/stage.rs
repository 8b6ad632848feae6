//! The scan's first stages run by themselves (`neardup stage sign`, `candidates`, `verify`), on
//! shards signed apart and band ranges taken apart, give the similar pairs `scan --pairs` gives
//! for the whole corpus.

mod common;

use common::{Rng, edit, neardup, words};
use proptest::prelude::*;
use std::path::Path;

/// Two shard folders (`in/a`, `in/b`) of text files, JSON Lines and Parquet records, with
/// near-duplicates within and across them.
fn write_shards(root: &Path, seed: u64, documents: usize) {
    let mut rng = Rng::new(seed);
    let mut bases: Vec<Vec<String>> = Vec::new();
    let mut records = [String::new(), String::new()];
    let mut rows: [Vec<(Option<String>, Option<String>)>; 2] = [Vec::new(), Vec::new()];
    for n in 0..documents {
        // The second document is a copy of the first, so that every corpus has a pair.
        let text = if n == 1 {
            bases[0].join(" ")
        } else if !bases.is_empty() && rng.below(3) == 0 {
            let base = bases[rng.below(bases.len())].clone();
            let changes = rng.below(3);
            edit(&mut rng, &base, changes).join(" ")
        } else {
            let length = 30 + rng.below(90);
            let fresh = words(&mut rng, length);
            bases.push(fresh.clone());
            fresh.join(" ")
        };
        let shard = rng.below(2);
        let folder = root.join(["a", "b"][shard]);
        std::fs::create_dir_all(&folder).unwrap();
        match n % 3 {
            0 => std::fs::write(folder.join(format!("doc-{n:03}.txt")), text).unwrap(),
            1 => {
                let record = serde_json::json!({"id": n, "text": text});
                records[shard].push_str(&format!("{record}\n"));
            }
            _ => rows[shard].push((Some(format!("p{n}")), Some(text))),
        }
    }
    for shard in 0..2 {
        let folder = root.join(["a", "b"][shard]);
        std::fs::create_dir_all(&folder).unwrap();
        std::fs::write(folder.join("records.jsonl"), &records[shard]).unwrap();
        common::write_parquet(&folder.join("rows.parquet"), &rows[shard], 4);
    }
}

fn run(args: &[&str], dir: &Path) -> (i32, String) {
    let output = neardup().current_dir(dir).args(args).output().unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    (output.status.code().unwrap_or(-1), stderr)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 8, ..ProptestConfig::default() })]

    #[test]
    fn stages_run_apart_give_the_pairs_the_scan_gives(
        seed in any::<u64>(),
        documents in 10usize..60,
        split in 1usize..25,
    ) {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        write_shards(&dir.join("in"), seed, documents);
        let (code, stderr) = run(&["scan", "in", "--pairs", "scan.jsonl", "-q", "--json"], dir);
        prop_assert!(code == 0, "{}", stderr);
        for shard in ["a", "b"] {
            let (code, stderr) = run(
                &["stage", "sign", &format!("in/{shard}"), "--out", &format!("shard-{shard}"), "-q"],
                dir,
            );
            prop_assert!(code == 0, "{}", stderr);
        }
        let (low, high) = (format!("0..{split}"), format!("{split}..25"));
        for (bands, out) in [(&low, "low.run"), (&high, "high.run")] {
            let (code, stderr) = run(
                &["stage", "candidates", "shard-a", "shard-b", "--bands", bands, "--out", out],
                dir,
            );
            prop_assert!(code == 0, "{}", stderr);
        }
        let (code, stderr) = run(
            &["stage", "verify", "shard-a", "shard-b", "--candidates", "low.run", "high.run",
              "--out", "stages.jsonl"],
            dir,
        );
        prop_assert!(code == 0, "{}", stderr);
        let scan = std::fs::read_to_string(dir.join("scan.jsonl")).unwrap();
        let stages = std::fs::read_to_string(dir.join("stages.jsonl")).unwrap();
        prop_assert!(!scan.is_empty());
        prop_assert_eq!(stages, scan);
    }
}

#[test]
fn shards_signed_with_other_parameters_or_bands_past_the_last_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write_shards(&dir.join("in"), 3, 20);
    assert_eq!(
        run(&["stage", "sign", "in/a", "--out", "a", "-q"], dir).0,
        0
    );
    assert_eq!(
        run(
            &["stage", "sign", "in/b", "--out", "b", "-q", "--seed", "7"],
            dir
        )
        .0,
        0
    );
    let (code, stderr) = run(&["stage", "candidates", "a", "b", "--out", "c.run"], dir);
    assert_eq!(code, 1);
    assert!(
        stderr.contains("b was signed with other parameters than a"),
        "{stderr}"
    );
    let (code, stderr) = run(
        &[
            "stage",
            "candidates",
            "a",
            "--bands",
            "20..30",
            "--out",
            "c.run",
        ],
        dir,
    );
    assert_eq!(code, 1);
    assert!(
        stderr.contains("bands 20..30 asked of shards with 25 bands"),
        "{stderr}"
    );
    // A shard folder is made, never written into.
    let (code, stderr) = run(&["stage", "sign", "in/a", "--out", "a", "-q"], dir);
    assert_eq!(code, 1, "{stderr}");
    // A file that is not a run of pairs is named.
    std::fs::write(dir.join("not.run"), b"hello").unwrap();
    let (code, stderr) = run(
        &[
            "stage",
            "verify",
            "a",
            "--candidates",
            "not.run",
            "--out",
            "v",
        ],
        dir,
    );
    assert_eq!(code, 1);
    assert!(stderr.contains("not.run"), "{stderr}");
}

#[test]
fn an_empty_shard_between_two_and_null_ids_give_the_scan_pairs() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let mut rng = Rng::new(12);
    let base = words(&mut rng, 90);
    let copy = edit(&mut rng, &base, 1);
    for (folder, text) in [("in/a", &base), ("in/b", &copy)] {
        std::fs::create_dir_all(dir.join(folder)).unwrap();
        let record = serde_json::json!({"id": null, "text": text.join(" ")});
        std::fs::write(dir.join(folder).join("r.jsonl"), format!("{record}\n")).unwrap();
    }
    // Between them in path order: a shard of no document at all.
    std::fs::create_dir_all(dir.join("in/a2")).unwrap();
    std::fs::write(dir.join("in/a2/empty.txt"), "  \n").unwrap();
    let (code, stderr) = run(&["scan", "in", "--pairs", "scan.jsonl", "-q"], dir);
    assert_eq!(code, 0, "{stderr}");
    for shard in ["a", "a2", "b"] {
        let (code, stderr) = run(
            &[
                "stage",
                "sign",
                &format!("in/{shard}"),
                "--out",
                &format!("s-{shard}"),
                "-q",
            ],
            dir,
        );
        assert_eq!(code, 0, "{stderr}");
    }
    let shards = ["s-a", "s-a2", "s-b"];
    let mut args = vec!["stage", "candidates"];
    args.extend(shards);
    args.extend(["--out", "c.run"]);
    assert_eq!(run(&args, dir).0, 0);
    let mut args = vec!["stage", "verify"];
    args.extend(shards);
    args.extend(["--candidates", "c.run", "--out", "v.jsonl"]);
    assert_eq!(run(&args, dir).0, 0);
    let scan = std::fs::read_to_string(dir.join("scan.jsonl")).unwrap();
    assert!(scan.contains("\"a_id\":null"), "{scan}");
    assert_eq!(std::fs::read_to_string(dir.join("v.jsonl")).unwrap(), scan);
    // The candidates of other shards are refused, not read past the end.
    let (code, stderr) = run(
        &[
            "stage",
            "verify",
            "s-a",
            "--candidates",
            "c.run",
            "--out",
            "w",
        ],
        dir,
    );
    assert_eq!(code, 1);
    assert!(stderr.contains("computed over other shards"), "{stderr}");
}

#[test]
fn candidates_given_other_shards_or_the_same_in_another_order_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write_shards(&dir.join("in"), 5, 40);
    for shard in ["a", "b"] {
        let (code, stderr) = run(
            &["stage", "sign", &format!("in/{shard}"), "--out", shard],
            dir,
        );
        assert_eq!(code, 0, "{stderr}");
    }
    let (code, stderr) = run(&["stage", "candidates", "a", "b", "--out", "ab.run"], dir);
    assert_eq!(code, 0, "{stderr}");
    let (code, stderr) = run(&["stage", "candidates", "a", "--out", "a.run"], dir);
    assert_eq!(code, 0, "{stderr}");
    let verify = |shards: &[&str], candidates: &str| {
        let mut args = vec!["stage", "verify"];
        args.extend(shards);
        args.extend(["--candidates", candidates, "--out", "pairs.jsonl"]);
        run(&args, dir)
    };
    // The documents of b then a would be numbered otherwise: the pairs would name others.
    let (code, stderr) = verify(&["b", "a"], "ab.run");
    assert_eq!((code, stderr.lines().count()), (1, 1), "{stderr}");
    assert!(
        stderr.starts_with("neardup: ab.run: computed over these shards in another order")
            && stderr.contains("give them in this order: a b"),
        "{stderr}"
    );
    // Candidates over a alone, given a and b: other shards.
    let (code, stderr) = verify(&["a", "b"], "a.run");
    assert_eq!((code, stderr.lines().count()), (1, 1), "{stderr}");
    assert!(
        stderr.contains("a.run: computed over other shards (1 shards, 1 of the 2 given"),
        "{stderr}"
    );
    assert_eq!(verify(&["a", "b"], "ab.run").0, 0);
    assert_eq!(verify(&["a"], "a.run").0, 0);
}

#[test]
fn stage_outputs_make_their_folders_and_one_that_cannot_be_made_is_named_as_the_output() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write_shards(&dir.join("in"), 8, 20);
    // As the README runs them: into folders that do not exist yet.
    for (shard, out) in [("a", "signed/0"), ("b", "signed/1")] {
        let (code, stderr) = run(
            &["stage", "sign", &format!("in/{shard}"), "--out", out],
            dir,
        );
        assert_eq!(code, 0, "{stderr}");
    }
    let (code, stderr) = run(
        &[
            "stage",
            "candidates",
            "signed/0",
            "signed/1",
            "--out",
            "cand/0.run",
        ],
        dir,
    );
    assert_eq!(code, 0, "{stderr}");
    let (code, stderr) = run(
        &[
            "stage",
            "verify",
            "signed/0",
            "signed/1",
            "--candidates",
            "cand/0.run",
            "--out",
            "found/pairs.jsonl",
        ],
        dir,
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(dir.join("found/pairs.jsonl").is_file());
    // An output that cannot be made is named as the output, not as a missing input.
    std::fs::write(dir.join("blocker"), "a file").unwrap();
    let (code, stderr) = run(
        &["stage", "candidates", "signed/0", "--out", "blocker/c.run"],
        dir,
    );
    assert_eq!(code, 1);
    assert_eq!(
        stderr,
        "neardup: blocker/c.run: could not write this output: blocker is a file, not a folder\n"
    );
    let (code, stderr) = run(&["stage", "sign", "in/a", "--out", "signed/0"], dir);
    assert_eq!(code, 1);
    assert_eq!(
        stderr,
        "neardup: signed/0: could not write this output: it exists already (stage sign makes a \
         new shard folder)\n"
    );
}
