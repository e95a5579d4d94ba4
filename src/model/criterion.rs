//! Split criteria: CART's Gini impurity, entropy (information gain) and the study's
//! pair-counting form of Gini (same-class pairs kept on the same side).

use serde::{Deserialize, Serialize};

/// How the informativeness of a split is measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Criterion {
    /// Weighted Gini impurity decrease (scikit-learn, rpart, linfa).
    Gini,
    /// Information gain (classic ID3).
    Entropy,
    /// Number of same-class pairs that the predicate keeps on the same side (maximised).
    GiniPairs,
}

/// Impurity of a node with these (weighted) class counts.
pub fn impurity(criterion: Criterion, counts: &[f64]) -> f64 {
    let n: f64 = counts.iter().sum();
    if n <= 0.0 {
        return 0.0;
    }
    match criterion {
        Criterion::Gini | Criterion::GiniPairs => {
            1.0 - counts.iter().map(|c| (c / n) * (c / n)).sum::<f64>()
        }
        Criterion::Entropy => -counts
            .iter()
            .filter(|c| **c > 0.0)
            .map(|c| {
                let p = c / n;
                p * p.log2()
            })
            .sum::<f64>(),
    }
}

/// The score a split search maximises, from the left and right class counts (higher is better).
/// For Gini this is sum_k L_k^2 / N_L + sum_k R_k^2 / N_R (maximising it minimises the weighted
/// child impurity); for entropy the negative weighted child entropy; for pairs the number of
/// same-class pairs on each side, sum_k L_k (L_k - 1) / 2 + R_k (R_k - 1) / 2.
#[inline]
pub fn split_score(
    criterion: Criterion,
    left: &[f64],
    right: &[f64],
    n_left: f64,
    n_right: f64,
) -> f64 {
    match criterion {
        Criterion::Gini => {
            let l: f64 = left.iter().map(|c| c * c).sum();
            let r: f64 = right.iter().map(|c| c * c).sum();
            l / n_left + r / n_right
        }
        Criterion::Entropy => {
            -(n_left * impurity(Criterion::Entropy, left)
                + n_right * impurity(Criterion::Entropy, right))
        }
        Criterion::GiniPairs => {
            let pairs = |v: &[f64]| v.iter().map(|c| c * (c - 1.0).max(0.0) / 2.0).sum::<f64>();
            pairs(left) + pairs(right)
        }
    }
}
