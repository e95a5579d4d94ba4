//! Import rules: a refused file changes nothing; reports name file, row and column; mapping,
//! duplicates, unknown firms, soft checks, other formats, and ratios that follow statement edits.

use precre::finance::catalogue::find;
use precre::ingest::{import_file, ColumnMap, ImportError, ImportOptions, Kind, Severity};
use precre::store::Store;
use std::path::{Path, PathBuf};

const FIRMS: &str = "id,name,sector,region,founded,size,status\n\
220-81-62517,Alpha Precision,manufacturing,Seoul,2001-05-01,small,active\n\
120-81-47521,Beta Mart,retail,Busan,2010-02-28,micro,active\n";

const HEADER: &str = "firm_id,fiscal_year,total_assets,fixed_assets,inventories,receivables,cash,equity,long_term_borrowings,short_term_borrowings,payables,revenue,cost_of_sales,operating_profit,net_income,interest_paid,operating_cash_flow";

fn statement_line(firm: &str, year: i32, revenue: f64) -> String {
    format!("{firm},{year},1000,400,150,200,100,400,300,150,150,{revenue},900,96,60,24,84")
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn store_with_firms(dir: &Path) -> Store {
    let mut store = Store::open(&dir.join("t.db")).unwrap();
    import_file(
        &mut store,
        &write(dir, "firms.csv", FIRMS),
        &ImportOptions::new(Kind::Firms),
    )
    .unwrap();
    store
}

/// 120 statement rows over two firms and 60 years; row `bad_row` gets `bad` as its revenue.
fn statements_csv(bad_row: Option<usize>, bad: &str) -> String {
    let mut text = format!("{HEADER}\n");
    for r in 1..=120 {
        let firm = if r % 2 == 0 {
            "220-81-62517"
        } else {
            "120-81-47521"
        };
        let year = 1950 + (r as i32 + 1) / 2;
        let mut line = statement_line(firm, year, 1200.0);
        if Some(r) == bad_row {
            line = line.replace(",1200,", &format!(",{bad},"));
        }
        text.push_str(&line);
        text.push('\n');
    }
    text
}

#[test]
fn a_refused_import_names_row_and_column_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = store_with_firms(dir.path());
    let counts = store.table_counts().unwrap();
    let digest = store.content_digest().unwrap();
    let path = write(dir.path(), "bad.csv", &statements_csv(Some(57), "12O0"));
    let err = import_file(&mut store, &path, &ImportOptions::new(Kind::Statements)).unwrap_err();
    let ImportError::Refused { report } = &err else {
        panic!("expected a refusal, got {err}")
    };
    let errors: Vec<_> = report.errors().collect();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].row, 57);
    assert_eq!(errors[0].column, "revenue");
    assert_eq!(errors[0].value, "12O0");
    let shown = errors[0].to_string();
    assert!(
        shown.contains("bad.csv")
            && shown.contains("row 57 (line 58)")
            && shown.contains("\"revenue\""),
        "{shown}"
    );
    assert!(err.to_string().contains("nothing was imported"));
    assert_eq!(store.table_counts().unwrap(), counts);
    assert_eq!(store.content_digest().unwrap(), digest);

    // With --skip-bad the 119 good rows go in and the bad one is reported.
    let mut opts = ImportOptions::new(Kind::Statements);
    opts.skip_bad = true;
    let rep = import_file(&mut store, &path, &opts).unwrap();
    assert_eq!(
        (rep.counts.rows_written, rep.counts.rows_rejected),
        (119, 1)
    );
    assert_eq!(store.count("statements").unwrap(), 119);
}

#[test]
fn range_type_duplicate_and_reference_errors_are_all_reported() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = store_with_firms(dir.path());
    let text = format!(
        "{HEADER}\n{}\n{}\n{}\n{}\n{}\n",
        statement_line("220-81-62517", 2020, 1200.0),
        statement_line("220-81-62517", 2020, 1300.0), // duplicate key
        statement_line("999-99-99999", 2020, 1200.0), // unknown firm
        statement_line("220-81-62517", 2021, -5.0),   // negative revenue
        statement_line("220-81-62517", 2022, 1.0).replace(",2022,", ",20x2,"), // bad year
    );
    let path = write(dir.path(), "s.csv", &text);
    let ImportError::Refused { report } =
        import_file(&mut store, &path, &ImportOptions::new(Kind::Statements)).unwrap_err()
    else {
        panic!("expected a refusal")
    };
    let mut found: Vec<(usize, String)> =
        report.errors().map(|i| (i.row, i.column.clone())).collect();
    found.sort();
    assert_eq!(
        found,
        vec![
            (2, "firm_id+fiscal_year".to_string()),
            (3, "firm_id".to_string()),
            (4, "revenue".to_string()),
            (5, "fiscal_year".to_string())
        ]
    );
    assert_eq!(store.count("statements").unwrap(), 0);

    // Unknown firms can be created as placeholders on request.
    let path = write(
        dir.path(),
        "s2.csv",
        &format!(
            "{HEADER}\n{}\n",
            statement_line("999-99-99999", 2020, 1200.0)
        ),
    );
    let mut opts = ImportOptions::new(Kind::Statements);
    opts.create_firms = true;
    let rep = import_file(&mut store, &path, &opts).unwrap();
    assert_eq!(rep.created_firms, 1);
    assert_eq!(store.firm("999-99-99999").unwrap().sector, "unknown");
}

