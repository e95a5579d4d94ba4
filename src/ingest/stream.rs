//! Reading an import file in chunks of rows, so that an import's memory does not grow with the
//! file: CSV is streamed record by record, Parquet by slices and NDJSON by runs of lines
//! (`frames`); the other formats (a JSON array, ARFF, spreadsheets) are read whole and handed
//! out in one piece.

use super::reader::{self, Format, RawTable, ReadOptions};
use super::ImportError;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Rows a streamed chunk holds (a statement row is about 150 bytes of text: some 10 MB).
pub const CHUNK_ROWS: usize = 65_536;

/// The most bytes of cells (and their bounds) a streamed chunk holds: a file of very wide rows
/// is cut into chunks of fewer rows, so that 65,536 rows of 200,000 columns are never held.
pub const CHUNK_BYTES: usize = 64 << 20;

/// The longest line a text import accepts (a file without line breaks, or a binary file, is
/// refused at this length instead of being read into memory whole).
pub const MAX_LINE_BYTES: usize = 64 << 20;

/// The largest cell a streamed import accepts.
pub const MAX_CELL_BYTES: usize = 1 << 20;

/// The most columns an import accepts (a wider file is not a table of firms or features).
pub const MAX_COLUMNS: usize = 250_000;

/// A source of chunks of rows with fixed headers.
pub trait Chunks {
    fn headers(&self) -> &[String];
    /// The next chunk, or `None` at the end of the file.
    fn next_chunk(&mut self) -> Result<Option<RawTable>, ImportError>;
    /// Bytes read so far and the file's size, for a progress bar.
    fn progress(&self) -> (u64, u64);
    /// What reading the file decided, for the report (the sheet read, a wide layout's lines).
    fn notes(&self) -> Vec<String> {
        Vec::new()
    }
    /// Whether the rows are a wide statement sheet turned long.
    fn is_wide(&self) -> bool {
        false
    }
}

/// Opens `path` for a chunked import: CSV streams; the other formats are read whole. A
/// statement file laid out wide (named so, or a spreadsheet whose header row is years) is
/// turned long first.
pub fn open(path: &Path, opts: &super::ImportOptions) -> Result<Box<dyn Chunks>, ImportError> {
    use super::wide::{self, Layout};
    let read = &opts.read;
    let format = reader::format_of(path, read)?;
    let size = std::fs::metadata(path).map_or(0, |m| m.len());
    let statements = opts.kind == super::Kind::Statements;
    if format == Format::Csv && (!statements || read.layout != Some(Layout::Wide)) {
        return Ok(Box::new(CsvChunks::open(path, read)?));
    }
    // Parquet and NDJSON stream too: a slice of rows, a run of lines at a time.
    if format == Format::Parquet {
        return Ok(Box::new(super::frames::ParquetChunks::open(
            path,
            read.chunk_rows,
        )?));
    }
    if format == Format::Ndjson {
        reader::check_file(path, format)?;
        reader::check_json_depth(path)?;
        return Ok(Box::new(super::frames::NdjsonChunks::open(
            path,
            read.chunk_rows,
        )?));
    }
    // A JSON array of records streams element by element (anything else is read whole).
    if format == Format::Json && starts_an_array(path)? {
        reader::check_file(path, format)?;
        reader::check_json_depth(path)?;
        return Ok(Box::new(super::frames::NdjsonChunks::open_array(
            path,
            read.chunk_rows,
        )?));
    }
    if format == Format::Spreadsheet || (format == Format::Csv && statements) {
        let grids = if format == Format::Csv {
            vec![csv_grid(path, read)?]
        } else {
            super::sheet::read_workbook(path)?
        };
        let mut notes = Vec::new();
        let chosen: Vec<super::sheet::Grid> = match &read.sheet {
            Some(_) => vec![super::sheet::choose(path, grids, read.sheet.as_deref())?.0],
            None => grids,
        };
        let wide = statements
            && match read.layout {
                Some(l) => l == Layout::Wide,
                None => {
                    let first = chosen.iter().find(|g| g.has_data());
                    read.header_row.is_none() && first.is_some_and(wide::looks_wide)
                }
            };
        if wide {
            if read.layout.is_none() {
                notes.push("read as a wide statement sheet (a header row of years)".into());
            }
            let converted = wide::convert(
                path,
                &chosen,
                &opts.map,
                read.currency.as_deref(),
                read.unit.as_deref(),
            )
            .map_err(|issues| {
                let mut report = super::ImportReport::new(path, opts.kind);
                report.counts.rows_rejected = issues.len();
                report.issues = issues;
                report.layout_notes = notes.clone();
                ImportError::Refused {
                    report: Box::new(report),
                }
            })?;
            notes.extend(converted.notes);
            return Ok(Box::new(Whole {
                headers: converted.table.headers.clone(),
                table: Some(converted.table),
                size,
                notes,
                wide: true,
            }));
        }
        let (grid, note) = super::sheet::choose(path, chosen, None)?;
        notes.extend(note);
        let header = super::sheet::header_row(&grid, read.header_row).unwrap_or(0);
        if read.header_row.is_none() {
            notes.push(format!(
                "sheet \"{}\": headers taken from row {}",
                grid.name,
                header + 1
            ));
        }
        let table = super::sheet::to_table(path, &grid, header)?;
        return Ok(Box::new(Whole {
            headers: table.headers.clone(),
            table: Some(table),
            size,
            notes,
            wide: false,
        }));
    }
    let table = reader::read_table(path, read)?;
    Ok(Box::new(Whole {
        headers: table.headers.clone(),
        table: Some(table),
        size,
        notes: Vec::new(),
        wide: false,
    }))
}

