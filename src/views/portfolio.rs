//! The Portfolio dashboard: firm counts by sector, region, size and class, distributions of a
//! profitability, an activity and a stability ratio (histograms and medians by sector), closures
//! by year, the class mix of the active model's predictions, and the queue's size.

use super::Result;
use crate::analysis::counted_values::CountedValues;
use crate::finance::catalogue::{find, RATIOS};
use crate::store::portfolio::YearRate;
use crate::store::ratio_counts::RatioCounts;
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
    /// The figures are those of the values rounded to a tenth of the shown precision
    /// (`store::ratio_counts::SCALES`).
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

/// The histogram and sector medians of ratio `k` of `counts`.
fn distribution(counts: &RatioCounts, k: usize, ratio: &'static str) -> Distribution {
    let def = find(ratio).map(|(_, r)| r).unwrap_or(&RATIOS[0]);
    let parts: Vec<&CountedValues> = counts.counts.iter().map(|ratios| &ratios[k]).collect();
    let all = CountedValues::merged(&parts);
    let sector_medians = counts
        .sectors
        .iter()
        .zip(&parts)
        .filter_map(|(s, values)| values.quantile(0.5).map(|m| (s.clone(), m)))
        .collect();
    Distribution {
        ratio: def.id,
        name: def.name,
        percent: def.unit == crate::finance::catalogue::Unit::Percent,
        bins: all.histogram(12),
        median: all.quantile(0.5),
        n: all.len() as usize,
        sector_medians,
    }
}

/// Everything the dashboard shows (`PRECRE_TIMINGS=1` times each query). Counts, closures,
/// class mixes and the ratios' distributions (counted by rounded value) come from the summaries
/// the store keeps.
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
            let counts = timed("dashboard latest ratios", || store.latest_ratio_counts())?;
            timed("dashboard distributions", || {
                DASHBOARD_RATIOS
                    .iter()
                    .enumerate()
                    .map(|(k, r)| distribution(&counts, k, r))
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

    /// Each ratio is counted ten times finer than it is shown: percentages with one decimal
    /// (steps of 1/1,000 of the fraction), multiples with two.
    #[test]
    fn the_ratios_are_counted_ten_times_finer_than_shown() {
        use crate::finance::catalogue::Unit;
        for (ratio, scale) in DASHBOARD_RATIOS
            .iter()
            .zip(crate::store::ratio_counts::SCALES)
        {
            let def = find(ratio).unwrap().1;
            let shown = if def.unit == Unit::Percent {
                1_000.0
            } else {
                100.0
            };
            assert_eq!(scale, shown * 10.0, "{ratio}");
        }
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
}
