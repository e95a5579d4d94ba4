//! Principal component analysis of standardized data, reported as R's `prcomp` summary.
//!
//! Our own rather than linfa-reduction's: the eigen decomposition of the p x p correlation
//! matrix (cyclic Jacobi) after one pass over the data costs O(n p^2 + p^3), where linfa's PCA
//! measured about 4 times slower than scikit-learn's on 100,000 x 24 (ARCHITECTURE.md).

use super::Matrix;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// How many components to keep.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase", tag = "rule", content = "value")]
pub enum KRule {
    /// A user's k.
    Fixed(usize),
    /// The fewest components whose cumulative proportion reaches this share (e.g. 0.90).
    Cumulative(f64),
    /// Every component with eigenvalue (variance) >= 1.
    Kaiser,
}

impl KRule {
    /// Parses `cum:0.90`, `kaiser` or a plain number of components.
    pub fn parse(s: &str) -> Result<KRule, super::AnalysisError> {
        use super::AnalysisError;
        let t = s.trim().to_ascii_lowercase();
        if t == "kaiser" {
            return Ok(KRule::Kaiser);
        }
        if let Some(v) = t.strip_prefix("cum:") {
            let x: f64 = v
                .parse()
                .map_err(|_| AnalysisError::NotAShare(s.to_string()))?;
            if !(x > 0.0 && x <= 1.0) {
                return Err(AnalysisError::ShareOutOfRange(s.to_string()));
            }
            return Ok(KRule::Cumulative(x));
        }
        match t.parse::<usize>() {
            Ok(k) if k > 0 => Ok(KRule::Fixed(k)),
            _ => Err(AnalysisError::NotAComponentRule(s.to_string())),
        }
    }

    pub fn describe(&self) -> String {
        match self {
            KRule::Fixed(k) => format!("k = {k} (given)"),
            KRule::Cumulative(x) => format!("cumulative proportion >= {x}"),
            KRule::Kaiser => "eigenvalue >= 1 (Kaiser)".into(),
        }
    }
}

impl std::str::FromStr for KRule {
    type Err = super::AnalysisError;
    fn from_str(s: &str) -> Result<Self, super::AnalysisError> {
        KRule::parse(s)
    }
}

impl std::fmt::Display for KRule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KRule::Fixed(k) => write!(f, "{k}"),
            KRule::Cumulative(x) => write!(f, "cum:{x}"),
            KRule::Kaiser => f.write_str("kaiser"),
        }
    }
}

/// A fitted PCA: per component its standard deviation, and the loadings (rotation).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pca {
    /// Standard deviations of the components, largest first (prcomp's `sdev`).
    pub sdev: Vec<f64>,
    /// `rotation[j][c]`: loading of variable j on component c (prcomp's `rotation`).
    pub rotation: Vec<Vec<f64>>,
}

/// Rows per block of the cross-product sum.
const CROSS_PRODUCT_BLOCK: usize = 1024;

/// The upper triangle of Z'Z over one block of rows (row-major, `p` columns): the block is
/// turned into columns so that each cross-product is a dot product of two contiguous slices.
fn block_cross_products(block: &[f64], p: usize) -> Vec<f64> {
    let mut cov = vec![0.0; p * p];
    if p == 0 {
        return cov;
    }
    let rows = block.len() / p;
    let mut cols = vec![0.0; rows * p];
    for (j, col) in cols.chunks_exact_mut(rows).enumerate() {
        for (dst, v) in col.iter_mut().zip(block.iter().skip(j).step_by(p)) {
            *dst = *v;
        }
    }
    for i in 0..p {
        let ci = &cols[i * rows..(i + 1) * rows];
        for j in i..p {
            cov[i * p + j] = dot(ci, &cols[j * rows..(j + 1) * rows]);
        }
    }
    cov
}

