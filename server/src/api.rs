//! The HTTP side of the JSON API and of the no-JavaScript forms: the `/api/*` handler around
//! Leptos' server functions, the cross-site request check, and plain form posts for browsers
//! without WASM.

use std::{
    collections::HashMap,
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
};

use app::api::backend::{ApiCall, Failure, HANDLED_HEADER, SharedBackend, SharedPredictions};
use axum::{
    Form,
    body::Body,
    extract::{Request, State},
    http::{
        HeaderValue, Method, StatusCode,
        header::{ALLOW, CONTENT_LENGTH, CONTENT_TYPE, HOST, LOCATION, ORIGIN},
        request::Parts,
    },
    middleware::Next,
    response::{IntoResponse, Response},
};
use futures_util::StreamExt as _;
use leptos::prelude::{provide_context, use_context};
use serde::Deserialize;
use tower_cookies::Cookies;

use crate::{accounts::service::PageRender, security::PageNonce, state::AppState};

/// Largest request body the account endpoints accept.
pub const API_BODY_LIMIT: usize = 64 * 1024;

/// `{"msg": ...}` with `status`.
pub fn json_error(status: StatusCode, msg: &str) -> Response {
    let body = serde_json::json!({ "msg": msg }).to_string();
    (status, [(CONTENT_TYPE, "application/json")], body).into_response()
}

fn failure_response(failure: &Failure) -> Response {
    let mut response = json_error(failure.status, &failure.msg);
    if let Some(secs) = failure.retry_after {
        response
            .headers_mut()
            .insert(http::header::RETRY_AFTER, HeaderValue::from(secs));
    }
    response
}

/// Context for server functions and pages alike.
pub fn provide_server_context(state: &AppState) {
    provide_context(state.clone());
    provide_context(SharedBackend(state.accounts.clone()));
    provide_context(SharedPredictions(state.predictor.clone()));
}

/// For page renders: marks the render as one (see [`PageRender`]) and hands it the nonce.
pub fn provide_page_context(state: &AppState) {
    provide_server_context(state);
    provide_context(PageRender);
    // The nonce the security layer chose, so the page's scripts and its policy always agree.
    if let Some(PageNonce(nonce)) = use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<PageNonce>().cloned())
    {
        provide_context(leptos::nonce::Nonce::from_value(nonce));
    }
}

/// Runs the server function at the request's path, with JSON errors for unknown paths, wrong
/// methods and bodies the function cannot read.
pub async fn server_fn_handler(State(state): State<AppState>, request: Request<Body>) -> Response {
    let path = request.uri().path().to_owned();
    let methods: Vec<Method> = leptos::server_fn::axum::server_fn_paths()
        .filter(|(known, _)| *known == path)
        .map(|(_, method)| method)
        .collect();
    if methods.is_empty() {
        return json_error(StatusCode::NOT_FOUND, "No such API endpoint");
    }
    if !methods.contains(request.method()) {
        let allow = methods
            .iter()
            .map(Method::as_str)
            .collect::<Vec<_>>()
            .join(", ");
        let mut response = json_error(
            StatusCode::METHOD_NOT_ALLOWED,
            &format!("Use {allow} for this endpoint"),
        );
        if let Ok(value) = HeaderValue::from_str(&allow) {
            response.headers_mut().insert(ALLOW, value);
        }
        return response;
    }
    // Leptos leaves the root owner of the last page render started on this thread as the
    // thread's current owner, and the owner it creates for the server function below would
    // be that page's child, seeing the page's context (its nonce, `PageRender`). Nothing
    // awaits between here and that owner, so without a current owner it has no parent.
    if let Some(owner) = leptos::reactive::owner::Owner::current() {
        owner.unset();
    }
    let context_state = state.clone();
    let mut response = leptos_axum::handle_server_fns_with_context(
        move || {
            provide_server_context(&context_state);
            provide_context(ApiCall);
        },
        request,
    )
    .await
    .into_response();
    let handled = response.headers_mut().remove(HANDLED_HEADER).is_some();
    // The function never ran (its arguments could not be read): the client's fault.
    if !handled && response.status() == StatusCode::INTERNAL_SERVER_ERROR {
        *response.status_mut() = StatusCode::BAD_REQUEST;
    }
    if response.status().is_client_error() || response.status().is_server_error() {
        response
            .headers_mut()
            .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    }
    response
}

/// The origins a browser may send state-changing requests from: the public origin, and in
/// development also the address the request was made to (ports chosen at random in tests).
fn origin_allowed(state: &AppState, headers: &http::HeaderMap, origin: &str) -> bool {
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
    if safe || request.headers().contains_key(http::header::AUTHORIZATION) {
        return next.run(request).await;
    }
    let headers = request.headers();
    let origin = headers.get(ORIGIN).and_then(|o| o.to_str().ok());
    let fetch_site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
    let names = state.accounts.cookie_names();
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
            origin = origin.unwrap_or("-"),
            "cross-site state-changing request refused"
        );
        json_error(StatusCode::FORBIDDEN, "Cross-site request refused")
    }
}

#[derive(Debug, Deserialize)]
pub struct CredentialsForm {
    username: Option<String>,
    password: Option<String>,
    next: Option<String>,
}

/// A local path to go back to after logging in (see [`app::auth::safe_next`]).
pub fn safe_next(next: Option<&str>) -> String {
    app::auth::safe_next(next.map(str::to_owned))
}

fn see_other(location: &str) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    if let Ok(value) = HeaderValue::from_str(location) {
        response.headers_mut().insert(LOCATION, value);
    }
    response
}

