//! A file's rows as read, before any validation: a whole table, or one chunk of a streamed file.

use super::reader::quoted;
use super::report::{Issue, Severity};
use polars::prelude::StringChunked;
use std::path::{Path, PathBuf};

/// One cell as read: missing, a number, or text.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cell<'a> {
    Missing,
    Num(f64),
    Text(&'a str),
}

impl Cell<'_> {
    /// The cell as the user wrote it, for reports.
    pub fn display(&self) -> String {
        match self {
            Cell::Missing => String::new(),
            Cell::Num(x) => format!("{x}"),
            Cell::Text(s) => s.to_string(),
        }
    }
}

/// One cell of a spreadsheet (or a wide sheet turned long), owned.
#[derive(Debug, Clone, PartialEq)]
pub enum SheetCell {
    Empty,
    Num(f64),
    Text(String),
}

/// A column's cells.
pub enum RawColumn {
    Str(StringChunked),
    Owned(Vec<Option<String>>),
    Num(Vec<Option<f64>>),
    Mixed(Vec<SheetCell>),
}

impl RawColumn {
    pub fn cell(&self, row: usize) -> Cell<'_> {
        fn text(s: Option<&str>) -> Cell<'_> {
            match s {
                None => Cell::Missing,
                Some(t) => Cell::Text(t),
            }
        }
        match self {
            RawColumn::Str(ca) => text(ca.get(row)),
            RawColumn::Owned(v) => text(v.get(row).and_then(|s| s.as_deref())),
            RawColumn::Num(v) => match v.get(row).copied().flatten() {
                Some(x) => Cell::Num(x),
                None => Cell::Missing,
            },
            RawColumn::Mixed(v) => match v.get(row) {
                Some(SheetCell::Num(x)) => Cell::Num(*x),
                Some(SheetCell::Text(t)) => Cell::Text(t),
                _ => Cell::Missing,
            },
        }
    }
}

/// Where the cells live: in columns (a whole file read by polars or our own readers), or in
/// the records of one chunk of a streamed CSV file (one allocation a row, not one a cell).
enum Cells {
    Columns(Vec<RawColumn>),
    Records(Vec<csv::StringRecord>),
}

/// A file's content (or one chunk of it) as raw cells, before any validation.
pub struct RawTable {
    pub path: PathBuf,
    pub headers: Vec<String>,
    cells: Cells,
    pub n_rows: usize,
    /// Data rows of the file before this table's first row (0 for a whole file): row numbers
    /// in messages count from the file's start.
    first_row: usize,
    /// The file line of data row 1, where lines mean anything (text formats).
    first_line: Option<usize>,
    /// The file line of each row of this table, when the reader knows it exactly (a quoted cell
    /// can span lines).
    lines: Vec<u64>,
    /// Where a spreadsheet's cells sit on their sheets, for messages.
    refs: Option<SheetRefs>,
}

