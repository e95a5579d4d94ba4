//! A seeded feature table of any size for benchmarks: `features` numeric columns, three classes
//! (good / satisfactory / bad, about 60 / 25 / 15%), a stratified `split` column (train / test,
//! 30% test) so that every tool compared trains and tests on the same rows. Two shapes: normal
//! inputs, or skewed and discrete ones (heavy tails, many ties, a few categorical codes), as
//! financial ratios and business factors are.

use super::rng::Rng;
use std::io::Write;
use std::path::Path;

/// The shape of the generated inputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Shape {
    /// Normal noise around a latent quality.
    #[default]
    Normal,
    /// Log-normal and heavy-tailed values, integers with many ties, and small categorical
    /// codes (0-5), in turn, each reading the same latent quality.
    Skewed,
}

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FeatureTableConfig {
    pub rows: usize,
    pub features: usize,
    pub seed: u64,
    pub shape: Shape,
}

impl Default for FeatureTableConfig {
    fn default() -> Self {
        FeatureTableConfig {
            rows: 100_000,
            features: 24,
            seed: 42,
            shape: Shape::Normal,
        }
    }
}

pub const CLASSES: [&str; 3] = ["good", "satisfactory", "bad"];

/// One generated row: its class index, its split, and its feature values.
fn row(rng: &mut Rng, features: usize, shape: Shape) -> (usize, Vec<f64>) {
    let class = rng.weighted(&[0.60, 0.25, 0.15]);
    // A latent credit quality; the first half of the features read it with noise (some
    // strongly, some weakly), the rest are noise with correlations among themselves.
    let quality = [1.0, 0.0, -1.2][class] + 0.8 * rng.normal();
    let common = rng.normal();
    if shape == Shape::Skewed {
        return (class, skewed_values(rng, features, quality, common));
    }
    let values = (0..features)
        .map(|j| {
            if j < features / 2 {
                let weight = 1.0 / (1.0 + j as f64 * 0.35);
                let sign = if j % 2 == 0 { 1.0 } else { -1.0 };
                (sign * weight * quality + rng.normal()) * (1.0 + j as f64)
            } else {
                0.5 * common + rng.normal()
            }
        })
        .collect();
    (class, values)
}

/// The skewed shape's values: input j reads the quality (the first half, with weights falling
/// as in the normal shape) or only noise shared among the rest, through one of four forms in
/// turn: log-normal, heavy-tailed (a normal over the root of a gamma, about Student's t with 3
/// degrees of freedom), an integer in -6..=6 (many ties), a categorical code 0-5.
fn skewed_values(rng: &mut Rng, features: usize, quality: f64, common: f64) -> Vec<f64> {
    (0..features)
        .map(|j| {
            let signal = if j < features / 2 {
                let weight = 1.0 / (1.0 + j as f64 * 0.35);
                let sign = if j % 2 == 0 { 1.0 } else { -1.0 };
                sign * weight * quality
            } else {
                0.5 * common
            };
            match j % 4 {
                0 => (0.8 * signal + 0.6 * rng.normal()).exp() * 1_000.0,
                1 => {
                    let chi2: f64 = (0..3).map(|_| rng.normal().powi(2)).sum();
                    signal + rng.normal() / (chi2 / 3.0).sqrt().max(0.05)
                }
                // `+ 0.0` makes a rounded -0.0 a plain 0 in the file.
                2 => (2.0 * signal + rng.normal()).round().clamp(-6.0, 6.0) + 0.0,
                _ => {
                    ((signal + 1.5 + 0.8 * rng.normal()) * 1.6)
                        .floor()
                        .clamp(0.0, 5.0)
                        + 0.0
                }
            }
        })
        .collect()
}

