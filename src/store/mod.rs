//! The SQLite store: opening, pragmas, location, and one file per table family.

pub mod applications;
pub mod backup;
mod busy;
pub mod chain;
pub mod check;
pub mod decisions;
pub mod features;
pub mod firms;
pub mod import_journal;
pub mod import_tx;
pub mod inspect;
pub mod kits;
pub mod location;
pub mod merge;
pub mod model_log;
pub mod models;
pub mod portfolio;
pub mod ratio_counts;
pub mod records;
pub mod register;
pub mod schema;
pub mod staging;
pub mod statements;
pub mod summaries;
pub mod tokens;

use rusqlite::Connection;
use std::path::{Path, PathBuf};
use thiserror::Error;

/// What can go wrong with the store, in words a user can act on. Each message says its thing
/// once: the SQLite error is folded into the text, not kept as a source to be printed again.
#[derive(Debug, Error)]
pub enum StoreError {
    #[error("cannot open the store at {}: {}", path.display(), sqlite_words(source))]
    Open {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error("cannot create {}: {source}", path.display())]
    Create {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "the store at {} has schema version {found}, newer than this precre knows ({known}): \
         upgrade precre, or open another store", path.display()
    )]
    TooNew {
        path: PathBuf,
        found: i64,
        known: i64,
    },
    #[error("{} is not a PRECRE store (its tables do not match): open another store", .0.display())]
    Foreign(PathBuf),
    /// The file is damaged (a front-end adds how to look at it and recover).
    #[error("the store {} is damaged ({reason})", path.display())]
    Damaged { path: PathBuf, reason: String },
    /// A stored value that cannot be read: the row is named, and nothing is made up in its
    /// place (a front-end adds how to look at the store and recover).
    #[error("the store is damaged: {table} row {row} holds {what} that cannot be read ({reason})")]
    DamagedRow {
        table: &'static str,
        row: String,
        what: &'static str,
        reason: String,
    },
    #[error("{}", sql_message(.0))]
    Sql(rusqlite::Error),
    /// No model is active (none trained and saved, none imported).
    #[error(
        "no active model (no champion): train or import a model, then promote it (models/default.json is the demo's)"
    )]
    NoActiveModel,
    /// No model has this id, id prefix or name.
    #[error("no model '{0}' in the store")]
    NoSuchModel(String),
    /// More than one model's id starts with this prefix.
    #[error("'{key}' matches {matches} models; give more of the id")]
    AmbiguousModel { key: String, matches: usize },
    /// No feature set has this name.
    #[error("no feature set named '{0}'")]
    NoSuchFeatureSet(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    /// The file to write exists (a front-end adds how to replace it).
    #[error("{} exists: choose another file", .0.display())]
    FileExists(PathBuf),
    /// A backup of another store than the one it would replace.
    #[error(
        "{} is a backup of another store (id {}, this one is {store_id}): restore it to \
         another store file", backup.display(), shown_id(backup_id)
    )]
    OtherStore {
        backup: PathBuf,
        backup_id: String,
        store_id: String,
    },
    /// A kit given to `restore`: a kit is brought back with `precre kit in`, never restored.
    #[error(
        "{} is a kit taken out of store {origin}, not a backup: it is merged back, never \
         restored in place of a store", path.display()
    )]
    IsKit { path: PathBuf, origin: String },
    /// A copy that lacks decisions the store it would replace holds.
    #[error(
        "{} lacks {count} decision(s) this store holds (the first: {first}): restoring it would \
         set them aside, kept only in {}", backup.display(), kept_at.display()
    )]
    WouldSetAside {
        backup: PathBuf,
        count: i64,
        first: String,
        kept_at: PathBuf,
    },
    /// A file beside the store could not be written.
    #[error("cannot write {}: {source}", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        // A row mapper that met a value it cannot read says so through rusqlite's error.
        if let rusqlite::Error::FromSqlConversionFailure(_, _, inner) = &e {
            if let Some(d) = inner.downcast_ref::<RowDamage>() {
                return StoreError::DamagedRow {
                    table: d.table,
                    row: d.row.clone(),
                    what: d.what,
                    reason: d.reason.clone(),
                };
            }
        }
        StoreError::Sql(e)
    }
}

