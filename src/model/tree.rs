//! The decision tree: the LearnID3 recursion over binary threshold predicates `x_j <= theta`,
//! grown on presorted feature orders so that no node rescans the whole training set.
//!
//! Each feature's sample order is sorted once; a node owns the same slice of every order, and a
//! split partitions those slices stably, so a node costs O(features x its samples), not O(all
//! samples). Every node keeps its (weighted) class counts, so the tree gives class probabilities
//! and can be pruned by cost complexity.

use super::criterion::{impurity, split_score};
use super::{ClassWeight, Criterion, ValidTreeParams};
use crate::analysis::Matrix;
use serde::{Deserialize, Serialize};

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

/// The best split of one node.
struct Split {
    feature: usize,
    threshold: f64,
    score: f64,
    n_left: usize,
}

impl Tree {
    /// Grows a tree on `x` (no missing values) and class indexes `y` in `0..n_classes`.
    pub fn fit(params: &ValidTreeParams, x: &Matrix, y: &[usize], n_classes: usize) -> Tree {
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
        // Column-major copy of x: scans read one feature at a time.
        let cols: Vec<Vec<f64>> = (0..x.cols).map(|c| x.column(c)).collect();
        // Each feature's rows in sorted order, with their values and classes beside them, so the
        // split scan reads memory in sequence instead of jumping through the row index.
        let mut orders: Vec<FeatureOrder> = cols
            .iter()
            .map(|col| {
                // (value, row) pairs sorted directly; ties by row keep the stable order.
                let mut pairs: Vec<(f64, u32)> = col
                    .iter()
                    .enumerate()
                    .map(|(i, &v)| (v, i as u32))
                    .collect();
                pairs.sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
                FeatureOrder {
                    val: pairs.iter().map(|p| p.0).collect(),
                    cls: pairs.iter().map(|p| y[p.1 as usize] as u32).collect(),
                    idx: pairs.iter().map(|p| p.1).collect(),
                }
            })
            .collect();
        let mut grower = Grower {
            criterion: p.criterion,
            min_leaf: p.min_samples_leaf,
            min_split: p.min_samples_split,
            max_depth: p.max_depth.unwrap_or(usize::MAX),
            min_decrease: p.min_impurity_decrease,
            class_weight: &class_weight,
            n_classes,
            total_weight: y.iter().map(|&c| class_weight[c]).sum(),
            goes_left: vec![false; n],
            scratch: Vec::with_capacity(n),
            scratch_val: Vec::with_capacity(n),
            scratch_cls: Vec::with_capacity(n),
        };
        let mut nodes: Vec<Node> = Vec::new();
        // (node index, start, end) of work still to do; children are added as nodes are split.
        let mut stack = vec![(0usize, 0usize, n)];
        nodes.push(grower.make_node(&orders, 0, n, 0));
        while let Some((id, start, end)) = stack.pop() {
            let depth = nodes[id].depth;
            let Some(split) = grower.best_split(&orders, &nodes[id], start, end, depth) else {
                continue;
            };
            grower.partition(&mut orders, start, end, &split);
            let mid = start + split.n_left;
            let left = nodes.len();
            nodes.push(grower.make_node(&orders, start, mid, depth + 1));
            nodes.push(grower.make_node(&orders, mid, end, depth + 1));
            let node = &mut nodes[id];
            node.feature = Some(split.feature);
            node.threshold = split.threshold;
            node.left = left;
            node.right = left + 1;
            stack.push((left + 1, mid, end));
            stack.push((left, start, mid));
        }
        Tree {
            nodes,
            n_classes,
            n_features: x.cols,
            criterion: p.criterion,
        }
    }

    /// The leaf a row ends in. A missing value (NaN) follows the child that saw more samples.
    pub fn leaf(&self, row: &[f64]) -> usize {
        self.path(row).last().copied().unwrap_or(0)
    }

    /// The nodes from the root to the row's leaf.
    pub fn path(&self, row: &[f64]) -> Vec<usize> {
        let mut out = vec![0];
        let mut id = 0;
        while let Some(f) = self.nodes[id].feature {
            let node = &self.nodes[id];
            let v = row[f];
            id = if v.is_nan() {
                if self.nodes[node.left].n_samples >= self.nodes[node.right].n_samples {
                    node.left
                } else {
                    node.right
                }
            } else if v <= node.threshold {
                node.left
            } else {
                node.right
            };
            out.push(id);
        }
        out
    }

    pub fn predict_proba_row(&self, row: &[f64]) -> Vec<f64> {
        self.nodes[self.leaf(row)].probabilities()
    }

    pub fn predict_row(&self, row: &[f64]) -> usize {
        self.nodes[self.leaf(row)].majority()
    }

