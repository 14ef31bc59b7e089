//! Sending units: journal first, then the API, then the journal again.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use avails_client::{track, AvailsClient, BatchOp, ClientError, Retried};
use avails_journal::{Decision, Journal, Outcome, SendReason};
use avails_model::{ApiError, BatchRequest};
use futures::stream::{self, StreamExt};
use serde::Serialize;

use crate::spool::{SpoolError, Spooled};
use crate::{Unit, UnitKind};

/// How to submit.
#[derive(Debug, Clone)]
pub struct SubmitOptions {
    /// Items per partial-extract batch (1 to [`avails_model::MAX_BATCH_ITEMS`],
    /// the reference's cap, which is the default).
    pub batch_size: usize,
    /// Send even what the journal says already landed.
    pub force: bool,
    /// Plan and report only; send nothing and write nothing.
    pub dry_run: bool,
    /// Requests in flight at once, at most; the client holds them to its own
    /// limit, lowered to the server's when throttled (see [`SubmitOptions::for_client`]).
    pub concurrency: usize,
}

impl Default for SubmitOptions {
    fn default() -> Self {
        Self {
            batch_size: avails_model::MAX_BATCH_ITEMS,
            force: false,
            dry_run: false,
            concurrency: avails_model::api::DEFAULT_MAX_CONCURRENCY as usize,
        }
    }
}

impl SubmitOptions {
    /// The defaults, with as many requests in flight as `client` allows
    /// (its profile's `max_concurrency`).
    pub fn for_client(client: &AvailsClient) -> Self {
        Self {
            concurrency: client.max_concurrency().max(1) as usize,
            ..Self::default()
        }
    }
}

/// A unit the server refused, with its answer.
#[derive(Debug, Clone, Serialize)]
pub struct Rejection {
    /// Journal key.
    pub key: String,
    /// HTTP status.
    pub status: Option<u16>,
    /// The server's errors.
    pub errors: Vec<ApiError>,
}

/// A unit that got no usable answer after the retries.
#[derive(Debug, Clone, Serialize)]
pub struct Failure {
    /// Journal key.
    pub key: String,
    /// What happened (never contains secrets).
    pub message: String,
}

/// What a dry run would do with one unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum PlannedAction {
    /// Never sent: would be sent.
    New,
    /// Its content differs from what the journal last recorded as sent:
    /// would be sent.
    Changed,
    /// The same content already landed: would be skipped.
    Unchanged,
    /// The same content landed, and `--force` sends it again.
    Forced,
    /// Planned or sent by an earlier run without an answer (interrupted, or
    /// deleted on the server since): would be sent.
    Resend,
    /// The same content was refused or failed before: would be sent again.
    Retry,
}

impl PlannedAction {
    /// A short word for text output.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::New => "new",
            Self::Changed => "changed",
            Self::Unchanged => "unchanged",
            Self::Forced => "forced",
            Self::Resend => "resend",
            Self::Retry => "retry",
        }
    }

    /// Whether the unit would be sent.
    pub fn sends(self) -> bool {
        self != Self::Unchanged
    }
}

/// One unit of a dry run's plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlannedUnit {
    /// Journal key (`full:LICENSOR:ALID:TERRITORY:LINE` or
    /// `partial:LICENSOR:TRANSACTION`).
    pub key: String,
    /// What would be done, and why.
    pub action: PlannedAction,
}

/// What a submission did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    /// Units acknowledged by the server in this run.
    pub sent: usize,
    /// Units skipped: identical content already acknowledged.
    pub unchanged: usize,
    /// Units that would be sent (dry run).
    pub planned: usize,
    /// A dry run's decision for every unit, in the order they were planned
    /// (empty, and not serialized, when something was sent).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub plan: Vec<PlannedUnit>,
    /// Units refused by the server.
    pub rejected: Vec<Rejection>,
    /// Units with no usable answer.
    pub failed: Vec<Failure>,
    /// Requests made (batches count once).
    pub requests: u64,
    /// Retries the client made.
    pub retries: u64,
    /// 429 answers the client saw.
    pub throttled: u64,
    /// Wall time in seconds.
    pub seconds: f64,
    /// Each unit's outcome, when it was decided (for a report per row;
    /// the counts above say the same in short).
    #[serde(skip)]
    pub outcomes: Vec<UnitOutcome>,
}

