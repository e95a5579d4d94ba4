//! Statements as they really arrive (issue 29): spreadsheets (.xlsx written with rust_xlsxwriter,
//! an .ods written by hand), a decimal-comma CSV, wide sheets in Korean, English and German.
//! Each file of the corpus holds the same numbers as one long CSV, and each must import to the
//! same statements and the same ratios, ratio for ratio; each kind of mistake in them is refused
//! naming sheet, row and column.

use precre::finance::{RatioRow, Statement, Unit, ITEMS};
use precre::ingest::validate::IdScheme;
use precre::ingest::wide::Layout;
use precre::ingest::{import_file, ImportError, ImportOptions, ImportReport, Kind, ReadOptions};
use precre::store::Store;
use rust_xlsxwriter::{Formula, Workbook};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The items a file of the corpus gives, with Korean, English and German account names.
const LINES: &[(&str, &str, &str, &str)] = &[
    (
        "cash",
        "1. 현금및현금성자산",
        "Cash and cash equivalents",
        "Flüssige Mittel",
    ),
    (
        "receivables",
        "2. 매출채권",
        "Trade receivables",
        "Forderungen aus Lieferungen und Leistungen",
    ),
    ("inventories", "3. 재고자산", "Inventories", "Vorräte"),
    (
        "fixed_assets",
        "Ⅱ. 비유동자산",
        "Non-current assets",
        "Anlagevermögen",
    ),
    ("total_assets", "자산총계", "Total assets", "Bilanzsumme"),
    (
        "short_term_borrowings",
        "(1) 단기차입금",
        "Short-term borrowings",
        "Kurzfristige Darlehen",
    ),
    (
        "payables",
        "(2) 매입채무",
        "Trade payables",
        "Verbindlichkeiten aus Lieferungen und Leistungen",
    ),
    (
        "long_term_borrowings",
        "(3) 장기차입금",
        "Long-term borrowings",
        "Langfristige Darlehen",
    ),
    ("equity", "자본총계", "Total equity", "Eigenkapital"),
    ("revenue", "Ⅰ. 매출액", "Revenue", "Umsatzerlöse"),
    (
        "cost_of_sales",
        "Ⅱ. 매출원가",
        "Cost of sales",
        "Umsatzkosten",
    ),
    (
        "operating_profit",
        "Ⅳ. 영업이익(손실)",
        "Operating profit",
        "Betriebsergebnis",
    ),
    (
        "interest_paid",
        "이자비용",
        "Interest expense",
        "Zinsaufwand",
    ),
    (
        "net_income",
        "Ⅴ. 당기순이익(손실)",
        "Profit for the year",
        "Jahresüberschuss",
    ),
    (
        "operating_cash_flow",
        "영업활동현금흐름",
        "Net cash from operating activities",
        "Operativer Cashflow",
    ),
];

const YEARS: [i32; 3] = [2021, 2022, 2023];
const FIRMS: [&str; 2] = ["123-45-67890", "DE-HRB-4711"];

/// The amount of item `k` for firm `f` in year `y`: with cents, the balance-sheet identity
/// holding to a quarter, net income negative in one year.
fn amount(f: usize, k: usize, y: usize) -> f64 {
    let b = 1000.0 * (f as f64 + 1.0) + 111.5 * (y as f64);
    match LINES[k].0 {
        "total_assets" => b * 10.0,
        "fixed_assets" => b * 4.0,
        "equity" => b * 3.0,
        "long_term_borrowings" => b * 5.0 - 0.5,
        "short_term_borrowings" => b,
        "payables" => b + 0.25,
        "revenue" => b * 12.0 + 0.75,
        "net_income" if y == 1 => -(b / 7.0 * 100.0).round() / 100.0,
        _ => b + 37.25 * (k as f64),
    }
}

fn dir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

/// The long CSV of the corpus's numbers (the reference every other file must match).
fn long_csv(path: &Path, currency: &str, unit: &str) {
    let mut out = String::from("firm_id,fiscal_year,currency,unit");
    for l in LINES {
        out.push(',');
        out.push_str(l.0);
    }
    out.push('\n');
    for (f, firm) in FIRMS.iter().enumerate() {
        for (y, year) in YEARS.iter().enumerate() {
            out.push_str(&format!("{firm},{year},{currency},{unit}"));
            for k in 0..LINES.len() {
                out.push_str(&format!(",{}", amount(f, k, y)));
            }
            out.push('\n');
        }
    }
    std::fs::write(path, out).unwrap();
}

