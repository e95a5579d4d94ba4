//! Field kits (issue 26): a kit is a store of its own that carries part of the book out; its
//! applications are leased on the server; bringing it back merges every decision once (with its
//! analyst and time), new and changed register rows by a three-way rule, keeps every conflict,
//! and a second merge changes nothing. A property test drives a server and three kits (one of
//! them copied) through random work on every side and random merges; scenario tests drive the
//! binary as an analyst would (leases refused, revoke, conflicts resolved, a kit edited outside
//! PRECRE, a merge killed at random moments, file modes).

use crate::common::{self, run};
use precre::decisions::merge::Side;
use precre::decisions::Verdict;
use precre::ops::decide::{decide, undo, DecideRequest};
use precre::ops::kits::{kit_in, kit_out, KitSelection};
use precre::ops::Job;
use precre::store::Store;
use proptest::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// A demo store, made once: each test works on a copy.
fn base() -> &'static Path {
    static BASE: OnceLock<PathBuf> = OnceLock::new();
    BASE.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap().keep();
        let path = dir.join("base.db");
        let mut store = Store::open(&path).unwrap();
        precre::ops::bootstrap::load_demo(&mut store, None, false, "demo", &Job::quiet()).unwrap();
        drop(store);
        path
    })
}

fn copy_store(from: &Path, to: &Path) {
    std::fs::copy(from, to).unwrap();
}

fn mode(p: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

/// Every decision of a store: (analyst, time, application, verdict, origin hash).
type Row = (String, String, String, String, Option<String>);

fn decision_rows(db: &Path) -> Vec<Row> {
    let c = rusqlite::Connection::open(db).unwrap();
    let mut st = c
        .prepare(
            "SELECT analyst, decided_at, application_id, decision, origin_hash FROM decisions ORDER BY id",
        )
        .unwrap();
    let rows = st
        .query_map([], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })
        .unwrap();
    rows.map(Result::unwrap).collect()
}

/// The kit's decisions with their chain hashes.
fn kit_decisions(kit: &Path) -> Vec<(String, String, String, String, String)> {
    let c = rusqlite::Connection::open(kit).unwrap();
    let mut st = c
        .prepare("SELECT analyst, decided_at, application_id, decision, chain_hash FROM decisions ORDER BY id")
        .unwrap();
    let rows = st
        .query_map([], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })
        .unwrap();
    rows.map(Result::unwrap).collect()
}

fn open_subjects(db: &Path) -> BTreeSet<String> {
    let c = rusqlite::Connection::open(db).unwrap();
    let mut st = c
        .prepare("SELECT subject FROM conflicts WHERE kind = 'decision'")
        .unwrap();
    let rows = st.query_map([], |r| r.get(0)).unwrap();
    rows.map(Result::unwrap).collect()
}

fn digest(db: &Path) -> u64 {
    Store::open(db).unwrap().content_digest().unwrap()
}

fn pending(db: &Path, n: usize) -> Vec<String> {
    let store = Store::open(db).unwrap();
    let mut ids: Vec<String> = store
        .pending_queue()
        .unwrap()
        .into_iter()
        .map(|a| a.id)
        .collect();
    ids.truncate(n);
    ids
}

/// One step of work somewhere.
#[derive(Debug, Clone)]
enum Act {
    /// Decide (approve, decline or refer) an application on a side (0 server, 1-3 kits, 4 the
    /// copy of kit 1).
    Decide {
        side: usize,
        app: usize,
        verdict: u8,
    },
    Undo {
        side: usize,
        app: usize,
    },
    /// Replace the decision in force (an override with its reason).
    Override {
        side: usize,
        app: usize,
    },
    Revoke {
        kit: usize,
    },
    /// A statement changed (revenue moved) on a side.
    Statement {
        side: usize,
        firm: usize,
        delta: u8,
    },
    /// A new firm with one statement, on a side.
    NewFirm {
        side: usize,
    },
    Merge {
        kit: usize,
    },
}

fn act() -> impl Strategy<Value = Act> {
    prop_oneof![
        4 => (0..5usize, 0..12usize, 0..3u8).prop_map(|(side, app, verdict)| Act::Decide { side, app, verdict }),
        1 => (0..5usize, 0..12usize).prop_map(|(side, app)| Act::Undo { side, app }),
        1 => (0..5usize, 0..12usize).prop_map(|(side, app)| Act::Override { side, app }),
        1 => (0..3usize).prop_map(|kit| Act::Revoke { kit }),
        1 => (0..5usize, 0..4usize, 1..9u8).prop_map(|(side, firm, delta)| Act::Statement { side, firm, delta }),
        1 => (0..5usize).prop_map(|side| Act::NewFirm { side }),
        2 => (0..4usize).prop_map(|kit| Act::Merge { kit }),
    ]
}

