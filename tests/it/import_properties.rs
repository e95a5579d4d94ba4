//! Property-based import test (issue 15, item 1): proptest generates tables of firms whose
//! cells are valid, hostile-but-valid (quotes, delimiters, line breaks, formulas, non-Latin
//! text, the longest allowed) or invalid (too long, empty where required, impossible dates,
//! unknown sizes, duplicate ids), in a random column order with an unknown extra column, and
//! writes each as CSV, JSON, NDJSON and Parquet. An independent oracle below decides which rows
//! are good; every import must end (under a hang guard, not a time limit) and then either write
//! exactly the good rows (when all are good) or refuse exactly the bad ones and write nothing.

use polars::prelude::*;
use precre::ingest::{import_file, ImportError, ImportOptions, Kind};
use precre::store::Store;
use proptest::prelude::*;
use std::path::Path;

/// One generated cell: its text (`None` = absent / null) and whether the field accepts it.
#[derive(Debug, Clone)]
struct Gen {
    text: Option<String>,
    ok: bool,
}

fn good(s: &str) -> Gen {
    Gen {
        text: Some(s.to_string()),
        ok: true,
    }
}

fn bad(s: &str) -> Gen {
    Gen {
        text: Some(s.to_string()),
        ok: false,
    }
}

fn absent(ok: bool) -> Gen {
    Gen { text: None, ok }
}

/// Names that are valid however hostile they look to a parser or a spreadsheet.
fn name() -> impl Strategy<Value = Gen> {
    prop_oneof![
        "[A-Za-z][A-Za-z ]{0,30}".prop_map(|s| good(&s)),
        Just(good("Kim \"Big\" Lee, Ltd.")),
        Just(good("line one\nline two")),
        Just(good("=HYPERLINK(\"http://x\")")),
        Just(good("주식회사 한빛; Ünïcødé")),
        Just(good("a\tb;c,d")),
        Just(good(&"x".repeat(200))),
        Just(bad(&"y".repeat(201))),
        Just(absent(false)),
        Just(bad("   ")),
    ]
}

fn founded() -> impl Strategy<Value = Gen> {
    prop_oneof![
        (1950u32..2024, 1u32..13, 1u32..29)
            .prop_map(|(y, m, d)| good(&format!("{y}-{m:02}-{d:02}"))),
        Just(good("2000-02-29")),
        Just(absent(true)),
        Just(good("NA")),
        Just(bad("2001-02-30")),
        Just(bad("31/12/2001")),
        Just(bad("yesterday")),
    ]
}

fn size() -> impl Strategy<Value = Gen> {
    prop_oneof![
        Just(good("micro")),
        Just(good("small")),
        Just(good("medium")),
        Just(good("large")),
        Just(absent(true)),
        Just(bad("huge")),
    ]
}

/// A row: which id it takes (an index into earlier ids for a duplicate), its cells.
#[derive(Debug, Clone)]
struct Row {
    id: IdKind,
    name: Gen,
    sector: Gen,
    founded: Gen,
    size: Gen,
}

#[derive(Debug, Clone)]
enum IdKind {
    Fresh,
    Duplicate(usize),
    Empty,
    TooLong,
}

fn row() -> impl Strategy<Value = Row> {
    let id = prop_oneof![
        8 => Just(IdKind::Fresh),
        1 => (0usize..50).prop_map(IdKind::Duplicate),
        1 => Just(IdKind::Empty),
        1 => Just(IdKind::TooLong),
    ];
    let sector = prop_oneof![
        Just(good("retail")),
        Just(good("manufacturing")),
        Just(good("services, other")),
        Just(absent(false)),
    ];
    (id, name(), sector, founded(), size()).prop_map(|(id, name, sector, founded, size)| Row {
        id,
        name,
        sector,
        founded,
        size,
    })
}

/// The table as text cells (id, name, sector, founded, size, note) and the oracle's verdict:
/// how many rows the import must refuse. A row is bad when a cell is; a good row whose id a
/// good earlier row has is a duplicate (a bad row claims no id).
fn materialise(rows: &[Row]) -> (Vec<[Option<String>; 6]>, usize) {
    let mut out = Vec::new();
    let mut ids: Vec<String> = Vec::new();
    let mut taken = std::collections::HashSet::new();
    let mut refused = 0;
    for (i, r) in rows.iter().enumerate() {
        let (id, id_ok) = match &r.id {
            IdKind::Fresh => (Some(format!(" F{i} ")), true),
            IdKind::Duplicate(k) if !ids.is_empty() => (Some(ids[k % ids.len()].clone()), true),
            IdKind::Duplicate(_) => (Some(format!("F{i}")), true),
            IdKind::Empty => (None, false),
            IdKind::TooLong => (Some("Z".repeat(65)), false),
        };
        if let (IdKind::Fresh, Some(id)) = (&r.id, &id) {
            ids.push(id.clone());
        }
        let cells_ok = id_ok && r.name.ok && r.sector.ok && r.founded.ok && r.size.ok;
        let key = id.as_deref().map(str::trim).unwrap_or("").to_string();
        if !cells_ok || !taken.insert(key) {
            refused += 1;
        }
        out.push([
            id,
            r.name.text.clone(),
            r.sector.text.clone(),
            r.founded.text.clone(),
            r.size.text.clone(),
            Some(format!("note {i}")),
        ]);
    }
    (out, refused)
}

