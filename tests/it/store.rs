//! The store itself: migrations, pragmas, append-only decisions, refusing foreign or newer files.

use precre::store::schema::SCHEMA_VERSION;
use precre::store::{Store, StoreError};

fn user_version(conn: &rusqlite::Connection) -> i64 {
    conn.query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap()
}

#[test]
fn a_new_store_is_migrated_with_wal_and_foreign_keys() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    drop(Store::open(&path).unwrap());
    let conn = rusqlite::Connection::open(&path).unwrap();
    assert_eq!(user_version(&conn), SCHEMA_VERSION);
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    // Reopening an up-to-date store is a no-op.
    let store = Store::open(&path).unwrap();
    let tables: Vec<String> = store
        .table_counts()
        .unwrap()
        .into_iter()
        .map(|(t, _)| t)
        .collect();
    for t in [
        "firms",
        "statements",
        "factors",
        "applications",
        "outcomes",
        "feature_sets",
        "models",
        "predictions",
        "decisions",
    ] {
        assert!(tables.contains(&t.to_string()), "table {t}");
    }
}

#[test]
fn decisions_are_append_only() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    drop(Store::open(&path).unwrap());
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch(
        "PRAGMA foreign_keys=ON;
         INSERT INTO firms(id, name, sector) VALUES ('F', 'Firm', 'retail');
         INSERT INTO applications(id, firm_id, amount, term_months, submitted) VALUES ('A', 'F', 100, 12, '2025-01-01');
         INSERT INTO decisions(application_id, decision, analyst) VALUES ('A', 'approve', 'kim');",
    )
    .unwrap();
    let upd = conn.execute("UPDATE decisions SET decision = 'decline'", []);
    assert!(upd.unwrap_err().to_string().contains("append-only"));
    assert!(conn.execute("DELETE FROM decisions", []).is_err());
    // A decision on an unknown application is refused by the foreign key.
    assert!(conn.execute("INSERT INTO decisions(application_id, decision, analyst) VALUES ('nope', 'approve', 'kim')", []).is_err());
}

#[test]
fn newer_and_foreign_files_are_refused_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let newer = dir.path().join("newer.db");
    rusqlite::Connection::open(&newer)
        .unwrap()
        .execute_batch("PRAGMA user_version = 99;")
        .unwrap();
    let err = Store::open(&newer).err().unwrap();
    assert!(matches!(err, StoreError::TooNew { found: 99, .. }), "{err}");
    assert!(err.to_string().contains("upgrade precre"));

    let foreign = dir.path().join("foreign.db");
    rusqlite::Connection::open(&foreign)
        .unwrap()
        .execute_batch("CREATE TABLE t(x);")
        .unwrap();
    let err = Store::open(&foreign).err().unwrap();
    assert!(matches!(err, StoreError::Foreign(_)), "{err}");
}

#[test]
fn a_version_1_store_gains_the_later_indexes_and_keeps_its_rows() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    {
        let mut store = Store::open(&path).unwrap();
        precre::demo::load(&mut store, None, false).unwrap();
    }
    // Back to what version 1 had.
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch(
        "DROP INDEX outcomes_latest; DROP INDEX statements_latest; PRAGMA user_version = 1;",
    )
    .unwrap();
    drop(conn);
    let store = Store::open(&path).unwrap();
    // The store was copied, verified, before the migration.
    let copy = dir.path().join("s.db.v1.backup");
    let c = rusqlite::Connection::open(&copy).unwrap();
    assert_eq!(user_version(&c), 1, "the copy is of the version-1 store");
    let ok: String = c
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ok, "ok");
    let mix = store.class_mix().unwrap();
    let conn = rusqlite::Connection::open(&path).unwrap();
    assert_eq!(user_version(&conn), SCHEMA_VERSION);
    for index in ["outcomes_latest", "statements_latest"] {
        let found: i64 = conn
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = ?1",
                [index],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(found, 1, "{index}");
    }
    // The demo's class counts (data/README.md): bad 426, satisfactory 519, good 1,455.
    let count = |c: &str| mix.iter().find(|(k, _)| k == c).map(|(_, n)| *n);
    assert_eq!(count("bad"), Some(426));
    assert_eq!(count("satisfactory"), Some(519));
    assert_eq!(count("good"), Some(1455));
}