struct World {
    dir: PathBuf,
    server: PathBuf,
    /// Kit files by side (1-3 the kits, 4 a copy of kit 1); `None` before kit 3 is taken out.
    kits: BTreeMap<usize, PathBuf>,
    apps: Vec<String>,
    new_firms: usize,
    /// Every decision made anywhere: where, when, and when it reached the server.
    log: Vec<Made>,
}

struct Made {
    app: String,
    place: usize,
    made: usize,
    merged: Option<usize>,
}

impl World {
    fn store(&self, side: usize) -> Option<Store> {
        let path = if side == 0 {
            Some(&self.server)
        } else {
            self.kits.get(&side)
        };
        path.map(|p| Store::open(p).unwrap())
    }

    fn take_out(&mut self, side: usize, apps: &[String]) {
        let path = self.dir.join(format!("kit{side}.db"));
        let mut server = Store::open(&self.server).unwrap();
        let sel = KitSelection {
            applications: apps.to_vec(),
            ..Default::default()
        };
        kit_out(&mut server, &sel, &path, &format!("out{side}")).unwrap();
        assert_eq!(mode(&path), 0o600);
        self.kits.insert(side, path);
    }

    fn analyst(side: usize) -> String {
        ["srv", "k1", "k2", "k3", "k1copy"][side].to_string()
    }

    fn made(&mut self, app: String, side: usize, step: usize) {
        self.log.push(Made {
            app,
            place: side,
            made: step,
            merged: (side == 0).then_some(step),
        });
    }

    fn decide_on(&mut self, side: usize, app: usize, verdict: Verdict, replace: bool, step: usize) {
        let Some(mut store) = self.store(side) else {
            return;
        };
        let id = self.apps[app % self.apps.len()].clone();
        let done = decide(
            &mut store,
            DecideRequest {
                application_id: id.clone(),
                verdict,
                analyst: World::analyst(side),
                note: Some("property test".into()),
                reasons: vec!["weak cover".into()],
                override_reason: Some("checked by hand".into()),
                replace,
                referred_to: None,
            },
        );
        if done.is_ok() {
            self.made(id, side, step);
        }
    }

