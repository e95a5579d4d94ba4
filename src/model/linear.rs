//! Linear models on the prepared (median-filled, standardized) inputs: L2-regularised logistic
//! regression, binary or multinomial, fitted by Newton's method; and linear discriminant
//! analysis with a pooled covariance. Both give class probabilities and each input's
//! contribution to the log-odds of the class read as bad.

use super::linalg::solve_spd;
use super::FitError;
use crate::analysis::Matrix;
use ndarray::ArrayView2;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// A fitted logistic regression. Two classes: one predictor (class 1 against class 0, as
/// scikit-learn); three or more: one predictor per class (softmax).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Logistic {
    /// The inverse regularisation strength (scikit-learn's `C`): the loss is the summed log loss
    /// plus `|w|^2 / (2 C)`; intercepts are not penalised.
    pub c: f64,
    pub n_classes: usize,
    /// `weights[k][j]`: predictor k's weight on input j.
    pub weights: Vec<Vec<f64>>,
    pub intercepts: Vec<f64>,
    /// Newton iterations taken.
    pub iterations: usize,
}

/// Rows per parallel block of the Newton sums.
const BLOCK: usize = 2048;

fn softmax_in_place(eta: &mut [f64]) {
    let max = eta.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mut sum = 0.0;
    for e in eta.iter_mut() {
        *e = (*e - max).exp();
        sum += *e;
    }
    eta.iter_mut().for_each(|e| *e /= sum);
}

/// The sums of one Newton step: objective, gradient and the Hessian's blocks.
struct Sums {
    loss: f64,
    grad: Vec<f64>,
    /// For each pair of predictors k <= l, `sum w_kl x x'` (`d1 x d1`, row-major).
    hess: Vec<f64>,
}

impl Logistic {
    /// Fits on `x` (no missing values) and classes `y` in `0..n_classes`.
    pub fn fit(x: &Matrix, y: &[usize], n_classes: usize, c: f64) -> Result<Logistic, FitError> {
        if !(c > 0.0 && c.is_finite()) {
            return Err(FitError::RegularisationC(c));
        }
        let m = if n_classes == 2 { 1 } else { n_classes };
        let d1 = x.cols + 1;
        // Start from the class shares: intercepts at their log-odds (centred), weights at 0.
        let mut theta = vec![0.0; m * d1];
        let mut shares = vec![0.0; n_classes];
        y.iter().for_each(|&k| shares[k] += 1.0);
        let logs: Vec<f64> = shares
            .iter()
            .map(|s| (s / y.len().max(1) as f64).max(1e-12).ln())
            .collect();
        if m == 1 {
            theta[d1 - 1] = logs[1] - logs[0];
        } else {
            let mean = logs.iter().sum::<f64>() / m as f64;
            (0..m).for_each(|k| theta[k * d1 + d1 - 1] = logs[k] - mean);
        }
        let mut iterations = 0;
        let mut sums = newton_sums(x, y, &theta, m, true);
        add_penalty(&mut sums, &theta, m, d1, c);
        for _ in 0..100 {
            iterations += 1;
            let h = full_hessian(&sums.hess, m, d1, c);
            let step = solve_spd(&h, &sums.grad);
            let decrement: f64 = step.iter().zip(&sums.grad).map(|(s, g)| s * g).sum();
            // The full step usually passes: its sums come with the Hessian for the next step.
            let mut t = 1.0;
            let mut accepted = None;
            for attempt in 0..40 {
                let trial: Vec<f64> = theta.iter().zip(&step).map(|(a, s)| a - t * s).collect();
                let mut s = newton_sums(x, y, &trial, m, attempt == 0);
                add_penalty(&mut s, &trial, m, d1, c);
                if s.loss <= sums.loss - 1e-4 * t * decrement || t < 1e-9 {
                    accepted = Some((trial, s, attempt == 0));
                    break;
                }
                t *= 0.5;
            }
            let Some((next, next_sums, with_hessian)) = accepted else {
                break;
            };
            let moved = step.iter().map(|s| (t * s).abs()).fold(0.0, f64::max);
            theta = next;
            sums = if with_hessian {
                next_sums
            } else {
                let mut s = newton_sums(x, y, &theta, m, true);
                add_penalty(&mut s, &theta, m, d1, c);
                s
            };
            // Newton converges quadratically: after a step this small the error is its square.
            if moved < 1e-8 * (1.0 + theta.iter().map(|v| v.abs()).fold(0.0, f64::max)) {
                break;
            }
        }
        let weights = (0..m)
            .map(|k| theta[k * d1..k * d1 + x.cols].to_vec())
            .collect();
        let intercepts = (0..m).map(|k| theta[k * d1 + x.cols]).collect();
        Ok(Logistic {
            c,
            n_classes,
            weights,
            intercepts,
            iterations,
        })
    }