fn options(read: ReadOptions) -> ImportOptions {
    let mut o = ImportOptions::new(Kind::Statements);
    o.create_firms = true;
    o.read = read;
    o
}

fn import(path: &Path, read: ReadOptions) -> (Store, ImportReport) {
    let db = path.with_extension("db");
    let mut store = Store::open(&db).unwrap();
    let report = import_file(&mut store, path, &options(read)).unwrap_or_else(|e| {
        if let ImportError::Refused { report } = &e {
            for i in &report.issues {
                eprintln!("{i}");
            }
        }
        panic!("{}: {e}", path.display())
    });
    (store, report)
}

fn all_statements(store: &Store) -> Vec<(Statement, RatioRow)> {
    FIRMS
        .iter()
        .flat_map(|f| store.firm_statements(f, None).unwrap())
        .collect()
}

/// Two stores hold the same statements (items, currency, unit) and the same ratios.
fn assert_same(reference: &Store, other: &Store, what: &str) {
    let a = all_statements(reference);
    let b = all_statements(other);
    assert_eq!(
        a.len(),
        FIRMS.len() * YEARS.len(),
        "{what}: reference count"
    );
    assert_eq!(a.len(), b.len(), "{what}: statement count");
    for ((sa, ra), (sb, rb)) in a.iter().zip(&b) {
        assert_eq!(sa.firm_id, sb.firm_id, "{what}");
        assert_eq!(sa.fiscal_year, sb.fiscal_year, "{what}");
        assert_eq!(
            sa.currency, sb.currency,
            "{what} {} {}",
            sa.firm_id, sa.fiscal_year
        );
        assert_eq!(sa.unit, sb.unit, "{what} {} {}", sa.firm_id, sa.fiscal_year);
        for (item, (a, b)) in ITEMS.iter().zip(sa.values.iter().zip(&sb.values)) {
            match (*a, *b) {
                (Some(x), Some(y)) => assert!(
                    (x - y).abs() < 1e-9 * x.abs().max(1.0),
                    "{what}: {} {} {}: {x} vs {y}",
                    sa.firm_id,
                    sa.fiscal_year,
                    item.id
                ),
                (x, y) => assert_eq!(x, y, "{what}: {}", item.id),
            }
        }
        assert_eq!(ra.flags, rb.flags, "{what}: flags");
        for (j, (x, y)) in ra.values.iter().zip(&rb.values).enumerate() {
            match (x, y) {
                (Some(x), Some(y)) => assert!(
                    (x - y).abs() <= 1e-9 * x.abs().max(1.0),
                    "{what}: ratio {j}: {x} vs {y}"
                ),
                _ => assert_eq!(x.is_some(), y.is_some(), "{what}: ratio {j}"),
            }
        }
    }
}

fn reference(dir: &Path, currency: &str, unit: &str) -> Store {
    let p = dir.join(format!("long-{currency}-{unit}.csv"));
    long_csv(&p, currency, unit);
    import(&p, ReadOptions::default()).0
}

// ---------------------------------------------------------------------------------------------
// Writers of the corpus.

/// A long-layout .xlsx: a title line, the header on row 3, revenue as a formula with its cached
/// value, currency and unit columns.
fn long_xlsx(path: &Path, bad_cell: Option<&str>) {
    let mut wb = Workbook::new();
    let empty = wb.add_worksheet();
    empty.set_name("Notes").unwrap();
    let ws = wb.add_worksheet();
    ws.set_name("Statements").unwrap();
    ws.write_string(0, 0, "Statements of our borrowers")
        .unwrap();
    let mut headers = vec!["Firm", "Fiscal Year", "Currency", "Unit"];
    headers.extend(LINES.iter().map(|l| l.0));
    for (c, h) in headers.iter().enumerate() {
        ws.write_string(2, c as u16, *h).unwrap();
    }
    let mut r = 3u32;
    for (f, firm) in FIRMS.iter().enumerate() {
        for (y, year) in YEARS.iter().enumerate() {
            ws.write_string(r, 0, *firm).unwrap();
            ws.write_number(r, 1, f64::from(*year)).unwrap();
            ws.write_string(r, 2, "EUR").unwrap();
            ws.write_string(r, 3, "units").unwrap();
            for (k, line) in LINES.iter().enumerate() {
                let c = 4 + k as u16;
                let x = amount(f, k, y);
                if line.0 == "revenue" {
                    let half = x / 2.0;
                    let f = Formula::new(format!("={half}+{half}")).set_result(x.to_string());
                    ws.write_formula(r, c, f).unwrap();
                } else {
                    ws.write_number(r, c, x).unwrap();
                }
            }
            r += 1;
        }
    }
    if let Some(bad) = bad_cell {
        // Row 5 of the sheet (the second data row), column E (cash).
        ws.write_string(4, 4, bad).unwrap();
    }
    wb.save(path).unwrap();
}

