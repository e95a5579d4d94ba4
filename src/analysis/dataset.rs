//! Inputs of a PCA or a model: a named feature set, or the ratios of each firm's latest
//! statement, as a matrix with NaN for missing cells, row ids and labels; and the typed
//! choices of which ratios and which statements (parsed once, for every front-end).

use super::{AnalysisError, Matrix};
use crate::finance::inputs::Input;
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
pub fn select_ratios(spec: Option<&str>) -> Result<Vec<usize>, AnalysisError> {
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
                .ok_or_else(|| AnalysisError::NotARatio(id.trim().to_string()))
        })
        .collect()
}

impl Dataset {
    /// The numeric columns only (what a PCA reads); categorical ones listed in `dropped`.
    pub fn numeric_only(mut self) -> Dataset {
        let keep: Vec<usize> = (0..self.names.len())
            .filter(|&c| self.categories[c].is_empty())
            .collect();
        if keep.len() == self.names.len() {
            return self;
        }
        for c in (0..self.names.len()).filter(|c| !keep.contains(c)) {
            self.dropped
                .push((self.names[c].clone(), "categorical".to_string()));
        }
        self.x = self.x.select_cols(&keep);
        self.names = keep.iter().map(|&c| self.names[c].clone()).collect();
        self.categories = vec![Vec::new(); keep.len()];
        self
    }

    /// Every categorical column replaced by one 0/1 column per category, named `name=category`
    /// (a missing category is 0 in all of them); numeric columns as they are. What the tree
    /// learns from, so that category codes are never read as an order.
    pub fn one_hot(self) -> Dataset {
        if self.categories.iter().all(Vec::is_empty) {
            return self;
        }
        let mut names = Vec::new();
        let mut sources: Vec<(usize, Option<usize>)> = Vec::new();
        for (c, cats) in self.categories.iter().enumerate() {
            if cats.is_empty() {
                names.push(self.names[c].clone());
                sources.push((c, None));
            } else {
                for (k, cat) in cats.iter().enumerate() {
                    names.push(format!("{}={cat}", self.names[c]));
                    sources.push((c, Some(k)));
                }
            }
        }
        let mut data = Vec::with_capacity(self.x.rows * names.len());
        for r in 0..self.x.rows {
            for &(c, k) in &sources {
                let v = self.x.get(r, c);
                data.push(match k {
                    None => v,
                    Some(k) => f64::from(u8::from(v == k as f64)),
                });
            }
        }
        Dataset {
            categories: vec![Vec::new(); names.len()],
            x: Matrix::new(self.x.rows, names.len(), data),
            names,
            ..self
        }
    }

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
    /// Inputs besides ratios (statement items, business factors, firm attributes), in order.
    pub others: Vec<Input>,
    /// Feature sets whose columns join the firm's inputs (rows matched by firm id).
    pub sets: Vec<String>,
}

impl Default for RatioSelection {
    fn default() -> Self {
        RatioSelection {
            text: "all".into(),
            indices: (0..RATIOS.len()).collect(),
            others: Vec::new(),
            sets: Vec::new(),
        }
    }
}

/// The inputs a selection names: comma-separated terms, each `all` (every ratio), a ratio
/// group, a ratio id, `items` or an item id, `factors` or a factor name, `attributes` or one
/// of sector, size, region, age, `sbs24` (the small-business study's factors), or `set:NAME`
/// (every column of a feature set whose row ids are firm ids).
pub fn select_inputs(spec: &str) -> Result<RatioSelection, AnalysisError> {
    let mut ratios: Vec<usize> = Vec::new();
    let mut others: Vec<Input> = Vec::new();
    let mut sets: Vec<String> = Vec::new();
    for term in spec.split(',').map(str::trim).filter(|t| !t.is_empty()) {
        if let Some(set) = term.strip_prefix("set:").map(str::trim) {
            if set.is_empty() || set.contains('.') || set.contains('=') {
                return Err(AnalysisError::BadSetName(term.to_string()));
            }
            if !sets.iter().any(|s| s == set) {
                sets.push(set.to_string());
            }
            continue;
        }
        let (r, o) = if term == "all" {
            ((0..RATIOS.len()).collect(), Vec::new())
        } else if let Some(g) = RatioGroup::parse(term) {
            (
                RATIOS
                    .iter()
                    .enumerate()
                    .filter(|(_, r)| r.group == g)
                    .map(|(i, _)| i)
                    .collect(),
                Vec::new(),
            )
        } else if let Some((i, _)) = crate::finance::catalogue::find(term) {
            (vec![i], Vec::new())
        } else if let Some(x) = crate::finance::inputs::expand_term(term) {
            x
        } else {
            return Err(AnalysisError::NotAnInput(term.to_string()));
        };
        for i in r {
            if !ratios.contains(&i) {
                ratios.push(i);
            }
        }
        for i in o {
            if !others.contains(&i) {
                others.push(i);
            }
        }
    }
    if ratios.is_empty() && others.is_empty() && sets.is_empty() {
        ratios = (0..RATIOS.len()).collect();
    }
    Ok(RatioSelection {
        text: spec.to_string(),
        indices: ratios,
        others,
        sets,
    })
}

impl FromStr for RatioSelection {
    type Err = AnalysisError;
    fn from_str(s: &str) -> Result<Self, AnalysisError> {
        let text = match s.trim() {
            "" => "all",
            t => t,
        };
        select_inputs(text)
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
    pub fn parse(s: &str) -> Result<YearRule, AnalysisError> {
        match s.trim() {
            "latest" => Ok(YearRule::Latest),
            "before-application" => Ok(YearRule::BeforeApplication),
            "all" => Ok(YearRule::All),
            y => y
                .parse()
                .map(YearRule::Year)
                .map_err(|_| AnalysisError::NotAYearRule(s.to_string())),
        }
    }
}

impl FromStr for YearRule {
    type Err = AnalysisError;
    fn from_str(s: &str) -> Result<Self, AnalysisError> {
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
