//! Text normalization: turns raw text into the stream of normalized tokens that every later
//! stage (shingles, paragraphs) works on.
//!
//! The rule, applied in this order:
//! 1. Unicode NFKC, so full-width forms, ligatures, no-break spaces and composed/decomposed
//!    accents compare equal;
//! 2. lowercase (Unicode lowercase mapping of every character);
//! 3. a *token* is a maximal run of word characters (alphabetic, numeric, combining marks and
//!    `_`, the Unicode `\w` class); everything else (whitespace, line ends, punctuation, curly or
//!    straight quotes, dashes) only separates tokens, so re-wrapping, CRLF and quote styles do not
//!    change the tokens;
//! 4. scripts written without spaces between words (Han, Hiragana, Katakana, Thai, Lao, Khmer,
//!    Myanmar) give one token per character, so that word k-grams over them are character
//!    k-grams and a Chinese article still has many shingles instead of one giant "word".
//!
//! This is the same token stream as the benchmark's reference normalization (`\w+` over
//! NFKC-lowercased text) for text in spaced scripts, which is what its ground truth is defined
//! with. UAX #29 word segmentation would instead keep `don't` or `3.14` as one word.
//!
//! The tokenizer is the hottest code in a scan, so it allocates nothing per token: ASCII text (the
//! common case) skips NFKC altogether (ASCII is already in NFKC) and is cut into tokens from bit
//! masks of 64 bytes at a time; NFKC runs only on the whitespace-delimited chunks that hold a
//! non-ASCII character (it never reorders or composes across ASCII whitespace), and not even
//! there when the chunk's only characters outside NFKC have a plain ASCII compatibility form (a
//! no-break space, a full-width letter, a ligature), which are replaced directly; tokens are handed
//! to a callback as borrowed slices of one reused buffer, or, for [`token_hash`], hashed straight
//! from the text.

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfkc_quick};

/// Reusable tokenizer; keeps its buffers between documents so that steady-state tokenizing does
/// not allocate.
#[derive(Debug, Default)]
pub struct Tokenizer {
    /// NFKC form of a non-ASCII text that was not already normalized.
    nfkc: String,
    /// The token being built, lowercased.
    token: String,
}

impl Tokenizer {
    /// A tokenizer with empty buffers.
    pub fn new() -> Self {
        Self::default()
    }

    /// Calls `emit` with every normalized token of `text`, in order.
    pub fn for_each_token(&mut self, text: &str, mut emit: impl FnMut(&str)) {
        self.token.clear();
        for_each_piece(text, |piece| match piece {
            Piece::Ascii(span) => tokens_ascii(span, &mut self.token, &mut emit),
            Piece::Unicode(chunk) => self.unicode_chunk(chunk, &mut emit),
        });
    }

    /// Calls `emit` with the `token_hash` of every normalized token of `text`, in order: the
    /// hashes of the tokens [`Tokenizer::for_each_token`] gives, computed without building
    /// lowercase copies. Returns whether some token has a letter.
    pub fn for_each_token_hash(&mut self, text: &str, mut emit: impl FnMut(u64)) -> bool {
        let mut has_letter = false;
        for_each_piece(text, |piece| match piece {
            Piece::Ascii(span) => {
                hash_tokens_ascii(span, &mut self.token, &mut emit);
                has_letter = has_letter || span.bytes().any(|b| b.is_ascii_alphabetic());
            }
            Piece::Unicode(chunk) => self.unicode_chunk(chunk, &mut |token: &str| {
                has_letter = has_letter || token.chars().any(char::is_alphabetic);
                emit(token_hash(token.as_bytes()));
            }),
        });
        has_letter
    }

    /// Tokens of one whitespace-delimited chunk holding a non-ASCII character: NFKC (when the
    /// chunk is not already in NFKC), then the Unicode tokenizer.
    fn unicode_chunk(&mut self, chunk: &str, emit: &mut impl FnMut(&str)) {
        self.token.clear();
        let normalized: &str = if is_nfkc_quick(chunk.chars()) == IsNormalized::Yes {
            chunk
        } else if ascii_compatibility_forms(chunk, &mut self.nfkc) {
            &self.nfkc
        } else {
            self.nfkc.clear();
            self.nfkc.extend(chunk.nfkc());
            &self.nfkc
        };
        tokens_unicode(normalized, &mut self.token, emit);
    }

