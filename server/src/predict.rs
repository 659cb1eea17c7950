//! Predictions: `/api/predict` behind its rate limit, the answer cache, and the history.
//!
//! The request path: the body limit refuses oversized uploads (413); the rate-limit layer
//! authenticates the caller and counts the request in both windows (one atomic step); the
//! server function reads the `file` field; here the bytes are sniffed, hashed and looked up in
//! the cache (Redis, or in process); on a miss the memory the decode can need is read from the
//! image header and reserved from the decode budget (503 when it cannot be had soon), then the
//! image is decoded and preprocessed on a blocking thread and classified by the engine's own
//! threads behind their bounded queue; the answer is cached and stored in the user's history.

use std::{
    collections::{HashMap, VecDeque},
    io::Cursor,
    sync::{Arc, Mutex},
    time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};

use app::api::{
    HistoryItem, HistoryPage, Message, NO_FILE, NOT_AN_IMAGE, PredictResponse, Quota, QuotaWindow,
    backend::{BoxFuture, Failure, Outcome, Predictions},
    rfc3339,
};
use axum::{
    extract::{Request, State},
    http::{HeaderMap, HeaderValue, StatusCode, header::RETRY_AFTER, request::Parts},
    middleware::Next,
    response::Response,
};
use base64::{Engine as _, engine::general_purpose::STANDARD};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sqlx::{AnyPool, Row};
use trazo_model::{Engine, EngineError, MODEL_VERSION, PREPROCESS_VERSION, PreprocessError};

use crate::{
    accounts::service::{AccountService, Fallback, Principal},
    admission::Bound,
    api::json_error,
    config::Config,
    history::{HistoryError, HistoryRow, HistoryWriter},
    ratelimit::{Decision, Window},
    redis_link::RedisLink,
    state::AppState,
};

/// Redis calls give up after this: a hung Redis must not hang predictions.
const REDIS_TIMEOUT: Duration = Duration::from_millis(150);
/// Answers kept in process (checked before Redis, and all there is without it).
const LOCAL_CACHE_ENTRIES: usize = 10_000;
pub const HISTORY_PER_PAGE: u32 = 20;
/// Uploads that may wait for their share of the decode budget, and for how long.
const DECODE_WAITING: usize = 64;
const DECODE_MAX_WAIT: Duration = Duration::from_secs(5);

/// What the cache keeps for one upload.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Answer {
    digit: u8,
    probabilities: Vec<f32>,
    image: String,
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
}

