//! The no-JavaScript forms: plain `POST`s from the log-in, sign-up and log-out forms, and from
//! the forgotten-password, reset and confirmation pages, when the page runs without WASM,
//! answered with a redirect (back to the form with a short error code, or on to where the
//! person was going).

use std::collections::HashMap;

use app::{
    api::{
        LANGUAGE_UNKNOWN, LINK_EXPIRED, LINK_UNKNOWN, LINK_USED,
        backend::{Backend, Failure},
    },
    i18n::{self, Lang},
};
use axum::{
    Form,
    extract::State,
    http::{
        HeaderValue, StatusCode,
        header::{LOCATION, SET_COOKIE},
        request::Parts,
    },
    response::{IntoResponse, Response},
};
use serde::Deserialize;

use crate::{accounts::policy::BAD_EMAIL, failure::failure_response, state::AppState};

#[derive(Debug, Deserialize)]
pub struct CredentialsForm {
    username: Option<String>,
    password: Option<String>,
    /// Sign-up only, optional.
    email: Option<String>,
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
    match failure.msg.as_str() {
        LINK_UNKNOWN => return "link-unknown",
        LINK_USED => return "link-used",
        LINK_EXPIRED => return "link-expired",
        BAD_EMAIL => return "address",
        _ => {}
    }
    match failure.status {
        StatusCode::BAD_REQUEST => "missing",
        StatusCode::UNAUTHORIZED => "credentials",
        StatusCode::FORBIDDEN => "disabled",
        StatusCode::CONFLICT => "taken",
        StatusCode::UNPROCESSABLE_ENTITY => "policy",
        StatusCode::TOO_MANY_REQUESTS => "throttled",
        StatusCode::NOT_FOUND => "no-mail",
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
        .register(
            &parts,
            form.username.clone(),
            form.password.clone(),
            form.email.clone(),
        )
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

#[derive(Debug, Deserialize)]
pub struct ForgotForm {
    login: Option<String>,
}

/// `POST /auth/forgot_password` from `/forgot-password` without WASM.
pub async fn form_forgot_password(
    State(state): State<AppState>,
    parts: Parts,
    Form(form): Form<ForgotForm>,
) -> Response {
    match state
        .accounts_port
        .forgot_password(&parts, form.login)
        .await
    {
        Ok(_) => see_other("/forgot-password?sent=1"),
        Err(failure) => see_other(&with_code("/forgot-password", &[], &failure)),
    }
}

#[derive(Debug, Deserialize)]
pub struct LinkForm {
    token: Option<String>,
    new_password: Option<String>,
}

/// The page a mailed link opened, with its token again (only when it has a token's shape) and
/// the code of what went wrong.
fn with_code(page: &str, keep: &[(&str, String)], failure: &Failure) -> String {
    let mut query: Vec<(&str, String)> = keep.to_vec();
    query.push(("error", error_code(failure).to_owned()));
    if let Some(secs) = failure.retry_after {
        query.push(("retry", secs.to_string()));
    }
    format!(
        "{page}?{}",
        serde_urlencoded::to_string(&query).unwrap_or_default()
    )
}

fn token_to_keep(token: Option<&str>) -> Vec<(&'static str, String)> {
    token
        .map(str::trim)
        .filter(|t| crate::mail::links::well_formed(t))
        .map(|t| vec![("token", t.to_owned())])
        .unwrap_or_default()
}

/// `POST /auth/reset_password` from `/reset-password` without WASM.
pub async fn form_reset_password(
    State(state): State<AppState>,
    Form(form): Form<LinkForm>,
) -> Response {
    let keep = token_to_keep(form.token.as_deref());
    match state
        .accounts_port
        .reset_password(form.token, form.new_password)
        .await
    {
        Ok(_) => see_other("/reset-password?done=1"),
        Err(failure) => see_other(&with_code("/reset-password", &keep, &failure)),
    }
}

/// `POST /auth/confirm_email` from `/confirm-email` without WASM.
pub async fn form_confirm_email(
    State(state): State<AppState>,
    Form(form): Form<LinkForm>,
) -> Response {
    let keep = token_to_keep(form.token.as_deref());
    match state.accounts_port.confirm_email(form.token).await {
        Ok(_) => see_other("/confirm-email?done=1"),
        Err(failure) => see_other(&with_code("/confirm-email", &keep, &failure)),
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

    #[test]
    fn link_failures_go_back_as_codes_with_a_well_formed_token_only() {
        let used = Failure::new(StatusCode::BAD_REQUEST, LINK_USED);
        let token = "a".repeat(42) + "B";
        assert_eq!(
            with_code("/reset-password", &token_to_keep(Some(&token)), &used),
            format!("/reset-password?token={token}&error=link-used")
        );
        assert!(token_to_keep(Some("<script>")).is_empty());
        let throttled = Failure::new(StatusCode::TOO_MANY_REQUESTS, "x").retry_after(60);
        assert_eq!(
            with_code("/forgot-password", &[], &throttled),
            "/forgot-password?error=throttled&retry=60"
        );
    }
}

#[derive(Debug, Deserialize)]
pub struct LanguageForm {
    lang: Option<String>,
    next: Option<String>,
}

/// `POST /auth/language` from the header's language switch without WASM: the cookie that
/// remembers it, the account's language when someone is logged in, and back to the same page.
pub async fn form_language(
    State(state): State<AppState>,
    parts: Parts,
    Form(form): Form<LanguageForm>,
) -> Response {
    let Some(lang) = form
        .lang
        .as_deref()
        .and_then(|code| Lang::ALL.into_iter().find(|lang| lang.code() == code))
    else {
        return failure_response(&Failure::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            LANGUAGE_UNKNOWN,
        ));
    };
    // A visitor has no account to remember it (401); the cookie is enough for them.
    let _ = state
        .accounts_port
        .set_language(&parts, Some(lang.code().to_owned()))
        .await;
    let mut response = see_other(&safe_next(form.next.as_deref()));
    let cookie = format!(
        "{}={}; Path=/; Max-Age=31536000; SameSite=Lax{}",
        i18n::COOKIE,
        lang.code(),
        if state.config.cookie_secure {
            "; Secure"
        } else {
            ""
        }
    );
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(SET_COOKIE, value);
    }
    response
}
