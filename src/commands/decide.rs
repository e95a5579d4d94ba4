//! `precre decide`: record a decision on a pending application from a script, as triage does.

use super::{open_store, UsageError};
use crate::cli::{Cli, DecideArgs};
use crate::decisions::{analyst_name, DecisionError, DecisionInput, Verdict};
use crate::output::{print_json, OutputFormat};
use crate::views::scoring::score_firm;

pub fn run(cli: &Cli, args: &DecideArgs) -> anyhow::Result<()> {
    let mut store = open_store(cli)?;
    let analyst = analyst_name(cli.analyst.as_deref());
    let result = if args.undo {
        store.undo_decision(&args.application, &analyst)
    } else {
        let verdict = if args.approve {
            Verdict::Approve
        } else if args.decline {
            Verdict::Decline
        } else {
            Verdict::Refer
        };
        let app = store
            .application(&args.application)
            .map_err(|e| UsageError(e.to_string()))?;
        let model = match store.model(None) {
            Ok(m) => score_firm(&store, &m, &app.firm_id)?.map(|s| s.model_ref(&m)),
            Err(_) => None,
        };
        store.record_decision(DecisionInput {
            application_id: args.application.clone(),
            verdict,
            analyst,
            note: args.note.clone(),
            reasons: args.reasons.clone(),
            override_reason: args.override_reason.clone(),
            model,
            replace: args.replace,
        })
    };
    let rec = match result {
        Ok(rec) => rec,
        Err(DecisionError::Store(e)) => anyhow::bail!("{e}"),
        Err(e) => return Err(UsageError(e.to_string()).into()),
    };
    if args.format == OutputFormat::Json {
        return print_json(&rec);
    }
    println!(
        "{} {}: {} by {} at {}{}",
        rec.application_id,
        rec.firm_id,
        rec.decision,
        rec.analyst,
        rec.decided_at,
        rec.model_id
            .as_ref()
            .map(|m| format!(
                " (model {m}, class {})",
                rec.predicted_class.as_deref().unwrap_or("-")
            ))
            .unwrap_or_default()
    );
    Ok(())
}
