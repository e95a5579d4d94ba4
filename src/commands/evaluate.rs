//! `precre evaluate`: k-fold cross-validated figures of a model's specification on current data.

use super::open_store;
use crate::cli::{Cli, EvaluateArgs};
use crate::model::pipeline::cross_validated_evaluation;
use crate::output::{print_json, OutputFormat};

pub fn run(cli: &Cli, args: &EvaluateArgs) -> anyhow::Result<()> {
    let store = open_store(cli)?;
    let rec = store.model(args.model.as_deref())?;
    let p = &rec.pipeline;
    let data = match &args.set {
        Some(set) => {
            let d = crate::views::data::feature_set(&store, set, true)?.one_hot();
            let cols: Vec<usize> = p
                .features
                .iter()
                .filter_map(|f| d.names.iter().position(|n| n == f))
                .collect();
            if cols.len() == p.features.len() {
                crate::analysis::Dataset {
                    names: p.features.clone(),
                    categories: vec![Vec::new(); cols.len()],
                    x: d.x.select_cols(&cols),
                    ..d
                }
            } else {
                d
            }
        }
        None => crate::views::data::firm_feature_rows(
            &store,
            &p.features,
            crate::analysis::dataset::YearRule::Latest,
        )?
        .ok_or_else(|| {
            anyhow::anyhow!(
                "model {} was trained on a feature set: pass --set NAME",
                rec.id
            )
        })?,
    };
    let spec = p.fit_spec();
    let seed = p.seed();
    let started = std::time::Instant::now();
    let positive = p.classes.get(p.positive_class).map(String::as_str);
    let e = cross_validated_evaluation(&data, &spec, args.folds.0, seed, positive)
        .map_err(|e| anyhow::anyhow!(e))?;
    let fit_seconds = started.elapsed().as_secs_f64();
    if args.format == OutputFormat::Json {
        let mut m = super::train::headline_json(&rec.id, &e, p.tree_size().0, fit_seconds);
        m.insert("folds".into(), args.folds.0.into());
        m.insert("evaluation".into(), serde_json::to_value(&e)?);
        return print_json(&serde_json::Value::Object(m));
    }
    println!(
        "model {} '{}', its specification re-fitted in {} folds ({} rows):",
        rec.id, rec.name, args.folds.0, e.n
    );
    println!(
        "accuracy {:.1}% (majority class {:.1}%), macro recall {:.3}, AUC {}",
        e.accuracy * 100.0,
        e.majority_baseline * 100.0,
        e.macro_recall,
        e.auc.map_or("-".into(), |a| format!("{a:.3}"))
    );
    println!(
        "test error Q = {:.1}% against the 15% bar: {}",
        e.test_error * 100.0,
        if e.passes_15_percent_bar {
            "PASS"
        } else {
            "FAIL"
        }
    );
    println!(
        "confusion (true rows, predicted columns; {}): {:?}",
        e.classes.join(", "),
        e.confusion
    );
    Ok(())
}
