//! Batch calls: `POST /v1/avails/{licensor}/partial-extract/batch/{put|get|delete|validate}`.
//!
//! Each item names a partial-extract transaction path without the `/v1`
//! prefix, as in the spec's examples:
//! `/avails/{licensor}/partial-extract/transactions/{transactionId}` (with a
//! `/validate` suffix for `validate`). The call answers 200 with one response
//! item per request item; a body that is not a batch, or has more than 100
//! items or duplicate `requestItemId`s, is a 400.

use avails_model::{ApiError, MAX_BATCH_ITEMS};
use serde_json::{json, Map, Value};

use crate::api::{codes, error, Failure};
use crate::ops;
use crate::state::Shared;

/// The four batch operations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BatchOp {
    /// Partial-extract PUT of each item.
    Put,
    /// Partial-extract GET of each item.
    Get,
    /// Partial-extract DELETE of each item.
    Delete,
    /// Partial-extract validate of each item.
    Validate,
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Splits an item path into (licensor, transaction ID).
fn parse_item_path(path: &str, op: BatchOp) -> Result<(String, String), String> {
    let expected = match op {
        BatchOp::Validate => {
            "/avails/{licensor}/partial-extract/transactions/{transactionId}/validate"
        }
        _ => "/avails/{licensor}/partial-extract/transactions/{transactionId}",
    };
    let bad = || format!("path `{path}` is not of the form `{expected}`");
    let rest = path.strip_prefix("/avails/").ok_or_else(bad)?;
    let parts: Vec<&str> = rest.split('/').collect();
    let ok_shape = match op {
        BatchOp::Validate => parts.len() == 5 && parts[4] == "validate",
        _ => parts.len() == 4,
    };
    if !ok_shape || parts[1] != "partial-extract" || parts[2] != "transactions" {
        return Err(bad());
    }
    let licensor = percent_decode(parts[0]).ok_or_else(bad)?;
    let transaction = percent_decode(parts[3]).ok_or_else(bad)?;
    if licensor.is_empty() || transaction.is_empty() {
        return Err(bad());
    }
    Ok((licensor, transaction))
}

struct Item<'a> {
    id: &'a str,
    path: &'a str,
    body: Option<&'a Value>,
}

fn items(request: &Value) -> Result<Vec<Item<'_>>, Failure> {
    let list = request
        .get("requestItems")
        .and_then(Value::as_array)
        .ok_or_else(|| {
            Failure::bad_request(
                codes::INVALID_BATCH,
                "/requestItems: missing or not an array",
            )
        })?;
    if list.len() > MAX_BATCH_ITEMS {
        return Err(Failure::bad_request(
            codes::INVALID_BATCH,
            format!(
                "/requestItems: {} items, a batch carries at most {MAX_BATCH_ITEMS}",
                list.len()
            ),
        ));
    }
    let mut out: Vec<Item<'_>> = Vec::with_capacity(list.len());
    for (i, item) in list.iter().enumerate() {
        let field = |name: &str| item.get(name).and_then(Value::as_str);
        let (Some(id), Some(path)) = (field("requestItemId"), field("path")) else {
            return Err(Failure::bad_request(
                codes::INVALID_BATCH,
                format!("/requestItems/{i}: `requestItemId` and `path` strings are required"),
            ));
        };
        if out.iter().any(|o| o.id == id) {
            return Err(Failure::bad_request(
                codes::INVALID_BATCH,
                format!("/requestItems/{i}/requestItemId: `{id}` is used twice"),
            ));
        }
        out.push(Item {
            id,
            path,
            body: item.get("body"),
        });
    }
    Ok(out)
}

fn answer(id: &str, outcome: Result<Option<Value>, Vec<ApiError>>) -> Value {
    let mut m = Map::new();
    match outcome {
        Ok(avail) => {
            if let Some(a) = avail {
                m.insert("avail".into(), a);
            }
            m.insert("requestItemId".into(), json!(id));
            m.insert("success".into(), json!(true));
        }
        Err(errors) => {
            m.insert("requestItemId".into(), json!(id));
            m.insert("success".into(), json!(false));
            m.insert("errors".into(), json!(errors));
        }
    }
    Value::Object(m)
}

fn run_item(
    sh: &Shared,
    licensor: &str,
    op: BatchOp,
    item: &Item<'_>,
) -> Result<Option<Value>, Vec<ApiError>> {
    let (path_licensor, transaction_id) =
        parse_item_path(item.path, op).map_err(|m| vec![error(codes::INVALID_PATH, m)])?;
    if path_licensor != licensor {
        return Err(vec![error(
            codes::FORBIDDEN,
            format!("path `{}` belongs to another licensor", item.path),
        )]);
    }
    let body = || {
        item.body.ok_or_else(|| {
            vec![error(
                codes::INVALID_PAYLOAD,
                "`body` with an `avail` is required for this operation",
            )]
        })
    };
    match op {
        BatchOp::Put => ops::put_partial(sh, licensor, &transaction_id, body()?)
            .map(|()| None)
            .map_err(|f| f.errors),
        BatchOp::Validate => {
            let errors = ops::validate_partial(sh, licensor, &transaction_id, body()?);
            if errors.is_empty() {
                Ok(None)
            } else {
                Err(errors)
            }
        }
        BatchOp::Get => ops::get_partial(sh, licensor, &transaction_id)
            .map(Some)
            .map_err(|f| f.errors),
        BatchOp::Delete => ops::delete_partial(sh, licensor, &transaction_id)
            .map(|()| None)
            .map_err(|f| f.errors),
    }
}

/// Runs a batch; each item is its own operation (and its own SQLite transaction).
pub fn run(sh: &Shared, licensor: &str, op: BatchOp, request: &Value) -> Result<Value, Failure> {
    let items = items(request)?;
    let answers: Vec<Value> = items
        .iter()
        .map(|item| answer(item.id, run_item(sh, licensor, op, item)))
        .collect();
    Ok(json!({ "responseItems": answers }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn item_paths() {
        assert_eq!(
            parse_item_path(
                "/avails/lic/partial-extract/transactions/t%201",
                BatchOp::Put
            ),
            Ok(("lic".into(), "t 1".into()))
        );
        assert!(parse_item_path(
            "/avails/lic/partial-extract/transactions/t1/validate",
            BatchOp::Put
        )
        .is_err());
        assert_eq!(
            parse_item_path(
                "/avails/lic/partial-extract/transactions/t1/validate",
                BatchOp::Validate
            ),
            Ok(("lic".into(), "t1".into()))
        );
        assert!(parse_item_path(
            "/v1/avails/lic/partial-extract/transactions/t1",
            BatchOp::Get
        )
        .is_err());
        assert!(parse_item_path("/avails/lic/full-extract/transactions/t1", BatchOp::Get).is_err());
        assert!(parse_item_path("/avails//partial-extract/transactions/t1", BatchOp::Get).is_err());
    }
}
