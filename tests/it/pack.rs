//! The analyst's desk read right (issue 28, items 3, 4, 6, 7) on the demo portfolio: the Firm
//! view flags negative equity and gives no rank to a value whose sign flips its meaning; the
//! model's reasons come in the bank's words with codes, a decline stores codes and texts as
//! lists; the committee memo is escaped HTML (rendered in headless Chromium where one is
//! installed) and never written over a file; the register has one row per application; every
//! table command fits 80 columns unless --wide.

use crate::common::precre;
use serde_json::Value;
use std::path::Path;

/// The demo's firm with negative equity (financial autonomy -17.6%), the queue's riskiest.
const FIRM: &str = "642-39-27889";
const APP: &str = "APP-000437-1";

fn run(db: &Path, args: &[&str], columns: &str) -> (i32, String, String) {
    let out = precre(db)
        .env("COLUMNS", columns)
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn ok(db: &Path, args: &[&str]) -> String {
    let (code, out, err) = run(db, args, "80");
    assert_eq!(code, 0, "{args:?}: {err}");
    out
}

fn widest(text: &str) -> usize {
    text.lines().map(|l| l.chars().count()).max().unwrap_or(0)
}

fn line<'a>(d: &'a Value, id: &str) -> &'a Value {
    d["families"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|f| f["lines"].as_array().unwrap())
        .find(|l| l["id"] == id)
        .unwrap()
}

