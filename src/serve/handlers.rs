//! The routes: each runs behind the scope it needs (checked from the head, `auth`), reads its
//! body within the bound on concurrent work, does its CPU work off the connections' threads
//! through the same use cases and views as the command line (`ops`, `views`), and records
//! scoring calls and decisions in the request log (`api_requests`: time, token, route, model,
//! firm).

use super::api::{self, DecisionRequest, Health, ScoreRequest, ScoreResponse};
use super::auth::Caller;
use super::errors::{ApiError, ErrorBody, ErrorCode};
use super::state::{AppState, Snapshot};
use crate::decisions::DecisionRecord;
use crate::decisions::Verdict;
use crate::ops::decide::DecideRequest;
use crate::ops::score::FirmScore;
use crate::ops::tokens::Scope;
use crate::ops::OpsError;
use crate::store::models::ModelSummary;
use crate::store::tokens::RequestLog;
use crate::views::json::{FirmView, QueueView};
use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use std::sync::Arc;
use std::time::Instant;

type Shared = State<Arc<AppState>>;

fn ops(e: impl Into<OpsError>) -> ApiError {
    ApiError::from(e.into())
}

fn now() -> String {
    // The store's clock format, computed here so logging needs no query.
    crate::clock::iso_utc(std::time::SystemTime::now())
}

/// Reads a body of at most `limit` bytes (413 past it, said in JSON; a declared length past it
/// is refused before any byte is read).
pub async fn read_body(headers: &HeaderMap, body: Body, limit: usize) -> Result<Bytes, ApiError> {
    let too_large = || {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::TooLarge,
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
    let limited = http_body_util::Limited::new(body, limit);
    match http_body_util::BodyExt::collect(limited).await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(e) if e.is::<http_body_util::LengthLimitError>() => Err(too_large()),
        Err(e) => Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::Malformed,
            format!("the body could not be read: {e}"),
        )),
    }
}

/// Scores one posted firm with the snapshot's model, and stores it when asked and allowed
/// (the store is touched only then). Runs on a worker thread.
fn score_one(
    state: &AppState,
    snap: &Snapshot,
    caller: &Caller,
    req: ScoreRequest,
) -> Result<ScoreResponse, ApiError> {
    if req.store {
        caller.require(Scope::Store)?;
    }
    crate::ops::score::check_sector(&snap.sectors, &req.firm.sector).map_err(ops)?;
    let wants_stored = req.store;
    let posted = req.into_posted();
    let medians = snap.medians.get(&posted.sector.to_ascii_lowercase());
    let median = |v: &str| medians.and_then(|m| crate::views::scoring::median_of(m, v));
    let score = crate::ops::score::score_with(
        &snap.model,
        &snap.model_hash,
        &snap.features,
        &posted,
        &median,
        crate::model::explain::Detail::Reasons,
    )
    .map_err(ops)?;
    if wants_stored {
        state.local_store(|store| crate::ops::score::store_firm(store, &posted).map_err(ops))?;
    }
    Ok(ScoreResponse {
        score,
        stored: wants_stored,
    })
}

/// Score one firm from its data.
#[utoipa::path(post, path = "/v1/score", request_body = ScoreRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, body = ScoreResponse, description = "the class, probabilities, reasons, ratios and model"),
        (status = 400, body = ErrorBody, description = "malformed JSON, or a header given twice"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody, description = "the token's scope does not allow this (storing needs `store`)"),
        (status = 413, body = ErrorBody), (status = 422, body = ErrorBody, description = "a field is missing, of the wrong type, or not valid; `field` names it"),
        (status = 503, body = ErrorBody, description = "the store is busy or the service at its bound; retry after Retry-After seconds")))]
