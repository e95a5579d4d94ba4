//! The accept loop's direct path to `POST /v1/score`, the route other systems call most: the
//! same work as the router's route (`handlers::score_request`), the same request timeout and
//! the same metrics, without the router's matching, boxed services and middleware, which
//! cost about as much CPU as the score itself under load. Every other request goes through
//! the router. A layer added to the router does not reach this route: add its work here too.

use super::handlers;
use super::state::AppState;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use axum::response::{IntoResponse, Response};
use std::future::Future;
use std::sync::Arc;
use std::time::Instant;

/// The route the direct path serves.
pub const ROUTE: &str = "/v1/score";

/// Whether `req` takes the direct path.
pub fn takes<B>(req: &Request<B>) -> bool {
    req.method() == Method::POST && req.uri().path() == ROUTE
}

/// Answers a score request as the router would (a request past its time gets 408 with no
/// body, as the router's timeout layer answers), and counts it in the metrics.
///
/// The work is tried once before a timer is set: a body that has all arrived with its headers,
/// a token in the cache and a score that stores nothing finish in that first try, which is
/// the usual request, and then no timer is set and cleared. Anything that waits (the rest of
/// the body, a store call) runs under the request timeout, counted from `started`.
pub async fn score(state: Arc<AppState>, req: Request<Body>) -> Response {
    let started = Instant::now();
    let (parts, body) = req.into_parts();
    let work = handlers::score_request(&state, &parts.headers, body);
    let resp = match within(&state, started, work).await {
        Some(Ok(resp)) => resp,
        Some(Err(e)) => e.into_response(),
        None => StatusCode::REQUEST_TIMEOUT.into_response(),
    };
    super::count(&state, ROUTE, &resp, started);
    resp
}

/// `work` under the request timeout counted from `started` (`None`: past its time). It is
/// polled once before a timer is set: the usual score finishes in that first poll.
pub async fn within<T>(
    state: &AppState,
    started: Instant,
    work: impl Future<Output = T>,
) -> Option<T> {
    let mut work = std::pin::pin!(work);
    let first = std::future::poll_fn(|cx| std::task::Poll::Ready(work.as_mut().poll(cx))).await;
    match first {
        std::task::Poll::Ready(done) => Some(done),
        std::task::Poll::Pending => {
            tokio::time::timeout_at((started + state.opts.request_timeout).into(), work)
                .await
                .ok()
        }
    }
}
