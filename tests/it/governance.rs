//! Model governance (issue 27, items 1-3), as an analyst meets it on the demo: training from the
//! command line, from the Model screen's form and from compare saves a candidate and changes
//! neither the champion, the challenger, the predictions nor the queue; promote, challenger and
//! revoke write model log rows with who, why and the figures; the log's hash chain names an
//! edited row in `precre check`; four eyes refuses the trainer (and the proposer) and accepts a
//! second analyst; a gate refuses naming its rule; the workbench's confirmation shows the
//! queue's class mix before and after and a reason field.

use crate::common;
use common::run;
use precre::model::governance::{LogAction, PromotionPolicy, Role};
use precre::store::Store;
use precre::tui::app::Screen;
use precre::tui::harness::{test_settings, Harness};
use precre::tui::popup::Overlay;
use serde_json::Value;
use std::path::Path;

fn json(db: &Path, args: &[&str]) -> Value {
    let (code, out, err) = run(db, args);
    assert_eq!(code, Some(0), "{args:?}: {err}");
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{args:?}: {e}: {out}"))
}

fn ok(db: &Path, args: &[&str]) -> String {
    let (code, out, err) = run(db, args);
    assert_eq!(code, Some(0), "{args:?}: {out}{err}");
    out
}

/// The champion's id, the challenger's id, the predictions' count, the queue as JSON.
fn state(db: &Path) -> (Option<String>, Option<String>, i64, Value) {
    let models = json(db, &["models", "--format", "json"]);
    let pick = |flag: &str| {
        models
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m[flag] == true)
            .map(|m| m["id"].as_str().unwrap().to_string())
    };
    let c = rusqlite::Connection::open(db).unwrap();
    let predictions: i64 = c
        .query_row("SELECT count(*) FROM predictions", [], |r| r.get(0))
        .unwrap();
    (
        pick("active"),
        pick("challenger"),
        predictions,
        json(db, &["queue", "--format", "json"]),
    )
}

/// A log row's action, role, models (from, to) and analyst.
type Shape<'a> = (&'a str, &'a str, Option<&'a str>, Option<&'a str>, &'a str);

fn demo(dir: &Path) -> std::path::PathBuf {
    let db = dir.join("s.db");
    ok(&db, &["demo"]);
    db
}

/// A weak candidate: a stump on the liquidity ratios.
const STUMP: [&str; 9] = [
    "train",
    "--ratios",
    "liquidity",
    "--max-depth",
    "1",
    "--prune",
    "none",
    "--save",
    "stump",
];

#[test]
fn training_from_the_command_line_and_compare_saves_candidates_only() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    let before = state(&db);
    assert!(before.0.is_some());
    let history = json(&db, &["models", "history", "--format", "json"]);
    assert_eq!(history.as_array().unwrap().len(), 1, "{history}");
    assert_eq!(history[0]["reason"], precre::ops::bootstrap::DEMO_REASON);

    let out = ok(
        &db,
        &[
            "train", "--ratios", "all", "--kind", "logistic", "--save", "lr",
        ],
    );
    assert!(out.contains("saved as a candidate"), "{out}");
    ok(
        &db,
        &[
            "compare",
            "--ratios",
            "liquidity",
            "--kinds",
            "tree,logistic",
            "--folds",
            "0",
            "--save",
            "cmp",
        ],
    );
    assert_eq!(
        state(&db),
        before,
        "training changed the champion, challenger or queue"
    );
    let models = json(&db, &["models", "--format", "json"]);
    assert_eq!(models.as_array().unwrap().len(), 4, "{models}");
    // Nothing was logged: training is not a change of use.
    let history = json(&db, &["models", "history", "--format", "json"]);
    assert_eq!(history.as_array().unwrap().len(), 1);
}

