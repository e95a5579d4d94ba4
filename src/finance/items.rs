//! The statement items of DOMAIN.md: one balance sheet and income statement per firm and year.

/// One line item of a financial statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Item {
    /// Column name in the store and in import files.
    pub id: &'static str,
    /// What an analyst calls it.
    pub name: &'static str,
    /// Whether an import must provide it.
    pub required: bool,
    /// Whether a negative amount is allowed (equity, profits and cash flow can be negative).
    pub may_be_negative: bool,
    /// Header spellings accepted besides the id (compared case- and spacing-insensitively).
    pub aliases: &'static [&'static str],
}

macro_rules! item {
    ($id:literal, $name:literal, $req:literal, $neg:literal, [$($a:literal),*]) => {
        Item { id: $id, name: $name, required: $req, may_be_negative: $neg, aliases: &[$($a),*] }
    };
}

/// Every item, in store column order. Indexes into `Statement::values` follow this order.
pub const ITEMS: &[Item] = &[
    item!(
        "total_assets",
        "Total assets",
        true,
        false,
        ["assets", "ta", "balance_sheet_total"]
    ),
    item!(
        "fixed_assets",
        "Non-current (fixed) assets",
        true,
        false,
        ["non_current_assets", "noncurrent_assets", "fa"]
    ),
    item!(
        "inventories",
        "Inventories (stock)",
        true,
        false,
        ["inventory", "stock", "stocks"]
    ),
    item!(
        "receivables",
        "Receivables",
        true,
        false,
        ["accounts_receivable", "trade_receivables"]
    ),
    item!(
        "short_term_investments",
        "Short-term investments",
        false,
        false,
        ["st_investments", "marketable_securities"]
    ),
    item!(
        "cash",
        "Cash and equivalents",
        true,
        false,
        ["cash_and_equivalents"]
    ),
    item!(
        "equity",
        "Equity",
        true,
        true,
        ["net_assets", "shareholders_equity", "total_equity"]
    ),
    item!("retained_earnings", "Retained earnings", false, true, []),
    item!(
        "long_term_borrowings",
        "Long-term borrowings",
        false,
        false,
        ["lt_borrowings", "long_term_debt"]
    ),
    item!(
        "short_term_borrowings",
        "Short-term borrowings",
        false,
        false,
        ["st_borrowings", "short_term_debt"]
    ),
    item!(
        "payables",
        "Payables",
        false,
        false,
        ["accounts_payable", "trade_payables"]
    ),
    item!(
        "deferred_income",
        "Deferred income",
        false,
        false,
        ["deferred_revenue"]
    ),
    item!("other_liabilities", "Other liabilities", false, false, []),
    item!(
        "revenue",
        "Revenue",
        true,
        false,
        ["sales", "turnover", "net_sales"]
    ),
    item!(
        "cost_of_sales",
        "Cost of sales",
        true,
        false,
        ["cogs", "cost_of_goods_sold"]
    ),
    item!(
        "operating_profit",
        "Operating profit (profit from sales)",
        true,
        true,
        ["profit_from_sales", "ebit", "operating_income"]
    ),
    item!(
        "net_income",
        "Net income",
        true,
        true,
        ["net_profit", "profit"]
    ),
    item!(
        "interest_paid",
        "Interest paid",
        false,
        false,
        ["interest", "interest_expense"]
    ),
    item!(
        "operating_cash_flow",
        "Operating cash flow",
        false,
        true,
        ["ocf", "cash_flow_from_operations"]
    ),
];

/// Index of an item in `ITEMS`, known at compile time by the constants below.
pub mod idx {
    pub const TOTAL_ASSETS: usize = 0;
    pub const FIXED_ASSETS: usize = 1;
    pub const INVENTORIES: usize = 2;
    pub const RECEIVABLES: usize = 3;
    pub const SHORT_TERM_INVESTMENTS: usize = 4;
    pub const CASH: usize = 5;
    pub const EQUITY: usize = 6;
    pub const RETAINED_EARNINGS: usize = 7;
    pub const LONG_TERM_BORROWINGS: usize = 8;
    pub const SHORT_TERM_BORROWINGS: usize = 9;
    pub const PAYABLES: usize = 10;
    pub const DEFERRED_INCOME: usize = 11;
    pub const OTHER_LIABILITIES: usize = 12;
    pub const REVENUE: usize = 13;
    pub const COST_OF_SALES: usize = 14;
    pub const OPERATING_PROFIT: usize = 15;
    pub const NET_INCOME: usize = 16;
    pub const INTEREST_PAID: usize = 17;
    pub const OPERATING_CASH_FLOW: usize = 18;
}

