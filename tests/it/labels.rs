//! Labelling policies on a store: the class counts of a closure label over a horizon equal a
//! direct SQL count of the same rule, censored windows are left out and counted, and a closure
//! or an outcome dated after a statement's window never changes its label (no look-ahead).
//! The demo's closures all fall in 2025, so the test first spreads them over 2020-2025.

use precre::analysis::dataset::{RatioSelection, YearRule};
use precre::analysis::labels::LabelPolicy;
use precre::ops::train::{rows, DataChoice};
use precre::ops::Job;
use precre::store::Store;
use std::collections::BTreeMap;

fn demo_with_spread_closures(dir: &std::path::Path) -> std::path::PathBuf {
    let path = dir.join("labels.db");
    let mut store = Store::open(&path).unwrap();
    precre::ops::bootstrap::load_demo(&mut store, None, false, "tester", &Job::quiet()).unwrap();
    drop(store);
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute(
        "UPDATE firms SET closed_on = (2020 + rowid % 6) || '-06-30' WHERE closed_on IS NOT NULL",
        [],
    )
    .unwrap();
    path
}

fn data(store: &Store, label: LabelPolicy) -> precre::analysis::Dataset {
    rows(
        store,
        &DataChoice::Ratios {
            selection: RatioSelection::default(),
            year_rule: YearRule::All,
            label,
        },
    )
    .unwrap()
}

fn counts(d: &precre::analysis::Dataset) -> BTreeMap<String, usize> {
    let mut m = BTreeMap::new();
    for l in d.labels.iter().flatten() {
        *m.entry(l.clone()).or_default() += 1;
    }
    m
}

#[test]
fn closure_label_counts_equal_a_direct_sql_count() {
    let dir = tempfile::tempdir().unwrap();
    let path = demo_with_spread_closures(dir.path());
    let conn = rusqlite::Connection::open(&path).unwrap();
    let store = Store::open(&path).unwrap();
    // The data's end: the latest closure or outcome date. (Read once: as a CTE joined to every
    // statement, SQLite computed it again for each of them, 40 s a horizon.)
    let data_end: String = conn
        .query_row(
            "SELECT max(d) FROM (SELECT closed_on AS d FROM firms UNION ALL SELECT as_of FROM outcomes)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    for h in [1, 2, 3] {
        // The rule in SQL: the window is (31 Dec of the fiscal year, 31 Dec H years later];
        // a statement is left out when the firm closed by its year end, or when its window
        // ends after the data's end.
        let sql = format!(
            "WITH w AS (SELECT s.fiscal_year || '-12-31' AS start,
                               (s.fiscal_year + {h}) || '-12-31' AS stop, f.closed_on AS c
                        FROM statements s JOIN firms f ON f.id = s.firm_id)
             SELECT
               sum(c IS NOT NULL AND c <= start),
               sum((c IS NULL OR c > start) AND stop > ?1),
               sum((c IS NOT NULL AND c > start) AND stop <= ?1 AND c <= stop),
               sum((c IS NULL OR c > stop) AND stop <= ?1)
             FROM w"
        );
        let n = |r: &rusqlite::Row, i: usize| r.get::<_, i64>(i).map(|v| v as usize);
        let (before, censored, bad, good) = conn
            .query_row(&sql, [&data_end], |r| {
                Ok((n(r, 0)?, n(r, 1)?, n(r, 2)?, n(r, 3)?))
            })
            .unwrap();
        let d = data(
            &store,
            LabelPolicy::Closure {
                years: h,
                three_classes: false,
            },
        );
        let c = counts(&d);
        assert_eq!(c.get("bad").copied().unwrap_or(0), bad, "H = {h}");
        assert_eq!(c.get("good").copied().unwrap_or(0), good, "H = {h}");
        let left: BTreeMap<&str, usize> = d
            .rows_left_out
            .iter()
            .map(|(why, n)| {
                (
                    if why.starts_with("censored") {
                        "censored"
                    } else {
                        "before"
                    },
                    *n,
                )
            })
            .collect();
        assert_eq!(
            left.get("censored").copied().unwrap_or(0),
            censored,
            "H = {h}"
        );
        assert_eq!(left.get("before").copied().unwrap_or(0), before, "H = {h}");
        assert!(
            bad > 0 && good > 0,
            "H = {h}: both classes present ({bad} bad, {good} good)"
        );
        eprintln!(
            "closure:{h}: {bad} bad, {good} good, {censored} censored, {before} closed before"
        );
    }
}

