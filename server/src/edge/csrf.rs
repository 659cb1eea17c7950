//! The cross-site request check: state-changing requests must come from trazo's own pages (or
//! carry a Bearer token, which browsers never add on their own).

use axum::{
    extract::{Request, State},
    http::{
        Method, StatusCode,
        header::{HOST, ORIGIN},
    },
    middleware::Next,
    response::Response,
};
use tower_cookies::Cookies;

use crate::{failure::json_error, state::AppState, telemetry::SECURITY};

/// The origins a browser may send state-changing requests from: the public origin, and in
/// development also the address the request was made to (ports chosen at random in tests).
fn origin_allowed(state: &AppState, headers: &axum::http::HeaderMap, origin: &str) -> bool {
    if origin == state.config.public_origin {
        return true;
    }
    if state.config.is_production() {
        return false;
    }
    headers
        .get(HOST)
        .and_then(|host| host.to_str().ok())
        .is_some_and(|host| origin == format!("http://{host}"))
}

/// Refuses cross-site state-changing requests (CSRF). A request that sends an `Origin` must
/// come from trazo's own; one that carries the session cookies must prove it is same-origin
/// (`Origin` or `Sec-Fetch-Site: same-origin`). Bearer requests are exempt: browsers never add
/// that header on their own.
pub async fn csrf(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if safe
        || request
            .headers()
            .contains_key(axum::http::header::AUTHORIZATION)
    {
        return next.run(request).await;
    }
    let headers = request.headers();
    let origin = headers.get(ORIGIN).and_then(|o| o.to_str().ok());
    let fetch_site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
    let names = state.sessions.cookie_names();
    let has_session_cookie = request
        .extensions()
        .get::<Cookies>()
        .is_some_and(|jar| jar.get(names.access).is_some() || jar.get(names.refresh).is_some());
    let verdict = match (origin, fetch_site) {
        (Some(origin), _) => origin_allowed(&state, headers, origin),
        (None, Some(site)) => site == "same-origin",
        (None, None) => !has_session_cookie,
    };
    if verdict {
        next.run(request).await
    } else {
        tracing::warn!(
            target: SECURITY,
            event = "cross_site_refused",
            origin = origin.unwrap_or("-"),
            "cross-site state-changing request refused"
        );
        json_error(StatusCode::FORBIDDEN, "Cross-site request refused")
    }
}