/// A spreadsheet column's letters: 0 is "A", 26 is "AA".
pub fn column_letters(mut c: u32) -> String {
    let mut out = Vec::new();
    loop {
        out.push(b'A' + (c % 26) as u8);
        if c < 26 {
            break;
        }
        c = c / 26 - 1;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// Where a table's cells came from on a workbook's sheets (rows and columns 0-based).
#[derive(Debug, Clone)]
pub enum SheetRefs {
    /// A sheet read as a table: each table row is one sheet row, each column one sheet column.
    Long {
        sheet: String,
        rows: Vec<u32>,
        cols: Vec<u32>,
    },
    /// A wide sheet turned long: each table row is one year column of a sheet; each item of it
    /// comes from its own sheet row.
    Wide {
        sheets: Vec<String>,
        places: Vec<WidePlace>,
    },
}

/// Where one statement of a wide sheet came from.
#[derive(Debug, Clone)]
pub struct WidePlace {
    pub sheet: usize,
    /// The sheet column of the year.
    pub col: u32,
    /// The sheet row of the year headers.
    pub header_row: u32,
    /// The sheet row of each table column's value (`None`: not from a row of the sheet).
    pub rows: Vec<Option<u32>>,
}

impl SheetRefs {
    /// "sheet "BS", row 7, column D" for table row `r` (0-based) and column `c`.
    pub fn at(&self, r: usize, c: Option<usize>) -> String {
        match self {
            SheetRefs::Long { sheet, rows, cols } => {
                let row = rows.get(r).map_or(0, |x| x + 1);
                match c.and_then(|c| cols.get(c)) {
                    Some(&col) => format!(
                        "sheet \"{sheet}\", row {row}, column {}",
                        column_letters(col)
                    ),
                    None => format!("sheet \"{sheet}\", row {row}"),
                }
            }
            SheetRefs::Wide { sheets, places } => {
                let Some(p) = places.get(r) else {
                    return String::new();
                };
                let sheet = sheets.get(p.sheet).map_or("", String::as_str);
                let row = c
                    .and_then(|c| p.rows.get(c).copied().flatten())
                    .unwrap_or(p.header_row);
                format!(
                    "sheet \"{sheet}\", row {}, column {}",
                    row + 1,
                    column_letters(p.col)
                )
            }
        }
    }
}

impl RawTable {
    /// A table of columns.
    pub fn from_columns(
        path: &Path,
        headers: Vec<String>,
        columns: Vec<RawColumn>,
        n_rows: usize,
        first_line: Option<usize>,
    ) -> Self {
        RawTable {
            path: path.to_path_buf(),
            headers,
            cells: Cells::Columns(columns),
            n_rows,
            first_row: 0,
            first_line,
            lines: Vec::new(),
            refs: None,
        }
    }

    /// A table read from spreadsheet cells, with where each came from.
    pub fn from_sheet(
        path: &Path,
        headers: Vec<String>,
        columns: Vec<Vec<SheetCell>>,
        refs: SheetRefs,
    ) -> Self {
        let n_rows = columns.first().map_or(0, Vec::len);
        let columns = columns.into_iter().map(RawColumn::Mixed).collect();
        let mut table = Self::from_columns(path, headers, columns, n_rows, None);
        table.refs = Some(refs);
        table
    }

    /// A table of text columns made by our own readers (ARFF, whitespace).
    pub fn from_text(
        path: &Path,
        headers: Vec<String>,
        cols: Vec<Vec<Option<String>>>,
        first_line: Option<usize>,
    ) -> Self {
        let n_rows = cols.first().map_or(0, Vec::len);
        let columns = cols.into_iter().map(RawColumn::Owned).collect();
        Self::from_columns(path, headers, columns, n_rows, first_line)
    }

    /// One chunk of a streamed CSV file: its records, the data rows before it, and the file
    /// line each record starts on. An empty field is a missing cell.
    pub fn from_records(
        path: &Path,
        headers: Vec<String>,
        records: Vec<csv::StringRecord>,
        first_row: usize,
        lines: Vec<u64>,
    ) -> Self {
        RawTable {
            path: path.to_path_buf(),
            headers,
            n_rows: records.len(),
            cells: Cells::Records(records),
            first_row,
            first_line: None,
            lines,
            refs: None,
        }
    }

    /// Whether the cells came from a spreadsheet (messages then name sheet, row and column).
    pub fn has_sheet_refs(&self) -> bool {
        self.refs.is_some()
    }

    /// This table as a chunk that starts after `first_row` data rows of its file.
    pub fn starting_at(mut self, first_row: usize) -> Self {
        self.first_row = first_row;
        self
    }

    /// The columns of a table of columns (empty for a chunk of records).
    pub fn into_columns(self) -> Vec<RawColumn> {
        match self.cells {
            Cells::Columns(c) => c,
            Cells::Records(_) => Vec::new(),
        }
    }

    /// The records and lines of a streamed chunk (empty for a table of columns).
    pub fn into_records(self) -> (Vec<csv::StringRecord>, Vec<u64>) {
        match self.cells {
            Cells::Records(r) => (r, self.lines),
            Cells::Columns(_) => (Vec::new(), Vec::new()),
        }
    }

    /// The cell of column `c` in this table's row `r` (0-based, within the table).
    pub fn cell(&self, c: usize, r: usize) -> Cell<'_> {
        match &self.cells {
            Cells::Columns(cols) => cols[c].cell(r),
            Cells::Records(recs) => match recs[r].get(c) {
                None | Some("") => Cell::Missing,
                Some(t) => Cell::Text(t),
            },
        }
    }

    /// The file's row number (1-based) of this table's row `r` (0-based).
    pub fn file_row(&self, r: usize) -> usize {
        self.first_row + r + 1
    }

    /// A finding about data row `row` (1-based, counted from the file's start).
    pub fn issue(
        &self,
        severity: Severity,
        row: usize,
        column: &str,
        value: &str,
        reason: impl Into<String>,
    ) -> Issue {
        Issue {
            cause: None,
            severity,
            file: self.path.display().to_string(),
            row,
            location: match &self.refs {
                Some(refs) => refs.at(
                    row.saturating_sub(self.first_row + 1),
                    self.headers.iter().position(|h| h == column),
                ),
                None => self.locate(row),
            },
            column: column.to_string(),
            value: quoted(value),
            reason: reason.into(),
        }
    }

    /// The file line of data row `row` (1-based), where the table knows it.
    pub fn line_of(&self, row: usize) -> Option<u64> {
        if let Some(&line) = row
            .checked_sub(self.first_row + 1)
            .and_then(|i| self.lines.get(i))
        {
            return Some(line);
        }
        if !self.lines.is_empty() {
            return None;
        }
        self.first_line.map(|first| (first + row - 1) as u64)
    }

    /// Where data row `row` (1-based) sits, for messages: "row 57 (line 58)".
    pub fn locate(&self, row: usize) -> String {
        if let Some(refs) = &self.refs {
            return refs.at(row.saturating_sub(self.first_row + 1), None);
        }
        location(row, self.line_of(row))
    }
}

/// A data row and, where known, its file line, as messages name them: "row 57 (line 58)".
pub fn location(row: usize, line: Option<u64>) -> String {
    match line {
        Some(line) => format!("row {row} (line {line})"),
        None => format!("row {row}"),
    }
}
