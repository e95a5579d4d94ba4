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
    // (firm ids, fiscal years, their rows): one firm is read alone; many come from one query.
    let (ids, years, x): (Vec<String>, Vec<i32>, Matrix) =
        match (&args.firm, args.all, args.pending) {
            (Some(id), _, _) => {
                let (firm, year, values) =
                    super::explain::firm_features(&store, id, None, &rec.pipeline.features)?;
                (
                    vec![firm.id],
                    vec![year],
                    Matrix::new(1, values.len(), values),
                )
            }
            (None, true, _) | (None, false, true) => {
                let data = Dataset::from_latest_ratios(&store, &ratios)?;
                let wanted: Option<std::collections::HashSet<String>> = if args.all {
                    None
                } else {
                    Some(store.pending_firm_ids()?.into_iter().collect())
                };
                let rows: Vec<usize> = (0..data.ids.len())
                    .filter(|&r| wanted.as_ref().is_none_or(|w| w.contains(&data.ids[r])))
                    .collect();
                (
                    rows.iter().map(|&r| data.ids[r].clone()).collect(),
                    rows.iter().map(|&r| data.years[r]).collect(),
                    data.x.select_rows(&rows),
                )
            }
            _ => return Err(UsageError("give --firm ID, --all or --pending".into()).into()),
        };
    let proba = rec.pipeline.predict_proba(&x);
    let predictions: Vec<Prediction> = ids
        .iter()
        .zip(&years)
        .zip(&proba)
        .map(|((id, year), p)| Prediction {
            firm_id: id.clone(),
            fiscal_year: Some(*year),
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
