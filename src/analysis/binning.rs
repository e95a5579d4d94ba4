//! Weight of evidence and information value of one input for "bad" against the rest, over
//! bins: given split points, monotonic bins found from the data, or a categorical input's
//! categories. Conventions are optbinning's: WoE = ln(share of the goods / share of the bads),
//! IV = sum over bins of (share of goods - share of bads) x WoE, a bin with no good or no bad
//! adds nothing, missing values form their own bin.

use serde::Serialize;

/// One bin: its bounds (`lower <= x < upper`; a category or the missing values instead), its
/// counts, and its weight of evidence and share of the IV.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Bin {
    pub label: String,
    pub count: usize,
    pub bad: usize,
    pub bad_rate: f64,
    pub woe: f64,
    pub iv: f64,
}

/// The bins of one input and its information value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Binning {
    /// Split points of a numeric input (empty for a categorical one).
    pub splits: Vec<f64>,
    pub bins: Vec<Bin>,
    pub iv: f64,
    /// The bad rate's direction over the numeric bins: "ascending", "descending", or "flat".
    pub trend: &'static str,
}

/// Pre-binning: at most this many bins of at least this share of the present values
/// (optbinning's defaults, `max_n_prebins=20`, `min_prebin_size=0.05`).
#[derive(Debug, Clone, Copy)]
pub struct BinningRule {
    pub max_prebins: usize,
    pub min_bin_share: f64,
}

impl Default for BinningRule {
    fn default() -> Self {
        BinningRule {
            max_prebins: 20,
            min_bin_share: 0.05,
        }
    }
}

/// Counts per bin (good, bad) and the totals, turned into WoE and IV.
fn finish(labels: Vec<String>, counts: &[(usize, usize)], splits: Vec<f64>) -> Binning {
    let total_bad: usize = counts.iter().map(|c| c.1).sum();
    let total_good: usize = counts.iter().map(|c| c.0).sum();
    let mut iv = 0.0;
    let bins = labels
        .into_iter()
        .zip(counts)
        .map(|(label, &(good, bad))| {
            let (woe, part) = if good > 0 && bad > 0 && total_good > 0 && total_bad > 0 {
                let g = good as f64 / total_good as f64;
                let b = bad as f64 / total_bad as f64;
                let woe = (g / b).ln();
                (woe, (g - b) * woe)
            } else {
                (0.0, 0.0)
            };
            iv += part;
            let count = good + bad;
            Bin {
                label,
                count,
                bad,
                bad_rate: if count > 0 {
                    bad as f64 / count as f64
                } else {
                    0.0
                },
                woe,
                iv: part,
            }
        })
        .collect();
    let mut b = Binning {
        splits,
        bins,
        iv,
        trend: "flat",
    };
    b.trend = trend_of(&b);
    b
}

fn trend_of(b: &Binning) -> &'static str {
    let rates: Vec<f64> = b
        .bins
        .iter()
        .take(b.splits.len() + 1)
        .filter(|bin| bin.count > 0)
        .map(|bin| bin.bad_rate)
        .collect();
    if rates.windows(2).all(|w| w[0] <= w[1]) && rates.first() < rates.last() {
        "ascending"
    } else if rates.windows(2).all(|w| w[0] >= w[1]) && rates.first() > rates.last() {
        "descending"
    } else if rates.windows(2).all(|w| w[0] == w[1]) {
        "flat"
    } else {
        "mixed"
    }
}

fn bound(v: f64) -> String {
    if v.is_infinite() {
        if v > 0.0 { "inf" } else { "-inf" }.to_string()
    } else {
        format!("{v:.6}")
            .trim_end_matches('0')
            .trim_end_matches('.')
            .to_string()
    }
}

/// WoE and IV over given split points: bin k holds `splits[k-1] <= x < splits[k]`, and the
/// missing values (NaN) are the last bin.
pub fn over_splits(x: &[f64], bad: &[bool], splits: &[f64]) -> Binning {
    let mut counts = vec![(0usize, 0usize); splits.len() + 2];
    for (&v, &is_bad) in x.iter().zip(bad) {
        let k = if v.is_nan() {
            splits.len() + 1
        } else {
            splits.partition_point(|s| *s <= v)
        };
        if is_bad {
            counts[k].1 += 1;
        } else {
            counts[k].0 += 1;
        }
    }
    let mut labels: Vec<String> = (0..=splits.len())
        .map(|k| {
            let lo = if k == 0 {
                f64::NEG_INFINITY
            } else {
                splits[k - 1]
            };
            let hi = splits.get(k).copied().unwrap_or(f64::INFINITY);
            format!("[{}, {})", bound(lo), bound(hi))
        })
        .collect();
    labels.push("missing".into());
    finish(labels, &counts, splits.to_vec())
}

