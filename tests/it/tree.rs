//! The tree engine against scikit-learn 1.9.1 on the same data and split (tools/tree_reference.py).

use precre::analysis::{impute_median, standardize::fill_missing, Matrix};
use precre::model::{ClassWeight, Criterion, Tree, TreeParams, TreeParamsError};

use crate::common;

use common::iris;

fn fit(x: &Matrix, y: &[usize], k: usize, f: impl FnOnce(&mut TreeParams)) -> Tree {
    let mut p = TreeParams::default();
    f(&mut p);
    Tree::fit(&p.check().unwrap(), x, y, k)
}

#[test]
fn iris_full_tree_matches_scikit_learn() {
    let Some((x, y)) = iris() else { return };
    let t = fit(&x, &y, 3, |_| {});
    // scikit-learn 1.9.1, DecisionTreeClassifier(random_state=0) on all 150 rows:
    // 17 nodes, 9 leaves, depth 5, training accuracy 1.0.
    assert_eq!((t.nodes.len(), t.n_leaves(), t.depth()), (17, 9, 5));
    assert_eq!(t.predict(&x), y);
    // Root: setosa split off perfectly (scikit-learn picks petal width <= 0.8; petal length <= 2.45
    // makes the same partition and ties).
    let root = &t.nodes[0];
    assert!(
        matches!(
            (root.feature, root.threshold),
            (Some(3), 0.8) | (Some(2), 2.45)
        ),
        "{:?}",
        (root.feature, root.threshold)
    );
    assert_eq!(t.nodes[root.left].counts, vec![50.0, 0.0, 0.0]);
    assert_eq!(t.nodes[root.right].counts, vec![0.0, 50.0, 50.0]);
    // scikit-learn's second split: petal width <= 1.75.
    let right = &t.nodes[root.right];
    assert_eq!((right.feature, right.threshold), (Some(3), 1.75));
    for r in 0..x.rows {
        let p = t.predict_proba_row(x.row(r));
        assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-12);
    }
}

fn polish() -> Option<(Matrix, Vec<usize>, Matrix, Vec<usize>)> {
    let rows = common::dataset_rows("polish-bankruptcy/1year.csv", Some("row_id"), "class")?;
    let ids = common::polish_train_ids();
    let (tr, te): (Vec<_>, Vec<_>) = rows.iter().partition(|r| ids.contains(&r.entity_id));
    let label = |v: &[&precre::store::features::FeatureRow]| -> Vec<usize> {
        v.iter()
            .map(|r| (r.label.as_deref() == Some("1")) as usize)
            .collect()
    };
    let mut xtr = common::matrix(&tr);
    let medians = impute_median(&mut xtr);
    let mut xte = common::matrix(&te);
    fill_missing(&mut xte, &medians);
    Some((xtr, label(&tr), xte, label(&te)))
}

fn accuracy(t: &Tree, x: &Matrix, y: &[usize]) -> f64 {
    t.predict(x).iter().zip(y).filter(|(a, b)| a == b).count() as f64 / y.len() as f64
}

#[test]
fn polish_1year_trees_match_scikit_learn_on_the_reference_split() {
    let Some((xtr, ytr, xte, yte)) = polish() else {
        return;
    };
    // scikit-learn 1.9.1 on this split, training medians imputed, 20 random_states:
    // gini depth 6: accuracy 0.9687 to 0.9711, 59 nodes (README of the data sets: 0.969, 59 nodes);
    // gini, no depth limit: accuracy 0.9497 to 0.9578, 259 nodes;
    // entropy depth 6: accuracy 0.9772 to 0.9787, 69 nodes.
    let t = fit(&xtr, &ytr, 2, |p| p.max_depth = Some(6));
    let acc = accuracy(&t, &xte, &yte);
    assert!(
        (0.9637..=0.9761).contains(&acc),
        "gini depth 6 accuracy {acc}"
    );
    assert!(
        (55..=63).contains(&t.nodes.len()),
        "gini depth 6: {} nodes",
        t.nodes.len()
    );
    let t = fit(&xtr, &ytr, 2, |_| {});
    let acc = accuracy(&t, &xte, &yte);
    assert!((0.9447..=0.9628).contains(&acc), "gini full accuracy {acc}");
    assert!(
        (245..=273).contains(&t.nodes.len()),
        "gini full: {} nodes",
        t.nodes.len()
    );
    assert_eq!(
        accuracy(&t, &xtr, &ytr),
        1.0,
        "a full tree separates its training data"
    );
    let t = fit(&xtr, &ytr, 2, |p| {
        p.max_depth = Some(6);
        p.criterion = Criterion::Entropy;
    });
    let acc = accuracy(&t, &xte, &yte);
    assert!(
        (0.9722..=0.9837).contains(&acc),
        "entropy depth 6 accuracy {acc}"
    );
    assert!(
        (63..=75).contains(&t.nodes.len()),
        "entropy depth 6: {} nodes",
        t.nodes.len()
    );
}

#[test]
fn parameters_are_honoured_and_fitting_is_deterministic() {
    let Some((x, y)) = iris() else { return };
    let t = fit(&x, &y, 3, |p| p.min_samples_leaf = 10);
    assert!(t
        .nodes
        .iter()
        .filter(|n| n.is_leaf())
        .all(|n| n.n_samples >= 10));
    let t = fit(&x, &y, 3, |p| p.max_depth = Some(2));
    assert_eq!(t.depth(), 2);
    let t = fit(&x, &y, 3, |p| p.min_impurity_decrease = 0.02);
    assert!(t.nodes.len() < 17);
    let a = fit(&x, &y, 3, |p| p.criterion = Criterion::GiniPairs);
    let b = fit(&x, &y, 3, |p| p.criterion = Criterion::GiniPairs);
    assert_eq!(a, b);
    assert!(accuracy(&a, &x, &y) > 0.95);
    // Balanced weights on a 50/50/50 set change nothing.
    let w = fit(&x, &y, 3, |p| p.class_weight = ClassWeight::Balanced);
    assert_eq!(w.predict(&x), y);

    assert_eq!(
        TreeParams {
            max_depth: Some(0),
            ..TreeParams::default()
        }
        .check(),
        Err(TreeParamsError::MaxDepth)
    );
    assert_eq!(
        TreeParams {
            min_samples_split: 1,
            ..TreeParams::default()
        }
        .check(),
        Err(TreeParamsError::MinSamplesSplit(1))
    );
    assert_eq!(
        TreeParams {
            min_samples_leaf: 0,
            ..TreeParams::default()
        }
        .check(),
        Err(TreeParamsError::MinSamplesLeaf(0))
    );
    assert!(TreeParams {
        min_impurity_decrease: f64::NAN,
        ..TreeParams::default()
    }
    .check()
    .is_err());
}

#[test]
fn a_missing_value_follows_the_larger_child() {
    let Some((x, y)) = iris() else { return };
    let t = fit(&x, &y, 3, |_| {});
    let mut row = x.row(100).to_vec();
    row.iter_mut().for_each(|v| *v = f64::NAN);
    // Root: 50 left, 100 right; the missing row goes right.
    let path = t.path(&row);
    assert_eq!(path[1], t.nodes[0].right);
}
