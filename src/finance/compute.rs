//! Ratio computation for one statement, given the previous fiscal year when there is one.

use super::catalogue::RATIOS;
use super::items::{idx, Statement, IDENTITY_TOLERANCE};

/// Per-statement flags that qualify how its ratios read. Stored as a bit mask.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StatementFlags(pub u32);

impl StatementFlags {
    /// Equity is negative (or zero): equity-based ratios flip meaning.
    pub const NEGATIVE_EQUITY: u32 = 1;
    /// Assets differ from liabilities + equity by more than the tolerance.
    pub const IDENTITY_MISMATCH: u32 = 2;
    /// No statement for the previous year: growth is missing, turnovers use closing balances.
    pub const NO_PREVIOUS_YEAR: u32 = 4;

    pub fn has(self, bit: u32) -> bool {
        self.0 & bit != 0
    }

    /// Names of the set flags, for reports and JSON.
    pub fn names(self) -> Vec<&'static str> {
        let mut out = Vec::new();
        if self.has(Self::NEGATIVE_EQUITY) {
            out.push("negative_equity");
        }
        if self.has(Self::IDENTITY_MISMATCH) {
            out.push("identity_mismatch");
        }
        if self.has(Self::NO_PREVIOUS_YEAR) {
            out.push("no_previous_year");
        }
        out
    }
}

/// The ratios of one statement, in catalogue order, with its flags.
#[derive(Debug, Clone, PartialEq)]
pub struct RatioRow {
    pub values: Vec<Option<f64>>,
    pub flags: StatementFlags,
}

impl RatioRow {
    /// Whether ratio `i`'s value is misleading for this statement (negative equity).
    pub fn misleading(&self, i: usize) -> bool {
        RATIOS[i].equity_sensitive && self.flags.has(StatementFlags::NEGATIVE_EQUITY)
    }
}

/// What a ratio formula sees: this year's statement and the previous one, if consecutive.
pub struct Ctx<'a> {
    pub s: &'a Statement,
    pub prev: Option<&'a Statement>,
}

impl Ctx<'_> {
    pub fn cur(&self, i: usize) -> Option<f64> {
        self.s.get(i)
    }

    pub fn cur_or_zero(&self, i: usize) -> f64 {
        self.s.get(i).unwrap_or(0.0)
    }

    /// A quotient that is missing when either side is missing or the denominator is zero.
    pub fn div(&self, num: f64, den: f64) -> Option<f64> {
        if den == 0.0 || !den.is_finite() || !num.is_finite() {
            return None;
        }
        let q = num / den;
        q.is_finite().then_some(q)
    }

    /// The average of the opening (previous closing) and closing balance, or the closing
    /// balance alone in a first year.
    pub fn avg(&self, i: usize) -> Option<f64> {
        let now = self.s.get(i)?;
        match self.prev.and_then(|p| p.get(i)) {
            Some(before) => Some((now + before) / 2.0),
            None => Some(now),
        }
    }

    pub fn avg_current_assets(&self) -> Option<f64> {
        let now = self.s.current_assets()?;
        match self.prev.and_then(|p| p.current_assets()) {
            Some(before) => Some((now + before) / 2.0),
            None => Some(now),
        }
    }

    /// Growth over the previous year, against the absolute previous value so that a
    /// recovery from a loss reads as growth. Missing without a previous year.
    pub fn growth(&self, i: usize) -> Option<f64> {
        let now = self.s.get(i)?;
        let before = self.prev?.get(i)?;
        self.div(now - before, before.abs())
    }

    /// Altman's Z'' for private (non-manufacturing) firms.
    pub fn altman_z2(&self) -> Option<f64> {
        let ta = self.cur(idx::TOTAL_ASSETS)?;
        if ta <= 0.0 {
            return None;
        }
        let wc = self.s.current_assets()? - self.s.current_liabilities();
        let re = self.cur(idx::RETAINED_EARNINGS).or(self.cur(idx::EQUITY))?;
        let ebit = self.cur(idx::OPERATING_PROFIT)?;
        let x4 = self.div(self.cur(idx::EQUITY)?, self.s.total_liabilities())?;
        Some(6.56 * wc / ta + 3.26 * re / ta + 6.72 * ebit / ta + 1.05 * x4)
    }
}

/// Computes every catalogue ratio of `s`. `prev` is used only when it is the year just before
/// and its amounts are in the same currency and unit (growth across a change of currency or
/// unit would compare different things).
pub fn compute_ratios(s: &Statement, prev: Option<&Statement>) -> RatioRow {
    let prev = prev.filter(|p| {
        p.fiscal_year == s.fiscal_year - 1 && p.firm_id == s.firm_id && p.same_money(s)
    });
    let ctx = Ctx { s, prev };
    let values = RATIOS.iter().map(|r| (r.compute)(&ctx)).collect();
    let mut flags = 0;
    if s.get(idx::EQUITY).is_some_and(|e| e <= 0.0) {
        flags |= StatementFlags::NEGATIVE_EQUITY;
    }
    if s.identity_gap()
        .is_some_and(|g| g.abs() > IDENTITY_TOLERANCE)
    {
        flags |= StatementFlags::IDENTITY_MISMATCH;
    }
    if prev.is_none() {
        flags |= StatementFlags::NO_PREVIOUS_YEAR;
    }
    RatioRow {
        values,
        flags: StatementFlags(flags),
    }
}
