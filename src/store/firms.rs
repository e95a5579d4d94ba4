//! Reading firms: the filtered, sorted list and a single firm's header facts.

use super::{Result, Store, StoreError};
use crate::filter::{Expr, Field, Op, Value};
use crate::finance::catalogue;
use rusqlite::types::Value as SqlValue;
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
    /// The class the active model predicted (its latest prediction for this firm).
    pub predicted: Option<String>,
    /// The extra ratio columns asked for in [`FirmQuery::ratios`], in that order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub extra: Vec<Option<f64>>,
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
    /// A parsed filter expression (compiled to SQL with bound values here, never pasted).
    pub filter: Option<Expr>,
    /// The model whose predictions fill `predicted` (none: the active model).
    pub model_id: Option<String>,
    /// Extra ratio ids to read from the latest statement.
    pub ratios: Vec<&'static str>,
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
    "predicted",
];

/// The firm columns; the first `?` is the model whose predictions fill `predicted`.
const BASE: &str = "
SELECT f.id, f.name, f.sector, f.region, f.founded, f.size, f.status, f.closed_on,
       s.fiscal_year AS latest_year,
       (SELECT class FROM outcomes o WHERE o.firm_id = f.id ORDER BY as_of DESC LIMIT 1) AS class,
       s.current_ratio, s.financial_autonomy, s.net_margin,
       (SELECT class FROM predictions p WHERE p.firm_id = f.id AND p.model_id = ?
        ORDER BY p.id DESC LIMIT 1) AS predicted {extra}
FROM firms f
LEFT JOIN statements s ON s.firm_id = f.id
  AND s.fiscal_year = (SELECT max(fiscal_year) FROM statements WHERE firm_id = f.id)";

const LATEST_JOIN: &str = "LEFT JOIN statements s ON s.firm_id = f.id
  AND s.fiscal_year = (SELECT max(fiscal_year) FROM statements WHERE firm_id = f.id)";
const OUTCOME_CLASS: &str =
    "(SELECT class FROM outcomes o WHERE o.firm_id = f.id ORDER BY as_of DESC LIMIT 1)";
const PREDICTED_CLASS: &str = "(SELECT class FROM predictions p WHERE p.firm_id = f.id AND p.model_id = ? ORDER BY p.id DESC LIMIT 1)";

/// The SQL of a sort key, from a fixed list (or a catalogue ratio id).
fn sort_expression(sort: Option<&str>) -> Result<String> {
    Ok(match sort.map(|s| s.trim().to_ascii_lowercase()) {
        None => "f.id".to_string(),
        Some(col) if SORTABLE.contains(&col.as_str()) => match col.as_str() {
            "latest_year" | "class" | "predicted" => col,
            other => format!("f.{other}"),
        },
        Some(col) => match catalogue::find(&col) {
            Some((_, r)) => format!("s.{}", r.id),
            None => {
                return Err(StoreError::NotFound(format!(
                    "cannot sort by '{col}': use one of {} or a ratio id",
                    SORTABLE.join(", ")
                )))
            }
        },
    })
}

fn uses_statement(e: &Expr) -> bool {
    match e {
        Expr::And(a, b) | Expr::Or(a, b) => uses_statement(a) || uses_statement(b),
        Expr::Not(a) => uses_statement(a),
        Expr::Compare { field, .. } | Expr::Missing { field, .. } => {
            matches!(field, Field::Ratio(_) | Field::Number("latest_year"))
        }
    }
}

/// The SQL of one field; the names come from fixed lists, never from the user's text. A
/// predicted class pushes the model id as its parameter.
fn field_sql(field: &Field, model: &Option<String>, params: &mut Vec<SqlValue>) -> String {
    match field {
        Field::Text("class") => OUTCOME_CLASS.to_string(),
        Field::Text("predicted") => {
            params.push(SqlValue::from(model.clone()));
            PREDICTED_CLASS.to_string()
        }
        Field::Text(name) => format!("f.{name}"),
        Field::Number(_) => "s.fiscal_year".to_string(),
        Field::Ratio(id) => format!("s.{id}"),
    }
}

