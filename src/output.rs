//! Rendering for the command line: aligned text tables, CSV and JSON, and number formatting.

use crate::finance::catalogue::Unit;
use serde::Serialize;
use std::io::Write;

/// How a read command prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum OutputFormat {
    #[default]
    Table,
    Csv,
    Json,
}

/// A table of text cells; numeric columns are right-aligned.
#[derive(Debug, Clone, Default)]
pub struct TextTable {
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
    pub right_aligned: Vec<bool>,
}

impl TextTable {
    pub fn new<S: Into<String>>(headers: impl IntoIterator<Item = S>) -> Self {
        let headers: Vec<String> = headers.into_iter().map(Into::into).collect();
        let right_aligned = vec![false; headers.len()];
        TextTable {
            headers,
            rows: Vec::new(),
            right_aligned,
        }
    }

    pub fn align_right(mut self, cols: impl IntoIterator<Item = usize>) -> Self {
        for c in cols {
            if c < self.right_aligned.len() {
                self.right_aligned[c] = true;
            }
        }
        self
    }

    /// Adds a row; control characters in a cell (an escape sequence, NUL, a line break, stored
    /// before the register refused them) are shown escaped, never sent to the terminal.
    pub fn push(&mut self, row: Vec<String>) {
        self.rows
            .push(row.into_iter().map(escape_controls).collect());
    }

    /// Aligned columns separated by two spaces, a rule under the header.
    pub fn render(&self) -> String {
        let n = self.headers.len();
        let mut widths: Vec<usize> = self.headers.iter().map(|h| h.chars().count()).collect();
        for row in &self.rows {
            for (i, c) in row.iter().enumerate().take(n) {
                widths[i] = widths[i].max(c.chars().count());
            }
        }
        let line = |cells: &[String]| {
            let mut s = String::new();
            for (i, w) in widths.iter().enumerate() {
                let c = cells.get(i).map(String::as_str).unwrap_or("");
                let pad = w.saturating_sub(c.chars().count());
                if i > 0 {
                    s.push_str("  ");
                }
                if self.right_aligned[i] {
                    s.push_str(&" ".repeat(pad));
                    s.push_str(c);
                } else {
                    s.push_str(c);
                    if i + 1 < n {
                        s.push_str(&" ".repeat(pad));
                    }
                }
            }
            s.trim_end().to_string()
        };
        let mut out = line(&self.headers);
        out.push('\n');
        out.push_str(
            &widths
                .iter()
                .map(|w| "-".repeat(*w))
                .collect::<Vec<_>>()
                .join("  "),
        );
        out.push('\n');
        for row in &self.rows {
            out.push_str(&line(row));
            out.push('\n');
        }
        out
    }

    /// RFC 4180 CSV with a header row.
    /// The table as CSV, safe to open in a spreadsheet: a text cell that starts with `=`, `+`,
    /// `-`, `@`, a tab or a carriage return gets an apostrophe in front (so a firm named
    /// `=HYPERLINK(...)` is shown, not run), while a number such as `-0.25`, `-12.5%` or
    /// `-1,234` (it parses as one) and the lone `-` of a missing value stay as they are.
    pub fn to_csv(&self) -> String {
        let mut w = csv::Writer::from_writer(Vec::new());
        let _ = w.write_record(
            self.headers
                .iter()
                .map(|h| spreadsheet_safe(h).into_owned()),
        );
        for row in &self.rows {
            let _ = w.write_record(row.iter().map(|c| spreadsheet_safe(c).into_owned()));
        }
        String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
    }
}

/// Prints `value` as pretty JSON to stdout.
pub fn print_json<T: Serialize>(value: &T) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, value)?;
    writeln!(out)?;
    Ok(())
}

/// Prints a table as text or CSV (JSON is printed from typed values by the caller).
pub fn print_table(table: &TextTable, format: OutputFormat) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    match format {
        OutputFormat::Csv => write!(out, "{}", table.to_csv())?,
        _ => write!(out, "{}", table.render())?,
    }
    Ok(())
}

