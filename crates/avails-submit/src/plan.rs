//! What will be sent: units with their journal key and content hash.

use avails_convert::partial::partial_extracts;
use avails_convert::{Diagnostic, Payload};
use avails_journal::{content_hash_of, full_key, partial_key};
use avails_model::AvailRequest;
use avails_model::{EntryType, Location};

/// How a unit is sent.
#[derive(Debug, Clone, PartialEq)]
pub enum UnitKind {
    /// `PUT .../full-extract/{ALID}` of a whole payload.
    Full {
        /// The title.
        alid: String,
    },
    /// One item of a partial-extract batch put.
    Partial {
        /// The transaction's ID (the resource path's last segment).
        transaction_id: String,
    },
}

/// One thing to send, identified in the journal by `key` and `hash`.
#[derive(Debug, Clone, PartialEq)]
pub struct Unit {
    /// Journal key (`full:...` or `partial:...`).
    pub key: String,
    /// SHA-256 of the canonical JSON body.
    pub hash: String,
    /// How it is sent.
    pub kind: UnitKind,
    /// The body.
    pub request: AvailRequest,
    /// Index of the payload it came from.
    pub payload: usize,
}

/// Units for these payloads (by index into `payloads`); transactions that
/// cannot be sent partially (no ID) are reported. A `PartialExtract`
/// payload (a sheet's `Partial Extract` row) always goes by the
/// partial-extract endpoint; with `partial`, full extracts do too, one
/// transaction each.
pub fn plan(
    payloads: &[Payload],
    indexes: impl IntoIterator<Item = usize>,
    licensor: &str,
    partial: bool,
) -> (Vec<Unit>, Vec<Diagnostic>) {
    plan_with(payloads, indexes, licensor, partial, |_| None)
}

/// [`plan`], given the content hash of a payload's request where the
/// caller already has it (`request_hash(index)`, from the document the
/// rules checked, say): a whole payload is not serialized again to be
/// hashed.
pub fn plan_with(
    payloads: &[Payload],
    indexes: impl IntoIterator<Item = usize>,
    licensor: &str,
    partial: bool,
    request_hash: impl Fn(usize) -> Option<String>,
) -> (Vec<Unit>, Vec<Diagnostic>) {
    let mut units = Vec::new();
    let mut problems = Vec::new();
    for index in indexes {
        let p = &payloads[index];
        if by_partial(p, partial) {
            let (parts, probs) = partial_extracts(p);
            problems.extend(probs);
            for part in parts {
                let hash = match hash_of(&part.request, p) {
                    Ok(hash) => hash,
                    Err(problem) => {
                        problems.push(*problem);
                        continue;
                    }
                };
                units.push(Unit {
                    key: partial_key(licensor, &part.transaction_id),
                    hash,
                    kind: UnitKind::Partial {
                        transaction_id: part.transaction_id,
                    },
                    request: part.request,
                    payload: index,
                });
            }
        } else {
            let hash = match request_hash(index) {
                Some(hash) => hash,
                None => match hash_of(&p.request, p) {
                    Ok(hash) => hash,
                    Err(problem) => {
                        problems.push(*problem);
                        continue;
                    }
                },
            };
            units.push(full_unit(p, index, licensor, hash, p.request.clone()));
        }
    }
    refuse_duplicate_keys(&mut units, payloads, &mut problems);
    (units, problems)
}

/// [`plan_with`] of one payload taken by value (its index 0): a full
/// extract's body moves into its unit instead of being copied, as a
/// catalog's payloads go by one by one.
pub fn plan_owned(
    mut payload: Payload,
    licensor: &str,
    partial: bool,
    request_hash: impl FnOnce() -> Option<String>,
) -> (Vec<Unit>, Vec<Diagnostic>) {
    if by_partial(&payload, partial) {
        // Each transaction's own body is hashed: `request_hash` is not asked.
        let payloads = std::slice::from_ref(&payload);
        return plan_with(payloads, [0], licensor, partial, |_| None);
    }
    let hash = match request_hash().map_or_else(|| hash_of(&payload.request, &payload), Ok) {
        Ok(hash) => hash,
        Err(problem) => return (Vec::new(), vec![*problem]),
    };
    let request = std::mem::take(&mut payload.request);
    (
        vec![full_unit(&payload, 0, licensor, hash, request)],
        Vec::new(),
    )
}

/// Whether payload `p` goes by the partial-extract endpoint.
fn by_partial(p: &Payload, partial: bool) -> bool {
    match p.entry_type {
        EntryType::PartialExtract => true,
        EntryType::FullExtract => partial,
        _ => false,
    }
}