/// Appends the SQL of a filter with `?` for every value, pushing the values in order.
fn compile(e: &Expr, model: &Option<String>, sql: &mut String, params: &mut Vec<SqlValue>) {
    match e {
        Expr::And(a, b) | Expr::Or(a, b) => {
            sql.push('(');
            compile(a, model, sql, params);
            sql.push_str(if matches!(e, Expr::And(..)) {
                ") AND ("
            } else {
                ") OR ("
            });
            compile(b, model, sql, params);
            sql.push(')');
        }
        Expr::Not(a) => {
            sql.push_str("NOT coalesce((");
            compile(a, model, sql, params);
            sql.push_str("), 0)");
        }
        Expr::Missing { field, missing } => {
            let col = field_sql(field, model, params);
            sql.push_str(&format!(
                "{col} IS {}NULL",
                if *missing { "" } else { "NOT " }
            ));
        }
        Expr::Compare { field, op, value } => {
            let col = field_sql(field, model, params);
            let v = match value {
                Value::Number(n) => SqlValue::Real(*n),
                Value::Text(t) => SqlValue::Text(t.clone()),
            };
            let text = matches!(field, Field::Text(_));
            let piece = match (op, text) {
                (Op::Contains, _) => format!("instr(lower({col}), lower(?)) > 0"),
                (Op::Eq, true) => format!("{col} = ? COLLATE NOCASE"),
                (Op::Ne, true) => format!("{col} IS NOT ? COLLATE NOCASE"),
                (op, _) => format!("{col} {} ?", op.symbol()),
            };
            sql.push_str(&piece);
            params.push(v);
        }
    }
}

fn map_row(r: &rusqlite::Row, extra: usize) -> rusqlite::Result<FirmRow> {
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
        predicted: r.get(13)?,
        extra: (0..extra)
            .map(|i| r.get(14 + i))
            .collect::<rusqlite::Result<_>>()?,
    })
}

