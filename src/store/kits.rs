//! Field kits in the store: writing a kit (a normal store holding part of the book, with its own
//! store id and a record of where it came from), the kits taken out of a store and the leases
//! of their applications, what holds an application elsewhere (a lease, an open conflict), and
//! the content hashes of register rows that a merge compares. The merge itself is
//! `store::merge`; its rules are `decisions::merge`.

use super::register::register_rows;
pub use super::register::{RegisterRow, RowKind};
use super::{Result, Store, StoreError};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Where a kit came from, as the kit records it (`meta.kit_origin`, JSON).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct KitOrigin {
    /// The kit's own id (its store id).
    pub kit_id: String,
    /// The store it was taken out of.
    pub server_store_id: String,
    pub taken_by: String,
    pub taken_at: String,
    /// The selection, in words.
    pub selection: String,
    pub applications: Vec<String>,
}

/// A kit taken out of this store, as the store registers it.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct KitRecord {
    pub id: String,
    pub taken_by: String,
    pub taken_at: String,
    pub selection: String,
    pub file: String,
    /// The last decision id of this store when the kit was taken out.
    pub decision_mark: i64,
    /// Applications still leased to it.
    pub open_leases: i64,
}

/// An application's lease to a kit.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Lease {
    pub application_id: String,
    pub kit_id: String,
    pub analyst: String,
    pub since: String,
}

/// What holds an application away from the desk: a kit's lease or an open conflict.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
#[serde(tag = "held_by", rename_all = "snake_case")]
pub enum Hold {
    Kit {
        kit_id: String,
        analyst: String,
        since: String,
    },
    Conflict {
        conflict: i64,
    },
}

impl std::fmt::Display for Hold {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Hold::Kit {
                kit_id,
                analyst,
                since,
            } => write!(f, "out with kit {kit_id} ({analyst}, since {since})"),
            Hold::Conflict { conflict } => write!(f, "in conflict {conflict}"),
        }
    }
}

/// What `take_out_kit` wrote.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KitOutReport {
    pub path: PathBuf,
    pub origin: KitOrigin,
    pub firms: i64,
    pub statements: i64,
    pub bytes: u64,
}

/// The open lease of an application, inside a transaction.
pub(super) fn open_lease(
    conn: &Connection,
    application_id: &str,
) -> rusqlite::Result<Option<Lease>> {
    conn.query_row(
        "SELECT application_id, kit_id, analyst, since FROM leases
         WHERE application_id = ?1 AND ended_at IS NULL",
        [application_id],
        |r| {
            Ok(Lease {
                application_id: r.get(0)?,
                kit_id: r.get(1)?,
                analyst: r.get(2)?,
                since: r.get(3)?,
            })
        },
    )
    .optional()
}

/// The open conflict about a subject (an application, a firm, `firm:year`), if any.
pub(super) fn open_conflict_on(conn: &Connection, subject: &str) -> rusqlite::Result<Option<i64>> {
    conn.query_row(
        "SELECT id FROM conflicts WHERE subject = ?1 AND resolved_at IS NULL ORDER BY id LIMIT 1",
        [subject],
        |r| r.get(0),
    )
    .optional()
}

/// Copies the rows of `table` that `condition` picks from the main database into the attached
/// kit, column by column as the kit's table has them.
fn copy_table(conn: &Connection, table: &str, condition: &str) -> Result<usize> {
    let mut stmt = conn.prepare(&format!(
        "SELECT name FROM pragma_table_info('{table}', 'kit')"
    ))?;
    let columns: Vec<String> = stmt
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let list = columns.join(", ");
    Ok(conn.execute(
        &format!(
            "INSERT INTO kit.{table} ({list}) SELECT {list} FROM main.{table} WHERE {condition}"
        ),
        [],
    )?)
}

impl Store {
    /// The store's id (made on first use).
    pub fn store_id(&self) -> Result<String> {
        super::backup::store_id(&self.conn)
    }

