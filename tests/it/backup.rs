//! Backups (issue 15, item 5): a backup taken while four processes decide and an import runs is
//! consistent (integrity, every decision complete with its application's status, every imported
//! feature set whole); a restore puts it back, keeps the replaced store, and refuses a damaged
//! copy or a copy of another store without --force.

use crate::common;

use common::run;
use std::path::{Path, PathBuf};

/// The files in `dir` whose name starts with `prefix`, sorted.
fn files(dir: &Path, prefix: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with(prefix))
        .collect();
    v.sort();
    v
}

/// The decisions of a store file: (application, analyst, time).
fn decisions_in(db: &Path) -> Vec<(String, String, String)> {
    let c = rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .unwrap();
    let mut st = c
        .prepare("SELECT application_id, analyst, decided_at FROM decisions ORDER BY id")
        .unwrap();
    let rows = st
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap();
    rows.map(Result::unwrap).collect()
}

/// The permission bits of a file.
fn mode(p: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

/// Every file in `dir` (a store, a backup, a kept copy, their -wal and -shm) is its owner's
/// only; none is a leftover of a restore or a backup.
fn assert_private_and_tidy(dir: &Path) {
    for p in files(dir, "") {
        let name = p.file_name().unwrap().to_string_lossy().to_string();
        if name.ends_with(".csv") {
            continue;
        }
        assert_eq!(mode(&p), 0o600, "{name} is {:o}", mode(&p));
        assert!(
            !name.contains(".restoring") && !name.contains(".partial"),
            "a leftover: {name}"
        );
    }
}

/// The line of `check` that names the latest backup, if any.
fn latest_backup(db: &Path) -> Option<String> {
    let (code, out, err) = run(db, &["check"]);
    assert_eq!(code, Some(0), "{out}{err}");
    out.lines()
        .find(|l| l.starts_with("latest backup:"))
        .map(str::to_string)
}

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
    // It lacks decisions the store holds: refused until --force, which keeps them aside.
    let (code, _, err) = run(&db, &["restore", first.to_str().unwrap()]);
    assert_ne!(code, Some(0));
    assert!(
        err.contains("--force") && err.contains("before-restore"),
        "{err}"
    );
    assert_eq!(assert_consistent(&db), (48, 2));
    let (code, out, err) = run(&db, &["restore", first.to_str().unwrap(), "--force"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("kept at"), "{out}");
    assert_eq!(assert_consistent(&db), before);
    let kept = files(dir.path(), "live.db.before-restore-");
    assert_eq!(kept.len(), 1, "{kept:?}");
    assert_eq!(assert_consistent(&kept[0]), (48, 2));
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

/// Issue 26, item 5: the sequence that lost kim's decision. A laptop copy taken with `backup`
/// (same store id) is decided in by lee while kim decides on the server; restoring it is refused
/// until --force, which keeps kim's decision aside in a new file; restoring that file back keeps
/// lee's in another new file. No decision is lost, no kept copy is written over, nothing is left
/// behind, every file is 0600, and `check` never calls the diverged copy a backup.
#[test]
fn restore_never_loses_a_decision() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.db");
    let b = dir.path().join("b.db");
    assert_eq!(run(&a, &["demo"]).0, Some(0));
    let app = pending(&a)[0].clone();
    let (code, _, err) = run(&a, &["backup", "--out", b.to_str().unwrap()]);
    assert_eq!(code, Some(0), "{err}");
    for (db, who) in [(&a, "kim"), (&b, "lee")] {
        let (code, _, err) = run(db, &["--analyst", who, "decide", &app, "--refer"]);
        assert_eq!(code, Some(0), "{err}");
    }
    let kim = decisions_in(&a);
    let lee = decisions_in(&b);
    assert_eq!((kim[0].1.as_str(), lee[0].1.as_str()), ("kim", "lee"));
    // The laptop's copy has been decided in since it was taken: no backup of the server.
    assert!(
        latest_backup(&a).is_none_or(|l| !l.contains("b.db")),
        "{:?}",
        latest_backup(&a)
    );

    // Restoring it would set kim's decision aside: refused, nothing changed.
    let (code, _, err) = run(&a, &["restore", b.to_str().unwrap()]);
    assert_ne!(code, Some(0));
    assert!(
        err.contains("1 decision") && err.contains("kim") && err.contains("--force"),
        "{err}"
    );
    assert!(
        err.contains("a.db.before-restore-"),
        "where they would be kept: {err}"
    );
    assert_eq!(decisions_in(&a), kim);
    assert!(files(dir.path(), "a.db.before-restore").is_empty());

    // With --force: kim's decision is kept aside, and the command says where.
    let (code, out, err) = run(&a, &["restore", b.to_str().unwrap(), "--force"]);
    assert_eq!(code, Some(0), "{err}");
    let first = files(dir.path(), "a.db.before-restore-");
    assert_eq!(first.len(), 1, "{first:?}");
    let first = first[0].clone();
    assert!(out.contains(&*first.to_string_lossy()), "{out}");
    assert!(out.contains("1 decision(s) of the replaced store"), "{out}");
    // What it prints is the store as it is now: lee's one decision.
    assert!(out.contains("1 decisions"), "{out}");
    assert_eq!(decisions_in(&a), lee);
    assert_eq!(decisions_in(&first), kim);

    // Restoring the kept copy back: lee's decision would be set aside in turn.
    let (code, _, err) = run(&a, &["restore", first.to_str().unwrap()]);
    assert_ne!(code, Some(0));
    assert!(err.contains("lee") && err.contains("--force"), "{err}");
    assert_eq!(decisions_in(&a), lee);
    let (code, out, err) = run(&a, &["restore", first.to_str().unwrap(), "--force"]);
    assert_eq!(code, Some(0), "{err}");
    let kept = files(dir.path(), "a.db.before-restore-");
    assert_eq!(kept.len(), 2, "a new name, never over the first: {kept:?}");
    let second = kept.iter().find(|k| **k != first).unwrap().clone();
    assert!(out.contains(&*second.to_string_lossy()), "{out}");
    // Nothing lost: kim's on the server (and in the first kept copy), lee's in the second
    // kept copy (and on the laptop).
    assert_eq!(decisions_in(&a), kim);
    assert_eq!(decisions_in(&first), kim);
    assert_eq!(decisions_in(&second), lee);
    assert_private_and_tidy(dir.path());
    // The copy holding lee's decision is no backup of the server; the one it came from is.
    let line = latest_backup(&a).unwrap_or_default();
    assert!(
        !line.contains("b.db") && !line.contains(&*second.to_string_lossy()),
        "{line}"
    );
    let (code, _, err) = run(&a, &["check"]);
    assert_eq!(code, Some(0), "{err}");
}

/// An older backup (before two decisions) and a backup with nothing missing: the first is
/// refused until --force and its missing decisions are kept aside; the second needs nothing.
/// `check` names the true backup, not the copy holding the decisions set aside.
#[test]
fn restoring_an_older_backup_sets_decisions_aside_only_with_force() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    let old = dir.path().join("old.db");
    assert_eq!(run(&db, &["demo"]).0, Some(0));
    assert_eq!(
        run(&db, &["backup", "--out", old.to_str().unwrap()]).0,
        Some(0)
    );
    for app in pending(&db).iter().take(2) {
        let (code, _, err) = run(&db, &["--analyst", "kim", "decide", app, "--refer"]);
        assert_eq!(code, Some(0), "{err}");
    }
    let made = decisions_in(&db);
    assert_eq!(made.len(), 2);
    let (code, _, err) = run(&db, &["restore", old.to_str().unwrap()]);
    assert_ne!(code, Some(0));
    assert!(err.contains("2 decision(s)"), "{err}");
    assert_eq!(decisions_in(&db), made);
    let (code, out, err) = run(&db, &["restore", old.to_str().unwrap(), "--force"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("0 decisions"), "{out}");
    assert!(out.contains("2 decision(s) of the replaced store"), "{out}");
    let kept = files(dir.path(), "s.db.before-restore-");
    assert_eq!(kept.len(), 1);
    assert_eq!(decisions_in(&kept[0]), made);
    let line = latest_backup(&db).unwrap();
    assert!(
        line.contains("old.db") && !line.contains("before-restore"),
        "{line}"
    );
    // A fresh backup lacks nothing: restored without --force, kept under another new name.
    let fresh = dir.path().join("fresh.db");
    assert_eq!(
        run(&db, &["backup", "--out", fresh.to_str().unwrap()]).0,
        Some(0)
    );
    let (code, out, err) = run(&db, &["restore", fresh.to_str().unwrap()]);
    assert_eq!(code, Some(0), "{err}");
    assert!(!out.contains("of the replaced store are not"), "{out}");
    assert_eq!(files(dir.path(), "s.db.before-restore-").len(), 2);
    assert_private_and_tidy(dir.path());
}

/// A store that records itself as a kit is never restored, even with --force.
#[test]
fn a_kit_is_never_restored() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    let kit = dir.path().join("kit.db");
    assert_eq!(run(&db, &["demo"]).0, Some(0));
    assert_eq!(
        run(&db, &["backup", "--out", kit.to_str().unwrap()]).0,
        Some(0)
    );
    let c = rusqlite::Connection::open(&kit).unwrap();
    c.execute(
        "INSERT INTO meta(key, value) VALUES (?1, 'server')",
        [precre::store::backup::KIT_ORIGIN_KEY],
    )
    .unwrap();
    drop(c);
    for force in [false, true] {
        let mut args = vec!["restore", kit.to_str().unwrap()];
        if force {
            args.push("--force");
        }
        let (code, _, err) = run(&db, &args);
        assert_ne!(code, Some(0));
        assert!(err.contains("precre kit in"), "{err}");
    }
    assert!(files(dir.path(), "s.db.before-restore").is_empty());
    let line = latest_backup(&db).unwrap_or_default();
    assert!(!line.contains("kit.db"), "{line}");
}