    fn linear(&self, row: &[f64]) -> Vec<f64> {
        self.weights
            .iter()
            .zip(&self.intercepts)
            .map(|(w, b)| b + w.iter().zip(row).map(|(a, v)| a * v).sum::<f64>())
            .collect()
    }

    pub fn predict_proba_row(&self, row: &[f64]) -> Vec<f64> {
        let mut eta = self.linear(row);
        if self.n_classes == 2 {
            let p1 = 1.0 / (1.0 + (-eta[0]).exp());
            return vec![1.0 - p1, p1];
        }
        softmax_in_place(&mut eta);
        eta
    }

    /// Each input's contribution to the log-odds of class `positive` against the others, for
    /// this row against a firm at the training means (0 after standardization).
    pub fn contributions(&self, row: &[f64], positive: usize) -> Vec<f64> {
        let direction = log_odds_direction(&self.weights, self.n_classes, positive, None);
        direction.iter().zip(row).map(|(w, v)| w * v).collect()
    }
}

/// The weights on the log-odds of `positive` against the rest: for one binary predictor its
/// weights (negated when class 0 is the positive one); for one predictor per class, the
/// positive class's weights less the others' mean (weighted by `priors` when given).
fn log_odds_direction(
    weights: &[Vec<f64>],
    n_classes: usize,
    positive: usize,
    priors: Option<&[f64]>,
) -> Vec<f64> {
    if n_classes == 2 && weights.len() == 1 {
        let sign = if positive == 1 { 1.0 } else { -1.0 };
        return weights[0].iter().map(|w| sign * w).collect();
    }
    let others: Vec<usize> = (0..weights.len()).filter(|&k| k != positive).collect();
    let share = |k: usize| priors.map_or(1.0, |p| p[k]);
    let total: f64 = others.iter().map(|&k| share(k)).sum();
    (0..weights[positive].len())
        .map(|j| {
            weights[positive][j]
                - others
                    .iter()
                    .map(|&k| share(k) * weights[k][j])
                    .sum::<f64>()
                    / total
        })
        .collect()
}

/// The L2 penalty on the weights; with one predictor per class also `(sum_k b_k)^2 / 2` on
/// the intercepts. The log loss does not change when every intercept moves by the same amount,
/// so that term changes no probability: it picks the centred intercepts and keeps the Hessian
/// positive definite (Newton then converges in a handful of steps).
fn add_penalty(s: &mut Sums, theta: &[f64], m: usize, d1: usize, c: f64) {
    for k in 0..m {
        for j in 0..d1 - 1 {
            let w = theta[k * d1 + j];
            s.loss += w * w / (2.0 * c);
            s.grad[k * d1 + j] += w / c;
        }
    }
    if m > 1 {
        let sum: f64 = (0..m).map(|k| theta[k * d1 + d1 - 1]).sum();
        s.loss += sum * sum / 2.0;
        (0..m).for_each(|k| s.grad[k * d1 + d1 - 1] += sum);
    }
}

