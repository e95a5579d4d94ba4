//! `precre sets`: the feature sets in the store.

use super::open_store;
use crate::cli::{Cli, SetsArgs};
use crate::output::{print_json, print_table, thousands, OutputFormat, TextTable};

pub fn run(cli: &Cli, args: &SetsArgs) -> anyhow::Result<()> {
    let store = open_store(cli)?;
    match &args.name {
        None => {
            let sets = store.feature_sets()?;
            if args.format == OutputFormat::Json {
                return print_json(&sets);
            }
            let mut t = TextTable::new([
                "name",
                "rows",
                "columns",
                "categorical",
                "missing",
                "labels",
                "source",
            ])
            .align_right([1, 2, 3, 4]);
            for s in &sets {
                let labels: Vec<String> =
                    s.labels.iter().map(|(l, n)| format!("{l}={n}")).collect();
                t.push(vec![
                    s.name.clone(),
                    thousands(s.n_rows),
                    s.columns.len().to_string(),
                    s.columns
                        .iter()
                        .filter(|c| c.kind == "categorical")
                        .count()
                        .to_string(),
                    thousands(s.columns.iter().map(|c| c.n_missing).sum()),
                    labels.join(" "),
                    s.source.clone(),
                ]);
            }
            if sets.is_empty() && args.format == OutputFormat::Table {
                println!("no feature sets yet: precre import FILE --kind features --label COLUMN");
                return Ok(());
            }
            print_table(&t, args.format)
        }
        Some(name) => {
            let set = store.feature_set(name)?;
            if args.format == OutputFormat::Json {
                return print_json(&set);
            }
            if args.format == OutputFormat::Table {
                let labels: Vec<String> = set
                    .labels
                    .iter()
                    .map(|(l, n)| format!("{l}: {}", thousands(*n)))
                    .collect();
                println!(
                    "{}: {} rows from {}; id column {}, label column {} ({})\n",
                    set.name,
                    thousands(set.n_rows),
                    set.source,
                    set.id_column.as_deref().unwrap_or("(row number)"),
                    set.label_column,
                    labels.join(", ")
                );
            }
            let mut t =
                TextTable::new(["column", "kind", "missing", "categories"]).align_right([2]);
            for c in &set.columns {
                t.push(vec![
                    c.name.clone(),
                    c.kind.clone(),
                    thousands(c.n_missing),
                    c.categories.join(" "),
                ]);
            }
            print_table(&t, args.format)
        }
    }
}