/// Issue 26, item 6: the copy taken before a migration is 0600, even of a store that was
/// readable by all (a store made before this rule).
#[test]
fn the_copy_before_a_migration_is_private() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("v5.db");
    assert_eq!(run(&db, &["demo"]).0, Some(0));
    assert_eq!(mode(&db), 0o600);
    let c = rusqlite::Connection::open(&db).unwrap();
    c.execute_batch(
        "ALTER TABLE decisions DROP COLUMN challenger_id;
         ALTER TABLE decisions DROP COLUMN challenger_class;
         PRAGMA user_version = 5;",
    )
    .unwrap();
    drop(c);
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o644)).unwrap();
    let (code, out, err) = run(&db, &["check"]);
    assert_eq!(code, Some(0), "{out}{err}");
    let copy = dir.path().join("v5.db.v5.backup");
    assert!(copy.exists());
    assert_eq!(mode(&copy), 0o600);
}

/// Issue 26, item 6, whatever the umask: with umask 000 the store, a backup, the kept copy and
/// the store after a restore are still created 0600 (and their -wal and -shm follow).
#[test]
fn every_file_written_is_private_whatever_the_umask() {
    use std::os::unix::process::CommandExt;
    let open = |db: &Path, args: &[&str]| {
        let mut c = common::precre(db);
        c.args(args);
        // SAFETY: umask is async-signal-safe; nothing else runs between fork and exec.
        unsafe {
            c.pre_exec(|| {
                libc::umask(0);
                Ok(())
            });
        }
        let out = c.output().unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    let copy = dir.path().join("copy.db");
    open(&db, &["demo"]);
    open(&db, &["backup", "--out", copy.to_str().unwrap()]);
    let app = pending(&db)[0].clone();
    open(&db, &["--analyst", "kim", "decide", &app, "--refer"]);
    open(&copy, &["--analyst", "lee", "decide", &app, "--refer"]);
    open(&db, &["backup", "--out", copy.to_str().unwrap(), "--force"]);
    open(&db, &["restore", copy.to_str().unwrap()]);
    assert_eq!(files(dir.path(), "s.db.before-restore-").len(), 1);
    assert_private_and_tidy(dir.path());
}
