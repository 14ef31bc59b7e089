//! Rate limit, concurrency limit, fault injection.
//!
//! The rate limit is a sliding one-second window: a request is admitted only
//! if fewer than `tps` requests were admitted in the last second. This keeps
//! the promise "never more than N accepted in any one second", which the
//! counters check per calendar second. (`governor`'s GCRA with a burst of N
//! admits up to 2N-1 in a one-second window, so it was not used.)

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::counters::{unix_second, Counters};

const WINDOW: Duration = Duration::from_secs(1);

/// Why a request was throttled, with the seconds to put in `Retry-After`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Throttled {
    /// Seconds after which a retry may be admitted.
    pub retry_after_secs: u64,
    /// True for the concurrency limit, false for the rate limit.
    pub concurrency: bool,
}

/// The rate and concurrency limits of one sandbox.
pub struct Limits {
    rate: Option<Mutex<(u32, VecDeque<Instant>)>>,
    concurrency: Option<Arc<Semaphore>>,
}

/// Held while a request is in flight; frees its concurrency slot when dropped.
pub struct Admission {
    _permit: Option<OwnedSemaphorePermit>,
}

impl Limits {
    /// Limits of `tps` requests per second and `max_concurrency` in flight (`None` = off).
    pub fn new(tps: Option<u32>, max_concurrency: Option<u32>) -> Self {
        Self {
            rate: tps.map(|n| Mutex::new((n, VecDeque::with_capacity(n as usize)))),
            concurrency: max_concurrency.map(|n| Arc::new(Semaphore::new(n as usize))),
        }
    }

    /// Admits a request or says why not; admitted requests are counted under `endpoint`.
    pub fn admit(&self, counters: &Counters, endpoint: &str) -> Result<Admission, Throttled> {
        let permit = match &self.concurrency {
            Some(sem) => match sem.clone().try_acquire_owned() {
                Ok(p) => Some(p),
                Err(_) => {
                    return Err(Throttled {
                        retry_after_secs: 1,
                        concurrency: true,
                    })
                }
            },
            None => None,
        };
        match &self.rate {
            Some(rate) => {
                let mut guard = match rate.lock() {
                    Ok(g) => g,
                    Err(p) => p.into_inner(),
                };
                let (limit, admitted) = &mut *guard;
                let now = Instant::now();
                while admitted
                    .front()
                    .is_some_and(|t| now.duration_since(*t) >= WINDOW)
                {
                    admitted.pop_front();
                }
                if admitted.len() >= *limit as usize {
                    let oldest = admitted.front().copied().unwrap_or(now);
                    let wait = WINDOW.saturating_sub(now.duration_since(oldest));
                    let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
                    return Err(Throttled {
                        retry_after_secs: secs.max(1),
                        concurrency: false,
                    });
                }
                admitted.push_back(now);
                // Counted under the same lock so the per-second history agrees with the window.
                counters.accepted(unix_second(), endpoint);
            }
            None => counters.accepted(unix_second(), endpoint),
        }
        Ok(Admission { _permit: permit })
    }
}

/// Fault injection: answers a share of requests 500 or 503.
pub struct Faults {
    rate: f64,
    rng: Mutex<StdRng>,
}

impl Faults {
    /// Fails `rate` of requests; `seed` makes the sequence reproducible.
    pub fn new(rate: f64, seed: Option<u64>) -> Self {
        let rng = match seed {
            Some(s) => StdRng::seed_from_u64(s),
            None => StdRng::from_os_rng(),
        };
        Self {
            rate,
            rng: Mutex::new(rng),
        }
    }

    /// The status to fail this request with, if it is to fail.
    pub fn roll(&self) -> Option<StatusCode> {
        if self.rate <= 0.0 {
            return None;
        }
        let mut rng = match self.rng.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        };
        if rng.random::<f64>() < self.rate {
            Some(if rng.random_bool(0.5) {
                StatusCode::INTERNAL_SERVER_ERROR
            } else {
                StatusCode::SERVICE_UNAVAILABLE
            })
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_window_admits_at_most_n_per_second() {
        let limits = Limits::new(Some(3), None);
        let counters = Counters::default();
        let ok = (0..10)
            .filter(|_| limits.admit(&counters, "x").is_ok())
            .count();
        assert_eq!(ok, 3);
        let err = limits.admit(&counters, "x").err();
        assert_eq!(err.map(|t| t.retry_after_secs), Some(1));
    }

    #[test]
    fn concurrency_slots_are_released_on_drop() {
        let limits = Limits::new(None, Some(1));
        let counters = Counters::default();
        let first = limits.admit(&counters, "x");
        assert!(first.is_ok());
        assert!(limits.admit(&counters, "x").is_err());
        drop(first);
        assert!(limits.admit(&counters, "x").is_ok());
    }

    #[test]
    fn fault_rate_one_always_fails_and_zero_never() {
        let always = Faults::new(1.0, Some(7));
        assert!((0..20).all(|_| always.roll().is_some()));
        let never = Faults::new(0.0, Some(7));
        assert!((0..20).all(|_| never.roll().is_none()));
    }
}
