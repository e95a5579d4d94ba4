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
            "SELECT coalesce((SELECT class FROM outcomes o WHERE o.firm_id = f.id ORDER BY as_of DESC LIMIT 1), 'unlabelled') AS c,
                    count(*) FROM firms f GROUP BY c ORDER BY count(*) DESC",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
