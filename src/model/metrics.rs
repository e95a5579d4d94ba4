//! Evaluation metrics: confusion matrix, accuracy, precision / recall / F1, one-vs-rest ROC and
//! AUC, the Gini coefficient, KS, the test error Q against the 15% bar, and the majority baseline.

use serde::Serialize;

/// The test error a model must stay under to support decisions (DOMAIN.md).
pub const ACCEPTABLE_TEST_ERROR: f64 = 0.15;

/// Precision, recall and F1 of one class.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq)]
pub struct ClassMetrics {
    pub class: String,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    pub support: usize,
    /// One-vs-rest ROC AUC from the class probability (None when the class is absent or alone).
    pub auc: Option<f64>,
    /// One-vs-rest ROC curve points (false positive rate, true positive rate).
    pub roc: Vec<(f64, f64)>,
}

/// Everything printed about a model on a test set.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq)]
pub struct Evaluation {
    pub classes: Vec<String>,
    /// `confusion[true][predicted]`.
    pub confusion: Vec<Vec<usize>>,
    pub n: usize,
    pub accuracy: f64,
    /// Q = share of wrong predictions.
    pub test_error: f64,
    pub passes_15_percent_bar: bool,
    /// Accuracy of always predicting the training majority class.
    pub majority_baseline: f64,
    pub per_class: Vec<ClassMetrics>,
    pub macro_precision: f64,
    pub macro_recall: f64,
    pub macro_f1: f64,
    /// Binary: the AUC of the positive class; more classes: the mean one-vs-rest AUC.
    pub auc: Option<f64>,
    /// 2 AUC - 1.
    pub gini: Option<f64>,
    /// Kolmogorov-Smirnov statistic of the positive ("bad") class against the rest.
    pub ks: Option<f64>,
    pub positive_class: String,
}

/// The predicted class of a probability row: the most probable (the first on ties).
pub fn argmax(p: &[f64]) -> usize {
    let mut best = 0;
    for (i, x) in p.iter().enumerate() {
        if *x > p[best] {
            best = i;
        }
    }
    best
}

/// ROC AUC by the rank statistic (ties count half), and the ROC curve, of scores for positives.
pub fn roc(scores: &[f64], positive: &[bool]) -> (Option<f64>, Vec<(f64, f64)>, Option<f64>) {
    let n_pos = positive.iter().filter(|p| **p).count();
    let n_neg = positive.len() - n_pos;
    if n_pos == 0 || n_neg == 0 {
        return (None, Vec::new(), None);
    }
    let mut idx: Vec<usize> = (0..scores.len()).collect();
    idx.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]));
    let mut points = vec![(0.0, 0.0)];
    let (mut tp, mut fp) = (0usize, 0usize);
    let mut auc = 0.0;
    let mut ks: f64 = 0.0;
    let mut i = 0;
    while i < idx.len() {
        let s = scores[idx[i]];
        let (tp0, fp0) = (tp, fp);
        while i < idx.len() && scores[idx[i]] == s {
            if positive[idx[i]] {
                tp += 1;
            } else {
                fp += 1;
            }
            i += 1;
        }
        // Trapezoid between the previous point and this one (ties make a diagonal).
        auc += (fp - fp0) as f64 * (tp + tp0) as f64 / 2.0;
        let (fpr, tpr) = (fp as f64 / n_neg as f64, tp as f64 / n_pos as f64);
        ks = ks.max(tpr - fpr);
        points.push((fpr, tpr));
    }
    (Some(auc / (n_pos as f64 * n_neg as f64)), points, Some(ks))
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

/// Evaluates probabilities `proba` (one row per object) against true classes `y`.
/// `positive` is the class read as "bad" for KS and binary AUC; `train_majority` the class a
/// majority-class model would always predict.
pub fn evaluate(
    classes: &[String],
    y: &[usize],
    proba: &[Vec<f64>],
    positive: usize,
    train_majority: usize,
) -> Evaluation {
    let k = classes.len();
    let n = y.len();
    let pred: Vec<usize> = proba.iter().map(|p| argmax(p)).collect();
    let mut confusion = vec![vec![0usize; k]; k];
    for (t, p) in y.iter().zip(&pred) {
        confusion[*t][*p] += 1;
    }
    let correct: usize = (0..k).map(|c| confusion[c][c]).sum();
    let accuracy = ratio(correct, n);
    let mut per_class = Vec::with_capacity(k);
    for c in 0..k {
        let tp = confusion[c][c];
        let predicted: usize = (0..k).map(|t| confusion[t][c]).sum();
        let support: usize = confusion[c].iter().sum();
        let precision = ratio(tp, predicted);
        let recall = ratio(tp, support);
        let f1 = if precision + recall > 0.0 {
            2.0 * precision * recall / (precision + recall)
        } else {
            0.0
        };
        let scores: Vec<f64> = proba.iter().map(|p| p[c]).collect();
        let is_c: Vec<bool> = y.iter().map(|t| *t == c).collect();
        let (auc, roc_points, _) = roc(&scores, &is_c);
        per_class.push(ClassMetrics {
            class: classes[c].clone(),
            precision,
            recall,
            f1,
            support,
            auc,
            roc: roc_points,
        });
    }
    let mean =
        |f: &dyn Fn(&ClassMetrics) -> f64| per_class.iter().map(f).sum::<f64>() / k.max(1) as f64;
    let auc = if k == 2 {
        per_class[positive].auc
    } else {
        let aucs: Vec<f64> = per_class.iter().filter_map(|c| c.auc).collect();
        (!aucs.is_empty()).then(|| aucs.iter().sum::<f64>() / aucs.len() as f64)
    };
    let scores: Vec<f64> = proba.iter().map(|p| p[positive]).collect();
    let is_pos: Vec<bool> = y.iter().map(|t| *t == positive).collect();
    let (_, _, ks) = roc(&scores, &is_pos);
    Evaluation {
        classes: classes.to_vec(),
        n,
        accuracy,
        test_error: 1.0 - accuracy,
        passes_15_percent_bar: 1.0 - accuracy < ACCEPTABLE_TEST_ERROR,
        majority_baseline: ratio(y.iter().filter(|t| **t == train_majority).count(), n),
        macro_precision: mean(&|c| c.precision),
        macro_recall: mean(&|c| c.recall),
        macro_f1: mean(&|c| c.f1),
        auc,
        gini: auc.map(|a| 2.0 * a - 1.0),
        ks,
        positive_class: classes[positive].clone(),
        per_class,
        confusion,
    }
}
