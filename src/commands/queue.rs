//! `precre queue`: the triage queue as the Triage screen shows it (`views::triage`), for
//! scripts: the pending applications, riskiest first, with the ids `precre decide` takes.
//!
//! JSON shape: `{"model_id": ID|null, "pending": N, "applications": [{"application_id",
//! "firm_id", "firm_name", "sector", "amount", "term_months", "purpose", "submitted", "class",
//! "probabilities": {CLASS: P}, "risk" (P(bad)), "reasons": [TEXT], "coded_reasons": [{"code",
//! "text"}], "model_id", "model_hash",
//! "challenger": null | {"model_id", "class", "probabilities", "risk", "disagrees"},
//! "key_ratios": [{"id", "name", "unit", "value", "sector_median"}]}]}`.

use super::open_store;
use crate::cli::{Cli, QueueArgs};
use crate::output::{format_ratio, print_json, print_table, thousands_f, OutputFormat, TextTable};

pub fn run(cli: &Cli, args: &QueueArgs) -> anyhow::Result<()> {
    let store = open_store(cli)?;
    let mut items = crate::views::triage::load(&store).map_err(crate::ops::OpsError::from)?;
    let pending = items.len();
    if let Some(n) = args.limit {
        items.truncate(n);
    }
    if args.format == OutputFormat::Json {
        return print_json(&crate::views::json::queue_view(&items, pending));
    }
    let challenger = items.iter().find_map(|q| q.challenger.as_ref());
    let amount =
        crate::output::amount_header("amount", items.iter().map(|q| q.currency.as_deref()));
    let mut headers = vec![
        "application",
        "firm",
        "name",
        "sector",
        amount.as_str(),
        "class",
        "p(bad)",
        "p(satisfactory)",
        "p(good)",
    ];
    if challenger.is_some() {
        headers.extend(["challenger", "its p(bad)"]);
    }
    headers.extend(["current ratio", "codes", "reasons"]);
    let n = headers.len();
    // At 80 columns: the application, the firm's name, the amount, the class, the chance of
    // bad, the challenger's class, the reason codes and the reasons (cut); the rest with
    // --wide.
    let mut t = TextTable::new(headers)
        .align_right(if challenger.is_some() {
            vec![4, 6, 7, 8, 10, 11]
        } else {
            vec![4, 6, 7, 8, 9]
        })
        .optional([7, 8, 1, 3, n - 3]);
    if challenger.is_some() {
        t = t.optional([10]);
    }
    for q in &items {
        let a = &q.application;
        let p = |c: &str| {
            q.score
                .as_ref()
                .map_or("-".to_string(), |s| format!("{:.3}", s.probability(c)))
        };
        let current = q
            .key_ratios
            .iter()
            .find(|k| k.id == "current_ratio")
            .map_or("-".to_string(), |k| format_ratio(k.value, k.unit));
        let mut row = vec![
            a.id.clone(),
            a.firm_id.clone(),
            a.firm_name.clone(),
            a.sector.clone(),
            thousands_f(a.amount),
            q.score
                .as_ref()
                .map_or("-".to_string(), |s| s.explanation.class.clone()),
            p("bad"),
            p("satisfactory"),
            p("good"),
        ];
        if challenger.is_some() {
            // "!" marks a challenger that disagrees with the champion's class.
            row.extend(match &q.challenger {
                Some((m, s)) => [
                    format!(
                        "{}{}",
                        m.predicted_class,
                        if q.disagrees() { " !" } else { "" }
                    ),
                    format!("{:.3}", s.probability("bad")),
                ],
                None => ["-".into(), "-".into()],
            });
        }
        row.extend([
            current,
            q.suggested_codes().join(" "),
            q.suggested_reasons().join(" | "),
        ]);
        t.push(row);
    }
    print_table(&t, args.format)?;
    if args.format == OutputFormat::Table {
        let model = items
            .iter()
            .find_map(|q| q.model.as_ref().map(|m| m.id.clone()));
        let footer = format!(
            "{} pending application(s), riskiest first{}{}",
            pending,
            match &model {
                Some(m) => format!("; scored by model {m}"),
                None =>
                    "; no active model: load one (precre models import models/default.json)".into(),
            },
            if items.len() < pending {
                format!("; {} shown", items.len())
            } else {
                String::new()
            }
        );
        println!("{}", crate::output::wrapped(&footer, 2));
        if let Some((m, _)) = challenger {
            let disagree = items.iter().filter(|q| q.disagrees()).count();
            let line = format!(
                "challenger {}: disagrees with the champion's class on {disagree} of {} shown (marked !)",
                m.id,
                items.len()
            );
            println!("{}", crate::output::wrapped(&line, 2));
        }
    }
    Ok(())
}