/// A stored value that a row mapper (which can only return rusqlite's error) cannot read;
/// [`StoreError`] turns it into [`StoreError::DamagedRow`].
#[derive(Debug, Error)]
#[error("{table} row {row} holds {what} that cannot be read ({reason})")]
pub(crate) struct RowDamage {
    table: &'static str,
    row: String,
    what: &'static str,
    reason: String,
}

/// Reads a stored JSON text inside a row mapper: one that does not parse is the row's damage.
pub(crate) fn row_json<T: serde::de::DeserializeOwned>(
    text: &str,
    column: usize,
    table: &'static str,
    row: impl std::fmt::Display,
    what: &'static str,
) -> rusqlite::Result<T> {
    serde_json::from_str(text).map_err(|e| row_damage(column, table, row, what, e.to_string()))
}

/// A row mapper's error for a stored value it cannot read (see [`RowDamage`]).
pub(crate) fn row_damage(
    column: usize,
    table: &'static str,
    row: impl std::fmt::Display,
    what: &'static str,
    reason: String,
) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(
        column,
        rusqlite::types::Type::Text,
        Box::new(RowDamage {
            table,
            row: row.to_string(),
            what,
            reason,
        }),
    )
}

impl StoreError {
    /// The disk holding the store is full.
    pub fn is_disk_full(&self) -> bool {
        matches!(self, StoreError::Sql(e) | StoreError::Open { source: e, .. } if is_disk_full(e))
    }

    /// The store is busy (another writer held the lock past the timeout).
    pub fn is_busy(&self) -> bool {
        matches!(self, StoreError::Sql(e) if is_busy(e))
    }

    /// Nothing of this name or id is stored (a model, a feature set, a firm...).
    pub fn is_not_found(&self) -> bool {
        matches!(
            self,
            StoreError::NotFound(_)
                | StoreError::NoActiveModel
                | StoreError::NoSuchModel(_)
                | StoreError::AmbiguousModel { .. }
                | StoreError::NoSuchFeatureSet(_)
        )
    }

    /// The store file is damaged, not a database at all, or holds a row that cannot be read.
    pub fn is_damaged(&self) -> bool {
        match self {
            StoreError::Damaged { .. } | StoreError::DamagedRow { .. } | StoreError::Foreign(_) => {
                true
            }
            StoreError::Sql(e) | StoreError::Open { source: e, .. } => is_corrupt(e),
            _ => false,
        }
    }

    /// The damage error naming `path`, when this error says the file is damaged or not a
    /// database (a statement's error knows no path); `None` for every other error, and for
    /// `Damaged`, which names its file already.
    pub fn damaged_at(&self, path: &Path) -> Option<StoreError> {
        match self {
            StoreError::Sql(e) | StoreError::Open { source: e, .. } if is_corrupt(e) => {
                Some(StoreError::Damaged {
                    path: path.to_path_buf(),
                    reason: sqlite_words(e),
                })
            }
            _ => None,
        }
    }
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// A store id as a message shows it (`none` for a store without one).
fn shown_id(id: &str) -> &str {
    if id.is_empty() {
        "none"
    } else {
        id
    }
}

/// A stored JSON text read back: one that does not parse is the row's damage, named.
pub(crate) fn stored_json<T: serde::de::DeserializeOwned>(
    text: &str,
    table: &'static str,
    row: impl std::fmt::Display,
    what: &'static str,
) -> Result<T> {
    serde_json::from_str(text).map_err(|e| StoreError::DamagedRow {
        table,
        row: row.to_string(),
        what,
        reason: e.to_string(),
    })
}

fn is_busy(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
    )
}

/// SQLite could not write for want of space: SQLITE_FULL (a write that met ENOSPC), or the
/// shared-memory file of the write-ahead log could not be given its pages.
fn is_disk_full(e: &rusqlite::Error) -> bool {
    match e {
        rusqlite::Error::SqliteFailure(f, _) => {
            f.code == rusqlite::ErrorCode::DiskFull
                || f.extended_code == rusqlite::ffi::SQLITE_IOERR_SHMSIZE
        }
        _ => false,
    }
}

fn is_corrupt(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseCorrupt | rusqlite::ErrorCode::NotADatabase)
    )
}

