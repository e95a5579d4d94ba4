//! The support vector machine: linfa-svm's C-SVC with a Gaussian (RBF) kernel on the prepared
//! inputs; one machine per pair of classes, whose decision values become probabilities as libsvm
//! makes them (Platt's sigmoid fitted to the decision values of a 5-fold cross-validation on the
//! training rows, and for three classes and more the pairs' chances coupled: see `platt`). The
//! kernel matrix of n training rows takes n x n x 8 bytes, so training uses a stratified sample
//! of at most `max_rows` rows, and the report says so. Models saved before the cross-validated
//! scaling keep theirs (linfa's Platt scaling on the training decision values, one machine per
//! class against the rest) and predict as they did.

use super::platt::{couple, pairs, pairwise, Sigmoid, MIN_PAIRWISE};
use super::FitError;
use crate::analysis::Matrix;
use linfa::dataset::Pr;
use linfa::prelude::*;
use linfa_svm::Svm;
use ndarray::{Array1, Array2, ArrayView1};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// The most training rows a machine may be given: its kernel matrix is then 3.2 GB.
pub const ROW_LIMIT: usize = 20_000;

/// Folds of the cross-validation whose decision values the sigmoids are fitted to (libsvm's 5).
pub const CALIBRATION_FOLDS: usize = 5;

/// Rows up to which the cross-validation's machines are fitted side by side (each holds a
/// kernel matrix of its rows; beyond this, one at a time).
const SIDE_BY_SIDE_ROWS: usize = 5_000;

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SvmParams {
    /// The penalty of a misclassified row (scikit-learn's `C`).
    pub c: f64,
    /// Training rows used at most (a stratified sample beyond it).
    pub max_rows: usize,
    pub seed: u64,
}

impl Default for SvmParams {
    fn default() -> Self {
        SvmParams {
            c: 1.0,
            max_rows: 3_000,
            seed: 42,
        }
    }
}

/// How the machines' decision values become probabilities.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Calibration {
    /// Models saved before the cross-validated scaling: one machine per class against the rest
    /// (one for class 1 of two), each with linfa's sigmoid fitted to its training decision
    /// values, the chances normalised.
    #[default]
    TrainingPlatt,
    /// libsvm's: machine `m` separates class `pairs[m].0` (positive decision values) from class
    /// `pairs[m].1`, and `sigmoids[m]` gives the chance of the first from its decision value.
    CrossValidated {
        pairs: Vec<(usize, usize)>,
        sigmoids: Vec<Sigmoid>,
    },
}

impl Calibration {
    fn is_training_platt(&self) -> bool {
        *self == Calibration::TrainingPlatt
    }
}

/// A fitted support vector machine.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SupportVectors {
    pub params: SvmParams,
    pub n_classes: usize,
    /// The kernel's width: exp(-|x - x'|^2 / width), width = inputs x their variance
    /// (scikit-learn's `gamma="scale"` is its inverse).
    pub width: f64,
    /// Rows the machines were trained on, and the rows offered.
    pub rows_used: usize,
    pub rows_offered: usize,
    /// The machines, in the order of the calibration's pairs.
    pub machines: Vec<Svm<f64, Pr>>,
    /// Absent (so read as the training-values scaling) in models saved before it existed.
    #[serde(default, skip_serializing_if = "Calibration::is_training_platt")]
    pub calibration: Calibration,
}

/// The rows of a stratified sample of at most `max` of `y`'s rows (all of them when fewer).
fn sample(y: &[usize], max: usize, seed: u64) -> Vec<usize> {
    if y.len() <= max {
        return (0..y.len()).collect();
    }
    let keep = max as f64 / y.len() as f64;
    super::split::stratified(y, 1.0 - keep, seed).0
}

/// One C-SVC's settings, for the final machines and the cross-validation's alike.
struct Machine {
    c: f64,
    width: f64,
}

impl Machine {
    fn dataset(
        &self,
        x: &Array2<f64>,
        rows: &[usize],
        labels: &[bool],
    ) -> Dataset<f64, bool, ndarray::Ix1> {
        let records = x.select(ndarray::Axis(0), rows);
        let targets: Array1<bool> = rows.iter().map(|&r| labels[r]).collect();
        Dataset::new(records, targets)
    }