/// The unit sending payload `p` (number `index`) whole, with `request` as
/// its body.
fn full_unit(
    p: &Payload,
    index: usize,
    licensor: &str,
    hash: String,
    request: AvailRequest,
) -> Unit {
    let mut key = full_key(licensor, &p.alid, &p.territory, p.business_line);
    if p.entry_type != EntryType::FullExtract {
        key = format!("{key}:{}", p.entry_type);
    }
    Unit {
        key,
        hash,
        kind: UnitKind::Full {
            alid: p.alid.clone(),
        },
        request,
        payload: index,
    }
}

/// The content hash of a request of payload `p`, or why it cannot be
/// taken: a unit without its hash is not sent, as the journal could not
/// tell it from another.
fn hash_of<T: serde::Serialize>(request: &T, p: &Payload) -> Result<String, Box<Diagnostic>> {
    content_hash_of(request).map_err(|e| {
        Box::new(Diagnostic::of(
            avails_convert::codes::CV_SHAPE,
            p.avail_source.location.clone(),
            format!(
                "{}: the payload cannot be written as JSON to be hashed for the journal ({e}); it is not sent",
                p.alid
            ),
        )
        .for_alid(p.alid.clone()))
    })
}

/// Two units with one key would address one resource twice in a run (two
/// rows sharing an AvailID, sent as partial extracts): neither is sent.
fn refuse_duplicate_keys(
    units: &mut Vec<Unit>,
    payloads: &[Payload],
    problems: &mut Vec<Diagnostic>,
) {
    *units = unique_keys(
        std::mem::take(units),
        |u| &u.key,
        |u, n| {
            let p = &payloads[u.payload];
            problems.push(duplicate_key(&p.alid, &p.avail_source.location, n, &u.key));
        },
    );
}

/// The units whose key no other unit has; `refused` hears of every other
/// one, with how many units share its key.
pub(crate) fn unique_keys<T>(
    units: Vec<T>,
    key: impl Fn(&T) -> &str,
    mut refused: impl FnMut(&T, usize),
) -> Vec<T> {
    // Counted by reference: a million keys are not copied.
    let shared: Vec<usize> = {
        let mut count: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
        for u in &units {
            *count.entry(key(u)).or_insert(0) += 1;
        }
        units.iter().map(|u| count[key(u)]).collect()
    };
    units
        .into_iter()
        .zip(shared)
        .filter(|(u, n)| match n {
            1 => true,
            n => {
                refused(u, *n);
                false
            }
        })
        .map(|(u, _)| u)
        .collect()
}

/// The finding of a unit refused because `n` units share its key.
pub(crate) fn duplicate_key(alid: &str, location: &Location, n: usize, key: &str) -> Diagnostic {
    Diagnostic::of(
        avails_convert::codes::CV_DUPLICATE_KEY,
        location.clone(),
        format!(
            "{alid}: {n} units share the key `{key}` (a TransactionID used twice?); none of them is sent"
        ),
    )
    .for_alid(alid.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use avails_convert::Source;
    use avails_model::BusinessLine;

    fn payload() -> Payload {
        Payload {
            request: AvailRequest::default(),
            alid: "md:alid:x".into(),
            territory: "FR".into(),
            business_line: BusinessLine::Tvod,
            entry_type: EntryType::FullExtract,
            avail_source: Source::at(Location {
                sheet: Some("Movies".into()),
                row: Some(7),
                ..Location::file("avails.xlsx")
            }),
            transaction_sources: Vec::new(),
            given: None,
        }
    }

    /// A body that cannot be written as JSON.
    struct Unwritable;

    impl serde::Serialize for Unwritable {
        fn serialize<S: serde::Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
            Err(serde::ser::Error::custom("a value JSON cannot hold"))
        }
    }

    #[test]
    fn a_body_that_cannot_be_hashed_is_a_finding_at_its_row_not_an_empty_hash() {
        let p = payload();
        let problem = hash_of(&Unwritable, &p).unwrap_err();
        assert_eq!(problem.code, avails_convert::codes::CV_SHAPE);
        assert!(problem.is_error());
        assert_eq!(problem.location, p.avail_source.location);
        assert!(
            problem.message.contains("a value JSON cannot hold")
                && problem.message.contains("it is not sent"),
            "{}",
            problem.message
        );
        let hash = hash_of(&p.request, &p).unwrap();
        assert_eq!(hash.len(), 64, "{hash}");
    }
}