/// The dense Hessian (row-major, `m d1 x m d1`) from the pair blocks, with the penalty.
fn full_hessian(blocks: &[f64], m: usize, d1: usize, c: f64) -> Vec<f64> {
    let n = m * d1;
    let mut h = vec![0.0; n * n];
    let mut pair = 0;
    for k in 0..m {
        for l in k..m {
            let b = &blocks[pair * d1 * d1..(pair + 1) * d1 * d1];
            for j in 0..d1 {
                for q in 0..d1 {
                    let v = b[j * d1 + q];
                    h[(k * d1 + j) * n + l * d1 + q] = v;
                    h[(l * d1 + q) * n + k * d1 + j] = v;
                }
            }
            pair += 1;
        }
    }
    for k in 0..m {
        for j in 0..d1 - 1 {
            let i = k * d1 + j;
            h[i * n + i] += 1.0 / c;
        }
    }
    if m > 1 {
        for k in 0..m {
            for l in 0..m {
                h[(k * d1 + d1 - 1) * n + l * d1 + d1 - 1] += 1.0;
            }
        }
    }
    h
}

/// Log loss, gradient and (when asked) Hessian blocks of the unpenalised objective at `theta`.
fn newton_sums(x: &Matrix, y: &[usize], theta: &[f64], m: usize, hessian: bool) -> Sums {
    let p = x.cols;
    let d1 = p + 1;
    let pairs = m * (m + 1) / 2;
    let empty = || Sums {
        loss: 0.0,
        grad: vec![0.0; m * d1],
        hess: if hessian {
            vec![0.0; pairs * d1 * d1]
        } else {
            Vec::new()
        },
    };
    let starts: Vec<usize> = (0..x.rows).step_by(BLOCK).collect();
    starts
        .par_iter()
        .map(|&start| {
            let mut s = empty();
            let mut xr = vec![0.0; d1];
            let mut eta = vec![0.0; m.max(2)];
            let mut resid = vec![0.0; m];
            let mut prob = vec![0.0; m];
            let mut xs = if hessian {
                vec![0.0; BLOCK * d1]
            } else {
                Vec::new()
            };
            let mut ws = if hessian {
                vec![0.0; BLOCK * pairs * d1]
            } else {
                Vec::new()
            };
            for r in start..(start + BLOCK).min(x.rows) {
                xr[..p].copy_from_slice(x.row(r));
                xr[p] = 1.0;
                // Probabilities and residuals of each predictor.
                if m == 1 {
                    let e: f64 = theta.iter().zip(&xr).map(|(a, v)| a * v).sum();
                    let p1 = 1.0 / (1.0 + (-e).exp());
                    let yi = (y[r] == 1) as u8 as f64;
                    // log(1 + exp(-e)) or log(1 + exp(e)), computed stably.
                    let z = if yi == 1.0 { -e } else { e };
                    s.loss += if z > 0.0 {
                        z + (-z).exp().ln_1p()
                    } else {
                        z.exp().ln_1p()
                    };
                    prob[0] = p1;
                    resid[0] = p1 - yi;
                } else {
                    for k in 0..m {
                        eta[k] = theta[k * d1..(k + 1) * d1]
                            .iter()
                            .zip(&xr)
                            .map(|(a, v)| a * v)
                            .sum();
                    }
                    let max = eta[..m].iter().copied().fold(f64::NEG_INFINITY, f64::max);
                    let lse = max + eta[..m].iter().map(|e| (e - max).exp()).sum::<f64>().ln();
                    s.loss += lse - eta[y[r]];
                    for k in 0..m {
                        prob[k] = (eta[k] - lse).exp();
                        resid[k] = prob[k] - (y[r] == k) as u8 as f64;
                    }
                }
                for (g, rk) in s.grad.chunks_exact_mut(d1).zip(&resid) {
                    g.iter_mut().zip(&xr).for_each(|(a, v)| *a += rk * v);
                }
                if hessian {
                    let i = r - start;
                    xs[i * d1..(i + 1) * d1].copy_from_slice(&xr);
                    let mut pair = 0;
                    for k in 0..m {
                        for l in k..m {
                            let w = if m == 1 {
                                prob[0] * (1.0 - prob[0])
                            } else {
                                prob[k] * ((k == l) as u8 as f64 - prob[l])
                            };
                            let out = &mut ws[i * pairs * d1 + pair * d1..][..d1];
                            out.iter_mut().zip(&xr).for_each(|(o, v)| *o = w * v);
                            pair += 1;
                        }
                    }
                }
            }
            if hessian {
                // sum over the block's rows of w_kl x x', for every pair at once: X' (W X).
                let rows = (start + BLOCK).min(x.rows) - start;
                let xb = ArrayView2::from_shape((rows, d1), &xs[..rows * d1]).expect("block shape");
                let wb = ArrayView2::from_shape((rows, pairs * d1), &ws[..rows * pairs * d1])
                    .expect("block shape");
                let hb = xb.t().dot(&wb);
                for pair in 0..pairs {
                    for j in 0..d1 {
                        for q in 0..d1 {
                            s.hess[pair * d1 * d1 + j * d1 + q] += hb[[j, pair * d1 + q]];
                        }
                    }
                }
            }
            s
        })
        .reduce(empty, |mut a, b| {
            a.loss += b.loss;
            a.grad.iter_mut().zip(&b.grad).for_each(|(x, y)| *x += y);
            a.hess.iter_mut().zip(&b.hess).for_each(|(x, y)| *x += y);
            a
        })
}

