//! Importing the real public data sets in ../shared/datasets with their published counts
//! (UCI 365 Polish bankruptcy, UCI 144 Statlog German, UCI 143 Statlog Australian, iris).
//! Skipped, with a message, where that folder is absent (a clone of the project alone).

use precre::ingest::{import_file, FeatureOptions, ImportOptions, Kind};
use precre::store::Store;
use std::path::PathBuf;

fn dataset(rel: &str) -> Option<PathBuf> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/datasets")
        .join(rel);
    if p.exists() {
        Some(p)
    } else {
        eprintln!(
            "SKIPPED: {} is absent (the shared data sets are not beside this clone)",
            p.display()
        );
        None
    }
}

fn features(id: Option<&str>, label: &str, name: &str) -> ImportOptions {
    let mut o = ImportOptions::new(Kind::Features);
    o.features = FeatureOptions {
        id_column: id.map(str::to_string),
        label_column: Some(label.to_string()),
        name: Some(name.to_string()),
        replace: false,
    };
    o
}

fn labels(store: &Store, name: &str) -> Vec<(String, usize)> {
    store.feature_set(name).unwrap().labels
}

#[test]
fn polish_1year_csv_and_arff_match_the_published_counts() {
    let (Some(csv), Some(arff)) = (
        dataset("polish-bankruptcy/1year.csv"),
        dataset("polish-bankruptcy/1year.arff"),
    ) else {
        return;
    };
    let mut store = Store::open_in_memory().unwrap();
    // Published: 7,027 firms, 271 bankrupt, 5,835 missing cells (UCI 365, Tomczak 2016).
    let rep = import_file(
        &mut store,
        &csv,
        &features(Some("row_id"), "class", "polish1"),
    )
    .unwrap();
    assert_eq!(rep.counts.rows_written, 7027);
    assert_eq!(rep.missing_cells, 5835);
    assert_eq!(
        labels(&store, "polish1"),
        vec![("0".into(), 6756), ("1".into(), 271)]
    );
    let info = store.feature_set("polish1").unwrap();
    assert_eq!(info.columns.len(), 64);
    assert!(info.columns.iter().all(|c| c.kind == "numeric"));

    let rep = import_file(&mut store, &arff, &features(None, "class", "polish1_arff")).unwrap();
    assert_eq!(rep.counts.rows_written, 7027);
    assert_eq!(rep.missing_cells, 5835);
    assert_eq!(
        labels(&store, "polish1_arff"),
        vec![("0".into(), 6756), ("1".into(), 271)]
    );
    // The CSV is the ARFF with a row id added: the same values, row by row.
    let a = store.feature_rows("polish1").unwrap();
    let b = store.feature_rows("polish1_arff").unwrap();
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(x.label, y.label);
        for (u, v) in x.values.iter().zip(&y.values) {
            assert!(u.to_bits() == v.to_bits() || (u.is_nan() && v.is_nan()));
        }
    }
}

#[test]
fn polish_5year_counts() {
    let Some(csv) = dataset("polish-bankruptcy/5year.csv") else {
        return;
    };
    let mut store = Store::open_in_memory().unwrap();
    let rep = import_file(
        &mut store,
        &csv,
        &features(Some("row_id"), "class", "polish5"),
    )
    .unwrap();
    // Published: 5,910 firms, 410 bankrupt.
    assert_eq!(rep.counts.rows_written, 5910);
    assert_eq!(
        labels(&store, "polish5"),
        vec![("0".into(), 5500), ("1".into(), 410)]
    );
}

#[test]
fn german_categorical_codes_import_as_categories() {
    let Some(path) = dataset("statlog-german/german.data") else {
        return;
    };
    let mut store = Store::open_in_memory().unwrap();
    let rep = import_file(&mut store, &path, &features(None, "column_21", "german")).unwrap();
    // Published: 1,000 applicants, 700 good (1) and 300 bad (2); 13 categorical attributes.
    assert_eq!(rep.counts.rows_written, 1000);
    assert_eq!(
        labels(&store, "german"),
        vec![("1".into(), 700), ("2".into(), 300)]
    );
    let info = store.feature_set("german").unwrap();
    assert_eq!(info.columns.len(), 20);
    assert_eq!(
        info.columns
            .iter()
            .filter(|c| c.kind == "categorical")
            .count(),
        13
    );
    let checking = &info.columns[0];
    assert_eq!(checking.categories, vec!["A11", "A12", "A13", "A14"]);
    // First applicant: checking account A11 (category 0), duration 6 months.
    let rows = store.feature_rows("german").unwrap();
    assert_eq!(rows[0].values[0], 0.0);
    assert_eq!(rows[0].values[1], 6.0);
}

#[test]
fn australian_counts() {
    let Some(path) = dataset("statlog-australian/australian.dat") else {
        return;
    };
    let mut store = Store::open_in_memory().unwrap();
    let rep = import_file(
        &mut store,
        &path,
        &features(None, "column_15", "australian"),
    )
    .unwrap();
    // Published: 690 applications, 383 class 0 and 307 class 1.
    assert_eq!(rep.counts.rows_written, 690);
    assert_eq!(
        labels(&store, "australian"),
        vec![("0".into(), 383), ("1".into(), 307)]
    );
    assert!(store
        .feature_set("australian")
        .unwrap()
        .columns
        .iter()
        .all(|c| c.kind == "numeric"));
}

#[test]
fn iris_counts() {
    let Some(path) = dataset("iris/iris.csv") else {
        return;
    };
    let mut store = Store::open_in_memory().unwrap();
    import_file(&mut store, &path, &features(None, "species", "iris")).unwrap();
    assert_eq!(
        labels(&store, "iris"),
        vec![
            ("setosa".into(), 50),
            ("versicolor".into(), 50),
            ("virginica".into(), 50)
        ]
    );
}
