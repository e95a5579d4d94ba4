//! What each kind of import holds: its fields, their types, ranges and header aliases.

use crate::finance::ITEMS;

/// The kinds of file a user imports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Firms,
    Statements,
    Factors,
    Applications,
    Outcomes,
    Features,
}

crate::model::choices::named!(
    Kind,
    "a kind of file",
    [
        (Kind::Firms, "firms"),
        (Kind::Statements, "statements"),
        (Kind::Factors, "factors"),
        (Kind::Applications, "applications"),
        (Kind::Outcomes, "outcomes"),
        (Kind::Features, "features"),
    ]
);

impl Kind {
    pub fn as_str(self) -> &'static str {
        self.name()
    }
}

/// The type of a field, with its allowed range.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FieldType {
    /// Free text (an identifier or a name), at most this many characters.
    Text(usize),
    /// A whole number in a range.
    Int(i64, i64),
    /// A number in a range.
    Float(f64, f64),
    /// A calendar date, written YYYY-MM-DD (also YYYY/MM/DD or YYYYMMDD).
    Date,
    /// yes/no, true/false, 1/0.
    Bool,
    /// One of a fixed list (case-insensitive); stored in lower case.
    Choice(&'static [&'static str]),
    /// A class of the default scheme: bad/satisfactory/good or -1/0/1.
    Class,
}

/// One field of an import kind.
#[derive(Debug, Clone, Copy)]
pub struct Field {
    /// The store column (and the canonical header).
    pub id: &'static str,
    pub ty: FieldType,
    pub required: bool,
    pub aliases: &'static [&'static str],
}

const fn f(
    id: &'static str,
    ty: FieldType,
    required: bool,
    aliases: &'static [&'static str],
) -> Field {
    Field {
        id,
        ty,
        required,
        aliases,
    }
}

pub const SIZES: &[&str] = &["micro", "small", "medium", "large"];
pub const FIRM_STATUSES: &[&str] = &["active", "closed", "bankrupt", "defaulted"];
pub const APPLICATION_STATUSES: &[&str] =
    &["pending", "approved", "declined", "referred", "withdrawn"];
pub const CLASSES: &[&str] = &["bad", "satisfactory", "good"];

const FIRM_ID: &[&str] = &[
    "firm",
    "firm_id",
    "company_id",
    "brn",
    "business_registration_number",
    "registration_number",
];

pub const FIRMS: &[Field] = &[
    f(
        "id",
        FieldType::Text(64),
        true,
        &[
            "firm_id",
            "company_id",
            "brn",
            "business_registration_number",
            "registration_number",
        ],
    ),
    f(
        "name",
        FieldType::Text(200),
        true,
        &["firm_name", "company", "company_name"],
    ),
    f("sector", FieldType::Text(80), true, &["industry", "branch"]),
    f(
        "region",
        FieldType::Text(80),
        false,
        &["province", "area", "city"],
    ),
    f(
        "founded",
        FieldType::Date,
        false,
        &["founding_date", "founded_on", "established", "incorporated"],
    ),
    f(
        "size",
        FieldType::Choice(SIZES),
        false,
        &["firm_size", "size_class"],
    ),
    f(
        "status",
        FieldType::Choice(FIRM_STATUSES),
        false,
        &["firm_status", "state"],
    ),
    f(
        "closed_on",
        FieldType::Date,
        false,
        &["closure_date", "closed", "date_closed"],
    ),
];

pub const FACTORS: &[Field] = &[
    f("firm_id", FieldType::Text(64), true, FIRM_ID),
    f("as_of", FieldType::Date, false, &["date", "assessed_on"]),
    f(
        "years_in_business",
        FieldType::Float(0.0, 300.0),
        false,
        &["years", "age", "firm_age"],
    ),
    f(
        "legal_score",
        FieldType::Float(0.0, 10.0),
        false,
        &[
            "legalization",
            "legal_standing",
            "reputation",
            "credit_history",
        ],
    ),
    f(
        "management_score",
        FieldType::Float(0.0, 10.0),
        false,
        &["management", "management_quality"],
    ),
    f(
        "credit_security",
        FieldType::Float(0.0, 10.0),
        false,
        &["security", "collateral", "collateral_coverage"],
    ),
    f(
        "market_share",
        FieldType::Float(0.0, 100.0),
        false,
        &["share"],
    ),
    f(
        "supplier_dependence",
        FieldType::Bool,
        false,
        &["supplier_concentration"],
    ),
    f(
        "customer_dependence",
        FieldType::Bool,
        false,
        &["customer_concentration"],
    ),
];

