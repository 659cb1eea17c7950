//! `/api/predict` against the real model and a real Redis: the contract, the cache, the rate
//! limits (exact under concurrency, within one instance and across two), Redis failing
//! mid-run, and hostile uploads.

use std::{
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use image::{GrayImage, ImageFormat, Luma};
use reqwest::{StatusCode, header, multipart};
use serde_json::{Value, json};

use crate::helpers::{
    ONE, SEVEN, TestApp, digit_png, encode, fresh_postgres_database, new_user, redis_url, settings,
    spawn_app_with, two_instances_sharing_redis_and_postgres,
};

/// Registers and logs in a fresh user; returns the bearer token.
async fn user(app: &TestApp) -> String {
    new_user(app).await.1.token
}

async fn predict_with(
    app: &TestApp,
    token: Option<&str>,
    form: multipart::Form,
) -> reqwest::Response {
    let mut request = app.client.post(app.url("/api/predict")).multipart(form);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.expect("request")
}

fn file_form(bytes: Vec<u8>, name: &str) -> multipart::Form {
    multipart::Form::new().part(
        "file",
        multipart::Part::bytes(bytes).file_name(name.to_owned()),
    )
}

async fn predict(app: &TestApp, token: &str, bytes: Vec<u8>) -> reqwest::Response {
    predict_with(app, Some(token), file_form(bytes, "digit.png")).await
}

/// The first page of the user's history, as JSON.
async fn history_of(app: &TestApp, token: &str) -> Value {
    app.client
        .get(app.url("/api/history"))
        .bearer_auth(token)
        .send()
        .await
        .expect("history")
        .json()
        .await
        .expect("json")
}

async fn json_of(response: reqwest::Response) -> (StatusCode, Value) {
    let status = response.status();
    (status, response.json().await.expect("json body"))
}

async fn contract(app: &TestApp) {
    let token = user(app).await;
    let seven = digit_png(SEVEN, 224, 0.0);

    let (status, body) =
        json_of(predict_with(app, None, file_form(seven.clone(), "7.png")).await).await;
    assert_eq!(
        (status, &body),
        (
            StatusCode::UNAUTHORIZED,
            &json!({"msg": "Missing Authorization Header"})
        )
    );

    let response = predict(app, &token, seven.clone()).await;
    assert_eq!(response.status(), StatusCode::OK);
    for name in ["ratelimit-policy", "ratelimit", "x-ratelimit-remaining"] {
        assert!(response.headers().contains_key(name), "missing {name}");
    }
    assert_eq!(response.headers()["x-ratelimit-remaining"], "49");
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["prediccion"], 7, "{body}");
    assert_eq!(body["cached"], false);
    let probability = body["probabilidad"].as_f64().expect("number");
    assert!(probability > 0.5 && probability <= 1.0, "{probability}");
    let all: Vec<f64> = body["probabilities"]
        .as_array()
        .expect("ten")
        .iter()
        .map(|p| p.as_f64().expect("number"))
        .collect();
    assert_eq!(all.len(), 10);
    assert!((all.iter().sum::<f64>() - 1.0).abs() < 1e-3);
    assert_eq!(body["model_version"], trazo_model::MODEL_VERSION);
    assert!(
        body["image"]
            .as_str()
            .expect("image")
            .starts_with("data:image/png;base64,")
    );
    assert_eq!(body["quota"]["hour"]["limit"], 50);
    assert_eq!(body["quota"]["day"]["remaining"], 199);

    // The same bytes again: from the cache.
    let (status, again) = json_of(predict(app, &token, seven.clone()).await).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(again["cached"], true);
    assert_eq!(again["prediccion"], 7);
    assert_eq!(again["probabilities"], body["probabilities"]);

    // A "1", scaled up, as JPEG.
    let one = digit_png(ONE, 400, 0.0);
    let one_jpeg = encode(
        image::load_from_memory(&one).expect("png").to_luma8(),
        ImageFormat::Jpeg,
    );
    let (status, body) = json_of(predict(app, &token, one_jpeg).await).await;
    assert_eq!(
        (status, body["prediccion"].clone()),
        (StatusCode::OK, json!(1)),
        "{body}"
    );

    // Errors.
    let (status, body) =
        json_of(predict_with(app, Some(&token), multipart::Form::new().text("other", "x")).await)
            .await;
    assert_eq!(
        (status, body),
        (StatusCode::BAD_REQUEST, json!({"error": app::api::NO_FILE}))
    );
    let (status, body) = json_of(
        predict_with(
            app,
            Some(&token),
            file_form(b"just text, honestly".to_vec(), "digit.png"),
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, body),
        (
            StatusCode::BAD_REQUEST,
            json!({"error": app::api::NOT_AN_IMAGE})
        )
    );
    let blank = encode(GrayImage::from_pixel(64, 64, Luma([255])), ImageFormat::Png);
    let (status, body) = json_of(predict(app, &token, blank).await).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body["error"]
            .as_str()
            .expect("error")
            .starts_with("No digit found"),
        "{body}"
    );

    // The history has the three accepted predictions, newest first.
    let history = history_of(app, &token).await;
    assert_eq!(history["total"], 3, "{history}");
    let digits: Vec<i64> = history["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["digit"].as_i64().expect("digit"))
        .collect();
    assert_eq!(digits, [1, 7, 7]);
    let cleared = app
        .client
        .post(app.url("/api/clear_history"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("clear");
    assert_eq!(cleared.status(), StatusCode::OK);
    let history = history_of(app, &token).await;
    assert_eq!(history["total"], 0);
}

#[tokio::test]
async fn the_predict_contract_holds_without_redis() {
    contract(&spawn_app_with(settings()).await).await;
}

#[tokio::test]
async fn the_predict_contract_holds_with_redis_and_postgres() {
    let database = fresh_postgres_database().await;
    contract(
        &spawn_app_with(
            settings()
                .set("REDIS_URL", redis_url())
                .set("DATABASE_URL", database),
        )
        .await,
    )
    .await;
}

/// Fires `total` simultaneous predictions for one user, spread over `apps`; returns
/// (admitted, refused).
async fn burst(apps: &[&TestApp], token: &str, total: usize) -> (usize, usize) {
    let seven = digit_png(SEVEN, 112, 3.0);
    let requests = (0..total).map(|i| {
        let app = apps[i % apps.len()];
        let bytes = seven.clone();
        async move { predict(app, token, bytes).await.status() }
    });
    let statuses = futures::future::join_all(requests).await;
    let admitted = statuses.iter().filter(|s| **s == StatusCode::OK).count();
    let refused = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!(admitted + refused, total, "{statuses:?}");
    (admitted, refused)
}

#[tokio::test]
async fn two_hundred_simultaneous_requests_admit_exactly_fifty_in_process() {
    let app = spawn_app_with(settings()).await;
    let token = user(&app).await;
    assert_eq!(burst(&[&app], &token, 200).await, (50, 150));
}

#[tokio::test]
async fn two_hundred_simultaneous_requests_admit_exactly_fifty_across_two_instances() {
    let (one, two) = two_instances_sharing_redis_and_postgres().await;
    let token = user(&one).await;
    assert_eq!(burst(&[&one, &two], &token, 200).await, (50, 150));
    // The refusal says when to retry, in words and in the header.
    let response = predict(&two, &token, digit_png(SEVEN, 112, 3.0)).await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = response.headers()[header::RETRY_AFTER]
        .to_str()
        .expect("ascii")
        .parse()
        .expect("seconds");
    assert!(retry > 3000 && retry <= 3600, "{retry}");
    let (_, body) = json_of(response).await;
    assert!(
        body["msg"].as_str().expect("msg").contains("Try again in"),
        "{body}"
    );
}

/// A Redis of this test's own, so it can be stopped mid-run.
struct OwnRedis {
    child: Child,
    url: String,
}

impl OwnRedis {
    fn start() -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .expect("bind")
            .local_addr()
            .expect("addr")
            .port();
        let child = Command::new("redis-server")
            .args([
                "--port",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server (make test installs it)");
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "redis-server did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
        Self {
            child,
            url: format!("redis://127.0.0.1:{port}"),
        }
    }

    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for OwnRedis {
    fn drop(&mut self) {
        self.stop();
    }
}

#[tokio::test]
async fn predictions_and_limits_survive_redis_stopping_mid_run() {
    let mut redis = OwnRedis::start();
    let app = spawn_app_with(
        settings()
            .set("REDIS_URL", redis.url.clone())
            .set("PREDICT_PER_HOUR", "3"),
    )
    .await;
    let token = user(&app).await;
    let seven = digit_png(SEVEN, 224, 5.0);
    let (status, body) = json_of(predict(&app, &token, seven.clone()).await).await;
    assert_eq!(
        (status, body["cached"].clone()),
        (StatusCode::OK, json!(false))
    );
    let ready: Value = app.get("/readyz").await.json().await.expect("json");
    assert_eq!(ready["checks"]["rate_limiter"]["status"], "shared");

    redis.stop();
    let started = Instant::now();
    let (status, body) = json_of(predict(&app, &token, seven.clone()).await).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body["cached"], true,
        "the in-process cache has the answer too"
    );
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "a dead Redis must not stall requests"
    );
    // Limits now hold in process: at most 3 an hour here, whatever Redis had counted.
    let mut statuses = Vec::new();
    for shift in 0..4 {
        statuses.push(
            predict(&app, &token, digit_png(ONE, 224, shift as f32))
                .await
                .status(),
        );
    }
    assert!(
        statuses.contains(&StatusCode::TOO_MANY_REQUESTS),
        "{statuses:?}"
    );
    let ready = app.get("/readyz").await;
    assert_eq!(ready.status(), StatusCode::OK);
    let ready: Value = ready.json().await.expect("json");
    assert_eq!(ready["status"], "degraded", "{ready}");
    assert_eq!(ready["checks"]["rate_limiter"]["status"], "degraded");
}

/// A valid PNG whose header claims `width` x `height`, with a tiny (wrong) body.
fn png_claiming(width: u32, height: u32) -> Vec<u8> {
    let mut png = encode(GrayImage::from_pixel(1, 1, Luma([0])), ImageFormat::Png);
    // IHDR data starts at byte 16 (8 signature + 4 length + 4 type).
    png[16..20].copy_from_slice(&width.to_be_bytes());
    png[20..24].copy_from_slice(&height.to_be_bytes());
    let crc = crc32fast::hash(&png[12..29]);
    png[29..33].copy_from_slice(&crc.to_be_bytes());
    png
}

fn many_frame_gif(frames: usize) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut encoder =
            gif::Encoder::new(&mut out, 64, 64, &[0, 0, 0, 255, 255, 255]).expect("gif");
        for i in 0..frames {
            let mut pixels = vec![1u8; 64 * 64];
            // A vertical bar so the first frame holds a "1".
            for y in 8..56 {
                for x in 29..35 {
                    pixels[y * 64 + x] = 0;
                }
            }
            pixels[i % (64 * 64)] ^= 1;
            let frame = gif::Frame::from_indexed_pixels(64, 64, pixels, None);
            encoder.write_frame(&frame).expect("frame");
        }
    }
    out
}

