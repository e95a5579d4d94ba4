//! Binned inputs and the compact trees grown on them, for the random forest and the gradient
//! booster: each input's values are cut once into at most 255 bins (every distinct value its
//! own bin when there are fewer), so a node's split search adds its rows into per-bin sums
//! instead of sorting them. A split's threshold is the midpoint between the bins' values, so a
//! tree predicts raw (prepared) rows with `value <= threshold` like the exact tree.

use super::presort::sorted_pairs;
use crate::analysis::Matrix;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// The most bins an input is cut into (codes are one byte).
pub const MAX_BINS: usize = 255;

/// Every input's bin codes, column by column, and the thresholds between the bins.
pub struct Binned {
    pub rows: usize,
    /// `codes[f][r]`: the bin of row r's value of input f.
    pub codes: Vec<Vec<u8>>,
    /// `thresholds[f][b]`: values up to it are in bins `0..=b`, larger ones above.
    pub thresholds: Vec<Vec<f64>>,
}

impl Binned {
    /// Cuts every column of `x` (no missing values) into at most `max_bins` bins at quantiles
    /// of its distinct values.
    pub fn fit(x: &Matrix, max_bins: usize) -> Binned {
        let max_bins = max_bins.clamp(2, MAX_BINS);
        let (codes, thresholds) = (0..x.cols)
            .into_par_iter()
            .map(|c| {
                // One radix sort of the column gives both the quantiles and, walked in order,
                // every row's bin: no search per value.
                let pairs = sorted_pairs((0..x.rows).map(|r| x.get(r, c)));
                let sorted: Vec<f64> = pairs.iter().map(|&(v, _)| v).collect();
                let t = thresholds_of_sorted(&sorted, max_bins);
                let mut codes = vec![0u8; x.rows];
                let mut bin = 0;
                for &(v, row) in &pairs {
                    while bin < t.len() && t[bin] < v {
                        bin += 1;
                    }
                    codes[row as usize] = bin as u8;
                }
                (codes, t)
            })
            .unzip();
        Binned {
            rows: x.rows,
            codes,
            thresholds,
        }
    }

    pub fn features(&self) -> usize {
        self.codes.len()
    }
}

/// Midpoints between consecutive candidate values of a sorted column: all distinct values when
/// they are few, else values at evenly spaced ranks.
fn thresholds_of_sorted(sorted: &[f64], max_bins: usize) -> Vec<f64> {
    let mut distinct = sorted.to_vec();
    distinct.dedup();
    let upper: Vec<f64> = if distinct.len() <= max_bins {
        distinct[..distinct.len().saturating_sub(1)].to_vec()
    } else {
        let n = sorted.len();
        let mut picks: Vec<f64> = (1..max_bins)
            .map(|b| sorted[(b * n / max_bins).saturating_sub(1)])
            .collect();
        picks.dedup();
        let last = *distinct.last().unwrap_or(&0.0);
        picks.retain(|v| *v < last);
        picks
    };
    upper
        .iter()
        .map(|&v| {
            let next = distinct[distinct.partition_point(|d| *d <= v)];
            v + (next - v) / 2.0
        })
        .collect()
}

/// A leaf's feature mark.
pub const LEAF: u32 = u32::MAX;

/// A tree over binned inputs. Node 0 is the root; every node, leaves and inner nodes alike,
/// carries `outputs` values (class shares for the forest, a raw score for the booster), so
/// a path can be read as each split's change of the value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct HistTree {
    pub feature: Vec<u32>,
    pub threshold: Vec<f64>,
    pub left: Vec<u32>,
    pub right: Vec<u32>,
    pub value: Vec<f64>,
    pub outputs: usize,
}

impl HistTree {
    pub fn new(outputs: usize) -> HistTree {
        HistTree {
            outputs,
            ..HistTree::default()
        }
    }

    /// Adds a leaf with these values and returns its id.
    pub fn push(&mut self, value: &[f64]) -> usize {
        self.feature.push(LEAF);
        self.threshold.push(0.0);
        self.left.push(0);
        self.right.push(0);
        self.value.extend_from_slice(value);
        self.feature.len() - 1
    }

