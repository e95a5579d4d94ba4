//! Cost-complexity pruning: the weakest-link alpha path, pruning at an alpha, and the
//! cross-validated choice of alpha by the 1-SE rule (rpart's cp table).
//!
//! A node's risk is its weighted impurity times its share of the training weight, as in
//! scikit-learn's `cost_complexity_pruning_path`, so alphas are comparable with `ccp_alpha`.

use super::split::stratified_folds;
use super::tree::{Node, Tree};
use super::weakest_link::Pruner;
use super::ValidTreeParams;
use crate::analysis::Matrix;
use serde::Serialize;

/// One step of the pruning sequence: from this alpha on, the tree has `leaves` leaves.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AlphaStep {
    pub alpha: f64,
    pub leaves: usize,
    /// Total weighted impurity of the leaves (scikit-learn's `impurities`).
    pub impurity: f64,
}

/// One row of the cp table.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct CpRow {
    pub alpha: f64,
    pub leaves: usize,
    /// Misclassification rate of the pruned tree on its training data.
    pub train_error: f64,
    /// Cross-validated misclassification rate, and its standard error.
    pub xerror: f64,
    pub xstd: f64,
    /// Cross-validated Brier score (squared error of the class probabilities), and its standard error.
    pub xbrier: f64,
    pub xbrier_std: f64,
    /// Cross-validated AUC (pooled out-of-fold probabilities) and the standard error of the fold AUCs.
    pub xauc: f64,
    pub xauc_std: f64,
}

/// AUC of probabilities against classes: binary, the AUC of class 1; else the one-vs-rest mean.
/// `proba` holds one row of `n_classes` probabilities per class in `y`, row after row.
fn auc_of(proba: &[f64], y: &[usize], n_classes: usize) -> f64 {
    let classes: Vec<usize> = if n_classes == 2 {
        vec![1]
    } else {
        (0..n_classes).collect()
    };
    let aucs: Vec<f64> = classes
        .iter()
        .filter_map(|&c| {
            let scores: Vec<f64> = proba.chunks(n_classes).map(|p| p[c]).collect();
            let pos: Vec<bool> = y.iter().map(|&t| t == c).collect();
            super::metrics::roc(&scores, &pos).0
        })
        .collect();
    if aucs.is_empty() {
        0.5
    } else {
        aucs.iter().sum::<f64>() / aucs.len() as f64
    }
}

/// Which cross-validated loss the 1-SE rule reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PruneLoss {
    /// Misclassification rate (rpart's xerror).
    Error,
    /// Brier score (squared error of the class probabilities).
    Brier,
    /// 1 - AUC (one-vs-rest mean for more than two classes): keeps the ranking that credit
    /// decisions read, where on imbalanced data the error rate prunes to a stump.
    Auc,
}

/// The weakest-link sequence: alphas at which subtrees collapse, starting with 0.
pub fn alpha_path(tree: &Tree) -> Vec<AlphaStep> {
    let mut pruner = Pruner::new(tree);
    let mut out = Vec::new();
    let mut alpha = 0.0;
    loop {
        pruner.collapse_until(alpha);
        let leaves = pruner.leaves();
        out.push(AlphaStep {
            alpha,
            leaves,
            impurity: pruner.leaf_risk(),
        });
        if leaves <= 1 {
            return out;
        }
        alpha = pruner.weakest().0;
    }
}

/// The tree pruned at `alpha`, as a new, compact tree.
pub fn prune(tree: &Tree, alpha: f64) -> Tree {
    let mut pruner = Pruner::new(tree);
    pruner.collapse_until(alpha);
    compact(tree, &pruner.collapsed)
}

/// The tree pruned at each of `alphas` (ascending). The cuts are nested, so one mask grows along
/// the sequence instead of being recomputed from the full tree for every alpha.
pub fn prune_sequence(tree: &Tree, alphas: &[f64]) -> Vec<Tree> {
    pruned_along(tree, alphas).collect()
}

/// `prune_sequence` one tree at a time (only one pruned tree in memory at once).
pub fn pruned_along<'a>(tree: &'a Tree, alphas: &'a [f64]) -> impl Iterator<Item = Tree> + 'a {
    debug_assert!(
        alphas.windows(2).all(|w| w[0] <= w[1]),
        "alphas must ascend"
    );
    let mut pruner = Pruner::new(tree);
    alphas.iter().map(move |&alpha| {
        pruner.collapse_until(alpha);
        compact(tree, &pruner.collapsed)
    })
}

