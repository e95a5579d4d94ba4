//! Wide statement sheets: one line per account, one column per fiscal year (how accountants and
//! the Korean disclosure system lay a statement out), one firm per sheet or a firm column. The
//! account names are matched to items (`finance::accounts`, overridden by the mapping), and the
//! sheet becomes the long table the statement import reads, one row per firm and year.

use super::mapping::ColumnMap;
use super::report::{Issue, Severity};
use super::sheet::Grid;
use super::table::{column_letters, RawTable, SheetCell, SheetRefs, WidePlace};
use super::validate::parse_date;
use crate::finance::accounts::{self, Account};
use crate::finance::ITEMS;
use std::collections::BTreeMap;
use std::path::Path;

/// How a statement file is laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Layout {
    /// One row per firm and year, one column per item.
    Long,
    /// One row per account, one column per year.
    Wide,
}

crate::model::choices::named!(
    Layout,
    "a layout",
    [(Layout::Long, "long"), (Layout::Wide, "wide")]
);

/// The year a header cell names: 2023, "2023", "FY2023", "2023년", "2023.12.31", a date cell.
pub fn year_of(cell: &SheetCell) -> Option<i32> {
    let ok = |y: i64| (1900..=2100).contains(&y).then_some(y as i32);
    match cell {
        SheetCell::Num(x) if x.fract() == 0.0 => ok(*x as i64),
        SheetCell::Text(t) => {
            let t = t.trim();
            if let Some((y, _, _)) = parse_date(t) {
                return Some(y);
            }
            let digits: Vec<&str> = t
                .split(|c: char| !c.is_ascii_digit())
                .filter(|s| !s.is_empty())
                .collect();
            let letters: String = t.chars().filter(|c| !c.is_ascii_digit()).collect();
            let allowed = letters
                .split(|c: char| c.is_whitespace() || ".-/()".contains(c))
                .all(|w| {
                    ["", "fy", "년", "월", "일", "기말", "말", "ye", "gj", "ex"]
                        .contains(&w.to_lowercase().as_str())
                });
            match digits.as_slice() {
                [y, rest @ ..] if y.len() == 4 && rest.iter().all(|d| d.len() <= 2) && allowed => {
                    ok(y.parse().ok()?)
                }
                _ => None,
            }
        }
        _ => None,
    }
}

/// Whether a sheet looks wide: a row among its first 30 is a header of years (see
/// `header_row`).
pub fn looks_wide(grid: &Grid) -> bool {
    header_row(grid).is_some()
}

/// The header row of a wide sheet: the first row whose cells from the first year cell on are
/// mostly years (a data row of a long sheet holds one year among many amounts), with a label
/// column left of them.
fn header_row(grid: &Grid) -> Option<usize> {
    (0..grid.rows.len().min(30)).find(|&r| {
        let row = &grid.rows[r];
        let Some(first) = row.iter().position(|c| year_of(c).is_some()) else {
            return false;
        };
        let right = &row[first..];
        let years = right.iter().filter(|c| year_of(c).is_some()).count();
        let filled = right.iter().filter(|c| **c != SheetCell::Empty).count();
        first > 0 && 2 * years > filled
    })
}

/// Headers of a firm column, or of the firm's id above the table.
const FIRM_LABELS: &[&str] = &[
    "firm",
    "firmid",
    "firm_id",
    "company",
    "companyid",
    "brn",
    "회사",
    "회사명",
    "기업",
    "업체",
    "사업자등록번호",
    "법인등록번호",
    "firma",
    "unternehmen",
    "société",
    "entreprise",
];

fn is_firm_label(s: &str) -> bool {
    let n = super::mapping::normalize(s);
    FIRM_LABELS
        .iter()
        .any(|l| super::mapping::normalize(l) == n)
}

