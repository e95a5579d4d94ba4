//! One action, one behaviour: each use case run through the command line (the binary) and
//! through the workbench (its real update loop on the test harness, keys pressed as an analyst
//! would) leaves the two stores with the same rows: firms, models (id, name, active),
//! predictions (model, firm, year, class, probabilities), the model log (analyst, action, role,
//! models, reason) and decisions (all but the time).

use crate::common;

use common::precre;
use precre::store::Store;
use precre::tui::app::Screen;
use precre::tui::harness::{test_settings, Harness};
use std::path::Path;

const ANALYST: &str = "parity";

/// A decision without its time: application, verdict, analyst, model, its class, reasons.
type DecisionRow = (
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Vec<String>,
);

/// A model log row without its time: analyst, action, role, from, to, reason.
type LogRow = (
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    String,
);

/// The rows an action writes, without the clocks' times.
#[derive(Debug, PartialEq)]
struct Rows {
    firms: i64,
    statements: i64,
    models: Vec<(String, String, bool)>,
    predictions: Vec<(String, String, Option<i32>, String, String)>,
    decisions: Vec<DecisionRow>,
    log: Vec<LogRow>,
    pending: i64,
}

fn rows(store: &Store) -> Rows {
    let mut models: Vec<_> = store
        .models()
        .unwrap()
        .into_iter()
        .map(|m| (m.id, m.name, m.active))
        .collect();
    models.sort();
    let mut predictions: Vec<_> = store
        .all_predictions()
        .unwrap()
        .into_iter()
        .map(|p| {
            (
                p.model_id,
                p.firm_id,
                p.fiscal_year,
                p.class,
                format!("{:?}", p.probabilities),
            )
        })
        .collect();
    predictions.sort();
    let decisions = store
        .decisions()
        .unwrap()
        .into_iter()
        .map(|d| {
            (
                d.application_id,
                d.decision,
                d.analyst,
                d.model_id,
                d.predicted_class,
                d.reasons,
            )
        })
        .collect();
    Rows {
        firms: store.count("firms").unwrap(),
        statements: store.count("statements").unwrap(),
        models,
        predictions,
        decisions,
        log: store
            .model_log()
            .unwrap()
            .into_iter()
            .map(|e| {
                (
                    e.analyst,
                    e.action.to_string(),
                    e.role.to_string(),
                    e.from_model,
                    e.to_model,
                    e.reason,
                )
            })
            .collect(),
        pending: store.pending_applications().unwrap(),
    }
}

