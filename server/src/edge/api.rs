//! The `/api/*` handler around Leptos' server functions: the context they (and the pages) run
//! with, JSON errors for unknown paths, wrong methods and unreadable bodies.

use app::api::backend::{ApiCall, HANDLED_HEADER, SharedBackend, SharedPredictions};
use axum::{
    body::Body,
    extract::{Request, State},
    http::{
        HeaderValue, Method, StatusCode,
        header::{ALLOW, CONTENT_TYPE},
    },
    response::{IntoResponse, Response},
};
use leptos::prelude::{provide_context, use_context};

use crate::{
    accounts::sessions::PageRender, edge::security::PageNonce, failure::json_error, state::AppState,
};

/// Context for server functions and pages alike.
pub fn provide_server_context(state: &AppState) {
    provide_context(state.clone());
    provide_context(SharedBackend(state.accounts_port.clone()));
    provide_context(SharedPredictions(state.predictions_port.clone()));
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
