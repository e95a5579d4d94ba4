//! The streamed import (issue 15, item 2): a file is read and checked a chunk of rows at a
//! time, staged, then published (see `imports_in_chunks`). Whatever the chunk size and the
//! order of the rows, the store ends the same as after a one-chunk import; a refusal anywhere
//! still writes nothing; a duplicate across chunks is found and names the first row's line.

use crate::common::{everything, firm_ids};
use precre::demo::{generate_to_dir, DemoConfig};
use precre::ingest::{import_file, ImportError, ImportOptions, Kind, ReadOptions};
use precre::store::Store;
use std::path::{Path, PathBuf};

fn portfolio(dir: &Path) -> PathBuf {
    let data = dir.join("data");
    let cfg = DemoConfig {
        firms: 120,
        ..DemoConfig::default()
    };
    generate_to_dir(&cfg, &data).unwrap();
    data
}

fn chunked(kind: Kind, rows: Option<usize>) -> ImportOptions {
    let mut o = ImportOptions::new(kind);
    o.read = ReadOptions {
        chunk_rows: rows,
        ..ReadOptions::default()
    };
    o
}

fn store_with_firms(db: &Path, data: &Path) -> Store {
    let mut store = Store::open(db).unwrap();
    import_file(
        &mut store,
        &data.join("firms.csv"),
        &chunked(Kind::Firms, Some(17)),
    )
    .unwrap();
    store
}

/// The statements file with its rows in a fixed scrambled order (later years before earlier
/// ones, a firm's rows far apart), split into two files at `split` rows.
fn scrambled(data: &Path, out: &Path, split: usize) -> (PathBuf, PathBuf, usize) {
    let text = std::fs::read_to_string(data.join("statements.csv")).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    let mut rows: Vec<&str> = lines.collect();
    let n = rows.len();
    // A fixed permutation: i -> i * 7919 mod n (7919 is prime and does not divide n here).
    assert_ne!(n % 7919, 0);
    let order: Vec<usize> = (0..n).map(|i| i * 7919 % n).collect();
    rows = order.iter().map(|&i| rows[i]).collect();
    let write = |name: &str, part: &[&str]| {
        let p = out.join(name);
        std::fs::write(&p, format!("{header}\n{}\n", part.join("\n"))).unwrap();
        p
    };
    (
        write("a.csv", &rows[..split]),
        write("b.csv", &rows[split..]),
        n,
    )
}

#[test]
fn any_chunk_size_and_row_order_gives_the_same_store() {
    let dir = tempfile::tempdir().unwrap();
    let data = portfolio(dir.path());
    let ids = firm_ids(&data);

    // The reference: the generator's own file (grouped by firm, years in order), one chunk.
    let mut whole = store_with_firms(&dir.path().join("whole.db"), &data);
    let report = import_file(
        &mut whole,
        &data.join("statements.csv"),
        &chunked(Kind::Statements, None),
    )
    .unwrap();
    let n = report.counts.rows_written;
    assert!(n > 500, "{n} statements");
    let reference = everything(&whole, &ids);
    assert_eq!(reference.len(), n);

    // Scrambled rows in chunks of 7: a firm's years arrive in any order, in different chunks.
    let (a, b, total) = scrambled(&data, dir.path(), n / 3);
    assert_eq!(total, n);
    let all = dir.path().join("all.csv");
    let mut text = std::fs::read_to_string(&a).unwrap();
    let rest = std::fs::read_to_string(&b).unwrap();
    text.push_str(rest.split_once('\n').unwrap().1);
    std::fs::write(&all, text).unwrap();
    let mut small = store_with_firms(&dir.path().join("small.db"), &data);
    let report = import_file(&mut small, &all, &chunked(Kind::Statements, Some(7))).unwrap();
    assert_eq!(report.counts.rows_written, n);
    assert_eq!(everything(&small, &ids), reference);

    // A third in one import, the rest in a second one (merging with stored years), chunks of 13.
    let mut two = store_with_firms(&dir.path().join("two.db"), &data);
    import_file(&mut two, &a, &chunked(Kind::Statements, Some(13))).unwrap();
    import_file(&mut two, &b, &chunked(Kind::Statements, Some(13))).unwrap();
    assert_eq!(everything(&two, &ids), reference);
}

#[test]
fn a_refusal_in_a_late_chunk_writes_nothing_and_names_both_rows() {
    let dir = tempfile::tempdir().unwrap();
    let data = portfolio(dir.path());
    let mut store = store_with_firms(&dir.path().join("t.db"), &data);
    let text = std::fs::read_to_string(data.join("statements.csv")).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    // Row 3 again as the last row (line n + 2), and a bad year in row 200: three chunks apart.
    let mut bad: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    let n = bad.len() - 1;
    let parts: Vec<&str> = lines[200].splitn(3, ',').collect();
    bad[200] = format!("{},19x0,{}", parts[0], parts[2]);
    bad.push(lines[3].to_string());
    let f = dir.path().join("bad.csv");
    std::fs::write(&f, bad.join("\n") + "\n").unwrap();

    let err = import_file(&mut store, &f, &chunked(Kind::Statements, Some(64))).unwrap_err();
    let ImportError::Refused { report } = err else {
        panic!("{err}")
    };
    let errors: Vec<String> = report.errors().map(|i| i.to_string()).collect();
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(
        errors[0].contains("row 200 (line 201)") && errors[0].contains("fiscal_year"),
        "{}",
        errors[0]
    );
    assert!(
        errors[1].contains(&format!("row {} (line {})", n + 1, n + 2))
            && errors[1].contains("duplicate key: row 3 (line 4) has the same"),
        "{}",
        errors[1]
    );
    assert_eq!(report.counts.rows_read, n + 1);
    assert_eq!(report.counts.rows_written, 0);
    assert_eq!(store.count("statements").unwrap(), 0);

    // Skipping bad rows writes all the others, across chunks.
    let mut skip = chunked(Kind::Statements, Some(64));
    skip.skip_bad = true;
    let report = import_file(&mut store, &f, &skip).unwrap();
    assert_eq!(report.counts.rows_written, n - 1);
    assert_eq!(report.counts.rows_rejected, 2);
    assert_eq!(store.count("statements").unwrap(), (n - 1) as i64);
}