    /// The machine with linfa's own Platt scaling (kept for its saved form).
    fn fit(
        &self,
        x: &Array2<f64>,
        rows: &[usize],
        labels: &[bool],
    ) -> Result<Svm<f64, Pr>, FitError> {
        self.solver::<Pr>()
            .fit(&self.dataset(x, rows, labels))
            .map_err(|e| FitError::Svm(e.to_string()))
    }

    /// linfa's solver with this machine's C and kernel width, for either kind of output.
    fn solver<T>(&self) -> linfa_svm::SvmParams<f64, T> {
        Svm::<f64, T>::params()
            .pos_neg_weights(self.c, self.c)
            .gaussian_kernel(self.width)
            // linfa-svm 0.8.1 overflows a counter while shrinking (solver_smo.rs:655).
            .eps(1e-3)
            .shrinking(false)
    }

    /// The decision values of the `held` rows from a machine fitted on the `fit` rows; a fit
    /// part of one class gives +1 or -1 to every held row, as libsvm does.
    fn held_out(
        &self,
        x: &Array2<f64>,
        fit: &[usize],
        held: &[usize],
        labels: &[bool],
    ) -> Result<Vec<f64>, FitError> {
        let positives = fit.iter().filter(|&&r| labels[r]).count();
        if positives == 0 || positives == fit.len() {
            let v = if positives == 0 { -1.0 } else { 1.0 };
            return Ok(vec![if fit.is_empty() { 0.0 } else { v }; held.len()]);
        }
        let m = self
            .solver::<bool>()
            .fit(&self.dataset(x, fit, labels))
            .map_err(|e| FitError::Svm(e.to_string()))?;
        Ok(held
            .iter()
            .map(|&r| m.weighted_sum(&x.row(r)) - m.rho)
            .collect())
    }
}

/// One pair's rows (of the sample) and their cross-validation folds (stratified).
struct PairJob {
    rows: Vec<usize>,
    folds: Vec<Vec<usize>>,
}

/// A fit's result: a pair's final machine, or one fold's held-out decision values by row.
enum Task {
    Final(Svm<f64, Pr>),
    Held(Vec<(usize, f64)>),
}

