//! Gradient-boosted trees on the binned inputs: log loss (one tree a round for two classes, one
//! per class and round with softmax for more, as LightGBM), trees grown leaf by leaf up to a
//! number of leaves from per-bin gradient and hessian sums (a child's sums are its parent's less
//! its smaller sibling's), shrunk by the learning rate. Every round is kept by default (as
//! LightGBM's default); on request the rounds stop early on a validation part of the training
//! rows, or their number is chosen by k-fold cross-validation on the training rows and the
//! model refitted on all of them (ADR 0033). Each tree keeps every node's output, so a row's
//! score splits into per-input contributions along its paths.

use super::boost_rows::{set_gh, RowRecords};
use super::boost_tree::grow;
use super::hist::{Binned, HistTree, MAX_BINS};
use crate::analysis::Matrix;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BoostParams {
    /// Rounds: all of them, or at most with a stopping rule.
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
    /// Choose the number of rounds by this many folds of cross-validation on the training rows
    /// (the round of least mean held-out log loss), then refit on all of them (0: never).
    /// Absent from models saved before it existed.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub stopping_folds: usize,
    pub seed: u64,
}

impl BoostParams {
    /// Settings no data can fit with: no rounds, fewer than two leaves, a learning rate not
    /// above 0, both stopping rules at once, or a single stopping fold.
    pub fn check(&self) -> Result<(), super::FitError> {
        use super::FitError;
        if self.rounds == 0 || self.leaves < 2 {
            return Err(FitError::BoostingSize);
        }
        if self.learning_rate.is_nan() || self.learning_rate <= 0.0 {
            return Err(FitError::LearningRate);
        }
        if self.stopping_folds > 0 && self.early_stopping > 0 {
            return Err(FitError::TwoStoppingRules);
        }
        if self.stopping_folds == 1 {
            return Err(FitError::StoppingFolds(super::SplitError::TooFewFolds(1)));
        }
        Ok(())
    }
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

impl Default for BoostParams {
    /// LightGBM's defaults: 100 rounds, all kept (the evidence for keeping them is in ADR 0033).
    fn default() -> Self {
        BoostParams {
            rounds: 100,
            leaves: 31,
            learning_rate: 0.1,
            min_data_in_leaf: 20,
            lambda: 0.0,
            early_stopping: 0,
            validation_share: 0.1,
            stopping_folds: 0,
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
    /// The held-out log loss at the kept round, when a stopping rule chose it: on the
    /// validation part (early stopping) or the mean over the folds (cross-validation).
    pub validation_log_loss: Option<f64>,
}

/// The rounds grown on some rows, with the held-out log loss after each round when rows were
/// held out.
struct Run {
    init: Vec<f64>,
    trees: Vec<Vec<HistTree>>,
    held_out_loss: Vec<f64>,
}

impl Booster {
    pub fn fit(
        x: &Matrix,
        y: &[usize],
        k: usize,
        params: BoostParams,
    ) -> Result<Booster, super::FitError> {
        use super::FitError;
        params.check()?;
        let all: Vec<usize> = (0..x.rows).collect();
        if params.stopping_folds > 0 {
            super::split::check_folds(x.rows, params.stopping_folds)
                .map_err(FitError::StoppingFolds)?;
            let (rounds, loss) = cross_validated_rounds(x, y, k, &params);
            let run = grow_rounds(x, y, &all, &[], k, &BoostParams { rounds, ..params }, 0);
            return Ok(Booster {
                params,
                n_classes: k,
                init: run.init,
                trees: run.trees,
                validation_log_loss: Some(loss),
            });
        }
        let (fit_rows, valid_rows) = if params.early_stopping > 0 {
            let (a, b) = super::split::stratified(y, params.validation_share, params.seed);
            if b.is_empty() || a.is_empty() {
                (all, Vec::new())
            } else {
                (a, b)
            }
        } else {
            (all, Vec::new())
        };
        let mut run = grow_rounds(
            x,
            y,
            &fit_rows,
            &valid_rows,
            k,
            &params,
            params.early_stopping,
        );
        let validation_log_loss = best_round(&run.held_out_loss).map(|(round, loss)| {
            run.trees.truncate(round);
            loss
        });
        Ok(Booster {
            params,
            n_classes: k,
            init: run.init,
            trees: run.trees,
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

/// The round (counted from 1) of least held-out loss, the first if tied within 1e-12, and that
/// loss; `None` when nothing was held out.
fn best_round(losses: &[f64]) -> Option<(usize, f64)> {
    let mut best: Option<(usize, f64)> = None;
    for (i, &loss) in losses.iter().enumerate() {
        if best.is_none_or(|(_, b)| loss < b - 1e-12) {
            best = Some((i + 1, loss));
        }
    }
    best
}

/// The number of rounds of least mean held-out log loss over `params.stopping_folds`
/// stratified folds of the rows (each fold's model grown to every round), and that loss.
fn cross_validated_rounds(x: &Matrix, y: &[usize], k: usize, params: &BoostParams) -> (usize, f64) {
    let folds = super::split::stratified_folds(y, params.stopping_folds, params.seed);
    let per_fold: Vec<Vec<f64>> = folds
        .par_iter()
        .map(|held| {
            let mut fit = Vec::with_capacity(x.rows - held.len());
            let mut next = held.iter().peekable();
            for r in 0..x.rows {
                if next.peek() == Some(&&r) {
                    next.next();
                } else {
                    fit.push(r);
                }
            }
            grow_rounds(x, y, &fit, held, k, params, 0).held_out_loss
        })
        .collect();
    let mean: Vec<f64> = (0..params.rounds)
        .map(|round| per_fold.iter().map(|l| l[round]).sum::<f64>() / per_fold.len() as f64)
        .collect();
    best_round(&mean).unwrap_or((params.rounds, f64::NAN))
}

/// Grows up to `params.rounds` rounds on the `fit` rows, recording the log loss on the `held`
/// rows after each; with `patience` > 0, stops once that loss has not improved for so many
/// rounds.
fn grow_rounds(
    x: &Matrix,
    y: &[usize],
    fit: &[usize],
    held: &[usize],
    k: usize,
    params: &BoostParams,
    patience: usize,
) -> Run {
    let xf = x.select_rows(fit);
    let yf: Vec<usize> = fit.iter().map(|&r| y[r]).collect();
    let binned = Binned::fit(&xf, MAX_BINS);
    let xv = x.select_rows(held);
    let yv: Vec<usize> = held.iter().map(|&r| y[r]).collect();
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
    let mut records: Vec<RowRecords> = (0..m).map(|_| RowRecords::new(&binned)).collect();
    let mut rows: Vec<Vec<u32>> = vec![(0..n as u32).collect(); m];
    let mut trees = Vec::new();
    let mut held_out_loss = Vec::new();
    let mut best = (f64::INFINITY, 0usize);
    let factor = if m == 1 {
        1.0
    } else {
        k as f64 / (k as f64 - 1.0)
    };
    for round in 0..params.rounds {
        gradients(&raw, &yf, m, factor, &mut records);
        // The classes' trees of a round are independent: grown side by side.
        let grown: Vec<_> = rows
            .par_iter_mut()
            .enumerate()
            .map(|(c, rows)| grow(&binned, &records[c], rows, params))
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
            held_out_loss.push(loss);
            if loss < best.0 - 1e-12 {
                best = (loss, round + 1);
            } else if patience > 0 && round + 1 - best.1 >= patience {
                break;
            }
        }
    }
    Run {
        init,
        trees,
        held_out_loss,
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

/// Each row's gradient and hessian of the log loss for each predictor, written into its
/// record for predictor c (`records[c]`), blocks of rows in parallel.
fn gradients(raw: &[f64], y: &[usize], m: usize, factor: f64, records: &mut [RowRecords]) {
    const ROWS: usize = 4096;
    let stride = records.first().map_or(0, RowRecords::stride);
    // Each block's part of every predictor's records, so the blocks write side by side.
    let mut blocks: Vec<Vec<&mut [u8]>> = Vec::new();
    for predictor in records.iter_mut() {
        for (b, chunk) in predictor.blocks_mut(ROWS).enumerate() {
            if blocks.len() <= b {
                blocks.push(Vec::with_capacity(m));
            }
            blocks[b].push(chunk);
        }
    }
    blocks
        .into_par_iter()
        .zip(raw.par_chunks(ROWS * m))
        .zip(y.par_chunks(ROWS))
        .for_each(|((mut out, raw), y)| {
            let mut p = vec![0.0f64; m];
            for (r, &c) in y.iter().enumerate() {
                let z = &raw[r * m..(r + 1) * m];
                if m == 1 {
                    let p1 = 1.0 / (1.0 + (-z[0]).exp());
                    let (g, h) = (p1 - (c == 1) as u8 as f64, (p1 * (1.0 - p1)).max(1e-16));
                    set_gh(out[0], stride, r, g, h);
                    continue;
                }
                let max = z.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                let mut sum = 0.0;
                for (q, v) in p.iter_mut().zip(z) {
                    *q = (v - max).exp();
                    sum += *q;
                }
                for (j, q) in p.iter().enumerate() {
                    let q = q / sum;
                    let g = q - (c == j) as u8 as f64;
                    let h = (factor * q * (1.0 - q)).max(1e-16);
                    set_gh(out[j], stride, r, g, h);
                }
            }
        });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_best_round_is_the_first_least_loss() {
        assert_eq!(best_round(&[]), None);
        assert_eq!(best_round(&[0.5, 0.4, 0.4, 0.45]), Some((2, 0.4)));
        assert_eq!(best_round(&[0.3, 0.4]), Some((1, 0.3)));
    }

    #[test]
    fn settings_saved_before_stopping_folds_load_and_write_back_the_same() {
        let old = serde_json::to_value(BoostParams {
            early_stopping: 10,
            ..BoostParams::default()
        })
        .unwrap();
        assert!(old.get("stopping_folds").is_none(), "{old}");
        let back: BoostParams = serde_json::from_value(old.clone()).unwrap();
        assert_eq!((back.early_stopping, back.stopping_folds), (10, 0));
        assert_eq!(serde_json::to_value(back).unwrap(), old);
    }

    #[test]
    fn three_classes_choose_rounds_by_folds() {
        let mut rng = crate::analysis::rng::Rng::new(3);
        let (mut rows, mut y) = (Vec::new(), Vec::new());
        for i in 0..300 {
            let c = i % 3;
            rows.push(vec![c as f64 + rng.normal(), rng.normal()]);
            y.push(c);
        }
        let x = Matrix::from_rows(&rows);
        let params = BoostParams {
            rounds: 30,
            stopping_folds: 3,
            ..BoostParams::default()
        };
        let m = Booster::fit(&x, &y, 3, params).unwrap();
        assert!((1..=30).contains(&m.trees.len()));
        assert!(m.trees.iter().all(|round| round.len() == 3));
        let p = m.predict_proba_row(&[2.5, 0.0]);
        assert!(p[2] > p[0], "{p:?}");
    }
}
