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
    /// The amount asked for, in thousands of `currency`.
    pub amount: f64,
    /// The currency of the firm's latest statement (the store's default without one).
    pub currency: String,
    pub term_months: i64,
    pub purpose: Option<String>,
    pub submitted: String,
    pub status: String,
}

const DECISION_COLUMNS: &str =
    "d.id, d.application_id, a.firm_id, d.decision, d.analyst, d.decided_at,
    d.model_id, d.model_hash, d.predicted_class, d.override_reason, d.note, d.reasons, d.supersedes,
    d.challenger_id, d.challenger_class, d.referred_to, d.origin_kit";

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
        referred_to: r.get(15)?,
        made_in_kit: r.get(16)?,
    })
}

/// An application decided in this store (it has a row in the decision log), as against one
/// imported with its final status (the history the demo and an import bring).
const DECIDED_HERE: &str = "a.id IN (SELECT application_id FROM decisions)";

/// Which applications a queue shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueueState {
    /// Waiting for a decision (the triage queue).
    Pending,
    /// Referred, to anyone.
    Referred,
    /// Referred to this analyst or role (case is ignored).
    ReferredTo(String),
    /// Approved or declined here (with a decision in the log; not the imported history).
    Decided,
    /// Pending, referred and decided here.
    All,
}

/// How many applications are in each state (`total`: their sum, the triage's work).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct QueueCounts {
    pub pending: i64,
    pub referred: i64,
    pub decided: i64,
    pub total: i64,
}

const APPLICATION_COLUMNS: &str = "a.id, a.firm_id, f.name, f.sector, a.amount, a.term_months,
    a.purpose, a.submitted, a.status,
    (SELECT s.currency FROM statements s WHERE s.firm_id = a.firm_id
      ORDER BY s.fiscal_year DESC LIMIT 1)";

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
        currency: r
            .get::<_, Option<String>>(9)?
            .unwrap_or_else(|| crate::finance::items::DEFAULT_CURRENCY.to_string()),
    })
}

fn sql_err(e: rusqlite::Error) -> DecisionError {
    if e.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseBusy) {
        return DecisionError::Busy(super::BUSY_TIMEOUT_MS / 1000);
    }
    DecisionError::Store(StoreError::from(e).to_string())
}

