//! Cost-complexity pruning against scikit-learn 1.9.1's cost_complexity_pruning_path on iris,
//! and cross-validated selection by the 1-SE rule.

use precre::model::prune::{alpha_path, cross_validate, prune, PruneLoss};
use precre::model::{Tree, TreeParams};

use crate::common;

use common::iris;

fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

#[test]
fn iris_alpha_path_matches_scikit_learn() {
    let Some((x, y)) = iris() else { return };
    let params = TreeParams::default().check().unwrap();
    let tree = Tree::fit(&params, &x, &y, 3);
    let path = alpha_path(&tree);
    // DecisionTreeClassifier(random_state=0).cost_complexity_pruning_path(X, y) on iris:
    // ccp_alphas [0, 0.006522, 0.008889, 0.013056, 0.02966, 0.259796, 0.333333],
    // impurities [0, 0.013043, 0.030821, 0.043877, 0.073537, 0.333333, 0.666667],
    // leaves of the tree fitted with each ccp_alpha: 9 7 5 4 3 2 1.
    let alphas: Vec<f64> = path.iter().map(|s| round6(s.alpha)).collect();
    let impurities: Vec<f64> = path.iter().map(|s| round6(s.impurity)).collect();
    let leaves: Vec<usize> = path.iter().map(|s| s.leaves).collect();
    assert_eq!(
        alphas,
        vec![0.0, 0.006522, 0.008889, 0.013056, 0.02966, 0.259796, 0.333333]
    );
    assert_eq!(
        impurities,
        vec![0.0, 0.013043, 0.030821, 0.043877, 0.073537, 0.333333, 0.666667]
    );
    assert_eq!(leaves, vec![9, 7, 5, 4, 3, 2, 1]);
    for step in &path {
        let pruned = prune(&tree, step.alpha);
        assert_eq!(pruned.n_leaves(), step.leaves);
        // Pruning keeps every node's counts, so probabilities stay available.
        assert_eq!(pruned.nodes[0].counts, vec![50.0, 50.0, 50.0]);
    }
    assert_eq!(prune(&tree, 0.0).predict(&x), y);
}

#[test]
fn cross_validation_picks_a_simpler_tree_by_the_one_se_rule() {
    let Some((x, y)) = iris() else { return };
    let params = TreeParams::default().check().unwrap();
    let (table, alpha) = cross_validate(&params, &x, &y, 3, 5, 1, PruneLoss::Error);
    assert_eq!(table.first().map(|r| r.leaves), Some(9));
    assert_eq!(table.last().map(|r| r.leaves), Some(1));
    assert!(table
        .windows(2)
        .all(|w| w[0].leaves > w[1].leaves && w[0].alpha < w[1].alpha));
    // The root alone misclassifies two thirds in cross-validation too.
    assert!((table.last().unwrap().xerror - 2.0 / 3.0).abs() < 0.05);
    let min = table.iter().map(|r| r.xerror).fold(f64::INFINITY, f64::min);
    let chosen = table.iter().find(|r| r.alpha == alpha).unwrap();
    let best = table.iter().find(|r| r.xerror == min).unwrap();
    assert!(chosen.xerror <= min + best.xstd + 1e-12);
    assert!(chosen.leaves <= best.leaves && chosen.leaves >= 2 && chosen.leaves < 9);
    assert_eq!(
        cross_validate(&params, &x, &y, 3, 5, 1, PruneLoss::Error),
        (table, alpha),
        "deterministic for a seed"
    );
}

#[test]
fn grid_search_ranks_by_cross_validated_score() {
    use precre::model::tune::{grid_search, CvSpec, Grid, Score};
    use precre::model::Criterion;
    let Some((x, y)) = iris() else { return };
    let grid = Grid {
        criteria: vec![Criterion::Gini, Criterion::Entropy],
        depths: vec![Some(1), Some(3), None],
        min_leaf: vec![1, 5],
        alphas: vec![0.0, 0.01],
    };
    let results = grid_search(
        &x,
        &y,
        3,
        0,
        &grid,
        CvSpec {
            folds: 5,
            seed: 3,
            score: Score::Accuracy,
        },
    )
    .unwrap();
    assert_eq!(results.len(), 24);
    assert!(results.windows(2).all(|w| w[0].mean >= w[1].mean));
    // A stump separates one class of three: at most 2/3 accuracy; deeper trees do far better.
    assert!(results[0].mean > 0.9 && results[0].max_depth != Some(1));
    assert!(results
        .iter()
        .filter(|r| r.max_depth == Some(1))
        .all(|r| r.mean <= 2.0 / 3.0 + 1e-9));
    let again = grid_search(
        &x,
        &y,
        3,
        0,
        &grid,
        CvSpec {
            folds: 5,
            seed: 3,
            score: Score::Accuracy,
        },
    )
    .unwrap();
    assert_eq!(results[0].mean, again[0].mean);
}
