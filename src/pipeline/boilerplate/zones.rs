//! A document's boilerplate zones: the runs of candidates and short paragraphs that open and
//! close it, what each paragraph there is bound to, and which paragraphs of a zone go (the rules
//! are in the parent module's header: a zone goes whole or not at all).

use super::ZONE_PARAGRAPHS;
use crate::pipeline::paragraph::READER_WORDS_CAP;
use crate::pipeline::paragraph::prose;
use crate::pipeline::paragraph::rules::{self, reader_words};

/// Words under which a paragraph of its own that starts lowercase carries on the sentence
/// before it.
const CONTINUATION_WORDS: usize = 8;

/// A paragraph as the zone rule sees it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LayoutEntry {
    /// Its exact-match key.
    pub key: u64,
    /// Whether it may be boilerplate (it has a letter).
    pub eligible: bool,
    /// Whether it has fewer than `min_words` words.
    pub short: bool,
    /// Whether it introduces what follows it: a heading or an entry's header
    /// ([`rules::starts_section`]), or a lead-in ending in a colon.
    pub opens: bool,
    /// Whether it may carry on the sentence before it: it starts with a lowercase letter.
    pub continues: bool,
    /// Whether it leaves its sentence unfinished (no full stop, question or exclamation mark).
    pub unfinished: bool,
    /// Whether it belongs to the paragraph above it whatever that is (an entry's trailer).
    pub trails: bool,
}

impl LayoutEntry {
    /// A paragraph that neither opens nor continues anything.
    pub fn new(key: u64, eligible: bool, short: bool) -> Self {
        LayoutEntry {
            key,
            eligible,
            short,
            ..Self::default()
        }
    }
}

/// The paragraphs at both ends of a document, where its boilerplate zones can be: the first and
/// the last [`ZONE_PARAGRAPHS`] (all of them, once, when the document has no more). Compact, as
/// one is kept per document until the boilerplate is found: each paragraph is its key (0 when it
/// may not be boilerplate), and bit masks say which are short, which open what follows and which
/// continue what precedes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Zones {
    /// Number of paragraphs of the document.
    paragraphs: u32,
    /// Keys of its first paragraphs (all of them when there are at most [`ZONE_PARAGRAPHS`]).
    head: Box<[u64]>,
    /// Keys of its last paragraphs (empty when `head` holds them all).
    tail: Box<[u64]>,
    /// Bit `i` of each mask: paragraph `i` of `head` is short, opens what follows, may continue
    /// what precedes, is unfinished, trails what precedes ([`LayoutEntry`]).
    head_bits: Bits,
    /// The same for `tail`.
    tail_bits: Bits,
}

/// Short, opens, continues, unfinished, trails: one bit per paragraph of one end.
type Bits = [u32; 5];

const _: () = assert!(ZONE_PARAGRAPHS <= 32, "the bit masks have 32 bits");

/// One paragraph of a document's end, as [`Zones::removable`] walks it.
#[derive(Debug, Clone, Copy)]
struct End {
    /// Index in the document.
    index: usize,
    key: u64,
    short: bool,
    opens: bool,
    continues: bool,
    unfinished: bool,
    trails: bool,
}

impl Zones {
    /// The ends of a document with this layout, or `None` when no paragraph there may be
    /// boilerplate.
    pub fn of(layout: &[LayoutEntry]) -> Option<Zones> {
        let (head, tail) = if layout.len() <= ZONE_PARAGRAPHS {
            (layout, &layout[..0])
        } else {
            (
                &layout[..ZONE_PARAGRAPHS],
                &layout[layout.len() - ZONE_PARAGRAPHS..],
            )
        };
        let eligible = |e: &LayoutEntry| e.eligible;
        if !(head.iter().any(eligible) || tail.iter().any(eligible)) {
            return None;
        }
        let keys = |part: &[LayoutEntry]| -> Box<[u64]> {
            part.iter()
                .map(|e| if e.eligible { e.key } else { 0 })
                .collect()
        };
        let bits = |part: &[LayoutEntry]| {
            let mask = |f: fn(&LayoutEntry) -> bool| {
                part.iter()
                    .enumerate()
                    .fold(0u32, |mask, (i, e)| mask | (u32::from(f(e)) << i))
            };
            [
                mask(|e| e.short),
                mask(|e| e.opens),
                mask(|e| e.continues),
                mask(|e| e.unfinished),
                mask(|e| e.trails),
            ]
        };
        Some(Zones {
            paragraphs: layout.len() as u32,
            head: keys(head),
            tail: keys(tail),
            head_bits: bits(head),
            tail_bits: bits(tail),
        })
    }