#[test]
fn headers_match_loosely_and_by_explicit_mapping() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = store_with_firms(dir.path());
    let text = "Firm ID;Fiscal Year;Total Assets;Fixed assets;STOCK;Receivables;Cash;Equity;Umsatz;COGS;EBIT;Net Profit\n\
                220-81-62517;2023;1000;400;150;200;100;1000;1200;900;96;60\n";
    let path = write(dir.path(), "loose.csv", text);
    let err = import_file(&mut store, &path, &ImportOptions::new(Kind::Statements)).unwrap_err();
    assert!(
        err.to_string().contains("missing column(s) revenue"),
        "{err}"
    );
    let mut opts = ImportOptions::new(Kind::Statements);
    opts.map = ColumnMap::from_pairs(&["Umsatz=revenue".to_string()]).unwrap();
    let rep = import_file(&mut store, &path, &opts).unwrap();
    assert_eq!(rep.counts.rows_written, 1);
    let (s, _) = &store.firm_statements("220-81-62517", None).unwrap()[0];
    assert_eq!(s.values[precre::finance::items::idx::REVENUE], Some(1200.0));
    assert_eq!(
        s.values[precre::finance::items::idx::INVENTORIES],
        Some(150.0)
    );

    // The same mapping from a TOML file.
    let toml = write(
        dir.path(),
        "map.toml",
        "[columns]\n\"Umsatz\" = \"revenue\"\n",
    );
    assert_eq!(
        ColumnMap::from_toml(&toml).unwrap().0,
        vec![("Umsatz".to_string(), "revenue".to_string())]
    );
}

#[test]
fn soft_checks_flag_but_do_not_refuse() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("t.db")).unwrap();
    // 220-81-62517 has a valid check digit; 220-81-62518 does not.
    let firms = "id,name,sector\n220-81-62517,Good Id,retail\n220-81-62518,Bad Check Digit,retail\nDE-HRB-1234,German Firm,retail\n";
    let rep = import_file(
        &mut store,
        &write(dir.path(), "f.csv", firms),
        &ImportOptions::new(Kind::Firms),
    )
    .unwrap();
    assert_eq!(rep.counts.rows_written, 3);
    let warnings: Vec<_> = rep
        .issues
        .iter()
        .filter(|i| i.severity == Severity::Warning)
        .collect();
    assert_eq!(warnings.len(), 1);
    assert_eq!(warnings[0].row, 2);
    assert!(warnings[0].reason.contains("check digit"));

    // Assets 1000 against liabilities + equity 400 + 300 + 150 + 150 = 1000 balances; 1100 does not.
    let text = format!(
        "{HEADER}\n{}\n{}\n",
        statement_line("220-81-62517", 2020, 1200.0),
        statement_line("220-81-62517", 2021, 1200.0).replacen(",1000,", ",1100,", 1)
    );
    let rep = import_file(
        &mut store,
        &write(dir.path(), "s.csv", &text),
        &ImportOptions::new(Kind::Statements),
    )
    .unwrap();
    assert_eq!(rep.counts.rows_written, 2);
    let w: Vec<_> = rep
        .issues
        .iter()
        .filter(|i| i.severity == Severity::Warning)
        .map(|i| i.row)
        .collect();
    assert_eq!(w, vec![2]);
    let rows = store.firm_statements("220-81-62517", None).unwrap();
    assert!(!rows[0].1.flags.names().contains(&"identity_mismatch"));
    assert!(rows[1].1.flags.names().contains(&"identity_mismatch"));
}

#[test]
fn ratios_stay_consistent_when_statements_change() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = store_with_firms(dir.path());
    let (g, _) = find("revenue_growth").unwrap();
    let text = format!(
        "{HEADER}\n{}\n{}\n",
        statement_line("220-81-62517", 2020, 1000.0),
        statement_line("220-81-62517", 2021, 1500.0)
    );
    import_file(
        &mut store,
        &write(dir.path(), "a.csv", &text),
        &ImportOptions::new(Kind::Statements),
    )
    .unwrap();
    let rows = store.firm_statements("220-81-62517", None).unwrap();
    assert_eq!(rows[1].1.values[g], Some(0.5));
    // Correcting 2020's revenue changes 2021's growth, though 2021 was not in the file.
    let text = format!(
        "{HEADER}\n{}\n",
        statement_line("220-81-62517", 2020, 1200.0)
    );
    import_file(
        &mut store,
        &write(dir.path(), "b.csv", &text),
        &ImportOptions::new(Kind::Statements),
    )
    .unwrap();
    let rows = store.firm_statements("220-81-62517", None).unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[1].1.values[g], Some(0.25));
    // A year imported before the first one gives the first one its growth.
    let text = format!(
        "{HEADER}\n{}\n",
        statement_line("220-81-62517", 2019, 600.0)
    );
    import_file(
        &mut store,
        &write(dir.path(), "c.csv", &text),
        &ImportOptions::new(Kind::Statements),
    )
    .unwrap();
    let rows = store.firm_statements("220-81-62517", Some(2020)).unwrap();
    assert_eq!(rows[0].1.values[g], Some(1.0));
}

