//! `precre check`: the store's integrity, its foreign keys, and that every decision's model exists.

use super::open_store;
use crate::cli::Cli;

pub fn run(cli: &Cli) -> anyhow::Result<()> {
    let store = open_store(cli)?;
    let report = store.check()?;
    for line in &report.lines {
        println!("{line}");
    }
    if report.ok() {
        println!("the store is consistent");
        Ok(())
    } else {
        anyhow::bail!("{} problem(s) found", report.problems)
    }
}
