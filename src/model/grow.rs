//! Growing a tree: the LearnID3 recursion over binary threshold predicates `x_j <= theta`, on
//! presorted feature orders, with large subtrees grown on two threads at once.
//!
//! Each feature's sample order is sorted once; a node owns the same slice of every order, and a
//! split partitions those slices stably, so a node costs O(features x its samples), not O(all
//! samples). After a split of a large node the two children own disjoint slices of every order,
//! so their subtrees are grown in parallel (rayon::join); the split search of a large node scans
//! its features in parallel too. Small subtrees run the sequential loop. The result does not
//! depend on the threads: the best split is reduced in feature order with the same strict
//! comparison as the sequential scan, and the nodes are numbered at the end in the sequential
//! order (children side by side, depth first, left before right).

use super::criterion::impurity;
use super::grow_bins::Bins;
use super::tree::Node;
use super::Criterion;
use rayon::prelude::*;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

/// Nodes with at least this many samples are split with parallel scans and grow their
/// children in parallel; below it the sequential loop is cheaper than the coordination.
/// Measured on 100,000 x 24 through `precre train` (median of 7): 512 0.180 s, 1,024 0.105,
/// 2,048 0.104, 4,096 0.111, 8,192 0.117, 32,768 0.125 (normal generator; the skewed one
/// alike).
pub(crate) const PARALLEL_MIN_SAMPLES: usize = 2048;
/// How many nested parallel splits at most (a chain of lopsided splits stays sequential
/// below this, so the recursion stays shallow).
const PARALLEL_MAX_NESTING: usize = 24;

/// One feature's samples of a node, in sorted order: row ids and keys side by side. A key packs
/// the sample's value rank (its place among the feature's distinct values) above its class,
/// `rank << class_bits | class`: a partition moves 8 bytes a sample, not 16.
pub(crate) struct Order<'a> {
    pub feature: usize,
    pub idx: &'a mut [u32],
    pub key: &'a mut [u32],
}

/// The bits of a key that hold the class: enough for `n_classes` (at least one).
pub(crate) fn class_bits(n_classes: usize) -> u32 {
    u32::BITS - (n_classes.max(2) as u32 - 1).leading_zeros()
}

impl Order<'_> {
    fn len(&self) -> usize {
        self.idx.len()
    }

    /// Splits into the first `mid` samples and the rest.
    fn split_at(self, mid: usize) -> (Self, Self) {
        let (il, ir) = self.idx.split_at_mut(mid);
        let (kl, kr) = self.key.split_at_mut(mid);
        let feature = self.feature;
        (
            Order {
                feature,
                idx: il,
                key: kl,
            },
            Order {
                feature,
                idx: ir,
                key: kr,
            },
        )
    }
}

/// The most classes the integer Gini scan takes.
pub(crate) const FAST_CLASSES: usize = 8;

/// The best split of one node.
pub(crate) struct Split {
    pub feature: usize,
    pub threshold: f64,
    pub score: f64,
    pub n_left: usize,
    /// The highest value rank that goes left.
    pub rank: u32,
}

/// Settings of one growth, shared by every thread.
pub(crate) struct Grower<'a> {
    pub criterion: Criterion,
    pub min_leaf: usize,
    pub min_split: usize,
    pub max_depth: usize,
    pub min_decrease: f64,
    pub class_weight: &'a [f64],
    pub n_classes: usize,
    /// Each feature's distinct values in ascending order: a key's rank indexes them.
    pub distinct: &'a [Vec<f64>],
    /// The low bits of a key that hold the class (`class_bits(n_classes)`).
    pub class_bits: u32,
    pub total_weight: f64,
    /// Marks of the rows that go left in the split being applied. Subtrees own disjoint rows,
    /// so parallel subtrees never touch the same mark.
    pub goes_left: Vec<AtomicBool>,
    /// `PARALLEL_MIN_SAMPLES`, or more to keep a growth sequential (tests compare the two).
    pub parallel_min_samples: usize,
    /// Partition buffers given back after use: a large node's split takes one per feature,
    /// and fresh ones would be fresh pages to fault in and zero at every split.
    pub scratch_pool: Mutex<Vec<Scratch>>,
    /// The features split on histograms (`grow_bins`), if any; the others have presorted
    /// orders, the first of which (the carrier) also gives each node's rows and classes.
    pub bins: Option<&'a Bins>,
}

