//! The challenger models against their references on the shared data sets, on the same split
//! and the same preparation (training medians, then standardization with n - 1): logistic
//! regression's coefficients against scikit-learn's to 1e-4 and its AUC to 0.005, LDA's AUC to
//! 0.005, the forest's and the booster's within 0.02 of scikit-learn's RandomForestClassifier
//! and LightGBM, the SVM's within 0.02 of scikit-learn's SVC and the scorecard's of optbinning's
//! Scorecard. Every reference figure is printed by bench/reference/challengers_reference.py
//! (scikit-learn 1.9.1, LightGBM 4.7.0, optbinning 0.21).

use precre::analysis::{impute_median, standardize::fill_missing, Matrix, Standardizer};
use precre::model::boost::{BoostParams, Booster};
use precre::model::forest::{Forest, ForestParams};
use precre::model::linear::{Lda, Logistic};
use precre::model::metrics::roc;
use precre::model::scorecard::{Scorecard, ScorecardParams};
use precre::model::svm::{SupportVectors, SvmParams};

use crate::common;

/// Prepared training and test inputs with their classes (0 / 1 for the sorted labels).
struct Split {
    xtr: Matrix,
    ytr: Vec<usize>,
    xte: Matrix,
    yte: Vec<usize>,
}

fn prepare(x: Matrix, y: Vec<usize>, test: &[bool]) -> Split {
    let tr: Vec<usize> = (0..x.rows).filter(|&i| !test[i]).collect();
    let te: Vec<usize> = (0..x.rows).filter(|&i| test[i]).collect();
    let mut xtr = x.select_rows(&tr);
    let medians = impute_median(&mut xtr);
    let mut xte = x.select_rows(&te);
    fill_missing(&mut xte, &medians);
    let s = Standardizer::fit(&xtr);
    Split {
        xtr: s.transform(&xtr),
        xte: s.transform(&xte),
        ytr: tr.iter().map(|&i| y[i]).collect(),
        yte: te.iter().map(|&i| y[i]).collect(),
    }
}

fn labels_as_classes(rows: &[precre::store::features::FeatureRow]) -> Vec<usize> {
    let mut names: Vec<String> = rows.iter().filter_map(|r| r.label.clone()).collect();
    names.sort();
    names.dedup();
    rows.iter()
        .map(|r| {
            names
                .iter()
                .position(|n| Some(n) == r.label.as_ref())
                .unwrap()
        })
        .collect()
}

fn polish() -> Option<Split> {
    let rows = common::dataset_rows("polish-bankruptcy/1year.csv", Some("row_id"), "class")?;
    let ids = common::polish_train_ids();
    let test: Vec<bool> = rows.iter().map(|r| !ids.contains(&r.entity_id)).collect();
    let y = labels_as_classes(&rows);
    Some(prepare(
        common::matrix(&rows.iter().collect::<Vec<_>>()),
        y,
        &test,
    ))
}

fn every_tenth(n: usize) -> Vec<bool> {
    (0..n).map(|i| i % 10 >= 7).collect()
}

fn australian() -> Option<Split> {
    let rows = common::dataset_rows("statlog-australian/australian.dat", None, "column_15")?;
    let y = labels_as_classes(&rows);
    let test = every_tenth(rows.len());
    Some(prepare(
        common::matrix(&rows.iter().collect::<Vec<_>>()),
        y,
        &test,
    ))
}

/// German credit's seven numeric attributes (duration, amount, instalment rate, residence,
/// age, credits, dependants); class 1 is "2" (bad).
fn german() -> Option<Split> {
    let rows = common::dataset_rows("statlog-german/german.data", None, "column_21")?;
    let y = labels_as_classes(&rows);
    let x = common::matrix(&rows.iter().collect::<Vec<_>>());
    let x = x.select_cols(&[1, 4, 7, 10, 12, 15, 17]);
    let test = every_tenth(rows.len());
    Some(prepare(x, y, &test))
}

fn auc(proba: impl Fn(&[f64]) -> Vec<f64>, s: &Split) -> f64 {
    let scores: Vec<f64> = (0..s.xte.rows).map(|r| proba(s.xte.row(r))[1]).collect();
    let pos: Vec<bool> = s.yte.iter().map(|&c| c == 1).collect();
    roc(&scores, &pos).0.unwrap()
}

fn assert_close(what: &str, ours: f64, reference: f64, tol: f64) {
    assert!(
        (ours - reference).abs() <= tol,
        "{what}: ours {ours}, reference {reference} (tolerance {tol})"
    );
}

