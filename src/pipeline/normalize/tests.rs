//! The tokenizer against its rules: NFKC and lowercase, word characters, unspaced scripts,
//! the ASCII fast paths against the general one, and the token hash.

use super::*;

fn tokens(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    Tokenizer::new().for_each_token(text, |t| out.push(t.to_string()));
    out
}

#[test]
fn ascii_words_are_lowercased_and_split_on_punctuation() {
    assert_eq!(
        tokens("Hello, World! It's 3.14_pi"),
        ["hello", "world", "it", "s", "3", "14_pi"]
    );
}

#[test]
fn rewrapping_crlf_and_quote_styles_do_not_change_tokens() {
    let original = "He said \"the war's weirdest ally\" yesterday.\nNew line here.";
    let variant = "He said \u{201C}the war\u{2019}s weirdest\r\nally\u{201D}   yesterday.\r\n\r\nNew  line here .";
    assert_eq!(tokens(original), tokens(variant));
}

#[test]
fn full_width_forms_and_ligatures_fold_to_ascii() {
    assert_eq!(tokens("ＮＡＴＯ ﬁnal"), ["nato", "final"]);
}

#[test]
fn composed_and_decomposed_accents_are_equal() {
    assert_eq!(
        tokens("Caf\u{E9} na\u{EF}ve"),
        tokens("Cafe\u{301} nai\u{308}ve")
    );
    assert_eq!(tokens("Café"), ["café"]);
}

#[test]
fn no_break_space_and_em_dash_separate_words() {
    assert_eq!(tokens("one\u{A0}two\u{2014}three"), ["one", "two", "three"]);
}

#[test]
fn chinese_text_gives_one_token_per_character() {
    assert_eq!(
        tokens("朝鲜，支持俄罗斯"),
        ["朝", "鲜", "支", "持", "俄", "罗", "斯"]
    );
}

#[test]
fn mixed_scripts_split_at_script_changes() {
    assert_eq!(tokens("普京Putin访问"), ["普", "京", "putin", "访", "问"]);
}

#[test]
fn full_width_latin_inside_chinese_is_folded() {
    assert_eq!(tokens("朝鲜ＫＣＮＡ报道"), ["朝", "鲜", "kcna", "报", "道"]);
}

#[test]
fn thai_combining_vowels_stay_with_their_consonant() {
    // ก + sara i (a combining vowel above) is one token; ข is the next.
    assert_eq!(tokens("กิข"), ["กิ", "ข"]);
}

#[test]
fn a_mark_after_a_separator_joins_the_next_word_even_after_a_solo_character() {
    // Found by the property test that compares per-paragraph and whole-text tokens: the
    // solo state of "ວ" used to survive the separator and split the mark off.
    let tokens = tokens("\u{0EA7}\n\n\u{16AF0}\u{0A05}");
    assert_eq!(tokens, ["\u{0EA7}", "\u{16AF0}\u{0A05}"]);
}

#[test]
fn a_reused_tokenizer_gives_the_same_tokens_as_a_fresh_one() {
    let texts = [
        "Mixed CASE ascii",
        "Café OLÉ",
        "ASCII AGAIN",
        "朝鲜 KCNA",
        "Ünïcode",
    ];
    let mut reused = Tokenizer::new();
    for text in texts {
        let mut got = Vec::new();
        reused.for_each_token(text, |t| got.push(t.to_string()));
        assert_eq!(got, tokens(text), "{text}");
    }
}

#[test]
fn empty_and_punctuation_only_texts_have_no_tokens() {
    assert!(tokens("").is_empty());
    assert!(tokens(" \r\n\t—…!?").is_empty());
}

#[test]
fn normalized_joins_tokens_with_single_spaces() {
    assert_eq!(Tokenizer::new().normalized("  A\r\nB -- c "), "a b c");
}

/// Token hashes and the letter flag the long way: the tokens, then their hashes.
fn reference_hashes(text: &str) -> (Vec<u64>, bool) {
    let (mut hashes, mut letter) = (Vec::new(), false);
    Tokenizer::new().for_each_token(text, |t| {
        letter |= t.chars().any(char::is_alphabetic);
        hashes.push(token_hash(t.as_bytes()));
    });
    (hashes, letter)
}

