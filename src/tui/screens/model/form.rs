//! The Model screen's training form: its fields as typed, checked by the same parsers the
//! command line uses (`model::choices`, `RatioSelection`, `KRule`) into the same training
//! request (`ops::train`), with the same defaults (`model::choices::defaults`).

use crate::analysis::dataset::{RatioSelection, YearRule};
use crate::analysis::KRule;
use crate::model::choices::{defaults, AtLeast, Depth, PruneChoice, Share};
use crate::model::learner::ModelKind;
use crate::model::pipeline::FitSpec;
use crate::model::prune::PruneLoss;
use crate::model::{Criterion, TreeParams, TreeParamsError};
use crate::ops::train::{DataChoice, SplitChoice, TrainRequest};
use std::str::FromStr;

/// The training form as typed: every field is text, checked by [`TrainForm::check`].
#[derive(Debug, Clone, PartialEq)]
pub struct TrainForm {
    pub name: String,
    pub ratios: String,
    pub criterion: String,
    pub max_depth: String,
    pub min_samples_leaf: String,
    pub prune: String,
    pub folds: String,
    pub pca: String,
    pub test_share: String,
    pub seed: String,
    pub year_rule: String,
    pub label: String,
    pub kind: String,
}

impl Default for TrainForm {
    fn default() -> Self {
        TrainForm {
            name: "workbench".into(),
            ratios: "all".into(),
            criterion: defaults::CRITERION.into(),
            max_depth: defaults::MAX_DEPTH.to_string(),
            min_samples_leaf: defaults::MIN_SAMPLES_LEAF.to_string(),
            prune: defaults::PRUNE.into(),
            folds: defaults::FOLDS.to_string(),
            pca: "none".into(),
            test_share: defaults::TEST_SHARE.to_string(),
            seed: defaults::SEED.to_string(),
            year_rule: "latest".into(),
            label: "latest".into(),
            kind: ModelKind::Tree.name().into(),
        }
    }
}

/// The form's labels, in field order (the screen draws them; errors name them).
pub const FORM_FIELDS: [&str; 13] = [
    "name",
    "ratios",
    "criterion",
    "max depth",
    "min leaf",
    "prune",
    "folds",
    "pca",
    "test share",
    "seed",
    "year rule",
    "label",
    "kind",
];

/// What each field takes, in field order (shown for the field in focus); the kind's hint is
/// [`field_hint`]'s, made from the list of kinds.
const FIELD_HINTS: [&str; 12] = [
    "the model's name in the registry",
    "ratios all|GROUP|ids, items, factors, attributes|sector|size|region|age, sbs24 (comma list)",
    "criterion gini|entropy|gini-pairs",
    "max depth: a number, or none",
    "fewest rows in a leaf",
    "prune none|cv|ALPHA",
    "folds of the cross-validated pruning (2 or more)",
    "pca none|kaiser|cum:0.90|K",
    "share of rows held out for testing",
    "seed of the split",
    "year rule latest|before-application|all|YEAR",
    "label latest|outcome:H|closure:H|closure3:H|dpd:H (H years after the fiscal year end)",
];

/// What field `i` takes (the field in focus shows it).
pub fn field_hint(i: usize) -> String {
    match FIELD_HINTS.get(i) {
        Some(hint) => hint.to_string(),
        None => format!(
            "kind {} (a challenger with train's default settings)",
            ModelKind::names("|")
        ),
    }
}

/// Parses one field, the error tagged with its index.
fn field<T: FromStr>(i: usize, text: &str) -> std::result::Result<T, (usize, String)>
where
    T::Err: std::fmt::Display,
{
    text.trim().parse::<T>().map_err(|e| (i, e.to_string()))
}

impl TrainForm {
    fn fields(&self) -> [&String; 13] {
        [
            &self.name,
            &self.ratios,
            &self.criterion,
            &self.max_depth,
            &self.min_samples_leaf,
            &self.prune,
            &self.folds,
            &self.pca,
            &self.test_share,
            &self.seed,
            &self.year_rule,
            &self.label,
            &self.kind,
        ]
    }

    pub fn get(&self, i: usize) -> &str {
        self.fields()[i.min(FORM_FIELDS.len() - 1)]
    }

