//! The reports credit people read of a model's scored sample (issue 13, item 3): the gains / KS table by
//! score group, calibration (observed against predicted bad rate, Brier score, the
//! Hosmer-Lemeshow statistic and its p-value) and score bands with their bad rates. Pure: a
//! sample is the "is bad" flags and the predicted chances of bad, from any model kind.

use serde::{Deserialize, Serialize};

/// The reports' default score groups (deciles) and the chances of bad that cut the bands, as
/// `precre report` and the Reports pane use them.
pub const DEFAULT_GROUPS: usize = 10;
pub const DEFAULT_BANDS: [f64; 4] = [0.05, 0.1, 0.2, 0.4];

/// A scored sample: whether each object turned out bad, and the chance of bad it was given.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Sample {
    pub bad: Vec<bool>,
    pub p_bad: Vec<f64>,
}

/// The three reports of one sample.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reports {
    pub n: usize,
    pub bads: usize,
    pub gains: Gains,
    pub calibration: Calibration,
    pub bands: Vec<Band>,
}

/// The gains table and calibration by `groups` score groups, and the bands `edges` cut.
pub fn reports(sample: &Sample, groups: usize, edges: &[f64]) -> Reports {
    let (bad, p) = (&sample.bad, &sample.p_bad);
    Reports {
        n: bad.len(),
        bads: bad.iter().filter(|b| **b).count(),
        gains: gains(bad, p, groups),
        calibration: calibration(bad, p, groups),
        bands: bands(bad, p, edges),
    }
}

/// Rows sorted riskiest first (highest chance of bad), ties kept in sample order, and cut into
/// `groups` parts of nearly equal size: row of rank i goes to part floor(i * groups / n).
fn ranked_groups(p_bad: &[f64], groups: usize, riskiest_first: bool) -> Vec<Vec<usize>> {
    let n = p_bad.len();
    let groups = groups.clamp(1, n.max(1));
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| {
        let c = p_bad[a].total_cmp(&p_bad[b]);
        (if riskiest_first { c.reverse() } else { c }).then(a.cmp(&b))
    });
    let mut out = vec![Vec::new(); groups];
    for (rank, &i) in order.iter().enumerate() {
        out[rank * groups / n.max(1)].push(i);
    }
    out
}

/// One score group of the gains table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GainsRow {
    /// 1 = the riskiest group.
    pub group: usize,
    pub count: usize,
    pub bads: usize,
    pub bad_rate: f64,
    /// The lowest and highest predicted chance of bad in the group.
    pub min_p: f64,
    pub max_p: f64,
    /// Shares of all bads and of all goods in this group and the riskier ones.
    pub cum_bad_share: f64,
    pub cum_good_share: f64,
    /// cum_bad_share - cum_good_share at this group's lower edge.
    pub ks: f64,
    /// The group's bad rate over the sample's.
    pub lift: f64,
    /// The bad rate of this group and the riskier ones over the sample's.
    pub cum_lift: f64,
}

/// The gains / KS table, and the KS statistic over every threshold (not only group edges).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Gains {
    pub rows: Vec<GainsRow>,
    pub ks: f64,
    pub bad_rate: f64,
}

/// The gains table of `groups` score groups (10 = deciles).
pub fn gains(bad: &[bool], p_bad: &[f64], groups: usize) -> Gains {
    let n = bad.len();
    let total_bads = bad.iter().filter(|&&b| b).count();
    let total_goods = n - total_bads;
    let rate = |b: usize, c: usize| if c == 0 { 0.0 } else { b as f64 / c as f64 };
    let overall = rate(total_bads, n);
    let (mut cum_b, mut cum_n) = (0usize, 0usize);
    let rows = ranked_groups(p_bad, groups, true)
        .into_iter()
        .enumerate()
        .map(|(g, rows)| {
            let bads = rows.iter().filter(|&&i| bad[i]).count();
            cum_b += bads;
            cum_n += rows.len();
            let cum_bad_share = rate(cum_b, total_bads);
            let cum_good_share = rate(cum_n - cum_b, total_goods);
            let ps = rows.iter().map(|&i| p_bad[i]);
            GainsRow {
                group: g + 1,
                count: rows.len(),
                bads,
                bad_rate: rate(bads, rows.len()),
                min_p: ps.clone().fold(f64::INFINITY, f64::min),
                max_p: ps.fold(f64::NEG_INFINITY, f64::max),
                cum_bad_share,
                cum_good_share,
                ks: cum_bad_share - cum_good_share,
                lift: if overall > 0.0 {
                    rate(bads, rows.len()) / overall
                } else {
                    0.0
                },
                cum_lift: if overall > 0.0 {
                    rate(cum_b, cum_n) / overall
                } else {
                    0.0
                },
            }
        })
        .collect();
    Gains {
        rows,
        ks: ks_statistic(bad, p_bad),
        bad_rate: overall,
    }
}

/// The Kolmogorov-Smirnov statistic of the bads' and the goods' scores: the largest gap between
/// their cumulative distributions over every threshold (tied scores move together), in the
/// direction of risk (bads scored higher), as the ROC's `max(tpr - fpr)` (`metrics::roc`); for a
/// model that ranks bads above goods it equals `scipy.stats.ks_2samp(p[bad], p[good])`.
pub fn ks_statistic(bad: &[bool], p_bad: &[f64]) -> f64 {
    super::metrics::roc(p_bad, bad).2.unwrap_or(0.0)
}