impl AnswerCache {
    pub fn new(redis: Option<redis::Client>, ttl: Duration) -> Self {
        Self {
            redis: RedisLink::new(redis),
            local: Mutex::new(LocalCache::new(LOCAL_CACHE_ENTRIES)),
            ttl,
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
    /// key, so a local copy is never stale), else from Redis, copied here for next time.
    async fn get(&self, key: &str) -> Option<Answer> {
        let now = Instant::now();
        if let Some(answer) = self.local().get(key, now) {
            return Some(answer);
        }
        if !self.redis.is_configured() {
            return None;
        }
        let found = tokio::time::timeout(REDIS_TIMEOUT, async {
            let mut connection = self.redis.get().await?;
            redis::cmd("GET")
                .arg(key)
                .query_async::<Option<String>>(&mut connection)
                .await
        })
        .await;
        match found {
            Ok(Ok(Some(json))) => {
                let answer: Answer = serde_json::from_str(&json).ok()?;
                self.local()
                    .put(key.to_owned(), answer.clone(), now + self.ttl);
                Some(answer)
            }
            Ok(Ok(None)) => None,
            _ => {
                self.redis.forget().await;
                None
            }
        }
    }

    async fn put(&self, key: String, answer: Answer) {
        if self.redis.is_configured()
            && let Ok(json) = serde_json::to_string(&answer)
        {
            let stored = tokio::time::timeout(REDIS_TIMEOUT, async {
                let mut connection = self.redis.get().await?;
                redis::cmd("SET")
                    .arg(&key)
                    .arg(json)
                    .arg("EX")
                    .arg(self.ttl.as_secs().max(1))
                    .query_async::<()>(&mut connection)
                    .await
            })
            .await;
            if !matches!(stored, Ok(Ok(()))) {
                self.redis.forget().await;
            }
        }
        // Also kept in process, so answers survive a Redis outage on this instance.
        self.local().put(key, answer, Instant::now() + self.ttl);
    }
}

/// Prediction limits per user.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub per_hour: u64,
    pub per_day: u64,
}

pub struct Predictor {
    engine: Arc<Engine>,
    /// Memory for decoding, in MiB: each upload reserves what its header says it can need.
    decode_budget: Bound,
    cache: AnswerCache,
    db: AnyPool,
    history: HistoryWriter,
    accounts: Arc<AccountService>,
}

impl Predictor {
    pub fn new(
        config: &Config,
        engine: Arc<Engine>,
        redis: Option<redis::Client>,
        db: AnyPool,
        accounts: Arc<AccountService>,
    ) -> Self {
        Self {
            engine,
            decode_budget: Bound::new(
                u32::try_from(config.decode_memory_mib).unwrap_or(u32::MAX),
                DECODE_WAITING,
                DECODE_MAX_WAIT,
            ),
            cache: AnswerCache::new(redis, Duration::from_secs(config.prediction_cache_ttl_secs)),
            history: HistoryWriter::spawn(db.clone()),
            db,
            accounts,
        }
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    async fn principal(&self, request: &Parts) -> Outcome<Principal> {
        match request.extensions.get::<Principal>() {
            Some(principal) => Ok(principal.clone()),
            None => self.accounts.authenticate(request).await,
        }
    }

    /// Classifies `upload`, from the cache when it has seen these bytes.
    async fn answer(&self, upload: Vec<u8>) -> Outcome<(Answer, bool)> {
        if trazo_model::preprocess::sniff(&upload).is_none() {
            return Err(Failure::new(StatusCode::BAD_REQUEST, NOT_AN_IMAGE));
        }
        let key = AnswerCache::key(&upload);
        if let Some(answer) = self.cache.get(&key).await {
            return Ok((answer, true));
        }
        // The header says how large the image is before any pixel is decoded; that much
        // memory is reserved for the whole decode, so many large images at once wait for
        // each other (or are refused) instead of exhausting memory.
        let needed = trazo_model::preprocess::memory_needed(&upload).map_err(preprocess_failure)?;
        let mib = u32::try_from(needed.div_ceil(1024 * 1024)).unwrap_or(u32::MAX);
        let reserved = self.decode_budget.enter(mib).await.map_err(|_| {
            Failure::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "The server is busy reading other images. Please try again in a second.",
            )
            .retry_after(1)
        })?;
        let prepared = tokio::task::spawn_blocking(move || {
            // Held by the decoding thread, so it is given back when the decode ends, even if
            // the request is abandoned first.
            let _reserved = reserved;
            trazo_model::preprocess(&upload)
        })
        .await
        .map_err(|_| internal())?
        .map_err(preprocess_failure)?;
        let prediction = self
            .engine
            .submit(prepared.input)
            .map_err(engine_failure)?
            .await
            .map_err(engine_failure)?;
        let answer = Answer {
            digit: prediction.digit,
            probabilities: prediction.probabilities.to_vec(),
            image: png_data_url(&prepared.image)?,
        };
        self.cache.put(key, answer.clone()).await;
        Ok((answer, false))
    }

    pub async fn predict(
        &self,
        request: &Parts,
        file: Option<Vec<u8>>,
    ) -> Outcome<PredictResponse> {
        let principal = self.principal(request).await?;
        let Some(upload) = file else {
            return Err(Failure::new(StatusCode::BAD_REQUEST, NO_FILE));
        };
        let (answer, cached) = self.answer(upload).await?;
        let probability = answer
            .probabilities
            .get(usize::from(answer.digit))
            .copied()
            .unwrap_or_default();
        self.history
            .store(HistoryRow {
                id: uuid::Uuid::new_v4().to_string(),
                user_id: principal.user.id.clone(),
                created_at_ms: now_ms(),
                digit: answer.digit,
                probability,
                cached,
                model_version: MODEL_VERSION,
                image: answer.image.clone(),
            })
            .await
            .map_err(history_failure)?;
        Ok(PredictResponse {
            prediccion: answer.digit,
            probabilidad: probability,
            cached,
            probabilities: answer.probabilities,
            model_version: MODEL_VERSION.to_owned(),
            preprocess_version: PREPROCESS_VERSION,
            image: answer.image,
            quota: request.extensions.get::<Quota>().cloned(),
        })
    }

