//! An import's staged rows: a private SQLite file beside the store (0600) that holds every
//! validated row, ordered by key, and the placeholder firms the rows need, written without the
//! store's write lock and read back in firm-aligned chunks when the import is published. While
//! its import runs, the staged file is locked (an advisory lock), so a recovery can tell a live
//! import from a killed one.

use super::import_tx::CellValue as Value;
use super::{Result, StoreError};
use rusqlite::{params_from_iter, Connection, OpenFlags};
use std::fs::File;
use std::path::{Path, PathBuf};

/// The staged rows of one import, with the lock that says its import is alive.
pub struct Staging {
    conn: Connection,
    path: PathBuf,
    n_columns: usize,
    n_keys: usize,
    _lock: File,
}

/// What a file name of a staged import looks like beside `store`: `<store>.import-<id>.staging`.
fn prefix(store: &Path) -> String {
    let name = store
        .file_name()
        .map_or_else(|| "store".to_string(), |n| n.to_string_lossy().into_owned());
    format!("{name}.import-")
}

const SUFFIX: &str = ".staging";

/// A staged file that is not what an import wrote.
fn not_staged(path: &Path) -> StoreError {
    StoreError::NotFound(format!(
        "{} is not a complete staged import",
        path.display()
    ))
}

/// Takes the staged file's lock (`flock`, apart from SQLite's own locks), or says that another
/// process holds it (a live import).
fn lock(path: &Path) -> Result<Option<File>> {
    let file = File::open(path).map_err(|source| StoreError::Write {
        path: path.to_path_buf(),
        source,
    })?;
    #[cfg(unix)]
    {
        use std::os::unix::io::AsRawFd;
        // SAFETY: flock on the open file's descriptor, which lives as long as `file`.
        let rc = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
        if rc != 0 {
            let e = std::io::Error::last_os_error();
            if e.raw_os_error() == Some(libc::EWOULDBLOCK) {
                return Ok(None);
            }
            return Err(StoreError::Write {
                path: path.to_path_buf(),
                source: e,
            });
        }
    }
    Ok(Some(file))
}

