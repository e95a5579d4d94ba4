//! `precre pca`: the prcomp importance table, loadings and the chosen k.

use super::{open_store, UsageError};
use crate::analysis::pca::PcaReport;
use crate::analysis::KRule;
use crate::cli::{Cli, PcaArgs};
use crate::output::{print_json, thousands, OutputFormat};

pub fn run(cli: &Cli, args: &PcaArgs) -> anyhow::Result<()> {
    let rule = match (args.k, args.rule) {
        (Some(_), Some(_)) => return Err(UsageError("give --k or --rule, not both".into()).into()),
        (Some(0), None) => return Err(UsageError("--k must be at least 1".into()).into()),
        (Some(k), None) => KRule::Fixed(k),
        (None, Some(r)) => r,
        (None, None) => KRule::Cumulative(0.90),
    };
    let store = open_store(cli)?;
    let data = match (&args.split_column, &args.data.set) {
        (None, Some(set)) => crate::views::data::feature_set(&store, set, false)?,
        (None, None) => super::train::load_data(&store, &args.data)?.numeric_only(),
        (Some(col), Some(set)) => training_rows(&store, set, col)?,
        (Some(_), None) => return Err(UsageError("--split-column needs --set".into()).into()),
    };
    let report = PcaReport::compute(&data, rule).map_err(|e| anyhow::anyhow!(e))?;
    if args.format == OutputFormat::Json {
        return print_json(&report);
    }
    let source = args.data.set.as_ref().map_or_else(
        || {
            format!(
                "ratios ({}), statements by year rule '{}'",
                args.data.ratios.clone().unwrap_or_default(),
                args.data.year_rule
            )
        },
        |s| format!("feature set '{s}'"),
    );
    println!(
        "PCA of {source}: {} rows x {} variables, standardized; {} missing cells filled with the {}",
        thousands(report.n_rows),
        report.variables.len(),
        thousands(report.missing_cells),
        report.missing_policy
    );
    for (name, why) in &report.dropped {
        println!("left out: {name} ({why})");
    }
    println!();
    print!("{}", report.importance_text());
    println!();
    print!("{}", report.loadings_text(args.cutoff));
    println!(
        "\nk = {} by the rule: {} (cumulative proportion {:.4})",
        report.k,
        report.rule_text,
        report.cumulative[report.k - 1]
    );
    Ok(())
}

/// The numeric columns of a feature set's rows whose split column says `train`.
fn training_rows(
    store: &crate::store::Store,
    set: &str,
    col: &str,
) -> anyhow::Result<crate::analysis::Dataset> {
    let info = store.feature_set(set)?;
    let all = crate::views::data::feature_set(store, set, true)?;
    let c = info
        .columns
        .iter()
        .position(|x| x.name.eq_ignore_ascii_case(col))
        .ok_or_else(|| {
            UsageError(format!(
                "--split-column {col}: set '{set}' has no such column"
            ))
        })?;
    let cats = &info.columns[c].categories;
    let rows: Vec<usize> = (0..all.x.rows)
        .filter(|&r| {
            cats.get(all.x.get(r, c) as usize)
                .is_some_and(|v| v.eq_ignore_ascii_case("train"))
        })
        .collect();
    let numeric: Vec<usize> = (0..info.columns.len())
        .filter(|&j| info.columns[j].kind == "numeric")
        .collect();
    Ok(crate::analysis::Dataset {
        categories: vec![Vec::new(); numeric.len()],
        names: numeric
            .iter()
            .map(|&j| info.columns[j].name.clone())
            .collect(),
        x: all.x.select_rows(&rows).select_cols(&numeric),
        ids: rows.iter().map(|&r| all.ids[r].clone()).collect(),
        labels: rows.iter().map(|&r| all.labels[r].clone()).collect(),
        years: Vec::new(),
        dropped: vec![(col.to_string(), "split column: training rows only".into())],
        rows_left_out: Vec::new(),
    })
}