/// Monotonic bins, as optbinning finds them: pre-bins by a classification tree's splits (best
/// first by Gini decrease, at most `max_prebins` leaves of at least `min_bin_share` of the
/// present values, split points half-way between two values), then the merge of adjacent
/// pre-bins with the largest IV among those whose bad rate only rises (or only falls) from bin
/// to bin and whose every bin holds a good and a bad (found exactly, by dynamic programming,
/// where optbinning runs a constraint solver); of the two directions, the larger IV.
pub fn monotonic(x: &[f64], bad: &[bool], rule: BinningRule) -> Binning {
    let mut present: Vec<(f64, bool)> = x
        .iter()
        .zip(bad)
        .filter(|(v, _)| !v.is_nan())
        .map(|(v, b)| (*v, *b))
        .collect();
    present.sort_by(|a, b| a.0.total_cmp(&b.0));
    let n = present.len();
    if n == 0 {
        return over_splits(x, bad, &[]);
    }
    let min_size = ((rule.min_bin_share * n as f64).ceil() as usize).max(1);
    let prebins = tree_prebins(&present, min_size, rule.max_prebins.max(1));
    // Good/bad counts per pre-bin, and the totals over all rows (missing ones included).
    let mut groups: Vec<(usize, usize)> = Vec::with_capacity(prebins.len() + 1);
    let mut start = 0;
    for &end in prebins.iter().chain(std::iter::once(&n)) {
        let bads = present[start..end].iter().filter(|p| p.1).count();
        groups.push((end - start - bads, bads));
        start = end;
    }
    let total_bad = bad.iter().filter(|b| **b).count();
    let total_good = bad.len() - total_bad;
    let cuts = [true, false]
        .into_iter()
        .filter_map(|ascending| best_merge(&groups, ascending, total_good, total_bad))
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, cuts)| cuts)
        .unwrap_or_default();
    let splits: Vec<f64> = cuts
        .iter()
        .map(|&g| {
            let at = prebins[g - 1];
            (present[at - 1].0 + present[at].0) / 2.0
        })
        .collect();
    over_splits(x, bad, &splits)
}

/// Pre-bin boundaries (row counts before each split) of a best-first classification tree on the
/// sorted values: each leaf holds at least `min_size` rows, ties are never separated.
fn tree_prebins(sorted: &[(f64, bool)], min_size: usize, max_leaves: usize) -> Vec<usize> {
    let n = sorted.len();
    let mut bads_before = vec![0usize; n + 1];
    for (i, p) in sorted.iter().enumerate() {
        bads_before[i + 1] = bads_before[i] + usize::from(p.1);
    }
    let gini = |a: usize, b: usize| {
        let m = (b - a) as f64;
        if m == 0.0 {
            return 0.0;
        }
        let p = (bads_before[b] - bads_before[a]) as f64 / m;
        m * 2.0 * p * (1.0 - p)
    };
    let best_split = |a: usize, b: usize| -> Option<(f64, usize)> {
        let parent = gini(a, b);
        (a + min_size..=b.saturating_sub(min_size))
            .filter(|&k| k > a && k < b && sorted[k - 1].0 < sorted[k].0)
            .map(|k| (parent - gini(a, k) - gini(k, b), k))
            .filter(|(gain, _)| *gain > 1e-12)
            .max_by(|x, y| x.0.total_cmp(&y.0).then(y.1.cmp(&x.1)))
    };
    let mut leaves: Vec<(usize, usize)> = vec![(0, n)];
    let mut cuts = Vec::new();
    while leaves.len() < max_leaves {
        let best = leaves
            .iter()
            .enumerate()
            .filter_map(|(i, &(a, b))| best_split(a, b).map(|(g, k)| (g, i, k)))
            .max_by(|x, y| x.0.total_cmp(&y.0));
        let Some((_, i, k)) = best else { break };
        let (a, b) = leaves.remove(i);
        leaves.push((a, k));
        leaves.push((k, b));
        cuts.push(k);
    }
    cuts.sort_unstable();
    cuts
}

