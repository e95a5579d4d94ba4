//! The Portfolio dashboard: firm counts by sector, region, size and class, distributions of a
//! profitability, an activity and a stability ratio (histograms and medians by sector), closures
//! by year, the class mix of the active model's predictions, and the queue's size.

use super::Result;
use crate::finance::catalogue::{find, RATIOS};
use crate::finance::peers::quantile_sorted;
use crate::store::portfolio::YearRate;
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

/// Counts into `bins` equal-width bins between the 2nd and 98th percentiles (values outside go
/// into the end bins).
pub fn histogram(values: &mut [f64], bins: usize) -> Vec<(f64, u64)> {
    values.sort_by(f64::total_cmp);
    let (Some(lo), Some(hi)) = (quantile_sorted(values, 0.02), quantile_sorted(values, 0.98))
    else {
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

/// The histogram and sector medians of ratio `k` of `rows` (sector, values).
fn distribution(
    rows: &[(String, Vec<Option<f64>>)],
    k: usize,
    ratio: &'static str,
) -> Distribution {
    let def = find(ratio).map(|(_, r)| r).unwrap_or(&RATIOS[0]);
    let mut values: Vec<f64> = rows
        .iter()
        .filter_map(|(_, v)| v[k])
        .filter(|v| v.is_finite())
        .collect();
    let bins = histogram(&mut values, 12);
    let median = quantile_sorted(&values, 0.5);
    let mut by_sector: std::collections::BTreeMap<&str, Vec<f64>> = Default::default();
    for (s, v) in rows {
        if let Some(x) = v[k].filter(|x| x.is_finite()) {
            by_sector.entry(s.as_str()).or_default().push(x);
        }
    }
    let sector_medians = by_sector
        .into_iter()
        .filter_map(|(s, mut v)| {
            v.sort_by(f64::total_cmp);
            quantile_sorted(&v, 0.5).map(|m| (s.to_string(), m))
        })
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

/// Everything the dashboard shows (`PRECRE_TIMINGS=1` times each query).
pub fn load(store: &Store) -> Result<Portfolio> {
    let model = timed("dashboard model", || store.active_model())?;
    let (decided, pending) = timed("dashboard decisions", || store.decision_progress())?;
    Ok(Portfolio {
        firms: timed("dashboard firms", || store.count("firms"))?,
        statements: timed("dashboard statements", || store.count("statements"))?,
        by_sector: timed("dashboard sectors", || store.firm_counts_by("sector"))?,
        by_region: timed("dashboard regions", || store.firm_counts_by("region"))?,
        by_size: timed("dashboard sizes", || store.firm_counts_by("size"))?,
        by_class: timed("dashboard classes", || store.class_mix())?,
        distributions: {
            let rows = timed("dashboard latest ratios", || {
                store.latest_ratios_with_sector(&DASHBOARD_RATIOS)
            })?;
            DASHBOARD_RATIOS
                .iter()
                .enumerate()
                .map(|(k, r)| distribution(&rows, k, r))
                .collect()
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