#[test]
fn promote_challenger_and_revoke_write_the_log_with_the_figures() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    let default = state(&db).0.unwrap();
    let lr = json(
        &db,
        &[
            "train", "--ratios", "all", "--kind", "logistic", "--save", "lr", "--format", "json",
        ],
    )["model_id"]
        .as_str()
        .unwrap()
        .to_string();

    // No reason, an empty reason: refused, nothing changes.
    let (code, _, err) = run(&db, &["models", "promote", "lr"]);
    assert_eq!(code, Some(2), "{err}");
    let (code, _, err) = run(
        &db,
        &[
            "--analyst",
            "kim",
            "models",
            "promote",
            "lr",
            "--reason",
            "  ",
        ],
    );
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("give a reason"), "{err}");
    assert_eq!(state(&db).0.as_deref(), Some(default.as_str()));

    let out = ok(
        &db,
        &[
            "--analyst",
            "kim",
            "models",
            "promote",
            "lr",
            "--reason",
            "ranks the 2024 applicants better",
        ],
    );
    assert!(out.contains("pending applications by class"), "{out}");
    assert!(out.contains("is now the champion"), "{out}");
    let (champion, _, _, queue) = state(&db);
    assert_eq!(champion.as_deref(), Some(lr.as_str()));
    assert_eq!(
        queue["model_id"],
        lr.as_str(),
        "the queue is scored by the new champion"
    );

    // A decision taken now points at the champion that scored it, whatever happens later.
    let app = queue["applications"][0]["application_id"]
        .as_str()
        .unwrap()
        .to_string();
    ok(
        &db,
        &[
            "--analyst",
            "kim",
            "decide",
            &app,
            "--refer",
            "--note",
            "governance",
        ],
    );

    ok(
        &db,
        &[
            "--analyst",
            "lee",
            "models",
            "challenger",
            "default",
            "--reason",
            "keep the old tree in view",
        ],
    );
    let (code, _, err) = run(&db, &["models", "challenger", "lr", "--reason", "x"]);
    assert_eq!(code, Some(2), "the champion as its own challenger: {err}");
    let out = ok(
        &db,
        &[
            "--analyst",
            "kim",
            "models",
            "revoke",
            "--reason",
            "drift in the retail sector",
        ],
    );
    assert!(out.contains("revoked"), "{out}");
    let (champion, challenger, _, _) = state(&db);
    assert_eq!(
        champion.as_deref(),
        Some(default.as_str()),
        "revoke puts back the previous champion"
    );
    assert_eq!(challenger, None, "a champion is not its own challenger");

    let log = json(&db, &["models", "history", "--format", "json"]);
    let rows = log.as_array().unwrap();
    let shape: Vec<Shape> = rows
        .iter()
        .map(|r| {
            (
                r["action"].as_str().unwrap(),
                r["role"].as_str().unwrap(),
                r["from_model"].as_str(),
                r["to_model"].as_str(),
                r["analyst"].as_str().unwrap(),
            )
        })
        .collect();
    let (d, l) = (Some(default.as_str()), Some(lr.as_str()));
    assert_eq!(
        &shape[1..],
        &[
            ("promote", "champion", d, l, "kim"),
            ("promote", "challenger", None, d, "lee"),
            ("revoke", "champion", l, d, "kim"),
        ]
    );
    assert_eq!(rows[1]["reason"], "ranks the 2024 applicants better");
    // The figures at that moment: the candidate's AUC and KS as its training reported them, and
    // the Brier score of its test part.
    let rec = json(&db, &["models", "show", "lr"]);
    assert_eq!(rows[1]["figures"]["auc"], rec["metrics"]["auc"]);
    assert_eq!(rows[1]["figures"]["ks"], rec["metrics"]["ks"]);
    assert_eq!(rows[1]["figures"]["n_test"], rec["metrics"]["n_test"]);
    // The default model's Brier score on its committed test part. Reference: scikit-learn 1.x
    // in /work/main/.venv-bench, `brier_score_loss(test_sample.bad, test_sample.p_bad)` read
    // from models/default.json -> 0.053032125259627624.
    let brier = rows[0]["figures"]["brier"].as_f64().unwrap();
    assert!((brier - 0.053032125259627624).abs() < 1e-12, "{brier}");
    assert_eq!(rows[3]["figures"]["brier"], rows[0]["figures"]["brier"]);

    let text = ok(&db, &["models", "history", "--wide"]);
    assert!(
        text.contains("drift in the retail sector") && text.contains("kim"),
        "{text}"
    );

    // The decision still names the model that scored it.
    let c = rusqlite::Connection::open(&db).unwrap();
    let scored_by: String = c
        .query_row(
            "SELECT model_id FROM decisions WHERE application_id = ?1",
            [&app],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(scored_by, lr);
    let out = ok(&db, &["check"]);
    assert!(out.contains("model log chain: 4 changes verified"), "{out}");
}

