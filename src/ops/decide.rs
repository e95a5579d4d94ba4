//! Decisions on applications: approve, decline or refer (to an analyst or a role; with reasons,
//! a note and, against the model or replacing a decision, an override reason), and undo (of the
//! decision in force, or of one's own last decision within a time window). The decision records the
//! active model that scored the firm (and the challenger's id and class, when one is set),
//! computed here the same way for every front-end.

use super::Result;
use crate::decisions::{DecisionInput, DecisionRecord, ModelRef, Verdict};
use crate::store::{Store, StoreError};
use crate::views::scoring::score_firm;

/// A decision as an analyst asks for it.
#[derive(Debug, Clone, PartialEq)]
pub struct DecideRequest {
    pub application_id: String,
    pub verdict: Verdict,
    pub analyst: String,
    pub note: Option<String>,
    pub reasons: Vec<String>,
    pub override_reason: Option<String>,
    /// Replace a decision in force (an explicit, logged override).
    pub replace: bool,
    /// Who a referral goes to (an analyst's name or a role); referrals only.
    pub referred_to: Option<String>,
}

/// The active model's view of the firm behind an application (`None` without an active model
/// trained on ratios, or a firm without statements).
pub fn model_view(store: &Store, application_id: &str) -> Result<Option<ModelRef>> {
    let app = store.application(application_id)?;
    let Some(model) = store.active_model()? else {
        return Ok(None);
    };
    Ok(score_firm(store, &model, &app.firm_id)?.map(|s| s.model_ref(&model)))
}

/// The challenger model's view of the firm behind an application (`None` without a challenger,
/// or one that cannot score the firm).
pub fn challenger_view(store: &Store, application_id: &str) -> Result<Option<ModelRef>> {
    let Some(model) = store.challenger_model()? else {
        return Ok(None);
    };
    let app = store.application(application_id)?;
    Ok(score_firm(store, &model, &app.firm_id)?.map(|s| s.model_ref(&model)))
}

/// The input the store records, with the active model's view filled in.
pub fn input_for(store: &Store, req: DecideRequest) -> Result<DecisionInput> {
    let model = match model_view(store, &req.application_id) {
        Ok(m) => m,
        // An unknown application: the store's own check says so in its words.
        Err(super::OpsError::Store(StoreError::NotFound(_))) => None,
        Err(e) => return Err(e),
    };
    let challenger = match model {
        Some(_) => challenger_view(store, &req.application_id)?,
        None => None,
    };
    Ok(DecisionInput {
        application_id: req.application_id,
        verdict: req.verdict,
        analyst: req.analyst,
        note: req.note,
        reasons: req.reasons,
        reason_codes: Vec::new(),
        override_reason: req.override_reason,
        model,
        challenger,
        replace: req.replace,
        referred_to: req.referred_to,
    })
}

/// Records a decision (one per application unless `replace`; append-only, in one transaction).
pub fn decide(store: &mut Store, req: DecideRequest) -> Result<DecisionRecord> {
    let input = input_for(store, req)?;
    Ok(store.record_decision(input)?)
}

/// An undo row and the state it left its application in.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Undone {
    #[serde(flatten)]
    pub undo: DecisionRecord,
    /// The application's state now: what the undone decision had replaced (a referral taken
    /// up, a decision overridden) stands again, else it is pending.
    pub status: String,
}

impl Undone {
    fn read(store: &Store, undo: DecisionRecord) -> Result<Undone> {
        let status = store.application(&undo.application_id)?.status;
        Ok(Undone { undo, status })
    }

    /// What the undo left, in words.
    pub fn outcome(&self) -> String {
        if self.status == "pending" {
            "the application is pending again".to_string()
        } else {
            format!(
                "the application is {} again (what the undone decision replaced stands)",
                self.status
            )
        }
    }
}

/// Undoes the analyst's own last decision, from any session, within `window_minutes` of it
/// (a reversal recorded in the chain; what that decision replaced stands again).
pub fn undo_last(store: &mut Store, analyst: &str, window_minutes: u32) -> Result<Undone> {
    let undo = store.undo_own_last(analyst, window_minutes)?;
    Undone::read(store, undo)
}

/// Undoes the decision in force (a new row; what that decision replaced stands again).
pub fn undo(store: &mut Store, application_id: &str, analyst: &str) -> Result<Undone> {
    let undo = store.undo_decision(application_id, analyst)?;
    Undone::read(store, undo)
}
