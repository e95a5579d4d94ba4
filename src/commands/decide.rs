//! `precre decide`: record a decision on a pending application from a script, through the
//! same use case (`ops::decide`) that triage runs.

use super::open_store;
use crate::cli::{Cli, DecideArgs};
use crate::decisions::{analyst_name, Verdict};
use crate::ops::decide::DecideRequest;
use crate::output::{print_json, OutputFormat};

pub fn run(cli: &Cli, args: &DecideArgs) -> anyhow::Result<()> {
    let mut store = open_store(cli)?;
    let analyst = analyst_name(cli.analyst.as_deref());
    let rec = if args.undo {
        let undone = crate::ops::decide::undo(&mut store, &args.application, &analyst)?;
        if args.format == OutputFormat::Json {
            return print_json(&undone);
        }
        println!(
            "{} {}: {} ({}) at {}; {}",
            undone.undo.application_id,
            undone.undo.firm_id,
            undone.undo.note.as_deref().unwrap_or("undo"),
            undone.undo.analyst,
            undone.undo.decided_at,
            undone.outcome()
        );
        return Ok(());
    } else {
        let verdict = if args.approve {
            Verdict::Approve
        } else if args.decline {
            Verdict::Decline
        } else {
            Verdict::Refer
        };
        crate::ops::decide::decide(
            &mut store,
            DecideRequest {
                application_id: args.application.clone(),
                verdict,
                analyst,
                note: args.note.clone(),
                reasons: args.reasons.clone(),
                override_reason: args.override_reason.clone(),
                replace: args.replace,
                referred_to: args.refer_to.clone(),
            },
        )?
    };
    if args.format == OutputFormat::Json {
        return print_json(&rec);
    }
    println!(
        "{} {}: {}{} by {} at {}{}",
        rec.application_id,
        rec.firm_id,
        rec.decision,
        rec.referred_to
            .as_ref()
            .map(|to| format!(" to {to}"))
            .unwrap_or_default(),
        rec.analyst,
        rec.decided_at,
        rec.model_id
            .as_ref()
            .map(|m| format!(
                " (model {m}, class {}{})",
                rec.predicted_class.as_deref().unwrap_or("-"),
                rec.challenger_id
                    .as_ref()
                    .map(|c| format!(
                        "; challenger {c}, class {}",
                        rec.challenger_class.as_deref().unwrap_or("-")
                    ))
                    .unwrap_or_default()
            ))
            .unwrap_or_default()
    );
    Ok(())
}
