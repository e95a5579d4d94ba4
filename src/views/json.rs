//! The JSON shapes of what the screens show, shared by the command line (`--format json`) and
//! the scoring service, so that both print the same documents (README, "JSON shapes").

use super::firm::FirmDetail;
use super::portfolio::Portfolio;
use super::triage::QueueItem;
use crate::analysis::screen::{Screening, Vif};
use serde_json::{json, Map, Value};

/// Probabilities as an object, class -> probability, in the model's class order.
pub fn probabilities_json(p: &[(String, f64)]) -> Value {
    Value::Object(
        p.iter()
            .map(|(c, v)| (c.clone(), json!(v)))
            .collect::<Map<_, _>>(),
    )
}

/// One application of the triage queue.
pub fn queue_item_json(q: &QueueItem) -> Value {
    let a = &q.application;
    let e = q.score.as_ref().map(|s| &s.explanation);
    json!({
        "application_id": a.id,
        "firm_id": a.firm_id,
        "firm_name": a.firm_name,
        "sector": a.sector,
        "amount": a.amount,
        "term_months": a.term_months,
        "purpose": a.purpose,
        "submitted": a.submitted,
        "class": e.map(|e| e.class.clone()),
        "probabilities": e.map(|e| probabilities_json(&e.probabilities)),
        "risk": q.score.as_ref().map(|_| q.risk()),
        "reasons": e.map(|e| e.reasons.clone()).unwrap_or_default(),
        "fiscal_year": q.score.as_ref().map(|s| s.fiscal_year),
        "model_id": q.model.as_ref().map(|m| m.id.clone()),
        "model_hash": q.model.as_ref().map(|m| m.hash.clone()),
        "challenger": q.challenger.as_ref().map(|(m, s)| json!({
            "model_id": m.id,
            "class": m.predicted_class,
            "probabilities": probabilities_json(&s.explanation.probabilities),
            "risk": s.probability("bad"),
            "disagrees": q.disagrees(),
        })),
        "key_ratios": q.key_ratios.iter().map(|k| json!({
            "id": k.id,
            "name": k.name,
            "unit": k.unit,
            "value": k.value,
            "sector_median": k.sector_median,
        })).collect::<Vec<_>>(),
    })
}

/// The triage queue: its model, how many wait, the applications riskiest first.
pub fn queue_json(items: &[QueueItem], pending: usize) -> Value {
    let model_id = items
        .iter()
        .find_map(|q| q.model.as_ref().map(|m| m.id.clone()));
    json!({
        "model_id": model_id,
        "pending": pending,
        "applications": items.iter().map(queue_item_json).collect::<Vec<_>>(),
    })
}

fn counts(v: &[(String, i64)], key: &str) -> Value {
    Value::Array(
        v.iter()
            .map(|(n, c)| json!({ key: n, "firms": c }))
            .collect(),
    )
}

/// The dashboard as JSON (the shape in this module's documentation).
pub fn portfolio_json(p: &Portfolio) -> Value {
    json!({
        "firms": p.firms,
        "statements": p.statements,
        "by_sector": counts(&p.by_sector, "name"),
        "by_region": counts(&p.by_region, "name"),
        "by_size": counts(&p.by_size, "name"),
        "by_class": counts(&p.by_class, "name"),
        "distributions": p.distributions.iter().map(|d| json!({
            "ratio": d.ratio,
            "name": d.name,
            "percent": d.percent,
            "median": d.median,
            "n": d.n,
            "bins": d.bins.iter().map(|(from, n)| json!({"from": from, "firms": n})).collect::<Vec<_>>(),
            "sector_medians": d.sector_medians.iter().map(|(s, m)| json!({"sector": s, "median": m})).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "closures": p.closures.iter().map(|c| json!({
            "year": c.year, "closed": c.closed, "alive": c.alive, "rate": c.rate(),
        })).collect::<Vec<_>>(),
        "model": p.model.as_ref().map(|(id, name)| json!({"id": id, "name": name})),
        "predicted_mix": counts(&p.predicted_mix, "class"),
        "pending": p.pending,
        "decided": p.decided,
    })
}

/// The Firm screen's facts as JSON (the shape in this module's documentation).
pub fn firm_json(d: &FirmDetail) -> Value {
    json!({
        "firm": d.firm,
        "years": d.years,
        "peers": d.peers,
        "families": d.families,
        "items": d.items.iter().map(|(n, v)| json!({"item": n, "values": v})).collect::<Vec<_>>(),
        "model": d.score.as_ref().map(|s| json!({
            "id": s.model_id,
            "name": d.model_name,
            "fiscal_year": s.fiscal_year,
            "class": s.explanation.class,
            "probabilities": probabilities_json(&s.explanation.probabilities),
            "reasons": s.explanation.reasons,
            "path": s.explanation.path,
            "nearest_change": s.explanation.nearest_change,
        })),
        "challenger": d.challenger.as_ref().map(|(name, s)| json!({
            "id": s.model_id,
            "name": name,
            "class": s.explanation.class,
            "probabilities": probabilities_json(&s.explanation.probabilities),
            "reasons": s.explanation.reasons,
            "disagrees": d.score.as_ref().is_some_and(|c| c.explanation.class != s.explanation.class),
        })),
        "applications": d.applications,
        "decisions": d.decisions,
    })
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
