//! The service's own metrics, beyond HTTP: the model, preprocessing, the answer cache, the
//! limiter, the bounds that refuse expensive work, the password threads, the history writer,
//! Redis and the database. Each is a handle registered once at start-up in the server's own
//! registry (so every series is exported from the first scrape, at zero) and handed to the part
//! of the server that updates it. Labels take only the fixed values named here, so no request
//! can grow the number of series.

use std::sync::atomic::{AtomicU64, Ordering};

use crate::accounts::remembered::CheckCounters;
use metrics::{Counter, Gauge, Histogram};

/// Model inference, from submission to the engine until the answer (queue wait included).
pub const INFERENCE_SECONDS: &str = "trazo_inference_seconds";
/// Image decoding and preprocessing on a cache miss.
pub const PREPROCESS_SECONDS: &str = "trazo_preprocess_seconds";
/// How long an argon2 run waited for a password thread.
pub const PASSWORD_WAIT_SECONDS: &str = "trazo_password_queue_wait_seconds";
/// Rows per history group commit.
pub const HISTORY_BATCH_ROWS: &str = "trazo_history_batch_rows";
/// Buckets for the history batch sizes: powers of two up to the writer's largest batch.
pub const BATCH_BUCKETS: [f64; 9] = [1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0];
/// The model's confidence in each answer it gave (the admin's confidence chart, per process).
pub const PREDICTION_CONFIDENCE: &str = "trazo_prediction_confidence";
/// Buckets for the confidence: the admin page's ten bins of 0.1.
pub const CONFIDENCE_BUCKETS: [f64; 10] = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0];

/// Database errors in this process, counted where they are turned into an answer (see
/// [`crate::failure::database`]); the registry reports the running total at each scrape.
static DATABASE_ERRORS: AtomicU64 = AtomicU64::new(0);

/// Counts one database error.
pub fn count_database_error() {
    DATABASE_ERRORS.fetch_add(1, Ordering::Relaxed);
}

/// Which rate limit decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LimitName {
    Predictions,
    Signups,
    Logins,
    Labels,
}

impl LimitName {
    const ALL: [Self; 4] = [Self::Predictions, Self::Signups, Self::Logins, Self::Labels];

    fn label(self) -> &'static str {
        match self {
            Self::Predictions => "predictions",
            Self::Signups => "signups",
            Self::Logins => "logins",
            Self::Labels => "labels",
        }
    }
}

/// Which bound refused work because it was full.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BoundName {
    Passwords,
    Decode,
    Inference,
    /// Building a dataset download (`/api/dataset/…`).
    Dataset,
}

impl BoundName {
    const ALL: [Self; 4] = [
        Self::Passwords,
        Self::Decode,
        Self::Inference,
        Self::Dataset,
    ];

    fn label(self) -> &'static str {
        match self {
            Self::Passwords => "passwords",
            Self::Decode => "decode",
            Self::Inference => "inference",
            Self::Dataset => "dataset",
        }
    }
}

/// Which layer of the answer cache was asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CacheLayer {
    Memory,
    Redis,
}

/// Hits and misses of one cache layer.
#[derive(Clone)]
pub struct CacheCounters {
    pub hit: Counter,
    pub miss: Counter,
}

impl CacheCounters {
    pub fn record(&self, hit: bool) {
        if hit {
            self.hit.increment(1);
        } else {
            self.miss.increment(1);
        }
    }
}

/// The answer cache's counters, and the Redis errors it met.
#[derive(Clone)]
pub struct CacheMetrics {
    pub memory: CacheCounters,
    pub redis: CacheCounters,
    pub redis_errors: Counter,
}

impl CacheMetrics {
    pub fn record(&self, layer: CacheLayer, hit: bool) {
        match layer {
            CacheLayer::Memory => self.memory.record(hit),
            CacheLayer::Redis => self.redis.record(hit),
        }
    }
}

/// The model engine's counters.
#[derive(Clone)]
pub struct InferenceMetrics {
    pub seconds: Histogram,
    /// The confidence of every answer given (cache hits too).
    pub confidence: Histogram,
    pub queue_depth: Gauge,
    pub queue_capacity: Gauge,
    pub preprocess_seconds: Histogram,
}

