//! Every screen is also a command, and the command line's values are typed: `precre demo` then
//! `queue`, `portfolio` and `firm` print what the screens show (JSON shapes as documented in
//! their modules); bad values are refused by clap naming the flag (exit 2); text that starts
//! with '-' is text; a damaged store is named in one sentence.

use crate::common;

use common::precre;
use precre::store::Store;
use serde_json::Value;
use std::path::Path;

fn run(db: &Path, args: &[&str]) -> (i32, String, String) {
    let out = precre(db).args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn json(db: &Path, args: &[&str]) -> Value {
    let (code, out, err) = run(db, args);
    assert_eq!(code, 0, "{args:?}: {err}");
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{args:?}: {e}: {out}"))
}

#[test]
fn demo_then_queue_portfolio_and_firm_give_what_the_screens_show() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let (code, out, err) = run(&db, &["demo"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("the default model"), "{out}");

    // The queue: 48 pending applications, riskiest first, each with its ids, class,
    // probabilities and reasons, scored by the default model (active after `demo`).
    let q = json(&db, &["queue", "--format", "json"]);
    let apps = q["applications"].as_array().unwrap();
    assert_eq!(q["pending"], 48);
    assert_eq!(apps.len(), 48);
    let store = Store::open(&db).unwrap();
    let active = store.model(None).unwrap();
    assert_eq!(q["model_id"], active.id.as_str());
    for w in apps.windows(2) {
        assert!(w[0]["risk"].as_f64().unwrap() >= w[1]["risk"].as_f64().unwrap());
    }
    for a in apps {
        assert!(a["application_id"].as_str().unwrap().starts_with("APP-"));
        let p = a["probabilities"].as_object().unwrap();
        let total: f64 = p.values().map(|v| v.as_f64().unwrap()).sum();
        assert!((total - 1.0).abs() < 1e-9);
        assert_eq!(a["risk"], p["bad"]);
        let class = a["class"].as_str().unwrap();
        let argmax = p
            .iter()
            .max_by(|x, y| x.1.as_f64().unwrap().total_cmp(&y.1.as_f64().unwrap()))
            .unwrap()
            .0;
        assert_eq!(class, argmax);
    }
    // The same queue the Triage screen reads.
    let view = precre::views::triage::load(&store).unwrap();
    let ids: Vec<&str> = view.iter().map(|i| i.application.id.as_str()).collect();
    let cli_ids: Vec<&str> = apps
        .iter()
        .map(|a| a["application_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, cli_ids);
    let (_, table, _) = run(&db, &["queue", "--limit", "3"]);
    assert!(
        table.contains("48 pending application(s), riskiest first"),
        "{table}"
    );
    // The footer wraps at 80 columns: read it as words.
    let words = table.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(words.contains("3 shown"), "{table}");

    // Three decisions by the ids the queue gave: each records the active model's id.
    for (i, verdict) in ["--refer", "--refer", "--refer"].iter().enumerate() {
        let id = apps[i]["application_id"].as_str().unwrap();
        let d = json(
            &db,
            &[
                "--analyst",
                "kim",
                "decide",
                id,
                verdict,
                "--format",
                "json",
            ],
        );
        assert_eq!(d["model_id"], active.id.as_str());
        assert_eq!(d["predicted_class"], apps[i]["class"]);
    }
    let q = json(&db, &["queue", "--format", "json"]);
    assert_eq!(q["pending"], 45);

    // The dashboard: what the Portfolio screen holds.
    let p = json(&db, &["portfolio", "--format", "json"]);
    let dash = precre::views::portfolio::load(&store).unwrap();
    assert_eq!(p["firms"], dash.firms);
    assert_eq!(p["pending"], 45);
    assert_eq!(p["decided"], 3);
    assert_eq!(p["model"]["id"], active.id.as_str());
    let mix: i64 = p["predicted_mix"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["firms"].as_i64().unwrap())
        .sum();
    assert_eq!(
        mix, dash.firms,
        "every firm has a prediction of the active model"
    );
    assert_eq!(
        p["by_sector"].as_array().unwrap().len(),
        dash.by_sector.len()
    );

    // The firm: facts, ratios against the sector, the model's view, applications, decisions.
    let firm_id = apps[0]["firm_id"].as_str().unwrap();
    let f = json(&db, &["firm", firm_id, "--format", "json"]);
    let detail = precre::views::firm::load(&store, firm_id).unwrap();
    assert_eq!(f["firm"]["id"], firm_id);
    assert_eq!(f["years"].as_array().unwrap().len(), detail.years.len());
    assert_eq!(f["model"]["class"], apps[0]["class"]);
    assert_eq!(f["model"]["id"], active.id.as_str());
    assert_eq!(f["decisions"].as_array().unwrap().len(), 1);
    assert_eq!(
        f["families"].as_array().unwrap().len(),
        detail.families.len()
    );
    let (code, table, _) = run(&db, &["firm", firm_id]);
    assert_eq!(code, 0);
    assert!(table.contains("live sector peers in"), "{table}");
    // As `precre ratios --firm` says it: a failure (exit 1), with what to do.
    let (code, _, err) = run(&db, &["firm", "no-such-firm"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("no firm with id 'no-such-firm'"), "{err}");
}

#[test]
fn training_saves_a_candidate_and_promoting_it_scores_every_firm() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    run(&db, &["demo"]);
    let t = json(
        &db,
        &[
            "train",
            "--ratios",
            "stability",
            "--save",
            "stable",
            "--format",
            "json",
        ],
    );
    let firms = Store::open(&db).unwrap().count("firms").unwrap();
    assert_eq!(t["saved"], true);
    // The default training: depth 6 and pruned by cross-validation, as the Model form.
    assert!(t["depth"].as_u64().unwrap() <= 6);
    assert!(t["report"]["cp_table"]
        .as_array()
        .is_some_and(|c| !c.is_empty()));
    let new_id = t["model_id"].as_str().unwrap().to_string();
    assert_ne!(Store::open(&db).unwrap().model(None).unwrap().id, new_id);
    let (code, out, err) = run(
        &db,
        &["models", "promote", &new_id, "--reason", "stability"],
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains(&format!("; {firms} firms scored")), "{out}");
    let store = Store::open(&db).unwrap();
    assert_eq!(store.model(None).unwrap().id, new_id);
    // The dashboard counts predictions of the new model at once.
    let p = json(&db, &["portfolio", "--format", "json"]);
    assert_eq!(p["model"]["id"], new_id.as_str());
    // Promoting the default one again needs no new scores.
    let models = json(&db, &["models", "--format", "json"]);
    let default = models
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] != new_id.as_str())
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (code, out, err) = run(&db, &["models", "promote", &default, "--reason", "back"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("0 firms scored"), "{out}");
    let q = json(&db, &["queue", "--format", "json"]);
    assert_eq!(q["model_id"], default.as_str());
}

#[test]
fn bad_values_are_refused_by_clap_naming_the_flag() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    for (args, flag) in [
        (vec!["train", "--prune", "bogus"], "--prune"),
        (vec!["train", "--max-depth", "deep"], "--max-depth"),
        (vec!["train", "--criterion", "gini_pairs"], "--criterion"),
        (vec!["train", "--test-share", "1.5"], "--test-share"),
        (vec!["train", "--folds", "1"], "--folds"),
        (vec!["train", "--year-rule", "sometimes"], "--year-rule"),
        (vec!["train", "--ratios", "nonsense"], "--ratios"),
        (vec!["train", "--pca", "cum:2"], "--pca"),
        (vec!["tune", "--depths", "3,x"], "--depths"),
        (vec!["tune", "--alphas", "-1"], "--alphas"),
        (vec!["tune", "--score", "gini"], "--score"),
        (vec!["pca", "--rule", "most"], "--rule"),
        (vec!["import", "f.csv", "--kind", "people"], "--kind"),
    ] {
        let (code, _, err) = run(&db, &args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(
            err.contains(&format!("for '{flag}")),
            "{args:?} should name {flag}: {err}"
        );
    }
    // The workbench's own options are not every subcommand's.
    let (code, _, err) = run(&db, &["queue", "--theme", "dark"]);
    assert_eq!(code, 2, "{err}");
    let (_, help, _) = run(&db, &["train", "--help"]);
    assert!(
        !help.contains("--theme") && !help.contains("--config"),
        "{help}"
    );
}

#[test]
fn text_that_starts_with_a_dash_is_text() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    run(&db, &["demo"]);
    let q = json(&db, &["queue", "--format", "json"]);
    let bad = q["applications"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["class"] == "bad")
        .unwrap()["application_id"]
        .as_str()
        .unwrap()
        .to_string();
    let d = json(
        &db,
        &[
            "--analyst",
            "kim",
            "decide",
            &bad,
            "--approve",
            "--note",
            "-5% margin",
            "--override-reason",
            "-2 notches, new guarantee",
            "--format",
            "json",
        ],
    );
    assert_eq!(d["note"], "-5% margin");
    assert_eq!(d["override_reason"], "-2 notches, new guarantee");
    // Deciding it again is a conflict; the message says who decided and how to override.
    let (code, _, err) = run(&db, &["--analyst", "lee", "decide", &bad, "--refer"]);
    assert_eq!(code, 2);
    assert!(err.contains("already decided by kim"), "{err}");
    assert!(err.contains("--replace --override-reason"), "{err}");
}

#[test]
fn a_damaged_store_is_named_in_one_sentence() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    run(&db, &["demo"]);
    // Overwrite pages in the middle of the file: SQLite reads a malformed image.
    let mut bytes = std::fs::read(&db).unwrap();
    let n = bytes.len();
    for b in &mut bytes[4096 * 3..(4096 * 40).min(n)] {
        *b = 0x5a;
    }
    std::fs::write(&db, &bytes).unwrap();
    let (code, _, err) = run(&db, &["queue"]);
    assert_eq!(code, 1);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains(&db.display().to_string()), "{err}");
    assert!(err.contains("is damaged"), "{err}");
    assert!(err.contains("precre check"), "{err}");
    assert_eq!(err.matches("malformed").count(), 1, "said once: {err}");
    // A file that is no database at all.
    let text = dir.path().join("notes.db");
    std::fs::write(&text, "not a database, just some notes\n".repeat(200)).unwrap();
    let (code, _, err) = run(&text, &["portfolio"]);
    assert_eq!(code, 1);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("notes.db") && err.contains("damaged"), "{err}");
}

#[test]
fn the_read_commands_csv_is_safe_to_open_in_a_spreadsheet() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let f = dir.path().join("firms.csv");
    std::fs::write(
        &f,
        "id,name,sector\nF-1,\"=HYPERLINK(\"\"http://evil\"\",\"\"x\"\")\",retail\nF-2,@SUM(A1),retail\n",
    )
    .unwrap();
    let (code, _, err) = run(&db, &["import", f.to_str().unwrap(), "--kind", "firms"]);
    assert_eq!(code, 0, "{err}");
    let (code, out, _) = run(&db, &["firms", "--format", "csv"]);
    assert_eq!(code, 0);
    assert!(out.contains("\"'=HYPERLINK("), "{out}");
    assert!(out.contains("'@SUM(A1)"), "{out}");
    assert!(
        !out.contains(",=HYPERLINK") && !out.contains(",@SUM"),
        "{out}"
    );
}
