//! `precre tune`: grid search of tree parameters by cross-validation on the training part.

use super::UsageError;
use crate::cli::{Cli, TuneArgs};
use crate::model::pipeline::{encode_labels, positive_class, Labels};
use crate::model::split::stratified;
use crate::model::tune::{grid_search, CvSpec, Grid};
use crate::model::Criterion;
use crate::output::{print_json, print_table, thousands, OutputFormat, TextTable};

fn list<T>(text: &str, flag: &str, parse: impl Fn(&str) -> Option<T>) -> anyhow::Result<Vec<T>> {
    text.split(',')
        .map(|v| {
            parse(v.trim())
                .ok_or_else(|| UsageError(format!("{flag}: cannot read '{}'", v.trim())).into())
        })
        .collect()
}

pub fn run(cli: &Cli, args: &TuneArgs) -> anyhow::Result<()> {
    let grid = Grid {
        criteria: list(&args.criteria, "--criteria", |v| match v {
            "gini" => Some(Criterion::Gini),
            "entropy" => Some(Criterion::Entropy),
            "gini-pairs" => Some(Criterion::GiniPairs),
            _ => None,
        })?,
        depths: list(&args.depths, "--depths", |v| {
            if v == "none" {
                Some(None)
            } else {
                v.parse().ok().filter(|d| *d > 0).map(Some)
            }
        })?,
        min_leaf: list(&args.min_leaf, "--min-leaf", |v| {
            v.parse().ok().filter(|m| *m > 0)
        })?,
        alphas: list(&args.alphas, "--alphas", |v| {
            v.parse().ok().filter(|a: &f64| *a >= 0.0)
        })?,
    };
    let store = super::open_store(cli)?;
    let data = super::train::load_data(&store, &args.data, true)?;
    let Labels { rows, y, classes } = encode_labels(&data).map_err(|e| anyhow::anyhow!(e))?;
    let (train, _) = stratified(&y, args.test_share, args.seed);
    let x = data
        .x
        .select_rows(&train.iter().map(|&i| rows[i]).collect::<Vec<_>>());
    let ytr: Vec<usize> = train.iter().map(|&i| y[i]).collect();
    let positive =
        positive_class(&classes, &ytr, args.positive.as_deref()).map_err(|e| anyhow::anyhow!(e))?;
    crate::model::split::check_folds(ytr.len(), args.folds)
        .map_err(|e| UsageError(format!("--folds: {e} (the training part)")))?;
    let results = grid_search(
        &x,
        &ytr,
        classes.len(),
        positive,
        &grid,
        CvSpec {
            folds: args.folds,
            seed: args.seed,
            score: args.score,
        },
    )
    .map_err(|e| UsageError(e.to_string()))?;
    if args.format == OutputFormat::Json {
        return print_json(&results);
    }
    if args.format == OutputFormat::Table {
        println!(
            "{} grid points, {}-fold cross-validation on the training part ({} rows, {} held out for testing), ranked by {:?}\n",
            results.len(),
            args.folds,
            thousands(x.rows),
            thousands(rows.len() - x.rows),
            args.score
        );
    }
    let mut t = TextTable::new([
        "rank",
        "criterion",
        "depth",
        "min leaf",
        "alpha",
        "score",
        "sd",
        "leaves",
    ])
    .align_right([0, 2, 3, 4, 5, 6, 7]);
    for (i, r) in results.iter().take(args.top).enumerate() {
        t.push(vec![
            (i + 1).to_string(),
            serde_json::to_value(r.criterion)?
                .as_str()
                .unwrap_or("")
                .to_string(),
            r.max_depth.map_or("none".into(), |d| d.to_string()),
            r.min_samples_leaf.to_string(),
            format!("{}", r.alpha),
            format!("{:.4}", r.mean),
            format!("{:.4}", r.std),
            format!("{:.1}", r.mean_leaves),
        ]);
    }
    print_table(&t, args.format)
}