// scikit-learn LogisticRegression(C=1.0, tol=1e-12).coef_ and intercept_.
const AUSTRALIAN_COEF: [f64; 14] = [
    0.0617775338,
    -0.0209104702,
    -0.2669123125,
    0.2703109151,
    0.5884610537,
    0.0705781591,
    0.1117171526,
    1.646218863,
    0.2432157877,
    0.5771594587,
    -0.0668764238,
    0.178863389,
    -0.3964105735,
    1.4905577637,
];
const AUSTRALIAN_INTERCEPT: f64 = -0.41882026665559596;
const GERMAN_COEF: [f64; 7] = [
    0.4084839437,
    0.1765447806,
    0.1788768562,
    0.0070754368,
    -0.3187623958,
    -0.1587569817,
    0.1022338331,
];
const GERMAN_INTERCEPT: f64 = -0.9327158417038941;
// The first twelve of Polish 1year's 64 coefficients, and the intercept.
const POLISH_COEF_HEAD: [f64; 12] = [
    -1.0955346847,
    1.7473808008,
    -1.7490474399,
    -0.093732739,
    0.0521827386,
    -0.3298573517,
    -0.6718178463,
    -0.2918747333,
    -0.5706004693,
    -0.7472845264,
    -0.4258087268,
    -0.6368137309,
];
const POLISH_INTERCEPT: f64 = -3.638796491056287;

fn check_logistic(name: &str, s: &Split, coef: &[f64], intercept: f64, reference_auc: f64) {
    let m = Logistic::fit(&s.xtr, &s.ytr, 2, 1.0).unwrap();
    for (j, (a, b)) in m.weights[0].iter().zip(coef).enumerate() {
        assert_close(&format!("{name} coefficient {j}"), *a, *b, 1e-4);
    }
    assert_close(
        &format!("{name} intercept"),
        m.intercepts[0],
        intercept,
        1e-4,
    );
    assert_close(
        &format!("{name} logistic AUC"),
        auc(|r| m.predict_proba_row(r), s),
        reference_auc,
        0.005,
    );
}

#[test]
fn logistic_regression_matches_scikit_learn_coefficients_and_auc() {
    if let Some(s) = australian() {
        check_logistic(
            "australian",
            &s,
            &AUSTRALIAN_COEF,
            AUSTRALIAN_INTERCEPT,
            0.943231,
        );
    }
    if let Some(s) = german() {
        check_logistic("german", &s, &GERMAN_COEF, GERMAN_INTERCEPT, 0.583311);
    }
    if let Some(s) = polish() {
        check_logistic("polish", &s, &POLISH_COEF_HEAD, POLISH_INTERCEPT, 0.653706);
    }
}

#[test]
fn multinomial_logistic_matches_scikit_learn_on_iris() {
    let Some((x, y)) = common::iris() else { return };
    let s = prepare(x, y, &every_tenth(150));
    let m = Logistic::fit(&s.xtr, &s.ytr, 3, 1.0).unwrap();
    // scikit-learn's multinomial LogisticRegression(C=1.0).coef_; its intercepts are not
    // penalised, so only their differences are determined: compare those.
    let coef = [
        [-1.0364091332, 1.0280397987, -1.7767274996, -1.597247476],
        [0.4902888175, -0.2160413477, -0.1360276085, -0.831744934],
        [0.5461203157, -0.811998451, 1.9127551081, 2.42899241],
    ];
    let intercept = [-0.1706713605, 1.8648474282, -1.6941760677];
    for k in 0..3 {
        for (j, (ours, theirs)) in m.weights[k].iter().zip(&coef[k]).enumerate() {
            assert_close(
                &format!("iris coefficient [{k}][{j}]"),
                *ours,
                *theirs,
                1e-4,
            );
        }
        assert_close(
            &format!("iris intercept difference {k}"),
            m.intercepts[k] - m.intercepts[0],
            intercept[k] - intercept[0],
            1e-4,
        );
    }
}

#[test]
fn discriminant_analysis_auc_matches_scikit_learn() {
    // LinearDiscriminantAnalysis() test AUCs.
    for (name, split, reference) in [
        ("australian", australian(), 0.941066),
        ("german", german(), 0.583837),
        ("polish", polish(), 0.635145),
    ] {
        let Some(s) = split else { continue };
        let m = Lda::fit(&s.xtr, &s.ytr, 2).unwrap();
        assert_close(
            &format!("{name} LDA AUC"),
            auc(|r| m.predict_proba_row(r), &s),
            reference,
            0.005,
        );
    }
}

