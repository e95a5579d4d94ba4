//! Every model kind at its default settings on the shared data sets (issue 27, item 6), as JSON
//! lines for `bench/defaults.py` to put beside scikit-learn's and LightGBM's defaults on the same
//! splits: Statlog Australian, Statlog German (all 20 attributes, the 13 coded ones one-hot),
//! Polish bankruptcy 1year and 5year, and Iris (three classes: the mean one-vs-rest AUC). Split
//! `s` holds out row i (file order, from 0) when (i + 3 s) % 10 >= 7, so splits 0, 1 and 2 have
//! disjoint test parts; training medians fill missing values, then the training means and
//! standard deviations (n - 1) standardize. Boosting is also measured with the stopping rules the
//! default was chosen among, and the SVM on all the training rows and with its former scaling
//! (ADR 0033).
//!
//! The AUC does not depend on the build profile, so the test profile (already built for the
//! tests) will do: `cargo bench --bench defaults --profile test -- [DATASETS_DIR]`
//! (default `../shared/datasets`); PRECRE_BENCH_SPLITS splits (default 3),
//! PRECRE_BENCH_KINDS=svm,boosting picks kinds. Each line has the test AUC and Brier score.

use precre::analysis::{impute_median, standardize::fill_missing, Matrix, Standardizer};
use precre::model::boost::BoostParams;
use precre::model::learner::{Learner, ModelKind};
use precre::model::metrics::evaluate;
use precre::model::prune::{cross_validate, prune, PruneLoss};
use precre::model::svm::{Calibration, SupportVectors, SvmParams, ROW_LIMIT};
use precre::model::{Tree, TreeParams};
use std::path::{Path, PathBuf};

struct Data {
    name: &'static str,
    x: Matrix,
    y: Vec<usize>,
    classes: usize,
}

fn read_lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_string)
        .collect()
}

fn number(s: &str) -> f64 {
    if s.trim().is_empty() {
        f64::NAN
    } else {
        s.trim().parse().unwrap_or(f64::NAN)
    }
}

/// Polish bankruptcy (row_id, Attr1..Attr64, class; empty cells missing).
fn polish(dir: &Path, file: &str, name: &'static str) -> Data {
    let lines = read_lines(&dir.join("polish-bankruptcy").join(file));
    let (mut rows, mut y) = (Vec::new(), Vec::new());
    for line in &lines[1..] {
        let cells: Vec<&str> = line.split(',').collect();
        rows.push(
            cells[1..cells.len() - 1]
                .iter()
                .map(|c| number(c))
                .collect(),
        );
        y.push(cells[cells.len() - 1].trim().parse::<f64>().expect("class") as usize);
    }
    Data {
        name,
        x: Matrix::from_rows(&rows),
        y,
        classes: 2,
    }
}

fn australian(dir: &Path) -> Data {
    let (mut rows, mut y) = (Vec::new(), Vec::new());
    for line in read_lines(&dir.join("statlog-australian/australian.dat")) {
        let v: Vec<f64> = line.split_whitespace().map(number).collect();
        rows.push(v[..v.len() - 1].to_vec());
        y.push(v[v.len() - 1] as usize);
    }
    Data {
        name: "australian",
        x: Matrix::from_rows(&rows),
        y,
        classes: 2,
    }
}

/// German credit: numeric attributes as they are, coded ones (`A11`...) one column per code in
/// sorted order; class 1 is the bad ("2").
fn german(dir: &Path) -> Data {
    let lines: Vec<Vec<String>> = read_lines(&dir.join("statlog-german/german.data"))
        .iter()
        .map(|l| l.split_whitespace().map(str::to_string).collect())
        .collect();
    let attributes = lines[0].len() - 1;
    let mut columns: Vec<Vec<f64>> = Vec::new();
    for j in 0..attributes {
        if lines[0][j].starts_with('A') {
            let mut codes: Vec<&str> = lines.iter().map(|l| l[j].as_str()).collect();
            codes.sort_unstable();
            codes.dedup();
            for code in codes {
                columns.push(lines.iter().map(|l| (l[j] == code) as u8 as f64).collect());
            }
        } else {
            columns.push(lines.iter().map(|l| number(&l[j])).collect());
        }
    }
    let rows: Vec<Vec<f64>> = (0..lines.len())
        .map(|i| columns.iter().map(|c| c[i]).collect())
        .collect();
    Data {
        name: "german",
        x: Matrix::from_rows(&rows),
        y: lines
            .iter()
            .map(|l| (l[attributes] == "2") as usize)
            .collect(),
        classes: 2,
    }
}

