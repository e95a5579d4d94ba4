//! What each subcommand does: open the store, call the library, print the result.

mod check;
mod classify;
mod decide;
mod demo;
mod evaluate;
mod explain;
mod export;
mod firms;
mod import;
mod info;
mod models;
mod pca;
mod ratios;
mod sets;
mod train;
mod tree;
mod tune;
mod workbench;

use crate::cli::{Cli, Command};
use crate::store::{location, Store};
use clap::CommandFactory;
use std::io::IsTerminal;

/// A failure that is the user's usage, not the program's (exit code 2).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// Opens the store named by `--db` / `PRECRE_DB` / the platform default.
pub fn open_store(cli: &Cli) -> anyhow::Result<Store> {
    let path = location::resolve(cli.db.clone());
    let access = if cli.team {
        location::Access::Team
    } else {
        location::Access::Private
    };
    Ok(Store::open_with(&path, access)?)
}

/// Whether to draw progress bars: only when a person watches stdout.
pub fn interactive() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("CI").is_none()
}

/// Runs the parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    match &cli.command {
        None | Some(Command::Workbench) => workbench::run(&cli),
        Some(Command::Completions { shell }) => {
            let mut cmd = Cli::command();
            clap_complete::generate(*shell, &mut cmd, "precre", &mut std::io::stdout());
            Ok(())
        }
        Some(Command::Import(args)) => import::run(&cli, args),
        Some(Command::Firms(args)) => firms::run(&cli, args),
        Some(Command::Ratios(args)) => ratios::run(&cli, args),
        Some(Command::Sets(args)) => sets::run(&cli, args),
        Some(Command::Demo(args)) => demo::run(&cli, args),
        Some(Command::Pca(args)) => pca::run(&cli, args),
        Some(Command::Train(args)) => train::run(&cli, args),
        Some(Command::Models(args)) => models::run(&cli, args),
        Some(Command::Explain(args)) => explain::run(&cli, args),
        Some(Command::Tune(args)) => tune::run(&cli, args),
        Some(Command::Classify(args)) => classify::run(&cli, args),
        Some(Command::Evaluate(args)) => evaluate::run(&cli, args),
        Some(Command::Tree(args)) => tree::run(&cli, args),
        Some(Command::Info(args)) => info::run(&cli, args),
        Some(Command::Decide(args)) => decide::run(&cli, args),
        Some(Command::Export(args)) => export::run(&cli, args),
        Some(Command::Check) => check::run(&cli),
    }
}
