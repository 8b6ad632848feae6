//! Clustering: union-find over verified similar pairs, then clusters in a deterministic order.
//!
//! Documents are identified by their index in path order, so "ties by path" is "ties by index".
//!
//! Union-find gives the connected components of the graph of similar pairs. Single linkage
//! reports them as they are, but a component can be a chain (A~B, B~C, A far from C), and on
//! labeled corpora that chaining is the main source of false merges. The default, center
//! linkage, therefore splits each component into stars around its best-connected documents, so
//! that every member is similar to its representative (a document whose neighbours all joined
//! earlier stars is a cluster of its own, so that every document with a near-duplicate is in a
//! cluster), and keeps the component id so the report can still show which clusters a chain
//! joined.

use super::union_find::UnionFind;
use rayon::prelude::*;

/// A verified similar pair: two document indices and their similarity.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SimilarPair {
    /// Lower document index.
    pub a: u32,
    /// Higher document index.
    pub b: u32,
    /// Similarity of the two (exact Jaccard, or the signature estimate without verification).
    pub similarity: f64,
}

/// How connected components become clusters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Linkage {
    /// Each connected component of the similar-pair graph is split into stars: the
    /// best-connected document and its similar neighbours form a cluster, then the next
    /// best-connected remaining document, and so on (a document whose neighbours all joined
    /// earlier stars is a cluster of its own). Every member is at or above the threshold to its
    /// representative; clusters from one component are linked in the report.
    Center,
    /// Each connected component is one cluster (single linkage): a chain A~B~C is one cluster
    /// even when A and C are far apart.
    Single,
}

impl Linkage {
    /// `"center"` or `"single"`, as reported in the parameters and named on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Linkage::Center => "center",
            Linkage::Single => "single",
        }
    }
}

/// A group of documents: at least two, or (center linkage) one whose similar neighbours all
/// joined earlier groups.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    /// The representative: the best-connected member (most similar pairs, then highest sum of
    /// similarities, then most tokens, then lowest index).
    pub representative: u32,
    /// All members in index order, the representative included.
    pub members: Vec<u32>,
    /// Lowest similarity among the similar pairs inside the group (a group of one: the highest
    /// of its pairs, with documents of other groups).
    pub min_pair_similarity: f64,
    /// Connected component the group came from; groups sharing it were joined by a chain.
    pub component: u32,
}

/// Groups `n` documents by the similar pairs between them. `tokens[i]` is the length of document
/// `i`, a tie-break for representatives. Groups come sorted by size (largest first), then by their
/// representative's index; the result does not depend on the order of `pairs`.
pub fn group(n: usize, pairs: &[SimilarPair], tokens: &[usize], linkage: Linkage) -> Vec<Group> {
    // Degree and similarity sum rank the candidate representatives.
    let mut degree = vec![0u32; n];
    let mut weight = vec![0f64; n];
    for p in pairs {
        for end in [p.a, p.b] {
            degree[end as usize] += 1;
            weight[end as usize] += p.similarity;
        }
    }
    let rank = |x: u32, y: u32| {
        let (xi, yi) = (x as usize, y as usize);
        degree[yi]
            .cmp(&degree[xi])
            .then_with(|| weight[yi].total_cmp(&weight[xi]))
            .then_with(|| tokens[yi].cmp(&tokens[xi]))
            .then_with(|| x.cmp(&y))
    };
    let (component, component_size) = components(n, pairs);
    let assignment = match linkage {
        Linkage::Single => single_groups(&component, &component_size),
        Linkage::Center => center_groups(pairs, &degree, &component, &rank),
    };
    assignment.into_groups(pairs, rank)
}

/// Dense component ids of the `n` documents, numbered in index order of each component's first
/// member, and each component's size.
fn components(n: usize, pairs: &[SimilarPair]) -> (Vec<u32>, Vec<usize>) {
    let mut forest = UnionFind::new(n);
    for p in pairs {
        forest.union(p.a, p.b);
    }
    let mut id_of_root = vec![u32::MAX; n];
    let mut component = vec![0u32; n];
    let mut component_size: Vec<usize> = Vec::new();
    for doc in 0..n as u32 {
        let root = forest.find(doc) as usize;
        if id_of_root[root] == u32::MAX {
            id_of_root[root] = component_size.len() as u32;
            component_size.push(0);
        }
        component[doc as usize] = id_of_root[root];
        component_size[id_of_root[root] as usize] += 1;
    }
    (component, component_size)
}

/// Which group each document went to.
struct Assignment {
    /// Each document's group (`u32::MAX`: in none).
    group_of: Vec<u32>,
    /// Each group's component.
    group_component: Vec<u32>,
    /// Each group's center (center linkage only).
    group_center: Vec<u32>,
}

