//! PRECRE: an SME credit workbench (terminal workbench, command line, HTTP service) over one
//! SQLite store. Map of the library, from the domain up (docs/ARCHITECTURE.md has the rule):
//!
//! Domain (no store, no I/O, no front-end):
//! - `finance`: statement items, the ratio catalogue and its computation, peer statistics, the
//!   other inputs a model can take about a firm (factors, attributes);
//! - `analysis`: the dense matrix, median imputation, standardization, PCA (prcomp-style),
//!   labelling policies, variable screening (VIF, WoE / IV, correlations);
//! - `model`: the decision tree (criteria, growth, pruning, explanations) and the challengers
//!   (logistic regression, scorecard, LDA, SVM, forest, boosting), metrics, credit reports,
//!   tuning, the pipeline and the model registry record;
//! - `filter`: the analyst's filter expressions, parsed and checked (never SQL text);
//! - `clock`: wall-clock times as the store writes them (UTC, ISO 8601);
//! - `decisions`: what an analyst decides and the rules a decision must meet (the types the
//!   store records) and the exporters' file writers.
//!
//! Store and what sits on it:
//! - `store`: the SQLite store (location, pragmas, schema and migrations, one file per table
//!   family, the import transaction, backups, checks, the decision log's hash chain); the only
//!   module that speaks SQL;
//! - `ingest`: reading CSV / Parquet / JSON / NDJSON / ARFF / whitespace files, column mapping,
//!   validation, streamed chunks, import reports;
//! - `views`: what each screen shows (portfolio, firm, triage, PCA, model), the data a model
//!   reads, scoring a stored firm, the export tables, and the typed JSON views;
//! - `demo`: the seeded generator of the demo portfolio and its embedded files;
//! - `ops`: the use cases, each once (bootstrap and demo, train, compare, screen, promote and
//!   govern models, monitor, classify, score a posted firm, decide / undo / override, export,
//!   the credit memo, field kits and their conflicts, tokens), under every front-end alike.
//!
//! Front-ends:
//! - `cli`, `commands`: the clap definitions of every subcommand and flag, and what each does;
//! - `output`: table / CSV / JSON rendering for the command line;
//! - `tui`: the terminal workbench (the only module that knows ratatui and crossterm);
//! - `serve`: `precre serve`, the scoring service (axum on hyper / hyper-util, tower layers).
//!
//! Support: `timings` (crate-private): phase timings on stderr under `PRECRE_TIMINGS`.

pub mod analysis;
pub mod cli;
pub mod clock;
pub mod commands;
pub mod decisions;
pub mod demo;
pub mod filter;
pub mod finance;
pub mod ingest;
pub mod model;
pub mod ops;
pub mod output;
pub mod serve;
pub mod store;
pub(crate) mod timings;
pub mod tui;
pub mod views;