fn hashes(text: &str) -> (Vec<u64>, bool) {
    let mut hashes = Vec::new();
    let letter = Tokenizer::new().for_each_token_hash(text, |h| hashes.push(h));
    (hashes, letter)
}

#[test]
fn token_hashes_from_masks_equal_hashes_of_the_tokens() {
    let long = "Wordy".repeat(30);
    for text in [
        String::new(),
        "123 456 _".into(),
        "A b C dEf GHIJKLMNOP qrstuvwxYZ 0123456789abcdef 0123456789abcdefg".into(),
        format!("{} tail", "x".repeat(63)),
        format!("{} B16CHARSxxxxxxxx", " ".repeat(62)),
        format!("{long} {long}."),
        "Café OLÉ ＮＡＴＯ ﬁnal 朝鲜KCNA".into(),
        "\u{201C}Quoted\u{201D} WORDS\u{2019}s".into(),
    ] {
        assert_eq!(hashes(&text), reference_hashes(&text), "{text:?}");
    }
    // Case and padding: different tokens, different hashes; same token, same hash.
    let h = |t: &str| token_hash(t.as_bytes());
    assert_eq!(h("word"), reference_hashes("WORD").0[0]);
    assert_ne!(h("a"), h("b"));
    assert_ne!(h("ab"), h("ba"));
    assert_ne!(h("abcdefgh"), h("abcdefghi"));
    assert_ne!(h("abcdefghijklmnop"), h("abcdefghijklmnopq"));
}

#[test]
fn distinct_short_tokens_do_not_collide() {
    // Every token of up to 3 characters over a small alphabet, and 100,000 neighbours that
    // differ in a few bytes across the 8-byte boundary.
    let alphabet = ['a', 'z', '0', '9', '_', 'q'];
    let mut tokens = std::collections::HashSet::new();
    for a in alphabet {
        tokens.insert(a.to_string());
        for b in alphabet {
            tokens.insert(format!("{a}{b}"));
            for c in alphabet {
                tokens.insert(format!("{a}{b}{c}"));
            }
        }
    }
    let hashes: std::collections::HashSet<u64> =
        tokens.iter().map(|t| token_hash(t.as_bytes())).collect();
    assert_eq!(hashes.len(), tokens.len());
    let near: std::collections::HashSet<u64> = (0..100_000u32)
        .map(|i| token_hash(format!("w{i:07}x{}", i % 7).as_bytes()))
        .collect();
    assert_eq!(near.len(), 100_000);
}

proptest::proptest! {
    #[test]
    fn mask_hashes_match_token_hashes(text in "([A-Za-z0-9_]{1,20}[ .,\n-]{1,2}){0,40}") {
        proptest::prop_assert_eq!(hashes(&text), reference_hashes(&text));
    }

    #[test]
    fn mask_hashes_match_on_mixed_text(
        parts in proptest::collection::vec(proptest::sample::select(vec![
            "a", "B", "1", "_", " ", "\n", ".", "é", "É", "ﬁ", "Ａ", "\u{A0}", "朝", "Σ",
            "LongerWordHere", "x\u{301}", "0123456789abcdefXY",
        ]), 0..60)
    ) {
        let text: String = parts.concat();
        proptest::prop_assert_eq!(hashes(&text), reference_hashes(&text));
    }
}

/// The ASCII rule one byte at a time: the tokenizer before the bit-mask version.
fn reference_ascii_tokens(text: &str) -> Vec<String> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect()
}

#[test]
fn ascii_tokens_across_block_edges_match_the_byte_rule() {
    // Tokens ending, starting and running across the 64-byte blocks, and texts of one
    // block, several, and a partial last one.
    let long = "Word".repeat(40);
    for text in [
        "a".repeat(64),
        "a".repeat(65),
        format!("{} B", "x".repeat(63)),
        format!("{}Z{}", " ".repeat(63), " ".repeat(64)),
        format!("{} {}", "y".repeat(64), "Q".repeat(64)),
        format!("{long}.{long} end_"),
        "_".repeat(130),
        String::new(),
        "Hello, World! It's 3.14_pi\r\n\tTAB~`@[{".into(),
    ] {
        let mut got = Vec::new();
        Tokenizer::new().for_each_token(&text, |t| got.push(t.to_string()));
        assert_eq!(got, reference_ascii_tokens(&text), "{text:?}");
    }
}