    /// Applications decided in two places that did not see each other (neither decision had
    /// reached the server when the other was made), both on the server now.
    fn decided_in_two_places(&self) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        for a in &self.log {
            for b in &self.log {
                let (Some(am), Some(bm)) = (a.merged, b.merged) else {
                    continue;
                };
                if a.app == b.app && a.place != b.place && a.made < bm && b.made < am {
                    out.insert(a.app.clone());
                }
            }
        }
        out
    }

    fn apply(&mut self, a: &Act, step: usize) {
        match a {
            Act::Decide { side, app, verdict } => {
                let verdict = match verdict {
                    0 => Verdict::Approve,
                    1 => Verdict::Decline,
                    _ => Verdict::Refer,
                };
                self.decide_on(*side, *app, verdict, false, step);
            }
            Act::Override { side, app } => {
                self.decide_on(*side, *app, Verdict::Approve, true, step)
            }
            Act::Undo { side, app } => {
                if let Some(mut store) = self.store(*side) {
                    let id = self.apps[*app % self.apps.len()].clone();
                    if undo(&mut store, &id, &World::analyst(*side)).is_ok() {
                        self.made(id, *side, step);
                    }
                }
            }
            Act::Revoke { kit } => {
                let mut server = Store::open(&self.server).unwrap();
                let id = match self.kits.get(&(kit + 1)) {
                    Some(p) => {
                        Store::open(p)
                            .unwrap()
                            .kit_origin()
                            .unwrap()
                            .unwrap()
                            .kit_id
                    }
                    None => return,
                };
                precre::ops::kits::revoke(&mut server, &id, "srv", "property test").unwrap();
            }
            Act::Statement { side, firm, delta } => {
                let Some(mut store) = self.store(*side) else {
                    return;
                };
                let app = store.application(&self.apps[*firm * 3 % self.apps.len()]);
                let Ok(app) = app else { return };
                let statements = store.firm_statements(&app.firm_id, None).unwrap();
                let Some((last, _)) = statements.last() else {
                    return;
                };
                let mut items = precre::ops::score::PostedItems::default();
                for (i, it) in precre::finance::ITEMS.iter().enumerate() {
                    if let Some(v) = last.values[i] {
                        let v = if it.id == "revenue" {
                            v + f64::from(*delta) * 1000.0
                        } else {
                            v
                        };
                        items.set(it.id, v);
                    }
                }
                let posted = precre::ops::score::PostedFirm {
                    id: Some(app.firm_id.clone()),
                    name: None,
                    sector: app.sector.clone(),
                    region: None,
                    size: None,
                    founded: None,
                    factors: Default::default(),
                    statements: vec![precre::ops::score::PostedStatement {
                        currency: None,
                        unit: None,
                        fiscal_year: last.fiscal_year,
                        items,
                    }],
                };
                precre::ops::score::store_firm(&mut store, &posted)
                    .unwrap_or_else(|e| panic!("{e}"));
            }
            Act::NewFirm { side } => {
                let Some(mut store) = self.store(*side) else {
                    return;
                };
                self.new_firms += 1;
                let items: precre::ops::score::PostedItems = [
                    ("total_assets", 1000.0),
                    ("fixed_assets", 400.0),
                    ("inventories", 150.0),
                    ("receivables", 200.0),
                    ("cash", 100.0),
                    ("long_term_borrowings", 300.0),
                    ("payables", 300.0),
                    ("equity", 400.0),
                    ("revenue", 900.0 + self.new_firms as f64),
                    ("cost_of_sales", 600.0),
                    ("operating_profit", 60.0),
                    ("net_income", 30.0),
                ]
                .into_iter()
                .collect();
                let posted = precre::ops::score::PostedFirm {
                    id: Some(format!("NEW-{side}-{}", self.new_firms)),
                    name: Some(format!("New firm {}", self.new_firms)),
                    sector: "retail".into(),
                    region: None,
                    size: None,
                    founded: None,
                    factors: Default::default(),
                    statements: vec![precre::ops::score::PostedStatement {
                        currency: None,
                        unit: None,
                        fiscal_year: 2024,
                        items,
                    }],
                };
                precre::ops::score::store_firm(&mut store, &posted)
                    .unwrap_or_else(|e| panic!("{e}"));
            }
            Act::Merge { kit } => {
                let Some(path) = self.kits.get(&(kit + 1)).cloned() else {
                    return;
                };
                merge_checked(&self.server, &path);
                for m in self
                    .log
                    .iter_mut()
                    .filter(|m| m.place == kit + 1 && m.merged.is_none())
                {
                    m.merged = Some(step);
                }
            }
        }
    }
}

/// Merges a kit, checks that everything it holds is on the server exactly once with its analyst
/// and time, then merges it again and checks that nothing changed.
fn merge_checked(server: &Path, kit: &Path) {
    {
        let mut store = Store::open(server).unwrap();
        kit_in(&mut store, kit, "merger", false).unwrap();
    }
    let on_server = decision_rows(server);
    for (analyst, at, app, verdict, hash) in kit_decisions(kit) {
        let found: Vec<&Row> = on_server
            .iter()
            .filter(|r| r.4.as_deref() == Some(hash.as_str()))
            .collect();
        assert_eq!(
            found.len(),
            1,
            "kit decision {analyst} {at} {app} on the server {} times",
            found.len()
        );
        assert_eq!(
            (&found[0].0, &found[0].1, &found[0].2, &found[0].3),
            (&analyst, &at, &app, &verdict)
        );
    }
    let before = digest(server);
    let mut store = Store::open(server).unwrap();
    let again = kit_in(&mut store, kit, "merger", false).unwrap();
    assert!(
        again.already_merged,
        "a second merge changed something: {again:?}"
    );
    drop(store);
    assert_eq!(digest(server), before, "a second merge changed a row");
    let store = Store::open(server).unwrap();
    assert_eq!(
        store.verify_chain().unwrap(),
        Ok(on_server.len()),
        "the server's chain"
    );
}

