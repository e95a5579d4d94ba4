//! Reading a file (CSV, Parquet, JSON, ARFF, whitespace-separated) into raw columns of cells.

pub use super::table::{Cell, RawColumn, RawTable};
use super::{arff, ImportError};
use polars::prelude::*;
use std::path::Path;

/// The file formats import understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Format {
    Csv,
    Parquet,
    Json,
    Ndjson,
    Arff,
    /// Whitespace-separated without a header (the Statlog `.data` / `.dat` files).
    Whitespace,
    /// A workbook: .xlsx, .xlsm, .xls, .xlsb or .ods.
    Spreadsheet,
}

crate::model::choices::named!(
    Format,
    "a file format",
    [
        (Format::Csv, "csv"),
        (Format::Parquet, "parquet"),
        (Format::Json, "json"),
        (Format::Ndjson, "ndjson"),
        (Format::Arff, "arff"),
        (Format::Whitespace, "whitespace"),
        (Format::Spreadsheet, "spreadsheet"),
    ]
);

impl Format {
    /// The format a file's extension implies.
    pub fn from_path(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        Some(match ext.as_str() {
            "csv" | "tsv" | "txt" => Format::Csv,
            "parquet" | "pq" => Format::Parquet,
            "json" => Format::Json,
            "ndjson" | "jsonl" => Format::Ndjson,
            "arff" => Format::Arff,
            "data" | "dat" => Format::Whitespace,
            "xlsx" | "xlsm" | "xls" | "xlsb" | "ods" => Format::Spreadsheet,
            _ => return None,
        })
    }
}

/// How to read a file.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    pub format: Option<Format>,
    pub delimiter: Option<u8>,
    pub no_header: bool,
    /// Rows a streamed chunk holds (default `stream::CHUNK_ROWS`; small in tests, to cross
    /// chunk boundaries).
    pub chunk_rows: Option<usize>,
    /// The decimal mark numbers are written with (default: detected from the cells).
    pub decimal: Option<char>,
    /// The thousands separator (`Some(None)`: none; default: detected from the cells).
    pub thousands: Option<Option<char>>,
    /// A spreadsheet's sheet to read: by name, or by number from 1 (default: the first sheet
    /// that holds data).
    pub sheet: Option<String>,
    /// The spreadsheet row (from 1) that holds the headers (default: detected).
    pub header_row: Option<usize>,
    /// How a statement file is laid out (default: detected from a header row of years).
    pub layout: Option<super::wide::Layout>,
    /// The currency of a wide sheet's amounts (default: its title lines', else the store's).
    pub currency: Option<String>,
    /// The unit of a wide sheet's amounts: units, thousands or millions.
    pub unit: Option<String>,
}

