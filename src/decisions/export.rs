//! Exporters: a table of typed cells to CSV, JSON or Parquet (format from the file's extension).
//! Text cells a spreadsheet would run as a formula are neutralised in CSV; a file is written to a
//! temporary sibling and renamed, so a failed export leaves no half file, and an existing file is
//! replaced only when asked.

use polars::prelude::*;
use std::io::Write;
use std::path::{Path, PathBuf};
use thiserror::Error;

/// The formats an export can take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Csv,
    Json,
    Parquet,
    /// An Excel workbook (rust_xlsxwriter): text cells are stored as text, never as formulas.
    Xlsx,
}

impl ExportFormat {
    /// The format named by a path's extension.
    pub fn from_path(path: &Path) -> Result<ExportFormat, ExportError> {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .unwrap_or_default();
        match ext.as_str() {
            "csv" => Ok(ExportFormat::Csv),
            "json" => Ok(ExportFormat::Json),
            "parquet" | "pq" => Ok(ExportFormat::Parquet),
            "xlsx" => Ok(ExportFormat::Xlsx),
            other => Err(ExportError::Format {
                path: path.to_path_buf(),
                ext: other.to_string(),
            }),
        }
    }
}

/// One cell of an exported table.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(Option<String>),
    Number(Option<f64>),
    Integer(Option<i64>),
    /// A UTC time as the store writes it (`YYYY-MM-DDTHH:MM:SS.mmmZ`): a date-time in a
    /// workbook, the text elsewhere.
    Time(Option<String>),
    /// A list of texts: an array in JSON; elsewhere one cell holding the list as a JSON array
    /// (`["NEQ","ACT"]`), which splits back unambiguously whatever the texts hold.
    List(Vec<String>),
}

impl Cell {
    /// The cell as one text (a list as its JSON array; `None` when empty).
    fn as_text(&self) -> Option<String> {
        match self {
            Cell::Text(t) | Cell::Time(t) => t.clone(),
            Cell::Number(Some(v)) if v.is_finite() => Some(format!("{v}")),
            Cell::Integer(Some(v)) => Some(v.to_string()),
            Cell::List(items) => Some(serde_json::to_string(items).unwrap_or_else(|_| "[]".into())),
            _ => None,
        }
    }
}

/// A table to export: column names and rows of cells of one kind per column.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Table {
    /// The table's name: a workbook's sheet name (31 characters at most).
    pub name: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

#[derive(Debug, Error)]
pub enum ExportError {
    #[error("{path}: unknown export format '.{ext}'; use .csv, .json, .parquet or .xlsx")]
    Format { path: PathBuf, ext: String },
    #[error("{} exists already", .0.display())]
    Exists(PathBuf),
    #[error("cannot write {path}: {message}")]
    Write { path: PathBuf, message: String },
}

/// Prefixes a text a spreadsheet would evaluate (`=`, `+`, `-`, `@`, tab, carriage return at the
/// start) with an apostrophe, so that it is shown as text. Numbers are written as numbers.
pub fn neutralise(text: &str) -> std::borrow::Cow<'_, str> {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{text}").into(),
        _ => text.into(),
    }
}

