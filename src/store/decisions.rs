//! Decisions and the application queue in the store: one immediate transaction per decision (the
//! check for an earlier decision and the insert cannot interleave with another analyst's), undo as
//! a new row, histories and the rows the exporters write.

use super::{Result, Store, StoreError};
use crate::decisions::codes::{CodedReason, OTHER};
use crate::decisions::{DecisionError, DecisionInput, DecisionRecord};
use rusqlite::{OptionalExtension, TransactionBehavior};
use serde::Serialize;

/// A loan application with its firm's name and sector.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Application {
    pub id: String,
    pub firm_id: String,
    pub firm_name: String,
    pub sector: String,
    pub amount: f64,
    pub term_months: i64,
    pub purpose: Option<String>,
    pub submitted: String,
    pub status: String,
}

const DECISION_COLUMNS: &str =
    "d.id, d.application_id, a.firm_id, d.decision, d.analyst, d.decided_at,
    d.model_id, d.model_hash, d.predicted_class, d.override_reason, d.note, d.reasons, d.supersedes,
    d.challenger_id, d.challenger_class";

/// A stored reason: a text alone (before codes were kept) or a code and its text.
#[derive(serde::Deserialize)]
#[serde(untagged)]
enum StoredReason {
    Text(String),
    Coded(CodedReason),
}

fn decision_row(r: &rusqlite::Row) -> rusqlite::Result<DecisionRecord> {
    let id: i64 = r.get(0)?;
    let reasons: String = r.get(11)?;
    let stored: Vec<StoredReason> = super::row_json(&reasons, 11, "decisions", id, "reasons")?;
    let (reason_codes, reasons) = stored
        .into_iter()
        .map(|s| match s {
            StoredReason::Text(t) => (OTHER.to_string(), t),
            StoredReason::Coded(c) => (c.code, c.text),
        })
        .unzip();
    Ok(DecisionRecord {
        id,
        application_id: r.get(1)?,
        firm_id: r.get(2)?,
        decision: r.get(3)?,
        analyst: r.get(4)?,
        decided_at: r.get(5)?,
        model_id: r.get(6)?,
        model_hash: r.get(7)?,
        predicted_class: r.get(8)?,
        override_reason: r.get(9)?,
        note: r.get(10)?,
        reasons,
        reason_codes,
        supersedes: r.get(12)?,
        challenger_id: r.get(13)?,
        challenger_class: r.get(14)?,
    })
}

const APPLICATION_COLUMNS: &str = "a.id, a.firm_id, f.name, f.sector, a.amount, a.term_months,
    a.purpose, a.submitted, a.status";

fn application_row(r: &rusqlite::Row) -> rusqlite::Result<Application> {
    Ok(Application {
        id: r.get(0)?,
        firm_id: r.get(1)?,
        firm_name: r.get(2)?,
        sector: r.get(3)?,
        amount: r.get(4)?,
        term_months: r.get(5)?,
        purpose: r.get(6)?,
        submitted: r.get(7)?,
        status: r.get(8)?,
    })
}

fn sql_err(e: rusqlite::Error) -> DecisionError {
    if e.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseBusy) {
        return DecisionError::Busy(super::BUSY_TIMEOUT_MS / 1000);
    }
    DecisionError::Store(StoreError::from(e).to_string())
}

/// The decision in force on an application inside `tx`: its latest row, unless that is an undo.
fn in_force(
    tx: &rusqlite::Transaction,
    application_id: &str,
) -> rusqlite::Result<Option<DecisionRecord>> {
    let sql = format!(
        "SELECT {DECISION_COLUMNS} FROM decisions d JOIN applications a ON a.id = d.application_id
         WHERE d.application_id = ?1 ORDER BY d.id DESC LIMIT 1"
    );
    let last = tx
        .query_row(&sql, [application_id], decision_row)
        .optional()?;
    Ok(last.filter(|d| d.decision != "undo"))
}

