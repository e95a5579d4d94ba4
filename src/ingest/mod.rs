//! Import: read a file, match its columns, validate every row, stage it, and publish it into
//! the store in short transactions (see `publish`).

pub mod arff;
pub mod features;
pub mod frames;
mod json_array;
pub mod kinds;
pub mod mapping;
pub mod numbers;
pub mod publish;
pub mod reader;
pub mod records;
pub mod report;
mod row_checks;
pub mod sheet;
mod statements;
pub mod stream;
pub mod table;
pub mod validate;
pub mod wide;

pub use kinds::Kind;
pub use mapping::ColumnMap;
pub use reader::{Format, ReadOptions};
pub use report::{Issue, Severity};

use crate::store::records::ImportCounts;
use crate::store::{Store, StoreError};
use serde::Serialize;
use std::path::{Path, PathBuf};
use thiserror::Error;

/// What can stop an import. Every variant leaves the store as it was.
#[derive(Debug, Error)]
pub enum ImportError {
    #[error("{}: {message}", path.display())]
    Read { path: PathBuf, message: String },
    #[error("{}: missing column(s) {missing}; the file has: {found}. Rename them, or map file columns to fields", path.display())]
    MissingColumns {
        path: PathBuf,
        missing: String,
        found: String,
    },
    #[error(
        "{}: cannot tell the format from the extension; name it: csv, parquet, json, ndjson, \
         arff, whitespace or spreadsheet", .0.display()
    )]
    UnknownFormat(PathBuf),
    #[error("{0}")]
    Usage(String),
    #[error(
        "{}: {location}: \"{example}\" could be read with either '.' or ',' as the decimal \
         mark; name the file's decimal mark and import again", path.display()
    )]
    AmbiguousNumbers {
        path: PathBuf,
        location: String,
        example: String,
    },
    #[error(
        "{}: numbers are written with two decimal marks: \"{first}\" and \"{second}\"; \
         name the file's decimal mark and import again", path.display()
    )]
    MixedNumbers {
        path: PathBuf,
        first: String,
        second: String,
    },
    #[error("{}: {} row(s) refused, nothing was imported", report.file, report.counts.rows_rejected)]
    Refused { report: Box<ImportReport> },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(
        "{file}: the import stopped after {published} of {rows} rows were in the store \
         ({source}); the rest is staged beside the store and goes in at the store's next check \
         or import, once the cause is fixed"
    )]
    Interrupted {
        file: String,
        published: usize,
        rows: usize,
        source: Box<StoreError>,
    },
    #[error("cannot write {}: {source}", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Options of a features import.
#[derive(Debug, Clone, Default)]
pub struct FeatureOptions {
    pub id_column: Option<String>,
    pub label_column: Option<String>,
    pub name: Option<String>,
    pub replace: bool,
}

/// Everything an import needs besides the file.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    pub kind: Kind,
    pub read: ReadOptions,
    pub map: ColumnMap,
    pub skip_bad: bool,
    /// Create a placeholder firm for an unknown firm id instead of refusing the row.
    pub create_firms: bool,
    pub progress: bool,
    pub features: FeatureOptions,
    /// How firm ids are checked (default: Korean-shaped ids only).
    pub id_scheme: Option<validate::IdScheme>,
    /// Rows per published chunk (default: sized so that each holds the write lock ~50 ms).
    pub publish_rows: Option<usize>,
    /// Called after each published chunk's commit, with the chunks done so far (tests).
    pub between_chunks: Option<publish::ChunkHook>,
}

impl ImportOptions {
    pub fn new(kind: Kind) -> Self {
        ImportOptions {
            kind,
            read: ReadOptions::default(),
            map: ColumnMap::default(),
            skip_bad: false,
            create_firms: false,
            progress: false,
            features: FeatureOptions::default(),
            id_scheme: None,
            publish_rows: None,
            between_chunks: None,
        }
    }
}

/// What an import did.
#[derive(Debug, Clone, Serialize)]
pub struct ImportReport {
    pub file: String,
    pub kind: Kind,
    #[serde(flatten)]
    pub counts: ImportCounts,
    pub created_firms: usize,
    pub unused_columns: Vec<String>,
    /// For a feature set: its name, label counts and missing cells.
    pub feature_set: Option<String>,
    pub labels: Vec<(String, usize)>,
    pub missing_cells: usize,
    pub issues: Vec<Issue>,
    /// How the file's numbers were read, and whether that was detected from its cells.
    pub number_format: Option<String>,
    /// Where a spreadsheet's rows came from, and what a wide layout made of its rows.
    pub layout_notes: Vec<String>,
}

impl ImportReport {
    fn new(path: &Path, kind: Kind) -> Self {
        ImportReport {
            file: path.display().to_string(),
            kind,
            counts: ImportCounts::default(),
            created_firms: 0,
            unused_columns: Vec::new(),
            feature_set: None,
            labels: Vec::new(),
            missing_cells: 0,
            issues: Vec::new(),
            number_format: None,
            layout_notes: Vec::new(),
        }
    }

    pub fn errors(&self) -> impl Iterator<Item = &Issue> {
        self.issues.iter().filter(|i| i.severity == Severity::Error)
    }
}

/// A progress bar on stderr over the file's bytes, shown only when asked (stdout is a terminal).
pub(crate) fn progress_bar(show: bool, bytes: u64, what: &str) -> indicatif::ProgressBar {
    if !show {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(bytes);
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{msg:>12} [{bar:40}] {bytes}/{total_bytes} of the file, {eta} left",
    ) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(what.to_string());
    bar
}

/// Imports `path` into `store`: nothing is written unless every row passes (or `skip_bad`).
pub fn import_file(
    store: &mut Store,
    path: &Path,
    opts: &ImportOptions,
) -> Result<ImportReport, ImportError> {
    let mut report = ImportReport::new(path, opts.kind);
    if opts.kind == Kind::Features {
        let t = std::time::Instant::now();
        let table = reader::read_table(path, &opts.read)?;
        crate::timings::phase("read", t);
        report.counts.rows_read = table.n_rows;
        return features::import(store, &table, opts, report);
    }
    // Register kinds stream: a chunk of rows is read, checked and written at a time.
    let mut source = stream::open(path, opts)?;
    report.layout_notes = source.notes();
    if source.is_wide() {
        // The mapping named account lines; the long table's columns are the fields' own names.
        let mut long = opts.clone();
        long.map = ColumnMap::default();
        return records::import(store, source.as_mut(), &long, report);
    }
    records::import(store, source.as_mut(), opts, report)
}
