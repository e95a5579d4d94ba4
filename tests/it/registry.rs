//! The model registry: content ids, the committed default model reproduces (with its training
//! profile, on the demo before its planted downturn), tampering is caught.

use precre::model::pipeline::{train_and_evaluate, FitSpec, PruneSpec, SplitSpec};
use precre::model::prune::PruneLoss;
use precre::model::registry::{fingerprint, ModelMetrics, ModelRecord};
use precre::model::TreeParams;
use precre::store::Store;

const DEFAULT_MODEL: &str = include_str!("../../models/default.json");

/// The README's command: `precre train --ratios all --max-depth 6 --prune cv --save default`,
/// with the record's training profile as training keeps it.
fn retrain_default(store: &Store) -> ModelRecord {
    let all: Vec<usize> = (0..precre::finance::RATIOS.len()).collect();
    let data = precre::views::data::latest_ratios(store, &all).unwrap();
    let spec = FitSpec {
        params: TreeParams {
            max_depth: Some(6),
            ..TreeParams::default()
        },
        pca: None,
        prune: PruneSpec::CrossValidated {
            folds: 5,
            loss: PruneLoss::Auc,
        },
        learner: precre::model::learner::Learner::Tree,
    };
    let split = SplitSpec::Stratified {
        test_share: 0.3,
        seed: 42,
    };
    let r = train_and_evaluate(&data, &spec, &split, None, None).unwrap();
    let metrics = ModelMetrics::from_evaluation(&r.evaluation, r.n_train, r.n_test);
    let mut rec = ModelRecord::new(
        "default",
        "ratios (all) of each firm's latest statement",
        "now",
        fingerprint(&data, &r.train_rows),
        metrics,
        r.pipeline.clone(),
    );
    rec.population = Some(precre::model::registry::training_population(&data, &r));
    rec
}

#[test]
fn the_committed_default_model_reproduces_with_the_same_id() {
    let committed = ModelRecord::from_json(DEFAULT_MODEL).unwrap();
    // The default model was trained on the demo before its downturn (`demo generate --no-shock`).
    let dir = tempfile::tempdir().unwrap();
    let before = precre::demo::DemoConfig {
        shock: false,
        ..Default::default()
    };
    precre::demo::generate_to_dir(&before, dir.path()).unwrap();
    let mut store = Store::open_in_memory().unwrap();
    precre::demo::load(&mut store, Some(dir.path()), false).unwrap();
    let again = retrain_default(&store);
    assert_eq!(again.id, committed.id);
    assert_eq!(again.pipeline, committed.pipeline);
    assert_eq!(again.metrics, committed.metrics);
    assert!(committed.population.is_some());
    assert_eq!(again.population, committed.population);
}

#[test]
fn registry_round_trip_and_tamper_check() {
    let mut store = Store::open_in_memory().unwrap();
    let rec = ModelRecord::from_json(DEFAULT_MODEL).unwrap();
    precre::ops::governance::install(&mut store, &rec, "tester", "a test").unwrap();
    store.save_model(&rec, None).unwrap(); // the same content is kept once
    let list = store.models().unwrap();
    assert_eq!(list.len(), 1);
    assert!(list[0].active);
    assert_eq!(store.model(None).unwrap(), rec);
    assert_eq!(store.model(Some(&rec.id[..6])).unwrap().id, rec.id);
    assert_eq!(store.model(Some("default")).unwrap().id, rec.id);
    assert!(store.model(Some("nope")).is_err());

    let mut value: serde_json::Value = serde_json::from_str(DEFAULT_MODEL).unwrap();
    value["pipeline"]["tree"]["nodes"][0]["threshold"] = serde_json::json!(123.0);
    let err = ModelRecord::from_json(&value.to_string()).unwrap_err();
    assert!(
        matches!(err, precre::model::RecordError::IdMismatch { .. }),
        "{err}"
    );
    // The name and time are not content: renaming keeps the id valid.
    let mut value: serde_json::Value = serde_json::from_str(DEFAULT_MODEL).unwrap();
    value["name"] = serde_json::json!("renamed");
    assert!(ModelRecord::from_json(&value.to_string()).is_ok());
}