#[test]
fn parquet_and_json_files_import_like_csv() {
    use polars::prelude::*;
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("t.db")).unwrap();
    let mut df = df!(
        "id" => ["220-81-62517", "120-81-47521"],
        "name" => ["Alpha", "Beta"],
        "sector" => ["retail", "transport"],
        "founded" => ["2001-05-01", "1999-12-31"]
    )
    .unwrap();
    let path = dir.path().join("firms.parquet");
    ParquetWriter::new(std::fs::File::create(&path).unwrap())
        .finish(&mut df)
        .unwrap();
    let rep = import_file(&mut store, &path, &ImportOptions::new(Kind::Firms)).unwrap();
    assert_eq!(rep.counts.rows_written, 2);

    let json = r#"[{"firm_id":"220-81-62517","as_of":"2025-06-30","class":"bad","days_past_due":120},
                   {"firm_id":"120-81-47521","as_of":"2025-06-30","days_past_due":30}]"#;
    let rep = import_file(
        &mut store,
        &write(dir.path(), "o.json", json),
        &ImportOptions::new(Kind::Outcomes),
    )
    .unwrap();
    assert_eq!(rep.counts.rows_written, 2);
    // A class derived from days past due (1-89: satisfactory).
    assert_eq!(
        store.firm("120-81-47521").unwrap().class.as_deref(),
        Some("satisfactory")
    );

    let ndjson = "{\"id\":\"A-1\",\"firm_id\":\"220-81-62517\",\"amount\":5000,\"term_months\":24,\"submitted\":\"2025-07-01\"}\n";
    let rep = import_file(
        &mut store,
        &write(dir.path(), "a.ndjson", ndjson),
        &ImportOptions::new(Kind::Applications),
    )
    .unwrap();
    assert_eq!(rep.counts.rows_written, 1);
    // A fractional term is refused in JSON too, naming the row and field.
    let ndjson = "{\"id\":\"A-2\",\"firm_id\":\"220-81-62517\",\"amount\":5000,\"term_months\":24.5,\"submitted\":\"2025-07-01\"}\n";
    let err = import_file(
        &mut store,
        &write(dir.path(), "b.ndjson", ndjson),
        &ImportOptions::new(Kind::Applications),
    )
    .unwrap_err();
    let ImportError::Refused { report } = err else {
        panic!()
    };
    let e = report.errors().next().unwrap();
    assert_eq!((e.row, e.column.as_str()), (1, "term_months"));
}

#[test]
fn firms_dates_and_choices_are_checked() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("t.db")).unwrap();
    let firms = "id,name,sector,founded,size,status,closed_on\n\
                 A,Ok,retail,2001-02-28,Small,Closed,2020-01-01\n\
                 B,Bad date,retail,2001-02-30,small,active,\n\
                 C,Bad size,retail,2001-01-01,huge,active,\n\
                 D,Closed before founded,retail,2010-01-01,small,closed,2009-01-01\n";
    let ImportError::Refused { report } = import_file(
        &mut store,
        &write(dir.path(), "f.csv", firms),
        &ImportOptions::new(Kind::Firms),
    )
    .unwrap_err() else {
        panic!()
    };
    let found: Vec<(usize, String)> = report.errors().map(|i| (i.row, i.column.clone())).collect();
    assert_eq!(
        found,
        vec![
            (2, "founded".into()),
            (3, "size".into()),
            (4, "closed_on".into())
        ]
    );
    assert_eq!(store.count("firms").unwrap(), 0);
}

#[test]
fn malformed_files_are_refused_with_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("t.db")).unwrap();
    let ragged = write(dir.path(), "ragged.csv", "id,name,sector\nA,B,C\nD,E,F,G\n");
    let err = import_file(&mut store, &ragged, &ImportOptions::new(Kind::Firms))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("ragged.csv")
            && err.contains("line 3")
            && err.contains("4 fields where the header has 3"),
        "{err}"
    );
    let p = dir.path().join("latin1.csv");
    std::fs::write(&p, b"id,name,sector\nA,B,C\nD,Caf\xe9,F\n").unwrap();
    let err = import_file(&mut store, &p, &ImportOptions::new(Kind::Firms))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("latin1.csv") && err.contains("line 3") && err.contains("UTF-8"),
        "{err}"
    );
    let empty = write(dir.path(), "empty.csv", "");
    assert!(import_file(&mut store, &empty, &ImportOptions::new(Kind::Firms)).is_err());
    assert_eq!(store.count("firms").unwrap(), 0);
}
