//! Comparing model kinds: every candidate trained on the same inputs, label, split and folds,
//! its test figures and k-fold mean and standard deviation beside the majority baseline; each
//! candidate can be saved (not made active) so that the analyst can make one the champion.
//! The command line's `compare` and the workbench's Compare pane run exactly this.

use super::train::{load, DataChoice, SplitChoice};
use super::{Job, OpsError, Result};
use crate::model::compare::{fold_figures, summarise, Figures, FoldSummary};
use crate::model::pipeline::{train_and_evaluate, FitSpec, SplitSpec, TrainError};
use crate::model::registry::ModelRecord;
use crate::store::Store;

/// A comparison, as a front-end asks for it.
#[derive(Debug, Clone, PartialEq)]
pub struct CompareRequest {
    pub data: DataChoice,
    pub split: SplitChoice,
    /// The candidates, in the order of the table.
    pub candidates: Vec<FitSpec>,
    /// Folds for the k-fold figures (0: none).
    pub folds: usize,
    pub seed: u64,
    pub positive: Option<String>,
    /// Save every candidate (holding no role) as `PREFIX-kind`.
    pub save_prefix: Option<String>,
    /// Who trains them (recorded with saved models, for four eyes).
    pub trained_by: Option<String>,
}

/// One candidate's result.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub kind: crate::model::learner::ModelKind,
    pub record: ModelRecord,
    pub test: Figures,
    pub folds: Option<FoldSummary>,
    pub fit_seconds: f64,
    /// The positive class's ROC curve on the test part.
    pub roc: Vec<(f64, f64)>,
    pub saved: bool,
}

#[derive(Debug, Clone)]
pub struct Comparison {
    pub candidates: Vec<Candidate>,
    /// Accuracy of always predicting the training majority, on the test part.
    pub majority_baseline: f64,
    pub n_train: usize,
    pub n_test: usize,
    pub classes: Vec<String>,
    pub positive_class: String,
}

impl CompareRequest {
    /// Every model kind on a training request's inputs, label and split: the tree as the
    /// request fits it, each challenger with its default settings and the request's seed (the
    /// workbench's Compare pane, as `precre compare --save PREFIX` with the same data flags).
    pub fn every_kind(train: &super::train::TrainRequest, folds: usize, save_prefix: &str) -> Self {
        use crate::model::learner::{Learner, ModelKind};
        let seed = train.fit.params.seed;
        // The tree as the form fits it; a form set to another kind gives the tree train's
        // default pruning (as `precre compare` does).
        let prune = if train.fit.learner == Learner::Tree {
            train.fit.prune
        } else {
            use crate::model::choices::defaults;
            crate::model::pipeline::PruneSpec::CrossValidated {
                folds: defaults::FOLDS,
                loss: defaults::PRUNE_LOSS
                    .parse()
                    .unwrap_or(crate::model::prune::PruneLoss::Auc),
            }
        };
        let tree = FitSpec {
            learner: Learner::Tree,
            prune,
            ..train.fit.clone()
        };
        let candidates = ModelKind::ALL
            .into_iter()
            .map(ModelKind::learner)
            .map(|learner| match learner.seeded(seed) {
                Learner::Tree => tree.clone(),
                learner => FitSpec {
                    prune: crate::model::pipeline::PruneSpec::None,
                    pca: None,
                    learner,
                    ..train.fit.clone()
                },
            })
            .collect();
        CompareRequest {
            data: train.data.clone(),
            split: train.split.clone(),
            candidates,
            folds,
            seed,
            positive: train.positive.clone(),
            save_prefix: Some(save_prefix.to_string()),
            trained_by: train.trained_by.clone(),
        }
    }
}

fn train_error(e: TrainError) -> OpsError {
    OpsError::Train(e)
}

/// Trains and evaluates every candidate on the same split (and folds), saving each when asked.
pub fn compare(store: &mut Store, req: &CompareRequest, job: &Job) -> Result<Comparison> {
    if req.candidates.is_empty() {
        return Err(OpsError::Usage(
            "name at least one model kind to compare".into(),
        ));
    }
    if req.folds == 1 {
        return Err(OpsError::Usage(
            "k-fold figures need at least 2 folds (0 for none)".into(),
        ));
    }
    job.progress(0.02, "reading the data");
    let (data, explicit) = load(store, &req.data, &req.split)?;
    let data = data.one_hot();
    let split_spec = match req.split {
        SplitChoice::Stratified { test_share, seed } => SplitSpec::Stratified { test_share, seed },
        _ => SplitSpec::Explicit,
    };
    let now = store.now_utc()?;
    let mut out: Vec<Candidate> = Vec::new();
    let mut head = None;
    let total = req.candidates.len() as f64;
    for (i, spec) in req.candidates.iter().enumerate() {
        job.check()?;
        let kind = spec.learner.kind();
        job.progress(
            0.05 + 0.9 * i as f64 / total,
            &format!("training the {kind}"),
        );
        let report = train_and_evaluate(
            &data,
            spec,
            &split_spec,
            explicit.clone(),
            req.positive.as_deref(),
        )
        .map_err(train_error)?;
        let p = &report.pipeline;
        let test = Figures::of(
            &p.classes,
            &report.test_classes,
            &report.test_proba,
            p.positive_class,
        );
        let folds = if req.folds >= 2 {
            job.progress(
                0.05 + 0.9 * (i as f64 + 0.5) / total,
                &format!("{} folds of the {kind}", req.folds),
            );
            let positive = p.classes.get(p.positive_class).map(String::as_str);
            let per_fold =
                fold_figures(&data, spec, req.folds, req.seed, positive).map_err(train_error)?;
            Some(summarise(&per_fold))
        } else {
            None
        };
        let name = match &req.save_prefix {
            Some(prefix) => format!("{}-{kind}", prefix.trim()),
            None => format!("compare-{kind}"),
        };
        let record = ModelRecord::from_report(&name, &req.data.describe(), &now, &data, &report);
        head.get_or_insert((
            report.evaluation.majority_baseline,
            report.n_train,
            report.n_test,
            p.classes.clone(),
            p.classes[p.positive_class].clone(),
        ));
        out.push(Candidate {
            kind,
            roc: report
                .evaluation
                .per_class
                .get(p.positive_class)
                .map(|c| c.roc.clone())
                .unwrap_or_default(),
            test,
            folds,
            fit_seconds: report.fit_seconds + report.prune_seconds,
            record,
            saved: false,
        });
    }
    if req.save_prefix.is_some() {
        job.check()?;
        job.progress(0.97, "saving the models");
        for c in &mut out {
            store.save_model(&c.record, req.trained_by.as_deref())?;
            // The same content already saved keeps its first name: report the stored record.
            c.record = store.model(Some(&c.record.id))?;
            c.saved = true;
        }
    }
    job.progress(1.0, "done");
    let (majority_baseline, n_train, n_test, classes, positive_class) = head.unwrap_or_default();
    Ok(Comparison {
        candidates: out,
        majority_baseline,
        n_train,
        n_test,
        classes,
        positive_class,
    })
}