pub async fn score(
    State(state): Shared,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    // The snapshot first (its refresh takes a place in the bound of its own), then the place
    // in the bound: the bytes held at once are bounded with the work.
    let snap = state.snapshot().await?;
    let permit = state.permit().await?;
    let bytes = read_body(&headers, body, state.opts.max_body).await?;
    let worker = state.clone();
    let who = caller.clone();
    let out = state
        .compute(permit, move || {
            let req: ScoreRequest = api::parse(&bytes)?;
            score_one(&worker, &snap, &who, req)
        })
        .await?;
    state.record(RequestLog {
        at: now(),
        token: caller.name,
        route: "/v1/score".into(),
        status: 200,
        model_id: Some(out.score.model_id.clone()),
        firm_id: out.score.firm_id.clone(),
        rows: 1,
    });
    Ok(Json(out).into_response())
}

/// Score many firms: a JSON array of score requests, or NDJSON (one per line) with
/// `Content-Type: application/x-ndjson`; the answer has the same form, one result (or error)
/// per row, in order.
#[utoipa::path(post, path = "/v1/score/batch", request_body = Vec<ScoreRequest>,
    security(("bearer" = [])),
    responses((status = 200, body = Vec<super::batch::BatchAnswer>, description = "one answer per row, in order: a score, or {row, error} (NDJSON in, NDJSON out: one answer per line)"),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 413, body = ErrorBody, description = "too many bytes or rows"), (status = 503, body = ErrorBody)))]
pub async fn score_batch(
    State(state): Shared,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let ndjson = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("application/x-ndjson"));
    // The snapshot, then a place among the batches and in the bound on work, before any byte
    // of the body.
    let snap = state.snapshot().await?;
    let _batch = state.batch_permit().await?;
    let permit = state.permit().await?;
    let deadline = Instant::now() + state.opts.request_timeout;
    let bytes = read_body(&headers, body, state.opts.max_batch_body).await?;
    let max = state.opts.max_batch_rows;
    let worker = state.clone();
    let who = caller.clone();
    // Reading, scoring and writing a batch is CPU work: done off the connections' threads,
    // on every core when no row stores a firm (rows that do are scored one after another in
    // this worker's store connection).
    let (answer, rows, model_id) = state
        .compute(permit, move || {
            use rayon::prelude::*;
            let parsed = super::batch::rows(&bytes, ndjson, max, deadline)?;
            let n = parsed.len();
            let stores = parsed.iter().any(|r| r.as_ref().is_ok_and(|q| q.store));
            if stores {
                who.require(Scope::Store)?;
            }
            let one = |req: ScoreRequest| score_one(&worker, &snap, &who, req);
            let scored: Vec<Result<ScoreResponse, ApiError>> = if stores {
                parsed.into_iter().map(|r| r.and_then(one)).collect()
            } else {
                parsed.into_par_iter().map(|r| r.and_then(one)).collect()
            };
            let model_id = scored
                .iter()
                .find_map(|r| r.as_ref().ok().map(|r| r.score.model_id.clone()));
            Ok((super::batch::write(&scored, ndjson), n, model_id))
        })
        .await?;
    state.record(RequestLog {
        at: now(),
        token: caller.name,
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
    responses((status = 200, body = FirmView, description = "the firm, its ratios against the sector, the model's view"),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn firm(
    State(state): Shared,
    Path(id): Path<String>,
) -> Result<Json<FirmView>, ApiError> {
    let v = state
        .blocking(move |store, _| {
            let d = crate::views::firm::load(store, &id).map_err(ops)?;
            Ok(crate::views::json::firm_view(&d))
        })
        .await?;
    Ok(Json(v))
}

/// A stored firm scored by the active model on its latest statement: the same answer as a
/// posted firm's score.
#[utoipa::path(get, path = "/v1/firms/{id}/score", params(("id" = String, Path, description = "the firm id")),
    security(("bearer" = [])),
    responses((status = 200, body = FirmScore, description = "class, probabilities, reasons, ratios and model"),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "the store has no active model"),
        (status = 422, body = ErrorBody, description = "the firm cannot be scored (no statement)")))]
