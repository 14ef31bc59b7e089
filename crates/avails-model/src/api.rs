//! The API's resource paths and a partner's default limits, defined once for
//! the client (`avails-client`) and the local server (`avails-sandbox`).
//!
//! Paths are templates: `{name}` is one path segment, filled (percent-encoded)
//! by the client and matched by the sandbox's router (axum's syntax). The
//! reference (003) gives a URL for every operation except the full-extract
//! PUT; [`FULL_EXTRACT_PUT`] assumes the resource URL of its GET and DELETE.

/// Requests per second Prime Video gives a partner by default.
pub const DEFAULT_TPS: u32 = 10;
/// Concurrent requests (connections) Prime Video gives a partner by default.
pub const DEFAULT_MAX_CONCURRENCY: u32 = 5;
/// Most items a batch request may carry, and the size `avails` sends: the
/// reference (001, "Remarque : Le nombre maximum d'éléments autorisés dans les
/// demandes par lot est limité à 100"). It states no smaller size to prefer.
pub const MAX_BATCH_ITEMS: usize = 100;

/// Full-extract GET and DELETE (`?territory=&businessLine=[&contractId=]`).
pub const FULL_EXTRACT: &str = "/v1/avails/{licensor}/full-extract/{alid}";
/// Full-extract PUT: not shown in the reference, assumed to be the resource URL of GET/DELETE.
pub const FULL_EXTRACT_PUT: &str = FULL_EXTRACT;
/// Full-extract validate (POST).
pub const FULL_EXTRACT_VALIDATE: &str = "/v1/avails/{licensor}/full-extract/{alid}/validate";
/// Partial-extract PUT, GET and DELETE.
pub const PARTIAL_EXTRACT: &str =
    "/v1/avails/{licensor}/partial-extract/transactions/{transaction_id}";
/// Partial-extract validate (POST).
pub const PARTIAL_EXTRACT_VALIDATE: &str =
    "/v1/avails/{licensor}/partial-extract/transactions/{transaction_id}/validate";
/// Batch put (POST).
pub const BATCH_PUT: &str = "/v1/avails/{licensor}/partial-extract/batch/put";
/// Batch get (POST).
pub const BATCH_GET: &str = "/v1/avails/{licensor}/partial-extract/batch/get";
/// Batch delete (POST).
pub const BATCH_DELETE: &str = "/v1/avails/{licensor}/partial-extract/batch/delete";
/// Batch validate (POST).
pub const BATCH_VALIDATE: &str = "/v1/avails/{licensor}/partial-extract/batch/validate";
/// Path of a batch item of put, get and delete (no `/v1`, as in the reference's examples).
pub const BATCH_ITEM: &str = "/avails/{licensor}/partial-extract/transactions/{transaction_id}";
/// Path of a batch item of validate.
pub const BATCH_ITEM_VALIDATE: &str =
    "/avails/{licensor}/partial-extract/transactions/{transaction_id}/validate";
/// Asset Status (GET, `?marketplace=`).
pub const ASSET_STATUS: &str = "/v1/assets/{licensor}/status/{alid}";

/// The four batch operations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BatchOp {
    /// Create or replace transactions.
    Put,
    /// Read transactions.
    Get,
    /// Delete transactions.
    Delete,
    /// Validate payloads without storing them.
    Validate,
}

impl BatchOp {
    /// The URL segment (`put`, `get`, `delete`, `validate`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Put => "put",
            Self::Get => "get",
            Self::Delete => "delete",
            Self::Validate => "validate",
        }
    }

    /// Whether items carry a body (put and validate).
    pub fn needs_body(self) -> bool {
        matches!(self, Self::Put | Self::Validate)
    }

    /// The path template of the batch call.
    pub fn path(self) -> &'static str {
        match self {
            Self::Put => BATCH_PUT,
            Self::Get => BATCH_GET,
            Self::Delete => BATCH_DELETE,
            Self::Validate => BATCH_VALIDATE,
        }
    }

    /// The path template of one of its items.
    pub fn item_path(self) -> &'static str {
        match self {
            Self::Validate => BATCH_ITEM_VALIDATE,
            _ => BATCH_ITEM,
        }
    }
}

/// Why an identifier (ALID, TransactionID, licensor) cannot travel as one
/// URL path segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SegmentProblem {
    /// Empty, or only whitespace.
    #[error("it is empty")]
    Empty,
    /// `.` or `..`: URL resolution drops or climbs such a segment, so the
    /// request would address another resource (`DELETE .../full-extract`).
    #[error("`{0}` is a relative path step, not a name: the URL would address another resource")]
    Dot(&'static str),
    /// A character that ends the segment or the path (`/`, `?`, `#`), starts
    /// an escape (`%`), or cannot be written in a URL (a control character).
    #[error("it contains {}, which cannot travel in one URL path segment", describe(*.0))]
    Char(char),
}

