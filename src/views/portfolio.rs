//! The Portfolio dashboard: firm counts by sector, region, size and class, distributions of a
//! profitability, an activity and a stability ratio (histograms and medians by sector), closures
//! by year, the class mix of the active model's predictions, and the queue's size.

use super::Result;
use crate::finance::catalogue::{find, RATIOS};
use crate::store::portfolio::{SectorValues, YearRate};
use crate::store::Store;
use crate::timings::timed;

/// The ratios the dashboard shows, one per family it names.
pub const DASHBOARD_RATIOS: [&str; 3] = ["net_margin", "total_asset_turnover", "debt_ratio"];

/// A histogram of one ratio over the firms' latest statements.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Distribution {
    pub ratio: &'static str,
    pub name: &'static str,
    pub percent: bool,
    /// Bin lower edges and counts; the range is the 2nd to 98th percentile, outliers in the ends.
    pub bins: Vec<(f64, u64)>,
    pub median: Option<f64>,
    pub n: usize,
    /// Median by sector, sector names sorted.
    pub sector_medians: Vec<(String, f64)>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Portfolio {
    pub firms: i64,
    pub statements: i64,
    pub by_sector: Vec<(String, i64)>,
    pub by_region: Vec<(String, i64)>,
    pub by_size: Vec<(String, i64)>,
    pub by_class: Vec<(String, i64)>,
    pub distributions: Vec<Distribution>,
    pub closures: Vec<YearRate>,
    /// The active model (id, name) and the class mix of its predictions.
    pub model: Option<(String, String)>,
    pub predicted_mix: Vec<(String, i64)>,
    pub pending: i64,
    pub decided: i64,
}

/// The quantile `q` of `values` (in any order; they are reordered), as
/// `quantile_sorted` gives it on the sorted values, found by selection instead of a sort.
fn quantile_unsorted(values: &mut [f64], q: f64) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let h = (values.len() - 1) as f64 * q.clamp(0.0, 1.0);
    let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
    let (_, &mut at_lo, above) = values.select_nth_unstable_by(lo, f64::total_cmp);
    let at_hi = if hi > lo {
        above
            .iter()
            .copied()
            .min_by(f64::total_cmp)
            .unwrap_or(at_lo)
    } else {
        at_lo
    };
    Some(at_lo + (h - lo as f64) * (at_hi - at_lo))
}

/// Counts into `bins` equal-width bins between the 2nd and 98th percentiles (values outside go
/// into the end bins). The values are reordered.
pub fn histogram(values: &mut [f64], bins: usize) -> Vec<(f64, u64)> {
    let (Some(lo), Some(hi)) = (
        quantile_unsorted(values, 0.02),
        quantile_unsorted(values, 0.98),
    ) else {
        return Vec::new();
    };
    let width = if hi > lo {
        (hi - lo) / bins as f64
    } else {
        1.0
    };
    let mut counts = vec![0u64; bins.max(1)];
    for v in values.iter() {
        let b = ((v - lo) / width).floor();
        let b = if b.is_nan() { 0.0 } else { b };
        let last = counts.len() - 1;
        counts[(b.max(0.0) as usize).min(last)] += 1;
    }
    counts
        .into_iter()
        .enumerate()
        .map(|(i, c)| (lo + i as f64 * width, c))
        .collect()
}

/// The histogram and sector medians of ratio `k` of `by_sector`'s values.
fn distribution(by_sector: &mut SectorValues, k: usize, ratio: &'static str) -> Distribution {
    let def = find(ratio).map(|(_, r)| r).unwrap_or(&RATIOS[0]);
    let mut values: Vec<f64> = by_sector
        .values
        .iter()
        .flat_map(|ratios| ratios[k].iter().copied())
        .collect();
    let bins = histogram(&mut values, 12);
    let median = quantile_unsorted(&mut values, 0.5);
    let sector_medians = by_sector
        .sectors
        .iter()
        .zip(by_sector.values.iter_mut())
        .filter_map(|(s, ratios)| quantile_unsorted(&mut ratios[k], 0.5).map(|m| (s.clone(), m)))
        .collect();
    Distribution {
        ratio: def.id,
        name: def.name,
        percent: def.unit == crate::finance::catalogue::Unit::Percent,
        bins,
        median,
        n: values.len(),
        sector_medians,
    }
}

/// Everything the dashboard shows (`PRECRE_TIMINGS=1` times each query). Counts, closures and
/// class mixes come from the summaries the store keeps; the distributions from one pass over
/// one narrow row per firm.
pub fn load(store: &Store) -> Result<Portfolio> {
    let model = timed("dashboard model", || store.active_model())?;
    let (decided, pending) = timed("dashboard decisions", || store.decision_progress())?;
    let (firms, statements) = timed("dashboard totals", || store.firm_and_statement_totals())?;
    Ok(Portfolio {
        firms,
        statements,
        by_sector: timed("dashboard sectors", || store.firm_counts_by("sector"))?,
        by_region: timed("dashboard regions", || store.firm_counts_by("region"))?,
        by_size: timed("dashboard sizes", || store.firm_counts_by("size"))?,
        by_class: timed("dashboard classes", || store.class_mix())?,
        distributions: {
            let mut by_sector = timed("dashboard latest ratios", || {
                store.latest_ratio_values_by_sector(&DASHBOARD_RATIOS)
            })?;
            timed("dashboard distributions", || {
                DASHBOARD_RATIOS
                    .iter()
                    .enumerate()
                    .map(|(k, r)| distribution(&mut by_sector, k, r))
                    .collect()
            })
        },
        closures: timed("dashboard closures", || store.closure_rates())?,
        predicted_mix: match &model {
            Some(m) => timed("dashboard predicted mix", || store.predicted_mix(&m.id))?,
            None => Vec::new(),
        },
        model: model.map(|m| (m.id, m.name)),
        pending,
        decided,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_summary_of_latest_statements_holds_the_dashboard_ratios() {
        assert_eq!(crate::store::summaries::LATEST_RATIOS, DASHBOARD_RATIOS);
    }

    #[test]
    fn quantiles_by_selection_are_those_of_the_sorted_values() {
        use crate::finance::peers::quantile_sorted;
        let mut v: Vec<f64> = (0..1001)
            .map(|i| ((i * 7919) % 1009) as f64 / 7.0)
            .collect();
        let mut sorted = v.clone();
        sorted.sort_by(f64::total_cmp);
        for q in [0.0, 0.02, 0.25, 0.5, 0.98, 1.0] {
            assert_eq!(quantile_unsorted(&mut v, q), quantile_sorted(&sorted, q));
        }
        assert_eq!(quantile_unsorted(&mut [], 0.5), None);
    }

    #[test]
    fn the_latest_statement_index_covers_the_dashboard_ratios() {
        let sql = crate::store::schema::MIGRATION_3;
        let cols: Vec<&str> = sql[sql.find('(').unwrap() + 1..sql.rfind(')').unwrap()]
            .split(',')
            .map(str::trim)
            .collect();
        assert_eq!(&cols[..2], ["firm_id", "fiscal_year"]);
        assert_eq!(&cols[2..], DASHBOARD_RATIOS);
    }

    #[test]
    fn histogram_counts_every_value_once() {
        let mut v: Vec<f64> = (0..100).map(f64::from).collect();
        let h = histogram(&mut v, 10);
        assert_eq!(h.len(), 10);
        assert_eq!(h.iter().map(|(_, c)| c).sum::<u64>(), 100);
        assert!((h[0].0 - 1.98).abs() < 1e-9);
    }
}
