//! Retry policy: exponential backoff with full jitter, `Retry-After` honoured,
//! and the counters the client exposes.
//!
//! The loop itself lives in the client and is written by hand rather than with
//! `backon`: every attempt must be classified from the HTTP answer (status,
//! `Retry-After`), counted and logged, and a server's `Retry-After` must replace
//! the computed delay. That is a dozen lines here, where a retry crate would need
//! the same classification plus adapters, and one dependency less.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::fmt;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use rand::Rng;

use crate::errors::ClientError;

/// The retries the client calls made inside one [`track`]ed future.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Retried {
    /// Retries, all causes together.
    pub retries: u32,
    /// Retries by cause (`429`, `500`, `503`, `timeout`, `connection`, ...).
    pub causes: BTreeMap<String, u32>,
}

impl fmt::Display for Retried {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let causes: Vec<String> = self
            .causes
            .iter()
            .map(|(c, n)| format!("{c} x{n}"))
            .collect();
        write!(
            f,
            "{} {} ({})",
            self.retries,
            if self.retries == 1 {
                "retry"
            } else {
                "retries"
            },
            causes.join(", ")
        )
    }
}

tokio::task_local! {
    static TRACKED: RefCell<Retried>;
}

/// Runs `fut` and returns, with its output, the retries of every client call
/// it made: a caller can say once per payload what its requests went through
/// (the client itself logs each retry at debug level only).
pub async fn track<F: Future>(fut: F) -> (F::Output, Retried) {
    TRACKED
        .scope(RefCell::new(Retried::default()), async {
            let out = fut.await;
            let retried = TRACKED.with(|r| r.take());
            (out, retried)
        })
        .await
}

/// The cause of a retryable failure, as [`Retried::causes`] names it.
pub fn cause(error: &ClientError) -> String {
    match error {
        ClientError::Throttled { .. } => "429".to_string(),
        ClientError::Timeout { .. } => "timeout".to_string(),
        ClientError::Connection { .. } => "connection".to_string(),
        other => other
            .status()
            .map(|s| s.to_string())
            .unwrap_or_else(|| "error".to_string()),
    }
}

/// Notes one retry in the enclosing [`track`], if any.
pub(crate) fn note_retry(error: &ClientError) {
    let _ = TRACKED.try_with(|r| {
        let mut r = r.borrow_mut();
        r.retries += 1;
        *r.causes.entry(cause(error)).or_default() += 1;
    });
}

/// When and how often to try again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts per request, the first included (1 disables retries).
    pub max_attempts: u32,
    /// Backoff before the first retry, doubled for each further one.
    pub base_delay: Duration,
    /// Ceiling of the computed backoff.
    pub max_delay: Duration,
    /// Ceiling of a server's `Retry-After`.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: crate::config::DEFAULT_MAX_ATTEMPTS,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(30),
            max_retry_after: Duration::from_secs(300),
        }
    }
}

impl RetryPolicy {
    /// The policy with `max_attempts` attempts (at least 1).
    pub fn with_max_attempts(mut self, max_attempts: u32) -> Self {
        self.max_attempts = max_attempts.max(1);
        self
    }

    /// The ceiling of the backoff after failed attempt `attempt` (1-based): `base * 2^(attempt-1)`, capped.
    pub fn backoff_cap(&self, attempt: u32) -> Duration {
        let exp = attempt.saturating_sub(1).min(20);
        self.base_delay
            .saturating_mul(1u32 << exp)
            .min(self.max_delay)
    }

    /// The wait after failed attempt `attempt`: `Retry-After` when the server gave one (capped), else full jitter in `[0, backoff_cap]`.
    pub fn delay(&self, attempt: u32, retry_after: Option<Duration>) -> Duration {
        if let Some(ra) = retry_after {
            return ra.min(self.max_retry_after);
        }
        let cap = self.backoff_cap(attempt).as_millis() as u64;
        Duration::from_millis(rand::rng().random_range(0..=cap))
    }
}

/// Parses a `Retry-After` header given in seconds (an HTTP date is ignored: the backoff applies).
pub fn parse_retry_after(value: &str) -> Option<Duration> {
    let v = value.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    v.parse::<f64>()
        .ok()
        .filter(|s| s.is_finite() && *s >= 0.0 && *s < 86_400.0)
        .map(Duration::from_secs_f64)
}

/// Counters shared by the clones of a client.
#[derive(Debug, Default)]
pub struct Counters {
    sent: AtomicU64,
    retries: AtomicU64,
    throttled: AtomicU64,
    failed: AtomicU64,
}

/// A copy of the counters at one moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CounterSnapshot {
    /// HTTP requests sent, retries included.
    pub requests_sent: u64,
    /// Retries scheduled.
    pub retries: u64,
    /// 429 answers seen.
    pub throttled: u64,
    /// Calls that ended in an error.
    pub failed: u64,
}

impl Counters {
    /// Counts a request sent.
    pub fn sent(&self) {
        self.sent.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts a retry.
    pub fn retry(&self) {
        self.retries.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts a 429.
    pub fn throttled(&self) {
        self.throttled.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts a call that failed.
    pub fn failed(&self) {
        self.failed.fetch_add(1, Ordering::Relaxed);
    }

    /// The current values.
    pub fn snapshot(&self) -> CounterSnapshot {
        CounterSnapshot {
            requests_sent: self.sent.load(Ordering::Relaxed),
            retries: self.retries.load(Ordering::Relaxed),
            throttled: self.throttled.load(Ordering::Relaxed),
            failed: self.failed.load(Ordering::Relaxed),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_caps() {
        let p = RetryPolicy::default();
        assert_eq!(p.backoff_cap(1), Duration::from_millis(500));
        assert_eq!(p.backoff_cap(2), Duration::from_secs(1));
        assert_eq!(p.backoff_cap(4), Duration::from_secs(4));
        assert_eq!(p.backoff_cap(40), Duration::from_secs(30));
        for a in 1..10 {
            assert!(p.delay(a, None) <= p.backoff_cap(a));
        }
    }

    #[tokio::test]
    async fn tracked_retries_are_summed_by_cause() {
        let throttled = ClientError::Throttled {
            method: "PUT".into(),
            path: "/x".into(),
        };
        let server = ClientError::Server {
            status: 503,
            method: "PUT".into(),
            path: "/x".into(),
            errors: Vec::new(),
        };
        let ((), r) = track(async {
            note_retry(&throttled);
            note_retry(&throttled);
            note_retry(&server);
        })
        .await;
        assert_eq!(r.retries, 3);
        assert_eq!(r.to_string(), "3 retries (429 x2, 503 x1)");
        // Outside a tracked future, nothing is noted and nothing fails.
        note_retry(&server);
    }

    #[test]
    fn retry_after_wins_and_is_capped() {
        let p = RetryPolicy::default();
        assert_eq!(
            p.delay(1, Some(Duration::from_secs(7))),
            Duration::from_secs(7)
        );
        assert_eq!(
            p.delay(1, Some(Duration::from_secs(9999))),
            Duration::from_secs(300)
        );
        assert_eq!(parse_retry_after(" 3 "), Some(Duration::from_secs(3)));
        assert_eq!(parse_retry_after("0.5"), Some(Duration::from_millis(500)));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), None);
        assert_eq!(parse_retry_after("-1"), None);
    }
}
