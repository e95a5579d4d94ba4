//! The demo portfolio: the seeded generator, the files it made (embedded in the binary, so an
//! installed `precre` can load them), and loading them through the ordinary import code.

pub mod features;
pub mod generate;
pub use crate::analysis::rng;

pub use generate::{generate, DemoConfig, DemoWriters};

use crate::ingest::{import_file, ImportError, ImportOptions, ImportReport, Kind};
use crate::store::Store;
use std::io::BufWriter;
use std::path::Path;

/// The demo files in import order: (file name, kind, content as committed in `data/`).
pub const FILES: &[(&str, Kind, &str)] = &[
    (
        "firms.csv",
        Kind::Firms,
        include_str!("../../data/firms.csv"),
    ),
    (
        "statements.csv",
        Kind::Statements,
        include_str!("../../data/statements.csv"),
    ),
    (
        "factors.csv",
        Kind::Factors,
        include_str!("../../data/factors.csv"),
    ),
    (
        "applications.csv",
        Kind::Applications,
        include_str!("../../data/applications.csv"),
    ),
    (
        "outcomes.csv",
        Kind::Outcomes,
        include_str!("../../data/outcomes.csv"),
    ),
];

/// Writes a Parquet copy of a CSV file we generated (column types inferred over the whole file,
/// so numbers stay numbers). Returns the number of rows.
pub fn csv_to_parquet(csv: &Path, parquet: &Path) -> Result<usize, ParquetCopyError> {
    use polars::prelude::*;
    let mut df = CsvReadOptions::default()
        .with_has_header(true)
        .with_infer_schema_length(None)
        .try_into_reader_with_file_path(Some(csv.to_path_buf()))
        .and_then(|r| r.finish())
        .map_err(|e| ParquetCopyError {
            path: csv.to_path_buf(),
            reason: e.to_string(),
        })?;
    let failed = |reason: String| ParquetCopyError {
        path: parquet.to_path_buf(),
        reason,
    };
    let file = std::fs::File::create(parquet).map_err(|e| failed(e.to_string()))?;
    ParquetWriter::new(file)
        .finish(&mut df)
        .map_err(|e| failed(e.to_string()))?;
    Ok(df.height())
}

/// A Parquet copy that could not be made: the file read or written, and why.
#[derive(Debug, thiserror::Error)]
#[error("{}: {reason}", path.display())]
pub struct ParquetCopyError {
    pub path: std::path::PathBuf,
    pub reason: String,
}

/// Writes the five demo files into `dir` (created if needed). Returns the statement count.
pub fn generate_to_dir(cfg: &DemoConfig, dir: &Path) -> std::io::Result<usize> {
    std::fs::create_dir_all(dir)?;
    let open = |name: &str| std::fs::File::create(dir.join(name)).map(BufWriter::new);
    let mut w = DemoWriters {
        firms: open("firms.csv")?,
        statements: open("statements.csv")?,
        factors: open("factors.csv")?,
        applications: open("applications.csv")?,
        outcomes: open("outcomes.csv")?,
    };
    let n = generate(cfg, &mut w)?;
    use std::io::Write;
    for f in [
        &mut w.firms,
        &mut w.statements,
        &mut w.factors,
        &mut w.applications,
        &mut w.outcomes,
    ] {
        f.flush()?;
    }
    Ok(n)
}

/// Loads the demo files from `dir`, or the embedded copies when `dir` is `None`, through the
/// same import code a user's files go through.
pub fn load(
    store: &mut Store,
    dir: Option<&Path>,
    progress: bool,
) -> Result<Vec<ImportReport>, ImportError> {
    let tmp;
    let dir = match dir {
        Some(d) => d,
        None => {
            tmp = tempfile::tempdir()
                .map_err(|e| ImportError::Usage(format!("cannot make a temporary folder: {e}")))?;
            for (name, _, content) in FILES {
                let path = tmp.path().join(name);
                std::fs::write(&path, content)
                    .map_err(|source| ImportError::Write { path, source })?;
            }
            tmp.path()
        }
    };
    let mut reports = Vec::new();
    for (name, kind, _) in FILES {
        let mut opts = ImportOptions::new(*kind);
        opts.progress = progress;
        reports.push(import_file(store, &dir.join(name), &opts)?);
    }
    Ok(reports)
}
