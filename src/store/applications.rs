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
    /// Firms per class of their latest outcome ("unlabelled" for none), largest first, from the
    /// counts the triggers keep (`store::summaries`).
    pub fn class_mix(&self) -> Result<Vec<(String, i64)>> {
        let mut stmt = self.conn.prepare(
            "SELECT c, n FROM (
               SELECT key AS c, n FROM dash_counts WHERE dimension = 'class'
               UNION ALL
               SELECT 'unlabelled',
                      (SELECT coalesce(sum(n), 0) FROM dash_counts WHERE dimension = 'status')
                      - (SELECT coalesce(sum(n), 0) FROM dash_counts WHERE dimension = 'class'))
             WHERE n > 0 ORDER BY n DESC, c",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

/// An application as monitoring reads it: which firm, when it was submitted.
#[derive(Debug, Clone, PartialEq)]
pub struct SubmittedApplication {
    pub id: String,
    pub firm_id: String,
    pub submitted: String,
}

impl Store {
    /// Every application submitted in [`from`, `to`] (ISO dates, both optional), oldest first.
    pub fn submitted_applications(
        &self,
        from: Option<&str>,
        to: Option<&str>,
    ) -> Result<Vec<SubmittedApplication>> {
        let mut stmt = self.conn.prepare(
            "SELECT id, firm_id, submitted FROM applications
             WHERE (?1 IS NULL OR submitted >= ?1) AND (?2 IS NULL OR submitted <= ?2)
             ORDER BY submitted, id",
        )?;
        let rows = stmt.query_map(rusqlite::params![from, to], |r| {
            Ok(SubmittedApplication {
                id: r.get(0)?,
                firm_id: r.get(1)?,
                submitted: r.get(2)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
