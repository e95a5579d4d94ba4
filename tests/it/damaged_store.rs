//! Damaged and foreign stores (issue 15, item 4): any command on one says in one sentence which
//! file and what to do; `precre check` reports what it can read (integrity, the schema version,
//! each table) instead of failing to open it, and points to the latest backup and how to
//! restore it.

use crate::common;

use common::run;
use std::path::Path;

/// A small store (firms, statements, a model) and a verified backup of it beside it.
fn store_and_backup(dir: &Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let db = dir.join("s.db");
    let firms = dir.join("firms.csv");
    std::fs::write(
        &firms,
        "id,name,sector\nA,Alpha,retail\nB,Beta,retail\nC,Gamma,manufacturing\n",
    )
    .unwrap();
    let (code, _, err) = run(&db, &["import", firms.to_str().unwrap(), "--kind", "firms"]);
    assert_eq!(code, Some(0), "{err}");
    let backup = dir.join("s.backup.db");
    let (code, out, err) = run(&db, &["backup", "--out", backup.to_str().unwrap()]);
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("integrity check: ok"), "{out}");
    (db, backup)
}

#[test]
fn check_reports_a_truncated_store_and_points_to_the_backup() {
    let dir = tempfile::tempdir().unwrap();
    let (db, backup) = store_and_backup(dir.path());
    // Grow the store so that cutting it loses table pages, then cut it in half.
    let big = dir.path().join("more.csv");
    let rows: String = (0..4000)
        .map(|i| format!("F{i},Firm number {i} with a longer name,retail\n"))
        .collect();
    std::fs::write(&big, format!("id,name,sector\n{rows}")).unwrap();
    let (code, _, err) = run(&db, &["import", big.to_str().unwrap(), "--kind", "firms"]);
    assert_eq!(code, Some(0), "{err}");
    let len = std::fs::metadata(&db).unwrap().len();
    let f = std::fs::OpenOptions::new().write(true).open(&db).unwrap();
    f.set_len(len / 2).unwrap();
    drop(f);

    // Any other command: one sentence naming the file and what to do.
    let (code, out, err) = run(&db, &["firms"]);
    assert_eq!(code, Some(1), "{out}{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(
        err.contains("s.db") && err.contains("damaged") && err.contains("precre check"),
        "{err}"
    );

    // check reports instead of failing to open it.
    let (code, out, err) = run(&db, &["check"]);
    assert_eq!(code, Some(1), "{out}{err}");
    assert!(out.contains("ok      SQLite file"), "{out}");
    // Read from the header where SQLite cannot parse the damaged schema.
    let version = format!("schema version {}", precre::store::schema::SCHEMA_VERSION);
    assert!(out.contains(&version), "{out}");
    assert!(out.contains("PROBLEM"), "{out}");
    assert!(
        out.contains("integrity check") || out.contains("unreadable"),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "latest backup: {}",
            backup.canonicalize().unwrap().display()
        )) || out.contains(&format!("latest backup: {}", backup.display())),
        "{out}"
    );
    assert!(out.contains("to recover: precre --db"), "{out}");
    assert!(err.contains("problem(s) found in"), "{err}");

    // The restore it points to works, and check is then clean.
    let (code, _, err) = run(&db, &["restore", backup.to_str().unwrap(), "--force"]);
    assert_eq!(code, Some(0), "{err}");
    let (code, out, err) = run(&db, &["check"]);
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(out.contains("the store is consistent"), "{out}");
    assert!(out.contains("firms: 3 rows"), "{out}");
}

#[test]
fn check_says_what_a_foreign_or_empty_file_is() {
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("notes.db");
    std::fs::write(&text, "these are my notes, not a database\n").unwrap();
    let (code, out, _) = run(&text, &["check"]);
    assert_eq!(code, Some(1));
    assert!(out.contains("is not an SQLite database"), "{out}");
    assert!(out.contains("no backup of this store found"), "{out}");

    let empty = dir.path().join("empty.db");
    std::fs::write(&empty, "").unwrap();
    let (code, out, _) = run(&empty, &["check"]);
    assert_eq!(code, Some(1));
    assert!(out.contains("is empty (0 bytes)"), "{out}");

    // An SQLite file of another program.
    let other = dir.path().join("other.db");
    let conn = rusqlite::Connection::open(&other).unwrap();
    conn.execute_batch("CREATE TABLE songs(title TEXT); INSERT INTO songs VALUES ('a');")
        .unwrap();
    drop(conn);
    let (code, out, _) = run(&other, &["check"]);
    assert_eq!(code, Some(1));
    assert!(out.contains("ok      integrity check"), "{out}");
    assert!(out.contains("not a PRECRE store"), "{out}");
    let (code, _, err) = run(&other, &["firms"]);
    assert_eq!(code, Some(1));
    assert!(
        err.contains("other.db") && err.contains("not a PRECRE store"),
        "{err}"
    );

    // No file at all: said (the path is the user's to fix: exit 2), and nothing is created.
    let none = dir.path().join("none.db");
    let (code, _, err) = run(&none, &["check"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("there is no store at"), "{err}");
    assert!(!none.exists());
}
