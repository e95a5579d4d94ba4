//! The JSON shapes of what the screens show, shared by the command line (`--format json`) and
//! the scoring service, so that both print the same documents (README, "JSON shapes").

use super::firm::FirmDetail;
use super::portfolio::Portfolio;
use super::triage::QueueItem;
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
        "applications": d.applications,
        "decisions": d.decisions,
    })
}
