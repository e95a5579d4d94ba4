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
    ) -> Result<Forest, String> {
        if params.trees == 0 {
            return Err("a forest needs at least one tree".into());
        }
        if x.rows == 0 {
            return Err("a forest needs training rows".into());
        }
        let binned = Binned::fit(x, MAX_BINS);
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
                grow(&binned, y, n_classes, &counts, mtry, &params, seed)
            })
            .collect();
        let oob_accuracy = oob_accuracy(&binned, y, n_classes, &trees, &seeds);
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
    binned: &Binned,
    y: &[usize],
    k: usize,
    trees: &[HistTree],
    seeds: &[u64],
) -> Option<f64> {
    let n = binned.rows;
    let sums = trees
        .par_iter()
        .zip(seeds)
        .map(|(t, &seed)| {
            let counts = bootstrap(n, seed);
            let mut s = vec![0.0; n * k];
            for r in (0..n).filter(|&r| counts[r] == 0) {
                let leaf = t.leaf_binned(binned, r);
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

/// The best split of a node on one input: bin, score (larger is better), left counts.
struct Candidate {
    feature: usize,
    bin: u8,
    score: f64,
}

/// Grows one tree on the rows drawn (`counts[r]` times each), depth first.
fn grow(
    binned: &Binned,
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
    let mut hist = vec![0.0; MAX_BINS * k];
    // (node, rows lo..hi, depth, class counts)
    let mut stack = vec![(0usize, 0usize, rows.len(), 0usize, root_counts)];
    while let Some((node, lo, hi, depth, node_counts)) = stack.pop() {
        let n = hi - lo;
        let nonzero = node_counts.iter().filter(|c| **c > 0.0).count();
        if depth >= max_depth || n < 2 * min_leaf || nonzero < 2 {
            continue;
        }
        let total: f64 = node_counts.iter().sum();
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
            let codes = &binned.codes[f];
            let (mut lo_bin, mut hi_bin) = (u8::MAX, 0u8);
            for &r in &rows[lo..hi] {
                let b = codes[r as usize];
                lo_bin = lo_bin.min(b);
                hi_bin = hi_bin.max(b);
            }
            if lo_bin == hi_bin {
                continue;
            }
            tried += 1;
            let width = (hi_bin - lo_bin) as usize + 1;
            let h = &mut hist[..width * k];
            h.iter_mut().for_each(|v| *v = 0.0);
            let mut sizes = [0u32; MAX_BINS];
            for &r in &rows[lo..hi] {
                let b = (codes[r as usize] - lo_bin) as usize;
                h[b * k + y[r as usize]] += counts[r as usize] as f64;
                sizes[b] += 1;
            }
            let mut left = vec![0.0; k];
            let mut n_left = 0usize;
            for b in 0..width - 1 {
                n_left += sizes[b] as usize;
                left.iter_mut()
                    .zip(&h[b * k..(b + 1) * k])
                    .for_each(|(l, v)| *l += v);
                if sizes[b] == 0 || n_left < min_leaf || n - n_left < min_leaf {
                    continue;
                }
                let wl: f64 = left.iter().sum();
                let wr = total - wl;
                if wl <= 0.0 || wr <= 0.0 {
                    continue;
                }
                let score = left.iter().map(|c| c * c).sum::<f64>() / wl
                    + node_counts
                        .iter()
                        .zip(&left)
                        .map(|(t, l)| (t - l) * (t - l))
                        .sum::<f64>()
                        / wr;
                if best.as_ref().is_none_or(|c| score > c.score) {
                    best = Some(Candidate {
                        feature: f,
                        bin: lo_bin + b as u8,
                        score,
                    });
                }
            }
        }
        let Some(split) = best.filter(|c| c.score > parent_score + 1e-12 * total) else {
            continue;
        };
        let codes = &binned.codes[split.feature];
        let slice = &mut rows[lo..hi];
        let mut mid = 0;
        for i in 0..slice.len() {
            if codes[slice[i] as usize] <= split.bin {
                slice.swap(i, mid);
                mid += 1;
            }
        }
        let lc = class_counts(&rows[lo..lo + mid]);
        let rc: Vec<f64> = node_counts.iter().zip(&lc).map(|(t, l)| t - l).collect();
        let l = tree.push(&shares(&lc));
        let r = tree.push(&shares(&rc));
        let threshold = binned.thresholds[split.feature][split.bin as usize];
        tree.split(node, split.feature, split.bin, threshold, l, r);
        stack.push((r, lo + mid, hi, depth + 1, rc));
        stack.push((l, lo, lo + mid, depth + 1, lc));
    }
    tree
}
