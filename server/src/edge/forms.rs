//! The no-JavaScript forms: plain `POST`s from the log-in, sign-up and log-out forms when the
//! page runs without WASM, answered with a redirect (back to the form with a short error code,
//! or on to where the person was going).

use std::collections::HashMap;

use app::api::backend::{Backend, Failure};
use axum::{
    Form,
    extract::State,
    http::{HeaderValue, StatusCode, header::LOCATION, request::Parts},
    response::{IntoResponse, Response},
};
use serde::Deserialize;

use crate::{failure::failure_response, state::AppState};

#[derive(Debug, Deserialize)]
pub struct CredentialsForm {
    username: Option<String>,
    password: Option<String>,
    next: Option<String>,
}

/// A local path to go back to after logging in (see [`app::auth::safe_next`]).
fn safe_next(next: Option<&str>) -> String {
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
        .accounts_port
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
    let accounts = &*state.accounts_port;
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
    match state.accounts_port.logout(&parts).await {
        Ok(_) => see_other("/"),
        Err(failure) => failure_response(&failure),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
