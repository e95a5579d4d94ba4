//! Reading spreadsheets (.xlsx, .xlsm, .xls, .ods) through calamine: a sheet's cells as a grid
//! (dates as ISO dates whatever their display format, formulas as their cached values), the
//! sheet to read and its header row, and a grid as a table of the header's columns.

use super::table::{column_letters, RawTable, SheetCell, SheetRefs};
use super::ImportError;
use calamine::{Data, Reader};
use std::path::Path;

/// One sheet's cells, row by row from the sheet's first row (0-based, absolute).
#[derive(Debug, Clone)]
pub struct Grid {
    pub name: String,
    pub rows: Vec<Vec<SheetCell>>,
}

impl Grid {
    pub fn cell(&self, r: usize, c: usize) -> &SheetCell {
        self.rows
            .get(r)
            .and_then(|row| row.get(c))
            .unwrap_or(&SheetCell::Empty)
    }

    /// Whether the sheet holds any cell.
    pub fn has_data(&self) -> bool {
        self.rows
            .iter()
            .any(|r| r.iter().any(|c| *c != SheetCell::Empty))
    }

    /// The text of a cell, trimmed (numbers as written by `{}`).
    pub fn text(&self, r: usize, c: usize) -> String {
        match self.cell(r, c) {
            SheetCell::Empty => String::new(),
            SheetCell::Num(x) => format!("{x}"),
            SheetCell::Text(t) => t.trim().to_string(),
        }
    }
}

fn read_err(path: &Path, message: impl Into<String>) -> ImportError {
    ImportError::Read {
        path: path.to_path_buf(),
        message: message.into(),
    }
}

/// A calamine cell as precre reads it.
fn cell(d: &Data) -> SheetCell {
    match d {
        Data::Empty => SheetCell::Empty,
        Data::Int(i) => SheetCell::Num(*i as f64),
        Data::Float(x) => SheetCell::Num(*x),
        Data::String(s) if s.trim().is_empty() => SheetCell::Empty,
        Data::String(s) => SheetCell::Text(s.clone()),
        Data::Bool(b) => SheetCell::Text(b.to_string()),
        Data::DateTime(dt) if dt.is_datetime() => {
            let (y, m, d, ..) = dt.to_ymd_hms_milli();
            SheetCell::Text(format!("{y:04}-{m:02}-{d:02}"))
        }
        Data::DateTime(dt) => SheetCell::Num(dt.as_f64()),
        Data::DateTimeIso(s) => SheetCell::Text(s.get(..10).unwrap_or(s).to_string()),
        Data::DurationIso(s) => SheetCell::Text(s.clone()),
        Data::Error(e) => SheetCell::Text(format!("#{e:?}")),
    }
}

/// Every sheet of the workbook at `path`, in workbook order.
pub fn read_workbook(path: &Path) -> Result<Vec<Grid>, ImportError> {
    // Read whole (a workbook is a zip or a compound file, read by seeking anyway); the format
    // is told from the bytes, whatever the extension's case.
    let bytes = std::fs::read(path).map_err(|e| read_err(path, e.to_string()))?;
    let mut book = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes))
        .map_err(|e| read_err(path, format!("not a readable spreadsheet: {e}")))?;
    let mut grids = Vec::new();
    for name in book.sheet_names() {
        let range = book
            .worksheet_range(&name)
            .map_err(|e| read_err(path, format!("sheet \"{name}\": {e}")))?;
        let mut rows: Vec<Vec<SheetCell>> = Vec::new();
        if let Some((r0, c0)) = range.start() {
            for (i, row) in range.rows().enumerate() {
                let r = r0 as usize + i;
                rows.resize(r + 1, Vec::new());
                let mut out = vec![SheetCell::Empty; c0 as usize];
                out.extend(row.iter().map(cell));
                while out.last() == Some(&SheetCell::Empty) {
                    out.pop();
                }
                rows[r] = out;
            }
        }
        grids.push(Grid { name, rows });
    }
    Ok(grids)
}

