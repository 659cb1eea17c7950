//! Sessions remembered by the prediction path (`server/src/accounts/remembered.rs`): whatever
//! ends a session or changes an account on one instance takes effect on the very next
//! prediction on another, a prediction refused for it is not counted, a burst racing a log-out
//! gets no answer after the log-out returned, and (run alone) predictions mostly do not read
//! their session from the database.

use std::{
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{
    PASSWORD, SEVEN, Session, TestApp, digit_png, login, new_admin, new_user, post_as, predict_png,
    redis_url, settings, spawn_app_with,
};

/// Two instances sharing one SQLite file and the test Redis, and a third-party view of them.
async fn two_instances() -> (TestApp, TestApp, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("dir");
    let database = format!("sqlite://{}", dir.path().join("shared.db").display());
    let shared = || {
        settings()
            .set("REDIS_URL", redis_url())
            .set("DATABASE_URL", database.clone())
            .set("PREDICT_PER_HOUR", "1000")
            .set("PREDICT_PER_DAY", "1000")
    };
    let a = spawn_app_with(shared()).await;
    let b = spawn_app_with(shared()).await;
    (a, b, dir)
}

async fn predict(app: &TestApp, token: &str) -> reqwest::Response {
    predict_png(app, token, digit_png(SEVEN, 28, 0.0)).await
}

async fn bearer_post(app: &TestApp, path: &str, token: &str, body: Value) -> StatusCode {
    post_as(app, token, path, body).await.status()
}

/// The predictions left this hour, from a successful prediction's headers.
fn remaining(response: &reqwest::Response) -> u64 {
    assert_eq!(response.status(), StatusCode::OK);
    response.headers()["x-ratelimit-remaining"]
        .to_str()
        .expect("ascii")
        .parse()
        .expect("a number")
}

/// Predicts on `b` until its answers come from a remembered session (or at least were given):
/// three in a row, so the session is read and then remembered.
async fn warm(b: &TestApp, token: &str) {
    for _ in 0..3 {
        assert_eq!(predict(b, token).await.status(), StatusCode::OK);
    }
}

#[tokio::test]
async fn what_ends_a_session_on_one_instance_ends_it_on_the_other_at_once() {
    let (a, b, _dir) = two_instances().await;

    // Log-out.
    let (name, session) = new_user(&a).await;
    warm(&b, &session.token).await;
    assert_eq!(
        bearer_post(&a, "/api/logout", &session.token, json!({})).await,
        StatusCode::OK
    );
    assert_eq!(
        predict(&b, &session.token).await.status(),
        StatusCode::UNAUTHORIZED,
        "log-out"
    );
    // Nothing was counted for the refused prediction: three so far.
    let again = login(&a, &name, PASSWORD).await;
    assert_eq!(remaining(&predict(&b, &again.token).await), 1000 - 4);

    // Log-out everywhere, from another session.
    warm(&b, &again.token).await;
    let other = login(&a, &name, PASSWORD).await;
    assert_eq!(
        bearer_post(&a, "/api/logout_everywhere", &other.token, json!({})).await,
        StatusCode::OK
    );
    assert_eq!(
        predict(&b, &again.token).await.status(),
        StatusCode::UNAUTHORIZED,
        "log-out everywhere"
    );

    // A password change ends the other sessions (and keeps the one it was made from).
    let kept = login(&a, &name, PASSWORD).await;
    let ended = login(&a, &name, PASSWORD).await;
    warm(&b, &kept.token).await;
    warm(&b, &ended.token).await;
    assert_eq!(
        bearer_post(
            &a,
            "/api/change_password",
            &kept.token,
            json!({"current_password": PASSWORD, "new_password": "another long passphrase 9"}),
        )
        .await,
        StatusCode::OK
    );
    assert_eq!(
        predict(&b, &ended.token).await.status(),
        StatusCode::UNAUTHORIZED,
        "password change"
    );
    assert_eq!(predict(&b, &kept.token).await.status(), StatusCode::OK);

    // Deleting the account.
    warm(&b, &kept.token).await;
    assert_eq!(
        bearer_post(
            &a,
            "/api/delete_account",
            &kept.token,
            json!({"password": "another long passphrase 9"}),
        )
        .await,
        StatusCode::OK
    );
    assert_eq!(
        predict(&b, &kept.token).await.status(),
        StatusCode::UNAUTHORIZED,
        "deleted account"
    );
}

#[tokio::test]
async fn an_account_an_admin_disables_on_one_instance_stops_predicting_on_the_other() {
    let (a, b, _dir) = two_instances().await;
    let admin = new_admin(&a).await;
    let (name, session) = new_user(&a).await;
    warm(&b, &session.token).await;
    assert_eq!(
        bearer_post(
            &a,
            "/api/admin/set_disabled",
            &admin.token,
            json!({"username": name, "disabled": true}),
        )
        .await,
        StatusCode::OK
    );
    assert_eq!(
        predict(&b, &session.token).await.status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn a_burst_racing_a_log_out_gets_no_answer_begun_after_the_log_out_returned() {
    let (a, b, _dir) = two_instances().await;
    let (_, session) = new_user(&a).await;
    warm(&b, &session.token).await;
    let b = Arc::new(b);
    let results: Arc<Mutex<Vec<(Instant, StatusCode)>>> = Arc::default();
    let stop = Instant::now() + Duration::from_secs(3);
    let mut workers = Vec::new();
    for _ in 0..8 {
        let (b, results, token) = (b.clone(), results.clone(), session.token.clone());
        workers.push(tokio::spawn(async move {
            while Instant::now() < stop {
                let began = Instant::now();
                let status = predict(&b, &token).await.status();
                results.lock().expect("lock").push((began, status));
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert_eq!(
        bearer_post(&a, "/api/logout", &session.token, json!({})).await,
        StatusCode::OK
    );
    let logged_out = Instant::now();
    for worker in workers {
        worker.await.expect("worker");
    }
    let results = results.lock().expect("lock");
    let before = results.iter().filter(|(began, _)| *began < logged_out);
    assert!(
        before.clone().any(|(_, status)| *status == StatusCode::OK),
        "predictions went through before the log-out"
    );
    let after: Vec<_> = results
        .iter()
        .filter(|(began, _)| *began > logged_out)
        .collect();
    assert!(
        after.len() > 10,
        "{} requests after the log-out",
        after.len()
    );
    assert!(
        after
            .iter()
            .all(|(_, status)| *status == StatusCode::UNAUTHORIZED),
        "answered after the log-out: {:?}",
        after
            .iter()
            .filter(|(_, s)| *s != StatusCode::UNAUTHORIZED)
            .count()
    );
}

async fn session_checks(app: &TestApp, by: &str) -> f64 {
    let series = format!("trazo_session_checks_total{{by=\"{by}\"}}");
    let text = app.get("/metrics").await.text().await.expect("metrics");
    text.lines()
        .find_map(|line| line.strip_prefix(series.as_str())?.strip_prefix(' '))
        .map_or(0.0, |value| value.parse().expect("a number"))
}

async fn forty_predictions(app: &TestApp, session: &Session) -> (f64, f64) {
    for _ in 0..40 {
        assert_eq!(predict(app, &session.token).await.status(), StatusCode::OK);
    }
    (
        session_checks(app, "memory").await,
        session_checks(app, "database").await,
    )
}

/// Run alone (`make test` runs it in its serial step): other tests ending sessions at the same
/// time make remembered sessions be read again, which this counts.
#[tokio::test]
async fn remembered_sessions_spare_the_database() {
    let with_redis = spawn_app_with(
        settings()
            .set("REDIS_URL", redis_url())
            .set("PREDICT_PER_HOUR", "1000"),
    )
    .await;
    let (_, session) = new_user(&with_redis).await;
    let (memory, database) = forty_predictions(&with_redis, &session).await;
    // The first is read (twice at most: once to learn the epoch), the rest remembered.
    assert!(database <= 2.0, "{database} database reads");
    assert!(memory >= 38.0, "{memory} from memory");

    // Without Redis there is no epoch to check a remembered session by: every one is read.
    let alone = spawn_app_with(settings().set("PREDICT_PER_HOUR", "1000")).await;
    let (_, session) = new_user(&alone).await;
    let (memory, database) = forty_predictions(&alone, &session).await;
    assert_eq!((memory, database), (0.0, 40.0));
}
