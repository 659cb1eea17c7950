//! The limiter's counts in process: all there is without Redis, and the fallback while Redis
//! fails (per instance then, but never unlimited). Bounded, so a flood of distinct keys cannot
//! grow it without end.

use std::{
    collections::HashMap,
    time::{Duration, Instant},
};

use super::{Backoff, Decision, Window, WindowState};

/// The in-process maps are pruned of expired entries when they grow past this many keys…
const LOCAL_PRUNE_AT: usize = 100_000;
/// …and never hold more than this many: past it, the entries closest to expiring go first.
/// Keys come from parsed usernames and client addresses (short), so this is tens of MB at most.
const LOCAL_MAX: usize = 200_000;

#[derive(Default)]
pub(super) struct LocalCounters {
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
    pub(super) fn hit(&mut self, windows: &[Window], now: Instant, count_hit: bool) -> Decision {
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

    pub(super) fn release(&mut self, windows: &[Window], now: Instant) {
        for window in windows {
            if let Some((count, expires)) = self.windows.get_mut(&window.key)
                && *expires > now
            {
                *count = count.saturating_sub(1);
            }
        }
    }

    pub(super) fn clear(&mut self, key: &str) {
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
    pub(super) fn reserve(
        &mut self,
        key: &str,
        policy: &Backoff,
        now: Instant,
    ) -> Result<u64, Duration> {
        let locked = self.locked_for(key, now);
        if !locked.is_zero() {
            return Err(locked);
        }
        self.record_failure(key, policy, now);
        Ok(self.failures.get(key).map_or(0, |(n, _, _)| *n))
    }

    pub(super) fn forgive(&mut self, key: &str) {
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
}
