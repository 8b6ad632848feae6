//! Which near-duplicates stay: the rule (`--keep`, `--keep-by`), the order of preference it
//! puts every document in, and [`settle`], which walks that order over the similar pairs and
//! keeps each document none of whose near-duplicates was kept before it. Pure: the caller hands
//! over what each rule looks at (path order, token counts, modification times, field values) and
//! the pairs.

use super::cluster::SimilarPair;
use serde_json::Value;
use std::cmp::Ordering;

/// Which near-duplicates are preferred where neardup chooses what stays (`clean
/// --drop-duplicates`, `scan --list-duplicates`, the report's `kept` marks). Ties go to the first
/// in path order. The rule decides which documents are preferred, never whether near-duplicates
/// stay: walked in its order, a document stays unless a near-duplicate of it stayed before it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Keep {
    /// The first in path order, then record order: with date-named files, the oldest.
    #[default]
    First,
    /// The one with the most words.
    Longest,
    /// The file modified last (records of one file tie, and go by record order).
    Newest,
    /// The JSON Lines record whose field `name` is largest (`descending`) or smallest. Numbers
    /// compare as numbers, strings byte by byte (ISO dates in order), `false` before `true`;
    /// every number before every string. A record without the field, or with `null`, an array
    /// or an object there, is never preferred to one with a value.
    Field {
        /// The field.
        name: String,
        /// Keep the largest value (`desc`, the default) rather than the smallest (`asc`).
        descending: bool,
    },
}

impl Keep {
    /// How the rule is named in the reports: `first`, `longest`, `newest`, `by FIELD:desc`.
    pub fn describe(&self) -> String {
        match self {
            Keep::First => "first".into(),
            Keep::Longest => "longest".into(),
            Keep::Newest => "newest".into(),
            Keep::Field { name, descending } => {
                format!("by {name}:{}", if *descending { "desc" } else { "asc" })
            }
        }
    }

    /// The field whose values the rule needs from JSON Lines records.
    pub fn field(&self) -> Option<&str> {
        match self {
            Keep::Field { name, .. } => Some(name),
            _ => None,
        }
    }
}

/// What the rules look at for one document.
#[derive(Debug, Clone, Copy)]
pub struct Candidate<'a> {
    /// Normalized tokens.
    pub tokens: usize,
    /// Modification time of its file, in nanoseconds since the epoch (0 when unknown).
    pub modified: i128,
    /// The `--keep-by` field's value.
    pub value: Option<&'a Value>,
}

/// Which of two documents `keep` prefers: `Less` when it is `a`, `Equal` when the rule cannot
/// tell them apart (then the first in path order stays).
pub fn preferred(keep: &Keep, a: &Candidate<'_>, b: &Candidate<'_>) -> Ordering {
    match keep {
        Keep::First => Ordering::Equal,
        Keep::Longest => b.tokens.cmp(&a.tokens),
        Keep::Newest => b.modified.cmp(&a.modified),
        Keep::Field { descending, .. } => compare_values(a.value, b.value, *descending),
    }
}

/// Which of two field values is preferred (`Less`: the first).
fn compare_values(a: Option<&Value>, b: Option<&Value>, descending: bool) -> Ordering {
    let (ka, kb) = (sort_key(a), sort_key(b));
    match (ka, kb) {
        (None, None) => Ordering::Equal,
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (Some(x), Some(y)) => {
            let ascending = x.partial_cmp(&y).unwrap_or(Ordering::Equal);
            if descending {
                ascending.reverse()
            } else {
                ascending
            }
        }
    }
}

/// A value in the order [`Keep::Field`] documents: booleans, then numbers, then strings.
#[derive(Debug, PartialEq, PartialOrd)]
enum SortKey<'a> {
    Bool(bool),
    Number(f64),
    Text(&'a str),
}

/// Whether [`Keep::Field`] can compare `value` (a boolean, a finite number or a string): a
/// document whose value is not is never preferred.
pub fn comparable(value: &Value) -> bool {
    sort_key(Some(value)).is_some()
}

fn sort_key(value: Option<&Value>) -> Option<SortKey<'_>> {
    match value? {
        Value::Bool(b) => Some(SortKey::Bool(*b)),
        Value::Number(n) => n.as_f64().filter(|x| x.is_finite()).map(SortKey::Number),
        Value::String(s) => Some(SortKey::Text(s)),
        _ => None,
    }
}

/// The kept near-duplicate a document is left out for, and their similarity.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KeptCopy {
    /// The kept document.
    pub doc: u32,
    /// Their similarity (at or above the threshold: they are a similar pair).
    pub similarity: f64,
}

