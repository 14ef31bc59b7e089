//! Client-side limits: requests per second (`governor`, burst of one so
//! requests are evenly spaced and no one-second window holds more than the
//! quota) and concurrent requests (a tokio `Semaphore`).

use std::num::NonZeroU32;
use std::sync::Arc;

use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

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
        let quota = Quota::per_second(tps_nz).allow_burst(NonZeroU32::MIN);
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
