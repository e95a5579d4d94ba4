//! The service's errors as HTTP answers: a status by kind and a JSON body naming the field,
//! `{"error": {"kind", "message", "field"}}`; a busy store is 503 with `Retry-After`.

use crate::ops::{ErrorKind, OpsError};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// What went wrong, as a client reads it (`error.kind`) and the metrics count it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    Unauthorized,
    Forbidden,
    Malformed,
    Invalid,
    NotFound,
    Conflict,
    NoModel,
    Busy,
    Overloaded,
    TooLarge,
    TooManyRows,
    Timeout,
    Internal,
    Damaged,
    Io,
    Cancelled,
}

impl ErrorCode {
    /// The kind's name in answers and metrics.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Unauthorized => "unauthorized",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::Malformed => "malformed",
            ErrorCode::Invalid => "invalid",
            ErrorCode::NotFound => "not_found",
            ErrorCode::Conflict => "conflict",
            ErrorCode::NoModel => "no_model",
            ErrorCode::Busy => "busy",
            ErrorCode::Overloaded => "overloaded",
            ErrorCode::TooLarge => "too_large",
            ErrorCode::TooManyRows => "too_many_rows",
            ErrorCode::Timeout => "timeout",
            ErrorCode::Internal => "internal",
            ErrorCode::Damaged => "damaged",
            ErrorCode::Io => "io",
            ErrorCode::Cancelled => "cancelled",
        }
    }
}

/// An error answer.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub kind: ErrorCode,
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
    pub fn new(status: StatusCode, kind: ErrorCode, message: impl Into<String>) -> Self {
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
            ErrorCode::Unauthorized,
            "a valid bearer token is needed (Authorization: Bearer TOKEN)",
        )
    }

    pub fn forbidden(needed: &str) -> Self {
        ApiError::new(
            StatusCode::FORBIDDEN,
            ErrorCode::Forbidden,
            format!("this token's scope does not allow this; it needs the '{needed}' scope"),
        )
    }

    pub fn busy() -> Self {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::Busy,
            "the store is busy (an import or another writer holds it); nothing was changed, retry",
        )
    }
}

impl From<OpsError> for ApiError {
    fn from(e: OpsError) -> Self {
        let (status, kind) = match e.kind() {
            ErrorKind::Usage => (StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::Invalid),
            ErrorKind::BadData => (StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::Invalid),
            ErrorKind::NotFound => (StatusCode::NOT_FOUND, ErrorCode::NotFound),
            ErrorKind::Conflict => (StatusCode::CONFLICT, ErrorCode::Conflict),
            ErrorKind::Busy => return ApiError::busy(),
            ErrorKind::Cancelled => (StatusCode::SERVICE_UNAVAILABLE, ErrorCode::Cancelled),
            ErrorKind::Damaged => (StatusCode::INTERNAL_SERVER_ERROR, ErrorCode::Damaged),
            ErrorKind::Io => (StatusCode::INTERNAL_SERVER_ERROR, ErrorCode::Io),
        };
        if status == StatusCode::INTERNAL_SERVER_ERROR {
            // The details (a file's path, the store's words) go to the service's log, not to
            // a client.
            eprintln!("precre serve: {}: {e}", kind.as_str());
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
                kind: self.kind.as_str().to_string(),
                message: self.message,
                field: self.field,
            },
        };
        let mut resp = (self.status, axum::Json(body)).into_response();
        if retry {
            resp.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        }
        resp.extensions_mut()
            .insert(ErrorKindTag(self.kind.as_str()));
        resp
    }
}

/// The error kind of an answer, for the metrics.
#[derive(Debug, Clone, Copy)]
pub struct ErrorKindTag(pub &'static str);
