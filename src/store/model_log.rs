//! The model log: every change of champion or challenger, every proposal and every revoke, as an
//! append-only row (triggers refuse UPDATE and DELETE) made in the same immediate transaction as
//! the change itself. Each row carries `chain_hash`, the sha256 of the previous row's hash and of
//! its own content, and `meta.model_log_head` keeps the last id and hash, as the decision log
//! does (`store::chain`): an edit made outside PRECRE breaks the chain at the first row it
//! touches, and `precre check` names it.

use super::{Result, Store, StoreError};
use crate::model::governance::{Figures, LogAction, Role};
use crate::model::registry::ModelRecord;
use rusqlite::{params, Connection, OptionalExtension, Transaction, TransactionBehavior};
use sha2::{Digest, Sha256};

/// A change asked of the store: who, what, which role, to which model (a promotion or a
/// proposal; a revoke finds the model to put back itself), why, and the approved proposal.
#[derive(Debug, Clone, PartialEq)]
pub struct ChangeRequest<'a> {
    pub analyst: &'a str,
    pub action: LogAction,
    pub role: Role,
    /// The model put into the role (full id); `None` for a revoke.
    pub to_model: Option<&'a str>,
    pub reason: &'a str,
    /// The proposal this promotion carries out (four eyes by approval).
    pub proposal: Option<i64>,
}

/// A row of the model log, as read back.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct LogEntry {
    pub id: i64,
    pub at: String,
    pub analyst: String,
    pub action: LogAction,
    pub role: Role,
    pub from_model: Option<String>,
    pub from_name: Option<String>,
    pub to_model: Option<String>,
    pub to_name: Option<String>,
    pub reason: String,
    /// The validation figures of the model put into the role (or proposed), at that moment.
    pub figures: Figures,
    pub proposal: Option<i64>,
}

/// The fields a row's hash covers, in order.
struct Hashed<'a> {
    at: &'a str,
    analyst: &'a str,
    action: &'a str,
    role: &'a str,
    from_model: Option<&'a str>,
    to_model: Option<&'a str>,
    reason: &'a str,
    figures: &'a str,
    proposal: Option<i64>,
}