#[test]
fn an_edited_model_log_row_is_named_by_check() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    ok(
        &db,
        &[
            "train", "--ratios", "all", "--kind", "logistic", "--save", "lr",
        ],
    );
    ok(&db, &["models", "promote", "lr", "--reason", "first"]);
    ok(&db, &["models", "promote", "default", "--reason", "back"]);
    let c = rusqlite::Connection::open(&db).unwrap();
    // The triggers refuse an edit and a deletion.
    let err = c
        .execute("UPDATE model_log SET reason = 'quietly' WHERE id = 2", [])
        .unwrap_err();
    assert!(err.to_string().contains("append-only"), "{err}");
    assert!(c.execute("DELETE FROM model_log WHERE id = 3", []).is_err());
    // With the triggers dropped, as the sqlite3 shell allows, the chain names the row.
    c.execute_batch(
        "DROP TRIGGER model_log_append_only_update; DROP TRIGGER model_log_append_only_delete;
         UPDATE model_log SET analyst = 'someone else' WHERE id = 2;",
    )
    .unwrap();
    drop(c);
    let (code, out, err) = run(&db, &["check"]);
    assert_ne!(code, Some(0), "{out}{err}");
    assert!(
        out.contains("model log chain broken: model log row 2 "),
        "{out}"
    );

    // A row removed at the end leaves the head pointing past it.
    let c = rusqlite::Connection::open(&db).unwrap();
    c.execute_batch(
        "UPDATE model_log SET analyst = 'precre' WHERE id = 2; DELETE FROM model_log WHERE id = 3;",
    )
    .unwrap();
    drop(c);
    let (_, out, _) = run(&db, &["check"]);
    assert!(out.contains("model log chain broken"), "{out}");
}

fn config(dir: &Path, body: &str) -> String {
    let p = dir.join("config.toml");
    std::fs::write(&p, body).unwrap();
    p.to_str().unwrap().to_string()
}

