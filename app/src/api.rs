//! The JSON API: server functions at fixed paths under `/api/`, called by the pages (from the
//! WASM bundle) and by scripts alike.
//!
//! Every error is `{"msg": "..."}` with a meaningful HTTP status. The functions themselves are
//! thin: on the server they hand the request to the [`backend::Backend`] the server crate
//! provides through context, which owns the database, the password hasher and the tokens.

use std::fmt;

use leptos::prelude::*;
use leptos::server_fn::{
    codec::{GetUrl, Json, JsonEncoding, PostUrl},
    error::{FromServerFnError, ServerFnErrorErr},
};
use serde::{Deserialize, Serialize};

/// The body of every error response: a message meant for a person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    pub msg: String,
}

impl ApiError {
    pub fn new(msg: impl Into<String>) -> Self {
        Self { msg: msg.into() }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.msg)
    }
}

impl std::error::Error for ApiError {}

impl FromServerFnError for ApiError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        let msg = match value {
            // On the server: the request could not be read into the function's arguments.
            ServerFnErrorErr::Deserialization(reason)
            | ServerFnErrorErr::Args(reason)
            | ServerFnErrorErr::MissingArg(reason) => {
                format!("The request body is not valid: {reason}")
            }
            // In the browser: the server could not be reached.
            ServerFnErrorErr::Request(_) => {
                "Could not reach trazo. Check your connection and try again.".to_owned()
            }
            ServerFnErrorErr::UnsupportedRequestMethod(method) => {
                format!("Method not allowed: {method}")
            }
            ServerFnErrorErr::Response(_)
            | ServerFnErrorErr::Serialization(_)
            | ServerFnErrorErr::ServerError(_)
            | ServerFnErrorErr::MiddlewareError(_)
            | ServerFnErrorErr::Registration(_) => {
                "Something went wrong on our side. Please try again.".to_owned()
            }
        };
        Self { msg }
    }
}

/// A plain confirmation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    pub msg: String,
}

impl Message {
    pub fn new(msg: impl Into<String>) -> Self {
        Self { msg: msg.into() }
    }
}

/// What a log-in or refresh returns (the original service's contract).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessToken {
    pub access_token: String,
    pub token_type: String,
    /// Seconds until the access token expires.
    pub expires_in: i64,
}

/// The logged-in user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrentUser {
    pub username: String,
    pub role: String,
    /// RFC 3339, UTC.
    pub created_at: String,
}

impl CurrentUser {
    pub fn is_admin(&self) -> bool {
        self.role == "admin"
    }
}

/// One account as the admin page lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserSummary {
    pub username: String,
    pub role: String,
    pub disabled: bool,
    pub created_at: String,
}

/// A page of accounts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserPage {
    pub users: Vec<UserSummary>,
    /// 1-based.
    pub page: u32,
    pub per_page: u32,
    pub total: u64,
}

impl UserPage {
    pub fn pages(&self) -> u32 {
        let per_page = u64::from(self.per_page.max(1));
        u32::try_from(self.total.div_ceil(per_page))
            .unwrap_or(u32::MAX)
            .max(1)
    }
}

/// Formats Unix seconds as an RFC 3339 UTC timestamp (`2026-11-28T07:45:00Z`).
pub fn rfc3339(unix_secs: i64) -> String {
    let days = unix_secs.div_euclid(86_400);
    let secs = unix_secs.rem_euclid(86_400);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

/// `POST /api/register {"username","password"}` → 201 `{"msg":"User registered successfully"}`.
#[server(prefix = "/api", endpoint = "register", input = Json)]
pub async fn register(
    username: Option<String>,
    password: Option<String>,
) -> Result<Message, ApiError> {
    let (backend, request) = backend::context()?;
    backend::respond(
        backend.register(&request, username, password).await,
        http::StatusCode::CREATED,
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

/// Errors of `/api/predict`, in the original service's two shapes: `{"error": ...}` for a bad
/// upload (400, 413, 422), `{"msg": ...}` for everything else (401, 429, 503).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum PredictError {
    Error { error: String },
    Msg { msg: String },
}

impl PredictError {
    pub fn text(&self) -> &str {
        match self {
            Self::Error { error } => error,
            Self::Msg { msg } => msg,
        }
    }
}

impl fmt::Display for PredictError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.text())
    }
}

