//! `precre train`: fit a tree pipeline on a feature set or the firms' ratios, and evaluate it.

use super::{open_store, UsageError};
use crate::analysis::dataset::{select_ratios, Dataset};
use crate::analysis::KRule;
use crate::cli::{Cli, DataSource, TrainArgs};
use crate::model::metrics::Evaluation;
use crate::model::metrics::ACCEPTABLE_TEST_ERROR;
use crate::model::pipeline::{train_and_evaluate, FitSpec, PruneSpec, SplitSpec, TrainReport};
use crate::model::registry::ModelRecord;
use crate::model::split;
use crate::model::TreeParams;
use crate::output::{print_json, print_table, thousands, OutputFormat, TextTable};
use crate::store::statements::YearRule;
use crate::store::Store;

/// A feature set (categorical columns as codes) or the firms' latest ratios.
pub(super) fn load_data(
    store: &Store,
    source: &DataSource,
    keep_categorical: bool,
) -> anyhow::Result<Dataset> {
    let data = load_rows(store, source, keep_categorical)?;
    if data.x.rows == 0 {
        anyhow::bail!(match &source.set {
            Some(s) => format!("feature set '{s}' has no rows"),
            None => format!(
                "no statements match (year rule '{}'): load the demo with `precre demo`, or import statements and outcomes",
                source.year_rule
            ),
        });
    }
    Ok(data)
}

fn load_rows(
    store: &Store,
    source: &DataSource,
    keep_categorical: bool,
) -> anyhow::Result<Dataset> {
    match &source.set {
        Some(name) => Ok(Dataset::from_feature_set(store, name, keep_categorical)?),
        None => {
            let ratios = select_ratios(source.ratios.as_deref()).map_err(UsageError)?;
            let rule = YearRule::parse(&source.year_rule).map_err(UsageError)?;
            Ok(Dataset::from_ratios(store, &ratios, rule)?)
        }
    }
}

/// The data set, and the explicit split a split column gives.
fn load(store: &Store, args: &TrainArgs) -> anyhow::Result<(Dataset, Option<split::RowSplit>)> {
    let Some(set) = &args.data.set else {
        let data = load_data(store, &args.data, true)?;
        if let Some(year) = args.test_from_year {
            return Ok((data.clone(), Some(split::out_of_time(&data.years, year))));
        }
        if args.split_column.is_some() {
            return Err(UsageError(
                "--split-column needs --set (a feature set with that column)".into(),
            )
            .into());
        }
        return Ok((data, None));
    };
    let mut data = Dataset::from_feature_set(store, set, true)?;
    let Some(col) = &args.split_column else {
        return Ok((data, None));
    };
    let info = store.feature_set(set)?;
    let c = data
        .names
        .iter()
        .position(|n| n.eq_ignore_ascii_case(col))
        .ok_or_else(|| {
            UsageError(format!(
                "--split-column {col}: set '{set}' has no such column"
            ))
        })?;
    let cats = &info.columns[c].categories;
    let values: Vec<Option<&str>> = (0..data.x.rows)
        .map(|r| cats.get(data.x.get(r, c) as usize).map(String::as_str))
        .collect();
    let explicit =
        split::by_column(&values).map_err(|e| UsageError(format!("--split-column {col}: {e}")))?;
    let keep: Vec<usize> = (0..data.names.len()).filter(|&j| j != c).collect();
    data.x = data.x.select_cols(&keep);
    data.names.remove(c);
    Ok((data, Some(explicit)))
}

