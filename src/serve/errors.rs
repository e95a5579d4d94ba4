//! The service's errors as HTTP answers: a status by kind and a JSON body naming the field,
//! `{"error": {"kind", "message", "field"}}`; a busy store is 503 with `Retry-After`.

use crate::ops::{ErrorKind, OpsError};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// An error answer.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub kind: &'static str,
    pub message: String,
    pub field: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// unauthorized, forbidden, malformed, invalid, not_found, conflict, busy, too_large, ...
    pub kind: String,
    pub message: String,
    /// The field at fault (`statements[0].items.revenue`), where there is one.
    pub field: Option<String>,
}

impl ApiError {
    pub fn new(status: StatusCode, kind: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            kind,
            message: message.into(),
            field: None,
        }
    }

    pub fn field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    pub fn unauthorized() -> Self {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "a valid bearer token is needed (Authorization: Bearer TOKEN)",
        )
    }

    pub fn forbidden(needed: &str) -> Self {
        ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            format!("this token's scope does not allow this; it needs the '{needed}' scope"),
        )
    }

    pub fn busy() -> Self {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "busy",
            "the store is busy (an import or another writer holds it); nothing was changed, retry",
        )
    }
}

impl From<OpsError> for ApiError {
    fn from(e: OpsError) -> Self {
        let (status, kind) = match e.kind() {
            ErrorKind::Usage => (StatusCode::UNPROCESSABLE_ENTITY, "invalid"),
            ErrorKind::BadData => (StatusCode::UNPROCESSABLE_ENTITY, "invalid"),
            ErrorKind::NotFound => (StatusCode::NOT_FOUND, "not_found"),
            ErrorKind::Conflict => (StatusCode::CONFLICT, "conflict"),
            ErrorKind::Busy => return ApiError::busy(),
            ErrorKind::Cancelled => (StatusCode::SERVICE_UNAVAILABLE, "cancelled"),
            ErrorKind::Damaged => (StatusCode::INTERNAL_SERVER_ERROR, "damaged"),
            ErrorKind::Io => (StatusCode::INTERNAL_SERVER_ERROR, "io"),
        };
        if status == StatusCode::INTERNAL_SERVER_ERROR {
            // The details (a file's path, the store's words) go to the service's log, not to
            // a client.
            eprintln!("precre serve: {kind}: {e}");
            return ApiError::new(
                status,
                kind,
                "the service cannot read or write its store; its log says why",
            );
        }
        let field = match &e {
            OpsError::Field { field, .. } => Some(field.clone()),
            _ => None,
        };
        ApiError {
            status,
            kind,
            message: e.to_string(),
            field,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let retry = self.status == StatusCode::SERVICE_UNAVAILABLE;
        let body = ErrorBody {
            error: ErrorDetail {
                kind: self.kind.to_string(),
                message: self.message,
                field: self.field,
            },
        };
        let mut resp = (self.status, axum::Json(body)).into_response();
        if retry {
            resp.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        }
        resp.extensions_mut().insert(ErrorKindTag(self.kind));
        resp
    }
}

/// The error kind of an answer, for the metrics.
#[derive(Debug, Clone, Copy)]
pub struct ErrorKindTag(pub &'static str);
