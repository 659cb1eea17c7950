//! HTTP metrics in Prometheus text format: requests by route and status, and a latency histogram.

use std::{collections::HashSet, sync::Arc, time::Instant};

use axum::{
    extract::{MatchedPath, Request, State},
    http::{HeaderValue, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusRecorder};

const REQUESTS: &str = "http_requests_total";
const DURATION: &str = "http_request_duration_seconds";
/// Latency buckets from 1 ms to 10 s: predictions and cache hits live at the low end, argon2
/// log-ins near 100 ms.
const BUCKETS: [f64; 14] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 7.5, 10.0,
];

/// This server's own recorder (not the process-global one), so several servers in one process
/// (as in the integration tests) keep separate counts.
pub struct HttpMetrics {
    recorder: PrometheusRecorder,
    /// Paths of the registered server functions; other `/api/` paths share one label so that
    /// probing random URLs cannot grow the label set without bound.
    server_fn_paths: HashSet<&'static str>,
}

impl Default for HttpMetrics {
    fn default() -> Self {
        Self::new()
    }
}

impl HttpMetrics {
    pub fn new() -> Self {
        let recorder = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Full(DURATION.to_owned()), &BUCKETS)
            .map(PrometheusBuilder::build_recorder)
            .unwrap_or_else(|_| PrometheusBuilder::new().build_recorder());
        let server_fn_paths = leptos::server_fn::axum::server_fn_paths()
            .map(|(path, _)| path)
            .collect();
        Self {
            recorder,
            server_fn_paths,
        }
    }

    fn record(&self, method: &str, route: String, status: u16, seconds: f64) {
        metrics::with_local_recorder(&self.recorder, || {
            let labels = [
                ("method", method.to_owned()),
                ("route", route),
                ("status", status.to_string()),
            ];
            metrics::counter!(REQUESTS, &labels).increment(1);
            metrics::histogram!(DURATION, &labels[..2]).record(seconds);
        });
    }

    pub fn render(&self) -> String {
        self.recorder.handle().render()
    }

    /// The route label for a request: the router's pattern when one matched, else a bucket.
    fn route_label(&self, path: &str, matched: Option<&MatchedPath>) -> String {
        if path.starts_with("/api/") {
            return if self.server_fn_paths.contains(path) {
                path.to_owned()
            } else {
                "/api/unknown".to_owned()
            };
        }
        match matched {
            Some(matched) => matched.as_str().to_owned(),
            None if path.starts_with("/pkg/") => "/pkg/*".to_owned(),
            None => "other".to_owned(),
        }
    }
}

/// Middleware that counts and times every request.
pub async fn track(
    State(metrics): State<Arc<HttpMetrics>>,
    request: Request,
    next: Next,
) -> Response {
    let start = Instant::now();
    let method = request.method().as_str().to_owned();
    let route = metrics.route_label(
        request.uri().path(),
        request.extensions().get::<MatchedPath>(),
    );
    let response = next.run(request).await;
    metrics.record(
        &method,
        route,
        response.status().as_u16(),
        start.elapsed().as_secs_f64(),
    );
    response
}

/// `GET /metrics`.
pub async fn render(State(metrics): State<Arc<HttpMetrics>>) -> impl IntoResponse {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
        )],
        metrics.render(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_counted_by_route_and_status_with_latency() {
        let metrics = HttpMetrics::new();
        metrics.record("GET", "/healthz".into(), 200, 0.002);
        metrics.record("GET", "/healthz".into(), 200, 0.003);
        metrics.record("GET", "other".into(), 404, 0.001);
        let text = metrics.render();
        assert!(
            text.contains(r#"http_requests_total{method="GET",route="/healthz",status="200"} 2"#),
            "{text}"
        );
        assert!(text.contains(r#"route="other",status="404"} 1"#), "{text}");
        assert!(
            text.contains(r#"http_request_duration_seconds_bucket{method="GET",route="/healthz",le="0.0025"} 1"#),
            "{text}"
        );
    }

    #[test]
    fn unknown_api_paths_share_one_label() {
        let metrics = HttpMetrics::new();
        assert_eq!(metrics.route_label("/api/../../etc", None), "/api/unknown");
        assert_eq!(metrics.route_label("/pkg/trazo.wasm", None), "/pkg/*");
        assert_eq!(metrics.route_label("/no/such/page", None), "other");
    }
}