fn iris(dir: &Path) -> Data {
    let (mut rows, mut y) = (Vec::new(), Vec::new());
    for line in &read_lines(&dir.join("iris/iris.csv"))[1..] {
        let cells: Vec<&str> = line.split(',').collect();
        rows.push(cells[..4].iter().map(|c| number(c)).collect());
        let species = ["setosa", "versicolor", "virginica"];
        y.push(
            species
                .iter()
                .position(|s| *s == cells[4].trim())
                .expect("species"),
        );
    }
    Data {
        name: "iris",
        x: Matrix::from_rows(&rows),
        y,
        classes: 3,
    }
}

struct Split {
    xtr: Matrix,
    ytr: Vec<usize>,
    xte: Matrix,
    yte: Vec<usize>,
}

fn split(d: &Data, s: usize) -> Split {
    let test = |i: usize| (i + 3 * s) % 10 >= 7;
    let tr: Vec<usize> = (0..d.x.rows).filter(|&i| !test(i)).collect();
    let te: Vec<usize> = (0..d.x.rows).filter(|&i| test(i)).collect();
    let mut xtr = d.x.select_rows(&tr);
    let medians = impute_median(&mut xtr);
    let mut xte = d.x.select_rows(&te);
    fill_missing(&mut xte, &medians);
    let scaler = Standardizer::fit(&xtr);
    Split {
        xtr: scaler.transform(&xtr),
        xte: scaler.transform(&xte),
        ytr: tr.iter().map(|&i| d.y[i]).collect(),
        yte: te.iter().map(|&i| d.y[i]).collect(),
    }
}

/// The test AUC: of class 1 for two classes, the mean one-vs-rest for more.
fn auc(proba: &[Vec<f64>], y: &[usize], classes: usize) -> f64 {
    let names: Vec<String> = (0..classes).map(|c| c.to_string()).collect();
    evaluate(&names, y, proba, classes.min(2) - 1, 0)
        .auc
        .unwrap_or(f64::NAN)
}

/// The tree as `precre train` fits it by default: Gini, depth 6, pruned by 5-fold
/// cross-validation (1-SE rule on 1 - AUC).
fn default_tree(s: &Split, classes: usize) -> Vec<Vec<f64>> {
    let params = TreeParams {
        max_depth: Some(6),
        ..TreeParams::default()
    }
    .check()
    .expect("valid tree parameters");
    let grown = Tree::fit(&params, &s.xtr, &s.ytr, classes);
    let (_, alpha) = cross_validate(&params, &s.xtr, &s.ytr, classes, 5, 42, PruneLoss::Auc);
    let tree = prune(&grown, alpha);
    (0..s.xte.rows)
        .map(|r| tree.predict_proba_row(s.xte.row(r)))
        .collect()
}

/// Boosting's stopping rules the default was chosen among, beside its default.
fn boosting_variants() -> Vec<(&'static str, BoostParams)> {
    let d = BoostParams::default();
    vec![
        (
            "stop 10 on 0.1",
            BoostParams {
                early_stopping: 10,
                validation_share: 0.1,
                ..d
            },
        ),
        (
            "stop 20 on 0.2",
            BoostParams {
                early_stopping: 20,
                validation_share: 0.2,
                ..d
            },
        ),
        (
            "every round",
            BoostParams {
                early_stopping: 0,
                ..d
            },
        ),
        (
            "rounds by 5-fold cv",
            BoostParams {
                early_stopping: 0,
                stopping_folds: 5,
                ..d
            },
        ),
    ]
}

/// The mean over rows of the squared errors of the class probabilities, summed over classes.
fn brier(proba: &[Vec<f64>], y: &[usize]) -> f64 {
    let total: f64 = proba
        .iter()
        .zip(y)
        .map(|(p, &t)| {
            p.iter()
                .enumerate()
                .map(|(c, q)| (q - (c == t) as u8 as f64).powi(2))
                .sum::<f64>()
        })
        .sum();
    total / y.len() as f64
}

