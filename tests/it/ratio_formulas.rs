//! Ratio formulas against values computed by hand: zero denominators, negative equity, first years.

use precre::finance::catalogue::find;
use precre::finance::items::idx::*;
use precre::finance::peers::{percentile_rank, quartiles};
use precre::finance::{compute_ratios, RatioGroup, RatioRow, Statement, StatementFlags, RATIOS};

/// A small, balanced statement. Assets 1000 = fixed 400 + inventories 150 + receivables 200 +
/// short-term investments 50 + cash 100 + other current 100; liabilities and equity 1000 =
/// equity 400 + long-term borrowings 250 + short-term borrowings 150 + payables 120 +
/// deferred income 30 + other 50.
fn base(year: i32) -> Statement {
    let mut s = Statement::empty("100-00-00001", year);
    let v = &mut s.values;
    v[TOTAL_ASSETS] = Some(1000.0);
    v[FIXED_ASSETS] = Some(400.0);
    v[INVENTORIES] = Some(150.0);
    v[RECEIVABLES] = Some(200.0);
    v[SHORT_TERM_INVESTMENTS] = Some(50.0);
    v[CASH] = Some(100.0);
    v[EQUITY] = Some(400.0);
    v[LONG_TERM_BORROWINGS] = Some(250.0);
    v[SHORT_TERM_BORROWINGS] = Some(150.0);
    v[PAYABLES] = Some(120.0);
    v[DEFERRED_INCOME] = Some(30.0);
    v[OTHER_LIABILITIES] = Some(50.0);
    v[REVENUE] = Some(1200.0);
    v[COST_OF_SALES] = Some(900.0);
    v[OPERATING_PROFIT] = Some(96.0);
    v[NET_INCOME] = Some(60.0);
    v[INTEREST_PAID] = Some(24.0);
    v[OPERATING_CASH_FLOW] = Some(84.0);
    s
}

fn value(row: &RatioRow, id: &str) -> Option<f64> {
    let (i, _) = find(id).unwrap_or_else(|| panic!("no ratio {id}"));
    row.values[i]
}

fn close(got: Option<f64>, want: f64, id: &str) {
    let g = got.unwrap_or_else(|| panic!("{id} is missing, expected {want}"));
    assert!((g - want).abs() < 1e-9, "{id}: got {g}, expected {want}");
}

