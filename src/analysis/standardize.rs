//! Median imputation and z-score standardization, with parameters learnt on training data.

use super::Matrix;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// Replaces every missing (NaN) cell by its column's median over the present values, and returns
/// those medians (a column with no value gets 0). Apply the same medians to new data with
/// [`fill_missing`].
pub fn impute_median(x: &mut Matrix) -> Vec<f64> {
    let medians: Vec<f64> = (0..x.cols)
        .into_par_iter()
        .map(|c| {
            let mut v: Vec<f64> = x.column(c).into_iter().filter(|v| !v.is_nan()).collect();
            median_in_place(&mut v).unwrap_or(0.0)
        })
        .collect();
    fill_missing(x, &medians);
    medians
}

/// The median (the mean of the two middle values for an even count, as
/// `quantile_sorted(.., 0.5)` gives it) by selection, without sorting; `v` is reordered.
fn median_in_place(v: &mut [f64]) -> Option<f64> {
    let n = v.len();
    if n == 0 {
        return None;
    }
    let mid = n / 2;
    let (below, &mut upper, _) = v.select_nth_unstable_by(mid, f64::total_cmp);
    if n % 2 == 1 {
        return Some(upper);
    }
    let lower = below
        .iter()
        .copied()
        .max_by(f64::total_cmp)
        .unwrap_or(upper);
    Some(lower + 0.5 * (upper - lower))
}

/// Fills NaN cells with the given per-column values.
pub fn fill_missing(x: &mut Matrix, values: &[f64]) {
    let cols = x.cols;
    for (i, v) in x.data.iter_mut().enumerate() {
        if v.is_nan() {
            *v = values[i % cols];
        }
    }
}

/// Column means and standard deviations (n - 1 denominator, as R's `sd` and `scale`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Standardizer {
    pub means: Vec<f64>,
    pub sds: Vec<f64>,
}

impl Standardizer {
    /// Learns means and standard deviations from `x` (no missing values).
    pub fn fit(x: &Matrix) -> Standardizer {
        let n = x.rows as f64;
        let mut means = vec![0.0; x.cols];
        for r in 0..x.rows {
            for (m, v) in means.iter_mut().zip(x.row(r)) {
                *m += v;
            }
        }
        means.iter_mut().for_each(|m| *m /= n);
        let mut ss = vec![0.0; x.cols];
        for r in 0..x.rows {
            for ((s, v), m) in ss.iter_mut().zip(x.row(r)).zip(&means) {
                *s += (v - m) * (v - m);
            }
        }
        let sds = ss.iter().map(|s| (s / (n - 1.0).max(1.0)).sqrt()).collect();
        Standardizer { means, sds }
    }

    /// Columns whose standard deviation is zero (they cannot be scaled).
    pub fn constant_columns(&self) -> Vec<usize> {
        self.sds
            .iter()
            .enumerate()
            .filter(|(_, s)| **s == 0.0 || !s.is_finite())
            .map(|(i, _)| i)
            .collect()
    }

    /// z = (x - mean) / sd; a constant column becomes 0.
    /// Rows are scaled in blocks on all cores; each value's arithmetic is the same as one by one.
    pub fn transform(&self, x: &Matrix) -> Matrix {
        let cols = x.cols.max(1);
        let mut data = vec![0.0; x.data.len()];
        data.par_chunks_mut(cols * 4096)
            .zip(x.data.par_chunks(cols * 4096))
            .for_each(|(out, block)| {
                for (out_row, row) in out.chunks_mut(cols).zip(block.chunks(cols)) {
                    let scaling = self.means.iter().zip(&self.sds);
                    for ((o, v), (m, sd)) in out_row.iter_mut().zip(row).zip(scaling) {
                        *o = if *sd > 0.0 { (v - m) / sd } else { 0.0 };
                    }
                }
            });
        Matrix::new(x.rows, x.cols, data)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_by_selection_equals_the_sorted_quantile_bit_for_bit() {
        let mut rng = crate::analysis::rng::Rng::new(5);
        for n in [1usize, 2, 3, 4, 7, 10, 101, 1000] {
            let v: Vec<f64> = (0..n)
                .map(|_| (rng.normal() * 100.0).round() / 7.0)
                .collect();
            let mut sorted = v.clone();
            sorted.sort_by(f64::total_cmp);
            let expected = crate::finance::peers::quantile_sorted(&sorted, 0.5);
            let mut w = v.clone();
            assert_eq!(
                median_in_place(&mut w).map(f64::to_bits),
                expected.map(f64::to_bits),
                "n {n}"
            );
        }
    }
}
