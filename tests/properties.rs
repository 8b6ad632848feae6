//! Property tests of the invariants the pipeline relies on.

use neardup::ScanConfig;
use neardup::clean::{CleanConfig, RepeatsMode, TextCleaner};
use neardup::config::Linkage;
use neardup::internals::{Analysis, Analyzer, SimilarPair, group, jaccard_at_least};
use neardup::progress::NoProgress;
use neardup::stages::{
    MinHasher, ShingleKind, Shingler, Tokenizer, estimate_jaccard, jaccard, segment,
};
use proptest::prelude::*;

fn sorted_set(v: Vec<u64>) -> Vec<u64> {
    let mut v = v;
    v.sort_unstable();
    v.dedup();
    v
}

fn shingles(kind: ShingleKind, text: &str) -> Vec<u64> {
    let mut out = Vec::new();
    Shingler::new(kind).shingle(text, &mut out);
    out
}

/// Words of a small alphabet so that random texts share shingles.
fn text_strategy() -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec("[a-eA-E]{1,3}", 0..60)
}

proptest! {
    #[test]
    fn jaccard_is_symmetric_bounded_and_one_on_itself(
        a in prop::collection::vec(0u64..200, 0..100),
        b in prop::collection::vec(0u64..200, 0..100),
    ) {
        let (a, b) = (sorted_set(a), sorted_set(b));
        let ab = jaccard(&a, &b);
        prop_assert_eq!(ab, jaccard(&b, &a));
        prop_assert!((0.0..=1.0).contains(&ab));
        prop_assert_eq!(jaccard(&a, &a), 1.0);
    }

    #[test]
    fn jaccard_equals_the_set_definition(
        a in prop::collection::btree_set(0u64..100, 0..50),
        b in prop::collection::btree_set(0u64..100, 0..50),
    ) {
        let union = a.union(&b).count();
        let inter = a.intersection(&b).count();
        let expected = if union == 0 { 1.0 } else { inter as f64 / union as f64 };
        let (va, vb): (Vec<u64>, Vec<u64>) = (a.into_iter().collect(), b.into_iter().collect());
        prop_assert_eq!(jaccard(&va, &vb), expected);
    }

    #[test]
    fn size_filter_never_drops_a_pair_at_or_above_the_threshold(
        a in prop::collection::vec(0u64..300, 0..120),
        b in prop::collection::vec(0u64..300, 0..120),
        t in 0.05f64..1.0,
    ) {
        let (a, b) = (sorted_set(a), sorted_set(b));
        let exact = jaccard(&a, &b);
        prop_assert_eq!(jaccard_at_least(&a, &b, t), (exact >= t).then_some(exact));
    }

    #[test]
    fn shingles_ignore_case_wrapping_and_punctuation(words in text_strategy(), k in 1usize..6) {
        let plain = words.join(" ");
        let mut noisy = String::new();
        for (i, w) in words.iter().enumerate() {
            noisy.push_str(match i % 4 { 0 => " ", 1 => "\r\n", 2 => " -- ", _ => ",\u{A0}" });
            noisy.push_str(&if i % 3 == 0 { w.to_uppercase() } else { w.to_lowercase() });
        }
        noisy.push('.');
        for kind in [ShingleKind::Words(k), ShingleKind::Chars(k)] {
            prop_assert_eq!(shingles(kind, &plain), shingles(kind, &noisy));
        }
    }

    #[test]
    fn a_nonempty_text_always_has_a_shingle(words in text_strategy(), k in 1usize..8) {
        let text = words.join(" ");
        let s = shingles(ShingleKind::Words(k), &text);
        prop_assert_eq!(s.is_empty(), words.is_empty());
        if !words.is_empty() {
            prop_assert!(s.len() <= words.len().saturating_sub(k) + 1);
        }
    }

    #[test]
    fn tokenizer_never_panics_and_is_idempotent(text in "\\PC{0,80}") {
        let mut t = Tokenizer::new();
        let once = t.normalized(&text);
        prop_assert_eq!(t.normalized(&once), once.clone());
    }

    #[test]
    fn minhash_of_a_set_does_not_depend_on_element_order(
        set in prop::collection::vec(any::<u64>(), 1..200),
        seed in any::<u64>(),
    ) {
        let h = MinHasher::new(32, seed);
        let mut reversed = set.clone();
        reversed.reverse();
        let (mut s1, mut s2) = (vec![0; 32], vec![0; 32]);
        h.sign(&set, &mut s1);
        h.sign(&reversed, &mut s2);
        prop_assert_eq!(&s1, &s2);
        prop_assert_eq!(estimate_jaccard(&s1, &s2), 1.0);
    }

    #[test]
    fn clusters_do_not_depend_on_pair_order(
        edges in prop::collection::vec((0u32..30, 0u32..30, 0.5f64..1.0), 0..60),
        rotate in 0usize..60,
    ) {
        let pairs: Vec<SimilarPair> = edges
            .iter()
            .filter(|(a, b, _)| a != b)
            .map(|&(a, b, similarity)| SimilarPair { a: a.min(b), b: a.max(b), similarity })
            .collect();
        let tokens: Vec<usize> = (0..30).map(|i| (i * 7) % 11).collect();
        let expected = group(30, &pairs, &tokens, Linkage::Center);
        let mut moved = pairs.clone();
        if !moved.is_empty() {
            let r = rotate % moved.len();
            moved.rotate_left(r);
        }
        moved.reverse();
        prop_assert_eq!(group(30, &moved, &tokens, Linkage::Center), expected.clone());
        // Every document of a pair belongs to exactly one group: two or more documents, or one
        // whose neighbours all joined other groups.
        let paired: std::collections::HashSet<u32> =
            pairs.iter().flat_map(|p| [p.a, p.b]).collect();
        let mut seen = std::collections::HashSet::new();
        for g in &expected {
            prop_assert!(g.members.len() >= 2 || g.members == [g.representative]);
            prop_assert!(g.members.contains(&g.representative));
            for m in &g.members {
                prop_assert!(seen.insert(*m));
            }
        }
        prop_assert_eq!(seen, paired);
    }
}

