//! `precre train`: the command line's adapter over `ops::train` (the Model screen runs the same
//! use case), and the printing of its report.

use super::{open_store, UsageError};
use crate::analysis::dataset::Dataset;
use crate::cli::{ChallengerArgs, Cli, DataSource, ModelKind, SplitArgs, TrainArgs};
use crate::model::boost::BoostParams;
use crate::model::forest::ForestParams;
use crate::model::learner::Learner;
use crate::model::metrics::Evaluation;
use crate::model::metrics::ACCEPTABLE_TEST_ERROR;
use crate::model::pipeline::{FitSpec, Fitted, TrainReport};
use crate::model::registry::ModelRecord;
use crate::model::scorecard::ScorecardParams;
use crate::model::svm::SvmParams;
use crate::model::TreeParams;
use crate::ops::train::{DataChoice, SplitChoice, TrainRequest};
use crate::ops::Job;
use crate::output::{print_json, print_table, thousands, OutputFormat, TextTable};
use crate::store::Store;

/// The data a command names: a feature set, or ratios by a year rule.
pub(super) fn data_choice(source: &DataSource) -> DataChoice {
    match &source.set {
        Some(name) => DataChoice::Set {
            name: name.clone(),
            columns: source.columns.clone(),
        },
        None => DataChoice::Ratios {
            selection: source.ratios.clone().unwrap_or_default(),
            year_rule: source.year_rule,
            label: source.label,
        },
    }
}

/// The rows a command names (for `tune` and `pca`), through the same loader training uses.
pub(super) fn load_data(store: &Store, source: &DataSource) -> anyhow::Result<Dataset> {
    Ok(crate::ops::train::rows(store, &data_choice(source))?)
}

/// The training request the flags describe.
pub fn request(args: &TrainArgs) -> TrainRequest {
    let params = TreeParams {
        criterion: args.criterion,
        max_depth: args.max_depth.0,
        min_samples_split: args.min_samples_split,
        min_samples_leaf: args.min_samples_leaf,
        min_impurity_decrease: args.min_impurity_decrease,
        class_weight: args.class_weight,
        seed: args.seed,
    };
    let split = split_choice(&args.split, args.seed);
    TrainRequest {
        data: data_choice(&args.data),
        fit: FitSpec {
            params,
            pca: args.pca,
            prune: args.prune.spec(args.folds.0, args.prune_loss),
            learner: learner(&args.settings, args.kind, args.seed),
        },
        split,
        positive: args.positive.clone(),
        save_as: args.save.clone(),
        trained_by: None,
        export: args.export.clone(),
    }
}

/// The split the flags name: a split column, a first test year, or a stratified share.
pub(super) fn split_choice(s: &SplitArgs, seed: u64) -> SplitChoice {
    match (&s.split_column, s.test_from_year) {
        (Some(col), _) => SplitChoice::Column(col.clone()),
        (None, Some(year)) => SplitChoice::FromYear(year),
        (None, None) => SplitChoice::Stratified {
            test_share: s.test_share.0,
            seed,
        },
    }
}

/// The learner of a kind, with the settings given for it (a kind without settings of its own
/// on the command line keeps its defaults).
pub(super) fn learner(k: &ChallengerArgs, kind: ModelKind, seed: u64) -> Learner {
    match kind.learner().seeded(seed) {
        Learner::Logistic { .. } => Learner::Logistic { c: k.c },
        Learner::Scorecard(_) => Learner::Scorecard(ScorecardParams {
            c: k.c,
            base_score: k.base_score,
            base_odds: k.base_odds,
            pdo: k.pdo,
        }),
        Learner::Svm(p) => Learner::Svm(SvmParams {
            c: k.c,
            max_rows: k.svm_rows,
            ..p
        }),
        Learner::Forest(p) => Learner::Forest(ForestParams {
            trees: k.trees,
            max_features: k.max_features,
            ..p
        }),
        Learner::Boosting(p) => Learner::Boosting(BoostParams {
            rounds: k.rounds,
            leaves: k.leaves,
            learning_rate: k.learning_rate,
            min_data_in_leaf: k.min_data_in_leaf,
            early_stopping: k.early_stopping,
            stopping_folds: k.stopping_folds,
            ..p
        }),
        other => other,
    }
}

