//! Population stability: how far the rows of a period have moved from a model's training
//! population, column by column (the chance of bad on the training population's deciles, each
//! input on the bins its screening found), as the population stability index
//! PSI = sum over bins of (period share - training share) x ln(period share / training share),
//! called CSI for an input. A share of 0 counts as 0.0001 (so that a bin one side lacks adds a
//! large but finite amount); a bin both sides lack adds nothing. Bands: below 0.10 stable,
//! 0.10 to 0.25 watch, above 0.25 act.

use super::binning::{self, BinningRule};
use crate::finance::peers::quantile_sorted;
use serde::{Deserialize, Serialize};

/// Below this index a column is stable.
pub const WATCH_FROM: f64 = 0.10;
/// Above this index a column has moved enough to act on.
pub const ACT_ABOVE: f64 = 0.25;
/// The share an empty bin counts as.
pub const EMPTY_SHARE: f64 = 1e-4;

/// The band of a stability index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Band {
    Stable,
    Watch,
    Act,
}

impl Band {
    pub fn of(index: f64) -> Band {
        if index > ACT_ABOVE {
            Band::Act
        } else if index >= WATCH_FROM {
            Band::Watch
        } else {
            Band::Stable
        }
    }

    /// The band in a word (reads without colour).
    pub fn word(self) -> &'static str {
        match self {
            Band::Stable => "stable",
            Band::Watch => "watch",
            Band::Act => "act",
        }
    }

    /// A one-character mark for tables: `.` stable, `!` watch, `X` act.
    pub fn mark(self) -> &'static str {
        match self {
            Band::Stable => ".",
            Band::Watch => "!",
            Band::Act => "X",
        }
    }
}

/// One column of the training population on its bins: the split points (`lower <= x < upper`)
/// and the count of each numeric bin, then the count of the missing values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BinnedColumn {
    pub name: String,
    pub splits: Vec<f64>,
    /// `splits.len() + 1` numeric bins, then the missing values.
    pub counts: Vec<usize>,
}

/// What monitoring compares a period with: the training population's chance of bad on its
/// deciles and each input on its screening bins.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PopulationProfile {
    pub rows: usize,
    pub score: BinnedColumn,
    pub inputs: Vec<BinnedColumn>,
}

/// The bin of a value: the number of splits at or below it; a missing value goes last.
pub fn bin_of(splits: &[f64], x: f64) -> usize {
    if x.is_nan() {
        splits.len() + 1
    } else {
        splits.partition_point(|s| *s <= x)
    }
}

/// The count of each bin (numeric bins, then missing).
pub fn bin_counts(splits: &[f64], values: &[f64]) -> Vec<usize> {
    let mut counts = vec![0; splits.len() + 2];
    for &x in values {
        counts[bin_of(splits, x)] += 1;
    }
    counts
}

/// The deciles of the present values as split points (numpy's default quantile), each kept
/// once and only above the smallest value (the first bin is never empty).
pub fn decile_splits(values: &[f64]) -> Vec<f64> {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| !x.is_nan()).collect();
    v.sort_by(f64::total_cmp);
    let Some(&min) = v.first() else {
        return Vec::new();
    };
    let mut splits: Vec<f64> = (1..10)
        .filter_map(|k| quantile_sorted(&v, f64::from(k) / 10.0))
        .filter(|q| *q > min)
        .collect();
    splits.dedup();
    splits
}

impl BinnedColumn {
    /// The chance of bad of the training rows on their deciles.
    pub fn deciles(name: &str, values: &[f64]) -> BinnedColumn {
        let splits = decile_splits(values);
        BinnedColumn {
            name: name.to_string(),
            counts: bin_counts(&splits, values),
            splits,
        }
    }

    /// An input of the training rows on the monotonic bins screening finds for it.
    pub fn screened(name: &str, values: &[f64], bad: &[bool]) -> BinnedColumn {
        let splits = binning::monotonic(values, bad, BinningRule::default()).splits;
        BinnedColumn {
            name: name.to_string(),
            counts: bin_counts(&splits, values),
            splits,
        }
    }

