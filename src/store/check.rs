//! Store checks: SQLite's integrity check, and of what the store holds: foreign keys, decisions whose model is missing, and
//! applications whose status disagrees with the decision in force.

use super::{Result, Store};

/// What `check` found, line by line, and how many problems.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CheckReport {
    pub lines: Vec<String>,
    pub problems: usize,
}

impl CheckReport {
    pub fn ok(&self) -> bool {
        self.problems == 0
    }

    fn add(&mut self, ok: bool, line: String) {
        if !ok {
            self.problems += 1;
        }
        self.lines
            .push(format!("{} {line}", if ok { "ok     " } else { "PROBLEM" }));
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
        r.problems += contents.problems;
        r.lines.extend(contents.lines);
        Ok(r)
    }

    /// The checks of what the store holds: foreign keys, decisions whose model is missing,
    /// statuses against decisions, decisions taken twice, the decision chain, and each table's
    /// rows. SQLite's integrity check is not among them: `precre check` has run it on the file
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
        let mismatched: i64 = self.conn.query_row(
            "SELECT count(*) FROM applications a
             JOIN (SELECT application_id, decision FROM decisions d
                   WHERE id = (SELECT max(id) FROM decisions e WHERE e.application_id = d.application_id)) last
               ON last.application_id = a.id
             WHERE a.status != CASE last.decision WHEN 'approve' THEN 'approved'
                   WHEN 'decline' THEN 'declined' WHEN 'refer' THEN 'referred' ELSE 'pending' END",
            [],
            |row| row.get(0),
        )?;
        r.add(
            mismatched == 0,
            format!("applications whose status disagrees with their last decision: {mismatched}"),
        );
        let doubled: i64 = self.conn.query_row(
            "SELECT count(*) FROM decisions d WHERE decision != 'undo' AND supersedes IS NULL
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
        for (table, n) in self.table_counts()? {
            r.lines.push(format!("        {table}: {n} rows"));
        }
        Ok(r)
    }
}
