//! What each workbench screen shows, assembled from the store and the models: plain data, no
//! ratatui and no SQL. The workbench's worker thread calls these; so do the commands that print
//! the same facts.

pub mod data;
pub mod exports;
pub mod firm;
pub mod json;
pub mod model;
pub mod pca;
pub mod portfolio;
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
    #[error("{0}")]
    Message(String),
}

pub type Result<T> = std::result::Result<T, ViewError>;