/// A wide .xlsx: one sheet per firm, Korean, English or German names, the unit in a title line.
fn wide_xlsx(path: &Path, lang: usize, title: &str, firm_cell: bool) {
    let mut wb = Workbook::new();
    for (f, firm) in FIRMS.iter().enumerate() {
        let ws = wb.add_worksheet();
        // Sheet names cannot hold every id character; the first sheet names its firm in a cell.
        let sheet = if firm_cell && f == 0 {
            "재무제표".to_string()
        } else {
            firm.to_string()
        };
        ws.set_name(&sheet).unwrap();
        ws.write_string(0, 0, "재무상태표 / 손익계산서").unwrap();
        if firm_cell && f == 0 {
            ws.write_string(1, 0, "사업자등록번호").unwrap();
            ws.write_string(1, 1, *firm).unwrap();
        }
        ws.write_string(2, 0, title).unwrap();
        ws.write_string(3, 0, "과목").unwrap();
        for (y, year) in YEARS.iter().enumerate() {
            let label = match lang {
                0 => format!("{year}년"),
                1 => format!("FY{year}"),
                _ => year.to_string(),
            };
            ws.write_string(3, 1 + y as u16, label).unwrap();
        }
        let mut r = 4u32;
        // A heading without amounts, a sub-total the table lists as not used, a blank row.
        ws.write_string(r, 0, ["자산", "Assets", "Aktiva"][lang])
            .unwrap();
        r += 1;
        ws.write_string(
            r,
            0,
            ["Ⅰ. 유동자산", "Current assets", "Umlaufvermögen"][lang],
        )
        .unwrap();
        for y in 0..YEARS.len() {
            ws.write_number(r, 1 + y as u16, 1.0).unwrap();
        }
        r += 2;
        for (k, l) in LINES.iter().enumerate() {
            let name = [l.1, l.2, l.3][lang];
            ws.write_string(r, 0, name).unwrap();
            for y in 0..YEARS.len() {
                ws.write_number(r, 1 + y as u16, amount(f, k, y)).unwrap();
            }
            r += 1;
        }
    }
    wb.save(path).unwrap();
}

/// A long-layout .ods written by hand: a zip of mimetype, manifest and content.xml.
fn long_ods(path: &Path) {
    let cell_s = |s: &str| {
        format!(
            "<table:table-cell office:value-type=\"string\"><text:p>{s}</text:p></table:table-cell>"
        )
    };
    let cell_f = |x: f64| {
        format!(
            "<table:table-cell office:value-type=\"float\" office:value=\"{x}\"><text:p>{x}</text:p></table:table-cell>"
        )
    };
    let mut rows = String::new();
    let mut header = vec!["firm_id", "fiscal_year", "currency", "unit"];
    header.extend(LINES.iter().map(|l| l.0));
    rows.push_str("<table:table-row>");
    for h in &header {
        rows.push_str(&cell_s(h));
    }
    rows.push_str("</table:table-row>");
    for (f, firm) in FIRMS.iter().enumerate() {
        for (y, year) in YEARS.iter().enumerate() {
            rows.push_str("<table:table-row>");
            rows.push_str(&cell_s(firm));
            rows.push_str(&cell_f(f64::from(*year)));
            rows.push_str(&cell_s("CHF"));
            rows.push_str(&cell_s("millions"));
            for k in 0..LINES.len() {
                rows.push_str(&cell_f(amount(f, k, y)));
            }
            rows.push_str("</table:table-row>");
        }
    }
    let content = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet><table:table table:name="Bilanz">{rows}</table:table></office:spreadsheet></office:body></office:document-content>"#
    );
    let manifest = r#"<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#;
    let file = std::fs::File::create(path).unwrap();
    let mut zip = zip::ZipWriter::new(file);
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    zip.start_file("mimetype", stored).unwrap();
    zip.write_all(b"application/vnd.oasis.opendocument.spreadsheet")
        .unwrap();
    zip.start_file("META-INF/manifest.xml", stored).unwrap();
    zip.write_all(manifest.as_bytes()).unwrap();
    zip.start_file("content.xml", stored).unwrap();
    zip.write_all(content.as_bytes()).unwrap();
    zip.finish().unwrap();
}