impl SupportVectors {
    pub fn fit(
        x: &Matrix,
        y: &[usize],
        n_classes: usize,
        params: SvmParams,
    ) -> Result<SupportVectors, FitError> {
        if !(params.c > 0.0 && params.c.is_finite()) {
            return Err(FitError::SvmC(params.c));
        }
        if params.max_rows > ROW_LIMIT || params.max_rows < 10 {
            return Err(FitError::SvmRows {
                given: params.max_rows,
                max: ROW_LIMIT,
            });
        }
        let rows = sample(y, params.max_rows, params.seed);
        let sub = x.select_rows(&rows);
        let ys: Vec<usize> = rows.iter().map(|&r| y[r]).collect();
        let records = Array2::from_shape_vec((sub.rows, sub.cols), sub.data.clone())
            .map_err(|e| FitError::Svm(e.to_string()))?;
        let n = sub.data.len().max(1) as f64;
        let mean = sub.data.iter().sum::<f64>() / n;
        let var = sub
            .data
            .iter()
            .map(|v| (v - mean) * (v - mean))
            .sum::<f64>()
            / n;
        let width = sub.cols as f64 * if var > 0.0 { var } else { 1.0 };
        let machine = Machine { c: params.c, width };
        // Two classes: one machine, class 1 against class 0; more: one per pair (libsvm's).
        let class_pairs = if n_classes == 2 {
            vec![(1, 0)]
        } else {
            pairs(n_classes)
        };
        let jobs: Vec<PairJob> = class_pairs
            .iter()
            .map(|&(a, b)| {
                let pair_rows: Vec<usize> = (0..ys.len())
                    .filter(|&r| ys[r] == a || ys[r] == b)
                    .collect();
                let pair_y: Vec<usize> = pair_rows.iter().map(|&r| (ys[r] == a) as usize).collect();
                if pair_y.iter().all(|&c| c == 1) || pair_y.iter().all(|&c| c == 0) {
                    return Err(FitError::SvmOneClass);
                }
                let folds = super::split::stratified_folds(&pair_y, CALIBRATION_FOLDS, params.seed)
                    .into_iter()
                    .map(|f| f.into_iter().map(|i| pair_rows[i]).collect())
                    .collect();
                Ok(PairJob {
                    rows: pair_rows,
                    folds,
                })
            })
            .collect::<Result<_, _>>()?;
        let labels: Vec<Vec<bool>> = class_pairs
            .iter()
            .map(|&(a, _)| ys.iter().map(|&c| c == a).collect())
            .collect();
        // Every pair's final machine and its folds' machines: independent fits.
        let tasks: Vec<(usize, Option<usize>)> = (0..jobs.len())
            .flat_map(|m| {
                std::iter::once((m, None)).chain((0..CALIBRATION_FOLDS).map(move |f| (m, Some(f))))
            })
            .collect();
        let run = |&(m, fold): &(usize, Option<usize>)| -> Result<Task, FitError> {
            let job = &jobs[m];
            match fold {
                None => machine
                    .fit(&records, &job.rows, &labels[m])
                    .map(Task::Final),
                Some(f) => {
                    let held = &job.folds[f];
                    let fit: Vec<usize> = job
                        .folds
                        .iter()
                        .enumerate()
                        .filter(|&(g, _)| g != f)
                        .flat_map(|(_, rows)| rows.iter().copied())
                        .collect();
                    machine
                        .held_out(&records, &fit, held, &labels[m])
                        .map(|values| Task::Held(held.iter().copied().zip(values).collect()))
                }
            }
        };
        let done: Vec<Task> = if rows.len() <= SIDE_BY_SIDE_ROWS {
            tasks.par_iter().map(run).collect::<Result<_, _>>()
        } else {
            tasks.iter().map(run).collect::<Result<_, _>>()
        }?;
        let mut machines = Vec::with_capacity(jobs.len());
        let mut sigmoids = Vec::with_capacity(jobs.len());
        let mut done = done.into_iter();
        for (m, job) in jobs.iter().enumerate() {
            let mut decision = vec![0.0; ys.len()];
            for task in done.by_ref().take(1 + CALIBRATION_FOLDS) {
                match task {
                    Task::Final(svm) => machines.push(svm),
                    Task::Held(values) => values.into_iter().for_each(|(r, v)| decision[r] = v),
                }
            }
            let values: Vec<f64> = job.rows.iter().map(|&r| decision[r]).collect();
            let positive: Vec<bool> = job.rows.iter().map(|&r| labels[m][r]).collect();
            sigmoids.push(Sigmoid::fit(&values, &positive));
        }
        Ok(SupportVectors {
            params,
            n_classes,
            width,
            rows_used: rows.len(),
            rows_offered: y.len(),
            machines,
            calibration: Calibration::CrossValidated {
                pairs: class_pairs,
                sigmoids,
            },
        })
    }

    pub fn predict_proba_row(&self, row: &[f64]) -> Vec<f64> {
        let view = ArrayView1::from(row);
        let Calibration::CrossValidated { sigmoids, .. } = &self.calibration else {
            return self.training_platt(view);
        };
        let chances: Vec<f64> = self
            .machines
            .iter()
            .zip(sigmoids)
            .map(|(m, s)| s.chance(m.weighted_sum(&view) - m.rho))
            .collect();
        if self.n_classes == 2 {
            let p1 = chances[0].clamp(MIN_PAIRWISE, 1.0 - MIN_PAIRWISE);
            return vec![1.0 - p1, p1];
        }
        couple(&pairwise(self.n_classes, &chances))
    }