    /// Where this store came from, when it is a kit.
    pub fn kit_origin(&self) -> Result<Option<KitOrigin>> {
        match super::backup::kit_origin(&self.conn) {
            None => Ok(None),
            Some(text) => {
                super::stored_json(&text, "meta", "kit_origin", "the kit's origin").map(Some)
            }
        }
    }

    /// Applications among `ids` that cannot go out in a kit: unknown, decided (neither pending
    /// nor referred), already leased or in conflict; each with why.
    pub fn kit_refusals(&self, ids: &[String]) -> Result<Vec<(String, String)>> {
        let mut out = Vec::new();
        for id in ids {
            let status: Option<String> = self
                .conn
                .query_row("SELECT status FROM applications WHERE id = ?1", [id], |r| {
                    r.get(0)
                })
                .optional()?;
            let why = match status.as_deref() {
                None => Some("no such application".to_string()),
                Some("pending" | "referred") => None,
                Some(s) => Some(format!("it is {s}, neither pending nor referred")),
            };
            let why = match why {
                Some(w) => Some(w),
                None => match open_lease(&self.conn, id)? {
                    Some(l) => Some(format!(
                        "it is already out with kit {} ({}, since {})",
                        l.kit_id, l.analyst, l.since
                    )),
                    None => {
                        open_conflict_on(&self.conn, id)?.map(|c| format!("it is in conflict {c}"))
                    }
                },
            };
            if let Some(w) = why {
                out.push((id.clone(), w));
            }
        }
        Ok(out)
    }

    /// Writes a kit at `out` holding the applications `ids` (pending, not leased), their firms
    /// with every statement, factor and outcome, the sector peers' latest ratios (without
    /// names: the screens' medians and percentiles), the champion and the challenger; then, in
    /// one transaction, registers the kit and leases the applications to it. The kit is written
    /// beside `out` under a temporary name, created 0600, and named only once the leases are
    /// recorded; an existing `out` is never replaced.
    pub fn take_out_kit(
        &mut self,
        out: &Path,
        ids: &[String],
        taken_by: &str,
        selection: &str,
    ) -> Result<KitOutReport> {
        if out.exists() {
            return Err(StoreError::FileExists(out.to_path_buf()));
        }
        let tmp = PathBuf::from(format!("{}.partial", out.display()));
        super::backup::remove_with_sides(&tmp);
        drop(super::backup::create_empty(&tmp, 0o600)?);
        let made = self.fill_kit(&tmp, ids, taken_by, selection);
        let origin = match made {
            Ok(o) => o,
            Err(e) => {
                super::backup::remove_with_sides(&tmp);
                return Err(e);
            }
        };
        let leased = self.lease_to_kit(&origin, out);
        if let Err(e) = leased {
            super::backup::remove_with_sides(&tmp);
            return Err(e);
        }
        super::backup::sync(&tmp)?;
        super::backup::publish(&tmp, out, false)?;
        let kit = Store::open(out)?;
        let firms = kit.count("firms")?;
        let statements = kit.count("statements")?;
        drop(kit);
        Ok(KitOutReport {
            path: out.to_path_buf(),
            origin,
            firms,
            statements,
            bytes: std::fs::metadata(out).map_or(0, |m| m.len()),
        })
    }

