//! Numeric analysis: a dense matrix, median imputation, standardization and PCA (prcomp-style).

pub mod dataset;
pub mod matrix;
pub mod pca;
pub mod rng;
pub mod standardize;

pub use dataset::Dataset;
pub use matrix::Matrix;
pub use pca::{KRule, Pca};
pub use standardize::{impute_median, Standardizer};
