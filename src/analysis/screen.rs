//! Variable screening before modelling: per input its missing share, variance inflation factor
//! (VIF), information value for "bad" against the rest and strongest correlations; groups of
//! near-duplicate inputs; and a recommended set by stated thresholds.
//!
//! Preparation, stated in every report: a numeric input's missing cells get its median over the
//! present values; a categorical input is one-hot encoded with its first category as the
//! reference level (a missing category counts as the reference). VIF regresses each design
//! column on all the others and an intercept (statsmodels' `variance_inflation_factor` on a
//! design with `add_constant`): VIF = 1 / (1 - R^2). It is computed from one Householder QR of
//! the centred design, so its accuracy is that of the data's conditioning, not its square.

use super::binning::{self, Binning, BinningRule};
use super::Dataset;
use serde::Serialize;

/// The thresholds of the recommendation and of the report.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct ScreenRule {
    /// An input whose VIF is above this is dropped (largest first, VIF recomputed each time).
    pub max_vif: f64,
    /// An input whose information value is below this is dropped as weak.
    pub min_iv: f64,
    /// Inputs correlated at least this much (absolute Pearson) form a near-duplicate group, of
    /// which the one with the largest IV is kept.
    pub duplicate_corr: f64,
    /// How many strongest correlations to list per input.
    pub top_correlations: usize,
    #[serde(skip)]
    pub binning: BinningRule,
}

impl Default for ScreenRule {
    fn default() -> Self {
        ScreenRule {
            max_vif: 10.0,
            min_iv: 0.02,
            duplicate_corr: 0.95,
            top_correlations: 3,
            binning: BinningRule::default(),
        }
    }
}

/// 1 - R^2 below this is read as exact collinearity: the VIF is infinite (above 10^12).
const EXACT: f64 = 1e-12;

/// A VIF: a number, infinite (the input is an exact linear function of the others), or not
/// computed (a constant input).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Vif {
    Finite(f64),
    Infinite,
    Constant,
}

impl Vif {
    pub fn value(self) -> f64 {
        match self {
            Vif::Finite(v) => v,
            Vif::Infinite => f64::INFINITY,
            Vif::Constant => f64::NAN,
        }
    }
}

impl std::fmt::Display for Vif {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Vif::Finite(v) if *v >= 1e6 => write!(f, "{v:.3e}"),
            Vif::Finite(v) => write!(f, "{v:.2}"),
            Vif::Infinite => f.write_str("inf (exact collinearity)"),
            Vif::Constant => f.write_str("- (constant)"),
        }
    }
}

/// One column of the design (a numeric input, or one category of a categorical input).
#[derive(Debug, Clone, PartialEq)]
pub struct DesignColumn {
    pub name: String,
    /// Index of the input it comes from.
    pub input: usize,
    pub vif: Vif,
}

/// The screening of one input.
#[derive(Debug, Clone)]
pub struct InputScreen {
    pub name: String,
    pub categorical: bool,
    pub missing_share: f64,
    /// The largest VIF of its design columns.
    pub vif: Vif,
    /// Over monotonic bins (numeric) or its categories; `None` without labels.
    pub binning: Option<Binning>,
    /// Strongest absolute correlations with other inputs' design columns: (column, r).
    pub correlations: Vec<(String, f64)>,
    pub recommended: bool,
    /// Why it is left out of the recommended set (empty when recommended).
    pub why: String,
}

impl InputScreen {
    pub fn iv(&self) -> Option<f64> {
        self.binning.as_ref().map(|b| b.iv)
    }
}

/// The whole report.
#[derive(Debug, Clone)]
pub struct Screening {
    pub rows: usize,
    /// Rows the labelling policy left out, with why and how many.
    pub rows_left_out: Vec<(String, usize)>,
    /// The class read as bad, and how many rows carry it (IV is bad against the rest).
    pub bad_class: Option<(String, usize)>,
    pub inputs: Vec<InputScreen>,
    pub design: Vec<DesignColumn>,
    /// Correlation matrix of the design columns (Pearson, on the prepared data).
    pub correlation: Vec<Vec<f64>>,
    /// Groups of near-duplicate inputs (two or more each).
    pub groups: Vec<Vec<String>>,
    pub recommended: Vec<String>,
    pub rule: ScreenRule,
}

