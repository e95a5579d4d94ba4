//! Backups of a store: a consistent copy taken while others read and write (`VACUUM INTO`
//! reads one snapshot of the database), created readable by its owner only, verified with
//! `integrity_check` and stamped as a backup record of its store before it gets its name;
//! restoring one (refusing a newer schema, a kit, a copy of another store without `force`, or a
//! copy that lacks decisions the live store holds without `force`, and keeping the store it
//! replaces beside it under a new name each time); and the copy taken before a schema migration.
//!
//! A backup record is a copy whose `meta` says whose backup it is (`backup_of`, the store id)
//! and what the decision chain's head was when it was taken (`backup_chain_head`): a copy that
//! has been decided in since (a laptop's) no longer matches its record, and is not a backup.
//! A kit records the store it was taken out of under [`KIT_ORIGIN_KEY`]; `restore` never
//! accepts one (`precre kit in` brings a kit back).

use super::schema::SCHEMA_VERSION;
use super::{Result, Store, StoreError};
use rusqlite::OptionalExtension;
use rusqlite::{Connection, OpenFlags};
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// The `meta` key under which a kit records the id of the store it was taken out of.
pub const KIT_ORIGIN_KEY: &str = "kit_origin";
/// The `meta` keys of a backup record: whose backup the copy is, the decision chain's head when
/// it was taken, and when.
pub const BACKUP_OF_KEY: &str = "backup_of";
pub const BACKUP_HEAD_KEY: &str = "backup_chain_head";
pub const BACKUP_AT_KEY: &str = "backup_taken_at";

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
    /// On a restore: how many decisions of the replaced store the restored copy lacks (they
    /// are in `replaced_kept_at`, nowhere else).
    pub set_aside: i64,
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

/// Creates an empty file at `path` readable and writable by its owner only (`mode` on unix),
/// refusing a file that exists. The mode is set on the open file before any data is written,
/// whatever the umask; SQLite gives the file's -wal and -shm the same mode.
pub fn create_empty(path: &Path, mode: u32) -> Result<std::fs::File> {
    let err = |source| StoreError::Write {
        path: path.to_path_buf(),
        source,
    };
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(mode);
    }
    let file = options.open(path).map_err(err)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(std::fs::Permissions::from_mode(mode))
            .map_err(err)?;
    }
    #[cfg(not(unix))]
    let _ = mode;
    Ok(file)
}

/// Removes a file and the -wal, -shm and -journal SQLite may have left beside it.
pub(super) fn remove_with_sides(path: &Path) {
    let _ = std::fs::remove_file(path);
    remove_sides(path);
}

/// Removes the -wal, -shm and -journal beside `path` (after its last connection is closed).
fn remove_sides(path: &Path) {
    for side in ["-wal", "-shm", "-journal"] {
        let _ = std::fs::remove_file(format!("{}{side}", path.display()));
    }
}

/// A `meta` value, or `None` when the key or the table is absent.
pub(super) fn meta(conn: &Connection, key: &str) -> Option<String> {
    conn.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
        .ok()
}

/// The store a kit was taken out of, when the store at `conn` is a kit.
pub fn kit_origin(conn: &Connection) -> Option<String> {
    meta(conn, KIT_ORIGIN_KEY)
}

fn damaged(path: &Path, reason: String) -> StoreError {
    StoreError::Damaged {
        path: path.to_path_buf(),
        reason,
    }
}

/// Opens a copy to read it: read-write when the file allows, so that closing it checkpoints and
/// removes the -wal and -shm the opening made (a read-only connection leaves them behind);
/// read-only otherwise. Nothing is written to it.
fn open_source(path: &Path) -> Result<Connection> {
    open_rw(path).or_else(|_| open_read_only(path))
}

/// Checks a store through `conn`: integrity, schema version, its id and its counts.
fn verify_conn(conn: &Connection, path: &Path) -> Result<BackupReport> {
    let integrity: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .map_err(|e| damaged(path, e.to_string()))?;
    if integrity != "ok" {
        return Err(damaged(path, integrity));
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
        set_aside: 0,
    })
}

fn open_read_only(path: &Path) -> Result<Connection> {
    Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY).map_err(|source| {
        StoreError::Open {
            path: path.to_path_buf(),
            source,
        }
    })
}

