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
    pub fn fit(
        x: &Matrix,
        y: &[usize],
        k: usize,
        params: BoostParams,
    ) -> Result<Booster, super::FitError> {
        if params.rounds == 0 || params.leaves < 2 {
            return Err(super::FitError::BoostingSize);
        }
        if params.learning_rate.is_nan() || params.learning_rate <= 0.0 {
            return Err(super::FitError::LearningRate);
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
        let row_codes: Vec<u8> = (0..xf.rows)
            .flat_map(|r| binned.codes.iter().map(move |col| col[r]))
            .collect();
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
        let mut rows: Vec<Vec<u32>> = vec![(0..n as u32).collect(); m];
        let mut trees = Vec::new();
        let mut best = (f64::INFINITY, 0usize);
        let factor = if m == 1 {
            1.0
        } else {
            k as f64 / (k as f64 - 1.0)
        };
        for round in 0..params.rounds {
            gradients(&raw, &yf, m, factor, &mut grad, &mut hess);
            // The classes' trees of a round are independent: grown side by side.
            let grown: Vec<_> = rows
                .par_iter_mut()
                .enumerate()
                .map(|(c, rows)| grow(&binned, &row_codes, &grad[c], &hess[c], rows, &params))
                .collect();
            let mut round_trees = Vec::with_capacity(m);
            for (c, (tree, leaf_rows)) in grown.into_iter().enumerate() {
                let rows = &rows[c];
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
    // Row-major gradients per block of rows, in parallel, then into the per-class columns.
    const ROWS: usize = 4096;
    let blocks: Vec<Vec<(f64, f64)>> = raw
        .par_chunks(ROWS * m)
        .zip(y.par_chunks(ROWS))
        .map(|(raw, y)| {
            let mut out = Vec::with_capacity(y.len() * m);
            let mut p = [0.0f64; 16];
            for (r, &c) in y.iter().enumerate() {
                let z = &raw[r * m..(r + 1) * m];
                if m == 1 {
                    let p1 = 1.0 / (1.0 + (-z[0]).exp());
                    out.push((p1 - (c == 1) as u8 as f64, (p1 * (1.0 - p1)).max(1e-16)));
                    continue;
                }
                let max = z.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                let mut sum = 0.0;
                let mut heap = Vec::new();
                let probs: &mut [f64] = if m <= p.len() {
                    &mut p[..m]
                } else {
                    heap.resize(m, 0.0);
                    &mut heap
                };
                for (q, v) in probs.iter_mut().zip(z) {
                    *q = (v - max).exp();
                    sum += *q;
                }
                for (j, q) in probs.iter().enumerate() {
                    let q = q / sum;
                    out.push((
                        q - (c == j) as u8 as f64,
                        (factor * q * (1.0 - q)).max(1e-16),
                    ));
                }
            }
            out
        })
        .collect();
    let mut r = 0;
    for block in blocks {
        for row in block.chunks_exact(m) {
            for (j, &(gj, hj)) in row.iter().enumerate() {
                g[j][r] = gj;
                h[j][r] = hj;
            }
            r += 1;
        }
    }
}

/// A histogram's cells per input: one for every byte value, so a code indexes its input's
/// cells without a bounds check.
const CELLS: usize = 256;

/// Per-bin sums of one leaf: for input f and bin b, `[g, h]` at `f * CELLS + b`. A
/// bin's row count is estimated from its hessian sum, as LightGBM does (`n * h_bin / h_leaf`).
type Histogram = Vec<[f64; 2]>;

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

/// Rows per partial histogram: fixed, so the sums (and the model) do not depend on the number
/// of threads.
const HISTOGRAM_CHUNK: usize = 8192;

/// The per-bin sums of `rows`, reading each row's codes side by side (`row_codes[r * p + f]`).
fn build_histogram(row_codes: &[u8], p: usize, g: &[f64], h: &[f64], rows: &[u32]) -> Histogram {
    let partial = |part: &[u32]| {
        let mut hist = vec![[0.0f64; 2]; p * CELLS];
        for &r in part {
            let r = r as usize;
            let (gr, hr) = (g[r], h[r]);
            let codes = &row_codes[r * p..(r + 1) * p];
            for (cells, &code) in hist.chunks_exact_mut(CELLS).zip(codes) {
                let cells: &mut [[f64; 2]; CELLS] = cells.try_into().expect("a full input");
                let cell = &mut cells[code as usize];
                cell[0] += gr;
                cell[1] += hr;
            }
        }
        hist
    };
    if rows.len() <= HISTOGRAM_CHUNK {
        return partial(rows);
    }
    let parts: Vec<Histogram> = rows.par_chunks(HISTOGRAM_CHUNK).map(partial).collect();
    let mut iter = parts.into_iter();
    let mut hist = iter.next().unwrap_or_default();
    for part in iter {
        hist.iter_mut().zip(&part).for_each(|(a, b)| {
            a[0] += b[0];
            a[1] += b[1];
        });
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
        let hist = &leaf.hist[f * CELLS..];
        let (mut gl, mut hl) = (0.0, 0.0);
        // The estimated count `round(hl * n / h)` is below min_data exactly when hl is below
        // `(min_data - 0.5) h / n`, and leaves fewer than min_data on the right above the
        // mirror bound: compared in hessian units, no rounding per bin.
        let per_row = leaf.h / n;
        let left_at_least = (min_data - 0.5) * per_row;
        let left_at_most = (n - min_data + 0.5) * per_row;
        for (b, cell) in hist[..bins].iter().enumerate() {
            if cell[1] == 0.0 {
                continue; // an empty bin: the same split as the bin before
            }
            gl += cell[0];
            hl += cell[1];
            if hl < left_at_least {
                continue;
            }
            if hl >= left_at_most {
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
    row_codes: &[u8],
    g: &[f64],
    h: &[f64],
    rows: &mut [u32],
    params: &BoostParams,
) -> (HistTree, Vec<(usize, usize, usize)>) {
    let output = |gs: f64, hs: f64| -gs / (hs + params.lambda) * params.learning_rate;
    rows.iter_mut().enumerate().for_each(|(i, r)| *r = i as u32);
    let mut scratch: Vec<u32> = Vec::with_capacity(rows.len());
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
        hist: build_histogram(row_codes, binned.features(), g, h, rows),
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
        // A stable partition: each leaf's rows stay in ascending order, so the histograms read
        // the row codes front to back.
        let slice = &mut rows[parent.lo..parent.hi];
        scratch.clear();
        let mut mid = 0;
        for i in 0..slice.len() {
            let r = slice[i];
            if codes[r as usize] <= bin {
                slice[mid] = r;
                mid += 1;
            } else {
                scratch.push(r);
            }
        }
        slice[mid..].copy_from_slice(&scratch);
        let (llo, lhi, rlo, rhi) = (parent.lo, parent.lo + mid, parent.lo + mid, parent.hi);
        let left_small = lhi - llo <= rhi - rlo;
        let (slo, shi) = if left_small { (llo, lhi) } else { (rlo, rhi) };
        let small_hist = build_histogram(row_codes, binned.features(), g, h, &rows[slo..shi]);
        let mut large_hist = parent.hist;
        large_hist.iter_mut().zip(&small_hist).for_each(|(a, b)| {
            a[0] -= b[0];
            a[1] -= b[1];
        });
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
        tree.split(parent.node, f, binned.thresholds[f][bin as usize], l, r);
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