    fn fill_kit(
        &self,
        tmp: &Path,
        ids: &[String],
        taken_by: &str,
        selection: &str,
    ) -> Result<KitOrigin> {
        // The kit's schema and its own store id, made by opening it as a store.
        let kit_id = {
            let kit = Store::open(tmp)?;
            kit.store_id()?
        };
        let origin = KitOrigin {
            kit_id,
            server_store_id: self.store_id()?,
            taken_by: taken_by.to_string(),
            taken_at: crate::clock::iso_utc(std::time::SystemTime::now()),
            selection: selection.to_string(),
            applications: ids.to_vec(),
        };
        let conn = &self.conn;
        conn.execute("ATTACH DATABASE ?1 AS kit", [tmp.to_string_lossy()])?;
        let filled = (|| -> Result<()> {
            conn.execute_batch(
                "CREATE TEMP TABLE IF NOT EXISTS kit_apps(id TEXT PRIMARY KEY);
                 CREATE TEMP TABLE IF NOT EXISTS kit_firms(id TEXT PRIMARY KEY);
                 DELETE FROM temp.kit_apps; DELETE FROM temp.kit_firms;",
            )?;
            {
                let mut ins =
                    conn.prepare("INSERT OR IGNORE INTO temp.kit_apps(id) VALUES (?1)")?;
                for id in ids {
                    ins.execute([id])?;
                }
            }
            conn.execute_batch(
                "INSERT OR IGNORE INTO temp.kit_firms(id)
                   SELECT firm_id FROM main.applications WHERE id IN (SELECT id FROM temp.kit_apps);
                 BEGIN;",
            )?;
            let in_firms = "firm_id IN (SELECT id FROM temp.kit_firms)";
            copy_table(conn, "firms", "id IN (SELECT id FROM temp.kit_firms)")?;
            for t in ["statements", "factors", "outcomes"] {
                copy_table(conn, t, in_firms)?;
            }
            copy_table(conn, "applications", "id IN (SELECT id FROM temp.kit_apps)")?;
            let models = "(id IN (SELECT id FROM main.models WHERE active = 1)
                 OR id IN (SELECT value FROM main.meta WHERE key = 'challenger_model'))";
            copy_table(conn, "models", models)?;
            copy_table(
                conn,
                "predictions",
                &format!("{in_firms} AND model_id IN (SELECT id FROM main.models WHERE {models})"),
            )?;
            conn.execute_batch(
                "INSERT OR REPLACE INTO kit.meta(key, value)
                   SELECT key, value FROM main.meta WHERE key = 'challenger_model';
                 DROP TABLE IF EXISTS kit.peer_statements;",
            )?;
            // The sector peers' latest statements, firms made anonymous: the kit's screens
            // show medians and percentiles against the whole sector, not the kit's few firms.
            conn.execute_batch(
                "CREATE TABLE kit.peer_statements AS
                   SELECT s.*, f.sector AS peer_sector FROM main.statements s
                   JOIN main.firms f ON f.id = s.firm_id
                   WHERE f.sector IN (SELECT sector FROM main.firms WHERE id IN (SELECT id FROM temp.kit_firms))
                     AND s.fiscal_year = (SELECT max(fiscal_year) FROM main.statements WHERE firm_id = s.firm_id);
                 UPDATE kit.peer_statements SET firm_id = 'peer-' || rowid;",
            )?;
            conn.execute(
                "INSERT OR REPLACE INTO kit.meta(key, value) VALUES (?1, ?2)",
                [
                    super::backup::KIT_ORIGIN_KEY,
                    &serde_json::to_string(&origin).unwrap_or_default(),
                ],
            )?;
            // The content of every register row as it went out, for the merge's three-way rule.
            for kind in RowKind::ALL {
                let rows = register_rows(conn, kind, true)?;
                let mut ins = conn.prepare(
                    "INSERT OR REPLACE INTO kit.kit_base(kind, key, hash) VALUES (?1, ?2, ?3)",
                )?;
                for r in rows {
                    ins.execute([kind.as_str(), &r.key, &r.hash])?;
                }
            }
            conn.execute_batch("COMMIT;")?;
            Ok(())
        })();
        if filled.is_err() {
            let _ = conn.execute_batch("ROLLBACK;");
        }
        let _ = conn.execute_batch("DELETE FROM temp.kit_apps; DELETE FROM temp.kit_firms;");
        let detached = conn.execute("DETACH DATABASE kit", []);
        filled?;
        detached?;
        Ok(origin)
    }

    /// Registers a kit and leases its applications to it, in one transaction that checks again
    /// that none was leased or decided meanwhile.
    fn lease_to_kit(&mut self, origin: &KitOrigin, out: &Path) -> Result<()> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mark: i64 = tx.query_row("SELECT coalesce(max(id), 0) FROM decisions", [], |r| {
            r.get(0)
        })?;
        tx.execute(
            "INSERT INTO kits(id, taken_by, taken_at, selection, file, decision_mark)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            rusqlite::params![
                origin.kit_id,
                origin.taken_by,
                origin.taken_at,
                origin.selection,
                out.to_string_lossy(),
                mark
            ],
        )?;
        for id in &origin.applications {
            let status: String =
                tx.query_row("SELECT status FROM applications WHERE id = ?1", [id], |r| {
                    r.get(0)
                })?;
            if !matches!(status.as_str(), "pending" | "referred") || open_lease(&tx, id)?.is_some()
            {
                return Err(StoreError::Conflict(format!(
                    "application {id} was decided or taken out while the kit was written: nothing was leased"
                )));
            }
            tx.execute(
                "INSERT INTO leases(application_id, kit_id, analyst, since) VALUES (?1, ?2, ?3, ?4)",
                rusqlite::params![id, origin.kit_id, origin.taken_by, origin.taken_at],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// The kits taken out of this store, newest first.
    pub fn kits(&self) -> Result<Vec<KitRecord>> {
        let mut stmt = self.conn.prepare(
            "SELECT k.id, k.taken_by, k.taken_at, k.selection, k.file, k.decision_mark,
                    (SELECT count(*) FROM leases l WHERE l.kit_id = k.id AND l.ended_at IS NULL)
             FROM kits k ORDER BY k.taken_at DESC, k.id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(KitRecord {
                id: r.get(0)?,
                taken_by: r.get(1)?,
                taken_at: r.get(2)?,
                selection: r.get(3)?,
                file: r.get(4)?,
                decision_mark: r.get(5)?,
                open_leases: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Ends every open lease of a kit as revoked, with who and why; returns how many.
    pub fn revoke_kit(&mut self, kit_id: &str, by: &str, reason: &str) -> Result<usize> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let known: bool = tx
            .prepare("SELECT 1 FROM kits WHERE id = ?1")?
            .exists([kit_id])?;
        if !known {
            return Err(StoreError::NotFound(format!(
                "no kit '{kit_id}' was taken out of this store"
            )));
        }
        let n = tx.execute(
            "UPDATE leases SET ended_at = strftime('%Y-%m-%dT%H:%M:%SZ','now'), ended_by = ?2,
                 end_kind = 'revoked', end_reason = ?3
             WHERE kit_id = ?1 AND ended_at IS NULL",
            rusqlite::params![kit_id, by, reason],
        )?;
        tx.commit()?;
        Ok(n)
    }

    /// Every application held away from the desk: leased to a kit, or in an open conflict.
    pub fn holds(&self) -> Result<std::collections::HashMap<String, Hold>> {
        let mut out = std::collections::HashMap::new();
        let mut stmt = self.conn.prepare(
            "SELECT application_id, kit_id, analyst, since FROM leases WHERE ended_at IS NULL",
        )?;
        for row in stmt.query_map([], |r| {
            Ok((r.get::<_, String>(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })? {
            let (app, kit_id, analyst, since) = row?;
            out.insert(
                app,
                Hold::Kit {
                    kit_id,
                    analyst,
                    since,
                },
            );
        }
        let mut stmt = self.conn.prepare(
            "SELECT subject, min(id) FROM conflicts WHERE resolved_at IS NULL AND kind = 'decision'
             GROUP BY subject",
        )?;
        for row in stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get(1)?)))? {
            let (app, conflict) = row?;
            out.insert(app, Hold::Conflict { conflict });
        }
        Ok(out)
    }
}
