//! `precre` alone (or `precre workbench`): open the terminal workbench on the store.

use super::open_store;
use crate::cli::Cli;

pub fn run(cli: &Cli) -> anyhow::Result<()> {
    let store = open_store(cli)?;
    crate::tui::run(store, cli)
}
