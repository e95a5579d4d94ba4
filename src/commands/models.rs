//! `precre models`: list, show, export and import registered models; promote, approve and
//! revoke them under the promotion policy, and show the model log.

use super::open_store;
use crate::cli::{Cli, ModelsAction, ModelsArgs};
use crate::decisions::analyst_name;
use crate::model::governance::{LogAction, Role};
use crate::ops::{governance, Job};
use crate::output::{print_json, print_table, OutputFormat, TextTable};

pub fn run(cli: &Cli, args: &ModelsArgs) -> anyhow::Result<()> {
    let mut store = open_store(cli)?;
    match &args.action {
        None | Some(ModelsAction::List) => {
            let models = store.models()?;
            if args.format == OutputFormat::Json {
                return print_json(&models);
            }
            if models.is_empty() && args.format == OutputFormat::Table {
                println!("no models yet: precre train ... --save NAME, or precre models import models/default.json");
                return Ok(());
            }
            let mut t = TextTable::new(["", "id", "name", "created", "accuracy", "Q", "AUC"])
                .align_right([4, 5, 6]);
            for m in &models {
                let f = |k: &str| {
                    m.metrics
                        .get(k)
                        .and_then(|v| v.as_f64())
                        .map_or("-".to_string(), |v| format!("{v:.3}"))
                };
                t.push(vec![
                    if m.active {
                        "*"
                    } else if m.challenger {
                        "c"
                    } else {
                        ""
                    }
                    .into(),
                    m.id.clone(),
                    m.name.clone(),
                    m.created_at.clone(),
                    f("accuracy"),
                    f("test_error"),
                    f("auc"),
                ]);
            }
            print_table(&t, args.format)?;
            if args.format == OutputFormat::Table {
                println!("* the champion; c its challenger; the others are candidates");
            }
            Ok(())
        }
        Some(ModelsAction::Show { model }) => {
            let rec = store.model(model.as_deref())?;
            print_json(&rec)
        }
        Some(ModelsAction::Export { model, out }) => {
            let rec = store.model(model.as_deref())?;
            std::fs::write(out, serde_json::to_string_pretty(&rec)? + "\n")
                .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", out.display()))?;
            println!(
                "model {} '{}' written to {}",
                rec.id,
                rec.name,
                out.display()
            );
            Ok(())
        }
        Some(ModelsAction::Import { file }) => {
            let rec = crate::ops::models::import(&mut store, file)?;
            println!(
                "model {} '{}' imported as a candidate; precre models promote {} --reason TEXT \
                 puts it into use",
                rec.id, rec.name, rec.id
            );
            Ok(())
        }
        Some(ModelsAction::Challenger { model, reason }) => {
            let Some(model) = model else {
                match store.challenger_model()? {
                    Some(rec) => println!(
                        "model {} '{}' ({}) is the challenger",
                        rec.id,
                        rec.name,
                        rec.pipeline.kind().description()
                    ),
                    None => println!("no challenger set"),
                }
                return Ok(());
            };
            let Some(reason) = reason else {
                return Err(super::UsageError(
                    "give a reason to set the challenger (--reason TEXT): the model log records it"
                        .into(),
                )
                .into());
            };
            promote(cli, &mut store, model, Role::Challenger, reason)
        }
        Some(ModelsAction::Promote { model, reason }) => {
            promote(cli, &mut store, model, Role::Champion, reason)
        }
        Some(ModelsAction::Approve { model }) => {
            let policy = crate::tui::promotion_policy(cli.workbench.config.as_deref())?;
            let analyst = analyst_name(cli.analyst.as_deref());
            let out = governance::approve(&mut store, model, &analyst, &policy, &Job::quiet())?;
            say(&out);
            Ok(())
        }
        Some(ModelsAction::Revoke { challenger, reason }) => {
            let role = if *challenger {
                Role::Challenger
            } else {
                Role::Champion
            };
            let analyst = analyst_name(cli.analyst.as_deref());
            let out = governance::revoke(&mut store, role, reason, &analyst, &Job::quiet())?;
            say(&out);
            Ok(())
        }
        Some(ModelsAction::History { format }) => {
            let log = governance::history(&store)?;
            if *format == OutputFormat::Json {
                return print_json(&log);
            }
            if log.is_empty() && *format == OutputFormat::Table {
                println!("the model log is empty: no model has been put into use");
                return Ok(());
            }
            let mut t = TextTable::new([
                "#", "when", "who", "action", "role", "from", "to", "AUC", "KS", "Brier", "reason",
            ])
            .align_right([0, 7, 8, 9]);
            let model = |id: &Option<String>, name: &Option<String>| match (id, name) {
                (Some(id), Some(n)) => format!("{id} '{n}'"),
                (Some(id), None) => id.clone(),
                _ => "none".into(),
            };
            let f = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{v:.3}"));
            for e in &log {
                let action = match e.proposal {
                    Some(p) => format!("{} (approves #{p})", e.action),
                    None => e.action.to_string(),
                };
                t.push(vec![
                    e.id.to_string(),
                    e.at.clone(),
                    e.analyst.clone(),
                    action,
                    e.role.to_string(),
                    model(&e.from_model, &e.from_name),
                    model(&e.to_model, &e.to_name),
                    f(e.figures.auc),
                    f(e.figures.ks),
                    f(e.figures.brier),
                    e.reason.clone(),
                ]);
            }
            print_table(&t, *format)
        }
    }
}

