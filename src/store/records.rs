//! Writing imported rows: a generic upsert over code-defined tables, and the import log.

use super::Result;
use rusqlite::types::Value;
use rusqlite::Transaction;

/// The INSERT of `columns` into `table`; with `keys`, a row whose key already exists is updated
/// instead (never delete-and-insert: that would cascade to a firm's statements and
/// applications). `table`, `columns` and `keys` come from code, never from user input.
pub fn insert_sql(table: &str, columns: &[&str], keys: Option<&[&str]>) -> String {
    let placeholders = vec!["?"; columns.len()].join(",");
    let conflict = match keys {
        None => String::new(),
        Some(keys) => {
            let updates: Vec<String> = columns
                .iter()
                .filter(|c| !keys.contains(c))
                .map(|c| format!("{c}=excluded.{c}"))
                .collect();
            let action = if updates.is_empty() {
                "DO NOTHING".to_string()
            } else {
                format!("DO UPDATE SET {}", updates.join(","))
            };
            format!(" ON CONFLICT({}) {action}", keys.join(","))
        }
    };
    format!(
        "INSERT INTO {table} ({}) VALUES ({placeholders}){conflict}",
        columns.join(",")
    )
}

/// Inserts rows, updating those whose key already exists (see `insert_sql`). Returns
/// (inserted or updated) rows written.
pub fn upsert_rows<I>(
    tx: &Transaction,
    table: &str,
    columns: &[&str],
    keys: &[&str],
    rows: I,
) -> Result<usize>
where
    I: IntoIterator<Item = Vec<Value>>,
{
    let mut stmt = tx.prepare_cached(&insert_sql(table, columns, Some(keys)))?;
    let mut n = 0;
    for row in rows {
        stmt.execute(rusqlite::params_from_iter(row.iter()))?;
        n += 1;
    }
    Ok(n)
}

/// Counts of one import, kept in the store as an audit trail.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct ImportCounts {
    pub rows_read: usize,
    pub rows_written: usize,
    pub rows_rejected: usize,
    pub warnings: usize,
}

/// Records an import in the `imports` table (inside the import's own transaction).
pub fn log_import(tx: &Transaction, file: &str, kind: &str, c: &ImportCounts) -> Result<()> {
    tx.execute(
        "INSERT INTO imports(file, kind, rows_read, rows_written, rows_rejected, warnings) VALUES (?1,?2,?3,?4,?5,?6)",
        rusqlite::params![file, kind, c.rows_read as i64, c.rows_written as i64, c.rows_rejected as i64, c.warnings as i64],
    )?;
    Ok(())
}

/// Every firm id in the store, for checking references during an import.
pub fn firm_ids(tx: &Transaction) -> Result<std::collections::HashSet<String>> {
    let mut stmt = tx.prepare("SELECT id FROM firms")?;
    let ids = stmt
        .query_map([], |r| r.get::<_, String>(0))?
        .collect::<std::result::Result<_, _>>()?;
    Ok(ids)
}
