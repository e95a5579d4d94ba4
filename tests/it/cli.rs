//! The command line driven as a process, as a user or a script would.

use crate::common;

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;
use std::path::{Path, PathBuf};

fn precre(db: &Path) -> Command {
    common::precre_assert(db)
}

fn json(db: &Path, args: &[&str]) -> Value {
    let out = precre(db).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn demo_store() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    precre(&db)
        .arg("demo")
        .assert()
        .success()
        .stdout(predicate::str::contains("statements"));
    (dir, db)
}

#[test]
fn demo_then_firms_and_ratios_as_json() {
    let (_dir, db) = demo_store();
    let firms = json(&db, &["firms", "--format", "json"]);
    let firms = firms.as_array().unwrap();
    assert!(firms.len() >= 2000);
    for key in ["id", "name", "sector"] {
        assert!(firms[0][key].is_string(), "firms have {key}");
    }
    let id = firms[0]["id"].as_str().unwrap();
    let r = json(&db, &["ratios", "--firm", id, "--format", "json"]);
    let ratios = r["ratios"].as_array().unwrap();
    assert!(ratios.len() >= 25);
    let groups: std::collections::HashSet<&str> = ratios
        .iter()
        .map(|x| x["group"].as_str().unwrap())
        .collect();
    assert!(groups.len() >= 5, "{groups:?}");
    let years = r["years"].as_array().unwrap();
    for x in ratios {
        assert!(x["id"].is_string());
        assert_eq!(
            x["values"].as_object().unwrap().len(),
            years.len(),
            "a value (or null) per year"
        );
    }
    // One year only.
    let y = years[0].as_i64().unwrap().to_string();
    let r = json(
        &db,
        &["ratios", "--firm", id, "--year", &y, "--format", "json"],
    );
    assert_eq!(r["years"].as_array().unwrap().len(), 1);

    let s = json(&db, &["ratios", "--sector", "RETAIL", "--format", "json"]);
    assert!(s["firms"].as_u64().unwrap() > 100);
    assert!(s["ratios"][0]["median"].is_number());

    let sorted = json(
        &db,
        &[
            "firms",
            "--sort",
            "current_ratio",
            "--desc",
            "--limit",
            "3",
            "--format",
            "json",
        ],
    );
    let v: Vec<f64> = sorted
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["current_ratio"].as_f64().unwrap())
        .collect();
    assert!(v.len() == 3 && v[0] >= v[1] && v[1] >= v[2]);
    let retail = json(&db, &["firms", "--sector", "retail", "--format", "json"]);
    assert!(retail
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["sector"] == "retail"));

    precre(&db)
        .args(["firms", "--limit", "2", "--format", "csv"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with("id,name,sector"));
    precre(&db)
        .args(["ratios", "--firm", id])
        .assert()
        .success()
        .stdout(predicate::str::contains("current_ratio"));
}

