//! Cost-complexity pruning: the weakest-link alpha path, pruning at an alpha, and the
//! cross-validated choice of alpha by the 1-SE rule (rpart's cp table).
//!
//! A node's risk is its weighted impurity times its share of the training weight, as in
//! scikit-learn's `cost_complexity_pruning_path`, so alphas are comparable with `ccp_alpha`.

use super::split::stratified_folds;
use super::tree::{Node, Tree};
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
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CpRow {
    pub alpha: f64,
    pub leaves: usize,
    /// Misclassification rate of the pruned tree on its training data.
    pub train_error: f64,
    /// Cross-validated misclassification rate, and its standard error.
    pub xerror: f64,
    pub xstd: f64,
}

fn risk(node: &Node, total: f64) -> f64 {
    node.impurity * node.counts.iter().sum::<f64>() / total
}

/// The weakest-link sequence: alphas at which subtrees collapse, starting with 0.
pub fn alpha_path(tree: &Tree) -> Vec<AlphaStep> {
    let total: f64 = tree.nodes[0].counts.iter().sum();
    let mut out = Vec::new();
    let mut collapsed = vec![false; tree.nodes.len()];
    let mut alpha = 0.0;
    loop {
        collapse_until(tree, &mut collapsed, alpha, total);
        let (leaves, impurity) = leaves_and_risk(tree, &collapsed, total);
        out.push(AlphaStep {
            alpha,
            leaves,
            impurity,
        });
        if leaves <= 1 {
            return out;
        }
        alpha = weakest_link(tree, &collapsed, total).0;
    }
}

/// Cuts weakest links while their g <= alpha.
fn collapse_until(tree: &Tree, collapsed: &mut [bool], alpha: f64, total: f64) {
    loop {
        let (g_min, nodes) = weakest_link(tree, collapsed, total);
        if nodes.is_empty() || g_min > alpha + 1e-15 {
            return;
        }
        nodes.into_iter().for_each(|id| collapsed[id] = true);
    }
}

/// Leaves' risk and leaf count of every subtree when `collapsed` nodes are leaves.
fn subtree_stats(tree: &Tree, collapsed: &[bool], total: f64) -> (Vec<f64>, Vec<usize>) {
    let n = tree.nodes.len();
    let mut sub_risk = vec![0.0; n];
    let mut sub_leaves = vec![0usize; n];
    // Children always come after their parent in `nodes`.
    for id in (0..n).rev() {
        let node = &tree.nodes[id];
        if node.is_leaf() || collapsed[id] {
            sub_risk[id] = risk(node, total);
            sub_leaves[id] = 1;
        } else {
            sub_risk[id] = sub_risk[node.left] + sub_risk[node.right];
            sub_leaves[id] = sub_leaves[node.left] + sub_leaves[node.right];
        }
    }
    (sub_risk, sub_leaves)
}

/// The smallest g(t) = (R(t) - R(T_t)) / (|leaves(T_t)| - 1) over the current internal nodes,
/// and every node that attains it.
fn weakest_link(tree: &Tree, collapsed: &[bool], total: f64) -> (f64, Vec<usize>) {
    let (sub_risk, sub_leaves) = subtree_stats(tree, collapsed, total);
    let seen = reachable(tree, collapsed);
    let g =
        |id: usize| (risk(&tree.nodes[id], total) - sub_risk[id]) / (sub_leaves[id] as f64 - 1.0);
    let inner: Vec<usize> = (0..tree.nodes.len())
        .filter(|&id| seen[id] && !tree.nodes[id].is_leaf() && !collapsed[id])
        .collect();
    let g_min = inner.iter().map(|&id| g(id)).fold(f64::INFINITY, f64::min);
    let at_min = inner
        .into_iter()
        .filter(|&id| g(id) <= g_min + 1e-15)
        .collect();
    (g_min.max(0.0), at_min)
}