    /// The label of bin `k`: its bounds, or "missing".
    pub fn label(&self, k: usize) -> String {
        let n = self.splits.len();
        match k {
            _ if k > n => "missing".into(),
            _ if n == 0 => "all".into(),
            0 => format!("< {}", short(self.splits[0])),
            _ if k == n => format!(">= {}", short(self.splits[n - 1])),
            _ => format!("[{}, {})", short(self.splits[k - 1]), short(self.splits[k])),
        }
    }
}

/// A number in at most four significant digits.
fn short(x: f64) -> String {
    if x != 0.0 && (x.abs() >= 1e5 || x.abs() < 1e-3) {
        format!("{x:.3e}")
    } else {
        let digits = (3 - x.abs().log10().floor() as i32).clamp(0, 6) as usize;
        format!("{x:.digits$}")
    }
}

/// One bin of a comparison: training share beside period share.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BinShift {
    pub bin: String,
    pub training: f64,
    pub period: f64,
}

/// How far one column of a period has moved from training.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stability {
    pub name: String,
    pub index: f64,
    pub band: Band,
    pub rows: usize,
    pub bins: Vec<BinShift>,
}

/// The stability index of two count vectors over the same bins.
pub fn index(training: &[usize], period: &[usize]) -> f64 {
    let (t, p) = (total(training), total(period));
    if t == 0 || p == 0 {
        return 0.0;
    }
    training
        .iter()
        .zip(period)
        .filter(|(a, b)| **a > 0 || **b > 0)
        .map(|(&a, &b)| {
            let e = (a as f64 / t as f64).max(EMPTY_SHARE);
            let q = (b as f64 / p as f64).max(EMPTY_SHARE);
            (q - e) * (q / e).ln()
        })
        .sum()
}

fn total(counts: &[usize]) -> usize {
    counts.iter().sum()
}

/// The period's values against a training column on the column's bins.
pub fn compare(reference: &BinnedColumn, values: &[f64]) -> Stability {
    let counts = bin_counts(&reference.splits, values);
    let index = index(&reference.counts, &counts);
    let (t, p) = (total(&reference.counts).max(1), values.len().max(1));
    let bins = (0..counts.len())
        .filter(|&k| k <= reference.splits.len() || reference.counts[k] > 0 || counts[k] > 0)
        .map(|k| BinShift {
            bin: reference.label(k),
            training: reference.counts[k] as f64 / t as f64,
            period: counts[k] as f64 / p as f64,
        })
        .collect();
    Stability {
        name: reference.name.clone(),
        index,
        band: Band::of(index),
        rows: values.len(),
        bins,
    }
}