/// A European system's export: `;`, decimal commas, thousands dots, euro signs, negatives in
/// parentheses.
fn decimal_comma_csv(path: &Path) {
    use precre::ingest::numbers::{format, NumberFormat};
    let eu = NumberFormat {
        decimal: ',',
        thousands: Some('.'),
    };
    let mut out = String::from("Firma;Jahr;Währung");
    for l in LINES {
        out.push(';');
        out.push_str(l.0);
    }
    out.push('\n');
    for (f, firm) in FIRMS.iter().enumerate() {
        for (y, year) in YEARS.iter().enumerate() {
            out.push_str(&format!("{firm};{year};EUR"));
            for k in 0..LINES.len() {
                let sign = if k % 2 == 0 { "€ " } else { "" };
                out.push(';');
                out.push_str(&format(amount(f, k, y), eu, 2, true, sign));
            }
            out.push('\n');
        }
    }
    std::fs::write(path, out).unwrap();
}

/// A German wide CSV with a firm column: `;`, decimal commas, "in TEUR".
fn german_wide_csv(path: &Path) {
    use precre::ingest::numbers::{format, NumberFormat};
    let eu = NumberFormat {
        decimal: ',',
        thousands: Some('.'),
    };
    let mut out = String::from("Jahresabschlüsse (in TEUR)\n\nFirma;Posten;2021;2022;2023\n");
    for (f, firm) in FIRMS.iter().enumerate() {
        out.push_str(&format!("{firm};Aktiva;;;\n"));
        for (k, l) in LINES.iter().enumerate() {
            out.push_str(&format!("{firm};{}", l.3));
            for y in 0..YEARS.len() {
                out.push(';');
                out.push_str(&format(amount(f, k, y), eu, 2, false, ""));
            }
            out.push('\n');
        }
    }
    std::fs::write(path, out).unwrap();
}

fn statement_options() -> ReadOptions {
    ReadOptions::default()
}

// ---------------------------------------------------------------------------------------------
// Each file imports to the reference's statements and ratios.

#[test]
fn xlsx_long_sheet_matches_the_long_csv() {
    let d = dir();
    let p = d.path().join("statements.xlsx");
    long_xlsx(&p, None);
    let (store, report) = import(&p, statement_options());
    assert_same(&reference(d.path(), "EUR", "units"), &store, "xlsx");
    let notes = report.layout_notes.join("\n");
    assert!(
        notes.contains("\"Statements\", the first with data"),
        "{notes}"
    );
    assert!(notes.contains("headers taken from row 3"), "{notes}");
}

#[test]
fn ods_sheet_matches_the_long_csv() {
    let d = dir();
    let p = d.path().join("statements.ods");
    long_ods(&p);
    let (store, _) = import(&p, statement_options());
    assert_same(&reference(d.path(), "CHF", "millions"), &store, "ods");
}

#[test]
fn decimal_comma_csv_is_detected_and_matches() {
    let d = dir();
    let p = d.path().join("export.csv");
    decimal_comma_csv(&p);
    let mut read = statement_options();
    read.unit = Some("thousands".into());
    let mut o = options(read);
    o.map = precre::ingest::ColumnMap::from_pairs(&[
        "Firma=firm_id".into(),
        "Jahr=fiscal_year".into(),
        "Währung=currency".into(),
    ])
    .unwrap();
    let mut store = Store::open(&d.path().join("eu.db")).unwrap();
    let report = import_file(&mut store, &p, &o).unwrap();
    let said = report.number_format.clone().unwrap_or_default();
    assert!(
        said.contains("decimal mark ','") && said.contains("detected"),
        "{said}"
    );
    assert_same(
        &reference(d.path(), "EUR", "thousands"),
        &store,
        "decimal comma",
    );
}

