//! The routes: each checks the bearer token's scope, does its work through the same use cases
//! and views as the command line (`ops`, `views`), and records scoring calls and decisions in
//! the request log (`api_requests`: time, token, route, model, firm).

use super::api::{self, DecisionRequest, Health, ScoreRequest, ScoreResponse};
use super::errors::{ApiError, ErrorBody};
use super::state::{AppState, Snapshot};
use crate::decisions::Verdict;
use crate::ops::decide::DecideRequest;
use crate::ops::tokens::Scope;
use crate::ops::OpsError;
use crate::store::tokens::RequestLog;
use crate::store::Store;
use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::Value;
use std::sync::Arc;

type Shared = State<Arc<AppState>>;

fn ops(e: impl Into<OpsError>) -> ApiError {
    ApiError::from(e.into())
}

fn now() -> String {
    // The store's clock format, computed here so logging needs no query.
    crate::clock::iso_utc(std::time::SystemTime::now())
}

/// The token of a request, checked against the scope the route needs.
pub async fn authorize(
    state: &Arc<AppState>,
    headers: &HeaderMap,
    needed: Scope,
) -> Result<String, ApiError> {
    let value = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    authorize_value(state, value, needed).await
}

/// `authorize` from the `Authorization` header's text (`None`: absent, or not visible ASCII).
pub async fn authorize_value(
    state: &Arc<AppState>,
    authorization: Option<&str>,
    needed: Scope,
) -> Result<String, ApiError> {
    let secret = authorization
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .ok_or_else(ApiError::unauthorized)?;
    let found = state.token(secret).await?;
    let (name, scope) = found.ok_or_else(ApiError::unauthorized)?;
    if scope < needed {
        return Err(ApiError::forbidden(needed.name()));
    }
    Ok(name)
}

/// Reads a body of at most `limit` bytes (413 past it, said in JSON).
pub async fn read_body(headers: &HeaderMap, body: Body, limit: usize) -> Result<Bytes, ApiError> {
    let too_large = || {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            format!("the body is larger than {limit} bytes"),
        )
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit) {
        return Err(too_large());
    }
    axum::body::to_bytes(body, limit).await.map_err(|e| {
        // Past the limit, or a client that stopped sending: say which.
        let mut cause: Option<&dyn std::error::Error> = Some(&e);
        while let Some(c) = cause {
            if c.to_string().contains("length limit") {
                return too_large();
            }
            cause = c.source();
        }
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "malformed",
            format!("the body could not be read: {e}"),
        )
    })
}

/// The answer to a score request, from the use case's result.
pub fn score_response(
    s: crate::ops::score::Scored,
    firm_id: Option<String>,
    stored: bool,
) -> ScoreResponse {
    let mut reasons = s.explanation.reasons;
    reasons.truncate(4);
    ScoreResponse {
        firm_id,
        fiscal_year: s.fiscal_year,
        class: s.explanation.class,
        probabilities: api::AsMap(s.explanation.probabilities),
        reasons,
        ratios: api::AsMap(s.ratios),
        model_id: s.model_id,
        model_hash: s.model_hash,
        stored,
    }
}

/// Scores one posted firm with the snapshot's model, and stores it when asked (the store is
/// touched only then).
fn score_one(
    store: Option<&mut Store>,
    snap: &Snapshot,
    req: ScoreRequest,
) -> Result<ScoreResponse, ApiError> {
    crate::ops::score::check_sector(&snap.sectors, &req.firm.sector).map_err(ops)?;
    let wants_stored = req.store;
    // The request is moved into the use case's form, not copied (a statement is ~330 bytes).
    let posted = req.into_posted();
    let medians = snap.medians.get(&posted.sector.to_ascii_lowercase());
    let median = |v: &str| medians.and_then(|m| crate::views::scoring::median_of(m, v));
    let scored = crate::ops::score::score_with(
        &snap.model,
        &snap.model_hash,
        &snap.features,
        &posted,
        &median,
        crate::model::explain::Detail::Reasons,
    )
    .map_err(ops)?;
    let stored = match store {
        Some(store) if wants_stored => {
            crate::ops::score::store_firm(store, &posted).map_err(ops)?;
            true
        }
        _ => false,
    };
    Ok(score_response(scored, posted.id, stored))
}