/// Whether the file's first byte other than whitespace (after a UTF-8 byte order mark) is '['.
fn starts_an_array(path: &Path) -> Result<bool, ImportError> {
    use std::io::Read;
    let file = std::fs::File::open(path).map_err(|e| reader::io_err(path, e))?;
    let mut head = Vec::with_capacity(4096);
    file.take(4096)
        .read_to_end(&mut head)
        .map_err(|e| reader::io_err(path, e))?;
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&head);
    Ok(head
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|&b| b == b'['))
}

/// A (small) CSV file as a grid of text cells, for a wide layout: title lines above the table
/// may have fewer fields. The delimiter, unless named, is `;` or tab when a line has two of
/// them (a decimal comma is no delimiter then), else `,`.
fn csv_grid(path: &Path, opts: &ReadOptions) -> Result<super::sheet::Grid, ImportError> {
    use super::table::SheetCell;
    reader::check_file(path, Format::Csv)?;
    let text = std::fs::read_to_string(path).map_err(|e| reader::io_err(path, e))?;
    let delimiter = opts.delimiter.unwrap_or_else(|| {
        let head: Vec<&str> = text.lines().take(30).collect();
        let most = |c: char| head.iter().map(|l| l.matches(c).count()).max().unwrap_or(0);
        if most(';') >= 2 {
            b';'
        } else if most('\t') >= 2 {
            b'\t'
        } else {
            b','
        }
    });
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| read_error(path, e.to_string()))?;
        let mut row: Vec<SheetCell> = record
            .iter()
            .map(|t| match t.trim() {
                "" => SheetCell::Empty,
                t => SheetCell::Text(t.to_string()),
            })
            .collect();
        while row.last() == Some(&SheetCell::Empty) {
            row.pop();
        }
        // Rows stand at their lines (the reader skips blank lines), so messages name the line.
        let line = record
            .position()
            .map_or(rows.len() + 1, |p| p.line() as usize);
        rows.resize(line.max(rows.len() + 1) - 1, Vec::new());
        rows.push(row);
    }
    let name = path
        .file_stem()
        .map_or_else(String::new, |s| s.to_string_lossy().into_owned());
    Ok(super::sheet::Grid { name, rows })
}

