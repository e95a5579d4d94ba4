//! Financial statements, the ratio catalogue and ratio computation (no I/O, no SQL).

pub mod catalogue;
pub mod compute;
pub mod items;
pub mod peers;

pub use catalogue::{RatioDef, RatioGroup, RATIOS};
pub use compute::{compute_ratios, RatioRow, StatementFlags};
pub use items::{Item, Statement, ITEMS};
