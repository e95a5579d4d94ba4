//! The dashboard's summaries (schemas 12 and 13): after any sequence of inserts, updates and deletes of
//! firms, statements, outcomes and predictions, what the dashboard reads from them equals what
//! the queries it ran before schema 12 give on the tables (written out here as the reference);
//! a store migrated from schema 11 gets them filled; `check` reports a wrong summary, and
//! `--rebuild-summaries`' rebuild puts it right.

use precre::store::summaries;
use precre::store::Store;
use proptest::prelude::*;
use rusqlite::Connection;
use std::path::Path;

type Counts = Vec<(String, i64)>;

/// The dashboard's figures as the queries before schema 12 computed them from the tables.
#[derive(Debug, PartialEq)]
struct Figures {
    by: Vec<Counts>,
    totals: (i64, i64),
    classes: Counts,
    closures: Vec<(i32, i64, i64)>,
    latest: Vec<(String, Vec<Option<f64>>)>,
    predicted: Vec<Counts>,
}

fn counts(conn: &Connection, sql: &str, param: Option<&str>) -> Counts {
    let mut stmt = conn.prepare(sql).unwrap();
    stmt.query_map(rusqlite::params_from_iter(param), |r| {
        Ok((r.get(0)?, r.get(1)?))
    })
    .unwrap()
    .collect::<rusqlite::Result<_>>()
    .unwrap()
}

fn reference(conn: &Connection) -> Figures {
    let by = ["sector", "region", "size", "status"]
        .iter()
        .map(|c| {
            counts(
                conn,
                &format!("SELECT coalesce({c}, '-') AS k, count(*) FROM firms GROUP BY k ORDER BY count(*) DESC, k"),
                None,
            )
        })
        .collect();
    let totals = conn
        .query_row(
            "SELECT (SELECT count(*) FROM firms), (SELECT count(*) FROM statements)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let classes = counts(
        conn,
        "SELECT c, n FROM (
           SELECT class AS c, count(*) AS n FROM
             (SELECT firm_id, max(as_of), class FROM outcomes GROUP BY firm_id) GROUP BY class
           UNION ALL
           SELECT 'unlabelled', count(*) FROM firms f
             WHERE NOT EXISTS (SELECT 1 FROM outcomes o WHERE o.firm_id = f.id))
         WHERE n > 0 ORDER BY n DESC, c",
        None,
    );
    let closed: Vec<(i32, i64)> = conn
        .prepare(
            "SELECT CAST(substr(closed_on, 1, 4) AS INTEGER) AS y, count(*) FROM firms
             WHERE closed_on IS NOT NULL AND status != 'active' GROUP BY y ORDER BY y",
        )
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    let closures = closed
        .into_iter()
        .map(|(year, n)| {
            let alive: i64 = conn
                .query_row(
                    "SELECT count(*) FROM firms WHERE (founded IS NULL OR substr(founded, 1, 4) < ?1)
                       AND (closed_on IS NULL OR substr(closed_on, 1, 4) >= ?1)",
                    [year.to_string()],
                    |r| r.get(0),
                )
                .unwrap();
            (year, n, alive)
        })
        .collect();
    let mut stmt = conn
        .prepare(
            "SELECT f.id, l.net_margin, l.total_asset_turnover, l.debt_ratio, f.sector FROM
               (SELECT firm_id, max(fiscal_year), net_margin, total_asset_turnover, debt_ratio
                FROM statements GROUP BY firm_id) l
             JOIN firms f ON f.id = l.firm_id ORDER BY f.id",
        )
        .unwrap();
    let latest = stmt
        .query_map([], |r| {
            Ok((
                format!("{}/{}", r.get::<_, String>(4)?, r.get::<_, String>(0)?),
                vec![r.get(1)?, r.get(2)?, r.get(3)?],
            ))
        })
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    let predicted = ["m0", "m1"]
        .iter()
        .map(|m| {
            counts(
                conn,
                "SELECT class, count(*) FROM predictions p
                 WHERE model_id = ?1 AND id = (SELECT max(id) FROM predictions q
                                               WHERE q.firm_id = p.firm_id AND q.model_id = ?1)
                 GROUP BY class ORDER BY count(*) DESC, class",
                Some(m),
            )
        })
        .collect();
    Figures {
        by,
        totals,
        classes,
        closures,
        latest,
        predicted,
    }
}