/// A whole table handed out as one chunk.
struct Whole {
    headers: Vec<String>,
    table: Option<RawTable>,
    size: u64,
    notes: Vec<String>,
    wide: bool,
}

impl Chunks for Whole {
    fn headers(&self) -> &[String] {
        &self.headers
    }
    fn next_chunk(&mut self) -> Result<Option<RawTable>, ImportError> {
        Ok(self.table.take())
    }
    fn progress(&self) -> (u64, u64) {
        let done = if self.table.is_none() { self.size } else { 0 };
        (done, self.size)
    }
    fn notes(&self) -> Vec<String> {
        self.notes.clone()
    }
    fn is_wide(&self) -> bool {
        self.wide
    }
}

/// Reads a whole CSV file into one table of records (about a third of the memory of polars'
/// columns of strings, and one allocation a row).
pub fn read_whole_csv(path: &Path, opts: &ReadOptions) -> Result<RawTable, ImportError> {
    let mut chunks = CsvChunks::open(path, opts)?;
    let mut records = Vec::new();
    let mut lines = Vec::new();
    while let Some(chunk) = chunks.next_chunk()? {
        let (recs, ls) = chunk.into_records();
        records.extend(recs);
        lines.extend(ls);
    }
    Ok(RawTable::from_records(
        path,
        chunks.headers,
        records,
        0,
        lines,
    ))
}

/// A reader that refuses a line longer than [`MAX_LINE_BYTES`] (counting lines to name it).
struct LineBound<R> {
    inner: R,
    since_newline: usize,
    line: u64,
}

impl<R: Read> Read for LineBound<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        for &b in &buf[..n] {
            if b == b'\n' {
                self.line += 1;
                self.since_newline = 0;
            } else {
                self.since_newline += 1;
                if self.since_newline > MAX_LINE_BYTES {
                    return Err(std::io::Error::other(format!(
                        "line {} is longer than {} MiB; a table has one record a line (is this a \
                         text table?)",
                        self.line + 1,
                        MAX_LINE_BYTES >> 20
                    )));
                }
            }
        }
        Ok(n)
    }
}

/// A CSV file read record by record.
pub struct CsvChunks {
    path: PathBuf,
    headers: Vec<String>,
    reader: CsvReader,
    rows_before: usize,
    chunk_rows: usize,
    /// The first record when the file has no header (read to learn the width).
    pending: Option<csv::StringRecord>,
    size: u64,
}

type CsvReader = csv::Reader<LineBound<std::fs::File>>;

fn read_error(path: &Path, message: String) -> ImportError {
    ImportError::Read {
        path: path.to_path_buf(),
        message,
    }
}

/// The next record, checked for UTF-8 and cell size; `None` at the end.
fn read_record(
    path: &Path,
    headers: &[String],
    reader: &mut CsvReader,
) -> Result<Option<csv::StringRecord>, ImportError> {
    let mut record = csv::ByteRecord::new();
    let more = reader.read_byte_record(&mut record).map_err(|e| {
        let message = match e.kind() {
            csv::ErrorKind::Io(io) => io.to_string(),
            _ => e.to_string(),
        };
        read_error(path, message)
    })?;
    if !more {
        return Ok(None);
    }
    let line = record.position().map_or(0, |p| p.line());
    if let Some((c, cell)) = record
        .iter()
        .enumerate()
        .find(|(_, f)| f.len() > MAX_CELL_BYTES)
    {
        let column = match headers.get(c) {
            Some(h) => format!("column \"{}\"", reader::quoted(h)),
            None => format!("field {}", c + 1),
        };
        return Err(read_error(
            path,
            format!(
                "line {line}, {column}: a cell of {} bytes; a cell holds at most {} MiB \
                 (a value this long is not a firm's data)",
                crate::finance::thousands(cell.len()),
                MAX_CELL_BYTES >> 20
            ),
        ));
    }
    csv::StringRecord::from_byte_record(record)
        .map(Some)
        .map_err(|_| {
            read_error(
                path,
                format!("line {line}: not valid UTF-8 text; save the file as UTF-8"),
            )
        })
}

