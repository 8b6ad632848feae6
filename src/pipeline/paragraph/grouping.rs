//! How the matches of one document become groups of repeats: exact copies linked to the first
//! earlier copy they are a paste of, and the groups the links make, each with the member
//! `keep-first` keeps.

use super::context::Kind;
use super::{EARLIER_COPIES_TRIED, Fingerprint, MIN_REPEAT_WORDS, RepeatGroup};
use crate::pipeline::union_find::UnionFind;

/// Links each exact copy among `by_key` (key, paragraph; sorted) to the first earlier copy (of
/// the first [`EARLIER_COPIES_TRIED`]) it is a paste of; pushes the first of each text to
/// `distinct`. Whether any link was made.
pub(super) fn link_exact(
    by_key: &[(u64, usize)],
    long_enough: &dyn Fn(usize, usize) -> bool,
    is_paste: &mut dyn FnMut(usize, usize, Kind) -> bool,
    sets: &mut UnionFind,
    distinct: &mut Vec<usize>,
) -> bool {
    let mut merged = false;
    let mut first_of_key = 0;
    for (n, &(key, i)) in by_key.iter().enumerate() {
        if n == 0 || by_key[n - 1].0 != key {
            first_of_key = n;
            distinct.push(i);
            continue;
        }
        if !long_enough(i, MIN_REPEAT_WORDS) {
            continue;
        }
        for &(_, earlier) in by_key[first_of_key..n].iter().take(EARLIER_COPIES_TRIED) {
            if long_enough(earlier, MIN_REPEAT_WORDS) && is_paste(earlier, i, Kind::Exact) {
                merged |= sets.union(earlier as u32, i as u32);
                break;
            }
        }
    }
    merged
}

/// The groups of two or more among `members` that `sets` joined, ordered by first member, each
/// keeping its first member that is not a cut-off copy (`truncated_keys`).
pub(super) fn groups_of(
    sets: &mut UnionFind,
    mut members: Vec<usize>,
    mut truncated_keys: Vec<u64>,
    fps: &[Fingerprint],
) -> Vec<RepeatGroup> {
    members.sort_unstable();
    members.dedup();
    truncated_keys.sort_unstable();
    by_set(sets, members)
        .into_iter()
        .filter(|members| members.len() >= 2)
        .map(|members| {
            let complete = members
                .iter()
                .copied()
                .find(|&m| truncated_keys.binary_search(&fps[m as usize].key).is_err());
            RepeatGroup {
                kept: complete.unwrap_or(members[0]),
                members,
            }
        })
        .collect()
}

/// The `members` (in order) that `sets` joined, one list per set, in the order of their first
/// members.
pub(super) fn by_set(
    sets: &mut UnionFind,
    members: impl IntoIterator<Item = usize>,
) -> Vec<Vec<u32>> {
    let mut groups: Vec<Vec<u32>> = Vec::new();
    let mut slot_of_root = std::collections::HashMap::new();
    for i in members {
        let root = sets.find(i as u32);
        let slot = *slot_of_root.entry(root).or_insert_with(|| {
            groups.push(Vec::new());
            groups.len() - 1
        });
        groups[slot].push(i as u32);
    }
    groups
}
