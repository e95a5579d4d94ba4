//! The data a PCA or a model reads, taken from the store: a feature set's columns, or the
//! ratios of the statements a year rule picks, labelled by each firm's latest outcome.

use crate::analysis::dataset::{Dataset, YearRule};
use crate::analysis::Matrix;
use crate::finance::RATIOS;
use crate::store::{Store, StoreError};

/// A feature set's numeric columns (categorical ones are listed in `dropped` unless
/// `keep_categorical`, in which case their category codes are kept as numbers).
pub fn feature_set(
    store: &Store,
    name: &str,
    keep_categorical: bool,
) -> Result<Dataset, StoreError> {
    let info = store.feature_set(name)?;
    let rows = store.feature_rows(name)?;
    let keep: Vec<usize> = (0..info.columns.len())
        .filter(|&c| keep_categorical || info.columns[c].kind == "numeric")
        .collect();
    let dropped = info
        .columns
        .iter()
        .filter(|c| !keep_categorical && c.kind != "numeric")
        .map(|c| (c.name.clone(), "categorical".to_string()))
        .collect();
    let mut data = Vec::with_capacity(rows.len() * keep.len());
    for r in &rows {
        data.extend(keep.iter().map(|&c| r.values[c]));
    }
    Ok(Dataset {
        names: keep.iter().map(|&c| info.columns[c].name.clone()).collect(),
        categories: keep
            .iter()
            .map(|&c| info.columns[c].categories.clone())
            .collect(),
        x: Matrix::new(rows.len(), keep.len(), data),
        ids: rows.iter().map(|r| r.entity_id.clone()).collect(),
        labels: rows.into_iter().map(|r| r.label).collect(),
        years: Vec::new(),
        dropped,
    })
}

/// The selected ratios of every firm's latest statement, labelled by the firm's latest outcome.
pub fn latest_ratios(store: &Store, ratios: &[usize]) -> Result<Dataset, StoreError> {
    ratios_by_rule(store, ratios, YearRule::Latest)
}

/// The selected ratios of the statements a year rule picks, labelled by the firm's latest outcome.
pub fn ratios_by_rule(
    store: &Store,
    ratios: &[usize],
    rule: YearRule,
) -> Result<Dataset, StoreError> {
    let rows = store.ratio_rows(ratios, rule)?;
    Ok(Dataset {
        names: ratios.iter().map(|&i| RATIOS[i].id.to_string()).collect(),
        categories: vec![Vec::new(); ratios.len()],
        x: Matrix::new(rows.ids.len(), ratios.len(), rows.values),
        ids: rows.ids,
        labels: rows.labels,
        years: rows.years,
        dropped: Vec::new(),
    })
}
