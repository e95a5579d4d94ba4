//! Who is calling, from the request's head alone: a route layer checks the bearer token and its
//! scope before any byte of the body is read (a wrong token costs the service a look-up, not a
//! body), and a request with two `Authorization` or `Host` headers is refused, not read by its
//! first.

use super::errors::{ApiError, ErrorCode};
use super::state::AppState;
use crate::ops::tokens::Scope;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

/// The caller of a request, as its token says: the name recorded with its calls (and as the
/// analyst of its decisions) and its scope.
#[derive(Debug, Clone)]
pub struct Caller {
    pub name: String,
    pub scope: Scope,
}

impl Caller {
    /// Refuses (403) unless the caller's scope allows `needed`.
    pub fn require(&self, needed: Scope) -> Result<(), ApiError> {
        if self.scope < needed {
            return Err(ApiError::forbidden(needed.name()));
        }
        Ok(())
    }
}

/// The route layer of the routes that need `needed`: the caller is checked from the head and
/// handed to the handler as an extension.
pub async fn require(
    State((state, needed)): State<(Arc<AppState>, Scope)>,
    mut req: Request,
    next: Next,
) -> Response {
    match caller(&state, req.headers(), needed).await {
        Ok(caller) => {
            req.extensions_mut().insert(caller);
            next.run(req).await
        }
        Err(e) => e.into_response(),
    }
}

/// The caller of a request whose headers are `headers`, checked against `needed`.
pub async fn caller(
    state: &Arc<AppState>,
    headers: &HeaderMap,
    needed: Scope,
) -> Result<Caller, ApiError> {
    let secret = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .ok_or_else(ApiError::unauthorized)?;
    let (name, scope) = state
        .token(secret)
        .await?
        .ok_or_else(ApiError::unauthorized)?;
    let caller = Caller { name, scope };
    caller.require(needed)?;
    Ok(caller)
}

/// Headers a request may carry once only: two of them are ambiguous (a proxy and the service
/// could each read a different one).
const ONCE: [header::HeaderName; 4] = [
    header::AUTHORIZATION,
    header::HOST,
    header::CONTENT_TYPE,
    header::CONTENT_LENGTH,
];

/// Refuses (400) a request that repeats a header of [`ONCE`].
pub async fn single_headers(req: Request, next: Next) -> Response {
    if let Some(h) = ONCE
        .iter()
        .find(|h| req.headers().get_all(*h).iter().nth(1).is_some())
    {
        return ApiError::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::Malformed,
            format!("the {h} header is given more than once; give it once"),
        )
        .into_response();
    }
    next.run(req).await
}
