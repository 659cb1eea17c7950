use crate::helpers::spawn_app;

#[tokio::test]
async fn metrics_count_requests_by_route_and_status_in_prometheus_format() {
    let app = spawn_app().await;
    for _ in 0..3 {
        assert_eq!(app.get("/healthz").await.status(), 200);
    }
    assert_eq!(app.get("/no/such/page").await.status(), 404);

    let response = app.get("/metrics").await;
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .expect("ascii")
            .starts_with("text/plain; version=0.0.4")
    );
    let text = response.text().await.expect("text");
    assert!(
        text.contains(r#"http_requests_total{method="GET",route="/healthz",status="200"} 3"#),
        "{text}"
    );
    assert!(text.contains(r#"status="404"} 1"#), "{text}");
    assert!(
        text.contains("# TYPE http_request_duration_seconds histogram"),
        "{text}"
    );
    assert!(
        text.contains(r#"http_request_duration_seconds_count{method="GET",route="/healthz"} 3"#),
        "{text}"
    );
}

#[tokio::test]
async fn probing_random_api_paths_does_not_grow_the_label_set() {
    let app = spawn_app().await;
    for i in 0..5 {
        app.client
            .post(app.url(&format!("/api/probe{i}")))
            .send()
            .await
            .expect("request");
    }
    let text = app.get("/metrics").await.text().await.expect("text");
    assert!(!text.contains("probe"), "{text}");
    assert!(text.contains(r#"route="/api/unknown""#), "{text}");
}
