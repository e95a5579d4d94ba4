//! Register rows as a kit merge compares them: the entered columns of a firm, a statement or a
//! firm's business factors, keyed, with a content hash (a number hashes the same whether SQLite
//! stored it as an integer or a real), read from any store and written back from JSON.

use super::Result;
use crate::finance::ITEMS;
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension};
use sha2::{Digest, Sha256};

/// A register row kind a kit carries and a merge compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RowKind {
    Firm,
    Statement,
    Factors,
}

impl RowKind {
    pub const ALL: [RowKind; 3] = [RowKind::Firm, RowKind::Statement, RowKind::Factors];

    pub fn table(self) -> &'static str {
        match self {
            RowKind::Firm => "firms",
            RowKind::Statement => "statements",
            RowKind::Factors => "factors",
        }
    }

    /// The columns a row is compared and written by: what was entered, never what is derived
    /// from it (a statement's ratios follow its items and its previous year).
    pub fn columns(self) -> Vec<&'static str> {
        match self {
            RowKind::Firm => vec![
                "id",
                "name",
                "sector",
                "region",
                "founded",
                "size",
                "status",
                "closed_on",
            ],
            RowKind::Statement => {
                let mut c = vec!["firm_id", "fiscal_year", "currency", "unit"];
                c.extend(ITEMS.iter().map(|i| i.id));
                c
            }
            RowKind::Factors => vec![
                "firm_id",
                "as_of",
                "years_in_business",
                "legal_score",
                "management_score",
                "credit_security",
                "market_share",
                "supplier_dependence",
                "customer_dependence",
            ],
        }
    }

    pub fn keys(self) -> &'static [&'static str] {
        match self {
            RowKind::Firm => &["id"],
            RowKind::Statement => &["firm_id", "fiscal_year"],
            RowKind::Factors => &["firm_id"],
        }
    }

    fn firm_column(self) -> &'static str {
        match self {
            RowKind::Firm => "id",
            _ => "firm_id",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            RowKind::Firm => "firm",
            RowKind::Statement => "statement",
            RowKind::Factors => "factors",
        }
    }
}

/// One register row: its key (`id`, `firm:year`), its values in `RowKind::columns` order, and
/// the hash of its content.
#[derive(Debug, Clone, PartialEq)]
pub struct RegisterRow {
    pub kind: RowKind,
    pub key: String,
    pub firm_id: String,
    pub values: Vec<Value>,
    pub hash: String,
}

impl RegisterRow {
    /// The row as JSON, column by column (how a conflict keeps each version).
    pub fn to_json(&self) -> serde_json::Value {
        let mut map = serde_json::Map::new();
        for (c, v) in self.kind.columns().iter().zip(&self.values) {
            map.insert(c.to_string(), cell_json(v));
        }
        serde_json::Value::Object(map)
    }

    /// A number column's value (`None` when missing or not a number).
    pub fn number(&self, column: &str) -> Option<f64> {
        let at = self.kind.columns().iter().position(|c| *c == column)?;
        match &self.values[at] {
            Value::Real(v) => Some(*v),
            Value::Integer(v) => Some(*v as f64),
            _ => None,
        }
    }

    /// A text column's value.
    pub fn text(&self, column: &str) -> Option<String> {
        let at = self.kind.columns().iter().position(|c| *c == column)?;
        match &self.values[at] {
            Value::Text(t) => Some(t.clone()),
            Value::Integer(v) => Some(v.to_string()),
            Value::Real(v) => Some(v.to_string()),
            _ => None,
        }
    }
}

fn cell_json(v: &Value) -> serde_json::Value {
    match v {
        Value::Null => serde_json::Value::Null,
        Value::Integer(i) => (*i).into(),
        Value::Real(r) => {
            serde_json::Number::from_f64(*r).map_or(serde_json::Value::Null, Into::into)
        }
        Value::Text(t) => t.clone().into(),
        Value::Blob(b) => b
            .iter()
            .map(|x| format!("{x:02x}"))
            .collect::<String>()
            .into(),
    }
}