#[tokio::test]
async fn hostile_uploads_get_a_fast_4xx() {
    let app = spawn_app_with(settings().set("PREDICT_PER_HOUR", "1000")).await;
    let token = user(&app).await;
    let seven = digit_png(SEVEN, 224, 0.0);
    let fast = Duration::from_secs(3);

    let cases: Vec<(&str, Vec<u8>, StatusCode)> = vec![
        (
            "truncated PNG",
            seven[..seven.len() / 2].to_vec(),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "text named .png",
            b"%PDF-1.7 definitely not a png".to_vec(),
            StatusCode::BAD_REQUEST,
        ),
        (
            "PNG claiming 100000x100000",
            png_claiming(100_000, 100_000),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        ("empty file", Vec::new(), StatusCode::BAD_REQUEST),
    ];
    for (what, bytes, expected) in cases {
        let started = Instant::now();
        let (status, body) = json_of(predict(&app, &token, bytes).await).await;
        assert_eq!(status, expected, "{what}: {body}");
        assert!(body["error"].is_string(), "{what}: {body}");
        assert!(
            started.elapsed() < fast,
            "{what} took {:?}",
            started.elapsed()
        );
    }

    // Thousands of frames: only the first is decoded.
    let gif = many_frame_gif(3000);
    assert!(gif.len() < 1024 * 1024, "the GIF fits the upload limit");
    let started = Instant::now();
    let (status, body) = json_of(predict(&app, &token, gif).await).await;
    assert!(
        started.elapsed() < fast,
        "many-frame GIF took {:?}",
        started.elapsed()
    );
    assert_eq!(
        (status, body["prediccion"].clone()),
        (StatusCode::OK, json!(1)),
        "{body}"
    );

    // 50 MiB: refused from its Content-Length, before it is read.
    let started = Instant::now();
    let response = predict(&app, &token, vec![0u8; 50 * 1024 * 1024]).await;
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "50 MiB took {:?}",
        started.elapsed()
    );
    let (status, body) = json_of(response).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(body["error"].is_string(), "{body}");

    // Still serving afterwards.
    assert_eq!(predict(&app, &token, seven).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn cookie_uploads_from_other_sites_are_refused() {
    let app = spawn_app_with(settings()).await;
    let cookie = new_user(&app).await.1.cookie;
    let send = |origin: &str| {
        app.client
            .post(app.url("/api/predict"))
            .header(header::COOKIE, &cookie)
            .header(header::ORIGIN, origin)
            .multipart(file_form(digit_png(SEVEN, 112, 0.0), "7.png"))
            .send()
    };
    assert_eq!(
        send("https://evil.example")
            .await
            .expect("request")
            .status(),
        StatusCode::FORBIDDEN
    );
    let own = format!("http://{}", app.addr);
    assert_eq!(send(&own).await.expect("request").status(), StatusCode::OK);
}

/// The value of the series `series` (name with its labels, exactly as exported) in `/metrics`.
async fn metric(app: &TestApp, series: &str) -> f64 {
    let text = app.get("/metrics").await.text().await.expect("metrics");
    text.lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' '))
        .unwrap_or_else(|| panic!("{series} missing from:\n{text}"))
        .parse()
        .expect("a number")
}

