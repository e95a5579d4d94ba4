//! The model kinds: what to fit (the tree, or a challenger with its settings) and the fitted
//! challengers, each giving class probabilities and per-input contributions for prepared rows.

use super::boost::{BoostParams, Booster};
use super::forest::{Forest, ForestParams};
use super::linear::{Lda, Logistic};
use super::scorecard::{Scorecard, ScorecardParams};
use super::svm::{SupportVectors, SvmParams};
use crate::analysis::Matrix;
use serde::{Deserialize, Serialize};

/// What to fit on the prepared inputs.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Learner {
    /// The ID3/CART tree of the fit spec's tree parameters.
    #[default]
    Tree,
    /// L2-regularised logistic regression with inverse strength `c`.
    Logistic {
        c: f64,
    },
    /// Linear discriminant analysis.
    Lda,
    Forest(ForestParams),
    Boosting(BoostParams),
    /// Points scorecard: logistic regression on weight-of-evidence bins, scaled to points.
    Scorecard(ScorecardParams),
    /// Support vector machine (RBF kernel, Platt-scaled probabilities).
    Svm(SvmParams),
}

/// A kind's name in words.
pub fn kind_name(kind: &str) -> &'static str {
    match kind {
        "tree" => "decision tree",
        "logistic" => "logistic regression",
        "lda" => "linear discriminant analysis",
        "forest" => "random forest",
        "boosting" => "gradient-boosted trees",
        "scorecard" => "points scorecard",
        "svm" => "support vector machine",
        _ => "model",
    }
}

/// The kinds by their command-line names.
pub const KIND_NAMES: [&str; 7] = [
    "tree",
    "logistic",
    "scorecard",
    "lda",
    "svm",
    "forest",
    "boosting",
];

impl Learner {
    /// The kind's name, as the command line and the registry spell it.
    pub fn kind(&self) -> &'static str {
        match self {
            Learner::Tree => "tree",
            Learner::Logistic { .. } => "logistic",
            Learner::Lda => "lda",
            Learner::Forest(_) => "forest",
            Learner::Boosting(_) => "boosting",
            Learner::Scorecard(_) => "scorecard",
            Learner::Svm(_) => "svm",
        }
    }

    /// The kind named `name` with its default settings.
    pub fn by_name(name: &str) -> Option<Learner> {
        Some(match name {
            "tree" => Learner::Tree,
            "logistic" => Learner::Logistic { c: 1.0 },
            "lda" => Learner::Lda,
            "forest" => Learner::Forest(ForestParams::default()),
            "boosting" => Learner::Boosting(BoostParams::default()),
            "scorecard" => Learner::Scorecard(ScorecardParams::default()),
            "svm" => Learner::Svm(SvmParams::default()),
            _ => return None,
        })
    }

    /// The same kind and settings with its randomness seeded by `seed` (forest, boosting, SVM).
    pub fn seeded(self, seed: u64) -> Learner {
        match self {
            Learner::Forest(p) => Learner::Forest(ForestParams { seed, ..p }),
            Learner::Boosting(p) => Learner::Boosting(BoostParams { seed, ..p }),
            Learner::Svm(p) => Learner::Svm(SvmParams { seed, ..p }),
            other => other,
        }
    }

    /// Fits a challenger (not the tree, which the pipeline fits with pruning); `bad` is the
    /// class read as bad (the scorecard's target).
    pub fn fit(
        &self,
        x: &Matrix,
        y: &[usize],
        n_classes: usize,
        bad: usize,
    ) -> Result<Estimator, String> {
        Ok(match *self {
            Learner::Tree => return Err("the tree is fitted by the pipeline".into()),
            Learner::Logistic { c } => Estimator::Logistic(Logistic::fit(x, y, n_classes, c)?),
            Learner::Lda => Estimator::Lda(Lda::fit(x, y, n_classes)?),
            Learner::Forest(p) => Estimator::Forest(Forest::fit(x, y, n_classes, p)?),
            Learner::Boosting(p) => Estimator::Boosting(Booster::fit(x, y, n_classes, p)?),
            Learner::Scorecard(p) => Estimator::Scorecard(Scorecard::fit(x, y, n_classes, bad, p)?),
            Learner::Svm(p) => Estimator::Svm(SupportVectors::fit(x, y, n_classes, p)?),
        })
    }
}

/// A fitted challenger.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Estimator {
    Logistic(Logistic),
    Lda(Lda),
    Forest(Forest),
    Boosting(Booster),
    Scorecard(Scorecard),
    Svm(SupportVectors),
}