proptest::proptest! {
    #[test]
    fn ascii_tokens_match_the_byte_rule(text in "[ -~\t\r\n]{0,300}") {
        let mut got = Vec::new();
        Tokenizer::new().for_each_token(&text, |t| got.push(t.to_string()));
        proptest::prop_assert_eq!(got, reference_ascii_tokens(&text));
    }

    #[test]
    fn first_non_ascii_byte_is_found(
        bytes in proptest::collection::vec(
            proptest::prop_oneof![20 => 0u8..0x80, 1 => 0x80u8..=0xFF],
            0..100,
        )
    ) {
        proptest::prop_assert_eq!(
            first_non_ascii(&bytes),
            bytes.iter().position(|b| !b.is_ascii())
        );
    }

    #[test]
    fn word_heavy_ascii_tokens_match_the_byte_rule(text in "[a-zA-Z0-9_ .]{0,400}") {
        let mut got = Vec::new();
        Tokenizer::new().for_each_token(&text, |t| got.push(t.to_string()));
        proptest::prop_assert_eq!(got, reference_ascii_tokens(&text));
    }
}

/// The rule as written: NFKC of the whole text, then the Unicode tokenizer.
fn reference_tokens(text: &str) -> Vec<String> {
    let normalized: String = text.nfkc().collect();
    let mut out = Vec::new();
    tokens_unicode(&normalized, &mut String::new(), &mut |t: &str| {
        out.push(t.to_string())
    });
    out
}

#[test]
fn normalizing_chunk_by_chunk_equals_normalizing_the_whole_text() {
    // Compositions that reach back over ASCII ('<' + U+0338 is U+226E), Hangul jamo, marks
    // after spaces and at chunk edges, full-width forms, ligatures, NBSP, CRLF.
    for text in [
        "a <\u{338} b",
        "x\u{1100}\u{1161}\u{11A8} y",
        "e\u{301} \u{301}e \u{301}",
        "ＡＢＣ\tﬁne\r\nA\u{A0}B",
        "\u{FB01} \u{2126}hm Å",
        "q\u{323}\u{307} done",
    ] {
        let mut got = Vec::new();
        Tokenizer::new().for_each_token(text, |t| got.push(t.to_string()));
        assert_eq!(got, reference_tokens(text), "{text:?}");
    }
}

proptest::proptest! {
    #[test]
    fn chunked_normalization_matches_the_reference(
        parts in proptest::collection::vec(proptest::sample::select(vec![
            "a", "B", "1", "_", " ", "\t", "\n", "\r\n", ".", "<", "=", "\u{338}", "\u{301}",
            "\u{308}", "\u{323}", "é", "É", "\u{1100}", "\u{1161}", "\u{11A8}", "ﬁ", "Ａ",
            "\u{A0}", "\u{3000}", "朝", "\u{E34}", "ก", "Σ", "ß", "\u{130}", "\u{2126}", "…",
            "ｅ", "＜", "ﬀ", "ﬅ", "\u{2002}", "．", "＿", "’",
        ]), 0..40)
    ) {
        let text: String = parts.concat();
        let mut got = Vec::new();
        Tokenizer::new().for_each_token(&text, |t| got.push(t.to_string()));
        proptest::prop_assert_eq!(got, reference_tokens(&text));
    }
}

#[test]
fn ascii_compatibility_forms_are_the_nfkc_of_their_characters() {
    let mut mapped = 0;
    for c in (0..=0x10FFFF).filter_map(char::from_u32) {
        if let Some(form) = ascii_compatibility_form(c) {
            assert_eq!(form, c.to_string().nfkc().collect::<String>(), "{c:?}");
            assert_eq!(form, c.to_string().nfkd().collect::<String>(), "{c:?}");
            mapped += 1;
        }
    }
    assert_eq!(mapped, 1 + 11 + 1 + 1 + 7 + 94);
    // A mark after a mapped letter composes with it: the general algorithm decides.
    let mut out = String::new();
    assert!(!ascii_compatibility_forms("ｅ\u{301}", &mut out));
    assert!(ascii_compatibility_forms("ﬁne\u{A0}ｅ’", &mut out));
    assert_eq!(out, "fine e’");
}

#[test]
fn non_ascii_lowercasing_matches_unicode() {
    assert_eq!(tokens("ÉCOLE ΣΟΦΙΑ"), ["école", "σοφια"]);
}
