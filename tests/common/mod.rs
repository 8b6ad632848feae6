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
    run("scan", args, dir)
}

/// Runs `neardup clean ARGS...` in `dir` and returns (exit code, stdout, stderr).
pub fn clean(args: &[&str], dir: &Path) -> (i32, String, String) {
    run("clean", args, dir)
}

/// Runs `neardup SUBCOMMAND ARGS...` in `dir` and returns (exit code, stdout, stderr).
fn run(subcommand: &str, args: &[&str], dir: &Path) -> (i32, String, String) {
    outcome(
        neardup()
            .current_dir(dir)
            .arg(subcommand)
            .args(args)
            .output()
            .unwrap(),
    )
}

/// A finished process as (exit code, stdout, stderr); -1 when a signal ended it.
pub fn outcome(out: std::process::Output) -> (i32, String, String) {
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

/// Runs `neardup clean --json ARGS...`, expects `expected_code`, and parses the manifest
/// strictly.
pub fn clean_json(
    args: &[&str],
    dir: &Path,
    expected_code: i32,
) -> (neardup::clean::Manifest, String) {
    let mut full = vec!["--json"];
    full.extend_from_slice(args);
    let (code, stdout, stderr) = clean(&full, dir);
    assert_eq!(code, expected_code, "stderr: {stderr}\nstdout: {stdout}");
    let manifest = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("manifest does not match the schema: {e}\n{stdout}"));
    (manifest, stderr)
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

/// Reads and strictly parses the manifest that `clean` wrote into `out`.
pub fn manifest(out: &Path) -> neardup::clean::Manifest {
    let text = std::fs::read_to_string(out.join(neardup::clean::MANIFEST_NAME)).unwrap();
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("manifest off schema: {e}\n{text}"))
}

/// Every file under `dir` (relative path -> bytes), hidden ones included.
pub fn tree(dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut files = std::collections::BTreeMap::new();
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            let rel = entry.path().strip_prefix(dir).unwrap();
            files.insert(
                rel.to_string_lossy().into_owned(),
                std::fs::read(entry.path()).unwrap(),
            );
        }
    }
    files
}

/// A generated corpus with known boilerplate, for `clean`: `articles` unrelated articles of
/// 4-8 paragraphs; footer `f` (of `footers`) under every article whose number is divisible by
/// f + 2; one teaser paragraph pasted 3 times into every 7th article; and 12 near-duplicate
/// copies of article 0 (one family), which share its paragraphs without them being boilerplate.
/// Returns, per file name, the paragraph indices that are injected footers and pasted copies
/// (all but the first occurrence).
pub fn boilerplate_corpus(
    dir: &Path,
    articles: usize,
    footers: usize,
) -> std::collections::BTreeMap<String, Vec<usize>> {
    let mut rng = Rng::new(99);
    let footer_texts: Vec<String> = (0..footers)
        .map(|f| format!("Footer {f}: {}", words(&mut rng, 12 + f).join(" ")))
        .collect();
    let mut injected = std::collections::BTreeMap::new();
    let mut article_0 = Vec::new();
    for a in 0..articles {
        let mut paragraphs: Vec<String> = (0..4 + rng.below(5))
            .map(|_| {
                let n = 20 + rng.below(40);
                words(&mut rng, n).join(" ")
            })
            .collect();
        let mut marked = Vec::new();
        if a % 7 == 3 {
            let teaser = paragraphs[0].clone();
            for at in [2, 4] {
                paragraphs.insert(at.min(paragraphs.len()), teaser.clone());
                marked.push(at.min(paragraphs.len() - 1));
            }
        }
        for (f, footer) in footer_texts.iter().enumerate() {
            if a % (f + 2) == 0 {
                marked.push(paragraphs.len());
                paragraphs.push(footer.clone());
            }
        }
        if a == 0 {
            article_0 = paragraphs.clone();
        }
        let name = format!("article{a:03}.txt");
        std::fs::write(dir.join(&name), paragraphs.join("\n\n") + "\n").unwrap();
        marked.sort_unstable();
        injected.insert(name, marked);
    }
    // Copies of article 0: one word changed in its first paragraph, footers kept.
    for c in 0..12 {
        let mut copy = article_0.clone();
        copy[0] = format!("{} edited{c}", copy[0]);
        let name = format!("copy{c:02}.txt");
        std::fs::write(dir.join(&name), copy.join("\n\n") + "\n").unwrap();
        injected.insert(name, injected["article000.txt"].clone());
    }
    injected
}

