//! Imports that do not block the desk (issue 29, item 5): a register import is checked and
//! staged without the write lock, then published in short transactions. A decision from another
//! process gets in between two chunks; a publication stopped part-way is finished by the next
//! import or `precre check` and ends as an uninterrupted import would; a JSON array file
//! streams and imports the same as the NDJSON and CSV files of the same rows.

use crate::common::{self, everything, firm_ids};

use precre::demo::{generate_to_dir, DemoConfig};
use precre::ingest::publish::{finish_interrupted, ChunkHook};
use precre::ingest::{import_file, ImportOptions, Kind};
use precre::store::Store;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

fn portfolio(dir: &Path, firms: usize) -> PathBuf {
    let data = dir.join("data");
    let cfg = DemoConfig {
        firms,
        ..DemoConfig::default()
    };
    generate_to_dir(&cfg, &data).unwrap();
    data
}

fn in_chunks(kind: Kind, rows: usize) -> ImportOptions {
    let mut o = ImportOptions::new(kind);
    o.publish_rows = Some(rows);
    o
}

fn store_with_firms(db: &Path, data: &Path) -> Store {
    let mut store = Store::open(db).unwrap();
    import_file(
        &mut store,
        &data.join("firms.csv"),
        &ImportOptions::new(Kind::Firms),
    )
    .unwrap();
    store
}

/// Imports the statements of `data` into the store at `db`, published `rows` at a time, and
/// stops it (a panic, as abrupt as a kill for the store) once `chunks` chunks are committed.
fn stop_import_after(db: &Path, data: &Path, rows: usize, chunks: usize) {
    let mut store = store_with_firms(db, data);
    let mut opts = in_chunks(Kind::Statements, rows);
    opts.between_chunks = Some(ChunkHook(Arc::new(move |done| {
        assert!(done < chunks, "stopped after chunk {done}");
    })));
    let statements = data.join("statements.csv");
    let stopped = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        import_file(&mut store, &statements, &opts)
    }));
    assert!(stopped.is_err(), "the import was not stopped");
}

/// Staged files left beside a store.
fn staged_files(db: &Path) -> Vec<PathBuf> {
    let name = db.file_name().unwrap().to_string_lossy().into_owned();
    std::fs::read_dir(db.parent().unwrap())
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            let n = p.file_name().unwrap().to_string_lossy();
            n.starts_with(&format!("{name}.import-")) && n.ends_with(".staging")
        })
        .collect()
}

#[test]
fn a_decision_from_another_process_gets_in_between_two_chunks() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("desk.db");
    let (code, _, err) = common::run(&db, &["demo"]);
    assert_eq!(code, Some(0), "{err}");
    let data = portfolio(dir.path(), 300);
    let mut store = Store::open(&db).unwrap();
    let app = store.pending_queue().unwrap()[0].id.clone();
    let before = store.count("statements").unwrap();

    // After the second chunk's commit, an analyst decides in another process, and a reader
    // counts the statements in.
    let seen = Arc::new(Mutex::new(None));
    let mut opts = in_chunks(Kind::Statements, 200);
    opts.create_firms = true;
    let (hook_db, hook_seen, hook_app) = (db.clone(), seen.clone(), app.clone());
    opts.between_chunks = Some(ChunkHook(Arc::new(move |done| {
        if done != 2 {
            return;
        }
        let (code, _, err) = common::run(
            &hook_db,
            &["decide", &hook_app, "--refer", "--note", "during an import"],
        );
        let journals = Store::open(&hook_db).unwrap().import_journals().unwrap();
        let published = journals.first().map(|j| (j.rows_published, j.rows));
        *hook_seen.lock().unwrap() = Some((code, err, published));
    })));
    let report = import_file(&mut store, &data.join("statements.csv"), &opts).unwrap();
    let n = report.counts.rows_written as i64;
    assert!(n > 1_000, "{n} statements: too few for several chunks");

    let (code, err, published) = seen.lock().unwrap().take().expect("the hook ran");
    assert_eq!(code, Some(0), "the decision during the import: {err}");
    // Two chunks of at least 200 rows (a firm's rows kept together) were in, not the rest.
    let (published, rows) = published.expect("the import's journal, read from another process");
    assert_eq!(rows as i64, n);
    assert!(
        published >= 400 && (published as i64) < n,
        "{published} of {n} statements published after two chunks"
    );
    assert!(store.count("statements").unwrap() >= before);
    let decided = store.decisions().unwrap();
    assert!(
        decided.iter().any(|d| d.application_id == app),
        "the decision taken during the import is lost"
    );
    assert!(store.import_journals().unwrap().is_empty());
    assert!(staged_files(&db).is_empty(), "{:?}", staged_files(&db));
}

