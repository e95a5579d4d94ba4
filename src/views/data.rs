//! The data a PCA or a model reads, taken from the store: a feature set's columns, or the
//! ratios of the statements a year rule picks, labelled by each firm's latest outcome.

use crate::analysis::dataset::{Dataset, YearRule};
use crate::analysis::labels::{label, FirmHistory, Label, LabelPolicy};
use crate::analysis::Matrix;
use crate::finance::inputs::{Feature, Input, InputValue};
use crate::finance::{ITEMS, RATIOS};
use crate::store::statements::FirmInputs;
use crate::store::{Store, StoreError};
use std::collections::HashMap;

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
    inputs_labelled(store, ratios, &[], &[], rule, policy)
}

/// The selected ratios and other inputs (statement items, business factors, firm attributes;
/// sector, size and region as categories) of the statements a year rule picks, labelled by a
/// policy, ratios first, then the other inputs in the order given.
pub fn inputs_labelled(
    store: &Store,
    ratios: &[usize],
    others: &[Input],
    sets: &[String],
    rule: YearRule,
    policy: LabelPolicy,
) -> Result<Dataset, StoreError> {
    let items: Vec<usize> = others
        .iter()
        .filter_map(|i| match i {
            Input::Item(k) => Some(*k),
            _ => None,
        })
        .collect();
    let columns: Vec<&str> = ratios
        .iter()
        .map(|&i| RATIOS[i].id)
        .chain(items.iter().map(|&i| ITEMS[i].id))
        .collect();
    let rows = store.statement_rows(&columns, rule)?;
    let mut data = ratio_dataset(ratios, rows);
    if !others.is_empty() {
        add_other_inputs(store, &mut data, ratios.len(), others)?;
    }
    for set in sets {
        join_set(store, &mut data, set)?;
    }
    apply_policy(store, data, policy)
}

/// Replaces the item columns read after the ratios by the other inputs in their order, with
/// the register's attributes and the business factors joined by firm.
fn add_other_inputs(
    store: &Store,
    data: &mut Dataset,
    n_ratios: usize,
    others: &[Input],
) -> Result<(), StoreError> {
    let n_items = others
        .iter()
        .filter(|i| matches!(i, Input::Item(_)))
        .count();
    let read = n_ratios + n_items;
    let firms = if others.iter().any(|i| !matches!(i, Input::Item(_))) {
        store.firm_inputs()?
    } else {
        Default::default()
    };
    let none = FirmInputs::default();
    // Text values of categorical inputs, turned into codes over their sorted categories.
    let mut text: Vec<Vec<Option<String>>> = vec![Vec::new(); others.len()];
    let mut values = Vec::with_capacity(data.ids.len() * (n_ratios + others.len()));
    for r in 0..data.ids.len() {
        let row = &data.x.data[r * read..(r + 1) * read];
        values.extend_from_slice(&row[..n_ratios]);
        let firm_id = data.ids[r]
            .split_once(':')
            .map_or(data.ids[r].as_str(), |(f, _)| f);
        let firm = firms.get(firm_id).unwrap_or(&none);
        let facts = crate::views::scoring::facts_of(firm);
        let mut item = n_ratios;
        for (k, input) in others.iter().enumerate() {
            let v = match input {
                // Items were read with the ratios, in the order of `others`.
                Input::Item(_) => {
                    item += 1;
                    row[item - 1]
                }
                // The rest through the one row builder (`FirmFacts`), as scoring reads them.
                _ => match facts.input(*input, &[], data.years[r]) {
                    InputValue::Number(x) => x,
                    InputValue::Text(t) => {
                        text[k].push(t.map(str::to_string));
                        f64::NAN
                    }
                },
            };
            values.push(v);
        }
    }
    let width = n_ratios + others.len();
    data.names.truncate(n_ratios);
    data.categories.truncate(n_ratios);
    for (k, input) in others.iter().enumerate() {
        data.names.push(input.name().to_string());
        if input.categorical() {
            let mut cats: Vec<String> = text[k].iter().flatten().cloned().collect();
            cats.sort();
            cats.dedup();
            for (r, t) in text[k].iter().enumerate() {
                values[r * width + n_ratios + k] = t
                    .as_ref()
                    .and_then(|t| cats.binary_search(t).ok())
                    .map_or(f64::NAN, |c| c as f64);
            }
            data.categories.push(cats);
        } else {
            data.categories.push(Vec::new());
        }
    }
    data.x = Matrix::new(data.ids.len(), width, values);
    Ok(())
}

