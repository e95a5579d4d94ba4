//! Weakest-link pruning state: which inner nodes are collapsed, and the cost-complexity g(t) of
//! every other inner node, kept up to date as links are cut.
//!
//! A cut changes the subtree risk and leaf count of its ancestors only, so after a cut only those
//! are recomputed (bottom-up, with the same sums as a full recount, so every g(t) has the same
//! bits as a recount) and pushed again on a min-heap of g; stale heap entries are skipped when
//! they surface. Walking the whole alpha path costs O(cuts x depth x log nodes) instead of a full
//! pass over the tree per cut, which mattered for deep trees: tens of thousands of cuts on
//! 100,000 rows.

use super::tree::{Node, Tree};
use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;

/// Tolerance under which two g values count as tied (they collapse together).
const TIE: f64 = 1e-15;

/// A node's risk: its weighted impurity times its share of the training weight.
pub(crate) fn risk(node: &Node, total: f64) -> f64 {
    node.impurity * node.counts.iter().sum::<f64>() / total
}

/// A heap entry: g and node id, smallest g first (then smallest id).
#[derive(Clone, Copy)]
struct Entry(f64, usize);

impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Entry {}
impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Entry {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.total_cmp(&other.0).then(self.1.cmp(&other.1))
    }
}

pub(crate) struct Pruner<'a> {
    tree: &'a Tree,
    total: f64,
    parent: Vec<usize>,
    /// Inner nodes cut into leaves.
    pub collapsed: Vec<bool>,
    /// Nodes below a collapsed node (no longer in the pruned tree).
    dead: Vec<bool>,
    sub_risk: Vec<f64>,
    sub_leaves: Vec<usize>,
    heap: BinaryHeap<Reverse<Entry>>,
}