#[test]
fn first_year_values_match_hand_computation() {
    let r = compute_ratios(&base(2023), None);
    // Current assets 600, current liabilities 150 + 120 + 30 = 300, total liabilities 600.
    close(value(&r, "current_ratio"), 600.0 / 300.0, "current_ratio");
    close(value(&r, "quick_ratio"), 450.0 / 300.0, "quick_ratio");
    close(value(&r, "cash_ratio"), 150.0 / 300.0, "cash_ratio");
    close(
        value(&r, "working_capital_to_assets"),
        300.0 / 1000.0,
        "working_capital_to_assets",
    );
    close(value(&r, "financial_autonomy"), 0.4, "financial_autonomy");
    close(value(&r, "equity_to_debt"), 400.0 / 600.0, "equity_to_debt");
    close(value(&r, "debt_ratio"), 0.6, "debt_ratio");
    close(value(&r, "debt_to_equity"), 1.5, "debt_to_equity");
    close(value(&r, "equity_multiplier"), 2.5, "equity_multiplier");
    close(
        value(&r, "fixed_assets_to_equity"),
        1.0,
        "fixed_assets_to_equity",
    );
    close(value(&r, "interest_cover"), 4.0, "interest_cover");
    // Borrowings 400 over a monthly revenue of 100.
    close(value(&r, "cash_cover"), 4.0, "cash_cover");
    close(
        value(&r, "sales_profitability"),
        0.08,
        "sales_profitability",
    );
    close(value(&r, "net_margin"), 0.05, "net_margin");
    close(value(&r, "gross_margin"), 0.25, "gross_margin");
    close(value(&r, "roa"), 0.06, "roa");
    close(value(&r, "roe"), 0.15, "roe");
    close(value(&r, "operating_roa"), 0.096, "operating_roa");
    close(
        value(&r, "cost_profit_ratio"),
        96.0 / 1104.0,
        "cost_profit_ratio",
    );
    // First year: turnovers on closing balances.
    close(
        value(&r, "receivables_turnover"),
        6.0,
        "receivables_turnover",
    );
    close(value(&r, "inventory_turnover"), 6.0, "inventory_turnover");
    close(
        value(&r, "current_asset_turnover"),
        2.0,
        "current_asset_turnover",
    );
    close(
        value(&r, "fixed_asset_turnover"),
        3.0,
        "fixed_asset_turnover",
    );
    close(
        value(&r, "total_asset_turnover"),
        1.2,
        "total_asset_turnover",
    );
    close(value(&r, "payables_turnover"), 7.5, "payables_turnover");
    close(value(&r, "ocf_to_revenue"), 0.07, "ocf_to_revenue");
    close(value(&r, "cash_recovery"), 0.084, "cash_recovery");
    close(
        value(&r, "ocf_to_current_liabilities"),
        0.28,
        "ocf_to_current_liabilities",
    );
    close(value(&r, "ocf_to_debt"), 0.14, "ocf_to_debt");
    close(value(&r, "cash_to_assets"), 0.15, "cash_to_assets");
    // Altman Z'': 6.56 * 0.3 + 3.26 * 0.4 (equity stands in for retained earnings)
    //   + 6.72 * 0.096 + 1.05 * 400/600 = 1.968 + 1.304 + 0.64512 + 0.7 = 4.61712
    close(value(&r, "altman_z2"), 4.61712, "altman_z2");
    // No previous year: growth is missing, and the statement says why.
    for id in [
        "revenue_growth",
        "asset_growth",
        "capital_accumulation",
        "net_income_growth",
        "operating_profit_growth",
    ] {
        assert_eq!(value(&r, id), None, "{id} needs a previous year");
    }
    assert!(r.flags.has(StatementFlags::NO_PREVIOUS_YEAR));
    assert!(!r.flags.has(StatementFlags::NEGATIVE_EQUITY));
    assert!(!r.flags.has(StatementFlags::IDENTITY_MISMATCH));
}

#[test]
fn second_year_uses_average_balances_and_growth() {
    let prev = base(2022);
    let mut cur = base(2023);
    cur.values[TOTAL_ASSETS] = Some(1200.0);
    cur.values[OTHER_LIABILITIES] = Some(250.0);
    cur.values[RECEIVABLES] = Some(300.0);
    cur.values[REVENUE] = Some(1500.0);
    cur.values[NET_INCOME] = Some(-30.0);
    cur.values[EQUITY] = Some(400.0);
    let r = compute_ratios(&cur, Some(&prev));
    close(
        value(&r, "receivables_turnover"),
        1500.0 / 250.0,
        "receivables_turnover",
    );
    close(
        value(&r, "total_asset_turnover"),
        1500.0 / 1100.0,
        "total_asset_turnover",
    );
    close(value(&r, "roa"), -30.0 / 1100.0, "roa");
    close(value(&r, "revenue_growth"), 0.25, "revenue_growth");
    close(value(&r, "asset_growth"), 0.2, "asset_growth");
    close(
        value(&r, "capital_accumulation"),
        0.0,
        "capital_accumulation",
    );
    // From +60 to -30: a fall of 150% of the (absolute) previous value.
    close(value(&r, "net_income_growth"), -1.5, "net_income_growth");
    assert!(!r.flags.has(StatementFlags::NO_PREVIOUS_YEAR));
    // A gap year is not a previous year.
    let r = compute_ratios(&base(2024), Some(&prev));
    assert_eq!(value(&r, "revenue_growth"), None);
    close(
        value(&r, "total_asset_turnover"),
        1.2,
        "total_asset_turnover (closing balance after a gap)",
    );
}

