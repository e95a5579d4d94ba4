//! Numeric analysis: a dense matrix, median imputation, standardization, PCA (prcomp-style) and
//! variable screening (VIF, weight of evidence and information value, correlations), population
//! stability and back-tests of a model in use, and quantiles of values kept as counts.

pub mod backtest;
pub mod binning;
pub mod counted_values;
pub mod dataset;
pub mod error;
pub mod labels;
pub mod matrix;
pub mod pca;
pub mod periods;
pub mod rng;
pub mod screen;
pub mod stability;
pub mod standardize;

pub use dataset::Dataset;
pub use error::AnalysisError;
pub use matrix::Matrix;
pub use pca::{KRule, Pca};
pub use standardize::{impute_median, Standardizer};