#[test]
fn a_publication_stopped_part_way_is_finished_and_ends_as_an_uninterrupted_import() {
    let dir = tempfile::tempdir().unwrap();
    let data = portfolio(dir.path(), 200);
    let ids = firm_ids(&data);
    let statements = data.join("statements.csv");

    let mut whole = store_with_firms(&dir.path().join("whole.db"), &data);
    import_file(
        &mut whole,
        &statements,
        &ImportOptions::new(Kind::Statements),
    )
    .unwrap();
    let reference = everything(&whole, &ids);
    assert!(reference.len() > 500, "{} statements", reference.len());

    // The import stops (a panic, as abrupt as a kill for the store) after its third chunk.
    let db = dir.path().join("stopped.db");
    stop_import_after(&db, &data, 100, 3);

    let mut store = Store::open(&db).unwrap();
    let journals = store.import_journals().unwrap();
    assert_eq!(journals.len(), 1, "{journals:?}");
    assert_eq!(journals[0].chunks_done, 3);
    let part = store.count("statements").unwrap() as usize;
    assert!(
        part > 0 && part < reference.len(),
        "{part} statements after 3 chunks"
    );
    assert_eq!(staged_files(&db).len(), 1);

    let resumed = finish_interrupted(&mut store).unwrap();
    assert_eq!(resumed.len(), 1);
    assert_eq!(resumed[0].published_before, part);
    assert!(!resumed[0].lost);
    assert_eq!(everything(&store, &ids), reference);
    assert!(store.import_journals().unwrap().is_empty());
    assert!(staged_files(&db).is_empty());
    // Finishing again finds nothing to do, and the import is logged once.
    assert!(finish_interrupted(&mut store).unwrap().is_empty());
    let imports = store.table_counts().unwrap();
    assert!(imports.contains(&("imports".to_string(), 2)), "{imports:?}");
}

#[test]
fn check_finishes_an_interrupted_import_and_removes_a_stale_staged_file() {
    let dir = tempfile::tempdir().unwrap();
    let data = portfolio(dir.path(), 120);
    let db = dir.path().join("s.db");
    stop_import_after(&db, &data, 50, 2);
    let statements = data.join("statements.csv");
    // A staged file of an import killed before it published anything.
    let stale = db.with_file_name("s.db.import-1-1.staging");
    std::fs::write(&stale, b"half").unwrap();

    let (code, out, err) = common::run(&db, &["check"]);
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(out.contains("finished an interrupted import of"), "{out}");
    assert!(staged_files(&db).is_empty(), "{:?}", staged_files(&db));
    let lines = std::fs::read_to_string(&statements)
        .unwrap()
        .lines()
        .count()
        - 1;
    let store = Store::open(&db).unwrap();
    assert_eq!(store.count("statements").unwrap() as usize, lines);
}

/// The statements CSV rewritten as NDJSON and as a pretty-printed JSON array, numbers as numbers.
fn as_json(csv: &Path, dir: &Path) -> (PathBuf, PathBuf) {
    let text = std::fs::read_to_string(csv).unwrap();
    let mut lines = text.lines();
    let headers: Vec<&str> = lines.next().unwrap().split(',').collect();
    let records: Vec<serde_json::Value> = lines
        .map(|l| {
            let mut rec = serde_json::Map::new();
            for (h, cell) in headers.iter().zip(l.split(',')) {
                let v = match cell.parse::<f64>() {
                    _ if cell.is_empty() => serde_json::Value::Null,
                    Ok(x) if *h != "firm_id" => serde_json::json!(x),
                    _ => serde_json::Value::String(cell.to_string()),
                };
                rec.insert(h.to_string(), v);
            }
            serde_json::Value::Object(rec)
        })
        .collect();
    let ndjson = dir.join("statements.ndjson");
    let lines: Vec<String> = records.iter().map(|r| r.to_string()).collect();
    std::fs::write(&ndjson, lines.join("\n") + "\n").unwrap();
    let array = dir.join("statements.json");
    std::fs::write(&array, serde_json::to_string_pretty(&records).unwrap()).unwrap();
    (ndjson, array)
}

