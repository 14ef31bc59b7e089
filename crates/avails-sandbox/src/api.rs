//! JSON answers of the API: successes and `{"success": false, "validationErrors": [...]}`.
//!
//! The reference's examples (002, 003) name the error list `validationErrors`
//! in every answer; the sandbox answers the same (clients read `errors` too).

use avails_model::ApiError;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

/// Error codes the sandbox itself answers with (the rule engine has its own).
pub mod codes {
    /// Missing or unknown `x-api-key`.
    pub const UNAUTHORIZED: &str = "UNAUTHORIZED";
    /// A key used on another licensor's path.
    pub const FORBIDDEN: &str = "FORBIDDEN";
    /// Nothing stored for the path.
    pub const NOT_FOUND: &str = "NOT_FOUND";
    /// No route for this method and path.
    pub const METHOD_NOT_ALLOWED: &str = "METHOD_NOT_ALLOWED";
    /// The body is not JSON.
    pub const INVALID_JSON: &str = "INVALID_JSON";
    /// The body is JSON but not an avail the sandbox can store.
    pub const INVALID_PAYLOAD: &str = "INVALID_PAYLOAD";
    /// A body sent without `Content-Type: application/json`.
    pub const UNSUPPORTED_MEDIA_TYPE: &str = "UNSUPPORTED_MEDIA_TYPE";
    /// A missing or wrong query parameter.
    pub const INVALID_PARAMETER: &str = "INVALID_PARAMETER";
    /// A body larger than the sandbox accepts (413).
    pub const PAYLOAD_TOO_LARGE: &str = "PAYLOAD_TOO_LARGE";
    /// A batch whose shape is wrong or that has more than 100 items.
    pub const INVALID_BATCH: &str = "INVALID_BATCH";
    /// A batch item whose `path` is not one the batch operation accepts.
    pub const INVALID_PATH: &str = "INVALID_PATH";
    /// A partial-extract call whose transaction ID names windows of several scopes (409).
    pub const AMBIGUOUS_TRANSACTION: &str = "AMBIGUOUS_TRANSACTION";
    /// A FullDelete after assets or metadata were delivered.
    pub const FULL_DELETE_NOT_ALLOWED: &str = "FULL_DELETE_NOT_ALLOWED";
    /// Rate or concurrency limit exceeded (429).
    pub const THROTTLED: &str = "THROTTLED";
    /// An internal error, real or injected (500).
    pub const INTERNAL_ERROR: &str = "INTERNAL_ERROR";
    /// A dependency failure, injected (503).
    pub const SERVICE_UNAVAILABLE: &str = "SERVICE_UNAVAILABLE";
}

/// A failed operation: the HTTP status and the errors to report.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    /// HTTP status of a single (non-batch) request.
    pub status: StatusCode,
    /// Errors, reported under `validationErrors`.
    pub errors: Vec<ApiError>,
}

impl Failure {
    /// A failure with one error.
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> Self {
        Self {
            status,
            errors: vec![error(code, message)],
        }
    }

    /// A 400 with one error.
    pub fn bad_request(code: &str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    /// A 404 with one error.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, codes::NOT_FOUND, message)
    }

    /// A 500 with one error.
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            codes::INTERNAL_ERROR,
            message,
        )
    }
}

/// One `{"code", "message"}`.
pub fn error(code: &str, message: impl Into<String>) -> ApiError {
    ApiError {
        code: code.to_string(),
        message: message.into(),
    }
}

/// A JSON answer with this status.
pub fn json_response(status: StatusCode, body: &Value) -> Response {
    let bytes = serde_json::to_vec(body).unwrap_or_else(|_| b"{}".to_vec());
    let mut res = (status, bytes).into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    res
}

/// Name of the error list in every answer, as in the reference's examples.
pub const ERRORS_FIELD: &str = "validationErrors";

/// The body of a failure: `{"success": false, "validationErrors": [...]}`.
pub fn failure_body(errors: &[ApiError]) -> Value {
    json!({ "success": false, ERRORS_FIELD: errors })
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        json_response(self.status, &failure_body(&self.errors))
    }
}

/// `200 {"success": true, "validationErrors": []}`, the answer of a PUT that landed.
pub fn put_ok() -> Response {
    json_response(
        StatusCode::OK,
        &json!({ "success": true, ERRORS_FIELD: [] }),
    )
}

/// `200 {"success": true}`, the answer of a DELETE that removed something.
pub fn delete_ok() -> Response {
    json_response(StatusCode::OK, &json!({ "success": true }))
}

/// `200 {"success": ..., "validationErrors": [...]}`, the answer of `/validate`.
pub fn validate_answer(errors: &[ApiError]) -> Response {
    json_response(
        StatusCode::OK,
        &json!({ "success": errors.is_empty(), ERRORS_FIELD: errors }),
    )
}

/// `200 {"avail": {...}, "success": true}`, the answer of a GET.
pub fn get_ok(avail: Value) -> Response {
    json_response(StatusCode::OK, &json!({ "avail": avail, "success": true }))
}