fn describe(c: char) -> String {
    match c {
        '\n' => "a newline".to_string(),
        '\r' => "a carriage return".to_string(),
        '\t' => "a tab".to_string(),
        c if c.is_control() => format!("the control character U+{:04X}", c as u32),
        c => format!("`{c}`"),
    }
}

/// Whether `value` can be one path segment of an API URL (an ALID, a
/// TransactionID, a licensor): not empty, not `.` or `..`, and without `/`,
/// `?`, `#`, `%` or control characters (newlines included). Other
/// characters (spaces, `:`, non-ASCII) are percent-encoded by the client.
///
/// The one owner of this rule: the client refuses to build a URL from such
/// a value, the rules report it at its cell, the CLI at its argument.
pub fn check_path_segment(value: &str) -> Result<(), SegmentProblem> {
    if value.trim().is_empty() {
        return Err(SegmentProblem::Empty);
    }
    match value {
        "." => return Err(SegmentProblem::Dot(".")),
        ".." => return Err(SegmentProblem::Dot("..")),
        _ => {}
    }
    match value
        .chars()
        .find(|c| matches!(c, '/' | '?' | '#' | '%') || c.is_control())
    {
        Some(c) => Err(SegmentProblem::Char(c)),
        None => Ok(()),
    }
}

/// Matches `path` (already split from any query) against `template`; returns
/// the raw (still percent-encoded) value of each `{name}` segment, in order.
pub fn match_template<'p>(template: &str, path: &'p str) -> Option<Vec<(String, &'p str)>> {
    let t: Vec<&str> = template.split('/').collect();
    let p: Vec<&str> = path.split('/').collect();
    if t.len() != p.len() {
        return None;
    }
    let mut vars = Vec::new();
    for (ts, ps) in t.iter().zip(&p) {
        match ts.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            Some(name) if !ps.is_empty() => vars.push((name.to_string(), *ps)),
            Some(_) => return None,
            None if ts == ps => {}
            None => return None,
        }
    }
    Some(vars)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_match_their_own_shape_only() {
        let vars =
            match_template(BATCH_ITEM, "/avails/lic/partial-extract/transactions/t%201").unwrap();
        assert_eq!(
            vars,
            vec![
                ("licensor".to_string(), "lic"),
                ("transaction_id".to_string(), "t%201")
            ]
        );
        assert!(match_template(
            BATCH_ITEM,
            "/avails/lic/partial-extract/transactions/t1/validate"
        )
        .is_none());
        assert!(match_template(BATCH_ITEM, "/avails//partial-extract/transactions/t1").is_none());
        assert!(
            match_template(BATCH_ITEM, "/v1/avails/lic/partial-extract/transactions/t1").is_none()
        );
        assert_eq!(BatchOp::Validate.item_path(), BATCH_ITEM_VALIDATE);
        assert_eq!(BatchOp::Delete.path(), BATCH_DELETE);
    }

    #[test]
    fn path_segments_refuse_what_would_change_the_url() {
        for ok in [
            "md:cid:org:studio:12345",
            "ALID with spaces",
            "émission-été",
            "...",
            ".hidden",
            "a..b",
            "demoTransactionId1",
        ] {
            assert_eq!(check_path_segment(ok), Ok(()), "{ok}");
        }
        assert_eq!(check_path_segment(""), Err(SegmentProblem::Empty));
        assert_eq!(check_path_segment("  "), Err(SegmentProblem::Empty));
        assert_eq!(check_path_segment("."), Err(SegmentProblem::Dot(".")));
        assert_eq!(check_path_segment(".."), Err(SegmentProblem::Dot("..")));
        for (bad, c) in [
            ("a/b", '/'),
            ("../x", '/'),
            ("a?territory=US", '?'),
            ("a#b", '#'),
            ("a%2Fb", '%'),
            ("line\nbreak", '\n'),
            ("tab\there", '\t'),
            ("nul\0", '\0'),
            ("del\u{7f}", '\u{7f}'),
        ] {
            assert_eq!(
                check_path_segment(bad),
                Err(SegmentProblem::Char(c)),
                "{bad:?}"
            );
        }
        assert_eq!(
            SegmentProblem::Char('\n').to_string(),
            "it contains a newline, which cannot travel in one URL path segment"
        );
        assert!(SegmentProblem::Dot("..").to_string().contains("`..`"));
    }
}
