//! A whole model pipeline: selection, median imputation, scaler, optional PCA with k, the tree,
//! class names, and its evaluation on a held-out part.

use super::metrics::{evaluate, Evaluation};
use super::split;
use super::{Tree, TreeParams, TreeParamsError};
use crate::analysis::standardize::fill_missing;
use crate::analysis::{impute_median, Dataset, KRule, Matrix, Pca, Standardizer};
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// The class scheme of DOMAIN.md, in its reading order.
pub const DEFAULT_SCHEME: [&str; 3] = ["bad", "satisfactory", "good"];

#[derive(Debug, Error)]
pub enum TrainError {
    #[error("invalid tree parameters: {0}")]
    Params(#[from] TreeParamsError),
    #[error("{0}")]
    Data(String),
}

/// Whether and how to prune the grown tree.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum PruneSpec {
    None,
    /// Cost-complexity pruning at a given alpha.
    Alpha {
        alpha: f64,
    },
    /// Alpha chosen by k-fold cross-validation on the training part, 1-SE rule on a loss.
    CrossValidated {
        folds: usize,
        loss: super::prune::PruneLoss,
    },
}

/// What to fit: the tree parameters, optional principal components, and pruning.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FitSpec {
    pub params: TreeParams,
    pub pca: Option<KRule>,
    pub prune: PruneSpec,
}

impl FitSpec {
    /// A plain tree with these parameters: no PCA, no pruning.
    pub fn tree(params: TreeParams) -> Self {
        FitSpec {
            params,
            pca: None,
            prune: PruneSpec::None,
        }
    }
}

/// What pruning did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pruning {
    pub spec: PruneSpec,
    pub alpha: f64,
    pub leaves_before: usize,
    pub leaves_after: usize,
}

/// How to hold data out for testing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum SplitSpec {
    /// Stratified by class, `test_share` held out, seeded.
    Stratified { test_share: f64, seed: u64 },
    /// Given per row (`train` / `test`), e.g. from a split column.
    Explicit,
}

/// The fitted preprocessing and tree, enough to score a new row given in the original columns.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Pipeline {
    pub features: Vec<String>,
    pub classes: Vec<String>,
    pub positive_class: usize,
    /// Missing values are replaced by these training medians.
    pub medians: Vec<f64>,
    pub scaler: Standardizer,
    /// With PCA: the rule, k, and the loadings of the kept components (`rotation[j][c]`).
    pub pca: Option<PcaStage>,
    pub params: TreeParams,
    pub pruning: Option<Pruning>,
    pub tree: Tree,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PcaStage {
    pub rule: KRule,
    pub k: usize,
    pub rotation: Vec<Vec<f64>>,
    pub cumulative: f64,
}

/// A trained pipeline with its test evaluation.
#[derive(Debug, Clone, Serialize)]
pub struct TrainReport {
    pub pipeline: Pipeline,
    /// The training rows (indexes into the data set), for the data fingerprint.
    #[serde(skip)]
    pub train_rows: Vec<usize>,
    /// The test rows (indexes into the data set), for the report of both parts.
    #[serde(skip)]
    pub test_rows: Vec<usize>,
    pub n_train: usize,
    pub n_test: usize,
    pub evaluation: Evaluation,
    /// The cp table when pruning was cross-validated.
    pub cp_table: Vec<super::prune::CpRow>,
    pub nodes: usize,
    pub leaves: usize,
    pub depth: usize,
}

/// The classes of the labels: the default scheme's order when every label belongs to it, else
/// sorted. Rows without a label are dropped by the caller.
pub fn class_names(labels: &[String]) -> Vec<String> {
    let mut distinct: Vec<String> = labels.to_vec();
    distinct.sort();
    distinct.dedup();
    if distinct
        .iter()
        .all(|l| DEFAULT_SCHEME.contains(&l.as_str()))
    {
        return DEFAULT_SCHEME
            .iter()
            .filter(|c| distinct.iter().any(|d| d == *c))
            .map(|c| c.to_string())
            .collect();
    }
    distinct
}

impl Pipeline {
    /// The tree's input for rows in the original columns (missing filled, scaled, projected).
    pub fn prepare(&self, x: &Matrix) -> Matrix {
        let mut x = x.clone();
        fill_missing(&mut x, &self.medians);
        let z = self.scaler.transform(&x);
        match &self.pca {
            None => z,
            Some(stage) => crate::analysis::pca::project(&z, &stage.rotation, stage.k),
        }
    }

