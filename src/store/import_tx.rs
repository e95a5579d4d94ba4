//! The write transactions of one import: the only way `ingest` writes, so that no SQL and no
//! rusqlite type leaves the store. Each is taken IMMEDIATE (the write lock from its start, so
//! that what a chunk checks stays true until it commits); dropped without `commit`, it rolls
//! back. A register import publishes in several (one per chunk, see `ingest::publish`).

use super::features::{FeatureRow, FeatureSetInfo};
use super::records::ImportCounts;
use super::{Result, Store};
use crate::finance::{RatioRow, Statement};
use rusqlite::{Transaction, TransactionBehavior};
use std::collections::HashSet;

/// A cell value as the store writes it (text, integer, real or null).
pub use rusqlite::types::Value as CellValue;

/// An open import transaction.
pub struct ImportTx<'a> {
    tx: Transaction<'a>,
}

impl Store {
    /// Starts an import: the write lock is taken now (a busy store waits, then says so).
    pub fn begin_import(&mut self) -> Result<ImportTx<'_>> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        Ok(ImportTx { tx })
    }

    /// Which of these firm ids the store holds, read outside any import transaction.
    pub fn known_firms(&self, ids: &[&str]) -> Result<HashSet<String>> {
        known_firms(&self.conn, ids)
    }

    /// SQLite's count of commits by other connections: unchanged means nobody else wrote.
    pub fn data_version(&self) -> Result<i64> {
        Ok(self
            .conn
            .query_row("PRAGMA data_version", [], |r| r.get(0))?)
    }
}

fn known_firms(conn: &rusqlite::Connection, ids: &[&str]) -> Result<HashSet<String>> {
    let mut stmt = conn.prepare_cached("SELECT 1 FROM firms WHERE id = ?1")?;
    let mut known = HashSet::new();
    for id in ids {
        if stmt.exists([id])? {
            known.insert(id.to_string());
        }
    }
    Ok(known)
}

impl ImportTx<'_> {
    /// Every firm id in the store, for checking references.
    pub fn firm_ids(&self) -> Result<HashSet<String>> {
        super::records::firm_ids(&self.tx)
    }

    /// Which of these firm ids the store holds (placeholders this import made included).
    pub fn known_firms(&self, ids: &[&str]) -> Result<HashSet<String>> {
        known_firms(&self.tx, ids)
    }

    /// A placeholder firm (its id as its name, sector "unknown") for a row that names a new
    /// firm, unless a firm of that id arrived meanwhile. Returns whether it was made.
    pub fn insert_placeholder_firm(&self, id: &str) -> Result<bool> {
        let n = self.tx.execute(
            "INSERT INTO firms(id, name, sector) VALUES (?1, ?1, 'unknown') ON CONFLICT(id) DO NOTHING",
            [id],
        )?;
        Ok(n == 1)
    }

    /// SQLite's count of commits by other connections (see `Store::data_version`).
    pub fn data_version(&self) -> Result<i64> {
        Ok(self.tx.query_row("PRAGMA data_version", [], |r| r.get(0))?)
    }

    pub(super) fn sql(&self) -> &Transaction<'_> {
        &self.tx
    }

    /// Inserts rows into a register table, updating those whose key exists.
    pub fn upsert_rows<I>(
        &self,
        table: &str,
        columns: &[&str],
        keys: &[&str],
        rows: I,
    ) -> Result<usize>
    where
        I: IntoIterator<Item = Vec<CellValue>>,
    {
        super::records::upsert_rows(&self.tx, table, columns, keys, rows)
    }

    /// Whether the store holds any statement.
    pub fn any_statements(&self) -> Result<bool> {
        super::statements::any(&self.tx)
    }

    /// The stored statements of these firms.
    pub fn statements_of_firms(&self, firm_ids: &[&str]) -> Result<Vec<Statement>> {
        super::statements::of_firms(&self.tx, firm_ids)
    }

    /// Writes statements with their ratios (see `statements::write`).
    pub fn write_statements<'r>(
        &self,
        rows: impl IntoIterator<Item = (&'r Statement, &'r RatioRow)>,
        replace: bool,
    ) -> Result<usize> {
        super::statements::write(&self.tx, rows, replace)
    }

    /// Writes many statements of `firm_ids` through `write`, the dashboard's ratio counts of
    /// those firms taken once before and once after instead of at every statement (several
    /// times cheaper for an import, where each statement becomes its firm's latest in turn).
    /// `write` may change the latest statements of these firms only.
    pub fn with_ratio_counts_per_firm<T, E: From<super::StoreError>>(
        &self,
        firm_ids: &[&str],
        write: impl FnOnce(&Self) -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E> {
        super::ratio_counts::defer(&self.tx, firm_ids)?;
        let out = write(self)?;
        super::ratio_counts::count_deferred(&self.tx, firm_ids)?;
        Ok(out)
    }

    /// Writes a whole feature set; `replace` drops a set of that name first.
    pub fn write_feature_set(
        &self,
        info: &FeatureSetInfo,
        rows: &[FeatureRow],
        replace: bool,
    ) -> Result<()> {
        super::features::write_set(&self.tx, info, rows, replace)
    }

    /// Records the import in the audit table.
    pub fn log_import(&self, file: &str, kind: &str, counts: &ImportCounts) -> Result<()> {
        super::records::log_import(&self.tx, file, kind, counts)
    }

    /// Makes the import durable, all of it.
    pub fn commit(self) -> Result<()> {
        self.tx.commit()?;
        Ok(())
    }
}
