//! CPU time of one `POST /v1/score` in the service's own code, stage by stage, on one demo
//! firm's statements (the body `bench/serve.sh` sends): reading the JSON body, scoring and
//! explaining with the default model, writing the answer. Printed as figures (not asserted),
//! for finding where a score's time goes without the noise of a loaded machine; the service
//! against Flask is `bash bench/serve.sh`.
//!
//! `cargo bench --bench score`

use precre::model::registry::ModelRecord;
use precre::serve::api::{self, ScoreRequest};
use precre::store::Store;
use std::time::Instant;

/// Median nanoseconds of `f` over rounds of `n` calls.
fn time<T>(n: usize, mut f: impl FnMut() -> T) -> f64 {
    let mut rounds: Vec<f64> = (0..15)
        .map(|_| {
            let t = Instant::now();
            for _ in 0..n {
                std::hint::black_box(f());
            }
            t.elapsed().as_nanos() as f64 / n as f64
        })
        .collect();
    rounds.sort_by(f64::total_cmp);
    rounds[rounds.len() / 2]
}

fn main() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = Store::open(&dir.path().join("bench.db")).expect("store");
    precre::demo::load(&mut store, None, false).expect("demo");
    let model = ModelRecord::from_json(precre::ops::bootstrap::DEFAULT_MODEL).expect("model");
    let firms = store
        .list_firms(&precre::store::firms::FirmQuery {
            limit: Some(300),
            ..Default::default()
        })
        .expect("firms");
    let hash = model.hash();
    let features = precre::ops::score::features_of(&model);
    // A firm the model calls good (no reasons) and one it calls bad (up to four reasons).
    let mut seen = Vec::new();
    for row in &firms {
        let body = body_of(&store, &row.id, &row.sector);
        let req: ScoreRequest = api::parse(body.as_bytes()).expect("parse");
        let (statements, firm_id) = (req.statements.len(), req.firm.id.clone());
        let posted = req.into_posted();
        let medians = precre::views::scoring::sector_medians(&store, &row.sector).expect("medians");
        let median = |v: &str| precre::views::scoring::median_of(&medians, v);
        let score = || {
            precre::ops::score::score_with(
                &model,
                &hash,
                &features,
                &posted,
                &median,
                precre::model::explain::Detail::Reasons,
            )
            .expect("score")
        };
        let class = score().class;
        if seen.contains(&class) || !(class == "good" || class == "bad") {
            continue;
        }
        seen.push(class.clone());
        let _ = firm_id;
        let answer = api::ScoreResponse {
            score: score(),
            stored: false,
        };
        let answer_len = serde_json::to_vec(&answer).expect("answer").len();
        let n = 20_000;
        let parse = time(n, || {
            api::parse::<ScoreRequest>(body.as_bytes()).expect("parse")
        });
        let scoring = time(n, score);
        let write = time(n, || {
            let mut out = Vec::with_capacity(4096);
            serde_json::to_writer(&mut out, &answer).expect("write");
            out
        });
        println!(
            "one score of firm {} ({class}, {} reasons; {} statements; body {} bytes, answer {answer_len} bytes), median of 15 rounds of {n}:",
            row.id,
            answer.score.reasons.len(),
            statements,
            body.len()
        );
        println!("  read the body      {:>8.2} us", parse / 1e3);
        println!("  score and explain  {:>8.2} us", scoring / 1e3);
        println!("  write the answer   {:>8.2} us", write / 1e3);
        println!(
            "  total              {:>8.2} us",
            (parse + scoring + write) / 1e3
        );
        if seen.len() == 2 {
            break;
        }
    }
    println!("(under load the service spends ~50 us of CPU a score; the rest is HTTP, TCP and the request log)");
}

/// A firm's statements as the body of a score request.
fn body_of(store: &Store, firm: &str, sector: &str) -> String {
    let statements: Vec<serde_json::Value> = store
        .firm_statements(firm, None)
        .expect("statements")
        .into_iter()
        .map(|(s, _)| {
            let items: serde_json::Map<String, serde_json::Value> = precre::finance::ITEMS
                .iter()
                .zip(s.values)
                .filter_map(|(it, v)| v.map(|v| (it.id.to_string(), serde_json::json!(v))))
                .collect();
            serde_json::json!({"fiscal_year": s.fiscal_year, "items": items})
        })
        .collect();
    serde_json::json!({"firm": {"id": firm, "sector": sector}, "statements": statements})
        .to_string()
}