/// The mail worker's deliveries (`trazo_mail_deliveries_total{result}`).
#[derive(Clone)]
pub struct MailMetrics {
    /// Taken by the mail server (or written to the development folder).
    pub sent: Counter,
    /// Not taken; tried again later.
    pub retried: Counter,
    /// Not taken for three days; given up.
    pub given_up: Counter,
}

/// Every service metric, as handles. [`ServiceMetrics::detached`] gives handles that nobody
/// exports, for parts of the server built outside a running server (tests, commands).
#[derive(Clone)]
pub struct ServiceMetrics {
    pub inference: InferenceMetrics,
    pub cache: CacheMetrics,
    /// Redis calls of the limiter that failed or timed out (each one counted per instance).
    pub ratelimit_redis_errors: Counter,
    /// Where predictions found their sessions (`by="memory"|"database"`).
    pub session_checks: CheckCounters,
    /// Session changes that could not be announced through Redis.
    pub session_redis_errors: Counter,
    /// `[allowed, refused]` per [`LimitName`], in [`LimitName::ALL`]'s order.
    decisions: [[Counter; 2]; 4],
    /// Per [`BoundName`], in [`BoundName::ALL`]'s order.
    refused: [Counter; 4],
    pub password_wait_seconds: Histogram,
    pub history_batch_rows: Histogram,
    database_errors: Counter,
    /// Labels given: `[confirmed, corrected, withdrawn]`.
    labels: [Counter; 3],
    pub ready: Gauge,
    pub redis_configured: Gauge,
    pub redis_up: Gauge,
    pub mail: MailMetrics,
}