impl Store {
    /// Records a decision: checks its rules, then in one immediate transaction refuses it if the
    /// application is closed or already decided (unless `replace`), inserts it and sets the
    /// application's status. Committed with a synchronous write before this returns.
    pub fn record_decision(
        &mut self,
        input: DecisionInput,
    ) -> std::result::Result<DecisionRecord, DecisionError> {
        let input = input.checked()?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sql_err)?;
        let status: Option<String> = tx
            .query_row(
                "SELECT status FROM applications WHERE id = ?1",
                [&input.application_id],
                |r| r.get(0),
            )
            .optional()
            .map_err(sql_err)?;
        let status =
            status.ok_or_else(|| DecisionError::NoSuchApplication(input.application_id.clone()))?;
        let previous = in_force(&tx, &input.application_id).map_err(sql_err)?;
        match (&previous, input.replace) {
            (Some(p), false) => {
                return Err(DecisionError::AlreadyDecided {
                    id: input.application_id.clone(),
                    decision: p.decision.clone(),
                    analyst: p.analyst.clone(),
                    at: p.decided_at.clone(),
                })
            }
            (None, _) if status != "pending" => {
                return Err(DecisionError::NotOpen {
                    id: input.application_id.clone(),
                    status,
                })
            }
            _ => {}
        }
        // Each reason as its code and text (a JSON array of objects).
        let coded: Vec<CodedReason> = input
            .reasons
            .iter()
            .enumerate()
            .map(|(i, text)| CodedReason {
                code: input
                    .reason_codes
                    .get(i)
                    .cloned()
                    .unwrap_or_else(|| OTHER.to_string()),
                text: text.clone(),
            })
            .collect();
        let reasons = serde_json::to_string(&coded).unwrap_or_else(|_| "[]".into());
        let id = super::chain::insert(
            &tx,
            &super::chain::NewDecision {
                application_id: &input.application_id,
                decision: input.verdict.as_str(),
                analyst: &input.analyst,
                model_id: input.model.as_ref().map(|m| m.id.as_str()),
                model_hash: input.model.as_ref().map(|m| m.hash.as_str()),
                predicted_class: input.model.as_ref().map(|m| m.predicted_class.as_str()),
                override_reason: input.override_reason.as_deref(),
                note: input.note.as_deref(),
                reasons: &reasons,
                supersedes: previous.as_ref().map(|p| p.id),
                challenger: input
                    .challenger
                    .as_ref()
                    .map(|c| (c.id.as_str(), c.predicted_class.as_str())),
            },
        )
        .map_err(sql_err)?;
        tx.execute(
            "UPDATE applications SET status = ?2 WHERE id = ?1",
            rusqlite::params![input.application_id, input.verdict.status()],
        )
        .map_err(sql_err)?;
        let rec = decision_by_id(&tx, id).map_err(sql_err)?;
        tx.commit().map_err(sql_err)?;
        Ok(rec)
    }

    /// Undoes the decision in force on an application: a new `undo` row that supersedes it, and
    /// the application back to pending.
    pub fn undo_decision(
        &mut self,
        application_id: &str,
        analyst: &str,
    ) -> std::result::Result<DecisionRecord, DecisionError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sql_err)?;
        let previous = in_force(&tx, application_id)
            .map_err(sql_err)?
            .ok_or_else(|| DecisionError::NothingToUndo(application_id.to_string()))?;
        let note = format!("undo of {} by {}", previous.decision, previous.analyst);
        let id = super::chain::insert(
            &tx,
            &super::chain::NewDecision {
                application_id,
                decision: "undo",
                analyst,
                model_id: previous.model_id.as_deref(),
                model_hash: previous.model_hash.as_deref(),
                predicted_class: previous.predicted_class.as_deref(),
                override_reason: None,
                note: Some(&note),
                reasons: "[]",
                supersedes: Some(previous.id),
                challenger: previous
                    .challenger_id
                    .as_deref()
                    .zip(previous.challenger_class.as_deref()),
            },
        )
        .map_err(sql_err)?;
        tx.execute(
            "UPDATE applications SET status = 'pending' WHERE id = ?1",
            [application_id],
        )
        .map_err(sql_err)?;
        let rec = decision_by_id(&tx, id).map_err(sql_err)?;
        tx.commit().map_err(sql_err)?;
        Ok(rec)
    }

    /// Every decision row (undos and overrides included), oldest first.
    pub fn decisions(&self) -> Result<Vec<DecisionRecord>> {
        let sql = format!(
            "SELECT {DECISION_COLUMNS} FROM decisions d JOIN applications a ON a.id = d.application_id
             ORDER BY d.id"
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map([], decision_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The decision rows of one firm's applications, newest first.
    pub fn firm_decisions(&self, firm_id: &str) -> Result<Vec<DecisionRecord>> {
        let sql = format!(
            "SELECT {DECISION_COLUMNS} FROM decisions d JOIN applications a ON a.id = d.application_id
             WHERE a.firm_id = ?1 ORDER BY d.id DESC"
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map([firm_id], decision_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Applications waiting for a decision, oldest first.
    pub fn pending_queue(&self) -> Result<Vec<Application>> {
        self.applications_where("a.status = 'pending'", [])
    }

    /// Every application, newest first.
    pub fn all_applications(&self) -> Result<Vec<Application>> {
        self.applications_where("1", [])
    }

    /// One firm's applications, newest first.
    pub fn firm_applications(&self, firm_id: &str) -> Result<Vec<Application>> {
        self.applications_where("a.firm_id = ?1", [firm_id])
    }

    /// One application.
    pub fn application(&self, id: &str) -> Result<Application> {
        self.applications_where("a.id = ?1", [id])?
            .into_iter()
            .next()
            .ok_or_else(|| StoreError::NotFound(format!("no application '{id}' in the store")))
    }

    fn applications_where<P: rusqlite::Params>(
        &self,
        condition: &str,
        params: P,
    ) -> Result<Vec<Application>> {
        let order = if condition.contains("pending") {
            "a.submitted, a.id"
        } else {
            "a.submitted DESC, a.id"
        };
        let sql = format!(
            "SELECT {APPLICATION_COLUMNS} FROM applications a JOIN firms f ON f.id = a.firm_id
             WHERE {condition} ORDER BY {order}"
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map(params, application_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Decisions made (not undone) and applications still pending, for progress lines.
    pub fn decision_progress(&self) -> Result<(i64, i64)> {
        Ok(self.conn.query_row(
            "SELECT (SELECT count(*) FROM applications WHERE status IN ('approved','declined','referred')
                      AND id IN (SELECT application_id FROM decisions)),
                    (SELECT count(*) FROM applications WHERE status = 'pending')",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?)
    }
}

fn decision_by_id(tx: &rusqlite::Transaction, id: i64) -> rusqlite::Result<DecisionRecord> {
    let sql = format!(
        "SELECT {DECISION_COLUMNS} FROM decisions d JOIN applications a ON a.id = d.application_id
         WHERE d.id = ?1"
    );
    tx.query_row(&sql, [id], decision_row)
}
