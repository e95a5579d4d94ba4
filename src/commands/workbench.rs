//! `precre` alone (or `precre workbench`): open the terminal workbench on the store. A store
//! that does not exist is not created here: with `--demo` it is made and filled with the demo;
//! without, the workbench asks first (an empty store, the demo, or quit).

use super::open_store;
use crate::cli::{Cli, WorkbenchArgs};
use crate::store::location;
use crate::tui::app::StoreStart;

pub fn run(cli: &Cli, args: &WorkbenchArgs) -> anyhow::Result<()> {
    let path = location::resolve(cli.db.clone());
    let start = if path.exists() {
        // Opened (and migrated) here first: a damaged or foreign file is said before any screen.
        drop(open_store(cli)?);
        if args.demo {
            StoreStart::Demo
        } else {
            StoreStart::Open
        }
    } else if args.demo {
        StoreStart::Demo
    } else {
        StoreStart::Ask
    };
    let options = crate::tui::Options {
        analyst: cli.analyst.clone(),
        theme: args.theme.clone(),
        config: args.config.clone(),
        start,
        access: super::access(cli),
        undo_minutes: cli.undo_minutes,
    };
    crate::tui::run(path, &options)
}
