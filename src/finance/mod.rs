//! Financial statements, the ratio catalogue, ratio computation and the other inputs a model
//! can take about a firm (no I/O, no SQL).

pub mod accounts;
pub mod catalogue;
pub mod compute;
pub mod inputs;
pub mod items;
pub mod peers;

pub use catalogue::{RatioDef, RatioGroup, RATIOS};
pub use compute::{compute_ratios, RatioRow, StatementFlags};
pub use items::{Item, Statement, Unit, ITEMS};

/// A count with thousands separators: 7,027.
pub fn thousands(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}