/// A dot product with eight running sums (so the compiler can keep them in vector registers).
fn dot(a: &[f64], b: &[f64]) -> f64 {
    let mut acc = [0.0; 8];
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let tail: f64 = ca
        .remainder()
        .iter()
        .zip(cb.remainder())
        .map(|(x, y)| x * y)
        .sum();
    for (x, y) in ca.zip(cb) {
        let (x, y): (&[f64; 8], &[f64; 8]) = match (x.try_into(), y.try_into()) {
            (Ok(x), Ok(y)) => (x, y),
            _ => unreachable!("chunks of eight"),
        };
        for k in 0..8 {
            acc[k] += x[k] * y[k];
        }
    }
    acc.iter().sum::<f64>() + tail
}

impl Pca {
    /// Fits on standardized data (mean 0, sd 1 per column; no missing values).
    pub fn fit(z: &Matrix) -> Pca {
        let p = z.cols;
        let n = z.rows;
        // The cross-products in fixed blocks of rows on all cores, the blocks' sums added in
        // order: the result does not depend on the number of threads.
        let block_sums: Vec<Vec<f64>> = z
            .data
            .par_chunks(p.max(1) * CROSS_PRODUCT_BLOCK)
            .map(|block| block_cross_products(block, p))
            .collect();
        let mut cov = vec![0.0; p * p];
        for block in &block_sums {
            cov.iter_mut().zip(block).for_each(|(c, b)| *c += b);
        }
        let denom = (n as f64 - 1.0).max(1.0);
        for i in 0..p {
            for j in i..p {
                let v = cov[i * p + j] / denom;
                cov[i * p + j] = v;
                cov[j * p + i] = v;
            }
        }
        let (values, vectors) = jacobi_eigen(cov, p);
        let mut order: Vec<usize> = (0..p).collect();
        order.sort_by(|&a, &b| values[b].total_cmp(&values[a]));
        let sdev = order.iter().map(|&c| values[c].max(0.0).sqrt()).collect();
        let mut rotation = vec![vec![0.0; p]; p];
        for (new_c, &c) in order.iter().enumerate() {
            // Sign convention: the largest loading of each component is positive.
            let big = (0..p)
                .max_by(|&a, &b| {
                    vectors[a * p + c]
                        .abs()
                        .total_cmp(&vectors[b * p + c].abs())
                })
                .unwrap_or(0);
            let sign = if vectors[big * p + c] < 0.0 {
                -1.0
            } else {
                1.0
            };
            for (j, row) in rotation.iter_mut().enumerate() {
                row[new_c] = sign * vectors[j * p + c];
            }
        }
        Pca { sdev, rotation }
    }

    pub fn variances(&self) -> Vec<f64> {
        self.sdev.iter().map(|s| s * s).collect()
    }

    /// Proportion of variance per component.
    pub fn proportion(&self) -> Vec<f64> {
        let v = self.variances();
        let total: f64 = v.iter().sum();
        v.iter()
            .map(|x| if total > 0.0 { x / total } else { 0.0 })
            .collect()
    }

    /// Cumulative proportion per component.
    pub fn cumulative(&self) -> Vec<f64> {
        let mut acc = 0.0;
        self.proportion()
            .into_iter()
            .map(|x| {
                acc += x;
                acc
            })
            .collect()
    }

    /// The number of components a rule keeps (at least one, at most all).
    pub fn choose_k(&self, rule: KRule) -> usize {
        let p = self.sdev.len();
        let k = match rule {
            KRule::Fixed(k) => k,
            KRule::Cumulative(share) => self
                .cumulative()
                .iter()
                .position(|c| *c >= share - 1e-12)
                .map_or(p, |i| i + 1),
            KRule::Kaiser => self.variances().iter().filter(|v| **v >= 1.0).count(),
        };
        k.clamp(1.min(p), p)
    }

    /// Scores of standardized rows on the first `k` components.
    pub fn transform(&self, z: &Matrix, k: usize) -> Matrix {
        project(z, &self.rotation, k)
    }
}

