//! Split criteria on small cases worked out by hand, and save/load giving identical predictions.

use precre::model::criterion::{impurity, split_score};
use precre::model::registry::ModelRecord;
use precre::model::Criterion;

fn close(a: f64, b: f64) {
    assert!((a - b).abs() < 1e-12, "{a} vs {b}");
}

#[test]
fn impurities_by_hand() {
    // Counts (3, 1): Gini = 1 - (3/4)^2 - (1/4)^2 = 1 - 9/16 - 1/16 = 6/16 = 0.375.
    close(impurity(Criterion::Gini, &[3.0, 1.0]), 0.375);
    // Entropy = -(3/4 log2 3/4 + 1/4 log2 1/4) = 0.75 * 0.415037... + 0.25 * 2 = 0.811278...
    close(
        impurity(Criterion::Entropy, &[3.0, 1.0]),
        0.8112781244591328,
    );
    // Pure node: 0 for both; (1, 1, 1): Gini 2/3, entropy log2 3.
    close(impurity(Criterion::Gini, &[5.0, 0.0]), 0.0);
    close(impurity(Criterion::Entropy, &[5.0, 0.0]), 0.0);
    close(impurity(Criterion::Gini, &[1.0, 1.0, 1.0]), 2.0 / 3.0);
    close(impurity(Criterion::Entropy, &[1.0, 1.0, 1.0]), 3f64.log2());
}

#[test]
fn split_scores_by_hand() {
    // Parent (4, 4). Split A: left (4, 1), right (0, 3). Split B: left (2, 2), right (2, 2).
    let (al, ar, bl, br) = ([4.0, 1.0], [0.0, 3.0], [2.0, 2.0], [2.0, 2.0]);
    // Gini proxy: sum L_k^2 / N_L + sum R_k^2 / N_R. A: 17/5 + 9/3 = 3.4 + 3 = 6.4; B: 8/4 + 8/4 = 4.
    close(split_score(Criterion::Gini, &al, &ar, 5.0, 3.0), 6.4);
    close(split_score(Criterion::Gini, &bl, &br, 4.0, 4.0), 4.0);
    // Entropy proxy: -(N_L H(L) + N_R H(R)). A: -(5 * H(0.8, 0.2) + 3 * 0) = -5 * 0.721928... = -3.609640...
    close(
        split_score(Criterion::Entropy, &al, &ar, 5.0, 3.0),
        -5.0 * 0.7219280948873623,
    );
    close(split_score(Criterion::Entropy, &bl, &br, 4.0, 4.0), -8.0);
    // Pairs: same-class pairs kept together. A: C(4,2) + C(1,2) + C(0,2) + C(3,2) = 6 + 0 + 0 + 3 = 9;
    // B: 4 * C(2,2) = 4. The parent holds C(4,2) + C(4,2) = 12.
    close(split_score(Criterion::GiniPairs, &al, &ar, 5.0, 3.0), 9.0);
    close(split_score(Criterion::GiniPairs, &bl, &br, 4.0, 4.0), 4.0);
    // Every criterion prefers A.
    for c in [Criterion::Gini, Criterion::Entropy, Criterion::GiniPairs] {
        assert!(split_score(c, &al, &ar, 5.0, 3.0) > split_score(c, &bl, &br, 4.0, 4.0));
    }
}

#[test]
fn save_and_load_give_bit_identical_predictions() {
    let text = include_str!("../../models/default.json");
    let rec = ModelRecord::from_json(text).unwrap();
    let again = ModelRecord::from_json(&serde_json::to_string(&rec).unwrap()).unwrap();
    assert_eq!(rec, again);
    let mut store = precre::store::Store::open_in_memory().unwrap();
    precre::demo::load(&mut store, None, false).unwrap();
    let all: Vec<usize> = (0..precre::finance::RATIOS.len()).collect();
    let data = precre::views::data::latest_ratios(&store, &all).unwrap();
    precre::ops::governance::install(&mut store, &rec, "tester", "a test").unwrap();
    let loaded = store.model(None).unwrap();
    let a = rec.pipeline.predict_proba(&data.x);
    let b = loaded.pipeline.predict_proba(&data.x);
    for (p, q) in a.iter().zip(&b) {
        for (u, v) in p.iter().zip(q) {
            assert_eq!(u.to_bits(), v.to_bits());
        }
    }
}