/// The training profile of a model: `p_bad` its chance of bad on each training row, `x` the
/// training rows' inputs column by column, `bad` whether each row is of the bad class.
pub fn profile(
    names: &[String],
    columns: &[Vec<f64>],
    bad: &[bool],
    p_bad: &[f64],
) -> PopulationProfile {
    PopulationProfile {
        rows: p_bad.len(),
        score: BinnedColumn::deciles("chance of bad", p_bad),
        inputs: names
            .iter()
            .zip(columns)
            .map(|(name, column)| BinnedColumn::screened(name, column, bad))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands_cut_at_ten_and_twenty_five_hundredths() {
        assert_eq!(Band::of(0.099), Band::Stable);
        assert_eq!(Band::of(0.10), Band::Watch);
        assert_eq!(Band::of(0.25), Band::Watch);
        assert_eq!(Band::of(0.2501), Band::Act);
    }

    #[test]
    fn bins_hold_lower_bounds_and_missing_goes_last() {
        let splits = [1.0, 2.0];
        assert_eq!(bin_of(&splits, 0.5), 0);
        assert_eq!(bin_of(&splits, 1.0), 1);
        assert_eq!(bin_of(&splits, 2.0), 2);
        assert_eq!(bin_of(&splits, f64::NAN), 3);
        assert_eq!(
            bin_counts(&splits, &[0.0, 1.5, 1.7, f64::NAN]),
            vec![1, 2, 0, 1]
        );
    }

    /// The reference, NumPy 2 on the same numbers (`/work/main/.venv-bench`):
    /// ```python
    /// import numpy as np
    /// rng = np.random.default_rng(7)
    /// def psi_of(train, period):
    ///     q = np.quantile(train, np.arange(1, 10) / 10)
    ///     splits = np.unique(q[q > train.min()])
    ///     t = np.bincount(np.searchsorted(splits, train, side='right'), minlength=len(splits) + 1)
    ///     p = np.bincount(np.searchsorted(splits, period, side='right'), minlength=len(splits) + 1)
    ///     keep = (t > 0) | (p > 0)
    ///     e = np.maximum(t / t.sum(), 1e-4)[keep]; a = np.maximum(p / p.sum(), 1e-4)[keep]
    ///     return splits, t, p, float(np.sum((a - e) * np.log(a / e)))
    /// train = np.round(rng.beta(1.2, 8.0, 40), 3); period = np.round(rng.beta(1.6, 7.0, 25), 3)
    /// psi_of(train, period)    # splits below, t = [4]*10, p = [0,2,4,1,3,1,1,5,2,6], 1.0876698163363956
    /// leaves = np.array([0.005, 0.007, 0.094, 0.49, 0.93])
    /// train2 = leaves[[0,0,0,0,0,0,0,0,1,1,1,1,1,1,2,2,2,3,3,4]]
    /// period2 = leaves[[0,0,0,1,1,2,2,2,2,3,3,3,4,4]]
    /// psi_of(train2, period2)  # t = [8,0,6,0,3,3], p = [3,0,2,0,4,5], 0.4996495242485776
    /// ```
    #[test]
    fn psi_on_deciles_matches_numpy() {
        let train = [
            0.111, 0.061, 0.051, 0.113, 0.032, 0.017, 0.165, 0.152, 0.029, 0.089, 0.185, 0.063,
            0.017, 0.147, 0.055, 0.023, 0.3, 0.074, 0.043, 0.077, 0.028, 0.144, 0.194, 0.272,
            0.017, 0.043, 0.07, 0.135, 0.034, 0.112, 0.109, 0.151, 0.006, 0.108, 0.074, 0.019,
            0.115, 0.113, 0.05, 0.221,
        ];
        let period = [
            0.072, 0.146, 0.218, 0.106, 0.116, 0.131, 0.072, 0.111, 0.187, 0.214, 0.542, 0.046,
            0.163, 0.046, 0.199, 0.125, 0.07, 0.038, 0.026, 0.119, 0.019, 0.056, 0.034, 0.163,
            0.316,
        ];
        let numpy_splits = [
            0.0188,
            0.031400000000000004,
            0.0479,
            0.062200000000000005,
            0.0755,
            0.1098,
            0.11359999999999999,
            0.14780000000000001,
            0.1859,
        ];
        let reference = BinnedColumn::deciles("p", &train);
        assert_eq!(reference.splits.len(), numpy_splits.len());
        for (a, b) in reference.splits.iter().zip(numpy_splits) {
            assert!((a - b).abs() < 1e-15, "{a} vs {b}");
        }
        assert_eq!(reference.counts, vec![4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 0]);
        let s = compare(&reference, &period);
        assert!((s.index - 1.0876698163363956).abs() < 1e-12, "{}", s.index);
        assert_eq!(s.band, Band::Act);

        let leaves = [0.005, 0.007, 0.094, 0.49, 0.93];
        let pick = |ks: &[usize]| ks.iter().map(|&k| leaves[k]).collect::<Vec<f64>>();
        let train2 = pick(&[0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 2, 2, 2, 3, 3, 4]);
        let period2 = pick(&[0, 0, 0, 1, 1, 2, 2, 2, 2, 3, 3, 3, 4, 4]);
        let reference = BinnedColumn::deciles("p", &train2);
        assert_eq!(reference.counts, vec![8, 0, 6, 0, 3, 3, 0]);
        let s = compare(&reference, &period2);
        assert!((s.index - 0.4996495242485776).abs() < 1e-12, "{}", s.index);
    }

    #[test]
    fn the_same_shares_are_stable_at_zero() {
        assert_eq!(index(&[10, 20, 30, 0], &[1, 2, 3, 0]), 0.0);
    }
}
