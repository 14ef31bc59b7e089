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
//!
//! The concurrency adapts down to the server's: a profile may allow more
//! requests in flight than the server does (or the server's limit may be
//! lowered). A 429 answered while others of ours were in flight lowers the
//! ceiling to their number (see [`Slot::throttled`]), so the excess costs a
//! few 429s once rather than on every burst; it grows back by one after
//! [`GROW_AFTER_SUCCESSES`] answers without a 429.

use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Share of the request interval added as a safety margin (see the module docs).
pub const PACING_MARGIN: f64 = 0.03;
/// Answers without a 429 after which a lowered concurrency grows back by one.
pub const GROW_AFTER_SUCCESSES: u32 = 100;

/// Holds requests to `tps` per second and `max_concurrency` in flight.
#[derive(Debug, Clone)]
pub struct Limiter {
    rate: Arc<DefaultDirectRateLimiter>,
    slots: Arc<Semaphore>,
    adaptive: Arc<Mutex<Adaptive>>,
    tps: u32,
    max_concurrency: u32,
}

/// The concurrency actually used, lowered when the server throttles.
#[derive(Debug)]
struct Adaptive {
    /// Requests allowed in flight now (at most `max_concurrency`).
    ceiling: u32,
    /// Requests in flight now.
    in_flight: u32,
    /// Permits to retire as slots come back (after the ceiling was lowered).
    debt: u32,
    /// Answers since the last 429.
    since_throttle: u32,
}

/// A slot for one request in flight; dropping it frees the slot.
#[derive(Debug)]
pub struct Slot {
    permit: Option<OwnedSemaphorePermit>,
    adaptive: Arc<Mutex<Adaptive>>,
    slots: Arc<Semaphore>,
    max_concurrency: u32,
    /// Requests in flight when this one was sent, itself included.
    in_flight_at_send: u32,
}

fn lock(m: &Mutex<Adaptive>) -> std::sync::MutexGuard<'_, Adaptive> {
    m.lock().unwrap_or_else(|p| p.into_inner())
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
            adaptive: Arc::new(Mutex::new(Adaptive {
                ceiling: conc,
                in_flight: 0,
                debt: 0,
                since_throttle: 0,
            })),
            tps: tps_nz.get(),
            max_concurrency: conc,
        }
    }

    /// Waits for a concurrency slot, then for the rate; hold the slot while the request runs.
    pub async fn acquire(&self) -> Slot {
        // The semaphore is never closed, so this is always `Some`.
        let permit = self.slots.clone().acquire_owned().await.ok();
        self.rate.until_ready().await;
        let in_flight_at_send = {
            let mut a = lock(&self.adaptive);
            a.in_flight += 1;
            a.in_flight
        };
        Slot {
            permit,
            adaptive: Arc::clone(&self.adaptive),
            slots: Arc::clone(&self.slots),
            max_concurrency: self.max_concurrency,
            in_flight_at_send,
        }
    }

    /// Requests per second.
    pub fn tps(&self) -> u32 {
        self.tps
    }

    /// Concurrent requests configured (the most ever allowed).
    pub fn max_concurrency(&self) -> u32 {
        self.max_concurrency
    }

    /// Concurrent requests allowed now: lower than [`Limiter::max_concurrency`]
    /// after the server throttled (see [`Slot::throttled`]).
    pub fn concurrency(&self) -> u32 {
        lock(&self.adaptive).ceiling
    }
}

impl Slot {
    /// The server answered 429. If this request was sent while others were in
    /// flight, the server may hold fewer at once than we send: the ceiling
    /// drops to the number that were in flight besides this one (never below
    /// the server's limit, which that number reached), so a profile's
    /// `max_concurrency` above the server's limit costs a few 429s, not a
    /// stream of them. A 429 with nothing else in flight is the rate limit,
    /// not concurrency, and leaves the ceiling alone.
    pub fn throttled(&self) {
        let mut a = lock(&self.adaptive);
        a.since_throttle = 0;
        let others = self.in_flight_at_send.saturating_sub(1);
        if others >= 1 && others < a.ceiling {
            a.debt += a.ceiling - others;
            a.ceiling = others;
            tracing::debug!(
                concurrency = others,
                "server throttled with {others} other requests in flight: concurrency lowered"
            );
        }
    }

    /// The server answered without throttling; after [`GROW_AFTER_SUCCESSES`]
    /// such answers a lowered ceiling grows back by one.
    pub fn answered(&self) {
        let mut a = lock(&self.adaptive);
        a.since_throttle = a.since_throttle.saturating_add(1);
        if a.since_throttle >= GROW_AFTER_SUCCESSES && a.ceiling < self.max_concurrency {
            a.since_throttle = 0;
            a.ceiling += 1;
            if a.debt > 0 {
                a.debt -= 1;
            } else {
                self.slots.add_permits(1);
            }
        }
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut a = lock(&self.adaptive);
        a.in_flight = a.in_flight.saturating_sub(1);
        if a.debt > 0 {
            if let Some(p) = self.permit.take() {
                a.debt -= 1;
                p.forget();
            }
        }
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

    #[tokio::test]
    async fn a_429_among_others_in_flight_lowers_the_concurrency_to_them() {
        let l = Limiter::new(1000, 8);
        let mut slots = Vec::new();
        for _ in 0..8 {
            slots.push(l.acquire().await);
        }
        // The 6th request sent was throttled: 5 others were in flight.
        slots[5].throttled();
        assert_eq!(l.concurrency(), 5);
        // The 7th and 8th too: no lower than the 5 the server holds.
        slots[6].throttled();
        slots[7].throttled();
        assert_eq!(l.concurrency(), 5);
        slots.clear();
        // Five slots now, not eight.
        let mut held = Vec::new();
        for _ in 0..5 {
            held.push(l.acquire().await);
        }
        let sixth = tokio::time::timeout(std::time::Duration::from_millis(50), l.acquire()).await;
        assert!(sixth.is_err(), "a sixth slot must wait");
        // A 429 with nothing else in flight is the rate limit: no change.
        held.truncate(1);
        drop(held);
        let alone = l.acquire().await;
        alone.throttled();
        assert_eq!(l.concurrency(), 5);
        // Enough answers grow it back by one.
        for _ in 0..GROW_AFTER_SUCCESSES {
            alone.answered();
        }
        assert_eq!(l.concurrency(), 6);
    }
}