fn cli(db: &Path, args: &[&str]) -> String {
    let out = precre(db)
        .args(["--analyst", ANALYST])
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "precre {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A workbench on its own store file, started (the first start loads the demo).
fn workbench(db: &Path) -> Harness {
    let mut h = Harness::new(Store::open(db).unwrap(), test_settings(ANALYST));
    h.start();
    h
}

#[test]
fn demo_train_activate_decide_and_export_leave_the_same_rows_from_both_front_ends() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("cli.db"), dir.path().join("tui.db"));

    // 1. The first start: `precre demo` against the workbench opening an empty store.
    cli(&a, &["demo"]);
    let mut h = workbench(&b);
    let after_demo = rows(&Store::open(&a).unwrap());
    assert_eq!(after_demo, rows(&h.store));
    assert_eq!(
        after_demo.models.len(),
        1,
        "the default model, the champion"
    );
    assert!(after_demo.models[0].2);
    assert_eq!(after_demo.log.len(), 1, "installed by a promotion, logged");
    assert_eq!(
        after_demo.predictions.len() as i64,
        after_demo.firms,
        "every firm scored"
    );

    // 2. Training with the defaults: `precre train --save NAME` against the Model form as it
    // opens (only the name typed). Same model id (content hash), a candidate: no role, no
    // prediction.
    cli(&a, &["train", "--ratios", "liquidity", "--save", "liquid"]);
    h.press("5");
    h.app.model.form.name = "liquid".into();
    h.app.model.form.ratios = "liquidity".into();
    h.press("t");
    let after_train = rows(&Store::open(&a).unwrap());
    assert_eq!(after_train, rows(&h.store));
    assert_eq!(after_train.models.len(), 2);
    assert!(after_train.models.iter().any(|m| m.1 == "liquid" && !m.2));
    assert_eq!(after_train.predictions, after_demo.predictions);

    // 3. Promoting the candidate, then the default model again: `precre models promote` against
    // the Models pane's confirmation with the same reason.
    let default_id = after_demo.models[0].0.clone();
    let promote = |h: &mut Harness, id: &str, reason: &str| {
        let pos = h
            .app
            .model
            .view
            .as_ref()
            .unwrap()
            .models
            .iter()
            .position(|m| m.id == id)
            .unwrap();
        h.app.set_pane(Screen::Model, 6); // the Models pane
        h.app.model.models_cursor = pos;
        h.press("A"); // the confirmation
        h.type_text(reason);
        h.press("enter");
    };
    cli(
        &a,
        &["models", "promote", "liquid", "--reason", "parity up"],
    );
    let liquid_id = h.store.model(Some("liquid")).unwrap().id;
    promote(&mut h, &liquid_id, "parity up");
    let after_promote = rows(&Store::open(&a).unwrap());
    assert_eq!(after_promote, rows(&h.store));
    assert!(after_promote.models.iter().any(|m| m.1 == "liquid" && m.2));
    assert_eq!(
        after_promote.predictions.len() as i64,
        2 * after_promote.firms,
        "the new champion scored every firm"
    );
    cli(
        &a,
        &["models", "promote", &default_id, "--reason", "parity back"],
    );
    promote(&mut h, &default_id, "parity back");
    let after_back = rows(&Store::open(&a).unwrap());
    assert_eq!(after_back, rows(&h.store));
    assert_eq!(after_back.log.len(), 3);
    assert_eq!(h.store.model(None).unwrap().id, default_id);

    // 4. Three decisions: the riskiest three of the queue, a decline with its reasons, an
    // approval against the model with an override reason, a referral.
    h.press("6");
    assert_eq!(h.app.screen, Screen::Triage);
    let queue: Vec<(String, Vec<String>, String)> = h
        .app
        .triage
        .queue
        .iter()
        .take(3)
        .map(|q| {
            let s = q.score.as_ref().unwrap();
            (
                q.application.id.clone(),
                q.suggested_reasons(),
                s.explanation.class.clone(),
            )
        })
        .collect();
    let json = cli(&a, &["queue", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let cli_ids: Vec<&str> = v["applications"]
        .as_array()
        .unwrap()
        .iter()
        .take(3)
        .map(|a| a["application_id"].as_str().unwrap())
        .collect();
    let tui_ids: Vec<&str> = queue.iter().map(|q| q.0.as_str()).collect();
    assert_eq!(cli_ids, tui_ids, "one queue, one order");

    // Decline: the workbench prefills the model's reasons; the command line gives the same.
    let (app0, reasons0, _) = &queue[0];
    let mut args = vec!["decide", app0.as_str(), "--decline"];
    for r in reasons0 {
        args.push("--reason");
        args.push(r);
    }
    args.extend(["--note", "-5% margin"]);
    cli(&a, &args);
    h.press("d");
    h.press("tab");
    h.press("tab");
    h.press("tab");
    h.press("tab");
    h.type_text("-5% margin");
    h.press("enter");

    // Approve against the model (the queue's second is bad): an override reason is needed.
    let (app1, _, class1) = &queue[1];
    assert_eq!(class1, "bad");
    cli(
        &a,
        &[
            "decide",
            app1,
            "--approve",
            "--override-reason",
            "new guarantee",
        ],
    );
    h.press("a");
    h.press("tab");
    h.type_text("new guarantee");
    h.press("enter");

    // Refer the third.
    let (app2, _, _) = &queue[2];
    cli(&a, &["decide", app2, "--refer"]);
    h.press("r");
    h.press("enter");

    let after_decide = rows(&Store::open(&a).unwrap());
    assert_eq!(after_decide, rows(&h.store));
    assert_eq!(after_decide.decisions.len(), 3);
    assert!(after_decide
        .decisions
        .iter()
        .all(|d| d.3.as_deref() == Some(default_id.as_str())));
    assert_eq!(after_decide.pending, after_demo.pending - 3);

    // 5. Export: the same decisions file (but for the times they were taken).
    let (fa, fb) = (dir.path().join("a.csv"), dir.path().join("b.csv"));
    cli(&a, &["export", "decisions", "--out", fa.to_str().unwrap()]);
    h.press("7");
    h.app.export.path = Some(fb.clone());
    h.press("e");
    let strip = |p: &Path| -> Vec<String> {
        std::fs::read_to_string(p)
            .unwrap()
            .lines()
            .map(|l| {
                l.split(',')
                    .enumerate()
                    .filter(|(i, _)| *i != 5) // decided_at
                    .map(|(_, c)| c.to_string())
                    .collect::<Vec<_>>()
                    .join(",")
            })
            .collect()
    };
    assert_eq!(strip(&fa), strip(&fb));
    assert_eq!(strip(&fa).len(), 4, "a header and three decisions");
}