/// The merge of adjacent groups with the largest IV under a monotonic bad rate (each bin with a
/// good and a bad): returns the IV and the group indices where a new bin starts.
fn best_merge(
    groups: &[(usize, usize)],
    ascending: bool,
    total_good: usize,
    total_bad: usize,
) -> Option<(f64, Vec<usize>)> {
    let p = groups.len();
    let mut good_before = vec![0usize; p + 1];
    let mut bad_before = vec![0usize; p + 1];
    for (i, g) in groups.iter().enumerate() {
        good_before[i + 1] = good_before[i] + g.0;
        bad_before[i + 1] = bad_before[i] + g.1;
    }
    let counts = |i: usize, j: usize| {
        (
            good_before[j] - good_before[i],
            bad_before[j] - bad_before[i],
        )
    };
    let rate = |i: usize, j: usize| {
        let (g, b) = counts(i, j);
        b as f64 / (g + b) as f64
    };
    let iv = |i: usize, j: usize| -> Option<f64> {
        let (g, b) = counts(i, j);
        if g == 0 || b == 0 {
            return None;
        }
        let gs = g as f64 / total_good as f64;
        let bs = b as f64 / total_bad as f64;
        Some((gs - bs) * (gs / bs).ln())
    };
    let in_order = |prev: f64, next: f64| {
        if ascending {
            prev <= next
        } else {
            prev >= next
        }
    };
    // best[j][i]: the largest IV of groups 0..j cut into bins whose last is i..j, and its
    // previous bin's start.
    let mut best: Vec<Vec<Option<(f64, usize)>>> = vec![vec![None; p + 1]; p + 1];
    for j in 1..=p {
        let row: Vec<Option<(f64, usize)>> = (0..=p)
            .map(|i| {
                if i >= j {
                    return None;
                }
                let own = iv(i, j)?;
                if i == 0 {
                    return Some((own, usize::MAX));
                }
                let r = rate(i, j);
                (0..i)
                    .filter_map(|h| best[i][h].map(|(v, _)| (v, h)))
                    .filter(|&(_, h)| in_order(rate(h, i), r))
                    .max_by(|a, b| a.0.total_cmp(&b.0))
                    .map(|(v, h)| (v + own, h))
            })
            .collect();
        best[j] = row;
    }
    let (mut i, (value, _)) = (0..p)
        .filter_map(|i| best[p][i].map(|b| (i, b)))
        .max_by(|a, b| a.1 .0.total_cmp(&b.1 .0))?;
    let mut starts = Vec::new();
    let mut j = p;
    while i != 0 && i != usize::MAX {
        starts.push(i);
        let prev = best[j][i].map_or(usize::MAX, |b| b.1);
        j = i;
        i = prev;
    }
    starts.reverse();
    Some((value, starts))
}

/// WoE and IV of a categorical input: one bin per category (codes index `categories`; NaN or
/// an unknown code is missing), no monotonic order.
pub fn categorical(codes: &[f64], bad: &[bool], categories: &[String]) -> Binning {
    let mut counts = vec![(0usize, 0usize); categories.len() + 1];
    for (&c, &is_bad) in codes.iter().zip(bad) {
        let k = if c.is_nan() || c < 0.0 || c as usize >= categories.len() {
            categories.len()
        } else {
            c as usize
        };
        if is_bad {
            counts[k].1 += 1;
        } else {
            counts[k].0 += 1;
        }
    }
    let mut labels = categories.to_vec();
    labels.push("missing".into());
    let mut b = finish(labels, &counts, Vec::new());
    b.trend = "categorical";
    b
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A hand computation: bins [-inf,1) and [1,inf); x = 0,0,0,0 (bads: 3 of 4) and 2,2,2,2,2,2
    /// (bads: 1 of 6). Goods 1 and 5 of 6, bads 3 and 1 of 4.
    /// WoE_1 = ln((1/6)/(3/4)) = -1.504077, WoE_2 = ln((5/6)/(1/4)) = 1.203973;
    /// IV = (1/6-3/4)(-1.504077) + (5/6-1/4)(1.203973) = 0.877378 + 0.702318 = 1.579696.
    #[test]
    fn iv_by_hand() {
        let x = [0.0, 0.0, 0.0, 0.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0];
        let bad = [
            true, true, true, false, true, false, false, false, false, false,
        ];
        let b = over_splits(&x, &bad, &[1.0]);
        assert!((b.bins[0].woe + 1.504077).abs() < 1e-6);
        assert!((b.bins[1].woe - 1.203973).abs() < 1e-6);
        assert!((b.iv - 1.579696).abs() < 1e-6, "{}", b.iv);
        assert_eq!(b.trend, "descending");
        assert_eq!(b.bins[2].label, "missing");
        assert_eq!(b.bins[2].count, 0);
    }

    #[test]
    fn monotonic_bins_have_monotonic_bad_rates() {
        // Bad rate rises with x but noisily: every 7th row bad below 50, every 2nd above 70.
        let x: Vec<f64> = (0..1000).map(|i| (i % 100) as f64).collect();
        let bad: Vec<bool> = (0..1000)
            .map(|i| {
                let v = i % 100;
                (v < 50 && i % 7 == 0)
                    || ((50..70).contains(&v) && i % 5 == 0)
                    || (v >= 70 && i % 2 == 0)
            })
            .collect();
        let b = monotonic(&x, &bad, BinningRule::default());
        assert_eq!(b.trend, "ascending");
        assert!(b
            .bins
            .iter()
            .take(b.splits.len() + 1)
            .all(|bin| bin.count >= 50));
        assert!(b.iv > 0.3, "{}", b.iv);
    }
}
