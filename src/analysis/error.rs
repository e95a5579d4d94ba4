//! What analysis refuses, typed: a value that names no input, rule, policy or class, and data
//! too small to analyse. Each message says the thing once and what to give instead; a
//! front-end adds where to look (the command that lists the ratio ids, for one).

use thiserror::Error;

/// The ratio groups, as the messages list them.
pub const RATIO_GROUPS: &str = "all, profitability, activity, stability, liquidity, growth, cash";

/// The labelling policies, as the messages list them.
pub const LABEL_POLICIES: &str =
    "latest, outcome:H, closure:H, closure3:H or dpd:H (H in years, 1 to 50)";

#[derive(Debug, Clone, PartialEq, Error)]
pub enum AnalysisError {
    /// Neither a ratio id nor a group.
    #[error("'{0}' is neither a ratio id nor a group ({groups})", groups = RATIO_GROUPS)]
    NotARatio(String),
    /// A term of an input selection that names no input.
    #[error(
        "'{0}' is not an input: give ratio ids or groups ({groups}), items or an item id, \
         factors or a factor name, attributes (sector, size, region, age), sbs24, or set:NAME",
        groups = RATIO_GROUPS
    )]
    NotAnInput(String),
    #[error("'{0}': give a feature set's name after set: (no '.' or '=')")]
    BadSetName(String),
    #[error("'{0}' is not a year rule: use latest, before-application, all, or a fiscal year")]
    NotAYearRule(String),
    #[error("'{0}': cum: needs a share, e.g. cum:0.90")]
    NotAShare(String),
    #[error("'{0}': the cumulative share must be in (0, 1]")]
    ShareOutOfRange(String),
    #[error("'{0}' is not a rule: use cum:0.90, kaiser, or a number of components")]
    NotAComponentRule(String),
    #[error("'{0}' is not a monitoring period: use month, quarter or year")]
    NotAPeriod(String),
    #[error("'{0}' is not a labelling policy: {policies}", policies = LABEL_POLICIES)]
    NotALabelPolicy(String),
    #[error("'{0}' is not a horizon in years: {policies}", policies = LABEL_POLICIES)]
    NotAHorizon(String),
    /// A class asked for that the rows do not hold.
    #[error("'{asked}' is not a class of these rows; the classes are {}", classes.join(", "))]
    NotAClass { asked: String, classes: Vec<String> },
    #[error(
        "PCA needs at least two rows and one varying numeric column (got {rows} rows, \
         {columns} columns)"
    )]
    TooLittleForPca { rows: usize, columns: usize },
}
