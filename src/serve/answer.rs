//! A score's answer written as JSON by hand: the same bytes as serde_json's compact form of
//! [`ScoreResponse`] (the tests compare them), without serde's per-field machinery and the
//! escaping scan of every key. Numbers and any string that needs an escape are still written
//! by serde_json, so they are formatted exactly as before. Writing the answer was the largest
//! of a score's own stages (~4.5 us of ~17 us).

use super::api::ScoreResponse;
use serde::Serialize;

/// Appends `r` as compact JSON to `out`.
pub fn write_score(out: &mut Vec<u8>, r: &ScoreResponse) {
    out.extend_from_slice(b"{\"firm_id\":");
    match &r.firm_id {
        Some(id) => string(out, id),
        None => out.extend_from_slice(b"null"),
    }
    out.extend_from_slice(b",\"fiscal_year\":");
    number(out, r.fiscal_year);
    out.extend_from_slice(b",\"class\":");
    string(out, &r.class);
    out.extend_from_slice(b",\"probabilities\":{");
    for (i, (class, p)) in r.probabilities.0.iter().enumerate() {
        key(out, i, class);
        number(out, *p);
    }
    out.extend_from_slice(b"},\"reasons\":[");
    for (i, reason) in r.reasons.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        string(out, reason);
    }
    out.extend_from_slice(b"],\"ratios\":{");
    for (i, (id, v)) in r.ratios.0.iter().enumerate() {
        key(out, i, id);
        match v {
            Some(v) => number(out, *v),
            None => out.extend_from_slice(b"null"),
        }
    }
    out.extend_from_slice(b"},\"model_id\":");
    string(out, &r.model_id);
    out.extend_from_slice(b",\"model_hash\":");
    string(out, &r.model_hash);
    out.extend_from_slice(if r.stored {
        b",\"stored\":true}"
    } else {
        b",\"stored\":false}"
    });
}

/// An object's `i`-th key and its colon (a comma before all but the first).
fn key(out: &mut Vec<u8>, i: usize, k: &str) {
    if i > 0 {
        out.push(b',');
    }
    string(out, k);
    out.push(b':');
}

/// A JSON string: copied as it is when nothing in it needs an escape (what serde_json escapes:
/// the control characters, `"` and `\`), else written by serde_json.
fn string(out: &mut Vec<u8>, s: &str) {
    if s.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\') {
        out.push(b'"');
        out.extend_from_slice(s.as_bytes());
        out.push(b'"');
    } else {
        // Writing into a Vec cannot fail.
        let _ = serde_json::to_writer(&mut *out, s);
    }
}

/// A number as serde_json writes it (a non-finite float is `null`).
fn number<T: Serialize>(out: &mut Vec<u8>, v: T) {
    let _ = serde_json::to_writer(&mut *out, &v);
}

#[cfg(test)]
mod tests {
    use super::super::api::{AsMap, ScoreResponse};
    use proptest::prelude::*;

    fn response(
        firm_id: Option<String>,
        class: String,
        probabilities: Vec<(String, f64)>,
        reasons: Vec<String>,
        ratios: Vec<Option<f64>>,
        stored: bool,
    ) -> ScoreResponse {
        let ids = crate::finance::RATIOS.iter().map(|r| r.id);
        ScoreResponse {
            firm_id,
            fiscal_year: 2024,
            class,
            probabilities: AsMap(probabilities),
            reasons,
            ratios: AsMap(ids.zip(ratios).collect()),
            model_id: "m-20261201-1".into(),
            model_hash: "ab".repeat(32),
            stored,
        }
    }

    fn hand(r: &ScoreResponse) -> Vec<u8> {
        let mut out = Vec::new();
        super::write_score(&mut out, r);
        out
    }

    #[test]
    fn a_usual_answer_is_the_bytes_serde_json_writes() {
        let r = response(
            Some("101-15-76511".into()),
            "bad".into(),
            vec![
                ("bad".into(), 0.75),
                ("satisfactory".into(), 0.2),
                ("good".into(), 0.05),
            ],
            vec![
                "Cash to assets 0.9% (sector median 10.2%)".into(),
                "Debt ratio 312.5% is above \"the\" sector's 120\\%".into(),
            ],
            vec![
                Some(1.5),
                None,
                Some(f64::NAN),
                Some(-0.0),
                Some(f64::INFINITY),
                Some(1e-300),
            ],
            true,
        );
        assert_eq!(
            String::from_utf8(hand(&r)).unwrap(),
            serde_json::to_string(&r).unwrap()
        );
        let none = response(None, "good".into(), vec![], vec![], vec![], false);
        assert_eq!(
            String::from_utf8(hand(&none)).unwrap(),
            serde_json::to_string(&none).unwrap()
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]
        /// Any strings (control characters, quotes, backslashes, any Unicode) and any floats
        /// (NaN, infinities, subnormals) come out as serde_json writes them.
        #[test]
        fn any_answer_is_the_bytes_serde_json_writes(
            firm_id in proptest::option::of(any::<String>()),
            class in any::<String>(),
            probabilities in proptest::collection::vec((any::<String>(), any::<f64>()), 0..4),
            reasons in proptest::collection::vec(any::<String>(), 0..5),
            ratios in proptest::collection::vec(proptest::option::of(any::<f64>()), 0..40),
            stored in any::<bool>(),
        ) {
            let r = response(firm_id, class, probabilities, reasons, ratios, stored);
            prop_assert_eq!(hand(&r), serde_json::to_vec(&r).unwrap());
        }
    }
}
