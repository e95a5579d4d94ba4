//! Backups of a store: a consistent copy taken while others read and write (`VACUUM INTO`
//! reads one snapshot of the database), verified with `integrity_check` before it gets its
//! name; restoring one (refusing a newer schema, or a copy of another store without `force`,
//! keeping the store it replaces beside it); and the copy taken before a schema migration.

use super::schema::SCHEMA_VERSION;
use super::{Result, Store, StoreError};
use rusqlite::OptionalExtension;
use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};

/// What a backup or a restore did.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct BackupReport {
    pub path: PathBuf,
    pub bytes: u64,
    pub schema_version: i64,
    pub store_id: String,
    pub firms: i64,
    pub decisions: i64,
    /// `integrity_check` of the copy: "ok".
    pub integrity: String,
    /// On a restore: where the store it replaced was kept.
    pub replaced_kept_at: Option<PathBuf>,
}

/// A new random store id (16 hex digits).
fn new_id() -> String {
    let mut b = [0u8; 8];
    if getrandom::fill(&mut b).is_err() {
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        b = (t as u64 ^ u64::from(std::process::id())).to_le_bytes();
    }
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// The store's id (made on first use and kept in `meta`): a backup names the store it is of.
pub fn store_id(conn: &Connection) -> Result<String> {
    conn.execute(
        "INSERT OR IGNORE INTO meta(key, value) VALUES ('store_id', ?1)",
        [new_id()],
    )?;
    Ok(
        conn.query_row("SELECT value FROM meta WHERE key = 'store_id'", [], |r| {
            r.get(0)
        })?,
    )
}

/// Checks a copy: integrity, schema version, its id and its counts.
fn verify(path: &Path) -> Result<BackupReport> {
    let conn =
        Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY).map_err(|source| {
            StoreError::Open {
                path: path.to_path_buf(),
                source,
            }
        })?;
    let damaged = |reason: String| StoreError::Damaged {
        path: path.to_path_buf(),
        reason,
    };
    let integrity: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .map_err(|e| damaged(e.to_string()))?;
    if integrity != "ok" {
        return Err(damaged(integrity));
    }
    let schema_version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    // A store of a schema before store ids has none (""); a meta table that cannot be read
    // is an error, not an empty id.
    let store_id: String = conn
        .query_row("SELECT value FROM meta WHERE key = 'store_id'", [], |r| {
            r.get(0)
        })
        .optional()?
        .unwrap_or_default();
    let count = |t: &str| -> Result<i64> {
        Ok(conn.query_row(&format!("SELECT count(*) FROM {t}"), [], |r| r.get(0))?)
    };
    Ok(BackupReport {
        path: path.to_path_buf(),
        bytes: std::fs::metadata(path).map_or(0, |m| m.len()),
        schema_version,
        store_id,
        firms: count("firms")?,
        decisions: count("decisions")?,
        integrity,
        replaced_kept_at: None,
    })
}

fn sync(path: &Path) -> Result<()> {
    std::fs::File::open(path)
        .and_then(|f| f.sync_all())
        .map_err(|e| StoreError::Write {
            path: path.to_path_buf(),
            source: e,
        })
}

/// A consistent copy of the database behind `conn` at `out` (written beside it under a
/// temporary name, verified, then renamed: a failed backup leaves no file named `out`).
pub fn copy_to(conn: &Connection, out: &Path) -> Result<BackupReport> {
    let tmp = out.with_extension("partial");
    let _ = std::fs::remove_file(&tmp);
    let written = conn
        .execute("VACUUM INTO ?1", [tmp.to_string_lossy()])
        .map(|_| ())
        .map_err(StoreError::from);
    let checked = written.and_then(|()| verify(&tmp));
    let report = match checked.and_then(|r| sync(&tmp).map(|()| r)) {
        Ok(r) => r,
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            return Err(e);
        }
    };
    std::fs::rename(&tmp, out).map_err(|e| StoreError::Write {
        path: out.to_path_buf(),
        source: e,
    })?;
    Ok(BackupReport {
        path: out.to_path_buf(),
        ..report
    })
}

