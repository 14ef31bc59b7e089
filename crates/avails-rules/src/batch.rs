//! Batch requests: `{"requestItems": [{"requestItemId", "path", "body"}]}`.

use avails_model::diagnostic::codes::*;
use std::collections::HashMap;

use serde_json::Value;

use avails_model::doc::{Doc, Node, View};

use crate::report::{describe, quote, Report};
use crate::{countries, enums, schema, Context, Diagnostic, MAX_BATCH_ITEMS};

/// What a batch item path addresses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target<'a> {
    /// `/avails/{licensor}/full-extract/{alid}`
    Full {
        /// ALID in the path.
        alid: &'a str,
    },
    /// `/avails/{licensor}/partial-extract/transactions/{id}`
    Partial {
        /// Transaction ID in the path.
        transaction_id: &'a str,
    },
}

/// A parsed batch item path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ItemPath<'a> {
    /// Licensor segment.
    pub licensor: &'a str,
    /// The resource addressed.
    pub target: Target<'a>,
    /// Whether the path ends in `/validate`.
    pub validate: bool,
    /// Query string after `?`, if any.
    pub query: Option<&'a str>,
}

/// Why a batch item path is not a well-formed Avails resource path.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PathError {
    /// The path does not start with `/avails/`.
    #[error("does not start with /avails/")]
    Prefix,
    /// A segment is empty or holds whitespace, `#` or `?`.
    #[error("has an empty or invalid segment `{0}`")]
    Segment(String),
    /// The segments match no Avails resource.
    #[error("is neither /avails/{{licensor}}/full-extract/{{ALID}}[/validate] nor /avails/{{licensor}}/partial-extract/transactions/{{TransactionID}}[/validate]")]
    Shape,
}

fn segment_ok(s: &str) -> bool {
    !s.is_empty() && !s.chars().any(|c| c.is_whitespace() || c == '#' || c == '?')
}

/// Parses a batch item path such as
/// `/avails/testlicensor/partial-extract/transactions/demoTransactionId1/validate`.
pub fn parse_item_path(path: &str) -> Result<ItemPath<'_>, PathError> {
    let (path, query) = match path.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (path, None),
    };
    let rest = path.strip_prefix("/avails/").ok_or(PathError::Prefix)?;
    let (rest, validate) = match rest.strip_suffix("/validate") {
        Some(r) => (r, true),
        None => (rest, false),
    };
    let mut segs = [""; 4];
    let mut n = 0;
    for seg in rest.split('/') {
        if !segment_ok(seg) {
            return Err(PathError::Segment(seg.to_owned()));
        }
        if n == segs.len() {
            return Err(PathError::Shape);
        }
        segs[n] = seg;
        n += 1;
    }
    let (licensor, target) = match &segs[..n] {
        [licensor, "full-extract", alid] => (*licensor, Target::Full { alid }),
        [licensor, "partial-extract", "transactions", id] => {
            (*licensor, Target::Partial { transaction_id: id })
        }
        _ => return Err(PathError::Shape),
    };
    Ok(ItemPath {
        licensor,
        target,
        validate,
        query,
    })
}

fn check_query(query: &str, r: &mut Report) {
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        match k {
            "businessLine" if !enums::contains(enums::BUSINESS_LINES, v) => r.emit(
                AV017,
                format!(
                    "businessLine {} is not allowed (allowed: {})",
                    quote(v),
                    enums::list(enums::BUSINESS_LINES)
                ),
            ),
            "territory" if !countries::is_country(v) => r.emit(AV040, schema::country_message(v)),
            _ => {}
        }
    }
}

/// Validates a batch request; see [`crate::validate_batch`].
pub fn validate(request: &Value) -> Vec<Diagnostic> {
    let doc = Doc::from_value(request);
    validate_node(doc.root())
}