/// A document built from a small pool of paragraphs, so that repeats (exact, re-wrapped,
/// truncated) are common. Block documents separate paragraphs of 1-3 lines (at most 3 words
/// each, so no line can count as a repeat on its own) with varied blank lines; line documents
/// have one paragraph of 4-10 words per line.
fn document_strategy() -> impl Strategy<Value = String> {
    let word = "[a-f]{1,2}";
    let pool = prop::collection::vec(prop::collection::vec(word, 4..10), 3..6);
    (
        pool,
        prop::collection::vec((0usize..6, 0usize..4, any::<bool>()), 1..12),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(pool, picks, blocks, crlf)| {
            let eol = if crlf { "\r\n" } else { "\n" };
            let mut text = String::new();
            for (n, &(which, style, cut)) in picks.iter().enumerate() {
                let mut words = pool[which % pool.len()].clone();
                if cut && words.len() > 5 {
                    words.truncate(words.len() - 1);
                }
                if blocks {
                    if n > 0 {
                        text.push_str(eol);
                        text.push_str(["", " ", "\t ", "\u{a0}"][style]);
                        text.push_str(eol);
                    }
                    let lines: Vec<String> = words.chunks(3).map(|c| c.join(" ")).collect();
                    text.push_str(&lines.join(eol));
                } else {
                    text.push_str(&words.join([" ", "  ", " ", ", "][style]));
                    text.push_str(eol);
                }
            }
            text
        })
}

fn cleaner(mode: RepeatsMode) -> TextCleaner {
    TextCleaner::new(mode, std::collections::HashMap::new())
}

