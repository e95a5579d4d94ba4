//! Explanations for one object: its path through the tree in the original units, the leaf's class
//! distribution, up to four reasons ranked by how far each step moved it toward its class, and
//! the nearest threshold that would change the class.

use super::learner::Estimator;
use super::pipeline::{Fitted, Pipeline};
use super::wording::SectorMedian;
use super::Tree;
use crate::analysis::Matrix;
use serde::Serialize;

/// One condition on the path.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Step {
    /// The condition in words, e.g. "current_ratio <= 1.024" or "PC1 (debt_ratio +0.44, ...) > 0.31".
    pub condition: String,
    pub variable: String,
    /// The object's value in original units (for a component: its score), and whether it was missing.
    pub value: f64,
    pub was_missing: bool,
    /// The threshold in original units (for a component: in score units).
    pub threshold: f64,
    pub went_left: bool,
    /// Probability of the predicted class before and after this step.
    pub before: f64,
    pub after: f64,
}

/// A threshold whose crossing would change the class.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Counterfactual {
    pub variable: String,
    pub value: f64,
    pub threshold: f64,
    pub new_class: String,
    pub text: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Explanation {
    pub class: String,
    pub probabilities: Vec<(String, f64)>,
    pub path: Vec<Step>,
    /// Up to four conditions that moved the object toward a bad or satisfactory class, strongest first.
    pub reasons: Vec<String>,
    pub nearest_change: Option<Counterfactual>,
    /// For the challengers: every input's contribution toward the class, largest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub contributions: Vec<Contribution>,
}

/// One input's contribution to a challenger's prediction.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Contribution {
    pub variable: String,
    /// The firm's value in original units (for a component: its score).
    pub value: f64,
    pub was_missing: bool,
    /// The training average it is compared with (0 for a component).
    pub average: f64,
    /// Its push toward the predicted class: log-odds (linear models, boosting) or chance (forest).
    pub effect: f64,
}

/// How much of an explanation to build: everything (the path's conditions in words and the
/// nearest change, for a reader), or the class, probabilities and reasons alone (what the
/// scoring service answers; the conditions' words are a good part of a score's time).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detail {
    Full,
    Reasons,
}

fn fmt(x: f64) -> String {
    if x.abs() >= 1000.0 {
        format!("{x:.0}")
    } else {
        format!("{x:.3}")
    }
}

impl Pipeline {
    /// The name of tree input `j`: a feature, or a component with its top loadings in words.
    fn input_name(&self, j: usize) -> String {
        match &self.pca {
            None => self.features[j].clone(),
            Some(stage) => {
                let mut load: Vec<(usize, f64)> = stage
                    .rotation
                    .iter()
                    .enumerate()
                    .map(|(v, r)| (v, r[j]))
                    .collect();
                load.sort_by(|a, b| b.1.abs().total_cmp(&a.1.abs()));
                let top: Vec<String> = load
                    .iter()
                    .take(3)
                    .map(|(v, l)| format!("{} {:+.2}", self.features[*v], l))
                    .collect();
                format!("PC{} ({})", j + 1, top.join(", "))
            }
        }
    }

    /// Tree input `f`'s value and a threshold on it, in original units: the feature's own value
    /// (the training median when missing) and the threshold unscaled; for a component, its score.
    fn original_units(&self, f: usize, threshold: f64, input: &[f64], row: &[f64]) -> (f64, f64) {
        match &self.pca {
            None => (
                if row[f].is_nan() {
                    self.medians[f]
                } else {
                    row[f]
                },
                threshold * self.scaler.sds[f] + self.scaler.means[f],
            ),
            Some(_) => (input[f], threshold),
        }
    }

    /// Explains the prediction for one row given in the original columns (NaN = missing).
    pub fn explain(&self, row: &[f64]) -> Explanation {
        self.explain_with(row, &|_| None)
    }

    /// `explain`, the reasons citing the sector median of an input where `median` knows it.
    pub fn explain_with(&self, row: &[f64], median: SectorMedian) -> Explanation {
        self.explain_detail(row, median, Detail::Full)
    }

    /// `explain_with` to the `detail` asked: with `Detail::Reasons` the path and the nearest
    /// change are left empty; the class, probabilities and reasons are the same.
    pub fn explain_detail(&self, row: &[f64], median: SectorMedian, detail: Detail) -> Explanation {
        let x = Matrix::new(1, row.len(), row.to_vec());
        let z = self.prepare(&x);
        let input = z.row(0).to_vec();
        // A component is no ratio of the firm: no sector median for it.
        let none = |_: &str| None;
        let median: SectorMedian = if self.pca.is_some() { &none } else { median };
        match &self.model {
            Fitted::Tree(t) => self.explain_tree(&t.tree, row, &input, median, detail),
            Fitted::Challenger { estimator } => {
                self.explain_contributions(estimator, row, &input, median)
            }
        }
    }

    /// Whether a prediction of `class` gets reasons (a decline or a referral would cite them).
    fn wants_reasons(&self, class: usize) -> bool {
        !(self.classes[class] == "good"
            || (self.classes.len() == 2 && class != self.positive_class))
    }