/// Single linkage: every component of two or more documents is a group.
fn single_groups(component: &[u32], component_size: &[usize]) -> Assignment {
    let mut assignment = Assignment::none(component.len());
    let mut group_of_component = vec![u32::MAX; component_size.len()];
    for (doc, &c) in component.iter().enumerate() {
        let c = c as usize;
        if component_size[c] < 2 {
            continue;
        }
        if group_of_component[c] == u32::MAX {
            group_of_component[c] = assignment.group_component.len() as u32;
            assignment.group_component.push(c as u32);
        }
        assignment.group_of[doc] = group_of_component[c];
    }
    assignment
}

/// Center linkage: documents in rank order become centers of a star of their neighbours that
/// are in no group yet.
fn center_groups(
    pairs: &[SimilarPair],
    degree: &[u32],
    component: &[u32],
    rank: &(impl Fn(u32, u32) -> std::cmp::Ordering + Sync),
) -> Assignment {
    let n = degree.len();
    let mut assignment = Assignment::none(n);
    let group_of = &mut assignment.group_of;
    // Neighbour lists in one array: document d's are `neighbours[first[d]..first[d + 1]]`, in
    // pair order (one allocation instead of one per document in a pair).
    let mut first = Vec::with_capacity(n + 1);
    first.push(0usize);
    for &d in degree {
        first.push(first[first.len() - 1] + d as usize);
    }
    let mut filled = first[..n].to_vec();
    let mut neighbours = vec![0u32; first[n]];
    for p in pairs {
        for (end, other) in [(p.a, p.b), (p.b, p.a)] {
            neighbours[filled[end as usize]] = other;
            filled[end as usize] += 1;
        }
    }
    drop(filled);
    let mut order: Vec<u32> = (0..n as u32).filter(|&d| degree[d as usize] > 0).collect();
    // `rank` is a total order (ties end on the index), so an unstable sort is exact.
    order.par_sort_unstable_by(|&x, &y| rank(x, y));
    for center in order {
        if group_of[center as usize] != u32::MAX {
            continue;
        }
        let (start, end) = (first[center as usize], first[center as usize + 1]);
        let free: Vec<u32> = neighbours[start..end]
            .iter()
            .copied()
            .filter(|&m| group_of[m as usize] == u32::MAX)
            .collect();
        if free.is_empty() {
            continue;
        }
        let id = assignment.group_component.len() as u32;
        assignment.group_component.push(component[center as usize]);
        assignment.group_center.push(center);
        group_of[center as usize] = id;
        for m in free {
            group_of[m as usize] = id;
        }
    }
    left_alone_groups(degree, component, &mut assignment);
    assignment
}

/// A document whose similar neighbours all joined stars before its turn (its turn found none
/// free) is a group of its own, in their component: it has near-duplicates, so it is in a
/// cluster, and it stays similar to its representative, itself.
fn left_alone_groups(degree: &[u32], component: &[u32], assignment: &mut Assignment) {
    for (doc, &d) in degree.iter().enumerate() {
        if d > 0 && assignment.group_of[doc] == u32::MAX {
            assignment.group_of[doc] = assignment.group_component.len() as u32;
            assignment.group_component.push(component[doc]);
            assignment.group_center.push(doc as u32);
        }
    }
}

impl Assignment {
    /// `n` documents in no group yet.
    fn none(n: usize) -> Self {
        Assignment {
            group_of: vec![u32::MAX; n],
            group_component: Vec::new(),
            group_center: Vec::new(),
        }
    }

