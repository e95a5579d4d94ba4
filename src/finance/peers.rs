//! Peer statistics: quartiles and percentiles of a ratio across a sector.

use serde::Serialize;

/// Quartiles of one ratio over a peer group (missing values left out).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Quartiles {
    pub n: usize,
    pub p25: Option<f64>,
    pub median: Option<f64>,
    pub p75: Option<f64>,
}

/// The q-quantile of sorted data by linear interpolation between order statistics
/// (R's default type 7, numpy's default), or `None` for no data.
pub fn quantile_sorted(sorted: &[f64], q: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let h = (sorted.len() - 1) as f64 * q.clamp(0.0, 1.0);
    let lo = h.floor() as usize;
    let hi = h.ceil() as usize;
    Some(sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo]))
}

/// Quartiles of the finite values among `values`.
pub fn quartiles(values: impl IntoIterator<Item = Option<f64>>) -> Quartiles {
    let mut v: Vec<f64> = values
        .into_iter()
        .flatten()
        .filter(|x| x.is_finite())
        .collect();
    v.sort_by(f64::total_cmp);
    Quartiles {
        n: v.len(),
        p25: quantile_sorted(&v, 0.25),
        median: quantile_sorted(&v, 0.5),
        p75: quantile_sorted(&v, 0.75),
    }
}

/// The percentile rank (0-100) of `x` among sorted peers: the share of peers below it, with
/// ties counted half.
pub fn percentile_rank(sorted: &[f64], x: f64) -> Option<f64> {
    if sorted.is_empty() || !x.is_finite() {
        return None;
    }
    let below = sorted.partition_point(|v| *v < x);
    let not_above = sorted.partition_point(|v| *v <= x);
    let ties = not_above - below;
    Some(100.0 * (below as f64 + ties as f64 / 2.0) / sorted.len() as f64)
}
