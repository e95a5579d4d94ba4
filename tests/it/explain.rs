//! Explanations: conditions in original units that hold for the firm, reasons only toward bad or
//! satisfactory (at most four), and a nearest change that really changes the class.

use precre::analysis::KRule;
use precre::model::pipeline::{train_and_evaluate, FitSpec, PruneSpec, SplitSpec};
use precre::model::registry::ModelRecord;
use precre::model::TreeParams;
use precre::store::Store;

#[test]
fn explanations_hold_in_original_units() {
    let rec = ModelRecord::from_json(include_str!("../../models/default.json")).unwrap();
    let mut store = Store::open_in_memory().unwrap();
    precre::demo::load(&mut store, None, false).unwrap();
    let all: Vec<usize> = (0..precre::finance::RATIOS.len()).collect();
    let data = precre::views::data::latest_ratios(&store, &all).unwrap();
    assert_eq!(data.names, rec.pipeline.features);
    let mut seen_reasons = 0;
    for r in (0..data.x.rows).step_by(7) {
        let row = data.x.row(r);
        let e = rec.pipeline.explain(row);
        let proba = rec.pipeline.predict_proba(&data.x.select_rows(&[r]));
        let best = proba[0].iter().cloned().fold(f64::MIN, f64::max);
        let p_class = e
            .probabilities
            .iter()
            .find(|(c, _)| *c == e.class)
            .unwrap()
            .1;
        assert_eq!(p_class, best, "the explained class is the predicted one");
        for s in &e.path {
            // The condition holds in original units: value <= threshold exactly when it went left.
            assert_eq!(
                s.value <= s.threshold + 1e-9 * s.threshold.abs().max(1.0),
                s.went_left,
                "{}",
                s.condition
            );
        }
        assert!(e.reasons.len() <= 4);
        if e.class == "good" {
            assert!(e.reasons.is_empty());
        }
        seen_reasons += e.reasons.len();
        if let Some(c) = &e.nearest_change {
            let f = rec
                .pipeline
                .features
                .iter()
                .position(|n| *n == c.variable)
                .unwrap();
            let mut moved = row.to_vec();
            let step = 1e-6 * c.threshold.abs().max(1e-3);
            moved[f] = if c.value <= c.threshold {
                c.threshold + step
            } else {
                c.threshold - step
            };
            let again = rec.pipeline.explain(&moved);
            assert_eq!(again.class, c.new_class, "{}", c.text);
            assert_ne!(again.class, e.class);
        }
    }
    assert!(seen_reasons > 0, "some firms get reasons");
}

#[test]
fn components_are_explained_by_their_loadings() {
    let mut store = Store::open_in_memory().unwrap();
    precre::demo::load(&mut store, None, false).unwrap();
    let all: Vec<usize> = (0..precre::finance::RATIOS.len()).collect();
    let data = precre::views::data::latest_ratios(&store, &all).unwrap();
    let spec = FitSpec {
        params: TreeParams {
            max_depth: Some(4),
            ..TreeParams::default()
        },
        pca: Some(KRule::Cumulative(0.9)),
        prune: PruneSpec::None,
        learner: precre::model::learner::Learner::Tree,
    };
    let r = train_and_evaluate(
        &data,
        &spec,
        &SplitSpec::Stratified {
            test_share: 0.3,
            seed: 1,
        },
        None,
        None,
    )
    .unwrap();
    let e = r.pipeline.explain(data.x.row(0));
    assert!(!e.path.is_empty());
    for s in &e.path {
        assert!(
            s.variable.starts_with("PC") && s.variable.contains('('),
            "{}",
            s.variable
        );
    }
}
