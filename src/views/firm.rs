//! The Firm screen's facts: header, the ratio table by family with years as columns, the sector
//! median of the live peers for the firm's latest fiscal year and its standing among them (by the
//! ratio's direction, none where the value's sign makes it meaningless), the flags that qualify
//! how the figures read (negative equity, no previous year), the statements, the active model's
//! class with probabilities, path and reasons, and the firm's applications and decisions.

use super::scoring::{score_firm, Scored};
use super::Result;
use crate::decisions::DecisionRecord;
use crate::finance::catalogue::{RatioGroup, Unit, RATIOS};
use crate::finance::compute::StatementFlags;
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
    /// The median of the live sector peers for the firm's latest fiscal year.
    pub sector_median: Option<f64>,
    /// The firm's latest value as a percentile (0-100) among those peers' values (raw: the
    /// share of peers below it); `None` where the value's sign makes a rank meaningless.
    pub percentile: Option<f64>,
    /// Where the latest value stands among the peers by the ratio's direction (`None` without
    /// a rank).
    pub standing: Option<Standing>,
    /// Equity is negative in the latest year: this ratio reads upside down.
    pub misleading: bool,
    /// What qualifies the latest value, in the order to show.
    pub flags: Vec<RatioFlag>,
}

/// Where a value stands among its peers, by the ratio's direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    /// In the better quarter of the sector.
    Better,
    Typical,
    /// In the worse quarter of the sector.
    Worse,
}

impl Standing {
    /// From a raw percentile and the ratio's direction.
    pub fn of(percentile: f64, higher_is_better: bool) -> Standing {
        let better = if higher_is_better {
            percentile
        } else {
            100.0 - percentile
        };
        if better >= 75.0 {
            Standing::Better
        } else if better <= 25.0 {
            Standing::Worse
        } else {
            Standing::Typical
        }
    }

    /// An arrow: up for the better quarter, down for the worse.
    pub fn arrow(self) -> &'static str {
        match self {
            Standing::Better => "▲",
            Standing::Typical => " ",
            Standing::Worse => "▼",
        }
    }
}

/// A flag on a ratio's latest value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RatioFlag {
    /// Equity is negative: the ratio's sign flips its meaning; no rank against the sector.
    NegativeEquity,
    /// A growth ratio (or one on averages) without the previous year's statement.
    NoPreviousYear,
}

impl RatioFlag {
    /// A short mark for a table cell.
    pub fn short(self) -> &'static str {
        match self {
            RatioFlag::NegativeEquity => "neg. equity",
            RatioFlag::NoPreviousYear => "no prev. year",
        }
    }
}

/// A flag on the firm's latest statement, shown in its header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FirmFlag {
    NegativeEquity,
    NoPreviousYear,
    /// Assets differ from liabilities plus equity.
    IdentityMismatch,
}

impl FirmFlag {
    /// A short mark for a header.
    pub fn short(self) -> &'static str {
        match self {
            FirmFlag::NegativeEquity => "negative equity",
            FirmFlag::NoPreviousYear => "no previous year",
            FirmFlag::IdentityMismatch => "assets ≠ liabilities + equity",
        }
    }

    /// The flag in words an analyst reads.
    pub fn words(self) -> &'static str {
        match self {
            FirmFlag::NegativeEquity => {
                "negative equity: liabilities exceed assets; equity-based ratios read upside down"
            }
            FirmFlag::NoPreviousYear => "no previous year: growth ratios missing",
            FirmFlag::IdentityMismatch => "assets differ from liabilities plus equity",
        }
    }
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
    /// The fiscal year the sector medians and percentiles are for (the firm's latest).
    pub median_year: Option<i32>,
    /// Flags of the latest statement.
    pub flags: Vec<FirmFlag>,
    pub families: Vec<RatioFamily>,
    /// Statement items: (name, one value per year).
    pub items: Vec<(&'static str, Vec<Option<f64>>)>,
    /// The currency and unit of each year's amounts.
    pub money: Vec<(String, crate::finance::Unit)>,
    /// Live firms of the sector with a statement for `median_year`.
    pub peers: usize,
    pub score: Option<Scored>,
    pub model_name: Option<String>,
    /// The challenger's view (its name and score), when one is set and can score the firm.
    pub challenger: Option<(String, Scored)>,
    pub applications: Vec<Application>,
    pub decisions: Vec<DecisionRecord>,
}

impl FirmDetail {
    /// The currency of the latest statement (the applications' amounts are in its thousands).
    pub fn currency(&self) -> Option<&str> {
        self.money.last().map(|(c, _)| c.as_str())
    }

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
    let latest = statements.last();
    let median_year = latest.map(|(s, _)| s.fiscal_year);
    let peers = match median_year {
        Some(y) => store.live_sector_ratios(&firm.sector, y)?,
        None => Vec::new(),
    };
    let latest_flags = latest.map(|(_, rr)| rr.flags).unwrap_or_default();
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
                    let misleading = latest.is_some_and(|(_, rr)| rr.misleading(i));
                    let mut flags = Vec::new();
                    if misleading {
                        flags.push(RatioFlag::NegativeEquity);
                    }
                    if r.needs_previous
                        && last.is_none()
                        && latest_flags.has(StatementFlags::NO_PREVIOUS_YEAR)
                    {
                        flags.push(RatioFlag::NoPreviousYear);
                    }
                    // A value whose sign is upside down has no rank: a negative debt to
                    // equity is no "best in sector".
                    let percentile = last
                        .filter(|_| !misleading)
                        .and_then(|v| percentile_rank(&sector, v));
                    RatioLine {
                        id: r.id,
                        name: r.name,
                        unit: r.unit,
                        higher_is_better: r.higher_is_better,
                        values: statements.iter().map(|(_, rr)| rr.values[i]).collect(),
                        sector_median: quantile_sorted(&sector, 0.5),
                        percentile,
                        standing: percentile.map(|p| Standing::of(p, r.higher_is_better)),
                        misleading,
                        flags,
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
    let mut flags = Vec::new();
    for (bit, flag) in [
        (StatementFlags::NEGATIVE_EQUITY, FirmFlag::NegativeEquity),
        (StatementFlags::NO_PREVIOUS_YEAR, FirmFlag::NoPreviousYear),
        (
            StatementFlags::IDENTITY_MISMATCH,
            FirmFlag::IdentityMismatch,
        ),
    ] {
        if latest_flags.has(bit) {
            flags.push(flag);
        }
    }
    Ok(FirmDetail {
        median_year,
        flags,
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

#[cfg(test)]
mod tests {
    use super::Standing;

    #[test]
    fn standing_reads_the_percentile_by_the_ratios_direction() {
        // A 3rd percentile is the worse quarter where higher is better, the better where lower is.
        assert_eq!(Standing::of(3.0, true), Standing::Worse);
        assert_eq!(Standing::of(3.0, false), Standing::Better);
        assert_eq!(Standing::of(90.0, false), Standing::Worse);
        assert_eq!(Standing::of(50.0, true), Standing::Typical);
    }
}