/// The currency and unit a title line says: "(단위: 천원)", "in EUR thousands", "TEUR".
pub fn currency_and_unit(text: &str) -> (Option<&'static str>, Option<&'static str>) {
    let t = text.to_lowercase();
    let t = t.as_str();
    let currency = if t.contains("백만원")
        || t.contains("천원")
        || t.contains("원)")
        || t.ends_with('원')
        || t.contains("krw")
        || t.contains('₩')
    {
        Some("KRW")
    } else if t.contains("eur") || t.contains('€') {
        Some("EUR")
    } else if t.contains("usd") || t.contains('$') {
        Some("USD")
    } else if t.contains("gbp") || t.contains('£') {
        Some("GBP")
    } else if t.contains("chf") {
        Some("CHF")
    } else if t.contains("jpy") || t.contains('¥') {
        Some("JPY")
    } else {
        None
    };
    let unit = if t.contains("백만") || t.contains("million") || t.contains("mio") {
        Some("millions")
    } else if t.contains("천원")
        || t.contains("thousand")
        || t.contains("teur")
        || t.contains("tsd")
        || t.contains("milliers")
        || t.contains("k€")
    {
        Some("thousands")
    } else if t.contains("단위") && t.contains('원') {
        Some("units")
    } else {
        None
    };
    (currency, unit)
}

/// What a wide sheet was turned into: the long table, and what the report says about it.
pub struct Converted {
    pub table: RawTable,
    pub notes: Vec<String>,
}

/// The headers of the long table a wide sheet becomes.
pub fn long_headers() -> Vec<String> {
    let mut h = vec![
        "firm_id".to_string(),
        "fiscal_year".to_string(),
        "currency".to_string(),
        "unit".to_string(),
    ];
    h.extend(ITEMS.iter().map(|i| i.id.to_string()));
    h
}

fn issue(path: &Path, sheet: &str, row: usize, col: usize, value: &str, reason: String) -> Issue {
    Issue {
        cause: None,
        severity: Severity::Error,
        file: path.display().to_string(),
        row: row + 1,
        location: format!(
            "sheet \"{sheet}\", row {}, column {}",
            row + 1,
            column_letters(col as u32)
        ),
        column: String::new(),
        value: super::reader::quoted(value),
        reason,
    }
}

/// What the mapping says of an account name: an item, not used, or nothing.
fn mapped(map: &ColumnMap, name: &str) -> Option<Account> {
    let n = accounts::normalize(name);
    map.0
        .iter()
        .find(|(col, _)| accounts::normalize(col) == n)
        .and_then(|(_, target)| {
            let t = super::mapping::normalize(target);
            if IGNORE.contains(&t.as_str()) {
                return Some(Account::NotUsed);
            }
            // A target that is no item leaves the line unknown (refused, naming it).
            ITEMS
                .iter()
                .position(|i| super::mapping::normalize(i.id) == t)
                .map(Account::Item)
        })
}

/// Mapping targets that mark an account line as not used.
pub const IGNORE: &[&str] = &["ignore", "skip", "notused", "none"];

/// One statement being gathered: its place and the cell of each item.
struct Gathered {
    place: WidePlace,
    firm: String,
    year: i32,
    currency: Option<String>,
    unit: Option<String>,
    items: Vec<SheetCell>,
}