pub const APPLICATIONS: &[Field] = &[
    f(
        "id",
        FieldType::Text(64),
        true,
        &["application_id", "app_id", "loan_id"],
    ),
    f("firm_id", FieldType::Text(64), true, FIRM_ID),
    f(
        "amount",
        FieldType::Float(0.01, 1e15),
        true,
        &["loan_amount", "requested_amount"],
    ),
    f(
        "term_months",
        FieldType::Int(1, 600),
        true,
        &["term", "tenor", "months"],
    ),
    f("purpose", FieldType::Text(200), false, &["loan_purpose"]),
    f(
        "submitted",
        FieldType::Date,
        true,
        &["submitted_on", "application_date", "date"],
    ),
    f(
        "status",
        FieldType::Choice(APPLICATION_STATUSES),
        false,
        &["application_status", "state"],
    ),
];

pub const OUTCOMES: &[Field] = &[
    f("firm_id", FieldType::Text(64), true, FIRM_ID),
    f(
        "as_of",
        FieldType::Date,
        true,
        &["date", "observed_on", "outcome_date"],
    ),
    f(
        "class",
        FieldType::Class,
        false,
        &["label", "outcome", "rating"],
    ),
    f(
        "source",
        FieldType::Text(80),
        false,
        &["label_source", "origin"],
    ),
    f(
        "days_past_due",
        FieldType::Int(0, 100_000),
        false,
        &["dpd", "days_overdue"],
    ),
];

/// Index of the first statement item among the statement fields (after firm, year, currency,
/// unit).
pub const FIRST_ITEM: usize = 4;

/// The units a statement's amounts can be written in.
pub const UNITS: &[&str] = &["units", "thousands", "millions"];

/// The statement fields: the firm, the year, the currency, the unit, then every item of the
/// catalogue.
pub fn statement_fields() -> Vec<Field> {
    let mut fields = vec![
        f("firm_id", FieldType::Text(64), true, FIRM_ID),
        f(
            "fiscal_year",
            FieldType::Int(1900, 2100),
            true,
            &["year", "fy", "financial_year"],
        ),
        f("currency", FieldType::Text(3), false, &["ccy", "curr"]),
        f(
            "unit",
            FieldType::Choice(UNITS),
            false,
            &["scale", "amounts_in", "amount_unit"],
        ),
    ];
    for item in ITEMS {
        let lo = if item.may_be_negative { -1e18 } else { 0.0 };
        fields.push(f(
            item.id,
            FieldType::Float(lo, 1e18),
            item.required,
            item.aliases,
        ));
    }
    fields
}

/// The fields of `kind` (features have no fixed fields).
pub fn fields(kind: Kind) -> Vec<Field> {
    match kind {
        Kind::Firms => FIRMS.to_vec(),
        Kind::Statements => statement_fields(),
        Kind::Factors => FACTORS.to_vec(),
        Kind::Applications => APPLICATIONS.to_vec(),
        Kind::Outcomes => OUTCOMES.to_vec(),
        Kind::Features => Vec::new(),
    }
}

/// The store table of `kind`, and its key columns.
pub fn table(kind: Kind) -> (&'static str, &'static [&'static str]) {
    match kind {
        Kind::Firms => ("firms", &["id"]),
        Kind::Statements => ("statements", &["firm_id", "fiscal_year"]),
        Kind::Factors => ("factors", &["firm_id"]),
        Kind::Applications => ("applications", &["id"]),
        Kind::Outcomes => ("outcomes", &["firm_id", "as_of"]),
        Kind::Features => ("feature_rows", &["set_id", "row_no"]),
    }
}