/// Scores of standardized rows on the first `k` columns of `rotation` (`rotation[j][c]`).
pub fn project(z: &Matrix, rotation: &[Vec<f64>], k: usize) -> Matrix {
    let mut out = Matrix::zeros(z.rows, k);
    for r in 0..z.rows {
        let row = z.row(r);
        for c in 0..k {
            let s: f64 = row.iter().zip(rotation).map(|(x, rot)| x * rot[c]).sum();
            out.set(r, c, s);
        }
    }
    out
}

/// Eigenvalues and eigenvectors (columns of the returned row-major p x p matrix) of a
/// symmetric matrix, by cyclic Jacobi rotations.
fn jacobi_eigen(mut a: Vec<f64>, p: usize) -> (Vec<f64>, Vec<f64>) {
    let mut v = vec![0.0; p * p];
    for i in 0..p {
        v[i * p + i] = 1.0;
    }
    let scale: f64 = a.iter().map(|x| x * x).sum::<f64>().max(f64::MIN_POSITIVE);
    for _sweep in 0..100 {
        let off: f64 = (0..p)
            .flat_map(|i| (0..p).filter(move |&j| j != i).map(move |j| (i, j)))
            .map(|(i, j)| a[i * p + j].powi(2))
            .sum();
        if off <= 1e-30 * scale {
            break;
        }
        for i in 0..p {
            for j in i + 1..p {
                let aij = a[i * p + j];
                if aij.abs() < 1e-300 {
                    continue;
                }
                let theta = (a[j * p + j] - a[i * p + i]) / (2.0 * aij);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for k in 0..p {
                    let (aki, akj) = (a[k * p + i], a[k * p + j]);
                    a[k * p + i] = c * aki - s * akj;
                    a[k * p + j] = s * aki + c * akj;
                }
                for k in 0..p {
                    let (aik, ajk) = (a[i * p + k], a[j * p + k]);
                    a[i * p + k] = c * aik - s * ajk;
                    a[j * p + k] = s * aik + c * ajk;
                }
                for k in 0..p {
                    let (vki, vkj) = (v[k * p + i], v[k * p + j]);
                    v[k * p + i] = c * vki - s * vkj;
                    v[k * p + j] = s * vki + c * vkj;
                }
            }
        }
    }
    ((0..p).map(|i| a[i * p + i]).collect(), v)
}

/// A PCA run on a data set, as the command line and the screens show it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PcaReport {
    pub variables: Vec<String>,
    pub n_rows: usize,
    /// How missing cells were filled, and how many there were.
    pub missing_policy: String,
    pub missing_cells: usize,
    /// Variables left out (constant, or categorical), with why.
    pub dropped: Vec<(String, String)>,
    pub sdev: Vec<f64>,
    pub proportion: Vec<f64>,
    pub cumulative: Vec<f64>,
    /// `loadings[j][c]`: variable j on component c.
    pub loadings: Vec<Vec<f64>>,
    pub rule: KRule,
    pub rule_text: String,
    pub k: usize,
}

impl PcaReport {
    /// Median-imputes, drops constant columns, standardizes and fits.
    pub fn compute(data: &super::Dataset, rule: KRule) -> Result<PcaReport, super::AnalysisError> {
        let mut x = data.x.clone();
        let missing_cells = data.missing();
        super::impute_median(&mut x);
        let scaler = super::Standardizer::fit(&x);
        let constant = scaler.constant_columns();
        let keep: Vec<usize> = (0..x.cols).filter(|c| !constant.contains(c)).collect();
        let mut dropped = data.dropped.clone();
        dropped.extend(
            constant
                .iter()
                .map(|&c| (data.names[c].clone(), "constant".to_string())),
        );
        if keep.is_empty() || x.rows < 2 {
            return Err(super::AnalysisError::TooLittleForPca {
                rows: x.rows,
                columns: keep.len(),
            });
        }
        let x = x.select_cols(&keep);
        // The kept columns' statistics are those already computed: no second pass over the data.
        let kept = super::Standardizer {
            means: keep.iter().map(|&c| scaler.means[c]).collect(),
            sds: keep.iter().map(|&c| scaler.sds[c]).collect(),
        };
        let z = kept.transform(&x);
        let pca = Pca::fit(&z);
        let k = pca.choose_k(rule);
        Ok(PcaReport {
            variables: keep.iter().map(|&c| data.names[c].clone()).collect(),
            n_rows: x.rows,
            missing_policy: "median of each column".into(),
            missing_cells,
            dropped,
            proportion: pca.proportion(),
            cumulative: pca.cumulative(),
            sdev: pca.sdev.clone(),
            loadings: pca.rotation,
            rule_text: rule.describe(),
            rule,
            k,
        })
    }