#[test]
fn four_eyes_refuses_the_trainer_and_the_proposer_and_accepts_a_second_analyst() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    let default = state(&db).0.unwrap();
    ok(
        &db,
        &[
            "--analyst",
            "kim",
            "train",
            "--ratios",
            "all",
            "--kind",
            "logistic",
            "--save",
            "lr",
        ],
    );
    let cfg = config(dir.path(), "[promotion]\nfour-eyes = \"not-trainer\"\n");
    let (code, _, err) = run(
        &db,
        &[
            "--analyst",
            "kim",
            "--config",
            &cfg,
            "models",
            "promote",
            "lr",
            "--reason",
            "mine",
        ],
    );
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("four eyes (not the trainer)"), "{err}");
    assert!(
        err.contains("--analyst"),
        "the command line says how to proceed: {err}"
    );
    assert_eq!(state(&db).0.as_deref(), Some(default.as_str()));
    ok(
        &db,
        &[
            "--analyst",
            "lee",
            "--config",
            &cfg,
            "models",
            "promote",
            "lr",
            "--reason",
            "reviewed",
        ],
    );
    assert_ne!(state(&db).0.as_deref(), Some(default.as_str()));

    // By approval: a proposal changes nothing until a second analyst approves it.
    let cfg = config(dir.path(), "[promotion]\nfour-eyes = \"approval\"\n");
    let out = ok(
        &db,
        &[
            "--analyst",
            "kim",
            "--config",
            &cfg,
            "models",
            "promote",
            "default",
            "--reason",
            "the tree reads better",
        ],
    );
    assert!(out.contains("proposed"), "{out}");
    assert_ne!(state(&db).0.as_deref(), Some(default.as_str()));
    let (code, _, err) = run(&db, &["--analyst", "kim", "models", "approve", "default"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("four eyes (a second approver)"), "{err}");
    ok(&db, &["--analyst", "lee", "models", "approve", "default"]);
    assert_eq!(state(&db).0.as_deref(), Some(default.as_str()));
    let log = json(&db, &["models", "history", "--format", "json"]);
    let rows = log.as_array().unwrap();
    let n = rows.len();
    assert_eq!(rows[n - 2]["action"], "propose");
    assert_eq!(rows[n - 2]["analyst"], "kim");
    assert_eq!(rows[n - 1]["action"], "promote");
    assert_eq!(rows[n - 1]["analyst"], "lee");
    assert_eq!(rows[n - 1]["proposal"], rows[n - 2]["id"]);
    assert_eq!(rows[n - 1]["reason"], "the tree reads better");
    // Nothing left to approve.
    let (code, _, _) = run(&db, &["--analyst", "lee", "models", "approve", "default"]);
    assert_eq!(code, Some(2));
}

#[test]
fn a_gate_refuses_naming_its_rule_and_a_loose_one_lets_the_candidate_pass() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    let default = state(&db).0.unwrap();
    ok(&db, &STUMP);
    let cfg = config(dir.path(), "[promotion]\nmax-auc-drop = 0.01\n");
    let (code, _, err) = run(
        &db,
        &[
            "--config", &cfg, "models", "promote", "stump", "--reason", "simpler",
        ],
    );
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("refused by the AUC gate rule"), "{err}");
    assert!(err.contains("held-out rows"), "{err}");
    let cfg = config(dir.path(), "[promotion]\nmax-psi = 0.01\n");
    let (code, _, err) = run(
        &db,
        &[
            "--config", &cfg, "models", "promote", "stump", "--reason", "simpler",
        ],
    );
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("refused by the PSI gate rule"), "{err}");
    assert_eq!(state(&db).0.as_deref(), Some(default.as_str()));
    // A bad policy is the user's to fix, named with its file.
    let cfg = config(dir.path(), "[promotion]\nmax-psi = -1\n");
    let (code, _, err) = run(
        &db,
        &[
            "--config", &cfg, "models", "promote", "stump", "--reason", "x",
        ],
    );
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("[promotion] max-psi"), "{err}");
    let cfg = config(
        dir.path(),
        "[promotion]\nmax-auc-drop = 1.0\nmax-psi = 100.0\n",
    );
    ok(
        &db,
        &[
            "--config", &cfg, "models", "promote", "stump", "--reason", "simpler",
        ],
    );
}