fn validate_node(request: Node) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    // Each item with a body: its index, its path and its body.
    let mut bodies: Vec<(usize, &str, Node)> = Vec::new();
    {
        let mut r = Report::new(&mut out, "");
        let Some(root) = request.as_object() else {
            r.emit(
                AV003,
                format!(
                    "a batch request must be an object with requestItems, found {}",
                    describe(request)
                ),
            );
            return out;
        };
        for key in root.keys().filter(|k| *k != "requestItems") {
            r.emit_at(
                key,
                AV005,
                format!("attribute `{key}` is not supported in a batch request and is ignored"),
            );
        }
        let items = match root.get("requestItems").map(|v| (v, v.view())) {
            Some((_, View::Array(items))) if !items.is_empty() => items,
            Some((_, View::Array(_) | View::Null)) | None => {
                r.emit_at(
                    "requestItems",
                    AV002,
                    "required attribute requestItems is missing or empty in the batch request"
                        .to_owned(),
                );
                return out;
            }
            Some((other, _)) => {
                r.emit_at(
                    "requestItems",
                    AV003,
                    format!("requestItems must be an array, found {}", describe(other)),
                );
                return out;
            }
        };
        r.key("requestItems");
        if items.len() > MAX_BATCH_ITEMS {
            r.emit(
                AV090,
                format!(
                    "batch has {} items (allowed: at most {MAX_BATCH_ITEMS})",
                    items.len()
                ),
            );
        }
        let mut ids: HashMap<&str, usize> = HashMap::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let m = r.mark();
            r.index(i);
            check_item(item, i, &mut ids, &mut bodies, &mut r);
            r.truncate(m);
        }
        // A put or validate batch carries a body in every item: one missing
        // while others have one, or on a /validate path, is AV002.
        for (i, item) in items.iter().enumerate() {
            let Some(item) = item.as_object() else {
                continue;
            };
            if item.get("body").is_some_and(|b| !b.is_null()) {
                continue;
            }
            let validate = item
                .get("path")
                .and_then(Node::as_str)
                .and_then(|p| parse_item_path(p).ok())
                .is_some_and(|p| p.validate);
            let why = if validate {
                "a /validate item"
            } else if !bodies.is_empty() {
                "an item of a batch whose other items carry one"
            } else {
                continue;
            };
            let m = r.mark();
            r.index(i);
            r.emit_at(
                "body",
                AV002,
                format!("required attribute body is missing in {why}"),
            );
            r.truncate(m);
        }
    }
    // Bodies, validated with the context their path gives, then the
    // file-level rule across them (a _TransactionID used by one item only).
    let mut seen = HashMap::new();
    for &(i, path, body) in &bodies {
        let mut ctx = Context::default();
        match parse_item_path(path).map(|p| p.target) {
            Ok(Target::Full { alid }) => ctx.expected_alid = Some(alid.to_owned()),
            Ok(Target::Partial { transaction_id }) => {
                ctx.partial = true;
                ctx.expected_transaction_id = Some(transaction_id.to_owned());
            }
            Err(_) => {}
        }
        let prefix = format!("/requestItems/{i}/body");
        for mut d in crate::validate_node(body, &ctx) {
            d.location.path = Some(format!("{prefix}{}", d.pointer()));
            out.push(d);
        }
        if let Some(avail) = crate::avail_of(body) {
            crate::cross_ids(avail, i, "item", &mut seen, &prefix, &mut out);
        }
    }
    out
}

fn check_item<'v>(
    item: Node<'v>,
    i: usize,
    ids: &mut HashMap<&'v str, usize>,
    bodies: &mut Vec<(usize, &'v str, Node<'v>)>,
    r: &mut Report,
) {
    let Some(item) = item.as_object() else {
        r.emit(
            AV003,
            format!("a batch item must be an object, found {}", describe(item)),
        );
        return;
    };
    for key in item.keys() {
        if !matches!(key, "requestItemId" | "path" | "body") {
            r.emit_at(
                key,
                AV005,
                format!("attribute `{key}` is not supported in a batch item and is ignored"),
            );
        }
    }
    match item.get("requestItemId").map(|v| (v, v.view())) {
        Some((_, View::String(id))) if !id.trim().is_empty() => {
            if let Some(j) = ids.insert(id, i) {
                ids.insert(id, j);
                r.emit_at(
                    "requestItemId",
                    AV091,
                    format!(
                        "requestItemId {} is also used by item {j} (must be unique)",
                        quote(id)
                    ),
                );
            }
        }
        Some((v, _)) if !schema::is_empty(v) => r.emit_at(
            "requestItemId",
            AV003,
            format!("requestItemId must be a string, found {}", describe(v)),
        ),
        _ => r.emit_at(
            "requestItemId",
            AV002,
            "required attribute requestItemId is missing in the batch item".to_owned(),
        ),
    }
    match item.get("path").map(|v| (v, v.view())) {
        Some((_, View::String(p))) if !p.trim().is_empty() => match parse_item_path(p) {
            Ok(parsed) => {
                if let Some(q) = parsed.query {
                    let m = r.mark();
                    r.key("path");
                    check_query(q, r);
                    r.truncate(m);
                }
            }
            Err(why) => r.emit_at("path", AV092, format!("path {} {why}", quote(p))),
        },
        Some((v, _)) if !schema::is_empty(v) => r.emit_at(
            "path",
            AV003,
            format!("path must be a string, found {}", describe(v)),
        ),
        _ => r.emit_at(
            "path",
            AV002,
            "required attribute path is missing in the batch item".to_owned(),
        ),
    }
    match item.get("body") {
        Some(body) if !body.is_null() => {
            let path = item.get("path").and_then(Node::as_str).unwrap_or_default();
            bodies.push((i, path, body));
        }
        _ => {}
    }
}
