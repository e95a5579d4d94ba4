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
    /// Columns left out first, in this order, when the table is wider than its width.
    pub optional: Vec<usize>,
}

impl TextTable {
    pub fn new<S: Into<String>>(headers: impl IntoIterator<Item = S>) -> Self {
        let headers: Vec<String> = headers.into_iter().map(Into::into).collect();
        let right_aligned = vec![false; headers.len()];
        TextTable {
            optional: Vec::new(),
            headers,
            rows: Vec::new(),
            right_aligned,
        }
    }

    /// Columns to leave out first, in the order given, when the table does not fit its width.
    pub fn optional(mut self, cols: impl IntoIterator<Item = usize>) -> Self {
        let n = self.headers.len();
        self.optional.extend(cols.into_iter().filter(|&c| c < n));
        self
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

    /// The table within the width of [`table_width`], the columns left out named under it.
    pub fn render_fitted(&self) -> String {
        let width = table_width();
        let (mut text, left_out) = self.render_within(width);
        if let (Some(w), false) = (width, left_out.is_empty()) {
            text.push_str(&wrap(
                &format!("(left out to fit {w} columns: {})", left_out.join(", ")),
                w,
                1,
            ));
            text.push('\n');
        }
        text
    }

    /// Aligned columns separated by two spaces, a rule under the header, every column in full.
    pub fn render(&self) -> String {
        self.render_within(None).0
    }

    /// The table within `width` characters a line (every column in full with `None`): optional
    /// columns are left out first (in their order), then text columns are cut with an
    /// ellipsis down to a floor, then the rightmost columns are left out. Returns the text and
    /// the headers of the columns left out.
    pub fn render_within(&self, width: Option<usize>) -> (String, Vec<String>) {
        let n = self.headers.len();
        let mut full: Vec<usize> = self.headers.iter().map(|h| h.chars().count()).collect();
        for row in &self.rows {
            for (i, c) in row.iter().enumerate().take(n) {
                full[i] = full[i].max(c.chars().count());
            }
        }
        let (shown, widths) = match width {
            Some(w) => fit_columns(&full, &self.optional, &self.right_aligned, &self.headers, w),
            None => ((0..n).collect(), full),
        };
        let left_out: Vec<String> = (0..n)
            .filter(|i| !shown.contains(i))
            .map(|i| self.headers[i].clone())
            .collect();
        let line = |cells: &[String]| {
            let mut s = String::new();
            for (k, (&i, &w)) in shown.iter().zip(&widths).enumerate() {
                let c = cut(cells.get(i).map(String::as_str).unwrap_or(""), w);
                let pad = w.saturating_sub(c.chars().count());
                if k > 0 {
                    s.push_str("  ");
                }
                if self.right_aligned[i] {
                    s.push_str(&" ".repeat(pad));
                    s.push_str(&c);
                } else {
                    s.push_str(&c);
                    s.push_str(&" ".repeat(pad));
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
        (out, left_out)
    }

    /// RFC 4180 CSV with a header row.
    /// The table as CSV, safe to open in a spreadsheet: a text cell that starts with `=`, `+`,
    /// `-`, `@`, a tab or a carriage return gets an apostrophe in front (so a firm named
    /// `=HYPERLINK(...)` is shown, not run), while a number such as `-0.25`, `-12.5%` or
    /// `-1,234` (it parses as one) and the lone `-` of a missing value stay as they are.
    /// A number with thousands separators in a numeric (right-aligned) column is written
    /// plain (`474,000` as `474000`), so that a spreadsheet reads it as a number.
    pub fn to_csv(&self) -> String {
        let mut w = csv::Writer::from_writer(Vec::new());
        let _ = w.write_record(
            self.headers
                .iter()
                .map(|h| spreadsheet_safe(h).into_owned()),
        );
        for row in &self.rows {
            let _ = w.write_record(row.iter().enumerate().map(|(i, c)| match plain_number(c) {
                Some(p) if self.right_aligned.get(i) == Some(&true) => p,
                _ => spreadsheet_safe(c).into_owned(),
            }));
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

/// Prints a table as text or CSV (JSON is printed from typed values by the caller). Text fits
/// the width of [`table_width`]; the columns left out are named on standard error.
pub fn print_table(table: &TextTable, format: OutputFormat) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    match format {
        OutputFormat::Csv => write!(out, "{}", table.to_csv())?,
        _ => {
            let width = table_width();
            let (text, left_out) = table.render_within(width);
            write!(out, "{text}")?;
            if let (Some(w), false) = (width, left_out.is_empty()) {
                let note = format!(
                    "(left out to fit {w} columns: {}; --wide shows every column)",
                    left_out.join(", ")
                );
                eprintln!("{}", wrap(&note, w, 1));
            }
        }
    }
    Ok(())
}

/// `text` wrapped at word boundaries to the width of [`table_width`] (as it is when unset);
/// continuation lines indented by `indent` spaces.
pub fn wrapped(text: &str, indent: usize) -> String {
    match table_width() {
        Some(w) => wrap(text, w, indent),
        None => text.to_string(),
    }
}

/// `text` wrapped at word boundaries to `width` characters a line; continuation lines indented
/// by `indent` spaces; a word longer than a line stays whole.
pub fn wrap(text: &str, width: usize, indent: usize) -> String {
    let mut out = String::new();
    for (n, para) in text.split('\n').enumerate() {
        if n > 0 {
            out.push('\n');
        }
        let mut line = String::new();
        let mut len = 0usize;
        let mut has_word = false;
        for word in para.split(' ') {
            let wl = word.chars().count();
            if has_word && len + 1 + wl > width {
                out.push_str(line.trim_end());
                out.push('\n');
                line = " ".repeat(indent);
                len = indent;
                has_word = false;
            }
            if has_word {
                line.push(' ');
                len += 1;
            }
            line.push_str(word);
            len += wl;
            has_word = true;
        }
        out.push_str(line.trim_end());
    }
    out
}

/// The width text tables fit: unset (every column in full) until [`set_table_width`] is called.
static TABLE_WIDTH: std::sync::OnceLock<Option<usize>> = std::sync::OnceLock::new();

/// Sets the width text tables fit for this process (`None`: every column in full).
pub fn set_table_width(width: Option<usize>) {
    let _ = TABLE_WIDTH.set(width);
}

/// The width text tables fit (`None`: every column in full).
pub fn table_width() -> Option<usize> {
    TABLE_WIDTH.get().copied().flatten()
}

/// The terminal's width: `COLUMNS` when set to a number, else the width of the terminal on
/// standard output, else 80.
pub fn terminal_width() -> usize {
    if let Some(w) = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<usize>().ok())
        .filter(|w| *w > 0)
    {
        return w;
    }
    tty_width().unwrap_or(80)
}

#[cfg(unix)]
fn tty_width() -> Option<usize> {
    // SAFETY: TIOCGWINSZ fills the winsize we pass; a descriptor that is no terminal fails.
    unsafe {
        let mut ws: libc::winsize = std::mem::zeroed();
        (libc::ioctl(libc::STDOUT_FILENO, libc::TIOCGWINSZ, &mut ws) == 0 && ws.ws_col > 0)
            .then_some(ws.ws_col as usize)
    }
}

#[cfg(not(unix))]
fn tty_width() -> Option<usize> {
    None
}

/// The columns shown and their widths within `width` (see [`TextTable::render_within`]).
fn fit_columns(
    full: &[usize],
    optional: &[usize],
    right: &[bool],
    headers: &[String],
    width: usize,
) -> (Vec<usize>, Vec<usize>) {
    let mut shown: Vec<usize> = (0..full.len()).collect();
    let mut widths = full.to_vec();
    let total = |shown: &[usize], widths: &[usize]| {
        shown.iter().map(|&i| widths[i]).sum::<usize>() + 2 * shown.len().saturating_sub(1)
    };
    for drop in optional {
        if total(&shown, &widths) <= width {
            break;
        }
        shown.retain(|i| i != drop);
    }
    // Text columns are cut, the widest a character at a time, to no less than their floor.
    let floor = |i: usize| headers[i].chars().count().clamp(6, 12);
    while total(&shown, &widths) > width {
        let widest = shown
            .iter()
            .copied()
            .filter(|&i| !right[i] && widths[i] > floor(i))
            .max_by_key(|&i| (widths[i], std::cmp::Reverse(i)));
        let Some(i) = widest else { break };
        widths[i] -= 1;
    }
    while total(&shown, &widths) > width && shown.len() > 1 {
        shown.pop();
    }
    let widths = shown.iter().map(|&i| widths[i]).collect();
    (shown, widths)
}

/// `text` cut to `width` characters, an ellipsis at the end when cut.
pub fn cut(text: &str, width: usize) -> std::borrow::Cow<'_, str> {
    if text.chars().count() <= width {
        return text.into();
    }
    let mut s: String = text.chars().take(width.saturating_sub(1)).collect();
    s.push('…');
    s.into()
}

/// A number written with thousands separators (`-1,234.5`), without them; `None` for any other
/// text.
fn plain_number(cell: &str) -> Option<String> {
    if !cell.contains(',') {
        return None;
    }
    let body = cell.strip_prefix('-').unwrap_or(cell);
    let (int, frac) = body.split_once('.').unwrap_or((body, ""));
    let groups: Vec<&str> = int.split(',').collect();
    let ok = !groups[0].is_empty()
        && groups[0].len() <= 3
        && groups[1..].iter().all(|g| g.len() == 3)
        && groups.iter().all(|g| g.bytes().all(|b| b.is_ascii_digit()))
        && frac.bytes().all(|b| b.is_ascii_digit());
    ok.then(|| cell.replace(',', ""))
}

#[cfg(test)]
mod fit_tests {
    use super::*;

    #[test]
    fn text_wraps_at_words_with_an_indent() {
        let w = wrap(
            "reason: Liabilities exceed assets (equity ratio -3.4%, sector 30.1%)",
            30,
            2,
        );
        assert_eq!(
            w,
            "reason: Liabilities exceed\n  assets (equity ratio -3.4%,\n  sector 30.1%)"
        );
        assert!(w.lines().all(|l| l.chars().count() <= 30));
    }

    fn wide_table() -> TextTable {
        let mut t = TextTable::new(["id", "name", "amount", "reasons", "extra"])
            .align_right([2])
            .optional([4]);
        t.push(vec![
            "APP-1".into(),
            "Sol Consulting Co., Ltd.".into(),
            "474,000".into(),
            "Liabilities exceed assets (equity ratio -3.4%, sector 30.1%)".into(),
            "something optional".into(),
        ]);
        t
    }

    #[test]
    fn a_table_fits_the_width_optional_columns_first_then_text_cut_with_an_ellipsis() {
        let t = wide_table();
        let (full, none) = t.render_within(None);
        assert!(none.is_empty());
        assert!(full.lines().any(|l| l.contains("something optional")));
        let (text, left_out) = t.render_within(Some(60));
        assert_eq!(left_out, vec!["extra".to_string()]);
        for line in text.lines() {
            assert!(line.chars().count() <= 60, "{line:?}");
        }
        assert!(text.contains('…'), "{text}");
        assert!(text.contains("474,000"), "numbers are never cut: {text}");
        // Too narrow even for the floors: the rightmost columns go.
        let (text, left_out) = t.render_within(Some(24));
        assert!(text.lines().all(|l| l.chars().count() <= 24), "{text}");
        assert!(left_out.contains(&"reasons".to_string()), "{left_out:?}");
    }

    #[test]
    fn csv_writes_amounts_as_plain_numbers() {
        let csv = wide_table().to_csv();
        let row = csv.lines().nth(1).unwrap();
        assert!(row.contains(",474000,"), "{row}");
        assert_eq!(plain_number("-1,234.50"), Some("-1234.50".into()));
        assert_eq!(plain_number("1,2345"), None);
        assert_eq!(plain_number("Co., Ltd"), None);
    }
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

/// The header of a column of amounts in thousands: `amount (KRW '000)` when every row is in
/// one currency, `amount (thousand)` otherwise (or when none is known).
pub fn amount_header<'a>(
    name: &str,
    currencies: impl IntoIterator<Item = Option<&'a str>>,
) -> String {
    let mut seen: Option<&str> = None;
    for c in currencies {
        match (c, seen) {
            (None, _) => return format!("{name} (thousand)"),
            (Some(c), None) => seen = Some(c),
            (Some(c), Some(s)) if c != s => return format!("{name} (thousand)"),
            _ => {}
        }
    }
    match seen {
        Some(c) => format!("{name} ({c} '000)"),
        None => format!("{name} (thousand)"),
    }
}

/// A count with thousands separators: 7,027 (the domain's, so that messages below the
/// front-ends write counts the same way).
pub use crate::finance::thousands;

/// What finishing an interrupted import did (`ingest::publish::finish_interrupted`), in one
/// wording for every front-end; `true` when the import could not be finished.
pub fn resumed_import(r: &crate::ingest::publish::Resumed) -> (String, bool) {
    let text = if r.lost {
        format!(
            "an import of {} ({}) stopped after {} of {} rows and its staged rows are gone: \
             import the file again to complete it",
            r.file,
            r.kind,
            thousands(r.published_before),
            thousands(r.rows)
        )
    } else {
        format!(
            "finished an interrupted import of {} ({}): {} rows were in, {} now",
            r.file,
            r.kind,
            thousands(r.published_before),
            thousands(r.rows)
        )
    };
    (text, r.lost)
}

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
