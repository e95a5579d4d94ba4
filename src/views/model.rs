//! The Model screen's facts and its training job: the training form (validated before a job
//! starts), training on the firms' ratios with progress and cancellation between phases, saving
//! and scoring every firm, the models in the store, and feature importances.

use super::scoring::score_all;
use super::{Result, ViewError};
use crate::analysis::dataset::{select_ratios, Dataset};
use crate::analysis::KRule;
use crate::model::pipeline::{train_and_evaluate, FitSpec, PruneSpec, SplitSpec};
use crate::model::prune::PruneLoss;
use crate::model::registry::ModelRecord;
use crate::model::{Criterion, TreeParams};
use crate::store::models::ModelSummary;
use crate::store::Store;
use std::sync::atomic::{AtomicBool, Ordering};

/// The training form as typed: every field is text, checked by [`TrainForm::check`].
#[derive(Debug, Clone, PartialEq)]
pub struct TrainForm {
    pub name: String,
    pub ratios: String,
    pub criterion: String,
    pub max_depth: String,
    pub min_samples_leaf: String,
    pub prune: String,
    pub pca: String,
    pub test_share: String,
    pub seed: String,
}

impl Default for TrainForm {
    fn default() -> Self {
        TrainForm {
            name: "workbench".into(),
            ratios: "all".into(),
            criterion: "gini".into(),
            max_depth: "6".into(),
            min_samples_leaf: "1".into(),
            prune: "cv".into(),
            pca: "none".into(),
            test_share: "0.3".into(),
            seed: "42".into(),
        }
    }
}

/// The form's labels, in field order (the screen draws them; errors name them).
pub const FORM_FIELDS: [&str; 9] = [
    "name",
    "ratios",
    "criterion",
    "max depth",
    "min leaf",
    "prune",
    "pca",
    "test share",
    "seed",
];

/// A checked form: what the job runs.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainJob {
    pub name: String,
    pub ratios: Vec<usize>,
    pub ratio_text: String,
    pub fit: FitSpec,
    pub split: SplitSpec,
}

impl TrainForm {
    pub fn get(&self, i: usize) -> &str {
        [
            &self.name,
            &self.ratios,
            &self.criterion,
            &self.max_depth,
            &self.min_samples_leaf,
            &self.prune,
            &self.pca,
            &self.test_share,
            &self.seed,
        ][i]
    }

    pub fn get_mut(&mut self, i: usize) -> &mut String {
        match i {
            0 => &mut self.name,
            1 => &mut self.ratios,
            2 => &mut self.criterion,
            3 => &mut self.max_depth,
            4 => &mut self.min_samples_leaf,
            5 => &mut self.prune,
            6 => &mut self.pca,
            7 => &mut self.test_share,
            _ => &mut self.seed,
        }
    }

    /// Checks every field; the error names the field (its index and words).
    pub fn check(&self) -> std::result::Result<TrainJob, (usize, String)> {
        let name = self.name.trim();
        if name.is_empty() {
            return Err((0, "give the model a name".into()));
        }
        let ratios = select_ratios(Some(self.ratios.trim())).map_err(|e| (1, e))?;
        let criterion = match self.criterion.trim().to_ascii_lowercase().as_str() {
            "gini" => Criterion::Gini,
            "entropy" => Criterion::Entropy,
            "gini-pairs" | "gini_pairs" => Criterion::GiniPairs,
            other => return Err((2, format!("'{other}': use gini, entropy or gini-pairs"))),
        };
        let max_depth = match self.max_depth.trim() {
            "" | "none" => None,
            t => Some(
                t.parse::<usize>()
                    .map_err(|_| (3, format!("'{t}': a whole number, or none")))?,
            ),
        };
        let min_samples_leaf = self
            .min_samples_leaf
            .trim()
            .parse::<usize>()
            .map_err(|_| (4, "a whole number >= 1".to_string()))?;
        let prune = match self.prune.trim() {
            "none" | "" => PruneSpec::None,
            "cv" => PruneSpec::CrossValidated {
                folds: 5,
                loss: PruneLoss::Auc,
            },
            t => match t.parse::<f64>() {
                Ok(alpha) if alpha >= 0.0 && alpha.is_finite() => PruneSpec::Alpha { alpha },
                _ => return Err((5, format!("'{t}': none, cv, or an alpha >= 0"))),
            },
        };
        let pca = match self.pca.trim() {
            "" | "none" => None,
            t => Some(KRule::parse(t).map_err(|e| (6, e))?),
        };
        let test_share = self
            .test_share
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|s| *s > 0.0 && *s < 1.0)
            .ok_or_else(|| (7, "a share between 0 and 1, such as 0.3".to_string()))?;
        let seed = self
            .seed
            .trim()
            .parse::<u64>()
            .map_err(|_| (8, "a whole number".to_string()))?;
        let params = TreeParams {
            criterion,
            max_depth,
            min_samples_leaf,
            seed,
            ..TreeParams::default()
        };
        params.clone().check().map_err(|e| {
            let field = match e.to_string() {
                m if m.contains("depth") => 3,
                m if m.contains("leaf") => 4,
                _ => 2,
            };
            (field, e.to_string())
        })?;
        Ok(TrainJob {
            name: name.to_string(),
            ratios,
            ratio_text: self.ratios.trim().to_string(),
            fit: FitSpec { params, pca, prune },
            split: SplitSpec::Stratified { test_share, seed },
        })
    }
}

