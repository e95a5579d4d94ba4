//! Portfolio aggregates for the dashboard, read from the summaries the triggers keep
//! (`store::summaries`): firm counts by a column, totals, closures by year, the latest value of
//! the dashboard's ratios by sector, and the class mix of a model's predictions.

use super::summaries::{FIRM_DIMENSIONS, LATEST_RATIOS};
use super::{Result, Store, StoreError};
use rusqlite::types::ValueRef;

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

/// The finite values of some ratios of the firms' latest statements, by sector.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SectorValues {
    /// Sector names, sorted.
    pub sectors: Vec<String>,
    /// `values[sector][ratio]`: that sector's finite values of that ratio, in no order.
    pub values: Vec<Vec<Vec<f64>>>,
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

    /// The finite values of the given ratios of each firm's latest statement, by its sector, in
    /// one pass over one narrow row per firm. The ratios must be among the summary's.
    pub fn latest_ratio_values_by_sector(&self, ratio_ids: &[&str]) -> Result<SectorValues> {
        if let Some(id) = ratio_ids.iter().find(|id| !LATEST_RATIOS.contains(id)) {
            return Err(StoreError::NotFound(format!(
                "the dashboard's summary holds no ratio '{id}'"
            )));
        }
        let sql = format!(
            "SELECT sector, {} FROM dash_latest_statement",
            ratio_ids.join(", ")
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let mut rows = stmt.query([])?;
        let mut out = SectorValues::default();
        // The sector of the previous row first: rows come in firm order, sectors repeat.
        let mut last = usize::MAX;
        while let Some(row) = rows.next()? {
            let sector = match row.get_ref(0)? {
                ValueRef::Text(t) => t,
                _ => b"-",
            };
            if last >= out.sectors.len() || out.sectors[last].as_bytes() != sector {
                last = match out.sectors.iter().position(|s| s.as_bytes() == sector) {
                    Some(i) => i,
                    None => {
                        out.sectors
                            .push(String::from_utf8_lossy(sector).into_owned());
                        out.values.push(vec![Vec::new(); ratio_ids.len()]);
                        out.sectors.len() - 1
                    }
                };
            }
            for (k, values) in out.values[last].iter_mut().enumerate() {
                let v = match row.get_ref(1 + k)? {
                    ValueRef::Real(v) => v,
                    ValueRef::Integer(i) => i as f64,
                    _ => continue,
                };
                if v.is_finite() {
                    values.push(v);
                }
            }
        }
        let mut order: Vec<usize> = (0..out.sectors.len()).collect();
        order.sort_by(|&a, &b| out.sectors[a].cmp(&out.sectors[b]));
        Ok(SectorValues {
            sectors: order.iter().map(|&i| out.sectors[i].clone()).collect(),
            values: order
                .iter()
                .map(|&i| std::mem::take(&mut out.values[i]))
                .collect(),
        })
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
