//! The write transaction of one kit merge: everything a kit brings back is written inside it,
//! all or nothing (taken IMMEDIATE; dropped without `commit`, or killed, nothing of the merge
//! remains). The rules of what to write are `decisions::merge`; the use case is `ops::kits`.

use super::chain::{NewDecision, Origin};
use super::kits::KitRecord;
use super::register::{register_row_at, RegisterRow, RowKind};
use super::{Result, Store, StoreError};
use crate::decisions::merge::{ConflictKind, Side};
use crate::decisions::DecisionRecord;
use crate::finance::compute_ratios;
use rusqlite::{OptionalExtension, Transaction, TransactionBehavior};
use serde::Serialize;
use std::collections::HashSet;

/// A decision as the kit holds it: the record and its hash in the kit's own chain.
#[derive(Debug, Clone, PartialEq)]
pub struct KitDecision {
    pub record: DecisionRecord,
    pub chain_hash: String,
}

/// A conflict found by a merge, kept until resolved.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Conflict {
    pub id: i64,
    pub kind: ConflictKind,
    /// The application, the firm, or `firm:year`.
    pub subject: String,
    pub kit_id: String,
    #[schema(value_type = Object)]
    pub server_version: serde_json::Value,
    #[schema(value_type = Object)]
    pub kit_version: serde_json::Value,
    pub found_at: String,
    pub resolved_at: Option<String>,
    pub resolved_by: Option<String>,
    pub resolution: Option<Side>,
    pub reason: Option<String>,
}

/// An open merge transaction.
pub struct MergeTx<'a> {
    tx: Transaction<'a>,
}

impl Store {
    /// Starts a merge: the write lock is taken now.
    pub fn begin_merge(&mut self) -> Result<MergeTx<'_>> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        Ok(MergeTx { tx })
    }

    /// Every decision of this store with its chain hash, oldest first (read from a kit).
    pub fn kit_decisions(&self) -> Result<Vec<KitDecision>> {
        let records = self.decisions()?;
        let mut stmt = self
            .conn
            .prepare("SELECT id, coalesce(chain_hash, '') FROM decisions ORDER BY id")?;
        let hashes: std::collections::HashMap<i64, String> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(records
            .into_iter()
            .map(|record| KitDecision {
                chain_hash: hashes.get(&record.id).cloned().unwrap_or_default(),
                record,
            })
            .collect())
    }

    /// Every register row of `kind` this store holds.
    pub fn register_rows(&self, kind: RowKind) -> Result<Vec<RegisterRow>> {
        super::register::register_rows(&self.conn, kind, false)
    }

    /// The content hashes of the register rows as the kit took them out (kind, key -> hash).
    pub fn kit_base(&self) -> Result<std::collections::HashMap<(String, String), String>> {
        let mut stmt = self.conn.prepare("SELECT kind, key, hash FROM kit_base")?;
        let rows = stmt.query_map([], |r| Ok(((r.get(0)?, r.get(1)?), r.get(2)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Whether the decision chain verifies: `Ok(n)` decisions, or where it first breaks.
    pub fn verify_chain(&self) -> Result<std::result::Result<usize, super::chain::ChainBreak>> {
        Ok(super::chain::verify(&self.conn)?)
    }

    /// The conflicts found by merges, open ones first.
    pub fn conflicts(&self, open_only: bool) -> Result<Vec<Conflict>> {
        conflicts_where(
            &self.conn,
            if open_only {
                "resolved_at IS NULL"
            } else {
                "1"
            },
            [],
        )
    }

    /// One conflict.
    pub fn conflict(&self, id: i64) -> Result<Conflict> {
        conflicts_where(&self.conn, "id = ?1", [id])?
            .into_iter()
            .next()
            .ok_or_else(|| StoreError::NotFound(format!("no conflict {id} in the store")))
    }

    /// An application row as JSON (a kit's new application), for `MergeTx::insert_application`.
    pub fn application_row(&self, id: &str) -> Result<Vec<rusqlite::types::Value>> {
        Ok(self.conn.query_row(
            "SELECT id, firm_id, amount, term_months, purpose, submitted, status
             FROM applications WHERE id = ?1",
            [id],
            |r| {
                (0..7)
                    .map(|i| r.get(i))
                    .collect::<rusqlite::Result<Vec<_>>>()
            },
        )?)
    }
}

fn conflicts_where<P: rusqlite::Params>(
    conn: &rusqlite::Connection,
    condition: &str,
    params: P,
) -> Result<Vec<Conflict>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT id, kind, subject, kit_id, server_version, kit_version, found_at, resolved_at,
                resolved_by, resolution, reason
         FROM conflicts WHERE {condition} ORDER BY resolved_at IS NOT NULL, id"
    ))?;
    let rows = stmt.query_map(params, |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, String>(4)?,
            r.get::<_, String>(5)?,
            r.get::<_, String>(6)?,
            r.get::<_, Option<String>>(7)?,
            r.get::<_, Option<String>>(8)?,
            r.get::<_, Option<String>>(9)?,
            r.get::<_, Option<String>>(10)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (id, kind, subject, kit_id, server, kit, found_at, resolved_at, by, side, reason) =
            row?;
        let damaged = |what: &'static str, v: &str| StoreError::DamagedRow {
            table: "conflicts",
            row: id.to_string(),
            what,
            reason: format!("'{v}' is not known"),
        };
        out.push(Conflict {
            id,
            kind: ConflictKind::parse(&kind).ok_or_else(|| damaged("a kind", &kind))?,
            subject,
            kit_id,
            server_version: super::stored_json(&server, "conflicts", id, "the server's version")?,
            kit_version: super::stored_json(&kit, "conflicts", id, "the kit's version")?,
            found_at,
            resolved_at,
            resolved_by: by,
            resolution: match side {
                Some(s) => Some(Side::parse(&s).ok_or_else(|| damaged("a resolution", &s))?),
                None => None,
            },
            reason,
        });
    }
    Ok(out)
}

