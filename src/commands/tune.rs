//! `precre tune`: grid search of tree parameters by cross-validation on the training part.

use super::UsageError;
use crate::cli::{Cli, TuneArgs};
use crate::model::pipeline::{encode_labels, positive_class, Labels};
use crate::model::split::stratified;
use crate::model::tune::{grid_search, CvSpec, Grid};
use crate::output::{print_json, print_table, thousands, OutputFormat, TextTable};

pub fn run(cli: &Cli, args: &TuneArgs) -> anyhow::Result<()> {
    let grid = Grid {
        criteria: args.criteria.clone(),
        depths: args.depths.iter().map(|d| d.0).collect(),
        min_leaf: args.min_leaf.iter().map(|m| m.0).collect(),
        alphas: args.alphas.iter().map(|a| a.0).collect(),
    };
    let store = super::open_store(cli)?;
    let data = super::train::load_data(&store, &args.data)?.one_hot();
    let Labels { rows, y, classes } = encode_labels(&data).map_err(|e| anyhow::anyhow!(e))?;
    let (train, _) = stratified(&y, args.test_share.0, args.seed);
    let x = data
        .x
        .select_rows(&train.iter().map(|&i| rows[i]).collect::<Vec<_>>());
    let ytr: Vec<usize> = train.iter().map(|&i| y[i]).collect();
    let positive =
        positive_class(&classes, &ytr, args.positive.as_deref()).map_err(|e| anyhow::anyhow!(e))?;
    crate::model::split::check_folds(ytr.len(), args.folds.0)
        .map_err(|e| UsageError(format!("--folds: {e} (the training part)")))?;
    let results = grid_search(
        &x,
        &ytr,
        classes.len(),
        positive,
        &grid,
        CvSpec {
            folds: args.folds.0,
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