/// The same figures as the store reads them from its summaries.
fn from_summaries(store: &Store, conn: &Connection) -> Figures {
    let by = ["sector", "region", "size", "status"]
        .iter()
        .map(|c| store.firm_counts_by(c).unwrap())
        .collect();
    let closures = store
        .closure_rates()
        .unwrap()
        .into_iter()
        .map(|r| (r.year, r.closed, r.alive))
        .collect();
    // The values by sector come without firm ids: the rows of the summary table give them.
    let mut stmt = conn
        .prepare(
            "SELECT firm_id, net_margin, total_asset_turnover, debt_ratio, sector
             FROM dash_latest_statement ORDER BY firm_id",
        )
        .unwrap();
    let latest = stmt
        .query_map([], |r| {
            Ok((
                format!("{}/{}", r.get::<_, String>(4)?, r.get::<_, String>(0)?),
                vec![r.get(1)?, r.get(2)?, r.get(3)?],
            ))
        })
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    Figures {
        by,
        totals: store.firm_and_statement_totals().unwrap(),
        classes: store.class_mix().unwrap(),
        closures,
        latest,
        predicted: ["m0", "m1"]
            .iter()
            .map(|m| store.predicted_mix(m).unwrap())
            .collect(),
    }
}

/// The values by sector the dashboard reads (counted by rounded value), against those of the
/// reference's latest rows rounded to the same steps.
fn assert_values_by_sector(store: &Store, reference: &Figures) {
    use precre::analysis::counted_values::{bucket_of, bucket_value};
    use precre::store::ratio_counts::SCALES;
    let got = store.latest_ratio_counts().unwrap();
    let mut want: std::collections::BTreeMap<String, Vec<Vec<f64>>> = Default::default();
    for (key, values) in &reference.latest {
        let sector = key.split('/').next().unwrap().to_string();
        let entry = want.entry(sector).or_insert_with(|| vec![Vec::new(); 3]);
        for (k, v) in values.iter().enumerate() {
            let rounded = v
                .filter(|x| x.is_finite())
                .map(|x| bucket_value(bucket_of(x, SCALES[k]), SCALES[k]));
            entry[k].extend(rounded);
        }
    }
    // A sector whose firms have no finite value of any ratio has no counts.
    want.retain(|_, values| values.iter().any(|v| !v.is_empty()));
    for values in want.values_mut() {
        for v in values.iter_mut() {
            v.sort_by(f64::total_cmp);
        }
    }
    let mut got_map: std::collections::BTreeMap<String, Vec<Vec<f64>>> = Default::default();
    for (s, ratios) in got.sectors.into_iter().zip(got.counts) {
        let written_out = ratios
            .iter()
            .map(|c| {
                c.pairs()
                    .iter()
                    .flat_map(|&(v, n)| std::iter::repeat_n(v, n as usize))
                    .collect()
            })
            .collect();
        got_map.insert(s, written_out);
    }
    assert_eq!(got_map, want);
}

#[derive(Debug, Clone)]
enum Op {
    Firm {
        id: u8,
        sector: u8,
        region: Option<u8>,
        size: Option<u8>,
        status: u8,
        founded: Option<u16>,
        closed: Option<u16>,
    },
    DeleteFirm(u8),
    Statement {
        firm: u8,
        year: u16,
        ratios: [Option<i8>; 3],
    },
    DeleteStatement(u8, u16),
    MoveStatement(u8, u16, u16),
    Outcome {
        firm: u8,
        month: u8,
        class: u8,
    },
    DeleteOutcome(u8, u8),
    Prediction {
        model: u8,
        firm: u8,
        class: u8,
    },
    DeletePrediction(u8),
    Reclassify(u8, u8),
}

fn op() -> impl Strategy<Value = Op> {
    let firm = 0u8..12;
    prop_oneof![
        3 => (firm.clone(), 0u8..3, prop::option::of(0u8..3), prop::option::of(0u8..4), 0u8..4,
              prop::option::of(1998u16..2012), prop::option::of(2005u16..2014))
            .prop_map(|(id, sector, region, size, status, founded, closed)| Op::Firm {
                id, sector, region, size, status, founded, closed
            }),
        1 => firm.clone().prop_map(Op::DeleteFirm),
        4 => (firm.clone(), 2018u16..2023, [prop::option::of(-3i8..4), prop::option::of(-3i8..4),
              prop::option::of(-3i8..4)])
            .prop_map(|(firm, year, ratios)| Op::Statement { firm, year, ratios }),
        1 => (firm.clone(), 2018u16..2023).prop_map(|(f, y)| Op::DeleteStatement(f, y)),
        1 => (firm.clone(), 2018u16..2023, 2018u16..2024)
            .prop_map(|(f, y, to)| Op::MoveStatement(f, y, to)),
        2 => (firm.clone(), 1u8..6, 0u8..3)
            .prop_map(|(firm, month, class)| Op::Outcome { firm, month, class }),
        1 => (firm.clone(), 1u8..6).prop_map(|(f, m)| Op::DeleteOutcome(f, m)),
        2 => (0u8..2, firm, 0u8..3)
            .prop_map(|(model, firm, class)| Op::Prediction { model, firm, class }),
        1 => (0u8..20).prop_map(Op::DeletePrediction),
        1 => (0u8..20, 0u8..3).prop_map(|(k, c)| Op::Reclassify(k, c)),
    ]
}

