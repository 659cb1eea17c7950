//! Counting limiter shared by log-in back-off, sign-up limits and prediction quotas.
//!
//! A request is checked against one or more fixed windows (e.g. 50 an hour *and* 200 a day) and
//! counted in all of them only if every one still has room — in a single atomic step: one Lua
//! script in Redis when configured (so several instances share the counts), one mutex-guarded
//! map in process otherwise. If Redis fails or is slow, the in-process counters take over
//! (degraded: per instance, but never unlimited) and the fact is logged and reported.

mod local;
mod scripts;

use std::{
    sync::{
        Mutex,
        atomic::{AtomicBool, Ordering},
    },
    time::{Duration, Instant},
};

use self::{
    local::LocalCounters,
    scripts::{RELEASE_SCRIPT, RESERVE_SCRIPT, SCRIPT},
};
use crate::redis_link::{RedisLink, Unavailable};

/// One window to check: at most `limit` hits per `period` under `key`.
#[derive(Debug, Clone)]
pub struct Window {
    pub key: String,
    pub limit: u64,
    pub period: Duration,
}

/// The state of one window after a check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WindowState {
    pub limit: u64,
    pub remaining: u64,
    /// Time until the window resets.
    pub reset_after: Duration,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub allowed: bool,
    /// One entry per window, in the order given.
    pub windows: Vec<WindowState>,
}

impl Decision {
    /// How long until every exhausted window has room again.
    pub fn retry_after(&self) -> Duration {
        self.windows
            .iter()
            .filter(|w| w.remaining == 0)
            .map(|w| w.reset_after)
            .max()
            .unwrap_or_default()
    }
}

/// A condition on a hit: take the step only while the Redis key `key` holds `expected` (an
/// absent key holds 0). Values must stay below 2^53 (the script compares Lua numbers).
#[derive(Debug, Clone)]
pub struct Guard {
    pub key: String,
    pub expected: u64,
}

/// What a guarded hit led to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Guarded {
    /// Redis checked the guard, and then the windows: this is the decision (counted if allowed).
    Decided(Decision),
    /// The guard's key holds `current`, not the value expected: nothing was counted.
    Moved { current: u64 },
    /// Decided in process (no Redis, or it failed): the guard could not be checked.
    Unchecked(Decision),
}

/// Exponential back-off after repeated failures (log-in attempts): from the `threshold`-th
/// failure on, each failure locks the key for `base` doubled per further failure, at most
/// `max`. Failures are forgotten `memory` after the last one, or when cleared.
#[derive(Debug, Clone, Copy)]
pub struct Backoff {
    pub threshold: u64,
    pub base: Duration,
    pub max: Duration,
    pub memory: Duration,
}

impl Backoff {
    /// How long the `failures`-th failure locks the key for.
    pub fn lock_for(&self, failures: u64) -> Duration {
        if failures < self.threshold {
            return Duration::ZERO;
        }
        let doublings = (failures - self.threshold).min(32) as u32;
        self.base
            .saturating_mul(2u32.saturating_pow(doublings))
            .min(self.max)
    }
}

pub struct Limiter {
    redis: RedisLink,
    local: Mutex<LocalCounters>,
    degraded: AtomicBool,
    prefix: String,
}

impl Limiter {
    /// A limiter over Redis when `redis` is given, in process otherwise. `prefix` namespaces
    /// its keys in Redis.
    pub fn new(redis: Option<redis::Client>, prefix: &str) -> Self {
        Self {
            redis: RedisLink::new(redis),
            local: Mutex::new(LocalCounters::default()),
            degraded: AtomicBool::new(false),
            prefix: prefix.to_owned(),
        }
    }

    /// Counts the limiter's failed or timed-out Redis calls in `errors`.
    pub fn counting_redis_errors(self, errors: metrics::Counter) -> Self {
        Self {
            redis: self.redis.counting_errors(errors),
            ..self
        }
    }

    /// True while Redis is configured but failing, so limits are held per instance.
    pub fn is_degraded(&self) -> bool {
        self.degraded.load(Ordering::Relaxed)
    }

    pub fn uses_redis(&self) -> bool {
        self.redis.is_configured()
    }

    /// Checks and counts one hit against `windows`.
    pub async fn hit(&self, windows: &[Window]) -> Decision {
        self.check(windows, true).await
    }

    /// Checks `windows` without counting anything: would a hit be allowed now?
    pub async fn peek(&self, windows: &[Window]) -> Decision {
        self.check(windows, false).await
    }

    /// Like [`Limiter::hit`], in the same atomic step as a check of `guard` in Redis: when its
    /// key no longer holds the value expected, nothing is counted.
    pub async fn hit_guarded(&self, windows: &[Window], guard: &Guard) -> Guarded {
        match self.shared_check(windows, true, Some(guard)).await {
            Some(Ok(decision)) => Guarded::Decided(decision),
            Some(Err(current)) => Guarded::Moved { current },
            None => Guarded::Unchecked(self.lock_local().hit(windows, Instant::now(), true)),
        }
    }

    async fn check(&self, windows: &[Window], count: bool) -> Decision {
        match self.shared_check(windows, count, None).await {
            Some(Ok(decision)) => decision,
            // Without a guard the script never answers "moved"; decide in process if it did.
            Some(Err(_)) | None => self.lock_local().hit(windows, Instant::now(), count),
        }
    }

