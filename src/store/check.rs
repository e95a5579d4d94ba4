//! Store checks: SQLite's integrity check, and of what the store holds: foreign keys, decisions
//! whose model is missing, applications whose status disagrees with the decision in force, and
//! the dashboard's summaries against a recomputation from the tables.

use super::{Result, Store};
use rusqlite::OptionalExtension;

/// One thing a check looked at: whether it is fine, and what it found, in words (a front-end
/// lays the findings out).
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub ok: bool,
    pub what: String,
}

/// A table of the store and the rows that could be read of it.
#[derive(Debug, Clone, PartialEq)]
pub struct TableRows {
    pub table: String,
    pub rows: i64,
}

/// What `check` found: each finding, and each table's rows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CheckReport {
    pub findings: Vec<Finding>,
    pub tables: Vec<TableRows>,
    /// Whether a dashboard summary disagrees with the tables (they can be filled again).
    pub summaries_wrong: bool,
}

impl CheckReport {
    pub fn ok(&self) -> bool {
        self.problems() == 0
    }

    /// The findings that are not fine.
    pub fn problems(&self) -> usize {
        self.findings.iter().filter(|f| !f.ok).count()
    }

    fn add(&mut self, ok: bool, what: String) {
        self.findings.push(Finding { ok, what });
    }
}

impl Store {
    /// Every check: SQLite's integrity check, then [`Store::check_contents`].
    pub fn check(&self) -> Result<CheckReport> {
        let integrity = super::inspect::integrity_check(&self.conn)?;
        let fine = integrity.len() == 1 && integrity[0] == "ok";
        let mut r = CheckReport::default();
        r.add(
            fine,
            if fine {
                "integrity check".into()
            } else {
                format!("integrity check: {}", integrity.join("; "))
            },
        );
        let contents = self.check_contents()?;
        r.findings.extend(contents.findings);
        r.tables = contents.tables;
        r.summaries_wrong = contents.summaries_wrong;
        Ok(r)
    }

    /// Applications with a decision whose status is not the one the decision in force gives
    /// (see `decisions::in_force`), those in an open decision conflict aside.
    fn statuses_against_decisions(&self) -> Result<usize> {
        let mut logs: std::collections::HashMap<String, Vec<crate::decisions::DecisionRecord>> =
            Default::default();
        for d in self.decisions()? {
            logs.entry(d.application_id.clone()).or_default().push(d);
        }
        let in_conflict: std::collections::HashSet<String> = self
            .conn
            .prepare(
                "SELECT subject FROM conflicts WHERE kind = 'decision' AND resolved_at IS NULL",
            )?
            .query_map([], |row| row.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        let mut mismatched = 0;
        for app in self.all_applications()? {
            let Some(log) = logs.get(&app.id) else {
                continue;
            };
            if in_conflict.contains(&app.id) {
                continue;
            }
            let expected =
                crate::decisions::in_force::status_of(crate::decisions::in_force::in_force(log));
            if app.status != expected {
                mismatched += 1;
            }
        }
        Ok(mismatched)
    }

    /// The checks of what the store holds: foreign keys, decisions whose model is missing,
    /// statuses against decisions, decisions taken twice, the decision chain, the model log's
    /// chain, and each table's
    /// rows. SQLite's integrity check is not among them: the caller has run it on the file
    /// (`inspect`) before it opens the store.
    pub fn check_contents(&self) -> Result<CheckReport> {
        let mut r = CheckReport::default();
        let fk: Vec<(String, i64, String)> = self
            .conn
            .prepare("PRAGMA foreign_key_check")?
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?
            .collect::<rusqlite::Result<_>>()?;
        r.add(
            fk.is_empty(),
            if fk.is_empty() {
                "foreign keys".into()
            } else {
                format!(
                    "foreign keys: {} rows point nowhere (first: {} row {} -> {})",
                    fk.len(),
                    fk[0].0,
                    fk[0].1,
                    fk[0].2
                )
            },
        );
        let orphans: i64 = self.conn.query_row(
            "SELECT count(*) FROM decisions WHERE model_id IS NOT NULL
               AND model_id NOT IN (SELECT id FROM models)",
            [],
            |row| row.get(0),
        )?;
        r.add(
            orphans == 0,
            format!("decisions whose model is missing: {orphans}"),
        );
        let mismatched = self.statuses_against_decisions()?;
        r.add(
            mismatched == 0,
            format!("applications whose status disagrees with their last decision: {mismatched}"),
        );
        let doubled: i64 = self.conn.query_row(
            "SELECT count(*) FROM decisions d WHERE decision != 'undo' AND supersedes IS NULL
               AND d.application_id NOT IN (SELECT subject FROM conflicts WHERE kind = 'decision')
               AND EXISTS (SELECT 1 FROM decisions e WHERE e.application_id = d.application_id
                           AND e.id < d.id AND e.decision != 'undo'
                           AND NOT EXISTS (SELECT 1 FROM decisions u WHERE u.supersedes = e.id))",
            [],
            |row| row.get(0),
        )?;
        r.add(
            doubled == 0,
            format!("decisions taken twice without an override or undo: {doubled}"),
        );
        let start: i64 = self
            .conn
            .query_row(
                "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'decision_chain_start'",
                [],
                |row| row.get(0),
            )
            .optional()?
            .unwrap_or(0);
        let before = if start > 0 {
            format!(" (decisions up to {start} predate the chain, made at migration 5, and are not covered)")
        } else {
            String::new()
        };
        match super::chain::verify(&self.conn)? {
            Ok(n) => r.add(
                true,
                format!(
                    "decision chain: {n} decision{} verified{before}",
                    if n == 1 { "" } else { "s" }
                ),
            ),
            Err(m) => r.add(false, format!("decision chain broken: {m}")),
        }
        // Work out in field kits, and what came back decided in two places (`store::kits`).
        let (leased, kits, open): (i64, i64, i64) = self.conn.query_row(
            "SELECT (SELECT count(*) FROM leases WHERE ended_at IS NULL),
                    (SELECT count(DISTINCT kit_id) FROM leases WHERE ended_at IS NULL),
                    (SELECT count(*) FROM conflicts WHERE resolved_at IS NULL)",
            [],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
        )?;
        r.add(
            true,
            format!("field kits: {leased} applications out in {kits} kits; {open} conflicts open"),
        );
        match super::model_log::verify(&self.conn)? {
            Ok(n) => r.add(
                true,
                format!(
                    "model log chain: {n} change{} verified",
                    if n == 1 { "" } else { "s" }
                ),
            ),
            Err(m) => r.add(false, format!("model log chain broken: {m}")),
        }
        let mismatches = super::summaries::verify(&self.conn)?;
        if mismatches.is_empty() {
            r.add(
                true,
                "dashboard summaries: each agrees with the tables".into(),
            );
        }
        r.summaries_wrong = !mismatches.is_empty();
        for m in mismatches {
            r.add(
                false,
                format!(
                    "dashboard summary \"{}\" disagrees with the tables ({} rows stored that the \
                     tables do not give, {} rows missing; first: {}): the dashboard shows wrong \
                     figures until it is filled again from the tables",
                    m.summary, m.extra, m.missing, m.example
                ),
            );
        }
        r.tables = self
            .table_counts()?
            .into_iter()
            .map(|(table, rows)| TableRows { table, rows })
            .collect();
        Ok(r)
    }
}