impl std::error::Error for PredictError {}

impl FromServerFnError for PredictError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Deserialization(_)
            | ServerFnErrorErr::Args(_)
            | ServerFnErrorErr::MissingArg(_) => Self::Error {
                error: NO_FILE.to_owned(),
            },
            other => Self::Msg {
                msg: ApiError::from_server_fn_error(other).msg,
            },
        }
    }
}

/// The original service's message for a request without a `file` field.
pub const NO_FILE: &str = "No se encontró el archivo en la solicitud.";
/// The original service's message for a file that is not an accepted image.
pub const NOT_AN_IMAGE: &str =
    "Tipo de archivo no permitido. Por favor, sube una imagen PNG, JPG, JPEG o GIF.";

/// One rate-limit window as the response reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuotaWindow {
    pub limit: u64,
    pub remaining: u64,
    /// Seconds until the window resets.
    pub reset: u64,
}

/// What is left of the caller's prediction quota.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quota {
    pub hour: QuotaWindow,
    pub day: QuotaWindow,
}

/// `/api/predict`'s answer: the original service's three fields and more.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PredictResponse {
    /// The digit.
    pub prediccion: u8,
    /// Its probability (softmax; not a calibrated confidence).
    pub probabilidad: f32,
    /// Whether the answer came from the cache.
    pub cached: bool,
    /// All ten probabilities, for the digits 0–9.
    pub probabilities: Vec<f32>,
    pub model_version: String,
    pub preprocess_version: u32,
    /// The 28×28 image the model saw, as a `data:image/png;base64,…` URL.
    pub image: String,
    pub quota: Option<Quota>,
}

/// One past prediction.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryItem {
    pub id: String,
    pub digit: u8,
    pub probability: f32,
    pub cached: bool,
    /// RFC 3339, UTC.
    pub created_at: String,
    /// The 28×28 image the model saw, as a data URL.
    pub image: String,
}

/// A page of the user's predictions, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryPage {
    pub items: Vec<HistoryItem>,
    /// 1-based.
    pub page: u32,
    pub per_page: u32,
    pub total: u64,
}

impl HistoryPage {
    pub fn pages(&self) -> u32 {
        let per_page = u64::from(self.per_page.max(1));
        u32::try_from(self.total.div_ceil(per_page))
            .unwrap_or(u32::MAX)
            .max(1)
    }
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

/// `GET /api/history?page=` → the caller's predictions, newest first, 20 per page.
#[server(prefix = "/api", endpoint = "history", input = GetUrl)]
pub async fn history(page: Option<u32>) -> Result<HistoryPage, ApiError> {
    let (backend, request) = backend::predictions().map_err(|e| ApiError::new(e.text()))?;
    backend::respond(
        backend.history(&request, page.unwrap_or(1)).await,
        http::StatusCode::OK,
    )
}

/// `POST /api/clear_history` → the caller's predictions are deleted.
#[server(prefix = "/api", endpoint = "clear_history", input = PostUrl)]
pub async fn clear_history() -> Result<Message, ApiError> {
    let (backend, request) = backend::predictions().map_err(|e| ApiError::new(e.text()))?;
    backend::respond(backend.clear_history(&request).await, http::StatusCode::OK)
}

/// The server side of the API: what the server crate implements, and how the functions above
/// reach it.
#[cfg(feature = "ssr")]
pub mod backend {
    use std::{future::Future, pin::Pin, sync::Arc};

    use http::{HeaderValue, StatusCode, header::RETRY_AFTER, request::Parts};
    use leptos::prelude::use_context;
    use leptos_axum::ResponseOptions;

