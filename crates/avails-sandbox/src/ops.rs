//! The operations of the Avails API, synchronous, shared by the single and
//! batch endpoints.

use std::collections::HashMap;

use avails_model::{ApiError, BusinessLine};
use avails_rules::Context;
use axum::http::StatusCode;
use serde_json::{json, Map, Value};

use crate::api::{codes, Failure};
use crate::asset_status::has_successful_delivery;
use crate::payload::{check, rebuild, Checked};
use crate::server_rules;
use crate::state::Shared;
use crate::store::{ScopeFilter, StoredWindow};

/// A database error as a 500 (the message names SQLite's error, no payload data).
pub fn db(e: rusqlite::Error) -> Failure {
    tracing::error!(error = %e, "database error");
    Failure::internal(format!("storage error: {e}"))
}

fn invalid(errors: Vec<ApiError>) -> Failure {
    Failure {
        status: StatusCode::BAD_REQUEST,
        errors,
    }
}

fn full_context(alid: &str) -> Context {
    Context {
        partial: false,
        expected_alid: Some(alid.to_string()),
        expected_transaction_id: None,
    }
}

fn partial_context(transaction_id: &str) -> Context {
    Context {
        partial: true,
        expected_alid: None,
        expected_transaction_id: Some(transaction_id.to_string()),
    }
}

/// The stored header: the payload's, with `Licensor` filled in when absent.
fn header_text(mut header: Map<String, Value>, licensor: &str) -> String {
    if !header.contains_key("Licensor") {
        header.insert("Licensor".into(), json!({ "DisplayName": licensor }));
    }
    Value::Object(header).to_string()
}

fn ensure_deletable(sh: &Shared, licensor: &str, alid: &str) -> Result<(), Failure> {
    let records = sh.store.deliveries(licensor, alid).map_err(db)?;
    if has_successful_delivery(&records) {
        return Err(Failure::bad_request(
            codes::FULL_DELETE_NOT_ALLOWED,
            format!(
                "ALID {alid}: assets or metadata were already delivered; a full delete is no \
                 longer allowed, expire the title by moving its End date into the past"
            ),
        ));
    }
    Ok(())
}

fn scopes(checked: &Checked) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for w in &checked.windows {
        let s = (w.territory.clone(), w.business_line.clone());
        if !out.contains(&s) {
            out.push(s);
        }
    }
    out
}

/// Full-extract PUT: replaces every window of each (territory, business line)
/// of the payload, or deletes them for a `FullDelete`.
pub fn put_full(sh: &Shared, licensor: &str, alid: &str, payload: &Value) -> Result<(), Failure> {
    let checked = check(payload, &full_context(alid));
    let checked =
        server_rules::apply(&sh.known_alids, licensor, payload, checked).map_err(invalid)?;
    if checked.entry_type.as_deref() == Some("FullDelete") {
        ensure_deletable(sh, licensor, alid)?;
        let scopes = scopes(&checked);
        let removed = if scopes.is_empty() {
            sh.store.delete_title(licensor, alid)
        } else {
            sh.store.delete_scopes(licensor, alid, &scopes)
        }
        .map_err(db)?;
        if removed == 0 {
            return Err(Failure::not_found(format!(
                "nothing stored to delete for ALID {alid}"
            )));
        }
        sh.counters.delete(alid);
        return Ok(());
    }
    let header = header_text(checked.header, licensor);
    sh.store
        .replace_scopes(licensor, alid, &header, &checked.windows)
        .map_err(db)?;
    sh.counters.write(
        alid,
        checked
            .windows
            .iter()
            .filter_map(|w| w.transaction_id.as_deref()),
    );
    Ok(())
}

/// Full-extract validate: the errors a PUT of this payload would report.
pub fn validate_full(sh: &Shared, licensor: &str, alid: &str, payload: &Value) -> Vec<ApiError> {
    let checked = check(payload, &full_context(alid));
    server_rules::apply(&sh.known_alids, licensor, payload, checked)
        .err()
        .unwrap_or_default()
}

/// The `territory` and `businessLine` query parameters of a full-extract GET or DELETE.
fn scope_params(query: &HashMap<String, String>) -> Result<(String, BusinessLine), Failure> {
    let territory = query
        .get("territory")
        .map(|t| t.trim())
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            Failure::bad_request(
                codes::INVALID_PARAMETER,
                "query parameter `territory` is required",
            )
        })?;
    let line = query
        .get("businessLine")
        .ok_or_else(|| {
            Failure::bad_request(
                codes::INVALID_PARAMETER,
                "query parameter `businessLine` is required (TVOD, PRIME_SUBSCRIPTION, CHANNELS, FVOD)",
            )
        })?
        .parse::<BusinessLine>()
        .map_err(|e| Failure::bad_request(codes::INVALID_PARAMETER, e.to_string()))?;
    Ok((territory.to_string(), line))
}

/// Full-extract GET: the windows of one scope as one avail, without Disposition.
pub fn get_full(
    sh: &Shared,
    licensor: &str,
    alid: &str,
    query: &HashMap<String, String>,
) -> Result<Value, Failure> {
    let (territory, line) = scope_params(query)?;
    let rows = sh
        .store
        .scope(licensor, alid, &territory, line.as_str())
        .map_err(db)?;
    let Some(last) = rows.last() else {
        return Err(Failure::not_found(format!(
            "no avail stored for ALID {alid}, territory {territory}, business line {line}"
        )));
    };
    let trans: Vec<&str> = rows.iter().map(|r| r.trans.as_str()).collect();
    Ok(rebuild(&last.header, &trans, None))
}