fn reachable(tree: &Tree, collapsed: &[bool]) -> Vec<bool> {
    let mut seen = vec![false; tree.nodes.len()];
    let mut stack = vec![0];
    while let Some(id) = stack.pop() {
        seen[id] = true;
        let node = &tree.nodes[id];
        if !node.is_leaf() && !collapsed[id] {
            stack.push(node.left);
            stack.push(node.right);
        }
    }
    seen
}

fn leaves_and_risk(tree: &Tree, collapsed: &[bool], total: f64) -> (usize, f64) {
    let seen = reachable(tree, collapsed);
    let mut leaves = 0;
    let mut r = 0.0;
    for (id, node) in tree.nodes.iter().enumerate() {
        if seen[id] && (node.is_leaf() || collapsed[id]) {
            leaves += 1;
            r += risk(node, total);
        }
    }
    (leaves, r)
}

/// Which internal nodes collapse at `alpha`: weakest links are cut while their g <= alpha.
fn prune_mask_at(tree: &Tree, alpha: f64) -> Vec<bool> {
    let total: f64 = tree.nodes[0].counts.iter().sum();
    let mut collapsed = vec![false; tree.nodes.len()];
    collapse_until(tree, &mut collapsed, alpha, total);
    collapsed
}

/// The tree pruned at `alpha`, as a new, compact tree.
pub fn prune(tree: &Tree, alpha: f64) -> Tree {
    let collapsed = prune_mask_at(tree, alpha);
    let mut nodes = Vec::new();
    // (old id, index of the new parent's child slot to fill)
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

/// rpart's cp table by k-fold cross-validation over the full tree's alpha path, and the alpha the
/// 1-SE rule picks: the simplest tree whose xerror is within one standard error of the minimum.
pub fn cross_validate(
    params: &ValidTreeParams,
    x: &Matrix,
    y: &[usize],
    n_classes: usize,
    folds: usize,
    seed: u64,
) -> (Vec<CpRow>, f64) {
    let full = Tree::fit(params, x, y, n_classes);
    let path = alpha_path(&full);
    // Each step is represented by the geometric mean of its alpha and the next (rpart's choice).
    let reps: Vec<f64> = (0..path.len())
        .map(|i| match path.get(i + 1) {
            Some(next) if path[i].alpha > 0.0 => (path[i].alpha * next.alpha).sqrt(),
            Some(next) => next.alpha / 2.0,
            None => path[i].alpha * 2.0 + 1.0,
        })
        .collect();
    let mut wrong = vec![0usize; path.len()];
    let parts = stratified_folds(y, folds, seed);
    for held in &parts {
        let mut is_held = vec![false; y.len()];
        held.iter().for_each(|&i| is_held[i] = true);
        let train: Vec<usize> = (0..y.len()).filter(|&i| !is_held[i]).collect();
        let xt = x.select_rows(&train);
        let yt: Vec<usize> = train.iter().map(|&i| y[i]).collect();
        let t = Tree::fit(params, &xt, &yt, n_classes);
        for (k, &a) in reps.iter().enumerate() {
            let pruned = prune(&t, a);
            wrong[k] += held
                .iter()
                .filter(|&&i| pruned.predict_row(x.row(i)) != y[i])
                .count();
        }
    }
    let n = y.len() as f64;
    let table: Vec<CpRow> = path
        .iter()
        .zip(&wrong)
        .map(|(step, &w)| {
            let xerror = w as f64 / n;
            CpRow {
                alpha: step.alpha,
                leaves: step.leaves,
                train_error: error_rate(&prune(&full, step.alpha), x, y),
                xerror,
                xstd: (xerror * (1.0 - xerror) / n).sqrt(),
            }
        })
        .collect();
    let best = table
        .iter()
        .min_by(|a, b| a.xerror.total_cmp(&b.xerror))
        .map_or(0.0, |r| r.xerror + r.xstd);
    let chosen = table
        .iter()
        .filter(|r| r.xerror <= best + 1e-12)
        .map(|r| r.alpha)
        .fold(0.0, f64::max);
    (table, chosen)
}
