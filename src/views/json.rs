//! The JSON shapes of what the screens show, as typed views shared by the command line
//! (`--format json`) and the scoring service, so that both print the same documents; their
//! schemas are in the OpenAPI document (`docs/api/openapi.json`, generated from these types).

use super::firm::FirmDetail;
use super::portfolio::Portfolio;
use super::triage::QueueItem;
use crate::analysis::screen::{Screening, Vif};
use serde::Serialize;
use serde_json::{json, Value};
use utoipa::ToSchema;

/// Pairs written as a JSON object, in their order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Pairs<K, V>(pub Vec<(K, V)>);

impl<K: Serialize, V: Serialize> Serialize for Pairs<K, V> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_map(self.0.iter().map(|(k, v)| (k, v)))
    }
}

/// Class -> probability, in the model's class order.
fn probabilities(p: &[(String, f64)]) -> Pairs<String, f64> {
    Pairs(p.to_vec())
}

/// The triage queue (`precre queue --format json`, `GET /v1/queue`): its model, how many
/// wait, the applications riskiest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct QueueView {
    /// The champion model that scored the queue (none without an active model).
    pub model_id: Option<String>,
    pub pending: usize,
    pub applications: Vec<QueueEntry>,
}

/// One application of the triage queue.
#[derive(Debug, Serialize, ToSchema)]
pub struct QueueEntry {
    pub application_id: String,
    pub firm_id: String,
    pub firm_name: String,
    pub sector: String,
    /// The amount asked for, in thousands of `currency`.
    pub amount: f64,
    /// The currency of the firm's latest statement.
    pub currency: String,
    pub term_months: i64,
    pub purpose: Option<String>,
    /// YYYY-MM-DD.
    pub submitted: String,
    /// The champion's class (none when it cannot score the firm).
    pub class: Option<String>,
    #[schema(value_type = Option<BTreeMap<String, f64>>)]
    pub probabilities: Option<Pairs<String, f64>>,
    /// The champion's chance of bad: the queue's order.
    pub risk: Option<f64>,
    /// The model's reasons in its own words.
    pub reasons: Vec<String>,
    /// The reasons in the bank's words with their codes, strongest first (a decline's
    /// suggestions).
    pub coded_reasons: Vec<crate::decisions::codes::CodedReason>,
    pub fiscal_year: Option<i32>,
    pub model_id: Option<String>,
    pub model_hash: Option<String>,
    pub challenger: Option<ChallengerView>,
    pub key_ratios: Vec<KeyRatioView>,
    /// Held away from the desk: out with a field kit (kit, analyst, since) or in conflict.
    pub hold: Option<crate::store::kits::Hold>,
    /// The hold in words ("out with kit K (lee, since T)").
    pub hold_text: Option<String>,
    /// pending, referred, approved or declined.
    pub status: String,
    /// The decision in force (none while pending): who, when, and to whom a referral went.
    pub decision: Option<crate::decisions::DecisionRecord>,
}

/// The challenger's view of a firm beside the champion's.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChallengerView {
    pub model_id: String,
    pub class: String,
    #[schema(value_type = BTreeMap<String, f64>)]
    pub probabilities: Pairs<String, f64>,
    /// Its chance of bad.
    pub risk: f64,
    /// Whether it gives another class than the champion.
    pub disagrees: bool,
}

/// The challenger's view of a firm on the Firm screen.
#[derive(Debug, Serialize, ToSchema)]
pub struct FirmChallengerView {
    /// The challenger model's id.
    pub id: String,
    pub name: String,
    pub class: String,
    #[schema(value_type = BTreeMap<String, f64>)]
    pub probabilities: Pairs<String, f64>,
    pub reasons: Vec<String>,
    /// Whether it gives another class than the champion.
    pub disagrees: bool,
}

/// A key ratio of an application's firm beside its sector's median.
#[derive(Debug, Serialize, ToSchema)]
pub struct KeyRatioView {
    pub id: &'static str,
    pub name: &'static str,
    #[schema(value_type = String)]
    pub unit: crate::finance::catalogue::Unit,
    pub value: Option<f64>,
    pub sector_median: Option<f64>,
}

