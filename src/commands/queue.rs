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
use crate::cli::{Cli, QueueArgs, QueueStateArg};
use crate::output::{format_ratio, print_json, print_table, thousands_f, OutputFormat, TextTable};
use crate::store::decisions::QueueState;

/// The applications the flags ask for.
fn state(cli: &Cli, args: &QueueArgs) -> QueueState {
    if let Some(who) = &args.referred_to {
        return QueueState::ReferredTo(who.clone());
    }
    if args.referred_to_me {
        return QueueState::ReferredTo(crate::decisions::analyst_name(cli.analyst.as_deref()));
    }
    match args.state {
        QueueStateArg::Pending => QueueState::Pending,
        QueueStateArg::Referred => QueueState::Referred,
        QueueStateArg::Decided => QueueState::Decided,
        QueueStateArg::All => QueueState::All,
    }
}

/// An application's state in words: pending, or the decision in force (and to whom a
/// referral went).
pub fn state_words(q: &crate::views::triage::QueueItem) -> String {
    match &q.decision {
        None => q.application.status.clone(),
        Some(d) => format!(
            "{}{} by {}",
            q.application.status,
            d.referred_to
                .as_ref()
                .map(|t| format!(" to {t}"))
                .unwrap_or_default(),
            d.analyst
        ),
    }
}

pub fn run(cli: &Cli, args: &QueueArgs) -> anyhow::Result<()> {
    let store = open_store(cli)?;
    let state = state(cli, args);
    let mut items =
        crate::views::triage::load_in(&store, &state).map_err(crate::ops::OpsError::from)?;
    let pending = items.len();
    if let Some(n) = args.limit {
        items.truncate(n);
    }
    if args.format == OutputFormat::Json {
        return print_json(&crate::views::json::queue_view(&items, pending));
    }
    let challenger = items.iter().find_map(|q| q.challenger.as_ref());
    let amount = crate::output::amount_header(
        "amount",
        items.iter().map(|q| Some(q.application.currency.as_str())),
    );
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
    let with_state = state != QueueState::Pending;
    if with_state {
        headers.push("state");
    }
    // At 80 columns: the application, the firm's name, the amount, the class, the chance of
    // bad, the challenger's class, the reason codes and the reasons (cut), and the state when
    // the queue is not the pending one; the rest with --wide.
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
        if with_state {
            row.push(state_words(q));
        }
        t.push(row);
    }
    print_table(&t, args.format)?;
    if args.format == OutputFormat::Table {
        let model = items
            .iter()
            .find_map(|q| q.model.as_ref().map(|m| m.id.clone()));
        let what = match &state {
            QueueState::Pending => format!("{pending} pending application(s)"),
            QueueState::Referred => format!("{pending} referred application(s)"),
            QueueState::ReferredTo(who) => format!("{pending} application(s) referred to {who}"),
            QueueState::Decided => format!("{pending} decided application(s)"),
            QueueState::All => format!("{pending} application(s)"),
        };
        let footer = format!(
            "{what}, riskiest first{}{}",
            match &model {
                Some(m) => format!("; scored by model {m}"),
                None =>
                    "; no active model: import one and promote it (precre models import models/default.json; precre models promote default --reason TEXT)".into(),
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
