//! Inputs of a PCA or a model: a named feature set, or the ratios of each firm's latest
//! statement, as a matrix with NaN for missing cells, row ids and labels; and the typed
//! choices of which ratios and which statements (parsed once, for every front-end).

use super::Matrix;
use crate::finance::{RatioGroup, RATIOS};
use std::str::FromStr;

/// Rows (entities) by named numeric columns, with an optional label per row.
#[derive(Debug, Clone)]
pub struct Dataset {
    pub names: Vec<String>,
    /// Per column: its categories when categorical (the cell holds the category's index),
    /// empty when numeric.
    pub categories: Vec<Vec<String>>,
    pub x: Matrix,
    pub ids: Vec<String>,
    pub labels: Vec<Option<String>>,
    /// The fiscal year of each row, where rows are statements (empty for a feature set).
    pub years: Vec<i32>,
    /// Columns left out, with why (categorical columns for a PCA, for example).
    pub dropped: Vec<(String, String)>,
    /// Rows left out by the labelling policy, with why and how many (censored windows...).
    pub rows_left_out: Vec<(String, usize)>,
}

/// Which ratios: all, one group, or a comma-separated list of ids.
pub fn select_ratios(spec: Option<&str>) -> Result<Vec<usize>, String> {
    let Some(spec) = spec.map(str::trim).filter(|s| !s.is_empty() && *s != "all") else {
        return Ok((0..RATIOS.len()).collect());
    };
    if let Some(g) = RatioGroup::parse(spec) {
        return Ok(RATIOS
            .iter()
            .enumerate()
            .filter(|(_, r)| r.group == g)
            .map(|(i, _)| i)
            .collect());
    }
    spec.split(',')
        .map(|id| {
            crate::finance::catalogue::find(id)
                .map(|(i, _)| i)
                .ok_or_else(|| {
                    format!(
                        "'{}' is neither a ratio id nor a group (all, profitability, activity, \
                         stability, liquidity, growth, cash; `precre ratios --list` lists the ids)",
                        id.trim()
                    )
                })
        })
        .collect()
}

impl Dataset {
    /// Columns no model can learn from: missing in every row, or one value throughout.
    pub fn unusable_columns(&self) -> Vec<(String, &'static str)> {
        (0..self.x.cols)
            .filter_map(|c| {
                let mut values = (0..self.x.rows)
                    .map(|r| self.x.get(r, c))
                    .filter(|v| !v.is_nan());
                match values.next() {
                    None => Some((self.names[c].clone(), "missing in every row")),
                    Some(first) if values.all(|v| v == first) => {
                        Some((self.names[c].clone(), "the same value in every row"))
                    }
                    _ => None,
                }
            })
            .collect()
    }

    /// Number of missing cells.
    pub fn missing(&self) -> usize {
        self.x.data.iter().filter(|v| v.is_nan()).count()
    }
}

/// Which ratios a model or a PCA reads: all, a group, or a list of ids, as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RatioSelection {
    /// The text as given ("all", "liquidity", "current_ratio,roa").
    pub text: String,
    /// Catalogue indices, in the order given.
    pub indices: Vec<usize>,
}

impl Default for RatioSelection {
    fn default() -> Self {
        RatioSelection {
            text: "all".into(),
            indices: (0..RATIOS.len()).collect(),
        }
    }
}

impl FromStr for RatioSelection {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let text = match s.trim() {
            "" => "all",
            t => t,
        };
        Ok(RatioSelection {
            text: text.to_string(),
            indices: select_ratios(Some(text))?,
        })
    }
}

impl std::fmt::Display for RatioSelection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

/// Which statement of each firm a ratio data set takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum YearRule {
    /// Each firm's latest statement.
    #[default]
    Latest,
    /// The statement of this fiscal year.
    Year(i32),
    /// The last statement of a year before the firm's latest application was submitted.
    BeforeApplication,
    /// Every statement: one row per firm and year (a panel), labelled by the firm's outcome.
    All,
}

impl YearRule {
    /// Parses `latest`, `before-application`, `all` or a year.
    pub fn parse(s: &str) -> Result<YearRule, String> {
        match s.trim() {
            "latest" => Ok(YearRule::Latest),
            "before-application" => Ok(YearRule::BeforeApplication),
            "all" => Ok(YearRule::All),
            y => y.parse().map(YearRule::Year).map_err(|_| {
                format!("'{s}' is not a year rule: use latest, before-application, all, or a fiscal year")
            }),
        }
    }
}

impl FromStr for YearRule {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        YearRule::parse(s)
    }
}

impl std::fmt::Display for YearRule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            YearRule::Latest => f.write_str("latest"),
            YearRule::Year(y) => write!(f, "{y}"),
            YearRule::BeforeApplication => f.write_str("before-application"),
            YearRule::All => f.write_str("all"),
        }
    }
}