/// A new tree without the subtrees below `collapsed` nodes (which become leaves).
fn compact(tree: &Tree, collapsed: &[bool]) -> Tree {
    let mut nodes = Vec::new();
    // (old id, the new parent and whether this is its left child)
    let mut stack: Vec<(usize, Option<(usize, bool)>)> = vec![(0, None)];
    while let Some((old, parent)) = stack.pop() {
        let mut node = tree.nodes[old].clone();
        let new_id = nodes.len();
        if collapsed[old] {
            node.feature = None;
            node.threshold = 0.0;
            node.left = 0;
            node.right = 0;
        }
        let (l, r, inner) = (node.left, node.right, !node.is_leaf());
        nodes.push(node);
        if let Some((p, is_left)) = parent {
            let pn: &mut Node = &mut nodes[p];
            if is_left {
                pn.left = new_id;
            } else {
                pn.right = new_id;
            }
        }
        if inner {
            stack.push((r, Some((new_id, false))));
            stack.push((l, Some((new_id, true))));
        }
    }
    Tree {
        nodes,
        ..tree.clone()
    }
}

fn error_rate(tree: &Tree, x: &Matrix, y: &[usize]) -> f64 {
    let wrong = (0..x.rows)
        .filter(|&r| tree.predict_row(x.row(r)) != y[r])
        .count();
    wrong as f64 / x.rows.max(1) as f64
}

/// At most this many rows in a cp table. A deep tree has one pruning step per inner node (tens
/// of thousands on 100,000 rows), and cross-validating every one costs time and memory in
/// proportion; beyond this many, the table keeps steps spread evenly in log(leaves).
pub const MAX_CP_ROWS: usize = 100;

/// The indexes of the pruning steps a cp table keeps: all of them when there are at most `max`,
/// else the first (the full tree), the last (the root) and the steps whose leaf counts come
/// nearest to a geometric sequence between them.
pub fn cp_steps(path: &[AlphaStep], max: usize) -> Vec<usize> {
    if path.len() <= max || max < 2 {
        return (0..path.len()).collect();
    }
    let most = path[0].leaves.max(1) as f64;
    let mut out: Vec<usize> = Vec::with_capacity(max);
    let mut k = 0;
    for j in 0..max {
        // Target leaf counts fall geometrically from the full tree's to 1.
        let target = most.powf(1.0 - j as f64 / (max - 1) as f64);
        while k + 1 < path.len() && path[k + 1].leaves as f64 >= target {
            k += 1;
        }
        if out.last() != Some(&k) {
            out.push(k);
        }
    }
    if out.last() != Some(&(path.len() - 1)) {
        out.push(path.len() - 1);
    }
    out
}