fn emit(
    data: &str,
    s: usize,
    kind: &str,
    setting: &str,
    proba: &[Vec<f64>],
    y: &[usize],
    seconds: f64,
) {
    let classes = proba.first().map_or(2, Vec::len);
    let (auc, brier) = (auc(proba, y, classes), brier(proba, y));
    println!(
        "{{\"data\":\"{data}\",\"split\":{s},\"kind\":\"{kind}\",\"setting\":\"{setting}\",\"tool\":\"precre\",\"auc\":{auc},\"brier\":{brier},\"seconds\":{seconds:.3}}}"
    );
}

/// The SVM's settings and scalings beside its default: all the training rows (no sample), and
/// for two classes the scaling before ADR 0033 (linfa's sigmoid on the training decision
/// values, kept by the same machine for the models saved then).
fn svm_variants(sp: &Split, d: &Data) -> Vec<(&'static str, Vec<Vec<f64>>, f64)> {
    let predict = |m: &SupportVectors| -> Vec<Vec<f64>> {
        (0..sp.xte.rows)
            .map(|r| m.predict_proba_row(sp.xte.row(r)))
            .collect()
    };
    let mut out = Vec::new();
    let started = std::time::Instant::now();
    let all = SvmParams {
        max_rows: ROW_LIMIT,
        ..SvmParams::default()
    };
    let m = SupportVectors::fit(&sp.xtr, &sp.ytr, d.classes, all).expect("svm");
    out.push((
        "all training rows",
        predict(&m),
        started.elapsed().as_secs_f64(),
    ));
    if d.classes == 2 {
        let mut m = SupportVectors::fit(&sp.xtr, &sp.ytr, 2, SvmParams::default()).expect("svm");
        m.calibration = Calibration::TrainingPlatt;
        out.push(("Platt on training values", predict(&m), f64::NAN));
    }
    out
}

fn main() {
    let dir: PathBuf = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .map_or_else(|| PathBuf::from("../shared/datasets"), PathBuf::from);
    let splits: usize = std::env::var("PRECRE_BENCH_SPLITS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3);
    let kinds = std::env::var("PRECRE_BENCH_KINDS").unwrap_or_default();
    let wanted = |kind: &str| kinds.is_empty() || kinds.split(',').any(|k| k.trim() == kind);
    let sets = [
        australian(&dir),
        german(&dir),
        polish(&dir, "1year.csv", "polish1"),
        polish(&dir, "5year.csv", "polish5"),
        iris(&dir),
    ];
    for d in &sets {
        for s in 0..splits {
            let sp = split(d, s);
            if wanted("tree") {
                let started = std::time::Instant::now();
                let proba = default_tree(&sp, d.classes);
                let secs = started.elapsed().as_secs_f64();
                emit(d.name, s, "tree", "default", &proba, &sp.yte, secs);
            }
            let mut runs: Vec<(ModelKind, &str, Learner)> = ModelKind::ALL
                .into_iter()
                .filter(|k| *k != ModelKind::Tree)
                .filter(|k| *k != ModelKind::Scorecard || d.classes == 2)
                .filter(|k| wanted(k.name()))
                .map(|k| (k, "default", k.learner()))
                .collect();
            for (name, p) in boosting_variants()
                .into_iter()
                .filter(|_| wanted("boosting"))
            {
                runs.push((ModelKind::Boosting, name, Learner::Boosting(p)));
            }
            for (kind, setting, learner) in runs {
                let started = std::time::Instant::now();
                let fitted = learner
                    .fit(&sp.xtr, &sp.ytr, d.classes, 1)
                    .unwrap_or_else(|e| panic!("{} {kind}: {e}", d.name));
                let proba: Vec<Vec<f64>> = (0..sp.xte.rows)
                    .map(|r| fitted.predict_proba_row(sp.xte.row(r)))
                    .collect();
                let secs = started.elapsed().as_secs_f64();
                emit(d.name, s, kind.name(), setting, &proba, &sp.yte, secs);
            }
            if wanted("svm") {
                for (setting, proba, secs) in svm_variants(&sp, d) {
                    emit(d.name, s, "svm", setting, &proba, &sp.yte, secs);
                }
            }
        }
    }
}
