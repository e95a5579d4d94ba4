//! The ratio catalogue: every ratio PRECRE computes, with its group, formula, direction and unit.

use super::compute::Ctx;
use super::items::idx::*;
use serde::Serialize;

/// The families an analyst reads ratios in (DOMAIN.md, "The factor sets").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, PartialOrd, Ord, Hash)]
#[serde(rename_all = "lowercase")]
pub enum RatioGroup {
    Profitability,
    Activity,
    Stability,
    Liquidity,
    Growth,
    Cash,
}

impl RatioGroup {
    pub const ALL: [RatioGroup; 6] = [
        RatioGroup::Profitability,
        RatioGroup::Activity,
        RatioGroup::Stability,
        RatioGroup::Liquidity,
        RatioGroup::Growth,
        RatioGroup::Cash,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RatioGroup::Profitability => "profitability",
            RatioGroup::Activity => "activity",
            RatioGroup::Stability => "stability",
            RatioGroup::Liquidity => "liquidity",
            RatioGroup::Growth => "growth",
            RatioGroup::Cash => "cash",
        }
    }

    pub fn parse(s: &str) -> Option<RatioGroup> {
        RatioGroup::ALL
            .into_iter()
            .find(|g| g.as_str().eq_ignore_ascii_case(s.trim()))
    }
}

/// How a ratio's value is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Unit {
    /// A plain quotient, e.g. 1.35.
    Ratio,
    /// A share, stored as a fraction (0.12) and shown as 12.0%.
    Percent,
    /// Times per year (turnovers).
    Times,
    /// Months of revenue.
    Months,
    /// A composite score (Altman's Z'').
    Score,
}

/// One ratio of the catalogue.
#[derive(Debug, Clone, Copy)]
pub struct RatioDef {
    /// Stable identifier, also the store column name.
    pub id: &'static str,
    pub name: &'static str,
    pub group: RatioGroup,
    /// The formula in words an analyst can check.
    pub formula: &'static str,
    pub higher_is_better: bool,
    pub unit: Unit,
    /// Negative equity makes the value misleading (its sign flips the reading): flag it.
    pub equity_sensitive: bool,
    /// Needs the previous fiscal year (growth); missing in a firm's first year.
    pub needs_previous: bool,
    pub compute: fn(&Ctx) -> Option<f64>,
}

macro_rules! ratio {
    ($id:literal, $name:literal, $group:ident, $formula:literal, $hib:literal, $unit:ident,
     eq=$eq:literal, prev=$prev:literal, $f:expr) => {
        RatioDef {
            id: $id,
            name: $name,
            group: RatioGroup::$group,
            formula: $formula,
            higher_is_better: $hib,
            unit: Unit::$unit,
            equity_sensitive: $eq,
            needs_previous: $prev,
            compute: $f,
        }
    };
}