#[tokio::test]
async fn service_metrics_follow_predictions_through_the_cache_the_model_and_the_limiter() {
    let app = spawn_app_with(
        settings()
            .set("REDIS_URL", redis_url())
            .set("PREDICT_PER_HOUR", "2"),
    )
    .await;
    let token = user(&app).await;
    // Bytes no earlier run has cached in the shared Redis.
    let shift = f32::from(uuid::Uuid::new_v4().as_bytes()[0]) / 64.0;
    let seven = digit_png(SEVEN, 224, shift);
    for expected in [
        StatusCode::OK,
        StatusCode::OK,
        StatusCode::TOO_MANY_REQUESTS,
    ] {
        assert_eq!(
            predict(&app, &token, seven.clone()).await.status(),
            expected
        );
    }
    let cache = |layer: &str, result: &str| {
        format!(r#"trazo_prediction_cache_requests_total{{layer="{layer}",result="{result}"}}"#)
    };
    let decisions = |decision: &str| {
        format!(r#"trazo_ratelimit_decisions_total{{limit="predictions",decision="{decision}"}}"#)
    };
    for (series, value) in [
        // One miss went to the model, the repeat was answered from this process.
        ("trazo_inference_seconds_count".to_owned(), 1.0),
        ("trazo_preprocess_seconds_count".to_owned(), 1.0),
        (cache("memory", "miss"), 1.0),
        (cache("memory", "hit"), 1.0),
        (cache("redis", "miss"), 1.0),
        (decisions("allowed"), 2.0),
        (decisions("refused"), 1.0),
        ("trazo_history_batch_rows_sum".to_owned(), 2.0),
        ("trazo_inference_queue_depth".to_owned(), 0.0),
        ("trazo_ready".to_owned(), 1.0),
        ("trazo_redis_configured".to_owned(), 1.0),
        ("trazo_redis_up".to_owned(), 1.0),
        (
            r#"trazo_redis_errors_total{operation="cache"}"#.to_owned(),
            0.0,
        ),
    ] {
        assert_eq!(metric(&app, &series).await, value, "{series}");
    }
    assert!(metric(&app, "trazo_inference_queue_capacity").await >= 2.0);
    // Sign-up and log-in went through the password threads.
    assert!(metric(&app, "trazo_password_queue_wait_seconds_count").await >= 2.0);
}
