//! Asking the API's own validate endpoints (`avails validate --remote`):
//! after the local checks, the server judges the payloads that have no
//! local error, and each error it answers is located at a cell like the
//! local findings.
//!
//! Full extracts go one per `POST .../full-extract/{ALID}/validate`; with
//! `--partial`, each transaction goes as a partial extract through
//! `POST .../partial-extract/batch/validate`, `--batch-size` per call. The
//! client paces every request within the profile's rate and concurrency.
//!
//! An error is located through the same locator as the local findings
//! (`avails_convert::check::locate`) when its message or code carries a JSON
//! pointer (`/avail/Transaction/0/Start`) or an attribute path
//! (`avail.Transaction[0].Start`); otherwise at the payload's first row
//! (the transaction's row for a partial extract), in its ALID column.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use avails_client::{AvailsClient, BatchOp, ClientError};
use avails_convert::locate::{column_location, column_name};
use avails_convert::partial::{partial_extracts, PartialPayload};
use avails_convert::{Conversion, Diagnostic, Payload};
use avails_mapping::Mapping;
use avails_model::{ApiError, BatchRequest, EntryType, Location, Origin};
use futures::stream::{self, StreamExt};

/// Requests kept ready at once; the client's limiter admits the profile's
/// `max_concurrency` of them and paces them at its `tps`.
const READY: usize = 16;

/// What the server said, and what it was not asked.
#[derive(Debug, Default)]
pub struct Outcome {
    /// The server's errors, located, in payload order (origin `server`),
    /// then the local findings only partial extracts have (transactions
    /// without an ID).
    pub findings: Vec<Diagnostic>,
    /// The profile (`sandbox` for `--sandbox`).
    pub profile: String,
    /// Payloads the server validated.
    pub validated: usize,
    /// Payloads it was not asked about because they have local errors.
    pub held_back: usize,
    /// Payloads it was not asked about because it could not be reached.
    pub not_reached: usize,
    /// Why the server could not be asked (connection, credentials,
    /// profile), when it could not.
    pub unreachable: Option<String>,
    /// HTTP requests made (retries included).
    pub requests: u64,
}

impl Outcome {
    /// One sentence for standard error and the Findings sheet.
    pub fn summary(&self) -> String {
        let errors = self
            .findings
            .iter()
            .filter(|f| f.origin == Origin::Server)
            .count();
        let mut s = format!(
            "Server check [{}]: {} payload{} validated by the API's validate endpoint, {} error{}",
            self.profile,
            self.validated,
            plural(self.validated),
            errors,
            plural(errors)
        );
        if self.held_back > 0 {
            s.push_str(&format!(
                "; {} payload{} with local errors not sent (fix them first)",
                self.held_back,
                plural(self.held_back)
            ));
        }
        if let Some(why) = &self.unreachable {
            s.push_str(&format!(
                "; {} payload{} not checked, the server could not be asked: {why}",
                self.not_reached,
                plural(self.not_reached)
            ));
        }
        s.push('.');
        s
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// Indexes of payloads with a local error: those validation refuses
/// (`failing`), and those with an error at one of their rows.
pub fn held_back(
    conversion: &Conversion,
    local: &[Diagnostic],
    failing: &[bool],
) -> BTreeSet<usize> {
    let mut held: BTreeSet<usize> = failing
        .iter()
        .enumerate()
        .filter(|(_, f)| **f)
        .map(|(i, _)| i)
        .collect();
    let rows: HashSet<(&str, Option<&str>, u32)> = local
        .iter()
        .filter(|f| f.is_error() && f.alid.is_none())
        .filter_map(|f| {
            Some((
                f.location.file.as_str(),
                f.location.sheet.as_deref(),
                f.location.row?,
            ))
        })
        .collect();
    if !rows.is_empty() {
        for (i, p) in conversion.payloads.iter().enumerate() {
            let hit = std::iter::once(&p.avail_source)
                .chain(&p.transaction_sources)
                .any(|s| {
                    s.location.row.is_some_and(|r| {
                        rows.contains(&(s.location.file.as_str(), s.location.sheet.as_deref(), r))
                    })
                });
            if hit {
                held.insert(i);
            }
        }
    }
    held
}

/// What the server is asked about: a conversion's payloads, less those
/// local validation refuses, sent whole or transaction by transaction.
#[derive(Debug, Clone, Copy)]
pub struct Question<'a> {
    /// The payloads (and the rows they came from).
    pub conversion: &'a Conversion,
    /// The mapping, to place the server's errors at their cells.
    pub mapping: &'a Mapping,
    /// Findings of local validation.
    pub local: &'a [Diagnostic],
    /// Which payloads local validation refuses (not sent).
    pub failing: &'a [bool],
    /// Each transaction as a partial extract instead of whole payloads.
    pub partial: bool,
    /// Partial extracts per batch call.
    pub batch_size: usize,
}

impl Question<'_> {
    /// The payloads held back: refused locally, or their group is.
    fn held_back(&self) -> BTreeSet<usize> {
        held_back(self.conversion, self.local, self.failing)
    }
}

