//! The tree through linfa's Fit / Predict traits, cross-checked against linfa-trees on the same
//! data and parameters: test accuracy within a point.

use linfa::prelude::*;
use linfa_trees::{DecisionTree, SplitQuality};
use ndarray::{Array1, Array2};
use precre::analysis::{impute_median, standardize::fill_missing};
use precre::model::TreeParams;

mod common;

type Data = DatasetBase<Array2<f64>, Array1<usize>>;

fn polish() -> Option<(Data, Data)> {
    let rows = common::dataset_rows("polish-bankruptcy/1year.csv", Some("row_id"), "class")?;
    let ids = common::polish_train_ids();
    let (tr, te): (Vec<_>, Vec<_>) = rows.iter().partition(|r| ids.contains(&r.entity_id));
    let mut xtr = common::matrix(&tr);
    let medians = impute_median(&mut xtr);
    let mut xte = common::matrix(&te);
    fill_missing(&mut xte, &medians);
    let y = |v: &[&precre::store::features::FeatureRow]| {
        Array1::from_iter(
            v.iter()
                .map(|r| usize::from(r.label.as_deref() == Some("1"))),
        )
    };
    let to =
        |m: precre::analysis::Matrix| Array2::from_shape_vec((m.rows, m.cols), m.data).unwrap();
    Some((
        DatasetBase::new(to(xtr), y(&tr)),
        DatasetBase::new(to(xte), y(&te)),
    ))
}

fn accuracy(pred: &Array1<usize>, truth: &Array1<usize>) -> f64 {
    pred.iter().zip(truth).filter(|(a, b)| a == b).count() as f64 / truth.len() as f64
}

#[test]
fn accuracy_within_a_point_of_linfa_trees() {
    let Some((train, test)) = polish() else {
        return;
    };
    for depth in [Some(4), Some(6)] {
        let ours = TreeParams {
            max_depth: depth,
            ..TreeParams::default()
        }
        .check()
        .unwrap()
        .fit(&train)
        .unwrap();
        let theirs = DecisionTree::params()
            .split_quality(SplitQuality::Gini)
            .max_depth(depth)
            .fit(&train)
            .unwrap();
        let ours_pred: Array1<usize> = Predict::predict(&ours, &test.records);
        let a = accuracy(&ours_pred, &test.targets);
        let b = accuracy(&theirs.predict(&test.records), &test.targets);
        assert!(
            (a - b).abs() <= 0.01,
            "depth {depth:?}: ours {a}, linfa-trees {b}"
        );
    }
}

#[test]
fn fit_refuses_missing_values() {
    let x = Array2::from_shape_vec((2, 1), vec![1.0, f64::NAN]).unwrap();
    let d: Data = DatasetBase::new(x, Array1::from_vec(vec![0usize, 1]));
    assert!(TreeParams::default().check().unwrap().fit(&d).is_err());
}
