//! Parsing and checking one cell against its field type; soft checks (BRN check digit).

use super::kinds::{FieldType, CLASSES};
use super::numbers::NumberFormat;
use super::reader::Cell;
use crate::store::import_tx::CellValue as Value;

/// Text that means "no value" in a numeric or date cell.
pub fn is_missing_marker(s: &str) -> bool {
    matches!(
        s,
        "" | "?" | "NA" | "N/A" | "n/a" | "null" | "NULL" | "NaN" | "nan"
    )
}

/// Parses a number as people write them: `1234.5`, `-3e4`, `1,234,567` (thousands commas),
/// `(1,234.50)`, `$12`, `12%`.
pub fn parse_number(s: &str) -> Option<f64> {
    super::numbers::parse(s, NumberFormat::default())
}

fn is_leap(y: i32) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

/// Parses YYYY-MM-DD (also YYYY/MM/DD, YYYY.MM.DD and YYYYMMDD) into (year, month, day).
pub fn parse_date(s: &str) -> Option<(i32, u32, u32)> {
    let t = s.trim();
    let parts: Vec<&str> = if t.len() == 8 && t.chars().all(|c| c.is_ascii_digit()) {
        vec![&t[0..4], &t[4..6], &t[6..8]]
    } else {
        t.split(['-', '/', '.']).collect()
    };
    if parts.len() != 3 || parts[0].len() != 4 {
        return None;
    }
    let y: i32 = parts[0].parse().ok()?;
    let m: u32 = parts[1].parse().ok()?;
    let d: u32 = parts[2].parse().ok()?;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(y) => 29,
        2 => 28,
        _ => return None,
    };
    ((1800..=2200).contains(&y) && d >= 1 && d <= days).then_some((y, m, d))
}

/// The class code of a class name or number of the default scheme (bad -1, satisfactory 0, good 1).
pub fn parse_class(s: &str) -> Option<&'static str> {
    let t = s.trim().to_ascii_lowercase();
    match t.as_str() {
        "bad" | "-1" | "b" | "default" => Some(CLASSES[0]),
        "satisfactory" | "0" | "s" | "uncertain" => Some(CLASSES[1]),
        "good" | "1" | "g" => Some(CLASSES[2]),
        _ => None,
    }
}

fn fmt_num(x: f64) -> String {
    if x.abs() >= 1e6 || (x != 0.0 && x.abs() < 1e-3) {
        format!("{x:e}")
    } else {
        format!("{x}")
    }
}

/// Why a cell or a value does not fit its field. Each reads after the value it is about
/// ("'1.5x' is not a number"), in a file's report and in the service's answers alike.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CellError {
    #[error("is longer than {0} characters")]
    TooLong(usize),
    #[error("holds a control character (an escape sequence, NUL or the like)")]
    ControlCharacter,
    #[error("is not a whole number")]
    NotWhole,
    #[error("is outside {0}..{1}")]
    OutsideRange(i64, i64),
    #[error("is not a number")]
    NotANumber,
    #[error("is not a number ({0})")]
    NotANumberIn(NumberFormat),
    #[error("is not a finite number")]
    NotFinite,
    #[error("is negative; this amount cannot be")]
    Negative,
    #[error("is below the minimum {}", fmt_num(*.0))]
    BelowMinimum(f64),
    #[error("is above the maximum {}", fmt_num(*.0))]
    AboveMaximum(f64),
    #[error("is not a date written YYYY-MM-DD")]
    NotADate,
    #[error("is not yes/no (also true/false, 1/0)")]
    NotYesNo,
    #[error("is not one of {}", .0.join(", "))]
    NotAChoice(&'static [&'static str]),
    #[error("is not a class (bad, satisfactory, good or -1, 0, 1)")]
    NotAClass,
    #[error("is empty; this field is required")]
    Required,
    #[error("is not a field of {0}")]
    NotAField(&'static str),
    #[error("is not a Korean business registration number (XXX-XX-XXXXX)")]
    NotKoreanBrn,
    #[error("Korean business registration number with a wrong check digit")]
    WrongCheckDigit,
}

