//! Request and response envelopes of the Avails API.
//!
//! The reference's schemas name the error list `errors` (in its French
//! tables, `erreurs`); every answer in its examples (002, 003) carries
//! `validationErrors`. Both are read; `validationErrors` is written, as the
//! examples show the wire.

use serde::{Deserialize, Serialize};

use crate::{Avail, Extra};

/// `PutAvailsAPIRequest`, `ValidateAvailsAPIRequest` and the body of a batch
/// item: `{"avail": {...}}`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct AvailRequest {
    /// The payload.
    pub avail: Avail,
    /// Attributes not modelled here, kept verbatim.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `Error`: a machine code and a human message.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ApiError {
    /// Kind of error.
    pub code: String,
    /// Human-readable description.
    pub message: String,
}

/// Put, validate and delete responses: success and errors.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct StatusResponse {
    /// Whether the operation succeeded.
    pub success: bool,
    /// Errors when it did not (`errors`, or `validationErrors` as in the examples).
    #[serde(
        default,
        rename = "validationErrors",
        alias = "errors",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub errors: Vec<ApiError>,
}

/// `GetAvailsAPIResponse`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct GetResponse {
    /// The stored payload.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub avail: Option<Avail>,
    /// Whether the operation succeeded.
    pub success: bool,
    /// Errors when it did not.
    #[serde(
        default,
        rename = "validationErrors",
        alias = "errors",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub errors: Vec<ApiError>,
}

/// A batch request (`put`, `get`, `delete`, `validate`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct BatchRequest {
    /// The items, at most 100.
    #[serde(rename = "requestItems")]
    pub request_items: Vec<BatchRequestItem>,
}

/// One item of a batch request; `body` is absent for get and delete.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct BatchRequestItem {
    /// Caller-chosen identifier echoed in the response.
    #[serde(rename = "requestItemId")]
    pub request_item_id: String,
    /// Resource path, e.g. `/avails/{licensor}/partial-extract/transactions/{id}`.
    pub path: String,
    /// The payload for put and validate.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<AvailRequest>,
}

/// A batch response.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct BatchResponse {
    /// One item per request item.
    #[serde(rename = "responseItems")]
    pub response_items: Vec<BatchResponseItem>,
}

/// One item of a batch response.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct BatchResponseItem {
    /// The request item this answers.
    #[serde(rename = "requestItemId")]
    pub request_item_id: String,
    /// Whether this item succeeded.
    pub success: bool,
    /// Errors when it did not.
    #[serde(
        default,
        rename = "validationErrors",
        alias = "errors",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub errors: Vec<ApiError>,
    /// The payload, for batch get.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub avail: Option<Avail>,
}