    pub async fn history(&self, request: &Parts, page: u32) -> Outcome<HistoryPage> {
        let principal = self.accounts.authenticate(request).await?;
        let page = page.max(1);
        let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM predictions WHERE user_id = $1")
            .bind(&principal.user.id)
            .fetch_one(&self.db)
            .await
            .map_err(|e| database(&e))?;
        let rows = sqlx::query(
            "SELECT id, created_at_ms, digit, probability, cached, image FROM predictions \
             WHERE user_id = $1 ORDER BY created_at_ms DESC, id LIMIT $2 OFFSET $3",
        )
        .bind(&principal.user.id)
        .bind(i64::from(HISTORY_PER_PAGE))
        .bind(i64::from(page - 1) * i64::from(HISTORY_PER_PAGE))
        .fetch_all(&self.db)
        .await
        .map_err(|e| database(&e))?;
        let items = rows
            .iter()
            .map(|row| -> Result<HistoryItem, sqlx::Error> {
                Ok(HistoryItem {
                    id: row.try_get("id")?,
                    digit: u8::try_from(row.try_get::<i64, _>("digit")?).unwrap_or_default(),
                    probability: row.try_get::<f64, _>("probability")? as f32,
                    cached: row.try_get::<i64, _>("cached")? != 0,
                    created_at: rfc3339(row.try_get::<i64, _>("created_at_ms")? / 1000),
                    image: row.try_get("image")?,
                })
            })
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| database(&e))?;
        Ok(HistoryPage {
            items,
            page,
            per_page: HISTORY_PER_PAGE,
            total: u64::try_from(total).unwrap_or_default(),
        })
    }

    pub async fn clear_history(&self, request: &Parts) -> Outcome<Message> {
        let principal = self.accounts.authenticate(request).await?;
        sqlx::query("DELETE FROM predictions WHERE user_id = $1")
            .bind(&principal.user.id)
            .execute(&self.db)
            .await
            .map_err(|e| database(&e))?;
        Ok(Message::new("Your history has been cleared"))
    }
}

impl Predictions for Predictor {
    fn predict<'a>(
        &'a self,
        request: &'a Parts,
        file: Option<Vec<u8>>,
    ) -> BoxFuture<'a, Outcome<PredictResponse>> {
        Box::pin(Predictor::predict(self, request, file))
    }

    fn history<'a>(&'a self, request: &'a Parts, page: u32) -> BoxFuture<'a, Outcome<HistoryPage>> {
        Box::pin(Predictor::history(self, request, page))
    }

    fn clear_history<'a>(&'a self, request: &'a Parts) -> BoxFuture<'a, Outcome<Message>> {
        Box::pin(Predictor::clear_history(self, request))
    }
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default()
}

fn internal() -> Failure {
    Failure::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "Something went wrong on our side. Please try again.",
    )
}

fn history_failure(error: HistoryError) -> Failure {
    match error {
        HistoryError::Database(error) => database(&error),
        HistoryError::Stopped => internal(),
    }
}

fn database(error: &sqlx::Error) -> Failure {
    tracing::error!(%error, "database error while storing or reading predictions");
    Failure::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "The database is not available right now. Please try again shortly.",
    )
    .retry_after(5)
}

/// Upload problems a person can fix, in words they understand.
fn preprocess_failure(error: PreprocessError) -> Failure {
    let msg = match error {
        PreprocessError::UnsupportedType => {
            return Failure::new(StatusCode::BAD_REQUEST, NOT_AN_IMAGE);
        }
        PreprocessError::Undecodable(_) => {
            "The image could not be read: the file looks damaged or incomplete."
        }
        PreprocessError::TooLarge => {
            "The image has too many pixels: at most 4096 × 4096. Please send a smaller picture."
        }
        PreprocessError::NoDigit => {
            "No digit found in the image. Draw or photograph a single digit with clear contrast."
        }
    };
    Failure::new(StatusCode::UNPROCESSABLE_ENTITY, msg)
}

fn engine_failure(error: EngineError) -> Failure {
    match error {
        EngineError::Busy => Failure::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "The recogniser is busy right now. Please try again in a second.",
        )
        .retry_after(1),
        EngineError::Stopped | EngineError::Model(_) => {
            tracing::error!(%error, "inference failed");
            Failure::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "The recogniser is not available right now. Please try again shortly.",
            )
            .retry_after(5)
        }
    }
}

/// The 28×28 grey image as a PNG data URL.
fn png_data_url(image: &[u8; 28 * 28]) -> Outcome<String> {
    let gray = image::GrayImage::from_raw(28, 28, image.to_vec()).ok_or_else(internal)?;
    let mut png = Cursor::new(Vec::new());
    gray.write_to(&mut png, image::ImageFormat::Png)
        .map_err(|_| internal())?;
    Ok(format!(
        "data:image/png;base64,{}",
        STANDARD.encode(png.into_inner())
    ))
}

fn quota_from(decision: &Decision) -> Option<Quota> {
    let window = |i: usize| {
        decision.windows.get(i).map(|w| QuotaWindow {
            limit: w.limit,
            remaining: w.remaining,
            reset: w.reset_after.as_secs(),
        })
    };
    Some(Quota {
        hour: window(0)?,
        day: window(1)?,
    })
}