/// A short code for the page to turn back into a message (the page never shows text taken
/// from its URL).
fn error_code(failure: &Failure) -> &'static str {
    match failure.status {
        StatusCode::BAD_REQUEST => "missing",
        StatusCode::UNAUTHORIZED => "credentials",
        StatusCode::FORBIDDEN => "disabled",
        StatusCode::CONFLICT => "taken",
        StatusCode::UNPROCESSABLE_ENTITY => "policy",
        StatusCode::TOO_MANY_REQUESTS => "throttled",
        _ => "unavailable",
    }
}

fn back_to(page: &str, failure: &Failure, form: &CredentialsForm) -> Response {
    let mut query: HashMap<&str, String> = HashMap::new();
    query.insert("error", error_code(failure).to_owned());
    query.insert("next", safe_next(form.next.as_deref()));
    if let Some(username) = form.username.as_deref().filter(|u| u.len() <= 64) {
        query.insert("username", username.to_owned());
    }
    if let Some(secs) = failure.retry_after {
        query.insert("retry", secs.to_string());
    }
    let encoded = serde_urlencoded::to_string(&query).unwrap_or_default();
    see_other(&format!("{page}?{encoded}"))
}

/// `POST /auth/login` from the log-in form when the page runs without WASM.
pub async fn form_login(
    State(state): State<AppState>,
    parts: Parts,
    Form(form): Form<CredentialsForm>,
) -> Response {
    match state
        .accounts
        .login(&parts, form.username.clone(), form.password.clone())
        .await
    {
        Ok(_) => see_other(&safe_next(form.next.as_deref())),
        Err(failure) => back_to("/login", &failure, &form),
    }
}

/// `POST /auth/register` from the sign-up form without WASM: creates the account and logs in.
pub async fn form_register(
    State(state): State<AppState>,
    parts: Parts,
    Form(form): Form<CredentialsForm>,
) -> Response {
    let accounts = &state.accounts;
    let created = accounts
        .register(&parts, form.username.clone(), form.password.clone())
        .await;
    let outcome = match created {
        Ok(_) => {
            accounts
                .login(&parts, form.username.clone(), form.password.clone())
                .await
        }
        Err(failure) => Err(failure),
    };
    match outcome {
        Ok(_) => see_other(&safe_next(form.next.as_deref())),
        Err(failure) => back_to("/register", &failure, &form),
    }
}

/// `POST /auth/logout` from the navigation's log-out button without WASM.
pub async fn form_logout(State(state): State<AppState>, parts: Parts) -> Response {
    match state.accounts.logout(&parts).await {
        Ok(_) => see_other("/"),
        Err(failure) => failure_response(&failure),
    }
}

/// The largest body a route accepts, and which error shape its 413 takes.
#[derive(Debug, Clone, Copy)]
pub struct BodyLimit {
    pub bytes: usize,
    /// `/api/predict` answers upload errors as `{"error": ...}` (the original contract).
    pub upload: bool,
}

impl BodyLimit {
    fn refuse(self) -> Response {
        let size = human_size(self.bytes);
        let body = if self.upload {
            serde_json::json!({
                "error": format!("The file is too large. Please send an image under {size}.")
            })
        } else {
            serde_json::json!({ "msg": format!("The request is too large ({size} at most).") })
        };
        (
            StatusCode::PAYLOAD_TOO_LARGE,
            [(CONTENT_TYPE, "application/json")],
            body.to_string(),
        )
            .into_response()
    }
}

/// "1 MiB", "64 KiB", "1000 bytes".
fn human_size(bytes: usize) -> String {
    const KIB: usize = 1024;
    match bytes {
        b if b >= KIB * KIB && b % (KIB * KIB) == 0 => format!("{} MiB", b / (KIB * KIB)),
        b if b >= KIB && b % KIB == 0 => format!("{} KiB", b / KIB),
        b => format!("{b} bytes"),
    }
}

/// Refuses bodies over the limit with 413, however they are sent: at once when
/// `Content-Length` says so, and otherwise (chunked) as soon as the bytes read pass it — the
/// handler then sees its body end in an error, and whatever it answered is replaced by the 413.
pub async fn limit_body(State(limit): State<BodyLimit>, request: Request, next: Next) -> Response {
    let declared = request
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.trim().parse::<u64>().ok());
    if declared.is_some_and(|length| length > limit.bytes as u64) {
        return limit.refuse();
    }
    let exceeded = Arc::new(AtomicBool::new(false));
    let (parts, body) = request.into_parts();
    let flag = exceeded.clone();
    let mut seen = 0usize;
    let counted = body.into_data_stream().map(move |chunk| {
        let chunk = chunk.map_err(std::io::Error::other)?;
        seen = seen.saturating_add(chunk.len());
        if seen > limit.bytes {
            flag.store(true, Ordering::Relaxed);
            return Err(std::io::Error::other("the request body is over the limit"));
        }
        Ok(chunk)
    });
    let response = next
        .run(Request::from_parts(parts, Body::from_stream(counted)))
        .await;
    if exceeded.load(Ordering::Relaxed) {
        return limit.refuse();
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_like_a_person_would_say_them() {
        assert_eq!(human_size(1024 * 1024), "1 MiB");
        assert_eq!(human_size(64 * 1024), "64 KiB");
        assert_eq!(human_size(1000), "1000 bytes");
    }

    #[test]
    fn only_local_paths_are_followed_after_log_in() {
        assert_eq!(safe_next(Some("/account")), "/account");
        assert_eq!(safe_next(Some("/admin?page=2")), "/admin?page=2");
        for hostile in [
            "//evil.example",
            "https://evil.example",
            "/\\evil.example",
            "javascript:alert(1)",
            "",
        ] {
            assert_eq!(safe_next(Some(hostile)), "/", "{hostile}");
        }
        assert_eq!(safe_next(None), "/");
    }
}
