//! Scoring one firm with a model: its ratios in the model's feature order, the class, the
//! probabilities and the explanation, and the model reference a decision records.

use super::{Result, ViewError};
use crate::decisions::ModelRef;
use crate::finance::inputs::{Feature, FirmFacts, Input};
use crate::finance::{RatioRow, Statement};
use crate::model::explain::Explanation;
use crate::model::registry::ModelRecord;
use crate::store::features::FeatureSetInfo;
use crate::store::firms::FirmRow;
use crate::store::statements::FirmInputs;
use crate::store::Store;
use crate::views::data::{reads_firm, set_feature};
use std::collections::HashMap;

/// A firm's inputs in a model's feature order, from its statement of `year` (default: latest):
/// ratios, items, factors, attributes (a category as 0/1), and feature-set columns joined by
/// firm id (missing when the firm has no row in the set).
pub fn firm_features(
    store: &Store,
    firm_id: &str,
    year: Option<i32>,
    features: &[String],
) -> Result<(FirmRow, i32, Vec<f64>)> {
    let firm = store.firm(firm_id)?;
    let statements = store.firm_statements(&firm.id, year)?;
    let (s, ratios) = statements.last().ok_or_else(|| ViewError::NoStatement {
        firm: firm.id.clone(),
        year,
    })?;
    if let Some(f) = features.iter().find(|f| !reads_firm(f)) {
        return Err(ViewError::NotFirmInputs { feature: f.clone() });
    }
    let parsed: Vec<Option<Feature>> = features.iter().map(|f| Feature::parse(f)).collect();
    let extra = if parsed
        .iter()
        .flatten()
        .any(|f| !matches!(f, Feature::Ratio(_) | Feature::Input(Input::Item(_))))
    {
        Some(store.firm_input(&firm.id)?)
    } else {
        None
    };
    let mut set_rows: SetRows = HashMap::new();
    for (set, _, _) in features.iter().filter_map(|f| set_feature(f)) {
        if !set_rows.contains_key(set) {
            let info = store.feature_set(set)?;
            let row = store
                .feature_rows(set)?
                .into_iter()
                .find(|r| r.entity_id == firm.id)
                .map(|r| r.values);
            set_rows.insert(set.to_string(), row.map(|v| (info, v)));
        }
    }
    let fiscal_year = s.fiscal_year;
    let values = features
        .iter()
        .zip(&parsed)
        .map(|(name, f)| match f {
            Some(f) => firm_value(f, ratios, s, extra.as_ref(), fiscal_year),
            None => set_value(&set_rows, name),
        })
        .collect();
    Ok((firm, fiscal_year, values))
}

/// Each joined feature set's info and the firm's row in it (none when it has no row).
type SetRows = HashMap<String, Option<(FeatureSetInfo, Vec<f64>)>>;

/// A feature-set column's value for the firm (NaN when it has no row in the set).
fn set_value(rows: &SetRows, name: &str) -> f64 {
    let Some((set, column, category)) = set_feature(name) else {
        return f64::NAN;
    };
    let Some(Some((info, values))) = rows.get(set) else {
        return f64::NAN;
    };
    let Some(c) = info.columns.iter().position(|c| c.name == column) else {
        return f64::NAN;
    };
    match category {
        None => values[c],
        Some(cat) => {
            let k = info.columns[c].categories.iter().position(|x| x == cat);
            f64::from(u8::from(k.is_some_and(|k| values[c] == k as f64)))
        }
    }
}

/// A firm input's value for one statement of the firm (`FirmFacts::feature`, the one builder
/// of a row that training and a posted firm's score use too).
fn firm_value(
    f: &Feature,
    ratios: &RatioRow,
    s: &Statement,
    extra: Option<&FirmInputs>,
    fiscal_year: i32,
) -> f64 {
    let facts = extra.map_or_else(FirmFacts::default, facts_of);
    facts.feature(f, &ratios.values, &s.values, fiscal_year)
}

/// A stored firm's register attributes and factors as a feature row reads them.
pub fn facts_of(x: &FirmInputs) -> FirmFacts<'_> {
    FirmFacts {
        sector: Some(x.sector.as_str()),
        size: x.size.as_deref(),
        region: x.region.as_deref(),
        founded: x.founded.as_deref(),
        factors: &x.factors,
    }
}

