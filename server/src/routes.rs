//! Assembles the router: probes and metrics, the server functions under `/api/`, the Leptos
//! pages, static assets, and the middleware every request passes through.

use std::{sync::LazyLock, time::Duration};

use app::{App, shell};
use axum::{
    Router,
    handler::Handler as _,
    http::{HeaderName, StatusCode},
    middleware,
    routing::{get, post},
};
use leptos_axum::{AxumRouteListing, LeptosRoutes, generate_route_list};
use tower::ServiceBuilder;
use tower_cookies::CookieManagerLayer;
use tower_http::{
    catch_panic::CatchPanicLayer,
    compression::CompressionLayer,
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    services::ServeDir,
    timeout::TimeoutLayer,
    trace::TraceLayer,
};

use crate::{
    edge::api,
    edge::body_limit,
    edge::charts,
    edge::csrf,
    edge::dataset,
    edge::forms,
    edge::reference,
    edge::security::{self, SecurityHeaders},
    edge::weights,
    health, metrics,
    predictions::quota,
    state::AppState,
    telemetry::{self, REQUEST_ID_HEADER},
};

/// Requests still running after this are answered with 408 rather than held open forever.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// The pages' routes, found once per process. Leptos finds them by rendering the app with
/// resource loading switched off through a process-wide flag, so any page render in the
/// process whose resource starts meanwhile never finishes (leptos-rs/leptos#4773): with one
/// router built per integration test, renders in other tests stalled until the request
/// timeout. Routers built later reuse the list instead of rendering again.
static ROUTES: LazyLock<Vec<AxumRouteListing>> = LazyLock::new(|| generate_route_list(App));

/// The whole application, ready to serve.
pub fn router(state: AppState) -> Router {
    router_with(state, Router::new())
}

/// The application with `extra` routes that pass through every layer the real ones do (tests
/// add a slow or a panicking route this way).
pub fn router_with(state: AppState, extra: Router<AppState>) -> Router {
    let routes = ROUTES.clone();
    let options = state.leptos_options.clone();
    let request_id = HeaderName::from_static(REQUEST_ID_HEADER);
    let trusted_proxies = state.config.trusted_proxies.clone();
    let security = SecurityHeaders {
        hsts: state.config.public_origin.starts_with("https://"),
        // `cargo leptos watch` sets LEPTOS_WATCH: its reload socket must be allowed to connect.
        reload: std::env::var_os("LEPTOS_WATCH").map(|_| {
            format!(
                "ws://{}:{}",
                state.leptos_options.site_addr.ip(),
                state.leptos_options.reload_port
            )
        }),
    };

    let track = middleware::from_fn_with_state(state.metrics.clone(), metrics::track);

    // The pages. `leptos_routes_with_context` also registers every server function at its own
    // path, without the API's checks, so this router only ever sees what the one below does
    // not match: `/api/*` never reaches it.
    let pages = Router::new()
        .leptos_routes_with_context(
            &state,
            routes,
            {
                let state = state.clone();
                move || api::provide_page_context(&state)
            },
            move || shell(options.clone()),
        )
        // Static files are served without Leptos. Its file handler gives each file response a
        // reactive owner that is a child of the page render last started on the same worker
        // thread (Leptos leaves a render's root as the thread's current owner), so the file
        // response took that page's headers, its CSP among them, and the page went out
        // without one. Only what is not a file reaches Leptos: the 404 page, rendered in an
        // owner of its own.
        //
        // The WASM, JS and CSS go out compressed (brotli or gzip, as the browser asks): the
        // bundle's budget is counted compressed, and nothing in front of the server is assumed
        // to compress it. Only static files: compressing answers that carry secrets next to
        // text an attacker chooses would open BREACH-style guessing.
        .fallback_service(
            ServiceBuilder::new()
                .layer(CompressionLayer::new().br(true).gzip(true))
                .service(
                    ServeDir::new(&*state.leptos_options.site_root).fallback(
                        leptos_axum::file_and_error_handler::<AppState, _>(shell)
                            .with_state(state.clone()),
                    ),
                ),
        )
        .layer(middleware::map_response(security::static_cache_control))
        .layer(track.clone())
        .with_state(state.clone());

    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(health::metrics))
        .route("/api/openapi.json", get(reference::openapi_json))
        .route("/api/docs", get(reference::docs))
        .route("/api/dataset/{file}", get(dataset::download))
        .route("/api/admin/stats/{chart}", get(charts::chart))
        .route("/api/model/{file}", get(weights::download))
        .route(
            "/api/{*fn_name}",
            get(api::server_fn_handler).post(api::server_fn_handler),
        )
        .route("/auth/login", post(forms::form_login))
        .route("/auth/register", post(forms::form_register))
        .route("/auth/logout", post(forms::form_logout))
        .route("/auth/forgot_password", post(forms::form_forgot_password))
        .route("/auth/reset_password", post(forms::form_reset_password))
        .route("/auth/confirm_email", post(forms::form_confirm_email))
        .route("/auth/language", post(forms::form_language))
        .merge(extra)
        .route_layer(middleware::from_fn_with_state(state.clone(), csrf::csrf))
        .route_layer(middleware::from_fn_with_state(
            body_limit::BodyLimit {
                bytes: body_limit::API_BODY_LIMIT,
                upload: false,
            },
            body_limit::limit_body,
        ))
        // Added after the layers above, so it has its own: uploads may be larger, and every
        // prediction is counted against the caller's quota before anything expensive happens.
        // The cheapest check comes first: the size (413).
        .route(
            "/api/predict",
            post(api::server_fn_handler).layer(
                ServiceBuilder::new()
                    .layer(middleware::from_fn_with_state(
                        body_limit::BodyLimit {
                            bytes: state.config.predict_max_bytes,
                            upload: true,
                        },
                        body_limit::limit_body,
                    ))
                    .layer(middleware::from_fn_with_state(state.clone(), csrf::csrf))
                    .layer(middleware::from_fn_with_state(
                        state.clone(),
                        quota::rate_limit,
                    )),
            ),
        )
        .layer(track)
        .with_state(state.clone())
        .fallback_service(pages)
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::new(request_id.clone(), MakeRequestUuid))
                .layer(
                    TraceLayer::new_for_http()
                        .make_span_with(move |request: &axum::extract::Request| {
                            telemetry::request_span(request, &trusted_proxies)
                        })
                        .on_response(telemetry::request_done),
                )
                .layer(PropagateRequestIdLayer::new(request_id))
                .layer(middleware::from_fn_with_state(
                    security,
                    security::add_headers,
                ))
                .layer(CookieManagerLayer::new())
                .layer(TimeoutLayer::with_status_code(
                    StatusCode::REQUEST_TIMEOUT,
                    REQUEST_TIMEOUT,
                ))
                // Innermost, so a panicking handler's 500 still passes through the layers
                // above (logged, counted, given security headers); other requests go on.
                .layer(CatchPanicLayer::custom(security::panic_response)),
        )
}
