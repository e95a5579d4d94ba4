//! `precre models`: list, show, export, import and activate registered models.

use super::{open_store, UsageError};
use crate::cli::{Cli, ModelsAction, ModelsArgs};
use crate::model::registry::ModelRecord;
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
                    if m.active { "*" } else { "" }.into(),
                    m.id.clone(),
                    m.name.clone(),
                    m.created_at.clone(),
                    f("accuracy"),
                    f("test_error"),
                    f("auc"),
                ]);
            }
            print_table(&t, args.format)
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
            let text = std::fs::read_to_string(file)
                .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", file.display()))?;
            let rec = ModelRecord::from_json(&text)
                .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
            store.save_model(&rec, *activate)?;
            println!(
                "model {} '{}' imported{}",
                rec.id,
                rec.name,
                if *activate { " and made active" } else { "" }
            );
            Ok(())
        }
        Some(ModelsAction::Activate { model }) => {
            store
                .activate_model(model)
                .map_err(|e| UsageError(e.to_string()))?;
            println!("model {model} is now active");
            Ok(())
        }
    }
}
