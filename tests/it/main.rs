//! PRECRE's integration tests, in one test binary so that the suite links polars, linfa, axum
//! and ratatui once instead of once per file. Each file of this folder is one area's tests; the
//! helpers they share are in `common`. The data they read stays beside this folder
//! (`tests/fixtures`, `tests/hostile`, `tests/invalid_config`); the workbench's screen snapshots
//! are in `snapshots/` (insta names them `it__tui__<name>.snap`).
//!
//! The tests share one process: none may change the process's environment, current directory
//! or signal dispositions. What a child process needs goes to it through `Command::env` and
//! `Command::current_dir`.

mod common;

mod backup;
mod bad_numbers;
mod bounded_readers;
mod chain;
mod challengers;
mod champion_challenger;
mod cli;
mod compare;
mod concurrency;
mod crash;
mod criteria;
mod damaged_store;
mod dashboard_summaries;
mod datasets;
mod demo;
mod desk;
mod e2e;
mod event_loop;
mod explain;
mod feature_rows;
mod full_disk;
mod fuzz_import;
mod governance;
mod hostile_files;
mod import_properties;
mod import_rules;
mod imports_in_chunks;
mod inputs;
mod invalid_config;
mod kits;
mod labels;
mod layers;
mod linfa_crosscheck;
mod metrics;
mod monitor;
mod pack;
mod parity;
mod pca;
mod prune;
mod ratio_formulas;
mod registry;
mod reports;
mod screen;
mod screen_commands;
mod serve;
mod sheets;
mod store;
mod streaming_import;
mod train;
mod tree;
mod tui;
