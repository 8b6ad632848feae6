//! The README names only options the binary has: every `--flag` it mentions is in the `--help`
//! of one of neardup's commands, but for the flags of other tools' commands it quotes (cargo,
//! a browser), each listed here with the words around it in the README.

mod common;

use std::collections::BTreeSet;

/// Flags of other programs in the README, each with the text it is quoted in: every mention of
/// the flag must be one of these.
const OTHER_TOOLS: &[(&str, &str)] = &[
    ("--path", "cargo install --path"),
    ("--release", "cargo run --release"),
    ("--locked", "cargo test --locked"),
    ("--test", "cargo test --test"),
    ("--bench", "cargo bench --bench"),
    ("--open", "cargo doc --open"),
    ("--check", "cargo fmt --check"),
    ("--all-targets", "cargo clippy --all-targets"),
    ("--headless", "chromium --headless"),
    ("--dump-dom", "--headless\n--dump-dom"),
];

/// Every `--flag` in `text` (a letter after the dashes, so `--` alone is not one).
fn flags(text: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let bytes = text.as_bytes();
    let flag_byte = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-';
    let mut at = 0;
    while let Some(n) = text[at..].find("--") {
        let start = at + n;
        let mut end = start + 2;
        while end < bytes.len() && flag_byte(bytes[end]) {
            end += 1;
        }
        let flag = text[start..end].trim_end_matches('-');
        if flag.len() > 2 && bytes[start + 2].is_ascii_lowercase() {
            found.insert(flag.to_string());
        }
        at = end.max(start + 2);
    }
    found
}

#[test]
fn every_flag_the_readme_names_is_an_option_of_a_command() {
    let readme =
        std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
            .unwrap();
    let mut help = String::new();
    for command in [
        &[][..],
        &["scan"],
        &["clean"],
        &["compare"],
        &["stage", "sign"],
        &["stage", "candidates"],
        &["stage", "verify"],
    ] {
        let output = common::neardup()
            .args(command)
            .arg("--help")
            .output()
            .unwrap();
        assert!(output.status.success(), "{command:?}");
        help.push_str(&String::from_utf8(output.stdout).unwrap());
    }
    let known = flags(&help);
    let mut unknown = Vec::new();
    for flag in flags(&readme) {
        if known.contains(&flag) {
            continue;
        }
        match OTHER_TOOLS.iter().find(|(f, _)| *f == flag) {
            // Each mention of the flag is inside the other tool's command.
            Some((_, quoted)) => assert_eq!(
                readme.matches(flag.as_str()).count(),
                readme.matches(quoted).count(),
                "{flag} is mentioned outside `{quoted}`"
            ),
            None => unknown.push(flag),
        }
    }
    assert!(
        unknown.is_empty(),
        "the README names options no command has: {unknown:?}"
    );
}

#[test]
fn flags_are_found_whole() {
    let found = flags("use `--ngram N` or --char-ngram, not -- alone nor ---x; --keep-by=x");
    let expected: BTreeSet<String> = ["--ngram", "--char-ngram", "--keep-by"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    assert_eq!(found, expected);
}
