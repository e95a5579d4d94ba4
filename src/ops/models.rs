//! The model registry's use cases: score what a model has not scored, import a model file (a
//! candidate), classify firms and record the predictions. Putting a model into use is
//! `ops::governance`.

use super::{OpsError, Result};
use crate::analysis::Matrix;
use crate::model::registry::ModelRecord;
use crate::store::models::Prediction;
use crate::store::Store;
use std::path::Path;

/// Whether every input of a model is one PRECRE reads off a firm (a ratio, an item, a factor,
/// an attribute or one of its categories), so that it scores firms, not feature-set rows.
pub fn reads_firms(rec: &ModelRecord) -> bool {
    rec.pipeline
        .features
        .iter()
        .all(|f| crate::views::data::reads_firm(f))
}

/// Scores (and records) every firm that `rec` has not scored yet, from its latest statement.
/// A model trained on a feature set scores no firm: 0.
pub fn score_missing(store: &mut Store, rec: &ModelRecord) -> Result<usize> {
    if !reads_firms(rec) {
        return Ok(0);
    }
    let known = store.latest_predictions(&rec.id)?;
    let mut predictions = crate::views::scoring::score_all(store, rec)?;
    predictions.retain(|p| !known.contains_key(&p.firm_id));
    store.save_predictions(&rec.id, &predictions)?;
    Ok(predictions.len())
}

/// Reads a model file (its id checked against its content) into the registry as a candidate
/// (promotion puts it into use); returns the record as stored.
pub fn import(store: &mut Store, file: &Path) -> Result<ModelRecord> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| OpsError::Io(format!("cannot read {}: {e}", file.display())))?;
    let rec = ModelRecord::from_json(&text).map_err(|source| OpsError::Record {
        origin: Some(file.display().to_string()),
        source,
    })?;
    store.save_model(&rec, None)?;
    Ok(store.model(Some(&rec.id))?)
}

/// Which firms to classify.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Firms {
    One(String),
    All,
    Pending,
}

/// The predictions made, with the model that made them.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Classified {
    pub model_id: String,
    pub classes: Vec<String>,
    pub predictions: Vec<Prediction>,
}

/// Scores firms with a model (the active one by default) and records the predictions.
pub fn classify(store: &mut Store, model: Option<&str>, which: &Firms) -> Result<Classified> {
    let rec = store.model(model)?;
    if !reads_firms(&rec) {
        return Err(OpsError::Usage(format!(
            "model {} was not trained on firm inputs: it scores feature-set rows, not firms",
            rec.id
        )));
    }
    // (firm ids, fiscal years, their rows): one firm is read alone; many come from one query.
    let (ids, years, x): (Vec<String>, Vec<i32>, Matrix) = match which {
        Firms::One(id) => {
            let (firm, year, values) =
                crate::views::scoring::firm_features(store, id, None, &rec.pipeline.features)?;
            (
                vec![firm.id],
                vec![year],
                Matrix::new(1, values.len(), values),
            )
        }
        Firms::All | Firms::Pending => {
            let data = crate::views::data::firm_feature_rows(
                store,
                &rec.pipeline.features,
                crate::analysis::dataset::YearRule::Latest,
            )?
            .ok_or_else(|| OpsError::Usage(format!("model {} reads no firm", rec.id)))?;
            let wanted: Option<std::collections::HashSet<String>> = match which {
                Firms::Pending => Some(store.pending_firm_ids()?.into_iter().collect()),
                _ => None,
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
    };
    let predictions = crate::views::scoring::predict(&rec, &ids, &years, &x);
    store.save_predictions(&rec.id, &predictions)?;
    Ok(Classified {
        model_id: rec.id,
        classes: rec.pipeline.classes.clone(),
        predictions,
    })
}

/// The credit reports of a model (the active one by default) over its test part: gains / KS
/// by `groups` score groups, calibration, and the bands `edges` cut.
pub fn reports(
    store: &Store,
    model: Option<&str>,
    groups: usize,
    edges: &[f64],
) -> Result<(ModelRecord, crate::model::reports::Reports)> {
    if groups < 2 {
        return Err(OpsError::Usage(format!(
            "the reports need at least 2 score groups ({groups} given)"
        )));
    }
    let rec = store.model(model)?;
    let Some(sample) = &rec.test_sample else {
        return Err(OpsError::BadData(format!(
            "model {} '{}' was saved without its test predictions (an older record): train it again to read its reports",
            rec.id, rec.name
        )));
    };
    let r = crate::model::reports::reports(sample, groups, edges);
    Ok((rec, r))
}
