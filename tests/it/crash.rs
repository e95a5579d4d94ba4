//! Kills at random moments: `precre import` and `precre train --save` are killed (SIGKILL) at
//! seeded random points of their run; after each kill the store passes `precre check` (which
//! finishes an import killed while it was being published, see `ingest::publish`), and then
//! holds either none or all of the file's rows (never half an import), no staged file is left
//! beside it, and either no model or a whole one.

#![cfg(unix)]

use crate::common;

use precre::demo::{generate_to_dir, DemoConfig};
use precre::store::Store;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

fn precre(db: &Path) -> Command {
    let mut c = common::precre(db);
    c.env("CI", "true");
    c
}

/// A seeded sequence of fractions in [0, 1).
fn fractions(seed: u64, n: usize) -> Vec<f64> {
    let mut s = seed;
    (0..n)
        .map(|_| {
            s = s.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = s;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D1_049B_B133_111D);
            ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
        })
        .collect()
}

fn run_and_kill(mut cmd: Command, after: Duration) -> bool {
    let mut child = cmd.spawn().unwrap();
    let start = Instant::now();
    while start.elapsed() < after {
        if child.try_wait().unwrap().is_some() {
            return false; // finished before the kill
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    let _ = child.kill();
    let _ = child.wait();
    true
}

fn assert_consistent(db: &Path) {
    let out = precre(db).arg("check").output().unwrap();
    assert!(
        out.status.success(),
        "check failed after a kill:\n{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn a_killed_import_or_training_leaves_all_or_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let files = dir.path().join("files");
    std::fs::create_dir_all(&files).unwrap();
    let cfg = DemoConfig {
        firms: 6000,
        ..DemoConfig::default()
    };
    generate_to_dir(&cfg, &files).unwrap();
    let statements = files.join("statements.csv");
    let expected_rows = std::fs::read_to_string(&statements)
        .unwrap()
        .lines()
        .count() as i64
        - 1;

    // How long a whole import takes here, to spread the kills over it.
    let db = dir.path().join("kill.db");
    let import = |db: &Path, file: &Path, kind: &str| {
        let mut c = precre(db);
        c.arg("import").arg(file).args(["--kind", kind]);
        c
    };
    assert!(import(&db, &files.join("firms.csv"), "firms")
        .status()
        .unwrap()
        .success());
    let t = Instant::now();
    let timing_db = dir.path().join("timing.db");
    std::fs::copy(&db, &timing_db).unwrap();
    assert!(import(&timing_db, &statements, "statements")
        .status()
        .unwrap()
        .success());
    let full = t.elapsed();

    let mut killed = 0;
    let mut partial_seen = false;
    for f in fractions(7, 8) {
        let was_killed = run_and_kill(import(&db, &statements, "statements"), full.mul_f64(f));
        killed += usize::from(was_killed);
        let in_before_check = Store::open(&db).unwrap().count("statements").unwrap();
        partial_seen |= in_before_check > 0 && in_before_check < expected_rows;
        assert_consistent(&db);
        let store = Store::open(&db).unwrap();
        let n = store.count("statements").unwrap();
        assert!(
            n == 0 || n == expected_rows,
            "half an import: {n} of {expected_rows} statements after a kill at {:.0}% and a check",
            f * 100.0
        );
        assert!(store.import_journals().unwrap().is_empty());
        let staged: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().ends_with(".staging"))
            .map(|e| e.path())
            .collect();
        assert!(staged.is_empty(), "staged files left: {staged:?}");
    }
    assert!(
        killed > 0,
        "no run was killed: the import is faster than the kills"
    );
    eprintln!("crash: a kill landed mid-publication (rolled forward by check): {partial_seen}");

    // Training with --save, killed at random points: no model or a whole, loadable one.
    assert!(import(&db, &statements, "statements")
        .status()
        .unwrap()
        .success());
    assert!(import(&db, &files.join("outcomes.csv"), "outcomes")
        .status()
        .unwrap()
        .success());
    let train = |db: &Path| {
        let mut c = precre(db);
        c.args([
            "train",
            "--ratios",
            "all",
            "--max-depth",
            "6",
            "--prune",
            "cv",
            "--save",
            "k",
        ]);
        c
    };
    let t = Instant::now();
    let timing_db = dir.path().join("timing2.db");
    std::fs::copy(&db, &timing_db).unwrap();
    assert!(train(&timing_db).status().unwrap().success());
    let full = t.elapsed();
    for f in fractions(11, 5) {
        run_and_kill(train(&db), full.mul_f64(f));
        assert_consistent(&db);
        let store = Store::open(&db).unwrap();
        for m in store.models().unwrap() {
            assert!(
                store.model(Some(&m.id)).is_ok(),
                "a half-saved model {}",
                m.id
            );
        }
    }
}
