use std::{
    io::{BufRead, BufReader},
    process::{Command, Stdio},
    time::{Duration, Instant},
};

use axum::routing::get;

use crate::helpers::{Settings, spawn_router_with};

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

/// Starts the real binary, waits until it listens, sends `signal`, and returns its exit status.
fn run_binary_until(signal: &str) -> std::process::ExitStatus {
    let dir = tempfile::tempdir().expect("dir");
    let mut child = Command::new(env!("CARGO_BIN_EXE_server"))
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("BIND_ADDR", "127.0.0.1:0")
        .env(
            "DATABASE_URL",
            format!("sqlite://{}", dir.path().join("t.db").display()),
        )
        .env("LOG_FORMAT", "json")
        .env("SITE_ROOT", dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start server binary");
    let stdout = child.stdout.take().expect("stdout");
    let mut listening = false;
    for line in BufReader::new(stdout).lines() {
        let line = line.expect("log line");
        assert!(!line.contains("SIGNING_KEY="), "secret in logs: {line}");
        if line.contains("listening on http://127.0.0.1:") {
            listening = true;
            break;
        }
    }
    assert!(listening, "the server never said it was listening");
    let status = Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            return status;
        }
        assert!(
            Instant::now() < deadline,
            "server did not exit after {signal}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn sigterm_stops_the_binary_with_exit_code_0() {
    assert_eq!(run_binary_until("-TERM").code(), Some(0));
}

#[test]
fn ctrl_c_stops_the_binary_with_exit_code_0() {
    assert_eq!(run_binary_until("-INT").code(), Some(0));
}

#[test]
fn production_without_a_signing_key_refuses_to_start() {
    let output = Command::new(env!("CARGO_BIN_EXE_server"))
        .env_clear()
        .env("TRAZO_ENV", "production")
        .env("PUBLIC_ORIGIN", "https://trazo.example")
        .output()
        .expect("run server binary");
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("SIGNING_KEY must be set"), "{stderr}");
}