impl Staging {
    /// A new, empty staged import beside `store` for rows of `n_columns` values whose first
    /// `n_keys` values (after reordering by the caller) are the key.
    pub fn create(store: &Path, n_columns: usize, n_keys: usize) -> Result<Staging> {
        let dir = store.parent().unwrap_or(Path::new("."));
        let unique = format!(
            "{}{}-{}{SUFFIX}",
            prefix(store),
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos())
        );
        let path = dir.join(unique);
        drop(super::backup::create_empty(&path, 0o600)?);
        let made = Self::create_at(&path, n_columns, n_keys);
        if made.is_err() {
            super::backup::remove_with_sides(&path);
        }
        made
    }

    fn create_at(path: &Path, n_columns: usize, n_keys: usize) -> Result<Staging> {
        let lock = lock(path)?.ok_or_else(|| not_staged(path))?;
        let conn = Connection::open(path)?;
        // Nothing here needs surviving a crash until `seal` syncs the whole file: a killed
        // import's staged file is removed unpublished.
        conn.execute_batch("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;")?;
        let cols: Vec<String> = (0..n_columns).map(|i| format!("c{i}")).collect();
        conn.execute_batch(&format!(
            "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
             CREATE TABLE new_firms(id TEXT PRIMARY KEY);
             CREATE TABLE rows({});
             INSERT INTO meta VALUES ('columns', '{n_columns}'), ('keys', '{n_keys}');
             BEGIN;",
            cols.join(",")
        ))?;
        Ok(Staging {
            conn,
            path: path.to_path_buf(),
            n_columns,
            n_keys,
            _lock: lock,
        })
    }

    /// Opens a sealed staged import to publish it; `None` when its import is alive (locked).
    pub fn open(path: &Path) -> Result<Option<Staging>> {
        let Some(lock) = lock(path)? else {
            return Ok(None);
        };
        let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        let get = |key: &str| -> Result<usize> {
            let v: Option<String> = conn
                .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
                .ok();
            v.and_then(|v| v.parse().ok())
                .ok_or_else(|| not_staged(path))
        };
        let (n_columns, n_keys) = (get("columns")?, get("keys")?);
        get("sealed")?;
        Ok(Some(Staging {
            conn,
            path: path.to_path_buf(),
            n_columns,
            n_keys,
            _lock: lock,
        }))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Stages validated rows (each `n_columns` values, the key first).
    pub fn add_rows(&self, rows: impl IntoIterator<Item = Vec<Value>>) -> Result<usize> {
        let placeholders = vec!["?"; self.n_columns].join(",");
        let mut stmt = self
            .conn
            .prepare_cached(&format!("INSERT INTO rows VALUES ({placeholders})"))?;
        let mut n = 0;
        for row in rows {
            stmt.execute(params_from_iter(row.iter()))?;
            n += 1;
        }
        Ok(n)
    }

    /// Notes a placeholder firm the rows need; whether it was new to this import.
    pub fn add_new_firm(&self, id: &str) -> Result<bool> {
        let mut stmt = self
            .conn
            .prepare_cached("INSERT OR IGNORE INTO new_firms(id) VALUES (?1)")?;
        Ok(stmt.execute([id])? == 1)
    }

    /// Which of these ids are placeholder firms staged by this import.
    pub fn staged_firms(&self, ids: &[&str]) -> Result<Vec<String>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT 1 FROM new_firms WHERE id = ?1")?;
        let mut found = Vec::new();
        for id in ids {
            if stmt.exists([id])? {
                found.push(id.to_string());
            }
        }
        Ok(found)
    }

    /// Ends the staging: the key index is built, the file synced to disk; from here on the
    /// staged file is complete and a publication can be finished from it.
    pub fn seal(&self) -> Result<usize> {
        let keys: Vec<String> = (0..self.n_keys).map(|i| format!("c{i}")).collect();
        self.conn.execute_batch(&format!(
            "CREATE INDEX rows_key ON rows({});
             INSERT INTO meta VALUES ('sealed', '1');
             COMMIT;",
            keys.join(",")
        ))?;
        let n: i64 = self
            .conn
            .query_row("SELECT count(*) FROM rows", [], |r| r.get(0))?;
        super::backup::sync(&self.path)?;
        Ok(n as usize)
    }

    /// The next chunk in key order after `cursor` (the key of the last row published; empty
    /// at the start): about `n` rows, extended to the end of the last row's firm when the key
    /// starts with the firm and has a second part (a firm's statements arrive together).
    pub fn chunk_after(&self, cursor: &[Value], n: usize) -> Result<Vec<Vec<Value>>> {
        let keys: Vec<String> = (0..self.n_keys).map(|i| format!("c{i}")).collect();
        let (k, marks) = (keys.join(","), vec!["?"; self.n_keys].join(","));
        let after = if cursor.is_empty() {
            String::new()
        } else {
            format!("WHERE ({k}) > ({marks})")
        };
        let sql = format!("SELECT * FROM rows {after} ORDER BY {k} LIMIT {n}");
        let mut rows = self.read(&sql, cursor)?;
        if self.n_keys == 2 && rows.len() == n {
            let last = rows[rows.len() - 1][..2].to_vec();
            let rest = self.read(
                "SELECT * FROM rows WHERE c0 = ?1 AND c1 > ?2 ORDER BY c0, c1",
                &last,
            )?;
            rows.extend(rest);
        }
        Ok(rows)
    }

    fn read(&self, sql: &str, params: &[Value]) -> Result<Vec<Vec<Value>>> {
        let mut stmt = self.conn.prepare_cached(sql)?;
        let n = self.n_columns;
        let rows = stmt.query_map(params_from_iter(params.iter()), |r| {
            (0..n).map(|i| r.get::<_, Value>(i)).collect()
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Closes and removes the staged file (after its import was published, or refused).
    pub fn remove(self) {
        let path = self.path.clone();
        drop(self.conn);
        super::backup::remove_with_sides(&path);
    }
}

/// Staged files beside `store` that no journal names and no live import holds: left by an
/// import killed before it published anything. Removed; returns how many.
pub fn remove_stale(store: &Path, journaled: &[PathBuf]) -> usize {
    let dir = match store.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let prefix = prefix(store);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return 0;
    };
    let mut removed = 0;
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !name.starts_with(&prefix) || !name.ends_with(SUFFIX) {
            continue;
        }
        let path = entry.path();
        if journaled.iter().any(|j| j.file_name() == path.file_name()) {
            continue;
        }
        if let Ok(Some(held)) = lock(&path) {
            drop(held);
            super::backup::remove_with_sides(&path);
            removed += 1;
        }
    }
    removed
}