    /// A challenger's explanation: its probabilities, and the inputs that moved the firm most
    /// toward its class against a firm at the training means.
    fn explain_contributions(
        &self,
        estimator: &Estimator,
        row: &[f64],
        input: &[f64],
        median: SectorMedian,
    ) -> Explanation {
        let probabilities = estimator.predict_proba_row(input);
        let class = super::metrics::argmax(&probabilities);
        let effects = estimator.contributions(input, class);
        let unit = match estimator {
            Estimator::Forest(_) | Estimator::Svm(_) => "chance",
            _ => "log-odds",
        };
        let value = |j: usize| match &self.pca {
            None if row[j].is_nan() => self.medians[j],
            None => row[j],
            Some(_) => input[j],
        };
        let mut contributions: Vec<Contribution> = effects
            .iter()
            .enumerate()
            .map(|(j, &effect)| {
                let average = self.pca.as_ref().map_or(self.scaler.means[j], |_| 0.0);
                Contribution {
                    variable: self.input_name(j),
                    value: value(j),
                    was_missing: self.pca.is_none() && row[j].is_nan(),
                    average,
                    effect,
                }
            })
            .collect();
        contributions.sort_by(|a, b| b.effect.total_cmp(&a.effect));
        let reasons = if !self.wants_reasons(class) {
            Vec::new()
        } else if let Estimator::Scorecard(card) = estimator {
            self.scorecard_reasons(card, input, &value, median)
        } else {
            contributions
                .iter()
                .filter(|c| c.effect > 0.0)
                .take(4)
                .map(|c| {
                    super::wording::contribution_reason(
                        c,
                        &self.classes[class],
                        unit == "chance",
                        median,
                    )
                })
                .collect()
        };
        Explanation {
            class: self.classes[class].clone(),
            probabilities: self.classes.iter().cloned().zip(probabilities).collect(),
            path: Vec::new(),
            reasons,
            nearest_change: None,
            contributions,
        }
    }

    fn explain_tree(
        &self,
        tree: &Tree,
        row: &[f64],
        input: &[f64],
        median: SectorMedian,
        detail: Detail,
    ) -> Explanation {
        let input = input.to_vec();
        let path = tree.path(&input);
        let leaf = &tree.nodes[*path.last().unwrap_or(&0)];
        let class = leaf.majority();
        let mut steps = Vec::new();
        for w in path.windows(2) {
            let (node, child) = (&tree.nodes[w[0]], w[1]);
            let Some(f) = node.feature else { continue };
            let went_left = child == node.left;
            let (value, threshold) = self.original_units(f, node.threshold, &input, row);
            let was_missing = self.pca.is_none() && row[f].is_nan();
            let name = self.input_name(f);
            let op = if went_left { "<=" } else { ">" };
            let before = node.probabilities()[class];
            let after = tree.nodes[child].probabilities()[class];
            let missing = if was_missing {
                " (missing: training median used)"
            } else {
                ""
            };
            let condition = match detail {
                Detail::Full => format!("{name} = {}{missing} {op} {}", fmt(value), fmt(threshold)),
                // The reasons read the numbers, not these words; the path is not returned.
                Detail::Reasons => String::new(),
            };
            steps.push(Step {
                condition,
                variable: name,
                value,
                was_missing,
                threshold,
                went_left,
                before,
                after,
            });
        }
        let reasons = if self.wants_reasons(class) {
            super::wording::tree_reasons(&steps, &self.classes[class], median)
        } else {
            Vec::new()
        };
        Explanation {
            class: self.classes[class].clone(),
            probabilities: self
                .classes
                .iter()
                .cloned()
                .zip(leaf.probabilities())
                .collect(),
            nearest_change: match detail {
                Detail::Full => self.nearest_change(tree, &input, row, &path, class),
                Detail::Reasons => None,
            },
            path: match detail {
                Detail::Full => steps,
                Detail::Reasons => Vec::new(),
            },
            reasons,
            contributions: Vec::new(),
        }
    }

    /// Among the path's conditions, the one closest to its threshold (in standard deviations)
    /// whose crossing leads to another class.
    fn nearest_change(
        &self,
        tree: &Tree,
        input: &[f64],
        row: &[f64],
        path: &[usize],
        class: usize,
    ) -> Option<Counterfactual> {
        let mut best: Option<(f64, Counterfactual)> = None;
        for &id in &path[..path.len().saturating_sub(1)] {
            let node = &tree.nodes[id];
            let f = node.feature?;
            let mut moved = input.to_vec();
            let eps = 1e-9 * node.threshold.abs().max(1.0);
            moved[f] = if input[f] <= node.threshold {
                node.threshold + eps
            } else {
                node.threshold
            };
            let new_class = tree.predict_row(&moved);
            if new_class == class {
                continue;
            }
            let distance = (input[f] - node.threshold).abs();
            if best.as_ref().is_some_and(|(d, _)| *d <= distance) {
                continue;
            }
            let name = self.input_name(f);
            let (value, threshold) = self.original_units(f, node.threshold, input, row);
            let dir = if input[f] <= node.threshold {
                "above"
            } else {
                "at or below"
            };
            let text = format!(
                "if {name} were {dir} {} (now {}), the class would be {}",
                fmt(threshold),
                fmt(value),
                self.classes[new_class]
            );
            best = Some((
                distance,
                Counterfactual {
                    variable: name,
                    value,
                    threshold,
                    new_class: self.classes[new_class].clone(),
                    text,
                },
            ));
        }
        best.map(|(_, c)| c)
    }
}
