//! `precre export`: the decisions (the event log), the register (one row per application in its
//! current state), predictions or ratio tables to a file (`ops::export`).

use super::open_store;
use crate::cli::{Cli, ExportArgs, ExportWhat};
use crate::ops::export::ExportWhat as What;

pub fn run(cli: &Cli, args: &ExportArgs) -> anyhow::Result<()> {
    let store = open_store(cli)?;
    let what = match args.what {
        ExportWhat::Decisions => What::Decisions,
        ExportWhat::Register => What::Register,
        ExportWhat::Predictions => What::Predictions,
        ExportWhat::Ratios => What::Ratios,
    };
    let out = crate::ops::export::export(
        &store,
        what,
        &args.out,
        args.force,
        &crate::ops::Job::quiet(),
    )?;
    eprintln!("{} rows written to {}", out.rows, out.path.display());
    Ok(())
}
