//! Liveness and readiness probes for load balancers and orchestrators.

use std::time::Duration;

use axum::{Json, extract::State, http::StatusCode, response::IntoResponse};
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
}

/// `GET /healthz`: the process is alive and serving.
pub async fn healthz() -> impl IntoResponse {
    Json(serde_json::json!({ "status": "ok" }))
}

/// `GET /readyz`: every dependency answers; 503 otherwise, with which one failed.
pub async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    let (database, redis) = tokio::join!(check_database(&state), check_redis(&state));
    let checks = Checks { database, redis };
    let ready = checks.database.is_ok() && checks.redis.is_ok();
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let body = Readiness {
        status: if ready { "ready" } else { "not_ready" },
        checks,
    };
    (status, Json(body))
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
