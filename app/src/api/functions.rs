//! The server functions: one per `/api/` endpoint, each a thin call into the server's backend.

use leptos::prelude::*;
use leptos::server_fn::codec::{GetUrl, Json, PostUrl};

#[cfg(feature = "ssr")]
use super::backend;
use super::wire::{
    AccessToken, ApiError, CurrentUser, HistoryItem, HistoryPage, Message, ModelStats,
    PredictError, PredictResponse, UserPage,
};

/// `POST /api/register {"username","password","email"?}` → 201
/// `{"msg":"User registered successfully"}`; with `email`, a mail asks to confirm the address.
#[server(prefix = "/api", endpoint = "register", input = Json)]
pub async fn register(
    username: Option<String>,
    password: Option<String>,
    #[server(default)] email: Option<String>,
) -> Result<Message, ApiError> {
    let (backend, request) = backend::context()?;
    backend::respond(
        backend.register(&request, username, password, email).await,
        http::StatusCode::CREATED,
    )
}

/// `POST /api/confirm_email {"token"}` → the address the mailed link was sent to is confirmed.
#[server(prefix = "/api", endpoint = "confirm_email", input = Json)]
pub async fn confirm_email(token: Option<String>) -> Result<Message, ApiError> {
    let (backend, _) = backend::context()?;
    backend::respond(backend.confirm_email(token).await, http::StatusCode::OK)
}

/// `POST /api/resend_confirmation` → a new confirmation link to the caller's address.
#[server(prefix = "/api", endpoint = "resend_confirmation", input = PostUrl)]
pub async fn resend_confirmation() -> Result<Message, ApiError> {
    let (backend, request) = backend::context()?;
    backend::respond(
        backend.resend_confirmation(&request).await,
        http::StatusCode::OK,
    )
}

/// `POST /api/set_language {"language"}` → the account's interface language (`en`, `es`).
#[server(prefix = "/api", endpoint = "set_language", input = Json)]
pub async fn set_language(language: Option<String>) -> Result<Message, ApiError> {
    let (backend, request) = backend::context()?;
    backend::respond(
        backend.set_language(&request, language).await,
        http::StatusCode::OK,
    )
}

/// `POST /api/change_email {"email","password"}` → the new address, to be confirmed by mail.
#[server(prefix = "/api", endpoint = "change_email", input = Json)]
pub async fn change_email(
    email: Option<String>,
    password: Option<String>,
) -> Result<Message, ApiError> {
    let (backend, request) = backend::context()?;
    backend::respond(
        backend.change_email(&request, email, password).await,
        http::StatusCode::OK,
    )
}

/// `POST /api/forgot_password {"login"}` (a username or a confirmed address) → always the same
/// answer; a reset link goes to the account's confirmed address when there is one.
#[server(prefix = "/api", endpoint = "forgot_password", input = Json)]
pub async fn forgot_password(login: Option<String>) -> Result<Message, ApiError> {
    let (backend, request) = backend::context()?;
    backend::respond(
        backend.forgot_password(&request, login).await,
        http::StatusCode::OK,
    )
}

/// `POST /api/reset_password {"token","new_password"}` → the new password; every session of
/// the account ends.
#[server(prefix = "/api", endpoint = "reset_password", input = Json)]
pub async fn reset_password(
    token: Option<String>,
    new_password: Option<String>,
) -> Result<Message, ApiError> {
    let (backend, _) = backend::context()?;
    backend::respond(
        backend.reset_password(token, new_password).await,
        http::StatusCode::OK,
    )
}

/// `POST /api/login {"username","password"}` → `{"access_token","token_type","expires_in"}`,
/// and the session cookies.
#[server(prefix = "/api", endpoint = "login", input = Json)]
pub async fn login(
    username: Option<String>,
    password: Option<String>,
) -> Result<AccessToken, ApiError> {
    let (backend, request) = backend::context()?;
    backend::respond(
        backend.login(&request, username, password).await,
        http::StatusCode::OK,
    )
}

/// `POST /api/refresh` (refresh cookie) → a new access token; the refresh token is rotated.
#[server(prefix = "/api", endpoint = "refresh", input = PostUrl)]
pub async fn refresh() -> Result<AccessToken, ApiError> {
    let (backend, request) = backend::context()?;
    backend::respond(backend.refresh(&request).await, http::StatusCode::OK)
}

/// `POST /api/logout` → the session is revoked and both cookies cleared.
#[server(prefix = "/api", endpoint = "logout", input = PostUrl)]
pub async fn logout() -> Result<Message, ApiError> {
    let (backend, request) = backend::context()?;
    backend::respond(backend.logout(&request).await, http::StatusCode::OK)
}

/// `GET /api/me` → `{"username","role","created_at"}`.
#[server(prefix = "/api", endpoint = "me", input = GetUrl)]
pub async fn me() -> Result<CurrentUser, ApiError> {
    let (backend, request) = backend::context()?;
    backend::respond(backend.me(&request).await, http::StatusCode::OK)
}

/// `GET /api/session` → the logged-in user, or `null` (never a 401): what pages use to decide
/// what to show. When the access token has run out it refreshes the session from the refresh
/// cookie, so people stay logged in for as long as the session lives.
#[server(prefix = "/api", endpoint = "session", input = GetUrl)]
pub async fn session() -> Result<Option<CurrentUser>, ApiError> {
    let (backend, request) = backend::context()?;
    backend::respond(backend.session(&request).await, http::StatusCode::OK)
}