/// The columns of a feature set whose row ids are firm ids, appended as `SET.column` (a
/// categorical column stays categorical); a firm without a row in the set gets missing values.
fn join_set(store: &Store, data: &mut Dataset, set: &str) -> Result<(), StoreError> {
    let info = store.feature_set(set)?;
    let rows: HashMap<String, Vec<f64>> = store
        .feature_rows(set)?
        .into_iter()
        .map(|r| (r.entity_id, r.values))
        .collect();
    let added = info.columns.len();
    let width = data.x.cols + added;
    let mut values = Vec::with_capacity(data.x.rows * width);
    for r in 0..data.x.rows {
        values.extend_from_slice(data.x.row(r));
        let firm = data.ids[r]
            .split_once(':')
            .map_or(data.ids[r].as_str(), |(f, _)| f);
        match rows.get(firm) {
            Some(v) => values.extend_from_slice(v),
            None => values.extend(std::iter::repeat_n(f64::NAN, added)),
        }
    }
    for c in &info.columns {
        data.names.push(format!("{set}.{}", c.name));
        data.categories.push(c.categories.clone());
    }
    data.x = Matrix::new(data.x.rows, width, values);
    Ok(())
}

/// A model feature that is a feature set's column joined by firm id: (set, column, category).
pub fn set_feature(name: &str) -> Option<(&str, &str, Option<&str>)> {
    let (head, category) = match name.split_once('=') {
        Some((h, c)) => (h, Some(c)),
        None => (name, None),
    };
    let (set, column) = head.split_once('.')?;
    (!set.is_empty() && !column.is_empty()).then_some((set, column, category))
}

/// Whether a model feature is one PRECRE reads for a firm (an input of `finance::inputs`, or a
/// column of a feature set joined by firm id).
pub fn reads_firm(name: &str) -> bool {
    Feature::parse(name).is_some() || set_feature(name).is_some()
}

/// Labels the rows by a policy, leaving out (and counting) the rows it cannot label.
fn apply_policy(
    store: &Store,
    mut data: Dataset,
    policy: LabelPolicy,
) -> Result<Dataset, StoreError> {
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
    let width = if rows.ids.is_empty() {
        ratios.len()
    } else {
        rows.values.len() / rows.ids.len()
    };
    Dataset {
        names: ratios.iter().map(|&i| RATIOS[i].id.to_string()).collect(),
        categories: vec![Vec::new(); ratios.len()],
        x: Matrix::new(rows.ids.len(), width, rows.values),
        ids: rows.ids,
        labels: rows.labels,
        years: rows.years,
        dropped: Vec::new(),
        rows_left_out: Vec::new(),
    }
}

/// The rows of every firm's statement a year rule picks, in the columns a model names (ratios,
/// items, factors, age, `sector=C10`-style categories; a category no firm has now is a column
/// of zeros); `None` when a name is not a firm input (a feature set's model).
pub fn firm_feature_rows(
    store: &Store,
    features: &[String],
    rule: YearRule,
) -> Result<Option<Dataset>, StoreError> {
    if !features.iter().all(|f| reads_firm(f)) {
        return Ok(None);
    }
    let parsed: Vec<Feature> = features.iter().filter_map(|f| Feature::parse(f)).collect();
    let mut sets: Vec<String> = Vec::new();
    for (set, _, _) in features.iter().filter_map(|f| set_feature(f)) {
        if !sets.iter().any(|s| s == set) {
            sets.push(set.to_string());
        }
    }
    let mut ratios = Vec::new();
    let mut others = Vec::new();
    for f in &parsed {
        match f {
            Feature::Ratio(i) if !ratios.contains(i) => ratios.push(*i),
            Feature::Input(i) | Feature::Category(i, _) if !others.contains(i) => others.push(*i),
            _ => {}
        }
    }
    let data =
        inputs_labelled(store, &ratios, &others, &sets, rule, LabelPolicy::Latest)?.one_hot();
    let cols: Vec<Option<usize>> = features
        .iter()
        .map(|f| data.names.iter().position(|n| n == f))
        .collect();
    let mut values = Vec::with_capacity(data.x.rows * features.len());
    for r in 0..data.x.rows {
        values.extend(cols.iter().map(|c| c.map_or(0.0, |c| data.x.get(r, c))));
    }
    Ok(Some(Dataset {
        names: features.to_vec(),
        categories: vec![Vec::new(); features.len()],
        x: Matrix::new(data.x.rows, features.len(), values),
        ..data
    }))
}

/// One feature-set row in a model's columns: a column by its name, or `column=category` as 1
/// when the row holds that category (else 0); NaN for a name the set does not have.
pub fn set_row_features(
    info: &crate::store::features::FeatureSetInfo,
    row: &crate::store::features::FeatureRow,
    features: &[String],
) -> Vec<f64> {
    features
        .iter()
        .map(|f| {
            if let Some(c) = info.columns.iter().position(|c| &c.name == f) {
                return row.values[c];
            }
            let Some((col, cat)) = f.split_once('=') else {
                return f64::NAN;
            };
            match info.columns.iter().position(|c| c.name == col) {
                Some(c) => {
                    let code = row.values[c];
                    let k = info.columns[c].categories.iter().position(|x| x == cat);
                    f64::from(u8::from(k.is_some_and(|k| code == k as f64)))
                }
                None => f64::NAN,
            }
        })
        .collect()
}