/// One application of the triage queue.
pub fn queue_entry(q: &QueueItem) -> QueueEntry {
    let a = &q.application;
    let e = q.score.as_ref().map(|s| &s.explanation);
    QueueEntry {
        application_id: a.id.clone(),
        firm_id: a.firm_id.clone(),
        firm_name: a.firm_name.clone(),
        sector: a.sector.clone(),
        amount: a.amount,
        currency: a.currency.clone(),
        term_months: a.term_months,
        purpose: a.purpose.clone(),
        submitted: a.submitted.clone(),
        class: e.map(|e| e.class.clone()),
        probabilities: e.map(|e| probabilities(&e.probabilities)),
        risk: q.score.as_ref().map(|_| q.risk()),
        reasons: e.map(|e| e.reasons.clone()).unwrap_or_default(),
        coded_reasons: q
            .score
            .as_ref()
            .map(|s| s.coded.clone())
            .unwrap_or_default(),
        fiscal_year: q.score.as_ref().map(|s| s.fiscal_year),
        model_id: q.model.as_ref().map(|m| m.id.clone()),
        model_hash: q.model.as_ref().map(|m| m.hash.clone()),
        challenger: q.challenger.as_ref().map(|(m, s)| ChallengerView {
            model_id: m.id.clone(),
            class: m.predicted_class.clone(),
            probabilities: probabilities(&s.explanation.probabilities),
            risk: s.probability("bad"),
            disagrees: q.disagrees(),
        }),
        key_ratios: q
            .key_ratios
            .iter()
            .map(|k| KeyRatioView {
                id: k.id,
                name: k.name,
                unit: k.unit,
                value: k.value,
                sector_median: k.sector_median,
            })
            .collect(),
        hold: q.hold.clone(),
        hold_text: q.hold.as_ref().map(ToString::to_string),
        status: a.status.clone(),
        decision: q.decision.clone(),
    }
}

/// The triage queue: its model, how many wait, the applications riskiest first.
pub fn queue_view(items: &[QueueItem], pending: usize) -> QueueView {
    QueueView {
        model_id: items
            .iter()
            .find_map(|q| q.model.as_ref().map(|m| m.id.clone())),
        pending,
        applications: items.iter().map(queue_entry).collect(),
    }
}

/// A name and a count of firms.
#[derive(Debug, Serialize, ToSchema)]
pub struct Count {
    /// The sector, region, size or class counted.
    pub name: String,
    pub firms: i64,
}

fn counts(v: &[(String, i64)]) -> Vec<Count> {
    v.iter()
        .map(|(n, c)| Count {
            name: n.clone(),
            firms: *c,
        })
        .collect()
}

/// The Portfolio dashboard (`precre portfolio --format json`).
#[derive(Debug, Serialize, ToSchema)]
pub struct PortfolioView {
    pub firms: i64,
    pub statements: i64,
    pub by_sector: Vec<Count>,
    pub by_region: Vec<Count>,
    pub by_size: Vec<Count>,
    pub by_class: Vec<Count>,
    pub distributions: Vec<DistributionView>,
    pub closures: Vec<ClosureView>,
    pub model: Option<ModelName>,
    /// The class mix of the active model's predictions (`name` is the class).
    pub predicted_mix: Vec<Count>,
    pub pending: i64,
    pub decided: i64,
}