proptest! {
    #[test]
    fn kept_and_removed_paragraphs_are_the_original_paragraphs_in_order(
        text in document_strategy(),
        drop_all in any::<bool>(),
    ) {
        let mode = if drop_all { RepeatsMode::DropAll } else { RepeatsMode::KeepFirst };
        let cleaned = cleaner(mode).clean(&text);
        let original = segment(&text);
        let kept: Vec<usize> = (0..original.len()).filter(|&i| cleaned.kept[i]).collect();
        // The cleaned text is the kept paragraphs, byte for byte and in order, with only
        // whitespace between them: whole paragraphs and their separators were removed.
        let mut rest: &str = &cleaned.text;
        for &i in &kept {
            let p = original[i].text(&text);
            let at = rest.find(p);
            prop_assert!(at.is_some(), "kept paragraph {} missing", i);
            let at = at.unwrap();
            prop_assert!(rest[..at].chars().all(char::is_whitespace));
            rest = &rest[at + p.len()..];
        }
        prop_assert!(rest.chars().all(char::is_whitespace));
        // Nothing is removed without a reason, and keep-first keeps one of every group.
        if !drop_all {
            let mut analyzer = Analyzer::new();
            let mut analysis = Analysis::default();
            analyzer.analyze(&text, &mut analysis);
            for g in analyzer.repeats(&text, &analysis) {
                let kept_in_group = g.members.iter().filter(|&&m| cleaned.kept[m as usize]).count();
                prop_assert_eq!(kept_in_group, 1);
            }
        }
    }

    #[test]
    fn clean_is_idempotent(text in document_strategy(), drop_all in any::<bool>()) {
        let mode = if drop_all { RepeatsMode::DropAll } else { RepeatsMode::KeepFirst };
        let once = cleaner(mode).clean(&text);
        let twice = cleaner(mode).clean(&once.text);
        prop_assert!(twice.removed.is_empty(), "second pass removed {:?}", twice.removed);
        prop_assert_eq!(&twice.text, &once.text);
    }

    #[test]
    fn paragraph_tokens_are_the_whole_texts_tokens(
        parts in prop::collection::vec("\\PC{0,30}", 0..8),
        separators in prop::collection::vec(0usize..5, 8),
        k in 1usize..6,
    ) {
        // One tokenization per paragraph must give the shingles of the whole text.
        let mut text = String::new();
        for (i, part) in parts.iter().enumerate() {
            text.push_str(part);
            text.push_str(["\n\n", "\r\n \r\n", "\n", " \u{3000}\n\u{a0}\n", "\n\t\n\n"][separators[i]]);
        }
        let mut analysis = Analysis::default();
        Analyzer::new().analyze(&text, &mut analysis);
        let shingler = Shingler::new(ShingleKind::Words(k));
        let mut from_paragraphs = Vec::new();
        shingler.shingle_token_hashes(&analysis.token_hashes, &mut from_paragraphs);
        prop_assert_eq!(sorted_set(from_paragraphs), shingles(ShingleKind::Words(k), &text));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(12))]

    #[test]
    fn clean_writes_only_inside_its_output_folder(
        files in prop::collection::vec(("[a-c]{1,2}(/[a-c]{1,2}){0,2}", document_strategy()), 1..6),
        drop_duplicates in any::<bool>(),
    ) {
        let tmp = tempfile::tempdir().unwrap();
        let input = tmp.path().join("in");
        for (i, (path, text)) in files.iter().enumerate() {
            let file = input.join(format!("{path}_{i}.txt"));
            std::fs::create_dir_all(file.parent().unwrap()).unwrap();
            std::fs::write(&file, text).unwrap();
        }
        std::fs::write(tmp.path().join("beside.txt"), "not an input").unwrap();
        let before = snapshot(tmp.path());
        let config = CleanConfig {
            scan: ScanConfig::default(),
            out: tmp.path().join("out"),
            repeats: RepeatsMode::KeepFirst,
            strip_boilerplate: true,
            drop_duplicates,
            dry_run: false,
            copy_other_files: true,
            interrupt: Default::default(),
        };
        let outcome = neardup::clean(&[input], &config, &NoProgress).unwrap();
        prop_assert!(outcome.write_failures.is_empty());
        let after = snapshot(tmp.path());
        for (path, bytes) in &after {
            if !path.starts_with("out/") {
                prop_assert_eq!(before.get(path), Some(bytes), "{} changed", path);
            }
        }
        // The copies, the manifest and the marker.
        prop_assert_eq!(before.len() + outcome.manifest.stats.files_written + 2, after.len());
    }
}

/// Every file under `dir`, by relative path with `/` separators.
fn snapshot(dir: &std::path::Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(dir).unwrap();
            let rel: Vec<String> = rel
                .iter()
                .map(|c| c.to_string_lossy().into_owned())
                .collect();
            (rel.join("/"), std::fs::read(e.path()).unwrap())
        })
        .collect()
}

/// File contents of every kind neardup meets: arbitrary bytes, repeat-rich documents in UTF-8,
/// UTF-16 (with a byte-order mark) and a single-byte legacy form, and such documents with a few
/// bytes overwritten at random.
fn file_bytes_strategy() -> impl Strategy<Value = Vec<u8>> {
    let damaged = (
        encoded_document_strategy(),
        prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..4),
    )
        .prop_map(|(mut bytes, edits)| {
            for (at, byte) in edits {
                if !bytes.is_empty() {
                    let i = at.index(bytes.len());
                    bytes[i] = byte;
                }
            }
            bytes
        });
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..600),
        encoded_document_strategy(),
        damaged,
    ]
}