const CLASSES: [&str; 3] = ["good", "watch", "bad"];

/// Applies one operation as the store's writers do (upserts, plain deletes with the foreign
/// keys' cascades). A write the schema refuses (a statement of no firm) changes nothing.
fn apply(conn: &Connection, op: &Op) {
    let pick = |k: u8| -> Option<i64> {
        conn.query_row(
            "SELECT id FROM predictions ORDER BY id LIMIT 1 OFFSET ?1 % max(1, (SELECT count(*) FROM predictions))",
            [k as i64],
            |r| r.get(0),
        )
        .ok()
    };
    let done = match op {
        Op::Firm {
            id,
            sector,
            region,
            size,
            status,
            founded,
            closed,
        } => conn.execute(
            "INSERT INTO firms(id, name, sector, region, size, status, founded, closed_on)
             VALUES (?1, ?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT(id) DO UPDATE SET sector = excluded.sector, region = excluded.region,
               size = excluded.size, status = excluded.status, founded = excluded.founded,
               closed_on = excluded.closed_on",
            rusqlite::params![
                format!("F{id}"),
                ["retail", "metal", "food"][*sector as usize],
                region.map(|r| ["north", "south", "east"][r as usize]),
                size.map(|s| ["micro", "small", "medium", "large"][s as usize]),
                ["active", "closed", "bankrupt", "defaulted"][*status as usize],
                founded.map(|y| format!("{y}-03-01")),
                closed.map(|y| format!("{y}-06-30")),
            ],
        ),
        Op::DeleteFirm(id) => conn.execute("DELETE FROM firms WHERE id = ?1", [format!("F{id}")]),
        Op::Statement {
            firm,
            year,
            ratios,
        } => conn.execute(
            "INSERT INTO statements(firm_id, fiscal_year, net_margin, total_asset_turnover, debt_ratio)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT(firm_id, fiscal_year) DO UPDATE SET net_margin = excluded.net_margin,
               total_asset_turnover = excluded.total_asset_turnover, debt_ratio = excluded.debt_ratio",
            rusqlite::params![
                format!("F{firm}"),
                year,
                ratios[0].map(|v| v as f64 / 4.0),
                ratios[1].map(|v| v as f64 / 4.0),
                ratios[2].map(|v| v as f64 / 4.0),
            ],
        ),
        Op::DeleteStatement(f, y) => conn.execute(
            "DELETE FROM statements WHERE firm_id = ?1 AND fiscal_year = ?2",
            rusqlite::params![format!("F{f}"), y],
        ),
        Op::MoveStatement(f, y, to) => conn.execute(
            "UPDATE OR IGNORE statements SET fiscal_year = ?3 WHERE firm_id = ?1 AND fiscal_year = ?2",
            rusqlite::params![format!("F{f}"), y, to],
        ),
        Op::Outcome { firm, month, class } => conn.execute(
            "INSERT INTO outcomes(firm_id, as_of, class, source) VALUES (?1, ?2, ?3, 'test')
             ON CONFLICT(firm_id, as_of) DO UPDATE SET class = excluded.class",
            rusqlite::params![
                format!("F{firm}"),
                format!("2024-0{month}-01"),
                CLASSES[*class as usize]
            ],
        ),
        Op::DeleteOutcome(f, m) => conn.execute(
            "DELETE FROM outcomes WHERE firm_id = ?1 AND as_of = ?2",
            rusqlite::params![format!("F{f}"), format!("2024-0{m}-01")],
        ),
        Op::Prediction { model, firm, class } => conn.execute(
            "INSERT INTO predictions(model_id, firm_id, class, probabilities) VALUES (?1, ?2, ?3, '[]')",
            rusqlite::params![format!("m{model}"), format!("F{firm}"), CLASSES[*class as usize]],
        ),
        Op::DeletePrediction(k) => match pick(*k) {
            Some(id) => conn.execute("DELETE FROM predictions WHERE id = ?1", [id]),
            None => Ok(0),
        },
        Op::Reclassify(k, c) => match pick(*k) {
            Some(id) => conn.execute(
                "UPDATE predictions SET class = ?2 WHERE id = ?1",
                rusqlite::params![id, CLASSES[*c as usize]],
            ),
            None => Ok(0),
        },
    };
    if let Err(e) = done {
        assert!(e.to_string().contains("FOREIGN KEY"), "{op:?} failed: {e}");
    }
}

/// A fresh store with two models to predict with, and a connection of its own to write with.
fn fresh(path: &Path) -> (Store, Connection) {
    let store = Store::open(path).unwrap();
    let conn = Connection::open(path).unwrap();
    conn.execute_batch(
        "PRAGMA foreign_keys = ON;
         INSERT INTO models(id, name, created_at, params, features, data_fingerprint, body)
           VALUES ('m0', 'm0', '2026', '{}', '[]', '', '{}'), ('m1', 'm1', '2026', '{}', '[]', '', '{}');",
    )
    .unwrap();
    (store, conn)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn the_summaries_equal_the_tables_after_any_writes(ops in prop::collection::vec(op(), 1..60)) {
        let dir = tempfile::tempdir().unwrap();
        let (store, conn) = fresh(&dir.path().join("s.db"));
        for op in &ops {
            apply(&conn, op);
        }
        let want = reference(&conn);
        prop_assert_eq!(from_summaries(&store, &conn), reference(&conn));
        assert_values_by_sector(&store, &want);
        prop_assert_eq!(summaries::verify(&conn).unwrap(), vec![]);
    }
}

#[test]
fn a_schema_11_store_gets_its_summaries_filled_by_the_migration() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    {
        let mut store = Store::open(&path).unwrap();
        precre::demo::load(&mut store, None, false).unwrap();
    }
    let conn = Connection::open(&path).unwrap();
    let want = reference(&conn);
    // Back to what schema 11 had: no summary tables, no triggers.
    let objects: Vec<(String, String)> = conn
        .prepare("SELECT type, name FROM sqlite_master WHERE name LIKE 'dash\\_%' ESCAPE '\\' AND type IN ('table', 'trigger')")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    assert!(objects.iter().any(|(t, _)| t == "trigger"));
    for (kind, name) in objects.iter().filter(|(t, _)| t == "trigger") {
        conn.execute_batch(&format!("DROP {kind} {name};")).unwrap();
    }
    for (kind, name) in objects.iter().filter(|(t, _)| t == "table") {
        conn.execute_batch(&format!("DROP {kind} {name};")).unwrap();
    }
    conn.execute_batch("PRAGMA user_version = 11;").unwrap();
    drop(conn);
    let store = Store::open(&path).unwrap();
    let conn = Connection::open(&path).unwrap();
    assert!(want.totals.0 > 0 && want.totals.1 > 0 && !want.latest.is_empty());
    assert_eq!(from_summaries(&store, &conn), want);
    assert_values_by_sector(&store, &want);
    assert!(store.check_contents().unwrap().ok());
}