pub async fn firm_score(
    State(state): Shared,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Json<FirmScore>, ApiError> {
    let out = state
        .blocking(move |store, st| {
            let (model, model_hash) = st.active_model(store)?;
            crate::ops::score::stored(store, &model, &model_hash, &id).map_err(ops)
        })
        .await?;
    state.record(RequestLog {
        at: now(),
        token: caller.name,
        route: "/v1/firms/{id}/score".into(),
        status: 200,
        model_id: Some(out.model_id.clone()),
        firm_id: out.firm_id.clone(),
        rows: 1,
    });
    Ok(Json(out))
}

/// The pending applications, riskiest first (`precre queue --format json`).
#[utoipa::path(get, path = "/v1/queue", security(("bearer" = [])),
    responses((status = 200, body = QueueView, description = "the model, how many wait, the applications riskiest first"), (status = 401, body = ErrorBody)))]
pub async fn queue(State(state): Shared) -> Result<Json<QueueView>, ApiError> {
    let v = state
        .blocking(|store, _| {
            let items = crate::views::triage::load(store).map_err(ops)?;
            Ok(crate::views::json::queue_view(&items, items.len()))
        })
        .await?;
    Ok(Json(v))
}

/// Decide a pending application, with the rules of `precre decide`; the analyst recorded is
/// the token's name.
#[utoipa::path(post, path = "/v1/applications/{id}/decision", request_body = DecisionRequest,
    params(("id" = String, Path, description = "the application id")), security(("bearer" = [])),
    responses((status = 200, body = DecisionRecord, description = "the recorded decision"), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "already decided: the message says by whom and when"),
        (status = 422, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn decide(
    State(state): Shared,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Body,
) -> Result<Json<DecisionRecord>, ApiError> {
    let permit = state.permit().await?;
    let bytes = read_body(&headers, body, state.opts.max_body).await?;
    let req: DecisionRequest = state.compute(permit, move || api::parse(&bytes)).await?;
    let token = caller.name;
    let verdict = match req.verdict.trim().to_ascii_lowercase().as_str() {
        "approve" => Verdict::Approve,
        "decline" => Verdict::Decline,
        "refer" => Verdict::Refer,
        other => {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                ErrorCode::Invalid,
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
                    referred_to: req.referred_to,
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
    Ok(Json(rec))
}

/// The models in the store, the active one marked.
#[utoipa::path(get, path = "/v1/models", security(("bearer" = [])),
    responses((status = 200, body = Vec<ModelSummary>, description = "every model, the active one and the challenger marked"), (status = 401, body = ErrorBody)))]
pub async fn models(State(state): Shared) -> Result<Json<Vec<ModelSummary>>, ApiError> {
    let v = state
        .blocking(|store, _| store.models().map_err(ops))
        .await?;
    Ok(Json(v))
}

/// Whether the service and its store answer (no token needed).
#[utoipa::path(get, path = "/healthz", responses((status = 200, body = Health), (status = 503, body = ErrorBody)))]
pub async fn healthz(State(state): Shared) -> Result<Json<Health>, ApiError> {
    let v = state
        .blocking(|store, _| {
            store.has_rows("firms").map_err(ops)?;
            Ok(Health {
                status: "ok".into(),
                schema_version: crate::store::schema::SCHEMA_VERSION,
            })
        })
        .await?;
    Ok(Json(v))
}

/// Prometheus metrics: requests by route and status, latency histograms, errors by kind.
#[utoipa::path(get, path = "/metrics", security(("bearer" = [])), responses((status = 200, body = String, content_type = "text/plain; version=0.0.4", description = "the Prometheus text format"), (status = 401, body = ErrorBody)))]
pub async fn metrics(State(state): Shared) -> Result<Response, ApiError> {
    Ok((
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.metrics.render(),
    )
        .into_response())
}

/// This document.
#[utoipa::path(get, path = "/openapi.json", security(("bearer" = [])), responses((status = 200, body = Object, description = "this OpenAPI 3.1 document"), (status = 401, body = ErrorBody)))]
pub async fn openapi() -> Result<Response, ApiError> {
    Ok((
        [(header::CONTENT_TYPE, "application/json")],
        super::openapi_json(),
    )
        .into_response())
}
