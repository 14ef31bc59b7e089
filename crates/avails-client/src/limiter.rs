//! Client-side limits: requests per second (`governor`, burst of one so
//! requests are evenly spaced and no one-second window holds more than the
//! quota) and concurrent requests (a tokio `Semaphore`).
//!
//! The spacing is `(1 + PACING_MARGIN) / tps`, not exactly `1 / tps`. A
//! server that counts requests in a sliding one-second window (as the
//! sandbox does) sees them when they *arrive*: with exact spacing, request
//! `k + tps` leaves exactly one second after request `k`, so if request `k`
//! took even a millisecond longer to reach the server (a new connection, a
//! busy core, a late timer wake-up), the server counts `tps + 1` requests in
//! one second and answers 429 with `Retry-After: 1`, which costs a whole
//! second. With the margin, any `tps + 1` consecutive requests span at least
//! `1 + PACING_MARGIN` seconds, so their latencies may differ by up to 30 ms
//! before the server sees one too many, for 3% of the throughput.

use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Share of the request interval added as a safety margin (see the module docs).
pub const PACING_MARGIN: f64 = 0.03;

/// Holds requests to `tps` per second and `max_concurrency` in flight.
#[derive(Debug, Clone)]
pub struct Limiter {
    rate: Arc<DefaultDirectRateLimiter>,
    slots: Arc<Semaphore>,
    tps: u32,
    max_concurrency: u32,
}

/// A slot for one request in flight; dropping it frees the slot.
#[derive(Debug)]
pub struct Slot {
    _permit: Option<OwnedSemaphorePermit>,
}

impl Limiter {
    /// A limiter of `tps` requests per second and `max_concurrency` in flight (0 is taken as 1).
    pub fn new(tps: u32, max_concurrency: u32) -> Self {
        let tps_nz = NonZeroU32::new(tps).unwrap_or(NonZeroU32::MIN);
        let period = Duration::from_secs_f64((1.0 + PACING_MARGIN) / f64::from(tps_nz.get()));
        let quota = Quota::with_period(period)
            .unwrap_or_else(|| Quota::per_second(tps_nz))
            .allow_burst(NonZeroU32::MIN);
        let conc = max_concurrency.max(1);
        Self {
            rate: Arc::new(RateLimiter::direct(quota)),
            slots: Arc::new(Semaphore::new(conc as usize)),
            tps: tps_nz.get(),
            max_concurrency: conc,
        }
    }

    /// Waits for a concurrency slot, then for the rate; hold the slot while the request runs.
    pub async fn acquire(&self) -> Slot {
        // The semaphore is never closed, so this is always `Some`.
        let permit = self.slots.clone().acquire_owned().await.ok();
        self.rate.until_ready().await;
        Slot { _permit: permit }
    }

    /// Requests per second.
    pub fn tps(&self) -> u32 {
        self.tps
    }

    /// Concurrent requests.
    pub fn max_concurrency(&self) -> u32 {
        self.max_concurrency
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    #[tokio::test]
    async fn spaces_requests_to_the_rate() {
        let l = Limiter::new(20, 5);
        let start = Instant::now();
        for _ in 0..11 {
            let _s = l.acquire().await;
        }
        // 11 acquisitions at 20/s with a burst of one take at least 10 * 50 ms.
        assert!(start.elapsed().as_millis() >= 480, "{:?}", start.elapsed());
    }

    #[tokio::test]
    async fn caps_concurrency() {
        let l = Limiter::new(1000, 2);
        let a = l.acquire().await;
        let _b = l.acquire().await;
        let pending = tokio::time::timeout(std::time::Duration::from_millis(50), l.acquire()).await;
        assert!(pending.is_err(), "a third slot must wait");
        drop(a);
        let third = tokio::time::timeout(std::time::Duration::from_millis(500), l.acquire()).await;
        assert!(third.is_ok());
    }
}