fn scenario(acts: Vec<Act>, order: Vec<usize>) {
    let dir = tempfile::tempdir().unwrap();
    let server = dir.path().join("server.db");
    copy_store(base(), &server);
    let apps = pending(&server, 12);
    let mut w = World {
        dir: dir.path().to_path_buf(),
        server,
        kits: BTreeMap::new(),
        apps: apps.clone(),
        new_firms: 0,
        log: Vec::new(),
    };
    w.take_out(1, &apps[0..4]);
    w.take_out(2, &apps[4..8]);
    // A copy of kit 1 (a laptop's file copied to a second one).
    let copy = dir.path().join("kit1-copy.db");
    copy_store(&w.kits[&1], &copy);
    w.kits.insert(4, copy);
    let half = acts.len() / 2;
    for (i, a) in acts.iter().enumerate() {
        if i == half {
            // Kit 3, later: whichever of the last four are still pending and free.
            let free: Vec<String> = {
                let s = Store::open(&w.server).unwrap();
                let holds = s.holds().unwrap();
                apps[8..12]
                    .iter()
                    .filter(|a| {
                        !holds.contains_key(*a) && s.application(a).unwrap().status == "pending"
                    })
                    .cloned()
                    .collect()
            };
            if !free.is_empty() {
                w.take_out(3, &free);
            }
        }
        w.apply(a, i + 1);
        let s = Store::open(&w.server).unwrap();
        assert!(s.verify_chain().unwrap().is_ok(), "the chain after {a:?}");
        drop(s);
        let two = w.decided_in_two_places();
        let conflicts = open_subjects(&w.server);
        for app in &two {
            assert!(
                conflicts.contains(app),
                "{app} was decided in two places but is no conflict (after {a:?})"
            );
        }
    }
    // The end: every kit merged, in two orders, into two copies of the server: the same result.
    let mut results = Vec::new();
    for perm in [
        order.clone(),
        order.iter().rev().cloned().collect::<Vec<_>>(),
    ] {
        let target = dir.path().join(format!("end-{}.db", results.len()));
        copy_store(&w.server, &target);
        for k in perm {
            if let Some(kit) = w.kits.get(&(k + 1)) {
                merge_checked(&target, kit);
            }
        }
        let mut rows = decision_rows(&target);
        rows.sort();
        let store = Store::open(&target).unwrap();
        let conflict_apps = open_subjects(&target);
        let statuses: Vec<(String, String)> = apps
            .iter()
            .filter(|a| !conflict_apps.contains(*a))
            .map(|a| (a.clone(), store.application(a).unwrap().status))
            .collect();
        let firms = store.count("firms").unwrap();
        results.push((rows, statuses, conflict_apps, firms));
    }
    assert_eq!(
        results[0].0, results[1].0,
        "the decisions depend on the order of merges"
    );
    assert_eq!(
        results[0].1, results[1].1,
        "the statuses depend on the order of merges"
    );
    assert_eq!(
        results[0].2, results[1].2,
        "the conflicts depend on the order of merges"
    );
    assert_eq!(results[0].3, results[1].3);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 6, max_shrink_iters: 20, .. ProptestConfig::default() })]
    #[test]
    fn merges_lose_nothing_double_nothing_and_hide_no_conflict(
        acts in proptest::collection::vec(act(), 6..22),
        order in Just(vec![0usize, 1, 2, 3]).prop_shuffle(),
    ) {
        scenario(acts, order);
    }
}