impl MergeTx<'_> {
    /// The kit as this store registered it when it was taken out.
    pub fn kit(&self, kit_id: &str) -> Result<Option<KitRecord>> {
        Ok(self
            .tx
            .query_row(
                "SELECT id, taken_by, taken_at, selection, file, decision_mark,
                    (SELECT count(*) FROM leases l WHERE l.kit_id = kits.id AND l.ended_at IS NULL)
                 FROM kits WHERE id = ?1",
                [kit_id],
                |r| {
                    Ok(KitRecord {
                        id: r.get(0)?,
                        taken_by: r.get(1)?,
                        taken_at: r.get(2)?,
                        selection: r.get(3)?,
                        file: r.get(4)?,
                        decision_mark: r.get(5)?,
                        open_leases: r.get(6)?,
                    })
                },
            )
            .optional()?)
    }

    /// This store's version of a register row, by its key.
    pub fn server_row(&self, row: &RegisterRow) -> Result<Option<RegisterRow>> {
        register_row_at(&self.tx, row.kind, row)
    }

    /// Writes a register row (inserted, or its entered columns updated in place: a firm is
    /// never deleted and re-inserted, which would cascade to its statements).
    pub fn write_row(&self, row: &RegisterRow) -> Result<()> {
        let kind = row.kind;
        super::records::upsert_rows(
            &self.tx,
            kind.table(),
            &kind.columns(),
            kind.keys(),
            [row.values.clone()],
        )?;
        Ok(())
    }

    /// Computes again the ratios of every statement of these firms (an added or changed year
    /// changes its own ratios and the next year's growth).
    pub fn recompute_ratios(&self, firm_ids: &[&str]) -> Result<()> {
        let statements = super::statements::of_firms(&self.tx, firm_ids)?;
        let ratios: Vec<_> = (0..statements.len())
            .map(|i| {
                let prev = (i > 0 && statements[i - 1].firm_id == statements[i].firm_id)
                    .then(|| &statements[i - 1]);
                compute_ratios(&statements[i], prev)
            })
            .collect();
        super::statements::write(&self.tx, statements.iter().zip(&ratios), true)?;
        Ok(())
    }

    /// Records a conflict; `false` when the same conflict (same subject, same kit content) is
    /// already recorded.
    pub fn record_conflict(
        &self,
        kind: ConflictKind,
        subject: &str,
        kit_id: &str,
        server_version: &serde_json::Value,
        kit_version: &serde_json::Value,
        kit_hash: &str,
    ) -> Result<bool> {
        let n = self.tx.execute(
            "INSERT OR IGNORE INTO conflicts(kind, subject, kit_id, server_version, kit_version,
                 kit_hash, found_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, strftime('%Y-%m-%dT%H:%M:%SZ','now'))",
            rusqlite::params![
                kind.as_str(),
                subject,
                kit_id,
                server_version.to_string(),
                kit_version.to_string(),
                kit_hash
            ],
        )?;
        Ok(n > 0)
    }

    /// The id this store gave a kit's decision (found by its hash in the kit's chain).
    pub fn merged_id(&self, origin_hash: &str) -> Result<Option<i64>> {
        Ok(self
            .tx
            .query_row(
                "SELECT id FROM decisions WHERE origin_hash = ?1",
                [origin_hash],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Decisions on an application made after `mark` that are not of the kit's own line (not
    /// among `kit_hashes`): on this store, or in another copy of the kit.
    pub fn decided_elsewhere(
        &self,
        application_id: &str,
        mark: i64,
        kit_hashes: &HashSet<String>,
    ) -> Result<Vec<i64>> {
        let mut stmt = self.tx.prepare(
            "SELECT id, origin_hash FROM decisions WHERE application_id = ?1 AND id > ?2 ORDER BY id",
        )?;
        let rows = stmt.query_map(rusqlite::params![application_id, mark], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, Option<String>>(1)?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, origin) = row?;
            if !origin.is_some_and(|h| kit_hashes.contains(&h)) {
                out.push(id);
            }
        }
        Ok(out)
    }

    /// The decision in force on an application when the kit went out (by the log's rows at or
    /// before `mark`): a referral the kit's analyst took up.
    pub fn in_force_at(&self, application_id: &str, mark: i64) -> Result<Option<i64>> {
        let mut stmt = self.tx.prepare(
            "SELECT id, decision, supersedes FROM decisions WHERE application_id = ?1 AND id <= ?2",
        )?;
        let log: Vec<crate::decisions::DecisionRecord> = stmt
            .query_map(rusqlite::params![application_id, mark], |r| {
                Ok(crate::decisions::DecisionRecord {
                    id: r.get(0)?,
                    decision: r.get(1)?,
                    supersedes: r.get(2)?,
                    ..Default::default()
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(crate::decisions::in_force::in_force(&log).map(|d| d.id))
    }

    /// Decisions of this store by id, as JSON (a conflict keeps them).
    pub fn decisions_json(&self, ids: &[i64]) -> Result<serde_json::Value> {
        let mut out = Vec::new();
        for id in ids {
            let d = super::decisions::decision_by_id(&self.tx, *id)?;
            out.push(serde_json::to_value(&d).unwrap_or_default());
        }
        Ok(serde_json::Value::Array(out))
    }

    /// Whether the application exists here.
    pub fn has_application(&self, id: &str) -> Result<bool> {
        Ok(self
            .tx
            .prepare_cached("SELECT 1 FROM applications WHERE id = ?1")?
            .exists([id])?)
    }

    /// Adds an application the kit created (its row as `Store::application_row` reads it).
    pub fn insert_application(&self, row: Vec<rusqlite::types::Value>) -> Result<()> {
        self.tx.execute(
            "INSERT INTO applications(id, firm_id, amount, term_months, purpose, submitted, status)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'pending')",
            rusqlite::params_from_iter(row.iter().take(6)),
        )?;
        Ok(())
    }

    /// Writes a kit's decision at the end of this store's chain, with its original analyst,
    /// time, models and texts, and where it was made; returns its id here.
    pub fn insert_decision(
        &self,
        kit_id: &str,
        d: &KitDecision,
        supersedes: Option<i64>,
    ) -> Result<i64> {
        let r = &d.record;
        let reasons = serde_json::to_string(&r.reasons).unwrap_or_else(|_| "[]".into());
        Ok(super::chain::insert(
            &self.tx,
            &NewDecision {
                application_id: &r.application_id,
                decision: &r.decision,
                analyst: &r.analyst,
                model_id: r.model_id.as_deref(),
                model_hash: r.model_hash.as_deref(),
                predicted_class: r.predicted_class.as_deref(),
                override_reason: r.override_reason.as_deref(),
                note: r.note.as_deref(),
                reasons: &reasons,
                supersedes,
                challenger: r
                    .challenger_id
                    .as_deref()
                    .zip(r.challenger_class.as_deref()),
                referred_to: r.referred_to.as_deref(),
                decided_at: Some(&r.decided_at),
                origin: Some(Origin {
                    kit: kit_id,
                    id: r.id,
                    hash: &d.chain_hash,
                }),
            },
        )?)
    }

    /// Sets an application's status; `false` when it already had it.
    pub fn set_status(&self, application_id: &str, status: &str) -> Result<bool> {
        Ok(self.tx.execute(
            "UPDATE applications SET status = ?2 WHERE id = ?1 AND status != ?2",
            [application_id, status],
        )? > 0)
    }

    /// Ends the kit's open leases as merged; returns how many.
    pub fn end_leases(&self, kit_id: &str, by: &str) -> Result<usize> {
        Ok(self.tx.execute(
            "UPDATE leases SET ended_at = strftime('%Y-%m-%dT%H:%M:%SZ','now'), ended_by = ?2,
                 end_kind = 'merged'
             WHERE kit_id = ?1 AND ended_at IS NULL",
            [kit_id, by],
        )?)
    }

    /// Records a merge that changed something.
    pub fn log_merge(
        &self,
        kit_id: &str,
        by: &str,
        decisions: usize,
        rows: usize,
        conflicts: usize,
    ) -> Result<()> {
        self.tx.execute(
            "INSERT INTO kit_merges(kit_id, merged_at, merged_by, decisions, rows, conflicts)
             VALUES (?1, strftime('%Y-%m-%dT%H:%M:%SZ','now'), ?2, ?3, ?4, ?5)",
            rusqlite::params![kit_id, by, decisions as i64, rows as i64, conflicts as i64],
        )?;
        Ok(())
    }

    /// Makes the merge durable, all of it.
    pub fn commit(self) -> Result<()> {
        self.tx.commit()?;
        Ok(())
    }
}

impl Store {
    /// Resolves a conflict: records which side stands, who chose and why. For a register row
    /// whose kit version stands, that version is written (and the firm's ratios computed
    /// again); for a decision, `restate` (built by the caller from the chosen decision) is
    /// appended to the chain when the chosen decision is not the one in force, and the
    /// application takes `status`.
    pub fn resolve_conflict(
        &mut self,
        id: i64,
        side: Side,
        by: &str,
        reason: &str,
        decision: Option<(&str, Option<&DecisionRecord>)>,
    ) -> Result<()> {
        let conflict = self.conflict(id)?;
        if conflict.resolved_at.is_some() {
            return Err(StoreError::Conflict(format!(
                "conflict {id} was resolved by {} at {}",
                conflict.resolved_by.unwrap_or_default(),
                conflict.resolved_at.unwrap_or_default()
            )));
        }
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let merge = MergeTx { tx };
        match (conflict.kind, side) {
            (ConflictKind::Decision, _) => {
                if let Some((status, restate)) = decision {
                    if let Some(r) = restate {
                        let reasons =
                            serde_json::to_string(&r.reasons).unwrap_or_else(|_| "[]".into());
                        let latest: i64 = merge.tx.query_row(
                            "SELECT max(id) FROM decisions WHERE application_id = ?1",
                            [&conflict.subject],
                            |row| row.get(0),
                        )?;
                        let note = format!(
                            "conflict {id} resolved: the {} decision {} by {} at {} stands",
                            side.as_str(),
                            r.id,
                            r.analyst,
                            r.decided_at
                        );
                        super::chain::insert(
                            &merge.tx,
                            &NewDecision {
                                application_id: &conflict.subject,
                                decision: &r.decision,
                                analyst: by,
                                model_id: r.model_id.as_deref(),
                                model_hash: r.model_hash.as_deref(),
                                predicted_class: r.predicted_class.as_deref(),
                                override_reason: Some(reason),
                                note: Some(&note),
                                reasons: &reasons,
                                supersedes: Some(latest),
                                challenger: r
                                    .challenger_id
                                    .as_deref()
                                    .zip(r.challenger_class.as_deref()),
                                referred_to: r.referred_to.as_deref(),
                                decided_at: None,
                                origin: None,
                            },
                        )?;
                    }
                    merge.set_status(&conflict.subject, status)?;
                }
            }
            (kind, Side::Kit) => {
                let row_kind = match kind {
                    ConflictKind::Firm => RowKind::Firm,
                    ConflictKind::Statement => RowKind::Statement,
                    _ => RowKind::Factors,
                };
                let values: Vec<_> = row_kind
                    .columns()
                    .iter()
                    .map(|c| super::register::json_cell(&conflict.kit_version[*c]))
                    .collect();
                let row = super::register::register_row(row_kind, values);
                merge.write_row(&row)?;
                if row_kind == RowKind::Statement {
                    merge.recompute_ratios(&[&row.firm_id])?;
                }
            }
            (_, Side::Server) => {}
        }
        merge.tx.execute(
            "UPDATE conflicts SET resolved_at = strftime('%Y-%m-%dT%H:%M:%SZ','now'),
                 resolved_by = ?2, resolution = ?3, reason = ?4
             WHERE id = ?1",
            rusqlite::params![id, by, side.as_str(), reason],
        )?;
        merge.commit()
    }
}
