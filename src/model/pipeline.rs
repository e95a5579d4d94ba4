//! A whole model pipeline: selection, median imputation, scaler, optional PCA with k, the tree,
//! class names, and its evaluation on a held-out part.

use super::learner::{Estimator, Learner};
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
    #[error(transparent)]
    Fit(#[from] super::FitError),
    #[error(transparent)]
    Split(#[from] super::SplitError),
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

/// What to fit: the model kind, the tree parameters (for the tree), optional principal
/// components, and pruning (for the tree).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FitSpec {
    pub params: TreeParams,
    pub pca: Option<KRule>,
    pub prune: PruneSpec,
    #[serde(default)]
    pub learner: Learner,
}

impl FitSpec {
    /// A plain tree with these parameters: no PCA, no pruning.
    pub fn tree(params: TreeParams) -> Self {
        FitSpec {
            params,
            pca: None,
            prune: PruneSpec::None,
            learner: Learner::Tree,
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
    /// The fitted model: a tree (its fields at the top level, as records before the
    /// challengers had them) or a challenger under `estimator`.
    #[serde(flatten)]
    pub model: Fitted,
}

/// The fitted model of a pipeline.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(untagged)]
pub enum Fitted {
    Tree(TreeFit),
    Challenger { estimator: Estimator },
}

/// A fitted tree with its parameters and pruning.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct TreeFit {
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
    /// Seconds the fit took (preprocessing and model), pruning apart.
    pub fit_seconds: f64,
    /// Seconds the pruning took (its cross-validation included).
    pub prune_seconds: f64,
    /// Seconds the test evaluation took (predictions and figures).
    pub evaluation_seconds: f64,
    /// The test rows' classes and predicted probabilities (for the reports and comparisons).
    #[serde(skip)]
    pub test_classes: Vec<usize>,
    #[serde(skip)]
    pub test_proba: Vec<Vec<f64>>,
}

impl TrainReport {
    /// Whether the fit pruned its tree.
    pub fn pruning_ran(&self) -> bool {
        self.pipeline
            .tree_fit()
            .is_some_and(|t| t.pruning.is_some())
    }
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
        use rayon::prelude::*;
        let z = self.prepare(x);
        (0..z.rows)
            .into_par_iter()
            .with_min_len(1024)
            .map(|r| self.predict_proba_prepared(z.row(r)))
            .collect()
    }

    /// Class probabilities of one prepared row.
    pub fn predict_proba_prepared(&self, row: &[f64]) -> Vec<f64> {
        match &self.model {
            Fitted::Tree(t) => t.tree.predict_proba_row(row),
            Fitted::Challenger { estimator } => estimator.predict_proba_row(row),
        }
    }

    /// The tree, when the model is one.
    pub fn tree(&self) -> Option<&Tree> {
        match &self.model {
            Fitted::Tree(t) => Some(&t.tree),
            Fitted::Challenger { .. } => None,
        }
    }

    /// The specification this pipeline was fitted with (to fit it again, e.g. in folds).
    pub fn fit_spec(&self) -> FitSpec {
        let pca = self.pca.as_ref().map(|s| s.rule);
        match &self.model {
            Fitted::Tree(t) => FitSpec {
                params: t.params.clone(),
                pca,
                prune: t.pruning.as_ref().map_or(PruneSpec::None, |p| p.spec),
                learner: Learner::Tree,
            },
            Fitted::Challenger { estimator } => FitSpec {
                params: TreeParams::default(),
                pca,
                prune: PruneSpec::None,
                learner: estimator.learner(),
            },
        }
    }

    /// The seed of its randomness (tree, forest, boosting), or the default one.
    pub fn seed(&self) -> u64 {
        match self.fit_spec().learner {
            Learner::Tree => self.tree_fit().map_or(0, |t| t.params.seed),
            Learner::Forest(p) => p.seed,
            Learner::Boosting(p) => p.seed,
            Learner::Svm(p) => p.seed,
            _ => TreeParams::default().seed,
        }
    }

    /// The model's settings as JSON (the tree's parameters, or the challenger's learner).
    pub fn settings_json(&self) -> String {
        match &self.model {
            Fitted::Tree(t) => serde_json::to_string(&t.params).unwrap_or_default(),
            Fitted::Challenger { estimator } => {
                serde_json::to_string(&estimator.learner()).unwrap_or_default()
            }
        }
    }

    /// Each model input's importance, summing to 1: the tree's impurity decrease, the share of
    /// splits in a forest or booster, the size of a linear model's weight on the log-odds of
    /// the positive class.
    pub fn importances(&self) -> Vec<f64> {
        match &self.model {
            Fitted::Tree(t) => t.tree.feature_importances(),
            Fitted::Challenger { estimator } => {
                let n = self.pca.as_ref().map_or(self.features.len(), |s| s.k);
                estimator.importances(n, self.positive_class)
            }
        }
    }

    /// The tree's nodes (none for other kinds).
    pub fn tree_nodes(&self) -> &[super::Node] {
        self.tree().map_or(&[], |t| &t.nodes)
    }

    /// The tree with its parameters and pruning, when the model is one.
    pub fn tree_fit(&self) -> Option<&TreeFit> {
        match &self.model {
            Fitted::Tree(t) => Some(t),
            Fitted::Challenger { .. } => None,
        }
    }

    /// The model kind's name (`tree`, `logistic`, ...).
    pub fn kind(&self) -> super::learner::ModelKind {
        match &self.model {
            Fitted::Tree(_) => super::learner::ModelKind::Tree,
            Fitted::Challenger { estimator } => estimator.kind(),
        }
    }

    /// Nodes, leaves and depth of the tree (zeros for other kinds).
    pub fn tree_size(&self) -> (usize, usize, usize) {
        self.tree()
            .map_or((0, 0, 0), |t| (t.nodes.len(), t.n_leaves(), t.depth()))
    }

    /// Fits on the rows `train` of `data` (labelled) with the given parameters.
    pub fn fit(
        data: &Dataset,
        y: &[usize],
        classes: &[String],
        positive_class: usize,
        train: &[usize],
        spec: &FitSpec,
    ) -> Result<(Pipeline, Vec<super::prune::CpRow>, f64), TrainError> {
        spec.params.clone().check()?;
        let pca = spec.pca;
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
        let (model, cp_table, prune_seconds) = if spec.learner == Learner::Tree {
            let (tree, cp_table, seconds) = fit_tree(spec, &input, &ytr, classes.len())?;
            (Fitted::Tree(tree), cp_table, seconds)
        } else {
            let estimator = spec
                .learner
                .fit(&input, &ytr, classes.len(), positive_class)?;
            (Fitted::Challenger { estimator }, Vec::new(), 0.0)
        };
        let pipeline = Pipeline {
            features: data.names.clone(),
            classes: classes.to_vec(),
            positive_class,
            medians,
            scaler,
            pca: stage,
            model,
        };
        Ok((pipeline, cp_table, prune_seconds))
    }
}

/// Grows the tree on the prepared inputs and prunes it as the spec says: the tree, the cp
/// table (cross-validated pruning) and the seconds the pruning took.
fn fit_tree(
    spec: &FitSpec,
    input: &Matrix,
    ytr: &[usize],
    n_classes: usize,
) -> Result<(TreeFit, Vec<super::prune::CpRow>, f64), TrainError> {
    let (params, prune) = (spec.params.clone(), spec.prune);
    let valid = params.clone().check()?;
    let mut tree = Tree::fit(&valid, input, ytr, n_classes);
    let mut cp_table = Vec::new();
    let pruning_started = std::time::Instant::now();
    let alpha = match prune {
        PruneSpec::None => None,
        PruneSpec::Alpha { alpha } => Some(alpha),
        PruneSpec::CrossValidated { folds, loss } => {
            split::check_folds(ytr.len(), folds)
                .map_err(|e| TrainError::Data(format!("pruning by cross-validation: {e}")))?;
            let (table, alpha) = super::prune::cross_validate(
                &valid,
                input,
                ytr,
                n_classes,
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
    let prune_seconds = pruning_started.elapsed().as_secs_f64();
    Ok((
        TreeFit {
            params,
            pruning,
            tree,
        },
        cp_table,
        prune_seconds,
    ))
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
    let started = std::time::Instant::now();
    let (pipeline, cp_table, prune_seconds) =
        Pipeline::fit(data, &y, &classes, positive_class, &train, spec)?;
    let fit_seconds = started.elapsed().as_secs_f64() - prune_seconds;
    let started = std::time::Instant::now();
    let proba = pipeline.predict_proba(&data.x.select_rows(&test));
    let yte: Vec<usize> = test.iter().map(|&i| y[i]).collect();
    let mut counts = vec![0usize; classes.len()];
    ytr.iter().for_each(|&c| counts[c] += 1);
    let majority = (0..classes.len())
        .max_by_key(|&c| (counts[c], usize::MAX - c))
        .unwrap_or(0);
    let evaluation = evaluate(&classes, &yte, &proba, positive_class, majority);
    let evaluation_seconds = started.elapsed().as_secs_f64();
    Ok(TrainReport {
        fit_seconds,
        prune_seconds,
        evaluation_seconds,
        test_classes: yte,
        test_proba: proba,
        n_train: train.len(),
        train_rows: train.clone(),
        n_test: test.len(),
        test_rows: test.clone(),
        evaluation,
        cp_table,
        nodes: pipeline.tree_size().0,
        leaves: pipeline.tree_size().1,
        depth: pipeline.tree_size().2,
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
    split::check_folds(rows.len(), folds)?;
    let mut proba = vec![Vec::new(); rows.len()];
    for held in split::stratified_folds(&y, folds, seed) {
        let mut is_held = vec![false; rows.len()];
        held.iter().for_each(|&i| is_held[i] = true);
        let train: Vec<usize> = (0..rows.len())
            .filter(|&i| !is_held[i])
            .map(|i| rows[i])
            .collect();
        let (pipeline, _, _) =
            Pipeline::fit(data, &y_full, &classes, positive_class, &train, spec)?;
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
