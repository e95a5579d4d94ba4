//! `precre info`: where the store is and what it holds.

use super::open_store;
use crate::cli::{Cli, InfoArgs};
use crate::output::{print_json, print_table, thousands, OutputFormat, TextTable};
use crate::store::schema::SCHEMA_VERSION;

pub fn run(cli: &Cli, args: &InfoArgs) -> anyhow::Result<()> {
    let store = open_store(cli)?;
    let path = store
        .path()
        .map(|p| p.display().to_string())
        .unwrap_or_default();
    let counts = store.table_counts()?;
    if args.format == OutputFormat::Json {
        let tables: serde_json::Map<String, serde_json::Value> = counts
            .iter()
            .map(|(t, n)| (t.clone(), serde_json::Value::from(*n)))
            .collect();
        return print_json(
            &serde_json::json!({ "store": path, "schema_version": SCHEMA_VERSION, "tables": tables }),
        );
    }
    if args.format == OutputFormat::Table {
        println!("store: {path} (schema version {SCHEMA_VERSION})\n");
    }
    let mut t = TextTable::new(["table", "rows"]).align_right([1]);
    for (name, n) in counts {
        t.push(vec![name, thousands(n as usize)]);
    }
    print_table(&t, args.format)
}
