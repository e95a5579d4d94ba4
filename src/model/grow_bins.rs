//! The tree's features with few distinct values, split on class-count histograms instead of
//! presorted orders: a node's histogram is built from the smaller child's rows and the larger
//! child's is the parent's minus it, so these features need no partition at each split and no
//! scan over every sample of a node.
//!
//! Taken only where the integer Gini scan is (Gini, unweighted classes, at most `FAST_CLASSES`):
//! the histogram's class counts give that scan's integer sums at each boundary between two
//! values present in the node, so the scores, the thresholds and the first of equal scores are
//! the presorted scan's, and the tree is the same node for node (the tests grow both).

use super::grow::{keep_better, Grower, Split, FAST_CLASSES};

/// Features with at most this many distinct values are binned (when the Gini scan allows):
/// every node that can be split scans each binned input's bins, so many bins cost more than
/// the presorted scan in the deep tree's thousands of small nodes. Fits through `precre train`
/// on 100,000 x 24 (medians of 7, presorted / binned): the skewed generator (twelve inputs of
/// 13 or 6 values) 0.108 / 0.082 s; the normal one rounded to about 60 values an input
/// 0.095 / 0.071 s; rounded to about 240, 0.099 s presorted and 0.121 s binned (a bound of 255).
pub(crate) const MAX_BINS: usize = 64;

/// The binned features and each row's bin (its value's rank) in each of them.
pub(crate) struct Bins {
    /// The binned features, ascending.
    features: Vec<usize>,
    /// Each binned feature's number of bins (distinct values).
    n_bins: Vec<usize>,
    /// Where each binned feature's counts start in a histogram (bin-major, class-minor).
    offsets: Vec<usize>,
    /// A histogram's length: every binned feature's bins times the classes.
    len: usize,
    /// Each row's bins, row after row: `codes[row * features.len() + j]` (one cache line
    /// holds a row's bins in every feature, which is what a histogram build reads).
    codes: Vec<u8>,
    n_classes: usize,
}

impl Bins {
    /// `binned`: (feature, its number of bins, each row's bin), features ascending, at most
    /// `MAX_BINS` bins each.
    pub fn new(n_rows: usize, n_classes: usize, binned: Vec<(usize, usize, Vec<u32>)>) -> Bins {
        let width = binned.len();
        let mut codes = vec![0u8; n_rows * width];
        let (mut features, mut n_bins, mut offsets, mut len) = (vec![], vec![], vec![], 0);
        for (j, (feature, bins, rows)) in binned.into_iter().enumerate() {
            assert!(bins <= MAX_BINS && rows.len() == n_rows);
            for (r, &bin) in rows.iter().enumerate() {
                codes[r * width + j] = bin as u8;
            }
            features.push(feature);
            n_bins.push(bins);
            offsets.push(len);
            len += bins * n_classes;
        }
        Bins {
            features,
            n_bins,
            offsets,
            len,
            codes,
            n_classes,
        }
    }

    pub fn len(&self) -> usize {
        self.features.len()
    }

    pub fn is_empty(&self) -> bool {
        self.features.is_empty()
    }

    /// The position of `feature` among the binned ones.
    pub fn position(&self, feature: usize) -> Option<usize> {
        self.features.binary_search(&feature).ok()
    }

    fn bin(&self, row: u32, j: usize) -> u32 {
        u32::from(self.codes[row as usize * self.features.len() + j])
    }

    /// The histogram of the rows `idx` whose classes are in the low `class_bits` of `keys`
    /// (the rows of a node, from any presorted order), into `out` (resized to fit).
    pub fn build(&self, idx: &[u32], keys: &[u32], class_bits: u32, out: &mut Vec<u32>) {
        out.clear();
        out.resize(self.len, 0);
        let width = self.features.len();
        let mask = (1u32 << class_bits) - 1;
        for (&r, &k) in idx.iter().zip(keys) {
            let class = (k & mask) as usize;
            let row = &self.codes[r as usize * width..][..width];
            for ((&bin, &offset), _) in row.iter().zip(&self.offsets).zip(0..width) {
                out[offset + bin as usize * self.n_classes + class] += 1;
            }
        }
    }

    /// Turns a parent's histogram into its other child's: `parent - child`, in place.
    pub fn subtract(parent: &mut [u32], child: &[u32]) {
        parent.iter_mut().zip(child).for_each(|(p, c)| *p -= c);
    }

