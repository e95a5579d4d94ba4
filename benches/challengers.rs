//! The challengers' speed (issue 13) on the generated feature tables, as JSON lines in the
//! shape of `bench/reference.py`'s, for `bench/run.sh` to put beside scikit-learn and LightGBM:
//! logistic regression, the random forest (100 trees) and gradient boosting (100 rounds, 31
//! leaves, no early stopping) fitted on the same prepared inputs (training medians, then
//! standardized) with the test AUC (mean one-vs-rest), and the tree's fit as `precre train`
//! reports it (no depth limit, no pruning; the fit apart from reading the data and the
//! evaluation).
//!
//! `cargo bench --bench challengers -- FILE.csv...`; PRECRE_BENCH_REPEATS runs (default 3).

use precre::analysis::{impute_median, standardize::fill_missing, Matrix, Standardizer};
use precre::model::boost::{BoostParams, Booster};
use precre::model::forest::{Forest, ForestParams};
use precre::model::linear::Logistic;
use precre::model::metrics::evaluate;
use std::path::Path;

#[path = "table.rs"]
mod table;
use table::{best_of, read};

fn auc(proba: &[Vec<f64>], y: &[usize]) -> f64 {
    let classes: Vec<String> = (0..3).map(|c| c.to_string()).collect();
    evaluate(&classes, y, proba, 0, 0).auc.unwrap_or(f64::NAN)
}

fn emit(task: &str, rows: usize, seconds: f64, test_auc: f64) {
    emit_with(task, rows, seconds, test_auc, "");
}

/// One JSON line; `extra` adds fields (`,"name":value`).
fn emit_with(task: &str, rows: usize, seconds: f64, test_auc: f64, extra: &str) {
    println!(
        "{{\"task\":\"{task}\",\"tool\":\"precre\",\"rows\":{rows},\"seconds\":{seconds},\"test_auc\":{test_auc}{extra}}}"
    );
}

/// The tree through `precre train` on the table imported as a feature set: its reported fit.
fn tree_through_train(path: &Path, rows: usize, repeats: usize) {
    let exe = env!("CARGO_BIN_EXE_precre");
    let dir = tempfile::tempdir().expect("temporary directory");
    let db = dir.path().join("bench.db");
    let run = |args: &[&str]| {
        let out = std::process::Command::new(exe)
            .arg("--db")
            .arg(&db)
            .args(args)
            .output()
            .expect("run precre");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let file = path.to_string_lossy();
    run(&[
        "import", "--kind", "features", &file, "--name", "bench", "--label", "class", "--id", "id",
    ]);
    let mut best = f64::INFINITY;
    let (mut auc, mut accuracy) = (f64::NAN, f64::NAN);
    for _ in 0..repeats {
        let out = run(&[
            "train",
            "--set",
            "bench",
            "--split-column",
            "split",
            "--max-depth",
            "none",
            "--prune",
            "none",
            "--format",
            "json",
        ]);
        let v: serde_json::Value = serde_json::from_str(&out).expect("train JSON");
        best = best.min(v["fit_seconds"].as_f64().unwrap_or(f64::NAN));
        auc = v["auc"].as_f64().unwrap_or(f64::NAN);
        accuracy = v["accuracy"].as_f64().unwrap_or(f64::NAN);
    }
    emit_with(
        "tree_train",
        rows,
        best,
        auc,
        &format!(",\"test_accuracy\":{accuracy}"),
    );
}

fn main() {
    let repeats: usize = std::env::var("PRECRE_BENCH_REPEATS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3);
    // PRECRE_BENCH_TASKS=logistic,forest,boosting,tree picks some (default: all).
    let tasks = std::env::var("PRECRE_BENCH_TASKS").unwrap_or_default();
    let wanted = |t: &str| tasks.is_empty() || tasks.split(',').any(|w| w == t);
    for path in table::files_from_args() {
        let t = read(&path);
        let n = t.y.len();
        let mut xtr = t.x.select_rows(&t.train);
        let medians = impute_median(&mut xtr);
        let mut xte = t.x.select_rows(&t.test);
        fill_missing(&mut xte, &medians);
        let scaler = Standardizer::fit(&xtr);
        let (xtr, xte) = (scaler.transform(&xtr), scaler.transform(&xte));
        let ytr: Vec<usize> = t.train.iter().map(|&i| t.y[i]).collect();
        let yte: Vec<usize> = t.test.iter().map(|&i| t.y[i]).collect();
        let rows_of = |x: &Matrix, f: &dyn Fn(&[f64]) -> Vec<f64>| -> Vec<Vec<f64>> {
            (0..x.rows).map(|r| f(x.row(r))).collect()
        };
        if wanted("logistic") {
            let (secs, m) = best_of(repeats, || Logistic::fit(&xtr, &ytr, 3, 1.0).expect("fit"));
            emit_with(
                "logistic_fit",
                n,
                secs,
                auc(&rows_of(&xte, &|r| m.predict_proba_row(r)), &yte),
                &format!(",\"iterations\":{}", m.iterations),
            );
        }
        if wanted("forest") {
            let (secs, m) = best_of(repeats, || {
                Forest::fit(&xtr, &ytr, 3, ForestParams::default()).expect("fit")
            });
            emit(
                "forest_fit",
                n,
                secs,
                auc(&rows_of(&xte, &|r| m.predict_proba_row(r)), &yte),
            );
        }
        if wanted("boosting") {
            let params = BoostParams {
                early_stopping: 0,
                ..BoostParams::default()
            };
            let (secs, m) = best_of(repeats, || {
                Booster::fit(&xtr, &ytr, 3, params).expect("fit")
            });
            emit(
                "boosting_fit",
                n,
                secs,
                auc(&rows_of(&xte, &|r| m.predict_proba_row(r)), &yte),
            );
        }
        if wanted("tree") {
            tree_through_train(&path, n, repeats);
        }
    }
}
