//! Loading the demo portfolio with the default model, and the workbench's start with the demo:
//! `precre demo` and the workbench asked for the demo leave an empty store in exactly the same state
//! (the demo's firms, statements, factors, applications and outcomes; the default model,
//! installed as the champion by the promotion use case with the reason [`DEMO_REASON`] in the
//! model log; a prediction of it for every firm).

use super::models::score_missing;
use super::{Job, OpsError, Result};
use crate::ingest::ImportReport;
use crate::model::registry::ModelRecord;
use crate::store::Store;
use std::path::Path;

/// The reason the model log records when the demo installs its default model.
pub const DEMO_REASON: &str =
    "demo default: the model shipped with the demo, installed in a store without a champion";

/// The committed default model, trained on the demo portfolio.
pub const DEFAULT_MODEL: &str = include_str!("../../models/default.json");

/// What loading the demo did.
#[derive(Debug, Clone)]
pub struct DemoOutcome {
    pub reports: Vec<ImportReport>,
    /// The model made active by the load (the default one), if there was no active model.
    pub installed_model: Option<String>,
    /// The active model and how many firms it scored now.
    pub active_model: Option<String>,
    pub scored: usize,
    pub firms: i64,
}

/// The default model's record.
pub fn default_model() -> Result<ModelRecord> {
    ModelRecord::from_json(DEFAULT_MODEL).map_err(|source| OpsError::Record {
        origin: Some("the built-in default model".into()),
        source,
    })
}

/// Loads the demo files (`from` a folder, else the copies built into precre), installs the
/// default model when no model is active, and scores every firm the active model has not scored.
/// `bars` draws progress bars on the terminal while importing (a command run by a person).
pub fn load_demo(
    store: &mut Store,
    from: Option<&Path>,
    bars: bool,
    analyst: &str,
    job: &Job,
) -> Result<DemoOutcome> {
    job.progress(0.1, "loading the demo portfolio");
    let reports = crate::demo::load(store, from, bars)?;
    job.progress(0.7, "loading the default model");
    let installed_model = match store.active_model()? {
        Some(_) => None,
        None => {
            let rec = default_model()?;
            super::governance::install(store, &rec, analyst, DEMO_REASON)?;
            Some(rec.id)
        }
    };
    job.progress(0.85, "scoring every firm with the active model");
    let active = store.model(None)?;
    let scored = score_missing(store, &active)?;
    job.progress(1.0, "done");
    Ok(DemoOutcome {
        reports,
        installed_model,
        active_model: Some(active.id),
        scored,
        firms: store.count("firms")?,
    })
}

/// The start of the workbench: with the demo asked for (`demo`), an empty store gets it (as
/// `precre demo` loads it); a store with firms, or one opened without asking for the demo, is
/// left alone (`None`). Nothing fictitious lands in a store unasked.
pub fn first_start(
    store: &mut Store,
    demo: bool,
    analyst: &str,
    job: &Job,
) -> Result<Option<DemoOutcome>> {
    if !demo || store.has_rows("firms")? {
        return Ok(None);
    }
    load_demo(store, None, false, analyst, job).map(Some)
}
