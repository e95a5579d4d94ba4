//! Monitoring a model in use: the applications of each period scored as of their submission
//! (the last statement of a fiscal year before it), their stability against the model's
//! training population (the chance of bad, each input), and, for the periods whose outcome
//! window has closed, the back-test of predicted against observed bad rates by score band.
//! `precre monitor` and the workbench's Monitor pane run this.

use super::{Job, OpsError, Result};
use crate::analysis::backtest::{backtest, Backtest};
use crate::analysis::dataset::YearRule;
use crate::analysis::labels::{bad_within, years_after, FirmHistory};
use crate::analysis::periods::PeriodLength;
use crate::analysis::stability::{compare, Band, Stability};
use crate::model::reports::DEFAULT_BANDS;
use crate::store::Store;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// The back-test's outcome window when none is asked for: bad within a year of submission.
pub const DEFAULT_HORIZON_YEARS: u32 = 1;

/// What to monitor, as a front-end asks for it.
#[derive(Debug, Clone, Default)]
pub struct MonitorRequest {
    /// A model id (prefix) or name; the active model when `None`.
    pub model: Option<String>,
    pub by: PeriodLength,
    /// Applications submitted on or after this date (ISO).
    pub from: Option<String>,
    /// Applications submitted on or before this date (ISO).
    pub to: Option<String>,
    /// Years after submission in which a firm's failure counts as the application's bad
    /// outcome (default [`DEFAULT_HORIZON_YEARS`]).
    pub horizon_years: Option<u32>,
}

/// One period of monitoring.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PeriodReport {
    pub period: String,
    pub applications: usize,
    /// The chance of bad against the training population's deciles (PSI).
    pub score: Stability,
    /// Each input the model uses against its screening bins (CSI), in the model's order.
    pub inputs: Vec<Stability>,
    /// The day the last application's outcome window closes.
    pub window_closes: String,
    /// The back-test, once the window has closed by the data's end.
    pub backtest: Option<Backtest>,
}

impl PeriodReport {
    /// The inputs that moved most (largest CSI first), at most `k`.
    pub fn most_changed(&self, k: usize) -> Vec<&Stability> {
        let mut v: Vec<&Stability> = self.inputs.iter().collect();
        v.sort_by(|a, b| b.index.total_cmp(&a.index));
        v.truncate(k);
        v
    }

    /// How many inputs are in each band: (stable, watch, act).
    pub fn input_bands(&self) -> (usize, usize, usize) {
        let n = |b: Band| self.inputs.iter().filter(|s| s.band == b).count();
        (n(Band::Stable), n(Band::Watch), n(Band::Act))
    }
}

/// One application as monitoring scored it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScoredApplication {
    pub application_id: String,
    pub firm_id: String,
    pub submitted: String,
    pub period: String,
    /// The fiscal year of the statement it was scored on (the last before the submission).
    pub fiscal_year: i32,
    pub p_bad: f64,
    /// Whether the firm failed within the window; only once the period's window has closed.
    pub bad: Option<bool>,
}

/// A model's monitoring over the periods of its applications.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Monitoring {
    pub model_id: String,
    pub model_name: String,
    pub by: String,
    pub horizon_years: u32,
    /// The latest date the data knows of (an outcome's or a closure's).
    pub data_end: Option<String>,
    pub training_rows: usize,
    /// Applications scored (with a statement before their submission).
    pub applications: usize,
    /// Applications left out: the firm had no statement of a year before the submission.
    pub without_statement: usize,
    pub periods: Vec<PeriodReport>,
    /// The training population's chance of bad on its deciles: split points and counts.
    pub training_score: crate::analysis::stability::BinnedColumn,
    /// Every application scored, oldest first (to recompute the figures from).
    pub rows: Vec<ScoredApplication>,
}

fn check_date(what: &str, d: &Option<String>) -> Result<()> {
    let ok = |d: &str| {
        let b = d.as_bytes();
        b.len() == 10
            && b[4] == b'-'
            && b[7] == b'-'
            && b.iter()
                .enumerate()
                .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
    };
    match d {
        Some(d) if !ok(d) => Err(OpsError::Usage(format!(
            "the {what} date '{d}' is not a date: give YYYY-MM-DD"
        ))),
        _ => Ok(()),
    }
}