fn open_rw(path: &Path) -> Result<Connection> {
    Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_WRITE).map_err(|source| {
        StoreError::Open {
            path: path.to_path_buf(),
            source,
        }
    })
}

pub(super) fn sync(path: &Path) -> Result<()> {
    std::fs::File::open(path)
        .and_then(|f| f.sync_all())
        .map_err(|e| StoreError::Write {
            path: path.to_path_buf(),
            source: e,
        })
}

/// Gives `tmp` the name `out`: over an existing `out` only when `replace`; otherwise a file
/// that appeared meanwhile is never written over (a hard link cannot replace a name).
pub(super) fn publish(tmp: &Path, out: &Path, replace: bool) -> Result<()> {
    let write_err = |e| StoreError::Write {
        path: out.to_path_buf(),
        source: e,
    };
    if replace {
        return std::fs::rename(tmp, out).map_err(write_err);
    }
    match std::fs::hard_link(tmp, out) {
        Ok(()) => {
            let _ = std::fs::remove_file(tmp);
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            let _ = std::fs::remove_file(tmp);
            Err(StoreError::FileExists(out.to_path_buf()))
        }
        // A file system without hard links: checked, then renamed.
        Err(_) if out.exists() => {
            let _ = std::fs::remove_file(tmp);
            Err(StoreError::FileExists(out.to_path_buf()))
        }
        Err(_) => std::fs::rename(tmp, out).map_err(write_err),
    }
}

/// A consistent copy of the database behind `conn` at `out`, created 0600 and stamped as a
/// backup record of its store (written beside it under a temporary name, verified, then named:
/// a failed backup leaves no file named `out`; an existing `out` is replaced only when
/// `replace`).
pub fn copy_to(conn: &Connection, out: &Path, replace: bool) -> Result<BackupReport> {
    if !replace && out.exists() {
        return Err(StoreError::FileExists(out.to_path_buf()));
    }
    let tmp = PathBuf::from(format!("{}.partial", out.display()));
    remove_with_sides(&tmp);
    let made = create_empty(&tmp, 0o600).and_then(|f| {
        drop(f);
        conn.execute("VACUUM INTO ?1", [tmp.to_string_lossy()])?;
        let copy = open_rw(&tmp)?;
        let report = verify_conn(&copy, &tmp)?;
        // The record: whose backup this is, and the chain's head it holds (a store of a
        // schema before store ids has no meta to stamp).
        if !report.store_id.is_empty() {
            let head = meta(&copy, "decision_chain_head").unwrap_or_default();
            copy.execute_batch("BEGIN IMMEDIATE")?;
            for (k, v) in [
                (BACKUP_OF_KEY, report.store_id.clone()),
                (BACKUP_HEAD_KEY, head),
            ] {
                copy.execute(
                    "INSERT OR REPLACE INTO meta(key, value) VALUES (?1, ?2)",
                    [k, &v],
                )?;
            }
            copy.execute(
                "INSERT OR REPLACE INTO meta(key, value)
                 VALUES (?1, strftime('%Y-%m-%dT%H:%M:%SZ','now'))",
                [BACKUP_AT_KEY],
            )?;
            copy.execute_batch("COMMIT")?;
        }
        drop(copy);
        remove_sides(&tmp);
        sync(&tmp)?;
        Ok(report)
    });
    let report = match made {
        Ok(r) => r,
        Err(e) => {
            remove_with_sides(&tmp);
            return Err(e);
        }
    };
    publish(&tmp, out, replace)?;
    Ok(BackupReport {
        path: out.to_path_buf(),
        bytes: std::fs::metadata(out).map_or(report.bytes, |m| m.len()),
        ..report
    })
}

/// `base` if no file has that name (nor its -wal), else `base-2`, `base-3`...
pub fn fresh_name(base: &str) -> PathBuf {
    let taken = |p: &str| Path::new(p).exists() || Path::new(&format!("{p}-wal")).exists();
    if !taken(base) {
        return PathBuf::from(base);
    }
    (2..)
        .map(|n| format!("{base}-{n}"))
        .find(|p| !taken(p))
        .map(PathBuf::from)
        .unwrap_or_default()
}