    pub fn predict_proba(&self, x: &Matrix) -> Vec<Vec<f64>> {
        let z = self.prepare(x);
        (0..z.rows)
            .map(|r| self.tree.predict_proba_row(z.row(r)))
            .collect()
    }

    /// Fits on the rows `train` of `data` (labelled) with the given parameters.
    pub fn fit(
        data: &Dataset,
        y: &[usize],
        classes: &[String],
        positive_class: usize,
        train: &[usize],
        spec: &FitSpec,
    ) -> Result<(Pipeline, Vec<super::prune::CpRow>), TrainError> {
        let (params, pca, prune) = (spec.params.clone(), spec.pca, spec.prune);
        let valid = params.clone().check()?;
        let mut x = data.x.select_rows(train);
        let medians = impute_median(&mut x);
        let scaler = Standardizer::fit(&x);
        let z = scaler.transform(&x);
        let ytr: Vec<usize> = train.iter().map(|&i| y[i]).collect();
        let (input, stage) = match pca {
            None => (z, None),
            Some(rule) => {
                let p = Pca::fit(&z);
                let k = p.choose_k(rule);
                let rotation: Vec<Vec<f64>> = p.rotation.iter().map(|r| r[..k].to_vec()).collect();
                let cumulative = p.cumulative()[k - 1];
                (
                    p.transform(&z, k),
                    Some(PcaStage {
                        rule,
                        k,
                        rotation,
                        cumulative,
                    }),
                )
            }
        };
        let mut tree = Tree::fit(&valid, &input, &ytr, classes.len());
        let mut cp_table = Vec::new();
        let alpha = match prune {
            PruneSpec::None => None,
            PruneSpec::Alpha { alpha } => Some(alpha),
            PruneSpec::CrossValidated { folds, loss } => {
                split::check_folds(ytr.len(), folds)
                    .map_err(|e| TrainError::Data(format!("pruning by cross-validation: {e}")))?;
                let (table, alpha) = super::prune::cross_validate(
                    &valid,
                    &input,
                    &ytr,
                    classes.len(),
                    folds,
                    params.seed,
                    loss,
                );
                cp_table = table;
                Some(alpha)
            }
        };
        let pruning = alpha.map(|alpha| {
            let before = tree.n_leaves();
            tree = super::prune::prune(&tree, alpha);
            Pruning {
                spec: prune,
                alpha,
                leaves_before: before,
                leaves_after: tree.n_leaves(),
            }
        });
        let pipeline = Pipeline {
            features: data.names.clone(),
            classes: classes.to_vec(),
            positive_class,
            medians,
            scaler,
            pca: stage,
            params,
            pruning,
            tree,
        };
        Ok((pipeline, cp_table))
    }
}

/// Labels as class indexes: the labelled rows, their classes, and the class names.
pub struct Labels {
    pub rows: Vec<usize>,
    pub y: Vec<usize>,
    pub classes: Vec<String>,
}

/// Labels as class indexes; rows without a label are left out.
pub fn encode_labels(data: &Dataset) -> Result<Labels, TrainError> {
    let rows: Vec<usize> = (0..data.labels.len())
        .filter(|&i| data.labels[i].is_some())
        .collect();
    let labels: Vec<String> = rows
        .iter()
        .map(|&i| data.labels[i].clone().unwrap_or_default())
        .collect();
    let classes = class_names(&labels);
    if classes.len() < 2 {
        return Err(TrainError::Data(format!(
            "a model needs at least two classes; the labels hold {:?}",
            classes
        )));
    }
    let y = labels
        .iter()
        .map(|l| classes.iter().position(|c| c == l).unwrap_or(0))
        .collect();
    Ok(Labels { rows, y, classes })
}

/// The class read as "bad": `bad` when present, else the given name, else the rarest class.
pub fn positive_class(
    classes: &[String],
    y: &[usize],
    wanted: Option<&str>,
) -> Result<usize, TrainError> {
    if let Some(w) = wanted {
        return classes.iter().position(|c| c == w).ok_or_else(|| {
            TrainError::Data(format!(
                "the positive class '{w}' is not a class of the data; classes are {}",
                classes.join(", ")
            ))
        });
    }
    if let Some(i) = classes.iter().position(|c| c == "bad") {
        return Ok(i);
    }
    let mut counts = vec![0usize; classes.len()];
    y.iter().for_each(|&c| counts[c] += 1);
    Ok((0..classes.len())
        .min_by_key(|&c| (counts[c], c))
        .unwrap_or(0))
}

