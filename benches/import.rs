//! Import speed (issue 6), printed as JSON lines in the shape of `bench/reference.py`: the
//! import of a statements file of about 1,000,000 rows into a fresh store (ratios included),
//! against bare floors measured in the same run: the rows as the store keeps them (items and
//! their 36 ratios, parsed and computed beforehand) inserted by one prepared statement in one
//! transaction into the same table of the same store, in the file's order and sorted by key;
//! and the file's columns alone into a plain table with a composite key (the floor).
//! Also the ratio computation alone.
//!
//! Also (issue 29, item 5): an analyst's decisions taken while a statements import runs in
//! another process (each decision's latency, and how many were refused as busy), and the peak
//! memory of importing the same statements from Parquet and from a JSON array.
//! `PRECRE_BENCH_DESK_ONLY=1` measures only these; `PRECRE_BENCH_IMPORT_ONLY=1` only the
//! import in its own process (for `bench/growth.sh`).
//!
//! `cargo bench --bench import` (226,000 firms, about 1,000,000 statements; the files are
//! generated into target/bench-data/import-N/ and kept); `PRECRE_BENCH_IMPORT_FIRMS=N` for
//! another size; `PRECRE_BENCH_REPEATS=R` (default 3, the best run counts).

use precre::demo::{generate_to_dir, DemoConfig};
use precre::finance::{compute_ratios, RatioRow, Statement, ITEMS};
use precre::ingest::{import_file, ImportOptions, Kind};
use precre::store::Store;
use std::path::{Path, PathBuf};
use std::time::Instant;

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn files(firms: usize) -> PathBuf {
    let dir =
        Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("target/bench-data/import-{firms}"));
    if !dir.join("statements.csv").exists() {
        let cfg = DemoConfig {
            firms,
            ..DemoConfig::default()
        };
        generate_to_dir(&cfg, &dir).expect("generate the portfolio");
    }
    dir
}

/// A fresh store in `dir` holding the firms of the portfolio.
fn store_with_firms(dir: &Path, data: &Path) -> (Store, PathBuf) {
    let db = dir.join("bench.db");
    let mut store = Store::open(&db).expect("store");
    import_file(
        &mut store,
        &data.join("firms.csv"),
        &ImportOptions::new(Kind::Firms),
    )
    .expect("firms");
    (store, db)
}

/// The statements file parsed into memory (outside any timing), as the floor starts from it.
fn read_statements(path: &Path) -> Vec<Statement> {
    let mut rdr = csv::Reader::from_path(path).expect("open statements");
    let headers = rdr.headers().expect("header").clone();
    let pos = |name: &str| headers.iter().position(|h| h == name);
    let (firm, year, cur) = (
        pos("firm_id").expect("firm_id"),
        pos("fiscal_year").expect("fiscal_year"),
        pos("currency"),
    );
    let items: Vec<Option<usize>> = ITEMS.iter().map(|i| pos(i.id)).collect();
    let mut out = Vec::new();
    for rec in rdr.records() {
        let rec = rec.expect("row");
        let mut s = Statement::empty(&rec[firm], rec[year].parse().expect("year"));
        if let Some(c) = cur {
            s.currency = rec[c].to_string();
        }
        for (v, p) in s.values.iter_mut().zip(&items) {
            *v = p.and_then(|p| rec[p].parse().ok());
        }
        out.push(s);
    }
    out
}

/// Ratios of every statement, each with the firm's previous year (the file is grouped by firm
/// and ordered by year, as the generator writes it).
fn all_ratios(statements: &[Statement]) -> Vec<RatioRow> {
    let mut prev: Option<&Statement> = None;
    statements
        .iter()
        .map(|s| {
            let r = compute_ratios(s, prev);
            prev = Some(s);
            r
        })
        .collect()
}