/// Near-duplicates that the pairs given to [`settle`] may not show (those of the documents of
/// LSH buckets that gave only some of their pairs), found as `settle` goes.
pub trait Unpaired {
    /// The documents kept so far (each told to [`Unpaired::kept`]) that `doc` is a near-duplicate
    /// of without a pair given to `settle`, each with their similarity.
    fn kept_near(&mut self, doc: u32) -> Vec<(u32, f64)>;
    /// `doc` is kept.
    fn kept(&mut self, doc: u32);
}

/// No near-duplicate but those of the pairs.
impl Unpaired for () {
    fn kept_near(&mut self, _: u32) -> Vec<(u32, f64)> {
        Vec::new()
    }

    fn kept(&mut self, _: u32) {}
}

/// Decides which of the documents in `order` stay. `order` holds every document of a pair in
/// `pairs` (and may hold others), each once, most preferred first; documents are numbered below
/// `n`. Walked in that order, a document is left out when one of its near-duplicates was kept
/// before it, for the most similar of those (ties: the one kept first); any other is kept. A
/// document none of whose pairs shows a kept near-duplicate asks `unpaired` for one. So no two
/// kept documents are near-duplicates (as far as the pairs and `unpaired` tell), and each one
/// left out has a kept near-duplicate. Returns each document's fate in the order of `order`:
/// `None` for kept.
///
/// Holds 4 bytes per document below `n` and 8 per document of `order` and per pair, besides
/// the result.
pub fn settle(
    n: usize,
    order: &[u32],
    pairs: &[SimilarPair],
    unpaired: &mut dyn Unpaired,
) -> Vec<Option<KeptCopy>> {
    let mut rank_of = vec![u32::MAX; n];
    for (rank, &doc) in order.iter().enumerate() {
        rank_of[doc as usize] = rank as u32;
    }
    // Each pair is needed only by its less preferred end, which looks back at the other: the
    // pairs grouped by that end, as indices into `pairs`.
    let later = |p: &SimilarPair| {
        let (x, y) = (rank_of[p.a as usize], rank_of[p.b as usize]);
        assert!(
            x != u32::MAX && y != u32::MAX,
            "every document of a pair is in the order"
        );
        x.max(y) as usize
    };
    let mut first = vec![0usize; order.len() + 1];
    for p in pairs {
        first[later(p) + 1] += 1;
    }
    for i in 1..first.len() {
        first[i] += first[i - 1];
    }
    let mut filled = first[..order.len()].to_vec();
    let mut by_later = vec![0usize; pairs.len()];
    for (i, p) in pairs.iter().enumerate() {
        let at = &mut filled[later(p)];
        by_later[*at] = i;
        *at += 1;
    }
    drop(filled);
    let mut fate: Vec<Option<KeptCopy>> = Vec::with_capacity(order.len());
    for (rank, &doc) in order.iter().enumerate() {
        let mut best: Option<(f64, u32, u32)> = None;
        for &i in &by_later[first[rank]..first[rank + 1]] {
            let p = &pairs[i];
            let other = if p.a == doc { p.b } else { p.a };
            let other_rank = rank_of[other as usize];
            // Pairs of a document with itself, or with one after it, decide nothing here.
            if other_rank as usize >= rank || fate[other_rank as usize].is_some() {
                continue;
            }
            consider(&mut best, (p.similarity, other_rank, other));
        }
        if best.is_none() {
            for (other, similarity) in unpaired.kept_near(doc) {
                consider(&mut best, (similarity, rank_of[other as usize], other));
            }
        }
        if best.is_none() {
            unpaired.kept(doc);
        }
        fate.push(best.map(|(similarity, _, doc)| KeptCopy { doc, similarity }));
    }
    fate
}