/// Score one firm from its data.
#[utoipa::path(post, path = "/v1/score", request_body = ScoreRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, body = ScoreResponse, description = "the class, probabilities, reasons, ratios and model"),
        (status = 400, body = ErrorBody, description = "malformed JSON"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 422, body = ErrorBody, description = "a field is missing, of the wrong type, or not valid; `field` names it"),
        (status = 503, body = ErrorBody, description = "the store is busy; retry after Retry-After seconds")))]
pub async fn score(
    State(state): Shared,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    score_request(&state, &headers, body).await
}

/// The work of `POST /v1/score`, for the route above and for the accept loop's direct path
/// to it (`direct`), which skips the router's own cost.
pub async fn score_request(
    state: &Arc<AppState>,
    headers: &HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let token = authorize(state, headers, Scope::Score).await?;
    let bytes = read_body(headers, body, state.opts.max_body).await?;
    let answer = score_body(state, token, &bytes).await?;
    Ok(([(header::CONTENT_TYPE, "application/json")], answer).into_response())
}

/// The work of a score once its caller is known (`token`) and its body is in: the answer's
/// JSON (`answer::write_score`). The router's route, the direct path and the accept loop's
/// own reading of usual score requests (`fast`) all end here.
pub async fn score_body(
    state: &Arc<AppState>,
    token: String,
    bytes: &[u8],
) -> Result<Vec<u8>, ApiError> {
    let req = api::parse_score_text(api::body_text(bytes)?)?;
    // Scoring alone reads no store: the active model and the sectors come from the snapshot,
    // and the work is a few microseconds of arithmetic; storing the firm goes to a worker.
    let snap = state.snapshot().await?;
    let out = if req.store {
        state
            .blocking(move |store, _| score_one(Some(store), &snap, req))
            .await?
    } else {
        score_one(None, &snap, req)?
    };
    state.record(RequestLog {
        at: now(),
        token,
        route: "/v1/score".into(),
        status: 200,
        model_id: Some(out.model_id.clone()),
        firm_id: out.firm_id.clone(),
        rows: 1,
    });
    let mut answer = Vec::with_capacity(4096);
    super::answer::write_score(&mut answer, &out);
    Ok(answer)
}

/// Score many firms: a JSON array of score requests, or NDJSON (one per line) with
/// `Content-Type: application/x-ndjson`; the answer has the same form, one result (or error)
/// per row, in order.
#[utoipa::path(post, path = "/v1/score/batch", request_body = Vec<ScoreRequest>,
    security(("bearer" = [])),
    responses((status = 200, description = "one result per row: a score, or {row, error}"),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 413, body = ErrorBody, description = "too many bytes or rows"), (status = 503, body = ErrorBody)))]