#[test]
fn nothing_dated_after_a_window_reaches_its_label() {
    let dir = tempfile::tempdir().unwrap();
    let path = demo_with_spread_closures(dir.path());
    let policy = LabelPolicy::Closure {
        years: 2,
        three_classes: false,
    };
    let before = {
        let store = Store::open(&path).unwrap();
        let d = data(&store, policy);
        d.ids.into_iter().zip(d.labels).collect::<BTreeMap<_, _>>()
    };
    // Facts dated after every window that was complete: every open firm closes in 2029 and
    // every firm defaults in 2030. The data's end moves, so more windows complete, but no label
    // of a window that was already complete may change.
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute(
        "UPDATE firms SET closed_on = '2029-06-30' WHERE closed_on IS NULL",
        [],
    )
    .unwrap();
    conn.execute(
        "INSERT INTO outcomes(firm_id, as_of, class, source, days_past_due)
         SELECT id, '2030-01-01', 'bad', 'test', 120 FROM firms",
        [],
    )
    .unwrap();
    let store = Store::open(&path).unwrap();
    let d = data(&store, policy);
    let after: BTreeMap<_, _> = d.ids.into_iter().zip(d.labels).collect();
    let mut compared = 0;
    for (id, label) in &before {
        if let Some(l) = after.get(id) {
            assert_eq!(l, label, "{id}");
            compared += 1;
        }
    }
    assert_eq!(
        compared,
        before.len(),
        "every row labelled before is still labelled"
    );
    assert!(
        after.len() > before.len(),
        "a later data end completes more windows"
    );
}

/// Out of time with a closure label: train on fiscal years up to 2021, test on 2022 and later;
/// the report states both parts' sizes, years and class mixes, and no statement of either part
/// has a window running past the data's end.
#[test]
fn out_of_time_parts_hold_only_complete_windows() {
    let dir = tempfile::tempdir().unwrap();
    let path = demo_with_spread_closures(dir.path());
    let conn = rusqlite::Connection::open(&path).unwrap();
    let data_end: String = conn
        .query_row(
            "SELECT max(d) FROM (SELECT closed_on AS d FROM firms UNION ALL SELECT as_of FROM outcomes)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_precre"))
        .args([
            "--db",
            path.to_str().unwrap(),
            "train",
            "--year-rule",
            "all",
            "--label",
            "closure:1",
        ])
        .args(["--test-from-year", "2022", "--format", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let parts = v["parts"].as_array().unwrap();
    assert_eq!(parts.len(), 2);
    let last_complete: i64 =
        data_end[..4].parse::<i64>().unwrap() - 1 - i64::from(&data_end[5..] != "12-31");
    for p in parts {
        let years = p["years"].as_array().unwrap();
        let (first, last) = (years[0].as_i64().unwrap(), years[1].as_i64().unwrap());
        // The window of fiscal year y ends 31 Dec of y + 1: complete only up to the data's end.
        assert!(last <= last_complete, "{p} runs past {data_end}");
        if p["name"] == "train" {
            assert!(last <= 2021, "{p}");
        } else {
            assert!(first >= 2022, "{p}");
        }
        let rows: u64 = p["classes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c[1].as_u64().unwrap())
            .sum();
        assert_eq!(rows, p["rows"].as_u64().unwrap(), "{p}");
    }
    assert_eq!(
        parts
            .iter()
            .map(|p| p["rows"].as_u64().unwrap())
            .sum::<u64>(),
        v["n_train"].as_u64().unwrap() + v["n_test"].as_u64().unwrap()
    );
    let censored = v["rows_left_out"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["why"].as_str().unwrap().starts_with("censored"));
    assert!(censored, "{v}");
}
