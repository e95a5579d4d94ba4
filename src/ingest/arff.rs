//! A small ARFF reader (Weka's format, used by the Polish bankruptcy originals).

use super::reader::RawTable;
use super::ImportError;
use std::path::Path;

fn unquote(s: &str) -> String {
    let t = s.trim();
    if t.len() >= 2
        && ((t.starts_with('\'') && t.ends_with('\'')) || (t.starts_with('"') && t.ends_with('"')))
    {
        t[1..t.len() - 1].to_string()
    } else {
        t.to_string()
    }
}

/// Splits a data line on commas outside single or double quotes.
fn split_record(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    for c in line.chars() {
        match (c, quote) {
            ('\'' | '"', None) => {
                quote = Some(c);
                cur.push(c)
            }
            (q, Some(open)) if q == open => {
                quote = None;
                cur.push(c)
            }
            (',', None) => out.push(unquote(&std::mem::take(&mut cur))),
            _ => cur.push(c),
        }
    }
    out.push(unquote(&cur));
    out
}

/// Reads an ARFF file: `@attribute` lines name the columns, `@data` starts the records, `?` is
/// missing and `%` starts a comment. Sparse ARFF is refused with a message.
pub fn read(path: &Path) -> Result<RawTable, ImportError> {
    let err = |message: String| ImportError::Read {
        path: path.to_path_buf(),
        message,
    };
    let text = std::fs::read_to_string(path).map_err(|e| err(e.to_string()))?;
    let mut headers = Vec::new();
    let mut cols: Vec<Vec<Option<String>>> = Vec::new();
    let mut in_data = false;
    let mut first_line = None;
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('%') {
            continue;
        }
        if !in_data {
            let lower = line.to_ascii_lowercase();
            if lower.starts_with("@attribute") {
                let rest = line["@attribute".len()..].trim();
                let name = if rest.starts_with('\'') || rest.starts_with('"') {
                    let q = rest.chars().next().unwrap_or('\'');
                    rest[1..].split(q).next().unwrap_or("").to_string()
                } else {
                    rest.split_whitespace().next().unwrap_or("").to_string()
                };
                headers.push(name);
                cols.push(Vec::new());
            } else if lower.starts_with("@data") {
                in_data = true;
            }
            continue;
        }
        if line.starts_with('{') {
            return Err(err(format!("line {}: sparse ARFF is not supported", i + 1)));
        }
        first_line.get_or_insert(i + 1);
        let fields = split_record(line);
        if fields.len() != headers.len() {
            return Err(err(format!(
                "line {}: {} values where {} attributes are declared",
                i + 1,
                fields.len(),
                headers.len()
            )));
        }
        for (c, f) in fields.into_iter().enumerate() {
            cols[c].push(if f == "?" || f.is_empty() {
                None
            } else {
                Some(f)
            });
        }
    }
    if headers.is_empty() {
        return Err(err("no @attribute lines: not an ARFF file".into()));
    }
    Ok(RawTable::from_text(path, headers, cols, first_line))
}
