//! Looking at a store file that may be damaged, foreign or of another schema, without changing
//! it: is it SQLite, does it pass the integrity check, which schema version, which tables can
//! be read; and where its latest backup is.

use super::check::{Finding, TableRows};
use super::schema::SCHEMA_VERSION;
use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};

/// What an inspection found: what the file is, what could be read of it, each table's rows,
/// and whether it is a healthy PRECRE store of this schema or an older one (then the full check
/// can run). A front-end lays it out.
#[derive(Debug, Clone, Default)]
pub struct Inspection {
    /// The file's size, when it is an SQLite file.
    pub size: Option<u64>,
    /// What the file is: SQLite or not, its schema version.
    pub file: Vec<Finding>,
    /// What could be read of it: the integrity check and the tables that cannot be read.
    pub findings: Vec<Finding>,
    /// Each table that can be read, with its rows.
    pub tables: Vec<TableRows>,
    /// Intact, with PRECRE's tables, of this schema or an older one (then the full check runs;
    /// it repeats no integrity check of its own).
    pub healthy: bool,
    pub schema_version: Option<i64>,
    pub store_id: Option<String>,
    /// The backup last written of it, as its `meta` records.
    pub last_backup: Option<PathBuf>,
}

impl Inspection {
    /// The findings, of the file and of its content, that are not fine.
    pub fn problems(&self) -> usize {
        self.file
            .iter()
            .chain(&self.findings)
            .filter(|f| !f.ok)
            .count()
    }

    fn add(&mut self, ok: bool, what: String) {
        self.findings.push(Finding { ok, what });
    }

    fn add_file(&mut self, ok: bool, what: String) {
        self.file.push(Finding { ok, what });
    }
}

/// SQLite's `integrity_check`: "ok", or each problem it found.
pub(crate) fn integrity_check(conn: &Connection) -> rusqlite::Result<Vec<String>> {
    conn.prepare("PRAGMA integrity_check")?
        .query_map([], |row| row.get(0))?
        .collect()
}

/// Whether the file starts with SQLite's header.
fn is_sqlite_file(path: &Path) -> bool {
    use std::io::Read;
    let mut head = [0u8; 16];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut head))
        .is_ok()
        && &head == b"SQLite format 3\0"
}

/// The tables a store of this schema holds: those a fresh store gets from the migrations.
fn expected_tables() -> Vec<String> {
    super::Store::open_in_memory()
        .and_then(|s| s.table_counts())
        .map(|t| t.into_iter().map(|(name, _)| name).collect())
        .unwrap_or_default()
}

/// Inspects the file at `path`, read-only.
pub fn inspect(path: &Path) -> Inspection {
    let mut r = Inspection::default();
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) => {
            r.add_file(false, format!("{}: {e}", path.display()));
            return r;
        }
    };
    if meta.len() == 0 {
        r.add_file(false, format!("{} is empty (0 bytes)", path.display()));
        return r;
    }
    if !is_sqlite_file(path) {
        r.add_file(
            false,
            format!(
                "{} is not an SQLite database (its first bytes are not SQLite's header): not a \
                 store, or overwritten from the start",
                path.display()
            ),
        );
        return r;
    }
    r.size = Some(meta.len());
    let conn = match Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY) {
        Ok(c) => c,
        Err(e) => {
            r.add(false, format!("cannot open it read-only: {e}"));
            return r;
        }
    };
    let intact = match integrity_check(&conn) {
        Ok(lines) if lines.len() == 1 && lines[0] == "ok" => {
            r.add(true, "integrity check".into());
            true
        }
        Ok(lines) => {
            let shown: Vec<&str> = lines.iter().take(3).map(String::as_str).collect();
            let more = lines.len().saturating_sub(3);
            let tail = if more > 0 {
                format!("; and {more} more")
            } else {
                String::new()
            };
            r.add(
                false,
                format!("integrity check: {}{tail}", shown.join("; ")),
            );
            false
        }
        Err(e) => {
            r.add(false, format!("integrity check cannot run: {e}"));
            false
        }
    };
    // A damaged file whose schema SQLite cannot parse still has its version in the header.
    let version = conn
        .query_row("PRAGMA user_version", [], |row| row.get::<_, i64>(0))
        .or_else(|e| raw_user_version(path).ok_or(e));
    let meta_value = |key: &str| {
        conn.query_row("SELECT value FROM meta WHERE key = ?1", [key], |row| {
            row.get::<_, String>(0)
        })
        .ok()
    };
    r.store_id = meta_value("store_id").or_else(|| raw_store_id(path));
    r.last_backup = meta_value("last_backup").map(PathBuf::from);
    let names: rusqlite::Result<Vec<String>> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
        .and_then(|mut st| st.query_map([], |row| row.get(0))?.collect());
    let names = match names {
        Ok(n) => n,
        Err(e) => {
            r.add(
                false,
                format!(
                    "its list of tables cannot be read ({e}): no table can be read through SQLite"
                ),
            );
            schema_line(&mut r, version, true);
            return r;
        }
    };
    let precre_store = ["firms", "meta"]
        .iter()
        .all(|t| names.iter().any(|n| n == t));
    schema_line(&mut r, version, precre_store);
    if !precre_store {
        let expected = expected_tables();
        r.add(
            false,
            format!(
                "not a PRECRE store: it has no firms and meta tables (a store holds {})",
                expected.join(", ")
            ),
        );
        return r;
    }
    for table in &names {
        // Names come from the file's own catalogue: quoted as identifiers.
        let counted = conn.query_row(
            &format!("SELECT count(*) FROM \"{}\"", table.replace('"', "\"\"")),
            [],
            |row| row.get::<_, i64>(0),
        );
        match counted {
            Ok(rows) => r.tables.push(TableRows {
                table: table.clone(),
                rows,
            }),
            Err(e) => r.add(false, format!("table {table} unreadable: {e}")),
        }
    }
    if r.schema_version == Some(SCHEMA_VERSION) {
        let missing: Vec<String> = expected_tables()
            .into_iter()
            .filter(|t| !names.contains(t))
            .collect();
        if !missing.is_empty() {
            r.add(false, format!("tables missing: {}", missing.join(", ")));
        }
    }
    // An older schema is healthy too: the full check opens it, which migrates it (after a
    // verified backup beside it), as any first use does.
    r.healthy =
        intact && r.problems() == 0 && r.schema_version.is_some_and(|v| v <= SCHEMA_VERSION);
    r
}

