//! The tables the exporters write: decisions, predictions and ratios, every row carrying the id
//! of the model behind it. A list (reason codes, reasons) is one cell holding a JSON array.

use crate::decisions::export::{Cell, Table};
use crate::decisions::DecisionRecord;
use crate::finance::catalogue::RATIOS;
use crate::store::statements::YearRule;
use crate::store::{Result, Store};

fn text(s: &Option<String>) -> Cell {
    Cell::Text(s.clone())
}

fn owned(s: &str) -> Cell {
    Cell::Text(Some(s.to_string()))
}

/// Every decision row (undos and overrides included, oldest first).
pub fn decisions(rows: &[DecisionRecord]) -> Table {
    let columns = [
        "decision_id",
        "application_id",
        "firm_id",
        "decision",
        "analyst",
        "decided_at",
        "model_id",
        "model_hash",
        "predicted_class",
        "override_reason",
        "note",
        "reason_codes",
        "reasons",
        "supersedes",
        "challenger_id",
        "challenger_class",
        "made_in_kit",
    ];
    Table {
        name: "decisions".into(),
        columns: columns.iter().map(|c| c.to_string()).collect(),
        rows: rows
            .iter()
            .map(|d| {
                vec![
                    Cell::Integer(Some(d.id)),
                    owned(&d.application_id),
                    owned(&d.firm_id),
                    owned(&d.decision),
                    owned(&d.analyst),
                    Cell::Time(Some(d.decided_at.clone())),
                    text(&d.model_id),
                    text(&d.model_hash),
                    text(&d.predicted_class),
                    text(&d.override_reason),
                    text(&d.note),
                    Cell::List(d.reason_codes.clone()),
                    Cell::List(d.reasons.clone()),
                    Cell::Integer(d.supersedes),
                    text(&d.challenger_id),
                    text(&d.challenger_class),
                    text(&d.made_in_kit),
                ]
            })
            .collect(),
    }
}

/// Every recorded prediction, with one probability column per class of its model.
pub fn predictions(store: &Store) -> Result<Table> {
    let rows = store.all_predictions()?;
    let mut classes: Vec<String> = Vec::new();
    for p in &rows {
        for (c, _) in &p.probabilities {
            if !classes.contains(c) {
                classes.push(c.clone());
            }
        }
    }
    let mut columns: Vec<String> = ["model_id", "firm_id", "fiscal_year", "class", "created_at"]
        .iter()
        .map(|c| c.to_string())
        .collect();
    columns.extend(classes.iter().map(|c| format!("p_{c}")));
    let rows = rows
        .iter()
        .map(|p| {
            let mut row = vec![
                owned(&p.model_id),
                owned(&p.firm_id),
                Cell::Integer(p.fiscal_year.map(i64::from)),
                owned(&p.class),
                owned(&p.created_at),
            ];
            row.extend(classes.iter().map(|c| {
                Cell::Number(
                    p.probabilities
                        .iter()
                        .find(|(k, _)| k == c)
                        .map(|(_, v)| *v),
                )
            }));
            row
        })
        .collect();
    Ok(Table {
        name: "predictions".into(),
        columns,
        rows,
    })
}

/// Every statement's ratios, with the active model's id and its predicted class for the firm.
pub fn ratios(store: &Store) -> Result<Table> {
    let all: Vec<usize> = (0..RATIOS.len()).collect();
    let data = store.ratio_rows(&all, YearRule::All)?;
    let model = store.active_model()?;
    let predicted = match &model {
        Some(m) => store.latest_predictions(&m.id)?,
        None => Default::default(),
    };
    let mut columns: Vec<String> = ["firm_id", "fiscal_year", "class", "model_id", "predicted"]
        .iter()
        .map(|c| c.to_string())
        .collect();
    columns.extend(RATIOS.iter().map(|r| r.id.to_string()));
    let n = all.len();
    let rows = (0..data.ids.len())
        .map(|r| {
            let firm = data.ids[r]
                .rsplit_once(':')
                .map_or(data.ids[r].as_str(), |(f, _)| f);
            let mut row = vec![
                owned(firm),
                Cell::Integer(Some(i64::from(data.years[r]))),
                text(&data.labels[r]),
                Cell::Text(model.as_ref().map(|m| m.id.clone())),
                Cell::Text(predicted.get(firm).cloned()),
            ];
            row.extend(
                data.values[r * n..(r + 1) * n]
                    .iter()
                    .map(|v| Cell::Number(Some(*v).filter(|x| x.is_finite()))),
            );
            row
        })
        .collect();
    Ok(Table {
        name: "ratios".into(),
        columns,
        rows,
    })
}

