//! The server's metrics registry, rendered in Prometheus text format for `GET /metrics` (served
//! beside the probes, in `health`): HTTP requests by route and status with a latency histogram
//! (here), and the service's own metrics ([`service`]).

pub mod service;

use std::{collections::HashSet, sync::Arc, time::Instant};

use axum::{
    extract::{MatchedPath, Request, State},
    middleware::Next,
    response::Response,
};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusRecorder};

use service::{
    BATCH_BUCKETS, CONFIDENCE_BUCKETS, HISTORY_BATCH_ROWS, PREDICTION_CONFIDENCE, ServiceMetrics,
};

const REQUESTS: &str = "http_requests_total";
const DURATION: &str = "http_request_duration_seconds";
/// Latency buckets from 1 ms to 10 s, for every duration histogram: predictions, inference and
/// cache hits live at the low end, argon2 log-ins near 100 ms.
const BUCKETS: [f64; 14] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 7.5, 10.0,
];

/// This server's own recorder (not the process-global one), so several servers in one process
/// (as in the integration tests) keep separate counts.
pub struct Registry {
    recorder: PrometheusRecorder,
    /// The service's metrics, registered in `recorder`.
    pub service: ServiceMetrics,
    /// Paths of the registered server functions; other `/api/` paths share one label so that
    /// probing random URLs cannot grow the label set without bound.
    server_fn_paths: HashSet<&'static str>,
}

impl Default for Registry {
    fn default() -> Self {
        Self::new()
    }
}

impl Registry {
    pub fn new() -> Self {
        // Both calls only fail on an empty bucket list.
        let recorder = PrometheusBuilder::new()
            .set_buckets(&BUCKETS)
            .and_then(|builder| {
                builder.set_buckets_for_metric(
                    Matcher::Full(HISTORY_BATCH_ROWS.to_owned()),
                    &BATCH_BUCKETS,
                )
            })
            .and_then(|builder| {
                builder.set_buckets_for_metric(
                    Matcher::Full(PREDICTION_CONFIDENCE.to_owned()),
                    &CONFIDENCE_BUCKETS,
                )
            })
            .map(PrometheusBuilder::build_recorder)
            .unwrap_or_else(|_| PrometheusBuilder::new().build_recorder());
        let service = metrics::with_local_recorder(&recorder, || {
            ServiceMetrics::register(env!("CARGO_PKG_VERSION"), trazo_model::MODEL_VERSION)
        });
        let server_fn_paths = leptos::server_fn::axum::server_fn_paths()
            .map(|(path, _)| path)
            .chain(["/api/openapi.json", "/api/docs"])
            .collect();
        Self {
            recorder,
            service,
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
        self.service.refresh();
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
pub async fn track(State(metrics): State<Arc<Registry>>, request: Request, next: Next) -> Response {
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

#[cfg(test)]
mod tests {
    use super::*;
    use service::{BoundName, CacheLayer, InFlight, LimitName};

    #[test]
    fn requests_are_counted_by_route_and_status_with_latency() {
        let metrics = Registry::new();
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
    fn every_service_series_is_exported_from_the_start_with_histograms_in_buckets() {
        let metrics = Registry::new();
        let text = metrics.render();
        for series in [
            r#"trazo_build_info{version=""#,
            "trazo_inference_queue_depth 0",
            "trazo_inference_queue_capacity 0",
            r#"trazo_prediction_cache_requests_total{layer="memory",result="hit"} 0"#,
            r#"trazo_prediction_cache_requests_total{layer="redis",result="miss"} 0"#,
            r#"trazo_redis_errors_total{operation="cache"} 0"#,
            r#"trazo_redis_errors_total{operation="ratelimit"} 0"#,
            r#"trazo_ratelimit_decisions_total{limit="logins",decision="refused"} 0"#,
            r#"trazo_admission_refused_total{bound="passwords"} 0"#,
            "trazo_database_errors_total ",
            "trazo_ready 0",
            "trazo_redis_configured 0",
            "trazo_redis_up 0",
            "# TYPE trazo_inference_seconds histogram",
            "# TYPE trazo_preprocess_seconds histogram",
            "# TYPE trazo_password_queue_wait_seconds histogram",
            "# TYPE trazo_history_batch_rows histogram",
        ] {
            assert!(text.contains(series), "{series} missing from:\n{text}");
        }
    }

    #[test]
    fn service_metrics_record_into_the_registry_that_exports_them() {
        let metrics = Registry::new();
        let service = &metrics.service;
        service.decided(LimitName::Predictions, false);
        service.refusals(BoundName::Inference).increment(2);
        service.history_batch_rows.record(3.0);
        service.inference.confidence.record(0.93);
        service.labelled(7, Some(7));
        service.labelled(7, Some(1));
        service.labelled(7, None);
        service.inference.seconds.record(0.004);
        service.cache.record(CacheLayer::Memory, true);
        {
            let _waiting = InFlight::new(&service.inference.queue_depth);
            assert!(metrics.render().contains("trazo_inference_queue_depth 1"));
        }
        let text = metrics.render();
        for series in [
            r#"trazo_ratelimit_decisions_total{limit="predictions",decision="refused"} 1"#,
            r#"trazo_admission_refused_total{bound="inference"} 2"#,
            r#"trazo_history_batch_rows_bucket{le="4"} 1"#,
            r#"trazo_history_batch_rows_bucket{le="2"} 0"#,
            r#"trazo_prediction_confidence_bucket{le="0.9"} 0"#,
            r#"trazo_prediction_confidence_bucket{le="1"} 1"#,
            r#"trazo_labels_total{label="confirmed"} 1"#,
            r#"trazo_labels_total{label="corrected"} 1"#,
            r#"trazo_labels_total{label="withdrawn"} 1"#,
            r#"trazo_inference_seconds_bucket{le="0.005"} 1"#,
            r#"trazo_prediction_cache_requests_total{layer="memory",result="hit"} 1"#,
            "trazo_inference_queue_depth 0",
        ] {
            assert!(text.contains(series), "{series} missing from:\n{text}");
        }
        let detached = ServiceMetrics::detached();
        detached.decided(LimitName::Signups, true);
        assert!(
            !metrics
                .render()
                .contains(r#"limit="signups",decision="allowed"} 1"#),
            "a detached set records elsewhere"
        );
    }

    #[test]
    fn unknown_api_paths_share_one_label() {
        let metrics = Registry::new();
        assert_eq!(metrics.route_label("/api/../../etc", None), "/api/unknown");
        assert_eq!(metrics.route_label("/pkg/trazo.wasm", None), "/pkg/*");
        assert_eq!(metrics.route_label("/no/such/page", None), "other");
    }
}