    /// The normalized tokens of `text` joined by single spaces: the canonical form two texts are
    /// compared in. Allocates; meant for tests, previews and tools, not the hot path.
    pub fn normalized(&mut self, text: &str) -> String {
        let mut out = String::new();
        self.for_each_token(text, |token| {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(token);
        });
        out
    }
}

/// The compatibility decomposition of `c` when it is plain ASCII and `c` is a common character
/// that NFKC changes: no-break and typographic spaces, full-width ASCII forms, Latin ligatures,
/// the ellipsis.
fn ascii_compatibility_form(c: char) -> Option<&'static str> {
    /// `!` to `~`, the targets of U+FF01..=U+FF5E.
    const PRINTABLE: &str = "!\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ\
                             [\\]^_`abcdefghijklmnopqrstuvwxyz{|}~";
    let code = c as usize;
    Some(match c {
        '\u{A0}' | '\u{2000}'..='\u{200A}' | '\u{3000}' => " ",
        '\u{2026}' => "...",
        '\u{FB00}' => "ff",
        '\u{FB01}' => "fi",
        '\u{FB02}' => "fl",
        '\u{FB03}' => "ffi",
        '\u{FB04}' => "ffl",
        '\u{FB05}' | '\u{FB06}' => "st",
        '\u{FF01}'..='\u{FF5E}' => &PRINTABLE[code - 0xFF01..code - 0xFF00],
        _ => return None,
    })
}

/// NFKC of a chunk whose characters outside NFKC all have an ASCII compatibility decomposition
/// ([`ascii_compatibility_form`]), into `out`, without the general algorithm; false when the
/// chunk has other characters outside NFKC (then `out` is meaningless).
///
/// Replacing those characters by their decompositions leaves the full compatibility
/// decomposition of the chunk as it was, so the result has the chunk's NFKC; when the quick
/// check finds the result already in NFKC, it is that NFKC.
fn ascii_compatibility_forms(chunk: &str, out: &mut String) -> bool {
    out.clear();
    for c in chunk.chars() {
        match ascii_compatibility_form(c) {
            Some(form) => out.push_str(form),
            None => out.push(c),
        }
    }
    is_nfkc_quick(out.chars()) == IsNormalized::Yes
}

