//! Portfolio aggregates for the dashboard: firm counts by a column, closures by year, the latest
//! value of a ratio with each firm's sector, and the class mix of a model's predictions.

use super::{Result, Store, StoreError};
use crate::finance::catalogue;

/// Columns firms can be counted by.
const GROUPABLE: &[&str] = &["sector", "region", "size", "status"];

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
        let col = GROUPABLE
            .iter()
            .find(|c| **c == column)
            .ok_or_else(|| StoreError::NotFound(format!("cannot count firms by '{column}'")))?;
        let sql = format!(
            "SELECT coalesce({col}, '-') AS k, count(*) FROM firms GROUP BY k ORDER BY count(*) DESC, k"
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Closures (closed, bankrupt or defaulted firms, by the year of `closed_on`) per year, with
    /// the firms alive at the start of that year.
    pub fn closure_rates(&self) -> Result<Vec<YearRate>> {
        let mut stmt = self.conn.prepare(
            "SELECT CAST(substr(closed_on, 1, 4) AS INTEGER) AS y, count(*) FROM firms
             WHERE closed_on IS NOT NULL AND status != 'active' GROUP BY y ORDER BY y",
        )?;
        let closed: Vec<(i32, i64)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let mut alive = self.conn.prepare(
            "SELECT count(*) FROM firms WHERE (founded IS NULL OR substr(founded, 1, 4) < ?1)
               AND (closed_on IS NULL OR substr(closed_on, 1, 4) >= ?1)",
        )?;
        closed
            .into_iter()
            .map(|(year, n)| {
                let a: i64 = alive.query_row([year.to_string()], |r| r.get(0))?;
                Ok(YearRate {
                    year,
                    closed: n,
                    alive: a,
                })
            })
            .collect()
    }

    /// Each firm's sector and the given ratios of its latest statement, in one pass over the
    /// statements (SQLite takes bare columns from the row that holds max(fiscal_year)).
    pub fn latest_ratios_with_sector(
        &self,
        ratio_ids: &[&str],
    ) -> Result<Vec<(String, Vec<Option<f64>>)>> {
        let cols = ratio_ids
            .iter()
            .map(|id| {
                catalogue::find(id)
                    .map(|(_, r)| format!(", l.{}", r.id))
                    .ok_or_else(|| StoreError::NotFound(format!("no ratio '{id}'")))
            })
            .collect::<Result<String>>()?;
        let inner = cols.replace("l.", "");
        let sql = format!(
            "SELECT f.sector{cols} FROM (SELECT firm_id, max(fiscal_year){inner} FROM statements
                                           GROUP BY firm_id) l
             JOIN firms f ON f.id = l.firm_id"
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let n = ratio_ids.len();
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get(0)?,
                (0..n)
                    .map(|i| r.get(1 + i))
                    .collect::<rusqlite::Result<Vec<Option<f64>>>>()?,
            ))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Firms per class of a model's latest prediction for them, largest first.
    pub fn predicted_mix(&self, model_id: &str) -> Result<Vec<(String, i64)>> {
        let mut stmt = self.conn.prepare(
            "SELECT class, count(*) FROM predictions p
             WHERE model_id = ?1 AND id = (SELECT max(id) FROM predictions q
                                           WHERE q.firm_id = p.firm_id AND q.model_id = ?1)
             GROUP BY class ORDER BY count(*) DESC",
        )?;
        let rows = stmt.query_map([model_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