/// The schema version line; `precre_store` = false leaves out what it would mean for a store.
fn schema_line(r: &mut Inspection, version: rusqlite::Result<i64>, precre_store: bool) {
    match version {
        Ok(v) => {
            r.schema_version = Some(v);
            if !precre_store {
                r.add_file(true, format!("schema version {v}"));
                return;
            }
            let note = match v.cmp(&SCHEMA_VERSION) {
                std::cmp::Ordering::Equal => String::new(),
                std::cmp::Ordering::Less => format!(
                    " (older than this precre's {SCHEMA_VERSION}: it is migrated on first use, \
                     after a backup beside it)"
                ),
                std::cmp::Ordering::Greater => format!(
                    " (newer than this precre's {SCHEMA_VERSION}: use the precre that wrote it)"
                ),
            };
            r.add_file(v <= SCHEMA_VERSION, format!("schema version {v}{note}"));
        }
        Err(e) => r.add_file(false, format!("schema version unreadable: {e}")),
    }
}

/// The schema version from the file's header (`user_version`: 4 bytes, big-endian, at byte
/// 60), for a file whose schema SQLite cannot read.
fn raw_user_version(path: &Path) -> Option<i64> {
    use std::io::Read;
    let mut header = [0u8; 100];
    std::fs::File::open(path)
        .ok()?
        .read_exact(&mut header)
        .ok()?;
    if !header.starts_with(b"SQLite format 3\0") {
        return None;
    }
    let v = u32::from_be_bytes([header[60], header[61], header[62], header[63]]);
    Some(i64::from(v))
}

/// The store id read from the raw bytes of a file SQLite cannot read: the `meta` row is
/// written early, so its text (`store_id` then 16 hex digits) sits in the first pages.
pub(crate) fn raw_store_id(path: &Path) -> Option<String> {
    use std::io::Read;
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .ok()?
        .take(4 << 20)
        .read_to_end(&mut bytes)
        .ok()?;
    let key = b"store_id";
    bytes.windows(key.len() + 16).find_map(|w| {
        let (k, v) = w.split_at(key.len());
        (k == key && v.iter().all(u8::is_ascii_hexdigit))
            .then(|| String::from_utf8_lossy(v).to_string())
    })
}

/// A backup of the store at `store` found on disk: the newest verified one.
#[derive(Debug, Clone)]
pub struct FoundBackup {
    pub path: PathBuf,
    pub modified: std::time::SystemTime,
    pub schema_version: i64,
}