#[test]
fn korean_wide_workbook_matches_the_long_csv() {
    let d = dir();
    let p = d.path().join("재무제표.xlsx");
    wide_xlsx(&p, 0, "(단위: 천원)", true);
    let (store, report) = import(&p, statement_options());
    assert_same(
        &reference(d.path(), "KRW", "thousands"),
        &store,
        "korean wide",
    );
    let notes = report.layout_notes.join("\n");
    // The mapping report: which row became which item, which were not used.
    assert!(notes.contains("\"Ⅰ. 매출액\" -> revenue"), "{notes}");
    assert!(notes.contains("not used: row 6 \"Ⅰ. 유동자산\""), "{notes}");
    assert!(
        notes.contains("heading rows without amounts ignored: 5"),
        "{notes}"
    );
    assert!(notes.contains("KRW thousands"), "{notes}");
}

#[test]
fn english_wide_workbook_matches_the_long_csv() {
    let d = dir();
    let p = d.path().join("financials.xlsx");
    wide_xlsx(&p, 1, "Amounts in USD", false);
    let mut read = statement_options();
    read.unit = Some("units".into());
    let (store, _) = import(&p, read);
    assert_same(&reference(d.path(), "USD", "units"), &store, "english wide");
}

#[test]
fn german_wide_csv_with_a_firm_column_matches_the_long_csv() {
    let d = dir();
    let p = d.path().join("abschluss.csv");
    german_wide_csv(&p);
    let mut read = statement_options();
    read.layout = Some(Layout::Wide);
    let (store, report) = import(&p, read);
    assert_same(
        &reference(d.path(), "EUR", "thousands"),
        &store,
        "german wide",
    );
    assert!(report
        .layout_notes
        .iter()
        .any(|n| n.contains("firms in column A")));
}

// ---------------------------------------------------------------------------------------------
// Mistakes are refused with sheet, row and column.

