//! Gradient-boosted trees on the binned inputs: log loss (one tree a round for two classes, one
//! per class and round with softmax for more, as LightGBM), trees grown leaf by leaf up to a
//! number of leaves from per-bin gradient and hessian sums (a child's sums are its parent's less
//! its smaller sibling's), shrunk by the learning rate, with early stopping on a validation
//! part of the training rows. Each tree keeps every node's output, so a row's score splits into
//! per-input contributions along its paths.

use super::hist::{Binned, HistTree, MAX_BINS};
use crate::analysis::Matrix;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BoostParams {
    pub rounds: usize,
    pub leaves: usize,
    pub learning_rate: f64,
    pub min_data_in_leaf: usize,
    /// L2 penalty on leaf outputs (LightGBM's lambda_l2).
    pub lambda: f64,
    /// Stop when the validation log loss has not improved for this many rounds (0: never).
    pub early_stopping: usize,
    /// Share of the training rows held out for early stopping.
    pub validation_share: f64,
    pub seed: u64,
}

impl Default for BoostParams {
    fn default() -> Self {
        BoostParams {
            rounds: 100,
            leaves: 31,
            learning_rate: 0.1,
            min_data_in_leaf: 20,
            lambda: 0.0,
            early_stopping: 10,
            validation_share: 0.1,
            seed: 42,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Booster {
    pub params: BoostParams,
    pub n_classes: usize,
    /// The starting raw score of each predictor (log-odds / log of the class shares).
    pub init: Vec<f64>,
    /// `trees[round][predictor]`.
    pub trees: Vec<Vec<HistTree>>,
    /// Validation log loss at the kept round, when early stopping was on.
    pub validation_log_loss: Option<f64>,
}

const MIN_HESSIAN: f64 = 1e-3;

impl Booster {
    pub fn fit(x: &Matrix, y: &[usize], k: usize, params: BoostParams) -> Result<Booster, String> {
        if params.rounds == 0 || params.leaves < 2 {
            return Err("boosting needs at least one round and two leaves a tree".into());
        }
        if !(params.learning_rate > 0.0) {
            return Err("the learning rate must be positive".into());
        }
        let (fit_rows, valid_rows) = if params.early_stopping > 0 {
            let (a, b) = super::split::stratified(y, params.validation_share, params.seed);
            if b.is_empty() || a.is_empty() {
                ((0..x.rows).collect(), Vec::new())
            } else {
                (a, b)
            }
        } else {
            ((0..x.rows).collect(), Vec::new())
        };
        let xf = x.select_rows(&fit_rows);
        let yf: Vec<usize> = fit_rows.iter().map(|&r| y[r]).collect();
        let binned = Binned::fit(&xf, MAX_BINS);
        let xv = x.select_rows(&valid_rows);
        let yv: Vec<usize> = valid_rows.iter().map(|&r| y[r]).collect();
        let m = if k == 2 { 1 } else { k };
        let mut shares = vec![0.0; k];
        yf.iter().for_each(|&c| shares[c] += 1.0);
        shares
            .iter_mut()
            .for_each(|s| *s = (*s / yf.len() as f64).clamp(1e-12, 1.0));
        let init: Vec<f64> = if m == 1 {
            vec![(shares[1] / shares[0]).ln()]
        } else {
            shares.iter().map(|s| s.ln()).collect()
        };
        let n = xf.rows;
        let mut raw: Vec<f64> = (0..n).flat_map(|_| init.clone()).collect();
        let mut raw_valid: Vec<f64> = (0..xv.rows).flat_map(|_| init.clone()).collect();
        let mut grad = vec![vec![0.0; n]; m];
        let mut hess = vec![vec![0.0; n]; m];
        let mut rows: Vec<u32> = (0..n as u32).collect();
        let mut trees = Vec::new();
        let mut best = (f64::INFINITY, 0usize);
        let factor = if m == 1 {
            1.0
        } else {
            k as f64 / (k as f64 - 1.0)
        };
        for round in 0..params.rounds {
            gradients(&raw, &yf, m, factor, &mut grad, &mut hess);
            let mut round_trees = Vec::with_capacity(m);
            for c in 0..m {
                let (tree, leaf_rows) = grow(&binned, &grad[c], &hess[c], &mut rows, &params);
                for (leaf, lo, hi) in leaf_rows {
                    let v = tree.values(leaf)[0];
                    for &r in &rows[lo..hi] {
                        raw[r as usize * m + c] += v;
                    }
                }
                for r in 0..xv.rows {
                    raw_valid[r * m + c] += tree.values(tree.leaf(xv.row(r)))[0];
                }
                round_trees.push(tree);
            }
            trees.push(round_trees);
            if !yv.is_empty() {
                let loss = log_loss(&raw_valid, &yv, m);
                if loss < best.0 - 1e-12 {
                    best = (loss, round + 1);
                } else if round + 1 - best.1 >= params.early_stopping {
                    break;
                }
            }
        }
        let validation_log_loss = (!yv.is_empty()).then(|| {
            trees.truncate(best.1.max(1));
            best.0
        });
        Ok(Booster {
            params,
            n_classes: k,
            init,
            trees,
            validation_log_loss,
        })
    }

    fn raw(&self, row: &[f64]) -> Vec<f64> {
        let mut raw = self.init.clone();
        for round in &self.trees {
            for (c, t) in round.iter().enumerate() {
                raw[c] += t.values(t.leaf(row))[0];
            }
        }
        raw
    }

    pub fn predict_proba_row(&self, row: &[f64]) -> Vec<f64> {
        probabilities(&self.raw(row), self.n_classes)
    }

    /// Each input's contribution to the log-odds of class `positive` against the rest (for
    /// three classes and more: its raw score less the others' mean), summed along the paths.
    pub fn contributions(&self, row: &[f64], positive: usize) -> Vec<f64> {
        let m = self.init.len();
        let mut per = vec![vec![0.0; row.len()]; m];
        for round in &self.trees {
            for (c, t) in round.iter().enumerate() {
                t.add_contributions(row, 0, 1.0, &mut per[c]);
            }
        }
        if m == 1 {
            let sign = if positive == 1 { 1.0 } else { -1.0 };
            return per[0].iter().map(|v| sign * v).collect();
        }
        (0..row.len())
            .map(|j| {
                let others: f64 = (0..m).filter(|&c| c != positive).map(|c| per[c][j]).sum();
                per[positive][j] - others / (m - 1) as f64
            })
            .collect()
    }

    pub fn nodes(&self) -> usize {
        self.trees.iter().flatten().map(HistTree::len).sum()
    }
}

fn probabilities(raw: &[f64], k: usize) -> Vec<f64> {
    if k == 2 {
        let p1 = 1.0 / (1.0 + (-raw[0]).exp());
        return vec![1.0 - p1, p1];
    }
    let max = raw.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let e: Vec<f64> = raw.iter().map(|v| (v - max).exp()).collect();
    let s: f64 = e.iter().sum();
    e.iter().map(|v| v / s).collect()
}

fn log_loss(raw: &[f64], y: &[usize], m: usize) -> f64 {
    let k = if m == 1 { 2 } else { m };
    let total: f64 = y
        .iter()
        .enumerate()
        .map(|(r, &c)| {
            -probabilities(&raw[r * m..(r + 1) * m], k)[c]
                .max(1e-15)
                .ln()
        })
        .sum();
    total / y.len() as f64
}

fn gradients(
    raw: &[f64],
    y: &[usize],
    m: usize,
    factor: f64,
    g: &mut [Vec<f64>],
    h: &mut [Vec<f64>],
) {
    let k = if m == 1 { 2 } else { m };
    for (r, &c) in y.iter().enumerate() {
        let p = probabilities(&raw[r * m..(r + 1) * m], k);
        if m == 1 {
            g[0][r] = p[1] - (c == 1) as u8 as f64;
            h[0][r] = (p[1] * (1.0 - p[1])).max(1e-16);
        } else {
            for j in 0..m {
                g[j][r] = p[j] - (c == j) as u8 as f64;
                h[j][r] = (factor * p[j] * (1.0 - p[j])).max(1e-16);
            }
        }
    }
}

/// Per-bin sums of one leaf: for input f and bin b, `[g, h, count]` at `(f * MAX_BINS + b) * 3`.
type Histogram = Vec<f64>;

struct Best {
    gain: f64,
    feature: usize,
    bin: u8,
}

struct Leaf {
    node: usize,
    lo: usize,
    hi: usize,
    g: f64,
    h: f64,
    hist: Histogram,
    best: Option<Best>,
}

fn build_histogram(binned: &Binned, g: &[f64], h: &[f64], rows: &[u32]) -> Histogram {
    let p = binned.features();
    let mut hist = vec![0.0; p * MAX_BINS * 3];
    let gh: Vec<(f64, f64)> = rows
        .iter()
        .map(|&r| (g[r as usize], h[r as usize]))
        .collect();
    let fill = |f: usize, out: &mut [f64]| {
        let codes = &binned.codes[f];
        for (&r, &(gr, hr)) in rows.iter().zip(&gh) {
            let b = codes[r as usize] as usize * 3;
            out[b] += gr;
            out[b + 1] += hr;
            out[b + 2] += 1.0;
        }
    };
    if rows.len() >= 4096 {
        hist.par_chunks_mut(MAX_BINS * 3)
            .enumerate()
            .for_each(|(f, out)| fill(f, out));
    } else {
        hist.chunks_mut(MAX_BINS * 3)
            .enumerate()
            .for_each(|(f, out)| fill(f, out));
    }
    hist
}

fn score(g: f64, h: f64, lambda: f64) -> f64 {
    g * g / (h + lambda)
}

fn best_split(binned: &Binned, leaf: &Leaf, params: &BoostParams) -> Option<Best> {
    let n = (leaf.hi - leaf.lo) as f64;
    let min_data = params.min_data_in_leaf.max(1) as f64;
    if n < 2.0 * min_data {
        return None;
    }
    let parent = score(leaf.g, leaf.h, params.lambda);
    let mut best: Option<Best> = None;
    for f in 0..binned.features() {
        let bins = binned.thresholds[f].len();
        let hist = &leaf.hist[f * MAX_BINS * 3..];
        let (mut gl, mut hl, mut cl) = (0.0, 0.0, 0.0);
        for b in 0..bins {
            gl += hist[b * 3];
            hl += hist[b * 3 + 1];
            cl += hist[b * 3 + 2];
            let cr = n - cl;
            if cl < min_data {
                continue;
            }
            if cr < min_data {
                break;
            }
            let hr = leaf.h - hl;
            if hl < MIN_HESSIAN || hr < MIN_HESSIAN {
                continue;
            }
            let gain =
                score(gl, hl, params.lambda) + score(leaf.g - gl, hr, params.lambda) - parent;
            if gain > 1e-12 && best.as_ref().is_none_or(|x| gain > x.gain) {
                best = Some(Best {
                    gain,
                    feature: f,
                    bin: b as u8,
                });
            }
        }
    }
    best
}

/// Grows one tree leaf by leaf; returns it and each leaf's node and rows (`rows[lo..hi]`).
fn grow(
    binned: &Binned,
    g: &[f64],
    h: &[f64],
    rows: &mut [u32],
    params: &BoostParams,
) -> (HistTree, Vec<(usize, usize, usize)>) {
    let output = |gs: f64, hs: f64| -gs / (hs + params.lambda) * params.learning_rate;
    let mut tree = HistTree::new(1);
    let (gs, hs) = rows.iter().fold((0.0, 0.0), |(a, b), &r| {
        (a + g[r as usize], b + h[r as usize])
    });
    let root = tree.push(&[output(gs, hs)]);
    let mut root_leaf = Leaf {
        node: root,
        lo: 0,
        hi: rows.len(),
        g: gs,
        h: hs,
        hist: build_histogram(binned, g, h, rows),
        best: None,
    };
    root_leaf.best = best_split(binned, &root_leaf, params);
    let mut leaves = vec![root_leaf];
    while leaves.len() < params.leaves {
        let Some(pick) = (0..leaves.len())
            .filter(|&i| leaves[i].best.is_some())
            .max_by(|&a, &b| {
                let ga = leaves[a].best.as_ref().map_or(0.0, |x| x.gain);
                let gb = leaves[b].best.as_ref().map_or(0.0, |x| x.gain);
                ga.total_cmp(&gb).then(b.cmp(&a))
            })
        else {
            break;
        };
        let parent = leaves.swap_remove(pick);
        let Some(split) = parent.best.as_ref() else {
            break;
        };
        let (f, bin) = (split.feature, split.bin);
        let codes = &binned.codes[f];
        let slice = &mut rows[parent.lo..parent.hi];
        let mut mid = 0;
        for i in 0..slice.len() {
            if codes[slice[i] as usize] <= bin {
                slice.swap(i, mid);
                mid += 1;
            }
        }
        let (llo, lhi, rlo, rhi) = (parent.lo, parent.lo + mid, parent.lo + mid, parent.hi);
        let left_small = lhi - llo <= rhi - rlo;
        let (slo, shi) = if left_small { (llo, lhi) } else { (rlo, rhi) };
        let small_hist = build_histogram(binned, g, h, &rows[slo..shi]);
        let mut large_hist = parent.hist;
        large_hist
            .iter_mut()
            .zip(&small_hist)
            .for_each(|(a, b)| *a -= b);
        let (gsm, hsm) = rows[slo..shi].iter().fold((0.0, 0.0), |(a, b), &r| {
            (a + g[r as usize], b + h[r as usize])
        });
        let (gl, hl) = if left_small {
            (gsm, hsm)
        } else {
            (parent.g - gsm, parent.h - hsm)
        };
        let (gr, hr) = (parent.g - gl, parent.h - hl);
        let l = tree.push(&[output(gl, hl)]);
        let r = tree.push(&[output(gr, hr)]);
        tree.split(
            parent.node,
            f,
            bin,
            binned.thresholds[f][bin as usize],
            l,
            r,
        );
        let (lh, rh) = if left_small {
            (small_hist, large_hist)
        } else {
            (large_hist, small_hist)
        };
        for (node, lo, hi, gsum, hsum, hist) in
            [(l, llo, lhi, gl, hl, lh), (r, rlo, rhi, gr, hr, rh)]
        {
            let mut leaf = Leaf {
                node,
                lo,
                hi,
                g: gsum,
                h: hsum,
                hist,
                best: None,
            };
            leaf.best = best_split(binned, &leaf, params);
            leaves.push(leaf);
        }
    }
    let spans = leaves.iter().map(|l| (l.node, l.lo, l.hi)).collect();
    (tree, spans)
}