/// The prepared design: centred columns scaled to unit length, with their names and inputs.
struct Design {
    names: Vec<String>,
    inputs: Vec<usize>,
    /// Column-major, centred, unit norm; a constant column is all zero.
    cols: Vec<Vec<f64>>,
    constant: Vec<bool>,
}

fn prepare(data: &Dataset) -> Design {
    let n = data.x.rows;
    let mut names = Vec::new();
    let mut inputs = Vec::new();
    let mut cols: Vec<Vec<f64>> = Vec::new();
    for c in 0..data.x.cols {
        let column = data.x.column(c);
        match data.categories.get(c).filter(|cats| !cats.is_empty()) {
            Some(cats) => {
                for (k, cat) in cats.iter().enumerate().skip(1) {
                    names.push(format!("{}={cat}", data.names[c]));
                    inputs.push(c);
                    cols.push(
                        column
                            .iter()
                            .map(|v| if *v == k as f64 { 1.0 } else { 0.0 })
                            .collect(),
                    );
                }
            }
            None => {
                let mut present: Vec<f64> =
                    column.iter().copied().filter(|v| !v.is_nan()).collect();
                present.sort_by(f64::total_cmp);
                let median = crate::finance::peers::quantile_sorted(&present, 0.5).unwrap_or(0.0);
                names.push(data.names[c].clone());
                inputs.push(c);
                cols.push(
                    column
                        .iter()
                        .map(|v| if v.is_nan() { median } else { *v })
                        .collect(),
                );
            }
        }
    }
    let mut constant = Vec::with_capacity(cols.len());
    for col in &mut cols {
        let mean = col.iter().sum::<f64>() / n.max(1) as f64;
        col.iter_mut().for_each(|v| *v -= mean);
        let norm = col.iter().map(|v| v * v).sum::<f64>().sqrt();
        let max = col.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        // Constant up to rounding: the centred values are all (nearly) zero.
        let is_constant = norm == 0.0 || max <= 1e-12 * (mean.abs() + 1.0);
        constant.push(is_constant);
        let scale = if is_constant { 0.0 } else { 1.0 / norm };
        col.iter_mut().for_each(|v| *v *= scale);
    }
    Design {
        names,
        inputs,
        cols,
        constant,
    }
}

/// Householder triangularisation of column-major `cols` (each of length n), in place, with the
/// first `reflectors` columns as pivots in order; returns how many directions they gave. With
/// `skip_dependent`, a pivot column whose part not explained by the columns before it has
/// squared length below [`EXACT`] (the columns have unit length) is an exact linear function
/// of them: it gives no direction, so that rounding noise in an exactly collinear group is not
/// taken for a direction of its own.
fn triangularise(cols: &mut [Vec<f64>], reflectors: usize, skip_dependent: bool) -> usize {
    let n = cols.first().map_or(0, Vec::len);
    let mut row = 0;
    for k in 0..reflectors {
        if row >= n {
            break;
        }
        let sq = cols[k][row..].iter().map(|v| v * v).sum::<f64>();
        if sq == 0.0 || (skip_dependent && sq < EXACT) {
            continue;
        }
        let norm = sq.sqrt();
        let alpha = if cols[k][row] > 0.0 { -norm } else { norm };
        let mut v: Vec<f64> = cols[k][row..].to_vec();
        v[0] -= alpha;
        let vv = v.iter().map(|x| x * x).sum::<f64>();
        if vv > 0.0 {
            for col in cols.iter_mut().skip(k) {
                let dot: f64 = col[row..].iter().zip(&v).map(|(a, b)| a * b).sum();
                let f = 2.0 * dot / vv;
                col[row..].iter_mut().zip(&v).for_each(|(a, b)| *a -= f * b);
            }
        }
        row += 1;
    }
    row
}