/// Writes the table as CSV (`id,f1..fK,class,split`). Returns the number of rows.
pub fn write_csv(cfg: &FeatureTableConfig, path: &Path) -> std::io::Result<usize> {
    let mut rng = Rng::new(cfg.seed);
    let mut split_rng = Rng::new(cfg.seed ^ 0x5EED);
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    write!(out, "id")?;
    for j in 1..=cfg.features {
        write!(out, ",f{j}")?;
    }
    writeln!(out, ",class,split")?;
    // Stratified 70/30: each class keeps its own counter, every 10 rows of a class 3 go to test
    // (in a shuffled position per block), so the test share is 30% within every class.
    let mut seen = [0usize; 3];
    let mut block_test: [[bool; 10]; 3] = [[false; 10]; 3];
    for i in 0..cfg.rows {
        let (class, values) = row(&mut rng, cfg.features, cfg.shape);
        let pos = seen[class] % 10;
        if pos == 0 {
            let mut b = [false; 10];
            let mut placed = 0;
            while placed < 3 {
                let k = split_rng.int(0, 9) as usize;
                if !b[k] {
                    b[k] = true;
                    placed += 1;
                }
            }
            block_test[class] = b;
        }
        seen[class] += 1;
        let split = if block_test[class][pos] {
            "test"
        } else {
            "train"
        };
        write!(out, "r{i}")?;
        for v in values {
            write!(out, ",{v:.6}")?;
        }
        writeln!(out, ",{},{split}", CLASSES[class])?;
    }
    out.flush()?;
    Ok(cfg.rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_seeded_stratified_and_shaped() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("t.csv");
        let cfg = FeatureTableConfig {
            rows: 3000,
            features: 24,
            seed: 7,
            shape: Shape::Normal,
        };
        write_csv(&cfg, &p).unwrap();
        let a = std::fs::read_to_string(&p).unwrap();
        write_csv(&cfg, &p).unwrap();
        assert_eq!(
            a,
            std::fs::read_to_string(&p).unwrap(),
            "same seed, same bytes"
        );
        let lines: Vec<&str> = a.lines().collect();
        assert_eq!(lines.len(), 3001);
        assert_eq!(lines[0].split(',').count(), 27);
        for class in CLASSES {
            let rows: Vec<&&str> = lines[1..]
                .iter()
                .filter(|l| l.contains(&format!(",{class},")))
                .collect();
            let test = rows.iter().filter(|l| l.ends_with(",test")).count() as f64;
            let share = test / rows.len() as f64;
            assert!((share - 0.3).abs() < 0.03, "{class}: test share {share}");
        }
    }

    /// The skewed shape: heavy tails on the log-normal and t-like inputs, at most 13 distinct
    /// values on the integer inputs and 6 on the codes, and the quality readable on each form.
    #[test]
    fn the_skewed_table_has_tails_ties_and_codes() {
        let mut rng = Rng::new(3);
        let rows: Vec<(usize, Vec<f64>)> = (0..20_000)
            .map(|_| row(&mut rng, 24, Shape::Skewed))
            .collect();
        let column = |j: usize| -> Vec<f64> { rows.iter().map(|(_, v)| v[j]).collect() };
        let distinct = |v: &[f64]| {
            let mut d = v.to_vec();
            d.sort_by(f64::total_cmp);
            d.dedup();
            d.len()
        };
        let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
        let lognormal = column(0);
        let mut sorted = lognormal.clone();
        sorted.sort_by(f64::total_cmp);
        assert!(
            mean(&lognormal) > 1.2 * sorted[sorted.len() / 2],
            "right-skewed"
        );
        let t = column(1);
        let beyond = t.iter().filter(|x| x.abs() > 6.0).count();
        assert!(beyond > 20, "{beyond} values beyond 6: heavy tails");
        assert!(distinct(&column(2)) <= 13 && distinct(&column(3)) <= 6);
        // The good firms (class 0) and the bad ones (class 2) differ on the signal inputs.
        for j in 0..4 {
            let of = |c: usize| -> Vec<f64> {
                rows.iter()
                    .filter(|(k, _)| *k == c)
                    .map(|(_, v)| v[j].min(1e4))
                    .collect()
            };
            let (good, bad) = (mean(&of(0)), mean(&of(2)));
            assert!(
                (good - bad).abs() > 0.1 * (good.abs() + bad.abs()) / 2.0
                    || (good - bad).abs() > 0.3,
                "input {j}: {good} vs {bad}"
            );
        }
    }
}