#[test]
fn features_import_reports_rows_and_lists_the_set() {
    let csv = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/datasets/polish-bankruptcy/1year.csv");
    if !csv.exists() {
        eprintln!("SKIPPED: {} is absent", csv.display());
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    precre(&db)
        .args(["import"])
        .arg(&csv)
        .args([
            "--kind", "features", "--id", "row_id", "--label", "class", "--name", "polish1",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("7,027"));
    precre(&db)
        .arg("sets")
        .assert()
        .success()
        .stdout(predicate::str::contains("polish1"));
    let sets = json(&db, &["sets", "--format", "json"]);
    assert_eq!(sets[0]["name"], "polish1");
    assert_eq!(sets[0]["n_rows"], 7027);
    // The same name again is refused, and says how to proceed.
    precre(&db)
        .args(["import"])
        .arg(&csv)
        .args([
            "--kind", "features", "--id", "row_id", "--label", "class", "--name", "polish1",
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("--replace"));
}

#[test]
fn a_bad_cell_is_refused_by_row_and_column_and_the_store_is_untouched() {
    let (dir, db) = demo_store();
    let digest = |db: &Path| {
        precre::store::Store::open(db)
            .unwrap()
            .content_digest()
            .unwrap()
    };
    let before = digest(&db);
    let firms = json(&db, &["firms", "--limit", "1", "--format", "json"]);
    let firm = firms[0]["id"].as_str().unwrap();
    let mut text = String::from("firm_id,fiscal_year,total_assets,fixed_assets,inventories,receivables,cash,equity,revenue,cost_of_sales,operating_profit,net_income\n");
    for r in 1..=80 {
        let revenue = if r == 57 {
            "twelve hundred".to_string()
        } else {
            "1200".to_string()
        };
        text.push_str(&format!(
            "{firm},{},1000,400,100,100,100,1000,{revenue},900,96,60\n",
            1900 + r
        ));
    }
    let bad = dir.path().join("statements.csv");
    std::fs::write(&bad, text).unwrap();
    let rejects = dir.path().join("rejects.csv");
    precre(&db)
        .args(["import"])
        .arg(&bad)
        .args(["--kind", "statements", "--rejects"])
        .arg(&rejects)
        .assert()
        .code(1)
        .stderr(
            predicate::str::contains("row 57")
                .and(predicate::str::contains("\"revenue\""))
                .and(predicate::str::contains("statements.csv")),
        );
    assert!(std::fs::read_to_string(&rejects)
        .unwrap()
        .contains("row 57 (line 58),revenue,twelve hundred"));
    assert_eq!(
        digest(&db),
        before,
        "every table holds exactly what it held before"
    );
}

#[test]
fn usage_errors_exit_with_2_and_failures_with_1() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    precre(&db)
        .args(["import", "x.csv", "--kind", "nonsense"])
        .assert()
        .code(2);
    precre(&db).arg("init").assert().success();
    precre(&db).args(["ratios"]).assert().code(2);
    precre(&db)
        .args(["ratios", "--list", "--group", "luck"])
        .assert()
        .code(2);
    precre(&db)
        .args(["firms", "--sort", "shoe_size"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot sort"));
    precre(&db)
        .args(["import", "missing.csv", "--kind", "firms"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("missing.csv"));
    precre(&db)
        .args(["ratios", "--firm", "nope"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("no firm"));
    let f = dir.path().join("f.csv");
    std::fs::write(&f, "id,name,sector\nA,B,C\n").unwrap();
    precre(&db)
        .arg("import")
        .arg(&f)
        .args(["--kind", "firms", "--map", "nonsense"])
        .assert()
        .code(2);
}

#[test]
fn help_examples_completions_and_bare_invocation() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    // Without a terminal, the workbench says what to do instead of drawing into a pipe.
    precre(&db)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("needs a terminal"));
    for sub in [
        "decide",
        "export",
        "check",
        "import",
        "firms",
        "ratios",
        "sets",
        "demo",
        "info",
        "completions",
        "pca",
        "train",
        "tune",
        "models",
        "explain",
    ] {
        precre(&db)
            .args([sub, "--help"])
            .assert()
            .success()
            .stdout(predicate::str::contains("Example"));
    }
    for shell in ["bash", "zsh", "fish"] {
        precre(&db)
            .args(["completions", shell])
            .assert()
            .success()
            .stdout(predicate::str::contains("precre"));
    }
    let list = json(&db, &["ratios", "--list", "--format", "json"]);
    assert!(list.as_array().unwrap().len() >= 25);
}

#[test]
fn the_store_is_private_and_found_through_precre_db() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("sub/dir/store.db");
    let mut c = Command::from_std(common::precre_clean());
    c.env("PRECRE_DB", &db).arg("init").assert().success();
    assert!(db.exists());
    let mut c = Command::from_std(common::precre_clean());
    c.env("PRECRE_DB", &db)
        .args(["info", "--format", "json"])
        .assert()
        .success();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&db).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "store readable by its owner only");
        let folder = std::fs::metadata(db.parent().unwrap())
            .unwrap()
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(folder, 0o700);
        // A team store: group-readable and -writable, whatever the umask says.
        let team = dir.path().join("team/shared.db");
        precre(&team).args(["--team", "init"]).assert().success();
        let mode = std::fs::metadata(&team).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o660, "team store readable and writable by its group");
        let folder = std::fs::metadata(team.parent().unwrap())
            .unwrap()
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(folder, 0o770, "folder mode {folder:o}");
    }
}

#[test]
fn pca_on_a_feature_set_and_on_ratios() {
    let iris = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/datasets/iris/iris.csv");
    let (_dir, db) = demo_store();
    let r = json(
        &db,
        &[
            "pca",
            "--ratios",
            "liquidity",
            "--rule",
            "kaiser",
            "--format",
            "json",
        ],
    );
    assert_eq!(r["variables"].as_array().unwrap().len(), 4);
    assert!(r["k"].as_u64().unwrap() >= 1);
    precre(&db)
        .args(["pca", "--ratios", "nonsense"])
        .assert()
        .code(2);
    precre(&db)
        .args(["pca", "--rule", "cum:2"])
        .assert()
        .code(2);
    if !iris.exists() {
        eprintln!("SKIPPED: {} is absent", iris.display());
        return;
    }
    precre(&db)
        .arg("import")
        .arg(&iris)
        .args(["--kind", "features", "--label", "species", "--name", "iris"])
        .assert()
        .success();
    let r = json(&db, &["pca", "--set", "iris", "--format", "json"]);
    // R: summary(prcomp(iris[, 1:4], scale. = TRUE)).
    let sdev: Vec<f64> = r["sdev"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| (v.as_f64().unwrap() * 1e4).round() / 1e4)
        .collect();
    assert_eq!(sdev, vec![1.7084, 0.9560, 0.3831, 0.1439]);
    assert_eq!(r["k"], 2);
    precre(&db)
        .args(["pca", "--set", "iris", "--k", "3"])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("Cumulative Proportion")
                .and(predicate::str::contains("k = 3")),
        );
}

