//! Statements and their stored ratios: write, read back per firm, and per sector for peers.

use super::{Result, Store};
use crate::finance::{RatioRow, Statement, StatementFlags, ITEMS, RATIOS};
use rusqlite::types::Value;
use rusqlite::{Row, Transaction};

fn select_list() -> String {
    let items: Vec<&str> = ITEMS.iter().map(|i| i.id).collect();
    let ratios: Vec<&str> = RATIOS.iter().map(|r| r.id).collect();
    format!(
        "firm_id, fiscal_year, currency, {}, flags, {}",
        items.join(","),
        ratios.join(",")
    )
}

fn read_row(row: &Row) -> rusqlite::Result<(Statement, RatioRow)> {
    let mut s = Statement::empty(&row.get::<_, String>(0)?, row.get(1)?);
    s.currency = row.get(2)?;
    for i in 0..ITEMS.len() {
        s.values[i] = row.get(3 + i)?;
    }
    let flags: u32 = row.get(3 + ITEMS.len())?;
    let base = 4 + ITEMS.len();
    let values = (0..RATIOS.len())
        .map(|j| row.get(base + j))
        .collect::<rusqlite::Result<_>>()?;
    Ok((
        s,
        RatioRow {
            values,
            flags: StatementFlags(flags),
        },
    ))
}

/// Writes statements with their ratios, replacing any statement of the same firm and year.
pub fn write(tx: &Transaction, rows: &[(Statement, RatioRow)]) -> Result<usize> {
    let mut columns = vec!["firm_id", "fiscal_year", "currency"];
    columns.extend(ITEMS.iter().map(|i| i.id));
    columns.push("flags");
    columns.extend(RATIOS.iter().map(|r| r.id));
    let values = rows.iter().map(|(s, r)| {
        let mut v: Vec<Value> = Vec::with_capacity(columns.len());
        v.push(Value::Text(s.firm_id.clone()));
        v.push(Value::Integer(s.fiscal_year as i64));
        v.push(Value::Text(s.currency.clone()));
        v.extend(s.values.iter().map(|x| x.map_or(Value::Null, Value::Real)));
        v.push(Value::Integer(r.flags.0 as i64));
        v.extend(r.values.iter().map(|x| x.map_or(Value::Null, Value::Real)));
        v
    });
    super::records::upsert_rows(
        tx,
        "statements",
        &columns,
        &["firm_id", "fiscal_year"],
        values,
    )
}

/// Whether the store holds any statement at all (a fresh store needs no merging on import).
pub fn any(tx: &Transaction) -> Result<bool> {
    Ok(tx.query_row("SELECT EXISTS(SELECT 1 FROM statements)", [], |r| r.get(0))?)
}

/// The stored statements of the given firms, for recomputing ratios around imported years.
pub fn of_firms(tx: &Transaction, firm_ids: &[&str]) -> Result<Vec<Statement>> {
    tx.execute_batch("CREATE TEMP TABLE IF NOT EXISTS wanted_firms(id TEXT PRIMARY KEY); DELETE FROM wanted_firms;")?;
    {
        let mut ins = tx.prepare_cached("INSERT OR IGNORE INTO wanted_firms(id) VALUES (?1)")?;
        for id in firm_ids {
            ins.execute([id])?;
        }
    }
    let sql = format!(
        "SELECT {} FROM statements WHERE firm_id IN (SELECT id FROM wanted_firms) ORDER BY firm_id, fiscal_year",
        select_list()
    );
    let mut stmt = tx.prepare(&sql)?;
    let rows = stmt
        .query_map([], read_row)?
        .map(|r| r.map(|(s, _)| s))
        .collect::<rusqlite::Result<Vec<_>>>()?;
    tx.execute_batch("DELETE FROM wanted_firms;")?;
    Ok(rows)
}

impl Store {
    /// A firm's statements with ratios, oldest first; `year` narrows to one fiscal year.
    pub fn firm_statements(
        &self,
        firm_id: &str,
        year: Option<i32>,
    ) -> Result<Vec<(Statement, RatioRow)>> {
        let sql = format!(
            "SELECT {} FROM statements WHERE firm_id = ?1 AND (?2 IS NULL OR fiscal_year = ?2) ORDER BY fiscal_year",
            select_list()
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map(rusqlite::params![firm_id, year], read_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The ratios of a sector's firms (case-insensitive sector name): each firm's latest
    /// statement, or its statement of `year`.
    pub fn sector_ratios(&self, sector: &str, year: Option<i32>) -> Result<Vec<RatioRow>> {
        let sql = format!(
            "SELECT {} FROM statements s JOIN firms f ON f.id = s.firm_id
             WHERE f.sector = ?1 COLLATE NOCASE AND
               CASE WHEN ?2 IS NULL
                 THEN s.fiscal_year = (SELECT max(fiscal_year) FROM statements WHERE firm_id = s.firm_id)
                 ELSE s.fiscal_year = ?2 END",
            select_list().replace("firm_id,", "s.firm_id,")
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map(rusqlite::params![sector, year], read_row)?;
        rows.map(|r| r.map(|(_, ratios)| ratios))
            .collect::<rusqlite::Result<_>>()
            .map_err(Into::into)
    }
}

/// Firms' latest ratios: ids, latest outcome classes, and values row after row (NaN = missing).
#[derive(Debug, Clone, Default)]
pub struct LatestRatios {
    pub ids: Vec<String>,
    pub labels: Vec<Option<String>>,
    pub values: Vec<f64>,
}

impl Store {
    /// For every firm with statements: its id, its latest outcome class, and the given ratios of
    /// its latest statement (NaN where missing), row after row.
    pub fn latest_ratio_rows(&self, ratios: &[usize]) -> Result<LatestRatios> {
        let cols: Vec<String> = ratios
            .iter()
            .map(|&i| format!("s.{}", RATIOS[i].id))
            .collect();
        let sql = format!(
            "SELECT s.firm_id, (SELECT class FROM outcomes o WHERE o.firm_id = s.firm_id ORDER BY as_of DESC LIMIT 1){}{}
             FROM statements s
             WHERE s.fiscal_year = (SELECT max(fiscal_year) FROM statements WHERE firm_id = s.firm_id)
             ORDER BY s.firm_id",
            if cols.is_empty() { "" } else { ", " },
            cols.join(", ")
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let mut rows = stmt.query([])?;
        let mut out = LatestRatios::default();
        while let Some(row) = rows.next()? {
            out.ids.push(row.get(0)?);
            out.labels.push(row.get(1)?);
            for j in 0..ratios.len() {
                out.values
                    .push(row.get::<_, Option<f64>>(2 + j)?.unwrap_or(f64::NAN));
            }
        }
        Ok(out)
    }
}