/// Every field path of a JSON value (`.a.b[].c`), for schema comparisons.
pub fn field_paths(
    value: &serde_json::Value,
    prefix: &str,
    out: &mut std::collections::BTreeSet<String>,
) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, v) in map {
                let path = format!("{prefix}.{key}");
                out.insert(path.clone());
                field_paths(v, &path, out);
            }
        }
        serde_json::Value::Array(items) => {
            for v in items {
                field_paths(v, &format!("{prefix}[]"), out);
            }
        }
        _ => {}
    }
}

/// The `n`th (1-based) ```json block of the README, with its `  // comments` removed.
pub fn readme_json_block(n: usize) -> serde_json::Value {
    let readme =
        std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
            .unwrap();
    let block = readme
        .split("```json\n")
        .nth(n)
        .and_then(|rest| rest.split("```").next())
        .expect("README has the json block");
    let documented: String = block
        .lines()
        .map(|line| line.split("  //").next().unwrap())
        .collect::<Vec<_>>()
        .join("\n");
    serde_json::from_str(&documented).unwrap()
}

/// A chain A ~ B ~ C ~ D (a.txt to d.txt): each step changes 3 other words of 400 (Jaccard
/// about 0.93), so neighbours are above 0.9 and documents two steps apart are below it (about
/// 0.86).
pub fn chain_corpus(dir: &Path) {
    let mut rng = Rng::new(3);
    let a = words(&mut rng, 400);
    let mut chain = vec![a];
    for step in 0..3 {
        let mut next = chain.last().unwrap().clone();
        for i in 0..3 {
            next[step * 40 + i * 130 + 7] = format!("chain{step}x{i}");
        }
        chain.push(next);
    }
    for (doc, name) in chain.iter().zip(["a.txt", "b.txt", "c.txt", "d.txt"]) {
        write_words(&dir.join(name), doc);
    }
}

/// Asserts that `output` has exactly the fields of the README's `block`th json block, except
/// that the `optional` ones (paths without the leading dot) may be missing.
pub fn assert_fields_documented(block: usize, output: &serde_json::Value, optional: &[&str]) {
    let mut documented = std::collections::BTreeSet::new();
    field_paths(&readme_json_block(block), "", &mut documented);
    let mut produced = std::collections::BTreeSet::new();
    field_paths(output, "", &mut produced);
    let undocumented: Vec<_> = produced.difference(&documented).collect();
    assert!(
        undocumented.is_empty(),
        "fields missing from the README: {undocumented:?}"
    );
    let missing: Vec<_> = documented
        .difference(&produced)
        .filter(|f| !optional.contains(&f.trim_start_matches('.')))
        .collect();
    assert!(
        missing.is_empty(),
        "documented fields the output lacks: {missing:?}"
    );
}

/// Writes a Parquet file of `(id, text)` rows (either may be null), zstd-compressed, with at
/// most `rows_per_group` rows per row group.
#[allow(dead_code)]
pub fn write_parquet(
    path: &Path,
    rows: &[(Option<String>, Option<String>)],
    rows_per_group: usize,
) {
    use arrow_array::{ArrayRef, RecordBatch, StringArray};
    use parquet::arrow::ArrowWriter;
    use parquet::file::properties::WriterProperties;
    let ids: ArrayRef =
        std::sync::Arc::new(StringArray::from_iter(rows.iter().map(|r| r.0.clone())));
    let texts: ArrayRef =
        std::sync::Arc::new(StringArray::from_iter(rows.iter().map(|r| r.1.clone())));
    let batch = RecordBatch::try_from_iter([("id", ids), ("text", texts)]).unwrap();
    let properties = WriterProperties::builder()
        .set_compression(parquet::basic::Compression::ZSTD(Default::default()))
        .set_max_row_group_row_count(Some(rows_per_group.max(1)))
        .build();
    let mut bytes = Vec::new();
    let mut writer = ArrowWriter::try_new(&mut bytes, batch.schema(), Some(properties)).unwrap();
    writer.write(&batch).unwrap();
    writer.close().unwrap();
    std::fs::write(path, bytes).unwrap();
}
