//! The tree through linfa's Fit / Predict traits, cross-checked against linfa-trees on the same
//! data and parameters (test accuracy within a point), and PCA against linfa-reduction.

use linfa::prelude::*;
use linfa_trees::{DecisionTree, SplitQuality};
use ndarray::{Array1, Array2};
use precre::analysis::{impute_median, standardize::fill_missing};
use precre::model::TreeParams;

use crate::common;

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

/// PCA against linfa-reduction on the same standardized data (iris, and Polish 1year median
/// imputed): the standard deviations (linfa's singular values / sqrt(n - 1); its
/// `explained_variance()` divides by the number of kept components, not by n - 1, so the
/// singular values are what compare) and every row's scores on each component, up to the
/// component's sign.
#[test]
fn pca_matches_linfa_reduction() {
    use linfa::traits::{Fit, Predict};
    let mut sets = Vec::new();
    if let Some((x, _)) = common::iris() {
        sets.push(("iris", x));
    }
    if let Some(rows) = common::dataset_rows("polish-bankruptcy/1year.csv", Some("row_id"), "class")
    {
        let mut x = common::matrix(&rows.iter().collect::<Vec<_>>());
        precre::analysis::impute_median(&mut x);
        sets.push(("polish 1year", x));
    }
    for (name, x) in sets {
        let scaler = precre::analysis::Standardizer::fit(&x);
        let z = scaler.transform(&x);
        let ours = precre::analysis::Pca::fit(&z);
        let k = z.cols.min(6);
        let arr = Array2::from_shape_vec((z.rows, z.cols), z.data.clone()).unwrap();
        let theirs = linfa_reduction::Pca::params(k)
            .fit(&DatasetBase::from(arr.clone()))
            .unwrap();
        let n1 = (z.rows as f64 - 1.0).sqrt();
        for (c, s) in theirs.singular_values().iter().enumerate() {
            let sd = s / n1;
            assert!(
                (sd - ours.sdev[c]).abs() < 1e-8 * ours.sdev[0],
                "{name} PC{}: {sd} against {}",
                c + 1,
                ours.sdev[c]
            );
        }
        let projected: Array2<f64> = theirs.predict(&arr);
        let mine = precre::analysis::pca::project(&z, &ours.rotation, k);
        for c in 0..k {
            // Components with (nearly) equal variances are not determined: skip those.
            let gap = |a: usize, b: usize| (ours.sdev[a] - ours.sdev[b]).abs() / ours.sdev[0];
            if (c > 0 && gap(c - 1, c) < 1e-6) || (c + 1 < ours.sdev.len() && gap(c, c + 1) < 1e-6)
            {
                continue;
            }
            let dot: f64 = (0..z.rows)
                .map(|r| projected[[r, c]] * mine.get(r, c))
                .sum();
            let sign = dot.signum();
            let worst = (0..z.rows)
                .map(|r| (projected[[r, c]] - sign * mine.get(r, c)).abs())
                .fold(0.0, f64::max);
            assert!(
                worst < 1e-6 * ours.sdev[0] * 10.0,
                "{name} PC{}: scores differ by {worst}",
                c + 1
            );
        }
    }
}
