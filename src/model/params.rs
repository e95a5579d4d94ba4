//! Tree parameters: unchecked -> `check()` -> valid, so a form can be validated before a job starts.

use super::Criterion;
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Class weights in the impurity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ClassWeight {
    None,
    /// n / (k * n_c): every class weighs as much in total.
    Balanced,
}

/// Parameters as a user typed them; `check` turns them into `ValidTreeParams`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TreeParams {
    pub criterion: Criterion,
    pub max_depth: Option<usize>,
    pub min_samples_split: usize,
    pub min_samples_leaf: usize,
    pub min_impurity_decrease: f64,
    pub class_weight: ClassWeight,
    pub seed: u64,
}

impl Default for TreeParams {
    fn default() -> Self {
        TreeParams {
            criterion: Criterion::Gini,
            max_depth: None,
            min_samples_split: 2,
            min_samples_leaf: 1,
            min_impurity_decrease: 0.0,
            class_weight: ClassWeight::None,
            seed: 42,
        }
    }
}

/// What is wrong with a parameter, in words a form can show beside it.
#[derive(Debug, Error, PartialEq)]
pub enum TreeParamsError {
    #[error("max depth must be at least 1 (leave it empty for no limit)")]
    MaxDepth,
    #[error("min samples to split must be at least 2, got {0}")]
    MinSamplesSplit(usize),
    #[error("min samples per leaf must be at least 1, got {0}")]
    MinSamplesLeaf(usize),
    #[error("min impurity decrease must be a number >= 0, got {0}")]
    MinImpurityDecrease(f64),
}

/// Checked parameters: only these can fit a tree.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ValidTreeParams(TreeParams);

impl ValidTreeParams {
    pub fn get(&self) -> &TreeParams {
        &self.0
    }
}

impl TreeParams {
    pub fn check(self) -> Result<ValidTreeParams, TreeParamsError> {
        if self.max_depth == Some(0) {
            return Err(TreeParamsError::MaxDepth);
        }
        if self.min_samples_split < 2 {
            return Err(TreeParamsError::MinSamplesSplit(self.min_samples_split));
        }
        if self.min_samples_leaf < 1 {
            return Err(TreeParamsError::MinSamplesLeaf(self.min_samples_leaf));
        }
        if !(self.min_impurity_decrease >= 0.0 && self.min_impurity_decrease.is_finite()) {
            return Err(TreeParamsError::MinImpurityDecrease(
                self.min_impurity_decrease,
            ));
        }
        Ok(ValidTreeParams(self))
    }
}
