//! Repeats that settle: the groups of one look at a document, then of further looks at the text
//! that stays, until a look finds nothing more. A paste can hide behind others: a paragraph
//! pasted twice, with several copies of another pasted paragraph right above its second copy,
//! sits there under what reads as an entry's header, so the first look keeps it; once those
//! copies go it is a plain paste, and a second `clean` of the cleaned text would remove it.
//! Looking again here (up to [`MAX_LOOKS`] more times, as long as the text that stays is cut
//! into the same paragraphs) makes the first `clean` remove it, so a second one finds nothing.

use super::grouping::by_set;
use super::{Analysis, Analyzer, RepeatGroup, assemble};
use crate::pipeline::union_find::UnionFind;

/// The most further looks at a document; each one removes at least a paragraph.
const MAX_LOOKS: usize = 8;

impl Analyzer {
    /// Groups of paragraphs that repeat each other inside the analyzed document (see the module
    /// rules), each with the paragraph `keep-first` keeps; ordered by first member. Repeats
    /// found only once others are gone (the module header of `settle`) join the groups, up to
    /// [`MAX_LOOKS`] looks further.
    pub fn repeats(&mut self, text: &str, analysis: &Analysis) -> Vec<RepeatGroup> {
        let first = self.repeats_once(text, analysis);
        if first.is_empty() {
            return first;
        }
        let n = analysis.paragraphs.len();
        let mut sets = UnionFind::new(n);
        let mut grouped = vec![false; n];
        let mut stays = vec![true; n];
        let mut join = |groups: &[RepeatGroup], at: &dyn Fn(u32) -> u32, stays: &mut [bool]| {
            for group in groups {
                for &m in &group.members {
                    let m = at(m);
                    sets.union(at(group.members[0]), m);
                    grouped[m as usize] = true;
                    stays[m as usize] = m == at(group.kept);
                }
            }
        };
        join(&first, &|i| i, &mut stays);
        let mut reduced = Analysis::default();
        let mut found_more = false;
        for _ in 0..MAX_LOOKS {
            let left: Vec<u32> = (0..n as u32).filter(|&i| stays[i as usize]).collect();
            let text_left = assemble(text, &analysis.paragraphs, |i| stays[i]);
            self.analyze(&text_left, &mut reduced);
            // Removing whole paragraphs leaves the others as they were; if the text cut
            // otherwise (a separator that no longer separates), the first look stands.
            if reduced.paragraphs.len() != left.len() {
                break;
            }
            let more = self.repeats_once(&text_left, &reduced);
            if more.is_empty() {
                break;
            }
            join(&more, &|i| left[i as usize], &mut stays);
            found_more = true;
        }
        if !found_more {
            // Most documents: the second look finds nothing, and the first stands.
            return first;
        }
        groups_with_one_staying(&mut sets, &grouped, &stays)
    }
}

/// The groups of the joined paragraphs, ordered by first member, each keeping its one member
/// that stays: every look removes all members of a group but the one it keeps, and a later
/// look joins two groups only through a member that stayed. (Were a group ever without one,
/// its first would stay.)
fn groups_with_one_staying(
    sets: &mut UnionFind,
    grouped: &[bool],
    stays: &[bool],
) -> Vec<RepeatGroup> {
    let members = (0..grouped.len()).filter(|&i| grouped[i]);
    by_set(sets, members)
        .into_iter()
        .map(|members| RepeatGroup {
            kept: members
                .iter()
                .copied()
                .find(|&m| stays[m as usize])
                .unwrap_or(members[0]),
            members,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repeats_of(text: &str) -> (Vec<RepeatGroup>, Vec<RepeatGroup>) {
        let mut analyzer = Analyzer::new();
        let mut analysis = Analysis::default();
        analyzer.analyze(text, &mut analysis);
        (
            analyzer.repeats_once(text, &analysis),
            analyzer.repeats(text, &analysis),
        )
    }

    #[test]
    fn a_paste_hidden_behind_other_pastes_goes_on_the_first_look_again() {
        // `title` reads as an entry's header (short, no sentence end); pasted four times right
        // above the second copy of `note`, it makes that copy look like the text of another
        // entry than the first copy, which sits under a heading of its own.
        let title = "A security problem in the parser was fixed by Ann Example and Bob Other";
        let note = "Neither of the two writers now has the old size limit, and the channel \
                    writing function sends the data in smaller pieces instead.";
        let prose = |w: &str| {
            format!("The {w} report went out on the first day of the month and nobody read it.")
        };
        let parts = [
            title.to_string(),
            prose("alpha"),
            title.to_string(),
            prose("beta"),
            prose("gamma"),
            "Changes to the writers".to_string(),
            note.to_string(),
            prose("epsilon"),
            prose("zeta"),
            title.to_string(),
            title.to_string(),
            title.to_string(),
            title.to_string(),
            note.to_string(),
            prose("eta"),
        ];
        let text = parts.join("\n\n");
        let (once, settled) = repeats_of(&text);
        // One look: the titles go, the second note stays under them.
        assert_eq!(once.len(), 1, "{once:?}");
        assert_eq!(once[0].members, [0, 2, 9, 10, 11, 12]);
        // Looking again at what stays, the note is a plain paste.
        assert_eq!(
            settled,
            [
                RepeatGroup {
                    members: vec![0, 2, 9, 10, 11, 12],
                    kept: 0
                },
                RepeatGroup {
                    members: vec![6, 13],
                    kept: 6
                }
            ]
        );
        // And the text without them has no repeat left.
        let kept: Vec<String> = parts
            .iter()
            .enumerate()
            .filter(|(i, _)| ![2, 9, 10, 11, 12, 13].contains(i))
            .map(|(_, p)| p.clone())
            .collect();
        let (again, _) = repeats_of(&kept.join("\n\n"));
        assert!(again.is_empty(), "{again:?}");
    }
}
