//! `precre explain`: why the model puts a firm (or a row of a feature set) in its class.

use super::{open_store, UsageError};
use crate::cli::{Cli, ExplainArgs};
use crate::output::{print_json, OutputFormat};
use crate::store::Store;

/// The object's values in the model's feature order (NaN where missing), and a firm's sector.
fn features_of(
    store: &Store,
    args: &ExplainArgs,
    features: &[String],
) -> anyhow::Result<(String, Vec<f64>, Option<String>)> {
    if let Some(set) = &args.set {
        let info = store.feature_set(set)?;
        let rows = store.feature_rows(set)?;
        let row = rows
            .iter()
            .find(|r| r.entity_id == args.id)
            .ok_or_else(|| UsageError(format!("set '{set}' has no row with id '{}'", args.id)))?;
        let values = crate::views::data::set_row_features(&info, row, features);
        return Ok((format!("{} in set {set}", args.id), values, None));
    }
    let (firm, year, values) = firm_features(store, &args.id, args.year, features)?;
    Ok((
        format!("{} {} (fiscal year {year})", firm.id, firm.name),
        values,
        Some(firm.sector),
    ))
}

/// A firm's ratios in a model's feature order (see [`crate::views::scoring::firm_features`]).
pub(super) fn firm_features(
    store: &Store,
    firm_id: &str,
    year: Option<i32>,
    features: &[String],
) -> anyhow::Result<(crate::store::firms::FirmRow, i32, Vec<f64>)> {
    Ok(crate::views::scoring::firm_features(
        store, firm_id, year, features,
    )?)
}

pub fn run(cli: &Cli, args: &ExplainArgs) -> anyhow::Result<()> {
    let store = open_store(cli)?;
    let rec = store.model(args.model.as_deref())?;
    let (who, row, sector) = features_of(&store, args, &rec.pipeline.features)?;
    // A firm's reasons cite its sector's medians; a feature-set row has no sector.
    let medians = match &sector {
        Some(s) => crate::views::scoring::sector_medians(&store, s)?,
        None => Vec::new(),
    };
    let e = rec
        .pipeline
        .explain_with(&row, &|v| crate::views::scoring::median_of(&medians, v));
    if args.format == OutputFormat::Json {
        return print_json(
            &serde_json::json!({ "object": who, "model_id": rec.id, "model": rec.name, "explanation": e }),
        );
    }
    let probs: Vec<String> = e
        .probabilities
        .iter()
        .map(|(c, p)| format!("{c} {:.0}%", p * 100.0))
        .collect();
    println!(
        "{who}\nmodel {} '{}': class {} ({})\n",
        rec.id,
        rec.name,
        e.class,
        probs.join(", ")
    );
    println!("path:");
    for (k, s) in e.path.iter().enumerate() {
        println!("  {}. {}", k + 1, s.condition);
    }
    if !e.reasons.is_empty() {
        println!("\nreasons (strongest first):");
        for (k, r) in e.reasons.iter().enumerate() {
            println!("  {}. {r}", k + 1);
        }
    }
    if let Some(c) = &e.nearest_change {
        println!("\nnearest change: {}", c.text);
    }
    Ok(())
}