/// `POST /api/change_password {"current_password","new_password"}`; other sessions end.
#[server(prefix = "/api", endpoint = "change_password", input = Json)]
pub async fn change_password(
    current_password: Option<String>,
    new_password: Option<String>,
) -> Result<Message, ApiError> {
    let (backend, request) = backend::context()?;
    backend::respond(
        backend
            .change_password(&request, current_password, new_password)
            .await,
        http::StatusCode::OK,
    )
}

/// `POST /api/logout_everywhere` → every session of the user ends, this one included.
#[server(prefix = "/api", endpoint = "logout_everywhere", input = PostUrl)]
pub async fn logout_everywhere() -> Result<Message, ApiError> {
    let (backend, request) = backend::context()?;
    backend::respond(
        backend.logout_everywhere(&request).await,
        http::StatusCode::OK,
    )
}

/// `POST /api/delete_account {"password"}` → the account and all its data are deleted.
#[server(prefix = "/api", endpoint = "delete_account", input = Json)]
pub async fn delete_account(password: Option<String>) -> Result<Message, ApiError> {
    let (backend, request) = backend::context()?;
    backend::respond(
        backend.delete_account(&request, password).await,
        http::StatusCode::OK,
    )
}

/// `GET /api/admin/users?query=&page=` (admins) → a page of accounts, 20 per page.
#[server(prefix = "/api", endpoint = "admin/users", input = GetUrl)]
pub async fn admin_users(query: Option<String>, page: Option<u32>) -> Result<UserPage, ApiError> {
    let (backend, request) = backend::context()?;
    backend::respond(
        backend
            .admin_users(&request, query.unwrap_or_default(), page.unwrap_or(1))
            .await,
        http::StatusCode::OK,
    )
}

/// `POST /api/admin/set_disabled {"username","disabled"}` (admins): a disabled account cannot
/// log in and its sessions end at once.
#[server(prefix = "/api", endpoint = "admin/set_disabled", input = Json)]
pub async fn admin_set_disabled(
    username: Option<String>,
    disabled: Option<bool>,
) -> Result<Message, ApiError> {
    let (backend, request) = backend::context()?;
    backend::respond(
        backend
            .admin_set_disabled(&request, username, disabled)
            .await,
        http::StatusCode::OK,
    )
}

/// `POST /api/predict`, multipart with the image in the field `file`
/// (`curl -F file=@digit.png -H "Authorization: Bearer $TOKEN" …/api/predict`).
#[server(prefix = "/api", endpoint = "predict", input = leptos::server_fn::codec::MultipartFormData)]
pub async fn predict(
    data: leptos::server_fn::codec::MultipartData,
) -> Result<PredictResponse, PredictError> {
    let (backend, request) = backend::predictions()?;
    let upload = backend::read_file_field(data).await;
    let outcome = match upload {
        Ok(bytes) => backend.predict(&request, bytes).await,
        Err(failure) => Err(failure),
    };
    backend::respond_predict(outcome)
}

/// `GET /api/history?page=&label=&digit=` → the caller's predictions, newest first, 20 per
/// page; `label` (`confirmed`, `corrected` or `unlabelled`) and `digit` (the true digit: the
/// label where there is one, else the answer) narrow it.
#[server(prefix = "/api", endpoint = "history", input = GetUrl)]
pub async fn history(
    page: Option<u32>,
    label: Option<String>,
    digit: Option<String>,
) -> Result<HistoryPage, ApiError> {
    let (backend, request) = backend::predictions().map_err(|e| ApiError::new(e.text()))?;
    backend::respond(
        backend
            .history(&request, page.unwrap_or(1), label, digit)
            .await,
        http::StatusCode::OK,
    )
}

/// `POST /api/label {"id","label"}` → the history row, with what the caller says the digit
/// really is (`label` 0–9: the answer itself to confirm it, another digit to correct it;
/// `null` to take it back).
#[server(prefix = "/api", endpoint = "label", input = Json)]
pub async fn label_prediction(
    id: Option<String>,
    label: Option<u8>,
) -> Result<HistoryItem, ApiError> {
    let (backend, request) = backend::predictions().map_err(|e| ApiError::new(e.text()))?;
    backend::respond(
        backend.set_label(&request, id, label).await,
        http::StatusCode::OK,
    )
}

/// `GET /api/admin/stats` (admins) → predictions per hour and per day, the cache's share, the
/// rate limit's refusals, the model's confidence and the confusion matrix of labelled answers.
/// The same figures as charts: `/api/admin/stats/{chart}.svg`.
#[server(prefix = "/api", endpoint = "admin/stats", input = GetUrl)]
pub async fn admin_stats() -> Result<ModelStats, ApiError> {
    let (backend, request) = backend::predictions().map_err(|e| ApiError::new(e.text()))?;
    backend::respond(backend.admin_stats(&request).await, http::StatusCode::OK)
}

/// `POST /api/clear_history` → the caller's predictions are deleted.
#[server(prefix = "/api", endpoint = "clear_history", input = PostUrl)]
pub async fn clear_history() -> Result<Message, ApiError> {
    let (backend, request) = backend::predictions().map_err(|e| ApiError::new(e.text()))?;
    backend::respond(backend.clear_history(&request).await, http::StatusCode::OK)
}
