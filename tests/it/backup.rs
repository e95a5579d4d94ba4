//! Backups (issue 15, item 5): a backup taken while four processes decide and an import runs is
//! consistent (integrity, every decision complete with its application's status, every imported
//! feature set whole); a restore puts it back, keeps the replaced store, and refuses a damaged
//! copy or a copy of another store without --force.

use crate::common;

use common::run;
use std::path::Path;

fn pending(db: &Path) -> Vec<String> {
    let (_, out, _) = run(db, &["queue", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    v["applications"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["application_id"].as_str().unwrap().to_string())
        .collect()
}

/// The copy is whole: integrity ok, each decision (all refers here) matches its application's
/// status, each feature set holds as many rows as it says.
fn assert_consistent(copy: &Path) -> (i64, i64) {
    let c = rusqlite::Connection::open(copy).unwrap();
    let ok: String = c
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ok, "ok", "{}", copy.display());
    let decisions: i64 = c
        .query_row("SELECT count(*) FROM decisions", [], |r| r.get(0))
        .unwrap();
    let referred: i64 = c
        .query_row(
            "SELECT count(*) FROM applications WHERE status = 'referred'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        decisions,
        referred,
        "{}: a decision without its status, or the reverse",
        copy.display()
    );
    let torn: i64 = c
        .query_row(
            "SELECT count(*) FROM feature_sets s WHERE s.n_rows != (SELECT count(*) FROM feature_rows r WHERE r.set_id = s.id)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(torn, 0, "{}: a feature set half imported", copy.display());
    let sets: i64 = c
        .query_row("SELECT count(*) FROM feature_sets", [], |r| r.get(0))
        .unwrap();
    (decisions, sets)
}

#[test]
fn a_backup_under_load_is_consistent_and_restores() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("live.db");
    assert_eq!(run(&db, &["demo"]).0, Some(0));
    let queue = pending(&db);
    assert_eq!(queue.len(), 48);
    // A feature table to import while the analysts decide.
    let table = dir.path().join("table.csv");
    let mut text = String::from("id,a,b,c,d,e,label\n");
    for i in 0..30_000 {
        text.push_str(&format!(
            "r{i},{},{},{},{},{},{}\n",
            i % 7,
            i % 11,
            i % 13,
            i % 17,
            i % 19,
            i % 3
        ));
    }
    std::fs::write(&table, text).unwrap();
    let deciders: Vec<_> = (0..4)
        .map(|k| {
            let db = db.clone();
            let apps: Vec<String> = queue.iter().skip(k * 12).take(12).cloned().collect();
            std::thread::spawn(move || {
                for app in apps {
                    let analyst = format!("a{k}");
                    let (code, _, err) = run(
                        &db,
                        &[
                            "decide",
                            &app,
                            "--refer",
                            "--analyst",
                            &analyst,
                            "--note",
                            "load",
                        ],
                    );
                    assert_eq!(code, Some(0), "{err}");
                }
            })
        })
        .collect();
    let importer = {
        let (db, table) = (db.clone(), table.clone());
        std::thread::spawn(move || {
            for name in ["t1", "t2"] {
                let file = table.to_str().unwrap();
                let (code, _, err) = run(
                    &db,
                    &[
                        "import", file, "--kind", "features", "--id", "id", "--label", "label",
                        "--name", name,
                    ],
                );
                assert_eq!(code, Some(0), "{err}");
            }
        })
    };
    let mut copies = Vec::new();
    let mut k = 0;
    while !(deciders.iter().all(|h| h.is_finished()) && importer.is_finished()) || copies.len() < 3
    {
        let copy = dir.path().join(format!("copy{k}.db"));
        let (code, out, err) = run(&db, &["backup", "--out", copy.to_str().unwrap()]);
        assert_eq!(code, Some(0), "{err}");
        assert!(out.contains("integrity check: ok"), "{out}");
        copies.push(copy);
        k += 1;
        std::thread::sleep(std::time::Duration::from_millis(150));
    }
    for h in deciders {
        h.join().unwrap();
    }
    importer.join().unwrap();
    let mut seen = Vec::new();
    for c in &copies {
        seen.push(assert_consistent(c));
    }
    eprintln!(
        "{} backups under load: (decisions, feature sets) {seen:?}",
        copies.len()
    );
    // A last backup after the load holds everything.
    let last = dir.path().join("last.db");
    assert_eq!(
        run(&db, &["backup", "--out", last.to_str().unwrap()]).0,
        Some(0)
    );
    assert_eq!(assert_consistent(&last), (48, 2));
    // Writing over an existing file needs --force.
    let (code, _, err) = run(&db, &["backup", "--out", last.to_str().unwrap()]);
    assert_ne!(code, Some(0));
    assert!(err.contains("exists") && err.contains("--force"), "{err}");

    // Restore the first copy: the store goes back, the replaced one is kept beside it.
    let first = &copies[0];
    let before = assert_consistent(first);
    let (code, out, err) = run(&db, &["restore", first.to_str().unwrap()]);
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("kept at"), "{out}");
    assert_eq!(assert_consistent(&db), before);
    assert_eq!(
        assert_consistent(&dir.path().join("live.db.before-restore")),
        (48, 2)
    );
    assert_eq!(pending(&db).len() as i64, 48 - before.0);

    // A damaged copy is refused and the store is left as it was.
    let broken = dir.path().join("broken.db");
    let bytes = std::fs::read(&last).unwrap();
    std::fs::write(&broken, &bytes[..bytes.len() / 3]).unwrap();
    let (code, _, err) = run(&db, &["restore", broken.to_str().unwrap()]);
    assert_ne!(code, Some(0));
    assert!(err.contains("broken.db"), "{err}");
    assert_eq!(assert_consistent(&db), before);

    // A backup from a newer PRECRE (a schema this one does not know): refused.
    let newer = dir.path().join("newer.db");
    std::fs::copy(&last, &newer).unwrap();
    rusqlite::Connection::open(&newer)
        .unwrap()
        .execute_batch("PRAGMA user_version = 99;")
        .unwrap();
    let (code, _, err) = run(&db, &["restore", newer.to_str().unwrap()]);
    assert_ne!(code, Some(0));
    assert!(err.contains("newer.db"), "{err}");
    assert_eq!(assert_consistent(&db), before);

    // A backup of another store: refused without --force.
    let other = dir.path().join("other.db");
    assert_eq!(run(&other, &["demo"]).0, Some(0));
    let (code, _, err) = run(&other, &["restore", last.to_str().unwrap()]);
    assert_ne!(code, Some(0));
    assert!(
        err.contains("another store") && err.contains("--force"),
        "{err}"
    );
    let (code, _, err) = run(&other, &["restore", last.to_str().unwrap(), "--force"]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(assert_consistent(&other), (48, 2));
}