/// The currency a statement is taken to be in when its file does not say (the product's
/// Korean origin).
pub const DEFAULT_CURRENCY: &str = "KRW";

/// The unit a statement's amounts are written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Unit {
    Units,
    /// Thousands of the currency (what statements were before units were kept).
    #[default]
    Thousands,
    Millions,
}

impl Unit {
    pub const ALL: [Unit; 3] = [Unit::Units, Unit::Thousands, Unit::Millions];

    pub fn as_str(self) -> &'static str {
        match self {
            Unit::Units => "units",
            Unit::Thousands => "thousands",
            Unit::Millions => "millions",
        }
    }

    /// A unit by its name.
    pub fn parse(s: &str) -> Option<Unit> {
        Unit::ALL
            .into_iter()
            .find(|u| u.as_str() == s.trim().to_ascii_lowercase())
    }

    /// How amounts are labelled: "KRW thousands", "EUR" (units).
    pub fn label(self, currency: &str) -> String {
        match self {
            Unit::Units => currency.to_string(),
            _ => format!("{currency} {}", self.as_str()),
        }
    }
}

/// One statement: a firm's items for one fiscal year. Missing items are `None`.
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    pub firm_id: String,
    pub fiscal_year: i32,
    pub currency: String,
    /// The unit of every amount of the statement.
    pub unit: Unit,
    pub values: [Option<f64>; ITEMS.len()],
}

impl Statement {
    /// An empty statement (every item missing), for building up in tests and generators.
    pub fn empty(firm_id: &str, fiscal_year: i32) -> Self {
        Statement {
            firm_id: firm_id.to_string(),
            fiscal_year,
            currency: DEFAULT_CURRENCY.to_string(),
            unit: Unit::default(),
            values: [None; ITEMS.len()],
        }
    }

    /// The label of the statement's amounts: "KRW thousands".
    pub fn amounts_label(&self) -> String {
        self.unit.label(&self.currency)
    }

    /// Whether two statements' amounts can be compared (one currency, one unit).
    pub fn same_money(&self, other: &Statement) -> bool {
        self.currency == other.currency && self.unit == other.unit
    }

    /// An item by index (see `idx`).
    pub fn get(&self, i: usize) -> Option<f64> {
        self.values[i]
    }

    /// An optional item that counts as zero when absent (an SME with no borrowings reports none).
    fn zero_if_absent(&self, i: usize) -> f64 {
        self.values[i].unwrap_or(0.0)
    }

    /// Current assets: total assets less fixed assets.
    pub fn current_assets(&self) -> Option<f64> {
        Some(self.get(idx::TOTAL_ASSETS)? - self.get(idx::FIXED_ASSETS)?)
    }

    /// Current (short-term) liabilities: short-term borrowings, payables and deferred income.
    pub fn current_liabilities(&self) -> f64 {
        self.zero_if_absent(idx::SHORT_TERM_BORROWINGS)
            + self.zero_if_absent(idx::PAYABLES)
            + self.zero_if_absent(idx::DEFERRED_INCOME)
    }

    /// Borrowings (credit obligations): long- plus short-term borrowings.
    pub fn borrowings(&self) -> f64 {
        self.zero_if_absent(idx::LONG_TERM_BORROWINGS)
            + self.zero_if_absent(idx::SHORT_TERM_BORROWINGS)
    }

    /// Total liabilities: every liability item (absent ones count as zero).
    pub fn total_liabilities(&self) -> f64 {
        self.current_liabilities()
            + self.zero_if_absent(idx::LONG_TERM_BORROWINGS)
            + self.zero_if_absent(idx::OTHER_LIABILITIES)
    }

    /// The gap of the balance-sheet identity, assets - (liabilities + equity), as a share of assets.
    pub fn identity_gap(&self) -> Option<f64> {
        let assets = self.get(idx::TOTAL_ASSETS)?;
        let equity = self.get(idx::EQUITY)?;
        if assets <= 0.0 {
            return None;
        }
        Some((assets - (self.total_liabilities() + equity)) / assets)
    }
}

/// Tolerance of the balance-sheet identity check: a gap above 1% of total assets is flagged.
pub const IDENTITY_TOLERANCE: f64 = 0.01;
