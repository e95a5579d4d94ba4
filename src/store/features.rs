//! Named feature sets: ready-made tables (entity id, label, numeric and categorical columns).

use super::{stored_json, Result, Store, StoreError};
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
                return Err(StoreError::NoSuchFeatureSet(name.to_string()))
            }
            Err(e) => return Err(e.into()),
        };
        let mut stmt = self.conn.prepare(
            "SELECT name, kind, categories, n_missing FROM feature_columns WHERE set_id = ?1 ORDER BY position",
        )?;
        let columns: Vec<(FeatureColumn, Option<String>)> = stmt
            .query_map([set_id], |r| {
                Ok((
                    FeatureColumn {
                        name: r.get(0)?,
                        kind: r.get(1)?,
                        categories: Vec::new(),
                        n_missing: r.get::<_, i64>(3)? as usize,
                    },
                    r.get(2)?,
                ))
            })?
            .collect::<rusqlite::Result<_>>()?;
        info.columns = columns
            .into_iter()
            .map(|(mut c, cats)| {
                // A numeric column has no category list (NULL); a list that does not parse is
                // the row's damage, never "no categories".
                if let Some(text) = cats {
                    let row = format!("{name}.{}", c.name);
                    c.categories = stored_json(&text, "feature_columns", row, "a category list")?;
                }
                Ok(c)
            })
            .collect::<Result<_>>()?;
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
            Ok((r.get::<_, String>(0)?, r.get(1)?, r.get::<_, Vec<u8>>(2)?))
        })?;
        let rows: Vec<(String, Option<String>, Vec<u8>)> = rows.collect::<rusqlite::Result<_>>()?;
        let rows = rows
            .into_iter()
            .map(|(entity_id, label, blob)| {
                // Each value is 8 bytes; a row of another width is the row's damage.
                if blob.len() != 8 * ncol {
                    return Err(StoreError::DamagedRow {
                        table: "feature_rows",
                        row: format!("{name}/{entity_id}"),
                        what: "values",
                        reason: format!("{} bytes for {ncol} columns of 8", blob.len()),
                    });
                }
                let values = blob
                    .chunks_exact(8)
                    .map(|c| f64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]))
                    .collect();
                Ok(FeatureRow {
                    entity_id,
                    label,
                    values,
                })
            })
            .collect::<Result<Vec<FeatureRow>>>()?;
        Ok(rows)
    }
}