/// A ratio value as an analyst reads it: 12.3%, 1.45, 6.2x, 3.1 mo; "-" when missing.
pub fn format_ratio(value: Option<f64>, unit: Unit) -> String {
    let text = match value {
        None => return "-".to_string(),
        Some(x) => match unit {
            Unit::Percent => format!("{:.1}%", x * 100.0),
            Unit::Ratio => format!("{x:.2}"),
            Unit::Times => format!("{x:.1}x"),
            Unit::Months => format!("{x:.1} mo"),
            Unit::Score => format!("{x:.2}"),
        },
    };
    // A tiny negative value rounds to "-0.0": show it as zero.
    match text.strip_prefix('-') {
        Some(rest) if !rest.chars().any(|c| ('1'..='9').contains(&c)) => rest.to_string(),
        _ => text,
    }
}

/// A count with thousands separators: 7,027 (the domain's, so that messages below the
/// front-ends write counts the same way).
pub use crate::finance::thousands;

/// A number rounded to whole units with thousands separators (negative values keep their sign).
pub fn thousands_f(x: f64) -> String {
    if !x.is_finite() {
        return "-".into();
    }
    let r = x.round();
    let s = thousands(r.abs() as usize);
    if r < 0.0 {
        format!("-{s}")
    } else {
        s
    }
}

/// An amount as statements show it: whole amounts grouped (`1,234`), others with two decimals
/// (`1,000.50`) so that a statement in units of the currency keeps its cents.
pub fn amount(x: f64) -> String {
    if !x.is_finite() {
        return "-".into();
    }
    if (x - x.round()).abs() < 1e-9 {
        return thousands_f(x);
    }
    let cents = (x.abs() * 100.0).round();
    let whole = thousands((cents / 100.0).trunc() as usize);
    let frac = (cents % 100.0) as u32;
    let sign = if x < 0.0 { "-" } else { "" };
    format!("{sign}{whole}.{frac:02}")
}

/// A cell as a spreadsheet should show it (see [`TextTable::to_csv`]).
pub fn spreadsheet_safe(cell: &str) -> std::borrow::Cow<'_, str> {
    let number = cell
        .replace(',', "")
        .trim_end_matches('%')
        .trim()
        .parse::<f64>()
        .is_ok();
    if number || cell == "-" {
        return cell.into();
    }
    crate::decisions::export::neutralise(cell)
}

#[cfg(test)]
mod spreadsheet_tests {
    use super::*;

    #[test]
    fn formulas_become_text_and_numbers_stay_numbers() {
        let mut t = TextTable::new(["name", "ratio", "share"]);
        t.push(vec![
            "=HYPERLINK(\"http://x\")".into(),
            "-0.25".into(),
            "-12.5%".into(),
        ]);
        t.push(vec!["@SUM(A1)".into(), "-".into(), "+3".into()]);
        t.push(vec![
            "-5% margin, noted".into(),
            "-1,234".into(),
            "1e3".into(),
        ]);
        let csv = t.to_csv();
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines[1], "\"'=HYPERLINK(\"\"http://x\"\")\",-0.25,-12.5%");
        assert_eq!(lines[2], "'@SUM(A1),-,+3");
        assert_eq!(lines[3], "\"'-5% margin, noted\",\"-1,234\",1e3");
    }
}

/// `text` with each control character written as its escape (`\u{1b}`), so that a value can
/// never move the cursor, clear the screen or cut a line of the terminal it is printed on.
pub fn escape_controls(text: String) -> String {
    if !text.chars().any(char::is_control) {
        return text;
    }
    text.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_unicode().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

#[cfg(test)]
mod escape_tests {
    #[test]
    fn control_characters_in_a_cell_are_printed_escaped() {
        let mut t = super::TextTable::new(["id", "name"]);
        t.push(vec!["a\u{1b}[2Jb".into(), "nul\u{0}".into()]);
        let out = t.render();
        assert!(!out.contains('\u{1b}') && !out.contains('\u{0}'), "{out:?}");
        assert!(
            out.contains("a\\u{1b}[2Jb") && out.contains("nul\\u{0}"),
            "{out}"
        );
    }
}