fn polars_err(path: &Path, e: PolarsError) -> ImportError {
    ImportError::Read {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

/// Reads `path` in the format its extension (or `opts.format`) says.
/// A text file saved as UTF-16 (Excel's "Unicode text") is refused with what to do, rather than
/// read as bytes with a zero between every letter.
fn refuse_utf16(path: &Path) -> Result<(), ImportError> {
    use std::io::Read;
    let mut head = [0u8; 4];
    let n = std::fs::File::open(path)
        .and_then(|mut f| f.read(&mut head))
        .map_err(|e| io_err(path, e))?;
    let bom16 = n >= 2 && (head[..2] == [0xFF, 0xFE] || head[..2] == [0xFE, 0xFF]);
    let zeros = n >= 4 && (head[1] == 0 && head[3] == 0 || head[0] == 0 && head[2] == 0);
    if bom16 || zeros {
        return Err(ImportError::Read {
            path: path.to_path_buf(),
            message: "the file is UTF-16 encoded; save it as UTF-8 (in Excel: CSV UTF-8) and import again".into(),
        });
    }
    Ok(())
}

/// The format of `path`: the one named, or the one its extension implies.
pub(crate) fn format_of(path: &Path, opts: &ReadOptions) -> Result<Format, ImportError> {
    if !path.is_file() {
        return Err(ImportError::Read {
            path: path.to_path_buf(),
            message: "no such file".into(),
        });
    }
    opts.format
        .or_else(|| Format::from_path(path))
        .ok_or_else(|| ImportError::UnknownFormat(path.to_path_buf()))
}

/// Refuses a text file that is not UTF-8 text from its first bytes.
pub(crate) fn check_file(path: &Path, format: Format) -> Result<(), ImportError> {
    if matches!(
        format,
        Format::Csv | Format::Json | Format::Ndjson | Format::Whitespace | Format::Arff
    ) {
        refuse_utf16(path)?;
    }
    Ok(())
}

/// Reads the whole of `path` (a feature set needs every row before it can type its columns).
pub fn read_table(path: &Path, opts: &ReadOptions) -> Result<RawTable, ImportError> {
    let format = format_of(path, opts)?;
    if format == Format::Csv {
        return super::stream::read_whole_csv(path, opts);
    }
    check_file(path, format)?;
    let table = read_any(path, format, opts)?;
    refuse_duplicate_headers(path, &table.headers)?;
    Ok(table)
}

/// Two columns with the same name (polars renames the second `NAME_duplicated_0`): which one
/// the analyst meant cannot be guessed, so the file is refused.
pub(crate) fn refuse_duplicate_headers(path: &Path, headers: &[String]) -> Result<(), ImportError> {
    // One hash look-up a column: a file of 200,000 columns is checked in milliseconds.
    let mut seen: std::collections::HashMap<String, usize> =
        std::collections::HashMap::with_capacity(headers.len());
    for (i, h) in headers.iter().enumerate() {
        let base = match h.rfind("_duplicated_") {
            Some(k) if h[k + 12..].chars().all(|c| c.is_ascii_digit()) => &h[..k],
            _ => h.as_str(),
        };
        let key = base.trim().to_ascii_lowercase();
        if let Some(j) = seen.insert(key, i) {
            return Err(ImportError::Read {
                path: path.to_path_buf(),
                message: format!(
                    "columns {} and {} are both named '{}'; rename one and import again",
                    j + 1,
                    i + 1,
                    quoted(base.trim())
                ),
            });
        }
    }
    Ok(())
}

fn read_any(path: &Path, format: Format, opts: &ReadOptions) -> Result<RawTable, ImportError> {
    match format {
        Format::Arff => arff::read(path),
        Format::Whitespace => read_whitespace(
            path,
            opts.no_header || Format::from_path(path) == Some(format),
        ),
        Format::Csv => super::stream::read_whole_csv(path, opts),
        Format::Spreadsheet => {
            let grids = super::sheet::read_workbook(path)?;
            let (grid, _) = super::sheet::choose(path, grids, opts.sheet.as_deref())?;
            let header = super::sheet::header_row(&grid, opts.header_row).unwrap_or(0);
            super::sheet::to_table(path, &grid, header)
        }
        Format::Parquet => {
            let file = std::fs::File::open(path).map_err(|e| io_err(path, e))?;
            let df = ParquetReader::new(file)
                .finish()
                .map_err(|e| polars_err(path, e))?;
            from_frame(path, df)
        }
        Format::Json | Format::Ndjson => {
            check_json_depth(path)?;
            let file = std::fs::File::open(path).map_err(|e| io_err(path, e))?;
            let json_format = if format == Format::Json {
                JsonFormat::Json
            } else {
                JsonFormat::JsonLines
            };
            let df = JsonReader::new(file)
                .with_json_format(json_format)
                .finish()
                .map_err(|e| polars_err(path, e))?;
            from_frame(path, df)
        }
    }
}

/// Longest value a message quotes, in characters; longer ones are cut with an ellipsis.
pub const QUOTED_MAX: usize = 100;

/// A value as a message quotes it: at most [`QUOTED_MAX`] characters, then "…" and the length.
pub fn quoted(value: &str) -> String {
    match value.char_indices().nth(QUOTED_MAX) {
        None => value.to_string(),
        Some((cut, _)) => format!(
            "{}… ({} characters in all)",
            &value[..cut],
            value.chars().count()
        ),
    }
}

/// Deepest nesting of arrays and objects a JSON import accepts (records are flat objects).
pub const JSON_MAX_DEPTH: usize = 64;

/// Refuses a JSON file nested deeper than [`JSON_MAX_DEPTH`] before the parser sees it (a file
/// of a million brackets would otherwise exhaust the parser's stack and abort precre). One
/// pass in bounded memory, strings skipped.
pub(crate) fn check_json_depth(path: &Path) -> Result<(), ImportError> {
    use std::io::Read;
    let file = std::fs::File::open(path).map_err(|e| io_err(path, e))?;
    let mut reader = std::io::BufReader::with_capacity(1 << 16, file);
    let mut buf = [0u8; 1 << 16];
    let (mut depth, mut strings) = (0usize, super::json_array::Strings::default());
    let mut offset = 0u64;
    loop {
        let n = reader.read(&mut buf).map_err(|e| io_err(path, e))?;
        if n == 0 {
            return Ok(());
        }
        for (i, &b) in buf[..n].iter().enumerate() {
            if strings.step(b) {
                continue;
            }
            match b {
                b'[' | b'{' => {
                    depth += 1;
                    if depth > JSON_MAX_DEPTH {
                        return Err(ImportError::Read {
                            path: path.to_path_buf(),
                            message: format!(
                                "nested deeper than {JSON_MAX_DEPTH} levels at byte {}: an import \
                                 file holds flat records (an array of objects, or one object a line)",
                                offset + i as u64 + 1
                            ),
                        });
                    }
                }
                b']' | b'}' => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
        offset += n as u64;
    }
}

pub(crate) fn io_err(path: &Path, e: std::io::Error) -> ImportError {
    ImportError::Read {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

/// Guesses the delimiter from the first line: the most frequent of `,` `;` tab outside quotes.
pub(crate) fn sniff_delimiter(path: &Path) -> Result<u8, ImportError> {
    use std::io::BufRead;
    let file = std::fs::File::open(path).map_err(|e| io_err(path, e))?;
    let mut bytes = Vec::new();
    std::io::BufReader::new(file)
        .read_until(b'\n', &mut bytes)
        .map_err(|e| io_err(path, e))?;
    let line = String::from_utf8_lossy(&bytes);
    let mut counts = [0usize; 3];
    let mut quoted = false;
    for c in line.chars() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => counts[0] += 1,
            ';' if !quoted => counts[1] += 1,
            '\t' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    let best = (0..3).max_by_key(|&i| (counts[i], 3 - i)).unwrap_or(0);
    Ok([b',', b';', b'\t'][best])
}

/// A polars frame (Parquet, JSON) as raw columns; such files have no lines to name.
pub(crate) fn from_frame(path: &Path, df: DataFrame) -> Result<RawTable, ImportError> {
    let n_rows = df.height();
    let mut headers = Vec::new();
    let mut columns = Vec::new();
    for col in df.columns() {
        headers.push(col.name().to_string());
        let dtype = col.dtype();
        let raw = if dtype.is_primitive_numeric() || dtype == &DataType::Boolean {
            let f = col
                .cast(&DataType::Float64)
                .map_err(|e| polars_err(path, e))?;
            let ca = f.f64().map_err(|e| polars_err(path, e))?;
            RawColumn::Num(ca.iter().collect())
        } else {
            let s = if dtype == &DataType::String {
                col.clone()
            } else {
                col.cast(&DataType::String)
                    .map_err(|e| polars_err(path, e))?
            };
            let ca = s
                .str()
                .map_err(|e| polars_err(path, e))?
                .rechunk()
                .into_owned();
            RawColumn::Str(ca)
        };
        columns.push(raw);
    }
    Ok(RawTable::from_columns(path, headers, columns, n_rows, None))
}

/// Whitespace-separated values, one record a line, no quoting (Statlog's layout).
fn read_whitespace(path: &Path, no_header: bool) -> Result<RawTable, ImportError> {
    let text = std::fs::read_to_string(path).map_err(|e| io_err(path, e))?;
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty());
    let mut headers: Vec<String> = Vec::new();
    let mut first_line = 1;
    if !no_header {
        if let Some((i, l)) = lines.next() {
            headers = l.split_whitespace().map(str::to_string).collect();
            first_line = i + 2;
        }
    }
    let mut cols: Vec<Vec<Option<String>>> = vec![Vec::new(); headers.len()];
    for (i, line) in lines {
        let fields: Vec<&str> = line.split_whitespace().collect();
        if headers.is_empty() {
            headers = (1..=fields.len()).map(|k| format!("column_{k}")).collect();
            cols = vec![Vec::new(); fields.len()];
            first_line = i + 1;
        }
        if fields.len() != headers.len() {
            return Err(ImportError::Read {
                path: path.to_path_buf(),
                message: format!(
                    "line {}: {} fields where the first record has {}",
                    i + 1,
                    fields.len(),
                    headers.len()
                ),
            });
        }
        for (c, f) in fields.iter().enumerate() {
            cols[c].push(Some(f.to_string()));
        }
    }
    Ok(RawTable::from_text(path, headers, cols, Some(first_line)))
}