/// Every log row of one application, oldest first.
fn application_log(
    conn: &rusqlite::Connection,
    application_id: &str,
) -> rusqlite::Result<Vec<DecisionRecord>> {
    let sql = format!(
        "SELECT {DECISION_COLUMNS} FROM decisions d JOIN applications a ON a.id = d.application_id
         WHERE d.application_id = ?1 ORDER BY d.id"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map([application_id], decision_row)?;
    rows.collect()
}

/// The decision in force on an application inside `tx` (see [`decisions::in_force`]).
///
/// [`decisions::in_force`]: crate::decisions::in_force
fn in_force(
    tx: &rusqlite::Transaction,
    application_id: &str,
) -> rusqlite::Result<Option<DecisionRecord>> {
    let log = application_log(tx, application_id)?;
    Ok(crate::decisions::in_force::in_force(&log).cloned())
}

/// Refuses a decision on an application leased to a kit, or one with an open conflict.
fn held_elsewhere(
    tx: &rusqlite::Transaction,
    application_id: &str,
) -> std::result::Result<(), DecisionError> {
    if let Some(lease) = super::kits::open_lease(tx, application_id).map_err(sql_err)? {
        return Err(DecisionError::Leased {
            id: application_id.to_string(),
            kit: lease.kit_id,
            analyst: lease.analyst,
            since: lease.since,
        });
    }
    if let Some(conflict) = super::kits::open_conflict_on(tx, application_id).map_err(sql_err)? {
        return Err(DecisionError::InConflict {
            id: application_id.to_string(),
            conflict,
        });
    }
    Ok(())
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
        held_elsewhere(&tx, &input.application_id)?;
        let previous = in_force(&tx, &input.application_id).map_err(sql_err)?;
        // A referral is decided by whoever takes it up: the first approval or decline over it
        // needs no override (a second referral does, as any second decision).
        let over_referral = previous.as_ref().is_some_and(|p| p.decision == "refer")
            && input.verdict != crate::decisions::Verdict::Refer;
        match (&previous, input.replace || over_referral) {
            (Some(p), false) => {
                return Err(DecisionError::AlreadyDecided {
                    id: input.application_id.clone(),
                    decision: p.decision.clone(),
                    analyst: p.analyst.clone(),
                    at: p.decided_at.clone(),
                })
            }
            // A kit holds a referred application without the referral's row (it stayed in
            // the server's chain): there it is open to decide as a pending one.
            (None, _) if status != "pending" && status != "referred" => {
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
                referred_to: input.referred_to.as_deref(),
                decided_at: None,
                origin: None,
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
        held_elsewhere(&tx, application_id)?;
        let previous = in_force(&tx, application_id)
            .map_err(sql_err)?
            .ok_or_else(|| DecisionError::NothingToUndo(application_id.to_string()))?;
        let rec = insert_undo(&tx, &previous, analyst).map_err(sql_err)?;
        tx.commit().map_err(sql_err)?;
        Ok(rec)
    }

    /// Undoes `analyst`'s own last decision (one they have not undone already), from any
    /// session, if it is still in force and at most `window_minutes` old: a new `undo` row in
    /// the chain, in one immediate transaction (no other analyst's decision can slip in between
    /// the checks and the row).
    pub fn undo_own_last(
        &mut self,
        analyst: &str,
        window_minutes: u32,
    ) -> std::result::Result<DecisionRecord, DecisionError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sql_err)?;
        let sql = format!(
            "SELECT {DECISION_COLUMNS}, (julianday('now') - julianday(d.decided_at)) * 1440.0
             FROM decisions d JOIN applications a ON a.id = d.application_id
             WHERE d.analyst = ?1 AND d.decision != 'undo'
               AND NOT EXISTS (SELECT 1 FROM decisions u WHERE u.supersedes = d.id
                               AND u.decision = 'undo' AND u.analyst = ?1)
             ORDER BY d.id DESC LIMIT 1"
        );
        let last = tx
            .query_row(&sql, [analyst], |r| {
                // The age follows the decision's columns, however many they are.
                let age_column = DECISION_COLUMNS.split(',').count();
                Ok((decision_row(r)?, r.get::<_, Option<f64>>(age_column)?))
            })
            .optional()
            .map_err(sql_err)?;
        let (mine, age) = last.ok_or_else(|| DecisionError::NoOwnDecision(analyst.into()))?;
        let standing = in_force(&tx, &mine.application_id).map_err(sql_err)?;
        let now = latest_row(&tx, &mine.application_id).map_err(sql_err)?;
        if let Some(now) = now.filter(|_| standing.as_ref().is_none_or(|s| s.id != mine.id)) {
            return Err(DecisionError::NoLongerInForce {
                application: mine.application_id,
                decision: mine.decision,
                by: now.analyst,
                now: now.decision,
            });
        }
        if age.is_none_or(|m| m > f64::from(window_minutes)) {
            return Err(DecisionError::UndoWindowPassed {
                application: mine.application_id,
                decision: mine.decision,
                at: mine.decided_at,
                minutes: window_minutes,
            });
        }
        let rec = insert_undo(&tx, &mine, analyst).map_err(sql_err)?;
        tx.commit().map_err(sql_err)?;
        Ok(rec)
    }

    /// Applications in a state (see [`QueueState`]), each with the decision in force on it.
    pub fn applications_in(
        &self,
        state: &QueueState,
    ) -> Result<Vec<(Application, Option<DecisionRecord>)>> {
        let apps = match state {
            QueueState::Pending => self.applications_where("a.status = 'pending'", [])?,
            QueueState::Referred | QueueState::ReferredTo(_) => {
                self.applications_where("a.status = 'referred'", [])?
            }
            QueueState::Decided => self.applications_where(
                &format!("a.status IN ('approved', 'declined') AND {DECIDED_HERE}"),
                [],
            )?,
            QueueState::All => self.applications_where(
                &format!(
                    "(a.status IN ('pending', 'referred') OR \
                     (a.status IN ('approved', 'declined') AND {DECIDED_HERE}))"
                ),
                [],
            )?,
        };
        let mut out = Vec::with_capacity(apps.len());
        for app in apps {
            let log = application_log(&self.conn, &app.id)?;
            let last = crate::decisions::in_force::in_force(&log).cloned();
            if let QueueState::ReferredTo(who) = state {
                let to = last.as_ref().and_then(|d| d.referred_to.as_deref());
                if !to.is_some_and(|t| t.eq_ignore_ascii_case(who.trim())) {
                    continue;
                }
            }
            out.push((app, last));
        }
        Ok(out)
    }

    /// How many applications are in each state, read from the store (every workbench on it
    /// agrees): pending, referred, decided here (approved or declined with a decision in the
    /// log), and their sum.
    pub fn queue_counts(&self) -> Result<QueueCounts> {
        let sql = format!(
            "SELECT coalesce(sum(a.status = 'pending'), 0), coalesce(sum(a.status = 'referred'), 0),
                    coalesce(sum(a.status IN ('approved', 'declined') AND {DECIDED_HERE}), 0)
             FROM applications a"
        );
        let (pending, referred, decided) = self
            .conn
            .query_row(&sql, [], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        Ok(QueueCounts {
            pending,
            referred,
            decided,
            total: pending + referred + decided,
        })
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

    /// Decisions made (not undone) and applications still pending, for progress lines. The
    /// decided applications are counted from the decisions (each looked up by key), not from a
    /// pass over the applications' status index (the unary `+` keeps SQLite from choosing it:
    /// 0.1 s at 100,000 firms, more at a million).
    pub fn decision_progress(&self) -> Result<(i64, i64)> {
        Ok(self.conn.query_row(
            "SELECT (SELECT count(*) FROM applications
                      WHERE id IN (SELECT application_id FROM decisions)
                        AND +status IN ('approved','declined','referred')),
                    (SELECT count(*) FROM applications WHERE status = 'pending')",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?)
    }
}

/// Writes an `undo` row superseding `previous` and sets its application to the state of what is
/// in force after it (pending when nothing is).
fn insert_undo(
    tx: &rusqlite::Transaction,
    previous: &DecisionRecord,
    analyst: &str,
) -> rusqlite::Result<DecisionRecord> {
    let note = format!("undo of {} by {}", previous.decision, previous.analyst);
    let id = super::chain::insert(
        tx,
        &super::chain::NewDecision {
            application_id: &previous.application_id,
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
            referred_to: None,
            decided_at: None,
            origin: None,
        },
    )?;
    // What the undone decision had replaced (a referral taken up, a decision overridden) is in
    // force again, and the application takes its state.
    let log = application_log(tx, &previous.application_id)?;
    let status = crate::decisions::in_force::status_of(crate::decisions::in_force::in_force(&log));
    tx.execute(
        "UPDATE applications SET status = ?2 WHERE id = ?1",
        [previous.application_id.as_str(), status],
    )?;
    decision_by_id(tx, id)
}

/// The latest decision row of an application (an undo included).
fn latest_row(
    tx: &rusqlite::Transaction,
    application_id: &str,
) -> rusqlite::Result<Option<DecisionRecord>> {
    let sql = format!(
        "SELECT {DECISION_COLUMNS} FROM decisions d JOIN applications a ON a.id = d.application_id
         WHERE d.application_id = ?1 ORDER BY d.id DESC LIMIT 1"
    );
    tx.query_row(&sql, [application_id], decision_row)
        .optional()
}

pub(super) fn decision_by_id(
    tx: &rusqlite::Transaction,
    id: i64,
) -> rusqlite::Result<DecisionRecord> {
    let sql = format!(
        "SELECT {DECISION_COLUMNS} FROM decisions d JOIN applications a ON a.id = d.application_id
         WHERE d.id = ?1"
    );
    tx.query_row(&sql, [id], decision_row)
}
