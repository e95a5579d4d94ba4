//! Models: the ID3/CART decision tree with Gini, entropy and pair-counting criteria.

pub mod criterion;
pub mod params;
pub mod tree;

pub use criterion::Criterion;
pub use params::{ClassWeight, TreeParams, TreeParamsError, ValidTreeParams};
pub use tree::{Node, Tree};