/// Reusable buffers of one sequential growth or one feature's partition.
#[derive(Default)]
pub(crate) struct Scratch {
    idx: Vec<u32>,
    key: Vec<u32>,
    left: Vec<f64>,
    right: Vec<f64>,
}

impl Grower<'_> {
    /// A buffer from the pool (or a new one) with the classes' sums zero; a partition sizes
    /// its sample buffers itself.
    fn take_scratch(&self) -> Scratch {
        let mut s = self
            .scratch_pool
            .lock()
            .map(|mut pool| pool.pop())
            .unwrap_or(None)
            .unwrap_or_default();
        s.left.clear();
        s.left.resize(self.n_classes, 0.0);
        s.right.clear();
        s.right.resize(self.n_classes, 0.0);
        s
    }

    #[inline]
    pub(super) fn class_of(&self, key: u32) -> usize {
        (key & ((1 << self.class_bits) - 1)) as usize
    }

    #[inline]
    pub(super) fn rank_of(&self, key: u32) -> u32 {
        key >> self.class_bits
    }

    /// The threshold between two neighbouring ranks of `feature`: the midpoint of their values,
    /// or the lower value where the midpoint rounds to the upper one or overflows.
    pub(super) fn threshold(&self, feature: usize, rank: u32, next_rank: u32) -> f64 {
        let values = &self.distinct[feature];
        let (v, next) = (values[rank as usize], values[next_rank as usize]);
        let threshold = v / 2.0 + next / 2.0;
        if threshold == next || !threshold.is_finite() {
            v
        } else {
            threshold
        }
    }

    fn give_back(&self, s: Scratch) {
        if let Ok(mut pool) = self.scratch_pool.lock() {
            pool.push(s);
        }
    }

    /// Grows the whole tree over `orders` (every feature's full sorted order) and returns its
    /// nodes in the sequential numbering.
    pub fn grow_tree(&self, orders: Vec<Order>) -> Vec<Node> {
        let n = orders.first().map_or(0, |o| o.len());
        let root = self.make_node(orders.first().map_or(&[][..], |o| &o.key[..]), n, 0);
        let mut hist = Vec::new();
        if let (Some(bins), Some(carrier)) = (self.bins, orders.first()) {
            if self.can_split(&root, n) && !bins.is_empty() {
                bins.build(carrier.idx, carrier.key, self.class_bits, &mut hist);
            }
        }
        let nodes = self.grow(orders, root, hist, 0);
        renumber(nodes)
    }

    pub fn make_node(&self, keys: &[u32], n: usize, depth: usize) -> Node {
        let mut counts = vec![0.0; self.n_classes];
        for &k in keys {
            let c = self.class_of(k);
            counts[c] += self.class_weight[c];
        }
        Node {
            feature: None,
            threshold: 0.0,
            left: 0,
            right: 0,
            impurity: impurity(self.criterion, &counts),
            counts,
            n_samples: n,
            depth,
        }
    }

    /// Grows the subtree under `root` (local numbering, root first).
    fn grow(
        &self,
        mut orders: Vec<Order>,
        mut root: Node,
        hist: Vec<u32>,
        nesting: usize,
    ) -> Vec<Node> {
        let n = root.n_samples;
        if n < self.parallel_min_samples || nesting >= PARALLEL_MAX_NESTING {
            return self.grow_sequential(&mut orders, root, hist);
        }
        let Some(split) = self.best_split_parallel(&orders, &root, &hist) else {
            return vec![root];
        };
        self.partition_parallel(&mut orders, &split);
        let (mut left_orders, mut right_orders) = (Vec::new(), Vec::new());
        for o in orders {
            let (l, r) = o.split_at(split.n_left);
            left_orders.push(l);
            right_orders.push(r);
        }
        let depth = root.depth + 1;
        let left = self.make_node(left_orders[0].key, split.n_left, depth);
        let right = self.make_node(right_orders[0].key, n - split.n_left, depth);
        let (left_hist, right_hist) = self.child_hists(
            hist,
            (left_orders[0].idx, left_orders[0].key),
            (right_orders[0].idx, right_orders[0].key),
            (
                self.can_split(&left, left.n_samples),
                self.can_split(&right, right.n_samples),
            ),
            None,
        );
        let (l, r) = rayon::join(
            || self.grow(left_orders, left, left_hist, nesting + 1),
            || self.grow(right_orders, right, right_hist, nesting + 1),
        );
        root.feature = Some(split.feature);
        root.threshold = split.threshold;
        root.left = 1;
        root.right = 1 + l.len();
        let mut nodes = Vec::with_capacity(1 + l.len() + r.len());
        nodes.push(root);
        append_shifted(&mut nodes, l, 1);
        let offset = nodes.len();
        append_shifted(&mut nodes, r, offset);
        nodes
    }

    /// The LearnID3 loop on one thread: split the node on the top of the stack, push its
    /// children, until no node can be split.
    fn grow_sequential(&self, orders: &mut [Order], root: Node, hist: Vec<u32>) -> Vec<Node> {
        let n = root.n_samples;
        let mut scratch = self.take_scratch();
        let mut nodes = vec![root];
        let mut stack = vec![(0usize, 0usize, n, hist)];
        // Histograms of nodes done with, to build the next ones in.
        let mut spare: Vec<Vec<u32>> = Vec::new();
        while let Some((id, start, end, hist)) = stack.pop() {
            let depth = nodes[id].depth;
            let Some(split) =
                self.best_split_with(orders, &nodes[id], start, end, &hist, &mut scratch)
            else {
                spare.push(hist);
                continue;
            };
            self.partition(orders, start, end, &split, &mut scratch);
            let mid = start + split.n_left;
            let left = nodes.len();
            let keys = &orders[0].key;
            let left_node = self.make_node(&keys[start..mid], mid - start, depth + 1);
            let right_node = self.make_node(&keys[mid..end], end - mid, depth + 1);
            let carrier = &orders[0];
            let (left_hist, right_hist) = self.child_hists(
                hist,
                (&carrier.idx[start..mid], &carrier.key[start..mid]),
                (&carrier.idx[mid..end], &carrier.key[mid..end]),
                (
                    self.can_split(&left_node, mid - start),
                    self.can_split(&right_node, end - mid),
                ),
                spare.pop(),
            );
            nodes.push(left_node);
            nodes.push(right_node);
            let node = &mut nodes[id];
            node.feature = Some(split.feature);
            node.threshold = split.threshold;
            node.left = left;
            node.right = left + 1;
            stack.push((left + 1, mid, end, right_hist));
            stack.push((left, start, mid, left_hist));
        }
        self.give_back(scratch);
        nodes
    }

    fn can_split(&self, node: &Node, n: usize) -> bool {
        let pure = node.counts.iter().filter(|c| **c > 0.0).count() <= 1;
        !(pure || n < self.min_split || n < 2 * self.min_leaf || node.depth >= self.max_depth)
    }

    fn best_split_with(
        &self,
        orders: &[Order],
        node: &Node,
        start: usize,
        end: usize,
        hist: &[u32],
        scratch: &mut Scratch,
    ) -> Option<Split> {
        if !self.can_split(node, end - start) {
            return None;
        }
        let per_feature = orders.iter().map(|o| {
            self.best_in_feature(
                o.feature,
                &o.key[start..end],
                node,
                &mut scratch.left,
                &mut scratch.right,
            )
        });
        let best = first_best(per_feature);
        let best = self.with_binned(best, node, end - start, hist)?;
        self.check_decrease(orders, node, start, end, best)
    }

    /// The best split of a large node (all of its orders), its features scanned in parallel.
    fn best_split_parallel(&self, orders: &[Order], node: &Node, hist: &[u32]) -> Option<Split> {
        let (start, end) = (0, node.n_samples);
        if !self.can_split(node, end) {
            return None;
        }
        let per_feature: Vec<Option<Split>> = orders
            .par_iter()
            .map(|o| {
                let (mut l, mut r) = (vec![0.0; self.n_classes], vec![0.0; self.n_classes]);
                self.best_in_feature(o.feature, &o.key[start..end], node, &mut l, &mut r)
            })
            .collect();
        let best = self.with_binned(first_best(per_feature), node, end, hist)?;
        self.check_decrease(orders, node, start, end, best)
    }

    /// The better of `best` (over the presorted features) and the binned features' best
    /// splits: the highest score, the first feature of equal ones, as one scan in feature
    /// order would find.
    fn with_binned(
        &self,
        best: Option<Split>,
        node: &Node,
        n: usize,
        hist: &[u32],
    ) -> Option<Split> {
        let Some(bins) = self.bins.filter(|b| !b.is_empty()) else {
            return best;
        };
        let binned = (0..bins.len()).map(|j| self.best_in_bins(bins, j, hist, &node.counts, n));
        match (best, first_best(binned)) {
            (Some(s), Some(b))
                if b.score > s.score || (b.score == s.score && b.feature < s.feature) =>
            {
                Some(b)
            }
            (Some(s), _) => Some(s),
            (None, b) => b,
        }
    }

    /// Refuses a split whose weighted impurity decrease is below `min_decrease`.
    fn check_decrease(
        &self,
        orders: &[Order],
        node: &Node,
        start: usize,
        end: usize,
        split: Split,
    ) -> Option<Split> {
        if self.min_decrease <= 0.0 {
            return Some(split);
        }
        let mut l = vec![0.0; self.n_classes];
        let mut add = |k: u32| {
            let c = self.class_of(k);
            l[c] += self.class_weight[c];
        };
        match self.binned_position(split.feature) {
            Some((bins, j)) => {
                let carrier = &orders[0];
                for (&r, &k) in carrier.idx[start..end].iter().zip(&carrier.key[start..end]) {
                    if bins.goes_left(r, j, split.rank) {
                        add(k);
                    }
                }
            }
            None => {
                let order = orders.iter().find(|o| o.feature == split.feature);
                for &k in &order.expect("a presorted feature").key[start..start + split.n_left] {
                    add(k);
                }
            }
        }
        let r: Vec<f64> = node.counts.iter().zip(&l).map(|(a, b)| a - b).collect();
        let (wl, wr): (f64, f64) = (l.iter().sum(), r.iter().sum());
        let wt = wl + wr;
        let decrease = wt / self.total_weight
            * (node.impurity
                - wl / wt * impurity(self.criterion, &l)
                - wr / wt * impurity(self.criterion, &r));
        (decrease + 1e-12 >= self.min_decrease).then_some(split)
    }

    /// The binned features and `feature`'s place among them, if it is one.
    fn binned_position(&self, feature: usize) -> Option<(&Bins, usize)> {
        let bins = self.bins?;
        Some((bins, bins.position(feature)?))
    }

    /// Sets the mark of every row of the node `start..end` that goes left in `split` to
    /// `value`.
    fn mark(&self, orders: &[Order], split: &Split, start: usize, end: usize, value: bool) {
        let store = |s: u32| self.goes_left[s as usize].store(value, Ordering::Relaxed);
        match self.binned_position(split.feature) {
            Some((bins, j)) => orders[0].idx[start..end]
                .iter()
                .filter(|&&r| bins.goes_left(r, j, split.rank))
                .for_each(|&r| store(r)),
            None => {
                let order = orders.iter().find(|o| o.feature == split.feature);
                order.expect("a presorted feature").idx[start..start + split.n_left]
                    .iter()
                    .for_each(|&r| store(r))
            }
        }
    }

    /// Reorders every feature's slice so that the left child's samples come first, each side in
    /// its sorted order (a stable partition).
    fn partition(
        &self,
        orders: &mut [Order],
        start: usize,
        end: usize,
        split: &Split,
        scratch: &mut Scratch,
    ) {
        self.mark(orders, split, start, end, true);
        for o in orders.iter_mut() {
            if o.feature != split.feature {
                self.partition_one(o, start, end, scratch);
            }
        }
        self.mark(orders, split, start, end, false);
    }

    /// `partition` of a whole large node, one feature per task.
    fn partition_parallel(&self, orders: &mut [Order], split: &Split) {
        let n = orders[0].len();
        self.mark(orders, split, 0, n, true);
        orders
            .par_iter_mut()
            .filter(|o| o.feature != split.feature)
            .for_each(|o| {
                let mut scratch = self.take_scratch();
                self.partition_one(o, 0, n, &mut scratch);
                self.give_back(scratch);
            });
        self.mark(orders, split, 0, n, false);
    }

    /// A stable partition of one feature's slice. Each sample is written to both sides and
    /// only one side's count moves: no branch on a condition that is as good as random.
    fn partition_one(&self, o: &mut Order, start: usize, end: usize, scratch: &mut Scratch) {
        let (idx, key) = (&mut o.idx[start..end], &mut o.key[start..end]);
        let n = idx.len();
        scratch.idx.resize(n, 0);
        scratch.key.resize(n, 0);
        let (mut w, mut r) = (0, 0);
        for i in 0..n {
            let (s, k) = (idx[i], key[i]);
            let left = self.goes_left[s as usize].load(Ordering::Relaxed);
            idx[w] = s;
            key[w] = k;
            scratch.idx[r] = s;
            scratch.key[r] = k;
            w += left as usize;
            r += !left as usize;
        }
        idx[w..].copy_from_slice(&scratch.idx[..r]);
        key[w..].copy_from_slice(&scratch.key[..r]);
    }
}

