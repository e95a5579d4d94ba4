//! A batch of score requests: its rows read from a JSON array or NDJSON (each row on every
//! core, no tree of JSON values built first), bounded by a row count, and the answers written
//! one per row, in order, an error in place of a row that cannot be scored.

use super::api::{self, ScoreRequest, ScoreResponse};
use super::errors::{ApiError, ErrorCode, ErrorDetail};
use axum::http::StatusCode;
use rayon::prelude::*;
use serde::Serialize;
use serde_json::value::RawValue;
use std::time::Instant;
use utoipa::ToSchema;

fn malformed(message: String) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, ErrorCode::Malformed, message)
}

/// The rows of a batch body, each read as a score request (or the reason it cannot be, to be
/// answered in its place). Rows are counted while the body is split: past `max` the batch is
/// refused at once (413), before any row is read. A line of NDJSON that is not JSON, or a body
/// that is not one JSON array, refuses the whole batch. Rows still unread at `deadline` are
/// answered as timed out, so a batch given up by its client stops taking CPU.
pub fn rows(
    bytes: &[u8],
    ndjson: bool,
    max: usize,
    deadline: Instant,
) -> Result<Vec<Result<ScoreRequest, ApiError>>, ApiError> {
    let text = api::body_text(bytes)?;
    let too_many = || {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::TooManyRows,
            format!("more than {max} rows: a batch holds at most {max}; split it"),
        )
    };
    // (line number, the row's text)
    let mut texts: Vec<(usize, &str)> = Vec::new();
    if ndjson {
        for (i, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            if texts.len() == max {
                return Err(too_many());
            }
            texts.push((i + 1, line));
        }
    } else {
        let past = std::cell::Cell::new(false);
        let mut de = serde_json::Deserializer::from_str(text);
        let read = serde::de::DeserializeSeed::deserialize(Counted { max, past: &past }, &mut de)
            .and_then(|rows| de.end().map(|()| rows));
        match read {
            Ok(rows) => texts = rows.into_iter().map(|r| (0, r.get())).collect(),
            Err(_) if past.get() => return Err(too_many()),
            Err(e) if e.is_data() => {
                return Err(ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    ErrorCode::Invalid,
                    "a batch is a JSON array of score requests (or NDJSON)",
                ))
            }
            Err(e) => return Err(malformed(format!("the body is not well-formed JSON: {e}"))),
        }
    }
    let parsed: Vec<Result<ScoreRequest, ApiError>> = texts
        .par_iter()
        .map(|(_, t)| {
            if Instant::now() >= deadline {
                return Err(ApiError::new(
                    StatusCode::REQUEST_TIMEOUT,
                    ErrorCode::Timeout,
                    "the batch ran past the request timeout before this row",
                ));
            }
            api::parse_text::<ScoreRequest>(t)
        })
        .collect();
    if let Some((line, e)) = texts.iter().zip(&parsed).find_map(|((line, _), r)| {
        r.as_ref()
            .err()
            .filter(|e| e.kind == ErrorCode::Malformed)
            .map(|e| (line, e))
    }) {
        return Err(malformed(format!("line {line}: {}", e.message)));
    }
    Ok(parsed)
}

/// A JSON array's elements, unread, refused as soon as there are more than `max` (`past` says
/// that was the reason).
struct Counted<'a> {
    max: usize,
    past: &'a std::cell::Cell<bool>,
}

impl<'de, 'a> serde::de::DeserializeSeed<'de> for Counted<'a> {
    type Value = Vec<&'de RawValue>;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de, 'a> serde::de::Visitor<'de> for Counted<'a> {
    type Value = Vec<&'de RawValue>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON array of score requests")
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::new();
        while let Some(row) = seq.next_element::<&'de RawValue>()? {
            if out.len() == self.max {
                self.past.set(true);
                return Err(serde::de::Error::custom("too many rows"));
            }
            out.push(row);
        }
        Ok(out)
    }
}

/// One answer of a batch: the row's score, or why it could not be scored.
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
pub enum BatchAnswer {
    Scored(ScoreResponse),
    Refused(RowError),
}

