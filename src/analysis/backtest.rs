//! Back-testing a model in use: the applications of a period whose outcome window has closed,
//! grouped into score bands (grades), each band's predicted chance of bad against the bad rate
//! observed, with two tests of "the predicted chance is too low":
//!
//! - the one-sided binomial test: p = P(X >= d) for X ~ Binomial(n, mean predicted chance), as
//!   `scipy.stats.binomtest(d, n, p, alternative='greater')`;
//! - the Jeffreys test: the probability, under the Beta(d + 1/2, n - d + 1/2) posterior of the
//!   true rate, that it is below the predicted chance (`scipy.stats.beta.cdf(p, d+.5, n-d+.5)`).
//!
//! A band fails when either p-value is below the level (5%). Both come from the regularized
//! incomplete beta function (statrs): P(X >= d) = I_p(d, n - d + 1). The period's AUC is the
//! Mann-Whitney statistic with ties counted half; Gini = 2 AUC - 1.

use serde::Serialize;
use statrs::function::beta::beta_reg;

/// The level below which a test's p-value fails a band.
pub const LEVEL: f64 = 0.05;

/// P(X >= d) for X ~ Binomial(n, p): the one-sided binomial test's p-value.
pub fn binomial_greater(d: u64, n: u64, p: f64) -> f64 {
    if d == 0 || p >= 1.0 {
        return 1.0;
    }
    if d > n || p <= 0.0 {
        return 0.0;
    }
    beta_reg(d as f64, (n - d + 1) as f64, p)
}

/// The Jeffreys test's p-value: Beta(d + 1/2, n - d + 1/2)'s cumulative probability at `p`.
pub fn jeffreys(d: u64, n: u64, p: f64) -> f64 {
    if p <= 0.0 {
        return 0.0;
    }
    if p >= 1.0 || d > n {
        return 1.0;
    }
    beta_reg(d as f64 + 0.5, (n - d) as f64 + 0.5, p)
}

/// The area under the ROC curve of `scores` for `positive` (ties counted half), or `None` when
/// one class is absent.
pub fn auc(scores: &[f64], positive: &[bool]) -> Option<f64> {
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| scores[a].total_cmp(&scores[b]));
    // Mid-ranks over runs of equal scores.
    let mut rank = vec![0.0; scores.len()];
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && scores[order[j + 1]] == scores[order[i]] {
            j += 1;
        }
        let mid = (i + j) as f64 / 2.0 + 1.0;
        for &k in &order[i..=j] {
            rank[k] = mid;
        }
        i = j + 1;
    }
    let n_pos = positive.iter().filter(|p| **p).count();
    let n_neg = positive.len() - n_pos;
    if n_pos == 0 || n_neg == 0 {
        return None;
    }
    let sum: f64 = rank
        .iter()
        .zip(positive)
        .filter(|(_, p)| **p)
        .map(|(r, _)| r)
        .sum();
    let u = sum - (n_pos * (n_pos + 1)) as f64 / 2.0;
    Some(u / (n_pos as f64 * n_neg as f64))
}

/// One band of a period's back-test.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BandTest {
    /// The band's chances of bad: [from, to) (the last includes 1).
    pub from: f64,
    pub to: f64,
    pub count: usize,
    pub bads: usize,
    pub mean_predicted: f64,
    pub observed: f64,
    /// P(X >= bads) for X ~ Binomial(count, mean predicted).
    pub binomial_p: f64,
    /// Beta(bads + 1/2, count - bads + 1/2) at the mean predicted.
    pub jeffreys_p: f64,
    /// Either test below the level: the band's chance of bad is too low.
    pub fails: bool,
}

/// One period's back-test.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Backtest {
    pub count: usize,
    pub bads: usize,
    pub mean_predicted: f64,
    pub observed: f64,
    pub auc: Option<f64>,
    pub gini: Option<f64>,
    pub bands: Vec<BandTest>,
}

impl Backtest {
    /// Whether any band fails.
    pub fn fails(&self) -> bool {
        self.bands.iter().any(|b| b.fails)
    }
}

/// Back-tests predicted chances of bad against outcomes on the bands `edges` cut [0, 1] into
/// (edges strictly between 0 and 1, ascending); empty bands are left out.
pub fn backtest(p_bad: &[f64], bad: &[bool], edges: &[f64]) -> Backtest {
    let mut cuts = vec![0.0];
    cuts.extend(edges.iter().copied().filter(|e| *e > 0.0 && *e < 1.0));
    cuts.push(1.0);
    let bands = cuts
        .windows(2)
        .enumerate()
        .filter_map(|(k, w)| {
            let last = k + 2 == cuts.len();
            let inside = |p: f64| p >= w[0] && (p < w[1] || (last && p <= w[1]));
            let rows: Vec<usize> = (0..p_bad.len()).filter(|&r| inside(p_bad[r])).collect();
            (!rows.is_empty()).then(|| band_test(w[0], w[1], &rows, p_bad, bad))
        })
        .collect();
    let bads = bad.iter().filter(|b| **b).count();
    let n = p_bad.len();
    let auc = auc(p_bad, bad);
    Backtest {
        count: n,
        bads,
        mean_predicted: mean(p_bad.iter().copied(), n),
        observed: bads as f64 / n.max(1) as f64,
        gini: auc.map(|a| 2.0 * a - 1.0),
        auc,
        bands,
    }
}