impl Estimator {
    pub fn kind(&self) -> &'static str {
        match self {
            Estimator::Logistic(_) => "logistic",
            Estimator::Lda(_) => "lda",
            Estimator::Forest(_) => "forest",
            Estimator::Boosting(_) => "boosting",
            Estimator::Scorecard(_) => "scorecard",
            Estimator::Svm(_) => "svm",
        }
    }

    /// The learner (kind and settings) that fits this estimator.
    pub fn learner(&self) -> Learner {
        match self {
            Estimator::Logistic(m) => Learner::Logistic { c: m.c },
            Estimator::Lda(_) => Learner::Lda,
            Estimator::Forest(m) => Learner::Forest(m.params),
            Estimator::Boosting(m) => Learner::Boosting(m.params),
            Estimator::Scorecard(m) => Learner::Scorecard(m.params),
            Estimator::Svm(m) => Learner::Svm(m.params),
        }
    }

    pub fn predict_proba_row(&self, row: &[f64]) -> Vec<f64> {
        match self {
            Estimator::Logistic(m) => m.predict_proba_row(row),
            Estimator::Lda(m) => m.predict_proba_row(row),
            Estimator::Forest(m) => m.predict_proba_row(row),
            Estimator::Boosting(m) => m.predict_proba_row(row),
            Estimator::Scorecard(m) => m.predict_proba_row(row),
            Estimator::Svm(m) => m.predict_proba_row(row),
        }
    }

    /// Each prepared input's contribution toward class `positive` (log-odds for the linear
    /// models and boosting, chance for the forest and the SVM), against a firm at the training
    /// means (linear, SVM), the trees' roots (forest, boosting) or the best bins (scorecard:
    /// its cost in log-odds of bad, whatever the class).
    pub fn contributions(&self, row: &[f64], positive: usize) -> Vec<f64> {
        match self {
            Estimator::Logistic(m) => m.contributions(row, positive),
            Estimator::Lda(m) => m.contributions(row, positive),
            Estimator::Forest(m) => m.contributions(row, positive),
            Estimator::Boosting(m) => m.contributions(row, positive),
            Estimator::Scorecard(m) => m.contributions(row),
            Estimator::Svm(m) => m.contributions(row, positive),
        }
    }

    /// Each of `n` inputs' importance, summing to 1: the share of splits on it (forest,
    /// boosting) or the size of its weight on the log-odds of `positive` (linear models).
    pub fn importances(&self, n: usize, positive: usize) -> Vec<f64> {
        let mut imp = vec![0.0; n];
        let count_splits = |t: &super::hist::HistTree, imp: &mut [f64]| {
            for &f in &t.feature {
                if f != super::hist::LEAF {
                    imp[f as usize] += 1.0;
                }
            }
        };
        match self {
            Estimator::Forest(m) => m.trees.iter().for_each(|t| count_splits(t, &mut imp)),
            Estimator::Boosting(m) => m
                .trees
                .iter()
                .flatten()
                .for_each(|t| count_splits(t, &mut imp)),
            Estimator::Scorecard(m) => imp = m.point_ranges(),
            Estimator::Logistic(_) | Estimator::Lda(_) | Estimator::Svm(_) => {
                let unit = vec![1.0; n];
                imp = self
                    .contributions(&unit, positive)
                    .iter()
                    .map(|v| v.abs())
                    .collect();
            }
        }
        let total: f64 = imp.iter().sum();
        if total > 0.0 {
            imp.iter_mut().for_each(|v| *v /= total);
        }
        imp
    }

    /// A one-line summary of the fitted model's size.
    pub fn summary(&self) -> String {
        match self {
            Estimator::Logistic(m) => format!(
                "{} coefficient set(s), C = {}, {} Newton iterations",
                m.weights.len(),
                m.c,
                m.iterations
            ),
            Estimator::Lda(m) => format!("{} discriminant functions", m.coef.len()),
            Estimator::Forest(m) => format!(
                "{} trees, {} nodes, out-of-bag accuracy {}",
                m.trees.len(),
                m.nodes(),
                m.oob_accuracy
                    .map_or("-".to_string(), |a| format!("{:.1}%", a * 100.0))
            ),
            Estimator::Boosting(m) => format!(
                "{} rounds x {} trees, {} nodes{}",
                m.trees.len(),
                m.init.len(),
                m.nodes(),
                m.validation_log_loss
                    .map_or(String::new(), |l| format!(", validation log loss {l:.4}"))
            ),
            Estimator::Scorecard(m) => m.summary(),
            Estimator::Svm(m) => m.summary(),
        }
    }
}
