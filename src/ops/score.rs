//! Scoring a firm that is not (or not yet) in the store, from its statements as a partner
//! system sends them: the ratios computed exactly as an import computes them (each year with
//! the year before it, when given), the active model's class, probabilities and reasons for the
//! latest year; and, when asked, the firm and its statements stored (in one transaction).

use super::{OpsError, Result};
use crate::finance::inputs::{Feature, FirmFacts, FACTORS};
use crate::finance::{compute_ratios, Statement, Unit, ITEMS, RATIOS};
use crate::ingest::kinds::{statement_fields, Kind, FIRST_ITEM};
use crate::ingest::reader::Cell;
use crate::ingest::validate::{check_field, check_value};
use crate::model::explain::{Detail, Explanation};
use crate::model::registry::ModelRecord;
use crate::store::import_tx::CellValue;
use crate::store::Store;
pub use crate::views::json::Pairs;
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
    /// ISO 4217 code (default: the store's default currency).
    pub currency: Option<String>,
    /// units, thousands or millions (default: thousands).
    pub unit: Option<String>,
    pub items: PostedItems,
}

/// Most entries in one posted statement's items, most statements of one posted firm and most
/// business factors: a request past them is refused while it is read, so the work a body can
/// cause stays proportional to a firm's real size.
pub const MAX_ITEM_ENTRIES: usize = 64;
pub const MAX_STATEMENTS: usize = 100;
pub const MAX_FACTOR_ENTRIES: usize = 32;

/// A statement's items as posted: each known item at its place in `ITEMS`, and the first name
/// that is not an item (kept so that scoring refuses it, naming the field). A name given twice
/// keeps its last amount, as a JSON object read into a map does.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PostedItems {
    pub values: [Option<f64>; ITEMS.len()],
    pub unknown: Option<String>,
    /// Entries given, repeated names included.
    pub entries: usize,
}

impl PostedItems {
    /// Sets an item by its id (`total_assets`); a name that is not an item is kept as unknown.
    pub fn set(&mut self, name: &str, value: f64) {
        self.set_after(ITEMS.len(), name, value);
    }