/// The R factor of a QR of the design (m x m, column-major: `r[j][i]` is row i of column j):
/// R'R = X'X, so every regression among the design's columns can be done on R.
fn householder_r(mut cols: Vec<Vec<f64>>) -> Vec<Vec<f64>> {
    let m = cols.len();
    triangularise(&mut cols, m, false);
    cols.into_iter()
        .map(|mut c| {
            c.truncate(m);
            c.resize(m, 0.0);
            c
        })
        .collect()
}

/// The squared length of the last column's part that the other columns do not explain
/// (exactly dependent columns among them skipped).
fn residual_of_last(mut cols: Vec<Vec<f64>>) -> f64 {
    let m = cols.len();
    let kept = triangularise(&mut cols, m - 1, true);
    cols[m - 1][kept.min(cols[m - 1].len())..]
        .iter()
        .map(|v| v * v)
        .sum()
}

/// VIF of every column in `subset` (indices into the design), each regressed on the others in
/// the subset: from R of the whole design, the subset's columns with column i moved last are
/// triangularised again; what is left of column i (of unit length) is 1 / VIF.
fn vifs(r: &[Vec<f64>], subset: &[usize], constant: &[bool]) -> Vec<Vif> {
    let live: Vec<usize> = subset.iter().copied().filter(|&j| !constant[j]).collect();
    subset
        .iter()
        .map(|&i| {
            if constant[i] {
                return Vif::Constant;
            }
            let mut order: Vec<Vec<f64>> = live
                .iter()
                .filter(|&&j| j != i)
                .map(|&j| r[j].clone())
                .collect();
            order.push(r[i].clone());
            let resid = residual_of_last(order);
            if resid < EXACT {
                Vif::Infinite
            } else {
                Vif::Finite(1.0 / resid)
            }
        })
        .collect()
}

/// The class read as bad: "bad" if present, else the rarest class (as training's default).
pub fn bad_class(
    labels: &[Option<String>],
    asked: Option<&str>,
) -> Result<Option<String>, super::AnalysisError> {
    let mut counts: std::collections::BTreeMap<&str, usize> = Default::default();
    for l in labels.iter().flatten() {
        *counts.entry(l.as_str()).or_default() += 1;
    }
    if counts.is_empty() {
        return Ok(None);
    }
    if let Some(a) = asked {
        return if counts.contains_key(a) {
            Ok(Some(a.to_string()))
        } else {
            Err(super::AnalysisError::NotAClass {
                asked: a.to_string(),
                classes: counts.keys().map(|c| c.to_string()).collect(),
            })
        };
    }
    if counts.contains_key("bad") {
        return Ok(Some("bad".into()));
    }
    Ok(counts
        .iter()
        .min_by_key(|(_, n)| **n)
        .map(|(k, _)| k.to_string()))
}