    /// Appends the zones to `out` in their spilled form: the paragraph count (u32), the head's
    /// and the tail's lengths (u8 each), the head's five bit masks and the tail's (u32 each),
    /// then the keys (u64 each), little-endian.
    pub fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.paragraphs.to_le_bytes());
        out.push(self.head.len() as u8);
        out.push(self.tail.len() as u8);
        for mask in self.head_bits.iter().chain(&self.tail_bits) {
            out.extend_from_slice(&mask.to_le_bytes());
        }
        for key in self.head.iter().chain(self.tail.iter()) {
            out.extend_from_slice(&key.to_le_bytes());
        }
    }

    /// Bytes of the fixed part of the encoding, before the keys.
    pub const ENCODED_HEADER: usize = 46;

    /// Length of the whole encoding whose fixed part is `header`.
    pub fn encoded_len(header: &[u8; Self::ENCODED_HEADER]) -> usize {
        Self::ENCODED_HEADER + 8 * (usize::from(header[4]) + usize::from(header[5]))
    }

    /// Reads zones [`Zones::encode`] wrote at the start of `bytes`, and the bytes they took
    /// (`None` when `bytes` is too short).
    pub fn decode(bytes: &[u8]) -> Option<(Zones, usize)> {
        let u32_at = |at: usize| -> Option<u32> {
            Some(u32::from_le_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
        };
        let header: &[u8; Self::ENCODED_HEADER] =
            bytes.get(..Self::ENCODED_HEADER)?.try_into().ok()?;
        let paragraphs = u32_at(0)?;
        let head_len = usize::from(header[4]);
        let mut masks = [0u32; 10];
        for (i, mask) in masks.iter_mut().enumerate() {
            *mask = u32_at(6 + 4 * i)?;
        }
        let head_bits: Bits = masks[..5].try_into().expect("five masks");
        let tail_bits: Bits = masks[5..].try_into().expect("five masks");
        let end = Self::encoded_len(header);
        let mut keys = bytes
            .get(Self::ENCODED_HEADER..end)?
            .chunks_exact(8)
            .map(|b| u64::from_le_bytes(b.try_into().expect("8 bytes")));
        let head = keys.by_ref().take(head_len).collect();
        let tail = keys.collect();
        let zones = Zones {
            paragraphs,
            head,
            tail,
            head_bits,
            tail_bits,
        };
        Some((zones, end))
    }

    /// Bytes the zones hold in memory.
    pub fn held_bytes(&self) -> usize {
        std::mem::size_of::<Zones>() + 8 * (self.head.len() + self.tail.len())
    }

    /// The candidates in a boilerplate zone, given which keys are candidates: `(key, paragraph
    /// index)` of each, in document order, each once. [`Zones::removable`] with every candidate
    /// removable: what the scan counts.
    pub fn counted(&self, is_candidate: impl Fn(u64) -> bool) -> Vec<(u64, u32)> {
        self.removable(&is_candidate, &is_candidate)
    }

    /// The paragraphs that go from the document's boilerplate zones: `(key, paragraph index)`,
    /// in document order, each once.
    ///
    /// A zone is the run of paragraphs from one end of the document inwards that are all
    /// candidates (`is_candidate`) or short, with a candidate of `min_words` or more among them;
    /// a closing zone ends the document on a candidate or a title line (past paragraphs
    /// without a letter): a short line of the text's own after shared paragraphs ends the text.
    /// It goes whole or not at all:
    /// - a run that reaches [`ZONE_PARAGRAPHS`] paragraphs is no zone (a block longer than that
    ///   is the document's own text), and neither is a document in which every paragraph would
    ///   go;
    /// - of a zone, the paragraphs `removable` says go, except those bound to a paragraph that
    ///   stays: a heading or lead-in that opens it or is opened by it, a paragraph that carries
    ///   on its unfinished sentence (starts lowercase), an entry's trailer; so no block is cut
    ///   inside a statement and no heading loses its text.
    pub fn removable(
        &self,
        is_candidate: &dyn Fn(u64) -> bool,
        removable: &dyn Fn(u64) -> bool,
    ) -> Vec<(u64, u32)> {
        let candidate = |e: &End| e.key != 0 && is_candidate(e.key);
        let end = |keys: &[u64], bits: Bits, first: usize| -> Vec<End> {
            (0..keys.len())
                .map(|i| End {
                    index: first + i,
                    key: keys[i],
                    short: bits[0] >> i & 1 == 1,
                    opens: bits[1] >> i & 1 == 1,
                    continues: bits[2] >> i & 1 == 1,
                    unfinished: bits[3] >> i & 1 == 1,
                    trails: bits[4] >> i & 1 == 1,
                })
                .collect()
        };
        let head = end(&self.head, self.head_bits, 0);
        let tail = if self.tail.is_empty() {
            head.clone()
        } else {
            let first = self.paragraphs as usize - self.tail.len();
            end(&self.tail, self.tail_bits, first)
        };
        let in_zone = |e: &End| e.short || candidate(e);
        let mut out = Vec::new();
        // The opening zone and the paragraph after it; the closing zone and the one before it.
        let opening = head.iter().take_while(|e| in_zone(e)).count();
        if opening < head.len() {
            zone_removals(
                &head[..=opening],
                Some(opening),
                &candidate,
                removable,
                &mut out,
            );
        } else if self.tail.is_empty() {
            // A short document that is one zone from end to end.
            zone_removals(&head, None, &candidate, removable, &mut out);
        }
        let closing = tail.iter().rev().take_while(|e| in_zone(e)).count();
        // A page closes on its chrome, or on a title line that opens nothing (a manual's
        // `LS(1)`); when its last paragraph with a letter is a line of its own text (a short
        // description after a shared notice), the text runs to the end.
        let closes_on_chrome = tail
            .iter()
            .rev()
            .find(|e| e.key != 0)
            .is_some_and(|e| e.opens || candidate(e));
        if closing < tail.len() && closes_on_chrome {
            let start = tail.len() - closing - 1;
            zone_removals(&tail[start..], Some(0), &candidate, removable, &mut out);
        }
        out.sort_unstable_by_key(|&(_, i)| i);
        out.dedup();
        out
    }
}

