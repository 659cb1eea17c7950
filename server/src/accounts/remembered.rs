//! Live sessions remembered between predictions, so that a prediction does not read its session
//! from the database every time, without weakening what that read gives: a log-out, a password
//! change, a disabled or deleted account, or a changed address takes effect on the very next
//! request, on every instance.
//!
//! How: every change to accounts or sessions that can end a session or change what the
//! prediction path reads (see [`LiveSessions::changed`]) writes a fresh random value, the
//! *epoch*, to one Redis key after its database commit. A remembered session carries the epoch
//! seen before it was read from the database. The prediction quota's Redis script (which every
//! prediction runs anyway) counts the request only while the key still holds that epoch
//! ([`crate::ratelimit::Guard`]); when it has moved on, nothing is counted and the session is
//! read from the database again. So the check costs no extra round trip, and a session read
//! before a change is never used after the change returned.
//!
//! Without Redis (or while it fails) nothing is used from memory: every prediction reads its
//! session, as every other request does. Changes made to the database by hand, which write no
//! epoch, reach a remembered session within [`RECHECK`].

use std::{
    collections::HashMap,
    sync::{
        Mutex,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use super::store::UserRecord;
use crate::{
    ratelimit::Guard,
    redis_link::{RedisLink, Unavailable},
    telemetry::SECURITY,
};

/// The Redis key holding the epoch.
pub const EPOCH_KEY: &str = "trazo:sessions:epoch";
/// A remembered session is read from the database again after this long, epoch or not.
pub const RECHECK: Duration = Duration::from_secs(10);
/// Sessions remembered at most; when full, those due for a recheck go first, then all.
const CAPACITY: usize = 10_000;
/// No epoch seen yet: never equal to a stored epoch (those are below 2^53), so a guard built
/// from it always fails once and teaches the real value.
const UNSEEN: u64 = u64::MAX;

/// The epochs in force at one moment, taken before a session is read from the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Epochs {
    /// Changes made by this instance (counted here, so they apply even if Redis missed them).
    local: u64,
    /// The shared epoch last seen in Redis.
    pub shared: u64,
}

#[derive(Debug, Clone)]
struct Entry {
    user: UserRecord,
    /// When the session ends by itself (idle or absolute limit), in Unix seconds.
    expires_at: i64,
    epochs: Epochs,
    read_at: Instant,
}

/// Counters of where the prediction path found its sessions.
#[derive(Clone)]
pub struct CheckCounters {
    pub memory: metrics::Counter,
    pub database: metrics::Counter,
}

pub struct LiveSessions {
    redis: RedisLink,
    local: AtomicU64,
    seen: AtomicU64,
    entries: Mutex<HashMap<String, Entry>>,
    checks: CheckCounters,
}

impl LiveSessions {
    pub fn new(redis: Option<redis::Client>, checks: CheckCounters) -> Self {
        Self {
            redis: RedisLink::new(redis),
            local: AtomicU64::new(0),
            seen: AtomicU64::new(UNSEEN),
            entries: Mutex::new(HashMap::new()),
            checks,
        }
    }

    /// Counts the Redis calls that write the epoch and fail in `errors`.
    pub fn counting_redis_errors(self, errors: metrics::Counter) -> Self {
        Self {
            redis: self.redis.counting_errors(errors),
            ..self
        }
    }

    /// Whether sessions may be remembered at all: only with a shared epoch to check them by.
    pub fn enabled(&self) -> bool {
        self.redis.is_configured()
    }

    /// The epochs now; take them *before* reading a session from the database.
    pub fn epochs(&self) -> Epochs {
        Epochs {
            local: self.local.load(Ordering::SeqCst),
            shared: self.seen.load(Ordering::SeqCst),
        }
    }

    /// Notes the shared epoch Redis answered with.
    pub fn observe(&self, shared: u64) {
        self.seen.store(shared, Ordering::SeqCst);
    }

    /// The guard that holds while the shared epoch is `shared`.
    pub fn guard(shared: u64) -> Guard {
        Guard {
            key: EPOCH_KEY.to_owned(),
            expected: shared,
        }
    }

    /// The remembered user of session `session_id`, and the shared epoch it was read under,
    /// if it is remembered for `user_id`, still within its own limits at `now`, read less than
    /// [`RECHECK`] ago and no change was made here since.
    pub fn recall(&self, session_id: &str, user_id: &str, now: i64) -> Option<(UserRecord, u64)> {
        let local = self.local.load(Ordering::SeqCst);
        let entries = self.lock();
        let entry = entries.get(session_id)?;
        let usable = entry.user.id == user_id
            && entry.epochs.local == local
            && now < entry.expires_at
            && entry.read_at.elapsed() < RECHECK;
        usable.then(|| {
            self.checks.memory.increment(1);
            (entry.user.clone(), entry.epochs.shared)
        })
    }

    /// Remembers what the database said of session `session_id`, read under `epochs`.
    pub fn remember(&self, session_id: &str, user: &UserRecord, expires_at: i64, epochs: Epochs) {
        self.checks.database.increment(1);
        if !self.enabled() {
            return;
        }
        let mut entries = self.lock();
        if entries.len() >= CAPACITY && !entries.contains_key(session_id) {
            entries.retain(|_, entry| entry.read_at.elapsed() < RECHECK);
            if entries.len() >= CAPACITY {
                entries.clear();
            }
        }
        entries.insert(
            session_id.to_owned(),
            Entry {
                user: user.clone(),
                expires_at,
                epochs,
                read_at: Instant::now(),
            },
        );
    }

    /// Forgets session `session_id` (the database no longer calls it live).
    pub fn forget(&self, session_id: &str) {
        self.lock().remove(session_id);
    }

    /// To be called after every committed change that ends sessions or changes what the
    /// prediction path reads of an account (disabled, deleted, address and its confirmation):
    /// nothing remembered before it is used again, here at once and elsewhere from the next
    /// request on. If Redis cannot be told, other instances may use what they remember for
    /// up to [`RECHECK`]; that is logged.
    pub async fn changed(&self) {
        self.local.fetch_add(1, Ordering::SeqCst);
        let epoch = fresh_epoch();
        let written = self
            .redis
            .run(async |connection| {
                redis::cmd("SET")
                    .arg(EPOCH_KEY)
                    .arg(epoch)
                    .query_async::<()>(connection)
                    .await
            })
            .await;
        match written {
            Ok(()) | Err(Unavailable::NotConfigured) => {}
            Err(reason) => tracing::warn!(
                target: SECURITY,
                event = "session_epoch_unwritten",
                %reason,
                "a session change could not be announced through Redis; other instances may \
                 accept the sessions it ended for up to {} s",
                RECHECK.as_secs()
            ),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Entry>> {
        self.entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// A random epoch in 1..2^53 (the guard compares Lua numbers, exact below 2^53; 0 is a missing
/// key).
fn fresh_epoch() -> u64 {
    let random = (uuid::Uuid::new_v4().as_u128() as u64) & ((1 << 53) - 1);
    random.max(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::store::Role;

    fn user(id: &str) -> UserRecord {
        UserRecord {
            id: id.to_owned(),
            username: "someone".to_owned(),
            password_hash: String::new(),
            role: Role::User,
            disabled: false,
            created_at: 0,
            email: None,
            email_confirmed: false,
            language: None,
        }
    }

    fn counters() -> CheckCounters {
        CheckCounters {
            memory: metrics::Counter::noop(),
            database: metrics::Counter::noop(),
        }
    }

    fn with_redis() -> LiveSessions {
        // Never connected to in these tests: only `changed` would talk to it.
        let client = redis::Client::open("redis://127.0.0.1:1").expect("client");
        LiveSessions::new(Some(client), counters())
    }

    #[test]
    fn a_remembered_session_is_recalled_for_its_own_user_with_its_epoch() {
        let live = with_redis();
        live.observe(42);
        let epochs = live.epochs();
        live.remember("s1", &user("u1"), 1_000, epochs);
        let (found, shared) = live.recall("s1", "u1", 999).expect("remembered");
        assert_eq!((found.id.as_str(), shared), ("u1", 42));
        assert!(
            live.recall("s1", "u2", 999).is_none(),
            "another user's token"
        );
        assert!(live.recall("s2", "u1", 999).is_none(), "another session");
    }

    #[test]
    fn a_session_past_its_own_end_is_not_recalled() {
        let live = with_redis();
        live.remember("s1", &user("u1"), 1_000, live.epochs());
        assert!(live.recall("s1", "u1", 999).is_some());
        assert!(live.recall("s1", "u1", 1_000).is_none());
    }

    #[tokio::test]
    async fn a_change_here_forgets_everything_remembered_before_it() {
        let live = LiveSessions::new(None, counters());
        // Without Redis nothing is remembered at all.
        live.remember("s1", &user("u1"), i64::MAX, live.epochs());
        assert!(live.recall("s1", "u1", 0).is_none());

        let live = with_redis();
        let before = live.epochs();
        live.remember("s1", &user("u1"), i64::MAX, before);
        assert!(live.recall("s1", "u1", 0).is_some());
        // Redis is unreachable here; the local epoch still moves.
        live.changed().await;
        assert!(live.recall("s1", "u1", 0).is_none());
        // Read before the change, remembered after it: still not used.
        live.remember("s2", &user("u1"), i64::MAX, before);
        assert!(live.recall("s2", "u1", 0).is_none());
        live.remember("s2", &user("u1"), i64::MAX, live.epochs());
        assert!(live.recall("s2", "u1", 0).is_some());
        live.forget("s2");
        assert!(live.recall("s2", "u1", 0).is_none());
    }

    #[test]
    fn before_any_epoch_is_seen_the_guard_cannot_hold() {
        let live = with_redis();
        let shared = live.epochs().shared;
        assert!(shared >= 1 << 53, "{shared}");
        for _ in 0..1000 {
            let epoch = fresh_epoch();
            assert!((1..1 << 53).contains(&epoch));
        }
    }

    #[test]
    fn a_full_memory_makes_room() {
        let live = with_redis();
        for i in 0..CAPACITY + 5 {
            live.remember(&format!("s{i}"), &user("u1"), i64::MAX, live.epochs());
        }
        assert!(live.lock().len() <= CAPACITY);
        assert!(
            live.recall(&format!("s{}", CAPACITY + 4), "u1", 0)
                .is_some()
        );
    }
}