/// Screens every input of `data` (rows with a label only, when a bad class is given).
pub fn screen(data: &Dataset, bad: Option<&str>, rule: ScreenRule) -> Screening {
    let design = prepare(data);
    let m = design.names.len();
    let r = householder_r(design.cols.clone());
    let all: Vec<usize> = (0..m).collect();
    let vif_all = vifs(&r, &all, &design.constant);
    let correlation: Vec<Vec<f64>> = (0..m)
        .map(|a| {
            (0..m)
                .map(|b| {
                    if design.constant[a] || design.constant[b] {
                        f64::NAN
                    } else {
                        design.cols[a]
                            .iter()
                            .zip(&design.cols[b])
                            .map(|(x, y)| x * y)
                            .sum::<f64>()
                            .clamp(-1.0, 1.0)
                    }
                })
                .collect()
        })
        .collect();
    let is_bad: Vec<bool> = data
        .labels
        .iter()
        .map(|l| l.as_deref() == bad && bad.is_some())
        .collect();
    let n_bad = is_bad.iter().filter(|b| **b).count();
    let mut inputs: Vec<InputScreen> = (0..data.x.cols)
        .map(|c| {
            let column = data.x.column(c);
            let missing = column.iter().filter(|v| v.is_nan()).count();
            let cats = data.categories.get(c).filter(|cats| !cats.is_empty());
            let own: Vec<usize> = (0..m).filter(|&j| design.inputs[j] == c).collect();
            let vif = own
                .iter()
                .map(|&j| vif_all[j])
                .max_by(|a, b| a.value().total_cmp(&b.value()))
                .unwrap_or(Vif::Constant);
            let binning = bad.map(|_| match cats {
                Some(cats) => binning::categorical(&column, &is_bad, cats),
                None => binning::monotonic(&column, &is_bad, rule.binning),
            });
            let mut corr: Vec<(String, f64)> = (0..m)
                .filter(|j| design.inputs[*j] != c)
                .filter_map(|j| {
                    own.iter()
                        .map(|&o| correlation[o][j])
                        .filter(|v| !v.is_nan())
                        .max_by(|a, b| a.abs().total_cmp(&b.abs()))
                        .map(|v| (design.names[j].clone(), v))
                })
                .collect();
            corr.sort_by(|a, b| b.1.abs().total_cmp(&a.1.abs()));
            corr.truncate(rule.top_correlations);
            InputScreen {
                name: data.names[c].clone(),
                categorical: cats.is_some(),
                missing_share: missing as f64 / data.x.rows.max(1) as f64,
                vif,
                binning,
                correlations: corr,
                recommended: true,
                why: String::new(),
            }
        })
        .collect();
    let groups = near_duplicates(&design, &correlation, rule.duplicate_corr);
    recommend(&mut inputs, &design, &r, &groups, rule);
    let recommended = inputs
        .iter()
        .filter(|i| i.recommended)
        .map(|i| i.name.clone())
        .collect();
    Screening {
        rows: data.x.rows,
        rows_left_out: data.rows_left_out.clone(),
        bad_class: bad.map(|b| (b.to_string(), n_bad)),
        inputs,
        design: (0..m)
            .map(|j| DesignColumn {
                name: design.names[j].clone(),
                input: design.inputs[j],
                vif: vif_all[j],
            })
            .collect(),
        correlation,
        groups: groups
            .iter()
            .map(|g| g.iter().map(|&i| data.names[i].clone()).collect())
            .collect(),
        recommended,
        rule,
    }
}

/// Groups of inputs linked by an absolute correlation of at least `threshold` between any of
/// their design columns (connected components), as input indices.
fn near_duplicates(design: &Design, corr: &[Vec<f64>], threshold: f64) -> Vec<Vec<usize>> {
    let n_inputs = design.inputs.iter().max().map_or(0, |m| m + 1);
    let mut parent: Vec<usize> = (0..n_inputs).collect();
    fn root(p: &mut [usize], mut i: usize) -> usize {
        while p[i] != i {
            p[i] = p[p[i]];
            i = p[i];
        }
        i
    }
    for (a, row) in corr.iter().enumerate() {
        for (b, r) in row.iter().enumerate().skip(a + 1) {
            let (ia, ib) = (design.inputs[a], design.inputs[b]);
            if ia != ib && r.abs() >= threshold {
                let (ra, rb) = (root(&mut parent, ia), root(&mut parent, ib));
                parent[ra] = rb;
            }
        }
    }
    let mut groups: std::collections::BTreeMap<usize, Vec<usize>> = Default::default();
    for i in 0..n_inputs {
        let r = root(&mut parent, i);
        groups.entry(r).or_default().push(i);
    }
    let mut out: Vec<Vec<usize>> = groups.into_values().filter(|g| g.len() > 1).collect();
    out.sort();
    out
}