/// The gates' figures from the ops code against the same figures computed here another way:
/// the champion's chances of bad on the candidate's held-out rows read firm by firm (the gate
/// reads them in one panel query), both AUCs by the rank statistic, and the PSI (whose formula
/// is checked against NumPy in `model::governance`) of the two models' chances of bad as
/// `precre classify --all` gives them.
#[test]
fn the_gate_figures_are_the_models_own_scores() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    ok(&db, &STUMP);
    let classify = |m: &str| -> std::collections::HashMap<String, f64> {
        let v = json(
            &db,
            &["classify", "--all", "--model", m, "--format", "json"],
        );
        v["predictions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                let bad = p["probabilities"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|c| c[0] == "bad")
                    .unwrap()[1]
                    .as_f64()
                    .unwrap();
                (p["firm_id"].as_str().unwrap().to_string(), bad)
            })
            .collect()
    };
    let (old, new) = (classify("default"), classify("stump"));
    let store = Store::open(&db).unwrap();
    let champion = store.model(Some("default")).unwrap();
    let stump = store.model(Some("stump")).unwrap();

    let mut ids: Vec<&String> = old.keys().collect();
    ids.sort();
    let e: Vec<f64> = ids.iter().map(|id| old[*id]).collect();
    let a: Vec<f64> = ids.iter().map(|id| new[*id]).collect();
    let (psi, firms) = precre::ops::governance::score_psi(&store, &stump, &champion).unwrap();
    assert_eq!(firms, 2400);
    let here = precre::model::governance::psi(&e, &a, 10);
    assert!((psi - here).abs() < 1e-9, "{psi} {here}");
    assert!(psi > 0.01, "a stump scores otherwise than the tree: {psi}");

    let (cand, champ, rows) =
        precre::ops::governance::same_rows_auc(&store, &stump, &champion).unwrap();
    let part = stump.test_part.as_ref().unwrap();
    let sample = stump.test_sample.as_ref().unwrap();
    assert_eq!(rows, part.ids.len());
    let bad_index = champion
        .pipeline
        .classes
        .iter()
        .position(|c| c == "bad")
        .unwrap();
    let by_firm: Vec<f64> = part
        .ids
        .iter()
        .zip(&part.years)
        .map(|(id, y)| {
            let (_, _, x) = precre::views::scoring::firm_features(
                &store,
                id,
                Some(*y),
                &champion.pipeline.features,
            )
            .unwrap();
            let m = precre::analysis::Matrix::new(1, x.len(), x);
            champion.pipeline.predict_proba(&m)[0][bad_index]
        })
        .collect();
    let auc = |s: &[f64]| precre::model::metrics::roc(s, &sample.bad).0.unwrap();
    assert!((champ - auc(&by_firm)).abs() < 1e-12, "{champ}");
    assert!((cand - auc(&sample.p_bad)).abs() < 1e-12, "{cand}");
    assert!(
        cand < champ,
        "the stump ranks worse: {cand} against {champ}"
    );
}

/// A workbench on a fresh store, started (the demo and its default model, as the champion).
fn started(analyst: &str) -> Harness {
    let mut h = Harness::new(Store::open_in_memory().unwrap(), test_settings(analyst));
    h.start();
    h
}

