//! `precre classify`: score firms with a model and record the predictions (`ops::models`).

use super::{open_store, UsageError};
use crate::cli::{ClassifyArgs, Cli};
use crate::ops::models::Firms;
use crate::output::{print_json, print_table, OutputFormat, TextTable};

pub fn run(cli: &Cli, args: &ClassifyArgs) -> anyhow::Result<()> {
    let which = match (&args.firm, args.all, args.pending) {
        (Some(id), _, _) => Firms::One(id.clone()),
        (None, true, _) => Firms::All,
        (None, false, true) => Firms::Pending,
        _ => return Err(UsageError("give --firm ID, --all or --pending".into()).into()),
    };
    let mut store = open_store(cli)?;
    let out = crate::ops::models::classify(&mut store, args.model.as_deref(), &which)?;
    if args.format == OutputFormat::Json {
        return print_json(
            &serde_json::json!({ "model_id": out.model_id, "predictions": out.predictions }),
        );
    }
    let mut headers = vec!["firm".to_string(), "year".into(), "class".into()];
    headers.extend(out.classes.iter().map(|c| format!("p({c})")));
    let n = headers.len();
    let mut t = TextTable::new(headers).align_right(3..n);
    for p in &out.predictions {
        let mut row = vec![
            p.firm_id.clone(),
            p.fiscal_year.map(|y| y.to_string()).unwrap_or_default(),
            p.class.clone(),
        ];
        row.extend(p.probabilities.iter().map(|(_, v)| format!("{v:.3}")));
        t.push(row);
    }
    print_table(&t, args.format)?;
    if args.format == OutputFormat::Table {
        println!(
            "{} predictions of model {} recorded",
            out.predictions.len(),
            out.model_id
        );
    }
    Ok(())
}