/// SQLite's own words for an error, once (rusqlite's display repeats the code's text).
fn sqlite_words(e: &rusqlite::Error) -> String {
    match e {
        rusqlite::Error::SqliteFailure(_, Some(msg)) if !msg.is_empty() => msg.clone(),
        rusqlite::Error::SqliteFailure(f, None) => f.to_string(),
        other => other.to_string(),
    }
}

/// A database error in words: a busy store says what happened and what to do.
fn sql_message(e: &rusqlite::Error) -> String {
    if is_busy(e) {
        return format!(
            "the store is busy: another precre (an import, a training run or another analyst) \
             held it for more than {} s; nothing was changed, try again",
            BUSY_TIMEOUT_MS / 1000
        );
    }
    if is_disk_full(e) {
        return "the disk holding the store is full: nothing of this action was written (the \
                store is as it was); free some space and run it again"
            .to_string();
    }
    if is_corrupt(e) {
        return format!("the store is damaged ({})", sqlite_words(e));
    }
    format!("database error: {}", sqlite_words(e))
}

/// Every connection's settings: foreign keys checked, commits synced to disk (decisions).
const EVERYDAY_SETTINGS: &str = "PRAGMA foreign_keys=ON; PRAGMA synchronous=FULL;";
/// The settings of a connection while it imports (see `Store::bulk_import_mode`).
pub const BULK_IMPORT_SETTINGS: &str = "PRAGMA foreign_keys=OFF; PRAGMA synchronous=NORMAL;";

/// An open store. Every connection has WAL, foreign keys and a busy timeout.
pub struct Store {
    pub(crate) conn: Connection,
    path: Option<PathBuf>,
}

/// How long a writer waits for another writer before giving up.
pub const BUSY_TIMEOUT_MS: u64 = 10_000;

impl Store {
    /// Opens (creating if needed, readable by its owner only) and migrates the store at `path`.
    pub fn open(path: &Path) -> Result<Store> {
        Store::open_with(path, location::Access::Private)
    }

    /// Opens the store at `path`, creating it (if it does not exist) with the given access.
    pub fn open_with(path: &Path, access: location::Access) -> Result<Store> {
        location::create(path, access)?;
        let conn = Connection::open(path).map_err(|source| StoreError::Open {
            path: path.to_path_buf(),
            source,
        })?;
        let mut store = Store {
            conn,
            path: Some(path.to_path_buf()),
        };
        let opened = store
            .configure(true)
            .and_then(|()| schema::migrate(&mut store.conn, path));
        opened.map_err(|e| e.damaged_at(path).unwrap_or(e))?;
        Ok(store)
    }

    /// A private in-memory store, for tests.
    pub fn open_in_memory() -> Result<Store> {
        let conn = Connection::open_in_memory()?;
        let mut store = Store { conn, path: None };
        store.configure(false)?;
        schema::migrate(&mut store.conn, Path::new(":memory:"))?;
        Ok(store)
    }