    pub fn get_mut(&mut self, i: usize) -> &mut String {
        match i {
            0 => &mut self.name,
            1 => &mut self.ratios,
            2 => &mut self.criterion,
            3 => &mut self.max_depth,
            4 => &mut self.min_samples_leaf,
            5 => &mut self.prune,
            6 => &mut self.folds,
            7 => &mut self.pca,
            8 => &mut self.test_share,
            9 => &mut self.seed,
            10 => &mut self.year_rule,
            11 => &mut self.label,
            _ => &mut self.kind,
        }
    }

    /// Checks every field with the command line's parsers; the error names the field (its
    /// index and words). The request saves the model under its name, active, and scores.
    pub fn check(&self) -> std::result::Result<TrainRequest, (usize, String)> {
        let name = self.name.trim();
        if name.is_empty() {
            return Err((0, "give the model a name".into()));
        }
        let selection: RatioSelection = field(1, &self.ratios)?;
        let criterion: Criterion = field(2, &self.criterion)?;
        let Depth(max_depth) = field(3, &self.max_depth)?;
        let AtLeast::<1>(min_samples_leaf) = field(4, &self.min_samples_leaf)?;
        let prune: PruneChoice = field(5, &self.prune)?;
        let AtLeast::<2>(folds) = field(6, &self.folds)?;
        let pca = match self.pca.trim() {
            "" | "none" => None,
            t => Some(field::<KRule>(7, t)?),
        };
        let Share(test_share) = field(8, &self.test_share)?;
        let seed = self
            .seed
            .trim()
            .parse::<u64>()
            .map_err(|_| (9, "a whole number".to_string()))?;
        let year_rule: YearRule = field(10, &self.year_rule)?;
        let label: crate::analysis::labels::LabelPolicy = field(11, &self.label)?;
        let learner = field::<ModelKind>(12, &self.kind)?.learner().seeded(seed);
        let params = TreeParams {
            criterion,
            max_depth,
            min_samples_leaf,
            seed,
            ..TreeParams::default()
        };
        params.clone().check().map_err(|e| {
            let field = match e {
                TreeParamsError::MaxDepth => 3,
                TreeParamsError::MinSamplesLeaf(_) => 4,
                TreeParamsError::MinSamplesSplit(_) | TreeParamsError::MinImpurityDecrease(_) => 2,
            };
            (field, e.to_string())
        })?;
        let loss: PruneLoss = defaults::PRUNE_LOSS
            .parse()
            .map_err(|e: crate::model::ChoiceError| (5, e.to_string()))?;
        Ok(TrainRequest {
            data: DataChoice::Ratios {
                selection,
                year_rule,
                label,
            },
            fit: FitSpec {
                params,
                pca,
                prune: if learner == crate::model::learner::Learner::Tree {
                    prune.spec(folds, loss)
                } else {
                    crate::model::pipeline::PruneSpec::None
                },
                learner,
            },
            split: SplitChoice::Stratified { test_share, seed },
            positive: None,
            save_as: Some(name.to_string()),
            trained_by: None,
            export: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::learner::Learner;

    #[test]
    fn the_kind_field_picks_the_challenger_and_names_the_kinds_when_wrong() {
        let mut form = TrainForm {
            kind: "Forest".into(),
            ..TrainForm::default()
        };
        let req = form.check().expect("valid");
        assert!(matches!(req.fit.learner, Learner::Forest(p) if p.seed == defaults::SEED));
        assert_eq!(req.fit.prune, crate::model::pipeline::PruneSpec::None);
        form.kind = "svm".into();
        let req = form.check().expect("valid");
        assert!(matches!(req.fit.learner, Learner::Svm(p) if p.seed == defaults::SEED));
        form.kind = "neural".into();
        let (field, message) = form.check().unwrap_err();
        assert_eq!(FORM_FIELDS[field], "kind");
        assert!(message.contains(&ModelKind::names(", ")), "{message}");
        assert_eq!(
            TrainForm::default().check().unwrap().fit.learner,
            Learner::Tree
        );
        // The hint names every kind, scorecard and svm included.
        let hint = field_hint(FORM_FIELDS.iter().position(|f| *f == "kind").unwrap());
        for k in ModelKind::ALL {
            assert!(hint.contains(k.name()), "{hint}");
        }
    }
}
