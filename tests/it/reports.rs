//! The credit reports' figures (issue 13, item 3) against independent references on fixed
//! vectors: scikit-learn's `brier_score_loss`, SciPy's `ks_2samp` and `chi2.sf`, and the
//! Hosmer-Lemeshow statistic worked out with NumPy in bench/reference/reports_reference.py
//! (the same vectors; its printed figures are the ones written here).

use precre::model::reports::{bands, calibration, chi_square_sf, gains, ks_statistic};

const P: [f64; 20] = [
    0.02, 0.05, 0.08, 0.10, 0.12, 0.15, 0.18, 0.20, 0.25, 0.30, 0.35, 0.40, 0.45, 0.50, 0.55, 0.60,
    0.70, 0.80, 0.85, 0.95,
];
const Y: [u8; 20] = [0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 1, 0, 1, 0, 1, 1, 0, 1, 1];

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * b.abs().max(1e-300) || (a - b).abs() <= 1e-15
}

/// 1,000 scores and outcomes from a linear congruential generator, as the reference script
/// makes them: p = 0.02 + 0.9 u², bad when the next uniform falls below p.
fn generated() -> (Vec<bool>, Vec<f64>) {
    let mut x: u64 = 12_345;
    let mut next = || {
        x = (1_664_525 * x + 1_013_904_223) % (1 << 32);
        x as f64 / 4_294_967_296.0
    };
    let (mut bad, mut p) = (Vec::new(), Vec::new());
    for _ in 0..1000 {
        let u = next();
        let pi = 0.02 + 0.9 * u * u;
        p.push(pi);
        bad.push(next() < pi);
    }
    (bad, p)
}

#[test]
fn small_sample_against_scikit_learn_and_scipy() {
    let bad: Vec<bool> = Y.iter().map(|&y| y == 1).collect();
    // sklearn.metrics.brier_score_loss(y, p) = 0.17968
    let cal = calibration(&bad, &P, 5);
    assert!(close(cal.brier, 0.17968, 1e-12), "{}", cal.brier);
    // Hosmer-Lemeshow over 5 groups of 4: H = 1.2159691462126652, p = chi2.sf(H, 3) = 0.749176854015823
    assert!(
        close(cal.hosmer_lemeshow, 1.215_969_146_212_665_2, 1e-12),
        "{}",
        cal.hosmer_lemeshow
    );
    assert_eq!(cal.degrees_of_freedom, 3);
    assert!(
        close(cal.p_value, 0.749_176_854_015_823, 1e-9),
        "{}",
        cal.p_value
    );
    // scipy.stats.ks_2samp(p[y == 1], p[y == 0]).statistic = 0.5416666666666666
    assert!(close(
        ks_statistic(&bad, &P),
        0.541_666_666_666_666_6,
        1e-12
    ));
    // The gains table by hand: 5 groups of 4, riskiest first: 0.95 0.85 0.80 0.70 hold 3 bads.
    let g = gains(&bad, &P, 5);
    assert_eq!(g.rows.len(), 5);
    assert_eq!((g.rows[0].count, g.rows[0].bads), (4, 3));
    assert!(close(g.rows[0].bad_rate, 0.75, 1e-15));
    assert!(close(g.bad_rate, 0.4, 1e-15));
    assert!(close(g.rows[0].lift, 1.875, 1e-12));
    assert!(close(g.rows[0].cum_bad_share, 3.0 / 8.0, 1e-15));
    assert!(close(g.rows[0].cum_good_share, 1.0 / 12.0, 1e-15));
    assert!(close(g.rows[0].ks, 3.0 / 8.0 - 1.0 / 12.0, 1e-15));
    assert_eq!((g.rows[0].min_p, g.rows[0].max_p), (0.70, 0.95));
    let last = g.rows.last().unwrap();
    assert!(close(last.cum_bad_share, 1.0, 1e-15) && close(last.cum_good_share, 1.0, 1e-15));
    // The KS over every threshold is at least the KS at the group edges.
    assert!(g.rows.iter().all(|r| r.ks <= g.ks + 1e-15));
    // Bands: [0, 0.1) holds 3 rows (0.02 0.05 0.08) and no bad; [0.5, 1] 7 rows, 5 bads.
    let b = bands(&bad, &P, &[0.1, 0.5]);
    assert_eq!((b[0].count, b[0].bads), (3, 0));
    assert_eq!((b[1].count, b[1].bads), (10, 3));
    assert_eq!((b[2].count, b[2].bads), (7, 5));
    assert!(close(b[2].share, 0.35, 1e-15));
}

#[test]
fn a_thousand_scores_against_scikit_learn_and_scipy() {
    let (bad, p) = generated();
    assert_eq!(bad.iter().filter(|&&b| b).count(), 321);
    let cal = calibration(&bad, &p, 10);
    // brier_score_loss = 0.14721560813141218
    assert!(
        close(cal.brier, 0.147_215_608_131_412_18, 1e-12),
        "{}",
        cal.brier
    );
    // HL over deciles: 4.078711751012643, chi2.sf(., 8) = 0.8499528571648515 (calibrated)
    assert!(
        close(cal.hosmer_lemeshow, 4.078_711_751_012_643, 1e-10),
        "{}",
        cal.hosmer_lemeshow
    );
    assert!(
        close(cal.p_value, 0.849_952_857_164_851_5, 1e-9),
        "{}",
        cal.p_value
    );
    // ks_2samp statistic = 0.5439692786257966
    let g = gains(&bad, &p, 10);
    assert!(close(g.ks, 0.543_969_278_625_796_6, 1e-12), "{}", g.ks);
    assert!(g.rows.iter().all(|r| r.count == 100));
    // Sorted riskiest first, bad rates fall (nearly) and the first decile lifts the most.
    assert!(g.rows[0].lift > 2.0 && g.rows[9].lift < 0.3, "{:?}", g.rows);
    // The same scores shrunk by 0.6 are miscalibrated: HL 139.75069456707354,
    // chi2.sf(., 8) = 2.673734815002277e-26.
    let shrunk: Vec<f64> = p.iter().map(|x| x * 0.6).collect();
    let cal = calibration(&bad, &shrunk, 10);
    assert!(close(cal.hosmer_lemeshow, 139.750_694_567_073_54, 1e-10));
    assert!(
        close(cal.p_value, 2.673_734_815_002_277e-26, 1e-6),
        "{}",
        cal.p_value
    );
}

#[test]
fn chi_square_tail_against_scipy() {
    // scipy.stats.chi2.sf
    for (x, df, want) in [
        (3.0, 3.0, 0.391_625_176_271_087_7),
        (15.5, 8.0, 0.050_122_054_532_665_2),
        (0.5, 1.0, 0.479_500_122_186_953_37),
        (40.0, 8.0, 3.203_719_780_476_998e-6),
    ] {
        let got = chi_square_sf(x, df);
        assert!(
            close(got, want, 1e-9),
            "chi2.sf({x}, {df}) = {want}, got {got}"
        );
    }
    assert_eq!(chi_square_sf(0.0, 4.0), 1.0);
}