pub fn run(cli: &Cli, args: &TrainArgs) -> anyhow::Result<()> {
    let mut req = request(args);
    req.trained_by = Some(crate::decisions::analyst_name(cli.analyst.as_deref()));
    crate::ops::train::check(&req).map_err(|e| UsageError(e.to_string()))?;
    let mut store = open_store(cli)?;
    let out = crate::ops::train::train(&mut store, &req, &Job::quiet())?;
    for (name, why) in &out.unusable {
        eprintln!("note: column {name} is {why}: no split can use it");
    }
    for (why, n) in &out.rows_left_out {
        eprintln!("note: {} statements left out: {why}", thousands(*n));
    }
    if args.format != OutputFormat::Json {
        for p in &out.parts {
            let mix: Vec<String> = p
                .classes
                .iter()
                .map(|(c, n)| format!("{c} {}", thousands(*n)))
                .collect();
            println!(
                "{} part: {} rows{} ({})",
                p.name,
                thousands(p.rows),
                p.years
                    .map(|(a, b)| if a == b {
                        format!(", fiscal year {a}")
                    } else {
                        format!(", fiscal years {a}-{b}")
                    })
                    .unwrap_or_default(),
                mix.join(", ")
            );
        }
    }
    if args.format == OutputFormat::Json {
        let mut v = summary_json(&out.record, &out.report, out.fit_seconds);
        if let serde_json::Value::Object(m) = &mut v {
            m.insert("saved".into(), out.saved.into());
            m.insert(
                "points_table".into(),
                serde_json::to_value(out.report.pipeline.points_table())?,
            );
            m.insert("parts".into(), serde_json::to_value(&out.parts)?);
            m.insert(
                "rows_left_out".into(),
                serde_json::Value::Array(
                    out.rows_left_out
                        .iter()
                        .map(|(why, n)| serde_json::json!({"why": why, "rows": n}))
                        .collect(),
                ),
            );
        }
        return print_json(&v);
    }
    print_report(&out.report);
    if let Some(t) = out.report.pipeline.points_table() {
        super::points::print_points_table(&t, args.format)?;
    }
    let r = &out.report;
    let pruned = if r.pruning_ran() {
        format!(", pruned in {:.3} s", r.prune_seconds)
    } else {
        String::new()
    };
    println!(
        "fitted in {:.3} s{pruned}, evaluated in {:.3} s ({:.2} s in all, reading the data included)",
        r.fit_seconds, r.evaluation_seconds, out.fit_seconds
    );
    let rec = &out.record;
    if out.saved || args.export.is_some() {
        println!(
            "\nmodel {} '{}'{}",
            rec.id,
            rec.name,
            if out.saved {
                format!(
                    " saved as a candidate (the champion and the queue are unchanged); \
                     precre models promote {} --reason TEXT puts it into use",
                    rec.id
                )
            } else {
                String::new()
            }
        );
        if let Some(path) = &args.export {
            println!("written to {}", path.display());
        }
    } else {
        println!(
            "\nmodel {} not saved (--save NAME keeps it and makes it active)",
            rec.id
        );
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
    let mut m = headline_json(
        &rec.id,
        &report.evaluation,
        report.nodes,
        report.fit_seconds,
    );
    m.insert("kind".into(), rec.pipeline.kind().name().into());
    m.insert(
        "evaluation_seconds".into(),
        report.evaluation_seconds.into(),
    );
    m.insert("total_seconds".into(), fit_seconds.into());
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

fn pct(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

fn opt(x: Option<f64>) -> String {
    x.map_or("-".into(), |v| format!("{v:.3}"))
}

fn print_report(r: &TrainReport) {
    let e = &r.evaluation;
    let p = &r.pipeline;
    match (&p.model, p.tree_fit()) {
        (_, Some(t)) => println!(
            "tree: {} criterion, {} nodes, {} leaves, depth {}; trained on {} rows, tested on {}",
            t.params.criterion,
            r.nodes,
            r.leaves,
            r.depth,
            thousands(r.n_train),
            thousands(r.n_test)
        ),
        (Fitted::Challenger { estimator }, None) => println!(
            "{}: {}; trained on {} rows, tested on {}",
            estimator.kind().description(),
            estimator.summary(),
            thousands(r.n_train),
            thousands(r.n_test)
        ),
        (Fitted::Tree(_), None) => {}
    }
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
    if let Some(pr) = p.tree_fit().and_then(|t| t.pruning.as_ref()) {
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