impl Outcome {
    /// The outcome when the server could not be reached at all: every
    /// payload without local errors is `not_reached`, and why.
    pub fn unreachable(question: &Question<'_>, profile: String, why: String) -> Self {
        let held = question.held_back().len();
        Self {
            profile,
            held_back: held,
            not_reached: question.conversion.payloads.len() - held,
            unreachable: Some(why),
            ..Self::default()
        }
    }
}

/// Asks the server through `client` about every payload of `question`
/// without local errors: full extracts one call each, or (`partial`) each
/// transaction as a partial extract, `batch_size` per batch call.
pub async fn ask(client: &AvailsClient, question: &Question<'_>) -> Outcome {
    let Question {
        conversion,
        mapping,
        partial,
        batch_size,
        ..
    } = *question;
    let held = question.held_back();
    let sendable: Vec<usize> = (0..conversion.payloads.len())
        .filter(|i| !held.contains(i))
        .collect();
    let mut round = Round::default();
    if partial {
        partial_round(client, conversion, &sendable, batch_size, &mut round).await;
    } else {
        full_round(client, conversion, &sendable, &mut round).await;
    }
    // In payload order, each payload's errors as the server gave them.
    round.answers.sort_by_key(|(i, _, _)| *i);
    let mut findings: Vec<Diagnostic> = round
        .answers
        .into_iter()
        .map(|(i, part, e)| {
            let p = &conversion.payloads[i];
            located(p, part.map(|k| &round.units[k].1), mapping, e)
        })
        .collect();
    findings.extend(round.local);
    Outcome {
        findings,
        profile: String::new(),
        validated: round.validated,
        held_back: held.len(),
        not_reached: round.not_reached,
        unreachable: round.unreachable,
        requests: client.counters().requests_sent,
    }
}

/// What one round of calls gathered.
#[derive(Default)]
struct Round {
    /// The partial extracts sent, with their payload index.
    units: Vec<(usize, PartialPayload)>,
    /// (payload index, index in `units` for a partial extract, error).
    answers: Vec<(usize, Option<usize>, ApiError)>,
    /// Local findings of partial extracts (transactions without an ID).
    local: Vec<Diagnostic>,
    validated: usize,
    not_reached: usize,
    unreachable: Option<String>,
}

async fn full_round(
    client: &AvailsClient,
    conversion: &Conversion,
    sendable: &[usize],
    round: &mut Round,
) {
    let mut answers = stream::iter(sendable.iter().copied())
        .map(|i| {
            let p = &conversion.payloads[i];
            async move {
                let answer = match (&p.entry_type, p.transaction_id()) {
                    // A partial extract given as such goes to its own endpoint.
                    (EntryType::PartialExtract, Some(id)) => {
                        client.validate_partial_extract(id, &p.request).await
                    }
                    _ => client.validate_full_extract(&p.alid, &p.request).await,
                };
                (i, answer)
            }
        })
        .buffer_unordered(READY);
    let mut done = 0;
    while let Some((i, answer)) = answers.next().await {
        match errors_of(answer.map(|r| (r.success, r.errors))) {
            Ok(errors) => {
                done += 1;
                round
                    .answers
                    .extend(errors.into_iter().map(|e| (i, None, e)));
            }
            Err(why) => {
                round.unreachable = Some(why);
                break;
            }
        }
    }
    round.validated = done;
    round.not_reached = sendable.len() - done;
}