pub fn run(cli: &Cli, args: &TrainArgs) -> anyhow::Result<()> {
    let params = TreeParams {
        criterion: args.criterion,
        max_depth: args.max_depth,
        min_samples_split: args.min_samples_split,
        min_samples_leaf: args.min_samples_leaf,
        min_impurity_decrease: args.min_impurity_decrease,
        class_weight: args.class_weight,
        seed: args.seed,
    };
    params
        .clone()
        .check()
        .map_err(|e| UsageError(e.to_string()))?;
    if !(args.test_share > 0.0 && args.test_share < 1.0) {
        return Err(UsageError(format!(
            "--test-share {} must be between 0 and 1",
            args.test_share
        ))
        .into());
    }
    let pca = args
        .pca
        .as_deref()
        .map(KRule::parse)
        .transpose()
        .map_err(UsageError)?;
    let mut store = open_store(cli)?;
    let (data, explicit) = load(&store, args)?;
    let spec = if explicit.is_some() {
        SplitSpec::Explicit
    } else {
        SplitSpec::Stratified {
            test_share: args.test_share,
            seed: args.seed,
        }
    };
    let prune = match args.prune.trim() {
        "none" => PruneSpec::None,
        "cv" => PruneSpec::CrossValidated {
            folds: args.folds,
            loss: args.prune_loss,
        },
        other => match other.parse::<f64>() {
            Ok(alpha) if alpha >= 0.0 => PruneSpec::Alpha { alpha },
            _ => {
                return Err(
                    UsageError(format!("--prune {other}: use none, cv, or an alpha >= 0")).into(),
                )
            }
        },
    };
    let fit = FitSpec { params, pca, prune };
    for (name, why) in data.unusable_columns() {
        eprintln!("note: column {name} is {why}: no split can use it");
    }
    let started = std::time::Instant::now();
    let report = train_and_evaluate(&data, &fit, &spec, explicit, args.positive.as_deref())
        .map_err(|e| anyhow::anyhow!(e))?;
    let fit_seconds = started.elapsed().as_secs_f64();
    let record = save(&mut store, args, &data, &report)?;
    if args.format == OutputFormat::Json {
        return print_json(&summary_json(&record, &report, fit_seconds));
    }
    print_report(&report);
    println!("fitted and evaluated in {fit_seconds:.2} s");
    if let Some(rec) = Some(record).filter(|_| args.save.is_some() || args.export.is_some()) {
        println!(
            "\nmodel {} '{}'{}",
            rec.id,
            rec.name,
            if args.save.is_some() {
                " saved in the store and made active"
            } else {
                ""
            }
        );
        if let Some(path) = &args.export {
            println!("written to {}", path.display());
        }
    }
    Ok(())
}

/// The headline figures shared by the JSON of `train` and `evaluate` (a documented, stable shape).
pub(super) fn headline_json(
    model_id: &str,
    e: &Evaluation,
    nodes: usize,
    fit_seconds: f64,
) -> serde_json::Map<String, serde_json::Value> {
    let v = serde_json::json!({
        "model_id": model_id,
        "classes": e.classes,
        "accuracy": e.accuracy,
        "macro_recall": e.macro_recall,
        "macro_precision": e.macro_precision,
        "macro_f1": e.macro_f1,
        "auc": e.auc,
        "gini": e.gini,
        "ks": e.ks,
        "test_error": e.test_error,
        "passes_15_percent_bar": e.passes_15_percent_bar,
        "majority_baseline": e.majority_baseline,
        "confusion_matrix": e.confusion,
        "nodes": nodes,
        "fit_seconds": fit_seconds,
    });
    match v {
        serde_json::Value::Object(m) => m,
        _ => serde_json::Map::new(),
    }
}

/// The JSON of `train`: the headline figures, then the tree's size and the full report.
fn summary_json(rec: &ModelRecord, report: &TrainReport, fit_seconds: f64) -> serde_json::Value {
    let mut m = headline_json(&rec.id, &report.evaluation, report.nodes, fit_seconds);
    m.insert("name".into(), rec.name.clone().into());
    m.insert("leaves".into(), report.leaves.into());
    m.insert("depth".into(), report.depth.into());
    m.insert("n_train".into(), report.n_train.into());
    m.insert("n_test".into(), report.n_test.into());
    m.insert(
        "report".into(),
        serde_json::to_value(report).unwrap_or_default(),
    );
    serde_json::Value::Object(m)
}

/// The model's record (its id always; kept in the store with `--save NAME`, written with `--export FILE`).
fn save(
    store: &mut Store,
    args: &TrainArgs,
    data: &Dataset,
    report: &TrainReport,
) -> anyhow::Result<ModelRecord> {
    let source = match &args.data.set {
        Some(s) => format!("feature set {s}"),
        None => format!(
            "ratios ({}), statements by year rule '{}'",
            args.data.ratios.as_deref().unwrap_or("all"),
            args.data.year_rule
        ),
    };
    let name = args.save.clone().unwrap_or_else(|| "unnamed".into());
    let rec = ModelRecord::from_report(&name, &source, &store.now_utc()?, data, report);
    if args.save.is_some() {
        store.save_model(&rec, true)?;
    }
    if let Some(path) = &args.export {
        let text = serde_json::to_string_pretty(&rec)?;
        std::fs::write(path, text + "\n")
            .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
    }
    Ok(rec)
}