    use super::{
        AccessToken, ApiError, CurrentUser, HistoryPage, Message, NO_FILE, PredictError,
        PredictResponse, UserPage,
    };

    pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

    /// A refusal: the status, the message for a person, and when to retry (for 429 and 503).
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct Failure {
        pub status: StatusCode,
        pub msg: String,
        pub retry_after: Option<u64>,
    }

    impl Failure {
        pub fn new(status: StatusCode, msg: impl Into<String>) -> Self {
            Self {
                status,
                msg: msg.into(),
                retry_after: None,
            }
        }

        pub fn retry_after(mut self, secs: u64) -> Self {
            self.retry_after = Some(secs);
            self
        }
    }

    pub type Outcome<T> = Result<T, Failure>;

    /// Everything the API does, given the request it came with (headers, cookies, peer).
    pub trait Backend: Send + Sync + 'static {
        fn register<'a>(
            &'a self,
            request: &'a Parts,
            username: Option<String>,
            password: Option<String>,
        ) -> BoxFuture<'a, Outcome<Message>>;
        fn login<'a>(
            &'a self,
            request: &'a Parts,
            username: Option<String>,
            password: Option<String>,
        ) -> BoxFuture<'a, Outcome<AccessToken>>;
        fn refresh<'a>(&'a self, request: &'a Parts) -> BoxFuture<'a, Outcome<AccessToken>>;
        fn logout<'a>(&'a self, request: &'a Parts) -> BoxFuture<'a, Outcome<Message>>;
        fn me<'a>(&'a self, request: &'a Parts) -> BoxFuture<'a, Outcome<CurrentUser>>;
        fn session<'a>(&'a self, request: &'a Parts)
        -> BoxFuture<'a, Outcome<Option<CurrentUser>>>;
        fn change_password<'a>(
            &'a self,
            request: &'a Parts,
            current_password: Option<String>,
            new_password: Option<String>,
        ) -> BoxFuture<'a, Outcome<Message>>;
        fn logout_everywhere<'a>(&'a self, request: &'a Parts) -> BoxFuture<'a, Outcome<Message>>;
        fn delete_account<'a>(
            &'a self,
            request: &'a Parts,
            password: Option<String>,
        ) -> BoxFuture<'a, Outcome<Message>>;
        fn admin_users<'a>(
            &'a self,
            request: &'a Parts,
            query: String,
            page: u32,
        ) -> BoxFuture<'a, Outcome<UserPage>>;
        fn admin_set_disabled<'a>(
            &'a self,
            request: &'a Parts,
            username: Option<String>,
            disabled: Option<bool>,
        ) -> BoxFuture<'a, Outcome<Message>>;
    }

    /// Provided through Leptos context by the server, for server functions and pages.
    #[derive(Clone)]
    pub struct SharedBackend(pub Arc<dyn Backend>);

    /// Predictions and their history.
    pub trait Predictions: Send + Sync + 'static {
        /// `file` is the upload's bytes (`None`: the request had no `file` field).
        fn predict<'a>(
            &'a self,
            request: &'a Parts,
            file: Option<Vec<u8>>,
        ) -> BoxFuture<'a, Outcome<PredictResponse>>;
        fn history<'a>(
            &'a self,
            request: &'a Parts,
            page: u32,
        ) -> BoxFuture<'a, Outcome<HistoryPage>>;
        fn clear_history<'a>(&'a self, request: &'a Parts) -> BoxFuture<'a, Outcome<Message>>;
    }

    #[derive(Clone)]
    pub struct SharedPredictions(pub Arc<dyn Predictions>);

    pub(crate) fn predictions() -> Result<(Arc<dyn Predictions>, Parts), PredictError> {
        let unavailable = || PredictError::Msg {
            msg: "The prediction service is not available.".to_owned(),
        };
        let backend = use_context::<SharedPredictions>().ok_or_else(unavailable)?;
        let request = use_context::<Parts>().ok_or_else(unavailable)?;
        Ok((backend.0, request))
    }

    /// The bytes of the multipart field `file` (`Ok(None)` when there is none). The body size
    /// is bounded by the router before this runs.
    pub(crate) async fn read_file_field(
        data: leptos::server_fn::codec::MultipartData,
    ) -> Result<Option<Vec<u8>>, Failure> {
        let malformed = || Failure::new(StatusCode::BAD_REQUEST, NO_FILE);
        let mut multipart = data.into_inner().ok_or_else(malformed)?;
        loop {
            match multipart.next_field().await {
                Ok(Some(field)) if field.name() == Some("file") => {
                    return field
                        .bytes()
                        .await
                        .map(|bytes| Some(bytes.to_vec()))
                        .map_err(|_| malformed());
                }
                Ok(Some(_)) => continue,
                Ok(None) => return Ok(None),
                Err(_) => return Err(malformed()),
            }
        }
    }

    pub(crate) fn respond_predict(
        outcome: Outcome<PredictResponse>,
    ) -> Result<PredictResponse, PredictError> {
        let status = outcome.as_ref().err().map(|failure| failure.status);
        respond(outcome, StatusCode::OK).map_err(|error| match status {
            Some(
                StatusCode::BAD_REQUEST
                | StatusCode::PAYLOAD_TOO_LARGE
                | StatusCode::UNPROCESSABLE_ENTITY,
            ) => PredictError::Error { error: error.msg },
            _ => PredictError::Msg { msg: error.msg },
        })
    }

    /// Present in context while a server function answers an `/api/` request (as opposed to
    /// being called while a page renders), so statuses are only set on API responses.
    #[derive(Clone, Copy, Debug)]
    pub struct ApiCall;

    /// Set on every response whose status a server function chose, so the router can tell
    /// them from the framework's own errors (a body that is not valid JSON, say).
    pub const HANDLED_HEADER: &str = "x-trazo-handled";

    pub(crate) fn context() -> Result<(Arc<dyn Backend>, Parts), ApiError> {
        let backend = use_context::<SharedBackend>()
            .ok_or_else(|| ApiError::new("The accounts service is not available."))?;
        let request =
            use_context::<Parts>().ok_or_else(|| ApiError::new("The request is not available."))?;
        Ok((backend.0, request))
    }

    pub(crate) fn respond<T>(outcome: Outcome<T>, success: StatusCode) -> Result<T, ApiError> {
        let options = use_context::<ApiCall>().and(use_context::<ResponseOptions>());
        let set = |status: StatusCode, retry_after: Option<u64>| {
            if let Some(options) = &options {
                options.set_status(status);
                options.insert_header(
                    http::HeaderName::from_static(HANDLED_HEADER),
                    HeaderValue::from_static("1"),
                );
                if let Some(secs) = retry_after {
                    options.insert_header(RETRY_AFTER, HeaderValue::from(secs));
                }
            }
        };
        match outcome {
            Ok(value) => {
                set(success, None);
                Ok(value)
            }
            Err(failure) => {
                set(failure.status, failure.retry_after);
                Err(ApiError { msg: failure.msg })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_formats_known_instants() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(1_795_851_900), "2026-11-28T07:45:00Z");
        assert_eq!(rfc3339(-1), "1969-12-31T23:59:59Z");
    }

    #[test]
    fn user_pages_round_up() {
        let page = |total| UserPage {
            users: vec![],
            page: 1,
            per_page: 20,
            total,
        };
        assert_eq!(page(0).pages(), 1);
        assert_eq!(page(20).pages(), 1);
        assert_eq!(page(21).pages(), 2);
    }

    #[test]
    fn framework_errors_become_messages() {
        let error = ApiError::from_server_fn_error(ServerFnErrorErr::Deserialization(
            "expected value".into(),
        ));
        assert_eq!(error.msg, "The request body is not valid: expected value");
        let encoded = ApiError::new("Bad username or password").ser();
        assert_eq!(&encoded[..], br#"{"msg":"Bad username or password"}"#);
    }
}