    /// The groups with their members, lowest inner similarity and representative, largest
    /// first, then by representative.
    fn into_groups(
        self,
        pairs: &[SimilarPair],
        rank: impl Fn(u32, u32) -> std::cmp::Ordering,
    ) -> Vec<Group> {
        let group_of = &self.group_of;
        let mut groups: Vec<Group> = self
            .group_component
            .iter()
            .map(|&component| Group {
                representative: u32::MAX,
                members: Vec::new(),
                min_pair_similarity: f64::INFINITY,
                component,
            })
            .collect();
        for (doc, &g) in group_of.iter().enumerate() {
            if let Some(g) = groups.get_mut(g as usize) {
                g.members.push(doc as u32);
            }
        }
        for p in pairs {
            let (ga, gb) = (group_of[p.a as usize], group_of[p.b as usize]);
            if ga == gb
                && let Some(g) = groups.get_mut(ga as usize)
            {
                g.min_pair_similarity = g.min_pair_similarity.min(p.similarity);
            }
        }
        // A group of one has no pair inside: it gives its closest pair's similarity instead.
        if groups.iter().any(|g| g.members.len() == 1) {
            let mut closest = vec![f64::NEG_INFINITY; groups.len()];
            for p in pairs {
                for end in [p.a, p.b] {
                    let g = group_of[end as usize] as usize;
                    if groups.get(g).is_some_and(|g| g.members.len() == 1) {
                        closest[g] = closest[g].max(p.similarity);
                    }
                }
            }
            for (g, closest) in groups.iter_mut().zip(closest) {
                if g.members.len() == 1 {
                    g.min_pair_similarity = closest;
                }
            }
        }
        for (i, g) in groups.iter_mut().enumerate() {
            g.representative = match self.group_center.get(i) {
                Some(&center) => center,
                None => *g
                    .members
                    .iter()
                    .min_by(|&&x, &&y| rank(x, y))
                    .expect("groups have members"),
            };
        }
        groups.sort_by(|x, y| {
            y.members
                .len()
                .cmp(&x.members.len())
                .then_with(|| x.representative.cmp(&y.representative))
        });
        groups
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair(a: u32, b: u32, similarity: f64) -> SimilarPair {
        SimilarPair { a, b, similarity }
    }

    #[test]
    fn union_find_merges_transitively() {
        let mut uf = UnionFind::new(5);
        assert!(uf.union(0, 1));
        assert!(uf.union(3, 4));
        assert!(uf.union(1, 4));
        assert!(!uf.union(0, 3));
        assert_eq!(uf.find(0), uf.find(4));
        assert_ne!(uf.find(0), uf.find(2));
    }

    #[test]
    fn single_linkage_keeps_a_chain_as_one_group_with_its_lowest_pair_similarity() {
        let pairs = [pair(0, 1, 0.9), pair(1, 2, 0.82)];
        let groups = group(4, &pairs, &[10, 10, 10, 10], Linkage::Single);
        assert_eq!(groups.len(), 1);
        assert_eq!(groups[0].members, vec![0, 1, 2]);
        assert_eq!(groups[0].min_pair_similarity, 0.82);
        // The middle of the chain is the best connected.
        assert_eq!(groups[0].representative, 1);
    }

    #[test]
    fn center_linkage_splits_a_chain_around_its_best_connected_members() {
        // 0 is similar to 1, 2, 3; 3 is also similar to 4, which is far from 0.
        let pairs = [
            pair(0, 1, 0.9),
            pair(0, 2, 0.9),
            pair(0, 3, 0.85),
            pair(3, 4, 0.9),
        ];
        let groups = group(5, &pairs, &[1; 5], Linkage::Center);
        assert_eq!(groups.len(), 2, "{groups:?}");
        assert_eq!(groups[0].members, vec![0, 1, 2, 3]);
        assert_eq!(groups[0].representative, 0);
        // 4, with nobody left to make a star of, is a group of its own, linked to 3's; its
        // similarity is that of its pair with 3.
        assert_eq!(groups[1].members, vec![4]);
        assert_eq!(groups[1].component, groups[0].component);
        assert_eq!(groups[1].min_pair_similarity, 0.9);
        // With a second free neighbour, 4 gets its own star, linked by the component.
        let pairs = [
            pair(0, 1, 0.9),
            pair(0, 2, 0.9),
            pair(0, 3, 0.85),
            pair(3, 4, 0.9),
            pair(4, 5, 0.9),
        ];
        let groups = group(6, &pairs, &[1; 6], Linkage::Center);
        assert_eq!(groups.len(), 2);
        assert_eq!(groups[1].members, vec![4, 5]);
        assert_eq!(groups[0].component, groups[1].component);
    }

    #[test]
    fn representative_ties_go_to_the_longest_then_the_first_by_path() {
        let groups = group(
            3,
            &[pair(0, 1, 0.9), pair(0, 2, 0.9), pair(1, 2, 0.9)],
            &[5, 8, 8],
            Linkage::Center,
        );
        assert_eq!(groups[0].representative, 1);
        assert_eq!(groups[0].members, vec![0, 1, 2]);
    }

    #[test]
    fn groups_are_sorted_by_size_then_representative() {
        let pairs = [
            pair(5, 6, 0.9),
            pair(0, 1, 0.9),
            pair(2, 3, 0.9),
            pair(3, 4, 0.9),
        ];
        let groups = group(7, &pairs, &[1; 7], Linkage::Center);
        let reps: Vec<u32> = groups.iter().map(|g| g.representative).collect();
        assert_eq!(reps, vec![3, 0, 5]); // 3 is the center of 2-3-4
    }

    #[test]
    fn result_does_not_depend_on_pair_order() {
        let mut pairs = vec![
            pair(0, 1, 0.9),
            pair(2, 3, 0.85),
            pair(1, 3, 0.81),
            pair(4, 5, 1.0),
        ];
        for linkage in [Linkage::Center, Linkage::Single] {
            let expected = group(6, &pairs, &[3, 1, 4, 1, 5, 9], linkage);
            pairs.reverse();
            assert_eq!(group(6, &pairs, &[3, 1, 4, 1, 5, 9], linkage), expected);
        }
    }

    #[test]
    fn no_pairs_means_no_groups() {
        assert!(group(3, &[], &[1, 2, 3], Linkage::Center).is_empty());
    }
}
