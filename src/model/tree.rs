//! The decision tree: nodes with class counts, prediction, paths and importances. Growth (the
//! LearnID3 recursion on presorted feature orders) is in `grow.rs`.
//!
//! Every node keeps its (weighted) class counts, so the tree gives class probabilities and can
//! be pruned by cost complexity.

use super::grow::{class_bits, Grower, Order, FAST_CLASSES, PARALLEL_MIN_SAMPLES};
use super::grow_bins::{Bins, MAX_BINS};
use super::presort::sorted_pairs;
use super::{ClassWeight, Criterion, ValidTreeParams};
use crate::analysis::Matrix;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::sync::atomic::AtomicBool;

/// One node. A leaf has no feature.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Node {
    pub feature: Option<usize>,
    pub threshold: f64,
    pub left: usize,
    pub right: usize,
    /// Weighted class counts of the training samples that reached the node.
    pub counts: Vec<f64>,
    pub n_samples: usize,
    pub impurity: f64,
    pub depth: usize,
}

impl Node {
    pub fn is_leaf(&self) -> bool {
        self.feature.is_none()
    }

    /// The class with the largest count (the first on ties).
    pub fn majority(&self) -> usize {
        argmax(&self.counts)
    }

    /// Class probabilities: the normalised counts.
    pub fn probabilities(&self) -> Vec<f64> {
        let n: f64 = self.counts.iter().sum();
        self.counts
            .iter()
            .map(|c| if n > 0.0 { c / n } else { 0.0 })
            .collect()
    }
}

fn argmax(v: &[f64]) -> usize {
    let mut best = 0;
    for (i, x) in v.iter().enumerate() {
        if *x > v[best] {
            best = i;
        }
    }
    best
}

/// A fitted tree. Node 0 is the root.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tree {
    pub nodes: Vec<Node>,
    pub n_classes: usize,
    pub n_features: usize,
    pub criterion: Criterion,
}

impl Tree {
    /// Grows a tree on `x` (no missing values) and class indexes `y` in `0..n_classes`.
    pub fn fit(params: &ValidTreeParams, x: &Matrix, y: &[usize], n_classes: usize) -> Tree {
        Tree::fit_with(params, x, y, n_classes, PARALLEL_MIN_SAMPLES, MAX_BINS)
    }

    /// `fit`, with nodes of at least `parallel_min_samples` samples split on several threads
    /// and features of at most `max_bins` distinct values split on histograms where the
    /// integer Gini scan applies (0: none; tests compare the ways).
    fn fit_with(
        params: &ValidTreeParams,
        x: &Matrix,
        y: &[usize],
        n_classes: usize,
        parallel_min_samples: usize,
        max_bins: usize,
    ) -> Tree {
        let p = params.get();
        let n = x.rows;
        assert_eq!(y.len(), n, "one class per row");
        let class_weight: Vec<f64> = match p.class_weight {
            ClassWeight::None => vec![1.0; n_classes],
            ClassWeight::Balanced => {
                let mut counts = vec![0usize; n_classes];
                y.iter().for_each(|&c| counts[c] += 1);
                counts
                    .iter()
                    .map(|&c| {
                        if c > 0 {
                            n as f64 / (n_classes as f64 * c as f64)
                        } else {
                            0.0
                        }
                    })
                    .collect()
            }
        };
        // Each feature's rows in sorted order, with their value ranks and classes beside them
        // (one key each), so the split scan reads memory in sequence instead of jumping through
        // the row index; and each feature's distinct values, which the ranks index.
        let class_bits = class_bits(n_classes);
        assert!(
            (n as u64) << class_bits <= 1 << u32::BITS,
            "a tree grows on at most {} rows of {n_classes} classes",
            (1u64 << u32::BITS) >> class_bits
        );
        let (mut orders, distinct): (Vec<FeatureOrder>, Vec<Vec<f64>>) = (0..x.cols)
            .into_par_iter()
            .map(|c| {
                // (value, row) pairs in the value's total order, rows ascending among ties.
                let pairs = sorted_pairs((0..n).map(|r| x.get(r, c)));
                // Equal values (by ==, so -0 and 0 too) share a rank: no split between them.
                let mut distinct: Vec<f64> = Vec::new();
                let (idx, key) = pairs
                    .into_iter()
                    .map(|(v, r)| {
                        if distinct.last() != Some(&v) {
                            distinct.push(v);
                        }
                        (
                            r,
                            ((distinct.len() - 1) as u32) << class_bits | y[r as usize] as u32,
                        )
                    })
                    .unzip();
                (FeatureOrder { idx, key }, distinct)
            })
            .unzip();
        // Features of few values are split on histograms (grow_bins) where the integer Gini
        // scan applies; at least one presorted order stays, to carry each node's rows.
        let binnable = p.criterion == Criterion::Gini
            && n_classes <= FAST_CLASSES
            && class_weight.iter().all(|w| *w == 1.0);
        let mut binned = Vec::new();
        if binnable {
            let few = |f: usize| distinct[f].len() <= max_bins.min(MAX_BINS);
            let keep = (0..x.cols).find(|&f| !few(f)).unwrap_or(0);
            for f in (0..x.cols).rev().filter(|&f| f != keep && few(f)) {
                let order = orders.remove(f);
                let mut bin_of_row = vec![0u32; n];
                for (&r, &k) in order.idx.iter().zip(&order.key) {
                    bin_of_row[r as usize] = k >> class_bits;
                }
                binned.push((f, distinct[f].len(), bin_of_row));
            }
            binned.reverse();
        }
        let presorted: Vec<usize> = (0..x.cols)
            .filter(|f| !binned.iter().any(|(b, _, _)| b == f))
            .collect();
        let bins = Bins::new(n, n_classes, binned);
        let grower = Grower {
            criterion: p.criterion,
            min_leaf: p.min_samples_leaf,
            min_split: p.min_samples_split,
            max_depth: p.max_depth.unwrap_or(usize::MAX),
            min_decrease: p.min_impurity_decrease,
            class_weight: &class_weight,
            n_classes,
            distinct: &distinct,
            class_bits,
            total_weight: y.iter().map(|&c| class_weight[c]).sum(),
            goes_left: (0..n).map(|_| AtomicBool::new(false)).collect(),
            parallel_min_samples,
            scratch_pool: Default::default(),
            bins: Some(&bins),
        };
        let views: Vec<Order> = orders
            .iter_mut()
            .zip(presorted)
            .map(|(o, feature)| Order {
                feature,
                idx: &mut o.idx,
                key: &mut o.key,
            })
            .collect();
        let nodes = grower.grow_tree(views);
        Tree {
            nodes,
            n_classes,
            n_features: x.cols,
            criterion: p.criterion,
        }
    }

