//! Loan applications: the pending queue that triage works through.

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