pub async fn score_batch(
    State(state): Shared,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let token = authorize(&state, &headers, Scope::Score).await?;
    let ndjson = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("application/x-ndjson"));
    let bytes = read_body(&headers, body, state.opts.max_batch_body).await?;
    let snap = state.snapshot().await?;
    let max = state.opts.max_batch_rows;
    // Reading, scoring and writing a batch is CPU work: done off the connections' threads,
    // on every core when no row stores a firm (rows that do are scored one after another in
    // one store connection).
    let (answer, rows, model_id) = state
        .blocking(move |store, _| {
            use rayon::prelude::*;
            let parsed = super::batch::rows(&bytes, ndjson, max)?;
            let n = parsed.len();
            let stores = parsed.iter().any(|r| r.as_ref().is_ok_and(|q| q.store));
            let scored: Vec<Result<ScoreResponse, ApiError>> = if stores {
                let mut store = Some(store);
                parsed
                    .into_iter()
                    .map(|one| one.and_then(|req| score_one(store.as_deref_mut(), &snap, req)))
                    .collect()
            } else {
                parsed
                    .into_par_iter()
                    .map(|one| one.and_then(|req| score_one(None, &snap, req)))
                    .collect()
            };
            let model_id = scored
                .iter()
                .find_map(|r| r.as_ref().ok().map(|r| r.model_id.clone()));
            Ok((super::batch::write(&scored, ndjson), n, model_id))
        })
        .await?;
    state.record(RequestLog {
        at: now(),
        token,
        route: "/v1/score/batch".into(),
        status: 200,
        model_id,
        firm_id: None,
        rows,
    });
    let content_type = if ndjson {
        "application/x-ndjson"
    } else {
        "application/json"
    };
    Ok(([(header::CONTENT_TYPE, content_type)], answer).into_response())
}

/// What the Firm screen shows of a stored firm (`precre firm ID --format json`).
#[utoipa::path(get, path = "/v1/firms/{id}", params(("id" = String, Path, description = "the firm id")),
    security(("bearer" = [])),
    responses((status = 200, description = "the firm, its ratios against the sector, the model's view"),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn firm(
    State(state): Shared,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    authorize(&state, &headers, Scope::Read).await?;
    let v = state
        .blocking(move |store, _| {
            let d = crate::views::firm::load(store, &id).map_err(ops)?;
            Ok(crate::views::json::firm_json(&d))
        })
        .await?;
    Ok(Json(v))
}

/// A stored firm scored by the active model, as `precre classify --firm ID` scores it.
#[utoipa::path(get, path = "/v1/firms/{id}/score", params(("id" = String, Path, description = "the firm id")),
    security(("bearer" = [])),
    responses((status = 200, description = "model, fiscal year, class, probabilities, reasons"),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn firm_score(
    State(state): Shared,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let token = authorize(&state, &headers, Scope::Read).await?;
    let (v, model_id, firm_id) = state
        .blocking(move |store, st| {
            let (model, model_hash) = st.active_model(store)?;
            let firm = store.firm(&id).map_err(ops)?;
            let s = crate::views::scoring::score_firm(store, &model, &firm.id)
                .map_err(ops)?
                .ok_or_else(|| {
                    ApiError::new(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "invalid",
                        format!("firm {} has no statement to score", firm.id),
                    )
                })?;
            let e = &s.explanation;
            Ok((
                serde_json::json!({
                    "firm_id": firm.id,
                    "model_id": model.id,
                    "model_hash": &*model_hash,
                    "fiscal_year": s.fiscal_year,
                    "class": e.class,
                    "probabilities": crate::views::json::probabilities_json(&e.probabilities),
                    "reasons": e.reasons,
                }),
                model.id.clone(),
                firm.id,
            ))
        })
        .await?;
    state.record(RequestLog {
        at: now(),
        token,
        route: "/v1/firms/{id}/score".into(),
        status: 200,
        model_id: Some(model_id),
        firm_id: Some(firm_id),
        rows: 1,
    });
    Ok(Json(v))
}

/// The pending applications, riskiest first (`precre queue --format json`).
#[utoipa::path(get, path = "/v1/queue", security(("bearer" = [])),
    responses((status = 200, description = "model_id, pending, applications"), (status = 401, body = ErrorBody)))]
pub async fn queue(State(state): Shared, headers: HeaderMap) -> Result<Json<Value>, ApiError> {
    authorize(&state, &headers, Scope::Read).await?;
    let v = state
        .blocking(|store, _| {
            let items = crate::views::triage::load(store).map_err(ops)?;
            Ok(crate::views::json::queue_json(&items, items.len()))
        })
        .await?;
    Ok(Json(v))
}

