use std::time::{Duration, Instant};

use axum::routing::get;

use crate::helpers::{ServerProcess, Settings, spawn_router_with};

#[tokio::test]
async fn in_flight_requests_finish_after_shutdown_begins() {
    let app = spawn_router_with(
        Settings::new(),
        axum::Router::new().route(
            "/test/slow",
            get(|| async {
                tokio::time::sleep(Duration::from_millis(600)).await;
                "finished"
            }),
        ),
    )
    .await;
    let slow = tokio::spawn(app.client.get(app.url("/test/slow")).send());
    tokio::time::sleep(Duration::from_millis(150)).await;
    let addr = app.addr;
    let started = Instant::now();
    app.stop().await.expect("server stops cleanly");
    assert!(
        started.elapsed() >= Duration::from_millis(300),
        "did not wait for the slow request"
    );

    let response = slow
        .await
        .expect("task")
        .expect("in-flight request completed");
    assert_eq!(response.text().await.expect("body"), "finished");
    assert!(
        tokio::net::TcpStream::connect(addr).await.is_err(),
        "still accepting connections after shutdown"
    );
}

/// Starts the real binary, waits until it answers, sends `signal`, and returns its exit status;
/// on the way, checks that it said where it listens and logged no secret.
async fn run_binary_until(signal: &str) -> std::process::ExitStatus {
    let server = ServerProcess::start(&[("LOG_FORMAT", "json"), ("LOG_LEVEL", "info")]).await;
    let (status, log) = server.stop_with(signal, Duration::from_secs(10));
    assert!(!log.contains("SIGNING_KEY="), "secret in logs:\n{log}");
    assert!(
        log.contains("listening on http://127.0.0.1:"),
        "the server never said it was listening:\n{log}"
    );
    status
}

#[tokio::test]
async fn sigterm_stops_the_binary_with_exit_code_0() {
    assert_eq!(run_binary_until("-TERM").await.code(), Some(0));
}

#[tokio::test]
async fn ctrl_c_stops_the_binary_with_exit_code_0() {
    assert_eq!(run_binary_until("-INT").await.code(), Some(0));
}

#[test]
fn production_without_a_signing_key_refuses_to_start() {
    let output = ServerProcess::run_to_exit(&[
        ("TRAZO_ENV", "production"),
        ("PUBLIC_ORIGIN", "https://trazo.example"),
    ]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("SIGNING_KEY must be set"), "{stderr}");
}
