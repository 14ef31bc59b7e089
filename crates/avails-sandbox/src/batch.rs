//! Batch calls: `POST` on [`avails_model::api::BATCH_PUT`] and its get, delete and validate siblings.
//!
//! Each item names a partial-extract transaction path without the `/v1`
//! prefix, as in the spec's examples ([`avails_model::api::BATCH_ITEM`], and
//! [`avails_model::api::BATCH_ITEM_VALIDATE`] for `validate`). The call answers 200 with one response
//! item per request item; a body that is not a batch, or has more than 100
//! items or duplicate `requestItemId`s, is a 400.

use avails_model::api::{self, BatchOp};
use avails_model::{ApiError, MAX_BATCH_ITEMS};
use serde_json::{json, Map, Value};

use crate::api::{codes, error, Failure, ERRORS_FIELD};
use crate::ops;
use crate::state::Shared;
use crate::store::ScopeFilter;

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

/// Splits an item path into (licensor, transaction ID), the shape of
/// [`BatchOp::item_path`].
fn parse_item_path(path: &str, op: BatchOp) -> Result<(String, String), String> {
    let expected = op.item_path();
    let bad = || format!("path `{path}` is not of the form `{expected}`");
    let vars = api::match_template(expected, path).ok_or_else(bad)?;
    let var = |name: &str| {
        vars.iter()
            .find(|(n, _)| n == name)
            .and_then(|(_, v)| percent_decode(v))
            .filter(|v| !v.is_empty())
            .ok_or_else(bad)
    };
    Ok((var("licensor")?, var("transaction_id")?))
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
            m.insert(ERRORS_FIELD.into(), json!(errors));
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
        BatchOp::Get => ops::get_partial(sh, licensor, &transaction_id, &ScopeFilter::default())
            .map(Some)
            .map_err(|f| f.errors),
        BatchOp::Delete => {
            ops::delete_partial(sh, licensor, &transaction_id, &ScopeFilter::default())
                .map(|()| None)
                .map_err(|f| f.errors)
        }
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