/// Full-extract DELETE: removes the windows of one scope (of one contract if given).
pub fn delete_full(
    sh: &Shared,
    licensor: &str,
    alid: &str,
    query: &HashMap<String, String>,
) -> Result<(), Failure> {
    let (territory, line) = scope_params(query)?;
    ensure_deletable(sh, licensor, alid)?;
    let contract = query.get("contractId").map(String::as_str);
    let removed = sh
        .store
        .delete_scope(licensor, alid, &territory, line.as_str(), contract)
        .map_err(db)?;
    if removed == 0 {
        return Err(Failure::not_found(format!(
            "no avail stored for ALID {alid}, territory {territory}, business line {line}{}",
            contract
                .map(|c| format!(", contract {c}"))
                .unwrap_or_default()
        )));
    }
    sh.counters.delete(alid);
    Ok(())
}

/// Partial-extract PUT: creates or replaces one window by its transaction ID.
pub fn put_partial(
    sh: &Shared,
    licensor: &str,
    transaction_id: &str,
    payload: &Value,
) -> Result<(), Failure> {
    let checked = check(payload, &partial_context(transaction_id));
    let checked =
        server_rules::apply(&sh.known_alids, licensor, payload, checked).map_err(invalid)?;
    let Some(window) = checked.windows.first() else {
        return Err(Failure::bad_request(
            codes::INVALID_PAYLOAD,
            "/avail/Transaction: exactly one transaction is required",
        ));
    };
    let header = header_text(checked.header.clone(), licensor);
    sh.store
        .put_transaction(licensor, &checked.alid, &header, window)
        .map_err(db)?;
    sh.counters.write(&checked.alid, [transaction_id]);
    Ok(())
}

/// Partial-extract validate: the errors a PUT of this payload would report.
pub fn validate_partial(
    sh: &Shared,
    licensor: &str,
    transaction_id: &str,
    payload: &Value,
) -> Vec<ApiError> {
    let checked = check(payload, &partial_context(transaction_id));
    server_rules::apply(&sh.known_alids, licensor, payload, checked)
        .err()
        .unwrap_or_default()
}

/// The sandbox-only query parameters that narrow a partial-extract GET or
/// DELETE to one scope (`alid`, `territory`, `businessLine`).
pub fn scope_filter(query: &HashMap<String, String>) -> Result<ScopeFilter, Failure> {
    let get = |k: &str| {
        query
            .get(k)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    let business_line = get("businessLine")
        .map(|b| {
            b.parse::<BusinessLine>()
                .map(|l| l.as_str().to_string())
                .map_err(|e| Failure::bad_request(codes::INVALID_PARAMETER, e.to_string()))
        })
        .transpose()?;
    Ok(ScopeFilter {
        alid: get("alid"),
        territory: get("territory"),
        business_line,
    })
}

/// The one window a partial-extract call names: 404 when none, 409 when the
/// transaction ID names windows of several scopes (never one picked silently).
fn one_window(
    sh: &Shared,
    licensor: &str,
    transaction_id: &str,
    filter: &ScopeFilter,
) -> Result<StoredWindow, Failure> {
    let mut found = sh
        .store
        .transactions(licensor, transaction_id, filter)
        .map_err(db)?;
    match found.len() {
        0 => Err(Failure::not_found(format!(
            "no transaction {transaction_id} stored"
        ))),
        1 => Ok(found.remove(0)),
        n => {
            let scopes: Vec<String> = found
                .iter()
                .map(|w| format!("{} {} {}", w.alid, w.territory, w.business_line))
                .collect();
            Err(Failure::new(
                StatusCode::CONFLICT,
                codes::AMBIGUOUS_TRANSACTION,
                format!(
                    "transaction {transaction_id} names {n} windows ({}): use the full-extract \
                     GET or DELETE with territory and businessLine, or narrow this call with \
                     ?alid=&territory=&businessLine= (sandbox only)",
                    scopes.join("; ")
                ),
            ))
        }
    }
}

/// Partial-extract GET: the window as an avail with `Disposition: PartialExtract`.
pub fn get_partial(
    sh: &Shared,
    licensor: &str,
    transaction_id: &str,
    filter: &ScopeFilter,
) -> Result<Value, Failure> {
    let row = one_window(sh, licensor, transaction_id, filter)?;
    Ok(rebuild(&row.header, &[&row.trans], Some("PartialExtract")))
}

/// Partial-extract DELETE: removes one window.
pub fn delete_partial(
    sh: &Shared,
    licensor: &str,
    transaction_id: &str,
    filter: &ScopeFilter,
) -> Result<(), Failure> {
    let row = one_window(sh, licensor, transaction_id, filter)?;
    if !sh
        .store
        .delete_window(licensor, &row, transaction_id)
        .map_err(db)?
    {
        return Err(Failure::not_found(format!(
            "no transaction {transaction_id} stored"
        )));
    }
    sh.counters.delete(&row.alid);
    Ok(())
}