/// The removals of one zone: `window` is the zone with the paragraph that bounds it inside the
/// document, at `window[bound]`, or a whole short document (`bound` is `None`), which keeps
/// everything unless some paragraph of it stays.
fn zone_removals(
    window: &[End],
    bound: Option<usize>,
    candidate: &dyn Fn(&End) -> bool,
    removable: &dyn Fn(u64) -> bool,
    out: &mut Vec<(u64, u32)>,
) {
    if !window
        .iter()
        .enumerate()
        .any(|(i, e)| Some(i) != bound && !e.short && candidate(e))
    {
        return;
    }
    let mut stays: Vec<bool> = window
        .iter()
        .enumerate()
        .map(|(i, e)| Some(i) == bound || !(candidate(e) && removable(e.key)))
        .collect();
    if !stays.contains(&true) {
        return;
    }
    // A paragraph bound to one that stays stays too, until nothing changes.
    let mut changed = true;
    while changed {
        changed = false;
        for i in 1..window.len() {
            let (before, after) = (&window[i - 1], &window[i]);
            let bound_together =
                before.opens || after.trails || (after.continues && before.unfinished);
            if bound_together && stays[i - 1] != stays[i] {
                stays[i - 1] = true;
                stays[i] = true;
                changed = true;
            }
        }
    }
    out.extend(
        window
            .iter()
            .zip(&stays)
            .filter(|(_, stays)| !**stays)
            .map(|(e, _)| (e.key, e.index as u32)),
    );
}