/// rpart's cp table by k-fold cross-validation over the full tree's alpha path, and the alpha the
/// 1-SE rule picks on `loss`: the simplest tree whose loss is within one standard error of the
/// minimum.
pub fn cross_validate(
    params: &ValidTreeParams,
    x: &Matrix,
    y: &[usize],
    n_classes: usize,
    folds: usize,
    seed: u64,
    loss: PruneLoss,
) -> (Vec<CpRow>, f64) {
    let full = Tree::fit(params, x, y, n_classes);
    let full_path = alpha_path(&full);
    let chosen_steps = cp_steps(&full_path, MAX_CP_ROWS);
    // Each step is represented by the geometric mean of its alpha and the next (rpart's choice).
    let reps: Vec<f64> = chosen_steps
        .iter()
        .map(|&i| match full_path.get(i + 1) {
            Some(next) if full_path[i].alpha > 0.0 => (full_path[i].alpha * next.alpha).sqrt(),
            Some(next) => next.alpha / 2.0,
            None => full_path[i].alpha * 2.0 + 1.0,
        })
        .collect();
    let path: Vec<AlphaStep> = chosen_steps.iter().map(|&i| full_path[i].clone()).collect();
    let mut wrong = vec![0usize; path.len()];
    let mut brier = vec![(0.0f64, 0.0f64); path.len()];
    // Out-of-fold probabilities of every row at every step, row after row (flat: one
    // allocation per step, not one per row and step).
    let mut pooled: Vec<Vec<f64>> = vec![vec![0.0; y.len() * n_classes]; path.len()];
    let mut fold_aucs: Vec<Vec<f64>> = vec![Vec::new(); path.len()];
    for held in &stratified_folds(y, folds, seed) {
        let mut is_held = vec![false; y.len()];
        held.iter().for_each(|&i| is_held[i] = true);
        let train: Vec<usize> = (0..y.len()).filter(|&i| !is_held[i]).collect();
        let xt = x.select_rows(&train);
        let yt: Vec<usize> = train.iter().map(|&i| y[i]).collect();
        let t = Tree::fit(params, &xt, &yt, n_classes);
        for (k, pruned) in pruned_along(&t, &reps).enumerate() {
            let mut fold_p = Vec::with_capacity(held.len() * n_classes);
            for &i in held {
                let p = pruned.predict_proba_row(x.row(i));
                pooled[k][i * n_classes..(i + 1) * n_classes].copy_from_slice(&p);
                if super::metrics::argmax(&p) != y[i] {
                    wrong[k] += 1;
                }
                let b: f64 = p
                    .iter()
                    .enumerate()
                    .map(|(c, v)| (v - f64::from(u8::from(c == y[i]))).powi(2))
                    .sum();
                brier[k].0 += b;
                brier[k].1 += b * b;
                fold_p.extend_from_slice(&p);
            }
            let fold_y: Vec<usize> = held.iter().map(|&i| y[i]).collect();
            fold_aucs[k].push(auc_of(&fold_p, &fold_y, n_classes));
        }
    }
    let n = y.len() as f64;
    let path_alphas: Vec<f64> = path.iter().map(|s| s.alpha).collect();
    let table: Vec<CpRow> = path
        .iter()
        .zip(pruned_along(&full, &path_alphas))
        .enumerate()
        .map(|(k, (step, pruned))| {
            let xerror = wrong[k] as f64 / n;
            let mean_b = brier[k].0 / n;
            let var_b = (brier[k].1 / n - mean_b * mean_b).max(0.0);
            CpRow {
                alpha: step.alpha,
                leaves: step.leaves,
                train_error: error_rate(&pruned, x, y),
                xerror,
                xstd: (xerror * (1.0 - xerror) / n).sqrt(),
                xbrier: mean_b,
                xbrier_std: (var_b / n).sqrt(),
                xauc: auc_of(&pooled[k], y, n_classes),
                xauc_std: {
                    let f = &fold_aucs[k];
                    let m = f.iter().sum::<f64>() / f.len().max(1) as f64;
                    let v = f.iter().map(|a| (a - m).powi(2)).sum::<f64>()
                        / (f.len() as f64 - 1.0).max(1.0);
                    (v / f.len().max(1) as f64).sqrt()
                },
            }
        })
        .collect();
    let value = |r: &CpRow| match loss {
        PruneLoss::Error => (r.xerror, r.xstd),
        PruneLoss::Brier => (r.xbrier, r.xbrier_std),
        PruneLoss::Auc => (1.0 - r.xauc, r.xauc_std),
    };
    let best = table
        .iter()
        .min_by(|a, b| value(a).0.total_cmp(&value(b).0))
        .map_or(0.0, |r| value(r).0 + value(r).1);
    let chosen = table
        .iter()
        .filter(|r| value(r).0 <= best + 1e-12)
        .map(|r| r.alpha)
        .fold(0.0, f64::max);
    (table, chosen)
}

#[cfg(test)]
mod cp_step_tests {
    use super::*;

    fn path(leaves: impl Iterator<Item = usize>) -> Vec<AlphaStep> {
        leaves
            .enumerate()
            .map(|(i, leaves)| AlphaStep {
                alpha: i as f64 * 1e-4,
                leaves,
                impurity: 0.0,
            })
            .collect()
    }

    #[test]
    fn a_short_path_is_kept_whole_and_a_long_one_thinned_from_full_tree_to_root() {
        let short = path((1..=60).rev());
        assert_eq!(cp_steps(&short, MAX_CP_ROWS), (0..60).collect::<Vec<_>>());

        // One leaf removed per step, from 20,000 leaves to the root.
        let long = path((1..=20_000).rev());
        let kept = cp_steps(&long, MAX_CP_ROWS);
        assert!(kept.len() <= MAX_CP_ROWS + 1, "{} rows", kept.len());
        assert!(kept.len() >= MAX_CP_ROWS / 2, "{} rows", kept.len());
        assert_eq!(kept[0], 0, "the full tree");
        assert_eq!(*kept.last().unwrap(), long.len() - 1, "the root");
        assert!(kept.windows(2).all(|w| w[0] < w[1]), "ascending alphas");
        // Small trees, where pruning chooses, are all there: every size from 1 to 10 leaves.
        for leaves in 1..=10 {
            assert!(
                kept.iter().any(|&k| long[k].leaves == leaves),
                "{leaves} leaves"
            );
        }
    }
}
