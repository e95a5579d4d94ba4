//! Models: the ID3/CART decision tree with Gini, entropy and pair-counting criteria, and the
//! challengers beside it (logistic regression, discriminant analysis, forest, boosting).

pub mod boost;
mod boost_rows;
mod boost_tree;
pub mod choices;
pub mod compare;
pub mod criterion;
pub mod error;
pub mod explain;
pub mod export;
pub mod forest;
pub mod governance;
mod grow;
mod grow_bins;
mod grow_scan;
pub mod hist;
pub mod learner;
mod linalg;
pub mod linear;
pub mod linfa_impl;
pub mod metrics;
pub mod params;
pub mod pipeline;
pub mod platt;
pub mod points;
mod presort;
pub mod prune;
pub mod registry;
pub mod reports;
pub mod scorecard;
pub mod split;
pub mod svm;
pub mod tree;
pub mod tune;
mod weakest_link;
pub mod wording;

pub use criterion::Criterion;
pub use error::{ChoiceError, FitError, RecordError, SplitError};
pub use params::{ClassWeight, TreeParams, TreeParamsError, ValidTreeParams};
pub use tree::{Node, Tree};
