//! The answer cache: what the model said for an upload, by model version, preprocessing version
//! and SHA-256 of the bytes — in Redis when configured (shared by every instance), and always in
//! a bounded in-process map checked first.

use std::{
    collections::{HashMap, VecDeque},
    sync::Mutex,
    time::{Duration, Instant},
};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use trazo_model::{MODEL_VERSION, PREPROCESS_VERSION};

use crate::{
    metrics::service::{CacheLayer, CacheMetrics},
    redis_link::RedisLink,
};

/// Answers kept in process (checked before Redis, and all there is without it).
const LOCAL_CACHE_ENTRIES: usize = 10_000;

/// What the cache keeps for one upload.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Answer {
    pub digit: u8,
    pub probabilities: Vec<f32>,
    /// The 28×28 input the model saw, as a PNG data URL.
    pub image: String,
}

impl Answer {
    /// The probability the model gave its own answer.
    pub fn confidence(&self) -> f32 {
        self.probabilities
            .get(usize::from(self.digit))
            .copied()
            .unwrap_or_default()
    }
}

/// A bounded in-process cache with expiry, evicting the oldest entry first.
struct LocalCache {
    entries: HashMap<String, (Answer, Instant)>,
    order: VecDeque<String>,
    capacity: usize,
}

impl LocalCache {
    fn new(capacity: usize) -> Self {
        Self {
            entries: HashMap::new(),
            order: VecDeque::new(),
            capacity,
        }
    }

    fn get(&self, key: &str, now: Instant) -> Option<Answer> {
        self.entries
            .get(key)
            .filter(|(_, expires)| *expires > now)
            .map(|(answer, _)| answer.clone())
    }

    fn put(&mut self, key: String, answer: Answer, expires: Instant) {
        if self
            .entries
            .insert(key.clone(), (answer, expires))
            .is_none()
        {
            self.order.push_back(key);
        }
        while self.entries.len() > self.capacity {
            match self.order.pop_front() {
                Some(oldest) => {
                    self.entries.remove(&oldest);
                }
                None => break,
            }
        }
    }
}

/// Answers by model version, preprocessing version and SHA-256 of the upload: a new model or
/// new preprocessing never serves an old answer.
pub struct AnswerCache {
    redis: RedisLink,
    local: Mutex<LocalCache>,
    ttl: Duration,
    metrics: CacheMetrics,
}

impl AnswerCache {
    pub fn new(redis: Option<redis::Client>, ttl: Duration, metrics: CacheMetrics) -> Self {
        Self {
            redis: RedisLink::new(redis).counting_errors(metrics.redis_errors.clone()),
            local: Mutex::new(LocalCache::new(LOCAL_CACHE_ENTRIES)),
            ttl,
            metrics,
        }
    }

    pub fn key(upload: &[u8]) -> String {
        let digest = Sha256::digest(upload);
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        format!("trazo:answer:{MODEL_VERSION}:{PREPROCESS_VERSION}:{hex}")
    }

    fn local(&self) -> std::sync::MutexGuard<'_, LocalCache> {
        self.local
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The answer for `key`: from this process when it has it (an answer never changes for a
    /// key, so a local copy is never stale), else from Redis, copied here for next time. A
    /// Redis that fails or is slow is a miss.
    pub async fn get(&self, key: &str) -> Option<Answer> {
        let now = Instant::now();
        let local = self.local().get(key, now);
        self.metrics.record(CacheLayer::Memory, local.is_some());
        if local.is_some() {
            return local;
        }
        if !self.redis.is_configured() {
            return None;
        }
        let stored = self
            .redis
            .run(async |connection| {
                redis::cmd("GET")
                    .arg(key)
                    .query_async::<Option<String>>(connection)
                    .await
            })
            .await
            .ok()
            .flatten()
            .and_then(|json| serde_json::from_str::<Answer>(&json).ok());
        self.metrics.record(CacheLayer::Redis, stored.is_some());
        let answer = stored?;
        self.local()
            .put(key.to_owned(), answer.clone(), now + self.ttl);
        Some(answer)
    }

    /// Keeps `answer` in Redis (best effort) and in this process, so answers survive a Redis
    /// outage on this instance.
    pub async fn put(&self, key: String, answer: Answer) {
        if let Ok(json) = serde_json::to_string(&answer) {
            let _best_effort = self
                .redis
                .run(async |connection| {
                    redis::cmd("SET")
                        .arg(&key)
                        .arg(json)
                        .arg("EX")
                        .arg(self.ttl.as_secs().max(1))
                        .query_async::<()>(connection)
                        .await
                })
                .await;
        }
        self.local().put(key, answer, Instant::now() + self.ttl);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::service::ServiceMetrics;

    fn answer(digit: u8) -> Answer {
        Answer {
            digit,
            probabilities: vec![0.1; 10],
            image: String::new(),
        }
    }

    #[test]
    fn the_local_cache_is_bounded_and_expires() {
        let mut cache = LocalCache::new(2);
        let now = Instant::now();
        let later = now + Duration::from_secs(60);
        cache.put("a".into(), answer(1), later);
        cache.put("b".into(), answer(2), later);
        cache.put("c".into(), answer(3), later);
        assert_eq!(cache.get("a", now), None, "the oldest entry was evicted");
        assert_eq!(cache.get("c", now), Some(answer(3)));
        assert_eq!(
            cache.get("b", later + Duration::from_secs(1)),
            None,
            "expired"
        );
        assert_eq!(cache.entries.len(), 2);
    }

    #[test]
    fn cache_keys_name_the_model_and_preprocessing_versions() {
        let key = AnswerCache::key(b"abc");
        assert!(key.starts_with(&format!(
            "trazo:answer:{MODEL_VERSION}:{PREPROCESS_VERSION}:"
        )));
        assert!(key.ends_with("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
    }

    #[tokio::test]
    async fn without_redis_answers_are_kept_in_process() {
        let cache = AnswerCache::new(
            None,
            Duration::from_secs(60),
            ServiceMetrics::detached().cache,
        );
        let key = AnswerCache::key(b"upload");
        assert_eq!(cache.get(&key).await, None);
        cache.put(key.clone(), answer(7)).await;
        assert_eq!(cache.get(&key).await, Some(answer(7)));
        assert!((answer(7).confidence() - 0.1).abs() < f32::EPSILON);
    }
}