/// A row of a batch that could not be scored: its place (from 0) and the error.
#[derive(Serialize, ToSchema)]
pub struct RowError {
    pub row: usize,
    pub error: ErrorDetail,
}

/// The answers, one per row in order: NDJSON lines, or a JSON array.
pub fn write(scored: &[Result<ScoreResponse, ApiError>], ndjson: bool) -> String {
    let texts: Vec<String> = scored
        .par_iter()
        .enumerate()
        .map(|(i, one)| {
            let text = match one {
                Ok(r) => serde_json::to_string(r),
                Err(e) => serde_json::to_string(&RowError {
                    row: i,
                    error: ErrorDetail {
                        kind: e.kind.as_str().to_string(),
                        message: e.message.clone(),
                        field: e.field.clone(),
                    },
                }),
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

    fn later() -> Instant {
        Instant::now() + std::time::Duration::from_secs(3600)
    }

    #[test]
    fn rows_past_the_limit_are_refused_while_counting() {
        // Five million one-character rows: refused at row 11, not after splitting them all.
        let nd = "1\n".repeat(5_000_000);
        let e = rows(nd.as_bytes(), true, 10, later()).unwrap_err();
        assert_eq!(
            (e.status, e.kind),
            (StatusCode::PAYLOAD_TOO_LARGE, ErrorCode::TooManyRows)
        );
        let array = format!("[{}1]", "1,".repeat(5_000_000));
        let e = rows(array.as_bytes(), false, 10, later()).unwrap_err();
        assert_eq!(
            (e.status, e.kind),
            (StatusCode::PAYLOAD_TOO_LARGE, ErrorCode::TooManyRows)
        );
        // Exactly the limit is taken.
        let array = format!("[{ROW}, {ROW}]");
        assert_eq!(rows(array.as_bytes(), false, 2, later()).unwrap().len(), 2);
    }

    #[test]
    fn rows_past_the_deadline_are_not_read() {
        let nd = format!("{ROW}\n{ROW}\n");
        let parsed = rows(nd.as_bytes(), true, 10, Instant::now()).unwrap();
        assert!(parsed
            .iter()
            .all(|r| r.as_ref().is_err_and(|e| e.kind == ErrorCode::Timeout)));
    }

    const ROW: &str = r#"{"firm": {"sector": "retail"}, "statements": [{"fiscal_year": 2024, "items": {"cash": 1}}]}"#;

    #[test]
    fn rows_are_read_in_order_with_errors_in_place() {
        let array = format!("[{ROW}, {{\"firm\": 5}}, {ROW}]");
        let parsed = rows(array.as_bytes(), false, 10, later()).unwrap();
        assert_eq!(parsed.len(), 3);
        assert!(parsed[0].is_ok() && parsed[2].is_ok());
        let e = parsed[1].as_ref().unwrap_err();
        assert_eq!(
            (e.status, e.field.as_deref()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("firm"))
        );
        let nd = format!("{ROW}\n\n  \n{ROW}\n");
        assert_eq!(rows(nd.as_bytes(), true, 10, later()).unwrap().len(), 2);
    }

    #[test]
    fn a_batch_past_its_rows_or_not_json_is_refused_whole() {
        let nd = format!("{ROW}\n{ROW}\n");
        assert_eq!(
            rows(nd.as_bytes(), true, 1, later()).unwrap_err().status,
            StatusCode::PAYLOAD_TOO_LARGE
        );
        let e = rows(format!("{ROW}\n{{oops\n").as_bytes(), true, 10, later()).unwrap_err();
        assert_eq!(e.status, StatusCode::BAD_REQUEST);
        assert!(e.message.starts_with("line 2: "), "{}", e.message);
        let e = rows(ROW.as_bytes(), false, 10, later()).unwrap_err();
        assert_eq!(e.status, StatusCode::UNPROCESSABLE_ENTITY);
        let e = rows(b"[1, ", false, 10, later()).unwrap_err();
        assert_eq!(e.status, StatusCode::BAD_REQUEST);
    }

    #[test]
    fn answers_are_written_one_per_row() {
        let err = Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::Invalid,
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
