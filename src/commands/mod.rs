//! What each subcommand does: open the store, call the library, print the result.

mod backup;
mod check;
mod classify;
mod compare;
mod decide;
mod demo;
mod evaluate;
mod explain;
mod export;
mod firm;
mod firms;
mod import;
mod info;
mod init;
mod kit;
mod memo;
mod models;
mod monitor;
mod pca;
mod points;
mod portfolio;
mod queue;
mod ratios;
mod report;
mod screen;
mod serve;
mod sets;
mod token;
mod train;
mod tree;
mod tune;
mod undo;
mod workbench;

use crate::cli::{Cli, Command};
use crate::store::{location, Store};
use clap::CommandFactory;
use std::io::IsTerminal;

/// A failure that is the user's usage, not the program's (exit code 2).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// Opens the store named by `--db` / `PRECRE_DB` / the platform default. A store that does not
/// exist is refused, naming the path and how to create one: a mistyped path never becomes a
/// new store (only `init`, `demo`, `import` and the workbench, when asked, create one).
pub fn open_store(cli: &Cli) -> anyhow::Result<Store> {
    let mut store = open_store_as_found(cli)?;
    // An import killed while publishing is rolled forward before anything reads the store,
    // as SQLite rolls back a hot journal: no command works on half an import.
    for r in crate::ingest::publish::finish_if_interrupted(&mut store)? {
        eprintln!("{}", crate::output::resumed_import(&r).0);
    }
    Ok(store)
}

/// Opens an existing store as it is, an interrupted import left as found (for `check`, which
/// reports finishing it among its findings).
pub fn open_store_as_found(cli: &Cli) -> anyhow::Result<Store> {
    let path = location::resolve(cli.db.clone());
    if !path.exists() {
        return Err(UsageError(no_store_here(&path)).into());
    }
    Ok(Store::open_with(&path, access(cli))?)
}

/// Opens the store, creating it (with `--team`'s permissions) if it does not exist: for the
/// commands whose purpose is to fill one (`init`, `demo`, `import`).
pub fn create_store(cli: &Cli) -> anyhow::Result<Store> {
    let path = location::resolve(cli.db.clone());
    Ok(Store::open_with(&path, access(cli))?)
}

/// Who may read a store this command creates.
pub fn access(cli: &Cli) -> location::Access {
    if cli.team {
        location::Access::Team
    } else {
        location::Access::Private
    }
}

/// Why a command cannot run on a path where no store is, and how to make one there.
pub fn no_store_here(path: &std::path::Path) -> String {
    format!(
        "there is no store at {} (check --db or PRECRE_DB); to create one there, with the \
         same --db: `precre init` (empty), `precre import FILE` (your data), `precre demo` or \
         `precre --demo` (the demo portfolio)",
        path.display()
    )
}

/// Whether to draw progress bars: only when a person watches stdout.
pub fn interactive() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("CI").is_none()
}