fn refused(path: &Path, read: ReadOptions) -> Vec<String> {
    let mut store = Store::open(&path.with_extension("db")).unwrap();
    match import_file(&mut store, path, &options(read)) {
        Err(ImportError::Refused { report }) => {
            assert!(store.firm_statements(FIRMS[0], None).unwrap().is_empty());
            report.issues.iter().map(|i| i.to_string()).collect()
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[test]
fn a_text_cell_in_an_amount_is_refused_with_sheet_row_and_column() {
    let d = dir();
    let p = d.path().join("bad.xlsx");
    long_xlsx(&p, Some("12O5"));
    let issues = refused(&p, statement_options());
    assert_eq!(issues.len(), 1, "{issues:?}");
    assert!(
        issues[0].contains("sheet \"Statements\", row 5, column E")
            && issues[0].contains("\"12O5\"")
            && issues[0].contains("is not a number"),
        "{issues:?}"
    );
}

fn wide_with(d: &Path, edit: impl FnOnce(&mut rust_xlsxwriter::Worksheet)) -> PathBuf {
    let p = d.join("wide.xlsx");
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("BS").unwrap();
    ws.write_string(0, 0, "Account").unwrap();
    for (y, year) in YEARS.iter().enumerate() {
        ws.write_number(0, 1 + y as u16, f64::from(*year)).unwrap();
    }
    for (k, l) in LINES.iter().enumerate() {
        ws.write_string(1 + k as u32, 0, l.2).unwrap();
        for y in 0..YEARS.len() {
            ws.write_number(1 + k as u32, 1 + y as u16, amount(0, k, y))
                .unwrap();
        }
    }
    edit(ws);
    wb.save(&p).unwrap();
    p
}

#[test]
fn an_unknown_account_name_is_refused_with_sheet_row_and_column() {
    let d = dir();
    let p = wide_with(d.path(), |ws| {
        ws.write_string(20, 0, "Goodwill amortisation reserve")
            .unwrap();
        ws.write_number(20, 1, 5.0).unwrap();
    });
    let issues = refused(&p, statement_options());
    assert_eq!(issues.len(), 1, "{issues:?}");
    assert!(
        issues[0].contains("sheet \"BS\", row 21, column A")
            && issues[0].contains("not an account name"),
        "{issues:?}"
    );
    // The mapping can say it is not used: then the sheet imports.
    let mut o = options(statement_options());
    o.map = precre::ingest::ColumnMap::from_pairs(&["Goodwill amortisation reserve=ignore".into()])
        .unwrap();
    let mut store = Store::open(&d.path().join("ok.db")).unwrap();
    let report = import_file(&mut store, &p, &o).unwrap();
    assert_eq!(report.counts.rows_written, 3);
}

#[test]
fn two_columns_for_one_year_are_refused_with_sheet_row_and_column() {
    let d = dir();
    let p = wide_with(d.path(), |ws| {
        ws.write_number(0, 4, 2023.0).unwrap();
    });
    let issues = refused(&p, statement_options());
    assert!(
        issues
            .iter()
            .any(|i| i.contains("sheet \"BS\", row 1, column E")
                && i.contains("two columns for the year 2023: D and E")),
        "{issues:?}"
    );
}

#[test]
fn a_year_header_that_is_not_a_year_is_refused_with_sheet_row_and_column() {
    let d = dir();
    let p = wide_with(d.path(), |ws| {
        ws.write_string(0, 4, "2024 budget").unwrap();
    });
    let issues = refused(&p, statement_options());
    assert!(
        issues
            .iter()
            .any(|i| i.contains("sheet \"BS\", row 1, column E") && i.contains("is not a year")),
        "{issues:?}"
    );
}

#[test]
fn ambiguous_numbers_are_refused_with_an_example_and_a_named_mark_settles_them() {
    let d = dir();
    let p = d.path().join("amb.csv");
    let mut text = String::from("firm_id,fiscal_year");
    for l in LINES {
        text.push(',');
        text.push_str(l.0);
    }
    text.push_str("\nA-1,2023");
    for _ in LINES {
        text.push_str(",\"1,250\"");
    }
    text.push('\n');
    std::fs::write(&p, &text).unwrap();
    let mut store = Store::open(&d.path().join("amb.db")).unwrap();
    let err = import_file(&mut store, &p, &options(statement_options())).unwrap_err();
    let msg = err.to_string();
    assert!(
        matches!(err, ImportError::AmbiguousNumbers { .. })
            && msg.contains("\"1,250\"")
            && msg.contains("row 1"),
        "{msg}"
    );
    let mut read = statement_options();
    read.decimal = Some(',');
    import_file(&mut store, &p, &options(read)).unwrap();
    let s = &store.firm_statements("A-1", None).unwrap()[0].0;
    assert_eq!(s.values[0], Some(1.25));
}

// ---------------------------------------------------------------------------------------------
// Identities and money.

#[test]
fn a_foreign_firm_id_is_not_warned_unless_the_korean_scheme_is_asked_for() {
    let d = dir();
    let p = d.path().join("firms.csv");
    std::fs::write(
        &p,
        "id,name,sector\nDE-HRB-4711,Muster GmbH,C10\n123-45-67890,가나다,C10\n",
    )
    .unwrap();
    let mut store = Store::open(&d.path().join("f.db")).unwrap();
    let report = import_file(&mut store, &p, &ImportOptions::new(Kind::Firms)).unwrap();
    let warned: Vec<&str> = report.issues.iter().map(|i| i.value.as_str()).collect();
    // The default checks Korean-shaped ids only: 123-45-67890 has a wrong check digit (the
    // right one, by the weights 1 3 7 1 3 7 1 3 5 and the carry of 9 x 5 / 10, is 1).
    assert_eq!(warned, vec!["123-45-67890"]);
    let mut o = ImportOptions::new(Kind::Firms);
    o.id_scheme = Some(IdScheme::KrBrn);
    let report = import_file(&mut store, &p, &o).unwrap();
    assert_eq!(report.issues.len(), 2, "{:?}", report.issues);
    assert!(report.issues[0]
        .reason
        .contains("is not a Korean business registration number"));
    o.id_scheme = Some(IdScheme::None);
    let report = import_file(&mut store, &p, &o).unwrap();
    assert!(report.issues.is_empty());
}

#[test]
fn growth_is_not_computed_across_a_change_of_currency_or_unit() {
    let d = dir();
    let p = d.path().join("money.csv");
    let mut header = String::from("firm_id,fiscal_year,currency,unit");
    for l in LINES {
        header.push(',');
        header.push_str(l.0);
    }
    let row = |year: i32, cur: &str, unit: &str, scale: f64| {
        let mut r = format!("X-1,{year},{cur},{unit}");
        for k in 0..LINES.len() {
            r.push_str(&format!(",{}", amount(0, k, 0) * scale));
        }
        r
    };
    std::fs::write(
        &p,
        format!(
            "{header}\n{}\n{}\n{}\n",
            row(2021, "EUR", "thousands", 1.0),
            row(2022, "EUR", "units", 1000.0),
            row(2023, "EUR", "units", 1100.0)
        ),
    )
    .unwrap();
    let (store, _) = import(&p, statement_options());
    let rows = store.firm_statements("X-1", None).unwrap();
    let growth = precre::finance::RATIOS
        .iter()
        .position(|r| r.id == "revenue_growth")
        .expect("a revenue growth ratio");
    assert_eq!(rows[1].0.unit, Unit::Units);
    // 2022 follows a year in thousands: no growth; 2023 follows 2022 in units: +10%.
    assert_eq!(rows[1].1.values[growth], None);
    let g = rows[2].1.values[growth].unwrap();
    assert!((g - 0.1).abs() < 1e-12, "{g}");
}

// ---------------------------------------------------------------------------------------------
// Parquet and NDJSON register files are streamed in chunks (issue 29, item 5): chunks of two
// rows (crossing firms and years) end in the same statements as the long CSV read whole.

#[test]
fn parquet_and_ndjson_in_small_chunks_match_the_long_csv() {
    use polars::prelude::*;
    let d = dir();
    let csv = d.path().join("long.csv");
    long_csv(&csv, "EUR", "thousands");
    let mut df = CsvReadOptions::default()
        .with_has_header(true)
        .try_into_reader_with_file_path(Some(csv.clone()))
        .unwrap()
        .finish()
        .unwrap();
    let pq = d.path().join("statements.parquet");
    ParquetWriter::new(std::fs::File::create(&pq).unwrap())
        .finish(&mut df)
        .unwrap();
    let nd = d.path().join("statements.ndjson");
    let mut lines = String::new();
    for (f, firm) in FIRMS.iter().enumerate() {
        for (y, year) in YEARS.iter().enumerate() {
            let mut fields = vec![
                format!("\"firm_id\":\"{firm}\""),
                format!("\"fiscal_year\":{year}"),
                "\"currency\":\"EUR\"".to_string(),
            ];
            for (k, l) in LINES.iter().enumerate() {
                fields.push(format!("\"{}\":{}", l.0, amount(f, k, y)));
            }
            lines.push_str(&format!("{{{}}}\n\n", fields.join(",")));
        }
    }
    std::fs::write(&nd, lines).unwrap();
    let reference = reference(d.path(), "EUR", "thousands");
    for p in [&pq, &nd] {
        let read = ReadOptions {
            chunk_rows: Some(2),
            ..ReadOptions::default()
        };
        let (store, report) = import(p, read);
        assert_eq!(report.counts.rows_read, FIRMS.len() * YEARS.len());
        assert_same(&reference, &store, &p.display().to_string());
    }
}

/// A date cell reads as a date whatever its display format (dd.mm.yyyy, a Korean format, m/d/yy).
#[test]
fn a_date_cell_is_a_date_whatever_its_format() {
    use rust_xlsxwriter::{ExcelDateTime, Format};
    let d = dir();
    let p = d.path().join("firms.xlsx");
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in ["id", "name", "sector", "founded"].iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    let formats = ["dd.mm.yyyy", "yyyy\"년\" m\"월\" d\"일\"", "m/d/yy"];
    for (r, f) in formats.iter().enumerate() {
        let row = 1 + r as u32;
        ws.write_string(row, 0, format!("F-{r}")).unwrap();
        ws.write_string(row, 1, "Firm").unwrap();
        ws.write_string(row, 2, "C10").unwrap();
        let date = ExcelDateTime::from_ymd(2015, 3, 1 + r as u8).unwrap();
        ws.write_datetime_with_format(row, 3, &date, &Format::new().set_num_format(*f))
            .unwrap();
    }
    wb.save(&p).unwrap();
    let mut store = Store::open(&d.path().join("f.db")).unwrap();
    import_file(&mut store, &p, &ImportOptions::new(Kind::Firms)).unwrap();
    for r in 0..3 {
        let firm = store.firm(&format!("F-{r}")).unwrap();
        assert_eq!(firm.founded, Some(format!("2015-03-0{}", r + 1)));
    }
}