/// Monitors a model over the applications the request names.
pub fn run(store: &Store, req: &MonitorRequest, job: &Job) -> Result<Monitoring> {
    check_date("from", &req.from)?;
    check_date("to", &req.to)?;
    let horizon = req.horizon_years.unwrap_or(DEFAULT_HORIZON_YEARS);
    if !(1..=10).contains(&horizon) {
        return Err(OpsError::Usage(format!(
            "the outcome window of {horizon} years must be 1 to 10 years"
        )));
    }
    let model = store.model(req.model.as_deref())?;
    let profile = model.population.as_ref().ok_or_else(|| {
        OpsError::BadData(format!(
            "model {} '{}' keeps no profile of its training population (it was saved before \
             monitoring existed): train it again to monitor it",
            model.id, model.name
        ))
    })?;
    job.progress(0.1, "reading every statement in the model's inputs");
    let features = &model.pipeline.features;
    let data = crate::views::data::firm_feature_rows(store, features, YearRule::All)?.ok_or_else(
        || {
            OpsError::BadData(format!(
                "model {} reads inputs that are not a firm's (a feature set's rows): only a model \
                 of firm inputs can score applications",
                model.id
            ))
        },
    )?;
    // Each firm's statements, oldest first.
    let mut by_firm: HashMap<&str, Vec<(i32, usize)>> = HashMap::new();
    for (r, id) in data.ids.iter().enumerate() {
        let firm = id.split_once(':').map_or(id.as_str(), |(f, _)| f);
        by_firm.entry(firm).or_default().push((data.years[r], r));
    }
    for v in by_firm.values_mut() {
        v.sort_unstable();
    }
    job.check()?;
    let apps = store.submitted_applications(req.from.as_deref(), req.to.as_deref())?;
    let mut rows = Vec::with_capacity(apps.len());
    let mut scored = Vec::with_capacity(apps.len());
    for app in &apps {
        let year: Option<i32> = app.submitted.get(..4).and_then(|y| y.parse().ok());
        let statement = year.and_then(|y| {
            by_firm
                .get(app.firm_id.as_str())?
                .iter()
                .rev()
                .find(|(fy, _)| *fy < y)
                .map(|(_, r)| *r)
        });
        if let Some(r) = statement {
            rows.push(r);
            scored.push(app);
        }
    }
    job.progress(0.4, "scoring the applications as of their submission");
    let x = data.x.select_rows(&rows);
    let positive = model.pipeline.positive_class;
    let p_bad: Vec<f64> = model
        .pipeline
        .predict_proba(&x)
        .iter()
        .map(|p| p[positive])
        .collect();
    job.check()?;
    let (histories, data_end) = store.label_histories()?;
    let none = FirmHistory::default();
    let mut periods: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    let mut out_rows: Vec<ScoredApplication> = Vec::with_capacity(scored.len());
    for (k, app) in scored.iter().enumerate() {
        let period = req.by.period_of(&app.submitted).unwrap_or_default();
        periods.entry(period.clone()).or_default().push(k);
        out_rows.push(ScoredApplication {
            application_id: app.id.clone(),
            firm_id: app.firm_id.clone(),
            submitted: app.submitted.clone(),
            period,
            fiscal_year: data.years[rows[k]],
            p_bad: p_bad[k],
            bad: None,
        });
    }
    job.progress(0.7, "comparing each period with the training population");
    let reports: Vec<PeriodReport> = periods
        .into_iter()
        .map(|(period, members)| {
            let score: Vec<f64> = members.iter().map(|&k| p_bad[k]).collect();
            let inputs = profile
                .inputs
                .iter()
                .enumerate()
                .map(|(c, reference)| {
                    let values: Vec<f64> = members.iter().map(|&k| x.get(k, c)).collect();
                    compare(reference, &values)
                })
                .collect();
            let window_closes = years_after(&req.by.last_day(&period), horizon);
            let closed = data_end
                .as_deref()
                .is_some_and(|e| e >= window_closes.as_str());
            let backtest = closed.then(|| {
                let bad: Vec<bool> = members
                    .iter()
                    .map(|&k| {
                        let app = scored[k];
                        let h = histories.get(&app.firm_id).unwrap_or(&none);
                        let bad = bad_within(h, &app.submitted, horizon);
                        out_rows[k].bad = Some(bad);
                        bad
                    })
                    .collect();
                backtest(&score, &bad, &DEFAULT_BANDS)
            });
            PeriodReport {
                applications: members.len(),
                score: compare(&profile.score, &score),
                inputs,
                window_closes,
                backtest,
                period,
            }
        })
        .collect();
    job.progress(1.0, "done");
    Ok(Monitoring {
        model_id: model.id.clone(),
        model_name: model.name.clone(),
        by: req.by.to_string(),
        horizon_years: horizon,
        data_end,
        training_rows: profile.rows,
        applications: scored.len(),
        without_statement: apps.len() - scored.len(),
        periods: reports,
        training_score: profile.score.clone(),
        rows: out_rows,
    })
}