/// Decide a pending application, with the rules of `precre decide`; the analyst recorded is
/// the token's name.
#[utoipa::path(post, path = "/v1/applications/{id}/decision", request_body = DecisionRequest,
    params(("id" = String, Path, description = "the application id")), security(("bearer" = [])),
    responses((status = 200, description = "the recorded decision"), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "already decided: the message says by whom and when"),
        (status = 422, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn decide(
    State(state): Shared,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Body,
) -> Result<Json<Value>, ApiError> {
    let token = authorize(&state, &headers, Scope::Decide).await?;
    let bytes = read_body(&headers, body, state.opts.max_body).await?;
    let req: DecisionRequest = api::parse(&bytes)?;
    let verdict = match req.verdict.trim().to_ascii_lowercase().as_str() {
        "approve" => Verdict::Approve,
        "decline" => Verdict::Decline,
        "refer" => Verdict::Refer,
        other => {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid",
                format!("verdict: '{other}' is not approve, decline or refer"),
            )
            .field("verdict"))
        }
    };
    let analyst = token.clone();
    let rec = state
        .blocking(move |store, _| {
            crate::ops::decide::decide(
                store,
                DecideRequest {
                    application_id: id,
                    verdict,
                    analyst,
                    note: req.note,
                    reasons: req.reasons,
                    override_reason: req.override_reason,
                    replace: req.replace,
                },
            )
            .map_err(ops)
        })
        .await?;
    state.record(RequestLog {
        at: now(),
        token,
        route: "/v1/applications/{id}/decision".into(),
        status: 200,
        model_id: rec.model_id.clone(),
        firm_id: Some(rec.firm_id.clone()),
        rows: 1,
    });
    Ok(Json(serde_json::to_value(&rec).unwrap_or(Value::Null)))
}

/// The models in the store, the active one marked.
#[utoipa::path(get, path = "/v1/models", security(("bearer" = [])),
    responses((status = 200, description = "[{id, name, created_at, active, metrics}]"), (status = 401, body = ErrorBody)))]
pub async fn models(State(state): Shared, headers: HeaderMap) -> Result<Json<Value>, ApiError> {
    authorize(&state, &headers, Scope::Read).await?;
    let v = state
        .blocking(|store, _| {
            Ok(serde_json::to_value(store.models().map_err(ops)?).unwrap_or(Value::Null))
        })
        .await?;
    Ok(Json(v))
}

/// Whether the service and its store answer (no token needed).
#[utoipa::path(get, path = "/healthz", responses((status = 200, body = Health), (status = 503, body = ErrorBody)))]
pub async fn healthz(State(state): Shared) -> Result<Json<Health>, ApiError> {
    let v = state
        .blocking(|store, _| {
            store.count("firms").map_err(ops)?;
            Ok(Health {
                status: "ok".into(),
                schema_version: crate::store::schema::SCHEMA_VERSION,
            })
        })
        .await?;
    Ok(Json(v))
}

/// Prometheus metrics: requests by route and status, latency histograms, errors by kind.
#[utoipa::path(get, path = "/metrics", security(("bearer" = [])), responses((status = 200, description = "text/plain; version=0.0.4")))]
pub async fn metrics(State(state): Shared, headers: HeaderMap) -> Result<Response, ApiError> {
    authorize(&state, &headers, Scope::Read).await?;
    Ok((
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.metrics.render(),
    )
        .into_response())
}

/// This document.
#[utoipa::path(get, path = "/openapi.json", security(("bearer" = [])), responses((status = 200, description = "OpenAPI 3.1")))]
pub async fn openapi(State(state): Shared, headers: HeaderMap) -> Result<Response, ApiError> {
    authorize(&state, &headers, Scope::Read).await?;
    Ok((
        [(header::CONTENT_TYPE, "application/json")],
        super::openapi_json(),
    )
        .into_response())
}
