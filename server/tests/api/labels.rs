//! "Was this right?": labels on predictions (`POST /api/label`), the history filtered by them,
//! and the labelled digits downloaded as an MNIST IDX pair and a CSV, on SQLite and PostgreSQL;
//! labels are per user, and leave with the account.

use reqwest::{StatusCode, header};
use serde_json::{Value, json};
use trazo_model::idx;

use crate::helpers::{
    ONE, PASSWORD, SEVEN, TestApp, digit_png, fresh_postgres_database, new_user, settings,
    spawn_app_with,
};

async fn send(request: reqwest::RequestBuilder) -> (StatusCode, Value) {
    let response = request.send().await.expect("request");
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn predict(app: &TestApp, token: &str, png: Vec<u8>) -> Value {
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(png).file_name("d.png"),
    );
    let (status, body) = send(
        app.client
            .post(app.url("/api/predict"))
            .bearer_auth(token)
            .multipart(form),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

async fn label(app: &TestApp, token: &str, id: &str, label: Value) -> (StatusCode, Value) {
    send(
        app.client
            .post(app.url("/api/label"))
            .bearer_auth(token)
            .json(&json!({"id": id, "label": label})),
    )
    .await
}

async fn history(app: &TestApp, token: &str, query: &str) -> Value {
    let (status, body) = send(
        app.client
            .get(app.url(&format!("/api/history{query}")))
            .bearer_auth(token),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{query}: {body}");
    body
}

async fn download(app: &TestApp, token: Option<&str>, file: &str) -> reqwest::Response {
    let mut request = app.client.get(app.url(&format!("/api/dataset/{file}")));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.expect("download")
}

/// The IDX pair a user downloads, read back with the MNIST reader.
async fn dataset(app: &TestApp, token: &str, query: &str) -> (Vec<idx::Digit>, Vec<u8>) {
    let dir = std::env::temp_dir().join(format!("trazo-dataset-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).expect("scratch");
    let mut paths = vec![];
    for file in ["images-idx3-ubyte.gz", "labels-idx1-ubyte.gz"] {
        let response = download(app, Some(token), &format!("{file}{query}")).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()[header::CONTENT_TYPE], "application/gzip");
        assert_eq!(response.headers()[header::CACHE_CONTROL], "no-store");
        assert!(
            response.headers()[header::CONTENT_DISPOSITION]
                .to_str()
                .expect("ascii")
                .contains(file)
        );
        let path = dir.join(file);
        std::fs::write(&path, response.bytes().await.expect("body")).expect("write");
        paths.push(path);
    }
    let images = idx::read_images(&paths[0]).expect("an MNIST image file");
    let labels = idx::read_labels(&paths[1]).expect("an MNIST label file");
    let _ = std::fs::remove_dir_all(&dir);
    (images, labels)
}

fn other_digit(digit: u64) -> u64 {
    (digit + 5) % 10
}

async fn labels_and_dataset(app: &TestApp) {
    let (name, session) = new_user(app).await;
    let token = session.token.as_str();
    // Three different images, oldest first.
    let answers = [
        predict(app, token, digit_png(SEVEN, 224, 0.0)).await,
        predict(app, token, digit_png(ONE, 224, 0.0)).await,
        predict(app, token, digit_png(SEVEN, 224, 12.0)).await,
    ];
    let ids: Vec<&str> = answers
        .iter()
        .map(|a| a["id"].as_str().expect("id"))
        .collect();
    let digits: Vec<u64> = answers
        .iter()
        .map(|a| a["prediccion"].as_u64().expect("digit"))
        .collect();

    // Nothing labelled yet: every row says so, and the dataset is an empty, valid pair.
    let all = history(app, token, "").await;
    assert_eq!(all["total"], 3);
    assert!(
        all["items"]
            .as_array()
            .expect("items")
            .iter()
            .all(|i| i["label"].is_null())
    );
    assert_eq!(dataset(app, token, "").await, (vec![], vec![]));

    // Confirm the first, correct the second, leave the third.
    let corrected = other_digit(digits[1]);
    let (status, item) = label(app, token, ids[0], json!(digits[0])).await;
    assert_eq!(
        (status, item["label"].as_u64()),
        (StatusCode::OK, Some(digits[0]))
    );
    let (status, item) = label(app, token, ids[1], json!(corrected)).await;
    assert_eq!(
        (status, item["id"].as_str()),
        (StatusCode::OK, Some(ids[1]))
    );
    assert_eq!(
        item["digit"].as_u64(),
        Some(digits[1]),
        "the answer stays what it was"
    );

    // Refusals leave the labels as they were.
    for (body, expected) in [
        (json!({"id": ids[2], "label": 10}), StatusCode::BAD_REQUEST),
        (
            json!({"id": ids[2], "label": "seven"}),
            StatusCode::BAD_REQUEST,
        ),
        (json!({"id": "", "label": 1}), StatusCode::BAD_REQUEST),
        (
            json!({"id": "no-such-row", "label": 1}),
            StatusCode::NOT_FOUND,
        ),
    ] {
        let (status, refusal) = send(
            app.client
                .post(app.url("/api/label"))
                .bearer_auth(token)
                .json(&body),
        )
        .await;
        assert_eq!(status, expected, "{body}: {refusal}");
    }

    let count = |body: Value| body["total"].as_u64().expect("total");
    assert_eq!(count(history(app, token, "?label=confirmed").await), 1);
    assert_eq!(count(history(app, token, "?label=corrected").await), 1);
    assert_eq!(count(history(app, token, "?label=unlabelled").await), 1);
    let by_true_digit = history(app, token, &format!("?digit={corrected}&label=corrected")).await;
    assert_eq!(by_true_digit["items"][0]["id"].as_str(), Some(ids[1]));
    assert_eq!(
        count(history(app, token, &format!("?digit={}", digits[1])).await),
        u64::from(digits[1] == digits[0]) + u64::from(digits[1] == digits[2]),
        "a corrected row is found by its true digit, not by the answer"
    );
    assert_eq!(
        count(history(app, token, "?label=&digit=").await),
        3,
        "empty is no filter"
    );

    // The dataset: the two labelled digits, oldest first, the images the model saw.
    let (images, labels) = dataset(app, token, "").await;
    assert_eq!(labels, vec![digits[0] as u8, corrected as u8]);
    assert_eq!(images.len(), 2);
    let rows = history(app, token, "?label=corrected").await;
    let seen =
        trazo_server::edge::dataset::pixels(rows["items"][0]["image"].as_str().expect("image"))
            .expect("a stored image");
    assert_eq!(images[1], seen);
    assert!(
        images.iter().all(|image| image.iter().any(|&p| p > 128)),
        "ink on black, as MNIST"
    );
    // `until` before the labels were given: none of them.
    assert_eq!(dataset(app, token, "?until=0").await, (vec![], vec![]));

    let csv = download(app, Some(token), "digits.csv").await;
    assert_eq!(csv.status(), StatusCode::OK);
    assert!(
        csv.headers()[header::CONTENT_TYPE]
            .to_str()
            .expect("ascii")
            .starts_with("text/csv")
    );
    let csv = csv.text().await.expect("csv");
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 3);
    assert!(lines[0].starts_with("label,pixel0,"));
    assert!(lines[2].starts_with(&format!("{corrected},")));
    assert_eq!(lines[2].split(',').count(), 785);

    // Labels are per user: another cannot label these, nor download them.
    let (_, stranger) = new_user(app).await;
    assert_eq!(
        label(app, &stranger.token, ids[0], json!(3)).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(dataset(app, &stranger.token, "").await, (vec![], vec![]));
    assert_eq!(
        download(app, None, "digits.csv").await.status(),
        StatusCode::UNAUTHORIZED
    );
    let unknown = download(app, Some(token), "passwords.txt").await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    assert!(unknown.json::<Value>().await.expect("json")["msg"].is_string());

    // A label can be taken back.
    let (status, item) = label(app, token, ids[0], Value::Null).await;
    assert_eq!(
        (status, item["label"].clone()),
        (StatusCode::OK, Value::Null)
    );
    assert_eq!(count(history(app, token, "?label=unlabelled").await), 2);
    assert_eq!(dataset(app, token, "").await.1, vec![corrected as u8]);

    // Deleting the account deletes the labelled digits with it.
    let (status, _) = send(
        app.client
            .post(app.url("/api/delete_account"))
            .bearer_auth(token)
            .json(&json!({"password": PASSWORD})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "deleting {name}");
    let left: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM predictions WHERE id = $1 OR id = $2 OR id = $3")
            .bind(ids[0])
            .bind(ids[1])
            .bind(ids[2])
            .fetch_one(&app.state.db)
            .await
            .expect("count");
    assert_eq!(left, 0);
}

#[tokio::test]
async fn dataset_downloads_wait_their_turn_or_are_refused_at_once() {
    use std::time::{Duration, Instant};

    use trazo_server::admission::Exports;

    let app = spawn_app_with(settings()).await;
    let (_, session) = new_user(&app).await;
    let token = session.token.as_str();
    let answer = predict(&app, token, digit_png(SEVEN, 224, 0.0)).await;
    let id = answer["id"].as_str().expect("id");
    let digit = answer["prediccion"].clone();
    assert_eq!(label(&app, token, id, digit).await.0, StatusCode::OK);

    // Another download is being built (the test holds the one turn there is).
    let turn = app
        .state
        .dataset_exports
        .enter()
        .await
        .expect("the free turn");
    // A burst of downloads: as many as may wait do, the rest are refused at once; none is
    // built, and those that waited are refused when their wait runs out.
    let burst = 6;
    let started = Instant::now();
    let answers = futures::future::join_all((0..burst).map(|_| async {
        let response = download(&app, Some(token), "digits.csv").await;
        (
            response.status(),
            response.headers().get(header::RETRY_AFTER).cloned(),
            started.elapsed(),
        )
    }))
    .await;
    let refused_at_once = answers
        .iter()
        .filter(|(_, _, after)| *after < Exports::MAX_WAIT / 2)
        .count();
    for (status, retry_after, after) in &answers {
        assert_eq!(*status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(
            retry_after.as_ref().and_then(|v| v.to_str().ok()),
            Some(Exports::RETRY_AFTER_SECS.to_string().as_str())
        );
        assert!(
            *after < Exports::MAX_WAIT + Duration::from_secs(3),
            "{after:?}"
        );
    }
    assert!(
        refused_at_once >= burst - Exports::WAITING,
        "{refused_at_once} of {burst} refused at once"
    );
    let refused = app.state.metrics.render();
    assert!(
        refused.contains(&format!(
            r#"trazo_admission_refused_total{{bound="dataset"}} {burst}"#
        )),
        "{refused}"
    );

    // Its turn over, a download is built again, and one waiting for a turn gets it.
    let waiting = tokio::spawn({
        let client = app.client.clone();
        let url = app.url("/api/dataset/digits.csv");
        let token = token.to_owned();
        async move {
            client
                .get(url)
                .bearer_auth(token)
                .send()
                .await
                .expect("download")
                .status()
        }
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    drop(turn);
    assert_eq!(waiting.await.expect("the waiting download"), StatusCode::OK);
    let response = download(&app, Some(token), "digits.csv").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.text().await.expect("csv").lines().count(), 2);
}

#[tokio::test]
async fn a_burst_of_labels_past_the_hourly_allowance_is_refused_exactly() {
    use trazo_server::edge::ports::LABELS_PER_HOUR;

    let app = spawn_app_with(settings()).await;
    let (_, session) = new_user(&app).await;
    let token = session.token.as_str();
    let answer = predict(&app, token, digit_png(SEVEN, 224, 0.0)).await;
    let id = answer["id"].as_str().expect("id");
    // A script flipping one label, 50 requests at a time, 20 past the allowance.
    let sent = LABELS_PER_HOUR as usize + 20;
    let mut statuses = Vec::with_capacity(sent);
    for batch in (0..sent).collect::<Vec<_>>().chunks(50) {
        let answers = futures::future::join_all(
            batch
                .iter()
                .map(|i| label(&app, token, id, json!((i % 10) as u64))),
        )
        .await;
        statuses.extend(answers);
    }
    let ok = statuses
        .iter()
        .filter(|(s, _)| *s == StatusCode::OK)
        .count();
    let refused: Vec<&Value> = statuses
        .iter()
        .filter(|(s, _)| *s == StatusCode::TOO_MANY_REQUESTS)
        .map(|(_, body)| body)
        .collect();
    assert_eq!((ok, refused.len()), (LABELS_PER_HOUR as usize, 20));
    assert!(
        refused[0]["msg"]
            .as_str()
            .expect("msg")
            .starts_with(&format!("Labels limit reached ({LABELS_PER_HOUR} an hour)"))
    );
    let metrics = app.state.metrics.render();
    assert!(
        metrics
            .contains(r#"trazo_ratelimit_decisions_total{limit="labels",decision="refused"} 20"#),
        "{metrics}"
    );
    // What was labelled before the limit stays labelled.
    assert!(!history(&app, token, "").await["items"][0]["label"].is_null());
}

#[tokio::test]
async fn labels_filter_the_history_and_make_a_dataset_on_sqlite() {
    labels_and_dataset(&spawn_app_with(settings()).await).await;
}

#[tokio::test]
async fn labels_filter_the_history_and_make_a_dataset_on_postgresql() {
    let database = fresh_postgres_database().await;
    labels_and_dataset(&spawn_app_with(settings().set("DATABASE_URL", database)).await).await;
}
