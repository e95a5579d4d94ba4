//! Portfolio aggregates for the dashboard, read from the summaries the triggers keep
//! (`store::summaries`): firm counts by a column, totals, closures by year, and the class mix
//! of a model's predictions (the ratios' counts are `store::ratio_counts`).

use super::summaries::FIRM_DIMENSIONS;
use super::{Result, Store, StoreError};

/// Closures in one year against the firms alive when it began.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct YearRate {
    pub year: i32,
    pub closed: i64,
    pub alive: i64,
}

impl YearRate {
    pub fn rate(&self) -> f64 {
        if self.alive == 0 {
            0.0
        } else {
            self.closed as f64 / self.alive as f64
        }
    }
}

impl Store {
    /// Firm counts by a column (sector, region, size, status), largest first; missing as "-".
    pub fn firm_counts_by(&self, column: &str) -> Result<Vec<(String, i64)>> {
        if !FIRM_DIMENSIONS.contains(&column) {
            return Err(StoreError::NotFound(format!(
                "cannot count firms by '{column}'"
            )));
        }
        let mut stmt = self.conn.prepare_cached(
            "SELECT key, n FROM dash_counts WHERE dimension = ?1 AND n > 0 ORDER BY n DESC, key",
        )?;
        let rows = stmt.query_map([column], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The number of firms and of statements.
    pub fn firm_and_statement_totals(&self) -> Result<(i64, i64)> {
        Ok(self.conn.query_row(
            "SELECT (SELECT coalesce(sum(n), 0) FROM dash_counts WHERE dimension = 'status'),
                    (SELECT coalesce(sum(n), 0) FROM dash_counts WHERE dimension = 'statements')",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?)
    }

    /// Closures (closed, bankrupt or defaulted firms, by the year of `closed_on`) per year, with
    /// the firms alive at the start of that year (founded before it, or unknown, and not closed
    /// before it), in one query over the firms counted by founding and closing year.
    pub fn closure_rates(&self) -> Result<Vec<YearRate>> {
        let mut stmt = self.conn.prepare(
            "WITH closed AS (
               SELECT CAST(closed AS INTEGER) AS y, sum(n) AS k FROM dash_firm_years
               WHERE open = 0 AND ended = 1 GROUP BY y HAVING sum(n) > 0)
             SELECT y, k, (SELECT coalesce(sum(n), 0) FROM dash_firm_years f
                           WHERE f.founded < CAST(closed.y AS TEXT)
                             AND (f.open = 1 OR f.closed >= CAST(closed.y AS TEXT)))
             FROM closed ORDER BY y",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(YearRate {
                year: r.get(0)?,
                closed: r.get(1)?,
                alive: r.get(2)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Firms per class of a model's latest prediction for them, largest first.
    pub fn predicted_mix(&self, model_id: &str) -> Result<Vec<(String, i64)>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT class, n FROM dash_predicted WHERE model_id = ?1 AND n > 0
             ORDER BY n DESC, class",
        )?;
        let rows = stmt.query_map([model_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