/// Inserts every row with one prepared statement in one transaction; the seconds it took.
fn insert_all<T>(
    conn: &mut rusqlite::Connection,
    cols: &[&str],
    rows: impl IntoIterator<Item = T>,
    mut bind: impl FnMut(&mut rusqlite::Statement, T),
) -> f64 {
    let sql = precre::store::records::insert_sql("statements", cols, None);
    let t = Instant::now();
    let tx = conn.transaction().expect("tx");
    {
        let mut stmt = tx.prepare(&sql).expect("prepare");
        for row in rows {
            bind(&mut stmt, row);
            stmt.raw_execute().expect("insert");
        }
    }
    tx.commit().expect("commit");
    t.elapsed().as_secs_f64()
}

/// Binds a statement's key, currency (and unit, as the store keeps it) and items as parameters
/// 1.. ; returns the next index.
fn bind_items(stmt: &mut rusqlite::Statement, s: &Statement, with_unit: bool) -> usize {
    stmt.raw_bind_parameter(1, &s.firm_id).expect("bind");
    stmt.raw_bind_parameter(2, s.fiscal_year).expect("bind");
    stmt.raw_bind_parameter(3, &s.currency).expect("bind");
    let mut p = 4;
    if with_unit {
        stmt.raw_bind_parameter(4, s.unit.as_str()).expect("bind");
        p = 5;
    }
    for (k, v) in s.values.iter().enumerate() {
        stmt.raw_bind_parameter(p + k, v).expect("bind");
    }
    p + s.values.len()
}

/// The floor: one prepared INSERT per row into the store's statements table, one transaction,
/// values bound straight from memory, in the file's order, with the connection settings the
/// import itself writes with.
fn floor_insert(db: &Path, statements: &[Statement], ratios: &[RatioRow], order: &[usize]) -> f64 {
    let mut conn = rusqlite::Connection::open(db).expect("open");
    // The connection settings of PRECRE's own import while it writes (Store::bulk_import_mode).
    conn.execute_batch(precre::store::BULK_IMPORT_SETTINGS)
        .expect("pragmas");
    insert_all(
        &mut conn,
        &precre::store::statements::columns(),
        order,
        |stmt, &i| {
            let (s, r) = (&statements[i], &ratios[i]);
            let mut p = bind_items(stmt, s, true);
            stmt.raw_bind_parameter(p, r.flags.0).expect("bind");
            p += 1;
            for v in &r.values {
                stmt.raw_bind_parameter(p, v).expect("bind");
                p += 1;
            }
        },
    )
}

/// The issue's own floor: the file's columns alone (no ratios) into a plain table with a
/// composite primary key in a fresh SQLite file, one prepared statement, one transaction.
fn floor_csv_columns(dir: &Path, statements: &[Statement]) -> f64 {
    let mut conn = rusqlite::Connection::open(dir.join("plain.db")).expect("open");
    conn.query_row("PRAGMA journal_mode=WAL", [], |_| Ok(()))
        .expect("wal");
    conn.execute_batch("PRAGMA synchronous=NORMAL;")
        .expect("pragmas");
    let mut cols = vec!["firm_id", "fiscal_year", "currency"];
    cols.extend(ITEMS.iter().map(|i| i.id));
    conn.execute_batch(&format!(
        "CREATE TABLE statements (firm_id TEXT NOT NULL, fiscal_year INTEGER NOT NULL, currency TEXT, {} REAL, PRIMARY KEY (firm_id, fiscal_year));",
        cols[3..].join(" REAL, ")
    ))
    .expect("table");
    insert_all(&mut conn, &cols, statements, |stmt, s| {
        bind_items(stmt, s, false);
    })
}

/// Imports the portfolio's firms and statements with the built `precre` binary, each in its own
/// process, as an analyst would: the statements import's seconds and its peak resident memory
/// (the largest child's `ru_maxrss`; the firms import before it is far smaller).
fn child_import(dir: &Path, data: &Path) -> (f64, f64) {
    let db = dir.join("child.db");
    let run = |kind: &str, file: &str| {
        let t = Instant::now();
        let status = std::process::Command::new(env!("CARGO_BIN_EXE_precre"))
            .arg("--db")
            .arg(&db)
            .args(["import", "--kind", kind])
            .arg(data.join(file))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .expect("run precre");
        assert!(status.success(), "precre import --kind {kind}");
        t.elapsed().as_secs_f64()
    };
    run("firms", "firms.csv");
    let secs = run("statements", "statements.csv");
    // SAFETY: getrusage writes into the zeroed struct it is given and nothing else.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) };
    (secs, usage.ru_maxrss as f64 / 1024.0)
}