    /// Turns leaf `id` into a split on `feature` at `threshold` with the given children.
    pub fn split(&mut self, id: usize, feature: usize, threshold: f64, l: usize, r: usize) {
        self.feature[id] = feature as u32;
        self.threshold[id] = threshold;
        self.left[id] = l as u32;
        self.right[id] = r as u32;
    }

    pub fn values(&self, id: usize) -> &[f64] {
        &self.value[id * self.outputs..(id + 1) * self.outputs]
    }

    pub fn len(&self) -> usize {
        self.feature.len()
    }

    pub fn is_empty(&self) -> bool {
        self.feature.is_empty()
    }

    pub fn leaves(&self) -> usize {
        self.feature.iter().filter(|f| **f == LEAF).count()
    }

    /// The leaf a prepared row ends in.
    #[inline]
    pub fn leaf(&self, row: &[f64]) -> usize {
        let mut id = 0;
        while self.feature[id] != LEAF {
            let f = self.feature[id] as usize;
            id = if row[f] <= self.threshold[id] {
                self.left[id]
            } else {
                self.right[id]
            } as usize;
        }
        id
    }

    /// Each input's share of the change of output `output` along the row's path (the root's
    /// value plus these sums is the leaf's value).
    pub fn add_contributions(&self, row: &[f64], output: usize, scale: f64, out: &mut [f64]) {
        let mut id = 0;
        while self.feature[id] != LEAF {
            let f = self.feature[id] as usize;
            let next = if row[f] <= self.threshold[id] {
                self.left[id]
            } else {
                self.right[id]
            } as usize;
            out[f] += scale * (self.values(next)[output] - self.values(id)[output]);
            id = next;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The reference the walk in `Binned::fit` is checked against: a search per value.
    fn codes_of(col: &[f64], thresholds: &[f64]) -> Vec<u8> {
        col.iter()
            .map(|&v| thresholds.partition_point(|t| *t < v) as u8)
            .collect()
    }

    fn thresholds_of(col: &[f64], max_bins: usize) -> Vec<f64> {
        let mut sorted = col.to_vec();
        sorted.sort_unstable_by(f64::total_cmp);
        thresholds_of_sorted(&sorted, max_bins)
    }

    #[test]
    fn few_distinct_values_get_a_bin_each_and_midpoint_thresholds() {
        let col = [3.0, 1.0, 2.0, 2.0, 1.0];
        let t = thresholds_of(&col, 255);
        assert_eq!(t, vec![1.5, 2.5]);
        assert_eq!(codes_of(&col, &t), vec![2, 0, 1, 1, 0]);
    }

    #[test]
    fn fit_walks_the_sorted_column_to_the_codes_a_search_gives() {
        let mut rng = crate::analysis::rng::Rng::new(7);
        let rows: Vec<Vec<f64>> = (0..3000)
            .map(|i| {
                vec![
                    rng.normal(),
                    (i % 13) as f64 - 6.0,
                    if i % 5 == 0 { -0.0 } else { 0.0 },
                    rng.normal().exp(),
                ]
            })
            .collect();
        let x = Matrix::from_rows(&rows);
        let binned = Binned::fit(&x, 255);
        for c in 0..x.cols {
            let col = x.column(c);
            let t = thresholds_of(&col, 255);
            assert_eq!(binned.thresholds[c], t);
            assert_eq!(binned.codes[c], codes_of(&col, &t));
        }
    }

    #[test]
    fn many_values_are_cut_at_quantiles_and_codes_keep_the_order() {
        let col: Vec<f64> = (0..10_000).map(|i| ((i * 7919) % 10_000) as f64).collect();
        let t = thresholds_of(&col, 255);
        assert!(t.len() <= 254 && t.len() > 200, "{}", t.len());
        assert!(t.windows(2).all(|w| w[0] < w[1]));
        let codes = codes_of(&col, &t);
        for (i, &v) in col.iter().enumerate() {
            let b = codes[i] as usize;
            assert!(b == t.len() || v <= t[b]);
            assert!(b == 0 || v > t[b - 1]);
        }
    }
}
