//! Statements and their stored ratios: write, read back per firm, and per sector for peers.

use super::{Result, Store};
use crate::finance::{RatioRow, Statement, StatementFlags, Unit, ITEMS, RATIOS};
use rusqlite::{Row, Transaction};

/// The stored columns of a statement, in the order rows are read and written: key, currency,
/// the items, flags, the ratios.
pub fn columns() -> Vec<&'static str> {
    let mut columns = vec!["firm_id", "fiscal_year", "currency", "unit"];
    columns.extend(ITEMS.iter().map(|i| i.id));
    columns.push("flags");
    columns.extend(RATIOS.iter().map(|r| r.id));
    columns
}

fn select_list() -> String {
    columns().join(", ")
}

fn read_row(row: &Row) -> rusqlite::Result<(Statement, RatioRow)> {
    let mut s = Statement::empty(&row.get::<_, String>(0)?, row.get(1)?);
    s.currency = row.get(2)?;
    let unit: String = row.get(3)?;
    s.unit = Unit::parse(&unit).unwrap_or_default();
    for i in 0..ITEMS.len() {
        s.values[i] = row.get(4 + i)?;
    }
    let flags: u32 = row.get(4 + ITEMS.len())?;
    let base = 5 + ITEMS.len();
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
/// Values are bound straight from the rows (no intermediate value list per row).
/// `replace` = false when no stored statement can share a key with these rows (the caller
/// knows none of their firms has any): a plain insert, without the conflict clause.
pub fn write<'a>(
    tx: &Transaction,
    rows: impl IntoIterator<Item = (&'a Statement, &'a RatioRow)>,
    replace: bool,
) -> Result<usize> {
    let keys: &[&str] = &["firm_id", "fiscal_year"];
    let sql = super::records::insert_sql("statements", &columns(), replace.then_some(keys));
    let mut stmt = tx.prepare_cached(&sql)?;
    let mut n = 0;
    for (s, r) in rows {
        stmt.raw_bind_parameter(1, &s.firm_id)?;
        stmt.raw_bind_parameter(2, s.fiscal_year)?;
        stmt.raw_bind_parameter(3, &s.currency)?;
        stmt.raw_bind_parameter(4, s.unit.as_str())?;
        let mut p = 5;
        for v in &s.values {
            stmt.raw_bind_parameter(p, v)?;
            p += 1;
        }
        stmt.raw_bind_parameter(p, r.flags.0)?;
        p += 1;
        for v in &r.values {
            stmt.raw_bind_parameter(p, v)?;
            p += 1;
        }
        stmt.raw_execute()?;
        n += 1;
    }
    Ok(n)
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

    /// The ratios of the live (active) firms of `sector` for fiscal year `year`: the peers a
    /// firm's figures of that year are read against.
    pub fn live_sector_ratios(&self, sector: &str, year: i32) -> Result<Vec<RatioRow>> {
        let sql = format!(
            "SELECT {} FROM statements s JOIN firms f ON f.id = s.firm_id
             WHERE f.sector = ?1 COLLATE NOCASE AND f.status = 'active' AND s.fiscal_year = ?2",
            select_list().replace("firm_id,", "s.firm_id,")
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map(rusqlite::params![sector, year], read_row)?;
        rows.map(|r| r.map(|(_, ratios)| ratios))
            .collect::<rusqlite::Result<_>>()
            .map_err(Into::into)
    }

    /// The ratios of a sector's firms (case-insensitive sector name): each firm's latest
    /// statement, or its statement of `year`.
    /// In a field kit, the peers are the anonymous snapshot the kit took of the sector's
    /// latest statements (`store::kits`), not the kit's few firms.
    pub fn sector_ratios(&self, sector: &str, year: Option<i32>) -> Result<Vec<RatioRow>> {
        let kit_peers: bool = self
            .conn
            .prepare(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'peer_statements'",
            )?
            .exists([])?;
        let sql = if kit_peers {
            format!(
                "SELECT {} FROM peer_statements s WHERE s.peer_sector = ?1 COLLATE NOCASE
                   AND (?2 IS NULL OR s.fiscal_year = ?2)",
                select_list().replace("firm_id,", "s.firm_id,")
            )
        } else {
            format!(
            "SELECT {} FROM statements s JOIN firms f ON f.id = s.firm_id
             WHERE f.sector = ?1 COLLATE NOCASE AND
               CASE WHEN ?2 IS NULL
                 THEN s.fiscal_year = (SELECT max(fiscal_year) FROM statements WHERE firm_id = s.firm_id)
                 ELSE s.fiscal_year = ?2 END",
            select_list().replace("firm_id,", "s.firm_id,")
            )
        };
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map(rusqlite::params![sector, year], read_row)?;
        rows.map(|r| r.map(|(_, ratios)| ratios))
            .collect::<rusqlite::Result<_>>()
            .map_err(Into::into)
    }
}

pub use crate::analysis::dataset::YearRule;

/// The statements a year rule picks, as a condition on `statements s`.
fn condition(rule: YearRule) -> &'static str {
    {
        match rule {
            YearRule::Latest => "s.fiscal_year = (SELECT max(fiscal_year) FROM statements WHERE firm_id = s.firm_id)",
            YearRule::Year(_) => "s.fiscal_year = ?1",
            YearRule::BeforeApplication => {
                "s.fiscal_year = (SELECT max(s2.fiscal_year) FROM statements s2 WHERE s2.firm_id = s.firm_id
                   AND s2.fiscal_year < (SELECT CAST(substr(max(a.submitted), 1, 4) AS INTEGER)
                                         FROM applications a WHERE a.firm_id = s.firm_id))"
            }
            YearRule::All => "1",
        }
    }
}

