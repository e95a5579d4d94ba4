//! What each workbench screen shows, assembled from the store and the models: plain data, no
//! ratatui and no SQL. The workbench's worker thread calls these; so do the commands that print
//! the same facts.

pub mod data;
pub mod exports;
pub mod firm;
pub mod json;
pub mod memo;
pub mod model;
pub mod pca;
pub mod portfolio;
pub mod reasons;
pub mod scoring;
pub mod triage;

use crate::store::StoreError;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum ViewError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Analysis(#[from] crate::analysis::AnalysisError),
    /// A firm with no statement (of the year asked for) cannot be scored or shown by year.
    #[error("firm {firm} has no statements{}", year.map(|y| format!(" for {y}")).unwrap_or_default())]
    NoStatement { firm: String, year: Option<i32> },
    /// A model that reads a feature set's columns explains its rows, not firms.
    #[error(
        "the model uses '{feature}', which is not a firm input: it explains rows of its \
         feature set, not firms"
    )]
    NotFirmInputs { feature: String },
    /// Too few rows for the analysis asked for.
    #[error("{0}")]
    TooFewRows(&'static str),
}

pub type Result<T> = std::result::Result<T, ViewError>;
