//! Parquet and JSON register files read in chunks of rows (a slice of the Parquet file, a run
//! of JSON lines or of a JSON array's elements), so that their import's memory stays bounded
//! like a CSV file's.

use super::json_array::{ArrayElements, ArrayError};
use super::reader::{self, RawTable};
use super::stream::{Chunks, CHUNK_BYTES};
use super::table::RawColumn;
use super::ImportError;
use polars::prelude::*;
use std::io::BufRead;
use std::path::{Path, PathBuf};

/// Rows of a Parquet slice: a writer's row group is often 128k-1M rows, and a slice narrower
/// than the group decodes the group again for each slice.
pub const PARQUET_CHUNK_ROWS: usize = 262_144;

fn polars_err(path: &Path, e: PolarsError) -> ImportError {
    ImportError::Read {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

/// A frame's columns in the order of `headers` (a column the frame lacks is empty; one it has
/// beyond them is not read: the first chunk fixed the columns).
fn aligned(
    path: &Path,
    headers: &[String],
    df: DataFrame,
    first_row: usize,
) -> Result<RawTable, ImportError> {
    let n = df.height();
    let table = reader::from_frame(path, df)?;
    let names = table.headers.clone();
    let mut found: Vec<Option<RawColumn>> = table.into_columns().into_iter().map(Some).collect();
    let cols: Vec<RawColumn> = headers
        .iter()
        .map(|h| {
            names
                .iter()
                .position(|t| t == h)
                .and_then(|c| found[c].take())
                .unwrap_or_else(|| RawColumn::Num(vec![None; n]))
        })
        .collect();
    Ok(RawTable::from_columns(path, headers.to_vec(), cols, n, None).starting_at(first_row))
}

/// A Parquet file read a slice of rows at a time.
pub struct ParquetChunks {
    path: PathBuf,
    headers: Vec<String>,
    total: usize,
    offset: usize,
    chunk_rows: usize,
    size: u64,
}

impl ParquetChunks {
    pub fn open(path: &Path, chunk_rows: Option<usize>) -> Result<ParquetChunks, ImportError> {
        let file = std::fs::File::open(path).map_err(|e| reader::io_err(path, e))?;
        let size = file.metadata().map_or(0, |m| m.len());
        let mut r = ParquetReader::new(file);
        let total = r.num_rows().map_err(|e| polars_err(path, e))?;
        let head = r
            .with_slice(Some((0, 0)))
            .finish()
            .map_err(|e| polars_err(path, e))?;
        let headers: Vec<String> = head
            .get_column_names()
            .iter()
            .map(|c| c.to_string())
            .collect();
        reader::refuse_duplicate_headers(path, &headers)?;
        Ok(ParquetChunks {
            path: path.to_path_buf(),
            headers,
            total,
            offset: 0,
            chunk_rows: chunk_rows.unwrap_or(PARQUET_CHUNK_ROWS).max(1),
            size,
        })
    }
}

impl Chunks for ParquetChunks {
    fn headers(&self) -> &[String] {
        &self.headers
    }

    fn next_chunk(&mut self) -> Result<Option<RawTable>, ImportError> {
        if self.offset >= self.total {
            return Ok(None);
        }
        let len = self.chunk_rows.min(self.total - self.offset);
        let file = std::fs::File::open(&self.path).map_err(|e| reader::io_err(&self.path, e))?;
        let df = ParquetReader::new(file)
            .with_slice(Some((self.offset, len)))
            .finish()
            .map_err(|e| polars_err(&self.path, e))?;
        let table = aligned(&self.path, &self.headers, df, self.offset)?;
        self.offset += len;
        Ok(Some(table))
    }

    fn progress(&self) -> (u64, u64) {
        let done = if self.total == 0 {
            self.size
        } else {
            (self.size as f64 * self.offset as f64 / self.total as f64) as u64
        };
        (done, self.size)
    }
}

/// Where an NDJSON or JSON file's records come from: its lines, or its array's elements.
enum Records {
    Lines(std::io::BufReader<std::fs::File>),
    Array(ArrayElements<std::io::BufReader<std::fs::File>>),
}

/// An NDJSON file read a run of lines at a time (a JSON array file, a run of its elements, each
/// as one line), each run parsed as its own small file.
pub struct NdjsonChunks {
    path: PathBuf,
    headers: Vec<String>,
    records: Records,
    pending: Option<RawTable>,
    rows_before: usize,
    chunk_rows: usize,
    read: u64,
    size: u64,
}

impl NdjsonChunks {
    pub fn open(path: &Path, chunk_rows: Option<usize>) -> Result<NdjsonChunks, ImportError> {
        Self::open_as(path, chunk_rows, false)
    }

    /// A JSON file holding an array of records, read a run of elements at a time.
    pub fn open_array(path: &Path, chunk_rows: Option<usize>) -> Result<NdjsonChunks, ImportError> {
        Self::open_as(path, chunk_rows, true)
    }

    fn open_as(
        path: &Path,
        chunk_rows: Option<usize>,
        array: bool,
    ) -> Result<NdjsonChunks, ImportError> {
        let file = std::fs::File::open(path).map_err(|e| reader::io_err(path, e))?;
        let size = file.metadata().map_or(0, |m| m.len());
        let reader = std::io::BufReader::with_capacity(1 << 16, file);
        let mut chunks = NdjsonChunks {
            path: path.to_path_buf(),
            headers: Vec::new(),
            records: if array {
                Records::Array(ArrayElements::new(reader))
            } else {
                Records::Lines(reader)
            },
            pending: None,
            rows_before: 0,
            chunk_rows: chunk_rows.unwrap_or(super::stream::CHUNK_ROWS).max(1),
            read: 0,
            size,
        };
        // The first run of lines names the columns.
        let (buf, n) = chunks.lines()?;
        if n == 0 {
            return Err(ImportError::Read {
                path: path.to_path_buf(),
                message: "the file holds no records".into(),
            });
        }
        let df = parse(path, buf)?;
        chunks.headers = df
            .get_column_names()
            .iter()
            .map(|c| c.to_string())
            .collect();
        reader::refuse_duplicate_headers(path, &chunks.headers)?;
        let headers = chunks.headers.clone();
        chunks.pending = Some(aligned(path, &headers, df, 0)?);
        chunks.rows_before = n;
        Ok(chunks)
    }

    /// The next run of non-blank lines (at most `chunk_rows` of them, about `CHUNK_BYTES`).
    fn lines(&mut self) -> Result<(Vec<u8>, usize), ImportError> {
        let mut buf = Vec::new();
        let mut n = 0;
        let source = match &mut self.records {
            Records::Lines(r) => r,
            Records::Array(elements) => {
                while n < self.chunk_rows && buf.len() < CHUNK_BYTES {
                    match elements.next_into(&mut buf) {
                        Ok(true) => n += 1,
                        Ok(false) => break,
                        Err(ArrayError::Io(e)) => return Err(reader::io_err(&self.path, e)),
                        Err(ArrayError::Shape { offset, found }) => {
                            return Err(ImportError::Read {
                                path: self.path.clone(),
                                message: format!(
                                    "byte {offset}: {found}; a JSON file holds an array of \
                                     records ([{{...}}, {{...}}])"
                                ),
                            })
                        }
                    }
                }
                self.read = elements.offset;
                return Ok((buf, n));
            }
        };
        let mut line = Vec::new();
        while n < self.chunk_rows && buf.len() < CHUNK_BYTES {
            line.clear();
            let got = source
                .read_until(b'\n', &mut line)
                .map_err(|e| reader::io_err(&self.path, e))?;
            if got == 0 {
                break;
            }
            self.read += got as u64;
            if line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            buf.extend_from_slice(&line);
            if !buf.ends_with(b"\n") {
                buf.push(b'\n');
            }
            n += 1;
        }
        Ok((buf, n))
    }
}

fn parse(path: &Path, buf: Vec<u8>) -> Result<DataFrame, ImportError> {
    JsonReader::new(std::io::Cursor::new(buf))
        .with_json_format(JsonFormat::JsonLines)
        .finish()
        .map_err(|e| polars_err(path, e))
}

impl Chunks for NdjsonChunks {
    fn headers(&self) -> &[String] {
        &self.headers
    }

    fn next_chunk(&mut self) -> Result<Option<RawTable>, ImportError> {
        if let Some(t) = self.pending.take() {
            return Ok(Some(t));
        }
        let (buf, n) = self.lines()?;
        if n == 0 {
            return Ok(None);
        }
        let df = parse(&self.path, buf)?;
        let table = aligned(&self.path, &self.headers, df, self.rows_before)?;
        self.rows_before += n;
        Ok(Some(table))
    }

    fn progress(&self) -> (u64, u64) {
        (self.read, self.size)
    }
}
