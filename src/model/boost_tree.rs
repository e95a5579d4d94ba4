//! One tree of the booster, grown leaf by leaf on per-bin gradient and hessian sums (a child's
//! sums are its parent's less its smaller sibling's), up to the number of leaves asked.

use super::boost::BoostParams;
use super::boost_rows::RowRecords;
use super::hist::{Binned, HistTree};
use rayon::prelude::*;

/// The least hessian sum a child may have (LightGBM's `min_sum_hessian_in_leaf`).
const MIN_HESSIAN: f64 = 1e-3;

/// A histogram's cells per input: one for every byte value, so a code indexes its input's
/// cells without a bounds check.
const CELLS: usize = 256;

/// Per-bin sums of one leaf: for input f and bin b, `[g, h]` at `f * CELLS + b`. A
/// bin's row count is estimated from its hessian sum, as LightGBM does (`n * h_bin / h_leaf`).
type Histogram = Vec<[f64; 2]>;

struct Best {
    gain: f64,
    feature: usize,
    bin: u8,
}

struct Leaf {
    node: usize,
    lo: usize,
    hi: usize,
    g: f64,
    h: f64,
    hist: Histogram,
    best: Option<Best>,
}

/// Rows per partial histogram: fixed, so the sums (and the model) do not depend on the number
/// of threads.
const HISTOGRAM_CHUNK: usize = 8192;

/// The per-bin sums of `rows`, reading each row's record (gradient, hessian, codes).
fn build_histogram(records: &RowRecords, rows: &[u32]) -> Histogram {
    let p = records.inputs();
    let partial = |part: &[u32]| {
        let mut hist = vec![[0.0f64; 2]; p * CELLS];
        for &r in part {
            let (gr, hr, codes) = records.record(r as usize);
            for (cells, &code) in hist.chunks_exact_mut(CELLS).zip(codes) {
                let cells: &mut [[f64; 2]; CELLS] = cells.try_into().expect("a full input");
                let cell = &mut cells[code as usize];
                cell[0] += gr;
                cell[1] += hr;
            }
        }
        hist
    };
    if rows.len() <= HISTOGRAM_CHUNK {
        return partial(rows);
    }
    let parts: Vec<Histogram> = rows.par_chunks(HISTOGRAM_CHUNK).map(partial).collect();
    let mut iter = parts.into_iter();
    let mut hist = iter.next().unwrap_or_default();
    for part in iter {
        hist.iter_mut().zip(&part).for_each(|(a, b)| {
            a[0] += b[0];
            a[1] += b[1];
        });
    }
    hist
}

fn score(g: f64, h: f64, lambda: f64) -> f64 {
    g * g / (h + lambda)
}

/// A candidate split's score as a fraction and where it is: (numerator, denominator, input
/// and bin).
type Candidate = (f64, f64, Option<(usize, u8)>);

fn best_split(binned: &Binned, leaf: &Leaf, params: &BoostParams) -> Option<Best> {
    let n = (leaf.hi - leaf.lo) as f64;
    let min_data = params.min_data_in_leaf.max(1) as f64;
    if n < 2.0 * min_data {
        return None;
    }
    let parent = score(leaf.g, leaf.h, params.lambda);
    // The first candidate must beat the parent's score by 1e-12.
    let floor: Candidate = (parent + 1e-12, 1.0, None);
    // The inputs in two halves side by side: a round's class trees outnumber the cores, so
    // the last tree's searches would otherwise leave a core idle. The halves reduce as the
    // sequential scan does: the second half's best wins only when strictly better.
    let p = binned.features();
    let (first, second) = rayon::join(
        || best_in_inputs(binned, leaf, params, 0..p / 2, floor),
        || best_in_inputs(binned, leaf, params, p / 2..p, floor),
    );
    let (num, den, at) = if second.0 * first.1 > first.0 * second.1 {
        second
    } else {
        first
    };
    at.map(|(feature, bin)| Best {
        gain: num / den - parent,
        feature,
        bin,
    })
}

/// The best split among `inputs` that beats `floor`. Gains are compared as fractions,
/// `num / den` against the best's, by cross multiplication: no division per bin (both
/// denominators are positive).
fn best_in_inputs(
    binned: &Binned,
    leaf: &Leaf,
    params: &BoostParams,
    inputs: std::ops::Range<usize>,
    floor: Candidate,
) -> Candidate {
    let n = (leaf.hi - leaf.lo) as f64;
    let min_data = params.min_data_in_leaf.max(1) as f64;
    let lambda = params.lambda;
    let (mut best_num, mut best_den, mut best_at) = floor;
    for f in inputs {
        let bins = binned.thresholds[f].len();
        let hist = &leaf.hist[f * CELLS..];
        let (mut gl, mut hl) = (0.0, 0.0);
        // The estimated count `round(hl * n / h)` is below min_data exactly when hl is below
        // `(min_data - 0.5) h / n`, and leaves fewer than min_data on the right above the
        // mirror bound: compared in hessian units, no rounding per bin.
        let per_row = leaf.h / n;
        let left_at_least = (min_data - 0.5) * per_row;
        let left_at_most = (n - min_data + 0.5) * per_row;
        for (b, cell) in hist[..bins].iter().enumerate() {
            if cell[1] == 0.0 {
                continue; // an empty bin: the same split as the bin before
            }
            gl += cell[0];
            hl += cell[1];
            if hl < left_at_least {
                continue;
            }
            if hl >= left_at_most {
                break;
            }
            let hr = leaf.h - hl;
            if hl < MIN_HESSIAN || hr < MIN_HESSIAN {
                continue;
            }
            // gl^2 / dl + gr^2 / dr as one fraction.
            let (dl, dr, gr) = (hl + lambda, hr + lambda, leaf.g - gl);
            let (num, den) = (gl * gl * dr + gr * gr * dl, dl * dr);
            if num * best_den > best_num * den {
                (best_num, best_den) = (num, den);
                best_at = Some((f, b as u8));
            }
        }
    }
    (best_num, best_den, best_at)
}

