//! `precre undo`: undo the analyst's own last decision, from any session, within the undo
//! window (`ops::decide::undo_last`, as `u` in Triage runs it).

use super::open_store;
use crate::cli::{Cli, UndoArgs};
use crate::decisions::{analyst_name, DEFAULT_UNDO_MINUTES};
use crate::output::{print_json, OutputFormat};

pub fn run(cli: &Cli, args: &UndoArgs) -> anyhow::Result<()> {
    let mut store = open_store(cli)?;
    let analyst = analyst_name(cli.analyst.as_deref());
    let minutes = cli.undo_minutes.unwrap_or(DEFAULT_UNDO_MINUTES);
    let undone = crate::ops::decide::undo_last(&mut store, &analyst, minutes)?;
    if args.format == OutputFormat::Json {
        return print_json(&undone);
    }
    let rec = &undone.undo;
    println!(
        "{} {}: {} ({}) at {}; {}",
        rec.application_id,
        rec.firm_id,
        rec.note.as_deref().unwrap_or("undo"),
        rec.analyst,
        rec.decided_at,
        undone.outcome()
    );
    Ok(())
}
