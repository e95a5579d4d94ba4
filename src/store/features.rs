//! Named feature sets: ready-made tables (entity id, label, numeric and categorical columns).

use super::{Result, Store, StoreError};
use rusqlite::Transaction;
use serde::Serialize;

/// A column of a feature set.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FeatureColumn {
    pub name: String,
    /// "numeric" or "categorical".
    pub kind: String,
    /// For a categorical column: the category labels; a cell stores the index into them.
    pub categories: Vec<String>,
    pub n_missing: usize,
}

/// A feature set's description (without its rows).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FeatureSetInfo {
    pub name: String,
    pub source: String,
    pub id_column: Option<String>,
    pub label_column: String,
    pub n_rows: usize,
    pub imported_at: String,
    pub labels: Vec<(String, usize)>,
    pub columns: Vec<FeatureColumn>,
}

/// One row: entity id, label and one value per column (NaN = missing; a category's index).
#[derive(Debug, Clone, PartialEq)]
pub struct FeatureRow {
    pub entity_id: String,
    pub label: Option<String>,
    pub values: Vec<f64>,
}

/// Writes a whole feature set in the caller's transaction; `replace` drops a set of that name.
pub fn write_set(
    tx: &Transaction,
    info: &FeatureSetInfo,
    rows: &[FeatureRow],
    replace: bool,
) -> Result<()> {
    let exists: bool = tx.query_row(
        "SELECT EXISTS(SELECT 1 FROM feature_sets WHERE name = ?1)",
        [&info.name],
        |r| r.get(0),
    )?;
    if exists {
        if !replace {
            return Err(StoreError::Conflict(format!(
                "a feature set named '{}' exists already: replace it, or import under another name",
                info.name
            )));
        }
        tx.execute("DELETE FROM feature_sets WHERE name = ?1", [&info.name])?;
    }
    tx.execute(
        "INSERT INTO feature_sets(name, source, id_column, label_column, n_rows) VALUES (?1,?2,?3,?4,?5)",
        rusqlite::params![info.name, info.source, info.id_column, info.label_column, rows.len() as i64],
    )?;
    let set_id = tx.last_insert_rowid();
    {
        let mut col = tx.prepare(
            "INSERT INTO feature_columns(set_id, position, name, kind, categories, n_missing) VALUES (?1,?2,?3,?4,?5,?6)",
        )?;
        for (i, c) in info.columns.iter().enumerate() {
            let cats = (!c.categories.is_empty())
                .then(|| serde_json::to_string(&c.categories).unwrap_or_default());
            col.execute(rusqlite::params![
                set_id,
                i as i64,
                c.name,
                c.kind,
                cats,
                c.n_missing as i64
            ])?;
        }
    }
    let mut ins = tx.prepare(
        "INSERT INTO feature_rows(set_id, row_no, entity_id, label, vals) VALUES (?1,?2,?3,?4,?5)",
    )?;
    for (i, r) in rows.iter().enumerate() {
        let blob: Vec<u8> = r.values.iter().flat_map(|v| v.to_le_bytes()).collect();
        ins.execute(rusqlite::params![
            set_id,
            i as i64,
            r.entity_id,
            r.label,
            blob
        ])?;
    }
    Ok(())
}

impl Store {
    /// Every feature set's description.
    pub fn feature_sets(&self) -> Result<Vec<FeatureSetInfo>> {
        let mut stmt = self
            .conn
            .prepare("SELECT name FROM feature_sets ORDER BY name")?;
        let names: Vec<String> = stmt
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        names.iter().map(|n| self.feature_set(n)).collect()
    }

    /// One feature set's description, with its label counts.
    pub fn feature_set(&self, name: &str) -> Result<FeatureSetInfo> {
        let head = self.conn.query_row(
            "SELECT id, name, source, id_column, label_column, n_rows, imported_at FROM feature_sets WHERE name = ?1",
            [name],
            |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    FeatureSetInfo {
                        name: r.get(1)?,
                        source: r.get(2)?,
                        id_column: r.get(3)?,
                        label_column: r.get(4)?,
                        n_rows: r.get::<_, i64>(5)? as usize,
                        imported_at: r.get(6)?,
                        labels: vec![],
                        columns: vec![],
                    },
                ))
            },
        );
        let (set_id, mut info) = match head {
            Ok(h) => h,
            Err(rusqlite::Error::QueryReturnedNoRows) => {
                return Err(StoreError::NotFound(format!(
                    "no feature set named '{name}'; `precre sets` lists them"
                )))
            }
            Err(e) => return Err(e.into()),
        };
        let mut stmt = self.conn.prepare(
            "SELECT name, kind, categories, n_missing FROM feature_columns WHERE set_id = ?1 ORDER BY position",
        )?;
        info.columns = stmt
            .query_map([set_id], |r| {
                let cats: Option<String> = r.get(2)?;
                Ok(FeatureColumn {
                    name: r.get(0)?,
                    kind: r.get(1)?,
                    categories: cats
                        .and_then(|c| serde_json::from_str(&c).ok())
                        .unwrap_or_default(),
                    n_missing: r.get::<_, i64>(3)? as usize,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        let mut stmt = self.conn.prepare(
            "SELECT coalesce(label, ''), count(*) FROM feature_rows WHERE set_id = ?1 GROUP BY label ORDER BY label",
        )?;
        info.labels = stmt
            .query_map([set_id], |r| Ok((r.get(0)?, r.get::<_, i64>(1)? as usize)))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(info)
    }

    /// A feature set's rows, in import order.
    pub fn feature_rows(&self, name: &str) -> Result<Vec<FeatureRow>> {
        let info = self.feature_set(name)?;
        let ncol = info.columns.len();
        let mut stmt = self.conn.prepare(
            "SELECT r.entity_id, r.label, r.vals FROM feature_rows r JOIN feature_sets s ON s.id = r.set_id
             WHERE s.name = ?1 ORDER BY r.row_no",
        )?;
        let rows = stmt.query_map([name], |r| {
            let blob: Vec<u8> = r.get(2)?;
            let values: Vec<f64> = blob
                .chunks_exact(8)
                .map(|c| f64::from_le_bytes(c.try_into().unwrap_or([0; 8])))
                .collect();
            Ok(FeatureRow {
                entity_id: r.get(0)?,
                label: r.get(1)?,
                values,
            })
        })?;
        let rows: Vec<FeatureRow> = rows.collect::<rusqlite::Result<_>>()?;
        if rows.iter().any(|r| r.values.len() != ncol) {
            return Err(StoreError::NotFound(format!(
                "feature set '{name}' is damaged: row widths differ"
            )));
        }
        Ok(rows)
    }
}
