//! Exporting decisions, predictions or ratio tables to a file (CSV, JSON, Parquet or Excel, by
//! its extension), with progress and cancellation before the file is written.

use super::{Job, Result};
use crate::decisions::export;
use crate::store::Store;
use crate::views::exports as tables;
use std::path::{Path, PathBuf};

/// What an export writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExportWhat {
    Decisions,
    /// One row per application in its current state.
    Register,
    Predictions,
    Ratios,
}

impl ExportWhat {
    pub const ALL: [ExportWhat; 4] = [
        ExportWhat::Decisions,
        ExportWhat::Register,
        ExportWhat::Predictions,
        ExportWhat::Ratios,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ExportWhat::Decisions => "decisions",
            ExportWhat::Register => "register",
            ExportWhat::Predictions => "predictions",
            ExportWhat::Ratios => "ratios",
        }
    }

    /// The next one, in the order the Export screen cycles them.
    pub fn next(self) -> ExportWhat {
        let i = ExportWhat::ALL.iter().position(|w| *w == self).unwrap_or(0);
        ExportWhat::ALL[(i + 1) % ExportWhat::ALL.len()]
    }
}

/// A written export.
#[derive(Debug, Clone, PartialEq)]
pub struct Exported {
    pub path: PathBuf,
    pub rows: usize,
}

/// Writes the table to `path`; an existing file is replaced only with `force`.
pub fn export(
    store: &Store,
    what: ExportWhat,
    path: &Path,
    force: bool,
    job: &Job,
) -> Result<Exported> {
    job.progress(0.2, "reading the store");
    let table = match what {
        ExportWhat::Decisions => tables::decisions(&store.decisions()?),
        ExportWhat::Register => tables::register(store)?,
        ExportWhat::Predictions => tables::predictions(store)?,
        ExportWhat::Ratios => tables::ratios(store)?,
    };
    job.check()?;
    job.progress(0.6, "writing the file");
    let rows = export::write(&table, path, force)?;
    Ok(Exported {
        path: path.to_path_buf(),
        rows,
    })
}
