//! PRECRE: an SME credit workbench. Map of the library:
//! - `analysis`: matrices, imputation, standardization, PCA;
//! - `store`: the SQLite store (schema, migrations, one file per table family);
//! - `ingest`: reading CSV / Parquet / JSON / ARFF files, column mapping, validation, reports;
//! - `finance`: statement items, the ratio catalogue and its computation, peer statistics;
//! - `demo`: the seeded generator of the demo portfolio and its embedded files;
//! - `cli`, `commands`: the command line and what each subcommand does;
//! - `model`: the decision tree (criteria, parameters, growth);
//! - `output`: table / CSV / JSON rendering for the command line;
//! - `timings`: phase timings on stderr under `PRECRE_TIMINGS`;
//! - `filter`: the analyst's filter expressions, parsed and checked (never SQL text);
//! - `decisions`: what an analyst decides and the rules a decision must meet (the types the
//!   store records: domain, below the store), and the exporters' file writers;
//! - `ops`: the use cases, each once (bootstrap, train, activate, classify, decide, export),
//!   under the command line and the workbench alike;
//! - `views`: what each workbench screen shows, assembled from the store and the models;
//! - `tui`: the terminal workbench (the only module that knows ratatui).

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