/// Runs the parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    crate::output::set_table_width((!cli.wide).then(crate::output::terminal_width));
    crate::ops::reason_codes::install()?;
    match &cli.command {
        None => workbench::run(&cli, &cli.workbench),
        Some(Command::Workbench(args)) => {
            // `precre --theme light workbench` and `precre workbench --theme light` both work.
            let merged = crate::cli::WorkbenchArgs {
                theme: args.theme.clone().or(cli.workbench.theme.clone()),
                config: args.config.clone().or(cli.workbench.config.clone()),
                demo: args.demo || cli.workbench.demo,
            };
            workbench::run(&cli, &merged)
        }
        Some(Command::Portfolio(args)) => portfolio::run(&cli, args),
        Some(Command::Queue(args)) => queue::run(&cli, args),
        Some(Command::Firm(args)) => firm::run(&cli, args),
        Some(Command::Memo(args)) => memo::run(&cli, args),
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
        Some(Command::Screen(args)) => screen::run(&cli, args),
        Some(Command::Train(args)) => train::run(&cli, args),
        Some(Command::Compare(args)) => compare::run(&cli, args),
        Some(Command::Report(args)) => report::run(&cli, args),
        Some(Command::Monitor(args)) => monitor::run(&cli, args),
        Some(Command::Models(args)) => models::run(&cli, args),
        Some(Command::Explain(args)) => explain::run(&cli, args),
        Some(Command::Tune(args)) => tune::run(&cli, args),
        Some(Command::Classify(args)) => classify::run(&cli, args),
        Some(Command::Evaluate(args)) => evaluate::run(&cli, args),
        Some(Command::Tree(args)) => tree::run(&cli, args),
        Some(Command::Info(args)) => info::run(&cli, args),
        Some(Command::Decide(args)) => decide::run(&cli, args),
        Some(Command::Undo(args)) => undo::run(&cli, args),
        Some(Command::Init(_)) => init::run(&cli),
        Some(Command::Export(args)) => export::run(&cli, args),
        Some(Command::Check(args)) => check::run(&cli, args),
        Some(Command::Backup(args)) => backup::backup(&cli, args),
        Some(Command::Restore(args)) => backup::restore(&cli, args),
        Some(Command::Serve(args)) => serve::run(&cli, args),
        Some(Command::Token(args)) => token::run(&cli, args),
        Some(Command::Kit(args)) => kit::run(&cli, args),
        Some(Command::Conflicts(args)) => kit::conflicts(&cli, args),
    }
}

/// A failure as the command line says it: one sentence (each cause once, the store file named
/// where the store is damaged, the flag that fixes a conflict) and the exit code (2 for what the
/// user can fix in the command, 1 otherwise).
pub fn describe_failure(e: &anyhow::Error, db: Option<std::path::PathBuf>) -> (String, u8) {
    use crate::ops::{ErrorKind, OpsError};
    use crate::store::StoreError;
    if e.downcast_ref::<UsageError>().is_some()
        || e.downcast_ref::<crate::tui::StartError>().is_some()
    {
        return (said_once(e), 2);
    }
    let ops = e.downcast_ref::<OpsError>();
    let store = ops
        .and_then(OpsError::store_error)
        .or_else(|| e.downcast_ref::<StoreError>())
        .or_else(|| match e.downcast_ref::<crate::ingest::ImportError>() {
            Some(crate::ingest::ImportError::Store(s)) => Some(s),
            _ => None,
        })
        .or_else(|| match e.downcast_ref::<crate::views::ViewError>() {
            Some(crate::views::ViewError::Store(s)) => Some(s),
            _ => None,
        });
    if let Some(named) = store.and_then(|s| s.damaged_at(&location::resolve(db))) {
        return (format!("{named}{}", store_hint(&named)), 1);
    }
    // What the command line adds to a store's error: the command that shows or lists more.
    let analysis = ops
        .and_then(|o| match o {
            OpsError::Analysis(a) | OpsError::View(crate::views::ViewError::Analysis(a)) => Some(a),
            _ => None,
        })
        .or_else(|| match e.downcast_ref::<crate::views::ViewError>() {
            Some(crate::views::ViewError::Analysis(a)) => Some(a),
            _ => None,
        })
        .or_else(|| e.downcast_ref::<crate::analysis::AnalysisError>());
    let hint = match (store, analysis) {
        (Some(s), _) => store_hint(s),
        (None, Some(a)) => crate::cli::analysis_hint(a),
        _ => "",
    };
    let Some(ops) = ops else {
        // An error met outside a use case (a read command, an import): a failure, exit 1.
        let hint = match e.downcast_ref::<crate::ingest::ImportError>() {
            Some(i) => import_hint(i),
            None => hint.to_string(),
        };
        return (format!("{}{hint}", said_once(e)), 1);
    };
    let code = match ops.kind() {
        ErrorKind::Usage | ErrorKind::NotFound | ErrorKind::Conflict => 2,
        _ => 1,
    };
    (format!("{}{hint}{}", said_once(e), cli_hint(ops)), code)
}

