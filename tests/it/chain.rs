//! The tamper-evident decision log (issue 15, item 6): an edit, a deletion in the middle or at
//! the end, and a reordering of past decisions made with the sqlite3 shell (triggers dropped
//! first) are detected by `precre check`, which names the first broken decision; a store of
//! schema 4 with decisions is migrated, the chain starting after them and saying so.

use crate::common;

use common::run;
use std::path::Path;

/// A demo store with six decisions (ids 1..=6).
fn decided(dir: &Path, name: &str) -> std::path::PathBuf {
    let db = dir.join(name);
    assert_eq!(run(&db, &["demo"]).0, Some(0));
    let (_, out, _) = run(&db, &["queue", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    for a in v["applications"].as_array().unwrap().iter().take(6) {
        let app = a["application_id"].as_str().unwrap();
        let (code, _, err) = run(&db, &["decide", app, "--refer", "--note", "chain"]);
        assert_eq!(code, Some(0), "{err}");
    }
    db
}

fn tamper(db: &Path, sql: &str) {
    let c = rusqlite::Connection::open(db).unwrap();
    c.execute_batch(
        "DROP TRIGGER IF EXISTS decisions_append_only_update;
         DROP TRIGGER IF EXISTS decisions_append_only_delete;",
    )
    .unwrap();
    c.execute_batch(sql).unwrap();
}

#[test]
fn tampering_with_past_decisions_is_detected() {
    let dir = tempfile::tempdir().unwrap();
    let db = decided(dir.path(), "clean.db");
    let (code, out, _) = run(&db, &["check"]);
    assert_eq!(code, Some(0), "{out}");
    assert!(
        out.contains("decision chain: 6 decisions verified"),
        "{out}"
    );

    let cases = [
        (
            "edit",
            "UPDATE decisions SET note = 'nothing to see' WHERE id = 3",
            "decision 3 ",
        ),
        (
            "analyst",
            "UPDATE decisions SET analyst = 'someone else' WHERE id = 2",
            "decision 2 ",
        ),
        (
            "delete in the middle",
            "DELETE FROM decisions WHERE id = 4",
            "decision 5 ",
        ),
        (
            "delete at the end",
            "DELETE FROM decisions WHERE id = 6",
            "the log ends at 5",
        ),
        (
            "reorder",
            "UPDATE decisions SET id = 100 WHERE id = 2; UPDATE decisions SET id = 2 WHERE id = 3;
             UPDATE decisions SET id = 3 WHERE id = 100;",
            "decision 2 ",
        ),
    ];
    for (what, sql, named) in cases {
        let copy = dir.path().join(format!("{}.db", what.replace(' ', "_")));
        let c = rusqlite::Connection::open(&db).unwrap();
        c.execute("VACUUM INTO ?1", [copy.to_str().unwrap()])
            .unwrap();
        tamper(&copy, sql);
        let (code, out, _) = run(&copy, &["check"]);
        assert_ne!(code, Some(0), "{what}: {out}");
        let line = out
            .lines()
            .find(|l| l.contains("decision chain"))
            .unwrap_or("");
        assert!(
            line.contains("broken") && line.contains(named),
            "{what}: {line}"
        );
    }
}

#[test]
fn a_schema_4_store_starts_its_chain_at_migration() {
    let dir = tempfile::tempdir().unwrap();
    let db = decided(dir.path(), "old.db");
    // Back to schema 4: no chain column, no chain keys.
    let c = rusqlite::Connection::open(&db).unwrap();
    c.execute_batch(
        "ALTER TABLE decisions DROP COLUMN chain_hash;
         DELETE FROM meta WHERE key IN ('decision_chain_start', 'decision_chain_head');
         PRAGMA user_version = 4;",
    )
    .unwrap();
    drop(c);
    let (code, out, err) = run(&db, &["check"]);
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(
        out.contains("decision chain: 0 decisions verified (decisions up to 6 predate the chain"),
        "{out}"
    );
    let (_, q, _) = run(&db, &["queue", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&q).unwrap();
    let app = v["applications"][0]["application_id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(run(&db, &["decide", &app, "--refer"]).0, Some(0));
    let (code, out, _) = run(&db, &["check"]);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("decision chain: 1 decision verified"), "{out}");
    assert!(
        dir.path().join("old.db.v4.backup").exists(),
        "a copy before the migration"
    );
}

/// Schema 6 adds the challenger's id and class to each decision; the decisions of a schema 5
/// store keep their chain hashes (the new fields are hashed only when present), so the whole
/// chain still verifies after the migration, and new decisions extend it.
#[test]
fn a_schema_5_store_keeps_its_chain_through_the_challenger_migration() {
    let dir = tempfile::tempdir().unwrap();
    let db = decided(dir.path(), "v5.db");
    let c = rusqlite::Connection::open(&db).unwrap();
    c.execute_batch(
        "ALTER TABLE decisions DROP COLUMN challenger_id;
         ALTER TABLE decisions DROP COLUMN challenger_class;
         PRAGMA user_version = 5;",
    )
    .unwrap();
    drop(c);
    let (code, out, err) = run(&db, &["check"]);
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(
        out.contains("decision chain: 6 decisions verified"),
        "{out}"
    );
    assert!(dir.path().join("v5.db.v5.backup").exists());
    let (_, q, _) = run(&db, &["queue", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&q).unwrap();
    let app = v["applications"][0]["application_id"].as_str().unwrap();
    assert_eq!(run(&db, &["decide", app, "--refer"]).0, Some(0));
    let (code, out, _) = run(&db, &["check"]);
    assert_eq!(code, Some(0), "{out}");
    assert!(
        out.contains("decision chain: 7 decisions verified"),
        "{out}"
    );
}