fn werr(path: &Path, e: impl std::fmt::Display) -> ExportError {
    ExportError::Write {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

/// Writes `table` to `path` in the format of its extension. Refuses an existing file unless
/// `force`. Returns the number of rows written.
pub fn write(table: &Table, path: &Path, force: bool) -> Result<usize, ExportError> {
    let format = ExportFormat::from_path(path)?;
    if !force && path.exists() {
        return Err(ExportError::Exists(path.to_path_buf()));
    }
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".precre-export-")
        .tempfile_in(&dir)
        .map_err(|e| werr(path, e))?;
    match format {
        ExportFormat::Csv => write_csv(table, tmp.as_file_mut()).map_err(|e| werr(path, e))?,
        ExportFormat::Json => write_json(table, tmp.as_file_mut()).map_err(|e| werr(path, e))?,
        ExportFormat::Parquet => {
            let mut df = to_frame(table).map_err(|e| werr(path, e))?;
            ParquetWriter::new(tmp.as_file_mut())
                .finish(&mut df)
                .map_err(|e| werr(path, e))?;
        }
        ExportFormat::Xlsx => write_xlsx(table, tmp.as_file_mut()).map_err(|e| werr(path, e))?,
    }
    tmp.as_file_mut().sync_all().map_err(|e| werr(path, e))?;
    if force {
        tmp.persist(path).map_err(|e| werr(path, e.error))?;
    } else {
        // persist_noclobber fails if the file appeared meanwhile: never overwrite unasked.
        tmp.persist_noclobber(path).map_err(|e| {
            if e.error.kind() == std::io::ErrorKind::AlreadyExists {
                ExportError::Exists(path.to_path_buf())
            } else {
                werr(path, e.error)
            }
        })?;
    }
    Ok(table.rows.len())
}

fn write_csv(table: &Table, out: &mut std::fs::File) -> std::io::Result<()> {
    let mut w = csv::Writer::from_writer(std::io::BufWriter::new(out));
    w.write_record(table.columns.iter().map(|c| neutralise(c).into_owned()))?;
    for row in &table.rows {
        w.write_record(row.iter().map(|c| match c {
            Cell::Text(Some(t)) => neutralise(t).into_owned(),
            other => other.as_text().unwrap_or_default(),
        }))?;
    }
    w.flush()?;
    Ok(())
}

fn write_json(table: &Table, out: &mut std::fs::File) -> std::io::Result<()> {
    let rows: Vec<serde_json::Map<String, serde_json::Value>> = table
        .rows
        .iter()
        .map(|row| {
            table
                .columns
                .iter()
                .zip(row)
                .map(|(c, v)| {
                    let v = match v {
                        Cell::Text(t) | Cell::Time(t) => serde_json::json!(t),
                        Cell::Number(n) => serde_json::json!(n.filter(|x| x.is_finite())),
                        Cell::Integer(i) => serde_json::json!(i),
                        Cell::List(items) => serde_json::json!(items),
                    };
                    (c.clone(), v)
                })
                .collect()
        })
        .collect();
    let mut w = std::io::BufWriter::new(out);
    serde_json::to_writer_pretty(&mut w, &rows)?;
    w.write_all(b"\n")?;
    w.flush()
}

fn write_xlsx(table: &Table, out: &mut std::fs::File) -> Result<(), rust_xlsxwriter::XlsxError> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let bold = rust_xlsxwriter::Format::new().set_bold();
    let when = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd hh:mm:ss");
    let sheet = book.add_worksheet();
    let name: String = table.name.chars().take(31).collect();
    sheet.set_name(if name.is_empty() { "table" } else { &name })?;
    for (j, c) in table.columns.iter().enumerate() {
        sheet.write_string_with_format(0, j as u16, c, &bold)?;
    }
    for (i, row) in table.rows.iter().enumerate() {
        let r = i as u32 + 1;
        for (j, cell) in row.iter().enumerate() {
            let c = j as u16;
            match cell {
                // write_string stores text as text: a leading = is not a formula in the file.
                Cell::Text(Some(t)) => {
                    sheet.write_string(r, c, t)?;
                }
                Cell::Number(Some(v)) if v.is_finite() => {
                    sheet.write_number(r, c, *v)?;
                }
                Cell::Integer(Some(v)) => {
                    sheet.write_number(r, c, *v as f64)?;
                }
                // A real date-time (the store's UTC time to the second), text if unreadable.
                Cell::Time(Some(t)) => {
                    match rust_xlsxwriter::ExcelDateTime::parse_from_str(
                        &t.chars().take(19).collect::<String>(),
                    ) {
                        Ok(dt) => {
                            sheet.write_datetime_with_format(r, c, &dt, &when)?;
                        }
                        Err(_) => {
                            sheet.write_string(r, c, t)?;
                        }
                    }
                }
                Cell::List(_) => {
                    sheet.write_string(r, c, cell.as_text().unwrap_or_default())?;
                }
                _ => {}
            }
        }
    }
    sheet.set_freeze_panes(1, 0)?;
    book.save_to_writer(out)
}

fn to_frame(table: &Table) -> PolarsResult<DataFrame> {
    let columns: Vec<Column> = table
        .columns
        .iter()
        .enumerate()
        .map(|(j, name)| {
            let name = PlSmallStr::from(name.as_str());
            match table.rows.first().map(|r| &r[j]) {
                Some(Cell::Number(_)) => Column::new(
                    name,
                    table
                        .rows
                        .iter()
                        .map(|r| match &r[j] {
                            Cell::Number(v) => *v,
                            _ => None,
                        })
                        .collect::<Vec<Option<f64>>>(),
                ),
                Some(Cell::Integer(_)) => Column::new(
                    name,
                    table
                        .rows
                        .iter()
                        .map(|r| match &r[j] {
                            Cell::Integer(v) => *v,
                            _ => None,
                        })
                        .collect::<Vec<Option<i64>>>(),
                ),
                _ => Column::new(
                    name,
                    table
                        .rows
                        .iter()
                        .map(|r| r[j].as_text())
                        .collect::<Vec<Option<String>>>(),
                ),
            }
        })
        .collect();
    DataFrame::new(table.rows.len(), columns)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised_and_numbers_kept() {
        assert_eq!(neutralise("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(neutralise("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(neutralise("-1+2"), "'-1+2");
        assert_eq!(neutralise("plain"), "plain");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        let table = Table {
            name: "t".into(),
            columns: vec!["note".into(), "amount".into()],
            rows: vec![vec![
                Cell::Text(Some("+cmd|' /C calc'!A0".into())),
                Cell::Number(Some(-1.5)),
            ]],
        };
        assert_eq!(write(&table, &path, false).unwrap(), 1);
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text, "note,amount\n'+cmd|' /C calc'!A0,-1.5\n");
        assert!(matches!(
            write(&table, &path, false),
            Err(ExportError::Exists(_))
        ));
        assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
        assert!(write(&table, &path, true).is_ok());
        assert!(matches!(
            write(&table, &dir.path().join("t.ods"), false),
            Err(ExportError::Format { .. })
        ));
        let xlsx = dir.path().join("t.xlsx");
        assert_eq!(write(&table, &xlsx, false).unwrap(), 1);
        // A zip container (the xlsx format), with our sheet inside.
        let bytes = std::fs::read(&xlsx).unwrap();
        assert_eq!(&bytes[..2], b"PK");
    }
}
