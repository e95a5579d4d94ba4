//! Values kept as counts at a fixed step (a ratio rounded to 1/10,000, say, and how many firms
//! have each rounded value): quantiles and a histogram equal to those of the values written out
//! one by one, at the cost of one pass over the distinct values instead of a sort of them all.

/// How many steps of `1 / scale` from zero `value` lies, rounded half away from zero: the
/// bucket a store keeps it in, as SQLite's `CAST(round(value * scale) AS INTEGER)` computes it
/// (its `round` adds a half and truncates, which differs from `f64::round` just below halves).
pub fn bucket_of(value: f64, scale: f64) -> i64 {
    let r = value * scale;
    let rounded = if r.abs() > 4_503_599_627_370_496.0 {
        r
    } else {
        (r + if r < 0.0 { -0.5 } else { 0.5 }) as i64 as f64
    };
    rounded as i64
}

/// The value a bucket stands for: its step times the step's size.
pub fn bucket_value(bucket: i64, scale: f64) -> f64 {
    bucket as f64 / scale
}

/// Distinct values in increasing order, each with how many times it occurs (counts > 0).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CountedValues {
    pairs: Vec<(f64, u64)>,
    total: u64,
}

impl CountedValues {
    /// From pairs in increasing order of value; zero counts are dropped, equal values joined.
    pub fn from_sorted(pairs: impl IntoIterator<Item = (f64, u64)>) -> CountedValues {
        let mut out = CountedValues::default();
        for (v, n) in pairs {
            out.push(v, n);
        }
        out
    }

    fn push(&mut self, value: f64, n: u64) {
        if n == 0 {
            return;
        }
        match self.pairs.last_mut() {
            Some((last, count)) if *last == value => *count += n,
            _ => {
                debug_assert!(self.pairs.last().is_none_or(|(l, _)| *l < value));
                self.pairs.push((value, n));
            }
        }
        self.total += n;
    }

    /// All of `parts` as one (a merge of sorted lists).
    pub fn merged(parts: &[&CountedValues]) -> CountedValues {
        let mut all: Vec<(f64, u64)> = parts.iter().flat_map(|p| p.pairs.iter().copied()).collect();
        all.sort_by(|a, b| a.0.total_cmp(&b.0));
        CountedValues::from_sorted(all)
    }

    /// The distinct values in increasing order with their counts.
    pub fn pairs(&self) -> &[(f64, u64)] {
        &self.pairs
    }

    /// How many values there are (with repeats).
    pub fn len(&self) -> u64 {
        self.total
    }

    pub fn is_empty(&self) -> bool {
        self.total == 0
    }

    /// The value of rank `k` (0-based) among the values in order.
    fn at_rank(&self, k: u64) -> f64 {
        let mut seen = 0;
        for &(v, n) in &self.pairs {
            seen += n;
            if k < seen {
                return v;
            }
        }
        self.pairs.last().map_or(f64::NAN, |p| p.0)
    }

    /// The quantile `q` as `finance::peers::quantile_sorted` gives it on the values written
    /// out in order (linear between the two nearest ranks).
    pub fn quantile(&self, q: f64) -> Option<f64> {
        if self.total == 0 {
            return None;
        }
        let h = (self.total - 1) as f64 * q.clamp(0.0, 1.0);
        let (lo, hi) = (h.floor() as u64, h.ceil() as u64);
        let at_lo = self.at_rank(lo);
        let at_hi = if hi > lo { self.at_rank(hi) } else { at_lo };
        Some(at_lo + (h - lo as f64) * (at_hi - at_lo))
    }

    /// Counts in `bins` equal-width bins between the 2nd and 98th percentiles (values outside
    /// go into the end bins), as bin lower edges and counts.
    pub fn histogram(&self, bins: usize) -> Vec<(f64, u64)> {
        let (Some(lo), Some(hi)) = (self.quantile(0.02), self.quantile(0.98)) else {
            return Vec::new();
        };
        let width = if hi > lo {
            (hi - lo) / bins as f64
        } else {
            1.0
        };
        let mut counts = vec![0u64; bins.max(1)];
        let last = counts.len() - 1;
        for &(v, n) in &self.pairs {
            let b = ((v - lo) / width).floor();
            let b = if b.is_nan() { 0.0 } else { b };
            counts[(b.max(0.0) as usize).min(last)] += n;
        }
        counts
            .into_iter()
            .enumerate()
            .map(|(i, c)| (lo + i as f64 * width, c))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finance::peers::quantile_sorted;
    use proptest::prelude::*;

    /// The histogram as the dashboard computed it before counts, on every value.
    fn histogram_of_values(sorted: &[f64], bins: usize) -> Vec<(f64, u64)> {
        let (Some(lo), Some(hi)) = (quantile_sorted(sorted, 0.02), quantile_sorted(sorted, 0.98))
        else {
            return Vec::new();
        };
        let width = if hi > lo {
            (hi - lo) / bins as f64
        } else {
            1.0
        };
        let mut counts = vec![0u64; bins.max(1)];
        for v in sorted {
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

    fn counted(sorted: &[f64]) -> CountedValues {
        CountedValues::from_sorted(sorted.iter().map(|&v| (v, 1)))
    }

    proptest! {
        #[test]
        fn quantiles_and_histogram_are_those_of_the_values_written_out(
            raw in prop::collection::vec(-50i32..50, 0..300),
            split in 0usize..300,
        ) {
            let mut values: Vec<f64> = raw.iter().map(|&v| f64::from(v) / 4.0).collect();
            values.sort_by(f64::total_cmp);
            // Two parts merged, as the sectors are merged into the whole portfolio.
            let in_a = |i: usize| (i * 7 + split) % 3 == 0;
            let a: Vec<f64> = (0..values.len()).filter(|&i| in_a(i)).map(|i| values[i]).collect();
            let b: Vec<f64> = (0..values.len()).filter(|&i| !in_a(i)).map(|i| values[i]).collect();
            let whole = CountedValues::merged(&[&counted(&a), &counted(&b)]);
            prop_assert_eq!(whole.len(), values.len() as u64);
            for q in [0.0, 0.02, 0.25, 0.5, 0.98, 1.0] {
                prop_assert_eq!(whole.quantile(q), quantile_sorted(&values, q));
            }
            prop_assert_eq!(whole.histogram(12), histogram_of_values(&values, 12));
        }
    }

    #[test]
    fn buckets_round_half_away_from_zero_and_small_integers_come_back_exactly() {
        assert_eq!(bucket_of(0.12344, 10_000.0), 1234);
        assert_eq!(bucket_of(0.12345, 1_000.0), 123);
        assert_eq!(bucket_of(-0.00005, 10_000.0), -1);
        for k in -128..128 {
            let v = f64::from(k);
            assert_eq!(bucket_value(bucket_of(v, 10_000.0), 10_000.0), v);
        }
        assert_eq!(bucket_value(1234, 10_000.0), 0.1234);
    }
}
