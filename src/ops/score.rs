//! Scoring a firm that is not (or not yet) in the store, from its statements as a partner
//! system sends them: the ratios computed exactly as an import computes them (each year with
//! the year before it, when given), the active model's class, probabilities and reasons for the
//! latest year; and, when asked, the firm and its statements stored (in one transaction).

use super::{OpsError, Result};
use crate::finance::inputs::{Attribute, Feature, Input, FACTORS};
use crate::finance::{compute_ratios, Statement, ITEMS, RATIOS};
use crate::model::explain::{Detail, Explanation};
use crate::model::registry::ModelRecord;
use crate::store::Store;
use std::collections::BTreeMap;

/// A firm as posted: its facts and its statements (items by id, in the store's units).
#[derive(Debug, Clone, PartialEq)]
pub struct PostedFirm {
    pub id: Option<String>,
    pub name: Option<String>,
    pub sector: String,
    pub region: Option<String>,
    pub size: Option<String>,
    pub founded: Option<String>,
    /// Business factors by name (`finance::inputs::FACTORS`).
    pub factors: BTreeMap<String, f64>,
    pub statements: Vec<PostedStatement>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PostedStatement {
    pub fiscal_year: i32,
    pub items: PostedItems,
}

/// A statement's items as posted: each known item at its place in `ITEMS`, and the names that
/// are not items (kept so that scoring refuses them, naming the field). A name given twice
/// keeps its last amount, as a JSON object read into a map does.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PostedItems {
    pub values: [Option<f64>; ITEMS.len()],
    pub unknown: Vec<String>,
}

impl PostedItems {
    /// Sets an item by its id (`total_assets`); a name that is not an item is kept as unknown.
    pub fn set(&mut self, name: &str, value: f64) {
        self.set_after(ITEMS.len(), name, value);
    }

    /// `set`, trying first the item after `last` (the index this returned for the previous
    /// item): bodies mostly list items in the catalogue's order, so the name is found with one
    /// comparison. Returns the index set (`ITEMS.len()` for an unknown name).
    pub fn set_after(&mut self, last: usize, name: &str, value: f64) -> usize {
        let next = if last >= ITEMS.len() { 0 } else { last + 1 };
        let found = match ITEMS.get(next) {
            Some(it) if it.id == name => Some(next),
            _ => ITEMS.iter().position(|it| it.id == name),
        };
        match found {
            Some(i) => {
                self.values[i] = Some(value);
                i
            }
            None => {
                if !self.unknown.iter().any(|u| u == name) {
                    self.unknown.push(name.to_string());
                }
                ITEMS.len()
            }
        }
    }
}

impl<'a> FromIterator<(&'a str, f64)> for PostedItems {
    fn from_iter<I: IntoIterator<Item = (&'a str, f64)>>(iter: I) -> Self {
        let mut items = PostedItems::default();
        for (name, value) in iter {
            items.set(name, value);
        }
        items
    }
}

