//! `precre models`: list, show, export, import and activate registered models.

use super::open_store;
use crate::cli::{Cli, ModelsAction, ModelsArgs};
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
                println!("* the active model (champion); c its challenger");
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
        Some(ModelsAction::Import { file, activate }) => {
            let out = crate::ops::models::import(&mut store, file, *activate)?;
            println!(
                "model {} '{}' imported{}",
                out.id,
                out.name,
                if *activate {
                    format!(" and made active; {} firms scored", out.scored)
                } else {
                    String::new()
                }
            );
            Ok(())
        }
        Some(ModelsAction::Challenger { model, clear }) => {
            let set = if *clear || model.is_some() {
                crate::ops::models::set_challenger(&mut store, model.as_deref())?
            } else {
                store.challenger_model()?
            };
            match set {
                Some(rec) => println!(
                    "model {} '{}' ({}) is the challenger: triage and the Firm screen show its \
                     class beside the active model's, and decisions record it",
                    rec.id,
                    rec.name,
                    rec.pipeline.kind().description()
                ),
                None => println!("no challenger set"),
            }
            Ok(())
        }
        Some(ModelsAction::Activate { model }) => {
            let out = crate::ops::models::activate(&mut store, model, &crate::ops::Job::quiet())?;
            println!(
                "model {} '{}' is now active; {} firms scored",
                out.id, out.name, out.scored
            );
            Ok(())
        }
    }
}
