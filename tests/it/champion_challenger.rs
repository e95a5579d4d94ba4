//! Champion and challenger, as an analyst uses them on the demo: a challenger set beside the
//! active model shows its class and chances in the queue and on the firm (marked where it
//! disagrees), each decision records the challenger's id and class (hashed into the decision
//! log's chain, exported), the champion cannot be its own challenger, and making the
//! challenger the champion clears it.

use crate::common;
use common::run;
use serde_json::Value;

fn json(db: &std::path::Path, args: &[&str]) -> Value {
    let (code, out, err) = run(db, args);
    assert_eq!(code, Some(0), "{args:?}: {err}");
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{args:?}: {e}: {out}"))
}

#[test]
fn a_challenger_is_shown_beside_the_champion_and_recorded_with_each_decision() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    assert_eq!(run(&db, &["demo"]).0, Some(0));
    let trained = json(
        &db,
        &[
            "train", "--ratios", "all", "--kind", "logistic", "--save", "lr", "--format", "json",
        ],
    );
    let challenger = trained["model_id"].as_str().unwrap().to_string();
    // Training with --save made a candidate; the demo's tree is still the champion.
    let (code, _, err) = run(&db, &["models", "challenger", "default", "--reason", "x"]);
    assert_eq!(
        code,
        Some(2),
        "the champion as its own challenger (a usage error)"
    );
    assert!(err.contains("is the champion"), "{err}");
    let (code, out, err) = run(&db, &["models", "challenger", "lr", "--reason", "compare"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains(&challenger), "{out}");
    let listed = json(&db, &["models", "--format", "json"]);
    let flagged: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["challenger"] == true)
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    assert_eq!(flagged, vec![challenger.as_str()]);

    // The queue: every scored application carries the challenger's class, chances and mark.
    let queue = json(&db, &["queue", "--format", "json"]);
    let apps = queue["applications"].as_array().unwrap();
    let mut disagreements = 0;
    for a in apps {
        let c = &a["challenger"];
        assert_eq!(c["model_id"], challenger.as_str(), "{a}");
        let p: f64 = c["probabilities"]
            .as_object()
            .unwrap()
            .values()
            .map(|v| v.as_f64().unwrap())
            .sum();
        assert!((p - 1.0).abs() < 1e-9);
        let disagrees = c["class"] != a["class"];
        assert_eq!(c["disagrees"], disagrees, "{a}");
        disagreements += usize::from(disagrees);
        // The challenger's view equals classify with that model.
        let firm = a["firm_id"].as_str().unwrap();
        let own = json(
            &db,
            &[
                "classify", "--model", "lr", "--firm", firm, "--format", "json",
            ],
        );
        assert_eq!(own["predictions"][0]["class"], c["class"], "{firm}");
    }
    let (_, text, _) = run(&db, &["queue"]);
    assert!(
        text.contains("challenger") && text.contains(&format!("on {disagreements} of")),
        "{text}"
    );

    // The firm: the challenger beside the model.
    let first = &apps[0];
    let firm = json(
        &db,
        &[
            "firm",
            first["firm_id"].as_str().unwrap(),
            "--format",
            "json",
        ],
    );
    assert_eq!(firm["challenger"]["id"], challenger.as_str());
    assert_eq!(firm["challenger"]["class"], first["challenger"]["class"]);

    // A decision records both models; the chain covers it; the export carries it.
    let app = first["application_id"].as_str().unwrap();
    let (code, out, err) = run(&db, &["decide", app, "--refer", "--note", "second opinion"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains(&format!("challenger {challenger}")), "{out}");
    let csv = dir.path().join("d.csv");
    let (code, _, err) = run(
        &db,
        &["export", "decisions", "--out", csv.to_str().unwrap()],
    );
    assert_eq!(code, Some(0), "{err}");
    let text = std::fs::read_to_string(&csv).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let row: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |name: &str| row[header.iter().position(|h| *h == name).unwrap()];
    assert_eq!(col("challenger_id"), challenger);
    assert_eq!(col("challenger_class"), first["challenger"]["class"]);
    assert_eq!(col("predicted_class"), first["class"]);
    let (code, out, err) = run(&db, &["check"]);
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(out.contains("consistent"), "{out}");

    // Promoting the challenger clears it.
    assert_eq!(
        run(&db, &["models", "promote", "lr", "--reason", "better"]).0,
        Some(0)
    );
    let (_, out, _) = run(&db, &["models", "challenger"]);
    assert!(out.contains("no challenger set"), "{out}");
    let queue = json(&db, &["queue", "--format", "json"]);
    assert!(queue["applications"][0]["challenger"].is_null());
}