/// A fitted linear discriminant analysis: class means, priors and the discriminant functions
/// from the pooled within-class covariance (divided by n - classes, as scikit-learn's).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Lda {
    pub priors: Vec<f64>,
    pub means: Vec<Vec<f64>>,
    /// `coef[k] = S^-1 mean_k`.
    pub coef: Vec<Vec<f64>>,
    /// `-mean_k' S^-1 mean_k / 2 + ln prior_k`.
    pub intercepts: Vec<f64>,
}

impl Lda {
    pub fn fit(x: &Matrix, y: &[usize], n_classes: usize) -> Result<Lda, FitError> {
        let p = x.cols;
        let n = x.rows;
        if n <= n_classes {
            return Err(FitError::LdaRows {
                rows: n,
                classes: n_classes,
            });
        }
        let mut counts = vec![0usize; n_classes];
        let mut means = vec![vec![0.0; p]; n_classes];
        for r in 0..n {
            counts[y[r]] += 1;
            means[y[r]]
                .iter_mut()
                .zip(x.row(r))
                .for_each(|(m, v)| *m += v);
        }
        for (m, &c) in means.iter_mut().zip(&counts) {
            m.iter_mut().for_each(|v| *v /= c.max(1) as f64);
        }
        let mut cov = vec![0.0; p * p];
        let mut centred = vec![0.0; p];
        for r in 0..n {
            for ((c, v), m) in centred.iter_mut().zip(x.row(r)).zip(&means[y[r]]) {
                *c = v - m;
            }
            for i in 0..p {
                for j in i..p {
                    cov[i * p + j] += centred[i] * centred[j];
                }
            }
        }
        let dof = (n - n_classes) as f64;
        for i in 0..p {
            for j in i..p {
                cov[i * p + j] /= dof;
                cov[j * p + i] = cov[i * p + j];
            }
        }
        let priors: Vec<f64> = counts.iter().map(|&c| c as f64 / n as f64).collect();
        let coef: Vec<Vec<f64>> = means.iter().map(|m| solve_spd(&cov, m)).collect();
        let intercepts = coef
            .iter()
            .zip(&means)
            .zip(&priors)
            .map(|((a, m), pr)| {
                -0.5 * a.iter().zip(m).map(|(x, y)| x * y).sum::<f64>() + pr.max(1e-300).ln()
            })
            .collect();
        Ok(Lda {
            priors,
            means,
            coef,
            intercepts,
        })
    }

    pub fn predict_proba_row(&self, row: &[f64]) -> Vec<f64> {
        let mut eta: Vec<f64> = self
            .coef
            .iter()
            .zip(&self.intercepts)
            .map(|(a, b)| b + a.iter().zip(row).map(|(w, v)| w * v).sum::<f64>())
            .collect();
        softmax_in_place(&mut eta);
        eta
    }

    /// Each input's contribution to the discriminant of `positive` against the others
    /// (weighted by their priors), for this row against a firm at the training means.
    pub fn contributions(&self, row: &[f64], positive: usize) -> Vec<f64> {
        let direction =
            log_odds_direction(&self.coef, self.coef.len(), positive, Some(&self.priors));
        direction.iter().zip(row).map(|(w, v)| w * v).collect()
    }
}
