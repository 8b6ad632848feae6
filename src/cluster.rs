//! Clustering: union-find over verified similar pairs, then clusters in a deterministic order.
//!
//! Documents are identified by their index in path order, so "ties by path" is "ties by index".
//! A cluster's representative is its longest document (most tokens), ties broken by path; it is
//! also the document `clean --drop-duplicates` keeps.

/// Disjoint-set forest with path halving and union by size.
#[derive(Debug, Clone)]
pub struct UnionFind {
    parent: Vec<u32>,
    size: Vec<u32>,
}

impl UnionFind {
    /// `n` singleton sets.
    pub fn new(n: usize) -> Self {
        UnionFind {
            parent: (0..n as u32).collect(),
            size: vec![1; n],
        }
    }

    /// The root of `x`'s set.
    pub fn find(&mut self, mut x: u32) -> u32 {
        while self.parent[x as usize] != x {
            let grandparent = self.parent[self.parent[x as usize] as usize];
            self.parent[x as usize] = grandparent;
            x = grandparent;
        }
        x
    }

    /// Merges the sets of `a` and `b`; returns false if they were already one set.
    pub fn union(&mut self, a: u32, b: u32) -> bool {
        let (mut ra, mut rb) = (self.find(a), self.find(b));
        if ra == rb {
            return false;
        }
        if self.size[ra as usize] < self.size[rb as usize] {
            std::mem::swap(&mut ra, &mut rb);
        }
        self.parent[rb as usize] = ra;
        self.size[ra as usize] += self.size[rb as usize];
        true
    }
}

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

/// A group of at least two documents connected by similar pairs.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    /// The representative: most tokens, ties by lowest index.
    pub representative: u32,
    /// All members in index order, the representative included.
    pub members: Vec<u32>,
    /// Lowest similarity among the similar pairs inside the group.
    pub min_pair_similarity: f64,
}

/// Groups `n` documents by the connected components of `pairs`. `tokens[i]` is the length of
/// document `i`, used to pick representatives. Groups come sorted by size (largest first), then by
/// their representative's index; the result does not depend on the order of `pairs`.
pub fn group(n: usize, pairs: &[SimilarPair], tokens: &[usize]) -> Vec<Group> {
    let mut forest = UnionFind::new(n);
    for p in pairs {
        forest.union(p.a, p.b);
    }
    // Component id = root; collect members in index order.
    let mut members_of_root: Vec<Vec<u32>> = vec![Vec::new(); n];
    let mut min_of_root = vec![f64::INFINITY; n];
    for p in pairs {
        let root = forest.find(p.a) as usize;
        min_of_root[root] = min_of_root[root].min(p.similarity);
    }
    for doc in 0..n as u32 {
        let root = forest.find(doc) as usize;
        members_of_root[root].push(doc);
    }
    let mut groups: Vec<Group> = members_of_root
        .into_iter()
        .zip(min_of_root)
        .filter(|(members, _)| members.len() > 1)
        .map(|(members, min_pair_similarity)| {
            let representative = *members
                .iter()
                .max_by(|&&x, &&y| {
                    tokens[x as usize]
                        .cmp(&tokens[y as usize])
                        .then_with(|| y.cmp(&x))
                })
                .expect("groups have members");
            Group {
                representative,
                members,
                min_pair_similarity,
            }
        })
        .collect();
    groups.sort_by(|x, y| {
        y.members
            .len()
            .cmp(&x.members.len())
            .then_with(|| x.representative.cmp(&y.representative))
    });
    groups
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
    fn chained_pairs_form_one_group_with_the_lowest_pair_similarity() {
        let groups = group(4, &[pair(0, 1, 0.9), pair(1, 2, 0.82)], &[10, 10, 10, 10]);
        assert_eq!(groups.len(), 1);
        assert_eq!(groups[0].members, vec![0, 1, 2]);
        assert_eq!(groups[0].min_pair_similarity, 0.82);
    }

    #[test]
    fn representative_is_the_longest_then_the_first_by_path() {
        let groups = group(3, &[pair(0, 1, 0.9), pair(1, 2, 0.9)], &[5, 8, 8]);
        assert_eq!(groups[0].representative, 1);
    }

    #[test]
    fn groups_are_sorted_by_size_then_representative() {
        let pairs = [
            pair(5, 6, 0.9),
            pair(0, 1, 0.9),
            pair(2, 3, 0.9),
            pair(3, 4, 0.9),
        ];
        let groups = group(7, &pairs, &[1; 7]);
        let reps: Vec<u32> = groups.iter().map(|g| g.representative).collect();
        assert_eq!(reps, vec![2, 0, 5]);
    }

    #[test]
    fn result_does_not_depend_on_pair_order() {
        let mut pairs = vec![
            pair(0, 1, 0.9),
            pair(2, 3, 0.85),
            pair(1, 3, 0.81),
            pair(4, 5, 1.0),
        ];
        let expected = group(6, &pairs, &[3, 1, 4, 1, 5, 9]);
        pairs.reverse();
        assert_eq!(group(6, &pairs, &[3, 1, 4, 1, 5, 9]), expected);
    }

    #[test]
    fn no_pairs_means_no_groups() {
        assert!(group(3, &[], &[1, 2, 3]).is_empty());
    }
}