fn pct(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

fn opt(x: Option<f64>) -> String {
    x.map_or("-".into(), |v| format!("{v:.3}"))
}

fn print_report(r: &TrainReport) {
    let e = &r.evaluation;
    let p = &r.pipeline;
    println!(
        "tree: {} criterion, {} nodes, {} leaves, depth {}; trained on {} rows, tested on {}",
        serde_json::to_value(p.params.criterion)
            .ok()
            .and_then(|v| v.as_str().map(String::from))
            .unwrap_or_default(),
        r.nodes,
        r.leaves,
        r.depth,
        thousands(r.n_train),
        thousands(r.n_test)
    );
    match &p.pca {
        Some(s) => println!(
            "inputs: {} features -> {} principal components ({}; cumulative {:.3})",
            p.features.len(),
            s.k,
            s.rule.describe(),
            s.cumulative
        ),
        None => println!(
            "inputs: {} standardized features; missing values: training medians",
            p.features.len()
        ),
    }
    if let Some(pr) = &p.pruning {
        println!(
            "pruned at alpha {:.6} ({}): {} -> {} leaves",
            pr.alpha,
            if r.cp_table.is_empty() {
                "given"
            } else {
                "cross-validated, 1-SE rule"
            },
            pr.leaves_before,
            pr.leaves_after
        );
    }
    if !r.cp_table.is_empty() {
        println!();
        let mut t =
            TextTable::new(["alpha", "leaves", "train error", "xerror", "xstd"]).align_right(0..5);
        for row in &r.cp_table {
            t.push(vec![
                format!("{:.6}", row.alpha),
                row.leaves.to_string(),
                format!("{:.4}", row.train_error),
                format!("{:.4}", row.xerror),
                format!("{:.4}", row.xstd),
            ]);
        }
        let _ = print_table(&t, OutputFormat::Table);
    }
    println!();
    let mut headers = vec!["true \\ predicted".to_string()];
    headers.extend(e.classes.iter().cloned());
    let mut t = TextTable::new(headers).align_right(1..=e.classes.len());
    for (c, row) in e.confusion.iter().enumerate() {
        let mut cells = vec![e.classes[c].clone()];
        cells.extend(row.iter().map(|v| thousands(*v)));
        t.push(cells);
    }
    let _ = print_table(&t, OutputFormat::Table);
    println!();
    let mut t =
        TextTable::new(["class", "precision", "recall", "f1", "auc", "support"]).align_right(1..=5);
    for c in &e.per_class {
        t.push(vec![
            c.class.clone(),
            format!("{:.3}", c.precision),
            format!("{:.3}", c.recall),
            format!("{:.3}", c.f1),
            opt(c.auc),
            thousands(c.support),
        ]);
    }
    t.push(vec![
        "macro".into(),
        format!("{:.3}", e.macro_precision),
        format!("{:.3}", e.macro_recall),
        format!("{:.3}", e.macro_f1),
        opt(e.auc),
        thousands(e.n),
    ]);
    let _ = print_table(&t, OutputFormat::Table);
    println!();
    println!(
        "accuracy {} (always predicting the training majority: {})",
        pct(e.accuracy),
        pct(e.majority_baseline)
    );
    println!(
        "AUC {}  Gini {}  KS {} ('{}' against the rest)",
        opt(e.auc),
        opt(e.gini),
        opt(e.ks),
        e.positive_class
    );
    println!(
        "test error Q = {} against the {} bar: {}",
        pct(e.test_error),
        pct(ACCEPTABLE_TEST_ERROR),
        if e.passes_15_percent_bar {
            "PASS"
        } else {
            "FAIL: retrain with other parameters"
        }
    );
    if e.accuracy - e.majority_baseline < 0.01 {
        println!("note: accuracy barely beats the majority class; read recall and AUC");
    }
}