/// Grows one tree leaf by leaf; returns it and each leaf's node and rows (`rows[lo..hi]`).
pub(super) fn grow(
    binned: &Binned,
    records: &RowRecords,
    rows: &mut [u32],
    params: &BoostParams,
) -> (HistTree, Vec<(usize, usize, usize)>) {
    let output = |gs: f64, hs: f64| -gs / (hs + params.lambda) * params.learning_rate;
    rows.iter_mut().enumerate().for_each(|(i, r)| *r = i as u32);
    let mut scratch: Vec<u32> = vec![0; rows.len()];
    let mut tree = HistTree::new(1);
    let sums = |rows: &[u32]| {
        rows.iter().fold((0.0, 0.0), |(a, b), &r| {
            let (g, h) = records.gh(r as usize);
            (a + g, b + h)
        })
    };
    let (gs, hs) = sums(rows);
    let root = tree.push(&[output(gs, hs)]);
    let mut root_leaf = Leaf {
        node: root,
        lo: 0,
        hi: rows.len(),
        g: gs,
        h: hs,
        hist: build_histogram(records, rows),
        best: None,
    };
    root_leaf.best = best_split(binned, &root_leaf, params);
    let mut leaves = vec![root_leaf];
    while leaves.len() < params.leaves {
        let Some(pick) = (0..leaves.len())
            .filter(|&i| leaves[i].best.is_some())
            .max_by(|&a, &b| {
                let ga = leaves[a].best.as_ref().map_or(0.0, |x| x.gain);
                let gb = leaves[b].best.as_ref().map_or(0.0, |x| x.gain);
                ga.total_cmp(&gb).then(b.cmp(&a))
            })
        else {
            break;
        };
        let parent = leaves.swap_remove(pick);
        let Some(split) = parent.best.as_ref() else {
            break;
        };
        let (f, bin) = (split.feature, split.bin);
        let codes = &binned.codes[f];
        // A stable partition: each leaf's rows stay in ascending order, so the histograms read
        // the row codes front to back. Each row is written to both sides and only one count
        // moves: no branch on a condition that is as good as random.
        let slice = &mut rows[parent.lo..parent.hi];
        let (mut mid, mut right) = (0, 0);
        for i in 0..slice.len() {
            let r = slice[i];
            let goes_left = codes[r as usize] <= bin;
            slice[mid] = r;
            scratch[right] = r;
            mid += goes_left as usize;
            right += !goes_left as usize;
        }
        slice[mid..].copy_from_slice(&scratch[..right]);
        let (llo, lhi, rlo, rhi) = (parent.lo, parent.lo + mid, parent.lo + mid, parent.hi);
        let left_small = lhi - llo <= rhi - rlo;
        let (slo, shi) = if left_small { (llo, lhi) } else { (rlo, rhi) };
        let (gsm, hsm) = sums(&rows[slo..shi]);
        let (gl, hl) = if left_small {
            (gsm, hsm)
        } else {
            (parent.g - gsm, parent.h - hsm)
        };
        let (gr, hr) = (parent.g - gl, parent.h - hl);
        let l = tree.push(&[output(gl, hl)]);
        let r = tree.push(&[output(gr, hr)]);
        tree.split(parent.node, f, binned.thresholds[f][bin as usize], l, r);
        // The split that completes the tree: its children are never split, so they need no
        // histograms.
        let last = leaves.len() + 2 >= params.leaves;
        let (lh, rh) = if last {
            (Vec::new(), Vec::new())
        } else {
            let small_hist = build_histogram(records, &rows[slo..shi]);
            let mut large_hist = parent.hist;
            large_hist.iter_mut().zip(&small_hist).for_each(|(a, b)| {
                a[0] -= b[0];
                a[1] -= b[1];
            });
            if left_small {
                (small_hist, large_hist)
            } else {
                (large_hist, small_hist)
            }
        };
        let leaf = |node, lo, hi, g, h, hist| Leaf {
            node,
            lo,
            hi,
            g,
            h,
            hist,
            best: None,
        };
        let (mut left, mut right) = (leaf(l, llo, lhi, gl, hl, lh), leaf(r, rlo, rhi, gr, hr, rh));
        if !last {
            left.best = best_split(binned, &left, params);
            right.best = best_split(binned, &right, params);
        }
        leaves.push(left);
        leaves.push(right);
    }
    let spans = leaves.iter().map(|l| (l.node, l.lo, l.hi)).collect();
    (tree, spans)
}