#[test]
fn the_workbench_trains_a_candidate_and_promotes_it_after_a_confirmation() {
    let mut h = started("kim");
    let champion = h.store.active_model().unwrap().unwrap().id;
    let predictions = h.store.all_predictions().unwrap().len();
    let log = h.store.model_log().unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].analyst, "kim");
    assert_eq!(log[0].action, LogAction::Promote);
    h.press("5");
    h.app.model.form.max_depth = "2".into();
    h.app.model.form.prune = "none".into();
    h.app.model.form.name = "shallow".into();
    h.press("t");
    // Trained and saved as a candidate: no role, no prediction, no change of the queue.
    assert_eq!(h.store.active_model().unwrap().unwrap().id, champion);
    assert_eq!(h.store.all_predictions().unwrap().len(), predictions);
    let shallow = h.store.model(Some("shallow")).unwrap();
    assert_eq!(
        h.store.trained_by(&shallow.id).unwrap().as_deref(),
        Some("kim")
    );
    // The Models pane, the new candidate under the cursor (newest first).
    h.app.set_pane(Screen::Model, 6);
    h.press("R");
    assert_eq!(h.app.model.view.as_ref().unwrap().models[0].id, shallow.id);
    h.press("A");
    let Overlay::Promote(d) = &h.app.overlay else {
        panic!("no confirmation: {:?}", h.app.overlay)
    };
    assert_eq!(d.preview.role, Role::Champion);
    assert_eq!(d.preview.candidate.id, shallow.id);
    // The mix after is the candidate's classes of the pending queue, scored without writing.
    let mix = precre::ops::governance::queue_mix(&h.store, &shallow).unwrap();
    assert_eq!(d.preview.after, mix);
    let pending = h.store.pending_queue().unwrap().len();
    assert_eq!(
        d.preview.after.iter().map(|(_, n)| n).sum::<usize>(),
        pending
    );
    assert_eq!(
        d.preview.before.iter().map(|(_, n)| n).sum::<usize>(),
        pending
    );
    assert_eq!(h.store.all_predictions().unwrap().len(), predictions);
    // The candidate's creation time and the log's are the clock's: shown as placeholders of
    // their width.
    let logged = h.store.model_log().unwrap()[0].at[..16].to_string();
    let screen = h
        .render(100, 30)
        .replace(&shallow.created_at, "YYYY-MM-DDTHH:MM:SSZ")
        .replace(&logged, "YYYY-MM-DDTHH:MM");
    insta::assert_snapshot!("promotion_confirmation_100x30", screen);
    for shown in [
        "before: bad",
        "after:  bad",
        "reason: ",
        "now the champion: ",
    ] {
        assert!(screen.contains(shown), "{shown}: {screen}");
    }
    // An empty reason is refused in the pop-up; Esc leaves everything as it was.
    h.press("enter");
    let Overlay::Promote(d) = &h.app.overlay else {
        panic!("the pop-up closed on an empty reason")
    };
    assert!(d.error.as_deref().unwrap_or("").contains("reason"));
    h.press("esc");
    assert_eq!(h.store.active_model().unwrap().unwrap().id, champion);
    assert_eq!(h.store.model_log().unwrap().len(), 1);
    // With a reason: promoted, logged, the firms scored.
    h.press("A");
    h.type_text("a shallower tree for the pilot");
    h.press("enter");
    assert!(matches!(h.app.overlay, Overlay::None));
    assert_eq!(h.store.active_model().unwrap().unwrap().id, shallow.id);
    let log = h.store.model_log().unwrap();
    assert_eq!(log.len(), 2);
    assert_eq!(log[1].reason, "a shallower tree for the pilot");
    assert_eq!(log[1].analyst, "kim");
    assert_eq!(log[1].from_model.as_deref(), Some(champion.as_str()));
    assert!(h.store.has_predictions(&shallow.id).unwrap());
    // The Models pane shows the log.
    let screen = h.render(120, 40);
    assert!(
        screen.contains("Model log") && screen.contains("a shallower tree"),
        "{screen}"
    );
}

#[test]
fn the_workbench_refuses_a_promotion_the_policy_refuses_and_says_which_rule() {
    let mut settings = test_settings("kim");
    settings.promotion = PromotionPolicy {
        four_eyes: precre::model::governance::FourEyes::NotTrainer,
        ..PromotionPolicy::default()
    };
    let mut h = Harness::new(Store::open_in_memory().unwrap(), settings);
    h.start();
    let champion = h.store.active_model().unwrap().unwrap().id;
    h.press("5");
    h.app.model.form.max_depth = "2".into();
    h.app.model.form.prune = "none".into();
    h.app.model.form.name = "mine".into();
    h.press("t");
    h.app.set_pane(Screen::Model, 6);
    h.press("R");
    h.press("A");
    h.type_text("my own tree");
    h.press("enter");
    assert_eq!(h.store.active_model().unwrap().unwrap().id, champion);
    let status = h
        .app
        .status
        .as_ref()
        .map(|s| s.1.clone())
        .unwrap_or_default();
    assert!(status.contains("four eyes (not the trainer)"), "{status}");
}