#[test]
fn train_with_a_split_column_save_explain_and_tune() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    // A small set whose split is given by a column: x separates the classes perfectly.
    let mut text = String::from("id,x,noise,part,label\n");
    for i in 0..200 {
        let label = if i % 2 == 0 { "bad" } else { "good" };
        let x = if i % 2 == 0 {
            i as f64 / 1000.0
        } else {
            1.0 + i as f64 / 1000.0
        };
        let part = if i < 140 { "train" } else { "test" };
        text.push_str(&format!("r{i},{x},{},{part},{label}\n", (i * 7919) % 13));
    }
    let file = dir.path().join("set.csv");
    std::fs::write(&file, text).unwrap();
    precre(&db)
        .arg("import")
        .arg(&file)
        .args([
            "--kind", "features", "--id", "id", "--label", "label", "--name", "toy",
        ])
        .assert()
        .success();
    let r = json(
        &db,
        &[
            "train",
            "--set",
            "toy",
            "--split-column",
            "part",
            "--save",
            "toy-tree",
            "--format",
            "json",
        ],
    );
    assert_eq!(r["n_train"], 140);
    for key in [
        "model_id",
        "accuracy",
        "macro_recall",
        "auc",
        "test_error",
        "confusion_matrix",
        "nodes",
        "fit_seconds",
    ] {
        assert!(!r[key].is_null(), "train JSON has {key}");
    }
    assert_eq!(r["report"]["n_test"], 60);
    assert_eq!(r["report"]["evaluation"]["accuracy"], 1.0);
    assert_eq!(r["report"]["evaluation"]["passes_15_percent_bar"], true);
    assert!(r["model_id"].is_string());
    let models = json(&db, &["models", "--format", "json"]);
    assert_eq!(models[0]["name"], "toy-tree");
    // Saved as a candidate; explain reads the model it is given (the champion by default).
    assert_eq!(models[0]["active"], false);
    let (code, _, err) = common::run(&db, &["models", "promote", "toy-tree", "--reason", "toy"]);
    assert_eq!(code, Some(0), "{err}");
    let e = json(&db, &["explain", "r0", "--set", "toy", "--format", "json"]);
    assert_eq!(e["explanation"]["class"], "bad");
    assert!(e["explanation"]["path"][0]["condition"]
        .as_str()
        .unwrap()
        .starts_with("x = "));
    precre(&db)
        .args(["train", "--set", "toy", "--split-column", "noise"])
        .assert()
        .code(2);
    precre(&db)
        .args(["train", "--set", "toy", "--max-depth", "0"])
        .assert()
        .code(2);
    let t = json(
        &db,
        &[
            "tune",
            "--set",
            "toy",
            "--depths",
            "1,2",
            "--min-leaf",
            "1",
            "--alphas",
            "0",
            "--criteria",
            "gini",
            "--format",
            "json",
        ],
    );
    assert_eq!(t.as_array().unwrap().len(), 2);
    precre(&db)
        .args(["tune", "--set", "toy", "--depths", "zero"])
        .assert()
        .code(2);
}

