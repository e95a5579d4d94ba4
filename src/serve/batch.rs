//! A batch of score requests: its rows read from a JSON array or NDJSON (each row on every
//! core, no tree of JSON values built first), bounded by a row count, and the answers written
//! one per row, in order, an error in place of a row that cannot be scored.

use super::api::{self, ScoreRequest, ScoreResponse};
use super::errors::ApiError;
use axum::http::StatusCode;
use rayon::prelude::*;

fn malformed(message: String) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, "malformed", message)
}

/// The rows of a batch body, each read as a score request (or the reason it cannot be, to be
/// answered in its place). A line of NDJSON that is not JSON, or a body that is not one JSON
/// array, refuses the whole batch; more than `max` rows too.
pub fn rows(
    bytes: &[u8],
    ndjson: bool,
    max: usize,
) -> Result<Vec<Result<ScoreRequest, ApiError>>, ApiError> {
    let text = api::body_text(bytes)?;
    // (line number, the row's text)
    let texts: Vec<(usize, &str)> = if ndjson {
        text.lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
            .map(|(i, l)| (i + 1, l))
            .collect()
    } else {
        match serde_json::from_str::<Vec<&serde_json::value::RawValue>>(text) {
            Ok(rows) => rows.into_iter().map(|r| (0, r.get())).collect(),
            Err(e) if e.is_data() => {
                return Err(ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid",
                    "a batch is a JSON array of score requests (or NDJSON)",
                ))
            }
            Err(e) => return Err(malformed(format!("the body is not well-formed JSON: {e}"))),
        }
    };
    if texts.len() > max {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_many_rows",
            format!(
                "{} rows: a batch holds at most {max}; split it",
                texts.len()
            ),
        ));
    }
    let parsed: Vec<Result<ScoreRequest, ApiError>> = texts
        .par_iter()
        .map(|(_, t)| api::parse_score_text(t))
        .collect();
    if let Some((line, e)) = texts.iter().zip(&parsed).find_map(|((line, _), r)| {
        r.as_ref()
            .err()
            .filter(|e| e.kind == "malformed")
            .map(|e| (line, e))
    }) {
        let what = e.message.trim_start_matches("the body is ");
        return Err(malformed(format!("line {line}: {what}")));
    }
    Ok(parsed)
}

/// The answers, one per row in order: NDJSON lines, or a JSON array.
pub fn write(scored: &[Result<ScoreResponse, ApiError>], ndjson: bool) -> String {
    let texts: Vec<String> = scored
        .par_iter()
        .enumerate()
        .map(|(i, one)| {
            let text = match one {
                Ok(r) => {
                    let mut out = Vec::with_capacity(2048);
                    super::answer::write_score(&mut out, r);
                    String::from_utf8(out).map_err(serde::ser::Error::custom)
                }
                Err(e) => serde_json::to_string(&serde_json::json!({
                    "row": i,
                    "error": {"kind": e.kind, "message": e.message, "field": e.field}
                })),
            };
            text.unwrap_or_else(|e| {
                format!(
                    "{{\"row\": {i}, \"error\": {{\"kind\": \"internal\", \"message\": \"{e}\"}}}}"
                )
            })
        })
        .collect();
    let mut out = String::with_capacity(texts.iter().map(|t| t.len() + 1).sum::<usize>() + 2);
    if !ndjson {
        out.push('[');
    }
    for (i, t) in texts.iter().enumerate() {
        if !ndjson && i > 0 {
            out.push(',');
        }
        out.push_str(t);
        if ndjson {
            out.push('\n');
        }
    }
    if !ndjson {
        out.push(']');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROW: &str = r#"{"firm": {"sector": "retail"}, "statements": [{"fiscal_year": 2024, "items": {"cash": 1}}]}"#;

    #[test]
    fn rows_are_read_in_order_with_errors_in_place() {
        let array = format!("[{ROW}, {{\"firm\": 5}}, {ROW}]");
        let parsed = rows(array.as_bytes(), false, 10).unwrap();
        assert_eq!(parsed.len(), 3);
        assert!(parsed[0].is_ok() && parsed[2].is_ok());
        let e = parsed[1].as_ref().unwrap_err();
        assert_eq!(
            (e.status, e.field.as_deref()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("firm"))
        );
        let nd = format!("{ROW}\n\n  \n{ROW}\n");
        assert_eq!(rows(nd.as_bytes(), true, 10).unwrap().len(), 2);
    }

    #[test]
    fn a_batch_past_its_rows_or_not_json_is_refused_whole() {
        let nd = format!("{ROW}\n{ROW}\n");
        assert_eq!(
            rows(nd.as_bytes(), true, 1).unwrap_err().status,
            StatusCode::PAYLOAD_TOO_LARGE
        );
        let e = rows(format!("{ROW}\n{{oops\n").as_bytes(), true, 10).unwrap_err();
        assert_eq!(e.status, StatusCode::BAD_REQUEST);
        assert!(e.message.starts_with("line 2: "), "{}", e.message);
        let e = rows(ROW.as_bytes(), false, 10).unwrap_err();
        assert_eq!(e.status, StatusCode::UNPROCESSABLE_ENTITY);
        let e = rows(b"[1, ", false, 10).unwrap_err();
        assert_eq!(e.status, StatusCode::BAD_REQUEST);
    }

    #[test]
    fn answers_are_written_one_per_row() {
        let err = Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            "bad",
        ));
        let scored = vec![err];
        let array: serde_json::Value = serde_json::from_str(&write(&scored, false)).unwrap();
        assert_eq!(array[0]["row"], 0);
        assert_eq!(array[0]["error"]["kind"], "invalid");
        let nd = write(&[Err(ApiError::busy()), Err(ApiError::busy())], true);
        assert_eq!(nd.lines().count(), 2);
        assert!(nd
            .lines()
            .all(|l| serde_json::from_str::<serde_json::Value>(l).is_ok()));
    }
}
