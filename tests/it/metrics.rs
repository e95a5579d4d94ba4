//! Metrics and splits against scikit-learn 1.9.1 on the same small example (figures computed with
//! sklearn.metrics: confusion_matrix, precision_recall_fscore_support, roc_auc_score, roc_curve).

use precre::model::metrics::{evaluate, roc};
use precre::model::split::{by_column, out_of_time, stratified, stratified_folds};

fn example() -> (Vec<usize>, Vec<Vec<f64>>) {
    let y = vec![0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 0, 1];
    let p = [
        [0.7, 0.2, 0.1],
        [0.5, 0.4, 0.1],
        [0.2, 0.5, 0.3],
        [0.1, 0.8, 0.1],
        [0.3, 0.4, 0.3],
        [0.4, 0.4, 0.2],
        [0.1, 0.3, 0.6],
        [0.1, 0.2, 0.7],
        [0.2, 0.2, 0.6],
        [0.3, 0.5, 0.2],
        [0.6, 0.3, 0.1],
        [0.2, 0.6, 0.2],
    ];
    (y, p.iter().map(|r| r.to_vec()).collect())
}

fn close(a: f64, b: f64) {
    assert!((a - b).abs() < 1e-12, "{a} vs {b}");
}

#[test]
fn three_class_metrics_match_scikit_learn() {
    let (y, p) = example();
    let classes: Vec<String> = ["bad", "satisfactory", "good"].map(String::from).to_vec();
    let e = evaluate(&classes, &y, &p, 0, 1);
    assert_eq!(
        e.confusion,
        vec![vec![3, 1, 0], vec![1, 3, 1], vec![0, 1, 2]]
    );
    close(e.accuracy, 8.0 / 12.0);
    close(e.test_error, 4.0 / 12.0);
    assert!(!e.passes_15_percent_bar);
    close(e.majority_baseline, 5.0 / 12.0);
    let want = [(0.75, 4), (0.6, 5), (2.0 / 3.0, 3)];
    for (c, (v, support)) in e.per_class.iter().zip(want) {
        close(c.precision, v);
        close(c.recall, v);
        close(c.f1, v);
        assert_eq!(c.support, support);
    }
    close(e.macro_recall, 0.6722222222222222);
    close(e.macro_f1, 0.6722222222222222);
    let aucs: Vec<f64> = e.per_class.iter().map(|c| c.auc.unwrap()).collect();
    close(aucs[0], 0.875);
    close(aucs[1], 0.7571428571428571);
    close(aucs[2], 0.8333333333333333);
    close(e.auc.unwrap(), 0.8218253968253967); // roc_auc_score(multi_class="ovr")
    close(e.gini.unwrap(), 2.0 * 0.8218253968253967 - 1.0);
    close(e.ks.unwrap(), 0.75); // max(tpr - fpr) of roc_curve(y == 0, p[:, 0])
    let curve = &e.per_class[0].roc;
    assert_eq!(curve.first(), Some(&(0.0, 0.0)));
    assert_eq!(curve.last(), Some(&(1.0, 1.0)));
}

#[test]
fn auc_handles_ties_and_degenerate_cases() {
    // All scores tied: AUC 0.5.
    let (auc, _, _) = roc(&[0.3, 0.3, 0.3, 0.3], &[true, false, true, false]);
    assert_eq!(auc, Some(0.5));
    let (auc, _, ks) = roc(&[0.9, 0.8, 0.2, 0.1], &[true, true, false, false]);
    assert_eq!((auc, ks), (Some(1.0), Some(1.0)));
    assert_eq!(roc(&[0.1, 0.2], &[true, true]).0, None);
}

#[test]
fn splits_are_stratified_seeded_and_complete() {
    let y: Vec<usize> = (0..1000).map(|i| usize::from(i % 10 == 0)).collect();
    let (train, test) = stratified(&y, 0.3, 7);
    assert_eq!(train.len() + test.len(), 1000);
    assert_eq!(test.iter().filter(|&&i| y[i] == 1).count(), 30);
    assert_eq!(test.len(), 300);
    assert_eq!(stratified(&y, 0.3, 7), (train.clone(), test.clone()));
    assert_ne!(stratified(&y, 0.3, 8).1, test);
    let folds = stratified_folds(&y, 5, 1);
    let mut all: Vec<usize> = folds.concat();
    all.sort_unstable();
    assert_eq!(all, (0..1000).collect::<Vec<_>>());
    for f in &folds {
        assert_eq!(f.len(), 200);
        assert_eq!(f.iter().filter(|&&i| y[i] == 1).count(), 20);
    }
    assert_eq!(
        by_column(&[Some("train"), Some("TEST"), Some("train")]),
        Ok((vec![0, 2], vec![1]))
    );
    assert_eq!(
        by_column(&[Some("train"), Some("holdout")]),
        Err(precre::model::SplitError::NotTrainOrTest {
            row: 2,
            value: "holdout".into()
        })
    );
    assert_eq!(
        out_of_time(&[2020, 2021, 2022, 2023], 2022),
        (vec![0, 1], vec![2, 3])
    );
}