/// A value back from JSON (a conflict's kept version, applied on resolution).
pub(super) fn json_cell(v: &serde_json::Value) -> Value {
    match v {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::Number(n) => n
            .as_i64()
            .map(Value::Integer)
            .or_else(|| n.as_f64().map(Value::Real))
            .unwrap_or(Value::Null),
        serde_json::Value::String(s) => Value::Text(s.clone()),
        other => Value::Text(other.to_string()),
    }
}

/// The content hash of a row's values: a number hashes the same whether SQLite stored it as an
/// integer or a real.
fn row_hash(values: &[Value]) -> String {
    let mut h = Sha256::new();
    for v in values {
        match v {
            Value::Null => h.update([0]),
            Value::Integer(i) => {
                h.update([1]);
                h.update((*i as f64).to_bits().to_le_bytes());
            }
            Value::Real(r) => {
                h.update([1]);
                h.update(r.to_bits().to_le_bytes());
            }
            Value::Text(t) => {
                h.update([2]);
                h.update(t.as_bytes());
            }
            Value::Blob(b) => {
                h.update([3]);
                h.update(b);
            }
        }
        h.update([0x1f]);
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Register rows of one kind, all of them (`firms = None`) or of the firms in `temp.kit_firms`.
pub(super) fn register_rows(
    conn: &Connection,
    kind: RowKind,
    only_kit_firms: bool,
) -> Result<Vec<RegisterRow>> {
    let columns = kind.columns();
    let filter = if only_kit_firms {
        format!(
            "WHERE {} IN (SELECT id FROM temp.kit_firms)",
            kind.firm_column()
        )
    } else {
        String::new()
    };
    let sql = format!(
        "SELECT {} FROM main.{} {filter} ORDER BY {}",
        columns.join(", "),
        kind.table(),
        kind.keys().join(", ")
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map([], |r| {
        (0..columns.len())
            .map(|i| r.get::<_, Value>(i))
            .collect::<rusqlite::Result<Vec<Value>>>()
    })?;
    let mut out = Vec::new();
    for values in rows {
        out.push(register_row(kind, values?));
    }
    Ok(out)
}

pub(super) fn register_row(kind: RowKind, values: Vec<Value>) -> RegisterRow {
    let text = |v: &Value| match v {
        Value::Text(t) => t.clone(),
        Value::Integer(i) => i.to_string(),
        other => format!("{other:?}"),
    };
    let firm_id = text(&values[0]);
    let key = match kind {
        RowKind::Statement => format!("{firm_id}:{}", text(&values[1])),
        _ => firm_id.clone(),
    };
    RegisterRow {
        kind,
        key,
        firm_id,
        hash: row_hash(&values),
        values,
    }
}

/// The row of `kind` under `key` in the database `conn` reads (in a transaction or not).
pub(super) fn register_row_at(
    conn: &Connection,
    kind: RowKind,
    row: &RegisterRow,
) -> Result<Option<RegisterRow>> {
    let columns = kind.columns();
    let keys = kind.keys();
    let condition: Vec<String> = keys
        .iter()
        .enumerate()
        .map(|(i, k)| format!("{k} = ?{}", i + 1))
        .collect();
    let sql = format!(
        "SELECT {} FROM {} WHERE {}",
        columns.join(", "),
        kind.table(),
        condition.join(" AND ")
    );
    let key_values: Vec<&Value> = keys
        .iter()
        .map(|k| &row.values[columns.iter().position(|c| c == k).unwrap_or(0)])
        .collect();
    let values = conn
        .query_row(&sql, rusqlite::params_from_iter(key_values), |r| {
            (0..columns.len())
                .map(|i| r.get::<_, Value>(i))
                .collect::<rusqlite::Result<Vec<Value>>>()
        })
        .optional()?;
    Ok(values.map(|v| register_row(kind, v)))
}