#[test]
fn the_desk_reads_right_fits_80_columns_and_writes_the_committee_pack() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    ok(&db, &["demo"]);

    // 3. The Firm view: negative equity flagged, no rank for debt to equity, the median year.
    let d: Value = serde_json::from_str(&ok(&db, &["firm", FIRM, "--format", "json"])).unwrap();
    assert_eq!(d["flags"][0], "negative_equity", "{}", d["flags"]);
    let last_year = d["years"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(d["median_year"], last_year);
    let de = line(&d, "debt_to_equity");
    assert!(
        de["values"]
            .as_array()
            .unwrap()
            .last()
            .unwrap()
            .as_f64()
            .unwrap()
            < 0.0
    );
    assert_eq!(de["percentile"], Value::Null, "{de}");
    assert_eq!(de["standing"], Value::Null, "{de}");
    assert_eq!(de["flags"][0], "negative_equity");
    // The equity ratio itself is no misleading value: it ranks, in the worse quarter.
    let fa = line(&d, "financial_autonomy");
    assert_eq!(fa["standing"], "worse", "{fa}");
    assert_eq!(fa["flags"].as_array().unwrap().len(), 0);
    // The debt ratio is lower-is-better: a high percentile is the worse quarter.
    let dr = line(&d, "debt_ratio");
    assert!(dr["percentile"].as_f64().unwrap() > 75.0);
    assert_eq!(dr["standing"], "worse");
    let text = ok(&db, &["firm", FIRM]);
    assert!(widest(&text) <= 80, "{text}");
    assert!(text.contains("! negative equity"), "{text}");
    let row = text
        .lines()
        .find(|l| l.starts_with("Debt to equity"))
        .unwrap();
    assert!(row.ends_with("-  neg. equity"), "{row}");
    assert!(text.contains(&format!("sector {last_year}")), "{text}");

    // 4. The model's reasons in the bank's words, negative equity first.
    let q: Value = serde_json::from_str(&ok(&db, &["queue", "--format", "json"])).unwrap();
    let first = &q["applications"][0];
    assert_eq!(first["application_id"], APP);
    let coded = first["coded_reasons"].as_array().unwrap();
    assert_eq!(coded[0]["code"], "NEQ", "{coded:?}");
    let neq = coded[0]["text"].as_str().unwrap();
    assert!(
        neq.starts_with("Liabilities exceed assets (equity ratio -17.6%, sector "),
        "{neq}"
    );
    assert!(coded.len() <= 4);

    // A decline with codes: a code alone, a code with words, words alone (OTH).
    let (code, _, err) = run(
        &db,
        &[
            "decide",
            APP,
            "--decline",
            "--reason",
            &format!("NEQ: {neq}"),
            "--reason",
            "lev",
            "--reason",
            "site visit: <b>closed</b> & \"gone\"",
            "--note",
            "committee <script>alert(1)</script>",
            "--analyst",
            "kim",
        ],
        "80",
    );
    assert_eq!(code, 0, "{err}");
    let log = dir.path().join("decisions.json");
    ok(
        &db,
        &["export", "decisions", "--out", log.to_str().unwrap()],
    );
    let rows: Value = serde_json::from_str(&std::fs::read_to_string(&log).unwrap()).unwrap();
    assert_eq!(
        rows[0]["reason_codes"],
        serde_json::json!(["NEQ", "LEV", "OTH"])
    );
    assert_eq!(rows[0]["reasons"][1], "High leverage");
    assert_eq!(
        rows[0]["reasons"][2],
        "site visit: <b>closed</b> & \"gone\""
    );

    // 6. The memo: escaped, complete, never written over a file.
    let memo = dir.path().join("memo.html");
    let (code, _, err) = run(&db, &["memo", APP, "--out", memo.to_str().unwrap()], "80");
    assert_eq!(code, 0, "{err}");
    assert!(err.contains(memo.to_str().unwrap()), "says where: {err}");
    let html = std::fs::read_to_string(&memo).unwrap();
    assert!(
        !html.contains("<script>") && !html.contains("<b>closed"),
        "escaped"
    );
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(html.contains("@page { size: A4"), "print CSS");
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "self-contained"
    );
    assert_eq!(html.matches("<svg").count(), 6, "a chart per key ratio");
    let (code, _, err) = run(&db, &["memo", APP, "--out", memo.to_str().unwrap()], "80");
    assert_ne!(code, 0);
    assert!(err.contains("exists"), "{err}");
    assert_eq!(std::fs::read_to_string(&memo).unwrap(), html, "left alone");
    let decided_at = rows[0]["decided_at"].as_str().unwrap();
    let text = precre::views::memo::text_of(&html).replace(decided_at, "[decided_at]");
    insta::assert_snapshot!("committee_memo_text", text);
    render_in_chromium(dir.path(), &memo);

    // The register: one row per application, its current state, codes as a list.
    let reg = dir.path().join("register.csv");
    ok(&db, &["export", "register", "--out", reg.to_str().unwrap()]);
    let mut r = csv::Reader::from_path(&reg).unwrap();
    let headers = r.headers().unwrap().clone();
    let col = |n: &str| headers.iter().position(|h| h == n).unwrap();
    let records: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    let store = precre::store::Store::open(&db).unwrap();
    assert_eq!(records.len(), store.all_applications().unwrap().len());
    let mine = records
        .iter()
        .find(|x| &x[col("application_id")] == APP)
        .unwrap();
    assert_eq!(&mine[col("decision")], "decline");
    assert_eq!(&mine[col("analyst")], "kim");
    assert_eq!(&mine[col("firm_name")], "Kkotbit Precision Co., Ltd.");
    assert_eq!(&mine[col("amount_thousands")], "415000");
    assert_eq!(&mine[col("model_name")], "default");
    let codes: Vec<String> = serde_json::from_str(&mine[col("reason_codes")]).unwrap();
    assert_eq!(codes, vec!["NEQ", "LEV", "OTH"]);
    let texts: Vec<String> = serde_json::from_str(&mine[col("reasons")]).unwrap();
    assert_eq!(texts[2], "site visit: <b>closed</b> & \"gone\"");
    let p: f64 = mine[col("chance_of_bad")].parse().unwrap();
    assert!((0.0..=1.0).contains(&p));
    let xlsx = dir.path().join("register.xlsx");
    ok(
        &db,
        &["export", "register", "--out", xlsx.to_str().unwrap()],
    );
    assert_eq!(&std::fs::read(&xlsx).unwrap()[..2], b"PK");

    // 7. Every table command fits 80 columns; --wide shows every column; CSV amounts plain.
    for args in [
        vec!["queue"],
        vec!["firms", "--limit", "30"],
        vec!["firm", FIRM],
        vec!["ratios", "--firm", FIRM],
        vec!["ratios", "--sector", "retail"],
        vec!["ratios", "--list"],
        vec!["screen"],
        vec!["models"],
        vec!["portfolio"],
        vec!["info"],
    ] {
        // A command to copy (screen's "train on it") stays whole on a line of its own.
        let fits = |text: &str, w: usize| {
            text.lines()
                .filter(|l| !l.starts_with("  precre "))
                .all(|l| l.chars().count() <= w)
        };
        let out = ok(&db, &args);
        assert!(fits(&out, 80), "{args:?} at 80:\n{out}");
        let (_, narrow, _) = run(&db, &args, "60");
        assert!(fits(&narrow, 60), "{args:?} at 60:\n{narrow}");
    }
    let (_, wide, _) = run(&db, &["--wide", "queue"], "80");
    assert!(widest(&wide) > 200, "--wide shows every column");
    let (_, csv, _) = run(&db, &["queue", "--format", "csv"], "80");
    assert!(
        csv.lines().next().unwrap().contains("amount (KRW '000)"),
        "{csv}"
    );
    let mut r = csv::Reader::from_reader(csv.as_bytes());
    let h = r.headers().unwrap().clone();
    let a = h.iter().position(|x| x.starts_with("amount")).unwrap();
    for rec in r.records() {
        let rec = rec.unwrap();
        assert!(rec[a].parse::<f64>().is_ok(), "{}", &rec[a]);
    }
}

/// Renders the memo in headless Chromium (to a PDF and a screenshot) where one is installed;
/// says so and returns where none is.
fn render_in_chromium(dir: &Path, memo: &Path) {
    let Some(browser) = ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|b| {
            std::process::Command::new(b)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        })
    else {
        eprintln!("SKIPPED: no headless Chromium installed (apt-get install chromium)");
        return;
    };
    let pdf = dir.join("memo.pdf");
    let out = std::process::Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--no-pdf-header-footer",
            &format!("--print-to-pdf={}", pdf.display()),
            &format!("file://{}", memo.display()),
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let bytes = std::fs::read(&pdf).unwrap();
    assert_eq!(&bytes[..4], b"%PDF");
    // A4 pages (595 x 842 points: one media box a page), the whole memo on a few of them.
    let text = String::from_utf8_lossy(&bytes);
    let pages = text.matches("/MediaBox [0 0 594.9").count();
    assert!((1..=4).contains(&pages), "{pages} A4 pages");
    let png = dir.join("memo.png");
    let out = std::process::Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--window-size=794,1123",
            &format!("--screenshot={}", png.display()),
            &format!("file://{}", memo.display()),
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(&std::fs::read(&png).unwrap()[1..4], b"PNG");
}
