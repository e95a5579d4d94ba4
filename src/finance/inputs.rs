//! What a model can learn about a firm besides its ratios: statement items (amounts, in the
//! statement's currency, unscaled: the tree is scale-free and the linear steps standardize),
//! business factors (from the loan application), and firm attributes (sector, size and region
//! as categories; age in whole years at the fiscal year end). A categorical input enters a
//! model one-hot (one 0/1 column per category seen in training, named `sector=C10`); a category
//! never seen in training gives 0 in every one of them, i.e. it is read as none of the known.

use super::{ITEMS, RATIOS};

/// The business factors, as stored (DOMAIN.md, "Inputs" 3).
pub const FACTORS: [&str; 7] = [
    "years_in_business",
    "legal_score",
    "management_score",
    "credit_security",
    "market_share",
    "supplier_dependence",
    "customer_dependence",
];

/// A firm attribute from the register.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Attribute {
    Sector,
    Size,
    Region,
    /// Whole years from the founding date to the fiscal year end.
    Age,
}

impl Attribute {
    pub const ALL: [Attribute; 4] = [
        Attribute::Sector,
        Attribute::Size,
        Attribute::Region,
        Attribute::Age,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Attribute::Sector => "sector",
            Attribute::Size => "size",
            Attribute::Region => "region",
            Attribute::Age => "age",
        }
    }

    pub fn categorical(self) -> bool {
        self != Attribute::Age
    }
}

/// An input other than a ratio.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Input {
    /// A statement item, by index into [`ITEMS`].
    Item(usize),
    /// A business factor, by index into [`FACTORS`].
    Factor(usize),
    Attribute(Attribute),
}

impl Input {
    pub fn name(&self) -> &'static str {
        match self {
            Input::Item(i) => ITEMS[*i].id,
            Input::Factor(i) => FACTORS[*i],
            Input::Attribute(a) => a.name(),
        }
    }

    pub fn categorical(&self) -> bool {
        matches!(self, Input::Attribute(a) if a.categorical())
    }

    /// The input a single name is (an item, a factor or an attribute).
    pub fn parse(name: &str) -> Option<Input> {
        let n = name.trim();
        if let Some(i) = ITEMS.iter().position(|it| it.id == n) {
            return Some(Input::Item(i));
        }
        if let Some(i) = FACTORS.iter().position(|f| *f == n) {
            return Some(Input::Factor(i));
        }
        Attribute::ALL
            .into_iter()
            .find(|a| a.name() == n)
            .map(Input::Attribute)
    }
}

/// Whole years from a founding date (ISO) to the end of a fiscal year; NaN when unknown.
pub fn age(founded: Option<&str>, fiscal_year: i32) -> f64 {
    let Some(f) = founded else { return f64::NAN };
    let year: Option<i32> = f.get(..4).and_then(|y| y.parse().ok());
    match year {
        Some(y) if y <= fiscal_year => f64::from(fiscal_year - y),
        _ => f64::NAN,
    }
}

/// A model's feature, as named in its pipeline: a ratio, another input, or one category of a
/// categorical input (`sector=C10`, 1 for a firm of that sector, else 0).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Feature {
    Ratio(usize),
    Input(Input),
    Category(Input, String),
}

impl Feature {
    /// The feature a pipeline's name is, when it is one PRECRE can read off a firm.
    pub fn parse(name: &str) -> Option<Feature> {
        if let Some((i, _)) = super::catalogue::find(name) {
            return Some(Feature::Ratio(i));
        }
        if let Some((input, value)) = name.split_once('=') {
            return Input::parse(input)
                .filter(Input::categorical)
                .map(|i| Feature::Category(i, value.to_string()));
        }
        Input::parse(name)
            .filter(|i| !i.categorical())
            .map(Feature::Input)
    }
}

/// The ratios of the small-business study's 24 factors that PRECRE computes (DOMAIN.md, "The
/// factor sets"): current liquidity, financial autonomy, equity-to-debt, sales profitability,
/// activity profitability (net margin, annual where the study took the last quarter), cash
/// cover and interest cover.
pub const SBS24_RATIOS: [&str; 7] = [
    "current_ratio",
    "financial_autonomy",
    "equity_to_debt",
    "sales_profitability",
    "net_margin",
    "cash_cover",
    "interest_cover",
];

/// Its amounts: the assets (fixed assets, stock, receivables, short-term investments, cash)
/// and the liabilities (equity, long-term and short-term borrowings, payables). The study's
/// "net assets" is equity here (total assets less liabilities), so it is taken once: 23 inputs
/// for the study's 24.
pub const SBS24_ITEMS: [&str; 9] = [
    "fixed_assets",
    "inventories",
    "receivables",
    "short_term_investments",
    "cash",
    "equity",
    "long_term_borrowings",
    "short_term_borrowings",
    "payables",
];

