//! The split search of a node over presorted orders: each feature's keys scanned in order, one
//! sample at a time, the Gini score kept in integers where it can be.

use super::criterion::split_score;
use super::grow::{keep_better, Grower, Split, FAST_CLASSES};
use super::tree::Node;
use super::Criterion;

impl Grower<'_> {
    /// The best threshold of one feature in a node (the first of equal scores).
    pub(super) fn best_in_feature(
        &self,
        feature: usize,
        keys: &[u32],
        node: &Node,
        left: &mut [f64],
        right: &mut [f64],
    ) -> Option<Split> {
        let n = keys.len();
        if self.rank_of(keys[0]) == self.rank_of(keys[n - 1]) {
            return None; // constant here
        }
        left.iter_mut().for_each(|v| *v = 0.0);
        right.copy_from_slice(&node.counts);
        if self.criterion == Criterion::Gini
            && self.n_classes <= FAST_CLASSES
            && self.class_weight.iter().all(|w| *w == 1.0)
        {
            return self.best_gini_in_counts(feature, keys, right);
        }
        let (mut wl, mut wr) = (0.0, node.counts.iter().sum::<f64>());
        let mut best: Option<Split> = None;
        for i in 0..n - 1 {
            let c = self.class_of(keys[i]);
            let w = self.class_weight[c];
            left[c] += w;
            right[c] -= w;
            wl += w;
            wr -= w;
            let n_left = i + 1;
            if n_left < self.min_leaf {
                continue;
            }
            if n - n_left < self.min_leaf {
                break;
            }
            let (rank, next_rank) = (self.rank_of(keys[i]), self.rank_of(keys[i + 1]));
            if rank == next_rank {
                continue;
            }
            let score = split_score(self.criterion, left, right, wl, wr);
            keep_better(&mut best, score, || Split {
                feature,
                threshold: self.threshold(feature, rank, next_rank),
                score,
                n_left,
                rank,
            });
        }
        best
    }

    /// `best_in_feature` for Gini on unweighted counts: the sums of squared counts are kept as
    /// the scan moves one sample left (`(c + 1)^2 = c^2 + 2c + 1`) instead of summed over the
    /// classes at every boundary. Counts and sums are integers (registers' one-cycle adds, not a
    /// chain of floating-point ones), converted exactly, so the scores are the general scan's to
    /// the bit. Up to `FAST_CLASSES` classes; more take the general scan.
    fn best_gini_in_counts(&self, feature: usize, keys: &[u32], right: &[f64]) -> Option<Split> {
        let n = keys.len();
        let min_leaf = self.min_leaf.max(1);
        if n < 2 * min_leaf {
            return None;
        }
        let mut left_counts = [0i64; FAST_CLASSES];
        let mut right_counts = [0i64; FAST_CLASSES];
        for (r, &c) in right_counts.iter_mut().zip(right) {
            *r = c as i64;
        }
        let mut sl: i64 = 0;
        let mut sr: i64 = right_counts.iter().map(|c| c * c).sum();
        let mut best: Option<Split> = None;
        // Signed integers: they convert to floating point in one instruction.
        let n_all = n as i64;
        for i in 0..n - 1 {
            // A class is below FAST_CLASSES here: the remainder only spares the bounds checks.
            let c = self.class_of(keys[i]) % FAST_CLASSES;
            sl += 2 * left_counts[c] + 1;
            left_counts[c] += 1;
            sr -= 2 * right_counts[c] - 1;
            right_counts[c] -= 1;
            let n_left = i + 1;
            if n_left < min_leaf {
                continue;
            }
            if n - n_left < min_leaf {
                break;
            }
            let (rank, next_rank) = (self.rank_of(keys[i]), self.rank_of(keys[i + 1]));
            if rank == next_rank {
                continue;
            }
            let wl = n_left as i64;
            let score = sl as f64 / wl as f64 + sr as f64 / (n_all - wl) as f64;
            keep_better(&mut best, score, || Split {
                feature,
                threshold: self.threshold(feature, rank, next_rank),
                score,
                n_left,
                rank,
            });
        }
        best
    }
}
