//! Bad numbers get clear messages: an all-missing column, a constant column, a single-class
//! training set, more folds than rows, a class with one member, and a test set holding a class
//! the training part lacks. No panic, and no silently wrong figure.

use crate::common;

use std::path::Path;

use common::precre;

/// Writes a feature set of 60 rows (a, b, c, label) where `b` and the labels come from closures.
fn set(
    dir: &Path,
    db: &Path,
    name: &str,
    b: impl Fn(usize) -> String,
    label: impl Fn(usize) -> &'static str,
) {
    let mut text = String::from("a,b,c,label\n");
    for i in 0..60 {
        let a = (i * 37 % 61) as f64 / 61.0;
        let c = (i * 17 % 53) as f64 / 53.0;
        text.push_str(&format!("{a},{},{c},{}\n", b(i), label(i)));
    }
    let path = dir.join(format!("{name}.csv"));
    std::fs::write(&path, text).unwrap();
    let out = precre(db)
        .arg("import")
        .arg(&path)
        .args(["--kind", "features", "--label", "label", "--name", name])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn three(i: usize) -> &'static str {
    ["good", "satisfactory", "bad"][i % 3]
}

fn run(db: &Path, args: &[&str]) -> (Option<i32>, String, String) {
    let out = precre(db).args(args).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr,
    )
}

#[test]
fn bad_numbers_get_clear_messages() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("b.db");
    set(dir.path(), &db, "allmissing", |_| String::new(), three);
    set(dir.path(), &db, "constant", |_| "5".into(), three);
    set(dir.path(), &db, "oneclass", |i| i.to_string(), |_| "good");
    set(
        dir.path(),
        &db,
        "singleton",
        |i| i.to_string(),
        |i| {
            if i == 0 {
                "bad"
            } else {
                ["good", "satisfactory"][i % 2]
            }
        },
    );

    // All-missing and constant columns: trained, and said.
    for (set, why) in [
        ("allmissing", "missing in every row"),
        ("constant", "the same value in every row"),
    ] {
        let (code, _, err) = run(&db, &["train", "--set", set]);
        assert_eq!(code, Some(0), "{err}");
        assert!(err.contains(&format!("column b is {why}")), "{err}");
        let (code, out, _) = run(&db, &["pca", "--set", set]);
        assert_eq!(code, Some(0));
        assert!(out.contains("left out: b"), "{out}");
    }
    // One class: refused, naming it.
    let (code, _, err) = run(&db, &["train", "--set", "oneclass"]);
    assert_eq!(code, Some(1));
    assert!(
        err.contains("at least two classes") && err.contains("good"),
        "{err}"
    );
    // More folds than rows, or fewer than two.
    let (code, _, err) = run(&db, &["tune", "--set", "constant", "--folds", "100"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("100 folds but only 42 labelled rows"), "{err}");
    let (code, _, err) = run(&db, &["evaluate", "--set", "constant", "--folds", "1"]);
    assert_ne!(code, Some(0));
    assert!(
        err.contains("at least 2") || err.contains("no active model"),
        "{err}"
    );
    let (code, _, err) = run(
        &db,
        &[
            "train", "--set", "constant", "--prune", "cv", "--folds", "100",
        ],
    );
    assert_eq!(code, Some(1));
    assert!(
        err.contains("pruning by cross-validation: 100 folds"),
        "{err}"
    );
    // A class with one member: it lands in one part; the other part's figures say it is absent.
    let (code, out, err) = run(&db, &["train", "--set", "singleton", "--format", "json"]);
    assert_eq!(code, Some(0), "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let acc = v["accuracy"].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&acc));
    // A test set with a class the training part lacks (explicit split): evaluated, the class's
    // recall is 0 and its AUC is absent rather than invented.
    let mut text = String::from("a,label,split\n");
    for i in 0..40 {
        let (label, split) = if i < 30 {
            (["good", "satisfactory"][i % 2], "train")
        } else {
            ("bad", "test")
        };
        text.push_str(&format!("{},{label},{split}\n", i as f64 / 40.0));
    }
    let path = dir.path().join("unseen.csv");
    std::fs::write(&path, text).unwrap();
    assert!(precre(&db)
        .arg("import")
        .arg(&path)
        .args(["--kind", "features", "--label", "label", "--name", "unseen"])
        .status()
        .unwrap()
        .success());
    let (code, out, err) = run(
        &db,
        &[
            "train",
            "--set",
            "unseen",
            "--split-column",
            "split",
            "--format",
            "json",
        ],
    );
    assert_eq!(code, Some(0), "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        v["accuracy"].as_f64(),
        Some(0.0),
        "no test row's class was learnt: {out}"
    );
}