/// One group of the calibration table (safest first, as Hosmer and Lemeshow order them).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CalibrationRow {
    pub group: usize,
    pub count: usize,
    pub mean_predicted: f64,
    pub observed: f64,
    /// Expected and observed bads.
    pub expected_bads: f64,
    pub bads: usize,
}

/// Calibration of the predicted chances of bad.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Calibration {
    pub rows: Vec<CalibrationRow>,
    /// Mean squared gap between the chance of bad and the outcome (0/1).
    pub brier: f64,
    /// Σ (O - E)² / (E (1 - E / n)) over the groups.
    pub hosmer_lemeshow: f64,
    /// Groups - 2.
    pub degrees_of_freedom: usize,
    /// The chance of a statistic this large from a calibrated model (chi-square).
    pub p_value: f64,
}

/// Calibration over `groups` groups of predicted chance (10 for the usual test).
pub fn calibration(bad: &[bool], p_bad: &[f64], groups: usize) -> Calibration {
    let n = bad.len();
    let brier = if n == 0 {
        0.0
    } else {
        bad.iter()
            .zip(p_bad)
            .map(|(&b, &p)| (p - f64::from(u8::from(b))).powi(2))
            .sum::<f64>()
            / n as f64
    };
    let mut statistic = 0.0;
    let parts = ranked_groups(p_bad, groups, false);
    let rows: Vec<CalibrationRow> = parts
        .iter()
        .enumerate()
        .map(|(g, rows)| {
            let count = rows.len();
            let expected: f64 = rows.iter().map(|&i| p_bad[i]).sum();
            let bads = rows.iter().filter(|&&i| bad[i]).count();
            let denominator = expected * (1.0 - expected / count.max(1) as f64);
            if denominator > 0.0 {
                statistic += (bads as f64 - expected).powi(2) / denominator;
            }
            CalibrationRow {
                group: g + 1,
                count,
                mean_predicted: expected / count.max(1) as f64,
                observed: bads as f64 / count.max(1) as f64,
                expected_bads: expected,
                bads,
            }
        })
        .collect();
    let df = rows.len().saturating_sub(2).max(1);
    Calibration {
        rows,
        brier,
        hosmer_lemeshow: statistic,
        degrees_of_freedom: df,
        p_value: chi_square_sf(statistic, df as f64),
    }
}

/// One score band.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Band {
    /// The band's chances of bad: [from, to) (the last band includes 1).
    pub from: f64,
    pub to: f64,
    pub count: usize,
    pub bads: usize,
    pub bad_rate: f64,
    pub share: f64,
}

/// The bands the edges cut [0, 1] into (edges strictly between 0 and 1, ascending).
pub fn bands(bad: &[bool], p_bad: &[f64], edges: &[f64]) -> Vec<Band> {
    let mut cuts = vec![0.0];
    cuts.extend(edges.iter().copied().filter(|e| *e > 0.0 && *e < 1.0));
    cuts.push(1.0);
    let n = bad.len().max(1) as f64;
    cuts.windows(2)
        .enumerate()
        .map(|(k, w)| {
            let last = k + 2 == cuts.len();
            let inside = |p: f64| p >= w[0] && (p < w[1] || (last && p <= w[1]));
            let (mut count, mut bads) = (0, 0);
            for (&b, &p) in bad.iter().zip(p_bad) {
                if inside(p) {
                    count += 1;
                    bads += usize::from(b);
                }
            }
            Band {
                from: w[0],
                to: w[1],
                count,
                bads,
                bad_rate: if count == 0 {
                    0.0
                } else {
                    bads as f64 / count as f64
                },
                share: count as f64 / n,
            }
        })
        .collect()
}

/// The upper tail of the chi-square distribution: Q(df / 2, x / 2), the regularized upper
/// incomplete gamma function (series below a + 1, Lentz's continued fraction above).
pub fn chi_square_sf(x: f64, df: f64) -> f64 {
    if x <= 0.0 {
        return 1.0;
    }
    let (a, x) = (df / 2.0, x / 2.0);
    let log_front = a * x.ln() - x - ln_gamma(a);
    if x < a + 1.0 {
        // P(a, x) by its series; Q = 1 - P.
        let (mut term, mut sum, mut ap) = (1.0 / a, 1.0 / a, a);
        for _ in 0..10_000 {
            ap += 1.0;
            term *= x / ap;
            sum += term;
            if term.abs() < sum.abs() * 1e-16 {
                break;
            }
        }
        (1.0 - sum * log_front.exp()).max(0.0)
    } else {
        let tiny = 1e-300;
        let mut b = x + 1.0 - a;
        let mut c = 1.0 / tiny;
        let mut d = 1.0 / b;
        let mut h = d;
        for i in 1..10_000 {
            let an = -(i as f64) * (i as f64 - a);
            b += 2.0;
            d = an * d + b;
            if d.abs() < tiny {
                d = tiny;
            }
            c = b + an / c;
            if c.abs() < tiny {
                c = tiny;
            }
            d = 1.0 / d;
            let step = d * c;
            h *= step;
            if (step - 1.0).abs() < 1e-16 {
                break;
            }
        }
        log_front.exp() * h
    }
}

/// ln Γ(x) for x > 0 (Lanczos, g = 7, n = 9: about 15 significant digits).
fn ln_gamma(x: f64) -> f64 {
    const G: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        // Reflection: Γ(x) Γ(1 - x) = π / sin(πx).
        return (std::f64::consts::PI / (std::f64::consts::PI * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut a = G[0];
    let t = x + 7.5;
    for (i, g) in G.iter().enumerate().skip(1) {
        a += g / (x + i as f64);
    }
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + a.ln()
}