#[test]
fn forest_auc_is_within_two_points_of_scikit_learn() {
    // RandomForestClassifier(n_estimators=100, random_state=0) test AUCs.
    for (name, split, reference) in [
        ("australian", australian(), 0.940783),
        ("german", german(), 0.608812),
        ("polish", polish(), 0.903405),
    ] {
        let Some(s) = split else { continue };
        let m = Forest::fit(&s.xtr, &s.ytr, 2, ForestParams::default()).unwrap();
        let ours = auc(|r| m.predict_proba_row(r), &s);
        eprintln!("{name}: forest AUC {ours:.4}, scikit-learn {reference}");
        assert!(
            ours >= reference - 0.02,
            "{name} forest AUC {ours} against scikit-learn's {reference}"
        );
        assert!(
            m.oob_accuracy.is_some_and(|a| a > 0.5),
            "{name}: {:?}",
            m.oob_accuracy
        );
    }
}

#[test]
fn boosting_auc_is_within_two_points_of_lightgbm() {
    // LGBMClassifier(n_estimators=100, num_leaves=31, learning_rate=0.1, min_child_samples=20),
    // LightGBM's defaults, which keep every round; so do ours (ADR 0033).
    let params = BoostParams::default();
    assert_eq!(
        (params.rounds, params.early_stopping, params.stopping_folds),
        (100, 0, 0)
    );
    for (name, split, reference) in [
        ("australian", australian(), 0.937394),
        ("german", german(), 0.609469),
        ("polish", polish(), 0.955493),
    ] {
        let Some(s) = split else { continue };
        let m = Booster::fit(&s.xtr, &s.ytr, 2, params).unwrap();
        let ours = auc(|r| m.predict_proba_row(r), &s);
        eprintln!("{name}: boosting AUC {ours:.4}, LightGBM {reference}");
        assert!(
            ours >= reference - 0.02,
            "{name} boosting AUC {ours} against LightGBM's {reference}"
        );
        assert_eq!(m.trees.len(), 100);
    }
}

#[test]
fn boosting_rounds_chosen_by_cross_validation_are_refitted_on_every_row() {
    let Some(s) = australian() else { return };
    let params = BoostParams {
        stopping_folds: 5,
        ..BoostParams::default()
    };
    let m = Booster::fit(&s.xtr, &s.ytr, 2, params).unwrap();
    let rounds = m.trees.len();
    assert!((1..=100).contains(&rounds), "{rounds} rounds");
    assert!(m.validation_log_loss.is_some_and(|l| l > 0.0 && l < 0.69));
    // The refit is the model of that many rounds on all the training rows, no stopping.
    let plain = Booster::fit(
        &s.xtr,
        &s.ytr,
        2,
        BoostParams {
            rounds,
            ..BoostParams::default()
        },
    )
    .unwrap();
    assert_eq!(m.trees, plain.trees);
    assert_eq!(m.params, params, "the settings that refit it are kept");
    // LGBMClassifier() test AUC on this split (bench/reference/challengers_reference.py).
    let ours = auc(|r| m.predict_proba_row(r), &s);
    assert!(ours >= 0.937394 - 0.02, "AUC {ours} with {rounds} rounds");
    // Both stopping rules at once is refused, as is a single fold.
    for bad in [
        BoostParams {
            early_stopping: 10,
            ..params
        },
        BoostParams {
            stopping_folds: 1,
            ..BoostParams::default()
        },
    ] {
        assert!(Booster::fit(&s.xtr, &s.ytr, 2, bad).is_err(), "{bad:?}");
    }
}

/// The mean over rows of the squared errors of the class probabilities, summed over classes
/// (scikit-learn's multi-class Brier score, twice the binary one).
fn brier(proba: impl Fn(&[f64]) -> Vec<f64>, x: &Matrix, y: &[usize]) -> f64 {
    (0..x.rows)
        .map(|r| {
            proba(x.row(r))
                .iter()
                .enumerate()
                .map(|(c, p)| (p - (c == y[r]) as u8 as f64).powi(2))
                .sum::<f64>()
        })
        .sum::<f64>()
        / x.rows as f64
}

