//! Loan applications and outcomes: the pending queue that triage works through, the class mix.

use super::{Result, Store};

impl Store {
    /// How many applications wait for a decision.
    pub fn pending_applications(&self) -> Result<i64> {
        Ok(self.conn.query_row(
            "SELECT count(*) FROM applications WHERE status = 'pending'",
            [],
            |r| r.get(0),
        )?)
    }
}

impl Store {
    /// Firms per class of their latest outcome ("unlabelled" for none), largest first.
    pub fn class_mix(&self) -> Result<Vec<(String, i64)>> {
        let mut stmt = self.conn.prepare(
            "SELECT c, n FROM (
               SELECT class AS c, count(*) AS n FROM
                 (SELECT firm_id, max(as_of), class FROM outcomes GROUP BY firm_id) GROUP BY class
               UNION ALL
               SELECT 'unlabelled', count(*) FROM firms f
                 WHERE NOT EXISTS (SELECT 1 FROM outcomes o WHERE o.firm_id = f.id))
             WHERE n > 0 ORDER BY n DESC",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
