//! Local validator for Prime Video Avails API payloads (`{"avail": {...}}`).
//!
//! Works on `serde_json::Value` so that type errors (a Money given as a
//! string) are reported one by one instead of failing a typed parse. Every
//! rule has a stable code (`AV001`...) listed by [`rules`].

use serde::Serialize;

/// How bad a finding is: errors block an upload, warnings do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Prime Video would reject the payload.
    Error,
    /// Accepted, but something has no effect or looks wrong.
    Warning,
}

/// One rule of the catalogue.
#[derive(Debug, Clone, Serialize)]
pub struct Rule {
    /// Stable code, `AV001`...
    pub code: &'static str,
    /// Severity of every diagnostic with this code.
    pub severity: Severity,
    /// One-line summary.
    pub summary: &'static str,
    /// Where in the reference the rule comes from (and any example-driven choice).
    pub spec: &'static str,
}

/// One finding about a payload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Rule code.
    pub code: &'static str,
    /// Severity of the rule.
    pub severity: Severity,
    /// One-line message naming what was found and what is allowed.
    pub message: String,
    /// JSON pointer into the value given, e.g. `/avail/Transaction/1/Territory/0/country`.
    pub pointer: String,
}

/// What the caller knows about where a payload is going.
#[derive(Debug, Clone, Default)]
pub struct Context {
    /// The payload is the body of a partial-extract transaction PUT.
    pub partial: bool,
    /// ALID of the path the payload is sent to.
    pub expected_alid: Option<String>,
    /// Transaction ID of the partial-extract path the payload is sent to.
    pub expected_transaction_id: Option<String>,
}

/// The rule catalogue.
pub fn rules() -> &'static [Rule] {
    &[]
}

/// Validates one payload `{"avail": {...}}`.
pub fn validate_payload(_payload: &serde_json::Value, _ctx: &Context) -> Vec<Diagnostic> {
    Vec::new()
}

/// Validates each payload and the rules across payloads of one file; each
/// diagnostic comes with the index of its payload.
pub fn validate_payloads<'a>(
    payloads: impl IntoIterator<Item = &'a serde_json::Value>,
) -> Vec<(usize, Diagnostic)> {
    let ctx = Context::default();
    payloads
        .into_iter()
        .enumerate()
        .flat_map(|(i, p)| validate_payload(p, &ctx).into_iter().map(move |d| (i, d)))
        .collect()
}

/// Validates a batch request `{"requestItems": [...]}` and each item's body.
pub fn validate_batch(_request: &serde_json::Value) -> Vec<Diagnostic> {
    Vec::new()
}
