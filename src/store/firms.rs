//! Reading firms: the filtered, sorted list and a single firm's header facts.

use super::{Result, Store, StoreError};
use crate::finance::catalogue;
use serde::Serialize;

/// One firm as lists and headers show it, with its latest statement year and class.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FirmRow {
    pub id: String,
    pub name: String,
    pub sector: String,
    pub region: Option<String>,
    pub founded: Option<String>,
    pub size: Option<String>,
    pub status: String,
    pub closed_on: Option<String>,
    pub latest_year: Option<i32>,
    pub class: Option<String>,
    pub current_ratio: Option<f64>,
    pub financial_autonomy: Option<f64>,
    pub net_margin: Option<f64>,
}

/// What to list.
#[derive(Debug, Clone, Default)]
pub struct FirmQuery {
    pub sector: Option<String>,
    pub search: Option<String>,
    /// A firm column or a ratio id (read from the latest statement).
    pub sort: Option<String>,
    pub descending: bool,
    pub limit: Option<usize>,
    pub offset: usize,
}

/// Firm columns that can be sorted on, besides every ratio id.
pub const SORTABLE: &[&str] = &[
    "id",
    "name",
    "sector",
    "region",
    "founded",
    "size",
    "status",
    "closed_on",
    "latest_year",
    "class",
];

const BASE: &str = "
SELECT f.id, f.name, f.sector, f.region, f.founded, f.size, f.status, f.closed_on,
       s.fiscal_year AS latest_year,
       (SELECT class FROM outcomes o WHERE o.firm_id = f.id ORDER BY as_of DESC LIMIT 1) AS class,
       s.current_ratio, s.financial_autonomy, s.net_margin {extra}
FROM firms f
LEFT JOIN statements s ON s.firm_id = f.id
  AND s.fiscal_year = (SELECT max(fiscal_year) FROM statements WHERE firm_id = f.id)";

fn map_row(r: &rusqlite::Row) -> rusqlite::Result<FirmRow> {
    Ok(FirmRow {
        id: r.get(0)?,
        name: r.get(1)?,
        sector: r.get(2)?,
        region: r.get(3)?,
        founded: r.get(4)?,
        size: r.get(5)?,
        status: r.get(6)?,
        closed_on: r.get(7)?,
        latest_year: r.get(8)?,
        class: r.get(9)?,
        current_ratio: r.get(10)?,
        financial_autonomy: r.get(11)?,
        net_margin: r.get(12)?,
    })
}

impl Store {
    /// Firms matching `q`. The sort key is checked against known columns, never pasted raw.
    pub fn list_firms(&self, q: &FirmQuery) -> Result<Vec<FirmRow>> {
        let sort_expr = match q.sort.as_deref().map(|s| s.trim().to_ascii_lowercase()) {
            None => "f.id".to_string(),
            Some(col) if SORTABLE.contains(&col.as_str()) => match col.as_str() {
                "latest_year" | "class" => col,
                other => format!("f.{other}"),
            },
            Some(col) => match catalogue::find(&col) {
                Some((_, r)) => format!("s.{}", r.id),
                None => {
                    return Err(StoreError::NotFound(format!(
                        "cannot sort by '{col}': use one of {} or a ratio id (see `precre ratios --list`)",
                        SORTABLE.join(", ")
                    )))
                }
            },
        };
        let dir = if q.descending { "DESC" } else { "ASC" };
        // Never-null keys sort by themselves, so that SQLite can walk an index (the id: the
        // primary key) and stop at the limit; nullable ones put missing values last.
        let order = match sort_expr.as_str() {
            "f.id" => format!("f.id {dir}"),
            "f.name" | "f.sector" | "f.status" => format!("{sort_expr} {dir}, f.id"),
            _ => format!("{sort_expr} IS NULL, {sort_expr} {dir}, f.id"),
        };
        let sql = format!(
            "{} WHERE (?1 IS NULL OR f.sector = ?1 COLLATE NOCASE)
               AND (?2 IS NULL OR f.name LIKE '%' || ?2 || '%' OR f.id LIKE '%' || ?2 || '%')
             ORDER BY {order} LIMIT ?3 OFFSET ?4",
            BASE.replace("{extra}", "")
        );
        let limit = q.limit.map_or(-1, |l| l as i64);
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map(
            rusqlite::params![q.sector, q.search, limit, q.offset as i64],
            map_row,
        )?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// One firm by id.
    pub fn firm(&self, id: &str) -> Result<FirmRow> {
        let sql = format!("{} WHERE f.id = ?1", BASE.replace("{extra}", ""));
        let mut stmt = self.conn.prepare(&sql)?;
        let mut rows = stmt.query_map([id], map_row)?;
        match rows.next() {
            Some(r) => Ok(r?),
            None => Err(StoreError::NotFound(format!(
                "no firm with id '{id}' in the store; `precre firms --search TEXT` finds ids"
            ))),
        }
    }

    /// The sectors in the store with their firm counts, largest first.
    pub fn sectors(&self) -> Result<Vec<(String, i64)>> {
        let mut stmt = self.conn.prepare(
            "SELECT sector, count(*) FROM firms GROUP BY sector ORDER BY count(*) DESC, sector",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The number of rows in a table (for summaries).
    pub fn count(&self, table: &str) -> Result<i64> {
        let known = [
            "firms",
            "statements",
            "factors",
            "applications",
            "outcomes",
            "feature_sets",
            "decisions",
        ];
        if !known.contains(&table) {
            return Err(StoreError::NotFound(format!("unknown table {table}")));
        }
        Ok(self
            .conn
            .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))?)
    }
}