/// Why a training job stopped.
#[derive(Debug, Clone, PartialEq)]
pub enum TrainStop {
    Cancelled,
    Failed(String),
}

/// Trains, saves (active) and scores every firm, reporting phases to `progress` (share done,
/// words) and stopping between phases when `cancel` is set. Nothing is saved when cancelled.
pub fn train(
    store: &mut Store,
    job: &TrainJob,
    progress: &dyn Fn(f64, &str),
    cancel: &AtomicBool,
) -> std::result::Result<ModelRecord, TrainStop> {
    let stop = |e: String| TrainStop::Failed(e);
    let check = || {
        if cancel.load(Ordering::Relaxed) {
            Err(TrainStop::Cancelled)
        } else {
            Ok(())
        }
    };
    progress(0.05, "reading the latest statements");
    let data = Dataset::from_latest_ratios(store, &job.ratios).map_err(|e| stop(e.to_string()))?;
    if data.x.rows == 0 {
        return Err(stop(
            "no statements in the store: load the demo or import statements".into(),
        ));
    }
    check()?;
    progress(
        0.15,
        if matches!(job.fit.prune, PruneSpec::CrossValidated { .. }) {
            "growing the tree and cross-validating the pruning path (5 folds)"
        } else {
            "growing the tree"
        },
    );
    let report = train_and_evaluate(&data, &job.fit, &job.split, None, None)
        .map_err(|e| stop(e.to_string()))?;
    check()?;
    progress(0.75, "saving the model");
    let source = format!(
        "ratios ({}) of each firm's latest statement",
        job.ratio_text
    );
    let now = store.now_utc().map_err(|e| stop(e.to_string()))?;
    let rec = ModelRecord::from_report(&job.name, &source, &now, &data, &report);
    check()?;
    store
        .save_model(&rec, true)
        .map_err(|e| stop(e.to_string()))?;
    progress(0.85, "scoring every firm");
    let predictions = score_all(store, &rec).map_err(|e| stop(e.to_string()))?;
    store
        .save_predictions(&rec.id, &predictions)
        .map_err(|e| stop(e.to_string()))?;
    progress(1.0, "done");
    Ok(rec)
}

/// The Model screen's facts.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelView {
    pub models: Vec<ModelSummary>,
    pub active: Option<ModelRecord>,
    /// (feature or component, importance), largest first.
    pub importances: Vec<(String, f64)>,
}

pub fn load(store: &Store) -> Result<ModelView> {
    let models = store.models()?;
    let active = match store.model(None) {
        Ok(m) => Some(m),
        Err(crate::store::StoreError::NotFound(_)) => None,
        Err(e) => return Err(ViewError::Store(e)),
    };
    let importances = active.as_ref().map(importances).unwrap_or_default();
    Ok(ModelView {
        models,
        active,
        importances,
    })
}

/// The tree's impurity-decrease importances by input name (features, or components "PC1"...).
pub fn importances(rec: &ModelRecord) -> Vec<(String, f64)> {
    let imp = rec.pipeline.tree.feature_importances();
    let names: Vec<String> = match &rec.pipeline.pca {
        Some(stage) => (1..=stage.k).map(|c| format!("PC{c}")).collect(),
        None => rec.pipeline.features.clone(),
    };
    let mut out: Vec<(String, f64)> = names
        .into_iter()
        .zip(imp)
        .filter(|(_, v)| *v > 0.0)
        .collect();
    out.sort_by(|a, b| b.1.total_cmp(&a.1));
    out
}