/// Keeps in `best` the most similar kept near-duplicate, as (similarity, rank, document): the
/// earlier kept on a tie.
fn consider(best: &mut Option<(f64, u32, u32)>, candidate: (f64, u32, u32)) {
    let better =
        best.is_none_or(|(s, r, _)| candidate.0.total_cmp(&s).then(r.cmp(&candidate.1)).is_gt());
    if better {
        *best = Some(candidate);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The rank of each document under `keep` among all of them, ties to the lower index.
    fn ranks(keep: &Keep, candidates: &[Candidate<'_>]) -> Vec<u32> {
        let mut order: Vec<usize> = (0..candidates.len()).collect();
        order.sort_by(|&a, &b| preferred(keep, &candidates[a], &candidates[b]).then(a.cmp(&b)));
        let mut rank = vec![0u32; candidates.len()];
        for (r, &doc) in order.iter().enumerate() {
            rank[doc] = r as u32;
        }
        rank
    }

    fn candidate(tokens: usize, modified: i128, value: Option<&Value>) -> Candidate<'_> {
        Candidate {
            tokens,
            modified,
            value,
        }
    }

    #[test]
    fn each_rule_prefers_what_it_says_and_ties_go_to_path_order() {
        let (v1, v2, s) = (Value::from(1), Value::from(2.5), Value::from("2024-01-01"));
        let docs = [
            candidate(10, 300, Some(&v1)),
            candidate(30, 100, None),
            candidate(30, 200, Some(&v2)),
            candidate(5, 300, Some(&s)),
        ];
        assert_eq!(ranks(&Keep::First, &docs), [0, 1, 2, 3]);
        assert_eq!(ranks(&Keep::Longest, &docs), [2, 0, 1, 3]);
        assert_eq!(ranks(&Keep::Newest, &docs), [0, 3, 2, 1]);
        let by = |descending| Keep::Field {
            name: "score".into(),
            descending,
        };
        // Descending: the string is above every number; the record without a value is last.
        assert_eq!(ranks(&by(true), &docs), [2, 3, 1, 0]);
        // Ascending: smallest first, still without a value last.
        assert_eq!(ranks(&by(false), &docs), [0, 3, 1, 2]);
    }

    #[test]
    fn strings_compare_byte_by_byte_and_odd_values_are_never_preferred() {
        let (a, b, null, list) = (
            Value::from("2023-12-31"),
            Value::from("2024-01-02"),
            Value::Null,
            serde_json::json!([1]),
        );
        let docs = [
            candidate(1, 0, Some(&null)),
            candidate(1, 0, Some(&a)),
            candidate(1, 0, Some(&list)),
            candidate(1, 0, Some(&b)),
        ];
        let newest = Keep::Field {
            name: "date".into(),
            descending: true,
        };
        assert_eq!(ranks(&newest, &docs), [2, 1, 3, 0]);
        assert_eq!(newest.describe(), "by date:desc");
    }

    fn pair(a: u32, b: u32, similarity: f64) -> SimilarPair {
        SimilarPair { a, b, similarity }
    }

    /// The documents left out, each with the one it names, by document.
    fn left_out(n: usize, order: &[u32], pairs: &[SimilarPair]) -> Vec<(u32, u32)> {
        let mut out: Vec<(u32, u32)> = order
            .iter()
            .zip(settle(n, order, pairs, &mut ()))
            .filter_map(|(&doc, fate)| fate.map(|k| (doc, k.doc)))
            .collect();
        out.sort_unstable();
        out
    }

    #[test]
    fn a_chain_keeps_its_ends_when_they_are_far_apart() {
        // 0 ~ 1 ~ 2, 0 far from 2: 0 kept, 1 left out for it, 2 kept (no kept near-duplicate).
        let pairs = [pair(0, 1, 0.9), pair(1, 2, 0.9)];
        assert_eq!(left_out(3, &[0, 1, 2], &pairs), [(1, 0)]);
        // The middle preferred: both ends go.
        assert_eq!(left_out(3, &[1, 0, 2], &pairs), [(0, 1), (2, 1)]);
    }

    #[test]
    fn a_star_whose_preferred_member_is_not_its_center_leaves_no_pair_among_the_kept() {
        // Center 0 similar to 1..=4; 4 also similar to 3; the rule prefers 4, then 0.
        let pairs = [
            pair(0, 1, 0.9),
            pair(0, 2, 0.95),
            pair(0, 3, 0.9),
            pair(0, 4, 0.85),
            pair(3, 4, 0.88),
        ];
        let order = [4, 0, 1, 2, 3];
        let fates = settle(5, &order, &pairs, &mut ());
        let kept: Vec<u32> = order
            .iter()
            .zip(&fates)
            .filter(|(_, f)| f.is_none())
            .map(|(&d, _)| d)
            .collect();
        assert_eq!(kept, [4, 1, 2]);
        for p in &pairs {
            assert!(!(kept.contains(&p.a) && kept.contains(&p.b)), "{p:?}");
        }
        // 3 names its most similar kept near-duplicate, 4.
        assert_eq!(
            fates[4],
            Some(KeptCopy {
                doc: 4,
                similarity: 0.88
            })
        );
    }

    #[test]
    fn ties_name_the_near_duplicate_kept_first_whatever_the_pair_order() {
        let mut pairs = vec![pair(0, 2, 0.9), pair(1, 2, 0.9)];
        for _ in 0..2 {
            assert_eq!(left_out(3, &[1, 0, 2], &pairs), [(2, 1)]);
            assert_eq!(left_out(3, &[0, 1, 2], &pairs), [(2, 0)]);
            pairs.reverse();
        }
    }
}