/// The recommended set: drop constant inputs, weak ones (IV below the minimum), all but the
/// strongest of each near-duplicate group, then the input with the largest VIF while it is
/// above the maximum (VIF recomputed over what is left each time).
fn recommend(
    inputs: &mut [InputScreen],
    design: &Design,
    r: &[Vec<f64>],
    groups: &[Vec<usize>],
    rule: ScreenRule,
) {
    for i in inputs.iter_mut() {
        if i.vif == Vif::Constant {
            i.recommended = false;
            i.why = "constant".into();
        } else if let Some(iv) = i.iv().filter(|iv| *iv < rule.min_iv) {
            i.recommended = false;
            i.why = format!("weak: IV {iv:.4} < {}", rule.min_iv);
        }
    }
    for g in groups {
        let keep = g
            .iter()
            .copied()
            .filter(|&i| inputs[i].recommended)
            .max_by(|&a, &b| {
                let iv = |k: usize| inputs[k].iv().unwrap_or(0.0);
                iv(a).total_cmp(&iv(b)).then(b.cmp(&a))
            });
        for &i in g {
            if inputs[i].recommended && Some(i) != keep {
                inputs[i].recommended = false;
                inputs[i].why = format!(
                    "near-duplicate of {}",
                    keep.map_or("", |k| inputs[k].name.as_str())
                );
            }
        }
    }
    loop {
        let subset: Vec<usize> = (0..design.names.len())
            .filter(|&j| inputs[design.inputs[j]].recommended)
            .collect();
        if subset.len() < 2 {
            break;
        }
        let v = vifs(r, &subset, &design.constant);
        let worst = subset
            .iter()
            .zip(&v)
            .max_by(|a, b| a.1.value().total_cmp(&b.1.value()))
            .map(|(&j, &vif)| (design.inputs[j], vif));
        match worst {
            Some((input, vif)) if vif.value() > rule.max_vif => {
                inputs[input].recommended = false;
                inputs[input].why = format!("VIF {vif} > {} among the rest", rule.max_vif);
            }
            _ => break,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::Matrix;

    fn dataset(names: &[&str], rows: Vec<Vec<f64>>) -> Dataset {
        let n = rows.len();
        Dataset {
            names: names.iter().map(|s| s.to_string()).collect(),
            categories: vec![Vec::new(); names.len()],
            x: Matrix::from_rows(&rows),
            ids: (0..n).map(|i| i.to_string()).collect(),
            labels: vec![None; n],
            years: Vec::new(),
            dropped: Vec::new(),
            rows_left_out: Vec::new(),
        }
    }

    /// Two inputs with correlation r have VIF 1 / (1 - r^2) each. Here a = 1..6 and
    /// b = (1, 3, 2, 5, 4, 6): the deviations' products sum to 15.5 and each sum of squares is
    /// 17.5, so r = 31/35 = 0.885714 and VIF = 1 / (1 - 0.784490) = 4.640152 (numpy agrees).
    #[test]
    fn vif_of_two_inputs_by_hand() {
        let rows = (0..6)
            .map(|i| vec![(i + 1) as f64, [1.0, 3.0, 2.0, 5.0, 4.0, 6.0][i]])
            .collect();
        let s = screen(&dataset(&["a", "b"], rows), None, ScreenRule::default());
        for d in &s.design {
            let Vif::Finite(v) = d.vif else {
                panic!("{:?}", d.vif)
            };
            assert!((v - 4.640152).abs() < 1e-6, "{v}");
        }
        assert!((s.correlation[0][1] - 0.885714).abs() < 1e-6);
    }

    #[test]
    fn exact_collinearity_is_infinite_and_a_constant_is_named() {
        let rows: Vec<Vec<f64>> = (0..20)
            .map(|i| {
                let a = i as f64;
                let b = ((i * 7) % 11) as f64;
                vec![a, b, 1.0 + 2.0 * a - b, 5.0]
            })
            .collect();
        let s = screen(
            &dataset(&["a", "b", "c", "k"], rows),
            None,
            ScreenRule::default(),
        );
        assert_eq!(s.design[0].vif, Vif::Infinite);
        assert_eq!(s.design[2].vif, Vif::Infinite);
        assert_eq!(s.design[3].vif, Vif::Constant);
        assert!(!s.inputs[3].recommended);
        // One of the three collinear inputs must go; the other two are then independent.
        assert_eq!(s.recommended.len(), 2, "{:?}", s.recommended);
    }
}
