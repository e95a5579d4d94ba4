//! Training: read the data a request names, fit and evaluate the pipeline on a held-out part,
//! and (when the request names the model) save it as a candidate: the champion, the challenger,
//! the predictions and the queue are left as they were (`ops::governance` promotes). The
//! command line's `train` and the workbench's Model screen both run exactly this.

use super::{Job, OpsError, Result};
use crate::analysis::dataset::{Dataset, RatioSelection, YearRule};
use crate::analysis::labels::LabelPolicy;
use crate::model::pipeline::{train_and_evaluate, FitSpec, PruneSpec, SplitSpec, TrainReport};
use crate::model::registry::ModelRecord;
use crate::model::split;
use crate::store::Store;
use std::path::PathBuf;

/// The data a model learns from.
#[derive(Debug, Clone, PartialEq)]
pub enum DataChoice {
    /// Ratios of the statements a year rule picks, labelled by a policy (by default each
    /// firm's latest outcome).
    Ratios {
        selection: RatioSelection,
        year_rule: YearRule,
        label: LabelPolicy,
    },
    /// A feature set (categorical columns enter as their category codes), all its columns or
    /// the named ones.
    Set {
        name: String,
        columns: Option<Vec<String>>,
    },
}

impl Default for DataChoice {
    fn default() -> Self {
        DataChoice::Ratios {
            selection: RatioSelection::default(),
            year_rule: YearRule::Latest,
            label: LabelPolicy::Latest,
        }
    }
}

impl DataChoice {
    /// Where the data came from, in words (kept in the model record).
    pub fn describe(&self) -> String {
        match self {
            DataChoice::Ratios {
                selection,
                year_rule,
                label: LabelPolicy::Latest,
            } => format!("ratios ({selection}), statements by year rule '{year_rule}'"),
            DataChoice::Ratios {
                selection,
                year_rule,
                label,
            } => format!(
                "ratios ({selection}), statements by year rule '{year_rule}', labelled by {} ({label})",
                label.describe()
            ),
            DataChoice::Set {
                name,
                columns: None,
            } => format!("feature set {name}"),
            DataChoice::Set {
                name,
                columns: Some(cols),
            } => format!("feature set {name}, columns {}", cols.join(",")),
        }
    }
}

/// How rows are held out for testing.
#[derive(Debug, Clone, PartialEq)]
pub enum SplitChoice {
    /// Stratified by class.
    Stratified { test_share: f64, seed: u64 },
    /// Out of time: statements of this fiscal year or later are the test part (ratios only).
    FromYear(i32),
    /// A column of the feature set whose values (train / test) give the split.
    Column(String),
}

/// A training run, as a front-end asks for it.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainRequest {
    pub data: DataChoice,
    pub fit: FitSpec,
    pub split: SplitChoice,
    /// The class read as "bad" for KS and binary AUC (default: "bad", else the rarest class).
    pub positive: Option<String>,
    /// Save the model under this name, as a candidate (it takes no role until promoted).
    pub save_as: Option<String>,
    /// Who trains it (recorded with a saved model, for four eyes).
    pub trained_by: Option<String>,
    /// Also write the model record as JSON to this file.
    pub export: Option<PathBuf>,
}

/// What a training run produced.
#[derive(Debug, Clone)]
pub struct Trained {
    pub record: ModelRecord,
    pub report: TrainReport,
    /// Seconds to fit and evaluate.
    pub fit_seconds: f64,
    /// Saved in the store as a candidate.
    pub saved: bool,
    /// Columns no split can use, with why (said to the analyst, not fatal).
    pub unusable: Vec<(String, &'static str)>,
    /// Rows the labelling policy left out, with why and how many.
    pub rows_left_out: Vec<(String, usize)>,
    /// The training and the test part: rows, fiscal years, class mix.
    pub parts: [Part; 2],
}

/// One part of the split, as the report states it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Part {
    pub name: &'static str,
    pub rows: usize,
    /// First and last fiscal year of its statements (none for a feature set).
    pub years: Option<(i32, i32)>,
    /// Rows per class, in the model's class order.
    pub classes: Vec<(String, usize)>,
}

