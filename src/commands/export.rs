//! `precre export`: decisions, predictions or ratio tables to CSV, JSON or Parquet.

use super::{open_store, UsageError};
use crate::cli::{Cli, ExportArgs, ExportWhat};
use crate::decisions::export::{write, ExportError};
use crate::decisions::tables;

pub fn run(cli: &Cli, args: &ExportArgs) -> anyhow::Result<()> {
    let store = open_store(cli)?;
    let table = match args.what {
        ExportWhat::Decisions => tables::decisions(&store.decisions()?),
        ExportWhat::Predictions => tables::predictions(&store)?,
        ExportWhat::Ratios => tables::ratios(&store)?,
    };
    match write(&table, &args.out, args.force) {
        Ok(n) => {
            eprintln!("{n} rows written to {}", args.out.display());
            Ok(())
        }
        Err(e @ (ExportError::Exists(_) | ExportError::Format { .. })) => {
            Err(UsageError(e.to_string()).into())
        }
        Err(e) => Err(e.into()),
    }
}
