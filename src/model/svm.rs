//! The support vector machine: linfa-svm's C-SVC with a Gaussian (RBF) kernel on the prepared
//! inputs, its decision values Platt-scaled to probabilities; one machine for two classes, one
//! per class against the rest for three (probabilities normalised). The kernel matrix of n
//! training rows takes n x n x 8 bytes, so training uses a stratified sample of at most
//! `max_rows` rows, and the report says so.

use crate::analysis::Matrix;
use linfa::dataset::Pr;
use linfa::prelude::*;
use linfa_svm::Svm;
use ndarray::{Array1, Array2, ArrayView1};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// The most training rows a machine may be given: its kernel matrix is then 3.2 GB.
pub const ROW_LIMIT: usize = 20_000;

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
    /// Two classes: one machine for class 1; more: one per class against the rest.
    pub machines: Vec<Svm<f64, Pr>>,
}

/// The rows of a stratified sample of at most `max` of `y`'s rows (all of them when fewer).
fn sample(y: &[usize], max: usize, seed: u64) -> Vec<usize> {
    if y.len() <= max {
        return (0..y.len()).collect();
    }
    let keep = max as f64 / y.len() as f64;
    super::split::stratified(y, 1.0 - keep, seed).0
}

impl SupportVectors {
    pub fn fit(
        x: &Matrix,
        y: &[usize],
        n_classes: usize,
        params: SvmParams,
    ) -> Result<SupportVectors, super::FitError> {
        use super::FitError;
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
        let targets: Vec<usize> = if n_classes == 2 {
            vec![1]
        } else {
            (0..n_classes).collect()
        };
        let machines = targets
            .par_iter()
            .map(|&k| {
                let labels: Array1<bool> = ys.iter().map(|&c| c == k).collect();
                if labels.iter().all(|b| *b) || labels.iter().all(|b| !*b) {
                    return Err(FitError::SvmOneClass);
                }
                let data = Dataset::new(records.clone(), labels);
                Svm::<f64, Pr>::params()
                    .pos_neg_weights(params.c, params.c)
                    .gaussian_kernel(width)
                    // linfa-svm 0.8.1 overflows a counter while shrinking (solver_smo.rs:655).
                    .eps(1e-3)
                    .shrinking(false)
                    .fit(&data)
                    .map_err(|e| FitError::Svm(e.to_string()))
            })
            .collect::<Result<Vec<_>, FitError>>()?;
        Ok(SupportVectors {
            params,
            n_classes,
            width,
            rows_used: rows.len(),
            rows_offered: y.len(),
            machines,
        })
    }

    pub fn predict_proba_row(&self, row: &[f64]) -> Vec<f64> {
        let view = ArrayView1::from(row);
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
        format!(
            "{} machine(s), RBF kernel (gamma {:.4}), C = {}, {} support vectors; {sample}; \
             probabilities Platt-scaled on the training decision values",
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
        let too_many = SvmParams {
            max_rows: ROW_LIMIT + 1,
            ..params
        };
        assert!(SupportVectors::fit(&x, &y, 2, too_many).is_err());
    }
}