    fn configure(&mut self, wal: bool) -> Result<()> {
        self.conn.busy_handler(Some(busy::retry_every_millisecond(
            std::time::Duration::from_millis(BUSY_TIMEOUT_MS),
        )))?;
        if wal {
            let mode: String = self
                .conn
                .query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))?;
            if !mode.eq_ignore_ascii_case("wal") {
                return Err(StoreError::NotFound(format!(
                    "cannot switch the store to WAL (got {mode})"
                )));
            }
        }
        self.conn.execute_batch(EVERYDAY_SETTINGS)?;
        Ok(())
    }

    /// Connection settings for one bulk import, and back. During an import the foreign keys
    /// are not checked row by row by SQLite, because the import checks every reference itself
    /// inside its own IMMEDIATE transaction (no other writer can remove a firm meanwhile), and
    /// commits use synchronous=NORMAL: in WAL mode that keeps the store consistent through any
    /// crash or kill, and only a power cut right after the commit could undo the import (the
    /// file can be imported again). Decisions keep synchronous=FULL: they never run in this mode.
    pub(crate) fn bulk_import_mode(&self, on: bool) -> Result<()> {
        self.conn.execute_batch(if on {
            BULK_IMPORT_SETTINGS
        } else {
            EVERYDAY_SETTINGS
        })?;
        Ok(())
    }

    /// Where this store lives (`None` in memory).
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Row counts of every table, for reports and for tests that a failed import changed nothing.
    pub fn table_counts(&self) -> Result<Vec<(String, i64)>> {
        let mut names = Vec::new();
        let mut stmt = self
            .conn
            .prepare("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' ORDER BY name")?;
        for name in stmt.query_map([], |r| r.get::<_, String>(0))? {
            names.push(name?);
        }
        let mut out = Vec::new();
        for name in names {
            let n: i64 =
                self.conn
                    .query_row(&format!("SELECT count(*) FROM \"{name}\""), [], |r| {
                        r.get(0)
                    })?;
            out.push((name, n));
        }
        Ok(out)
    }

    /// A digest of every table's content, to prove that a refused import wrote nothing.
    pub fn content_digest(&self) -> Result<u64> {
        use std::hash::{Hash, Hasher};
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        for (name, _) in self.table_counts()? {
            name.hash(&mut hasher);
            let ncol = self
                .conn
                .prepare(&format!("SELECT * FROM \"{name}\""))?
                .column_count();
            let order = if ncol > 1 { "1, 2" } else { "1" };
            let mut stmt = self
                .conn
                .prepare(&format!("SELECT * FROM \"{name}\" ORDER BY {order}"))?;
            let mut rows = stmt.query([])?;
            while let Some(row) = rows.next()? {
                for i in 0..ncol {
                    // Type and bits, not a formatted string: formatting every value made this
                    // a third of the kits' merge test.
                    match row.get_ref(i)? {
                        rusqlite::types::ValueRef::Null => 0u8.hash(&mut hasher),
                        rusqlite::types::ValueRef::Integer(v) => (1u8, v).hash(&mut hasher),
                        rusqlite::types::ValueRef::Real(v) => (2u8, v.to_bits()).hash(&mut hasher),
                        rusqlite::types::ValueRef::Text(v) => (3u8, v).hash(&mut hasher),
                        rusqlite::types::ValueRef::Blob(v) => (4u8, v).hash(&mut hasher),
                    }
                }
            }
        }
        Ok(hasher.finish())
    }
}

#[cfg(test)]
mod damaged_rows {
    //! A store whose rows were corrupted with SQL: each unreadable value is an error naming its
    //! table and row, never a default (an empty list, no model, a risk of 0).

    use super::*;
    use crate::model::registry::ModelRecord;

    fn store_with_a_model() -> (Store, ModelRecord) {
        let mut store = Store::open_in_memory().unwrap();
        let rec = ModelRecord::from_json(crate::ops::bootstrap::DEFAULT_MODEL).unwrap();
        store.save_model(&rec, None).unwrap();
        store
            .change_model(&model_log::ChangeRequest {
                analyst: "tester",
                action: crate::model::governance::LogAction::Promote,
                role: crate::model::governance::Role::Champion,
                to_model: Some(&rec.id),
                reason: "a test",
                proposal: None,
            })
            .unwrap();
        store
            .conn
            .execute_batch(
                "INSERT INTO firms(id, name, sector) VALUES ('F1', 'One', 'retail');
                 INSERT INTO applications(id, firm_id, amount, term_months, submitted)
                 VALUES ('A1', 'F1', 1000, 12, '2024-01-01');",
            )
            .unwrap();
        (store, rec)
    }

    fn damaged(e: StoreError) -> (&'static str, String, &'static str) {
        assert!(e.is_damaged(), "{e}");
        assert!(e.to_string().contains("damaged"), "{e}");
        match e {
            StoreError::DamagedRow {
                table, row, what, ..
            } => (table, row, what),
            other => panic!("not a damaged row: {other}"),
        }
    }

    #[test]
    fn corrupt_probabilities_are_a_damaged_prediction_not_an_empty_list() {
        let (mut store, rec) = store_with_a_model();
        let p = models::Prediction {
            firm_id: "F1".into(),
            fiscal_year: Some(2023),
            class: "good".into(),
            probabilities: vec![("bad".into(), 0.4), ("good".into(), 0.6)],
        };
        store.save_predictions(&rec.id, &[p]).unwrap();
        assert_eq!(store.all_predictions().unwrap()[0].probabilities.len(), 2);
        store
            .conn
            .execute(
                "UPDATE predictions SET probabilities = '[[\"bad\", 0.4' ",
                [],
            )
            .unwrap();
        let (table, row, what) = damaged(store.all_predictions().unwrap_err());
        assert_eq!(
            (table, row.as_str(), what),
            ("predictions", "1", "probabilities")
        );
    }

