//! The Triage queue: pending applications scored by the active model, riskiest first (highest
//! probability of the bad class, then of satisfactory), each with its key ratios against the
//! sector, the class, the probabilities and the reasons a decline would cite; with a challenger
//! model set, its class and probabilities beside them.

use super::scoring::{score_firm, Scored};
use super::Result;
use crate::decisions::{DecisionRecord, ModelRef};
use crate::finance::catalogue::{find, Unit};
use crate::finance::peers::quantile_sorted;
use crate::store::decisions::{Application, QueueState};
use crate::store::kits::Hold;
use crate::store::Store;
use std::collections::HashMap;

/// The ratios shown beside an application.
pub const KEY_RATIOS: [&str; 6] = [
    "current_ratio",
    "debt_ratio",
    "interest_cover",
    "net_margin",
    "roa",
    "revenue_growth",
];

/// One key ratio of the applicant against its sector median.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct KeyRatio {
    pub id: &'static str,
    pub name: &'static str,
    pub unit: Unit,
    pub higher_is_better: bool,
    pub value: Option<f64>,
    pub sector_median: Option<f64>,
}

/// A pending application as triage shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct QueueItem {
    pub application: Application,
    pub score: Option<Scored>,
    pub model: Option<ModelRef>,
    /// The challenger's view, when one is set and can score the firm.
    pub challenger: Option<(ModelRef, Scored)>,
    pub key_ratios: Vec<KeyRatio>,
    /// What holds it away from the desk: a field kit's lease, an open conflict.
    pub hold: Option<Hold>,
    /// The decision in force on it (none while it is pending): who referred, approved or
    /// declined it, when, and to whom a referral went.
    pub decision: Option<DecisionRecord>,
}

impl QueueItem {
    /// Probability of the bad class (0 without a model): the queue's order.
    pub fn risk(&self) -> f64 {
        self.score.as_ref().map_or(0.0, |s| s.probability("bad"))
    }

    /// Whether the challenger gives another class than the champion.
    pub fn disagrees(&self) -> bool {
        match (&self.model, &self.challenger) {
            (Some(m), Some((c, _))) => m.predicted_class != c.predicted_class,
            _ => false,
        }
    }

    /// Reasons a decline would cite, from the model's explanation in the bank's words (up to
    /// four), each as `CODE: text` (the form a decision reads a code from).
    pub fn suggested_reasons(&self) -> Vec<String> {
        self.score
            .as_ref()
            .map(|s| {
                s.coded
                    .iter()
                    .map(|c| format!("{}: {}", c.code, c.text))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The codes of the suggested reasons.
    pub fn suggested_codes(&self) -> Vec<String> {
        self.score
            .as_ref()
            .map(|s| s.coded.iter().map(|c| c.code.clone()).collect())
            .unwrap_or_default()
    }
}

/// The queue, riskiest first.
pub fn load(store: &Store) -> Result<Vec<QueueItem>> {
    load_in(store, &QueueState::Pending)
}

/// The applications in a state (pending, referred, to whom, decided, all), each with the
/// decision in force on it, riskiest first.
pub fn load_in(store: &Store, state: &QueueState) -> Result<Vec<QueueItem>> {
    let model = store.active_model()?;
    let challenger = match &model {
        Some(_) => store.challenger_model()?,
        None => None,
    };
    let mut holds = store.holds()?;
    let mut apps = store.applications_in(state)?;
    // Applications decided in two places stay in the triage queue until their conflict is
    // resolved.
    if *state == QueueState::Pending {
        for (id, hold) in &holds {
            if matches!(hold, Hold::Conflict { .. }) && !apps.iter().any(|(a, _)| &a.id == id) {
                apps.push((store.application(id)?, None));
            }
        }
    }
    let mut medians: HashMap<String, Vec<Option<f64>>> = HashMap::new();
    let key: Vec<usize> = KEY_RATIOS
        .iter()
        .filter_map(|r| find(r).map(|(i, _)| i))
        .collect();
    let mut items = Vec::with_capacity(apps.len());
    for (app, decision) in apps {
        if !medians.contains_key(&app.sector) {
            let peers = store.sector_ratios(&app.sector, None)?;
            let m = key
                .iter()
                .map(|&i| {
                    let mut v: Vec<f64> = peers.iter().filter_map(|p| p.values[i]).collect();
                    v.sort_by(f64::total_cmp);
                    quantile_sorted(&v, 0.5)
                })
                .collect();
            medians.insert(app.sector.clone(), m);
        }
        let statements = store.firm_statements(&app.firm_id, None)?;
        let latest = statements.last().map(|(_, r)| r.clone());
        let key_ratios = key
            .iter()
            .enumerate()
            .map(|(k, &i)| {
                let def = &crate::finance::catalogue::RATIOS[i];
                KeyRatio {
                    id: def.id,
                    name: def.name,
                    unit: def.unit,
                    higher_is_better: def.higher_is_better,
                    value: latest.as_ref().and_then(|r| r.values[i]),
                    sector_median: medians[&app.sector][k],
                }
            })
            .collect();
        let score = match &model {
            Some(m) => score_firm(store, m, &app.firm_id)?,
            None => None,
        };
        let model_ref = match (&model, &score) {
            (Some(m), Some(s)) => Some(s.model_ref(m)),
            _ => None,
        };
        let challenger = match &challenger {
            Some(c) => score_firm(store, c, &app.firm_id)?.map(|s| (s.model_ref(c), s)),
            None => None,
        };
        items.push(QueueItem {
            hold: holds.remove(&app.id),
            application: app,
            score,
            model: model_ref,
            challenger,
            key_ratios,
            decision,
        });
    }
    items.sort_by(|a, b| {
        let sat = |q: &QueueItem| {
            q.score
                .as_ref()
                .map_or(0.0, |s| s.probability("satisfactory"))
        };
        b.risk()
            .total_cmp(&a.risk())
            .then(sat(b).total_cmp(&sat(a)))
            .then(a.application.id.cmp(&b.application.id))
    });
    Ok(items)
}
