//! `precre serve`: the active model behind an HTTP API over the same store and the same use
//! cases as the command line and the workbench, on the stock stack (axum routes and
//! extractors, hyper through hyper-util, tower layers, serde_json). Every route but `/healthz`
//! needs a bearer token (`precre token create`), checked from the head before the body is
//! read; bodies, batches, rows, items, connections, time and concurrent work are bounded; CPU
//! work runs off the connections' threads; a busy store answers 503 with `Retry-After`;
//! SIGTERM drains the requests in flight.

pub mod api;
pub mod auth;
pub mod batch;
pub mod errors;
pub mod handlers;
mod listen;
mod log;
pub mod metrics;
pub mod state;

pub use state::ServeOptions;

use crate::ops::tokens::Scope;
use crate::store::Store;
use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use state::AppState;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "PRECRE scoring service",
        description = "The active credit model behind an HTTP API: score firms, read firms and the triage queue, record decisions."
    ),
    paths(
        handlers::score,
        handlers::score_batch,
        handlers::firm,
        handlers::firm_score,
        handlers::queue,
        handlers::decide,
        handlers::models,
        handlers::healthz,
        handlers::metrics,
        handlers::openapi
    ),
    components(schemas(
        api::ScoreRequest,
        api::FirmIn,
        api::StatementIn,
        api::ScoreResponse,
        crate::ops::score::FirmScore,
        batch::BatchAnswer,
        batch::RowError,
        crate::views::json::FirmView,
        crate::views::json::FirmModelView,
        crate::views::json::ItemRow,
        crate::views::json::QueueView,
        crate::views::json::QueueEntry,
        crate::views::json::ChallengerView,
        crate::views::json::FirmChallengerView,
        crate::views::json::KeyRatioView,
        crate::views::json::PortfolioView,
        crate::views::json::Count,
        crate::views::json::DistributionView,
        crate::views::json::Bin,
        crate::views::json::SectorMedian,
        crate::views::json::ClosureView,
        crate::views::json::ModelName,
        crate::decisions::DecisionRecord,
        crate::store::models::ModelSummary,
        api::DecisionRequest,
        api::Health,
        errors::ErrorBody,
        errors::ErrorDetail
    )),
    modifiers(&BearerAuth)
)]
struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The OpenAPI document of every route, generated from the handlers' annotations.
pub fn openapi_json() -> String {
    ApiDoc::openapi()
        .to_pretty_json()
        .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}

/// Counts every answer in the metrics, by matched route, status and error kind.
async fn observe(State(state): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    // MatchedPath holds its text shared: cloning it copies no string.
    let route = req.extensions().get::<MatchedPath>().cloned();
    let started = Instant::now();
    let resp = next.run(req).await;
    count(
        &state,
        route.as_ref().map_or("unmatched", MatchedPath::as_str),
        &resp,
        started,
    );
    resp
}

/// Counts one answer in the metrics: its route, status, time since `started` and error kind
/// (a 408 or other error without a kind is counted as `timeout` or `other`).
fn count(state: &AppState, route: &str, resp: &Response, started: Instant) {
    let status = resp.status().as_u16();
    let kind = resp.extensions().get::<errors::ErrorKindTag>().map(|k| k.0);
    let kind = kind.or(match status {
        408 => Some("timeout"),
        s if s >= 400 => Some("other"),
        _ => None,
    });
    state
        .metrics
        .observe(route, status, started.elapsed().as_secs_f64(), kind);
}