async fn partial_round(
    client: &AvailsClient,
    conversion: &Conversion,
    sendable: &[usize],
    batch_size: usize,
    round: &mut Round,
) {
    for &i in sendable {
        let (parts, problems) = partial_extracts(&conversion.payloads[i]);
        round.local.extend(problems);
        round.units.extend(parts.into_iter().map(|p| (i, p)));
    }
    let units = &round.units;
    let size = batch_size.max(1);
    let batches: Vec<(usize, &[(usize, PartialPayload)])> = units
        .chunks(size)
        .enumerate()
        .map(|(n, b)| (n * size, b))
        .collect();
    let mut calls = stream::iter(batches.iter().copied())
        .map(|(first, batch)| async move {
            let items: Result<Vec<_>, ClientError> = batch
                .iter()
                .enumerate()
                .map(|(k, (_, part))| {
                    client.batch_item(
                        BatchOp::Validate,
                        &k.to_string(),
                        &part.transaction_id,
                        Some(part.request.clone()),
                    )
                })
                .collect();
            let answer = match items {
                Ok(request_items) => {
                    client
                        .batch(BatchOp::Validate, &BatchRequest { request_items })
                        .await
                }
                Err(e) => Err(e),
            };
            (first, batch, answer)
        })
        .buffer_unordered(READY);
    // Whether each unit got an answer.
    let mut answered = vec![false; units.len()];
    let mut found: Vec<(usize, Option<usize>, ApiError)> = Vec::new();
    let mut unreachable = None;
    while let Some((first, batch, answer)) = calls.next().await {
        let seen = &mut answered[first..first + batch.len()];
        let response = match answer {
            Ok(r) => r,
            Err(e) => match errors_of(Err(e)) {
                // The whole call was refused (400): each item gets its errors.
                Ok(errors) => {
                    seen.fill(true);
                    for (k, (i, _)) in batch.iter().enumerate() {
                        found.extend(errors.iter().map(|e| (*i, Some(first + k), e.clone())));
                    }
                    continue;
                }
                Err(why) => {
                    unreachable = Some(why);
                    break;
                }
            },
        };
        seen.fill(true);
        let by_id: BTreeMap<&str, _> = response
            .response_items
            .iter()
            .map(|r| (r.request_item_id.as_str(), r))
            .collect();
        for (k, (i, part)) in batch.iter().enumerate() {
            let errors = match by_id.get(k.to_string().as_str()) {
                Some(item) if item.success => Vec::new(),
                Some(item) if item.errors.is_empty() => vec![ApiError {
                    code: "FAILED".into(),
                    message: "the server answered success: false without errors".into(),
                }],
                Some(item) => item.errors.clone(),
                None => vec![ApiError {
                    code: "NO_ANSWER".into(),
                    message: format!(
                        "the batch answer has no item for transaction {}",
                        part.transaction_id
                    ),
                }],
            };
            found.extend(errors.into_iter().map(|e| (*i, Some(first + k), e)));
        }
    }
    drop(calls);
    // A payload counts as validated when every one of its transactions was.
    let mut missed: BTreeSet<usize> = BTreeSet::new();
    let mut asked: BTreeSet<usize> = BTreeSet::new();
    for (k, (i, _)) in units.iter().enumerate() {
        asked.insert(*i);
        if !answered[k] {
            missed.insert(*i);
        }
    }
    round.validated = asked.difference(&missed).count();
    round.not_reached = missed.len();
    round.answers = found;
    round.unreachable = unreachable;
}

/// The server's verdict as a list of errors, or why there is none: a 200
/// gives its `errors` (one stand-in when `success` is false without any), a
/// 400 its error list (the payload was judged); anything else means the
/// server could not do its job.
fn errors_of(answer: Result<(bool, Vec<ApiError>), ClientError>) -> Result<Vec<ApiError>, String> {
    match answer {
        Ok((true, _)) => Ok(Vec::new()),
        Ok((false, errors)) if errors.is_empty() => Ok(vec![ApiError {
            code: "FAILED".into(),
            message: "the server answered success: false without errors".into(),
        }]),
        Ok((false, errors)) => Ok(errors),
        Err(ClientError::Rejected { errors, .. }) if !errors.is_empty() => Ok(errors),
        Err(e) => Err(e.to_string()),
    }
}