/// Trains on a split of `data` and evaluates on the held-out rows.
/// `explicit` gives (train, test) row indexes into `data` for `SplitSpec::Explicit`.
pub fn train_and_evaluate(
    data: &Dataset,
    spec: &FitSpec,
    split_spec: &SplitSpec,
    explicit: Option<split::RowSplit>,
    positive: Option<&str>,
) -> Result<TrainReport, TrainError> {
    let Labels {
        rows: labelled,
        y: y_all,
        classes,
    } = encode_labels(data)?;
    let mut y = vec![usize::MAX; data.x.rows];
    for (k, &row) in labelled.iter().enumerate() {
        y[row] = y_all[k];
    }
    let (train, test) = match (split_spec, explicit) {
        (SplitSpec::Stratified { test_share, seed }, _) => {
            let (tr, te) = split::stratified(&y_all, *test_share, *seed);
            (
                tr.iter().map(|&i| labelled[i]).collect::<Vec<_>>(),
                te.iter().map(|&i| labelled[i]).collect::<Vec<_>>(),
            )
        }
        (SplitSpec::Explicit, Some((tr, te))) => (
            tr.into_iter().filter(|&i| y[i] != usize::MAX).collect(),
            te.into_iter().filter(|&i| y[i] != usize::MAX).collect(),
        ),
        (SplitSpec::Explicit, None) => {
            return Err(TrainError::Data("an explicit split needs its rows".into()))
        }
    };
    if train.is_empty() || test.is_empty() {
        return Err(TrainError::Data(format!(
            "the split leaves {} training and {} test rows",
            train.len(),
            test.len()
        )));
    }
    let ytr: Vec<usize> = train.iter().map(|&i| y[i]).collect();
    let positive_class = positive_class(&classes, &ytr, positive)?;
    let (pipeline, cp_table) = Pipeline::fit(data, &y, &classes, positive_class, &train, spec)?;
    let proba = pipeline.predict_proba(&data.x.select_rows(&test));
    let yte: Vec<usize> = test.iter().map(|&i| y[i]).collect();
    let mut counts = vec![0usize; classes.len()];
    ytr.iter().for_each(|&c| counts[c] += 1);
    let majority = (0..classes.len())
        .max_by_key(|&c| (counts[c], usize::MAX - c))
        .unwrap_or(0);
    let evaluation = evaluate(&classes, &yte, &proba, positive_class, majority);
    Ok(TrainReport {
        n_train: train.len(),
        train_rows: train.clone(),
        n_test: test.len(),
        test_rows: test.clone(),
        evaluation,
        cp_table,
        nodes: pipeline.tree.nodes.len(),
        leaves: pipeline.tree.n_leaves(),
        depth: pipeline.tree.depth(),
        pipeline,
    })
}

/// Out-of-fold evaluation of a fit spec: every labelled row is predicted by a pipeline trained on
/// the other folds (stratified, seeded), and the pooled predictions are evaluated.
pub fn cross_validated_evaluation(
    data: &Dataset,
    spec: &FitSpec,
    folds: usize,
    seed: u64,
    positive: Option<&str>,
) -> Result<Evaluation, TrainError> {
    let Labels { rows, y, classes } = encode_labels(data)?;
    let positive_class = positive_class(&classes, &y, positive)?;
    let mut y_full = vec![usize::MAX; data.x.rows];
    for (k, &r) in rows.iter().enumerate() {
        y_full[r] = y[k];
    }
    split::check_folds(rows.len(), folds).map_err(TrainError::Data)?;
    let mut proba = vec![Vec::new(); rows.len()];
    for held in split::stratified_folds(&y, folds, seed) {
        let mut is_held = vec![false; rows.len()];
        held.iter().for_each(|&i| is_held[i] = true);
        let train: Vec<usize> = (0..rows.len())
            .filter(|&i| !is_held[i])
            .map(|i| rows[i])
            .collect();
        let (pipeline, _) = Pipeline::fit(data, &y_full, &classes, positive_class, &train, spec)?;
        let held_rows: Vec<usize> = held.iter().map(|&i| rows[i]).collect();
        for (k, p) in pipeline
            .predict_proba(&data.x.select_rows(&held_rows))
            .into_iter()
            .enumerate()
        {
            proba[held[k]] = p;
        }
    }
    let mut counts = vec![0usize; classes.len()];
    y.iter().for_each(|&c| counts[c] += 1);
    let majority = (0..classes.len())
        .max_by_key(|&c| (counts[c], usize::MAX - c))
        .unwrap_or(0);
    Ok(evaluate(&classes, &y, &proba, positive_class, majority))
}
