//! The analysis engine's speed on generated feature tables (issue 6), printed as JSON lines in
//! the same shape as `bench/reference.py`, so `bench/run.sh` can put PRECRE, scikit-learn and
//! linfa-trees side by side: tree fit (no depth limit, depth 8) with test accuracy, prediction of
//! every row, PCA of the standardized table, and cross-validated pruning (5 folds) of the
//! unlimited tree on tables of at most PRECRE_BENCH_CV_MAX rows (default 100,000).
//!
//! `cargo bench --bench engine -- FILE.csv...` (tables from `precre demo features`); without
//! files it generates 10,000 and 100,000 rows into target/bench-data/. linfa-trees is timed on
//! tables of at most PRECRE_BENCH_LINFA_MAX rows (default 10,000: it needs ~55 s at 100,000).

use linfa::prelude::*;
use precre::analysis::{Pca, Standardizer};
use precre::model::prune::{cross_validate, PruneLoss};
use precre::model::{Tree, TreeParams};

#[path = "table.rs"]
mod table;
use table::{best_of, read};

fn main() {
    let files = table::files_from_args();
    let repeats: usize = std::env::var("PRECRE_BENCH_REPEATS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3);
    let linfa_max: usize = std::env::var("PRECRE_BENCH_LINFA_MAX")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let cv_max: usize = std::env::var("PRECRE_BENCH_CV_MAX")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    for path in files {
        let t = read(&path);
        let n = t.y.len();
        let xtr = t.x.select_rows(&t.train);
        let ytr: Vec<usize> = t.train.iter().map(|&i| t.y[i]).collect();
        let xte = t.x.select_rows(&t.test);
        for depth in [None, Some(8)] {
            let params = TreeParams {
                max_depth: depth,
                ..TreeParams::default()
            }
            .check()
            .expect("valid parameters");
            let (secs, tree) = best_of(repeats, || Tree::fit(&params, &xtr, &ytr, 3));
            let correct = t
                .test
                .iter()
                .zip(tree.predict(&xte))
                .filter(|(&i, p)| t.y[i] == *p)
                .count();
            let depth_s = depth.map_or("\"none\"".to_string(), |d| d.to_string());
            println!(
                "{{\"task\":\"tree_fit\",\"tool\":\"precre\",\"rows\":{n},\"depth\":{depth_s},\"seconds\":{secs},\"test_accuracy\":{},\"nodes\":{}}}",
                correct as f64 / t.test.len() as f64,
                tree.nodes.len()
            );
            let (secs, _) = best_of(repeats, || tree.predict(&t.x));
            println!("{{\"task\":\"predict\",\"tool\":\"precre\",\"rows\":{n},\"depth\":{depth_s},\"seconds\":{secs}}}");
            if n <= linfa_max {
                let records =
                    ndarray::Array2::from_shape_vec((xtr.rows, xtr.cols), xtr.data.clone())
                        .expect("shape");
                let targets = ndarray::Array1::from(ytr.clone());
                let ds = linfa::Dataset::new(records, targets);
                let mut p = linfa_trees::DecisionTree::params();
                p = p
                    .max_depth(depth)
                    .min_weight_split(2.0)
                    .min_weight_leaf(1.0);
                let (secs, model) = best_of(1, || p.fit(&ds).expect("linfa fit"));
                let te = ndarray::Array2::from_shape_vec((xte.rows, xte.cols), xte.data.clone())
                    .expect("shape");
                let pred = model.predict(&te);
                let correct = t
                    .test
                    .iter()
                    .zip(pred.iter())
                    .filter(|(&i, p)| t.y[i] == **p)
                    .count();
                println!(
                    "{{\"task\":\"tree_fit\",\"tool\":\"linfa-trees\",\"rows\":{n},\"depth\":{depth_s},\"seconds\":{secs},\"test_accuracy\":{}}}",
                    correct as f64 / t.test.len() as f64
                );
            }
        }
        if n <= cv_max {
            // Cross-validated cost-complexity pruning (5 folds, 1-SE rule on AUC) of the
            // unlimited tree on the training part: what `precre train --prune cv` does.
            let params = TreeParams::default().check().expect("valid parameters");
            let (secs, (table, alpha)) = best_of(1, || {
                cross_validate(&params, &xtr, &ytr, 3, 5, 42, PruneLoss::Auc)
            });
            println!(
                "{{\"task\":\"cv_prune_5_folds\",\"tool\":\"precre\",\"rows\":{n},\"depth\":\"none\",\"seconds\":{secs},\"cp_rows\":{},\"alpha\":{alpha}}}",
                table.len()
            );
        }
        let (secs, pca) = best_of(repeats, || {
            let z = Standardizer::fit(&t.x).transform(&t.x);
            Pca::fit(&z)
        });
        println!(
            "{{\"task\":\"pca\",\"tool\":\"precre\",\"rows\":{n},\"seconds\":{secs},\"first_sdev\":{}}}",
            pca.sdev[0]
        );
    }
}
