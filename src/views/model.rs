//! The Model screen's facts: the models in the store, the active one, its feature importances
//! and its reports.

use super::Result;
use crate::model::registry::ModelRecord;
use crate::store::models::ModelSummary;
use crate::store::Store;

/// The Model screen's facts.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelView {
    pub models: Vec<ModelSummary>,
    pub active: Option<ModelRecord>,
    /// (feature or component, importance), largest first.
    pub importances: Vec<(String, f64)>,
    /// The active model's gains, calibration and bands over its test part (as `precre report`
    /// with its defaults), when its record keeps its test predictions.
    pub reports: Option<crate::model::reports::Reports>,
    /// The model log, newest last: every change of champion or challenger.
    pub log: Vec<crate::store::model_log::LogEntry>,
}

pub fn load(store: &Store) -> Result<ModelView> {
    let models = store.models()?;
    let active = store.active_model()?;
    let importances = active.as_ref().map(importances).unwrap_or_default();
    let reports = active.as_ref().and_then(|m| {
        let sample = m.test_sample.as_ref()?;
        Some(crate::model::reports::reports(
            sample,
            crate::model::reports::DEFAULT_GROUPS,
            &crate::model::reports::DEFAULT_BANDS,
        ))
    });
    Ok(ModelView {
        models,
        active,
        importances,
        reports,
        log: store.model_log()?,
    })
}

/// The model's importances (the tree's impurity decrease, see `Pipeline::importances`) by input name (features, or components "PC1"...).
pub fn importances(rec: &ModelRecord) -> Vec<(String, f64)> {
    let imp = rec.pipeline.importances();
    let names: Vec<String> = match &rec.pipeline.pca {
        Some(stage) => (1..=stage.k).map(|c| format!("PC{c}")).collect(),
        None => rec.pipeline.features.clone(),
    };
    let mut out: Vec<(String, f64)> = names
        .into_iter()
        .zip(imp)
        .filter(|(_, v)| *v > 0.0)
        .collect();
    out.sort_by(|a, b| b.1.total_cmp(&a.1));
    out
}
