//! Import speed (issue 6), printed as JSON lines in the shape of `bench/reference.py`: the
//! import of a statements file of about 1,000,000 rows into a fresh store (ratios included),
//! against the bare floor measured in the same run (the same rows, already parsed and with
//! their ratios already computed, inserted by one prepared statement in one transaction into the
//! same table of the same store), and the ratio computation alone.
//!
//! `cargo bench --bench import` (226,000 firms, about 1,000,000 statements; the files are
//! generated into target/bench-data/import-N/ and kept); `PRECRE_BENCH_IMPORT_FIRMS=N` for
//! another size; `PRECRE_BENCH_REPEATS=R` (default 3, the best run counts).

use precre::demo::{generate_to_dir, DemoConfig};
use precre::finance::{compute_ratios, RatioRow, Statement, ITEMS, RATIOS};
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

/// The floor: one prepared INSERT per row into the store's statements table, one transaction,
/// values bound straight from memory.
fn floor_insert(db: &Path, statements: &[Statement], ratios: &[RatioRow]) -> f64 {
    let mut conn = rusqlite::Connection::open(db).expect("open");
    conn.execute_batch("PRAGMA foreign_keys=ON; PRAGMA synchronous=FULL;")
        .expect("pragmas");
    let mut cols = vec!["firm_id", "fiscal_year", "currency"];
    cols.extend(ITEMS.iter().map(|i| i.id));
    cols.push("flags");
    cols.extend(RATIOS.iter().map(|r| r.id));
    let sql = format!(
        "INSERT INTO statements ({}) VALUES ({})",
        cols.join(","),
        vec!["?"; cols.len()].join(",")
    );
    let t = Instant::now();
    let tx = conn.transaction().expect("tx");
    {
        let mut stmt = tx.prepare(&sql).expect("prepare");
        for (s, r) in statements.iter().zip(ratios) {
            let mut p = 1;
            stmt.raw_bind_parameter(p, &s.firm_id).expect("bind");
            stmt.raw_bind_parameter(p + 1, s.fiscal_year).expect("bind");
            stmt.raw_bind_parameter(p + 2, &s.currency).expect("bind");
            p += 3;
            for v in &s.values {
                stmt.raw_bind_parameter(p, v).expect("bind");
                p += 1;
            }
            stmt.raw_bind_parameter(p, r.flags.0).expect("bind");
            p += 1;
            for v in &r.values {
                stmt.raw_bind_parameter(p, v).expect("bind");
                p += 1;
            }
            stmt.raw_execute().expect("insert");
        }
    }
    tx.commit().expect("commit");
    t.elapsed().as_secs_f64()
}

fn main() {
    let firms = env_usize("PRECRE_BENCH_IMPORT_FIRMS", 226_000);
    let repeats = env_usize("PRECRE_BENCH_REPEATS", 3);
    let data = files(firms);
    let statements_csv = data.join("statements.csv");
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

    let (mut ours, mut floor) = (f64::INFINITY, f64::INFINITY);
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

        let tmp = tempfile::tempdir().expect("tempdir");
        let (store, db) = store_with_firms(tmp.path(), &data);
        drop(store);
        floor = floor.min(floor_insert(&db, &statements, &ratios));
    }
    println!("{{\"task\":\"import\",\"tool\":\"precre\",\"rows\":{n},\"seconds\":{ours}}}");
    println!(
        "{{\"task\":\"import\",\"tool\":\"floor: prepared insert\",\"rows\":{n},\"seconds\":{floor}}}"
    );
}