    /// `set`, trying first the item after `last` (the index this returned for the previous
    /// item): bodies mostly list items in the catalogue's order. Returns the index set
    /// (`ITEMS.len()` for an unknown name). Each call is one pass over the catalogue at most.
    pub fn set_after(&mut self, last: usize, name: &str, value: f64) -> usize {
        self.entries += 1;
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
                if self.unknown.is_none() {
                    self.unknown = Some(name.to_string());
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

/// A firm scored by a model: what every front-end prints or serves of a score (the service's
/// `/v1/score` and `/v1/firms/{id}/score`, the command line's JSON), one type for a posted
/// firm and a stored one.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct FirmScore {
    /// The firm's id (none for a posted firm given without one).
    pub firm_id: Option<String>,
    /// The fiscal year scored (the latest statement).
    pub fiscal_year: i32,
    /// The class the model gives.
    pub class: String,
    /// The chance of each class, by name, in the model's class order.
    #[schema(value_type = BTreeMap<String, f64>)]
    pub probabilities: Pairs<String, f64>,
    /// Up to four reasons, in words, strongest first.
    pub reasons: Vec<String>,
    /// The ratios of the scored year, by id, in the catalogue's order (null where a ratio
    /// cannot be computed).
    #[schema(value_type = BTreeMap<String, Option<f64>>)]
    pub ratios: Pairs<&'static str, Option<f64>>,
    pub model_id: String,
    /// The model's content hash: what a decision records to prove which model scored.
    pub model_hash: String,
}

/// How many reasons a score carries.
pub const REASONS: usize = 4;

impl FirmScore {
    /// A score from a model's explanation of a firm's row and the ratios of the year scored.
    pub fn new(
        firm_id: Option<String>,
        fiscal_year: i32,
        ratios: &[Option<f64>],
        explanation: Explanation,
        model: &ModelRecord,
        model_hash: &str,
    ) -> FirmScore {
        let mut reasons = explanation.reasons;
        reasons.truncate(REASONS);
        FirmScore {
            firm_id,
            fiscal_year,
            class: explanation.class,
            probabilities: Pairs(explanation.probabilities),
            reasons,
            ratios: Pairs(RATIOS.iter().zip(ratios).map(|(r, v)| (r.id, *v)).collect()),
            model_id: model.id.clone(),
            model_hash: model_hash.to_string(),
        }
    }
}

/// Why a posted firm cannot be scored, naming the field.
fn field(path: String, message: impl std::fmt::Display) -> OpsError {
    OpsError::Field {
        field: path,
        message: message.to_string(),
    }
}

/// A posted text field checked by the import's rule for it (length, no control characters, a
/// date or a choice as the import reads them), in the form the import stores.
fn checked_text(kind: Kind, name: &str, path: &str, value: Option<&str>) -> Result<Option<String>> {
    let cell = value.map_or(Cell::Missing, Cell::Text);
    match check_field(kind, name, cell) {
        Ok(CellValue::Text(t)) => Ok(Some(t)),
        Ok(_) => Ok(None),
        Err(reason) => Err(field(path.to_string(), reason)),
    }
}

/// Checks a posted firm's register fields and business factors by the import's rules, and
/// puts them in the form the import stores (a size in lower case, a date as YYYY-MM-DD).
pub fn check_firm(firm: &mut PostedFirm) -> Result<()> {
    if let Some(id) = &firm.id {
        firm.id = checked_text(Kind::Firms, "id", "firm.id", Some(id))?;
    }
    if let Some(name) = firm.name.take() {
        firm.name = checked_text(Kind::Firms, "name", "firm.name", Some(&name))?;
    }
    firm.sector =
        checked_text(Kind::Firms, "sector", "firm.sector", Some(&firm.sector))?.unwrap_or_default();
    for (name, slot) in [
        ("region", &mut firm.region),
        ("size", &mut firm.size),
        ("founded", &mut firm.founded),
    ] {
        let given = slot.take();
        *slot = checked_text(Kind::Firms, name, &format!("firm.{name}"), given.as_deref())?;
    }
    for (name, value) in &firm.factors {
        if !FACTORS.contains(&name.as_str()) {
            return Err(field(
                format!("factors.{name}"),
                format!("not a business factor; factors: {}", FACTORS.join(", ")),
            ));
        }
        check_field(Kind::Factors, name, Cell::Num(*value))
            .map_err(|reason| field(format!("factors.{name}"), reason))?;
    }
    Ok(())
}

/// The statements as the finance code reads them, checked by the import's rules for a
/// statement (the same fiscal years, the same ranges of amounts, the same required items),
/// plus distinct years. Errors name the field (`statements[1].items.revnue`).
pub fn statements(firm: &PostedFirm) -> Result<Vec<Statement>> {
    if firm.statements.is_empty() {
        return Err(field("statements".into(), "give at least one statement"));
    }
    if firm.statements.len() > MAX_STATEMENTS {
        return Err(field(
            "statements".into(),
            format!("at most {MAX_STATEMENTS} statements a firm"),
        ));
    }
    let fields = statement_fields();
    let year_field = fields
        .iter()
        .find(|f| f.id == "fiscal_year")
        .ok_or_else(|| OpsError::Usage("the statement fields have no fiscal_year".into()))?;
    let mut out: Vec<Statement> = Vec::with_capacity(firm.statements.len());
    for (k, s) in firm.statements.iter().enumerate() {
        check_value(year_field, Cell::Num(f64::from(s.fiscal_year)))
            .map_err(|reason| field(format!("statements[{k}].fiscal_year"), reason))?;
        if out.iter().any(|o| o.fiscal_year == s.fiscal_year) {
            return Err(field(
                format!("statements[{k}].fiscal_year"),
                format!("{} is given twice", s.fiscal_year),
            ));
        }
        if let Some(name) = &s.items.unknown {
            return Err(field(
                format!("statements[{k}].items.{name}"),
                format!(
                    "not a statement item; items: {}",
                    ITEMS.iter().map(|it| it.id).collect::<Vec<_>>().join(", ")
                ),
            ));
        }
        let currency = match &s.currency {
            None => crate::finance::items::DEFAULT_CURRENCY.to_string(),
            Some(c) if c.len() == 3 && c.chars().all(|ch| ch.is_ascii_alphabetic()) => {
                c.to_ascii_uppercase()
            }
            Some(_) => {
                return Err(field(
                    format!("statements[{k}].currency"),
                    "is not a three-letter currency code (ISO 4217, e.g. KRW, EUR)",
                ))
            }
        };
        let unit = match &s.unit {
            None => Unit::default(),
            Some(u) => Unit::parse(u).ok_or_else(|| {
                field(
                    format!("statements[{k}].unit"),
                    "is not units, thousands or millions",
                )
            })?,
        };
        // Scoring needs no firm id (storing sets it).
        let mut st = Statement {
            firm_id: String::new(),
            fiscal_year: s.fiscal_year,
            currency,
            unit,
            values: [None; ITEMS.len()],
        };
        for (i, it) in ITEMS.iter().enumerate() {
            let cell = s.items.values[i].map_or(Cell::Missing, Cell::Num);
            let rule = &fields[FIRST_ITEM + i];
            check_value(rule, cell)
                .map_err(|reason| field(format!("statements[{k}].items.{}", it.id), reason))?;
            st.values[i] = s.items.values[i];
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
) -> Result<FirmScore> {
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
/// to `detail` (the service answers no path: `Detail::Reasons`). The firm is checked by the
/// import's rules first (`check_firm`, `statements`).
pub fn score_with(
    model: &ModelRecord,
    model_hash: &str,
    features: &[Option<Feature>],
    firm: &PostedFirm,
    medians: crate::model::wording::SectorMedian,
    detail: Detail,
) -> Result<FirmScore> {
    let row = posted_row(model, features, firm)?;
    Ok(FirmScore::new(
        row.firm_id,
        row.fiscal_year,
        &row.ratios,
        model.pipeline.explain_detail(&row.values, medians, detail),
        model,
        model_hash,
    ))
}

/// A posted firm as a model reads it: checked by the import's rules, its latest year's ratios
/// and the row of `model`'s features built by the one row builder (`FirmFacts`).
pub struct PostedRow {
    pub firm_id: Option<String>,
    pub fiscal_year: i32,
    pub ratios: Vec<Option<f64>>,
    pub values: Vec<f64>,
}

/// The row `model` reads of a posted firm (`features`: `features_of(model)`).
pub fn posted_row(
    model: &ModelRecord,
    features: &[Option<Feature>],
    firm: &PostedFirm,
) -> Result<PostedRow> {
    let mut firm = firm.clone();
    check_firm(&mut firm)?;
    let stmts = statements(&firm)?;
    let last = stmts.len() - 1;
    let prev = (last > 0).then(|| &stmts[last - 1]);
    let ratios = compute_ratios(&stmts[last], prev);
    let fiscal_year = stmts[last].fiscal_year;
    let factors: Vec<Option<f64>> = FACTORS
        .iter()
        .map(|f| firm.factors.get(*f).copied())
        .collect();
    let facts = FirmFacts {
        sector: Some(firm.sector.as_str()),
        size: firm.size.as_deref(),
        region: firm.region.as_deref(),
        founded: firm.founded.as_deref(),
        factors: &factors,
    };
    let mut values = Vec::with_capacity(model.pipeline.features.len());
    for (f, feature) in model.pipeline.features.iter().zip(features) {
        let Some(feature) = feature else {
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
        values.push(facts.feature(feature, &ratios.values, &stmts[last].values, fiscal_year));
    }
    Ok(PostedRow {
        firm_id: firm.id.clone(),
        fiscal_year,
        ratios: ratios.values.to_vec(),
        values,
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

/// Stores the posted firm and its statements (statements of the same years replaced, ratios
/// computed as an import computes them), all or nothing, checked by the import's rules. The
/// register fields not given keep what the store holds: a post never erases a firm's name,
/// region, size or founding date.
pub fn store_firm(store: &mut Store, firm: &PostedFirm) -> Result<String> {
    let mut firm = firm.clone();
    check_firm(&mut firm)?;
    let id = firm
        .id
        .clone()
        .ok_or_else(|| field("firm.id".into(), "needed to store the firm"))?;
    let mut stmts = statements(&firm)?;
    for s in &mut stmts {
        s.firm_id = id.clone();
    }
    let held = match store.firm(&id) {
        Ok(f) => Some(f),
        Err(crate::store::StoreError::NotFound(_)) => None,
        Err(e) => return Err(e.into()),
    };
    let keep = |given: &Option<String>, stored: Option<&Option<String>>| {
        given.clone().or_else(|| stored.cloned().flatten())
    };
    use crate::store::import_tx::CellValue as V;
    let text = |t: Option<String>| t.map_or(V::Null, V::Text);
    let name = firm
        .name
        .clone()
        .or_else(|| held.as_ref().map(|h| h.name.clone()))
        .unwrap_or_else(|| id.clone());
    let row = vec![
        V::Text(id.clone()),
        V::Text(name),
        V::Text(firm.sector.clone()),
        text(keep(&firm.region, held.as_ref().map(|h| &h.region))),
        text(keep(&firm.size, held.as_ref().map(|h| &h.size))),
        text(keep(&firm.founded, held.as_ref().map(|h| &h.founded))),
    ];
    let tx = store.begin_import()?;
    tx.upsert_rows(
        "firms",
        &["id", "name", "sector", "region", "size", "founded"],
        &["id"],
        [row],
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

/// A stored firm scored by `model` (content hash `model_hash`) on its latest statement: the same
/// result a posted firm gets, for the service's `/v1/firms/{id}/score` and the command line.
pub fn stored(
    store: &Store,
    model: &ModelRecord,
    model_hash: &str,
    firm_id: &str,
) -> Result<FirmScore> {
    let firm = store.firm(firm_id)?;
    let scored = crate::views::scoring::score_firm(store, model, &firm.id)?.ok_or_else(|| {
        OpsError::BadData(format!(
            "firm {} cannot be scored by model {}: it has no statement, or the model reads \
             inputs that are not a firm's",
            firm.id, model.id
        ))
    })?;
    let statements = store.firm_statements(&firm.id, Some(scored.fiscal_year))?;
    let ratios = statements
        .last()
        .map(|(_, r)| r.values.to_vec())
        .unwrap_or_default();
    Ok(FirmScore::new(
        Some(firm.id),
        scored.fiscal_year,
        &ratios,
        scored.explanation,
        model,
        model_hash,
    ))
}