    /// Whether `row` goes left in a split of binned feature `j` at `rank` (its bin at most it).
    pub fn goes_left(&self, row: u32, j: usize, rank: u32) -> bool {
        self.bin(row, j) <= rank
    }

    /// The histogram span of binned feature `j`.
    fn counts<'h>(&self, hist: &'h [u32], j: usize) -> &'h [u32] {
        &hist[self.offsets[j]..self.offsets[j] + self.n_bins[j] * self.n_classes]
    }
}

impl Grower<'_> {
    /// The best split of binned feature `j` in a node of `n` samples whose histogram is
    /// `hist`: the integer Gini scan of `best_gini_in_counts`, a whole bin at a time.
    pub(super) fn best_in_bins(
        &self,
        bins: &Bins,
        j: usize,
        hist: &[u32],
        node_counts: &[f64],
        n: usize,
    ) -> Option<Split> {
        let min_leaf = self.min_leaf.max(1);
        if n < 2 * min_leaf {
            return None;
        }
        let feature = bins.features[j];
        let nc = self.n_classes;
        let mut left_counts = [0i64; FAST_CLASSES];
        let mut right_counts = [0i64; FAST_CLASSES];
        for (r, &c) in right_counts.iter_mut().zip(node_counts) {
            *r = c as i64;
        }
        let (mut sl, mut sr): (i64, i64) = (0, right_counts.iter().map(|c| c * c).sum());
        let n_all = n as i64;
        let (mut n_left, mut previous): (i64, Option<u32>) = (0, None);
        let mut best: Option<Split> = None;
        for (bin, counts) in bins.counts(hist, j).chunks_exact(nc).enumerate() {
            let size: i64 = counts.iter().map(|&c| i64::from(c)).sum();
            if size == 0 {
                continue;
            }
            let bin = bin as u32;
            if let Some(rank) = previous {
                if n_left >= min_leaf as i64 {
                    if n_all - n_left < min_leaf as i64 {
                        break;
                    }
                    let score = sl as f64 / n_left as f64 + sr as f64 / (n_all - n_left) as f64;
                    keep_better(&mut best, score, || Split {
                        feature,
                        threshold: self.threshold(feature, rank, bin),
                        score,
                        n_left: n_left as usize,
                        rank,
                    });
                }
            }
            for (c, &k) in counts.iter().enumerate() {
                let (k, c) = (i64::from(k), c % FAST_CLASSES);
                sl += 2 * left_counts[c] * k + k * k;
                left_counts[c] += k;
                sr -= 2 * right_counts[c] * k - k * k;
                right_counts[c] -= k;
            }
            n_left += size;
            previous = Some(bin);
        }
        best
    }

    /// The histograms of a split node's children, from the parent's (consumed): the smaller
    /// child's built from its rows, the larger's the parent's minus it. A child that cannot be
    /// split gets an empty one. `left` and `right`: each child's rows and keys, from the
    /// carrier (the first presorted order); `needed`: whether each child can be split.
    pub(super) fn child_hists(
        &self,
        parent: Vec<u32>,
        left: (&[u32], &[u32]),
        right: (&[u32], &[u32]),
        needed: (bool, bool),
        spare: Option<Vec<u32>>,
    ) -> (Vec<u32>, Vec<u32>) {
        let Some(bins) = self.bins.filter(|b| !b.is_empty()) else {
            return (Vec::new(), Vec::new());
        };
        let (need_l, need_r) = needed;
        if !need_l && !need_r {
            return (Vec::new(), Vec::new());
        }
        let left_smaller = left.0.len() <= right.0.len();
        let (small, small_needed, large_needed) = if left_smaller {
            (left, need_l, need_r)
        } else {
            (right, need_r, need_l)
        };
        let mut small_hist = spare.unwrap_or_default();
        bins.build(small.0, small.1, self.class_bits, &mut small_hist);
        let mut large_hist = parent;
        if large_needed {
            Bins::subtract(&mut large_hist, &small_hist);
        } else {
            large_hist = Vec::new();
        }
        if !small_needed {
            small_hist = Vec::new();
        }
        if left_smaller {
            (small_hist, large_hist)
        } else {
            (large_hist, small_hist)
        }
    }
}
