//! The PCA screen's facts: prcomp's importance table and loadings for a chosen set of ratios, and
//! every firm's scores on the first two components with its class, for the scatter.

use super::{Result, ViewError};
use crate::analysis::dataset::select_ratios;
use crate::analysis::pca::{project, PcaReport};
use crate::analysis::{impute_median, KRule, Standardizer};
use crate::store::Store;

#[derive(Debug, Clone, PartialEq)]
pub struct PcaView {
    /// The ratio selection (`all`, a family, or ids).
    pub selection: String,
    pub report: PcaReport,
    /// (PC1, PC2, class) per firm with a class; unlabelled firms as "unlabelled".
    pub scores: Vec<(f64, f64, String)>,
}

/// Runs PCA on the latest statements' ratios of `selection` with k chosen by `rule`.
pub fn load(store: &Store, selection: &str, rule: KRule) -> Result<PcaView> {
    let ratios = select_ratios(Some(selection))?;
    let data = crate::views::data::latest_ratios(store, &ratios)?;
    if data.x.rows < 2 {
        return Err(ViewError::TooFewRows(
            "PCA needs statements of at least two firms: load the demo or import statements",
        ));
    }
    let report = PcaReport::compute(&data, rule)?;
    let keep: Vec<usize> = report
        .variables
        .iter()
        .filter_map(|v| data.names.iter().position(|n| n == v))
        .collect();
    let mut x = data.x.select_cols(&keep);
    impute_median(&mut x);
    let z = Standardizer::fit(&x).transform(&x);
    let k = report.loadings.first().map_or(0, Vec::len).min(2);
    let s = project(&z, &report.loadings, k);
    let scores = (0..s.rows)
        .map(|r| {
            (
                s.get(r, 0),
                if k > 1 { s.get(r, 1) } else { 0.0 },
                data.labels[r]
                    .clone()
                    .unwrap_or_else(|| "unlabelled".into()),
            )
        })
        .collect();
    Ok(PcaView {
        selection: selection.to_string(),
        report,
        scores,
    })
}
