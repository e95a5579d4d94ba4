//! Decision values to probabilities as libsvm does (svm.cpp, 3.37): Platt's sigmoid fitted by
//! the Newton method with backtracking of Lin, Lin and Weng (2007), on smoothed targets
//! (`sigmoid_train`), and for three classes and more the pairwise chances coupled into one
//! distribution by Wu, Lin and Weng's (2004) second method (`multiclass_probability`).

use serde::{Deserialize, Serialize};

/// P(positive | decision value f) = 1 / (1 + exp(a f + b)).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Sigmoid {
    pub a: f64,
    pub b: f64,
}

/// The smallest pairwise chance the coupling is given (libsvm's `min_prob`).
pub const MIN_PAIRWISE: f64 = 1e-7;

/// `t f + log(1 + exp(-f))`, the negative log likelihood of one row at `f = a x + b`, without
/// overflow on either side.
fn row_loss(t: f64, f: f64) -> f64 {
    if f >= 0.0 {
        t * f + (-f).exp().ln_1p()
    } else {
        (t - 1.0) * f + f.exp().ln_1p()
    }
}

impl Sigmoid {
    /// Fits the sigmoid to decision values and their classes (`true`: positive): libsvm's
    /// `sigmoid_train`, targets (n+ + 1) / (n+ + 2) and 1 / (n- + 2), at most 100 Newton
    /// steps, each halved until the loss falls enough.
    pub fn fit(decision: &[f64], positive: &[bool]) -> Sigmoid {
        let prior1 = positive.iter().filter(|&&p| p).count() as f64;
        let prior0 = positive.len() as f64 - prior1;
        let (hi, lo) = ((prior1 + 1.0) / (prior1 + 2.0), 1.0 / (prior0 + 2.0));
        let t: Vec<f64> = positive.iter().map(|&p| if p { hi } else { lo }).collect();
        let loss = |a: f64, b: f64| -> f64 {
            decision
                .iter()
                .zip(&t)
                .map(|(&x, &t)| row_loss(t, x * a + b))
                .sum()
        };
        let (mut a, mut b) = (0.0, ((prior0 + 1.0) / (prior1 + 1.0)).ln());
        let mut fval = loss(a, b);
        const SIGMA: f64 = 1e-12;
        const EPS: f64 = 1e-5;
        const MIN_STEP: f64 = 1e-10;
        for _ in 0..100 {
            let (mut h11, mut h22, mut h21, mut g1, mut g2) = (SIGMA, SIGMA, 0.0, 0.0, 0.0);
            for (&x, &t) in decision.iter().zip(&t) {
                let f = x * a + b;
                let (p, q) = if f >= 0.0 {
                    let e = (-f).exp();
                    (e / (1.0 + e), 1.0 / (1.0 + e))
                } else {
                    let e = f.exp();
                    (1.0 / (1.0 + e), e / (1.0 + e))
                };
                let d2 = p * q;
                h11 += x * x * d2;
                h22 += d2;
                h21 += x * d2;
                let d1 = t - p;
                g1 += x * d1;
                g2 += d1;
            }
            if g1.abs() < EPS && g2.abs() < EPS {
                break;
            }
            let det = h11 * h22 - h21 * h21;
            let da = -(h22 * g1 - h21 * g2) / det;
            let db = -(-h21 * g1 + h11 * g2) / det;
            let gd = g1 * da + g2 * db;
            let mut step = 1.0;
            while step >= MIN_STEP {
                let (na, nb) = (a + step * da, b + step * db);
                let nf = loss(na, nb);
                if nf < fval + 1e-4 * step * gd {
                    (a, b, fval) = (na, nb, nf);
                    break;
                }
                step /= 2.0;
            }
            if step < MIN_STEP {
                break; // the line search failed: libsvm keeps the last point
            }
        }
        Sigmoid { a, b }
    }

    /// The chance of the positive class at decision value `f` (libsvm's `sigmoid_predict`).
    pub fn chance(&self, f: f64) -> f64 {
        let z = f * self.a + self.b;
        if z >= 0.0 {
            let e = (-z).exp();
            e / (1.0 + e)
        } else {
            1.0 / (1.0 + z.exp())
        }
    }
}

/// One distribution over `k` classes from pairwise chances: `r[i][j]` is the chance of class
/// `i` given that the class is `i` or `j` (`r[j][i] = 1 - r[i][j]`; the diagonal is not read).
/// libsvm's `multiclass_probability`: minimises sum over pairs of (r_ji p_i - r_ij p_j)^2 on
/// the simplex by coordinate steps, to a tolerance of 0.005 / k.
pub fn couple(r: &[Vec<f64>]) -> Vec<f64> {
    let k = r.len();
    let mut p = vec![1.0 / k as f64; k];
    let mut q = vec![vec![0.0; k]; k];
    for t in 0..k {
        for j in 0..k {
            if j != t {
                q[t][t] += r[j][t] * r[j][t];
                q[t][j] = -r[j][t] * r[t][j];
            }
        }
    }
    let eps = 0.005 / k as f64;
    let mut qp = vec![0.0; k];
    for _ in 0..k.max(100) {
        let mut pqp = 0.0;
        for t in 0..k {
            qp[t] = (0..k).map(|j| q[t][j] * p[j]).sum();
            pqp += p[t] * qp[t];
        }
        let max_error = qp.iter().map(|v| (v - pqp).abs()).fold(0.0, f64::max);
        if max_error < eps {
            break;
        }
        for t in 0..k {
            let diff = (-qp[t] + pqp) / q[t][t];
            p[t] += diff;
            pqp = (pqp + diff * (diff * q[t][t] + 2.0 * qp[t])) / (1.0 + diff) / (1.0 + diff);
            for j in 0..k {
                qp[j] = (qp[j] + diff * q[t][j]) / (1.0 + diff);
                p[j] /= 1.0 + diff;
            }
        }
    }
    p
}