/// Locates one server error of `payload` (of its partial extract `part`)
/// with the locator of the local findings.
fn located(
    payload: &Payload,
    part: Option<&PartialPayload>,
    mapping: &Mapping,
    error: ApiError,
) -> Diagnostic {
    let pointer = pointer_in(&error.message).or_else(|| pointer_in(&error.code));
    // A partial extract's only transaction is the full payload's `part.index`.
    let pointer = pointer.map(|p| match part {
        Some(part) => in_full_payload(&p, part.index),
        None => p,
    });
    let d = Diagnostic::server(error.code, Location::default(), error.message);
    let mut d = match (&pointer, part) {
        (Some(p), _) => avails_convert::check::locate(
            payload,
            mapping,
            Diagnostic {
                location: Location::pointer(p.clone()),
                ..d
            },
        ),
        // No pointer: the transaction's row, in its ALID column.
        (None, Some(part)) => {
            let source = payload
                .transaction_sources
                .get(part.index)
                .unwrap_or(&payload.avail_source);
            Diagnostic {
                location: column_location(source, mapping, "Avail.ALID"),
                column: column_name(payload, mapping, "/avail/ALID"),
                ..d
            }
            .for_alid(payload.alid.clone())
        }
        // No pointer: the payload's first row, in its ALID column.
        (None, None) => avails_convert::check::locate(
            payload,
            mapping,
            Diagnostic {
                location: Location::pointer("/avail/ALID"),
                ..d
            },
        ),
    };
    if let Some(part) = part {
        d.transaction_id = Some(part.transaction_id.clone());
    }
    d
}

/// The first JSON pointer (`/avail/Transaction/0/Start`) or attribute path
/// (`avail.Transaction[0].Start`, `Transaction[0]/Start`) in `text`, as a
/// JSON pointer.
pub fn pointer_in(text: &str) -> Option<String> {
    let is_path_char =
        |c: char| c.is_ascii_alphanumeric() || matches!(c, '/' | '_' | '.' | '[' | ']' | '$' | '-');
    let mut rest = text;
    while let Some(start) = rest.find(|c: char| c == '/' || c == '$' || c.is_ascii_alphabetic()) {
        let token_len = rest[start..]
            .find(|c: char| !is_path_char(c))
            .unwrap_or(rest.len() - start);
        let token = rest[start..start + token_len].trim_end_matches(['.', '-']);
        if let Some(p) = as_pointer(token) {
            return Some(p);
        }
        rest = &rest[start + token_len.max(1)..];
    }
    None
}

/// Top-level names a pointer or path into an avail may start with.
const ROOTS: [&str; 4] = ["avail", "Transaction", "Asset", "ALID"];

fn as_pointer(token: &str) -> Option<String> {
    let token = token.strip_prefix("$.").unwrap_or(token);
    let pointer = if let Some(p) = token.strip_prefix('/') {
        format!("/{}", p.replace('.', "/"))
    } else if token.contains('.') || token.contains('[') {
        let mut out = String::new();
        for seg in token.split(['.', '/']) {
            let (name, indexes) = match seg.find('[') {
                Some(i) => (&seg[..i], &seg[i..]),
                None => (seg, ""),
            };
            if !name.is_empty() {
                out.push('/');
                out.push_str(name);
            }
            for ix in indexes.split(['[', ']']).filter(|s| !s.is_empty()) {
                ix.parse::<usize>().ok()?;
                out.push('/');
                out.push_str(ix);
            }
        }
        out
    } else {
        return None;
    };
    let first = pointer.split('/').nth(1)?;
    (ROOTS.contains(&first) && pointer.len() > first.len() + 1).then_some(pointer)
}

