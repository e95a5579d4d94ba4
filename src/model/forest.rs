//! The random forest: trees grown on bootstrap samples of the binned inputs, a random subset
//! of inputs tried at each node, Gini splits, grown in parallel (one tree per task). The class
//! probabilities are the mean of the leaves' class shares; rows a tree did not see give the
//! out-of-bag error.

use super::hist::{Binned, HistTree, MAX_BINS};
use crate::analysis::rng::Rng;
use crate::analysis::Matrix;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// How to grow a forest.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ForestParams {
    pub trees: usize,
    /// Inputs tried at each node; None: the square root of their number (scikit-learn's).
    pub max_features: Option<usize>,
    pub min_samples_leaf: usize,
    pub max_depth: Option<usize>,
    pub seed: u64,
}

impl Default for ForestParams {
    fn default() -> Self {
        ForestParams {
            trees: 100,
            max_features: None,
            min_samples_leaf: 1,
            max_depth: None,
            seed: 42,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Forest {
    pub params: ForestParams,
    pub n_classes: usize,
    pub trees: Vec<HistTree>,
    /// Out-of-bag accuracy (rows with at least one tree that did not see them).
    pub oob_accuracy: Option<f64>,
}

impl Forest {
    pub fn fit(
        x: &Matrix,
        y: &[usize],
        n_classes: usize,
        params: ForestParams,
    ) -> Result<Forest, super::FitError> {
        if params.trees == 0 {
            return Err(super::FitError::NoTrees);
        }
        if x.rows == 0 {
            return Err(super::FitError::NoRows);
        }
        let binned = Binned::fit(x, MAX_BINS);
        let columns: Vec<Vec<f64>> = (0..x.cols).into_par_iter().map(|c| x.column(c)).collect();
        let p = x.cols;
        let mtry = params
            .max_features
            .unwrap_or(((p as f64).sqrt() as usize).max(1))
            .clamp(1, p.max(1));
        let mut root = Rng::new(params.seed);
        let seeds: Vec<u64> = (0..params.trees).map(|_| root.next_u64()).collect();
        let trees: Vec<HistTree> = seeds
            .par_iter()
            .map(|&seed| {
                let counts = bootstrap(x.rows, seed);
                grow(
                    &binned, &columns, y, n_classes, &counts, mtry, &params, seed,
                )
            })
            .collect();
        let oob_accuracy = oob_accuracy(x, y, n_classes, &trees, &seeds);
        Ok(Forest {
            params,
            n_classes,
            trees,
            oob_accuracy,
        })
    }

    pub fn predict_proba_row(&self, row: &[f64]) -> Vec<f64> {
        let mut out = vec![0.0; self.n_classes];
        for t in &self.trees {
            let leaf = t.leaf(row);
            out.iter_mut()
                .zip(t.values(leaf))
                .for_each(|(o, v)| *o += v);
        }
        let n = self.trees.len() as f64;
        out.iter_mut().for_each(|o| *o /= n);
        out
    }

    /// Each input's contribution to the chance of class `positive`, summed along every tree's
    /// path and averaged over the trees (the chances at the roots plus these give the row's).
    pub fn contributions(&self, row: &[f64], positive: usize) -> Vec<f64> {
        let mut out = vec![0.0; row.len()];
        let scale = 1.0 / self.trees.len() as f64;
        for t in &self.trees {
            t.add_contributions(row, positive, scale, &mut out);
        }
        out
    }

    pub fn nodes(&self) -> usize {
        self.trees.iter().map(HistTree::len).sum()
    }
}

/// How many times each row is drawn into a bootstrap sample of the same size.
fn bootstrap(n: usize, seed: u64) -> Vec<u32> {
    let mut rng = Rng::new(seed);
    let mut counts = vec![0u32; n];
    for _ in 0..n {
        counts[(rng.next_u64() % n as u64) as usize] += 1;
    }
    counts
}

fn oob_accuracy(
    x: &Matrix,
    y: &[usize],
    k: usize,
    trees: &[HistTree],
    seeds: &[u64],
) -> Option<f64> {
    let n = x.rows;
    let sums = trees
        .par_iter()
        .zip(seeds)
        .map(|(t, &seed)| {
            let counts = bootstrap(n, seed);
            let mut s = vec![0.0; n * k];
            for r in (0..n).filter(|&r| counts[r] == 0) {
                let leaf = t.leaf(x.row(r));
                s[r * k..(r + 1) * k]
                    .iter_mut()
                    .zip(t.values(leaf))
                    .for_each(|(a, v)| *a += v);
            }
            s
        })
        .reduce(
            || vec![0.0; n * k],
            |mut a, b| {
                a.iter_mut().zip(&b).for_each(|(x, y)| *x += y);
                a
            },
        );
    let (mut seen, mut right) = (0usize, 0usize);
    for r in 0..n {
        let row = &sums[r * k..(r + 1) * k];
        if row.iter().all(|v| *v == 0.0) {
            continue;
        }
        seen += 1;
        right += (super::metrics::argmax(row) == y[r]) as usize;
    }
    (seen > 0).then(|| right as f64 / seen as f64)
}

/// Nodes with fewer rows than this are split on their exact values (sorted), larger ones on
/// the bins: the bins are as good where a node has many rows per bin, and sorting a few rows
/// costs less than scanning 255 bins.
const EXACT_BELOW: usize = 1024;

/// The best split of a node: input, threshold, and score (larger is better).
struct Candidate {
    feature: usize,
    threshold: f64,
    score: f64,
}

/// A node's split search: its rows, their draw counts and classes, and the node's class counts.
struct NodeSearch<'a> {
    rows: &'a [u32],
    counts: &'a [u32],
    y: &'a [usize],
    k: usize,
    node_counts: &'a [f64],
    total: f64,
    min_leaf: usize,
}

impl NodeSearch<'_> {
    /// Scores the split after a run of rows (their class counts in `left`, `n_left` rows).
    fn score(&self, left: &[f64]) -> Option<f64> {
        let wl: f64 = left.iter().sum();
        let wr = self.total - wl;
        if wl <= 0.0 || wr <= 0.0 {
            return None;
        }
        let right: f64 = self
            .node_counts
            .iter()
            .zip(left)
            .map(|(t, l)| (t - l) * (t - l))
            .sum();
        Some(left.iter().map(|c| c * c).sum::<f64>() / wl + right / wr)
    }

    /// On the bins of one input: None when the input is constant in the node.
    fn on_bins(
        &self,
        codes: &[u8],
        thresholds: &[f64],
        hist: &mut [f64],
        f: usize,
    ) -> Option<Option<Candidate>> {
        let (mut lo_bin, mut hi_bin) = (u8::MAX, 0u8);
        for &r in self.rows {
            let b = codes[r as usize];
            lo_bin = lo_bin.min(b);
            hi_bin = hi_bin.max(b);
        }
        if lo_bin == hi_bin {
            return None;
        }
        let k = self.k;
        let width = (hi_bin - lo_bin) as usize + 1;
        let h = &mut hist[..width * (k + 1)];
        h.iter_mut().for_each(|v| *v = 0.0);
        for &r in self.rows {
            let b = (codes[r as usize] - lo_bin) as usize * (k + 1);
            h[b + self.y[r as usize]] += self.counts[r as usize] as f64;
            h[b + k] += 1.0;
        }
        let mut left = vec![0.0; k];
        let mut n_left = 0usize;
        let n = self.rows.len();
        let mut best: Option<Candidate> = None;
        for b in 0..width - 1 {
            let cell = &h[b * (k + 1)..(b + 1) * (k + 1)];
            n_left += cell[k] as usize;
            left.iter_mut().zip(cell).for_each(|(l, v)| *l += v);
            if cell[k] == 0.0 || n_left < self.min_leaf || n - n_left < self.min_leaf {
                continue;
            }
            if let Some(score) = self.score(&left) {
                if best.as_ref().is_none_or(|c| score > c.score) {
                    best = Some(Candidate {
                        feature: f,
                        threshold: thresholds[lo_bin as usize + b],
                        score,
                    });
                }
            }
        }
        Some(best)
    }

    /// On the exact values of one input (sorted): None when it is constant in the node.
    fn on_values(
        &self,
        col: &[f64],
        f: usize,
        buf: &mut Vec<(f64, u32)>,
    ) -> Option<Option<Candidate>> {
        buf.clear();
        buf.extend(self.rows.iter().map(|&r| (col[r as usize], r)));
        buf.sort_unstable_by_key(|p| ordered_key(p.0));
        let n = buf.len();
        if buf[0].0 == buf[n - 1].0 {
            return None;
        }
        let mut left = vec![0.0; self.k];
        let mut best: Option<Candidate> = None;
        for i in 0..n - 1 {
            let r = buf[i].1 as usize;
            left[self.y[r]] += self.counts[r] as f64;
            if buf[i].0 == buf[i + 1].0 || i + 1 < self.min_leaf || n - i - 1 < self.min_leaf {
                continue;
            }
            if let Some(score) = self.score(&left) {
                if best.as_ref().is_none_or(|c| score > c.score) {
                    let (a, b) = (buf[i].0, buf[i + 1].0);
                    let mid = a + (b - a) / 2.0;
                    best = Some(Candidate {
                        feature: f,
                        threshold: if mid < b { mid } else { a },
                        score,
                    });
                }
            }
        }
        Some(best)
    }
}

/// An integer with the order of the float (IEEE 754 total order).
#[inline]
fn ordered_key(v: f64) -> u64 {
    let bits = v.to_bits();
    if bits >> 63 == 1 {
        !bits
    } else {
        bits | (1 << 63)
    }
}

/// Grows one tree on the rows drawn (`counts[r]` times each), depth first.
#[allow(clippy::too_many_arguments)]
fn grow(
    binned: &Binned,
    columns: &[Vec<f64>],
    y: &[usize],
    k: usize,
    counts: &[u32],
    mtry: usize,
    params: &ForestParams,
    seed: u64,
) -> HistTree {
    let mut rng = Rng::new(seed ^ 0x9e37_79b9_7f4a_7c15);
    let mut rows: Vec<u32> = (0..binned.rows as u32)
        .filter(|&r| counts[r as usize] > 0)
        .collect();
    let mut tree = HistTree::new(k);
    let class_counts = |rows: &[u32]| {
        let mut c = vec![0.0; k];
        rows.iter()
            .for_each(|&r| c[y[r as usize]] += counts[r as usize] as f64);
        c
    };
    let shares = |c: &[f64]| {
        let t: f64 = c.iter().sum();
        c.iter().map(|v| v / t).collect::<Vec<f64>>()
    };
    let root_counts = class_counts(&rows);
    tree.push(&shares(&root_counts));
    let max_depth = params.max_depth.unwrap_or(usize::MAX);
    let min_leaf = params.min_samples_leaf.max(1);
    let mut features: Vec<usize> = (0..binned.features()).collect();
    let mut hist = vec![0.0; MAX_BINS * (k + 1)];
    let mut buf = Vec::new();
    let mut scratch: Vec<u32> = Vec::new();
    // (node, rows lo..hi, depth, class counts)
    let mut stack = vec![(0usize, 0usize, rows.len(), 0usize, root_counts)];
    while let Some((node, lo, hi, depth, node_counts)) = stack.pop() {
        let n = hi - lo;
        let nonzero = node_counts.iter().filter(|c| **c > 0.0).count();
        if depth >= max_depth || n < 2 * min_leaf || nonzero < 2 {
            continue;
        }
        let total: f64 = node_counts.iter().sum();
        let search = NodeSearch {
            rows: &rows[lo..hi],
            counts,
            y,
            k,
            node_counts: &node_counts,
            total,
            min_leaf,
        };
        let parent_score = node_counts.iter().map(|c| c * c).sum::<f64>() / total;
        let mut best: Option<Candidate> = None;
        let mut tried = 0;
        // Inputs in a random order; constant ones are not counted (as scikit-learn does).
        for i in 0..features.len() {
            if tried >= mtry && best.is_some() {
                break;
            }
            let j = i + (rng.next_u64() % (features.len() - i) as u64) as usize;
            features.swap(i, j);
            let f = features[i];
            let found = if n < EXACT_BELOW {
                search.on_values(&columns[f], f, &mut buf)
            } else {
                search.on_bins(&binned.codes[f], &binned.thresholds[f], &mut hist, f)
            };
            let Some(candidate) = found else { continue };
            tried += 1;
            if let Some(c) = candidate {
                if best.as_ref().is_none_or(|b| c.score > b.score) {
                    best = Some(c);
                }
            }
        }
        let Some(split) = best.filter(|c| c.score > parent_score + 1e-12 * total) else {
            continue;
        };
        // A stable partition: a node's rows stay ascending, so its scans read the columns
        // front to back.
        let col = &columns[split.feature];
        let slice = &mut rows[lo..hi];
        scratch.clear();
        let mut mid = 0;
        for i in 0..slice.len() {
            let r = slice[i];
            if col[r as usize] <= split.threshold {
                slice[mid] = r;
                mid += 1;
            } else {
                scratch.push(r);
            }
        }
        slice[mid..].copy_from_slice(&scratch);
        let lc = class_counts(&rows[lo..lo + mid]);
        let rc: Vec<f64> = node_counts.iter().zip(&lc).map(|(t, l)| t - l).collect();
        let l = tree.push(&shares(&lc));
        let r = tree.push(&shares(&rc));
        tree.split(node, split.feature, split.threshold, l, r);
        stack.push((r, lo + mid, hi, depth + 1, rc));
        stack.push((l, lo, lo + mid, depth + 1, lc));
    }
    tree
}