/// Keeps a candidate boundary in `best` when it scores higher (the first of equal scores
/// stays); its threshold is worked out only then.
pub(super) fn keep_better(best: &mut Option<Split>, score: f64, candidate: impl FnOnce() -> Split) {
    if best.as_ref().is_none_or(|b| score > b.score) {
        *best = Some(candidate());
    }
}

/// The split with the highest score, the first of equal ones, in feature order: the sequential
/// and the parallel scans reduce the same way, so they find the same split.
fn first_best(per_feature: impl IntoIterator<Item = Option<Split>>) -> Option<Split> {
    let mut best: Option<Split> = None;
    for s in per_feature.into_iter().flatten() {
        if best.as_ref().is_none_or(|b| s.score > b.score) {
            best = Some(s);
        }
    }
    best
}

/// Appends a subtree's nodes, shifting its child indexes by `offset`.
fn append_shifted(nodes: &mut Vec<Node>, sub: Vec<Node>, offset: usize) {
    nodes.extend(sub.into_iter().map(|mut node| {
        if node.feature.is_some() {
            node.left += offset;
            node.right += offset;
        }
        node
    }));
}

/// Numbers the nodes as the sequential loop does: a split node's children side by side at the
/// end of the list, the left subtree finished before the right one starts.
fn renumber(old: Vec<Node>) -> Vec<Node> {
    let mut slots: Vec<Option<Node>> = old.into_iter().map(Some).collect();
    let take = |slots: &mut Vec<Option<Node>>, i: usize| slots[i].take().expect("each node once");
    let mut nodes = vec![take(&mut slots, 0)];
    let mut stack = vec![0usize];
    while let Some(id) = stack.pop() {
        if nodes[id].feature.is_none() {
            continue;
        }
        let (l, r) = (nodes[id].left, nodes[id].right);
        let new_left = nodes.len();
        nodes.push(take(&mut slots, l));
        nodes.push(take(&mut slots, r));
        nodes[id].left = new_left;
        nodes[id].right = new_left + 1;
        stack.push(new_left + 1);
        stack.push(new_left);
    }
    nodes
}