/// The sheets to read: the one named (by name, or number from 1), else the first with data.
/// Returns the chosen grids and a note saying which was taken when none was named.
pub fn choose(
    path: &Path,
    grids: Vec<Grid>,
    wanted: Option<&str>,
) -> Result<(Grid, Option<String>), ImportError> {
    let names: Vec<String> = grids.iter().map(|g| format!("\"{}\"", g.name)).collect();
    let Some(wanted) = wanted else {
        let count = grids.len();
        let grid = grids
            .into_iter()
            .find(Grid::has_data)
            .ok_or_else(|| read_err(path, "no sheet holds any data"))?;
        let note = (count > 1).then(|| {
            format!(
                "read sheet \"{}\", the first with data (sheets: {})",
                grid.name,
                names.join(", ")
            )
        });
        return Ok((grid, note));
    };
    let by_number = wanted.parse::<usize>().ok();
    let found = grids
        .into_iter()
        .enumerate()
        .find(|(i, g)| g.name == wanted || by_number == Some(i + 1))
        .map(|(_, g)| g);
    found.map(|g| (g, None)).ok_or_else(|| {
        read_err(
            path,
            format!(
                "no sheet \"{wanted}\"; the sheets are {} (name one, or give its number from 1)",
                names.join(", ")
            ),
        )
    })
}

/// The header row (0-based): the one named (from 1), else the first row among the first 30
/// whose filled cells are all text and number at least half of the widest such row's (a title
/// line above the table has one cell).
pub fn header_row(grid: &Grid, named: Option<usize>) -> Option<usize> {
    if let Some(n) = named {
        return Some(n.saturating_sub(1));
    }
    let text_row = |r: &Vec<SheetCell>| {
        let filled = r.iter().filter(|c| **c != SheetCell::Empty).count();
        let texts = r.iter().filter(|c| matches!(c, SheetCell::Text(_))).count();
        (filled == texts).then_some(texts)
    };
    let scan = grid.rows.len().min(30);
    let widest = grid.rows[..scan]
        .iter()
        .filter_map(text_row)
        .max()
        .unwrap_or(0);
    (0..scan).find(|&r| {
        text_row(&grid.rows[r])
            .is_some_and(|n| n >= 2.max(widest.div_ceil(2)) || n == widest && n > 0)
    })
}

/// A sheet read as a table: the header row's cells name the columns; every later row that is
/// not blank is a data row. Empty header cells are named after their column letters.
pub fn to_table(path: &Path, grid: &Grid, header: usize) -> Result<RawTable, ImportError> {
    let head = grid.rows.get(header).cloned().unwrap_or_default();
    let first = head.iter().position(|c| *c != SheetCell::Empty);
    let Some(first) = first else {
        return Err(read_err(
            path,
            format!(
                "sheet \"{}\", row {}: the header row is empty",
                grid.name,
                header + 1
            ),
        ));
    };
    let cols: Vec<u32> = (first..head.len()).map(|c| c as u32).collect();
    let headers: Vec<String> = cols
        .iter()
        .map(|&c| match &head[c as usize] {
            SheetCell::Empty => format!("column {}", column_letters(c)),
            _ => grid.text(header, c as usize),
        })
        .collect();
    super::reader::refuse_duplicate_headers(path, &headers)?;
    let mut columns: Vec<Vec<SheetCell>> = vec![Vec::new(); cols.len()];
    let mut rows = Vec::new();
    for r in header + 1..grid.rows.len() {
        let row = &grid.rows[r];
        if row.iter().all(|c| *c == SheetCell::Empty) {
            continue;
        }
        rows.push(r as u32);
        for (k, &c) in cols.iter().enumerate() {
            columns[k].push(grid.cell(r, c as usize).clone());
        }
    }
    let refs = SheetRefs::Long {
        sheet: grid.name.clone(),
        rows,
        cols,
    };
    Ok(RawTable::from_sheet(path, headers, columns, refs))
}