/// The catalogue, in display order within groups. The order is the store's column order: append
/// new ratios at the end of their group and bump `CATALOGUE_VERSION`.
pub const RATIOS: &[RatioDef] = &[
    // Profitability
    ratio!("sales_profitability", "Sales profitability (operating margin)", Profitability,
        "operating profit / revenue", true, Percent, eq=false, prev=false,
        |c| c.div(c.cur(OPERATING_PROFIT)?, c.cur(REVENUE)?)),
    ratio!("net_margin", "Net margin", Profitability,
        "net income / revenue", true, Percent, eq=false, prev=false,
        |c| c.div(c.cur(NET_INCOME)?, c.cur(REVENUE)?)),
    ratio!("gross_margin", "Gross margin", Profitability,
        "(revenue - cost of sales) / revenue", true, Percent, eq=false, prev=false,
        |c| c.div(c.cur(REVENUE)? - c.cur(COST_OF_SALES)?, c.cur(REVENUE)?)),
    ratio!("roa", "Return on assets (ROA)", Profitability,
        "net income / average total assets", true, Percent, eq=false, prev=false,
        |c| c.div(c.cur(NET_INCOME)?, c.avg(TOTAL_ASSETS)?)),
    ratio!("roe", "Return on equity (ROE)", Profitability,
        "net income / average equity", true, Percent, eq=true, prev=false,
        |c| c.div(c.cur(NET_INCOME)?, c.avg(EQUITY)?)),
    ratio!("operating_roa", "Operating return on assets", Profitability,
        "operating profit / total assets", true, Percent, eq=false, prev=false,
        |c| c.div(c.cur(OPERATING_PROFIT)?, c.cur(TOTAL_ASSETS)?)),
    ratio!("cost_profit_ratio", "Cost-profit ratio", Profitability,
        "operating profit / operating costs (revenue - operating profit)", true, Percent, eq=false, prev=false,
        |c| c.div(c.cur(OPERATING_PROFIT)?, c.cur(REVENUE)? - c.cur(OPERATING_PROFIT)?)),
    // Activity
    ratio!("receivables_turnover", "Receivables turnover", Activity,
        "revenue / average receivables", true, Times, eq=false, prev=false,
        |c| c.div(c.cur(REVENUE)?, c.avg(RECEIVABLES)?)),
    ratio!("inventory_turnover", "Inventory turnover", Activity,
        "cost of sales / average inventories", true, Times, eq=false, prev=false,
        |c| c.div(c.cur(COST_OF_SALES)?, c.avg(INVENTORIES)?)),
    ratio!("current_asset_turnover", "Current-asset turnover", Activity,
        "revenue / average current assets (total assets - fixed assets)", true, Times, eq=false, prev=false,
        |c| c.div(c.cur(REVENUE)?, c.avg_current_assets()?)),
    ratio!("fixed_asset_turnover", "Fixed-asset turnover", Activity,
        "revenue / average fixed assets", true, Times, eq=false, prev=false,
        |c| c.div(c.cur(REVENUE)?, c.avg(FIXED_ASSETS)?)),
    ratio!("total_asset_turnover", "Total-asset turnover", Activity,
        "revenue / average total assets", true, Times, eq=false, prev=false,
        |c| c.div(c.cur(REVENUE)?, c.avg(TOTAL_ASSETS)?)),
    ratio!("payables_turnover", "Payables turnover", Activity,
        "cost of sales / average payables", false, Times, eq=false, prev=false,
        |c| c.div(c.cur(COST_OF_SALES)?, c.avg(PAYABLES)?)),
    // Stability
    ratio!("financial_autonomy", "Financial autonomy (equity ratio)", Stability,
        "equity / total liabilities and equity (total assets)", true, Percent, eq=false, prev=false,
        |c| c.div(c.cur(EQUITY)?, c.cur(TOTAL_ASSETS)?)),
    ratio!("equity_to_debt", "Equity to debt", Stability,
        "equity / total liabilities", true, Ratio, eq=false, prev=false,
        |c| c.div(c.cur(EQUITY)?, c.s.total_liabilities())),
    ratio!("debt_ratio", "Debt ratio", Stability,
        "total liabilities / total assets", false, Percent, eq=false, prev=false,
        |c| c.div(c.s.total_liabilities(), c.cur(TOTAL_ASSETS)?)),
    ratio!("debt_to_equity", "Debt to equity", Stability,
        "total liabilities / equity", false, Ratio, eq=true, prev=false,
        |c| c.div(c.s.total_liabilities(), c.cur(EQUITY)?)),
    ratio!("equity_multiplier", "Equity multiplier", Stability,
        "total assets / equity", false, Ratio, eq=true, prev=false,
        |c| c.div(c.cur(TOTAL_ASSETS)?, c.cur(EQUITY)?)),
    ratio!("fixed_assets_to_equity", "Fixed assets to equity", Stability,
        "fixed assets / equity", false, Ratio, eq=true, prev=false,
        |c| c.div(c.cur(FIXED_ASSETS)?, c.cur(EQUITY)?)),
    ratio!("interest_cover", "Interest cover", Stability,
        "operating profit / interest paid", true, Times, eq=false, prev=false,
        |c| c.div(c.cur(OPERATING_PROFIT)?, c.cur(INTEREST_PAID)?)),
    ratio!("cash_cover", "Cash cover (debt in months of revenue)", Stability,
        "(long- + short-term borrowings) / (revenue / 12)", false, Months, eq=false, prev=false,
        |c| c.div(c.s.borrowings(), c.cur(REVENUE)? / 12.0)),
    ratio!("altman_z2", "Altman Z'' (private firms)", Stability,
        "6.56 working capital/TA + 3.26 retained earnings/TA + 6.72 operating profit/TA + 1.05 equity/total liabilities (retained earnings: equity when not reported)",
        true, Score, eq=false, prev=false,
        |c| c.altman_z2()),
    // Liquidity
    ratio!("current_ratio", "Current ratio (current liquidity)", Liquidity,
        "current assets / current liabilities", true, Ratio, eq=false, prev=false,
        |c| c.div(c.s.current_assets()?, c.s.current_liabilities())),
    ratio!("quick_ratio", "Quick ratio", Liquidity,
        "(current assets - inventories) / current liabilities", true, Ratio, eq=false, prev=false,
        |c| c.div(c.s.current_assets()? - c.cur(INVENTORIES)?, c.s.current_liabilities())),
    ratio!("cash_ratio", "Cash ratio", Liquidity,
        "(cash + short-term investments) / current liabilities", true, Ratio, eq=false, prev=false,
        |c| c.div(c.cur(CASH)? + c.cur_or_zero(SHORT_TERM_INVESTMENTS), c.s.current_liabilities())),
    ratio!("working_capital_to_assets", "Working capital to assets", Liquidity,
        "(current assets - current liabilities) / total assets", true, Percent, eq=false, prev=false,
        |c| c.div(c.s.current_assets()? - c.s.current_liabilities(), c.cur(TOTAL_ASSETS)?)),
    // Growth
    ratio!("revenue_growth", "Revenue growth", Growth,
        "(revenue - previous revenue) / |previous revenue|", true, Percent, eq=false, prev=true,
        |c| c.growth(REVENUE)),
    ratio!("asset_growth", "Total-asset growth", Growth,
        "(total assets - previous) / |previous total assets|", true, Percent, eq=false, prev=true,
        |c| c.growth(TOTAL_ASSETS)),
    ratio!("capital_accumulation", "Capital accumulation (equity growth)", Growth,
        "(equity - previous equity) / |previous equity|", true, Percent, eq=true, prev=true,
        |c| c.growth(EQUITY)),
    ratio!("net_income_growth", "Net-income growth", Growth,
        "(net income - previous) / |previous net income|", true, Percent, eq=false, prev=true,
        |c| c.growth(NET_INCOME)),
    ratio!("operating_profit_growth", "Operating-profit growth", Growth,
        "(operating profit - previous) / |previous operating profit|", true, Percent, eq=false, prev=true,
        |c| c.growth(OPERATING_PROFIT)),
    // Cash
    ratio!("ocf_to_revenue", "Operating cash flow to revenue", Cash,
        "operating cash flow / revenue", true, Percent, eq=false, prev=false,
        |c| c.div(c.cur(OPERATING_CASH_FLOW)?, c.cur(REVENUE)?)),
    ratio!("cash_recovery", "Cash recovery rate", Cash,
        "operating cash flow / average total assets", true, Percent, eq=false, prev=false,
        |c| c.div(c.cur(OPERATING_CASH_FLOW)?, c.avg(TOTAL_ASSETS)?)),
    ratio!("ocf_to_current_liabilities", "Operating cash flow to current liabilities", Cash,
        "operating cash flow / current liabilities", true, Ratio, eq=false, prev=false,
        |c| c.div(c.cur(OPERATING_CASH_FLOW)?, c.s.current_liabilities())),
    ratio!("ocf_to_debt", "Operating cash flow to total liabilities", Cash,
        "operating cash flow / total liabilities", true, Ratio, eq=false, prev=false,
        |c| c.div(c.cur(OPERATING_CASH_FLOW)?, c.s.total_liabilities())),
    ratio!("cash_to_assets", "Cash to assets", Cash,
        "(cash + short-term investments) / total assets", true, Percent, eq=false, prev=false,
        |c| c.div(c.cur(CASH)? + c.cur_or_zero(SHORT_TERM_INVESTMENTS), c.cur(TOTAL_ASSETS)?)),
];

/// Bumped whenever a formula or the list changes, so stores recompute their ratios.
pub const CATALOGUE_VERSION: i64 = 1;

/// A ratio by id (exact, case-insensitive).
pub fn find(id: &str) -> Option<(usize, &'static RatioDef)> {
    RATIOS
        .iter()
        .enumerate()
        .find(|(_, r)| r.id.eq_ignore_ascii_case(id.trim()))
}