    pub fn predict(&self, x: &Matrix) -> Vec<usize> {
        (0..x.rows).map(|r| self.predict_row(x.row(r))).collect()
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

/// One feature's rows in sorted order within every node's range, with their values and classes.
struct FeatureOrder {
    idx: Vec<u32>,
    val: Vec<f64>,
    cls: Vec<u32>,
}

struct Grower<'a> {
    criterion: Criterion,
    min_leaf: usize,
    min_split: usize,
    max_depth: usize,
    min_decrease: f64,
    class_weight: &'a [f64],
    n_classes: usize,
    total_weight: f64,
    goes_left: Vec<bool>,
    scratch: Vec<u32>,
    scratch_val: Vec<f64>,
    scratch_cls: Vec<u32>,
}

impl Grower<'_> {
    fn make_node(&self, orders: &[FeatureOrder], start: usize, end: usize, depth: usize) -> Node {
        let mut counts = vec![0.0; self.n_classes];
        let classes = orders.first().map(|o| &o.cls[start..end]).unwrap_or(&[]);
        for &c in classes {
            let c = c as usize;
            counts[c] += self.class_weight[c];
        }
        Node {
            feature: None,
            threshold: 0.0,
            left: 0,
            right: 0,
            impurity: impurity(self.criterion, &counts),
            counts,
            n_samples: end - start,
            depth,
        }
    }

    fn best_split(
        &self,
        orders: &[FeatureOrder],
        node: &Node,
        start: usize,
        end: usize,
        depth: usize,
    ) -> Option<Split> {
        let n = end - start;
        let pure = node.counts.iter().filter(|c| **c > 0.0).count() <= 1;
        if pure || n < self.min_split || n < 2 * self.min_leaf || depth >= self.max_depth {
            return None;
        }
        let mut best: Option<Split> = None;
        let mut left = vec![0.0; self.n_classes];
        let mut right = vec![0.0; self.n_classes];
        for (f, o) in orders.iter().enumerate() {
            let vals = &o.val[start..end];
            let classes = &o.cls[start..end];
            if vals[0] == vals[n - 1] {
                continue; // constant here
            }
            left.iter_mut().for_each(|v| *v = 0.0);
            right.copy_from_slice(&node.counts);
            let (mut wl, mut wr) = (0.0, node.counts.iter().sum::<f64>());
            for i in 0..n - 1 {
                let c = classes[i] as usize;
                let w = self.class_weight[c];
                left[c] += w;
                right[c] -= w;
                wl += w;
                wr -= w;
                let n_left = i + 1;
                if n_left < self.min_leaf {
                    continue;
                }
                if n - n_left < self.min_leaf {
                    break;
                }
                let (v, next) = (vals[i], vals[i + 1]);
                if v == next {
                    continue;
                }
                let score = split_score(self.criterion, &left, &right, wl, wr);
                if best.as_ref().is_none_or(|b| score > b.score) {
                    let mut threshold = v / 2.0 + next / 2.0;
                    if threshold == next || !threshold.is_finite() {
                        threshold = v;
                    }
                    best = Some(Split {
                        feature: f,
                        threshold,
                        score,
                        n_left,
                    });
                }
            }
        }
        let split = best?;
        if self.min_decrease > 0.0 {
            let mut l = vec![0.0; self.n_classes];
            for &c in &orders[split.feature].cls[start..start + split.n_left] {
                let c = c as usize;
                l[c] += self.class_weight[c];
            }
            let r: Vec<f64> = node.counts.iter().zip(&l).map(|(a, b)| a - b).collect();
            let (wl, wr): (f64, f64) = (l.iter().sum(), r.iter().sum());
            let wt = wl + wr;
            let decrease = wt / self.total_weight
                * (node.impurity
                    - wl / wt * impurity(self.criterion, &l)
                    - wr / wt * impurity(self.criterion, &r));
            if decrease + 1e-12 < self.min_decrease {
                return None;
            }
        }
        Some(split)
    }

    /// Reorders every feature's slice so that the left child's samples come first, each side in
    /// its sorted order (a stable partition).
    fn partition(&mut self, orders: &mut [FeatureOrder], start: usize, end: usize, split: &Split) {
        let mid = start + split.n_left;
        for &s in &orders[split.feature].idx[start..mid] {
            self.goes_left[s as usize] = true;
        }
        for (f, o) in orders.iter_mut().enumerate() {
            if f == split.feature {
                continue;
            }
            let (idx, val, cls) = (
                &mut o.idx[start..end],
                &mut o.val[start..end],
                &mut o.cls[start..end],
            );
            self.scratch.clear();
            self.scratch_val.clear();
            self.scratch_cls.clear();
            let mut w = 0;
            for i in 0..idx.len() {
                let s = idx[i];
                if self.goes_left[s as usize] {
                    idx[w] = s;
                    val[w] = val[i];
                    cls[w] = cls[i];
                    w += 1;
                } else {
                    self.scratch.push(s);
                    self.scratch_val.push(val[i]);
                    self.scratch_cls.push(cls[i]);
                }
            }
            idx[w..].copy_from_slice(&self.scratch);
            val[w..].copy_from_slice(&self.scratch_val);
            cls[w..].copy_from_slice(&self.scratch_cls);
        }
        for &s in &orders[split.feature].idx[start..mid] {
            self.goes_left[s as usize] = false;
        }
    }
}
