//! Which member of a cluster of near-duplicates stays: the rule (`--keep`, `--keep-by`) and the
//! order of preference it puts every document in. Pure: the caller hands over what each rule
//! looks at (path order, token counts, modification times, field values).

use serde_json::Value;
use std::cmp::Ordering;

/// Which member of a cluster is kept where neardup chooses one (`clean --drop-duplicates`,
/// `scan --list-duplicates`, the report's `kept` mark). Ties go to the first in path order.
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

fn sort_key(value: Option<&Value>) -> Option<SortKey<'_>> {
    match value? {
        Value::Bool(b) => Some(SortKey::Bool(*b)),
        Value::Number(n) => n.as_f64().filter(|x| x.is_finite()).map(SortKey::Number),
        Value::String(s) => Some(SortKey::Text(s)),
        _ => None,
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
}
