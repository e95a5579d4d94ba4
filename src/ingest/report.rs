//! The import report: every refused cell or row, and every soft warning, by file, row and column.

use serde::Serialize;
use std::path::Path;

/// Whether an issue refuses the row or only flags it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// What kind of finding, where a front-end acts on it (its advice names its own option).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IssueCause {
    /// A row names a firm the store does not hold (placeholder firms would take it).
    UnknownFirm,
}

/// One finding about one cell (or one row, when `column` is empty).
#[derive(Debug, Clone, Serialize)]
pub struct Issue {
    /// The kind of finding, where one is named (not written out).
    #[serde(skip)]
    pub cause: Option<IssueCause>,
    pub severity: Severity,
    pub file: String,
    /// Data row, 1-based (the header is not counted).
    pub row: usize,
    /// "row 57 (line 58)" as shown to the user.
    pub location: String,
    pub column: String,
    pub value: String,
    pub reason: String,
}

impl std::fmt::Display for Issue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let tag = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{tag}: {}: {}", self.file, self.location)?;
        if !self.column.is_empty() {
            write!(f, ", column \"{}\"", self.column)?;
        }
        if !self.value.is_empty() {
            write!(f, ", value \"{}\"", self.value)?;
        }
        write!(f, ": {}", self.reason)
    }
}

/// Writes every issue to a CSV file (`--rejects FILE`).
pub fn write_rejects(path: &Path, issues: &[Issue]) -> std::io::Result<()> {
    let mut w = csv::Writer::from_path(path)?;
    w.write_record([
        "severity", "file", "row", "location", "column", "value", "reason",
    ])?;
    for i in issues {
        let sev = match i.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        w.write_record([
            sev,
            &i.file,
            &i.row.to_string(),
            &i.location,
            &i.column,
            &i.value,
            &i.reason,
        ])?;
    }
    w.flush()
}
