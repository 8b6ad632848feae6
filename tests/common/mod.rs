//! Helpers shared by the integration tests: a deterministic text generator and a runner for the
//! built binary.
#![allow(dead_code)]

use assert_cmd::Command;
use std::path::Path;

/// A tiny deterministic generator (SplitMix64), so tests need no fixtures for large texts.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// `n` words drawn from a 5000-word synthetic vocabulary, so two independent texts share
/// almost no 5-word shingles.
pub fn words(rng: &mut Rng, n: usize) -> Vec<String> {
    (0..n)
        .map(|_| {
            let w = rng.below(5000);
            let syllables = ["ka", "lo", "mi", "re", "tu", "sa", "ne", "po", "vi", "da"];
            let mut word = String::new();
            let mut x = w;
            loop {
                word.push_str(syllables[x % 10]);
                x /= 10;
                if x == 0 {
                    break;
                }
            }
            word
        })
        .collect()
}

/// `base` with `changes` words replaced by fresh ones, at evenly spread positions.
pub fn edit(rng: &mut Rng, base: &[String], changes: usize) -> Vec<String> {
    let mut out = base.to_vec();
    let step = (base.len() / changes.max(1)).max(1);
    for i in 0..changes {
        let at = (i * step + step / 2).min(out.len() - 1);
        out[at] = format!("zz{}x", rng.below(1_000_000));
    }
    out
}

/// Writes `words` as a text file of sentences wrapped at about 70 columns.
pub fn write_words(path: &Path, words: &[String]) {
    let mut text = String::new();
    let mut col = 0;
    for (i, w) in words.iter().enumerate() {
        if col + w.len() > 70 {
            text.push('\n');
            col = 0;
        } else if i > 0 {
            text.push(' ');
            col += 1;
        }
        text.push_str(w);
        col += w.len();
    }
    text.push('\n');
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).unwrap();
    }
    std::fs::write(path, text).unwrap();
}

/// The `neardup` binary built by cargo for these tests.
pub fn neardup() -> Command {
    Command::cargo_bin("neardup").unwrap()
}

/// Runs `neardup scan ARGS...` and returns (exit code, stdout, stderr).
pub fn scan(args: &[&str], dir: &Path) -> (i32, String, String) {
    let out = neardup()
        .current_dir(dir)
        .arg("scan")
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// Runs `neardup scan --json ARGS...`, expects `expected_code`, and parses the report strictly.
pub fn scan_json(args: &[&str], dir: &Path, expected_code: i32) -> (neardup::Report, String) {
    let mut full = vec!["--json"];
    full.extend_from_slice(args);
    let (code, stdout, stderr) = scan(&full, dir);
    assert_eq!(code, expected_code, "stderr: {stderr}\nstdout: {stdout}");
    let report: neardup::Report = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("report does not match the schema: {e}\n{stdout}"));
    (report, stderr)
}

/// The clusters of a report as sorted lists of member paths.
pub fn cluster_paths(report: &neardup::Report) -> Vec<Vec<String>> {
    let mut clusters: Vec<Vec<String>> = report
        .clusters
        .iter()
        .map(|c| {
            let mut paths: Vec<String> = c.members.iter().map(|m| m.path.clone()).collect();
            paths.sort();
            paths
        })
        .collect();
    clusters.sort();
    clusters
}