fn hash(prev: &str, id: i64, r: &Hashed) -> String {
    let mut h = Sha256::new();
    h.update(prev.as_bytes());
    h.update([0x1e]);
    h.update(id.to_le_bytes());
    let fields = [
        Some(r.at),
        Some(r.analyst),
        Some(r.action),
        Some(r.role),
        r.from_model,
        r.to_model,
        Some(r.reason),
        Some(r.figures),
    ];
    for f in fields {
        match f {
            Some(v) => {
                h.update([1]);
                h.update(v.as_bytes());
            }
            None => h.update([0]),
        }
        h.update([0x1f]);
    }
    h.update(r.proposal.unwrap_or(-1).to_le_bytes());
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

fn head(conn: &Connection) -> rusqlite::Result<Option<(i64, String)>> {
    super::chain::read_head(conn, "model_log_head", "the model log's head")
}

/// The model holding a role now (full id), inside a transaction or not.
fn holder(conn: &Connection, role: Role) -> rusqlite::Result<Option<String>> {
    match role {
        Role::Champion => conn
            .query_row("SELECT id FROM models WHERE active = 1", [], |r| r.get(0))
            .optional(),
        Role::Challenger => conn
            .query_row(
                "SELECT value FROM meta WHERE key = 'challenger_model'",
                [],
                |r| r.get(0),
            )
            .optional(),
    }
}

/// Puts `id` into `role` (or empties it); a champion stops being its own challenger.
fn put(tx: &Transaction, role: Role, id: Option<&str>) -> rusqlite::Result<()> {
    match (role, id) {
        (Role::Champion, Some(id)) => {
            tx.execute("UPDATE models SET active = (id = ?1)", [id])?;
            tx.execute(
                "DELETE FROM meta WHERE key = 'challenger_model' AND value = ?1",
                [id],
            )?;
        }
        (Role::Champion, None) => {
            tx.execute("UPDATE models SET active = 0 WHERE active != 0", [])?;
        }
        (Role::Challenger, Some(id)) => {
            tx.execute(
                "INSERT OR REPLACE INTO meta(key, value) VALUES ('challenger_model', ?1)",
                [id],
            )?;
        }
        (Role::Challenger, None) => {
            tx.execute("DELETE FROM meta WHERE key = 'challenger_model'", [])?;
        }
    }
    Ok(())
}

/// The model a revoke of `role` puts back: the one the promotion of the current holder
/// replaced (none when it replaced none, or when nothing holds the role).
fn previous(conn: &Connection, role: Role, current: &str) -> rusqlite::Result<Option<String>> {
    Ok(conn
        .query_row(
            "SELECT from_model FROM model_log WHERE role = ?1 AND action = 'promote'
               AND to_model = ?2 ORDER BY id DESC LIMIT 1",
            params![role.as_str(), current],
            |r| r.get::<_, Option<String>>(0),
        )
        .optional()?
        .flatten())
}

fn figures_of(conn: &Connection, id: Option<&str>) -> Result<Figures> {
    let Some(id) = id else {
        return Ok(Figures::default());
    };
    let body: String = conn
        .query_row("SELECT body FROM models WHERE id = ?1", [id], |r| r.get(0))
        .optional()?
        .ok_or_else(|| StoreError::NoSuchModel(id.to_string()))?;
    let rec = ModelRecord::from_json(&body).map_err(|e| StoreError::DamagedRow {
        table: "models",
        row: id.to_string(),
        what: "a model record",
        reason: e.to_string(),
    })?;
    Ok(Figures::of(&rec))
}

impl Store {
    /// Makes a change of champion or challenger (or records a proposal) and its log row, in one
    /// immediate transaction: the model that held the role is read inside it, a revoke puts
    /// back the model the current one replaced. Refuses a change that changes nothing.
    pub fn change_model(&mut self, req: &ChangeRequest) -> Result<LogEntry> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let from = holder(&tx, req.role)?;
        let to: Option<String> = match req.action {
            LogAction::Promote | LogAction::Propose => req.to_model.map(str::to_string),
            LogAction::Revoke => {
                let current = from.as_deref().ok_or_else(|| {
                    StoreError::Conflict(format!("no model is the {}: nothing to revoke", req.role))
                })?;
                previous(&tx, req.role, current)?
            }
        };
        if req.action != LogAction::Revoke && to.is_some() && to == from {
            return Err(StoreError::Conflict(format!(
                "model {} is already the {}",
                to.unwrap_or_default(),
                req.role
            )));
        }
        if req.action == LogAction::Promote && req.role == Role::Challenger {
            let champion = holder(&tx, Role::Champion)?;
            if to.is_some() && to == champion {
                return Err(StoreError::Conflict(format!(
                    "model {} is the champion: choose another model as its challenger",
                    to.unwrap_or_default()
                )));
            }
        }
        let figures = serde_json::to_string(&figures_of(&tx, to.as_deref())?)
            .map_err(|e| StoreError::Conflict(e.to_string()))?;
        let id: i64 = tx.query_row("SELECT coalesce(max(id), 0) + 1 FROM model_log", [], |r| {
            r.get(0)
        })?;
        let at: String = tx.query_row("SELECT strftime('%Y-%m-%dT%H:%M:%fZ','now')", [], |r| {
            r.get(0)
        })?;
        let row = Hashed {
            at: &at,
            analyst: req.analyst,
            action: req.action.as_str(),
            role: req.role.as_str(),
            from_model: from.as_deref(),
            to_model: to.as_deref(),
            reason: req.reason,
            figures: &figures,
            proposal: req.proposal,
        };
        let prev = head(&tx)?.map(|(_, h)| h).unwrap_or_default();
        let chain = hash(&prev, id, &row);
        tx.execute(
            "INSERT INTO model_log(id, at, analyst, action, role, from_model, to_model, reason,
                                   figures, proposal, chain_hash)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            params![
                id,
                at,
                req.analyst,
                row.action,
                row.role,
                row.from_model,
                row.to_model,
                req.reason,
                figures,
                req.proposal,
                chain
            ],
        )?;
        tx.execute(
            "INSERT OR REPLACE INTO meta(key, value) VALUES ('model_log_head', ?1)",
            [format!("{id}:{chain}")],
        )?;
        if req.action != LogAction::Propose {
            put(&tx, req.role, to.as_deref())?;
        }
        tx.commit()?;
        self.model_log_entry(id)?
            .ok_or_else(|| StoreError::NotFound(format!("model log row {id}")))
    }

    /// The model log, oldest first.
    pub fn model_log(&self) -> Result<Vec<LogEntry>> {
        self.log_rows("", [])
    }

    fn model_log_entry(&self, id: i64) -> Result<Option<LogEntry>> {
        Ok(self.log_rows("WHERE l.id = ?1", [id])?.pop())
    }

    /// The latest proposal to put `model_id` into a role that no promotion has carried out yet.
    pub fn open_proposal(&self, model_id: &str) -> Result<Option<LogEntry>> {
        Ok(self
            .log_rows(
                "WHERE l.action = 'propose' AND l.to_model = ?1
                   AND NOT EXISTS (SELECT 1 FROM model_log p WHERE p.proposal = l.id)",
                [model_id],
            )?
            .pop())
    }

    fn log_rows<P: rusqlite::Params>(&self, filter: &str, p: P) -> Result<Vec<LogEntry>> {
        let sql = format!(
            "SELECT l.id, l.at, l.analyst, l.action, l.role, l.from_model, f.name, l.to_model,
                    t.name, l.reason, l.figures, l.proposal
             FROM model_log l LEFT JOIN models f ON f.id = l.from_model
                              LEFT JOIN models t ON t.id = l.to_model
             {filter} ORDER BY l.id"
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map(p, |r| {
            let id: i64 = r.get(0)?;
            let action: String = r.get(3)?;
            let role: String = r.get(4)?;
            let figures: String = r.get(10)?;
            Ok(LogEntry {
                id,
                at: r.get(1)?,
                analyst: r.get(2)?,
                action: LogAction::parse(&action).ok_or_else(|| {
                    super::row_damage(3, "model_log", id, "an action", action.clone())
                })?,
                role: Role::parse(&role)
                    .ok_or_else(|| super::row_damage(4, "model_log", id, "a role", role.clone()))?,
                from_model: r.get(5)?,
                from_name: r.get(6)?,
                to_model: r.get(7)?,
                to_name: r.get(8)?,
                reason: r.get(9)?,
                figures: super::row_json(&figures, 10, "model_log", id, "figures")?,
                proposal: r.get(11)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Who trained a model, when the store knows (models saved before schema 8, imported or
    /// installed ones: `None`).
    pub fn trained_by(&self, model_id: &str) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row(
                "SELECT trained_by FROM models WHERE id = ?1",
                [model_id],
                |r| r.get::<_, Option<String>>(0),
            )
            .optional()?
            .flatten())
    }
}

/// Where the model log's chain breaks.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LogBreak {
    #[error(
        "model log row {id} does not match the chain: it was edited, or a row before it was \
         removed or reordered"
    )]
    Mismatch { id: i64 },
    #[error(
        "the chain's last row was {head}, and the log ends at {}: rows at its end were removed",
        last.map_or("none".to_string(), |l| l.to_string())
    )]
    EndRemoved { head: i64, last: Option<i64> },
    #[error("model log rows up to {0} are in the log but the chain has no head: it was removed")]
    HeadRemoved(i64),
}

