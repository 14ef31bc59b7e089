//! Reading a request body: JSON parse, the rule engine, and the parts the
//! store needs (scope of each window, header without transactions).

use avails_model::diagnostic::Code;
use avails_model::{ApiError, AvailRequest, BusinessLine};
use avails_rules::{Context, Severity};
use axum::http::{header, HeaderMap, StatusCode};
use serde_json::{Map, Value};

use crate::api::{codes, error, Failure};
use crate::store::NewWindow;

/// A payload that parsed and passed validation.
#[derive(Debug)]
pub struct Checked {
    /// ALID of the payload.
    pub alid: String,
    /// `Disposition.EntryType`, if present.
    pub entry_type: Option<String>,
    /// The avail without `Disposition` and `Transaction`.
    pub header: Map<String, Value>,
    /// One window per transaction, in payload order.
    pub windows: Vec<NewWindow>,
}

/// Refuses a body sent without `Content-Type: application/json` (415).
pub fn require_json(headers: &HeaderMap) -> Result<(), Failure> {
    let ok = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"));
    if ok {
        Ok(())
    } else {
        Err(Failure::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            codes::UNSUPPORTED_MEDIA_TYPE,
            "requests with a body must carry Content-Type: application/json",
        ))
    }
}

/// Parses a body as JSON; a malformed body is a 400 naming the parse error.
pub fn parse_json(body: &[u8]) -> Result<Value, Failure> {
    serde_json::from_slice(body).map_err(|e| {
        Failure::bad_request(
            codes::INVALID_JSON,
            format!("request body is not valid JSON: {e}"),
        )
    })
}

/// Rules Prime Video does not enforce although `avails` does before sending:
/// a payload without Disposition is answered `success: true` in the
/// reference's validate examples (Prime Video assumes a full extract), so
/// the sandbox accepts it too; `avails` itself never sends one (AV004).
const NOT_ENFORCED_BY_THE_SERVER: &[Code] = &[avails_model::diagnostic::codes::AV004];

/// Runs the rule engine; returns the Error-severity findings as API errors.
pub fn rule_errors(payload: &Value, ctx: &Context) -> Vec<ApiError> {
    avails_rules::validate_payload(payload, ctx)
        .into_iter()
        .filter(|d| d.severity == Severity::Error)
        .filter(|d| !NOT_ENFORCED_BY_THE_SERVER.iter().any(|c| d.code == *c))
        .map(|d| {
            let message = if d.pointer().is_empty() {
                d.message.clone()
            } else {
                format!("{}: {}", d.pointer(), d.message)
            };
            error(&d.code, message)
        })
        .collect()
}

/// Validates a payload for a path and extracts what the store needs.
///
/// The rule engine speaks first; the sandbox then adds the checks it needs to
/// store the payload (one territory per window, a known license type, the
/// ALID and transaction ID of the path).
pub fn check(payload: &Value, ctx: &Context) -> Result<Checked, Vec<ApiError>> {
    let errors = rule_errors(payload, ctx);
    if !errors.is_empty() {
        return Err(errors);
    }
    structural(payload, ctx)
}

fn invalid(message: impl Into<String>) -> Vec<ApiError> {
    vec![error(codes::INVALID_PAYLOAD, message)]
}