/// A ratio's distribution over the latest statements.
#[derive(Debug, Serialize, ToSchema)]
pub struct DistributionView {
    pub ratio: &'static str,
    pub name: &'static str,
    pub percent: bool,
    pub median: Option<f64>,
    pub n: usize,
    /// Bins from the 2nd to the 98th percentile (outliers in the end bins).
    pub bins: Vec<Bin>,
    pub sector_medians: Vec<SectorMedian>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Bin {
    /// The bin's lower edge.
    pub from: f64,
    pub firms: u64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SectorMedian {
    pub sector: String,
    pub median: f64,
}

/// Closures of one year among the firms alive in it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClosureView {
    pub year: i32,
    pub closed: i64,
    pub alive: i64,
    /// closed / alive.
    pub rate: f64,
}

/// A model's id and name.
#[derive(Debug, Serialize, ToSchema)]
pub struct ModelName {
    pub id: String,
    pub name: String,
}

/// The dashboard as a typed view.
pub fn portfolio_view(p: &Portfolio) -> PortfolioView {
    PortfolioView {
        firms: p.firms,
        statements: p.statements,
        by_sector: counts(&p.by_sector),
        by_region: counts(&p.by_region),
        by_size: counts(&p.by_size),
        by_class: counts(&p.by_class),
        distributions: p
            .distributions
            .iter()
            .map(|d| DistributionView {
                ratio: d.ratio,
                name: d.name,
                percent: d.percent,
                median: d.median,
                n: d.n,
                bins: d
                    .bins
                    .iter()
                    .map(|(from, n)| Bin {
                        from: *from,
                        firms: *n,
                    })
                    .collect(),
                sector_medians: d
                    .sector_medians
                    .iter()
                    .map(|(s, m)| SectorMedian {
                        sector: s.clone(),
                        median: *m,
                    })
                    .collect(),
            })
            .collect(),
        closures: p
            .closures
            .iter()
            .map(|c| ClosureView {
                year: c.year,
                closed: c.closed,
                alive: c.alive,
                rate: c.rate(),
            })
            .collect(),
        model: p.model.as_ref().map(|(id, name)| ModelName {
            id: id.clone(),
            name: name.clone(),
        }),
        predicted_mix: counts(&p.predicted_mix),
        pending: p.pending,
        decided: p.decided,
    }
}

/// What the Firm screen shows of a firm (`precre firm ID --format json`, `GET /v1/firms/{id}`).
#[derive(Debug, Serialize, ToSchema)]
pub struct FirmView {
    /// The register's facts and the latest figures.
    #[schema(value_type = Object)]
    pub firm: crate::store::firms::FirmRow,
    /// The fiscal years of the statements, oldest first (the columns of every row below).
    pub years: Vec<i32>,
    /// Live firms of the same sector, with a statement for `median_year`, the medians and
    /// percentiles compare with.
    pub peers: usize,
    /// The fiscal year of the sector medians (the firm's latest).
    pub median_year: Option<i32>,
    /// Flags of the latest statement: negative_equity, no_previous_year, identity_mismatch.
    #[schema(value_type = Vec<String>)]
    pub flags: Vec<crate::views::firm::FirmFlag>,
    /// The currency of the latest statement (items and amounts are in its thousands).
    pub currency: Option<String>,
    /// The ratio table by family: each ratio's values by year, the sector median, the firm's
    /// percentile and trend.
    #[schema(value_type = Vec<Object>)]
    pub families: Vec<crate::views::firm::RatioFamily>,
    pub items: Vec<ItemRow>,
    /// The currency and unit of each year's amounts (the columns of `items`).
    pub amounts: Vec<AmountsView>,
    pub model: Option<FirmModelView>,
    pub challenger: Option<FirmChallengerView>,
    #[schema(value_type = Vec<Object>)]
    pub applications: Vec<crate::store::decisions::Application>,
    /// The decisions on the firm's applications, oldest first.
    #[schema(value_type = Vec<Object>)]
    pub decisions: Vec<crate::decisions::DecisionRecord>,
}

/// The currency and unit of one year's statement amounts.
#[derive(Debug, Serialize, ToSchema)]
pub struct AmountsView {
    pub fiscal_year: i32,
    /// ISO 4217.
    pub currency: String,
    /// units, thousands or millions.
    pub unit: &'static str,
}

/// A statement item's values by year.
#[derive(Debug, Serialize, ToSchema)]
pub struct ItemRow {
    pub item: &'static str,
    pub values: Vec<Option<f64>>,
}

/// The champion's view of a firm on the Firm screen.
#[derive(Debug, Serialize, ToSchema)]
pub struct FirmModelView {
    pub id: String,
    pub name: Option<String>,
    pub fiscal_year: i32,
    pub class: String,
    #[schema(value_type = BTreeMap<String, f64>)]
    pub probabilities: Pairs<String, f64>,
    pub reasons: Vec<String>,
    /// The reasons in the bank's words with their codes.
    pub coded_reasons: Vec<crate::decisions::codes::CodedReason>,
    /// The tree's path to the firm's leaf (empty for other kinds).
    #[schema(value_type = Vec<Object>)]
    pub path: Vec<crate::model::explain::Step>,
    /// The smallest change of one input that would change the class, where there is one.
    #[schema(value_type = Option<Object>)]
    pub nearest_change: Option<crate::model::explain::Counterfactual>,
}

/// The Firm screen's facts as a typed view.
pub fn firm_view(d: &FirmDetail) -> FirmView {
    FirmView {
        firm: d.firm.clone(),
        years: d.years.clone(),
        peers: d.peers,
        median_year: d.median_year,
        flags: d.flags.clone(),
        currency: d.currency().map(str::to_string),
        families: d.families.clone(),
        items: d
            .items
            .iter()
            .map(|(n, v)| ItemRow {
                item: n,
                values: v.clone(),
            })
            .collect(),
        amounts: d
            .years
            .iter()
            .zip(&d.money)
            .map(|(y, (c, u))| AmountsView {
                fiscal_year: *y,
                currency: c.clone(),
                unit: u.as_str(),
            })
            .collect(),
        model: d.score.as_ref().map(|s| FirmModelView {
            id: s.model_id.clone(),
            name: d.model_name.clone(),
            fiscal_year: s.fiscal_year,
            class: s.explanation.class.clone(),
            probabilities: probabilities(&s.explanation.probabilities),
            reasons: s.explanation.reasons.clone(),
            coded_reasons: s.coded.clone(),
            path: s.explanation.path.clone(),
            nearest_change: s.explanation.nearest_change.clone(),
        }),
        challenger: d.challenger.as_ref().map(|(name, s)| FirmChallengerView {
            id: s.model_id.clone(),
            name: name.clone(),
            class: s.explanation.class.clone(),
            probabilities: probabilities(&s.explanation.probabilities),
            reasons: s.explanation.reasons.clone(),
            disagrees: d
                .score
                .as_ref()
                .is_some_and(|c| c.explanation.class != s.explanation.class),
        }),
        applications: d.applications.clone(),
        decisions: d.decisions.clone(),
    }
}

fn finite(v: f64) -> Value {
    if v.is_finite() {
        json!(v)
    } else {
        Value::Null
    }
}

fn vif_json(v: Vif) -> (Value, &'static str) {
    match v {
        Vif::Finite(x) => (json!(x), "finite"),
        Vif::Infinite => (Value::Null, "infinite"),
        Vif::Constant => (Value::Null, "constant"),
    }
}

/// A screening report: per input, the design columns' VIFs, near-duplicate groups, the
/// correlation matrix and the recommended set.
pub fn screening_json(s: &Screening) -> Value {
    let inputs: Vec<Value> = s
        .inputs
        .iter()
        .map(|i| {
            let (vif, status) = vif_json(i.vif);
            json!({
                "name": i.name,
                "kind": if i.categorical { "categorical" } else { "numeric" },
                "missing_share": i.missing_share,
                "vif": vif,
                "vif_status": status,
                "iv": i.iv(),
                "trend": i.binning.as_ref().map(|b| b.trend),
                "splits": i.binning.as_ref().map(|b| &b.splits),
                "bins": i.binning.as_ref().map(|b| &b.bins),
                "correlations": i.correlations.iter().map(|(c, r)| json!({"with": c, "r": r})).collect::<Vec<_>>(),
                "recommended": i.recommended,
                "why_not": (!i.why.is_empty()).then_some(&i.why),
            })
        })
        .collect();
    let design: Vec<Value> = s
        .design
        .iter()
        .map(|d| {
            let (vif, status) = vif_json(d.vif);
            json!({"name": d.name, "input": s.inputs[d.input].name, "vif": vif, "vif_status": status})
        })
        .collect();
    json!({
        "rows": s.rows,
        "rows_left_out": s.rows_left_out.iter().map(|(why, n)| json!({"why": why, "rows": n})).collect::<Vec<_>>(),
        "bad_class": s.bad_class.as_ref().map(|(c, n)| json!({"class": c, "rows": n})),
        "preparation": PREPARATION,
        "rule": {
            "max_vif": s.rule.max_vif,
            "min_iv": s.rule.min_iv,
            "duplicate_corr": s.rule.duplicate_corr,
        },
        "inputs": inputs,
        "design": design,
        "correlation": {
            "columns": s.design.iter().map(|d| &d.name).collect::<Vec<_>>(),
            "matrix": s.correlation.iter().map(|row| row.iter().map(|v| finite(*v)).collect::<Vec<_>>()).collect::<Vec<_>>(),
        },
        "groups": s.groups,
        "recommended": s.recommended,
    })
}

/// How the screening prepares the data, said in every report.
pub const PREPARATION: &str = "missing numeric cells filled with the column's median; categorical \
inputs one-hot encoded with the first category as reference; VIF = 1 / (1 - R^2) of each design \
column on all the others and an intercept (infinite where R^2 = 1 to 12 digits: exact \
collinearity); IV of bad against the rest over monotonic bins (numeric) or categories, WoE = \
ln(share of goods / share of bads), missing values a bin of their own";
