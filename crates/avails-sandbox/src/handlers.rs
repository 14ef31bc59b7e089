//! Async handlers: thin wrappers running the operations on blocking threads.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use crate::api::{self, codes, Failure};
use crate::asset_status;
use crate::batch;
use crate::ops;
use crate::payload::{parse_json, require_json};
use crate::state::AppState;
use avails_model::api::BatchOp;

type QueryMap = Result<Query<HashMap<String, String>>, QueryRejection>;

fn respond(result: Result<Response, Failure>) -> Response {
    result.unwrap_or_else(IntoResponse::into_response)
}

fn query(q: QueryMap) -> Result<HashMap<String, String>, Failure> {
    q.map(|Query(m)| m)
        .map_err(|e| Failure::bad_request(codes::INVALID_PARAMETER, e.body_text()))
}

/// Checks the content type, then parses and runs `f` on a blocking thread.
async fn with_body<T, F>(
    st: &AppState,
    headers: &HeaderMap,
    body: Bytes,
    f: F,
) -> Result<T, Failure>
where
    T: Send + 'static,
    F: FnOnce(&crate::state::Shared, Value) -> Result<T, Failure> + Send + 'static,
{
    require_json(headers)?;
    st.blocking(move |sh| f(sh, parse_json(&body)?)).await?
}

/// Full-extract PUT (`Endpoint::FullExtractPut`).
pub async fn full_put(
    State(st): State<AppState>,
    Path((licensor, alid)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    respond(
        with_body(&st, &headers, body, move |sh, v| {
            ops::put_full(sh, &licensor, &alid, &v)
        })
        .await
        .map(|()| api::put_ok()),
    )
}

/// Full-extract validate.
pub async fn full_validate(
    State(st): State<AppState>,
    Path((licensor, alid)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    respond(
        with_body(&st, &headers, body, move |sh, v| {
            Ok(ops::validate_full(sh, &licensor, &alid, &v))
        })
        .await
        .map(|errors| api::validate_answer(&errors)),
    )
}

/// Full-extract GET (`?territory=&businessLine=`).
pub async fn full_get(
    State(st): State<AppState>,
    Path((licensor, alid)): Path<(String, String)>,
    q: QueryMap,
) -> Response {
    let result = async {
        let q = query(q)?;
        st.blocking(move |sh| ops::get_full(sh, &licensor, &alid, &q))
            .await?
            .map(api::get_ok)
    };
    respond(result.await)
}

/// Full-extract DELETE (`?territory=&businessLine=[&contractId=]`).
pub async fn full_delete(
    State(st): State<AppState>,
    Path((licensor, alid)): Path<(String, String)>,
    q: QueryMap,
) -> Response {
    let result = async {
        let q = query(q)?;
        st.blocking(move |sh| ops::delete_full(sh, &licensor, &alid, &q))
            .await?
            .map(|()| api::delete_ok())
    };
    respond(result.await)
}

/// Partial-extract PUT.
pub async fn partial_put(
    State(st): State<AppState>,
    Path((licensor, tid)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    respond(
        with_body(&st, &headers, body, move |sh, v| {
            ops::put_partial(sh, &licensor, &tid, &v)
        })
        .await
        .map(|()| api::put_ok()),
    )
}

/// Partial-extract validate.
pub async fn partial_validate(
    State(st): State<AppState>,
    Path((licensor, tid)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    respond(
        with_body(&st, &headers, body, move |sh, v| {
            Ok(ops::validate_partial(sh, &licensor, &tid, &v))
        })
        .await
        .map(|errors| api::validate_answer(&errors)),
    )
}

/// Partial-extract GET (sandbox-only `?alid=&territory=&businessLine=` narrow it to one scope).
pub async fn partial_get(
    State(st): State<AppState>,
    Path((licensor, tid)): Path<(String, String)>,
    q: QueryMap,
) -> Response {
    let result = async {
        let filter = ops::scope_filter(&query(q)?)?;
        st.blocking(move |sh| ops::get_partial(sh, &licensor, &tid, &filter))
            .await?
            .map(api::get_ok)
    };
    respond(result.await)
}

/// Partial-extract DELETE (sandbox-only `?alid=&territory=&businessLine=` narrow it to one scope).
pub async fn partial_delete(
    State(st): State<AppState>,
    Path((licensor, tid)): Path<(String, String)>,
    q: QueryMap,
) -> Response {
    let result = async {
        let filter = ops::scope_filter(&query(q)?)?;
        st.blocking(move |sh| ops::delete_partial(sh, &licensor, &tid, &filter))
            .await?
            .map(|()| api::delete_ok())
    };
    respond(result.await)
}

async fn run_batch(
    st: AppState,
    licensor: String,
    op: BatchOp,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    respond(
        with_body(&st, &headers, body, move |sh, v| {
            batch::run(sh, &licensor, op, &v)
        })
        .await
        .map(|v| api::json_response(StatusCode::OK, &v)),
    )
}

/// Batch put.
pub async fn batch_put(
    State(st): State<AppState>,
    Path(licensor): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    run_batch(st, licensor, BatchOp::Put, headers, body).await
}

/// Batch get.
pub async fn batch_get(
    State(st): State<AppState>,
    Path(licensor): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    run_batch(st, licensor, BatchOp::Get, headers, body).await
}

/// Batch delete.
pub async fn batch_delete(
    State(st): State<AppState>,
    Path(licensor): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    run_batch(st, licensor, BatchOp::Delete, headers, body).await
}

/// Batch validate.
pub async fn batch_validate(
    State(st): State<AppState>,
    Path(licensor): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    run_batch(st, licensor, BatchOp::Validate, headers, body).await
}

/// Asset Status GET (`?marketplace=`).
pub async fn asset_status(
    State(st): State<AppState>,
    Path((licensor, alid)): Path<(String, String)>,
    q: QueryMap,
) -> Response {
    let result = async {
        let q = query(q)?;
        st.blocking(move |sh| {
            asset_status::product_status(
                sh,
                &licensor,
                &alid,
                q.get("marketplace").map(String::as_str),
            )
        })
        .await?
        .map(|v| api::json_response(StatusCode::OK, &v))
    };
    respond(result.await)
}

/// The sandbox-only delivery recorder ([`crate::SANDBOX_DELIVERIES`]).
pub async fn record_delivery(
    State(st): State<AppState>,
    Path((licensor, alid)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    respond(
        with_body(&st, &headers, body, move |sh, v| {
            asset_status::record_delivery(sh, &licensor, &alid, &v)
        })
        .await
        .map(|v| api::json_response(StatusCode::CREATED, &v)),
    )
}