#[test]
fn zero_or_missing_denominators_give_missing_never_infinite_or_zero() {
    let mut s = base(2023);
    s.values[REVENUE] = Some(0.0);
    s.values[INTEREST_PAID] = Some(0.0);
    s.values[INVENTORIES] = Some(0.0);
    s.values[SHORT_TERM_BORROWINGS] = None;
    s.values[PAYABLES] = None;
    s.values[DEFERRED_INCOME] = None;
    let r = compute_ratios(&s, None);
    for id in [
        "net_margin",
        "sales_profitability",
        "interest_cover",
        "inventory_turnover",
        "current_ratio",
        "quick_ratio",
        "cash_ratio",
        "cash_cover",
        "ocf_to_revenue",
    ] {
        assert_eq!(value(&r, id), None, "{id} must be missing");
    }
    for v in r.values.iter().flatten() {
        assert!(v.is_finite(), "every present value is finite");
    }
    // Missing item: every ratio that needs it is missing, the others stay.
    let mut s = base(2023);
    s.values[OPERATING_CASH_FLOW] = None;
    let r = compute_ratios(&s, None);
    assert_eq!(value(&r, "ocf_to_revenue"), None);
    close(value(&r, "current_ratio"), 2.0, "current_ratio");
}

#[test]
fn negative_equity_is_flagged_on_the_ratios_it_makes_misleading() {
    let mut s = base(2023);
    s.values[EQUITY] = Some(-100.0);
    s.values[OTHER_LIABILITIES] = Some(550.0);
    let r = compute_ratios(&s, None);
    assert!(r.flags.has(StatementFlags::NEGATIVE_EQUITY));
    assert!(
        !r.flags.has(StatementFlags::IDENTITY_MISMATCH),
        "1000 = -100 + 1100 balances"
    );
    close(value(&r, "equity_multiplier"), -10.0, "equity_multiplier");
    let (em, _) = find("equity_multiplier").unwrap();
    let (roe, _) = find("roe").unwrap();
    let (cr, _) = find("current_ratio").unwrap();
    assert!(r.misleading(em) && r.misleading(roe));
    assert!(
        !r.misleading(cr),
        "the current ratio does not depend on equity"
    );
}

#[test]
fn identity_mismatch_is_flagged() {
    let mut s = base(2023);
    s.values[OTHER_LIABILITIES] = Some(0.0); // 50 short: 5% of assets
    let r = compute_ratios(&s, None);
    assert!(r.flags.has(StatementFlags::IDENTITY_MISMATCH));
    assert!((s.identity_gap().unwrap() - 0.05).abs() < 1e-12);
}

#[test]
fn catalogue_covers_the_six_groups_with_unique_ids() {
    assert!(
        RATIOS.len() >= 25,
        "at least 25 ratios, got {}",
        RATIOS.len()
    );
    for g in RatioGroup::ALL {
        assert!(
            RATIOS.iter().filter(|r| r.group == g).count() >= 3,
            "group {} has at least 3 ratios",
            g.as_str()
        );
    }
    let mut ids: Vec<&str> = RATIOS.iter().map(|r| r.id).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), RATIOS.len(), "ratio ids are unique");
}

#[test]
fn quartiles_follow_r_type_7() {
    // R: quantile(c(1, 2, 3, 4, 10), c(.25, .5, .75)) gives 2, 3, 4.
    let q = quartiles([Some(10.0), Some(1.0), None, Some(3.0), Some(2.0), Some(4.0)]);
    assert_eq!(
        (q.n, q.p25, q.median, q.p75),
        (5, Some(2.0), Some(3.0), Some(4.0))
    );
    // R: quantile(c(1, 2, 3, 4), .25) = 1.75
    let q = quartiles([1.0, 2.0, 3.0, 4.0].map(Some));
    assert_eq!(q.p25, Some(1.75));
    assert_eq!(quartiles([None]).median, None);
    assert_eq!(percentile_rank(&[1.0, 2.0, 3.0, 4.0], 2.0), Some(37.5));
}