/// `/avail/Transaction/0/...` of a partial extract as a pointer into its full payload.
fn in_full_payload(pointer: &str, index: usize) -> String {
    for prefix in ["/avail/Transaction/0", "/Transaction/0"] {
        if let Some(rest) = pointer.strip_prefix(prefix) {
            if rest.is_empty() || rest.starts_with('/') {
                return format!("{}{index}{rest}", &prefix[..prefix.len() - 1]);
            }
        }
    }
    pointer.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointers_and_paths_in_messages() {
        let cases = [
            (
                "/avail/Transaction/1/Start: not a date",
                Some("/avail/Transaction/1/Start"),
            ),
            ("/avail/ALID: `x` is unknown", Some("/avail/ALID")),
            (
                "Transaction[0].Territory[0].country is invalid",
                Some("/Transaction/0/Territory/0/country"),
            ),
            (
                "field avail.Transaction[2].End must follow Start.",
                Some("/avail/Transaction/2/End"),
            ),
            (
                "$.avail.Asset[0].WorkType unknown",
                Some("/avail/Asset/0/WorkType"),
            ),
            ("ALID does not match the metadata contribution", None),
            ("e.g. use a date such as 2024-01-01", None),
            ("see https://example.com/avail/docs", None),
            ("", None),
        ];
        for (text, want) in cases {
            assert_eq!(pointer_in(text).as_deref(), want, "{text}");
        }
    }

    /// The reference's TVOD movie as its sample workbook gives it: rows 4-6,
    /// ALID in column B, Start in V, End in W (samples/make_samples.py).
    fn tvod_movie() -> (Conversion, Mapping) {
        let mapping = Mapping::default_table();
        let path = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../samples/tvod-movie.xlsx");
        let options = avails_convert::ConvertOptions {
            mapping: mapping.clone(),
            timezone: None,
        };
        let conversion = avails_convert::convert_inputs(&[path], &options, &mut |_| {});
        assert_eq!(conversion.payloads.len(), 1, "{:?}", conversion.diagnostics);
        (conversion, mapping)
    }

    fn cell(l: &Location) -> String {
        format!(
            "{}{}",
            l.column.as_deref().unwrap_or(""),
            l.row.unwrap_or(0)
        )
    }

    #[test]
    fn server_errors_are_located_by_pointer_or_at_the_alid() {
        let (conversion, mapping) = tvod_movie();
        let p = &conversion.payloads[0];
        let err = |message: &str| ApiError {
            code: "SERVER_RULE".into(),
            message: message.into(),
        };
        // A pointer into a transaction: that transaction's cell.
        let f = located(
            p,
            None,
            &mapping,
            err("/avail/Transaction/1/Start: too early"),
        );
        assert_eq!(cell(&f.location), "V5");
        assert_eq!(f.transaction_id.as_deref(), Some("availId456movie"));
        // An attribute path works the same.
        let f = located(
            p,
            None,
            &mapping,
            err("Transaction[2].End is after the term"),
        );
        assert_eq!(cell(&f.location), "W6");
        // No pointer: the payload's first row, in its ALID column.
        let f = located(
            p,
            None,
            &mapping,
            err("title not cleared for this territory"),
        );
        assert_eq!(cell(&f.location), "B4");
        assert_eq!(f.transaction_id, None);
        // A partial extract of the third transaction: its own row.
        let (parts, _) = partial_extracts(p);
        let f = located(p, Some(&parts[2]), &mapping, err("no pointer here"));
        assert_eq!(cell(&f.location), "B6");
        assert_eq!(f.transaction_id.as_deref(), Some("availId789movie"));
        let f = located(
            p,
            Some(&parts[2]),
            &mapping,
            err("/avail/Transaction/0/End: bad"),
        );
        assert_eq!(cell(&f.location), "W6");
    }

    #[test]
    fn a_partial_pointer_names_the_full_payload_transaction() {
        assert_eq!(
            in_full_payload("/avail/Transaction/0/Terms/1/Money", 3),
            "/avail/Transaction/3/Terms/1/Money"
        );
        assert_eq!(
            in_full_payload("/avail/Transaction/0", 2),
            "/avail/Transaction/2"
        );
        assert_eq!(in_full_payload("/avail/ALID", 2), "/avail/ALID");
        assert_eq!(
            in_full_payload("/avail/Transaction/01", 2),
            "/avail/Transaction/01"
        );
    }
}