/// A posted firm scored.
#[derive(Debug, Clone, PartialEq)]
pub struct Scored {
    pub fiscal_year: i32,
    /// The ratios of the scored (latest) year, by id (None where a ratio cannot be computed).
    pub ratios: Vec<(&'static str, Option<f64>)>,
    pub explanation: Explanation,
    pub model_id: String,
    pub model_hash: String,
}

/// Why a posted firm cannot be scored, naming the field.
fn field(path: String, message: impl Into<String>) -> OpsError {
    OpsError::BadData(format!("{path}: {}", message.into()))
}

/// The statements as the finance code reads them, checked: known items, finite amounts,
/// distinct years. Errors name the field (`statements[1].items.revnue`).
pub fn statements(firm: &PostedFirm) -> Result<Vec<Statement>> {
    if firm.statements.is_empty() {
        return Err(field("statements".into(), "give at least one statement"));
    }
    let mut out: Vec<Statement> = Vec::with_capacity(firm.statements.len());
    for (k, s) in firm.statements.iter().enumerate() {
        if !(1900..=2200).contains(&s.fiscal_year) {
            return Err(field(
                format!("statements[{k}].fiscal_year"),
                format!("{} is not a fiscal year", s.fiscal_year),
            ));
        }
        if out.iter().any(|o| o.fiscal_year == s.fiscal_year) {
            return Err(field(
                format!("statements[{k}].fiscal_year"),
                format!("{} is given twice", s.fiscal_year),
            ));
        }
        if let Some(name) = s.items.unknown.first() {
            return Err(field(
                format!("statements[{k}].items.{name}"),
                format!(
                    "not a statement item; items: {}",
                    ITEMS.iter().map(|it| it.id).collect::<Vec<_>>().join(", ")
                ),
            ));
        }
        // Scoring needs no firm id or currency (storing sets both): no strings to allocate.
        let mut st = Statement {
            firm_id: String::new(),
            fiscal_year: s.fiscal_year,
            currency: String::new(),
            values: [None; ITEMS.len()],
        };
        for (i, (name, value)) in ITEMS.iter().map(|it| it.id).zip(s.items.values).enumerate() {
            let Some(value) = value else { continue };
            if !value.is_finite() {
                return Err(field(
                    format!("statements[{k}].items.{name}"),
                    "not a finite number",
                ));
            }
            if value < 0.0 && !ITEMS[i].may_be_negative {
                return Err(field(
                    format!("statements[{k}].items.{name}"),
                    "cannot be negative",
                ));
            }
            st.values[i] = Some(value);
        }
        for (i, it) in ITEMS.iter().enumerate() {
            if it.required && st.values[i].is_none() {
                return Err(field(
                    format!("statements[{k}].items.{}", it.id),
                    "missing (a required item)",
                ));
            }
        }
        out.push(st);
    }
    out.sort_by_key(|s| s.fiscal_year);
    Ok(out)
}

/// Scores a posted firm with `model` (trained on ratios), whose content hash is `model_hash`
/// (`ModelRecord::hash`, computed once by a caller that scores many); the reasons cite the
/// ratio medians of the firm's sector that `medians` gives. Nothing is written.
pub fn score(
    model: &ModelRecord,
    model_hash: &str,
    firm: &PostedFirm,
    medians: crate::model::wording::SectorMedian,
) -> Result<Scored> {
    score_with(
        model,
        model_hash,
        &features_of(model),
        firm,
        medians,
        Detail::Full,
    )
}

/// The model's features as parsed inputs (`None`: a feature set's column), once per model for
/// a caller that scores many firms.
pub fn features_of(model: &ModelRecord) -> Vec<Option<Feature>> {
    model
        .pipeline
        .features
        .iter()
        .map(|f| Feature::parse(f))
        .collect()
}

/// `score` with the model's features parsed beforehand (`features_of`), its explanation built
/// to `detail` (the service answers no path: `Detail::Reasons`).
pub fn score_with(
    model: &ModelRecord,
    model_hash: &str,
    features: &[Option<Feature>],
    firm: &PostedFirm,
    medians: crate::model::wording::SectorMedian,
    detail: Detail,
) -> Result<Scored> {
    let stmts = statements(firm)?;
    let last = stmts.len() - 1;
    let prev = (last > 0).then(|| &stmts[last - 1]);
    let ratios = compute_ratios(&stmts[last], prev);
    let fiscal_year = stmts[last].fiscal_year;
    let mut values = Vec::with_capacity(model.pipeline.features.len());
    for (f, feature) in model.pipeline.features.iter().zip(features) {
        let Some(feature) = feature.clone() else {
            // A feature set's column joined by firm id: a posted firm has no row in the set, so
            // it is missing (the training median stands in).
            if crate::views::data::set_feature(f).is_some() {
                values.push(f64::NAN);
                continue;
            }
            return Err(OpsError::Usage(format!(
                "the active model {} was not trained on firm inputs: it cannot score a firm",
                model.id
            )));
        };
        let text = |a: Attribute| match a {
            Attribute::Sector => Some(firm.sector.as_str()),
            Attribute::Size => firm.size.as_deref(),
            Attribute::Region => firm.region.as_deref(),
            Attribute::Age => None,
        };
        values.push(match feature {
            Feature::Ratio(i) => ratios.values[i].unwrap_or(f64::NAN),
            Feature::Input(Input::Item(i)) => stmts[last].values[i].unwrap_or(f64::NAN),
            Feature::Input(Input::Factor(k)) => {
                firm.factors.get(FACTORS[k]).copied().unwrap_or(f64::NAN)
            }
            Feature::Input(Input::Attribute(Attribute::Age)) => {
                crate::finance::inputs::age(firm.founded.as_deref(), fiscal_year)
            }
            Feature::Input(Input::Attribute(_)) => f64::NAN,
            Feature::Category(Input::Attribute(a), value) => {
                f64::from(u8::from(text(a) == Some(value.as_str())))
            }
            Feature::Category(..) => f64::NAN,
        });
    }
    Ok(Scored {
        fiscal_year: stmts[last].fiscal_year,
        ratios: RATIOS
            .iter()
            .zip(&ratios.values)
            .map(|(r, v)| (r.id, *v))
            .collect(),
        explanation: model.pipeline.explain_detail(&values, medians, detail),
        model_id: model.id.clone(),
        model_hash: model_hash.to_string(),
    })
}

/// Checks that a sector is one of `known` (the store's sectors, `Store::sectors`, compared
/// without case); a store with no firms knows none and takes any.
pub fn check_sector(known: &[String], sector: &str) -> Result<()> {
    if known.is_empty() || known.iter().any(|s| s.eq_ignore_ascii_case(sector)) {
        return Ok(());
    }
    Err(field(
        "firm.sector".into(),
        format!(
            "'{sector}' is not a sector of this store; sectors: {}",
            known.join(", ")
        ),
    ))
}

/// Stores the posted firm and its statements (firm facts updated, statements of the same
/// years replaced, ratios computed as an import computes them), all or nothing.
pub fn store_firm(store: &mut Store, firm: &PostedFirm) -> Result<String> {
    let id = firm
        .id
        .clone()
        .filter(|i| !i.trim().is_empty())
        .ok_or_else(|| field("firm.id".into(), "needed to store the firm"))?;
    let mut stmts = statements(firm)?;
    for s in &mut stmts {
        s.firm_id = id.clone();
        s.currency = "KRW".into();
    }
    use crate::store::import_tx::CellValue as V;
    let text = |t: &Option<String>| t.clone().map_or(V::Null, V::Text);
    let tx = store.begin_import()?;
    tx.upsert_rows(
        "firms",
        &["id", "name", "sector", "region", "size", "founded"],
        &["id"],
        [vec![
            V::Text(id.clone()),
            V::Text(firm.name.clone().unwrap_or_else(|| id.clone())),
            V::Text(firm.sector.clone()),
            text(&firm.region),
            text(&firm.size),
            text(&firm.founded),
        ]],
    )?;
    let ratios: Vec<_> = (0..stmts.len())
        .map(|k| compute_ratios(&stmts[k], (k > 0).then(|| &stmts[k - 1])))
        .collect();
    tx.write_statements(stmts.iter().zip(&ratios), true)?;
    tx.log_import(
        "service",
        "statements",
        &crate::store::records::ImportCounts {
            rows_read: stmts.len(),
            rows_written: stmts.len(),
            ..Default::default()
        },
    )?;
    tx.commit()?;
    Ok(id)
}
