//! URLs of every operation: the path templates of [`avails_model::api`]
//! (defined once, shared with the sandbox) filled with percent-encoded
//! segments.

use avails_model::api::check_path_segment;
use avails_model::{AvailRequest, BatchRequestItem};
use reqwest::Url;

use crate::errors::ClientError;

pub use avails_model::api::{
    BatchOp, ASSET_STATUS, BATCH_ITEM, BATCH_ITEM_VALIDATE, FULL_EXTRACT, FULL_EXTRACT_PUT,
    FULL_EXTRACT_VALIDATE, PARTIAL_EXTRACT, PARTIAL_EXTRACT_VALIDATE,
};

/// Fills `template`'s `{name}` segments from `vars`, each value one segment
/// (percent-encoded by [`url`]); a value that cannot travel as one segment
/// ([`check_path_segment`]: empty, `.`, `..`, `/`, `?`, `#`, `%`, control
/// characters) is refused with [`ClientError::InvalidPathSegment`].
pub fn segments(template: &str, vars: &[(&str, &str)]) -> Result<Vec<String>, ClientError> {
    template
        .split('/')
        .filter(|s| !s.is_empty())
        .map(
            |seg| match seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                Some(name) => {
                    let value = vars
                        .iter()
                        .find(|(n, _)| *n == name)
                        .map(|(_, v)| *v)
                        .unwrap_or("");
                    check_path_segment(value).map_err(|problem| {
                        ClientError::InvalidPathSegment {
                            name: name.to_string(),
                            value: value.to_string(),
                            problem,
                        }
                    })?;
                    Ok(value.to_string())
                }
                None => Ok(seg.to_string()),
            },
        )
        .collect()
}

/// `base` joined with the filled template, each value one percent-encoded
/// segment (`path_segments_mut`, never formatted into the path raw).
pub fn url(base: &Url, template: &str, vars: &[(&str, &str)]) -> Result<Url, ClientError> {
    let segs = segments(template, vars)?;
    let mut u = base.clone();
    {
        let mut path = u
            .path_segments_mut()
            .map_err(|_| ClientError::InvalidBaseUrl {
                url: base.to_string(),
                reason: "it cannot carry a path".to_string(),
            })?;
        path.pop_if_empty();
        path.extend(segs.iter().map(String::as_str));
    }
    u.set_query(None);
    Ok(u)
}

/// The encoded path of a batch item, e.g. `/avails/lic/partial-extract/transactions/tx1[/validate]`.
pub fn batch_item_path(
    licensor: &str,
    op: BatchOp,
    transaction_id: &str,
) -> Result<String, ClientError> {
    let base = Url::parse("http://localhost/").map_err(|e| ClientError::InvalidInput {
        reason: e.to_string(),
    })?;
    let u = url(
        &base,
        op.item_path(),
        &[("licensor", licensor), ("transaction_id", transaction_id)],
    )?;
    Ok(u.path().to_string())
}

/// One batch item for `op`: body required for put/validate, dropped for get/delete.
pub fn batch_item(
    licensor: &str,
    op: BatchOp,
    request_item_id: &str,
    transaction_id: &str,
    body: Option<AvailRequest>,
) -> Result<BatchRequestItem, ClientError> {
    if request_item_id.is_empty() {
        return Err(ClientError::InvalidInput {
            reason: "a batch item needs a requestItemId".to_string(),
        });
    }
    if op.needs_body() && body.is_none() {
        return Err(ClientError::InvalidInput {
            reason: format!(
                "batch {} item `{request_item_id}` needs a body",
                op.as_str()
            ),
        });
    }
    Ok(BatchRequestItem {
        request_item_id: request_item_id.to_string(),
        path: batch_item_path(licensor, op, transaction_id)?,
        body: if op.needs_body() { body } else { None },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fills_and_encodes() {
        let base = Url::parse("https://partnerapi.primevideo.com").unwrap();
        let u = url(
            &base,
            FULL_EXTRACT_PUT,
            &[("licensor", "lic"), ("alid", "md:cid:x y\"<é>")],
        )
        .unwrap();
        assert_eq!(
            u.as_str(),
            "https://partnerapi.primevideo.com/v1/avails/lic/full-extract/md:cid:x%20y%22%3C%C3%A9%3E"
        );
        let prefixed = Url::parse("http://127.0.0.1:8080/prefix/").unwrap();
        let u = url(
            &prefixed,
            ASSET_STATUS,
            &[("licensor", "lic"), ("alid", "A")],
        )
        .unwrap();
        assert_eq!(u.path(), "/prefix/v1/assets/lic/status/A");
        assert!(url(
            &base,
            PARTIAL_EXTRACT,
            &[("licensor", "lic"), ("transaction_id", " ")]
        )
        .is_err());
    }

    #[test]
    fn ids_that_would_change_the_url_are_refused() {
        let base = Url::parse("https://partnerapi.primevideo.com").unwrap();
        for (template, name) in [(FULL_EXTRACT, "alid"), (PARTIAL_EXTRACT, "transaction_id")] {
            for bad in ["..", ".", "a/b", "a?b", "a#b", "a%2e", "a\nb", ""] {
                let err = url(&base, template, &[("licensor", "lic"), (name, bad)]).unwrap_err();
                match &err {
                    ClientError::InvalidPathSegment { name: n, value, .. } => {
                        assert_eq!(n, name);
                        assert_eq!(value, bad);
                    }
                    other => panic!("{bad:?}: {other:?}"),
                }
                assert!(err.to_string().contains(name), "{err}");
            }
        }
        // The licensor is a segment too.
        assert!(url(&base, FULL_EXTRACT, &[("licensor", ".."), ("alid", "A")]).is_err());
        // A batch item path is built by the same function.
        assert!(batch_item_path("lic", BatchOp::Put, "..").is_err());
    }

    #[test]
    fn batch_paths_follow_the_reference() {
        assert_eq!(
            batch_item_path("testlicensor", BatchOp::Put, "demoTransactionId1").unwrap(),
            "/avails/testlicensor/partial-extract/transactions/demoTransactionId1"
        );
        assert_eq!(
            batch_item_path("testlicensor", BatchOp::Validate, "demoTransactionId1").unwrap(),
            "/avails/testlicensor/partial-extract/transactions/demoTransactionId1/validate"
        );
        assert!(batch_item("l", BatchOp::Put, "r1", "t1", None).is_err());
        let get = batch_item("l", BatchOp::Get, "r1", "t1", Some(AvailRequest::default())).unwrap();
        assert!(get.body.is_none());
    }
}