/// A piece of text for the tokenizer.
enum Piece<'a> {
    /// ASCII text, cut at ASCII whitespace (or at the text's ends).
    Ascii(&'a str),
    /// A whitespace-delimited chunk that holds a non-ASCII character.
    Unicode(&'a str),
}

/// Cuts `text` into pieces, in order. NFKC neither reorders nor composes across ASCII
/// whitespace: it is a starter that no character composes with, on either side. So only the
/// whitespace-delimited chunks that hold a non-ASCII character need NFKC and the Unicode path;
/// the ASCII text around them takes the bit-mask one.
fn for_each_piece<'a>(text: &'a str, mut visit: impl FnMut(Piece<'a>)) {
    let bytes = text.as_bytes();
    let mut pos = 0;
    while let Some(offset) = first_non_ascii(&bytes[pos..]) {
        let non_ascii = pos + offset;
        let chunk_start = bytes[pos..non_ascii]
            .iter()
            .rposition(u8::is_ascii_whitespace)
            .map_or(pos, |i| pos + i + 1);
        let chunk_end = bytes[non_ascii..]
            .iter()
            .position(u8::is_ascii_whitespace)
            .map_or(bytes.len(), |i| non_ascii + i);
        // Both ends sit next to an ASCII byte, so they are character boundaries.
        visit(Piece::Ascii(&text[pos..chunk_start]));
        visit(Piece::Unicode(&text[chunk_start..chunk_end]));
        pos = chunk_end;
    }
    visit(Piece::Ascii(&text[pos..]));
}

/// Position of the first byte of `bytes` that is not ASCII, sixteen bytes at a time.
fn first_non_ascii(bytes: &[u8]) -> Option<usize> {
    let mut chunks = bytes.chunks_exact(16);
    let mut offset = 0;
    for chunk in &mut chunks {
        let (a, b) = chunk.split_at(8);
        let word = |w: &[u8]| u64::from_le_bytes(w.try_into().expect("8 bytes"));
        if (word(a) | word(b)) & HIGH != 0 {
            break;
        }
        offset += 16;
    }
    bytes[offset..]
        .iter()
        .position(|b| !b.is_ascii())
        .map(|i| offset + i)
}

/// SWAR (eight bytes in one u64) on ASCII bytes: each is below 0x80, so per-byte arithmetic on
/// the 0x80 bits never borrows from a neighbour.
const HIGH: u64 = 0x8080_8080_8080_8080;

/// `b` in every byte.
const fn splat(b: u8) -> u64 {
    b as u64 * 0x0101_0101_0101_0101
}

/// 0x80 in every byte of `x` that lies in `lo..=hi`.
#[inline]
fn bytes_within(x: u64, lo: u8, hi: u8) -> u64 {
    let at_least = |bound: u8| ((x | HIGH) - splat(bound)) & HIGH;
    at_least(lo) & !at_least(hi + 1)
}

/// 0x80 in every byte of the eight ASCII bytes `x` that is part of a word (alphanumeric or `_`).
#[inline]
fn word_bytes(x: u64) -> u64 {
    // 0x80 in every byte of `x` equal to `b`.
    let equal = |x: u64, b: u8| {
        let v = x ^ splat(b);
        !(((v & !HIGH) + !HIGH) | v) & HIGH
    };
    // Setting bit 5 maps `A..=Z` onto `a..=z` and no other ASCII byte into that range.
    bytes_within(x | splat(0x20), b'a', b'z') | bytes_within(x, b'0', b'9') | equal(x, b'_')
}

/// The 0x80 bits of eight bytes, packed into the low eight bits.
#[inline]
fn gather_high_bits(m: u64) -> u64 {
    (m >> 7).wrapping_mul(0x0102_0408_1020_4080) >> 56
}

/// Word mask of 64 ASCII bytes, eight at a time: bit `i` is set when byte `i` is part of a word
/// (alphanumeric or `_`).
#[inline]
fn ascii_word_mask(block: &[u8; 64]) -> u64 {
    let mut word = 0u64;
    for (k, chunk) in block.chunks_exact(8).enumerate() {
        let x = u64::from_le_bytes(chunk.try_into().expect("chunks of 8"));
        word |= gather_high_bits(word_bytes(x)) << (8 * k);
    }
    word
}

/// [`ascii_word_mask`] and the uppercase mask of 64 ASCII bytes: bit `i` of the second is set
/// when byte `i` is an uppercase letter.
#[inline]
fn ascii_word_masks(block: &[u8; 64]) -> (u64, u64) {
    let (mut word, mut upper) = (0u64, 0u64);
    for (k, chunk) in block.chunks_exact(8).enumerate() {
        let x = u64::from_le_bytes(chunk.try_into().expect("chunks of 8"));
        word |= gather_high_bits(word_bytes(x)) << (8 * k);
        upper |= gather_high_bits(bytes_within(x, b'A', b'Z')) << (8 * k);
    }
    (word, upper)
}

/// Tokens of ASCII text: 64 bytes at a time, word boundaries from bit masks, so the loop runs
/// once per token instead of once per byte.
fn tokens_ascii(text: &str, token: &mut String, emit: &mut impl FnMut(&str)) {
    // The text is ASCII, so every index is a character boundary.
    let mut emit_word = |start: usize, end: usize, upper: bool| {
        let word = &text[start..end];
        if upper {
            token.clear();
            token.push_str(word);
            token.make_ascii_lowercase();
            emit(token);
        } else {
            emit(word);
        }
    };
    let bytes = text.as_bytes();
    // A token that runs to the end of a block: where it started and whether it has capitals.
    let mut open: Option<(usize, bool)> = None;
    for (n, chunk) in bytes.chunks(64).enumerate() {
        let base = n * 64;
        let (word, upper) = match chunk.try_into() {
            Ok(block) => ascii_word_masks(block),
            Err(_) => {
                let mut block = [b' '; 64];
                block[..chunk.len()].copy_from_slice(chunk);
                ascii_word_masks(&block)
            }
        };
        // Bit 0 counts as a start here; it is not one when it continues an open token.
        let mut starts = word & !(word << 1);
        if let Some((start, capitals)) = open {
            let run = word.trailing_ones();
            if run == 64 {
                open = Some((start, capitals || upper != 0));
                continue;
            }
            let capitals = capitals || upper & ((1u64 << run) - 1) != 0;
            emit_word(start, base + run as usize, capitals);
            open = None;
            starts &= !1;
        }
        while starts != 0 {
            let s = starts.trailing_zeros();
            starts &= starts - 1;
            let run = (word >> s).trailing_ones();
            let in_run = if s + run >= 64 {
                u64::MAX << s
            } else {
                ((1u64 << run) - 1) << s
            };
            let capitals = upper & in_run != 0;
            if s + run >= 64 {
                open = Some((base + s as usize, capitals));
                break;
            }
            emit_word(base + s as usize, base + (s + run) as usize, capitals);
        }
    }
    if let Some((start, capitals)) = open {
        emit_word(start, bytes.len(), capitals);
    }
}

/// Hash of one normalized token, given as its UTF-8 bytes: the word unit of shingles and
/// paragraph keys. Tokens of up to 16 bytes (nearly all words) are read as two zero-padded
/// little-endian words and mixed with two 128-bit multiplies, which the ASCII tokenizer does
/// straight from the text without copying or branching on the length; longer ones use xxh3.
pub fn token_hash(token: &[u8]) -> u64 {
    if token.len() > 16 {
        return xxhash_rust::xxh3::xxh3_64(token);
    }
    let mut padded = [0u8; 16];
    padded[..token.len()].copy_from_slice(token);
    let word = |i: usize| u64::from_le_bytes(padded[i..i + 8].try_into().expect("8 bytes"));
    short_token_hash(word(0), word(8), token.len())
}

/// [`token_hash`] of a token of `len` <= 16 bytes held in `lo` and `hi` (little-endian, zero
/// past the end).
#[inline]
fn short_token_hash(lo: u64, hi: u64, len: usize) -> u64 {
    // The folded multiply of wyhash. A token has no NUL byte, so its words are nonzero bytes
    // then zeros, and no word equals these salts (a zero byte between nonzero ones): neither
    // factor is ever zero.
    let fold = |a: u64, b: u64| {
        let m = u128::from(a) * u128::from(b);
        (m as u64) ^ ((m >> 64) as u64)
    };
    let mixed = fold(lo ^ 0xA076_1D64_78BD_002F, hi ^ 0xE703_7ED1_A0B4_00DB);
    fold(
        mixed ^ len as u64 ^ 0x8EBC_6AF0_9C88_C6E3,
        0x5899_65CC_7537_4CC3,
    )
}

/// For a token of `n` <= 16 bytes loaded as two little-endian words: the masks that keep its
/// bytes and clear the rest.
const TOKEN_BYTES: [[u64; 2]; 17] = {
    /// The mask keeping the first `bytes` bytes of a word.
    const fn keep(bytes: usize) -> u64 {
        match bytes {
            0 => 0,
            8.. => u64::MAX,
            _ => u64::MAX >> (64 - 8 * bytes),
        }
    }
    let mut masks = [[0u64; 2]; 17];
    let mut n = 1;
    while n <= 16 {
        masks[n] = [keep(n), keep(n.saturating_sub(8))];
        n += 1;
    }
    masks
};

/// [`token_hash`] of every token of ASCII text, from the bit masks of [`ascii_word_mask`]: a
/// token inside one 64-byte block and of at most 16 bytes is loaded from the block, lowercased
/// and hashed without a copy; others (rare) go through `token`.
fn hash_tokens_ascii(text: &str, token: &mut String, emit: &mut impl FnMut(u64)) {
    // 0x20 in every byte of `x` that is an uppercase ASCII letter.
    let capitals = |x: u64| bytes_within(x, b'A', b'Z') >> 2;
    let bytes = text.as_bytes();
    let mut slow = |start: usize, end: usize| {
        token.clear();
        token.push_str(&text[start..end]);
        token.make_ascii_lowercase();
        token_hash(token.as_bytes())
    };
    // A token running past the end of a block starts here.
    let mut open: Option<usize> = None;
    // A 64-byte block and 16 bytes more, so that a 16-byte load at any position stays inside
    // (bytes past the block are masked off): the text itself where it is long enough, else a
    // copy padded with spaces, then zeros.
    let mut padded = [0u8; 64 + 16];
    for base in (0..bytes.len()).step_by(64) {
        let block: &[u8; 80] = match bytes.get(base..base + 80) {
            Some(window) => window.try_into().expect("80 bytes"),
            None => {
                let rest = &bytes[base..];
                let len = rest.len().min(64);
                padded[..len].copy_from_slice(&rest[..len]);
                padded[len..64].fill(b' ');
                padded[64..].fill(0);
                &padded
            }
        };
        let word = ascii_word_mask(block[..64].try_into().expect("64 bytes"));
        let mut starts = word & !(word << 1);
        if let Some(start) = open {
            let run = word.trailing_ones();
            if run == 64 {
                continue;
            }
            emit(slow(start, base + run as usize));
            open = None;
            starts &= !1;
        }
        while starts != 0 {
            let s = starts.trailing_zeros() as usize;
            starts &= starts - 1;
            let run = (word >> s).trailing_ones() as usize;
            if s + run >= 64 {
                open = Some(base + s);
                break;
            }
            if run > 16 {
                emit(slow(base + s, base + s + run));
                continue;
            }
            let load = |i: usize| u64::from_le_bytes(block[i..i + 8].try_into().expect("8 bytes"));
            let [lo_mask, hi_mask] = TOKEN_BYTES[run];
            let (lo, hi) = (load(s) & lo_mask, load(s + 8) & hi_mask);
            emit(short_token_hash(lo | capitals(lo), hi | capitals(hi), run));
        }
    }
    if let Some(start) = open {
        emit(slow(start, bytes.len()));
    }
}

/// What a character contributes to tokens.
#[derive(Clone, Copy, PartialEq, Eq)]
enum CharClass {
    /// Separates tokens.
    Separator,
    /// Part of a space-delimited word.
    Word,
    /// A character of a script written without spaces: a token of its own.
    Solo,
    /// A combining mark: extends whatever token precedes it.
    Mark,
}

fn classify(c: char) -> CharClass {
    if c.is_ascii() {
        return if c.is_ascii_alphanumeric() || c == '_' {
            CharClass::Word
        } else {
            CharClass::Separator
        };
    }
    if is_unspaced_script(c) {
        if is_combining_mark(c) {
            return CharClass::Mark;
        }
        return CharClass::Solo;
    }
    if c.is_alphanumeric() {
        CharClass::Word
    } else if is_combining_mark(c) {
        CharClass::Mark
    } else {
        CharClass::Separator
    }
}

/// Scripts written without spaces between words, where each character becomes a token.
pub fn is_unspaced_script(c: char) -> bool {
    matches!(c as u32,
        0x0E00..=0x0EFF     // Thai, Lao
        | 0x1000..=0x109F   // Myanmar
        | 0x1780..=0x17FF   // Khmer
        | 0x19E0..=0x19FF   // Khmer symbols
        | 0x2E80..=0x2FDF   // CJK radicals, Kangxi radicals
        | 0x3005..=0x3007   // ideographic iteration mark, closing mark, number zero
        | 0x3040..=0x30FF   // Hiragana, Katakana
        | 0x31F0..=0x31FF   // Katakana phonetic extensions
        | 0x3400..=0x4DBF   // CJK extension A
        | 0x4E00..=0x9FFF   // CJK unified ideographs
        | 0xF900..=0xFAFF   // CJK compatibility ideographs
        | 0xFF66..=0xFF9F   // half-width Katakana (NFKC maps most of them away)
        | 0x20000..=0x3FFFF // CJK extensions B and later
    ) && c.is_alphanumeric()
        || matches!(c as u32, 0x0E31 | 0x0E34..=0x0E3A | 0x0E47..=0x0E4E)
}

fn tokens_unicode(text: &str, token: &mut String, emit: &mut impl FnMut(&str)) {
    // `Solo` tokens are flushed as soon as the next non-mark character arrives.
    let mut current_is_solo = false;
    for c in text.chars() {
        match classify(c) {
            CharClass::Separator => {
                flush(token, emit);
                // The next token starts fresh: a mark after the separator must not flush it
                // as if it followed a solo character.
                current_is_solo = false;
            }
            CharClass::Word => {
                if current_is_solo {
                    flush(token, emit);
                    current_is_solo = false;
                }
                push_lower(token, c);
            }
            CharClass::Solo => {
                flush(token, emit);
                current_is_solo = true;
                push_lower(token, c);
            }
            CharClass::Mark => {
                // A mark with nothing before it (after a separator) still belongs to a word.
                token.push(c);
            }
        }
    }
    flush(token, emit);
}

#[inline]
fn push_lower(token: &mut String, c: char) {
    if c.is_ascii() {
        token.push(c.to_ascii_lowercase());
    } else if c.is_lowercase() || !c.is_alphabetic() {
        token.push(c);
    } else {
        token.extend(c.to_lowercase());
    }
}

#[inline]
fn flush(token: &mut String, emit: &mut impl FnMut(&str)) {
    if !token.is_empty() {
        emit(token);
        token.clear();
    }
}

#[cfg(test)]
mod tests;
