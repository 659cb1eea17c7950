//! Assembles the router: probes and metrics, the server functions under `/api/`, the Leptos
//! pages, static assets, and the middleware every request passes through.

use std::time::Duration;

use app::{App, shell};
use axum::{
    Router,
    body::Body,
    extract::State,
    http::{HeaderName, Request, StatusCode},
    middleware,
    response::IntoResponse,
    routing::get,
};
use leptos::prelude::provide_context;
use leptos_axum::{LeptosRoutes, generate_route_list};
use tower::ServiceBuilder;
use tower_http::{
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    timeout::TimeoutLayer,
    trace::{DefaultOnResponse, TraceLayer},
};
use tracing::Level;

use crate::{
    health, metrics,
    security::{self, SecurityHeaders},
    state::AppState,
    telemetry::{self, REQUEST_ID_HEADER},
};

/// Requests still running after this are answered with 408 rather than held open forever.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// Server functions get the state through Leptos' context, like the pages do.
async fn server_fn_handler(
    State(state): State<AppState>,
    request: Request<Body>,
) -> impl IntoResponse {
    leptos_axum::handle_server_fns_with_context(move || provide_context(state.clone()), request)
        .await
}

/// The whole application, ready to serve.
pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let options = state.leptos_options.clone();
    let request_id = HeaderName::from_static(REQUEST_ID_HEADER);
    let security = SecurityHeaders {
        hsts: state.config.public_origin.starts_with("https://"),
    };

    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route(
            "/metrics",
            get(metrics::render).with_state(state.metrics.clone()),
        )
        .route(
            "/api/{*fn_name}",
            get(server_fn_handler).post(server_fn_handler),
        )
        .leptos_routes_with_context(
            &state,
            routes,
            {
                let state = state.clone();
                move || provide_context(state.clone())
            },
            move || shell(options.clone()),
        )
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::new(request_id.clone(), MakeRequestUuid))
                .layer(
                    TraceLayer::new_for_http()
                        .make_span_with(telemetry::request_span)
                        .on_response(DefaultOnResponse::new().level(Level::INFO)),
                )
                .layer(PropagateRequestIdLayer::new(request_id))
                .layer(middleware::from_fn_with_state(
                    state.metrics.clone(),
                    metrics::track,
                ))
                .layer(middleware::from_fn_with_state(
                    security,
                    security::add_headers,
                ))
                .layer(TimeoutLayer::with_status_code(
                    StatusCode::REQUEST_TIMEOUT,
                    REQUEST_TIMEOUT,
                )),
        )
        .with_state(state)
}
