//! A seeded feature table of any size for benchmarks: `features` numeric columns, three classes
//! (good / satisfactory / bad, about 60 / 25 / 15%), a stratified `split` column (train / test,
//! 30% test) so that every tool compared trains and tests on the same rows.

use super::rng::Rng;
use std::io::Write;
use std::path::Path;

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FeatureTableConfig {
    pub rows: usize,
    pub features: usize,
    pub seed: u64,
}

impl Default for FeatureTableConfig {
    fn default() -> Self {
        FeatureTableConfig {
            rows: 100_000,
            features: 24,
            seed: 42,
        }
    }
}

pub const CLASSES: [&str; 3] = ["good", "satisfactory", "bad"];

/// One generated row: its class index, its split, and its feature values.
fn row(rng: &mut Rng, features: usize) -> (usize, Vec<f64>) {
    let class = rng.weighted(&[0.60, 0.25, 0.15]);
    // A latent credit quality; the first half of the features read it with noise (some
    // strongly, some weakly), the rest are noise with correlations among themselves.
    let quality = [1.0, 0.0, -1.2][class] + 0.8 * rng.normal();
    let common = rng.normal();
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
        let (class, values) = row(&mut rng, cfg.features);
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
}