/// The pairwise chances of `k` classes from one chance per pair `(i, j)`, `i < j`, in that
/// order (the chance of `i`), clipped to [MIN_PAIRWISE, 1 - MIN_PAIRWISE] as libsvm does.
pub fn pairwise(k: usize, chances: &[f64]) -> Vec<Vec<f64>> {
    let mut r = vec![vec![0.0; k]; k];
    for (n, (i, j)) in pairs(k).into_iter().enumerate() {
        let c = chances
            .get(n)
            .copied()
            .unwrap_or(0.5)
            .clamp(MIN_PAIRWISE, 1.0 - MIN_PAIRWISE);
        r[i][j] = c;
        r[j][i] = 1.0 - c;
    }
    r
}

/// The class pairs `(i, j)`, `i < j`, in libsvm's order.
pub fn pairs(k: usize) -> Vec<(usize, usize)> {
    (0..k)
        .flat_map(|i| (i + 1..k).map(move |j| (i, j)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    // The decision values and classes of bench/reference/platt_reference.py (NumPy 2.4.6,
    // scikit-learn 1.9.1); the REF_ figures at the end are its output.
    const DECISION: [f64; 12] = [
        -2.1, -1.7, -1.2, -0.9, -0.4, -0.1, 0.2, 0.3, 0.8, 1.1, 1.6, 2.4,
    ];
    const POSITIVE: [bool; 12] = [
        false, false, false, true, false, false, true, false, true, true, true, true,
    ];

    #[test]
    fn sigmoid_matches_libsvm_sigmoid_train() {
        let s = Sigmoid::fit(&DECISION, &POSITIVE);
        assert!((s.a - REF_A).abs() < 1e-9, "a {}", s.a);
        assert!((s.b - REF_B).abs() < 1e-9, "b {}", s.b);
        assert!((s.a - REF_SKLEARN.0).abs() < 1e-6 && (s.b - REF_SKLEARN.1).abs() < 1e-6);
        assert!((s.chance(0.5) - REF_CHANCE_AT_HALF).abs() < 1e-9);
        // Far out on either side: no overflow, the right end.
        assert!(s.chance(1e6) > 1.0 - 1e-12 && s.chance(-1e6) < 1e-12);
    }

    #[test]
    fn one_class_only_gives_a_flat_sigmoid_at_the_smoothed_prior() {
        let s = Sigmoid::fit(&[0.5, 1.0, 2.0], &[true, true, true]);
        // libsvm starts at a = 0, b = ln(1 / 4) and the gradient at the smoothed target
        // (n + 1) / (n + 2) = 0.8 is zero when every row has that chance.
        assert!(s.a.abs() < 1e-3, "{s:?}");
        assert!((s.chance(1.0) - 0.8).abs() < 1e-3, "{s:?}");
    }

    #[test]
    fn coupling_matches_libsvm_multiclass_probability() {
        let r = pairwise(3, &REF_PAIR_CHANCES);
        let p = couple(&r);
        for (ours, theirs) in p.iter().zip(REF_COUPLED) {
            assert!((ours - theirs).abs() < 1e-12, "{p:?}");
        }
        for (ours, exact) in p.iter().zip(REF_EXACT) {
            assert!((ours - exact).abs() < 2e-3, "{p:?}");
        }
        assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        // Consistent pairwise chances (from p = (0.2, 0.3, 0.5)) give that p back.
        let truth = [0.2, 0.3, 0.5];
        let chances: Vec<f64> = pairs(3)
            .iter()
            .map(|&(i, j)| truth[i] / (truth[i] + truth[j]))
            .collect();
        let back = couple(&pairwise(3, &chances));
        for (a, b) in back.iter().zip(truth) {
            assert!((a - b).abs() < 1e-3, "{back:?}");
        }
    }

    #[test]
    fn pairs_are_in_libsvms_order() {
        assert_eq!(pairs(3), vec![(0, 1), (0, 2), (1, 2)]);
        assert_eq!(pairs(2), vec![(0, 1)]);
    }

    // bench/reference/platt_reference.py: libsvm's sigmoid_train in NumPy gives a, b below;
    // scikit-learn 1.9.1's calibration._sigmoid_calibration (L-BFGS on the same loss) gives
    // a = -0.9787232721666271, b = -0.011374898022342409, within 4e-8 of them.
    const REF_A: f64 = -0.9787232346024116;
    const REF_B: f64 = -0.011374902245065665;
    const REF_SKLEARN: (f64, f64) = (-0.9787232721666271, -0.011374898022342409);
    const REF_CHANCE_AT_HALF: f64 = 0.622632400411763;
    // Chances of i against j for the pairs (0, 1), (0, 2), (1, 2); libsvm's
    // multiclass_probability in NumPy gives REF_COUPLED, the exact minimiser of its quadratic
    // on the simplex (a KKT linear system) REF_EXACT, 1.2e-3 away (libsvm stops at 0.005 / k).
    const REF_PAIR_CHANCES: [f64; 3] = [0.7, 0.9, 0.6];
    const REF_COUPLED: [f64; 3] = [0.6469906948169419, 0.24977036982179657, 0.10323893536126127];
    const REF_EXACT: [f64; 3] = [0.6458196181698486, 0.25082290980908495, 0.10335747202106649];
}