#[test]
fn a_kit_goes_out_leased_comes_back_once_and_says_so_the_second_time() {
    let dir = tempfile::tempdir().unwrap();
    let server = dir.path().join("server.db");
    copy_store(base(), &server);
    let apps = pending(&server, 3);
    let kit = dir.path().join("lee.kit");
    let mut args = vec![
        "--analyst",
        "lee",
        "kit",
        "out",
        "--out",
        kit.to_str().unwrap(),
    ];
    args.extend(apps.iter().map(String::as_str));
    let (code, out, err) = run(&server, &args);
    assert_eq!(code, Some(0), "{out}{err}");
    assert_eq!(mode(&kit), 0o600);
    assert!(out.contains("3 applications"), "{out}");
    // The server shows the lease and refuses a decision on it.
    let (_, q, _) = run(&server, &["queue", "--format", "json"]);
    assert!(q.contains("out with kit") && q.contains("lee"), "{q}");
    let (code, _, err) = run(
        &server,
        &["--analyst", "kim", "decide", &apps[0], "--refer"],
    );
    assert_ne!(code, Some(0));
    assert!(
        err.contains("out with kit") && err.contains("kit revoke"),
        "{err}"
    );
    // A second kit over the same applications is refused, naming them.
    let other = dir.path().join("other.kit");
    let (code, _, err) = run(
        &server,
        &["kit", "out", "--out", other.to_str().unwrap(), &apps[0]],
    );
    assert_ne!(code, Some(0));
    assert!(
        err.contains(&apps[0]) && err.contains("already out"),
        "{err}"
    );
    assert!(!other.exists());
    // The kit opens as a store: decide there.
    let (code, out, err) = run(
        &kit,
        &[
            "--analyst",
            "lee",
            "decide",
            &apps[0],
            "--refer",
            "--note",
            "site visit",
        ],
    );
    assert_eq!(code, Some(0), "{out}{err}");
    let (_, kit_info, _) = run(&kit, &["queue", "--format", "json"]);
    assert!(kit_info.contains(&apps[1]));
    // Back on the server: once, with lee's name and time; the second time nothing changes.
    let (code, out, err) = run(
        &server,
        &["--analyst", "kim", "kit", "in", kit.to_str().unwrap()],
    );
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(
        out.contains("1 decisions") && out.contains("3 leases released"),
        "{out}"
    );
    let before = digest(&server);
    let (code, out, _) = run(&server, &["kit", "in", kit.to_str().unwrap()]);
    assert_eq!(code, Some(0));
    assert!(out.contains("merged already"), "{out}");
    assert_eq!(digest(&server), before);
    let rows = decision_rows(&server);
    let lee: Vec<&Row> = rows.iter().filter(|r| r.0 == "lee").collect();
    assert_eq!(lee.len(), 1);
    assert_eq!(
        lee[0].1,
        kit_decisions(&kit)[0].1,
        "the decision keeps its time"
    );
    let (code, out, err) = run(&server, &["check"]);
    assert_eq!(code, Some(0), "{out}{err}");
    // Now free: the server decides the other two.
    let (code, _, err) = run(
        &server,
        &["--analyst", "kim", "decide", &apps[1], "--refer"],
    );
    assert_eq!(code, Some(0), "{err}");
    // A kit is never restored over a store.
    let (code, _, err) = run(&server, &["restore", kit.to_str().unwrap(), "--force"]);
    assert_ne!(code, Some(0));
    assert!(err.contains("kit"), "{err}");
}

#[test]
fn a_decision_on_both_sides_after_a_revoke_is_a_conflict_resolved_by_an_act() {
    let dir = tempfile::tempdir().unwrap();
    let server = dir.path().join("server.db");
    copy_store(base(), &server);
    let app = pending(&server, 1).remove(0);
    let kit = dir.path().join("k.kit");
    assert_eq!(
        run(
            &server,
            &[
                "--analyst",
                "lee",
                "kit",
                "out",
                "--out",
                kit.to_str().unwrap(),
                &app
            ]
        )
        .0,
        Some(0)
    );
    let id = Store::open(&kit)
        .unwrap()
        .kit_origin()
        .unwrap()
        .unwrap()
        .kit_id;
    let (code, _, err) = run(
        &server,
        &[
            "--analyst",
            "kim",
            "kit",
            "revoke",
            &id,
            "--reason",
            "urgent",
        ],
    );
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(
        run(
            &server,
            &[
                "--analyst",
                "kim",
                "decide",
                &app,
                "--decline",
                "--reason",
                "arrears",
                "--override-reason",
                "arrears"
            ]
        )
        .0,
        Some(0)
    );
    assert_eq!(
        run(&kit, &["--analyst", "lee", "decide", &app, "--refer"]).0,
        Some(0)
    );
    let (code, out, err) = run(&server, &["kit", "in", kit.to_str().unwrap()]);
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(out.contains("1 conflicts"), "{out}");
    // Both decisions are kept; the application is held, not decided by order of arrival.
    let rows = decision_rows(&server);
    assert!(rows.iter().any(|r| r.0 == "kim" && r.2 == app));
    assert!(rows.iter().any(|r| r.0 == "lee" && r.2 == app));
    let (_, list, _) = run(&server, &["conflicts", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&list).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 1, "{list}");
    let cid = v[0]["id"].as_i64().unwrap().to_string();
    let (code, _, err) = run(
        &server,
        &[
            "--analyst",
            "kim",
            "decide",
            &app,
            "--approve",
            "--replace",
            "--override-reason",
            "x",
        ],
    );
    assert_ne!(code, Some(0));
    assert!(err.contains("conflict"), "{err}");
    let (_, q, _) = run(&server, &["queue", "--format", "json"]);
    assert!(q.contains(&app) && q.contains("in conflict"), "{q}");
    // Resolved by an explicit act: the kit's referral stands, recorded with who and why.
    let (code, out, err) = run(
        &server,
        &[
            "--analyst",
            "boss",
            "conflicts",
            "resolve",
            &cid,
            "--keep",
            "server",
            "--reason",
            "arrears confirmed",
        ],
    );
    assert_eq!(code, Some(0), "{out}{err}");
    let store = Store::open(&server).unwrap();
    assert_eq!(store.application(&app).unwrap().status, "declined");
    let c = store.conflict(cid.parse().unwrap()).unwrap();
    assert_eq!(c.resolution, Some(Side::Server));
    assert_eq!(c.resolved_by.as_deref(), Some("boss"));
    assert!(store.verify_chain().unwrap().is_ok());
    let (code, _, err) = run(
        &server,
        &[
            "conflicts",
            "resolve",
            &cid,
            "--keep",
            "kit",
            "--reason",
            "again",
        ],
    );
    assert_ne!(code, Some(0));
    assert!(err.contains("resolved"), "{err}");
    assert_eq!(run(&server, &["check"]).0, Some(0));
}