#[test]
fn svm_probabilities_are_as_good_as_libsvms() {
    // SVC(C=1, gamma="scale", probability=True).predict_proba: the Brier score, mean over five
    // seeds of its internal cross-validation (they spread by 0.001), by
    // bench/reference/svm_probability_reference.py (scikit-learn 1.9.1); Iris's mean
    // one-vs-rest AUC there is 1.0. Ours on all the training rows (fewer than 3,000).
    let params = SvmParams::default();
    let mut cases = vec![
        ("australian", australian(), 0.1914),
        ("german", german(), 0.4069),
    ];
    if let Some((x, y)) = common::iris() {
        cases.push(("iris", Some(prepare(x, y, &every_tenth(150))), 0.0519));
    }
    for (name, split, reference) in cases {
        let Some(s) = split else { continue };
        let k = s.ytr.iter().max().unwrap() + 1;
        let m = SupportVectors::fit(&s.xtr, &s.ytr, k, params).unwrap();
        let ours = brier(|r| m.predict_proba_row(r), &s.xte, &s.yte);
        eprintln!("{name}: SVM Brier {ours:.4}, scikit-learn {reference}");
        assert_close(&format!("{name} SVM Brier score"), ours, reference, 0.005);
        if k == 3 {
            let proba: Vec<Vec<f64>> = (0..s.xte.rows)
                .map(|r| m.predict_proba_row(s.xte.row(r)))
                .collect();
            let names: Vec<String> = (0..3).map(|c| c.to_string()).collect();
            let e = precre::model::metrics::evaluate(&names, &s.yte, &proba, 0, 0);
            assert!(
                e.auc.unwrap() >= 0.99,
                "iris mean one-vs-rest AUC {:?}",
                e.auc
            );
            assert_eq!(m.machines.len(), 3, "one machine per pair of classes");
        }
    }
}

#[test]
fn svm_auc_is_within_two_points_of_scikit_learn() {
    // SVC(C=1.0, kernel="rbf", gamma="scale", probability=True) on all the training rows; ours
    // on a stratified sample of at most `max_rows` (1,500 here for the debug build's speed:
    // Polish's 4,918 training rows are sampled, the other two sets used whole).
    let params = SvmParams {
        max_rows: 1_500,
        ..SvmParams::default()
    };
    for (name, split, reference) in [
        ("australian", australian(), 0.927697),
        ("german", german(), 0.611126),
        ("polish", polish(), 0.649329),
    ] {
        let Some(s) = split else { continue };
        let m = SupportVectors::fit(&s.xtr, &s.ytr, 2, params).unwrap();
        let ours = auc(|r| m.predict_proba_row(r), &s);
        eprintln!(
            "{name}: SVM AUC {ours:.4} on {} rows, scikit-learn {reference}",
            m.rows_used
        );
        assert!(
            ours >= reference - 0.02,
            "{name} SVM AUC {ours} against scikit-learn's {reference}"
        );
        let json = serde_json::to_string(&m).unwrap();
        let back: SupportVectors = serde_json::from_str(&json).unwrap();
        let row = s.xte.row(0);
        assert_eq!(back.predict_proba_row(row), m.predict_proba_row(row));
    }
}

#[test]
fn scorecard_auc_is_within_two_points_of_optbinning() {
    // optbinning Scorecard(BinningProcess(monotonic_trend="auto_asc_desc"),
    // LogisticRegression(C=1), pdo 50, odds 19, 600 points) test AUCs.
    for (name, split, reference) in [
        ("australian", australian(), 0.940595),
        ("german", german(), 0.591435),
        ("polish", polish(), 0.831860),
    ] {
        let Some(s) = split else { continue };
        let card = Scorecard::fit(&s.xtr, &s.ytr, 2, 1, ScorecardParams::default()).unwrap();
        let ours = auc(|r| card.predict_proba_row(r), &s);
        eprintln!("{name}: scorecard AUC {ours:.4}, optbinning {reference}");
        assert!(
            ours >= reference - 0.02,
            "{name} scorecard AUC {ours} against optbinning's {reference}"
        );
        // Points and chances are one scale: score = offset + factor x ln(odds of good).
        let p = &card.params;
        for r in 0..s.xte.rows.min(50) {
            let row = s.xte.row(r);
            let bad = card.chance_of_bad(row);
            let expected = p.offset() + p.factor() * ((1.0 - bad) / bad).ln();
            assert!((card.score(row) - expected).abs() < 1e-6, "{name} row {r}");
        }
    }
}