impl Store {
    /// Takes a verified backup of the store at `out` (refused when `out` exists, unless
    /// `force`), while other processes go on reading and writing.
    pub fn backup(&self, out: &Path, force: bool) -> Result<BackupReport> {
        if out.exists() && !force {
            return Err(StoreError::FileExists(out.to_path_buf()));
        }
        store_id(&self.conn)?;
        let report = copy_to(&self.conn, out, force)?;
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

/// A decision as it is compared across copies: application, verdict, analyst and time (the
/// chain hash depends on the decision's place in its log, and a store of a schema before the
/// chain has none; these four name one decision on every schema).
type DecisionKey = (String, String, String, String);

fn decision_keys(conn: &Connection) -> Result<Vec<DecisionKey>> {
    let mut stmt = conn.prepare(
        "SELECT application_id, decision, analyst, decided_at FROM decisions ORDER BY id",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, Option<String>>(0)?.unwrap_or_default(),
            r.get::<_, Option<String>>(1)?.unwrap_or_default(),
            r.get::<_, Option<String>>(2)?.unwrap_or_default(),
            r.get::<_, Option<String>>(3)?.unwrap_or_default(),
        ))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The decisions of the live store that the copy lacks.
fn lacking(live: &Connection, copy: &Connection) -> Result<Vec<DecisionKey>> {
    let there: HashSet<DecisionKey> = decision_keys(copy)?.into_iter().collect();
    Ok(decision_keys(live)?
        .into_iter()
        .filter(|k| !there.contains(k))
        .collect())
}

/// The name the store at `target` is kept under when a restore replaces it: new each time,
/// `<target>.before-restore-<UTC time>` (with `-2`, `-3`... when that is taken).
pub fn kept_name(target: &Path) -> PathBuf {
    let now = crate::clock::iso_utc(std::time::SystemTime::now());
    let stamp: String = now
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .take(15)
        .collect();
    fresh_name(&format!("{}.before-restore-{stamp}Z", target.display()))
}

/// The mode of a store file: its group may read and write it when the store it replaces is a
/// team store (0660), else its owner only (0600).
fn store_mode(replaced: Option<&Path>) -> u32 {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let team = replaced
            .and_then(|p| std::fs::metadata(p).ok())
            .is_some_and(|m| m.permissions().mode() & 0o060 == 0o060);
        if team {
            return 0o660;
        }
    }
    let _ = replaced;
    0o600
}

/// Puts the backup at `from` in place of the store at `target`. Refused when the backup is
/// damaged, of a newer schema than this PRECRE knows, a kit (whatever `force`), of another
/// store than `target` (without `force`), when it lacks decisions the store at `target` holds
/// (without `force`: they would be set aside), or when another process holds `target`. The
/// replaced store is kept beside it under a new name ([`kept_name`]), never over an earlier
/// one; the copy is verified before it takes the store's name, and the report counts the store
/// as it is after the restore.
pub fn restore(from: &Path, target: &Path, force: bool) -> Result<BackupReport> {
    let backup = {
        let conn = open_source(from)?;
        let report = verify_conn(&conn, from)?;
        if let Some(origin) = kit_origin(&conn) {
            return Err(StoreError::IsKit {
                path: from.to_path_buf(),
                origin,
            });
        }
        report
    };
    if backup.schema_version > SCHEMA_VERSION {
        return Err(StoreError::TooNew {
            path: from.to_path_buf(),
            found: backup.schema_version,
            known: SCHEMA_VERSION,
        });
    }
    let mut kept = None;
    let mut set_aside = 0;
    let mode = store_mode(target.exists().then_some(target));
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
        // The decisions only the live store holds (a damaged store's cannot be read: all of
        // it is kept as it is).
        let keep = kept_name(target);
        let set_aside_check = |only_here: &[DecisionKey], keep: &Path| -> Result<i64> {
            match only_here.first() {
                Some(first) if !force => Err(StoreError::WouldSetAside {
                    backup: from.to_path_buf(),
                    count: only_here.len() as i64,
                    first: format!("{} {} by {} at {}", first.1, first.0, first.2, first.3),
                    kept_at: keep.to_path_buf(),
                }),
                _ => Ok(only_here.len() as i64),
            }
        };
        if let Ok(only_here) = lacking(&current, &open_source(from)?) {
            set_aside = set_aside_check(&only_here, &keep)?;
        }
        // Nobody may be writing while the file is replaced.
        match current.execute_batch("BEGIN EXCLUSIVE; COMMIT;") {
            Ok(()) => {
                copy_to(&current, &keep, false)?;
                drop(current);
                // Counted again on the kept copy: a decision made since the first count is
                // in it too, and refused the same way.
                let recount = lacking(&open_rw(&keep)?, &open_source(from)?)
                    .and_then(|l| set_aside_check(&l, &keep));
                match recount {
                    Ok(n) => set_aside = n,
                    Err(e) => {
                        remove_with_sides(&keep);
                        return Err(e);
                    }
                }
            }
            // A damaged store cannot be locked, nor copied through SQLite: its bytes are kept
            // as they are (with its write-ahead log), for whatever can still be recovered.
            Err(e) if super::is_corrupt(&e) => {
                drop(current);
                let copy = |from: &Path, to: &Path| -> Result<()> {
                    let mut out = create_empty(to, 0o600)?;
                    std::fs::File::open(from)
                        .and_then(|mut f| std::io::copy(&mut f, &mut out))
                        .and_then(|_| out.sync_all())
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
    remove_with_sides(&tmp);
    let made = create_empty(&tmp, mode).and_then(|f| {
        drop(f);
        // Through SQLite, so that what the copy's write-ahead log holds comes too.
        open_source(from)?.execute("VACUUM INTO ?1", [tmp.to_string_lossy()])?;
        let conn = open_rw(&tmp)?;
        verify_conn(&conn, &tmp)?;
        // The live store is no backup record: the copy's record goes.
        conn.execute(
            "DELETE FROM meta WHERE key IN (?1, ?2, ?3)",
            [BACKUP_OF_KEY, BACKUP_HEAD_KEY, BACKUP_AT_KEY],
        )?;
        drop(conn);
        remove_sides(&tmp);
        sync(&tmp)
    });
    if let Err(e) = made {
        remove_with_sides(&tmp);
        return Err(e);
    }
    remove_sides(target);
    std::fs::rename(&tmp, target).map_err(|e| StoreError::Write {
        path: target.to_path_buf(),
        source: e,
    })?;
    // What the store is now.
    let after = {
        let conn = open_rw(target)?;
        verify_conn(&conn, target)?
    };
    Ok(BackupReport {
        replaced_kept_at: kept,
        set_aside,
        ..after
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_taken_name_gets_a_counter_and_a_kept_name_is_new_each_time() {
        let dir = tempfile::tempdir().unwrap();
        let base = dir.path().join("s.db.before-restore-x");
        let base = base.to_str().unwrap();
        assert_eq!(fresh_name(base), PathBuf::from(base));
        std::fs::write(base, b"").unwrap();
        assert_eq!(fresh_name(base), PathBuf::from(format!("{base}-2")));
        std::fs::write(format!("{base}-2-wal"), b"").unwrap();
        assert_eq!(fresh_name(base), PathBuf::from(format!("{base}-3")));
        let target = dir.path().join("s.db");
        let first = kept_name(&target);
        std::fs::write(&first, b"").unwrap();
        assert_ne!(kept_name(&target), first);
    }

    #[test]
    fn a_copy_never_replaces_a_file_unless_asked_and_is_private() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("s.db")).unwrap();
        let out = dir.path().join("copy.db");
        std::fs::write(&out, b"kept").unwrap();
        assert!(matches!(
            copy_to(&store.conn, &out, false),
            Err(StoreError::FileExists(_))
        ));
        assert_eq!(std::fs::read(&out).unwrap(), b"kept");
        let r = copy_to(&store.conn, &out, true).unwrap();
        assert_eq!(r.integrity, "ok");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let m = std::fs::metadata(&out).unwrap().permissions().mode();
            assert_eq!(m & 0o777, 0o600);
        }
        let copy = Connection::open(&out).unwrap();
        assert_eq!(meta(&copy, BACKUP_OF_KEY), Some(r.store_id));
        assert!(std::fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .all(|e| !e.file_name().to_string_lossy().ends_with(".partial")));
    }
}
