//! Grid search over depth, min samples per leaf, criterion and pruning alpha, ranked by a
//! stratified k-fold cross-validated score.

use super::metrics::evaluate;
use super::prune::prune;
use super::split::stratified_folds;
use super::{Criterion, Tree, TreeParams, TreeParamsError};
use crate::analysis::standardize::fill_missing;
use crate::analysis::{impute_median, Matrix};
use serde::Serialize;

/// What a grid search maximises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Score {
    Accuracy,
    MacroRecall,
    Auc,
}

/// The values to try for each parameter.
#[derive(Debug, Clone, Serialize)]
pub struct Grid {
    pub criteria: Vec<Criterion>,
    pub depths: Vec<Option<usize>>,
    pub min_leaf: Vec<usize>,
    pub alphas: Vec<f64>,
}

/// How to cross-validate: folds, seed, and the score to maximise.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct CvSpec {
    pub folds: usize,
    pub seed: u64,
    pub score: Score,
}

/// One grid point and its cross-validated score.
#[derive(Debug, Clone, Serialize)]
pub struct GridResult {
    pub criterion: Criterion,
    pub max_depth: Option<usize>,
    pub min_samples_leaf: usize,
    pub alpha: f64,
    pub mean: f64,
    pub std: f64,
    pub mean_leaves: f64,
}

/// Cross-validates every grid point on `x` (missing values allowed: each fold imputes with its
/// own training medians) and returns the results, best first. Trees for different alphas share
/// one fit per fold.
pub fn grid_search(
    x: &Matrix,
    y: &[usize],
    n_classes: usize,
    positive: usize,
    grid: &Grid,
    cv: CvSpec,
) -> Result<Vec<GridResult>, TreeParamsError> {
    let CvSpec { folds, seed, score } = cv;
    let parts = stratified_folds(y, folds, seed);
    let classes: Vec<String> = (0..n_classes).map(|c| c.to_string()).collect();
    let mut results = Vec::new();
    for &criterion in &grid.criteria {
        for &max_depth in &grid.depths {
            for &min_leaf in &grid.min_leaf {
                let params = TreeParams {
                    criterion,
                    max_depth,
                    min_samples_leaf: min_leaf,
                    ..TreeParams::default()
                }
                .check()?;
                let mut scores = vec![Vec::new(); grid.alphas.len()];
                let mut leaves = vec![0.0; grid.alphas.len()];
                for held in &parts {
                    let mut is_held = vec![false; y.len()];
                    held.iter().for_each(|&i| is_held[i] = true);
                    let train: Vec<usize> = (0..y.len()).filter(|&i| !is_held[i]).collect();
                    let mut xt = x.select_rows(&train);
                    let medians = impute_median(&mut xt);
                    let mut xh = x.select_rows(held);
                    fill_missing(&mut xh, &medians);
                    let yt: Vec<usize> = train.iter().map(|&i| y[i]).collect();
                    let yh: Vec<usize> = held.iter().map(|&i| y[i]).collect();
                    let mut counts = vec![0usize; n_classes];
                    yt.iter().for_each(|&c| counts[c] += 1);
                    let majority = (0..n_classes).max_by_key(|&c| counts[c]).unwrap_or(0);
                    let full = Tree::fit(&params, &xt, &yt, n_classes);
                    for (k, &alpha) in grid.alphas.iter().enumerate() {
                        let t = if alpha > 0.0 {
                            prune(&full, alpha)
                        } else {
                            full.clone()
                        };
                        let proba: Vec<Vec<f64>> = (0..xh.rows)
                            .map(|r| t.predict_proba_row(xh.row(r)))
                            .collect();
                        let e = evaluate(&classes, &yh, &proba, positive, majority);
                        scores[k].push(match score {
                            Score::Accuracy => e.accuracy,
                            Score::MacroRecall => e.macro_recall,
                            Score::Auc => e.auc.unwrap_or(0.5),
                        });
                        leaves[k] += t.n_leaves() as f64 / parts.len() as f64;
                    }
                }
                for (k, &alpha) in grid.alphas.iter().enumerate() {
                    let s = &scores[k];
                    let mean = s.iter().sum::<f64>() / s.len() as f64;
                    let var = s.iter().map(|v| (v - mean).powi(2)).sum::<f64>()
                        / (s.len() as f64 - 1.0).max(1.0);
                    results.push(GridResult {
                        criterion,
                        max_depth,
                        min_samples_leaf: min_leaf,
                        alpha,
                        mean,
                        std: var.sqrt(),
                        mean_leaves: leaves[k],
                    });
                }
            }
        }
    }
    // Best first; among equal scores the simpler tree.
    results.sort_by(|a, b| {
        b.mean
            .total_cmp(&a.mean)
            .then(a.mean_leaves.total_cmp(&b.mean_leaves))
    });
    Ok(results)
}
