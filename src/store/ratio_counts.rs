//! The dashboard's ratio distributions kept as counts (schema 13): for each of its ratios and
//! each sector, how many firms' latest statements have each value rounded to a fixed step
//! (`dash_ratio_counts`), kept by triggers on `dash_latest_statement`. The dashboard reads a few
//! hundred thousand small rows (one per ratio, sector and rounded value ever seen) instead of
//! one row per firm scattered through the file (a second cold at a million firms).

use super::summaries::LATEST_RATIOS;
use super::{Result, Store};
use crate::analysis::counted_values::{bucket_value, CountedValues};
use rusqlite::types::ValueRef;
use rusqlite::Connection;
use std::collections::BTreeMap;

/// Steps per unit of each ratio of `LATEST_RATIOS`, in its order: ten times finer than the
/// dashboard shows it (a percentage to 0.1 points is kept to 0.01, a multiple to 0.01 is kept
/// to 0.001).
pub const SCALES: [f64; 3] = [10_000.0, 1_000.0, 10_000.0];

/// The finite values SQLite can round and cast without leaving the integers.
const FINITE: &str = "BETWEEN -1e300 AND 1e300";

/// The bucket of ratio `k` of row `row` (NEW or OLD), as SQL.
fn bucket(row: &str, k: usize) -> String {
    format!(
        "CAST(round({row}.{} * {}) AS INTEGER)",
        LATEST_RATIOS[k], SCALES[k]
    )
}

/// Adds `delta` to the counts of row `row`'s bucket of each ratio with a finite value, making
/// a count's row where it is missing (no conflict clause: in a trigger the firing statement's
/// policy would replace it).
fn count_row(row: &str, delta: i32) -> String {
    (0..LATEST_RATIOS.len())
        .map(|k| {
            let (ratio, b) = (LATEST_RATIOS[k], bucket(row, k));
            let matches = format!("ratio = {k} AND sector = {row}.sector AND bucket = {b}");
            let mut sql = format!(
                "UPDATE dash_ratio_counts SET n = n + {delta}
                   WHERE {matches} AND {row}.{ratio} {FINITE};\n"
            );
            if delta > 0 {
                sql.push_str(&format!(
                    "INSERT INTO dash_ratio_counts(ratio, sector, bucket, n)
                       SELECT {k}, {row}.sector, {b}, {delta} WHERE {row}.{ratio} {FINITE}
                         AND NOT EXISTS (SELECT 1 FROM dash_ratio_counts WHERE {matches});\n"
                ));
            }
            sql
        })
        .collect()
}

/// The counts as `dash_latest_statement` gives them (what `fill` writes and `check` compares).
fn recomputed() -> String {
    (0..LATEST_RATIOS.len())
        .map(|k| {
            format!(
                "SELECT {k} AS ratio, sector, {} AS bucket, count(*) AS n FROM dash_latest_statement s
                   WHERE s.{} {FINITE} GROUP BY sector, bucket",
                bucket("s", k),
                LATEST_RATIOS[k]
            )
        })
        .collect::<Vec<_>>()
        .join(" UNION ALL ")
}

/// Makes the triggers wait while `dash_latest_statement` is filled anew (its rows are counted
/// afterwards by [`fill`], at once).
pub const DEFER_ALL: &str = "INSERT OR IGNORE INTO dash_ratio_counts_deferred(one) VALUES (1);";

/// Empties the counts and fills them from `dash_latest_statement` (after it is filled); the
/// triggers count again from then on.
pub fn fill() -> String {
    format!(
        "DELETE FROM dash_ratio_counts_deferred;
DELETE FROM dash_ratio_counts;
INSERT INTO dash_ratio_counts(ratio, sector, bucket, n) {};\n",
        recomputed()
    )
}