/// The register: one row per application in its current state (newest first): the firm, the
/// amount, term and purpose, the model's class and chance of bad (the model of the decision in
/// force, else the active model; its latest recorded prediction of the firm), the model's name
/// and id, and the decision in force with its analyst, time and reasons (codes and texts as
/// lists). The decisions export stays the event log beside it.
pub fn register(store: &Store) -> Result<Table> {
    let applications = store.all_applications()?;
    let mut logs: std::collections::HashMap<String, Vec<DecisionRecord>> = Default::default();
    for d in store.decisions()? {
        logs.entry(d.application_id.clone()).or_default().push(d);
    }
    let in_force: std::collections::HashMap<String, DecisionRecord> = logs
        .iter()
        .filter_map(|(app, log)| {
            crate::decisions::in_force::in_force(log).map(|d| (app.clone(), d.clone()))
        })
        .collect();
    let names: std::collections::HashMap<String, String> = store
        .models()?
        .into_iter()
        .map(|m| (m.id, m.name))
        .collect();
    let active = store.active_model()?.map(|m| m.id);
    let mut chance: std::collections::HashMap<(String, String), (String, Option<f64>)> =
        Default::default();
    for p in store.all_predictions()? {
        let bad = p
            .probabilities
            .iter()
            .find(|(c, _)| c == "bad")
            .map(|(_, v)| *v);
        chance.insert((p.model_id, p.firm_id), (p.class, bad));
    }
    let currency = |firm: &str| -> Result<Option<String>> {
        Ok(store
            .firm_statements(firm, None)?
            .last()
            .map(|(s, _)| s.currency.clone()))
    };
    let columns = [
        "application_id",
        "firm_id",
        "firm_name",
        "amount_thousands",
        "currency",
        "term_months",
        "purpose",
        "submitted",
        "status",
        "class",
        "chance_of_bad",
        "model_name",
        "model_id",
        "decision",
        "analyst",
        "decided_at",
        "reason_codes",
        "reasons",
        "note",
    ];
    let mut rows = Vec::with_capacity(applications.len());
    for a in &applications {
        let decision = in_force.get(&a.id);
        let model = decision
            .and_then(|d| d.model_id.clone())
            .or_else(|| active.clone());
        let predicted = model
            .as_ref()
            .and_then(|m| chance.get(&(m.clone(), a.firm_id.clone())));
        let class = decision
            .and_then(|d| d.predicted_class.clone())
            .or_else(|| predicted.map(|(c, _)| c.clone()));
        rows.push(vec![
            owned(&a.id),
            owned(&a.firm_id),
            owned(&a.firm_name),
            Cell::Number(Some(a.amount)),
            Cell::Text(currency(&a.firm_id)?),
            Cell::Integer(Some(a.term_months)),
            text(&a.purpose),
            owned(&a.submitted),
            owned(&a.status),
            Cell::Text(class),
            Cell::Number(predicted.and_then(|(_, p)| *p)),
            Cell::Text(model.as_ref().and_then(|m| names.get(m).cloned())),
            Cell::Text(model),
            Cell::Text(decision.map(|d| d.decision.clone())),
            Cell::Text(decision.map(|d| d.analyst.clone())),
            Cell::Time(decision.map(|d| d.decided_at.clone())),
            Cell::List(decision.map(|d| d.reason_codes.clone()).unwrap_or_default()),
            Cell::List(decision.map(|d| d.reasons.clone()).unwrap_or_default()),
            Cell::Text(decision.and_then(|d| d.note.clone())),
        ]);
    }
    Ok(Table {
        name: "register".into(),
        columns: columns.iter().map(|c| c.to_string()).collect(),
        rows,
    })
}