/// What became of one unit.
#[derive(Debug, Clone, PartialEq)]
pub struct UnitOutcome {
    /// Journal key.
    pub key: String,
    /// What happened.
    pub status: UnitStatus,
    /// When it was decided.
    pub at: std::time::SystemTime,
}

/// What happened to a unit.
#[derive(Debug, Clone, PartialEq)]
pub enum UnitStatus {
    /// Acknowledged by the server in this run.
    Sent,
    /// Not sent: the same content already landed.
    Unchanged,
    /// Would be sent (dry run).
    Planned,
    /// Refused by the server.
    Rejected {
        /// HTTP status.
        status: Option<u16>,
        /// The server's errors.
        errors: Vec<ApiError>,
    },
    /// No usable answer after the retries.
    Failed {
        /// HTTP status, when there was an answer.
        status: Option<u16>,
        /// What happened (never contains secrets).
        message: String,
    },
}

impl UnitOutcome {
    fn now(key: &str, status: UnitStatus) -> Self {
        Self {
            key: key.to_string(),
            status,
            at: std::time::SystemTime::now(),
        }
    }
}

/// Progress of a submission, for bars and logs.
#[derive(Debug, Clone)]
pub enum Event {
    /// Units were decided (sent, skipped, rejected or failed).
    Done(usize),
}