/// Parses `cell` as `ty`. `Ok(Value::Null)` for a missing cell; `Err(reason)` if it does not fit.
pub fn parse_cell(cell: Cell, ty: FieldType) -> Result<Value, CellError> {
    parse_cell_as(cell, ty, NumberFormat::default())
}

/// `parse_cell` with numbers written in `fmt` (a file's decimal mark and thousands separator).
pub fn parse_cell_as(cell: Cell, ty: FieldType, fmt: NumberFormat) -> Result<Value, CellError> {
    let text = match cell {
        Cell::Missing => return Ok(Value::Null),
        Cell::Text(t) if t.trim().is_empty() => return Ok(Value::Null),
        Cell::Text(t) => Some(t.trim()),
        Cell::Num(_) => None,
    };
    match ty {
        FieldType::Text(max) => {
            let s = text.map(str::to_string).unwrap_or_else(|| cell.display());
            if s.chars().count() > max {
                return Err(CellError::TooLong(max));
            }
            // A line break or a tab inside a quoted cell is text (a name on two lines); any
            // other control character (an escape sequence, NUL) is refused.
            if s.chars()
                .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
            {
                return Err(CellError::ControlCharacter);
            }
            Ok(Value::Text(s))
        }
        FieldType::Int(lo, hi) => {
            let x = match (cell, text) {
                (Cell::Num(x), _) => x,
                (_, Some(t)) if is_missing_marker(t) => return Ok(Value::Null),
                (_, Some(t)) => super::numbers::parse(t, fmt).ok_or(CellError::NotWhole)?,
                _ => return Ok(Value::Null),
            };
            if x.fract() != 0.0 {
                return Err(CellError::NotWhole);
            }
            if x < lo as f64 || x > hi as f64 {
                return Err(CellError::OutsideRange(lo, hi));
            }
            Ok(Value::Integer(x as i64))
        }
        FieldType::Float(lo, hi) => {
            let x = match (cell, text) {
                (Cell::Num(x), _) => x,
                (_, Some(t)) if is_missing_marker(t) => return Ok(Value::Null),
                (_, Some(t)) => super::numbers::parse(t, fmt).ok_or_else(|| {
                    if fmt == NumberFormat::default() {
                        CellError::NotANumber
                    } else {
                        CellError::NotANumberIn(fmt)
                    }
                })?,
                _ => return Ok(Value::Null),
            };
            if !x.is_finite() {
                return Err(CellError::NotFinite);
            }
            if x < lo {
                return Err(if lo == 0.0 {
                    CellError::Negative
                } else {
                    CellError::BelowMinimum(lo)
                });
            }
            if x > hi {
                return Err(CellError::AboveMaximum(hi));
            }
            Ok(Value::Real(x))
        }
        FieldType::Date => {
            let t = text.map(str::to_string).unwrap_or_else(|| cell.display());
            if is_missing_marker(&t) {
                return Ok(Value::Null);
            }
            let (y, m, d) = parse_date(&t).ok_or(CellError::NotADate)?;
            Ok(Value::Text(format!("{y:04}-{m:02}-{d:02}")))
        }
        FieldType::Bool => {
            let t = text
                .map(str::to_ascii_lowercase)
                .unwrap_or_else(|| cell.display());
            match t.as_str() {
                "1" | "true" | "yes" | "y" | "t" => Ok(Value::Integer(1)),
                "0" | "false" | "no" | "n" | "f" => Ok(Value::Integer(0)),
                _ => Err(CellError::NotYesNo),
            }
        }
        FieldType::Choice(options) => {
            let t = text
                .map(str::to_ascii_lowercase)
                .unwrap_or_else(|| cell.display());
            options
                .iter()
                .find(|o| **o == t)
                .map(|o| Value::Text(o.to_string()))
                .ok_or(CellError::NotAChoice(options))
        }
        FieldType::Class => {
            let t = text.map(str::to_string).unwrap_or_else(|| cell.display());
            parse_class(&t)
                .map(|c| Value::Text(c.to_string()))
                .ok_or(CellError::NotAClass)
        }
    }
}

