//! What operators' tools read: liveness and readiness probes for load balancers and
//! orchestrators, and the Prometheus metrics (with readiness and Redis checked at each scrape).

use std::time::Duration;

use axum::{
    Json,
    extract::State,
    http::{HeaderValue, StatusCode, header},
    response::IntoResponse,
};
use serde::Serialize;

use crate::state::AppState;

/// How long one dependency may take to answer a readiness probe.
const CHECK_TIMEOUT: Duration = Duration::from_secs(2);

#[derive(Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum CheckStatus {
    Up,
    Down,
    NotConfigured,
}

#[derive(Debug, Serialize)]
pub struct Check {
    pub status: CheckStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<&'static str>,
}

impl Check {
    fn up() -> Self {
        Self {
            status: CheckStatus::Up,
            error: None,
        }
    }
    fn down(error: &'static str) -> Self {
        Self {
            status: CheckStatus::Down,
            error: Some(error),
        }
    }
    fn not_configured() -> Self {
        Self {
            status: CheckStatus::NotConfigured,
            error: None,
        }
    }
    fn is_ok(&self) -> bool {
        self.status != CheckStatus::Down
    }
    pub(crate) fn is_up(&self) -> bool {
        self.status == CheckStatus::Up
    }
}

#[derive(Debug, Serialize)]
pub struct Readiness {
    pub status: &'static str,
    pub checks: Checks,
}

#[derive(Debug, Serialize)]
pub struct Checks {
    pub database: Check,
    pub redis: Check,
    pub model: ModelCheck,
    pub rate_limiter: LimiterCheck,
}

/// The model is loaded and warmed before the server listens; this reports what serves it.
#[derive(Debug, Serialize)]
pub struct ModelCheck {
    pub status: CheckStatus,
    pub version: &'static str,
    pub threads: usize,
    pub queue_capacity: usize,
}

/// Where rate limits are counted: `shared` in Redis, `in_process` without Redis, `degraded`
/// while Redis is configured but failing (limits then hold per instance).
#[derive(Debug, Serialize)]
pub struct LimiterCheck {
    pub status: &'static str,
}

/// `GET /healthz`: the process is alive and serving.
pub async fn healthz() -> impl IntoResponse {
    Json(serde_json::json!({ "status": "ok" }))
}

/// `GET /readyz`: every dependency answers; 503 otherwise, with which one failed.
pub async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    let (database, redis) = tokio::join!(check_database(&state), check_redis(&state));
    let engine = state.predictor.engine();
    let model = ModelCheck {
        status: CheckStatus::Up,
        version: trazo_model::MODEL_VERSION,
        threads: engine.threads(),
        queue_capacity: engine.queue_capacity(),
    };
    let rate_limiter = LimiterCheck {
        status: match (state.limiter.uses_redis(), state.limiter.is_degraded()) {
            (false, _) => "in_process",
            (true, false) => "shared",
            (true, true) => "degraded",
        },
    };
    let redis_down = !redis.is_ok();
    let checks = Checks {
        database,
        redis,
        model,
        rate_limiter,
    };
    // Redis down is degraded service, not an outage: caches and limits fall back to this
    // process, so the instance keeps serving and stays in the load balancer.
    let ready = checks.database.is_ok();
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let body = Readiness {
        status: match (ready, redis_down) {
            (false, _) => "not_ready",
            (true, true) => "degraded",
            (true, false) => "ready",
        },
        checks,
    };
    (status, Json(body))
}

/// `GET /metrics`: readiness and Redis are checked first (as `/readyz` does), so the gauges
/// say what holds now.
pub async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    let (database, redis) = tokio::join!(check_database(&state), check_redis(&state));
    let service = &state.metrics.service;
    let gauge = |up: bool| if up { 1.0 } else { 0.0 };
    service.ready.set(gauge(database.is_up()));
    service.redis_configured.set(gauge(state.redis.is_some()));
    service.redis_up.set(gauge(redis.is_up()));
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
        )],
        state.metrics.render(),
    )
}

async fn check_database(state: &AppState) -> Check {
    let query = sqlx::query_scalar::<_, i32>("SELECT 1").fetch_one(&state.db);
    match tokio::time::timeout(CHECK_TIMEOUT, query).await {
        Ok(Ok(_)) => Check::up(),
        Ok(Err(error)) => {
            tracing::warn!(%error, "readiness: database query failed");
            Check::down("database query failed")
        }
        Err(_) => {
            tracing::warn!("readiness: database did not answer in time");
            Check::down("database timed out")
        }
    }
}

async fn check_redis(state: &AppState) -> Check {
    let Some(client) = &state.redis else {
        return Check::not_configured();
    };
    let ping = async {
        let mut connection = client.get_multiplexed_async_connection().await?;
        redis::cmd("PING")
            .query_async::<String>(&mut connection)
            .await
    };
    match tokio::time::timeout(CHECK_TIMEOUT, ping).await {
        Ok(Ok(_)) => Check::up(),
        Ok(Err(error)) => {
            tracing::warn!(%error, "readiness: redis unreachable");
            Check::down("redis unreachable")
        }
        Err(_) => {
            tracing::warn!("readiness: redis did not answer in time");
            Check::down("redis timed out")
        }
    }
}
