//! The demo portfolio: regenerates byte for byte, loads through the import code, and is a
//! realistic portfolio (identities hold, 3 to 6 years a firm, three classes, a pending queue).

use precre::demo::{self, DemoConfig};
use precre::store::Store;
use std::collections::HashMap;

#[test]
fn generator_reproduces_the_committed_files_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    demo::generate_to_dir(&DemoConfig::default(), dir.path()).unwrap();
    for (name, _, embedded) in demo::FILES {
        let fresh = std::fs::read_to_string(dir.path().join(name)).unwrap();
        let committed = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("data")
                .join(name),
        )
        .unwrap();
        assert!(
            fresh == *embedded,
            "{name}: regenerated file differs from the embedded copy"
        );
        assert!(fresh == committed, "{name}: regenerated file differs from data/{name}; run `precre demo generate --out data`");
    }
}

#[test]
fn demo_loads_into_a_realistic_portfolio() {
    let mut store = Store::open_in_memory().unwrap();
    let reports = demo::load(&mut store, None, false).unwrap();
    assert!(reports.iter().all(|r| r.counts.rows_rejected == 0));
    let firms = store.list_firms(&Default::default()).unwrap();
    assert!(firms.len() >= 2000, "{} firms", firms.len());

    let mut years: HashMap<String, Vec<i32>> = HashMap::new();
    let mut classes: HashMap<String, usize> = HashMap::new();
    let mut sectors = std::collections::HashSet::new();
    for f in &firms {
        sectors.insert(f.sector.clone());
        *classes
            .entry(f.class.clone().unwrap_or_default())
            .or_default() += 1;
        let st = store.firm_statements(&f.id, None).unwrap();
        for (s, r) in &st {
            assert!(
                s.identity_gap().unwrap().abs() < 1e-9,
                "{} {}: assets = liabilities + equity",
                s.firm_id,
                s.fiscal_year
            );
            assert!(!r.flags.names().contains(&"identity_mismatch"));
        }
        years.insert(
            f.id.clone(),
            st.iter().map(|(s, _)| s.fiscal_year).collect(),
        );
    }
    assert!(
        years.values().all(|y| (2..=12).contains(&y.len())),
        "2 to 12 fiscal years a firm (a failing firm's statements stop the year before)"
    );
    assert!(
        years
            .values()
            .all(|y| y.windows(2).all(|w| w[1] == w[0] + 1)),
        "consecutive years"
    );
    assert!(sectors.len() >= 6);
    for c in ["bad", "satisfactory", "good"] {
        let share = classes.get(c).copied().unwrap_or(0) as f64 / firms.len() as f64;
        assert!(
            (0.08..0.75).contains(&share),
            "class {c} has a share of {share}"
        );
    }
    // Sectors differ in typical levels: retail turns its assets faster than transport.
    let median = |sector: &str, id: &str| {
        let (i, _) = precre::finance::catalogue::find(id).unwrap();
        precre::finance::peers::quartiles(
            store
                .sector_ratios(sector, None)
                .unwrap()
                .iter()
                .map(|r| r.values[i]),
        )
        .median
        .unwrap()
    };
    assert!(
        median("retail", "total_asset_turnover")
            > 1.5 * median("transport", "total_asset_turnover")
    );
    let pending = reports
        .iter()
        .find(|r| r.kind == precre::ingest::Kind::Applications)
        .unwrap();
    assert!(pending.counts.rows_written > 1000);
    let n_pending: i64 = store.pending_applications().unwrap();
    assert!(
        (24..=96).contains(&n_pending),
        "{n_pending} pending applications"
    );
}
