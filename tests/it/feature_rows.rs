//! One feature row per firm, whatever the path: the row training reads, the row a stored firm
//! is scored on and the row of the same firm posted to the service are equal, input for input,
//! on a model that reads ratios, factors, the sector (one-hot), age and an item, including a
//! firm whose sector is blank and one whose sector the model never saw.

use crate::common;

use precre::analysis::dataset::YearRule;
use precre::finance::inputs::FACTORS;
use precre::ops::score::{PostedFirm, PostedStatement};
use precre::store::Store;
use std::collections::BTreeMap;

/// Equal as rows are compared: NaN (missing) equals NaN.
fn same(a: &[f64], b: &[f64]) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|(x, y)| x == y || (x.is_nan() && y.is_nan()))
}

fn posted(store: &Store, firm: &str) -> PostedFirm {
    let row = store.firm(firm).unwrap();
    let inputs = store.firm_input(firm).unwrap();
    PostedFirm {
        id: Some(row.id.clone()),
        name: Some(row.name.clone()),
        sector: row.sector.clone(),
        region: row.region.clone(),
        size: row.size.clone(),
        founded: row.founded.clone(),
        factors: FACTORS
            .iter()
            .zip(&inputs.factors)
            .filter_map(|(f, v)| v.map(|v| (f.to_string(), v)))
            .collect::<BTreeMap<_, _>>(),
        statements: store
            .firm_statements(firm, None)
            .unwrap()
            .into_iter()
            .map(|(s, _)| PostedStatement {
                currency: None,
                unit: None,
                fiscal_year: s.fiscal_year,
                items: precre::finance::ITEMS
                    .iter()
                    .zip(s.values)
                    .filter_map(|(it, v)| v.map(|v| (it.id, v)))
                    .collect(),
            })
            .collect(),
    }
}

#[test]
fn training_stored_and_posted_rows_of_a_firm_are_equal() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("rows.db");
    assert_eq!(common::run(&db, &["demo"]).0, Some(0));
    let (code, _, err) = common::run(
        &db,
        &[
            "train",
            "--ratios",
            "all,factors,sector,age,equity",
            "--max-depth",
            "6",
            "--prune",
            "none",
            "--save",
            "rows",
        ],
    );
    assert_eq!(code, Some(0), "{err}");
    let ids: Vec<String> = {
        let conn = rusqlite::Connection::open(&db).unwrap();
        let ids: Vec<String> = conn
            .prepare("SELECT id FROM firms ORDER BY id LIMIT 30")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        // A blank sector and one no model has seen.
        conn.execute("UPDATE firms SET sector = '  ' WHERE id = ?1", [&ids[0]])
            .unwrap();
        conn.execute(
            "UPDATE firms SET sector = 'space_mining' WHERE id = ?1",
            [&ids[1]],
        )
        .unwrap();
        ids
    };
    let store = Store::open(&db).unwrap();
    let model = store.model(Some("rows")).unwrap();
    let features = &model.pipeline.features;
    assert!(
        features.iter().any(|f| f.starts_with("sector=")),
        "{features:?}"
    );
    let training = precre::views::data::firm_feature_rows(&store, features, YearRule::Latest)
        .unwrap()
        .expect("a firm-input model");
    let parsed = precre::ops::score::features_of(&model);
    for (k, firm) in ids.iter().enumerate() {
        let r = training
            .ids
            .iter()
            .position(|id| id == firm || id.split_once(':').is_some_and(|(f, _)| f == firm))
            .unwrap_or_else(|| panic!("{firm} has no training row"));
        let trained: Vec<f64> = (0..training.x.cols).map(|c| training.x.get(r, c)).collect();
        let (_, _, stored) =
            precre::views::scoring::firm_features(&store, firm, None, features).unwrap();
        assert!(
            same(&trained, &stored),
            "{firm}: training {trained:?}\nstored {stored:?}"
        );
        if k == 0 {
            // A blank sector cannot be posted (the import refuses it too): it reads as missing,
            // every sector column 0, in training and in the stored score alike.
            let sector_cols: Vec<f64> = features
                .iter()
                .zip(&stored)
                .filter(|(f, _)| f.starts_with("sector="))
                .map(|(_, v)| *v)
                .collect();
            assert!(sector_cols.iter().all(|v| *v == 0.0), "{sector_cols:?}");
            continue;
        }
        let row = precre::ops::score::posted_row(&model, &parsed, &posted(&store, firm)).unwrap();
        assert!(
            same(&row.values, &stored),
            "{firm}: posted {:?}\nstored {stored:?}",
            row.values
        );
    }
}