/// A firm as a model sees it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Scored {
    pub model_id: String,
    pub fiscal_year: i32,
    pub explanation: Explanation,
    /// The reasons in the bank's words with their codes (`views::reasons`), strongest first.
    pub coded: Vec<crate::decisions::codes::CodedReason>,
}

impl Scored {
    /// The probability of a class (0 when the model has no such class).
    pub fn probability(&self, class: &str) -> f64 {
        self.explanation
            .probabilities
            .iter()
            .find(|(c, _)| c == class)
            .map_or(0.0, |(_, p)| *p)
    }

    pub fn model_ref(&self, model: &ModelRecord) -> ModelRef {
        ModelRef {
            id: model.id.clone(),
            hash: model.hash(),
            predicted_class: self.explanation.class.clone(),
        }
    }
}

/// Scores a firm's latest statement; `None` when the model was not trained on ratios or the firm
/// has no statement.
pub fn score_firm(store: &Store, model: &ModelRecord, firm_id: &str) -> Result<Option<Scored>> {
    if !model.pipeline.features.iter().all(|f| reads_firm(f)) {
        return Ok(None);
    }
    match firm_features(store, firm_id, None, &model.pipeline.features) {
        Ok((firm, year, values)) => {
            let medians = sector_medians(store, &firm.sector)?;
            let explanation = model
                .pipeline
                .explain_with(&values, &|v| median_of(&medians, v));
            // The bank's words cite the live peers of the same year, as the Firm screen does.
            let coded = match store.firm_statements(&firm.id, Some(year))?.last() {
                Some((_, latest)) => crate::views::reasons::coded_reasons(
                    crate::decisions::codes::active(),
                    &explanation,
                    latest,
                    &medians_of(&store.live_sector_ratios(&firm.sector, year)?),
                ),
                None => Vec::new(),
            };
            Ok(Some(Scored {
                model_id: model.id.clone(),
                fiscal_year: year,
                explanation,
                coded,
            }))
        }
        Err(ViewError::NoStatement { .. } | ViewError::NotFirmInputs { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

/// The median of each catalogue ratio over a sector's latest statements (None without peers).
pub fn sector_medians(store: &Store, sector: &str) -> Result<Vec<Option<f64>>> {
    Ok(medians_of(&store.sector_ratios(sector, None)?))
}

/// The median of each catalogue ratio over `peers` (None where no peer has a value).
pub fn medians_of(peers: &[RatioRow]) -> Vec<Option<f64>> {
    (0..crate::finance::RATIOS.len())
        .map(|i| {
            let mut v: Vec<f64> = peers
                .iter()
                .filter_map(|p| p.values[i])
                .filter(|v| v.is_finite())
                .collect();
            v.sort_by(f64::total_cmp);
            crate::finance::peers::quantile_sorted(&v, 0.5)
        })
        .collect()
}

/// The sector median of a model input that is a catalogue ratio.
pub fn median_of(medians: &[Option<f64>], variable: &str) -> Option<f64> {
    let (i, _) = crate::finance::catalogue::find(variable)?;
    medians.get(i).copied().flatten()
}

/// Scores every firm's latest statement with a model (the model must be trained on ratios).
pub fn score_all(
    store: &Store,
    model: &ModelRecord,
) -> Result<Vec<crate::store::models::Prediction>> {
    let data = crate::views::data::firm_feature_rows(
        store,
        &model.pipeline.features,
        crate::analysis::dataset::YearRule::Latest,
    )?
    .ok_or_else(|| ViewError::NotFirmInputs {
        feature: model
            .pipeline
            .features
            .iter()
            .find(|f| !reads_firm(f))
            .cloned()
            .unwrap_or_default(),
    })?;
    Ok(predict(model, &data.ids, &data.years, &data.x))
}

/// The model's predictions of rows `x` (one per firm id, of that fiscal year).
pub fn predict(
    model: &ModelRecord,
    ids: &[String],
    years: &[i32],
    x: &crate::analysis::Matrix,
) -> Vec<crate::store::models::Prediction> {
    let proba = model.pipeline.predict_proba(x);
    ids.iter()
        .zip(years)
        .zip(&proba)
        .map(|((id, year), p)| crate::store::models::Prediction {
            firm_id: id.clone(),
            fiscal_year: Some(*year),
            class: model.pipeline.classes[crate::model::metrics::argmax(p)].clone(),
            probabilities: model
                .pipeline
                .classes
                .iter()
                .cloned()
                .zip(p.iter().copied())
                .collect(),
        })
        .collect()
}