/// Each paragraph's key, whether it may be boilerplate (it has a letter and, near the ends,
/// does not read as code), whether it is shorter
/// than `min_words` words, and, near the document's ends, whether it opens what follows or
/// continues what precedes: what [`Zones`] work from.
pub fn paragraph_layout(
    text: &str,
    analysis: &crate::pipeline::paragraph::Analysis,
    min_words: usize,
) -> Vec<LayoutEntry> {
    let n = analysis.paragraphs.len();
    // In a text with a paragraph per line, any line may carry on the sentence of the line
    // before; between blank lines, only a short phrase does ("at your option.").
    let line_mode = crate::pipeline::paragraph::one_per_line(&analysis.paragraphs);
    analysis
        .fingerprints
        .iter()
        .zip(&analysis.paragraphs)
        .enumerate()
        .map(|(i, (f, p))| {
            let paragraph = p.text(text);
            let words = if min_words <= READER_WORDS_CAP {
                usize::from(f.reader_words)
            } else {
                reader_words(paragraph, min_words)
            };
            let mut entry = LayoutEntry::new(f.key, f.boilerplate_eligible(), words < min_words);
            // Only the paragraphs a zone or its bound can hold need the rest.
            if i <= ZONE_PARAGRAPHS || i + ZONE_PARAGRAPHS >= n {
                // Chrome is prose and links; code (a signature, a listing) is the text's own.
                // A signature stays, and opens the description under it; a listing, a
                // diagram or a sentence full of symbols leads into nothing, so chrome after
                // one can go.
                let code = prose::reads_as_code(paragraph);
                entry.eligible &= !code;
                let leads_in = if code {
                    prose::signature_shaped(paragraph)
                } else {
                    rules::leads_in(paragraph)
                };
                entry.opens = leads_in || rules::heads_what_follows(paragraph);
                entry.continues = rules::continues_what_precedes(paragraph)
                    && (line_mode
                        || reader_words(paragraph, CONTINUATION_WORDS) < CONTINUATION_WORDS);
                entry.unfinished = !prose::ends_sentence(paragraph);
                entry.trails = rules::trails_what_precedes(paragraph);
            }
            entry
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(key: u64, eligible: bool, short: bool) -> LayoutEntry {
        LayoutEntry::new(key, eligible, short)
    }

    #[test]
    fn zones_come_back_from_their_encoding() {
        // 40 paragraphs: an opening and a closing zone, some short, some not eligible.
        let layout: Vec<LayoutEntry> = (0..40u64)
            .map(|i| LayoutEntry {
                opens: i % 3 == 0,
                continues: i % 4 == 1,
                unfinished: i % 6 == 2,
                trails: i % 11 == 4,
                ..entry(1000 + i, i % 7 != 3, i % 5 == 0)
            })
            .collect();
        for layout in [&layout[..], &layout[..6]] {
            let zones = Zones::of(layout).unwrap();
            let mut bytes = Vec::new();
            zones.encode(&mut bytes);
            let header: &[u8; Zones::ENCODED_HEADER] =
                bytes[..Zones::ENCODED_HEADER].try_into().unwrap();
            assert_eq!(Zones::encoded_len(header), bytes.len());
            bytes.extend_from_slice(b"next");
            assert_eq!(Zones::decode(&bytes), Some((zones, bytes.len() - 4)));
        }
        assert_eq!(Zones::decode(&[0; 10]), None);
    }

    #[test]
    fn boilerplate_counts_only_in_the_zones_that_open_or_close_a_document() {
        // Keys: short paragraphs are 1.., long ones 100..; the candidates are 1, 5, 7, 100
        // and 103.
        let (nav, title, heading, share, stars) = (1, 3, 5, 7, 9);
        let layout = [
            entry(nav, true, true),     // "Home", above the navigation
            entry(100, true, false),    // navigation, a candidate
            entry(title, true, true),   // the title, short, not a candidate: still in the zone
            entry(101, true, false),    // article text: the opening zone ends
            entry(heading, true, true), // "Example:" inside the text
            entry(103, true, false),    // a template sentence inside the text
            entry(102, true, false),    // article text
            entry(share, true, true),   // "Share this", in the closing zone
            entry(stars, false, true),  // "***", no letter
            entry(100, true, false),    // footer
        ];
        let candidates = [1u64, 5, 7, 100, 103];
        let zones = Zones::of(&layout).unwrap();
        let counted = zones.counted(|k| candidates.contains(&k));
        assert_eq!(counted, [(nav, 0), (100, 1), (share, 7), (100, 9)]);
        // Short lines alone make no zone.
        let headings = [
            entry(5, true, true),
            entry(101, true, false),
            entry(5, true, true),
        ];
        assert!(Zones::of(&headings).unwrap().counted(|k| k == 5).is_empty());
        // A document whose paragraphs have no letter has nothing to look at.
        assert_eq!(
            Zones::of(&[entry(0, false, true), entry(0, false, false)]),
            None
        );
    }

    #[test]
    fn a_block_goes_whole_or_not_at_all() {
        // A long document whose opening run of candidates ends inside the zone's reach, and
        // whose closing run is longer than the zone: the first goes, the second stays whole.
        let n = 2 * ZONE_PARAGRAPHS + 10;
        let mut layout = vec![entry(100, true, false); n];
        layout[3] = entry(7, true, false);
        layout[1] = entry(5, true, true);
        let zones = Zones::of(&layout).unwrap();
        assert_eq!(
            (zones.head.len(), zones.tail.len()),
            (ZONE_PARAGRAPHS, ZONE_PARAGRAPHS)
        );
        let counted = zones.counted(|k| k == 100 || k == 5);
        assert_eq!(counted, [(100, 0), (5, 1), (100, 2)]);
        // Shortened by one, the closing run ends one paragraph before the zone's reach.
        layout[n - ZONE_PARAGRAPHS] = entry(8, true, false);
        let counted = Zones::of(&layout).unwrap().counted(|k| k == 100 || k == 5);
        assert_eq!(counted.len(), 3 + ZONE_PARAGRAPHS - 1);
        // A document that is all candidates is its own text.
        let all = vec![entry(100, true, false); 6];
        assert!(Zones::of(&all).unwrap().counted(|k| k == 100).is_empty());
    }

    #[test]
    fn a_paragraph_bound_to_one_that_stays_stays() {
        // "Licensed under either of" / the licences (other links in every crate) / "at your
        // option." / "## Contribution" / the contribution statement.
        let (lead, list, option, heading, contribution) = (10, 11, 12, 13, 14);
        let layout = [
            entry(200, true, false),
            LayoutEntry {
                opens: true,
                ..entry(lead, true, false)
            },
            LayoutEntry {
                unfinished: true,
                ..entry(list, true, false)
            },
            LayoutEntry {
                continues: true,
                ..entry(option, true, true)
            },
            LayoutEntry {
                opens: true,
                ..entry(heading, true, true)
            },
            entry(contribution, true, false),
        ];
        let candidates = [lead, option, heading, contribution];
        let counted = Zones::of(&layout)
            .unwrap()
            .counted(|k| candidates.contains(&k));
        // The statement keeps "at your option."; the contribution block goes whole.
        assert_eq!(counted, [(heading, 4), (contribution, 5)]);
        // A heading that stays (not shared) keeps the block it opens.
        let not_shared = [lead, option, contribution];
        let counted = Zones::of(&layout)
            .unwrap()
            .counted(|k| not_shared.contains(&k));
        assert!(counted.is_empty());
        // An opening zone whose last paragraph is a heading over the text keeps the heading.
        let layout = [
            entry(lead, true, false),
            LayoutEntry {
                opens: true,
                ..entry(heading, true, true)
            },
            entry(200, true, false),
            entry(201, true, false),
        ];
        let counted = Zones::of(&layout)
            .unwrap()
            .counted(|k| k == lead || k == heading);
        assert_eq!(counted, [(lead, 0)]);
        // What is not removable stays, and binds what it opens.
        let zones = Zones::of(&layout).unwrap();
        let counted = zones.removable(&|k| k == lead || k == heading, &|k| k == heading);
        assert!(counted.is_empty());
    }
    #[test]
    fn a_closing_zone_ends_on_chrome_or_a_title_line() {
        // An API page: its text, a shared notice, a shared label, then its own one-line
        // description ("Euler's number (e)"), then a blank line's worth of nothing.
        let (notice, label, description) = (10, 11, 300);
        let page = |last: LayoutEntry| {
            vec![
                entry(200, true, false),
                entry(201, true, false),
                entry(notice, true, false),
                entry(label, true, true),
                last,
                entry(0, false, true),
            ]
        };
        let shared = |k: u64| k == notice || k == label;
        let zones = Zones::of(&page(entry(description, true, true))).unwrap();
        assert!(zones.counted(shared).is_empty());
        // A manual ends on its page's name, a title line: the shared block before it goes.
        let title = LayoutEntry {
            opens: true,
            ..entry(description, true, true)
        };
        let zones = Zones::of(&page(title)).unwrap();
        assert_eq!(zones.counted(shared), [(notice, 2), (label, 3)]);
    }
}