/// How firm ids are checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum IdScheme {
    /// Korean business registration numbers: every id must be `XXX-XX-XXXXX` (or ten digits)
    /// with a correct check digit.
    KrBrn,
    /// Ids are not checked.
    None,
}

crate::model::choices::named!(
    IdScheme,
    "an id scheme",
    [(IdScheme::KrBrn, "kr-brn"), (IdScheme::None, "none")]
);

/// What the id check says of one firm id under `scheme` (`None`: the scheme checks nothing, or
/// the default scheme meets an id not shaped like a Korean number): `Some(Ok(()))` valid,
/// `Some(Err(reason))` flagged.
pub fn check_id(id: &str, scheme: Option<IdScheme>) -> Option<Result<(), CellError>> {
    match scheme {
        Some(IdScheme::None) => None,
        // The default: Korean-shaped ids are checked, others are not (another country's id).
        None => korean_brn_valid(id).map(|ok| {
            if ok {
                Ok(())
            } else {
                Err(CellError::WrongCheckDigit)
            }
        }),
        Some(IdScheme::KrBrn) => {
            let digits: String = id.chars().filter(|c| c.is_ascii_digit()).collect();
            let shaped = korean_brn_valid(id).is_some()
                || (digits.len() == 10 && digits.len() == id.trim().len());
            if !shaped {
                return Some(Err(CellError::NotKoreanBrn));
            }
            let d: Vec<u32> = digits.chars().filter_map(|c| c.to_digit(10)).collect();
            Some(if brn_check_digit(&d[..9]) == d[9] {
                Ok(())
            } else {
                Err(CellError::WrongCheckDigit)
            })
        }
    }
}

/// Whether a Korean business registration number `XXX-XX-XXXXX` has a correct check digit.
/// `None` when the id is not written in that shape (other countries' ids are not checked).
pub fn korean_brn_valid(id: &str) -> Option<bool> {
    let bytes = id.as_bytes();
    let shaped = bytes.len() == 12
        && bytes[3] == b'-'
        && bytes[6] == b'-'
        && bytes
            .iter()
            .enumerate()
            .all(|(i, b)| i == 3 || i == 6 || b.is_ascii_digit());
    if !shaped {
        return None;
    }
    let d: Vec<u32> = id.chars().filter_map(|c| c.to_digit(10)).collect();
    Some(brn_check_digit(&d[..9]) == d[9])
}

/// The check digit of the first nine digits of a Korean business registration number.
pub fn brn_check_digit(d: &[u32]) -> u32 {
    const W: [u32; 9] = [1, 3, 7, 1, 3, 7, 1, 3, 5];
    let mut sum: u32 = d.iter().zip(W).map(|(a, w)| a * w).sum();
    sum += (d[8] * 5) / 10;
    (10 - sum % 10) % 10
}

/// The import's rule for one field of `kind`, applied to a value given on its own (a posted
/// firm's field): the same type, range and required-ness as a file's cell under that header.
/// `Ok(Value::Null)` for a missing value of a field that is not required.
pub fn check_field(
    kind: crate::ingest::kinds::Kind,
    field: &str,
    cell: Cell,
) -> Result<Value, CellError> {
    let fields = crate::ingest::kinds::fields(kind);
    match fields.iter().find(|f| f.id == field) {
        Some(f) => check_value(f, cell),
        None => Err(CellError::NotAField(kind.name())),
    }
}

/// `check_field` with the field in hand (a caller that checks many values of one kind).
pub fn check_value(field: &crate::ingest::kinds::Field, cell: Cell) -> Result<Value, CellError> {
    let value = parse_cell(cell, field.ty)?;
    if field.required && value == Value::Null {
        return Err(CellError::Required);
    }
    Ok(value)
}