/// Walks the model log's chain: `Ok(n)` rows verified, or where it breaks.
pub fn verify(conn: &Connection) -> rusqlite::Result<std::result::Result<usize, LogBreak>> {
    let mut stmt = conn.prepare(
        "SELECT id, at, analyst, action, role, from_model, to_model, reason, figures, proposal,
                chain_hash
         FROM model_log ORDER BY id",
    )?;
    let mut rows = stmt.query([])?;
    let mut prev = String::new();
    let mut last: Option<i64> = None;
    let mut n = 0;
    while let Some(r) = rows.next()? {
        let id: i64 = r.get(0)?;
        let text = |i: usize| -> rusqlite::Result<Option<String>> { r.get(i) };
        let (at, analyst, action, role) = (text(1)?, text(2)?, text(3)?, text(4)?);
        let (from, to, reason, figures) = (text(5)?, text(6)?, text(7)?, text(8)?);
        let row = Hashed {
            at: at.as_deref().unwrap_or(""),
            analyst: analyst.as_deref().unwrap_or(""),
            action: action.as_deref().unwrap_or(""),
            role: role.as_deref().unwrap_or(""),
            from_model: from.as_deref(),
            to_model: to.as_deref(),
            reason: reason.as_deref().unwrap_or(""),
            figures: figures.as_deref().unwrap_or(""),
            proposal: r.get(9)?,
        };
        let stored: Option<String> = r.get(10)?;
        let expected = hash(&prev, id, &row);
        if stored.as_deref() != Some(expected.as_str()) {
            return Ok(Err(LogBreak::Mismatch { id }));
        }
        prev = expected;
        last = Some(id);
        n += 1;
    }
    match (head(conn)?, last) {
        (Some((hid, hh)), Some(l)) if hid == l && hh == prev => Ok(Ok(n)),
        (None, None) => Ok(Ok(0)),
        (Some((hid, _)), _) => Ok(Err(LogBreak::EndRemoved { head: hid, last })),
        (None, Some(l)) => Ok(Err(LogBreak::HeadRemoved(l))),
    }
}