/// The newest intact backup of the store at `store`: the one its `meta` names as the last
/// taken (`named`), and every file in its folder that is a copy of it (the same store id, or,
/// when the store's id cannot be read, a name made from the store's: `s.db.v4.backup`,
/// `s.db.before-restore-...`, `s.backup.db`...). Only a true backup counts: never a kit; never
/// a copy decided in since it was taken (its chain's head differs from the one its backup
/// record holds); never a copy holding decisions the store does not (its chain's head is not
/// one of the store's decisions, when the store can be read). Candidates are tried newest
/// first; the first that passes `quick_check` is the answer (one check, not one a file in the
/// folder).
pub fn latest_backup(
    store: &Path,
    store_id: Option<&str>,
    named: Option<&Path>,
) -> Option<FoundBackup> {
    let dir = store
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let stem = store
        .file_stem()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_default();
    let live = Connection::open_with_flags(store, OpenFlags::SQLITE_OPEN_READ_ONLY).ok();
    let mut candidates: Vec<PathBuf> = named.map(Path::to_path_buf).into_iter().collect();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            if p.is_file() && !same_file(&p, store) && !candidates.iter().any(|c| same_file(c, &p))
            {
                candidates.push(p);
            }
        }
    }
    let mut ours: Vec<FoundBackup> = candidates
        .into_iter()
        .filter_map(|p| {
            let name = p.file_name()?.to_string_lossy().to_string();
            if name.ends_with("-wal") || name.ends_with("-shm") || name.ends_with(".partial") {
                return None;
            }
            let found = backup_identity(&p)?;
            let (id, schema_version) = (found.id.clone(), found.schema_version);
            if !found.is_backup_of(live.as_ref()) {
                return None;
            }
            let same_store = match (store_id, id.as_deref()) {
                (Some(want), Some(got)) => want == got,
                _ => {
                    name.starts_with(&stem)
                        && ["backup", "before-restore", "bak"]
                            .iter()
                            .any(|w| name.contains(w))
                }
            };
            let modified = std::fs::metadata(&p).and_then(|m| m.modified()).ok()?;
            same_store.then_some(FoundBackup {
                path: p,
                modified,
                schema_version,
            })
        })
        .collect();
    ours.sort_by_key(|b| std::cmp::Reverse(b.modified));
    ours.into_iter().find(|b| passes_quick_check(&b.path))
}

fn passes_quick_check(path: &Path) -> bool {
    Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .and_then(|c| c.query_row("PRAGMA quick_check", [], |r| r.get::<_, String>(0)))
        .is_ok_and(|q| q == "ok")
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    }
}

/// What makes an SQLite file a backup or not.
struct Identity {
    id: Option<String>,
    schema_version: i64,
    /// It records itself as a kit.
    kit: bool,
    /// Its decision chain's head (`id:hash`), and the one its backup record holds.
    head: Option<String>,
    recorded_head: Option<String>,
}

impl Identity {
    /// Not a kit, not decided in since it was taken, and (when the live store can be read)
    /// holding no decision the live store does not: its chain's head is one of the store's.
    fn is_backup_of(&self, live: Option<&Connection>) -> bool {
        if self.kit {
            return false;
        }
        if let Some(recorded) = &self.recorded_head {
            if self.head.as_deref().unwrap_or("") != recorded {
                return false;
            }
        }
        let (Some(live), Some(head)) = (live, self.head.as_deref()) else {
            return true;
        };
        let Some((id, hash)) = head.split_once(':') else {
            return false;
        };
        match live.query_row(
            "SELECT chain_hash FROM decisions WHERE id = ?1",
            [id],
            |r| r.get::<_, Option<String>>(0),
        ) {
            Ok(h) => h.as_deref() == Some(hash),
            Err(rusqlite::Error::QueryReturnedNoRows) => false,
            // The live store cannot be read: the copy's own record answers.
            Err(_) => true,
        }
    }
}

/// The identity of an SQLite file that is a PRECRE store (its firms can be counted); `None`
/// for anything else.
fn backup_identity(path: &Path) -> Option<Identity> {
    if !is_sqlite_file(path) {
        return None;
    }
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY).ok()?;
    conn.query_row("SELECT count(*) FROM firms", [], |r| r.get::<_, i64>(0))
        .ok()?;
    let schema_version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .ok()?;
    let meta = |key: &str| -> Option<String> {
        conn.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .ok()
    };
    use super::backup::{BACKUP_HEAD_KEY, KIT_ORIGIN_KEY};
    Some(Identity {
        id: meta("store_id"),
        schema_version,
        kit: meta(KIT_ORIGIN_KEY).is_some(),
        head: meta("decision_chain_head"),
        recorded_head: meta(BACKUP_HEAD_KEY),
    })
}