/// A [`document_strategy`] document in UTF-8, UTF-16LE with a byte-order mark, or shifted into
/// Latin-1's accented letters.
fn encoded_document_strategy() -> impl Strategy<Value = Vec<u8>> {
    (document_strategy(), 0usize..3).prop_map(|(text, encoding)| match encoding {
        0 => text.into_bytes(),
        1 => {
            let mut out = vec![0xFF, 0xFE];
            text.encode_utf16()
                .for_each(|u| out.extend_from_slice(&u.to_le_bytes()));
            out
        }
        // Letters a-f shifted into Latin-1's accented range: text that is not UTF-8.
        _ => text
            .bytes()
            .map(|b| if b.is_ascii_lowercase() { b + 0x80 } else { b })
            .collect(),
    })
}

/// Whether `text` is some of `paragraphs` (trimmed), in order, each byte for byte, with only
/// whitespace around them (what cleaning leaves).
fn kept_paragraphs_only(text: &str, paragraphs: &[&str]) -> bool {
    let text = text.trim_start();
    text.is_empty()
        || (0..paragraphs.len()).any(|j| {
            text.strip_prefix(paragraphs[j])
                .is_some_and(|rest| kept_paragraphs_only(rest, &paragraphs[j + 1..]))
        })
}

/// Whether `small` can be obtained from `large` by deleting bytes.
fn is_subsequence(small: &[u8], large: &[u8]) -> bool {
    let mut rest = large.iter();
    small.iter().all(|b| rest.any(|c| c == b))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(40))]

    #[test]
    fn no_input_makes_scan_or_clean_panic_and_clean_only_removes_paragraphs(
        files in prop::collection::vec(file_bytes_strategy(), 1..6),
        jsonl in prop::collection::vec(any::<u8>(), 0..300),
    ) {
        let tmp = tempfile::tempdir().unwrap();
        let input = tmp.path().join("in");
        std::fs::create_dir(&input).unwrap();
        for (i, bytes) in files.iter().enumerate() {
            std::fs::write(input.join(format!("f{i}.txt")), bytes).unwrap();
        }
        std::fs::write(input.join("records.jsonl"), &jsonl).unwrap();
        // min_docs 2: boilerplate is common among these small corpora.
        let scan = ScanConfig { min_docs: 2, ..ScanConfig::default() };
        neardup::scan(std::slice::from_ref(&input), &scan, &NoProgress).unwrap();
        let config = CleanConfig {
            scan,
            out: tmp.path().join("out"),
            repeats: RepeatsMode::KeepFirst,
            strip_boilerplate: true,
            drop_duplicates: false,
            dry_run: false,
            copy_other_files: true,
            interrupt: Default::default(),
        };
        let outcome = neardup::clean(std::slice::from_ref(&input), &config, &NoProgress).unwrap();
        prop_assert!(outcome.write_failures.is_empty());
        for (i, bytes) in files.iter().enumerate() {
            let name = format!("f{i}.txt");
            // Every file is written: binary ones are copied unchanged.
            let out = std::fs::read(tmp.path().join("out").join(&name)).unwrap();
            if out == *bytes {
                continue;
            }
            // Whole paragraphs were deleted, nothing was changed: in the file's own encoding,
            // the kept paragraphs are the original's, in order, byte for byte.
            prop_assert!(is_subsequence(&out, bytes), "{} gained bytes", name);
            let before = neardup::internals::decode::decode(bytes, None);
            prop_assert!(before.is_ok(), "{}: a binary file was changed", name);
            let before = before.unwrap();
            let after = neardup::internals::decode::decode(&out, Some(before.encoding)).unwrap();
            // The pieces of the original: its paragraphs, and what lies between them that is
            // not whitespace (lines the segmentation does not count as paragraphs).
            let text = &before.text;
            let mut pieces: Vec<&str> = Vec::new();
            let mut at = 0;
            for p in segment(text) {
                pieces.push(text[at..p.start].trim());
                pieces.push(p.text(text).trim());
                at = p.end;
            }
            pieces.push(text[at..].trim());
            pieces.retain(|piece| !piece.is_empty());
            prop_assert!(
                kept_paragraphs_only(&after.text, &pieces),
                "{}: {:?} is not made of the original pieces {:?}",
                name,
                after.text,
                pieces
            );
        }
    }
}
