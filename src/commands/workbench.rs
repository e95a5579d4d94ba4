//! `precre` alone (or `precre workbench`): open the terminal workbench on the store.

use super::open_store;
use crate::cli::{Cli, WorkbenchArgs};

pub fn run(cli: &Cli, args: &WorkbenchArgs) -> anyhow::Result<()> {
    let store = open_store(cli)?;
    let options = crate::tui::Options {
        analyst: cli.analyst.clone(),
        theme: args.theme.clone(),
        config: args.config.clone(),
    };
    crate::tui::run(store, &options)
}
