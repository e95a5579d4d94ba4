//! `precre compare`: the command line's adapter over `ops::compare`, and its table.

use super::open_store;
use super::train::{data_choice, learner, split_choice};
use crate::cli::{Cli, CompareArgs};
use crate::model::choices::defaults;
use crate::model::compare::Figures;
use crate::model::learner::ModelKind;
use crate::model::pipeline::{FitSpec, PruneSpec};
use crate::model::prune::PruneLoss;
use crate::model::TreeParams;
use crate::ops::compare::{compare, CompareRequest, Comparison};
use crate::ops::Job;
use crate::output::{print_json, print_table, thousands, OutputFormat, TextTable};

/// The request the flags describe: the tree with train's defaults (depth as given, pruning by
/// cross-validation), each challenger with its settings.
pub fn request(args: &CompareArgs) -> CompareRequest {
    let params = TreeParams {
        max_depth: args.max_depth.0,
        seed: args.seed,
        ..TreeParams::default()
    };
    let loss: PruneLoss = defaults::PRUNE_LOSS.parse().unwrap_or(PruneLoss::Auc);
    let mut kinds = args.kinds.clone();
    kinds.dedup();
    let candidates = kinds
        .iter()
        .map(|&kind| FitSpec {
            params: params.clone(),
            pca: None,
            prune: if kind == ModelKind::Tree {
                PruneSpec::CrossValidated {
                    folds: defaults::FOLDS,
                    loss,
                }
            } else {
                PruneSpec::None
            },
            learner: learner(&args.settings, kind, args.seed),
        })
        .collect();
    let split = split_choice(&args.split, args.seed);
    CompareRequest {
        data: data_choice(&args.data),
        split,
        candidates,
        folds: args.folds,
        seed: args.seed,
        positive: args.positive.clone(),
        save_prefix: args.save.clone(),
        trained_by: None,
    }
}

pub fn run(cli: &Cli, args: &CompareArgs) -> anyhow::Result<()> {
    let mut req = request(args);
    req.trained_by = Some(crate::decisions::analyst_name(cli.analyst.as_deref()));
    let mut store = open_store(cli)?;
    let out = compare(&mut store, &req, &Job::quiet())?;
    if args.format == OutputFormat::Json {
        return print_json(&json(&out));
    }
    println!(
        "{} kinds on the same split: {} training rows, {} test rows; '{}' read as bad; \
         always predicting the training majority scores {:.1}%",
        out.candidates.len(),
        thousands(out.n_train),
        thousands(out.n_test),
        out.positive_class,
        out.majority_baseline * 100.0
    );
    print_table(&table(&out), args.format)?;
    if let Some(k) = out
        .candidates
        .first()
        .and_then(|c| c.folds.map(|f| f.folds))
    {
        println!("(test: the held-out part; ± the standard deviation over {k} stratified folds of all rows, mean in brackets)");
    }
    for c in out.candidates.iter().filter(|c| c.saved) {
        println!(
            "saved {} '{}' ({}) as a candidate; make it the champion: precre models promote {} --reason TEXT",
            c.record.id,
            c.record.name,
            c.kind.description(),
            c.record.id
        );
    }
    Ok(())
}

fn cell(test: f64, fold: Option<(f64, f64)>, percent: bool) -> String {
    let f = |v: f64| {
        if v.is_nan() {
            "-".to_string()
        } else if percent {
            format!("{:.1}%", v * 100.0)
        } else {
            format!("{v:.3}")
        }
    };
    match fold {
        Some((mean, sd)) if percent => format!("{} [{}±{:.1}]", f(test), f(mean), sd * 100.0),
        Some((mean, sd)) => format!("{} [{}±{:.3}]", f(test), f(mean), sd),
        None => f(test),
    }
}

fn table(out: &Comparison) -> TextTable {
    let headers = [
        "model",
        "accuracy",
        "macro recall",
        "AUC",
        "Gini",
        "KS",
        "Brier",
        "log loss",
        "fit s",
    ];
    type Column = (fn(&Figures) -> f64, bool);
    let pick: [Column; 7] = [
        (|f| f.accuracy, true),
        (|f| f.macro_recall, false),
        (|f| f.auc, false),
        (|f| f.gini, false),
        (|f| f.ks, false),
        (|f| f.brier, false),
        (|f| f.log_loss, false),
    ];
    let mut rows: Vec<Vec<String>> = out
        .candidates
        .iter()
        .map(|c| {
            let mut row = vec![c.kind.to_string()];
            for (get, percent) in pick {
                row.push(cell(
                    get(&c.test),
                    c.folds.map(|s| (get(&s.mean), get(&s.sd))),
                    percent,
                ));
            }
            row.push(format!("{:.2}", c.fit_seconds));
            row
        })
        .collect();
    let mut baseline = vec!["majority baseline".to_string()];
    baseline.push(format!("{:.1}%", out.majority_baseline * 100.0));
    baseline.extend(std::iter::repeat_n("-".to_string(), 7));
    rows.push(baseline);
    TextTable {
        headers: headers.iter().map(|h| h.to_string()).collect(),
        rows,
        right_aligned: (0..headers.len()).map(|i| i > 0).collect(),
        optional: Vec::new(),
    }
}

fn json(out: &Comparison) -> serde_json::Value {
    serde_json::json!({
        "n_train": out.n_train,
        "n_test": out.n_test,
        "classes": out.classes,
        "positive_class": out.positive_class,
        "majority_baseline": out.majority_baseline,
        "models": out.candidates.iter().map(|c| serde_json::json!({
            "kind": c.kind,
            "model_id": c.record.id,
            "name": c.record.name,
            "saved": c.saved,
            "test": c.test,
            "folds": c.folds,
            "fit_seconds": c.fit_seconds,
            "roc": c.roc,
        })).collect::<Vec<_>>(),
    })
}
