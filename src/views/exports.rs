//! The tables the exporters write: decisions, predictions and ratios, every row carrying the id
//! of the model behind it.

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
        "reasons",
        "supersedes",
        "challenger_id",
        "challenger_class",
        "made_in_kit",
    ];
    Table {
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
                    owned(&d.decided_at),
                    text(&d.model_id),
                    text(&d.model_hash),
                    text(&d.predicted_class),
                    text(&d.override_reason),
                    text(&d.note),
                    owned(&d.reasons.join("; ")),
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
    Ok(Table { columns, rows })
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
    Ok(Table { columns, rows })
}
