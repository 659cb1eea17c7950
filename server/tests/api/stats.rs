//! The admin's figures (`GET /api/admin/stats`) and charts (`/api/admin/stats/{chart}`): they
//! follow what users did — predictions, cache hits, the rate limit's refusals, labels — on
//! SQLite, and on PostgreSQL with two instances, where either instance's figures count both.

use reqwest::{StatusCode, header};
use serde_json::{Value, json};

use crate::helpers::{
    ONE, SEVEN, TestApp, digit_png, fresh_postgres_database, new_admin, new_user, predict_png,
    redis_url, settings, spawn_app_with,
};

/// Predicts `png` for `token`: the status and the answer.
async fn predict(app: &TestApp, token: &str, png: Vec<u8>) -> (StatusCode, Value) {
    let response = predict_png(app, token, png).await;
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn get(app: &TestApp, path: &str, token: Option<&str>) -> reqwest::Response {
    let mut request = app.client.get(app.url(path));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.expect("request")
}

fn total(slots: &Value, field: &str) -> u64 {
    slots
        .as_array()
        .expect("slots")
        .iter()
        .map(|s| s[field].as_u64().expect("a count"))
        .sum()
}

/// Three predictions (the second a cache hit) and two refused, spread over `a` and `b` (which
/// may be one instance), two of them labelled; then the figures, read from `b`. The images are
/// this run's own: the Redis answer cache is shared by every test.
async fn figures_follow_what_happened(a: &TestApp, b: &TestApp) {
    // Images no earlier run has sent: a Redis kept between runs would otherwise answer them all.
    let shift = 3.0 + f32::from(uuid::Uuid::new_v4().as_bytes()[0]) / 256.0;
    let (_, user) = new_user(a).await;
    let token = user.token.as_str();
    let (status, first) = predict(a, token, digit_png(SEVEN, 211, shift)).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    let (status, again) = predict(b, token, digit_png(SEVEN, 211, shift)).await;
    assert_eq!(
        (status, again["cached"].as_bool()),
        (StatusCode::OK, Some(true))
    );
    let (status, one) = predict(a, token, digit_png(ONE, 211, shift)).await;
    assert_eq!(status, StatusCode::OK, "{one}");
    for app in [b, a] {
        assert_eq!(
            predict(app, token, digit_png(ONE, 211, shift + 3.0))
                .await
                .0,
            StatusCode::TOO_MANY_REQUESTS
        );
    }
    // Confirm the first answer, correct the third.
    let first_digit = first["prediccion"].as_u64().expect("digit");
    let one_digit = one["prediccion"].as_u64().expect("digit");
    let truth = (one_digit + 1) % 10;
    for (answer, label) in [(&first, first_digit), (&one, truth)] {
        let response = a
            .client
            .post(a.url("/api/label"))
            .bearer_auth(token)
            .json(&json!({"id": answer["id"], "label": label}))
            .send()
            .await
            .expect("label");
        assert_eq!(response.status(), StatusCode::OK);
    }

    // Not for users, nor for nobody.
    assert_eq!(
        get(a, "/api/admin/stats", Some(token)).await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        get(a, "/api/admin/stats", None).await.status(),
        StatusCode::UNAUTHORIZED
    );

    // Either instance's figures count everything: b's refusal was flushed by b (the figures
    // flush their own instance's first; the other's within a few seconds).
    let admin = new_admin(b).await;
    let mut stats = Value::Null;
    for _ in 0..40 {
        let response = get(b, "/api/admin/stats", Some(&admin.token)).await;
        assert_eq!(response.status(), StatusCode::OK);
        stats = response.json().await.expect("json");
        if total(&stats["hours"], "refused") == 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
    assert_eq!(stats["hours"].as_array().expect("hours").len(), 48);
    assert_eq!(stats["days"].as_array().expect("days").len(), 30);
    for slots in [&stats["hours"], &stats["days"]] {
        assert_eq!(total(slots, "predictions"), 3, "{stats}");
        assert_eq!(total(slots, "cached"), 1, "{stats}");
        assert_eq!(total(slots, "refused"), 2, "{stats}");
    }
    let ratio = |field: &str| stats[field].as_f64().expect("a share");
    assert!(
        (ratio("cache_hit_ratio") - 1.0 / 3.0).abs() < 1e-9,
        "{stats}"
    );
    assert!((ratio("refused_share") - 2.0 / 5.0).abs() < 1e-9, "{stats}");
    let confidence = stats["confidence"].as_array().expect("bins");
    assert_eq!(confidence.len(), 10);
    assert_eq!(
        confidence
            .iter()
            .map(|b| b.as_u64().expect("count"))
            .sum::<u64>(),
        3
    );
    let confusion = &stats["confusion"];
    assert_eq!(
        confusion[first_digit as usize][first_digit as usize], 1,
        "{stats}"
    );
    assert_eq!(confusion[truth as usize][one_digit as usize], 1, "{stats}");
    let labelled: u64 = confusion
        .as_array()
        .expect("rows")
        .iter()
        .flat_map(|row| row.as_array().expect("row").iter())
        .map(|c| c.as_u64().expect("count"))
        .sum();
    assert_eq!(labelled, 2);

    // The charts: SVG for the admin (a cookie is enough, as for an image on a page), refused to
    // others, and a clear 404 for a chart that does not exist.
    for chart in ["hours.svg", "days.svg", "confidence.svg", "confusion.svg"] {
        let response = a
            .client
            .get(a.url(&format!("/api/admin/stats/{chart}")))
            .header(header::COOKIE, &admin.cookie)
            .send()
            .await
            .expect("chart");
        assert_eq!(response.status(), StatusCode::OK, "{chart}");
        assert_eq!(response.headers()[header::CONTENT_TYPE], "image/svg+xml");
        assert_eq!(response.headers()[header::CACHE_CONTROL], "no-store");
        let svg = response.text().await.expect("svg");
        assert!(
            svg.starts_with("<svg") && svg.ends_with("</svg>"),
            "{chart}"
        );
        if chart == "confusion.svg" {
            assert!(
                svg.contains(&format!(
                    "data-true=\"{truth}\" data-predicted=\"{one_digit}\">1</text>"
                )),
                "{svg}"
            );
        }
        assert_eq!(
            get(a, &format!("/api/admin/stats/{chart}"), Some(token))
                .await
                .status(),
            StatusCode::FORBIDDEN
        );
    }
    let missing = get(a, "/api/admin/stats/pie.svg", Some(&admin.token)).await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    assert!(
        missing.json::<Value>().await.expect("json")["msg"]
            .as_str()
            .expect("msg")
            .contains("confusion.svg")
    );
}

#[tokio::test]
async fn the_admins_figures_follow_predictions_refusals_and_labels_on_sqlite() {
    let app = spawn_app_with(settings().set("PREDICT_PER_HOUR", "3")).await;
    figures_follow_what_happened(&app, &app).await;
}

#[tokio::test]
async fn two_instances_on_postgresql_show_the_same_figures() {
    // Both instances allow 3 an hour, counted together in Redis.
    let database = fresh_postgres_database().await;
    let shared = || {
        settings()
            .set("REDIS_URL", redis_url())
            .set("DATABASE_URL", database.clone())
            .set("PREDICT_PER_HOUR", "3")
    };
    let a = spawn_app_with(shared()).await;
    let b = spawn_app_with(shared()).await;
    figures_follow_what_happened(&a, &b).await;
}