#[test]
fn a_json_array_streams_and_imports_as_its_ndjson_and_csv() {
    let dir = tempfile::tempdir().unwrap();
    let data = portfolio(dir.path(), 150);
    let ids = firm_ids(&data);
    let csv = data.join("statements.csv");
    let (ndjson, array) = as_json(&csv, dir.path());
    let mut results = Vec::new();
    for (name, file) in [("csv", &csv), ("ndjson", &ndjson), ("json", &array)] {
        let mut store = store_with_firms(&dir.path().join(format!("{name}.db")), &data);
        let mut opts = ImportOptions::new(Kind::Statements);
        // Small read chunks: the array is read in many runs of elements.
        opts.read.chunk_rows = Some(97);
        let report = import_file(&mut store, file, &opts).unwrap();
        assert!(report.counts.rows_written > 500, "{name}");
        results.push((name, everything(&store, &ids)));
    }
    assert_eq!(results[1].1, results[0].1, "NDJSON differs from CSV");
    assert_eq!(
        results[2].1, results[0].1,
        "the JSON array differs from CSV"
    );
}

#[test]
fn any_command_finishes_an_interrupted_import_before_it_reads_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let data = portfolio(dir.path(), 120);
    let db = dir.path().join("s.db");
    stop_import_after(&db, &data, 50, 2);
    let statements = data.join("statements.csv");
    let half = Store::open(&db).unwrap().count("statements").unwrap() as usize;
    let lines = std::fs::read_to_string(&statements)
        .unwrap()
        .lines()
        .count()
        - 1;
    assert!(half > 0 && half < lines, "{half} of {lines} published");

    // A reading command: it rolls the import forward first and says so on standard error.
    let (code, out, err) = common::run(&db, &["firms", "--limit", "1"]);
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(err.contains("finished an interrupted import of"), "{err}");
    let store = Store::open(&db).unwrap();
    assert_eq!(store.count("statements").unwrap() as usize, lines);
    assert!(store.import_journals().unwrap().is_empty());
    drop(store);
    // Once finished, nothing more is said.
    let (code, out, err) = common::run(&db, &["firms", "--limit", "1"]);
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(!err.contains("interrupted"), "{err}");
}

/// The dashboard's ratio counts, taken once per firm of each chunk instead of at every
/// statement, are those the tables give: after a chunked import into a store without
/// statements, and after the same file again over it (every statement written anew).
#[test]
fn chunked_statement_imports_keep_the_dashboards_ratio_counts_right() {
    let dir = tempfile::tempdir().unwrap();
    let data = portfolio(dir.path(), 120);
    let db = dir.path().join("s.db");
    let mut store = store_with_firms(&db, &data);
    let statements = data.join("statements.csv");
    for round in 0..2 {
        import_file(&mut store, &statements, &in_chunks(Kind::Statements, 37)).unwrap();
        let conn = rusqlite::Connection::open(&db).unwrap();
        let wrong = precre::store::summaries::verify(&conn).unwrap();
        assert_eq!(wrong, vec![], "after import {round}");
        let counted: u64 = store
            .latest_ratio_counts()
            .unwrap()
            .counts
            .iter()
            .map(|ratios| ratios[0].len())
            .sum();
        let finite: i64 = conn
            .query_row(
                "SELECT count(*) FROM dash_latest_statement WHERE net_margin BETWEEN -1e300 AND 1e300",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert!(
            counted > 100 && counted as i64 == finite,
            "{counted} of {finite}"
        );
    }
}