impl Store {
    /// Takes a verified backup of the store at `out` (refused when `out` exists, unless
    /// `force`), while other processes go on reading and writing.
    pub fn backup(&self, out: &Path, force: bool) -> Result<BackupReport> {
        if out.exists() && !force {
            return Err(StoreError::FileExists(out.to_path_buf()));
        }
        store_id(&self.conn)?;
        let report = copy_to(&self.conn, out)?;
        // Remembered so that `precre check` can point to it when the store is damaged (best
        // effort: a store opened by a reader who cannot write still gets its backup).
        let at = out.canonicalize().unwrap_or_else(|_| out.to_path_buf());
        let _ = self.conn.execute(
            "INSERT INTO meta(key, value) VALUES ('last_backup', ?1)
             ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [at.to_string_lossy()],
        );
        Ok(report)
    }
}

/// Puts the backup at `from` in place of the store at `target`. Refused when the backup is
/// damaged, of a newer schema than this PRECRE knows, of another store than `target` (without
/// `force`), or when another process holds `target`. The replaced store is kept beside it as
/// `<target>.before-restore`; the copy is verified before it takes the store's name.
pub fn restore(from: &Path, target: &Path, force: bool) -> Result<BackupReport> {
    let backup = verify(from)?;
    if backup.schema_version > SCHEMA_VERSION {
        return Err(StoreError::TooNew {
            path: from.to_path_buf(),
            found: backup.schema_version,
            known: SCHEMA_VERSION,
        });
    }
    let mut kept = None;
    if target.exists() {
        let current = Connection::open(target).map_err(|source| StoreError::Open {
            path: target.to_path_buf(),
            source,
        })?;
        current.busy_timeout(std::time::Duration::from_millis(2_000))?;
        let current_id: Option<String> = current
            .query_row("SELECT value FROM meta WHERE key = 'store_id'", [], |r| {
                r.get(0)
            })
            // A damaged store's id is read from its bytes: restoring is how it is replaced.
            .ok()
            .or_else(|| super::inspect::raw_store_id(target));
        if let Some(id) = current_id.filter(|id| *id != backup.store_id) {
            if !force {
                return Err(StoreError::OtherStore {
                    backup: from.to_path_buf(),
                    backup_id: backup.store_id.clone(),
                    store_id: id,
                });
            }
        }
        // Nobody may be writing while the file is replaced.
        let keep = PathBuf::from(format!("{}.before-restore", target.display()));
        let _ = std::fs::remove_file(&keep);
        match current.execute_batch("BEGIN EXCLUSIVE; COMMIT;") {
            Ok(()) => {
                copy_to(&current, &keep)?;
                drop(current);
            }
            // A damaged store cannot be locked, nor copied through SQLite: its bytes are kept
            // as they are (with its write-ahead log), for whatever can still be recovered.
            Err(e) if super::is_corrupt(&e) => {
                drop(current);
                let copy = |from: &Path, to: &Path| {
                    std::fs::copy(from, to)
                        .map(|_| ())
                        .map_err(|e| StoreError::Write {
                            path: to.to_path_buf(),
                            source: e,
                        })
                };
                copy(target, &keep)?;
                let wal = PathBuf::from(format!("{}-wal", target.display()));
                if wal.exists() {
                    copy(&wal, Path::new(&format!("{}-wal", keep.display())))?;
                }
            }
            Err(_) => {
                return Err(StoreError::Conflict(format!(
                    "{} is in use by another process: close the workbench and the service, \
                     then restore",
                    target.display()
                )))
            }
        }
        kept = Some(keep);
    }
    let tmp = PathBuf::from(format!("{}.restoring", target.display()));
    std::fs::copy(from, &tmp).map_err(|e| StoreError::Write {
        path: tmp.to_path_buf(),
        source: e,
    })?;
    let checked = verify(&tmp).and_then(|r| sync(&tmp).map(|()| r));
    if let Err(e) = checked {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    for side in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{side}", target.display()));
    }
    std::fs::rename(&tmp, target).map_err(|e| StoreError::Write {
        path: target.to_path_buf(),
        source: e,
    })?;
    Ok(BackupReport {
        path: target.to_path_buf(),
        replaced_kept_at: kept,
        ..backup
    })
}
