//! The generated feature tables the benchmarks read (`precre demo features`): inputs, classes
//! and the split column; and timing by the best of several runs.

use precre::analysis::Matrix;
use precre::demo::features::CLASSES;
use precre::demo::features::{write_csv, FeatureTableConfig};
use std::path::{Path, PathBuf};
use std::time::Instant;

pub struct Table {
    pub x: Matrix,
    pub y: Vec<usize>,
    pub train: Vec<usize>,
    pub test: Vec<usize>,
}

pub fn read(path: &Path) -> Table {
    let mut rdr = csv::Reader::from_path(path).expect("open the table");
    let headers = rdr.headers().expect("header").clone();
    let feats: Vec<usize> = (0..headers.len())
        .filter(|&i| headers[i].starts_with('f'))
        .collect();
    let class = headers
        .iter()
        .position(|h| h == "class")
        .expect("class column");
    let split = headers
        .iter()
        .position(|h| h == "split")
        .expect("split column");
    let (mut data, mut y, mut train, mut test) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (i, rec) in rdr.records().enumerate() {
        let rec = rec.expect("row");
        data.extend(
            feats
                .iter()
                .map(|&j| rec[j].parse::<f64>().unwrap_or(f64::NAN)),
        );
        y.push(CLASSES.iter().position(|c| *c == &rec[class]).unwrap_or(0));
        if &rec[split] == "test" {
            test.push(i);
        } else {
            train.push(i);
        }
    }
    Table {
        x: Matrix::new(y.len(), feats.len(), data),
        y,
        train,
        test,
    }
}

pub fn best_of<T>(n: usize, mut f: impl FnMut() -> T) -> (f64, T) {
    let mut best = f64::INFINITY;
    let mut out = None;
    for _ in 0..n {
        let t = Instant::now();
        let r = f();
        best = best.min(t.elapsed().as_secs_f64());
        out = Some(r);
    }
    (best, out.expect("at least one run"))
}

/// The tables named on the command line, or 10,000 and 100,000 generated rows in
/// target/bench-data/ (written once).
pub fn files_from_args() -> Vec<PathBuf> {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    if args.is_empty() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
        std::fs::create_dir_all(&dir).expect("bench dir");
        [10_000usize, 100_000]
            .iter()
            .map(|&rows| {
                let p = dir.join(format!("features-{rows}.csv"));
                if !p.exists() {
                    let cfg = FeatureTableConfig {
                        rows,
                        ..Default::default()
                    };
                    write_csv(&cfg, &p).expect("write table");
                }
                p
            })
            .collect()
    } else {
        args.iter().map(PathBuf::from).collect()
    }
}
