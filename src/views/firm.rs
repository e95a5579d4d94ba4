//! The Firm screen's facts: header, the ratio table by family with years as columns, the sector
//! median and the firm's percentile among its sector peers, the statements, the active model's
//! class with probabilities, path and reasons, and the firm's applications and decisions.

use super::scoring::{score_firm, Scored};
use super::Result;
use crate::decisions::DecisionRecord;
use crate::finance::catalogue::{RatioGroup, Unit, RATIOS};
use crate::finance::items::ITEMS;
use crate::finance::peers::{percentile_rank, quantile_sorted};
use crate::store::decisions::Application;
use crate::store::firms::FirmRow;
use crate::store::Store;

/// One ratio over the firm's years, against its sector.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct RatioLine {
    pub id: &'static str,
    pub name: &'static str,
    pub unit: Unit,
    pub higher_is_better: bool,
    /// One value per year of [`FirmDetail::years`].
    pub values: Vec<Option<f64>>,
    /// The sector median of the peers' latest statements.
    pub sector_median: Option<f64>,
    /// The firm's latest value as a percentile (0-100) among the sector's latest values.
    pub percentile: Option<f64>,
    /// Equity is negative in the latest year: this ratio reads upside down.
    pub misleading: bool,
}

/// The ratio lines of one family.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct RatioFamily {
    pub group: RatioGroup,
    pub lines: Vec<RatioLine>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct FirmDetail {
    pub firm: FirmRow,
    pub years: Vec<i32>,
    pub families: Vec<RatioFamily>,
    /// Statement items: (name, one value per year).
    pub items: Vec<(&'static str, Vec<Option<f64>>)>,
    /// The currency and unit of each year's amounts.
    pub money: Vec<(String, crate::finance::Unit)>,
    pub peers: usize,
    pub score: Option<Scored>,
    pub model_name: Option<String>,
    /// The challenger's view (its name and score), when one is set and can score the firm.
    pub challenger: Option<(String, Scored)>,
    pub applications: Vec<Application>,
    pub decisions: Vec<DecisionRecord>,
}

impl FirmDetail {
    /// How the statements' amounts are labelled: "KRW thousands" when every year shares one
    /// currency and unit, `None` when they differ (each year then says its own).
    pub fn amounts_label(&self) -> Option<String> {
        let (first, rest) = self.money.split_first()?;
        rest.iter()
            .all(|m| m == first)
            .then(|| first.1.label(&first.0))
    }

    /// The label of year `i`'s amounts.
    pub fn year_label(&self, i: usize) -> String {
        self.money
            .get(i)
            .map_or_else(String::new, |(c, u)| u.label(c))
    }
}

/// Reads everything the Firm screen shows about `firm_id`.
pub fn load(store: &Store, firm_id: &str) -> Result<FirmDetail> {
    let firm = store.firm(firm_id)?;
    let statements = store.firm_statements(&firm.id, None)?;
    let years: Vec<i32> = statements.iter().map(|(s, _)| s.fiscal_year).collect();
    let peers = store.sector_ratios(&firm.sector, None)?;
    let latest = statements.last();
    let families = RatioGroup::ALL
        .iter()
        .map(|&group| RatioFamily {
            group,
            lines: RATIOS
                .iter()
                .enumerate()
                .filter(|(_, r)| r.group == group)
                .map(|(i, r)| {
                    let mut sector: Vec<f64> = peers
                        .iter()
                        .filter_map(|p| p.values[i])
                        .filter(|v| v.is_finite())
                        .collect();
                    sector.sort_by(f64::total_cmp);
                    let last = latest.and_then(|(_, rr)| rr.values[i]);
                    RatioLine {
                        id: r.id,
                        name: r.name,
                        unit: r.unit,
                        higher_is_better: r.higher_is_better,
                        values: statements.iter().map(|(_, rr)| rr.values[i]).collect(),
                        sector_median: quantile_sorted(&sector, 0.5),
                        percentile: last.and_then(|v| percentile_rank(&sector, v)),
                        misleading: latest.is_some_and(|(_, rr)| rr.misleading(i)),
                    }
                })
                .collect(),
        })
        .collect();
    let items = ITEMS
        .iter()
        .enumerate()
        .map(|(i, item)| {
            (
                item.name,
                statements.iter().map(|(s, _)| s.values[i]).collect(),
            )
        })
        .collect();
    let money = statements
        .iter()
        .map(|(s, _)| (s.currency.clone(), s.unit))
        .collect();
    let model = store.active_model()?;
    let score = match &model {
        Some(m) => score_firm(store, m, &firm.id)?,
        None => None,
    };
    let challenger = match (&model, store.challenger_model()?) {
        (Some(_), Some(c)) => score_firm(store, &c, &firm.id)?.map(|s| (c.name.clone(), s)),
        _ => None,
    };
    Ok(FirmDetail {
        challenger,
        applications: store.firm_applications(&firm.id)?,
        decisions: store.firm_decisions(&firm.id)?,
        firm,
        years,
        families,
        items,
        money,
        peers: peers.len(),
        score,
        model_name: model.map(|m| m.name),
    })
}