/// Runs `cmd` to its end: its seconds, its own peak resident memory in MB (from `wait4`, not
/// the largest of all children so far), and whether it succeeded.
// The child is reaped by `wait4` below (which also gives its own usage), not by `Child::wait`.
#[allow(clippy::zombie_processes)]
fn run_measured(cmd: &mut std::process::Command) -> (f64, f64, bool) {
    let t = Instant::now();
    let child = cmd
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("run precre");
    let mut status = 0;
    // SAFETY: wait4 writes the child's status and usage into the zeroed values it is given.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::wait4(child.id() as libc::pid_t, &mut status, 0, &mut usage) };
    let ok = libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0;
    (
        t.elapsed().as_secs_f64(),
        usage.ru_maxrss as f64 / 1024.0,
        ok,
    )
}

fn precre_cmd(db: &Path) -> std::process::Command {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_precre"));
    c.arg("--db").arg(db);
    c
}

/// The statements written as one JSON array of records (outside any timing).
fn json_array_copy(csv: &Path, out: &Path) {
    use polars::prelude::*;
    let mut df = CsvReadOptions::default()
        .with_has_header(true)
        .try_into_reader_with_file_path(Some(csv.to_path_buf()))
        .expect("csv reader")
        .finish()
        .expect("read csv");
    let file = std::fs::File::create(out).expect("create json");
    JsonWriter::new(file)
        .with_json_format(JsonFormat::Json)
        .finish(&mut df)
        .expect("write json");
}

/// The statements written as Parquet (outside any timing).
fn parquet_copy(csv: &Path, out: &Path) {
    use polars::prelude::*;
    let mut df = CsvReadOptions::default()
        .with_has_header(true)
        .try_into_reader_with_file_path(Some(csv.to_path_buf()))
        .expect("csv reader")
        .finish()
        .expect("read csv");
    let file = std::fs::File::create(out).expect("create parquet");
    ParquetWriter::new(file)
        .finish(&mut df)
        .expect("write parquet");
}

