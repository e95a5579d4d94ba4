//! The journal of an import being published: one `meta` row per import (`import_journal:<id>`)
//! saying where its staged rows are and how far publishing went. It is written in the same
//! transaction as each chunk it counts, so after a kill it says exactly which chunks are in the
//! store; it is removed in the transaction that logs the finished import.

use super::import_tx::{CellValue, ImportTx};
use super::records::ImportCounts;
use super::{Result, Store};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

const KEY_PREFIX: &str = "import_journal:";

/// Where one import's publication stands.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Journal {
    /// The staged file's name: unique to the import.
    pub id: String,
    /// The staged rows (a file beside the store).
    pub staged: PathBuf,
    /// The imported file and its kind, for the import log.
    pub file: String,
    pub kind: String,
    /// Rows staged, and rows published so far.
    pub rows: usize,
    pub rows_published: usize,
    pub chunks_done: usize,
    /// The key of the last row published (empty before the first chunk).
    pub cursor: Vec<serde_json::Value>,
    /// The import's counts, logged when the last chunk is in.
    pub counts: ImportCounts,
}

impl Journal {
    /// The cursor as cell values, to read the staged rows after it.
    pub fn cursor_cells(&self) -> Vec<CellValue> {
        self.cursor
            .iter()
            .map(|v| match v {
                serde_json::Value::String(s) => CellValue::Text(s.clone()),
                serde_json::Value::Number(n) => match n.as_i64() {
                    Some(i) => CellValue::Integer(i),
                    None => CellValue::Real(n.as_f64().unwrap_or(0.0)),
                },
                _ => CellValue::Null,
            })
            .collect()
    }

    /// Moves the cursor to this key (the last row of a published chunk).
    pub fn set_cursor(&mut self, key: &[CellValue]) {
        self.cursor = key
            .iter()
            .map(|v| match v {
                CellValue::Text(s) => serde_json::Value::String(s.clone()),
                CellValue::Integer(i) => serde_json::Value::from(*i),
                CellValue::Real(x) => serde_json::Value::from(*x),
                _ => serde_json::Value::Null,
            })
            .collect();
    }
}

impl Store {
    /// The imports whose publication has begun and not ended (live or interrupted).
    pub fn import_journals(&self) -> Result<Vec<Journal>> {
        let mut stmt = self.conn.prepare(
            "SELECT key, value FROM meta WHERE key LIKE 'import_journal:%' ORDER BY key",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        let mut out = Vec::new();
        for row in rows {
            let (key, text) = row?;
            out.push(super::stored_json(&text, "meta", key, "import journal")?);
        }
        Ok(out)
    }
}

impl ImportTx<'_> {
    /// Saves the journal (inside the chunk's transaction).
    pub fn save_journal(&self, journal: &Journal) -> Result<()> {
        let text = serde_json::to_string(journal).unwrap_or_default();
        self.sql().execute(
            "INSERT OR REPLACE INTO meta(key, value) VALUES (?1, ?2)",
            rusqlite::params![format!("{KEY_PREFIX}{}", journal.id), text],
        )?;
        Ok(())
    }

    /// Ends the journal (inside the transaction that logs the finished import).
    pub fn end_journal(&self, id: &str) -> Result<()> {
        self.sql().execute(
            "DELETE FROM meta WHERE key = ?1",
            [format!("{KEY_PREFIX}{id}")],
        )?;
        Ok(())
    }
}
