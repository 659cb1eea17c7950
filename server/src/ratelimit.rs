//! Counting limiter shared by log-in back-off, sign-up limits and prediction quotas.
//!
//! A request is checked against one or more fixed windows (e.g. 50 an hour *and* 200 a day) and
//! counted in all of them only if every one still has room — in a single atomic step: one Lua
//! script in Redis when configured (so several instances share the counts), one mutex-guarded
//! map in process otherwise. If Redis fails or is slow, the in-process counters take over
//! (degraded: per instance, but never unlimited) and the fact is logged and reported.

use std::{
    collections::HashMap,
    sync::{
        Mutex,
        atomic::{AtomicBool, Ordering},
    },
    time::{Duration, Instant},
};

use crate::redis_link::RedisLink;

/// Redis calls give up after this, so a hung Redis cannot hang requests.
const REDIS_TIMEOUT: Duration = Duration::from_millis(250);
/// The in-process maps are pruned of expired entries when they grow past this many keys…
const LOCAL_PRUNE_AT: usize = 100_000;
/// …and never hold more than this many: past it, the entries closest to expiring go first.
/// Keys come from parsed usernames and client addresses (short), so this is tens of MB at most.
const LOCAL_MAX: usize = 200_000;

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

/// Checks every window and, when ARGV[1] is 1, counts the hit in all of them only if all have
/// room (0 only looks). Returns each window's count after the step and its time to reset.
///
/// KEYS: window keys. ARGV: count (1 or 0), limit_1, period_ms_1, limit_2, period_ms_2, …
const SCRIPT: &str = r"
local denied = 0
local counts = {}
for i = 1, #KEYS do
  local count = tonumber(redis.call('GET', KEYS[i]) or '0')
  if count >= tonumber(ARGV[2 * i]) then denied = 1 end
  counts[i] = count