impl CsvChunks {
    pub fn open(path: &Path, opts: &ReadOptions) -> Result<CsvChunks, ImportError> {
        reader::check_file(path, Format::Csv)?;
        let delimiter = match opts.delimiter {
            Some(d) => d,
            None => reader::sniff_delimiter(path)?,
        };
        let file = std::fs::File::open(path).map_err(|e| reader::io_err(path, e))?;
        let size = file.metadata().map_or(0, |m| m.len());
        let bounded = LineBound {
            inner: file,
            since_newline: 0,
            line: 0,
        };
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .has_headers(false)
            .flexible(true)
            .from_reader(bounded);
        let Some(first) = read_record(path, &[], &mut reader)? else {
            return Err(read_error(
                path,
                "the file is empty; it needs a header line and rows".into(),
            ));
        };
        if first.len() > MAX_COLUMNS {
            return Err(read_error(
                path,
                format!(
                    "{} columns on line 1; an import takes at most {MAX_COLUMNS}",
                    first.len()
                ),
            ));
        }
        let (headers, pending): (Vec<String>, _) = if opts.no_header {
            let names = (1..=first.len()).map(|k| format!("column_{k}")).collect();
            (names, Some(first))
        } else {
            // A UTF-8 byte-order mark (Excel's "CSV UTF-8") is not part of the first name.
            let names = first
                .iter()
                .enumerate()
                .map(|(i, h)| match i {
                    0 => h.trim_start_matches('\u{feff}').to_string(),
                    _ => h.to_string(),
                })
                .collect();
            (names, None)
        };
        reader::refuse_duplicate_headers(path, &headers)?;
        Ok(CsvChunks {
            path: path.to_path_buf(),
            headers,
            reader,
            rows_before: 0,
            chunk_rows: opts.chunk_rows.unwrap_or(CHUNK_ROWS).max(1),
            pending,
            size,
        })
    }
}

impl Chunks for CsvChunks {
    fn headers(&self) -> &[String] {
        &self.headers
    }

    fn next_chunk(&mut self) -> Result<Option<RawTable>, ImportError> {
        let mut records = Vec::with_capacity(CHUNK_ROWS.min(4096));
        let mut lines = Vec::with_capacity(CHUNK_ROWS.min(4096));
        let width = self.headers.len();
        let mut bytes = 0usize;
        while records.len() < self.chunk_rows && bytes < CHUNK_BYTES {
            let record = match self.pending.take() {
                Some(r) => Some(r),
                None => read_record(&self.path, &self.headers, &mut self.reader)?,
            };
            let Some(record) = record else { break };
            let line = record.position().map_or(0, |p| p.line());
            // A blank line is no record.
            if record.len() == 1 && record.get(0) == Some("") && width > 1 {
                continue;
            }
            if record.len() != width {
                return Err(read_error(
                    &self.path,
                    format!(
                        "line {line}: {} fields where the header has {width}; check quoting and the delimiter",
                        record.len()
                    ),
                ));
            }
            bytes += record.as_slice().len() + record.len() * std::mem::size_of::<usize>();
            lines.push(line);
            records.push(record);
        }
        if records.is_empty() {
            return Ok(None);
        }
        let first_row = self.rows_before;
        self.rows_before += records.len();
        Ok(Some(RawTable::from_records(
            &self.path,
            self.headers.clone(),
            records,
            first_row,
            lines,
        )))
    }

    fn progress(&self) -> (u64, u64) {
        (self.reader.position().byte(), self.size)
    }
}