    /// R's `summary(prcomp(...))` importance table, eight components a block.
    pub fn importance_text(&self) -> String {
        let mut out = String::from("Importance of components:\n");
        let p = self.sdev.len();
        for start in (0..p).step_by(8) {
            let end = (start + 8).min(p);
            let cells = |v: &[f64]| {
                v[start..end]
                    .iter()
                    .map(|x| format!("{x:>8.4}"))
                    .collect::<Vec<_>>()
                    .join(" ")
            };
            let header: Vec<String> = (start..end)
                .map(|c| format!("{:>8}", format!("PC{}", c + 1)))
                .collect();
            out.push_str(&format!("{:<23}{}\n", "", header.join(" ")));
            out.push_str(&format!(
                "{:<23}{}\n",
                "Standard deviation",
                cells(&self.sdev)
            ));
            out.push_str(&format!(
                "{:<23}{}\n",
                "Proportion of Variance",
                cells(&self.proportion)
            ));
            out.push_str(&format!(
                "{:<23}{}\n",
                "Cumulative Proportion",
                cells(&self.cumulative)
            ));
            if end < p {
                out.push('\n');
            }
        }
        out
    }

    /// The loadings of the kept components; those below `cutoff` in absolute value are blank.
    pub fn loadings_text(&self, cutoff: f64) -> String {
        let width = self
            .variables
            .iter()
            .map(|v| v.len())
            .max()
            .unwrap_or(8)
            .max(8);
        let mut out = format!(
            "Loadings (|loading| < {cutoff} left blank):\n{:<width$}",
            ""
        );
        for c in 0..self.k {
            out.push_str(&format!(" {:>7}", format!("PC{}", c + 1)));
        }
        out.push('\n');
        for (j, name) in self.variables.iter().enumerate() {
            out.push_str(&format!("{name:<width$}"));
            for c in 0..self.k {
                let v = self.loadings[j][c];
                if v.abs() < cutoff {
                    out.push_str(&format!(" {:>7}", ""));
                } else {
                    out.push_str(&format!(" {v:>7.3}"));
                }
            }
            out.push('\n');
        }
        out
    }
}

#[cfg(test)]
mod cross_product_tests {
    use super::*;

    #[test]
    fn blocked_cross_products_equal_the_plain_sums() {
        // 5,000 rows (several blocks and a ragged last one) x 7 columns of known values.
        let (n, p) = (5_000, 7);
        let data: Vec<f64> = (0..n * p)
            .map(|k| ((k * 7919) % 1013) as f64 / 101.0 - 5.0)
            .collect();
        let z = Matrix::new(n, p, data);
        let blocks: Vec<Vec<f64>> = z
            .data
            .chunks(p * CROSS_PRODUCT_BLOCK)
            .map(|b| block_cross_products(b, p))
            .collect();
        for i in 0..p {
            for j in i..p {
                let plain: f64 = (0..n).map(|r| z.row(r)[i] * z.row(r)[j]).sum();
                let blocked: f64 = blocks.iter().map(|b| b[i * p + j]).sum();
                assert!(
                    (plain - blocked).abs() <= 1e-9 * plain.abs().max(1.0),
                    "({i},{j}): {plain} vs {blocked}"
                );
            }
        }
    }
}
