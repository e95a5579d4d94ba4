//! Inputs of a PCA or a model: a named feature set, or the ratios of each firm's latest
//! statement, as a matrix with NaN for missing cells, row ids and labels.

use super::Matrix;
use crate::finance::{RatioGroup, RATIOS};
use crate::store::statements::YearRule;
use crate::store::{Store, StoreError};

/// Rows (entities) by named numeric columns, with an optional label per row.
#[derive(Debug, Clone)]
pub struct Dataset {
    pub names: Vec<String>,
    pub x: Matrix,
    pub ids: Vec<String>,
    pub labels: Vec<Option<String>>,
    /// The fiscal year of each row, where rows are statements (empty for a feature set).
    pub years: Vec<i32>,
    /// Columns left out, with why (categorical columns for a PCA, for example).
    pub dropped: Vec<(String, String)>,
}

/// Which ratios: all, one group, or a comma-separated list of ids.
pub fn select_ratios(spec: Option<&str>) -> Result<Vec<usize>, String> {
    let Some(spec) = spec.map(str::trim).filter(|s| !s.is_empty() && *s != "all") else {
        return Ok((0..RATIOS.len()).collect());
    };
    if let Some(g) = RatioGroup::parse(spec) {
        return Ok(RATIOS
            .iter()
            .enumerate()
            .filter(|(_, r)| r.group == g)
            .map(|(i, _)| i)
            .collect());
    }
    spec.split(',')
        .map(|id| {
            crate::finance::catalogue::find(id)
                .map(|(i, _)| i)
                .ok_or_else(|| {
                    format!(
                        "'{}' is neither a ratio id nor a group (see `precre ratios --list`)",
                        id.trim()
                    )
                })
        })
        .collect()
}

impl Dataset {
    /// A feature set's numeric columns (categorical ones are listed in `dropped` unless
    /// `keep_categorical`, in which case their category codes are kept as numbers).
    pub fn from_feature_set(
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
            x: Matrix::new(rows.len(), keep.len(), data),
            ids: rows.iter().map(|r| r.entity_id.clone()).collect(),
            labels: rows.into_iter().map(|r| r.label).collect(),
            years: Vec::new(),
            dropped,
        })
    }

    /// The selected ratios of every firm's latest statement, labelled by the firm's latest outcome.
    pub fn from_latest_ratios(store: &Store, ratios: &[usize]) -> Result<Dataset, StoreError> {
        Dataset::from_ratios(store, ratios, YearRule::Latest)
    }

    /// The selected ratios of the statements a year rule picks, labelled by the firm's latest outcome.
    pub fn from_ratios(
        store: &Store,
        ratios: &[usize],
        rule: YearRule,
    ) -> Result<Dataset, StoreError> {
        let rows = store.ratio_rows(ratios, rule)?;
        Ok(Dataset {
            names: ratios.iter().map(|&i| RATIOS[i].id.to_string()).collect(),
            x: Matrix::new(rows.ids.len(), ratios.len(), rows.values),
            ids: rows.ids,
            labels: rows.labels,
            years: rows.years,
            dropped: Vec::new(),
        })
    }

    /// Columns no model can learn from: missing in every row, or one value throughout.
    pub fn unusable_columns(&self) -> Vec<(String, &'static str)> {
        (0..self.x.cols)
            .filter_map(|c| {
                let mut values = (0..self.x.rows)
                    .map(|r| self.x.get(r, c))
                    .filter(|v| !v.is_nan());
                match values.next() {
                    None => Some((self.names[c].clone(), "missing in every row")),
                    Some(first) if values.all(|v| v == first) => {
                        Some((self.names[c].clone(), "the same value in every row"))
                    }
                    _ => None,
                }
            })
            .collect()
    }

    /// Number of missing cells.
    pub fn missing(&self) -> usize {
        self.x.data.iter().filter(|v| v.is_nan()).count()
    }
}