    #[test]
    fn a_corrupt_model_is_damage_not_no_active_model() {
        let (store, rec) = store_with_a_model();
        store
            .conn
            .execute("UPDATE models SET body = '{\"id\": 1' ", [])
            .unwrap();
        let e = store.model(None).unwrap_err();
        let (table, row, _) = damaged(e);
        assert_eq!((table, row), ("models", rec.id.clone()));
        assert!(store.active_model().is_err());
        assert!(store.model(Some(&rec.id)).unwrap_err().is_damaged());
        // Metrics that do not parse: the list of models says which one.
        store
            .conn
            .execute("UPDATE models SET metrics = 'not json'", [])
            .unwrap();
        let (table, row, what) = damaged(store.models().unwrap_err());
        assert_eq!((table, row, what), ("models", rec.id, "metrics"));
    }

    #[test]
    fn no_active_model_is_none_and_a_missing_one_is_named() {
        let store = Store::open_in_memory().unwrap();
        assert!(store.active_model().unwrap().is_none());
        assert!(matches!(store.model(None), Err(StoreError::NoActiveModel)));
        let e = store.model(Some("nope")).unwrap_err();
        assert!(
            matches!(&e, StoreError::NoSuchModel(k) if k == "nope"),
            "{e}"
        );
        assert!(e.is_not_found());
    }

    #[test]
    fn a_corrupt_category_list_is_damage_not_no_categories() {
        let store = Store::open_in_memory().unwrap();
        store
            .conn
            .execute_batch(
                "INSERT INTO feature_sets(id, name, source, label_column, n_rows)
                 VALUES (1, 'german', 'g.csv', 'class', 0);
                 INSERT INTO feature_columns(set_id, position, name, kind, categories, n_missing)
                 VALUES (1, 0, 'purpose', 'categorical', '[\"car\",\"tv\"]', 0),
                        (1, 1, 'amount', 'numeric', NULL, 0);",
            )
            .unwrap();
        let set = store.feature_set("german").unwrap();
        assert_eq!(set.columns[0].categories, ["car", "tv"]);
        assert!(set.columns[1].categories.is_empty());
        store
            .conn
            .execute(
                "UPDATE feature_columns SET categories = '[\"car\", ' WHERE position = 0",
                [],
            )
            .unwrap();
        let (table, row, what) = damaged(store.feature_set("german").unwrap_err());
        assert_eq!(
            (table, row.as_str(), what),
            ("feature_columns", "german.purpose", "a category list")
        );
        // A row whose values are cut short is the row's damage too.
        store
            .conn
            .execute(
                "UPDATE feature_columns SET categories = '[\"car\"]' WHERE position = 0",
                [],
            )
            .unwrap();
        store
            .conn
            .execute(
                "INSERT INTO feature_rows(set_id, row_no, entity_id, label, vals)
                 VALUES (1, 0, 'r1', 'good', x'0000000000000000000000')",
                [],
            )
            .unwrap();
        let (table, row, _) = damaged(store.feature_rows("german").unwrap_err());
        assert_eq!((table, row.as_str()), ("feature_rows", "german/r1"));
        assert!(matches!(
            store.feature_set("french"),
            Err(StoreError::NoSuchFeatureSet(n)) if n == "french"
        ));
    }

    #[test]
    fn corrupt_decision_reasons_and_chain_head_are_damage() {
        let (store, _) = store_with_a_model();
        store
            .conn
            .execute(
                "INSERT INTO decisions(id, application_id, decision, analyst, reasons)
                 VALUES (7, 'A1', 'decline', 'ana', '[\"low liquidity\"')",
                [],
            )
            .unwrap();
        let (table, row, what) = damaged(store.decisions().unwrap_err());
        assert_eq!((table, row.as_str(), what), ("decisions", "7", "reasons"));
        // A chain head that does not read is damage, not "no chain yet".
        let store = Store::open_in_memory().unwrap();
        store
            .conn
            .execute(
                "INSERT OR REPLACE INTO meta(key, value) VALUES ('decision_chain_head', 'garbage')",
                [],
            )
            .unwrap();
        let e: StoreError = chain::verify(&store.conn).unwrap_err().into();
        let (table, row, _) = damaged(e);
        assert_eq!((table, row.as_str()), ("meta", "decision_chain_head"));
    }
}