#[test]
fn a_kit_edited_outside_precre_is_refused_naming_the_decision() {
    let dir = tempfile::tempdir().unwrap();
    let server = dir.path().join("server.db");
    copy_store(base(), &server);
    let apps = pending(&server, 2);
    let kit = dir.path().join("k.kit");
    assert_eq!(
        run(
            &server,
            &[
                "kit",
                "out",
                "--out",
                kit.to_str().unwrap(),
                &apps[0],
                &apps[1]
            ]
        )
        .0,
        Some(0)
    );
    assert_eq!(
        run(&kit, &["--analyst", "lee", "decide", &apps[0], "--refer"]).0,
        Some(0)
    );
    assert_eq!(
        run(&kit, &["--analyst", "lee", "decide", &apps[1], "--refer"]).0,
        Some(0)
    );
    {
        let c = rusqlite::Connection::open(&kit).unwrap();
        c.execute_batch(
            "DROP TRIGGER decisions_append_only_update;
             UPDATE decisions SET analyst = 'mallory' WHERE id = 1;",
        )
        .unwrap();
    }
    let before = digest(&server);
    let (code, _, err) = run(&server, &["kit", "in", kit.to_str().unwrap()]);
    assert_ne!(code, Some(0));
    assert!(
        err.contains("edited outside PRECRE") && err.contains("decision 1"),
        "{err}"
    );
    assert_eq!(digest(&server), before, "a refused merge wrote something");
}

#[test]
fn statements_and_firms_merge_by_three_way_rule() {
    let dir = tempfile::tempdir().unwrap();
    let server = dir.path().join("server.db");
    copy_store(base(), &server);
    let app = pending(&server, 1).remove(0);
    let kit = dir.path().join("k.kit");
    assert_eq!(
        run(
            &server,
            &["kit", "out", "--out", kit.to_str().unwrap(), &app]
        )
        .0,
        Some(0)
    );
    let firm = Store::open(&server)
        .unwrap()
        .application(&app)
        .unwrap()
        .firm_id;
    let year = {
        let s = Store::open(&server).unwrap();
        s.firm_statements(&firm, None)
            .unwrap()
            .last()
            .unwrap()
            .0
            .fiscal_year
    };
    // The same statement changed on both sides, differently; a new firm in the kit.
    let write = |db: &Path, name: &str, body: &str| {
        let f = dir.path().join(name);
        std::fs::write(&f, body).unwrap();
        let (code, out, err) = run(db, &["import", f.to_str().unwrap(), "--kind", "statements"]);
        assert_eq!(code, Some(0), "{out}{err}");
    };
    let header = "firm_id,fiscal_year,total_assets,fixed_assets,inventories,receivables,cash,\
                  total_liabilities,equity,revenue,cost_of_sales,operating_profit,net_income\n";
    write(
        &server,
        "s.csv",
        &format!("{header}{firm},{year},1000,400,150,200,100,500,500,800,500,60,20\n"),
    );
    write(
        &kit,
        "k.csv",
        &format!("{header}{firm},{year},1000,400,150,200,100,500,500,900,500,70,25\n"),
    );
    let firms = dir.path().join("f.csv");
    std::fs::write(&firms, "id,name,sector\nKIT-NEW-1,Site Visit Co,retail\n").unwrap();
    assert_eq!(
        run(
            &kit,
            &["import", firms.to_str().unwrap(), "--kind", "firms"]
        )
        .0,
        Some(0)
    );
    write(
        &kit,
        "n.csv",
        &format!("{header}KIT-NEW-1,2024,300,100,50,60,40,100,200,250,150,20,9\n"),
    );
    let (code, out, err) = run(&server, &["kit", "in", kit.to_str().unwrap()]);
    assert_eq!(code, Some(0), "{out}{err}");
    let store = Store::open(&server).unwrap();
    let (s, _) = store.firm_statements(&firm, Some(year)).unwrap().remove(0);
    assert_eq!(
        s.values[precre::finance::ITEMS
            .iter()
            .position(|i| i.id == "revenue")
            .unwrap()],
        Some(800.0),
        "the server's statement stands"
    );
    let open = store.conflicts(true).unwrap();
    assert!(
        open.iter().any(|c| c.subject == format!("{firm}:{year}")),
        "{open:?}"
    );
    assert_eq!(store.firm("KIT-NEW-1").unwrap().name, "Site Visit Co");
    let new = store.firm_statements("KIT-NEW-1", None).unwrap();
    assert_eq!(new.len(), 1);
    assert!(
        new[0].1.values.iter().any(Option::is_some),
        "the new statement's ratios are computed"
    );
    // The kit's version chosen: written, and its ratios computed again.
    let cid = open
        .iter()
        .find(|c| c.kind == precre::decisions::merge::ConflictKind::Statement)
        .unwrap()
        .id;
    drop(store);
    let (code, _, err) = run(
        &server,
        &[
            "conflicts",
            "resolve",
            &cid.to_string(),
            "--keep",
            "kit",
            "--reason",
            "audited figures",
        ],
    );
    assert_eq!(code, Some(0), "{err}");
    let store = Store::open(&server).unwrap();
    let (s, _) = store.firm_statements(&firm, Some(year)).unwrap().remove(0);
    assert_eq!(
        s.values[precre::finance::ITEMS
            .iter()
            .position(|i| i.id == "revenue")
            .unwrap()],
        Some(900.0)
    );
}