    /// The leaf a row ends in. A missing value (NaN) follows the child that saw more samples.
    pub fn leaf(&self, row: &[f64]) -> usize {
        let mut id = 0;
        while let Some(next) = self.child(id, row) {
            id = next;
        }
        id
    }

    /// The nodes from the root to the row's leaf.
    pub fn path(&self, row: &[f64]) -> Vec<usize> {
        let mut out = vec![0];
        while let Some(next) = self.child(*out.last().unwrap_or(&0), row) {
            out.push(next);
        }
        out
    }

    /// The child of node `id` that `row` goes to; None at a leaf.
    #[inline]
    fn child(&self, id: usize, row: &[f64]) -> Option<usize> {
        let node = &self.nodes[id];
        let f = node.feature?;
        let v = row[f];
        Some(if v.is_nan() {
            if self.nodes[node.left].n_samples >= self.nodes[node.right].n_samples {
                node.left
            } else {
                node.right
            }
        } else if v <= node.threshold {
            node.left
        } else {
            node.right
        })
    }

    pub fn predict_proba_row(&self, row: &[f64]) -> Vec<f64> {
        self.nodes[self.leaf(row)].probabilities()
    }

    pub fn predict_row(&self, row: &[f64]) -> usize {
        self.nodes[self.leaf(row)].majority()
    }

    /// The class of every row; large inputs are split across threads.
    pub fn predict(&self, x: &Matrix) -> Vec<usize> {
        let majority: Vec<usize> = self.nodes.iter().map(Node::majority).collect();
        (0..x.rows)
            .into_par_iter()
            .with_min_len(4096)
            .map(|r| majority[self.leaf(x.row(r))])
            .collect()
    }

    pub fn n_leaves(&self) -> usize {
        self.nodes.iter().filter(|n| n.is_leaf()).count()
    }

    pub fn depth(&self) -> usize {
        self.nodes.iter().map(|n| n.depth).max().unwrap_or(0)
    }

    /// Impurity-decrease importance of each feature, normalised to sum to 1 (scikit-learn's
    /// `feature_importances_`): the weighted impurity a node removes, summed by its feature.
    pub fn feature_importances(&self) -> Vec<f64> {
        let mut imp = vec![0.0; self.n_features];
        let w = |n: &Node| n.counts.iter().sum::<f64>();
        for n in &self.nodes {
            if let Some(f) = n.feature {
                let (l, r) = (&self.nodes[n.left], &self.nodes[n.right]);
                imp[f] += w(n) * n.impurity - w(l) * l.impurity - w(r) * r.impurity;
            }
        }
        let total: f64 = imp.iter().sum();
        if total > 0.0 {
            imp.iter_mut().for_each(|v| *v /= total);
        }
        imp
    }
}

/// One feature's rows in sorted order, with their keys (value rank and class) beside them.
struct FeatureOrder {
    idx: Vec<u32>,
    key: Vec<u32>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::rng::Rng;
    use crate::model::TreeParams;

