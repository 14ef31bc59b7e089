//! What the sandbox accepted, refused and stored, for tests to check.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

/// Seconds of per-second history kept.
const HISTORY_SECONDS: usize = 3600;

/// A copy of the counters at one moment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CountersSnapshot {
    /// Requests admitted by the limits, by Unix second of admission.
    pub accepted_per_second: BTreeMap<u64, u64>,
    /// Requests admitted by the limits, by endpoint name (see [`crate::Endpoint::name`]).
    pub accepted_per_endpoint: BTreeMap<String, u64>,
    /// Requests answered 429 (rate or concurrency limit).
    pub throttled: u64,
    /// Requests answered 500 or 503 by fault injection.
    pub injected_failures: u64,
    /// Requests answered 401 or 403.
    pub auth_failures: u64,
    /// Stored writes (PUTs that landed) per ALID.
    pub writes_per_alid: BTreeMap<String, u64>,
    /// Stored writes (PUTs that landed) per transaction ID.
    pub writes_per_transaction: BTreeMap<String, u64>,
    /// Deletions that removed something, per ALID.
    pub deletes_per_alid: BTreeMap<String, u64>,
    /// Admitted API requests being handled right now.
    pub in_flight: u64,
    /// The most admitted API requests handled at once so far.
    pub max_in_flight: u64,
}

impl CountersSnapshot {
    /// The most requests admitted in one calendar second.
    pub fn max_accepted_in_one_second(&self) -> u64 {
        self.accepted_per_second
            .values()
            .copied()
            .max()
            .unwrap_or(0)
    }

    /// Requests admitted in total.
    pub fn accepted_total(&self) -> u64 {
        self.accepted_per_second.values().sum()
    }

    /// Stored writes of one ALID.
    pub fn writes_for_alid(&self, alid: &str) -> u64 {
        self.writes_per_alid.get(alid).copied().unwrap_or(0)
    }

    /// Stored writes of one transaction ID.
    pub fn writes_for_transaction(&self, transaction_id: &str) -> u64 {
        self.writes_per_transaction
            .get(transaction_id)
            .copied()
            .unwrap_or(0)
    }
}

/// Live counters shared by the request handlers.
#[derive(Debug, Default)]
pub struct Counters {
    inner: Mutex<CountersSnapshot>,
}

/// The current Unix second.
pub(crate) fn unix_second() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

impl Counters {
    fn with<R>(&self, f: impl FnOnce(&mut CountersSnapshot) -> R) -> R {
        let mut guard = match self.inner.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        f(&mut guard)
    }

    /// Records a request admitted at Unix second `second` for `endpoint`.
    pub(crate) fn accepted(&self, second: u64, endpoint: &str) {
        self.with(|c| {
            *c.accepted_per_second.entry(second).or_default() += 1;
            while c.accepted_per_second.len() > HISTORY_SECONDS {
                c.accepted_per_second.pop_first();
            }
            *c.accepted_per_endpoint
                .entry(endpoint.to_string())
                .or_default() += 1;
        });
    }

    /// Records an admitted request starting; [`Counters::finished`] ends it.
    pub(crate) fn started(&self) {
        self.with(|c| {
            c.in_flight += 1;
            c.max_in_flight = c.max_in_flight.max(c.in_flight);
        });
    }

    /// Records an admitted request answered.
    pub(crate) fn finished(&self) {
        self.with(|c| c.in_flight = c.in_flight.saturating_sub(1));
    }

    /// Records a 429.
    pub(crate) fn throttled(&self) {
        self.with(|c| c.throttled += 1);
    }

    /// Records an injected 500/503.
    pub(crate) fn injected_failure(&self) {
        self.with(|c| c.injected_failures += 1);
    }

    /// Records a 401/403.
    pub(crate) fn auth_failure(&self) {
        self.with(|c| c.auth_failures += 1);
    }

    /// Records a stored write of `alid` and its transaction IDs.
    pub(crate) fn write<'a>(&self, alid: &str, transaction_ids: impl IntoIterator<Item = &'a str>) {
        self.with(|c| {
            *c.writes_per_alid.entry(alid.to_string()).or_default() += 1;
            for t in transaction_ids {
                *c.writes_per_transaction.entry(t.to_string()).or_default() += 1;
            }
        });
    }

    /// Records a deletion that removed something of `alid`.
    pub(crate) fn delete(&self, alid: &str) {
        self.with(|c| *c.deletes_per_alid.entry(alid.to_string()).or_default() += 1);
    }

    /// A copy of the counters.
    pub fn snapshot(&self) -> CountersSnapshot {
        self.with(|c| c.clone())
    }
}
