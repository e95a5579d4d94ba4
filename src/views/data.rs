//! The data a PCA or a model reads, taken from the store: a feature set's columns, or the
//! ratios of the statements a year rule picks, labelled by each firm's latest outcome.

use crate::analysis::dataset::{Dataset, YearRule};
use crate::analysis::labels::{label, FirmHistory, Label, LabelPolicy};
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
        rows_left_out: Vec::new(),
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
    ratios_labelled(store, ratios, rule, LabelPolicy::Latest)
}

/// The selected ratios of the statements a year rule picks, labelled by a policy; rows the
/// policy cannot label (a censored window, a firm closed before the year end, no outcome in the
/// window) are left out and counted.
pub fn ratios_labelled(
    store: &Store,
    ratios: &[usize],
    rule: YearRule,
    policy: LabelPolicy,
) -> Result<Dataset, StoreError> {
    let rows = store.ratio_rows(ratios, rule)?;
    let mut data = ratio_dataset(ratios, rows);
    if policy == LabelPolicy::Latest {
        return Ok(data);
    }
    let (histories, data_end) = store.label_histories()?;
    let data_end = data_end.unwrap_or_default();
    let none = FirmHistory::default();
    let mut keep = Vec::with_capacity(data.ids.len());
    let mut labels = Vec::with_capacity(data.ids.len());
    let (mut censored, mut closed_before, mut no_evidence) = (0, 0, 0);
    for (r, id) in data.ids.iter().enumerate() {
        let firm = id.split_once(':').map_or(id.as_str(), |(f, _)| f);
        let h = histories.get(firm).unwrap_or(&none);
        match label(policy, data.years[r], h, &data_end) {
            Label::Class(c) => {
                keep.push(r);
                labels.push(Some(c));
            }
            Label::Censored => censored += 1,
            Label::ClosedBefore => closed_before += 1,
            Label::NoEvidence => no_evidence += 1,
        }
    }
    data.x = data.x.select_rows(&keep);
    data.ids = keep.iter().map(|&r| data.ids[r].clone()).collect();
    data.years = keep.iter().map(|&r| data.years[r]).collect();
    data.labels = labels;
    let end = if data_end.is_empty() {
        "no dated outcome or closure".to_string()
    } else {
        data_end
    };
    for (why, n) in [
        (
            format!("censored: the label window runs past the data's end ({end})"),
            censored,
        ),
        (
            "the firm had closed by the fiscal year end".to_string(),
            closed_before,
        ),
        (
            "no outcome dated in the label window".to_string(),
            no_evidence,
        ),
    ] {
        if n > 0 {
            data.rows_left_out.push((why, n));
        }
    }
    Ok(data)
}

fn ratio_dataset(ratios: &[usize], rows: crate::store::statements::RatioRows) -> Dataset {
    Dataset {
        names: ratios.iter().map(|&i| RATIOS[i].id.to_string()).collect(),
        categories: vec![Vec::new(); ratios.len()],
        x: Matrix::new(rows.ids.len(), ratios.len(), rows.values),
        ids: rows.ids,
        labels: rows.labels,
        years: rows.years,
        dropped: Vec::new(),
        rows_left_out: Vec::new(),
    }
}