fn mean(values: impl Iterator<Item = f64>, n: usize) -> f64 {
    if n == 0 {
        0.0
    } else {
        values.sum::<f64>() / n as f64
    }
}

fn band_test(from: f64, to: f64, rows: &[usize], p_bad: &[f64], bad: &[bool]) -> BandTest {
    let count = rows.len();
    let bads = rows.iter().filter(|&&r| bad[r]).count();
    let predicted = mean(rows.iter().map(|&r| p_bad[r]), count);
    let binomial_p = binomial_greater(bads as u64, count as u64, predicted);
    let jeffreys_p = jeffreys(bads as u64, count as u64, predicted);
    BandTest {
        from,
        to,
        count,
        bads,
        mean_predicted: predicted,
        observed: bads as f64 / count as f64,
        binomial_p,
        jeffreys_p,
        fails: binomial_p < LEVEL || jeffreys_p < LEVEL,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The reference, SciPy 1.x and scikit-learn (`/work/main/.venv-bench`):
    /// ```python
    /// from scipy import stats
    /// for d, n, p in [(7, 50, 0.08), (0, 30, 0.02), (12, 40, 0.2), (3, 200, 0.05),
    ///                 (40, 120, 0.21), (1, 1, 0.3), (150, 1000, 0.12)]:
    ///     print(stats.binomtest(d, n, p, alternative='greater').pvalue,
    ///           stats.beta.cdf(p, d + 0.5, n - d + 0.5))
    /// ```
    #[test]
    fn binomial_and_jeffreys_match_scipy() {
        let cases: [(u64, u64, f64, f64, f64); 7] = [
            (7, 50, 0.08, 0.1018717809572972, 0.06785714079112785),
            (0, 30, 0.02, 1.0, 0.7310946645296126),
            (12, 40, 0.2, 0.08750523592200611, 0.06225974329888996),
            (3, 200, 0.05, 0.9976637058099361, 0.9952107034568649),
            (40, 120, 0.21, 0.0011492194797621772, 0.000817452142124081),
            (1, 1, 0.3, 0.3, 0.07727428998754561),
            (150, 1000, 0.12, 0.00263113999187787, 0.0022828482993613977),
        ];
        for (d, n, p, binom, jeff) in cases {
            let b = binomial_greater(d, n, p);
            let j = jeffreys(d, n, p);
            assert!(
                (b - binom).abs() <= 1e-10 * binom,
                "binomial {d}/{n} at {p}: {b} vs {binom}"
            );
            assert!(
                (j - jeff).abs() <= 1e-10 * jeff,
                "Jeffreys {d}/{n} at {p}: {j} vs {jeff}"
            );
        }
    }

    /// `sklearn.metrics.roc_auc_score(bad, scores)` on these numbers (scores rounded to one
    /// decimal, so with ties; drawn by `np.random.default_rng(7)` after other draws): 0.7624434389140271.
    #[test]
    fn auc_with_ties_matches_scikit_learn() {
        let scores = [
            0.6, 0.2, 0.4, 0.9, 0.4, 0.7, 0.1, 0.7, 0.8, 0.8, 0.7, 0.4, 0.1, 0.5, 0.8, 0.2, 0.3,
            0.5, 0.7, 0.9, 0.1, 0.2, 0.8, 0.6, 0.7, 1.0, 0.9, 0.8, 0.8, 0.4,
        ];
        let bad = [
            false, true, false, true, false, true, false, true, true, false, true, true, false,
            false, true, false, false, true, true, true, false, true, true, false, false, true,
            true, false, true, true,
        ];
        let a = auc(&scores, &bad).unwrap();
        assert!((a - 0.7624434389140271).abs() < 1e-14, "{a}");
        let b = backtest(&scores, &bad, &[0.5]);
        assert_eq!(b.bands.len(), 2);
        assert_eq!(b.count, 30);
        assert!((b.gini.unwrap() - (2.0 * 0.7624434389140271 - 1.0)).abs() < 1e-14);
    }

    #[test]
    fn the_edges_of_the_tests() {
        assert_eq!(binomial_greater(0, 10, 0.1), 1.0);
        assert_eq!(binomial_greater(3, 10, 0.0), 0.0);
        // P(X >= n) = p^n.
        assert!((binomial_greater(3, 3, 0.5) - 0.125).abs() < 1e-15);
        assert_eq!(auc(&[0.1, 0.2], &[false, false]), None);
        assert_eq!(auc(&[0.1, 0.2, 0.2], &[false, true, false]), Some(0.75));
    }
}
