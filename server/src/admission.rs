//! Admission control for expensive work: a bound that lets a fixed amount run, lets a few more
//! wait a little, and refuses the rest at once, so a burst is answered with a quick 503 and
//! `Retry-After` instead of a queue that grows without limit.
//!
//! Three kinds of work use it: password scoring and hashing (units are threads), image decoding
//! (units are MiB of memory, reserved from the image header before any pixel exists), and
//! building dataset downloads ([`Exports`]).
//! Per-client-address limits live in [`PerAddress`]: how many of one address's requests may be
//! in flight at once.

use std::{
    collections::HashMap,
    net::IpAddr,
    sync::{
        Arc, Mutex,
        atomic::{AtomicUsize, Ordering},
    },
    time::Duration,
};

use app::api::backend::Failure;
use http::StatusCode;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// The work was refused before it started; answer 503 with `Retry-After`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refused;

/// At most `capacity` units run at once; at most `max_waiting` callers wait for units, each
/// for at most `max_wait`.
pub struct Bound {
    units: Arc<Semaphore>,
    capacity: u32,
    waiting: AtomicUsize,
    max_waiting: usize,
    max_wait: Duration,
}

/// Units held while the work runs; dropping it gives them back.
#[derive(Debug)]
pub struct Admitted(#[allow(dead_code)] OwnedSemaphorePermit);

impl Bound {
    pub fn new(capacity: u32, max_waiting: usize, max_wait: Duration) -> Self {
        let capacity = capacity.max(1);
        Self {
            units: Arc::new(Semaphore::new(capacity as usize)),
            capacity,
            waiting: AtomicUsize::new(0),
            max_waiting,
            max_wait,
        }
    }

    /// Takes `cost` units (at most the whole capacity): at once when they are free, else
    /// after waiting in line if the line is short enough and the units come soon enough.
    pub async fn enter(&self, cost: u32) -> Result<Admitted, Refused> {
        let cost = cost.clamp(1, self.capacity);
        match self.units.clone().try_acquire_many_owned(cost) {
            Ok(permit) => return Ok(Admitted(permit)),
            Err(tokio::sync::TryAcquireError::Closed) => return Err(Refused),
            Err(tokio::sync::TryAcquireError::NoPermits) => {}
        }
        if self.waiting.fetch_add(1, Ordering::AcqRel) >= self.max_waiting {
            self.waiting.fetch_sub(1, Ordering::AcqRel);
            return Err(Refused);
        }
        let acquired =
            tokio::time::timeout(self.max_wait, self.units.clone().acquire_many_owned(cost)).await;
        self.waiting.fetch_sub(1, Ordering::AcqRel);
        match acquired {
            Ok(Ok(permit)) => Ok(Admitted(permit)),
            _ => Err(Refused),
        }
    }

    /// Units free right now (for `/readyz` and tests).
    pub fn available(&self) -> usize {
        self.units.available_permits()
    }
}

/// How many dataset downloads (`/api/dataset/…`, `edge::dataset`) are built at once: each
/// decodes every labelled image of its user, seconds of CPU for a year of labels. One at a
/// time, [`Self::WAITING`] more waiting up to [`Self::MAX_WAIT`], the rest refused at once.
pub struct Exports {
    bound: Bound,
    refused: metrics::Counter,
}

impl Exports {
    /// Downloads built at once.
    pub const AT_ONCE: u32 = 1;
    /// Downloads that may wait for a turn, each for at most [`Self::MAX_WAIT`].
    pub const WAITING: usize = 2;
    pub const MAX_WAIT: Duration = Duration::from_secs(2);
    /// What a refused download is told to wait, in seconds.
    pub const RETRY_AFTER_SECS: u64 = 2;

    /// `refused` counts the downloads refused (`trazo_admission_refused_total{bound="dataset"}`).
    pub fn new(refused: metrics::Counter) -> Self {
        Self {
            bound: Bound::new(Self::AT_ONCE, Self::WAITING, Self::MAX_WAIT),
            refused,
        }
    }

    /// A turn to build one download, or the 503 that refuses it.
    pub async fn enter(&self) -> Result<Admitted, Failure> {
        self.bound.enter(1).await.map_err(|_| {
            self.refused.increment(1);
            Failure::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "The server is busy preparing other downloads. Please try again in a few seconds.",
            )
            .retry_after(Self::RETRY_AFTER_SECS)
        })
    }
}