    /// Noisy three-class data, large enough for the parallel growth to take over at the top.
    fn noisy(rows: usize, cols: usize) -> (Matrix, Vec<usize>) {
        let mut rng = Rng::new(7);
        let mut data = Vec::with_capacity(rows * cols);
        let mut y = Vec::with_capacity(rows);
        for _ in 0..rows {
            let class = rng.weighted(&[0.6, 0.25, 0.15]);
            for j in 0..cols {
                let signal = if j % 2 == 0 { class as f64 } else { 0.0 };
                // Rounded, so that ties between values are common.
                data.push(((signal + 2.0 * rng.normal()) * 10.0).round() / 10.0);
            }
            y.push(class);
        }
        (Matrix::new(rows, cols, data), y)
    }

    #[test]
    fn parallel_growth_gives_the_sequential_tree_node_for_node() {
        let (x, y) = noisy(30_000, 6);
        for depth in [None, Some(8)] {
            let params = TreeParams {
                max_depth: depth,
                ..TreeParams::default()
            }
            .check()
            .expect("valid");
            let sequential = Tree::fit_with(&params, &x, &y, 3, usize::MAX, MAX_BINS);
            let parallel = Tree::fit_with(&params, &x, &y, 3, 1024, MAX_BINS);
            assert!(sequential.nodes.len() > 1000 || depth.is_some());
            assert_eq!(sequential, parallel, "depth {depth:?}");
        }
    }

    /// The integer Gini scan (up to 8 classes) and the general one (taken for more classes)
    /// grow the same tree: classes that never occur add nothing to a Gini score.
    #[test]
    fn the_integer_gini_scan_grows_the_general_scans_tree() {
        let (x, y) = noisy(5_000, 5);
        let params = TreeParams::default().check().expect("valid");
        let fast = Tree::fit(&params, &x, &y, 3);
        let general = Tree::fit(&params, &x, &y, 9);
        let shape = |t: &Tree| -> Vec<(Option<usize>, u64, usize, usize, usize)> {
            t.nodes
                .iter()
                .map(|n| {
                    (
                        n.feature,
                        n.threshold.to_bits(),
                        n.left,
                        n.right,
                        n.n_samples,
                    )
                })
                .collect()
        };
        assert!(fast.nodes.len() > 100, "{} nodes", fast.nodes.len());
        assert_eq!(shape(&fast), shape(&general));
    }

    /// Discrete inputs (13 and 6 values, as the skewed generator's) beside continuous ones,
    /// or discrete only (the carrier order is then a discrete input).
    fn discrete(rows: usize, continuous: bool) -> (Matrix, Vec<usize>) {
        let mut rng = Rng::new(11);
        let cols = 4;
        let mut data = Vec::with_capacity(rows * cols);
        let mut y = Vec::with_capacity(rows);
        for _ in 0..rows {
            let class = rng.weighted(&[0.6, 0.25, 0.15]);
            let signal = class as f64;
            data.push(if continuous {
                signal + rng.normal()
            } else {
                (signal + rng.normal()).round()
            });
            data.push((signal + 2.0 * rng.normal()).round().clamp(-6.0, 6.0));
            data.push(
                ((signal + 1.5 + rng.normal()) * 1.6)
                    .floor()
                    .clamp(0.0, 5.0),
            );
            data.push((rng.normal() * 3.0).round().clamp(-6.0, 6.0));
            y.push(class);
        }
        (Matrix::new(rows, cols, data), y)
    }

    /// Splitting inputs of few values on histograms grows the presorted scan's tree: the same
    /// splits, thresholds to the bit and sample counts, sequential and parallel, with leaf
    /// sizes and a minimum decrease that cut some boundaries.
    #[test]
    fn histogram_splits_grow_the_presorted_tree() {
        for continuous in [true, false] {
            let (x, y) = discrete(12_000, continuous);
            for (min_leaf, min_decrease, depth) in [
                (1, 0.0, None),
                (7, 0.0, None),
                (1, 1e-4, None),
                (3, 0.0, Some(5)),
            ] {
                let params = TreeParams {
                    min_samples_leaf: min_leaf,
                    min_impurity_decrease: min_decrease,
                    max_depth: depth,
                    ..TreeParams::default()
                }
                .check()
                .expect("valid");
                let presorted = Tree::fit_with(&params, &x, &y, 3, usize::MAX, 0);
                let case = format!("continuous {continuous}, leaf {min_leaf}, {min_decrease}");
                assert!(
                    presorted.nodes.len() > 40,
                    "{case}: {}",
                    presorted.nodes.len()
                );
                let on = |f: usize| {
                    presorted
                        .nodes
                        .iter()
                        .filter(|n| n.feature == Some(f))
                        .count()
                };
                assert!(
                    on(1) > 0 && on(2) > 0,
                    "{case}: splits on the binned inputs"
                );
                for parallel in [usize::MAX, 1024] {
                    let binned = Tree::fit_with(&params, &x, &y, 3, parallel, MAX_BINS);
                    assert_eq!(presorted, binned, "{case}, parallel from {parallel}");
                }
            }
        }
    }
}