fn part(name: &'static str, data: &Dataset, rows: &[usize], classes: &[String]) -> Part {
    let years = (!data.years.is_empty())
        .then(|| {
            let ys = rows.iter().map(|&r| data.years[r]);
            Some((ys.clone().min()?, ys.max()?))
        })
        .flatten();
    Part {
        name,
        rows: rows.len(),
        years,
        classes: classes
            .iter()
            .map(|c| {
                let n = rows
                    .iter()
                    .filter(|&&r| data.labels[r].as_deref() == Some(c.as_str()))
                    .count();
                (c.clone(), n)
            })
            .collect(),
    }
}

/// The rows a data choice names (no split), refusing an empty selection.
pub fn rows(store: &Store, data: &DataChoice) -> Result<Dataset> {
    Ok(match data {
        DataChoice::Ratios {
            selection,
            year_rule,
            label,
        } => {
            let d = crate::views::data::inputs_labelled(
                store,
                &selection.indices,
                &selection.others,
                &selection.sets,
                *year_rule,
                *label,
            )?;
            if *label != LabelPolicy::Latest {
                let why: Vec<String> = d
                    .rows_left_out
                    .iter()
                    .map(|(why, n)| format!("{n} {why}"))
                    .collect();
                let mut classes: Vec<&str> =
                    d.labels.iter().flatten().map(String::as_str).collect();
                classes.sort_unstable();
                classes.dedup();
                if classes.len() < 2 {
                    return Err(OpsError::BadData(format!(
                        "labelled by {label}, {} statements hold {} (left out: {}); a model \
                         needs two classes: choose another horizon or policy",
                        d.x.rows,
                        if classes.is_empty() {
                            "no class".to_string()
                        } else {
                            format!("only '{}'", classes[0])
                        },
                        if why.is_empty() {
                            "none".to_string()
                        } else {
                            why.join("; ")
                        }
                    )));
                }
            }
            if d.x.rows == 0 {
                return Err(OpsError::BadData(format!(
                    "no statements match the year rule '{year_rule}': load the demo, or import \
                     statements and outcomes"
                )));
            }
            d
        }
        DataChoice::Set { name, columns } => {
            let d = crate::views::data::feature_set(store, name, true)?;
            if d.x.rows == 0 {
                return Err(OpsError::BadData(format!(
                    "feature set '{name}' has no rows"
                )));
            }
            match columns {
                Some(cols) => keep_columns(d, name, cols)?,
                None => d,
            }
        }
    })
}

/// Only the named columns of a feature set (in the order named); an unknown name is refused
/// with the set's columns listed.
fn keep_columns(mut d: Dataset, set: &str, wanted: &[String]) -> Result<Dataset> {
    let mut idx = Vec::with_capacity(wanted.len());
    for w in wanted {
        let w = w.trim();
        let i = d
            .names
            .iter()
            .position(|n| n.eq_ignore_ascii_case(w))
            .ok_or_else(|| {
                OpsError::Usage(format!(
                    "feature set '{set}' has no column '{w}'; its columns are {}",
                    d.names.join(", ")
                ))
            })?;
        if !idx.contains(&i) {
            idx.push(i);
        }
    }
    d.x = d.x.select_cols(&idx);
    d.names = idx.iter().map(|&i| d.names[i].clone()).collect();
    d.categories = idx.iter().map(|&i| d.categories[i].clone()).collect();
    Ok(d)
}

/// The rows to learn from, and the explicit split a split column or a year gives.
pub fn load(
    store: &Store,
    data: &DataChoice,
    split_choice: &SplitChoice,
) -> Result<(Dataset, Option<split::RowSplit>)> {
    let mut set = rows(store, data)?;
    match (split_choice, data) {
        (SplitChoice::Stratified { .. }, _) => Ok((set, None)),
        (SplitChoice::FromYear(year), DataChoice::Ratios { .. }) => {
            let s = split::out_of_time(&set.years, *year);
            Ok((set, Some(s)))
        }
        (SplitChoice::FromYear(_), DataChoice::Set { .. }) => Err(OpsError::Usage(
            "an out-of-time split needs ratios (statements have fiscal years; a feature set has none)"
                .into(),
        )),
        (SplitChoice::Column(_), DataChoice::Ratios { .. }) => Err(OpsError::Usage(
            "a split column needs a feature set with that column".into(),
        )),
        (SplitChoice::Column(col), DataChoice::Set { name, .. }) => {
            let info = store.feature_set(name)?;
            let c = set
                .names
                .iter()
                .position(|n| n.eq_ignore_ascii_case(col))
                .ok_or_else(|| {
                    OpsError::Usage(format!("feature set '{name}' has no column '{col}' to split by"))
                })?;
            let cats = &info.columns[c].categories;
            let values: Vec<Option<&str>> = (0..set.x.rows)
                .map(|r| cats.get(set.x.get(r, c) as usize).map(String::as_str))
                .collect();
            let explicit = split::by_column(&values)
                .map_err(|e| OpsError::Usage(format!("split column {col}: {e}")))?;
            let keep: Vec<usize> = (0..set.names.len()).filter(|&j| j != c).collect();
            set.x = set.x.select_cols(&keep);
            set.names.remove(c);
            set.categories.remove(c);
            Ok((set, Some(explicit)))
        }
    }
}