/// How many requests each client address has in flight, with a cap per address. The map only
/// holds addresses with work in flight, so it is bounded by the connection cap.
pub struct PerAddress {
    in_flight: Arc<Mutex<HashMap<IpAddr, usize>>>,
    max: usize,
}

/// One request's place; dropping it frees the place.
#[derive(Debug)]
pub struct InFlight {
    in_flight: Arc<Mutex<HashMap<IpAddr, usize>>>,
    ip: IpAddr,
}

impl PerAddress {
    pub fn new(max: usize) -> Self {
        Self {
            in_flight: Arc::new(Mutex::new(HashMap::new())),
            max: max.max(1),
        }
    }

    /// A place for one more request from `ip`, or `None` when it already has `max` in flight.
    pub fn enter(&self, ip: IpAddr) -> Option<InFlight> {
        let mut map = lock(&self.in_flight);
        let count = map.entry(ip).or_insert(0);
        if *count >= self.max {
            return None;
        }
        *count += 1;
        Some(InFlight {
            in_flight: self.in_flight.clone(),
            ip,
        })
    }

    /// Addresses with work in flight (for tests).
    pub fn addresses(&self) -> usize {
        lock(&self.in_flight).len()
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        let mut map = lock(&self.in_flight);
        if let Some(count) = map.get_mut(&self.ip) {
            *count -= 1;
            if *count == 0 {
                map.remove(&self.ip);
            }
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_full_bound_lets_a_few_wait_and_refuses_the_rest_at_once() {
        let bound = Arc::new(Bound::new(1, 1, Duration::from_secs(5)));
        let running = bound.enter(1).await.expect("free");
        let waiter = {
            let bound = bound.clone();
            tokio::spawn(async move { bound.enter(1).await.map(|_| ()) })
        };
        tokio::task::yield_now().await;
        while bound.waiting.load(Ordering::Acquire) == 0 {
            tokio::task::yield_now().await;
        }
        let started = std::time::Instant::now();
        assert_eq!(bound.enter(1).await.map(|_| ()), Err(Refused), "line full");
        assert!(
            started.elapsed() < Duration::from_millis(50),
            "refused at once"
        );
        drop(running);
        assert_eq!(waiter.await.expect("task"), Ok(()), "the waiter got in");
    }

    #[tokio::test]
    async fn waiting_is_bounded_in_time() {
        let bound = Bound::new(2, 4, Duration::from_millis(30));
        let _all = bound.enter(2).await.expect("free");
        assert_eq!(bound.enter(1).await.map(|_| ()), Err(Refused));
        assert_eq!(bound.waiting.load(Ordering::Acquire), 0);
    }

    #[tokio::test]
    async fn costs_are_capped_at_the_capacity_and_given_back() {
        let bound = Bound::new(100, 0, Duration::ZERO);
        let big = bound.enter(1_000).await.expect("capped to 100");
        assert_eq!(bound.available(), 0);
        drop(big);
        let _a = bound.enter(60).await.expect("60 free");
        assert_eq!(bound.enter(60).await.map(|_| ()), Err(Refused));
        assert!(bound.enter(40).await.is_ok());
    }

    #[test]
    fn addresses_are_capped_and_forgotten_when_idle() {
        let per = PerAddress::new(2);
        let a: IpAddr = "192.0.2.1".parse().expect("ip");
        let b: IpAddr = "192.0.2.2".parse().expect("ip");
        let first = per.enter(a).expect("1st");
        let second = per.enter(a).expect("2nd");
        assert!(
            per.enter(a).is_none(),
            "a third from one address is refused"
        );
        assert!(per.enter(b).is_some(), "another address is not affected");
        drop(first);
        let third = per.enter(a).expect("room again");
        drop((second, third));
        assert_eq!(per.addresses(), 0, "idle addresses leave the map");
    }
}
