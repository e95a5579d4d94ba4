//! The SQLite store: opening, pragmas, location, and one file per table family.

pub mod applications;
pub mod backup;
pub mod chain;
pub mod check;
pub mod decisions;
pub mod features;
pub mod firms;
pub mod import_tx;
pub mod inspect;
pub mod location;
pub mod models;
pub mod portfolio;
pub mod records;
pub mod schema;
pub mod statements;
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
    #[error(
        "the store {} is damaged ({reason}): run `precre check` on it to see what can be read, \
         or restore a backup", path.display()
    )]
    Damaged { path: PathBuf, reason: String },
    #[error("{}", sql_message(.0))]
    Sql(rusqlite::Error),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError::Sql(e)
    }
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

    /// The store file is damaged or not a database at all.
    pub fn is_damaged(&self) -> bool {
        match self {
            StoreError::Damaged { .. } | StoreError::Foreign(_) => true,
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
        return format!(
            "the store is damaged ({}): run `precre check` on it to see what can be read, or \
             restore a backup",
            sqlite_words(e)
        );
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
        self.conn
            .busy_timeout(std::time::Duration::from_millis(BUSY_TIMEOUT_MS))?;
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
            let mut stmt = self
                .conn
                .prepare(&format!("SELECT * FROM \"{name}\" ORDER BY 1, 2"))?;
            let ncol = stmt.column_count();
            let mut rows = stmt.query([])?;
            while let Some(row) = rows.next()? {
                for i in 0..ncol {
                    format!("{:?}", row.get_ref(i)?).hash(&mut hasher);
                }
            }
        }
        Ok(hasher.finish())
    }
}