/// `RateLimit-Policy` and `RateLimit` (IETF draft) plus the common `X-RateLimit-*`, for the
/// window closest to running out.
fn quota_headers(headers: &mut HeaderMap, quota: &Quota) {
    let tightest = if quota.hour.remaining <= quota.day.remaining {
        &quota.hour
    } else {
        &quota.day
    };
    let pairs = [
        (
            "ratelimit-policy",
            format!("{};w=3600, {};w=86400", quota.hour.limit, quota.day.limit),
        ),
        (
            "ratelimit",
            format!(
                "limit={}, remaining={}, reset={}",
                tightest.limit, tightest.remaining, tightest.reset
            ),
        ),
        ("x-ratelimit-limit", tightest.limit.to_string()),
        ("x-ratelimit-remaining", tightest.remaining.to_string()),
        ("x-ratelimit-reset", tightest.reset.to_string()),
    ];
    for (name, value) in pairs {
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.insert(name, value);
        }
    }
}

/// The rate-limit layer in front of `/api/predict`: authenticates the caller (401 otherwise),
/// counts the request in the hour and day windows in one atomic step, refuses with 429 and
/// `Retry-After` when either is spent, and reports the quota on every response.
pub async fn rate_limit(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let (mut parts, body) = request.into_parts();
    // Explicitly no fallback: this middleware runs outside any Leptos owner, and an API call
    // must never be authenticated the way a page render is.
    let principal = match state
        .accounts
        .authenticate_with(&parts, Fallback::None)
        .await
    {
        Ok(principal) => principal,
        Err(failure) => return json_error(failure.status, &failure.msg),
    };
    let limits = state.prediction_limits;
    let user = &principal.user.id;
    let decision = state
        .limiter
        .hit(&[
            Window {
                key: format!("predict:hour:{user}"),
                limit: limits.per_hour,
                period: Duration::from_secs(3600),
            },
            Window {
                key: format!("predict:day:{user}"),
                limit: limits.per_day,
                period: Duration::from_secs(86_400),
            },
        ])
        .await;
    let quota = quota_from(&decision);
    if !decision.allowed {
        let wait = decision.retry_after().as_secs().max(1);
        let which = match &quota {
            Some(q) if q.hour.remaining == 0 => format!("{} an hour", q.hour.limit),
            Some(q) => format!("{} a day", q.day.limit),
            None => "the limit".to_owned(),
        };
        let mut response = json_error(
            StatusCode::TOO_MANY_REQUESTS,
            &format!(
                "Rate limit reached ({which}). Try again in {}.",
                crate::accounts::service::human_duration(wait)
            ),
        );
        response
            .headers_mut()
            .insert(RETRY_AFTER, HeaderValue::from(wait));
        if let Some(quota) = &quota {
            quota_headers(response.headers_mut(), quota);
        }
        return response;
    }
    parts.extensions.insert(principal);
    if let Some(quota) = &quota {
        parts.extensions.insert(quota.clone());
    }
    let mut response = next.run(Request::from_parts(parts, body)).await;
    if let Some(quota) = &quota {
        quota_headers(response.headers_mut(), quota);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn quota_headers_report_the_tightest_window() {
        let quota = Quota {
            hour: QuotaWindow {
                limit: 50,
                remaining: 3,
                reset: 100,
            },
            day: QuotaWindow {
                limit: 200,
                remaining: 150,
                reset: 8000,
            },
        };
        let mut headers = HeaderMap::new();
        quota_headers(&mut headers, &quota);
        assert_eq!(headers["ratelimit-policy"], "50;w=3600, 200;w=86400");
        assert_eq!(headers["ratelimit"], "limit=50, remaining=3, reset=100");
        assert_eq!(headers["x-ratelimit-remaining"], "3");
    }

    #[test]
    fn upload_problems_map_to_4xx() {
        assert_eq!(
            preprocess_failure(PreprocessError::UnsupportedType).status,
            StatusCode::BAD_REQUEST
        );
        for error in [
            PreprocessError::Undecodable("x".into()),
            PreprocessError::TooLarge,
            PreprocessError::NoDigit,
        ] {
            assert_eq!(
                preprocess_failure(error).status,
                StatusCode::UNPROCESSABLE_ENTITY
            );
        }
        let busy = engine_failure(EngineError::Busy);
        assert_eq!(
            (busy.status, busy.retry_after),
            (StatusCode::SERVICE_UNAVAILABLE, Some(1))
        );
    }
}