    /// The chances of a model saved before the cross-validated scaling, as it gave them.
    fn training_platt(&self, view: ArrayView1<f64>) -> Vec<f64> {
        let scores: Vec<f64> = self
            .machines
            .iter()
            .map(|m| *m.predict(view) as f64)
            .collect();
        if self.n_classes == 2 {
            return vec![1.0 - scores[0], scores[0]];
        }
        let total: f64 = scores.iter().sum();
        if total > 0.0 {
            scores.iter().map(|s| s / total).collect()
        } else {
            vec![1.0 / self.n_classes as f64; self.n_classes]
        }
    }

    /// Each input's effect on the chance of class `positive`: the chance for the row less the
    /// chance with that input at the training mean (0 after standardization).
    pub fn contributions(&self, row: &[f64], positive: usize) -> Vec<f64> {
        let p = self.predict_proba_row(row)[positive];
        let mut moved = row.to_vec();
        (0..row.len())
            .map(|j| {
                moved[j] = 0.0;
                let q = self.predict_proba_row(&moved)[positive];
                moved[j] = row[j];
                p - q
            })
            .collect()
    }

    pub fn support_vectors(&self) -> usize {
        self.machines.iter().map(|m| m.nsupport()).sum()
    }

    pub fn summary(&self) -> String {
        let sample = if self.rows_used < self.rows_offered {
            format!(
                "trained on a stratified sample of {} of the {} training rows (the kernel \
                 matrix grows with the square of the rows)",
                self.rows_used, self.rows_offered
            )
        } else {
            format!("trained on all {} training rows", self.rows_used)
        };
        let scaling = match self.calibration {
            Calibration::TrainingPlatt => "Platt-scaled on the training decision values",
            Calibration::CrossValidated { .. } if self.n_classes == 2 => {
                "Platt-scaled on 5-fold cross-validated decision values"
            }
            Calibration::CrossValidated { .. } => {
                "Platt-scaled on 5-fold cross-validated decision values, pairs coupled"
            }
        };
        format!(
            "{} machine(s), RBF kernel (gamma {:.4}), C = {}, {} support vectors; {sample}; \
             probabilities {scaling}",
            self.machines.len(),
            1.0 / self.width,
            self.params.c,
            self.support_vectors()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn separates_two_clouds_and_samples_large_data() {
        let mut rows = Vec::new();
        let mut y = Vec::new();
        let mut rng = crate::analysis::rng::Rng::new(7);
        for i in 0..400 {
            let c = i % 2;
            let centre = if c == 1 { 1.5 } else { -1.5 };
            rows.push(vec![centre + rng.normal(), centre + rng.normal()]);
            y.push(c);
        }
        let x = Matrix::from_rows(&rows);
        let params = SvmParams {
            max_rows: 100,
            ..SvmParams::default()
        };
        let m = SupportVectors::fit(&x, &y, 2, params).unwrap();
        assert_eq!((m.rows_used, m.rows_offered), (100, 400));
        assert!(m.summary().contains("sample of 100 of the 400"));
        assert!(m.predict_proba_row(&[2.0, 2.0])[1] > 0.9);
        assert!(m.predict_proba_row(&[-2.0, -2.0])[1] < 0.1);
        let json = serde_json::to_string(&m).unwrap();
        let back: SupportVectors = serde_json::from_str(&json).unwrap();
        assert_eq!(
            back.predict_proba_row(&[0.3, -0.2]),
            m.predict_proba_row(&[0.3, -0.2])
        );
        // A model saved before the cross-validated scaling (no `calibration`) still loads,
        // predicts with its own scaling and writes back the same text (so its content id holds).
        let mut old = serde_json::to_value(&m).unwrap();
        old.as_object_mut().unwrap().remove("calibration");
        let loaded: SupportVectors = serde_json::from_value(old.clone()).unwrap();
        assert_eq!(loaded.calibration, Calibration::TrainingPlatt);
        assert!(loaded.predict_proba_row(&[2.0, 2.0])[1] > 0.9);
        assert_eq!(serde_json::to_value(&loaded).unwrap(), old);
        assert!(loaded.summary().contains("training decision values"));
        assert!(m.summary().contains("cross-validated"));
        let too_many = SvmParams {
            max_rows: ROW_LIMIT + 1,
            ..params
        };
        assert!(SupportVectors::fit(&x, &y, 2, too_many).is_err());
    }
}
