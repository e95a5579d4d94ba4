//! Monitoring the demo with its default model: the planted construction downturn (fiscal years
//! 2022-2024, data/README.md) is found in the inputs it moves and in the back-test, the inputs
//! it leaves alone are not flagged, and `precre monitor` and the Monitor pane show it in words.

use crate::common;
use precre::analysis::periods::PeriodLength;
use precre::analysis::stability::Band;
use precre::ops::monitor::{run, MonitorRequest, Monitoring, PeriodReport};
use precre::ops::Job;
use precre::store::Store;

fn demo_monitoring(by: PeriodLength) -> Monitoring {
    let mut store = Store::open_in_memory().unwrap();
    precre::ops::bootstrap::load_demo(&mut store, None, false, "demo", &Job::quiet()).unwrap();
    let req = MonitorRequest {
        by,
        ..MonitorRequest::default()
    };
    run(&store, &req, &Job::quiet()).unwrap()
}

fn period<'a>(m: &'a Monitoring, name: &str) -> &'a PeriodReport {
    m.periods.iter().find(|p| p.period == name).unwrap()
}

fn band_of(p: &PeriodReport, input: &str) -> Band {
    p.inputs.iter().find(|i| i.name == input).unwrap().band
}

/// The ratios the downturn moves: receivables (collected 2.5 times slower) and the operating
/// margin (eight points lower, so the gross margin and the profits' growth too) and what is made
/// of them.
const MOVED: &[&str] = &[
    "receivables_turnover",
    "gross_margin",
    "net_income_growth",
    "operating_profit_growth",
    "ocf_to_current_liabilities",
    "ocf_to_debt",
    "current_asset_turnover",
    "sales_profitability",
    "operating_roa",
    "cost_profit_ratio",
    "net_margin",
    "roa",
    "interest_cover",
    "ocf_to_revenue",
    "cash_recovery",
    "cash_ratio",
    "quick_ratio",
    "cash_to_assets",
    "working_capital_to_assets",
    "altman_z2",
];

/// Inputs the downturn does not touch: leverage, the growth of revenue and assets, the other
/// turnovers.
const UNTOUCHED: &[&str] = &[
    "debt_ratio",
    "financial_autonomy",
    "equity_to_debt",
    "debt_to_equity",
    "equity_multiplier",
    "fixed_assets_to_equity",
    "revenue_growth",
    "asset_growth",
    "capital_accumulation",
    "inventory_turnover",
    "fixed_asset_turnover",
    "total_asset_turnover",
];

#[test]
fn monitoring_finds_the_planted_downturn_and_not_elsewhere() {
    let m = demo_monitoring(PeriodLength::Year);
    assert_eq!(m.model_id, "e29a0fc0c5b56756");
    assert_eq!(m.training_rows, 1680);
    // Before the downturn no input needs action (2019-2022: over 150 applications a year).
    for year in ["2019", "2020", "2021", "2022"] {
        let p = period(&m, year);
        let acting: Vec<&str> = p
            .inputs
            .iter()
            .filter(|i| i.band == Band::Act)
            .map(|i| i.name.as_str())
            .collect();
        assert!(acting.is_empty(), "{year}: {acting:?}");
    }
    // In the downturn's years the inputs that need action are the ones it moves, the
    // receivables among them, and the leverage and growth inputs are not flagged.
    for year in ["2023", "2024"] {
        let p = period(&m, year);
        assert_eq!(band_of(p, "receivables_turnover"), Band::Act, "{year}");
        for i in p.inputs.iter().filter(|i| i.band == Band::Act) {
            assert!(
                MOVED.contains(&i.name.as_str()),
                "{year}: {} {}",
                i.name,
                i.index
            );
        }
        for name in UNTOUCHED {
            assert_ne!(band_of(p, name), Band::Act, "{year}: {name}");
        }
        assert!(
            MOVED.contains(&p.most_changed(1)[0].name.as_str()),
            "{year}"
        );
    }
    // The back-test: the years before hold, the downturn's first year does not (nor 2022,
    // whose applications' one-year windows reach into it).
    let bt = |y: &str| period(&m, y).backtest.as_ref().unwrap();
    for year in ["2019", "2020", "2021"] {
        assert!(!bt(year).fails(), "{year}: {:?}", bt(year));
    }
    assert!(bt("2023").fails(), "{:?}", bt("2023"));
    assert!(bt("2023").observed > bt("2023").mean_predicted);
    assert!(
        period(&m, "2024").backtest.is_none(),
        "the 2024 window is still open"
    );
}

#[test]
fn periods_by_quarter_split_the_years() {
    let by_year = demo_monitoring(PeriodLength::Year);
    let by_quarter = demo_monitoring(PeriodLength::Quarter);
    assert_eq!(by_year.applications, by_quarter.applications);
    let in_2023: usize = by_quarter
        .periods
        .iter()
        .filter(|p| p.period.starts_with("2023-Q"))
        .map(|p| p.applications)
        .sum();
    assert_eq!(in_2023, period(&by_year, "2023").applications);
}