impl<'a> Pruner<'a> {
    pub fn new(tree: &'a Tree) -> Pruner<'a> {
        let n = tree.nodes.len();
        let total: f64 = tree.nodes[0].counts.iter().sum();
        let mut parent = vec![usize::MAX; n];
        for (id, node) in tree.nodes.iter().enumerate() {
            if !node.is_leaf() {
                parent[node.left] = id;
                parent[node.right] = id;
            }
        }
        let mut p = Pruner {
            tree,
            total,
            parent,
            collapsed: vec![false; n],
            dead: vec![false; n],
            sub_risk: vec![0.0; n],
            sub_leaves: vec![0; n],
            heap: BinaryHeap::with_capacity(n),
        };
        // Children always come after their parent in `nodes`.
        for id in (0..n).rev() {
            p.recount(id);
        }
        for id in 0..n {
            if !tree.nodes[id].is_leaf() {
                p.heap.push(Reverse(Entry(p.g(id), id)));
            }
        }
        p
    }

    /// Leaves of the pruned tree.
    pub fn leaves(&self) -> usize {
        self.sub_leaves[0]
    }

    /// Total risk of the pruned tree's leaves.
    pub fn leaf_risk(&self) -> f64 {
        self.sub_risk[0]
    }

    fn recount(&mut self, id: usize) {
        let node = &self.tree.nodes[id];
        if node.is_leaf() || self.collapsed[id] {
            self.sub_risk[id] = risk(node, self.total);
            self.sub_leaves[id] = 1;
        } else {
            self.sub_risk[id] = self.sub_risk[node.left] + self.sub_risk[node.right];
            self.sub_leaves[id] = self.sub_leaves[node.left] + self.sub_leaves[node.right];
        }
    }

    fn g(&self, id: usize) -> f64 {
        (risk(&self.tree.nodes[id], self.total) - self.sub_risk[id])
            / (self.sub_leaves[id] as f64 - 1.0)
    }

    fn is_current(&self, e: Entry) -> bool {
        let id = e.1;
        !self.collapsed[id] && !self.dead[id] && self.g(id).to_bits() == e.0.to_bits()
    }

    /// The smallest g over the pruned tree's inner nodes, and every node within TIE of it.
    /// The heap is left as it was.
    pub fn weakest(&mut self) -> (f64, Vec<usize>) {
        while let Some(&Reverse(e)) = self.heap.peek() {
            if self.is_current(e) {
                break;
            }
            self.heap.pop();
        }
        let Some(&Reverse(Entry(g_min, _))) = self.heap.peek() else {
            return (f64::INFINITY, Vec::new());
        };
        let mut taken = Vec::new();
        let mut ids = Vec::new();
        while let Some(&Reverse(e)) = self.heap.peek() {
            if e.0 > g_min + TIE {
                break;
            }
            self.heap.pop();
            taken.push(e);
            if self.is_current(e) && !ids.contains(&e.1) {
                ids.push(e.1);
            }
        }
        self.heap.extend(taken.into_iter().map(Reverse));
        (g_min.max(0.0), ids)
    }

    /// Cuts these nodes into leaves together, then brings their ancestors up to date.
    pub fn collapse(&mut self, ids: &[usize]) {
        for &id in ids {
            self.collapsed[id] = true;
            let mut stack = vec![id];
            while let Some(k) = stack.pop() {
                let node = &self.tree.nodes[k];
                if !node.is_leaf() {
                    for child in [node.left, node.right] {
                        if !self.dead[child] {
                            self.dead[child] = true;
                            stack.push(child);
                        }
                    }
                }
            }
        }
        let mut touched: Vec<usize> = Vec::new();
        for &id in ids {
            let mut k = id;
            while k != usize::MAX {
                touched.push(k);
                k = self.parent[k];
            }
        }
        // Children before parents (children have larger ids).
        touched.sort_unstable_by(|a, b| b.cmp(a));
        touched.dedup();
        for &k in &touched {
            self.recount(k);
        }
        for &k in &touched {
            if !self.tree.nodes[k].is_leaf() && !self.collapsed[k] && !self.dead[k] {
                self.heap.push(Reverse(Entry(self.g(k), k)));
            }
        }
    }

    /// Cuts weakest links while their g <= alpha.
    pub fn collapse_until(&mut self, alpha: f64) {
        loop {
            let (g_min, ids) = self.weakest();
            if ids.is_empty() || g_min > alpha + TIE {
                return;
            }
            self.collapse(&ids);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::rng::Rng;
    use crate::analysis::Matrix;
    use crate::model::TreeParams;

    /// The weakest link found by a full recount of the pruned tree (the textbook way).
    fn recount_weakest(tree: &Tree, collapsed: &[bool]) -> (f64, Vec<usize>) {
        let total: f64 = tree.nodes[0].counts.iter().sum();
        let n = tree.nodes.len();
        let (mut sub_risk, mut sub_leaves) = (vec![0.0; n], vec![0usize; n]);
        for id in (0..n).rev() {
            let node = &tree.nodes[id];
            if node.is_leaf() || collapsed[id] {
                sub_risk[id] = risk(node, total);
                sub_leaves[id] = 1;
            } else {
                sub_risk[id] = sub_risk[node.left] + sub_risk[node.right];
                sub_leaves[id] = sub_leaves[node.left] + sub_leaves[node.right];
            }
        }
        let mut reachable = vec![false; n];
        let mut stack = vec![0];
        while let Some(id) = stack.pop() {
            reachable[id] = true;
            let node = &tree.nodes[id];
            if !node.is_leaf() && !collapsed[id] {
                stack.extend([node.left, node.right]);
            }
        }
        let g = |id: usize| {
            (risk(&tree.nodes[id], total) - sub_risk[id]) / (sub_leaves[id] as f64 - 1.0)
        };
        let inner: Vec<usize> = (0..n)
            .filter(|&id| reachable[id] && !tree.nodes[id].is_leaf() && !collapsed[id])
            .collect();
        let g_min = inner.iter().map(|&id| g(id)).fold(f64::INFINITY, f64::min);
        let at_min = inner
            .into_iter()
            .filter(|&id| g(id) <= g_min + TIE)
            .collect();
        (g_min.max(0.0), at_min)
    }

    #[test]
    fn every_cut_matches_a_full_recount_bit_for_bit() {
        let mut rng = Rng::new(11);
        let (rows, cols) = (3000, 4);
        let mut data = Vec::new();
        let mut y = Vec::new();
        for _ in 0..rows {
            let class = rng.weighted(&[0.6, 0.25, 0.15]);
            for j in 0..cols {
                data.push(class as f64 * (j % 2) as f64 + 2.0 * rng.normal());
            }
            y.push(class);
        }
        let x = Matrix::new(rows, cols, data);
        let params = TreeParams::default().check().expect("valid");
        let tree = Tree::fit(&params, &x, &y, 3);
        assert!(
            tree.nodes.len() > 500,
            "a deep tree: {} nodes",
            tree.nodes.len()
        );
        let mut pruner = Pruner::new(&tree);
        let mut cuts = 0;
        loop {
            let (g_fast, mut ids_fast) = pruner.weakest();
            let (g_slow, ids_slow) = recount_weakest(&tree, &pruner.collapsed);
            ids_fast.sort_unstable();
            assert_eq!(g_fast.to_bits(), g_slow.to_bits(), "cut {cuts}");
            assert_eq!(ids_fast, ids_slow, "cut {cuts}");
            if ids_fast.is_empty() {
                break;
            }
            pruner.collapse(&ids_fast);
            cuts += 1;
        }
        assert_eq!(pruner.leaves(), 1, "pruned to the root");
        assert!(cuts > 100, "{cuts} cuts");
    }
}