/// Decisions taken while a statements import runs in another process: one decision (then its
/// undo) every 100 ms on an application of the portfolio, each timed from the call to its
/// commit. Prints the import's seconds, the decisions' median, 99th percentile and largest
/// latency, how many were saved within a second, and how many were refused as busy (the
/// store's busy timeout ran out); the import's own phase timings (`PRECRE_TIMINGS`) follow.
fn decisions_during_import(data: &Path, statements: &Path, n: usize) {
    use precre::decisions::Verdict;
    use precre::ops::decide::{decide, undo, DecideRequest};
    let tmp = tempfile::tempdir().expect("tempdir");
    let (store, db) = store_with_firms(tmp.path(), data);
    drop(store);
    let mut store = Store::open(&db).expect("store");
    import_file(
        &mut store,
        &data.join("applications.csv"),
        &ImportOptions::new(Kind::Applications),
    )
    .expect("applications");
    let app: String = store
        .pending_queue()
        .ok()
        .and_then(|q| q.first().map(|a| a.id.clone()))
        .expect("a pending application");
    let timings = tmp.path().join("timings.txt");
    let mut child = precre_cmd(&db)
        .args(["import", "--kind", "statements"])
        .arg(statements)
        .env("PRECRE_TIMINGS", "1")
        .stdout(std::process::Stdio::null())
        .stderr(std::fs::File::create(&timings).expect("timings file"))
        .spawn()
        .expect("run precre");
    let started = Instant::now();
    let (mut latencies, mut busy, mut decided) = (Vec::new(), 0usize, false);
    while child.try_wait().expect("wait").is_none() {
        std::thread::sleep(std::time::Duration::from_millis(100));
        let t = Instant::now();
        let result = if decided {
            undo(&mut store, &app, "bench").map(|_| ())
        } else {
            decide(
                &mut store,
                DecideRequest {
                    application_id: app.clone(),
                    verdict: Verdict::Refer,
                    analyst: "bench".into(),
                    note: Some("taken during an import".into()),
                    reasons: Vec::new(),
                    override_reason: None,
                    replace: false,
                    referred_to: None,
                },
            )
            .map(|_| ())
        };
        let ms = t.elapsed().as_secs_f64() * 1000.0;
        match result {
            Ok(()) => {
                decided = !decided;
                latencies.push(ms);
            }
            Err(_) => busy += 1,
        }
    }
    let import_secs = started.elapsed().as_secs_f64();
    latencies.sort_by(f64::total_cmp);
    let median = latencies
        .get(latencies.len() / 2)
        .copied()
        .unwrap_or(f64::NAN);
    let max = latencies.last().copied().unwrap_or(f64::NAN);
    let p99 = latencies
        .get((latencies.len() * 99 / 100).min(latencies.len().saturating_sub(1)))
        .copied()
        .unwrap_or(f64::NAN);
    let within_1s = latencies.iter().filter(|&&ms| ms < 1000.0).count();
    let ok = child.wait().map(|s| s.success()).unwrap_or(false);
    assert!(ok, "the statements import during the decisions failed");
    println!(
        "{{\"task\":\"decision during import\",\"tool\":\"precre\",\"rows\":{n},\"import_seconds\":{import_secs:.2},\"decisions\":{},\"within_1s\":{within_1s},\"median_ms\":{median:.1},\"p99_ms\":{p99:.1},\"max_ms\":{max:.1},\"refused_busy\":{busy}}}",
        latencies.len()
    );
    for line in std::fs::read_to_string(&timings)
        .unwrap_or_default()
        .lines()
    {
        if let Some(t) = line.strip_prefix("timing: ") {
            println!("{{\"task\":\"import phase\",\"tool\":\"precre\",\"phase\":\"{t}\"}}");
        }
    }
}