end
local out = { denied }
for i = 1, #KEYS do
  local count = counts[i]
  if denied == 0 and ARGV[1] == '1' then
    count = redis.call('INCR', KEYS[i])
    if count == 1 then redis.call('PEXPIRE', KEYS[i], ARGV[2 * i + 1]) end
  end
  local ttl = redis.call('PTTL', KEYS[i])
  if ttl < 0 then ttl = tonumber(ARGV[2 * i + 1]) end
  out[#out + 1] = count
  out[#out + 1] = ttl
end
return out
";

/// Gives back one hit in each window (an attempt that turned out not to count).
const RELEASE_SCRIPT: &str = r"
for i = 1, #KEYS do
  local count = tonumber(redis.call('GET', KEYS[i]) or '0')
  if count > 0 then redis.call('DECR', KEYS[i]) end
end
return 0
";

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

/// Reserves one attempt: refused while the key is locked, otherwise counted as a failure at
/// once (locking the key from the threshold on), in one atomic step, so that concurrent
/// attempts can never get past the back-off. A success then clears the key.
/// KEYS: failure counter, lock. ARGV: threshold, base_ms, max_ms, memory_ms.
/// Returns minus the remaining lock in ms when refused, else the failure count.
const RESERVE_SCRIPT: &str = r"
local locked = redis.call('PTTL', KEYS[2])
if locked > 0 then return -locked end
local n = redis.call('INCR', KEYS[1])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
local threshold = tonumber(ARGV[1])
if n >= threshold then
  local doublings = math.min(n - threshold, 32)
  local ms = math.floor(math.min(tonumber(ARGV[2]) * (2 ^ doublings), tonumber(ARGV[3])))
  redis.call('SET', KEYS[2], '1', 'PX', ms)
end
return n
";

#[derive(Default)]
struct LocalCounters {
    windows: HashMap<String, (u64, Instant)>,
    /// Back-off state: failures, when they are forgotten, locked until.
    failures: HashMap<String, (u64, Instant, Instant)>,
}

/// Keeps `map` within [`LOCAL_MAX`]: drops expired entries once it passes [`LOCAL_PRUNE_AT`],
/// then, if it is still full, the tenth of the entries that expire soonest. Pruning is a full
/// scan, so between the two sizes it runs once every 1024 new keys.
fn bound_map<V>(map: &mut HashMap<String, V>, expires: impl Fn(&V) -> Instant, now: Instant) {
    let len = map.len();
    if len <= LOCAL_PRUNE_AT || (!len.is_multiple_of(1024) && len < LOCAL_MAX) {
        return;
    }
    map.retain(|_, value| expires(value) > now);
    if map.len() < LOCAL_MAX {
        return;
    }
    let mut by_expiry: Vec<(Instant, String)> = map
        .iter()
        .map(|(key, value)| (expires(value), key.clone()))
        .collect();
    by_expiry.sort_unstable();
    for (_, key) in by_expiry.iter().take(by_expiry.len() / 10) {
        map.remove(key);
    }
}

impl LocalCounters {
    fn hit(&mut self, windows: &[Window], now: Instant, count_hit: bool) -> Decision {
        bound_map(&mut self.windows, |(_, expires)| *expires, now);
        let current: Vec<(u64, Instant)> = windows
            .iter()
            .map(|w| match self.windows.get(&w.key) {
                Some(&(count, expires)) if expires > now => (count, expires),
                _ => (0, now + w.period),
            })
            .collect();
        let allowed = windows
            .iter()
            .zip(&current)
            .all(|(w, (count, _))| *count < w.limit);
        let states = windows
            .iter()
            .zip(current)
            .map(|(w, (mut count, expires))| {
                if allowed && count_hit {
                    count += 1;
                    self.windows.insert(w.key.clone(), (count, expires));
                }
                WindowState {
                    limit: w.limit,
                    remaining: w.limit.saturating_sub(count),
                    reset_after: expires.saturating_duration_since(now),
                }
            })
            .collect();
        Decision {
            allowed,
            windows: states,
        }
    }

    fn release(&mut self, windows: &[Window], now: Instant) {
        for window in windows {
            if let Some((count, expires)) = self.windows.get_mut(&window.key)
                && *expires > now
            {
                *count = count.saturating_sub(1);
            }
        }
    }

    fn clear(&mut self, key: &str) {
        self.windows.remove(key);
        self.failures.remove(key);
    }

    fn locked_for(&self, key: &str, now: Instant) -> Duration {
        self.failures
            .get(key)
            .map(|(_, _, until)| until.saturating_duration_since(now))
            .unwrap_or_default()
    }

    /// See [`RESERVE_SCRIPT`]: `Err(remaining lock)` or `Ok(failures counted)`.
    fn reserve(&mut self, key: &str, policy: &Backoff, now: Instant) -> Result<u64, Duration> {
        let locked = self.locked_for(key, now);
        if !locked.is_zero() {
            return Err(locked);
        }
        self.record_failure(key, policy, now);
        Ok(self.failures.get(key).map_or(0, |(n, _, _)| *n))
    }

    fn forgive(&mut self, key: &str) {
        if let Some((failures, _, _)) = self.failures.get_mut(key) {
            *failures = failures.saturating_sub(1);
        }
    }

    fn record_failure(&mut self, key: &str, policy: &Backoff, now: Instant) -> Duration {
        bound_map(
            &mut self.failures,
            |(_, forget_at, until)| (*forget_at).max(*until),
            now,
        );
        let entry = self.failures.entry(key.to_owned()).or_insert((0, now, now));
        if entry.1 <= now {
            entry.0 = 0;
        }
        entry.0 += 1;
        entry.1 = now + policy.memory;
        let lock = policy.lock_for(entry.0);
        if !lock.is_zero() {
            entry.2 = now + lock;
        }
        lock
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

    async fn check(&self, windows: &[Window], count: bool) -> Decision {
        if self.redis.is_configured() {
            match tokio::time::timeout(REDIS_TIMEOUT, self.hit_redis(windows, count)).await {
                Ok(Ok(decision)) => {
                    self.recovered();
                    return decision;
                }
                Ok(Err(error)) => self.fall_back(&error.to_string()).await,
                Err(_) => self.fall_back("timed out").await,
            }
        }
        self.lock_local().hit(windows, Instant::now(), count)
    }

    /// Gives back one hit counted by [`Limiter::hit`] in each of `windows` (an attempt that
    /// turned out not to count, such as a log-in that succeeded).
    pub async fn release(&self, windows: &[Window]) {
        if self.redis.is_configured() {
            let released = tokio::time::timeout(REDIS_TIMEOUT, async {
                let mut connection = self.redis.get().await?;
                let script = redis::Script::new(RELEASE_SCRIPT);
                let mut invocation = script.prepare_invoke();
                for window in windows {
                    invocation.key(format!("{}{}", self.prefix, window.key));
                }
                invocation.invoke_async::<i64>(&mut connection).await
            })
            .await;
            match released {
                Ok(Ok(_)) => return self.recovered(),
                Ok(Err(error)) => self.fall_back(&error.to_string()).await,
                Err(_) => self.fall_back("timed out").await,
            }
        }
        self.lock_local().release(windows, Instant::now());
    }

    /// Forgets the count under `key` (e.g. failed log-ins after a success).
    pub async fn clear(&self, key: &str) {
        self.lock_local().clear(key);
        if self.redis.is_configured() {
            let key = format!("{}{key}", self.prefix);
            let lock = format!("{key}:lock");
            let cleared = tokio::time::timeout(REDIS_TIMEOUT, async {
                let mut connection = self.redis.get().await?;
                redis::cmd("DEL")
                    .arg(&key)
                    .arg(&lock)
                    .query_async::<()>(&mut connection)
                    .await
            })
            .await;
            if !matches!(cleared, Ok(Ok(()))) {
                self.fall_back("DEL failed").await;
            }
        }
    }

    /// Reserves one attempt under `key` with back-off `policy`, before the attempt is made:
    /// `Err(wait)` while the key is locked; otherwise the attempt is counted as a failure at
    /// once (so N concurrent attempts can never get past the back-off) and a success is
    /// expected to [`Limiter::clear`] the key. Returns the failures counted.
    pub async fn reserve_attempt(&self, key: &str, policy: &Backoff) -> Result<u64, Duration> {
        if self.redis.is_configured() {
            let counter = format!("{}{key}", self.prefix);
            let lock = format!("{counter}:lock");
            let millis = |d: Duration| u64::try_from(d.as_millis()).unwrap_or(u64::MAX);
            let reply = tokio::time::timeout(REDIS_TIMEOUT, async {
                let mut connection = self.redis.get().await?;
                redis::Script::new(RESERVE_SCRIPT)
                    .key(&counter)
                    .key(&lock)
                    .arg(policy.threshold)
                    .arg(millis(policy.base))
                    .arg(millis(policy.max))
                    .arg(millis(policy.memory))
                    .invoke_async::<i64>(&mut connection)
                    .await
            })
            .await;
            match reply {
                Ok(Ok(n)) if n < 0 => {
                    self.recovered();
                    return Err(Duration::from_millis(n.unsigned_abs()));
                }
                Ok(Ok(n)) => {
                    self.recovered();
                    return Ok(n.unsigned_abs());
                }
                Ok(Err(error)) => self.fall_back(&error.to_string()).await,
                Err(_) => self.fall_back("timed out").await,
            }
        }
        self.lock_local().reserve(key, policy, Instant::now())
    }

    /// Takes back one attempt reserved with [`Limiter::reserve_attempt`] that was never made
    /// (refused for load, or the database failed): it is not counted as a failure.
    pub async fn forgive_attempt(&self, key: &str) {
        if self.redis.is_configured() {
            let counter = format!("{}{key}", self.prefix);
            let forgiven = tokio::time::timeout(REDIS_TIMEOUT, async {
                let mut connection = self.redis.get().await?;
                redis::Script::new(RELEASE_SCRIPT)
                    .key(&counter)
                    .invoke_async::<i64>(&mut connection)
                    .await
            })
            .await;
            match forgiven {
                Ok(Ok(_)) => return self.recovered(),
                Ok(Err(error)) => self.fall_back(&error.to_string()).await,
                Err(_) => self.fall_back("timed out").await,
            }
        }
        self.lock_local().forgive(key);
    }

    fn recovered(&self) {
        if self.degraded.swap(false, Ordering::Relaxed) {
            tracing::info!("rate limiter: Redis is back; limits are shared again");
        }
    }

    fn lock_local(&self) -> std::sync::MutexGuard<'_, LocalCounters> {
        self.local
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    async fn fall_back(&self, reason: &str) {
        self.redis.forget().await;
        if !self.degraded.swap(true, Ordering::Relaxed) {
            tracing::warn!(
                reason,
                "rate limiter: Redis unavailable; counting in process until it answers again"
            );
        }
    }

    async fn hit_redis(
        &self,
        windows: &[Window],
        count: bool,
    ) -> Result<Decision, redis::RedisError> {
        let mut connection = self.redis.get().await?;
        let script = redis::Script::new(SCRIPT);
        let mut invocation = script.prepare_invoke();
        invocation.arg(if count { 1 } else { 0 });
        for window in windows {
            invocation
                .key(format!("{}{}", self.prefix, window.key))
                .arg(window.limit)
                .arg(u64::try_from(window.period.as_millis()).unwrap_or(u64::MAX));
        }
        let reply: Vec<i64> = invocation.invoke_async(&mut connection).await?;
        Ok(decision_from_reply(windows, &reply))
    }
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

    fn window(key: &str, limit: u64, secs: u64) -> Window {
        Window {
            key: key.into(),
            limit,
            period: Duration::from_secs(secs),
        }
    }

    #[test]
    fn hits_are_admitted_up_to_the_limit_then_refused() {
        let mut counters = LocalCounters::default();
        let now = Instant::now();
        let windows = [window("u", 3, 60)];
        let remaining: Vec<u64> = (0..5)
            .map(|_| counters.hit(&windows, now, true).windows[0].remaining)
            .collect();
        assert_eq!(remaining, [2, 1, 0, 0, 0]);
        assert!(!counters.hit(&windows, now, true).allowed);
    }

    #[test]
    fn a_refusal_in_one_window_counts_in_none() {
        let mut counters = LocalCounters::default();
        let now = Instant::now();
        let hour_and_day = [window("h", 2, 3600), window("d", 5, 86400)];
        assert!(counters.hit(&hour_and_day, now, true).allowed);
        assert!(counters.hit(&hour_and_day, now, true).allowed);
        let refused = counters.hit(&hour_and_day, now, true);
        assert!(!refused.allowed);
        assert_eq!(
            refused.windows[1].remaining, 3,
            "the day window was not charged"
        );
        assert_eq!(refused.retry_after(), Duration::from_secs(3600));
    }

    #[test]
    fn windows_reset_after_their_period() {
        let mut counters = LocalCounters::default();
        let start = Instant::now();
        let windows = [window("u", 1, 60)];
        assert!(counters.hit(&windows, start, true).allowed);
        assert!(
            !counters
                .hit(&windows, start + Duration::from_secs(59), true)
                .allowed
        );
        assert!(
            counters
                .hit(&windows, start + Duration::from_secs(61), true)
                .allowed
        );
    }

    const LOGIN: Backoff = Backoff {
        threshold: 5,
        base: Duration::from_secs(30),
        max: Duration::from_secs(3600),
        memory: Duration::from_secs(86400),
    };

    #[test]
    fn backoff_starts_at_the_threshold_doubles_and_caps() {
        let secs: Vec<u64> = (1..=14).map(|n| LOGIN.lock_for(n).as_secs()).collect();
        assert_eq!(
            secs,
            [
                0, 0, 0, 0, 30, 60, 120, 240, 480, 960, 1920, 3600, 3600, 3600
            ]
        );
        assert_eq!(LOGIN.lock_for(u64::MAX), Duration::from_secs(3600));
    }

    #[test]
    fn local_failures_lock_forget_and_clear() {
        let mut counters = LocalCounters::default();
        let start = Instant::now();
        for _ in 0..4 {
            assert!(counters.record_failure("k", &LOGIN, start).is_zero());
        }
        assert!(counters.locked_for("k", start).is_zero());
        assert_eq!(
            counters.record_failure("k", &LOGIN, start),
            Duration::from_secs(30)
        );
        assert_eq!(counters.locked_for("k", start), Duration::from_secs(30));
        let later = start + Duration::from_secs(31);
        assert!(counters.locked_for("k", later).is_zero());
        assert_eq!(
            counters.record_failure("k", &LOGIN, later),
            Duration::from_secs(60)
        );
        // A day without failures forgets them.
        let next_day = later + Duration::from_secs(86_401);
        assert!(counters.record_failure("k", &LOGIN, next_day).is_zero());
        counters.clear("k");
        assert!(counters.locked_for("k", next_day).is_zero());
    }

    #[test]
    fn concurrent_attempts_are_reserved_so_none_gets_past_the_backoff() {
        let mut counters = LocalCounters::default();
        let now = Instant::now();
        // Forty attempts at once, none finished: exactly the threshold may proceed.
        let admitted = (0..40)
            .filter(|_| counters.reserve("k", &LOGIN, now).is_ok())
            .count();
        assert_eq!(admitted, 5);
        assert_eq!(
            counters.reserve("k", &LOGIN, now),
            Err(Duration::from_secs(30))
        );
        // A success clears the key.
        counters.clear("k");
        assert_eq!(counters.reserve("k", &LOGIN, now), Ok(1));
    }

    #[test]
    fn peeking_counts_nothing_and_released_hits_are_given_back() {
        let mut counters = LocalCounters::default();
        let now = Instant::now();
        let windows = [window("ip", 2, 60)];
        assert!(counters.hit(&windows, now, false).allowed);
        assert!(counters.hit(&windows, now, true).allowed);
        assert!(counters.hit(&windows, now, true).allowed);
        assert!(!counters.hit(&windows, now, false).allowed);
        counters.release(&windows, now);
        assert!(counters.hit(&windows, now, false).allowed);
        assert_eq!(counters.hit(&windows, now, true).windows[0].remaining, 0);
    }

    #[test]
    fn the_local_maps_never_grow_past_their_cap() {
        let mut counters = LocalCounters::default();
        let now = Instant::now();
        for i in 0..(LOCAL_MAX + 1000) {
            counters.hit(&[window(&format!("k{i}"), 5, 3600 + i as u64)], now, true);
            counters.record_failure(&format!("f{i}"), &LOGIN, now);
        }
        assert!(
            counters.windows.len() <= LOCAL_MAX,
            "{}",
            counters.windows.len()
        );
        assert!(
            counters.failures.len() <= LOCAL_MAX,
            "{}",
            counters.failures.len()
        );
        // The entries that live longest are the ones kept.
        assert!(
            counters
                .windows
                .contains_key(&format!("k{}", LOCAL_MAX + 999))
        );
    }

    #[test]
    fn redis_replies_become_decisions() {
        let windows = [window("h", 50, 3600), window("d", 200, 86400)];
        let decision = decision_from_reply(&windows, &[0, 10, 1_000_000, 20, 2_000_000]);
        assert!(decision.allowed);
        assert_eq!(decision.windows[0].remaining, 40);
        assert_eq!(decision.windows[1].reset_after, Duration::from_secs(2000));
    }
}