impl ServiceMetrics {
    /// Registers every series in the current recorder (the caller runs this inside
    /// `metrics::with_local_recorder`).
    pub fn register(version: &'static str, model_version: &'static str) -> Self {
        use metrics::{Unit, histogram};
        use metrics::{counter, describe_counter, describe_gauge, describe_histogram, gauge};

        describe_gauge!(
            "trazo_build_info",
            "The running version and model version (always 1)."
        );
        gauge!("trazo_build_info", "version" => version, "model_version" => model_version).set(1.0);

        describe_histogram!(
            INFERENCE_SECONDS,
            Unit::Seconds,
            "Model inference per request, queue wait included."
        );
        describe_gauge!(
            "trazo_inference_queue_depth",
            "Inference requests submitted and not yet answered."
        );
        describe_gauge!(
            "trazo_inference_queue_capacity",
            "Inference requests the engine takes at once (threads + queue) before refusing."
        );
        describe_histogram!(
            PREPROCESS_SECONDS,
            Unit::Seconds,
            "Image decoding and preprocessing on a cache miss."
        );
        describe_histogram!(
            PREDICTION_CONFIDENCE,
            "The model's confidence in each answer given (cache hits too)."
        );
        describe_counter!(
            "trazo_labels_total",
            "Answers people confirmed, corrected or took their label back from."
        );
        describe_counter!(
            "trazo_prediction_cache_requests_total",
            "Answer-cache lookups by layer and result."
        );
        describe_counter!(
            "trazo_redis_errors_total",
            "Redis calls that failed or timed out (the caller fell back)."
        );
        describe_counter!(
            "trazo_session_checks_total",
            "Sessions of predictions checked, by where: remembered in memory (confirmed by the \
             quota's Redis step) or read from the database."
        );
        describe_counter!(
            "trazo_ratelimit_decisions_total",
            "Rate-limit decisions by limit."
        );
        describe_counter!(
            "trazo_admission_refused_total",
            "Expensive work refused at once because its bound was full."
        );
        describe_histogram!(
            PASSWORD_WAIT_SECONDS,
            Unit::Seconds,
            "Time an argon2 run waited for a password thread."
        );
        describe_histogram!(HISTORY_BATCH_ROWS, "Rows per history group commit.");
        describe_counter!(
            "trazo_database_errors_total",
            "Database errors answered as 5xx (this process)."
        );
        describe_gauge!(
            "trazo_ready",
            "1 when this instance is ready (database reachable), as /readyz says."
        );
        describe_gauge!("trazo_redis_configured", "1 when REDIS_URL is set.");
        describe_counter!(
            "trazo_mail_deliveries_total",
            "Mail deliveries by the mail worker: sent, retried later, or given up."
        );
        describe_gauge!(
            "trazo_redis_up",
            "1 when Redis answered a ping at this scrape."
        );

        let cache = |layer: &'static str| CacheCounters {
            hit: counter!("trazo_prediction_cache_requests_total", "layer" => layer, "result" => "hit"),
            miss: counter!("trazo_prediction_cache_requests_total", "layer" => layer, "result" => "miss"),
        };
        let redis_errors = |operation: &'static str| counter!("trazo_redis_errors_total", "operation" => operation);
        Self {
            inference: InferenceMetrics {
                seconds: histogram!(INFERENCE_SECONDS),
                confidence: histogram!(PREDICTION_CONFIDENCE),
                queue_depth: gauge!("trazo_inference_queue_depth"),
                queue_capacity: gauge!("trazo_inference_queue_capacity"),
                preprocess_seconds: histogram!(PREPROCESS_SECONDS),
            },
            cache: CacheMetrics {
                memory: cache("memory"),
                redis: cache("redis"),
                redis_errors: redis_errors("cache"),
            },
            ratelimit_redis_errors: redis_errors("ratelimit"),
            session_checks: CheckCounters {
                memory: counter!("trazo_session_checks_total", "by" => "memory"),
                database: counter!("trazo_session_checks_total", "by" => "database"),
            },
            session_redis_errors: redis_errors("sessions"),
            decisions: LimitName::ALL.map(|limit| {
                ["allowed", "refused"].map(|decision| {
                    counter!("trazo_ratelimit_decisions_total", "limit" => limit.label(), "decision" => decision)
                })
            }),
            refused: BoundName::ALL.map(|bound| {
                counter!("trazo_admission_refused_total", "bound" => bound.label())
            }),
            password_wait_seconds: histogram!(PASSWORD_WAIT_SECONDS),
            history_batch_rows: histogram!(HISTORY_BATCH_ROWS),
            database_errors: counter!("trazo_database_errors_total"),
            labels: ["confirmed", "corrected", "withdrawn"]
                .map(|kind| counter!("trazo_labels_total", "label" => kind)),
            ready: gauge!("trazo_ready"),
            redis_configured: gauge!("trazo_redis_configured"),
            redis_up: gauge!("trazo_redis_up"),
            mail: MailMetrics {
                sent: counter!("trazo_mail_deliveries_total", "result" => "sent"),
                retried: counter!("trazo_mail_deliveries_total", "result" => "retry"),
                given_up: counter!("trazo_mail_deliveries_total", "result" => "given_up"),
            },
        }
    }

    /// Handles registered in a registry of their own that nothing exports.
    pub fn detached() -> Self {
        let recorder = metrics_exporter_prometheus::PrometheusBuilder::new().build_recorder();
        metrics::with_local_recorder(&recorder, || Self::register("", ""))
    }

    /// Counts one label: `label` given to an answer of `digit` (`None`: taken back).
    pub fn labelled(&self, digit: u8, label: Option<u8>) {
        let index = match label {
            Some(label) if label == digit => 0,
            Some(_) => 1,
            None => 2,
        };
        self.labels[index].increment(1);
    }

    /// Counts one decision of `limit`.
    pub fn decided(&self, limit: LimitName, allowed: bool) {
        let index = LimitName::ALL.iter().position(|l| *l == limit).unwrap_or(0);
        self.decisions[index][usize::from(!allowed)].increment(1);
    }

    /// The counter of refusals by a full `bound`.
    pub fn refusals(&self, bound: BoundName) -> Counter {
        let index = BoundName::ALL.iter().position(|b| *b == bound).unwrap_or(0);
        self.refused[index].clone()
    }

    /// Brings the process-wide counts up to date before a scrape.
    pub fn refresh(&self) {
        self.database_errors
            .absolute(DATABASE_ERRORS.load(Ordering::Relaxed));
    }
}

/// Counts a value into a gauge while it is alive: one more on creation, one less on drop (also
/// when the request holding it is abandoned).
pub struct InFlight(Gauge);

impl InFlight {
    pub fn new(gauge: &Gauge) -> Self {
        gauge.increment(1.0);
        Self(gauge.clone())
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.decrement(1.0);
    }
}