/// The routes, with their limits: each group of routes behind the scope it needs (checked from
/// the head, `auth::require`), the request timeout (408), the metrics around it, and the
/// refusal of repeated headers around everything.
pub fn router(state: Arc<AppState>) -> Router {
    let timeout = state.opts.request_timeout;
    let scope = |needed: Scope| {
        axum::middleware::from_fn_with_state((state.clone(), needed), auth::require)
    };
    let score = Router::new()
        .route("/v1/score", post(handlers::score))
        .route("/v1/score/batch", post(handlers::score_batch))
        .route_layer(scope(Scope::Score));
    let read = Router::new()
        .route("/v1/firms/{id}", get(handlers::firm))
        .route("/v1/firms/{id}/score", get(handlers::firm_score))
        .route("/v1/queue", get(handlers::queue))
        .route("/v1/models", get(handlers::models))
        .route("/metrics", get(handlers::metrics))
        .route("/openapi.json", get(handlers::openapi))
        .route_layer(scope(Scope::Read));
    let decide = Router::new()
        .route("/v1/applications/{id}/decision", post(handlers::decide))
        .route_layer(scope(Scope::Decide));
    Router::new()
        .merge(score)
        .merge(read)
        .merge(decide)
        .route("/healthz", get(handlers::healthz))
        // The metrics wrap the timeout, so that a request cut off at it is counted (408).
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            timeout,
        ))
        .layer(axum::middleware::from_fn_with_state(state.clone(), observe))
        .layer(axum::middleware::from_fn(auth::single_headers))
        .with_state(state)
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let mut term = match signal(SignalKind::terminate()) {
            Ok(s) => s,
            Err(_) => return std::future::pending().await,
        };
        tokio::select! {
            _ = term.recv() => {}
            _ = tokio::signal::ctrl_c() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// Serves until SIGTERM or Ctrl-C, then finishes the requests in flight, writes the rest of
/// the request log and returns. `ready` is told the bound address (port 0 picks a free one).
pub fn run(
    db: PathBuf,
    opts: ServeOptions,
    ready: impl FnOnce(std::net::SocketAddr),
) -> anyhow::Result<()> {
    // The store opens (and migrates) once here, so a damaged store fails before listening.
    drop(Store::open(&db)?);
    let log = Arc::new(log::LogBuffer::default());
    let writer = log::spawn_writer(db.clone(), log.clone());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .max_blocking_threads(opts.concurrency.max(1) + 4)
        .build()?;
    let state = Arc::new(AppState::new(db, opts.clone(), log.clone()));
    let served: anyhow::Result<()> = runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(opts.listen)
            .await
            .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", opts.listen))?;
        // The active model and the medians are read before the first request comes (a store
        // with no active model yet is read again by each request, which answers 409).
        let _ = state.snapshot().await;
        ready(listener.local_addr()?);
        listen::serve(listener, router(state.clone()), &opts, shutdown_signal()).await;
        Ok(())
    });
    // Every request is answered (or cut off) before the log is closed: the writer writes what
    // it holds and stops.
    drop(state);
    runtime.shutdown_timeout(Duration::from_secs(5));
    log.close();
    let _ = writer.join();
    served
}

#[cfg(test)]
mod tests {
    use super::openapi_json;
    use serde_json::Value;

    #[test]
    fn every_route_has_a_schema_for_its_body_and_its_answer() {
        let doc: Value = serde_json::from_str(&openapi_json()).unwrap();
        let paths = doc["paths"].as_object().unwrap();
        assert_eq!(paths.len(), 10, "{:?}", paths.keys().collect::<Vec<_>>());
        for (path, item) in paths {
            for (method, op) in item.as_object().unwrap() {
                let ok = &op["responses"]["200"]["content"];
                let (_, media) = ok
                    .as_object()
                    .and_then(|m| m.iter().next())
                    .unwrap_or_else(|| panic!("{method} {path}: no content for 200"));
                assert!(
                    media["schema"].is_object(),
                    "{method} {path}: no schema for 200"
                );
                if method == "post" && path != "/v1/score/batch" {
                    let body = &op["requestBody"]["content"]["application/json"]["schema"];
                    assert!(body.is_object(), "{method} {path}: no schema for its body");
                }
            }
        }
    }

    /// `docs/api/openapi.json` is this document, generated from the types: a change of a type
    /// without the document fails here. `PRECRE_WRITE_DOCS=1 cargo test --lib api_reference`
    /// writes it anew.
    #[test]
    fn the_api_reference_in_docs_is_the_generated_document() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/api/openapi.json");
        let now = format!("{}\n", openapi_json());
        if std::env::var_os("PRECRE_WRITE_DOCS").is_some() {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, &now).unwrap();
        }
        let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            on_disk == now,
            "docs/api/openapi.json is not the generated document: run \
             PRECRE_WRITE_DOCS=1 cargo test --lib api_reference"
        );
    }
}