fn structural(payload: &Value, ctx: &Context) -> Result<Checked, Vec<ApiError>> {
    let request: AvailRequest = serde_json::from_value(payload.clone())
        .map_err(|e| invalid(format!("payload does not match the Avail schema: {e}")))?;
    let avail = &request.avail;
    let raw = payload
        .get("avail")
        .and_then(Value::as_object)
        .ok_or_else(|| invalid("/avail: missing or not an object"))?;
    let mut errors = Vec::new();
    if let Some(expected) = &ctx.expected_alid {
        if &avail.alid != expected {
            errors.push(error(
                codes::INVALID_PAYLOAD,
                format!(
                    "/avail/ALID: `{}` does not match the ALID of the path `{expected}`",
                    avail.alid
                ),
            ));
        }
    }
    if avail.alid.trim().is_empty() {
        errors.push(error(
            codes::INVALID_PAYLOAD,
            "/avail/ALID: missing or empty",
        ));
    }
    let entry_type = avail.entry_type().map(str::to_string);
    match (ctx.partial, entry_type.as_deref()) {
        (true, None | Some("PartialExtract")) => {}
        (false, None | Some("FullExtract" | "FullDelete")) => {}
        (partial, Some(other)) => errors.push(error(
            codes::INVALID_PAYLOAD,
            format!(
                "/avail/Disposition/EntryType: `{other}` is not allowed on a {} path",
                if partial {
                    "partial-extract"
                } else {
                    "full-extract"
                }
            ),
        )),
    }
    let is_delete = entry_type.as_deref() == Some("FullDelete");
    if avail.transaction.is_empty() && !is_delete {
        errors.push(error(
            codes::INVALID_PAYLOAD,
            "/avail/Transaction: at least one transaction is required",
        ));
    }
    if ctx.partial && avail.transaction.len() > 1 {
        errors.push(error(
            codes::INVALID_PAYLOAD,
            format!(
                "/avail/Transaction: a partial extract carries exactly one transaction, got {}",
                avail.transaction.len()
            ),
        ));
    }
    let raw_trans: &[Value] = raw
        .get("Transaction")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    let mut windows = Vec::new();
    for (i, (t, raw_t)) in avail.transaction.iter().zip(raw_trans).enumerate() {
        let at = format!("/avail/Transaction/{i}");
        if t.territory.len() != 1 {
            errors.push(error(
                codes::INVALID_PAYLOAD,
                format!(
                    "{at}/Territory: exactly one territory is required, got {}",
                    t.territory.len()
                ),
            ));
            continue;
        }
        let territory = t.territory[0].country.trim().to_string();
        let license_type = t.license_type.as_deref().unwrap_or_default();
        let channel = t.term("ChannelIdentity").and_then(|c| c.text.as_deref());
        let Some(business_line) = BusinessLine::infer(license_type, channel) else {
            errors.push(error(
                codes::INVALID_PAYLOAD,
                format!(
                    "{at}/LicenseType: `{license_type}` is not one of SVOD, FVOD, EST, POEST, VOD"
                ),
            ));
            continue;
        };
        let mut trans = raw_t.clone();
        let mut transaction_id = t.transaction_id.clone();
        if let Some(expected) = &ctx.expected_transaction_id {
            match &transaction_id {
                Some(id) if id != expected => errors.push(error(
                    codes::INVALID_PAYLOAD,
                    format!(
                        "{at}/_TransactionID: `{id}` does not match the transaction ID of the path `{expected}`"
                    ),
                )),
                Some(_) => {}
                None => {
                    // The path names the transaction: store it under that ID.
                    if let Some(obj) = trans.as_object_mut() {
                        obj.insert("_TransactionID".into(), Value::String(expected.clone()));
                    }
                    transaction_id = Some(expected.clone());
                }
            }
        }
        windows.push(NewWindow {
            territory,
            business_line: business_line.as_str().to_string(),
            transaction_id,
            contract_id: t.contract_id.clone(),
            trans: trans.to_string(),
        });
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut header: Map<String, Value> = raw.clone();
    header.remove("Disposition");
    header.remove("Transaction");
    Ok(Checked {
        alid: avail.alid.clone(),
        entry_type,
        header,
        windows,
    })
}

/// Rebuilds an avail from a stored header and transactions, optionally with a Disposition.
pub fn rebuild(header: &str, transactions: &[&str], entry_type: Option<&str>) -> Value {
    let mut out = Map::new();
    let header: Map<String, Value> = serde_json::from_str(header).unwrap_or_default();
    let mut disposition_done = entry_type.is_none();
    for (k, v) in header {
        out.insert(k.clone(), v);
        // The examples put Disposition right after ALID.
        if k == "ALID" && !disposition_done {
            if let Some(e) = entry_type {
                out.insert("Disposition".into(), serde_json::json!({ "EntryType": e }));
            }
            disposition_done = true;
        }
    }
    if !disposition_done {
        if let Some(e) = entry_type {
            out.insert("Disposition".into(), serde_json::json!({ "EntryType": e }));
        }
    }
    let trans: Vec<Value> = transactions
        .iter()
        .map(|t| serde_json::from_str(t).unwrap_or(Value::Null))
        .collect();
    out.insert("Transaction".into(), Value::Array(trans));
    Value::Object(out)
}