#[test]
fn check_reports_a_wrong_summary_and_the_rebuild_puts_it_right() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let mut store = Store::open(&path).unwrap();
    precre::demo::load(&mut store, None, false).unwrap();
    assert!(store.check_contents().unwrap().ok());
    let conn = Connection::open(&path).unwrap();
    conn.execute_batch(
        "UPDATE dash_counts SET n = n + 5 WHERE dimension = 'sector'
           AND key = (SELECT min(key) FROM dash_counts WHERE dimension = 'sector');
         DELETE FROM dash_latest_statement WHERE firm_id = (SELECT min(firm_id) FROM dash_latest_statement);",
    )
    .unwrap();
    let report = store.check_contents().unwrap();
    let problems: Vec<&str> = report
        .findings
        .iter()
        .filter(|f| !f.ok)
        .map(|f| f.what.as_str())
        .collect();
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(problems[0].contains("\"firm, statement and class counts\""));
    assert!(report.summaries_wrong);
    assert!(problems[1].contains("\"latest statement of each firm\""));
    assert!(problems[1].contains("0 rows stored that the tables do not give, 1 rows missing"));
    store.rebuild_summaries().unwrap();
    assert!(store.check_contents().unwrap().ok());
    assert_eq!(from_summaries(&store, &conn), reference(&conn));
}

/// A deferral of the ratio counts left behind by an unfinished write (which would stop the
/// triggers counting) is reported by `check`, and the rebuild removes it.
#[test]
fn a_deferral_left_behind_is_reported_and_the_rebuild_removes_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let mut store = Store::open(&path).unwrap();
    precre::demo::load(&mut store, None, false).unwrap();
    let conn = Connection::open(&path).unwrap();
    conn.execute_batch("INSERT INTO dash_ratio_counts_deferred(one) VALUES (1);")
        .unwrap();
    let wrong: Vec<&str> = summaries::verify(&conn)
        .unwrap()
        .iter()
        .map(|m| m.summary)
        .collect();
    assert_eq!(
        wrong,
        ["ratio counting deferred (a row left by an unfinished write)"]
    );
    store.rebuild_summaries().unwrap();
    assert_eq!(summaries::verify(&conn).unwrap(), vec![]);
    let left: i64 = conn
        .query_row("SELECT count(*) FROM dash_ratio_counts_deferred", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(left, 0);
}