/// Promotes (or proposes) a model into a role under the configuration's policy, and says what
/// changed.
fn promote(
    cli: &Cli,
    store: &mut crate::store::Store,
    model: &str,
    role: Role,
    reason: &str,
) -> anyhow::Result<()> {
    let policy = crate::tui::promotion_policy(cli.workbench.config.as_deref())?;
    let analyst = analyst_name(cli.analyst.as_deref());
    let req = governance::PromoteRequest {
        model: model.to_string(),
        role,
        reason: reason.to_string(),
        analyst,
        policy,
    };
    // What changes, computed before the change (nothing written), said once it is made.
    let preview = governance::preview(store, model, role, &policy)?;
    let out = governance::promote(store, &req, &Job::quiet())?;
    say(&out);
    if !preview.after.is_empty() {
        println!(
            "the queue's {} pending applications by class: {} with the {} before, {} with model {}",
            preview.pending,
            mix(&preview.before),
            role,
            mix(&preview.after),
            preview.candidate.id
        );
    }
    if out.proposed {
        println!(
            "a second analyst approves it: precre --analyst NAME models approve {}",
            out.entry.to_model.as_deref().unwrap_or_default()
        );
    }
    Ok(())
}

fn mix(m: &[(String, usize)]) -> String {
    if m.is_empty() {
        return "none".into();
    }
    m.iter()
        .map(|(c, n)| format!("{c} {n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// One line for a change of the model log.
fn say(out: &governance::Promoted) {
    let e = &out.entry;
    let to = match (&e.to_model, &e.to_name) {
        (Some(id), Some(n)) => format!("model {id} '{n}'"),
        (Some(id), None) => format!("model {id}"),
        _ => "no model".into(),
    };
    let what = match e.action {
        LogAction::Propose => format!("{to} proposed as the {} (nothing changes yet)", e.role),
        LogAction::Promote => format!("{to} is now the {}", e.role),
        LogAction::Revoke => format!(
            "{} revoked: {to} is the {} again",
            e.from_model.as_deref().unwrap_or("none"),
            e.role
        ),
    };
    let scored = if e.role == Role::Champion && e.action != LogAction::Propose {
        format!("; {} firms scored", out.scored)
    } else {
        String::new()
    };
    println!(
        "{what}{scored}; model log #{} by {}: {}",
        e.id,
        e.analyst,
        e.figures.describe()
    );
}
