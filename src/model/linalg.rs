//! Small dense linear algebra for the linear models: Cholesky factorisation and solves of
//! symmetric positive definite systems (row-major `n x n`).

/// Solves `a x = b` for a symmetric positive definite `a` (row-major, `n x n`) by Cholesky.
/// When `a` is not positive definite, a ridge growing from 1e-10 of its mean diagonal is added
/// until it is (a singular direction then gets the smallest step, as a pseudo-inverse would).
pub fn solve_spd(a: &[f64], b: &[f64]) -> Vec<f64> {
    let n = b.len();
    let mean_diag = (0..n).map(|i| a[i * n + i].abs()).sum::<f64>() / n.max(1) as f64;
    let mut ridge = 0.0;
    loop {
        if let Some(l) = cholesky(a, n, ridge) {
            return cholesky_solve(&l, n, b);
        }
        ridge = if ridge == 0.0 {
            1e-10 * mean_diag.max(1e-300)
        } else {
            ridge * 10.0
        };
    }
}

/// The lower factor `l` with `l l' = a + ridge I`, or None when a pivot is not positive.
fn cholesky(a: &[f64], n: usize, ridge: f64) -> Option<Vec<f64>> {
    let mut l = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..=i {
            let mut s = a[i * n + j];
            if i == j {
                s += ridge;
            }
            for k in 0..j {
                s -= l[i * n + k] * l[j * n + k];
            }
            if i == j {
                if s.is_nan() || s <= 0.0 || !s.is_finite() {
                    return None;
                }
                l[i * n + i] = s.sqrt();
            } else {
                l[i * n + j] = s / l[j * n + j];
            }
        }
    }
    Some(l)
}

fn cholesky_solve(l: &[f64], n: usize, b: &[f64]) -> Vec<f64> {
    let mut y = b.to_vec();
    for i in 0..n {
        for k in 0..i {
            y[i] -= l[i * n + k] * y[k];
        }
        y[i] /= l[i * n + i];
    }
    for i in (0..n).rev() {
        for k in i + 1..n {
            y[i] -= l[k * n + i] * y[k];
        }
        y[i] /= l[i * n + i];
    }
    y
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn solves_a_known_system_and_a_singular_one() {
        // [[4,2],[2,3]] x = [2, 1] -> x = [0.5, 0]
        let x = solve_spd(&[4.0, 2.0, 2.0, 3.0], &[2.0, 1.0]);
        assert!((x[0] - 0.5).abs() < 1e-12 && x[1].abs() < 1e-12, "{x:?}");
        // [[1,1],[1,1]] is singular; b in its range gets a solution with a x = b.
        let x = solve_spd(&[1.0, 1.0, 1.0, 1.0], &[2.0, 2.0]);
        assert!((x[0] + x[1] - 2.0).abs() < 1e-6, "{x:?}");
    }
}