const HEADERS: [&str; 6] = ["id", "name", "sector", "founded", "size", "note"];

fn write_csv(path: &Path, order: &[usize], cells: &[[Option<String>; 6]]) {
    let mut w = csv::Writer::from_path(path).unwrap();
    w.write_record(order.iter().map(|&c| HEADERS[c])).unwrap();
    for r in cells {
        w.write_record(order.iter().map(|&c| r[c].clone().unwrap_or_default()))
            .unwrap();
    }
    w.flush().unwrap();
}

fn json_objects(order: &[usize], cells: &[[Option<String>; 6]]) -> Vec<serde_json::Value> {
    cells
        .iter()
        .map(|r| {
            let mut m = serde_json::Map::new();
            for &c in order {
                m.insert(
                    HEADERS[c].to_string(),
                    r[c].clone().map_or(serde_json::Value::Null, Into::into),
                );
            }
            serde_json::Value::Object(m)
        })
        .collect()
}

fn write_parquet(path: &Path, order: &[usize], cells: &[[Option<String>; 6]]) {
    let columns: Vec<Column> = order
        .iter()
        .map(|&c| {
            let v: Vec<Option<&str>> = cells.iter().map(|r| r[c].as_deref()).collect();
            Column::new(HEADERS[c].into(), v)
        })
        .collect();
    let mut df = DataFrame::new_infer_height(columns).unwrap();
    let f = std::fs::File::create(path).unwrap();
    ParquetWriter::new(f).finish(&mut df).unwrap();
}

/// Imports `path` as firms into a fresh store; checks the outcome against the oracle.
fn check(path: &Path, n: usize, refused: usize) -> Result<(), TestCaseError> {
    // The import ends (a hang guard, not a time limit: see `common::HANG_GUARD`).
    let owned = path.to_path_buf();
    let (store, result) =
        crate::common::within_hang_guard(&path.display().to_string(), move || {
            let mut store = Store::open_in_memory().unwrap();
            let result = import_file(&mut store, &owned, &ImportOptions::new(Kind::Firms));
            (store, result)
        });
    let written = store.count("firms").unwrap() as usize;
    match result {
        Ok(report) => {
            prop_assert_eq!(
                refused,
                0,
                "{}: imported though {} rows are bad",
                path.display(),
                refused
            );
            prop_assert_eq!(report.counts.rows_read, n);
            prop_assert_eq!(report.counts.rows_written, n);
            prop_assert_eq!(written, n);
        }
        Err(ImportError::Refused { report }) => {
            prop_assert_eq!(
                report.counts.rows_rejected,
                refused,
                "{}: {:?}",
                path.display(),
                report
                    .issues
                    .iter()
                    .map(|i| i.to_string())
                    .collect::<Vec<_>>()
            );
            prop_assert_eq!(report.counts.rows_read, n);
            prop_assert_eq!(written, 0, "a refused import wrote rows");
            for issue in report.errors() {
                let text = issue.to_string();
                prop_assert!(text.len() < 600, "a long message: {}", text);
                prop_assert!(text.contains(&format!("row {}", issue.row)), "{}", text);
            }
        }
        Err(other) => {
            return Err(TestCaseError::fail(format!("{}: {other}", path.display())));
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn every_format_imports_exactly_the_good_rows_or_refuses_exactly_the_bad(
        rows in prop::collection::vec(row(), 1..40),
        order in Just((0..6).collect::<Vec<usize>>()).prop_shuffle(),
    ) {
        let (cells, refused) = materialise(&rows);
        let n = cells.len();
        let dir = tempfile::tempdir().unwrap();

        let csv = dir.path().join("firms.csv");
        write_csv(&csv, &order, &cells);
        check(&csv, n, refused)?;

        let objects = json_objects(&order, &cells);
        let json = dir.path().join("firms.json");
        std::fs::write(&json, serde_json::to_string(&objects).unwrap()).unwrap();
        check(&json, n, refused)?;

        let ndjson = dir.path().join("firms.ndjson");
        let lines: Vec<String> = objects.iter().map(|o| o.to_string()).collect();
        std::fs::write(&ndjson, lines.join("\n") + "\n").unwrap();
        check(&ndjson, n, refused)?;

        let parquet = dir.path().join("firms.parquet");
        write_parquet(&parquet, &order, &cells);
        check(&parquet, n, refused)?;
    }
}
