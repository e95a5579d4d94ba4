//! `precre classify`: score firms with a model and record the predictions.

use super::{open_store, UsageError};
use crate::analysis::{Dataset, Matrix};
use crate::cli::{ClassifyArgs, Cli};
use crate::finance::catalogue::find;
use crate::output::{print_json, print_table, OutputFormat, TextTable};
use crate::store::models::Prediction;

pub fn run(cli: &Cli, args: &ClassifyArgs) -> anyhow::Result<()> {
    let mut store = open_store(cli)?;
    let rec = store.model(args.model.as_deref())?;
    let ratios: Vec<usize> = rec
        .pipeline
        .features
        .iter()
        .map(|f| find(f).map(|(i, _)| i))
        .collect::<Option<_>>()
        .ok_or_else(|| {
            UsageError(format!(
                "model {} was not trained on ratios; classify scores firms",
                rec.id
            ))
        })?;
    let data = Dataset::from_latest_ratios(&store, &ratios)?;
    let wanted: Option<Vec<String>> = match (&args.firm, args.all, args.pending) {
        (Some(id), _, _) => Some(vec![store.firm(id)?.id]),
        (None, true, _) => None,
        (None, false, true) => Some(store.pending_firm_ids()?),
        _ => return Err(UsageError("give --firm ID, --all or --pending".into()).into()),
    };
    let rows: Vec<usize> = match &wanted {
        None => (0..data.ids.len()).collect(),
        Some(ids) => (0..data.ids.len())
            .filter(|&r| ids.contains(&data.ids[r]))
            .collect(),
    };
    let x: Matrix = data.x.select_rows(&rows);
    let proba = rec.pipeline.predict_proba(&x);
    let predictions: Vec<Prediction> = rows
        .iter()
        .zip(&proba)
        .map(|(&r, p)| Prediction {
            firm_id: data.ids[r].clone(),
            fiscal_year: data.years.get(r).copied(),
            class: rec.pipeline.classes[crate::model::metrics::argmax(p)].clone(),
            probabilities: rec
                .pipeline
                .classes
                .iter()
                .cloned()
                .zip(p.iter().copied())
                .collect(),
        })
        .collect();
    store.save_predictions(&rec.id, &predictions)?;
    if args.format == OutputFormat::Json {
        return print_json(&serde_json::json!({ "model_id": rec.id, "predictions": predictions }));
    }
    let mut headers = vec!["firm".to_string(), "year".into(), "class".into()];
    headers.extend(rec.pipeline.classes.iter().map(|c| format!("p({c})")));
    let n = headers.len();
    let mut t = TextTable::new(headers).align_right(3..n);
    for p in &predictions {
        let mut row = vec![
            p.firm_id.clone(),
            p.fiscal_year.map(|y| y.to_string()).unwrap_or_default(),
            p.class.clone(),
        ];
        row.extend(p.probabilities.iter().map(|(_, v)| format!("{v:.3}")));
        t.push(row);
    }
    print_table(&t, args.format)?;
    if args.format == OutputFormat::Table {
        println!(
            "{} predictions of model {} recorded",
            predictions.len(),
            rec.id
        );
    }
    Ok(())
}