/// Checks the request before any work (the parameters, the split's share, the folds).
pub fn check(req: &TrainRequest) -> Result<()> {
    req.fit
        .params
        .clone()
        .check()
        .map_err(|e| OpsError::Usage(e.to_string()))?;
    if let SplitChoice::Stratified { test_share, .. } = req.split {
        if !(test_share > 0.0 && test_share < 1.0) {
            return Err(OpsError::Usage(format!(
                "the test share {test_share} must be between 0 and 1"
            )));
        }
    }
    if let PruneSpec::CrossValidated { folds, .. } = req.fit.prune {
        if folds < 2 {
            return Err(OpsError::Usage(format!(
                "cross-validated pruning needs at least 2 folds ({folds} given)"
            )));
        }
    }
    if req.save_as.as_deref().is_some_and(|n| n.trim().is_empty()) {
        return Err(OpsError::Usage("give the model a name".into()));
    }
    if let crate::model::learner::Learner::Boosting(p) = req.fit.learner {
        p.check().map_err(|e| OpsError::Usage(e.to_string()))?;
    }
    Ok(())
}

/// Trains, evaluates and, with `save_as`, saves the model as a candidate. Progress goes
/// to `job`; a cancel between phases stops it with nothing saved.
pub fn train(store: &mut Store, req: &TrainRequest, job: &Job) -> Result<Trained> {
    check(req)?;
    job.progress(0.05, "reading the data");
    let (data, explicit) = load(store, &req.data, &req.split)?;
    // Categorical inputs one-hot: the tree never reads category codes as an order.
    let data = data.one_hot();
    job.check()?;
    let split_spec = match req.split {
        SplitChoice::Stratified { test_share, seed } => SplitSpec::Stratified { test_share, seed },
        _ => SplitSpec::Explicit,
    };
    job.progress(
        0.15,
        &match req.fit.prune {
            PruneSpec::CrossValidated { folds, .. } => {
                format!("growing the tree and cross-validating the pruning path ({folds} folds)")
            }
            _ => "growing the tree".to_string(),
        },
    );
    let started = std::time::Instant::now();
    let report = train_and_evaluate(
        &data,
        &req.fit,
        &split_spec,
        explicit,
        req.positive.as_deref(),
    )
    .map_err(OpsError::Train)?;
    let fit_seconds = started.elapsed().as_secs_f64();
    job.check()?;
    let name = req.save_as.clone().unwrap_or_else(|| "unnamed".into());
    let now = store.now_utc()?;
    let mut record =
        ModelRecord::from_report(name.trim(), &req.data.describe(), &now, &data, &report);
    if let (SplitChoice::FromYear(year), Some(part)) = (&req.split, record.test_part.as_mut()) {
        part.out_of_time_from = Some(*year);
    }
    if let Some(path) = &req.export {
        let text = serde_json::to_string_pretty(&record)
            .map_err(|e| OpsError::Io(format!("cannot write {}: {e}", path.display())))?;
        std::fs::write(path, text + "\n")
            .map_err(|e| OpsError::Io(format!("cannot write {}: {e}", path.display())))?;
    }
    if req.save_as.is_some() {
        job.check()?;
        job.progress(0.85, "saving the model as a candidate");
        store.save_model(&record, req.trained_by.as_deref())?;
    }
    job.progress(1.0, "done");
    Ok(Trained {
        unusable: data.unusable_columns(),
        rows_left_out: data.rows_left_out.clone(),
        parts: [
            part("train", &data, &report.train_rows, &report.pipeline.classes),
            part("test", &data, &report.test_rows, &report.pipeline.classes),
        ],
        record,
        report,
        fit_seconds,
        saved: req.save_as.is_some(),
    })
}
