//! Models compared on the same data: the figures credit people read of one set of predictions
//! (accuracy, macro recall, AUC, Gini, KS, Brier score and log loss), and the same figures per
//! fold of a stratified k-fold run, with their mean and standard deviation.

use super::metrics::evaluate;
use super::pipeline::{encode_labels, positive_class, FitSpec, Pipeline, TrainError};
use super::split;
use crate::analysis::Dataset;
use serde::Serialize;

/// The figures of one set of predictions.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Default)]
pub struct Figures {
    pub accuracy: f64,
    pub macro_recall: f64,
    /// Binary: the positive class's AUC; three classes and more: the mean one-vs-rest AUC.
    pub auc: f64,
    pub gini: f64,
    /// Kolmogorov-Smirnov of the positive ("bad") class against the rest.
    pub ks: f64,
    /// Brier score of the chance of the positive class against the "is positive" flag.
    pub brier: f64,
    /// Mean negative log of the chance given to the true class (chances floored at 1e-15).
    pub log_loss: f64,
}

impl Figures {
    /// The figures of `proba` (one row per object) against true classes `y`.
    pub fn of(classes: &[String], y: &[usize], proba: &[Vec<f64>], positive: usize) -> Figures {
        let e = evaluate(classes, y, proba, positive, 0);
        let n = y.len().max(1) as f64;
        let brier = y
            .iter()
            .zip(proba)
            .map(|(&c, p)| (p[positive] - f64::from(u8::from(c == positive))).powi(2))
            .sum::<f64>()
            / n;
        let log_loss = y
            .iter()
            .zip(proba)
            .map(|(&c, p)| -p[c].max(1e-15).ln())
            .sum::<f64>()
            / n;
        Figures {
            accuracy: e.accuracy,
            macro_recall: e.macro_recall,
            auc: e.auc.unwrap_or(f64::NAN),
            gini: e.gini.unwrap_or(f64::NAN),
            ks: e.ks.unwrap_or(f64::NAN),
            brier,
            log_loss,
        }
    }

    fn fields(&self) -> [f64; 7] {
        [
            self.accuracy,
            self.macro_recall,
            self.auc,
            self.gini,
            self.ks,
            self.brier,
            self.log_loss,
        ]
    }

    fn from_fields(v: [f64; 7]) -> Figures {
        Figures {
            accuracy: v[0],
            macro_recall: v[1],
            auc: v[2],
            gini: v[3],
            ks: v[4],
            brier: v[5],
            log_loss: v[6],
        }
    }
}

/// The mean and the standard deviation (n - 1) of each figure over the folds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct FoldSummary {
    pub folds: usize,
    pub mean: Figures,
    pub sd: Figures,
}

pub fn summarise(per_fold: &[Figures]) -> FoldSummary {
    let k = per_fold.len().max(1) as f64;
    let mut mean = [0.0; 7];
    for f in per_fold {
        mean.iter_mut()
            .zip(f.fields())
            .for_each(|(m, v)| *m += v / k);
    }
    let mut var = [0.0; 7];
    for f in per_fold {
        var.iter_mut()
            .zip(f.fields().iter().zip(&mean))
            .for_each(|(s, (v, m))| *s += (v - m) * (v - m) / (k - 1.0).max(1.0));
    }
    FoldSummary {
        folds: per_fold.len(),
        mean: Figures::from_fields(mean),
        sd: Figures::from_fields(var.map(f64::sqrt)),
    }
}

/// Each fold's figures of `spec`: stratified folds of the labelled rows (seeded), a pipeline
/// fitted on the other folds predicting the held-out one.
pub fn fold_figures(
    data: &Dataset,
    spec: &FitSpec,
    folds: usize,
    seed: u64,
    positive: Option<&str>,
) -> Result<Vec<Figures>, TrainError> {
    let labels = encode_labels(data)?;
    let positive = positive_class(&labels.classes, &labels.y, positive)?;
    split::check_folds(labels.rows.len(), folds)?;
    let mut y_full = vec![usize::MAX; data.x.rows];
    for (k, &r) in labels.rows.iter().enumerate() {
        y_full[r] = labels.y[k];
    }
    let mut out = Vec::with_capacity(folds);
    for held in split::stratified_folds(&labels.y, folds, seed) {
        let mut is_held = vec![false; labels.rows.len()];
        held.iter().for_each(|&i| is_held[i] = true);
        let train: Vec<usize> = (0..labels.rows.len())
            .filter(|&i| !is_held[i])
            .map(|i| labels.rows[i])
            .collect();
        let (pipeline, _, _) =
            Pipeline::fit(data, &y_full, &labels.classes, positive, &train, spec)?;
        let rows: Vec<usize> = held.iter().map(|&i| labels.rows[i]).collect();
        let proba = pipeline.predict_proba(&data.x.select_rows(&rows));
        let y: Vec<usize> = held.iter().map(|&i| labels.y[i]).collect();
        out.push(Figures::of(&labels.classes, &y, &proba, positive));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_of_a_hand_case() {
        let classes: Vec<String> = ["bad", "good"].iter().map(|s| s.to_string()).collect();
        // Chances of bad 0.9, 0.6, 0.4, 0.2 for bad, good, bad, good.
        let proba = vec![
            vec![0.9, 0.1],
            vec![0.6, 0.4],
            vec![0.4, 0.6],
            vec![0.2, 0.8],
        ];
        let f = Figures::of(&classes, &[0, 1, 0, 1], &proba, 0);
        // Two of four right; AUC 3/4 (bad ranked above good in 3 of 4 pairs).
        assert_eq!(f.accuracy, 0.5);
        assert!((f.auc - 0.75).abs() < 1e-12 && (f.gini - 0.5).abs() < 1e-12);
        // Brier: (0.1^2 + 0.6^2 + 0.6^2 + 0.2^2) / 4 = 0.1925.
        assert!((f.brier - 0.1925).abs() < 1e-12);
        // Log loss: -(ln 0.9 + ln 0.4 + ln 0.4 + ln 0.8) / 4.
        let ll = -(0.9f64.ln() + 0.4f64.ln() + 0.4f64.ln() + 0.8f64.ln()) / 4.0;
        assert!((f.log_loss - ll).abs() < 1e-12);
        let s = summarise(&[f, Figures { accuracy: 0.7, ..f }]);
        assert!((s.mean.accuracy - 0.6).abs() < 1e-12);
        assert!((s.sd.accuracy - (0.02f64).sqrt()).abs() < 1e-12);
    }
}