fn main() {
    let firms = env_usize("PRECRE_BENCH_IMPORT_FIRMS", 132_000);
    let repeats = env_usize("PRECRE_BENCH_REPEATS", 3);
    let data = files(firms);
    // First, while this process is small: a child's peak memory counts the pages it shares
    // with its parent at the fork, so measured later it would include the rows held below.
    let child_dir = tempfile::tempdir().expect("tempdir");
    let (child_secs, peak_mb) = child_import(child_dir.path(), &data);
    drop(child_dir);
    let statements_csv = data.join("statements.csv");
    if std::env::var_os("PRECRE_BENCH_IMPORT_ONLY").is_some() {
        let rows = std::fs::File::open(&statements_csv).map_or(0, |f| {
            std::io::BufRead::lines(std::io::BufReader::new(f))
                .count()
                .saturating_sub(1)
        });
        println!(
            "{{\"task\":\"import (process)\",\"tool\":\"precre\",\"rows\":{rows},\"seconds\":{child_secs},\"peak_rss_mb\":{peak_mb:.0}}}"
        );
        return;
    }
    // Item 5 of issue 29: the Parquet import's own peak memory, and the desk during an import.
    {
        let tmp = tempfile::tempdir().expect("tempdir");
        let parquet = tmp.path().join("statements.parquet");
        parquet_copy(&statements_csv, &parquet);
        let (store, db) = store_with_firms(tmp.path(), &data);
        drop(store);
        let (secs, peak, ok) = run_measured(
            precre_cmd(&db)
                .args(["import", "--kind", "statements"])
                .arg(&parquet),
        );
        assert!(ok, "precre import of the Parquet file");
        let rows = std::fs::read_to_string(&statements_csv)
            .map_or(0, |t| t.lines().count().saturating_sub(1));
        println!(
            "{{\"task\":\"import parquet (process)\",\"tool\":\"precre\",\"rows\":{rows},\"seconds\":{secs},\"peak_rss_mb\":{peak:.0}}}"
        );
        let json = tmp.path().join("statements.json");
        json_array_copy(&statements_csv, &json);
        let json_dir = tmp.path().join("json");
        std::fs::create_dir(&json_dir).expect("json dir");
        let (store, db) = store_with_firms(&json_dir, &data);
        drop(store);
        let (secs, peak, ok) = run_measured(
            precre_cmd(&db)
                .args(["import", "--kind", "statements"])
                .arg(&json),
        );
        assert!(ok, "precre import of the JSON array file");
        let mb = std::fs::metadata(&json).map_or(0, |m| m.len()) >> 20;
        println!(
            "{{\"task\":\"import json array (process)\",\"tool\":\"precre\",\"rows\":{rows},\"file_mb\":{mb},\"seconds\":{secs},\"peak_rss_mb\":{peak:.0}}}"
        );
        decisions_during_import(&data, &statements_csv, rows);
    }
    if std::env::var_os("PRECRE_BENCH_DESK_ONLY").is_some() {
        return;
    }
    let statements = read_statements(&statements_csv);
    let n = statements.len();

    let mut ratio_secs = f64::INFINITY;
    let mut ratios = Vec::new();
    for _ in 0..repeats {
        let t = Instant::now();
        ratios = all_ratios(&statements);
        ratio_secs = ratio_secs.min(t.elapsed().as_secs_f64());
    }
    println!("{{\"task\":\"ratios\",\"tool\":\"precre\",\"rows\":{n},\"seconds\":{ratio_secs}}}");

    // The floor in the file's order (as pandas writes), and sorted by the key (as PRECRE does).
    let file_order: Vec<usize> = (0..n).collect();
    let mut key_order = file_order.clone();
    key_order.sort_by(|&a, &b| {
        let (x, y) = (&statements[a], &statements[b]);
        (x.firm_id.as_str(), x.fiscal_year).cmp(&(y.firm_id.as_str(), y.fiscal_year))
    });
    let (mut ours, mut floor, mut floor_sorted) = (f64::INFINITY, f64::INFINITY, f64::INFINITY);
    let mut floor_plain = f64::INFINITY;
    for _ in 0..repeats {
        let tmp = tempfile::tempdir().expect("tempdir");
        let (mut store, _) = store_with_firms(tmp.path(), &data);
        let t = Instant::now();
        let report = import_file(
            &mut store,
            &statements_csv,
            &ImportOptions::new(Kind::Statements),
        )
        .expect("import statements");
        ours = ours.min(t.elapsed().as_secs_f64());
        assert_eq!(report.counts.rows_written, n, "every row imported");
        drop(store);

        for (order, best) in [(&file_order, &mut floor), (&key_order, &mut floor_sorted)] {
            let tmp = tempfile::tempdir().expect("tempdir");
            let (store, db) = store_with_firms(tmp.path(), &data);
            drop(store);
            *best = best.min(floor_insert(&db, &statements, &ratios, order));
        }
        let tmp = tempfile::tempdir().expect("tempdir");
        floor_plain = floor_plain.min(floor_csv_columns(tmp.path(), &statements));
    }
    println!("{{\"task\":\"import\",\"tool\":\"precre\",\"rows\":{n},\"seconds\":{ours}}}");
    println!(
        "{{\"task\":\"import (process)\",\"tool\":\"precre\",\"rows\":{n},\"seconds\":{child_secs},\"peak_rss_mb\":{peak_mb:.0}}}"
    );
    println!(
        "{{\"task\":\"import\",\"tool\":\"floor: prepared insert\",\"rows\":{n},\"seconds\":{floor}}}"
    );
    println!(
        "{{\"task\":\"import\",\"tool\":\"floor: file columns only\",\"rows\":{n},\"seconds\":{floor_plain}}}"
    );
    println!(
        "{{\"task\":\"import\",\"tool\":\"floor, sorted by key\",\"rows\":{n},\"seconds\":{floor_sorted}}}"
    );
}