/// What one term of an input selection names: ratios (catalogue indices) and other inputs.
pub fn expand_term(term: &str) -> Option<(Vec<usize>, Vec<Input>)> {
    let t = term.trim();
    match t {
        "factors" => Some((Vec::new(), (0..FACTORS.len()).map(Input::Factor).collect())),
        "items" => Some((Vec::new(), (0..ITEMS.len()).map(Input::Item).collect())),
        "attributes" => Some((
            Vec::new(),
            Attribute::ALL.into_iter().map(Input::Attribute).collect(),
        )),
        "sbs24" => Some((
            SBS24_RATIOS
                .iter()
                .filter_map(|id| RATIOS.iter().position(|r| r.id == *id))
                .collect(),
            (0..FACTORS.len())
                .map(Input::Factor)
                .chain(SBS24_ITEMS.iter().filter_map(|id| Input::parse(id)))
                .collect(),
        )),
        _ => Input::parse(t).map(|i| (Vec::new(), vec![i])),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_small_business_set_has_23_inputs_for_the_studys_24() {
        let (ratios, others) = expand_term("sbs24").unwrap();
        assert_eq!(ratios.len(), 7);
        assert_eq!(others.len(), 16);
        assert!(others.contains(&Input::Factor(0)));
        assert_eq!(
            Input::parse("sector"),
            Some(Input::Attribute(Attribute::Sector))
        );
        assert!(Input::parse("sector").unwrap().categorical());
        assert!(!Input::parse("age").unwrap().categorical());
    }
}

/// What a feature row reads of a firm besides its statement: the register's attributes and
/// the business factors. Every path that builds a row (training, a stored firm's score, a
/// posted firm's score) reads a firm through this, so an attribute means the same on each:
/// blank text is missing, never a category of its own.
#[derive(Debug, Clone, Copy, Default)]
pub struct FirmFacts<'a> {
    pub sector: Option<&'a str>,
    pub size: Option<&'a str>,
    pub region: Option<&'a str>,
    pub founded: Option<&'a str>,
    /// The business factors in [`FACTORS`] order (missing where not given; shorter is fine).
    pub factors: &'a [Option<f64>],
}

/// An input's value for one statement, before categories are coded: a number, or an
/// attribute's text (`None`: missing).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum InputValue<'a> {
    Number(f64),
    Text(Option<&'a str>),
}

impl<'a> FirmFacts<'a> {
    /// An attribute's text; blank text is missing.
    pub fn text(&self, a: Attribute) -> Option<&'a str> {
        let t = match a {
            Attribute::Sector => self.sector,
            Attribute::Size => self.size,
            Attribute::Region => self.region,
            Attribute::Age => None,
        };
        t.map(str::trim).filter(|t| !t.is_empty())
    }

    /// The value of `input` for the statement of `fiscal_year` whose items are `items`.
    pub fn input(&self, input: Input, items: &[Option<f64>], fiscal_year: i32) -> InputValue<'a> {
        match input {
            Input::Item(i) => {
                InputValue::Number(items.get(i).copied().flatten().unwrap_or(f64::NAN))
            }
            Input::Factor(k) => {
                InputValue::Number(self.factors.get(k).copied().flatten().unwrap_or(f64::NAN))
            }
            Input::Attribute(Attribute::Age) => InputValue::Number(age(self.founded, fiscal_year)),
            Input::Attribute(a) => InputValue::Text(self.text(a)),
        }
    }

    /// One column of a model's row: a ratio, an input, or `attribute=value` as 1 when the
    /// firm's attribute is that value (0 otherwise, missing included, as training's one-hot
    /// coding gives).
    pub fn feature(
        &self,
        feature: &Feature,
        ratios: &[Option<f64>],
        items: &[Option<f64>],
        fiscal_year: i32,
    ) -> f64 {
        match feature {
            Feature::Ratio(i) => ratios.get(*i).copied().flatten().unwrap_or(f64::NAN),
            Feature::Input(input) => match self.input(*input, items, fiscal_year) {
                InputValue::Number(x) => x,
                InputValue::Text(_) => f64::NAN,
            },
            Feature::Category(input, value) => match self.input(*input, items, fiscal_year) {
                InputValue::Text(t) => f64::from(u8::from(t == Some(value.as_str()))),
                InputValue::Number(_) => f64::NAN,
            },
        }
    }
}