#[test]
fn a_merge_killed_at_any_moment_leaves_all_or_nothing_and_merges_again() {
    let dir = tempfile::tempdir().unwrap();
    let server = dir.path().join("server.db");
    copy_store(base(), &server);
    let apps = pending(&server, 10);
    let kit = dir.path().join("k.kit");
    let mut args = vec!["kit", "out", "--out", kit.to_str().unwrap()];
    args.extend(apps.iter().map(String::as_str));
    assert_eq!(run(&server, &args).0, Some(0));
    for a in &apps {
        assert_eq!(
            run(&kit, &["--analyst", "lee", "decide", a, "--refer"]).0,
            Some(0)
        );
    }
    let original = dir.path().join("server-before.db");
    copy_store(&server, &original);
    for delay_ms in [5u64, 20, 40, 80, 150, 300] {
        copy_store(&original, &server);
        let _ = std::fs::remove_file(format!("{}-wal", server.display()));
        let mut child = common::precre(&server)
            .args(["kit", "in", kit.to_str().unwrap()])
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let _ = child.kill();
        let _ = child.wait();
        let merged = decision_rows(&server)
            .iter()
            .filter(|r| r.0 == "lee")
            .count();
        assert!(
            merged == 0 || merged == apps.len(),
            "half a merge after a kill at {delay_ms} ms: {merged}"
        );
        assert!(Store::open(&server)
            .unwrap()
            .verify_chain()
            .unwrap()
            .is_ok());
        merge_checked(&server, &kit);
        assert_eq!(
            decision_rows(&server)
                .iter()
                .filter(|r| r.0 == "lee")
                .count(),
            apps.len()
        );
    }
}

/// The workbench's Triage screen as an analyst sees it at 80x24.
fn triage_screen(db: &Path) -> String {
    use precre::tui::harness::{test_settings, Harness};
    let store = Store::open(db).unwrap();
    let mut settings = test_settings("lee");
    settings.store_label = precre::tui::store_label(&store, db);
    let mut h = Harness::new(store, settings);
    h.start();
    h.press("6");
    h.render(80, 24)
}