#[test]
fn the_command_in_words_without_colour_and_in_json() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("m.db");
    common::precre_assert(&db).arg("demo").assert().success();
    let out = common::precre_assert(&db)
        .args(["monitor", "--by", "year", "--from", "2019-01-01"])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        !text.contains('\u{1b}'),
        "no colour codes without a terminal"
    );
    for word in [
        "X act",
        ". stable",
        "X fails",
        "receivables_turnover",
        "outcome window open",
    ] {
        assert!(text.contains(word), "{word} in\n{text}");
    }
    assert!(!text.contains("\n2018 "), "--from leaves 2018 out:\n{text}");
    let out = common::precre_assert(&db)
        .args(["monitor", "--by", "quarter", "--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["model_id"], "e29a0fc0c5b56756");
    assert!(v["periods"].as_array().unwrap().len() > 20);
    assert_eq!(
        v["rows"].as_array().unwrap().len() as u64,
        v["applications"].as_u64().unwrap()
    );
    // A date that is not one is a usage error (exit 2), said with what to give.
    let out = common::precre_assert(&db)
        .args(["monitor", "--from", "2023-13"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("YYYY-MM-DD"));
}

#[test]
fn the_monitor_pane_reads_without_colour() {
    use precre::tui::harness::{test_settings, Harness};
    let mut h = Harness::new(Store::open_in_memory().unwrap(), test_settings("analyst"));
    h.start();
    h.press("5");
    h.press("m");
    let m = h.app.model.monitoring.as_ref().expect("monitored");
    assert_eq!(m.model_id, "e29a0fc0c5b56756");
    for (w, ht) in [(80u16, 24u16), (120, 40)] {
        let screen = h.render(w, ht);
        assert!(
            screen.contains("Monitor: model e29a0fc0c5b56756"),
            "{screen}"
        );
        assert!(
            screen.contains("! watch") || screen.contains("X act"),
            "{screen}"
        );
    }
    // The cursor moves over the periods and the detail follows it.
    let last = h.app.model.monitor_cursor;
    h.press("up");
    assert_eq!(h.app.model.monitor_cursor, last - 1);
}

/// The 2023 figures recomputed from the same scored rows with NumPy / SciPy / scikit-learn:
/// ```python
/// import json, numpy as np
/// from scipy import stats
/// from sklearn.metrics import roc_auc_score
/// m = json.load(open('mon.json'))     # precre --db demo.db monitor --by year --format json
/// t = m['training_score']
/// rows = [r for r in m['rows'] if r['period'] == '2023']
/// p = np.array([r['p_bad'] for r in rows]); bad = np.array([r['bad'] for r in rows])
/// splits = np.array(t['splits']); tc = np.array(t['counts'][:len(splits) + 1])
/// pc = np.bincount(np.searchsorted(splits, p, side='right'), minlength=len(splits) + 1)
/// keep = (tc > 0) | (pc > 0)
/// e = np.maximum(tc / tc.sum(), 1e-4)[keep]; a = np.maximum(pc / pc.sum(), 1e-4)[keep]
/// psi = float(np.sum((a - e) * np.log(a / e)))      # 0.166301712362307
/// auc = roc_auc_score(bad, p)                       # 0.7227487291212781
/// cuts = [0, 0.05, 0.1, 0.2, 0.4, 1.0]
/// for lo, hi in zip(cuts, cuts[1:]):
///     inside = (p >= lo) & ((p < hi) | ((hi == 1.0) & (p <= hi)))
///     n = int(inside.sum()); d = int(bad[inside].sum())
///     if n == 0: continue
///     q = float(p[inside].mean())
///     print(lo, hi, n, d, q, stats.binomtest(d, n, q, alternative='greater').pvalue,
///           stats.beta.cdf(q, d + 0.5, n - d + 0.5))
/// ```
#[test]
fn the_2023_figures_match_numpy_and_scipy_on_the_same_rows() {
    let m = demo_monitoring(PeriodLength::Year);
    let p = period(&m, "2023");
    assert_eq!(p.applications, 421);
    assert!(
        (p.score.index - 0.166301712362307).abs() < 1e-12,
        "{}",
        p.score.index
    );
    let b = p.backtest.as_ref().unwrap();
    assert!((b.auc.unwrap() - 0.7227487291212781).abs() < 1e-12);
    // (from, count, bads, mean predicted, binomial p, Jeffreys p)
    let scipy = [
        (
            0.0,
            255,
            19,
            0.0063797646618733534,
            1.0233039043382653e-14,
            2.8297766021953315e-15,
        ),
        (
            0.05,
            119,
            37,
            0.09398676800787678,
            3.37058110535236e-11,
            1.5939383794466787e-11,
        ),
        (
            0.2,
            9,
            5,
            0.3939393939393939,
            0.2540297375504085,
            0.16045933571251184,
        ),
        (
            0.4,
            38,
            20,
            0.6879805897723031,
            0.9880411627517409,
            0.981873035971489,
        ),
    ];
    assert_eq!(b.bands.len(), scipy.len());
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * b.abs();
    for (band, (from, n, d, q, binom, jeff)) in b.bands.iter().zip(scipy) {
        assert_eq!((band.from, band.count, band.bads), (from, n, d));
        assert!(close(band.mean_predicted, q), "{band:?}");
        assert!(close(band.binomial_p, binom), "{band:?} vs {binom}");
        assert!(close(band.jeffreys_p, jeff), "{band:?} vs {jeff}");
    }
}