/// Ratio rows: ids (the firm, or firm:year for a panel), fiscal years, the firms' latest outcome
/// classes, and values row after row (NaN = missing).
#[derive(Debug, Clone, Default)]
pub struct RatioRows {
    pub ids: Vec<String>,
    pub years: Vec<i32>,
    pub labels: Vec<Option<String>>,
    pub values: Vec<f64>,
}

impl Store {
    /// The given ratios of the statements a year rule picks, ordered by firm and year.
    pub fn ratio_rows(&self, ratios: &[usize], rule: YearRule) -> Result<RatioRows> {
        let ids: Vec<&str> = ratios.iter().map(|&i| RATIOS[i].id).collect();
        self.statement_rows(&ids, rule)
    }

    /// Columns of the statements a year rule picks (ratio ids and item ids, both columns of
    /// `statements`; the names come from the catalogues, never from a user), labelled by each
    /// firm's latest outcome.
    pub fn statement_rows(&self, columns: &[&str], rule: YearRule) -> Result<RatioRows> {
        debug_assert!(columns
            .iter()
            .all(|c| RATIOS.iter().any(|r| r.id == *c) || ITEMS.iter().any(|i| i.id == *c)));
        let ratios = columns;
        let cols: String = columns.iter().map(|id| format!(", s.{id}")).collect();
        let sql = format!(
            "SELECT s.firm_id, s.fiscal_year,
                    (SELECT class FROM outcomes o WHERE o.firm_id = s.firm_id ORDER BY as_of DESC LIMIT 1){cols}
             FROM statements s WHERE {} ORDER BY s.firm_id, s.fiscal_year",
            condition(rule)
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let mut rows = match rule {
            YearRule::Year(y) => stmt.query([y])?,
            _ => stmt.query([])?,
        };
        let mut out = RatioRows::default();
        while let Some(row) = rows.next()? {
            let firm: String = row.get(0)?;
            let year: i32 = row.get(1)?;
            out.ids.push(if rule == YearRule::All {
                format!("{firm}:{year}")
            } else {
                firm
            });
            out.years.push(year);
            out.labels.push(row.get(2)?);
            for j in 0..ratios.len() {
                out.values
                    .push(row.get::<_, Option<f64>>(3 + j)?.unwrap_or(f64::NAN));
            }
        }
        Ok(out)
    }
}

impl Store {
    /// What labelling needs of every firm (closure date, outcomes oldest first), and the latest
    /// date the data knows of (an outcome's or a closure's), the end of every label window.
    pub fn label_histories(
        &self,
    ) -> Result<(
        std::collections::HashMap<String, crate::analysis::labels::FirmHistory>,
        Option<String>,
    )> {
        use crate::analysis::labels::{FirmHistory, Outcome};
        let mut out: std::collections::HashMap<String, FirmHistory> = Default::default();
        let mut end: Option<String> = None;
        let mut stmt = self
            .conn
            .prepare("SELECT id, closed_on FROM firms WHERE closed_on IS NOT NULL")?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            let id: String = row.get(0)?;
            let closed: String = row.get(1)?;
            if end.as_deref().is_none_or(|e| closed.as_str() > e) {
                end = Some(closed.clone());
            }
            out.entry(id).or_default().closed_on = Some(closed);
        }
        let mut stmt = self.conn.prepare(
            "SELECT firm_id, as_of, class, days_past_due FROM outcomes ORDER BY firm_id, as_of",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            let id: String = row.get(0)?;
            let as_of: String = row.get(1)?;
            if end.as_deref().is_none_or(|e| as_of.as_str() > e) {
                end = Some(as_of.clone());
            }
            out.entry(id).or_default().outcomes.push(Outcome {
                as_of,
                class: row.get(2)?,
                days_past_due: row.get(3)?,
            });
        }
        Ok((out, end))
    }
}

/// What the register and the loan application say of a firm, for the inputs beside its
/// statements (`finance::inputs`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FirmInputs {
    pub sector: String,
    pub size: Option<String>,
    pub region: Option<String>,
    pub founded: Option<String>,
    /// The business factors in `finance::inputs::FACTORS` order.
    pub factors: Vec<Option<f64>>,
}

/// The columns both queries of [`FirmInputs`] select, in [`firm_inputs_row`]'s order.
fn firm_inputs_sql(filter: &str) -> String {
    let factors: String = crate::finance::inputs::FACTORS
        .iter()
        .map(|f| format!(", fa.{f}"))
        .collect();
    format!(
        "SELECT f.id, f.sector, f.size, f.region, f.founded{factors}
         FROM firms f LEFT JOIN factors fa ON fa.firm_id = f.id {filter}"
    )
}

fn firm_inputs_row(row: &Row) -> rusqlite::Result<(String, FirmInputs)> {
    let factors = (0..crate::finance::inputs::FACTORS.len())
        .map(|j| row.get::<_, Option<f64>>(5 + j))
        .collect::<rusqlite::Result<_>>()?;
    Ok((
        row.get(0)?,
        FirmInputs {
            sector: row.get(1)?,
            size: row.get(2)?,
            region: row.get(3)?,
            founded: row.get(4)?,
            factors,
        },
    ))
}

impl Store {
    /// Every firm's register attributes and business factors, by firm id.
    pub fn firm_inputs(&self) -> Result<std::collections::HashMap<String, FirmInputs>> {
        let mut stmt = self.conn.prepare(&firm_inputs_sql(""))?;
        let rows = stmt.query_map([], firm_inputs_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// One firm's register attributes and business factors.
    pub fn firm_input(&self, firm_id: &str) -> Result<FirmInputs> {
        Ok(self
            .conn
            .query_row(
                &firm_inputs_sql("WHERE f.id = ?1"),
                [firm_id],
                firm_inputs_row,
            )?
            .1)
    }
}