#[test]
fn the_workbench_shows_a_kit_its_leases_and_a_conflict() {
    let dir = tempfile::tempdir().unwrap();
    let server = dir.path().join("server.db");
    copy_store(base(), &server);
    // The riskiest pending application (the first in Triage) goes out.
    let first = {
        let s = Store::open(&server).unwrap();
        precre::views::triage::load(&s).unwrap()[0]
            .application
            .id
            .clone()
    };
    let kit = dir.path().join("k.kit");
    assert_eq!(
        run(
            &server,
            &[
                "--analyst",
                "lee",
                "kit",
                "out",
                "--out",
                kit.to_str().unwrap(),
                &first
            ]
        )
        .0,
        Some(0)
    );
    let screen = triage_screen(&server);
    assert!(
        screen.contains("out with kit") && screen.contains("not decided here"),
        "{screen}"
    );
    // On the kit: the title bar says it is one, of which store.
    let on_kit = triage_screen(&kit);
    let origin = Store::open(&kit).unwrap().kit_origin().unwrap().unwrap();
    assert!(on_kit.lines().next().unwrap().contains("KIT"), "{on_kit}");
    assert!(on_kit.contains(&first), "{on_kit}");
    // Decided on both sides after a revoke: the conflict shows on the server's Triage.
    assert_eq!(
        run(
            &server,
            &[
                "--analyst",
                "kim",
                "kit",
                "revoke",
                &origin.kit_id,
                "--reason",
                "x"
            ]
        )
        .0,
        Some(0)
    );
    assert_eq!(
        run(&server, &["--analyst", "kim", "decide", &first, "--refer"]).0,
        Some(0)
    );
    assert_eq!(
        run(
            &kit,
            &[
                "--analyst",
                "lee",
                "decide",
                &first,
                "--refer",
                "--note",
                "both"
            ]
        )
        .0,
        Some(0)
    );
    assert_eq!(
        run(&server, &["kit", "in", kit.to_str().unwrap()]).0,
        Some(0)
    );
    let screen = triage_screen(&server);
    assert!(screen.contains("in conflict"), "{screen}");
}

#[test]
fn a_kit_takes_the_referrals_assigned_to_an_analyst_and_their_decisions_take_them_up() {
    let dir = tempfile::tempdir().unwrap();
    let server = dir.path().join("server.db");
    copy_store(base(), &server);
    let apps = pending(&server, 3);
    for (app, to) in [(&apps[0], "kim"), (&apps[1], "kim"), (&apps[2], "ann")] {
        let (code, _, err) = run(
            &server,
            &[
                "--analyst",
                "lee",
                "decide",
                app,
                "--refer",
                "--refer-to",
                to,
            ],
        );
        assert_eq!(code, Some(0), "{err}");
    }
    let kit = dir.path().join("kim.kit");
    let (code, out, err) = run(
        &server,
        &[
            "--analyst",
            "kim",
            "kit",
            "out",
            "--out",
            kit.to_str().unwrap(),
            "--assigned-to",
            "kim",
            "--format",
            "json",
        ],
    );
    assert_eq!(code, Some(0), "{out}{err}");
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    let mut taken: Vec<String> = report["origin"]["applications"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap().to_string())
        .collect();
    taken.sort();
    let mut kims = vec![apps[0].clone(), apps[1].clone()];
    kims.sort();
    assert_eq!(taken, kims, "only what was referred to kim goes out");
    assert!(
        report["origin"]["selection"]
            .as_str()
            .unwrap()
            .contains("referred to kim"),
        "{out}"
    );
    // Nothing is left referred to kim and free: a second kit finds nothing.
    let other = dir.path().join("again.kit");
    let (code, _, err) = run(
        &server,
        &[
            "kit",
            "out",
            "--out",
            other.to_str().unwrap(),
            "--assigned-to",
            "kim",
        ],
    );
    assert_ne!(code, Some(0));
    assert!(err.contains("referred to kim"), "{err}");
    assert!(!other.exists());
    // In the kit kim takes the referral up as on the server: no override needed.
    let (code, _, err) = run(&kit, &["--analyst", "kim", "decide", &apps[0], "--approve"]);
    assert_eq!(code, Some(0), "{err}");
    let (code, out, err) = run(&server, &["kit", "in", kit.to_str().unwrap()]);
    assert_eq!(code, Some(0), "{out}{err}");
    // On the server the approval supersedes lee's referral; the other stays referred to kim.
    let store = Store::open(&server).unwrap();
    let rows = store.decisions().unwrap();
    let referral = rows
        .iter()
        .find(|d| d.application_id == apps[0] && d.decision == "refer")
        .unwrap();
    let approval = rows
        .iter()
        .find(|d| d.application_id == apps[0] && d.decision == "approve")
        .unwrap();
    assert_eq!(approval.analyst, "kim");
    assert_eq!(approval.supersedes, Some(referral.id));
    assert_eq!(store.application(&apps[0]).unwrap().status, "approved");
    assert_eq!(store.application(&apps[1]).unwrap().status, "referred");
    assert!(store.check().unwrap().ok());
}