#[test]
fn year_rules_and_out_of_time_split() {
    let (_dir, db) = demo_store();
    // The panel: one row per firm and fiscal year; test on 2024, train on the years before.
    let r = json(
        &db,
        &[
            "train",
            "--year-rule",
            "all",
            "--test-from-year",
            "2024",
            "--max-depth",
            "4",
            "--format",
            "json",
        ],
    );
    // Every 2024 statement is a test row (firms that failed earlier have none: their
    // statements stop the year before the failure).
    let conn = rusqlite::Connection::open(&db).unwrap();
    let n_2024: u64 = conn
        .query_row(
            "SELECT count(*) FROM statements WHERE fiscal_year = 2024",
            [],
            |r| r.get::<_, i64>(0),
        )
        .unwrap() as u64;
    assert!(n_2024 > 2000 && n_2024 < 2400, "{n_2024}");
    assert_eq!(r["report"]["n_test"].as_u64(), Some(n_2024));
    assert!(r["report"]["n_train"].as_u64().unwrap() > 5000);
    // The statement before the latest application: only firms with applications.
    let r = json(
        &db,
        &[
            "pca",
            "--ratios",
            "liquidity",
            "--year-rule",
            "before-application",
            "--format",
            "json",
        ],
    );
    let n = r["n_rows"].as_u64().unwrap();
    assert!(n > 1000 && n < 2400, "{n}");
    let r = json(
        &db,
        &[
            "pca",
            "--ratios",
            "liquidity",
            "--year-rule",
            "2020",
            "--format",
            "json",
        ],
    );
    assert!(r["n_rows"].as_u64().unwrap() < 2400);
    precre(&db)
        .args(["pca", "--year-rule", "someday"])
        .assert()
        .code(2);
    // Piping into a reader that stops early ends quietly.
    let out = precre(&db).args(["firms"]).output().unwrap();
    assert!(out.status.success());
}

#[test]
fn tree_classify_and_evaluate_use_the_active_model() {
    let (dir, db) = demo_store();
    let model = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("models/default.json");
    precre(&db)
        .args(["models", "import"])
        .arg(&model)
        .assert()
        .success();
    precre(&db)
        .args(["models", "list"])
        .assert()
        .success()
        .stdout(predicate::str::contains("default"));
    precre(&db)
        .args(["tree"])
        .assert()
        .success()
        .stdout(predicate::str::contains("|--- class:"));
    precre(&db)
        .args(["tree", "--format", "dot"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with("digraph"));
    let p = json(&db, &["classify", "--pending", "--format", "json"]);
    let n = p["predictions"].as_array().unwrap().len();
    assert!((24..=96).contains(&n));
    let e = json(&db, &["evaluate", "--folds", "3", "--format", "json"]);
    for key in [
        "model_id",
        "accuracy",
        "macro_recall",
        "auc",
        "test_error",
        "confusion_matrix",
        "nodes",
        "fit_seconds",
    ] {
        assert!(!e[key].is_null(), "evaluate JSON has {key}");
    }
    // A bad firm's explanation: at most four reasons.
    let firms = json(&db, &["firms", "--format", "json"]);
    let bad = firms
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["class"] == "bad")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let x = json(&db, &["explain", &bad, "--format", "json"]);
    assert!(x["explanation"]["reasons"].as_array().unwrap().len() <= 4);
    drop(dir);
}

#[test]
fn generated_tables_in_parquet_import_like_their_csv() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let (csv, parquet) = (dir.path().join("f.csv"), dir.path().join("f.parquet"));
    for out in [&csv, &parquet] {
        precre(&db)
            .args([
                "demo",
                "features",
                "--rows",
                "3000",
                "--features",
                "6",
                "--out",
            ])
            .arg(out)
            .assert()
            .success();
    }
    for (file, name) in [(&csv, "from_csv"), (&parquet, "from_parquet")] {
        precre(&db)
            .arg("import")
            .arg(file)
            .args(["--kind", "features", "--id", "id", "--label", "class"])
            .args(["--name", name])
            .assert()
            .success();
    }
    let sets = json(&db, &["sets", "--format", "json"]);
    let sets = sets.as_array().unwrap();
    let set = |name: &str| sets.iter().find(|s| s["name"] == name).unwrap().clone();
    let (a, b) = (set("from_csv"), set("from_parquet"));
    assert_eq!(a["n_rows"], 3000);
    assert_eq!(a["n_rows"], b["n_rows"]);
    assert_eq!(a["labels"], b["labels"], "same classes, same counts");
    assert_eq!(
        a["columns"].as_array().unwrap().len(),
        7,
        "f1..f6 and split"
    );
    assert_eq!(a["columns"], b["columns"]);

    // The portfolio files too: each Parquet file beside its CSV, with the same rows.
    let out = dir.path().join("demo");
    precre(&db)
        .args(["demo", "generate", "--firms", "60", "--parquet", "--out"])
        .arg(&out)
        .assert()
        .success();
    let fresh = dir.path().join("p.db");
    for kind in ["firms", "statements"] {
        let report = json(
            &fresh,
            &[
                "import",
                out.join(format!("{kind}.parquet")).to_str().unwrap(),
                "--kind",
                kind,
                "--format",
                "json",
            ],
        );
        let csv_rows = std::fs::read_to_string(out.join(format!("{kind}.csv")))
            .unwrap()
            .lines()
            .count()
            - 1;
        assert_eq!(report["rows_written"], csv_rows, "{kind}");
    }
}