/// The stored counts and their recomputation, as `summaries::verify` compares them; and the
/// deferral table, which holds a row only inside a writer's transaction.
pub fn comparisons() -> [(&'static str, String, String); 2] {
    [
        (
            "ratio counts of the latest statements",
            "SELECT ratio, sector, bucket, n FROM dash_ratio_counts WHERE n != 0".into(),
            recomputed(),
        ),
        (
            "ratio counting deferred (a row left by an unfinished write)",
            "SELECT one FROM dash_ratio_counts_deferred".into(),
            "SELECT 1 WHERE 0".into(),
        ),
    ]
}

/// Migration 13: the table, filled, and the triggers that keep it as `dash_latest_statement`
/// changes (which its own triggers keep from firms and statements). A writer of many rows
/// may defer the counting to once per firm ([`defer`], [`count_deferred`]) within one
/// transaction: the triggers then do nothing while `dash_ratio_counts_deferred` has its row.
pub fn migration_13() -> String {
    format!(
        "CREATE TABLE IF NOT EXISTS dash_ratio_counts (
  ratio INTEGER NOT NULL,
  sector TEXT NOT NULL,
  bucket INTEGER NOT NULL,
  n INTEGER NOT NULL,
  PRIMARY KEY (ratio, sector, bucket)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS dash_ratio_counts_deferred (one INTEGER PRIMARY KEY CHECK (one = 1));
{fill}
CREATE TRIGGER IF NOT EXISTS dash_ratio_counts_insert AFTER INSERT ON dash_latest_statement
  WHEN {counting}
BEGIN
{add_new}END;
CREATE TRIGGER IF NOT EXISTS dash_ratio_counts_delete AFTER DELETE ON dash_latest_statement
  WHEN {counting}
BEGIN
{remove_old}END;
CREATE TRIGGER IF NOT EXISTS dash_ratio_counts_update AFTER UPDATE ON dash_latest_statement
  WHEN {counting}
BEGIN
{remove_old}{add_new}END;
",
        counting = "NOT EXISTS (SELECT 1 FROM dash_ratio_counts_deferred)",
        fill = fill(),
        add_new = count_row("NEW", 1),
        remove_old = count_row("OLD", -1),
    )
}

/// Adds `delta` (1 or -1) times the counts of `firm_ids`' rows of `dash_latest_statement`.
fn count_firms(conn: &Connection, firm_ids: &str, delta: i32) -> Result<()> {
    for (k, ratio) in LATEST_RATIOS.iter().enumerate() {
        conn.execute(
            &format!(
                "INSERT INTO dash_ratio_counts(ratio, sector, bucket, n)
                   SELECT {k}, sector, {b}, {delta} * count(*) FROM dash_latest_statement s
                   WHERE firm_id IN (SELECT value FROM json_each(?1)) AND s.{ratio} {FINITE}
                   GROUP BY sector, {b}
                 ON CONFLICT (ratio, sector, bucket) DO UPDATE SET n = n + excluded.n",
                b = bucket("s", k),
            ),
            [firm_ids],
        )?;
    }
    Ok(())
}

/// Takes the latest statements of `firm_ids` out of the counts and stops the triggers
/// counting, until [`count_deferred`] with the same firms in the same transaction. Between the
/// two, only these firms' latest statements may change.
pub fn defer(conn: &Connection, firm_ids: &[&str]) -> Result<()> {
    let ids = serde_json::to_string(firm_ids).unwrap_or_default();
    count_firms(conn, &ids, -1)?;
    conn.execute("INSERT INTO dash_ratio_counts_deferred(one) VALUES (1)", [])?;
    Ok(())
}

/// Counts the latest statements of `firm_ids` as they now are and lets the triggers count
/// again (see [`defer`]).
pub fn count_deferred(conn: &Connection, firm_ids: &[&str]) -> Result<()> {
    conn.execute("DELETE FROM dash_ratio_counts_deferred", [])?;
    let ids = serde_json::to_string(firm_ids).unwrap_or_default();
    count_firms(conn, &ids, 1)
}

/// The dashboard's ratios of the firms' latest statements, counted by rounded value.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RatioCounts {
    /// Sector names, sorted.
    pub sectors: Vec<String>,
    /// `counts[sector][ratio]`, the ratios in `LATEST_RATIOS`' order.
    pub counts: Vec<Vec<CountedValues>>,
}

impl Store {
    /// The counts of the dashboard's ratios by sector, in one pass over the kept counts.
    pub fn latest_ratio_counts(&self) -> Result<RatioCounts> {
        // In the key's order (no sort): ratio by ratio, each ratio's sectors in turn.
        let mut stmt = self.conn.prepare_cached(
            "SELECT ratio, sector, bucket, n FROM dash_ratio_counts WHERE n > 0
             ORDER BY ratio, sector, bucket",
        )?;
        let mut rows = stmt.query([])?;
        let mut by_sector: BTreeMap<String, Vec<Vec<(f64, u64)>>> = BTreeMap::new();
        while let Some(row) = rows.next()? {
            let (k, b, n): (i64, i64, i64) = (row.get(0)?, row.get(2)?, row.get(3)?);
            let Some(k) = usize::try_from(k).ok().filter(|&k| k < LATEST_RATIOS.len()) else {
                continue;
            };
            let sector = match row.get_ref(1)? {
                ValueRef::Text(t) => String::from_utf8_lossy(t),
                _ => "-".into(),
            };
            let lists = match by_sector.get_mut(sector.as_ref()) {
                Some(lists) => lists,
                None => by_sector
                    .entry(sector.into_owned())
                    .or_insert_with(|| vec![Vec::new(); LATEST_RATIOS.len()]),
            };
            lists[k].push((bucket_value(b, SCALES[k]), n as u64));
        }
        let (sectors, counts) = by_sector
            .into_iter()
            .map(|(s, lists)| {
                (
                    s,
                    lists.into_iter().map(CountedValues::from_sorted).collect(),
                )
            })
            .unzip();
        Ok(RatioCounts { sectors, counts })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::counted_values::bucket_of;

    /// The buckets SQLite's triggers write are those `bucket_of` gives (which the tests use to
    /// round their reference values), for values of every sign and size a ratio takes.
    #[test]
    fn sqlite_rounds_into_the_same_buckets_as_bucket_of() {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        let mut stmt = conn
            .prepare("SELECT CAST(round(?1 * ?2) AS INTEGER)")
            .unwrap();
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for i in 0..20_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let unit = (x >> 11) as f64 / (1u64 << 53) as f64;
            let value = (unit - 0.5) * 10f64.powi(i % 12 - 4);
            for scale in SCALES {
                let sql: i64 = stmt.query_row((value, scale), |r| r.get(0)).unwrap();
                assert_eq!(sql, bucket_of(value, scale), "{value} at {scale}");
            }
        }
        // Halves, zeros, beyond 2^52 steps (no fraction left to round), and beyond the
        // integers (the cast saturates on both sides).
        for value in [
            0.5e-4, -0.5e-4, 2.5e-3, -2.5e-3, 0.0, -0.0, 4.6e11, -4.6e11, 9.3e14, 1e299, -1e299,
        ] {
            let sql: i64 = stmt.query_row((value, 1e4), |r| r.get(0)).unwrap();
            assert_eq!(sql, bucket_of(value, 1e4), "{value}");
        }
    }
}