impl Store {
    /// Firms matching `q`. The sort key is checked against known columns, never pasted raw;
    /// filter values are bound parameters.
    pub fn list_firms(&self, q: &FirmQuery) -> Result<Vec<FirmRow>> {
        let sort_expr = sort_expression(q.sort.as_deref())?;
        let model = self.prediction_model(q)?;
        // First the page's ids by a lean query that computes only the sort key (SQLite would
        // otherwise evaluate every column of every row before sorting), then their full rows.
        let mut params: Vec<SqlValue> = Vec::new();
        let key = match sort_expr.as_str() {
            "latest_year" => "s.fiscal_year".to_string(),
            "class" => OUTCOME_CLASS.to_string(),
            "predicted" => PREDICTED_CLASS.to_string(),
            other => other.to_string(),
        };
        let dir = if q.descending { "DESC" } else { "ASC" };
        // Never-null keys sort by themselves, so that SQLite can walk an index (the id: the
        // primary key) and stop at the limit; nullable ones put missing values last.
        let order = match sort_expr.as_str() {
            "f.id" => format!("f.id {dir}"),
            "f.name" | "f.sector" | "f.status" => format!("{key} {dir}, f.id"),
            _ => format!("sort_key IS NULL, sort_key {dir}, f.id"),
        };
        if sort_expr == "predicted" {
            params.push(SqlValue::from(model.clone()));
        }
        let (filter_sql, filter_params) = self.where_clause(q, &model)?;
        params.extend(filter_params);
        params.push(SqlValue::Integer(q.limit.map_or(-1, |l| l as i64)));
        params.push(SqlValue::Integer(q.offset as i64));
        let needs_statement =
            key.starts_with("s.") || q.filter.as_ref().is_some_and(uses_statement);
        let join = if needs_statement { LATEST_JOIN } else { "" };
        let ids_sql = format!(
            "SELECT f.id, {key} AS sort_key FROM firms f {join} WHERE {filter_sql}
             ORDER BY {order} LIMIT ? OFFSET ?"
        );
        let ids: Vec<String> = self
            .conn
            .prepare(&ids_sql)?
            .query_map(rusqlite::params_from_iter(params), |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let extra: String = q.ratios.iter().map(|id| format!(", s.{id}")).collect();
        let sql = format!(
            "{} WHERE f.id IN (SELECT value FROM json_each(?))",
            BASE.replace("{extra}", &extra)
        );
        let ids_json = serde_json::to_string(&ids).unwrap_or_else(|_| "[]".into());
        let n = q.ratios.len();
        let mut rows: std::collections::HashMap<String, FirmRow> = self
            .conn
            .prepare(&sql)?
            .query_map(rusqlite::params![model, ids_json], |r| map_row(r, n))?
            .map(|r| r.map(|f| (f.id.clone(), f)))
            .collect::<rusqlite::Result<_>>()?;
        Ok(ids.iter().filter_map(|id| rows.remove(id)).collect())
    }

    /// How many firms match `q` (its sort, limit and offset ignored).
    pub fn count_firms(&self, q: &FirmQuery) -> Result<usize> {
        let model = self.prediction_model(q)?;
        let (filter_sql, params) = self.where_clause(q, &model)?;
        let needs_statement = q.filter.as_ref().is_some_and(uses_statement);
        let sql = if needs_statement {
            format!("SELECT count(*) FROM firms f {LATEST_JOIN} WHERE {filter_sql}")
        } else {
            format!("SELECT count(*) FROM firms f WHERE {filter_sql}")
        };
        let n: i64 = self
            .conn
            .query_row(&sql, rusqlite::params_from_iter(params), |r| r.get(0))?;
        Ok(n as usize)
    }

    fn prediction_model(&self, q: &FirmQuery) -> Result<Option<String>> {
        if q.model_id.is_some() {
            return Ok(q.model_id.clone());
        }
        use rusqlite::OptionalExtension;
        Ok(self
            .conn
            .query_row("SELECT id FROM models WHERE active = 1", [], |r| r.get(0))
            .optional()?)
    }

    fn where_clause(
        &self,
        q: &FirmQuery,
        model: &Option<String>,
    ) -> Result<(String, Vec<SqlValue>)> {
        let mut sql = String::from(
            "(? IS NULL OR f.sector = ? COLLATE NOCASE)
               AND (? IS NULL OR f.name LIKE '%' || ? || '%' OR f.id LIKE '%' || ? || '%')",
        );
        let sector = SqlValue::from(q.sector.clone());
        let search = SqlValue::from(q.search.clone());
        let mut params = vec![
            sector.clone(),
            sector,
            search.clone(),
            search.clone(),
            search,
        ];
        if let Some(e) = &q.filter {
            sql.push_str(" AND (");
            compile(e, model, &mut sql, &mut params);
            sql.push(')');
        }
        Ok((sql, params))
    }

    /// One firm by id.
    pub fn firm(&self, id: &str) -> Result<FirmRow> {
        let sql = format!("{} WHERE f.id = ?", BASE.replace("{extra}", ""));
        let mut stmt = self.conn.prepare(&sql)?;
        let model = self.prediction_model(&FirmQuery::default())?;
        let mut rows = stmt.query_map(rusqlite::params![model, id], |r| map_row(r, 0))?;
        match rows.next() {
            Some(r) => Ok(r?),
            None => Err(StoreError::NotFound(format!(
                "no firm with id '{id}' in the store (a search by name or id finds it)"
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

    /// The number of rows in a table (for summaries). A pass over the table: to learn whether
    /// it has any, ask [`Store::has_rows`].
    pub fn count(&self, table: &str) -> Result<i64> {
        let table = counted_table(table)?;
        Ok(self
            .conn
            .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))?)
    }

    /// Whether a table holds any row: one page read, where a count of a million firms read
    /// from a cold disk takes 0.7 s (the workbench asks this at every start).
    pub fn has_rows(&self, table: &str) -> Result<bool> {
        let table = counted_table(table)?;
        Ok(self
            .conn
            .query_row(&format!("SELECT EXISTS (SELECT 1 FROM {table})"), [], |r| {
                r.get(0)
            })?)
    }
}

/// The tables `count` and `has_rows` may be asked about.
fn counted_table(table: &str) -> Result<&str> {
    const KNOWN: [&str; 7] = [
        "firms",
        "statements",
        "factors",
        "applications",
        "outcomes",
        "feature_sets",
        "decisions",
    ];
    KNOWN
        .contains(&table)
        .then_some(table)
        .ok_or_else(|| StoreError::NotFound(format!("unknown table {table}")))
}