/// Errors that stop a whole submission.
#[derive(Debug, thiserror::Error)]
pub enum SubmitError {
    /// The journal could not be read or written: nothing more is sent.
    #[error("journal: {0}")]
    Journal(#[from] avails_journal::JournalError),
    /// Credentials or TLS were refused: every further request would be too.
    #[error("{0}")]
    Credentials(ClientError),
    /// The server does not answer (connection attempts failed in a row,
    /// [`avails_client::MAX_CONSECUTIVE_CONNECTION_FAILURES`]): the run
    /// stops, the journal keeps every unit not acknowledged (pending or
    /// sending), and the next run sends them.
    #[error("{0}; nothing more was sent: run the same command again to resume once it answers")]
    Unreachable(ClientError),
    /// The file holding the payloads to send failed.
    #[error(transparent)]
    Spool(#[from] SpoolError),
}

/// Whether an error means the credentials or TLS setup are wrong.
fn is_credentials(e: &ClientError) -> bool {
    let e = match e {
        ClientError::GaveUp { last, .. } => last,
        other => other,
    };
    matches!(
        e,
        ClientError::Unauthorized { .. }
            | ClientError::Forbidden { .. }
            | ClientError::ClientCertRefused { .. }
            | ClientError::ServerCertUntrusted { .. }
            | ClientError::TlsSetup { .. }
            | ClientError::InvalidApiKey
            | ClientError::PemRead { .. }
            | ClientError::PemInvalid { .. }
            | ClientError::PrivateKeyTooOpen { .. }
            | ClientError::HalfIdentity { .. }
    )
}

type Shared = Arc<Mutex<Journal>>;

fn lock(journal: &Shared) -> std::sync::MutexGuard<'_, Journal> {
    journal.lock().unwrap_or_else(|p| p.into_inner())
}

/// Sends the units, recording each in the journal before and after.
pub async fn submit(
    client: &AvailsClient,
    journal: Shared,
    units: Vec<Unit>,
    options: &SubmitOptions,
    on_event: &(dyn Fn(Event) + Sync),
) -> Result<Report, SubmitError> {
    let started = Instant::now();
    let before = client.counters();
    let mut report = Report::default();
    let to_send = decide(
        &journal,
        units,
        |u| (&u.key, &u.hash),
        options,
        &mut report,
        on_event,
    )?;
    let result = match options.dry_run {
        true => Ok(()),
        false => send_units(client, &journal, to_send, options, on_event, &mut report).await,
    };
    finish(client, before, started, report, result)
}

/// Units whose bodies are read back this many at a time.
const CHUNK: usize = 1000;

/// [`submit`] for the units of a streamed conversion: decided from their
/// keys and hashes alone (a dry run never reads a body back), then sent a
/// chunk at a time, bodies read from the spool file as they go.
pub async fn submit_spooled(
    client: &AvailsClient,
    journal: Shared,
    mut spooled: Spooled,
    options: &SubmitOptions,
    on_event: &(dyn Fn(Event) + Sync),
) -> Result<Report, SubmitError> {
    let started = Instant::now();
    let before = client.counters();
    let mut report = Report::default();
    // Decided by reference: the units' keys and hashes are not copied.
    let to_send: Vec<usize> = decide(
        &journal,
        spooled.units().iter().enumerate().collect(),
        |(_, u)| (&u.key, &u.hash),
        options,
        &mut report,
        on_event,
    )?
    .into_iter()
    .map(|(i, _)| i)
    .collect();
    let mut result = Ok(());
    if !options.dry_run {
        for chunk in to_send.chunks(CHUNK) {
            let units = spooled.load(chunk)?;
            result = send_units(client, &journal, units, options, on_event, &mut report).await;
            if result.is_err() {
                break;
            }
        }
    }
    finish(client, before, started, report, result)
}

/// Skips what the journal says already landed unchanged (unless forced);
/// records the rest as pending in one transaction, unless a dry run, which
/// counts them as planned.
fn decide<T>(
    journal: &Shared,
    units: Vec<T>,
    id: impl Fn(&T) -> (&str, &str),
    options: &SubmitOptions,
    report: &mut Report,
    on_event: &(dyn Fn(Event) + Sync),
) -> Result<Vec<T>, SubmitError> {
    let j = lock(journal);
    let mut to_send = Vec::new();
    for unit in units {
        let (key, hash) = id(&unit);
        let decision = j.should_send(key, hash)?;
        if options.dry_run {
            let action = match &decision {
                Decision::Skip if options.force => PlannedAction::Forced,
                Decision::Skip => PlannedAction::Unchanged,
                Decision::Send(SendReason::New) => PlannedAction::New,
                Decision::Send(SendReason::Changed) => PlannedAction::Changed,
                Decision::Send(
                    SendReason::Pending | SendReason::Interrupted | SendReason::Deleted,
                ) => PlannedAction::Resend,
                Decision::Send(SendReason::PreviouslyRejected | SendReason::PreviouslyFailed) => {
                    PlannedAction::Retry
                }
            };
            report.plan.push(PlannedUnit {
                key: key.to_string(),
                action,
            });
        }
        match decision {
            Decision::Skip if !options.force => {
                report.unchanged += 1;
                report
                    .outcomes
                    .push(UnitOutcome::now(key, UnitStatus::Unchanged));
                on_event(Event::Done(1));
            }
            _ => to_send.push(unit),
        }
    }
    if options.dry_run {
        report.planned = to_send.len();
        for unit in &to_send {
            report
                .outcomes
                .push(UnitOutcome::now(id(unit).0, UnitStatus::Planned));
        }
    } else {
        // One transaction (one disk sync) for the whole plan.
        j.mark_pending_all(to_send.iter().map(&id))?;
    }
    Ok(to_send)
}

/// The report with the client's counters and the time, or the error that
/// stopped the run.
fn finish(
    client: &AvailsClient,
    before: avails_client::CounterSnapshot,
    started: Instant,
    mut report: Report,
    result: Result<(), SubmitError>,
) -> Result<Report, SubmitError> {
    let after = client.counters();
    report.requests = after.requests_sent.saturating_sub(before.requests_sent);
    report.retries = after.retries.saturating_sub(before.retries);
    report.throttled = after.throttled.saturating_sub(before.throttled);
    report.seconds = started.elapsed().as_secs_f64();
    result.map(|()| report)
}

/// Sends units: a full extract alone, partial extracts in batches; each
/// request's units marked sending before it leaves and decided after.
async fn send_units(
    client: &AvailsClient,
    journal: &Shared,
    units: Vec<Unit>,
    options: &SubmitOptions,
    on_event: &(dyn Fn(Event) + Sync),
    report: &mut Report,
) -> Result<(), SubmitError> {
    let size = options.batch_size.clamp(1, avails_model::MAX_BATCH_ITEMS);
    let (partial, full): (Vec<Unit>, Vec<Unit>) = units
        .into_iter()
        .partition(|u| matches!(u.kind, UnitKind::Partial { .. }));
    let mut groups: Vec<Vec<Unit>> = full.into_iter().map(|u| vec![u]).collect();
    let mut it = partial.into_iter().peekable();
    while it.peek().is_some() {
        groups.push(it.by_ref().take(size).collect());
    }

    // Set by the first error that stops the run: the groups not yet begun
    // are left pending in the journal, for the next run.
    let stopped = &AtomicBool::new(false);
    let results: Vec<Result<Vec<(Unit, Outcome)>, SubmitError>> = stream::iter(groups)
        .map(|group| {
            let journal = journal.clone();
            async move {
                if stopped.load(Ordering::SeqCst) {
                    return Ok(Vec::new());
                }
                {
                    // One transaction (one disk sync) per request: with one
                    // per unit, 25 fsyncs on a runtime thread delayed other
                    // requests past their rate slot (429 from a server
                    // counting arrivals in a sliding second).
                    let j = lock(&journal);
                    j.mark_sending_all(group.iter().map(|u| (u.key.as_str(), u.hash.as_str())))?;
                }
                let outcomes = send_group(client, group).await.inspect_err(|_| {
                    stopped.store(true, Ordering::SeqCst);
                })?;
                {
                    let j = lock(&journal);
                    j.mark_results(
                        outcomes
                            .iter()
                            .map(|(u, o)| (u.key.as_str(), u.hash.as_str(), o)),
                    )?;
                }
                on_event(Event::Done(outcomes.len()));
                Ok(outcomes)
            }
        })
        .buffer_unordered(options.concurrency.max(1))
        .collect()
        .await;

    let mut first_error = None;
    for r in results {
        match r {
            Ok(outcomes) => {
                for (u, o) in outcomes {
                    tally(report, u, o);
                }
            }
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    first_error.map_or(Ok(()), Err)
}

fn tally(report: &mut Report, unit: Unit, outcome: Outcome) {
    use avails_journal::State;
    match outcome.state {
        State::Acknowledged => {
            report.sent += 1;
            report
                .outcomes
                .push(UnitOutcome::now(&unit.key, UnitStatus::Sent));
        }
        State::Rejected => {
            let rejection = Rejection {
                key: unit.key,
                status: outcome.http_status,
                errors: outcome
                    .answer
                    .and_then(|a| serde_json::from_value(a).ok())
                    .unwrap_or_default(),
            };
            report.outcomes.push(UnitOutcome::now(
                &rejection.key,
                UnitStatus::Rejected {
                    status: rejection.status,
                    errors: rejection.errors.clone(),
                },
            ));
            report.rejected.push(rejection);
        }
        _ => {
            let failure = Failure {
                key: unit.key,
                message: outcome
                    .answer
                    .and_then(|a| a.as_str().map(str::to_string))
                    .unwrap_or_else(|| "no answer".into()),
            };
            report.outcomes.push(UnitOutcome::now(
                &failure.key,
                UnitStatus::Failed {
                    status: outcome.http_status,
                    message: failure.message.clone(),
                },
            ));
            report.failed.push(failure);
        }
    }
}

/// Sends one group (a single full PUT, or one batch) and decides each unit.
async fn send_group(
    client: &AvailsClient,
    group: Vec<Unit>,
) -> Result<Vec<(Unit, Outcome)>, SubmitError> {
    if let [Unit {
        kind: UnitKind::Full { alid },
        request,
        key,
        ..
    }] = group.as_slice()
    {
        let (result, retried) = track(client.put_full_extract(alid, request)).await;
        let outcome = outcome_of(result.map(|r| (r.success, r.errors)));
        summarise_retries(key, &retried, outcome.as_ref().ok());
        let outcome = outcome?;
        return Ok(group.into_iter().map(|u| (u, outcome.clone())).collect());
    }
    let mut request = BatchRequest::default();
    // Units whose item cannot be built (a TransactionID that cannot be a URL
    // path segment, which validation reports first as AV085): failed, unsent.
    let mut unbuilt: Vec<(usize, String)> = Vec::new();
    for (i, u) in group.iter().enumerate() {
        let UnitKind::Partial { transaction_id } = &u.kind else {
            continue;
        };
        match client.batch_item(
            BatchOp::Put,
            &format!("item{i}"),
            transaction_id,
            Some(u.request.clone()),
        ) {
            Ok(item) => request.request_items.push(item),
            Err(e) => unbuilt.push((i, e.to_string())),
        }
    }
    let unbuilt_outcome = |i: usize| {
        unbuilt
            .iter()
            .find(|(j, _)| *j == i)
            .map(|(_, why)| Outcome::failed(None, why))
    };
    if request.request_items.is_empty() {
        return Ok(group
            .into_iter()
            .enumerate()
            .map(|(i, u)| {
                let outcome = unbuilt_outcome(i)
                    .unwrap_or_else(|| Outcome::failed(None, "not a partial extract"));
                (u, outcome)
            })
            .collect());
    }
    let (result, retried) = track(client.batch(BatchOp::Put, &request)).await;
    if retried.retries > 0 {
        let what = match group.as_slice() {
            [only] => only.key.clone(),
            [first, .., last] => {
                format!("batch of {} ({} .. {})", group.len(), first.key, last.key)
            }
            [] => "empty batch".to_string(),
        };
        let ended = if result.is_ok() {
            "answered"
        } else {
            "no usable answer"
        };
        tracing::warn!("retried: {what}: {retried}, then {ended}");
    }
    match result {
        Ok(response) => Ok(group
            .into_iter()
            .enumerate()
            .map(|(i, u)| {
                if let Some(outcome) = unbuilt_outcome(i) {
                    return (u, outcome);
                }
                let id = format!("item{i}");
                let outcome = match response
                    .response_items
                    .iter()
                    .find(|r| r.request_item_id == id)
                {
                    Some(r) if r.success => Outcome::acknowledged(200),
                    Some(r) => Outcome::rejected(200, &r.errors),
                    None => {
                        Outcome::failed(Some(200), "the batch answer has no item for this request")
                    }
                };
                (u, outcome)
            })
            .collect()),
        Err(e) => {
            let outcome = outcome_of(Err(e))?;
            Ok(group
                .into_iter()
                .enumerate()
                .map(|(i, u)| (u, unbuilt_outcome(i).unwrap_or_else(|| outcome.clone())))
                .collect())
        }
    }
}

/// One line for a unit whose request was retried: its key, the retries by
/// cause, and how it ended.
fn summarise_retries(key: &str, retried: &Retried, outcome: Option<&Outcome>) {
    if retried.retries == 0 {
        return;
    }
    let ended = match outcome.map(|o| o.state) {
        Some(avails_journal::State::Acknowledged) => "landed",
        Some(avails_journal::State::Rejected) => "rejected",
        Some(_) => "failed",
        None => "stopped the run",
    };
    tracing::warn!("retried: {key}: {retried}, then {ended}");
}

/// The journal outcome of an answer; credentials errors stop the run.
fn outcome_of(result: Result<(bool, Vec<ApiError>), ClientError>) -> Result<Outcome, SubmitError> {
    match result {
        Ok((true, _)) => Ok(Outcome::acknowledged(200)),
        Ok((false, errors)) => Ok(Outcome::rejected(200, &errors)),
        Err(e) if is_credentials(&e) => Err(SubmitError::Credentials(e)),
        Err(e @ ClientError::Unreachable { .. }) => Err(SubmitError::Unreachable(e)),
        Err(e) => match e.status() {
            Some(status @ (400 | 404 | 409 | 422)) => {
                Ok(Outcome::rejected(status, e.server_errors()))
            }
            status => Ok(Outcome::failed(status, &e.to_string())),
        },
    }
}