    /// The script in Redis: `Some(Ok(decision))`, `Some(Err(current))` when `guard`'s key has
    /// moved on, `None` without Redis.
    async fn shared_check(
        &self,
        windows: &[Window],
        count: bool,
        guard: Option<&Guard>,
    ) -> Option<Result<Decision, u64>> {
        self.shared(async |connection| {
            let script = redis::Script::new(SCRIPT);
            let mut invocation = script.prepare_invoke();
            invocation.arg(if count { 1 } else { 0 });
            for window in windows {
                invocation
                    .key(self.key(&window.key))
                    .arg(window.limit)
                    .arg(millis(window.period));
            }
            if let Some(guard) = guard {
                invocation.key(&guard.key).arg(guard.expected);
            }
            let reply: Vec<i64> = invocation.invoke_async(connection).await?;
            Ok(match reply.as_slice() {
                [-1, current] => Err(u64::try_from(*current).unwrap_or(0)),
                _ => Ok(decision_from_reply(windows, &reply)),
            })
        })
        .await
    }

    /// Gives back one hit counted by [`Limiter::hit`] in each of `windows` (an attempt that
    /// turned out not to count, such as a log-in that succeeded).
    pub async fn release(&self, windows: &[Window]) {
        let released = self
            .shared(async |connection| {
                let script = redis::Script::new(RELEASE_SCRIPT);
                let mut invocation = script.prepare_invoke();
                for window in windows {
                    invocation.key(self.key(&window.key));
                }
                invocation.invoke_async::<i64>(connection).await
            })
            .await;
        if released.is_none() {
            self.lock_local().release(windows, Instant::now());
        }
    }

    /// Forgets the count under `key` (e.g. failed log-ins after a success).
    pub async fn clear(&self, key: &str) {
        self.lock_local().clear(key);
        let counter = self.key(key);
        self.shared(async |connection| {
            redis::cmd("DEL")
                .arg(&counter)
                .arg(format!("{counter}:lock"))
                .query_async::<()>(connection)
                .await
        })
        .await;
    }

    /// Reserves one attempt under `key` with back-off `policy`, before the attempt is made:
    /// `Err(wait)` while the key is locked; otherwise the attempt is counted as a failure at
    /// once (so N concurrent attempts can never get past the back-off) and a success is
    /// expected to [`Limiter::clear`] the key. Returns the failures counted.
    pub async fn reserve_attempt(&self, key: &str, policy: &Backoff) -> Result<u64, Duration> {
        let counter = self.key(key);
        let reply = self
            .shared(async |connection| {
                redis::Script::new(RESERVE_SCRIPT)
                    .key(&counter)
                    .key(format!("{counter}:lock"))
                    .arg(policy.threshold)
                    .arg(millis(policy.base))
                    .arg(millis(policy.max))
                    .arg(millis(policy.memory))
                    .invoke_async::<i64>(connection)
                    .await
            })
            .await;
        match reply {
            Some(n) if n < 0 => Err(Duration::from_millis(n.unsigned_abs())),
            Some(n) => Ok(n.unsigned_abs()),
            None => self.lock_local().reserve(key, policy, Instant::now()),
        }
    }

    /// Takes back one attempt reserved with [`Limiter::reserve_attempt`] that was never made
    /// (refused for load, or the database failed): it is not counted as a failure.
    pub async fn forgive_attempt(&self, key: &str) {
        let counter = self.key(key);
        let forgiven = self
            .shared(async |connection| {
                redis::Script::new(RELEASE_SCRIPT)
                    .key(&counter)
                    .invoke_async::<i64>(connection)
                    .await
            })
            .await;
        if forgiven.is_none() {
            self.lock_local().forgive(key);
        }
    }

    fn key(&self, key: &str) -> String {
        format!("{}{key}", self.prefix)
    }

    /// Runs `call` in Redis: `Some(answer)`, or `None` when there is no Redis or it failed (then
    /// the caller counts in process, and the first failure of a run is logged).
    async fn shared<T>(
        &self,
        call: impl AsyncFnOnce(&mut redis::aio::MultiplexedConnection) -> redis::RedisResult<T>,
    ) -> Option<T> {
        match self.redis.run(call).await {
            Ok(answer) => {
                if self.degraded.swap(false, Ordering::Relaxed) {
                    tracing::info!("rate limiter: Redis is back; limits are shared again");
                }
                Some(answer)
            }
            Err(Unavailable::NotConfigured) => None,
            Err(reason) => {
                if !self.degraded.swap(true, Ordering::Relaxed) {
                    tracing::warn!(
                        %reason,
                        "rate limiter: Redis unavailable; counting in process until it answers again"
                    );
                }
                None
            }
        }
    }

    fn lock_local(&self) -> std::sync::MutexGuard<'_, LocalCounters> {
        self.local
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// A duration in whole milliseconds, as the scripts take it.
fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

fn decision_from_reply(windows: &[Window], reply: &[i64]) -> Decision {
    let allowed = reply.first() == Some(&0);
    let states = windows
        .iter()
        .enumerate()
        .map(|(i, window)| {
            let count = reply.get(1 + 2 * i).copied().unwrap_or(0).max(0) as u64;
            let ttl_ms = reply.get(2 + 2 * i).copied().unwrap_or(0).max(0) as u64;
            WindowState {
                limit: window.limit,
                remaining: window.limit.saturating_sub(count),
                reset_after: Duration::from_millis(ttl_ms),
            }
        })
        .collect();
    Decision {
        allowed,
        windows: states,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redis_replies_become_decisions() {
        let window = |key: &str, limit: u64, secs: u64| Window {
            key: key.into(),
            limit,
            period: Duration::from_secs(secs),
        };
        let windows = [window("h", 50, 3600), window("d", 200, 86400)];
        let decision = decision_from_reply(&windows, &[0, 10, 1_000_000, 20, 2_000_000]);
        assert!(decision.allowed);
        assert_eq!(decision.windows[0].remaining, 40);
        assert_eq!(decision.windows[1].reset_after, Duration::from_secs(2000));
    }
}