/// Turns the wide sheets `grids` into one long table. Structural mistakes (a year header that
/// is not a year, two columns for one year, an unknown account name, two lines for one item)
/// come back as issues naming sheet, row and column.
pub fn convert(
    path: &Path,
    grids: &[Grid],
    map: &ColumnMap,
    currency: Option<&str>,
    unit: Option<&str>,
) -> Result<Converted, Vec<Issue>> {
    let mut issues = Vec::new();
    let mut notes = Vec::new();
    let mut statements: Vec<Gathered> = Vec::new();
    let mut sheets = Vec::new();
    for grid in grids {
        let Some(hr) = header_row(grid) else {
            if grid.has_data() {
                notes.push(format!(
                    "sheet \"{}\": no row of years, not read",
                    grid.name
                ));
            }
            continue;
        };
        let sheet_idx = sheets.len();
        sheets.push(grid.name.clone());
        let head = &grid.rows[hr];
        let first_year = head.iter().position(|c| year_of(c).is_some()).unwrap_or(0);
        // Year columns: every filled header cell from the first year on must be a year, once.
        let mut years: BTreeMap<i32, usize> = BTreeMap::new();
        let mut year_cols: Vec<(usize, i32)> = Vec::new();
        for (c, cell) in head.iter().enumerate().skip(first_year) {
            if *cell == SheetCell::Empty {
                continue;
            }
            match year_of(cell) {
                Some(y) => {
                    if let Some(&other) = years.get(&y) {
                        issues.push(issue(
                            path,
                            &grid.name,
                            hr,
                            c,
                            &grid.text(hr, c),
                            format!(
                                "two columns for the year {y}: {} and {}; remove one",
                                column_letters(other as u32),
                                column_letters(c as u32)
                            ),
                        ));
                    } else {
                        years.insert(y, c);
                        year_cols.push((c, y));
                    }
                }
                None => issues.push(issue(
                    path,
                    &grid.name,
                    hr,
                    c,
                    &grid.text(hr, c),
                    "is not a year (a column right of the first year must name a year, e.g. \
                     2023, FY2023 or 2023-12-31)"
                        .into(),
                )),
            }
        }
        // Label columns: the firm column (if its header says so) and the account column (the
        // one left of the years holding the most text).
        let firm_col = (0..first_year).find(|&c| is_firm_label(&grid.text(hr, c)));
        let label_col = (0..first_year)
            .filter(|&c| Some(c) != firm_col)
            .max_by_key(|&c| {
                let texts = (hr + 1..grid.rows.len())
                    .filter(|&r| matches!(grid.cell(r, c), SheetCell::Text(_)))
                    .count();
                (texts, std::cmp::Reverse(c))
            })
            .unwrap_or(0);
        // Above the header: the firm's id and the currency and unit lines.
        let mut sheet_firm: Option<String> = None;
        let (mut cur, mut un) = (None, None);
        for r in 0..=hr {
            let width = grid.rows[r].len();
            for c in 0..width {
                let t = grid.text(r, c);
                if r < hr && is_firm_label(&t) {
                    if let Some(v) = (c + 1..width)
                        .map(|k| grid.text(r, k))
                        .find(|v| !v.is_empty())
                    {
                        sheet_firm = Some(v);
                    }
                }
                let (a, b) = currency_and_unit(&t);
                cur = cur.or(a);
                un = un.or(b);
            }
        }
        let currency = currency.map(str::to_string).or(cur.map(str::to_string));
        let unit = unit.map(str::to_string).or(un.map(str::to_string));
        if cur.is_some() || un.is_some() {
            notes.push(format!(
                "sheet \"{}\": amounts in {} {} (from the sheet's title lines)",
                grid.name,
                currency.as_deref().unwrap_or("the default currency"),
                unit.as_deref().unwrap_or("")
            ));
        }
        let default_firm = sheet_firm.unwrap_or_else(|| grid.name.clone());
        // (firm, item) -> first sheet row, to refuse a second line for one item.
        let mut taken: BTreeMap<(String, usize), usize> = BTreeMap::new();
        let mut used = Vec::new();
        let (mut blank, mut headings, mut not_used) = (Vec::new(), Vec::new(), Vec::new());
        let first_statement = statements.len();
        for r in hr + 1..grid.rows.len() {
            let label = grid.text(r, label_col);
            let has_amount = year_cols
                .iter()
                .any(|&(c, _)| *grid.cell(r, c) != SheetCell::Empty);
            if label.is_empty() && !has_amount {
                if grid.rows[r].iter().any(|c| *c != SheetCell::Empty) {
                    headings.push(r + 1);
                } else if r < grid.rows.len() {
                    blank.push(r + 1);
                }
                continue;
            }
            if !has_amount {
                headings.push(r + 1);
                continue;
            }
            let account = mapped(map, &label).or_else(|| accounts::lookup(&label));
            let item = match account {
                Some(Account::Item(i)) => i,
                Some(Account::NotUsed) => {
                    not_used.push(format!("row {} \"{label}\"", r + 1));
                    continue;
                }
                None if accounts::looks_like_subtotal(&label) => {
                    not_used.push(format!("row {} \"{label}\" (a sub-total)", r + 1));
                    continue;
                }
                None => {
                    issues.push(issue(
                        path,
                        &grid.name,
                        r,
                        label_col,
                        &label,
                        "is not an account name precre knows; map it to an item or to \
                         \"ignore\" and import again"
                            .into(),
                    ));
                    continue;
                }
            };
            let firm = match firm_col {
                Some(fc) => grid.text(r, fc),
                None => default_firm.clone(),
            };
            if let Some(&first) = taken.get(&(firm.clone(), item)) {
                issues.push(issue(
                    path,
                    &grid.name,
                    r,
                    label_col,
                    &label,
                    format!(
                        "a second line for {} (row {} is the first); map one of them to \
                         \"ignore\"",
                        ITEMS[item].id,
                        first + 1
                    ),
                ));
                continue;
            }
            taken.insert((firm.clone(), item), r);
            used.push(format!("row {} \"{label}\" -> {}", r + 1, ITEMS[item].id));
            for &(c, year) in &year_cols {
                let at = statements[first_statement..]
                    .iter()
                    .position(|s| s.firm == firm && s.year == year)
                    .map(|k| k + first_statement);
                let k = match at {
                    Some(k) => k,
                    None => {
                        let mut rows = vec![None; 4 + ITEMS.len()];
                        rows[1] = Some(hr as u32);
                        statements.push(Gathered {
                            place: WidePlace {
                                sheet: sheet_idx,
                                col: c as u32,
                                header_row: hr as u32,
                                rows,
                            },
                            firm: firm.clone(),
                            year,
                            currency: None,
                            unit: None,
                            items: vec![SheetCell::Empty; ITEMS.len()],
                        });
                        statements.len() - 1
                    }
                };
                let s = &mut statements[k];
                s.items[item] = grid.cell(r, c).clone();
                s.place.rows[4 + item] = Some(r as u32);
            }
        }
        // Currency and unit of this sheet's statements.
        for s in &mut statements[first_statement..] {
            s.firm = s.firm.trim().to_string();
            s.currency.clone_from(&currency);
            s.unit.clone_from(&unit);
        }
        notes.push(format!(
            "sheet \"{}\": header row {}, years {}, accounts in column {}{}",
            grid.name,
            hr + 1,
            year_cols
                .iter()
                .map(|(_, y)| y.to_string())
                .collect::<Vec<_>>()
                .join(", "),
            column_letters(label_col as u32),
            firm_col.map_or(String::new(), |c| format!(
                ", firms in column {}",
                column_letters(c as u32)
            ))
        ));
        notes.extend(used.iter().map(|u| format!("sheet \"{}\": {u}", grid.name)));
        if !not_used.is_empty() {
            notes.push(format!(
                "sheet \"{}\": not used: {}",
                grid.name,
                not_used.join(", ")
            ));
        }
        if !headings.is_empty() {
            notes.push(format!(
                "sheet \"{}\": heading rows without amounts ignored: {}",
                grid.name,
                list(&headings)
            ));
        }
        if !blank.is_empty() {
            notes.push(format!(
                "sheet \"{}\": blank rows ignored: {}",
                grid.name,
                list(&blank)
            ));
        }
    }
    if !issues.is_empty() {
        return Err(issues);
    }
    if statements.is_empty() {
        return Err(vec![Issue {
            cause: None,
            severity: Severity::Error,
            file: path.display().to_string(),
            row: 0,
            location: "the workbook".into(),
            column: String::new(),
            value: String::new(),
            reason: "no sheet has a row of years with account lines under it".into(),
        }]);
    }
    let text = |s: Option<String>| s.map_or(SheetCell::Empty, SheetCell::Text);
    let mut columns: Vec<Vec<SheetCell>> =
        vec![Vec::with_capacity(statements.len()); 4 + ITEMS.len()];
    let mut places = Vec::with_capacity(statements.len());
    for s in statements {
        columns[0].push(SheetCell::Text(s.firm));
        columns[1].push(SheetCell::Num(f64::from(s.year)));
        columns[2].push(text(s.currency));
        columns[3].push(text(s.unit));
        for (i, cell) in s.items.into_iter().enumerate() {
            columns[4 + i].push(cell);
        }
        places.push(s.place);
    }
    let refs = SheetRefs::Wide { sheets, places };
    Ok(Converted {
        table: RawTable::from_sheet(path, long_headers(), columns, refs),
        notes,
    })
}

fn list(rows: &[usize]) -> String {
    rows.iter()
        .map(usize::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}