/// The command that helps with a store's error: `precre check` for a damaged store, the
/// listing command for a name that is not there.
fn store_hint(e: &crate::store::StoreError) -> &'static str {
    use crate::store::StoreError;
    match e {
        StoreError::Damaged { .. } | StoreError::DamagedRow { .. } => {
            ": run `precre check` on it to see what can be read, or restore a backup"
        }
        StoreError::Sql(_) if e.is_damaged() => {
            ": run `precre check` on the store to see what can be read, or restore a backup"
        }
        StoreError::NoSuchModel(_) => " (`precre models` lists them)",
        StoreError::NoSuchFeatureSet(_) => "; `precre sets` lists them",
        _ => "",
    }
}

/// What the command line adds to an import's error: the flags that resolve it.
fn import_hint(e: &crate::ingest::ImportError) -> String {
    use crate::ingest::ImportError;
    match e {
        ImportError::Store(crate::store::StoreError::Conflict(_)) => {
            " (--replace, or --name NEW)".into()
        }
        ImportError::MissingColumns { .. } => " (--map COLUMN=FIELD, or --mapping FILE)".into(),
        ImportError::UnknownFormat(_) => " (--input-format FORMAT)".into(),
        ImportError::Refused { report } => {
            let placeholders = report
                .issues
                .iter()
                .any(|i| i.cause == Some(crate::ingest::report::IssueCause::UnknownFirm));
            format!(
                " (--skip-bad imports the good rows{}{})",
                if placeholders {
                    "; --create-firms makes placeholder firms for unknown ids"
                } else {
                    ""
                },
                "; --rejects FILE lists every refused row"
            )
        }
        _ => String::new(),
    }
}

/// What the command line adds to an error: the flag that resolves it.
fn cli_hint(e: &crate::ops::OpsError) -> String {
    use crate::decisions::export::ExportError;
    use crate::decisions::DecisionError;
    use crate::ops::OpsError;
    // A store conflict outside an import (a token name in use) has no flag that resolves it.
    let hint = match e {
        OpsError::Import(i) => return import_hint(i),
        OpsError::Decision(DecisionError::AlreadyDecided { .. }) => {
            " (precre decide APP --replace --override-reason TEXT)"
        }
        OpsError::Decision(DecisionError::NoAnalyst) => " (--analyst NAME)",
        OpsError::Decision(DecisionError::OverrideWithoutReason(_))
        | OpsError::Decision(DecisionError::ReplaceWithoutReason) => " (--override-reason TEXT)",
        OpsError::Decision(DecisionError::DeclineWithoutReason) => " (--reason TEXT)",
        OpsError::Decision(DecisionError::Leased { .. }) => {
            " (precre kit revoke KIT --reason TEXT takes the lease back)"
        }
        OpsError::Decision(DecisionError::InConflict { .. }) => {
            " (precre conflicts; precre conflicts resolve ID --keep server|kit --reason TEXT)"
        }
        OpsError::Decision(DecisionError::UndoWindowPassed { .. }) => {
            " (precre decide APP --replace --override-reason TEXT; --undo-minutes sets the window)"
        }
        OpsError::Export(ExportError::Exists(_)) => "; add --force to replace it",
        OpsError::Refused(r) => match r.rule {
            crate::model::governance::Rule::FourEyesTrainer => {
                " (precre --analyst NAME models promote MODEL --reason TEXT, as another analyst)"
            }
            crate::model::governance::Rule::FourEyesApproval => {
                " (precre --analyst NAME models approve MODEL, as another analyst)"
            }
            _ => " (the [promotion] section of the configuration file, --config)",
        },
        _ => "",
    };
    hint.to_string()
}

/// The error and its causes, each said once: a cause whose text the message already holds is
/// not repeated.
pub fn said_once(e: &anyhow::Error) -> String {
    let mut text = String::new();
    for cause in e.chain() {
        let c = cause.to_string();
        if c.is_empty() || text.contains(&c) {
            continue;
        }
        if !text.is_empty() {
            text.push_str(": ");
        }
        text.push_str(&c);
    }
    text
}
