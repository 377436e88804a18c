//! The one error type of the web crate, and how each becomes an HTTP answer: `{"error", "field"}` with the
//! status the README promises.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kindly_core::CoreError;
use serde_json::json;

#[derive(Debug, thiserror::Error)]
pub enum WebError {
    #[error("sign in first: open the login link `kindly serve` printed")]
    Unauthenticated,
    #[error("{0}")]
    Forbidden(&'static str),
    #[error("{message}")]
    BadRequest { field: Option<String>, message: String },
    #[error("send the body as JSON (Content-Type: application/json)")]
    NotJson,
    #[error("{what} `{id}` not found")]
    NotFound { what: &'static str, id: String },
    /// The approval names other content than the server renders now.
    #[error("the preview you approved is no longer what would be sent; it now renders to {current_hash}")]
    StaleApproval { current_hash: String },
    #[error("{0}")]
    Conflict(String),
    /// Some drafts of a set are no longer what the browser rendered: `[{"id", "reason"}]`.
    #[error("some drafts changed since you saw them; nothing was approved")]
    StaleSet(Vec<serde_json::Value>),
    #[error("{0}")]
    Internal(String),
    /// The router was set up wrongly (a start-up error, never an answer to a request).
    #[error("configuration: {0}")]
    Config(String),
}

impl From<CoreError> for WebError {
    fn from(error: CoreError) -> WebError {
        match error {
            CoreError::NotFound { what, id } => WebError::NotFound { what, id },
            CoreError::StaleApproval { current, .. } => WebError::StaleApproval { current_hash: current },
            CoreError::WrongStatus { .. } | CoreError::Conflict(_) | CoreError::IllegalTransition { .. } => {
                WebError::Conflict(error.to_string())
            }
            CoreError::InvalidField { field, .. } => WebError::BadRequest {
                field: Some(field.to_owned()),
                message: error.to_string(),
            },
            other => WebError::Internal(other.to_string()),
        }
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let status = match &self {
            WebError::Unauthenticated => StatusCode::UNAUTHORIZED,
            WebError::Forbidden(_) => StatusCode::FORBIDDEN,
            WebError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            WebError::NotJson => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            WebError::NotFound { .. } => StatusCode::NOT_FOUND,
            WebError::StaleApproval { .. } | WebError::Conflict(_) | WebError::StaleSet(_) => StatusCode::CONFLICT,
            WebError::Internal(_) | WebError::Config(_) => StatusCode::INTERNAL_SERVER_ERROR,
        };
        if let WebError::Internal(detail) | WebError::Config(detail) = &self {
            tracing::error!(error = %detail, "request failed");
        }
        let message = match &self {
            // The details of a store failure are for the log, not the browser.
            WebError::Internal(_) | WebError::Config(_) => {
                "something went wrong on the server; it is logged".to_owned()
            }
            other => other.to_string(),
        };
        let mut body = json!({ "error": message });
        match &self {
            WebError::BadRequest { field: Some(field), .. } => body["field"] = json!(field),
            WebError::StaleApproval { current_hash } => body["current_hash"] = json!(current_hash),
            WebError::StaleSet(stale) => body["stale"] = json!(stale),
            _ => {}
        }
        (status, Json(body)).into_response()
    }
}
