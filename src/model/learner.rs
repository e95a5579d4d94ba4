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
    /// Support vector machine (RBF kernel, probabilities as libsvm's: cross-validated Platt
    /// scaling, pairs coupled).
    Svm(SvmParams),
}

/// The model kinds: the one list every front-end reads (the command line's values, help and
/// completions, the workbench's form and hints, the comparison's defaults). Adding a kind is a
/// variant here (the compiler then asks for its name, its words, its default [`Learner`] and
/// its [`Estimator`]) plus its own module.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ModelKind {
    Tree,
    Logistic,
    Scorecard,
    Lda,
    Svm,
    Forest,
    Boosting,
}

impl ModelKind {
    /// Every kind, in the order the command line and the comparison list them.
    pub const ALL: [ModelKind; 7] = [
        ModelKind::Tree,
        ModelKind::Logistic,
        ModelKind::Scorecard,
        ModelKind::Lda,
        ModelKind::Svm,
        ModelKind::Forest,
        ModelKind::Boosting,
    ];

    /// The kind's name, as the command line, the registry and the JSON outputs spell it.
    pub const fn name(self) -> &'static str {
        match self {
            ModelKind::Tree => "tree",
            ModelKind::Logistic => "logistic",
            ModelKind::Scorecard => "scorecard",
            ModelKind::Lda => "lda",
            ModelKind::Svm => "svm",
            ModelKind::Forest => "forest",
            ModelKind::Boosting => "boosting",
        }
    }

    /// The kind in words.
    pub const fn description(self) -> &'static str {
        match self {
            ModelKind::Tree => "decision tree",
            ModelKind::Logistic => "logistic regression",
            ModelKind::Scorecard => "points scorecard",
            ModelKind::Lda => "linear discriminant analysis",
            ModelKind::Svm => "support vector machine",
            ModelKind::Forest => "random forest",
            ModelKind::Boosting => "gradient-boosted trees",
        }
    }

    /// The kind with its default settings.
    pub fn learner(self) -> Learner {
        match self {
            ModelKind::Tree => Learner::Tree,
            ModelKind::Logistic => Learner::Logistic { c: 1.0 },
            ModelKind::Scorecard => Learner::Scorecard(ScorecardParams::default()),
            ModelKind::Lda => Learner::Lda,
            ModelKind::Svm => Learner::Svm(SvmParams::default()),
            ModelKind::Forest => Learner::Forest(ForestParams::default()),
            ModelKind::Boosting => Learner::Boosting(BoostParams::default()),
        }
    }

    /// Every kind's name joined by `sep` (`"tree|logistic|..."` for a hint).
    pub fn names(sep: &str) -> String {
        ModelKind::ALL.map(ModelKind::name).join(sep)
    }
}

/// The kinds by their command-line names, in [`ModelKind::ALL`]'s order.
pub const KIND_NAMES: [&str; ModelKind::ALL.len()] = {
    let mut names = [""; ModelKind::ALL.len()];
    let mut i = 0;
    while i < names.len() {
        names[i] = ModelKind::ALL[i].name();
        i += 1;
    }
    names
};

/// A name that is no model kind.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not a model kind; kinds are {kinds}", kinds = ModelKind::names(", "))]
pub struct UnknownKind(pub String);

impl std::str::FromStr for ModelKind {
    type Err = UnknownKind;
    fn from_str(s: &str) -> Result<Self, UnknownKind> {
        let t = s.trim().to_ascii_lowercase();
        ModelKind::ALL
            .into_iter()
            .find(|k| k.name() == t)
            .ok_or_else(|| UnknownKind(s.trim().to_string()))
    }
}

impl std::fmt::Display for ModelKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.name())
    }
}

impl PartialEq<&str> for ModelKind {
    fn eq(&self, other: &&str) -> bool {
        self.name() == *other
    }
}

impl PartialEq<str> for ModelKind {
    fn eq(&self, other: &str) -> bool {
        self.name() == other
    }
}

impl Learner {
    /// The kind of this learner.
    pub fn kind(&self) -> ModelKind {
        match self {
            Learner::Tree => ModelKind::Tree,
            Learner::Logistic { .. } => ModelKind::Logistic,
            Learner::Lda => ModelKind::Lda,
            Learner::Forest(_) => ModelKind::Forest,
            Learner::Boosting(_) => ModelKind::Boosting,
            Learner::Scorecard(_) => ModelKind::Scorecard,
            Learner::Svm(_) => ModelKind::Svm,
        }
    }

    /// The kind named `name` with its default settings.
    pub fn by_name(name: &str) -> Option<Learner> {
        name.parse::<ModelKind>().ok().map(ModelKind::learner)
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
    ) -> Result<Estimator, super::FitError> {
        Ok(match *self {
            Learner::Tree => return Err(super::FitError::TreeIsNoChallenger),
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
    /// The kind of this estimator.
    pub fn kind(&self) -> ModelKind {
        self.learner().kind()
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
                m.validation_log_loss.map_or(String::new(), |l| {
                    if m.params.stopping_folds > 0 {
                        format!(
                            ", rounds by {}-fold cross-validation (held-out log loss {l:.4})",
                            m.params.stopping_folds
                        )
                    } else {
                        format!(", validation log loss {l:.4}")
                    }
                })
            ),
            Estimator::Scorecard(m) => m.summary(),
            Estimator::Svm(m) => m.summary(),
        }
    }
}
