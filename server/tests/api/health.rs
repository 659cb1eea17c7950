use serde_json::Value;

use crate::helpers::{Settings, closed_port_url, redis_url, spawn_app, spawn_app_with};

#[tokio::test]
async fn healthz_says_the_process_is_alive() {
    let app = spawn_app().await;
    let response = app.get("/healthz").await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["status"], "ok");
}

#[tokio::test]
async fn readyz_is_ready_on_sqlite_without_redis() {
    let app = spawn_app().await;
    let response = app.get("/readyz").await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["status"], "ready");
    assert_eq!(body["checks"]["database"]["status"], "up");
    assert_eq!(body["checks"]["redis"]["status"], "not_configured");
}

#[tokio::test]
async fn readyz_checks_a_configured_redis() {
    let app = spawn_app_with(Settings::new().set("REDIS_URL", redis_url())).await;
    let response = app.get("/readyz").await;
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["checks"]["redis"]["status"], "up", "{body}");
    assert_eq!(body["status"], "ready");
}

/// Redis down is degraded service, not an outage: the instance keeps serving with caches and
/// limits in process, so it must stay in the load balancer (200), saying what is wrong.
#[tokio::test]
async fn readyz_reports_degraded_when_redis_is_down_and_says_which() {
    let app = spawn_app_with(Settings::new().set("REDIS_URL", closed_port_url("redis"))).await;
    let response = app.get("/readyz").await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["status"], "degraded");
    assert_eq!(body["checks"]["redis"]["status"], "down");
    assert_eq!(body["checks"]["database"]["status"], "up");
}

#[tokio::test]
async fn readyz_reports_the_model_and_where_limits_are_counted() {
    let app = spawn_app().await;
    let body: Value = app.get("/readyz").await.json().await.expect("json");
    assert_eq!(body["checks"]["model"]["status"], "up", "{body}");
    assert_eq!(
        body["checks"]["model"]["version"],
        trazo_model::MODEL_VERSION
    );
    assert_eq!(body["checks"]["rate_limiter"]["status"], "in_process");
    let shared = spawn_app_with(Settings::new().set("REDIS_URL", redis_url())).await;
    let body: Value = shared.get("/readyz").await.json().await.expect("json");
    assert_eq!(body["checks"]["rate_limiter"]["status"], "shared");
}

#[tokio::test]
async fn readyz_is_503_when_the_database_is_gone() {
    let app = spawn_app().await;
    app.state.db.close().await;
    let response = app.get("/readyz").await;
    assert_eq!(response.status(), 503);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["checks"]["database"]["status"], "down");
}

#[tokio::test]
async fn every_response_carries_a_request_id_and_keeps_the_callers() {
    let app = spawn_app().await;
    let generated = app.get("/healthz").await;
    let id = generated.headers()["x-request-id"].to_str().expect("ascii");
    assert!(uuid::Uuid::parse_str(id).is_ok(), "{id}");

    let echoed = app
        .client
        .get(app.url("/healthz"))
        .header("x-request-id", "trace-abc-123")
        .send()
        .await
        .expect("request");
    assert_eq!(echoed.headers()["x-request-id"], "trace-abc-123");
}

#[tokio::test]
async fn migrations_run_again_on_an_existing_sqlite_file() {
    let dir = tempfile::tempdir().expect("dir");
    let url = format!("sqlite://{}", dir.path().join("trazo.db").display());
    for _ in 0..2 {
        let app = spawn_app_with(Settings::new().set("DATABASE_URL", url.clone())).await;
        assert_eq!(app.get("/readyz").await.status(), 200);
        app.stop().await.expect("clean stop");
    }
}
