//! The server's side of the API: the ports it implements, and how server functions reach them.

use std::{future::Future, pin::Pin, sync::Arc};

use http::{HeaderValue, StatusCode, header::RETRY_AFTER, request::Parts};
use leptos::prelude::use_context;
use leptos_axum::ResponseOptions;

use super::wire::{
    AccessToken, ApiError, CurrentUser, HistoryItem, HistoryPage, Message, ModelStats, NO_FILE,
    PredictError, PredictResponse, UserPage,
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
    /// `email` is optional: when given, a mail asks to confirm it.
    fn register<'a>(
        &'a self,
        request: &'a Parts,
        username: Option<String>,
        password: Option<String>,
        email: Option<String>,
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
    fn session<'a>(&'a self, request: &'a Parts) -> BoxFuture<'a, Outcome<Option<CurrentUser>>>;
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
    /// Confirms an address from its mailed link's token (no session needed).
    fn confirm_email<'a>(&'a self, token: Option<String>) -> BoxFuture<'a, Outcome<Message>>;
    /// A new confirmation link to the caller's unconfirmed address.
    fn resend_confirmation<'a>(&'a self, request: &'a Parts) -> BoxFuture<'a, Outcome<Message>>;
    /// The interface language the caller chose, for their next log-ins.
    fn set_language<'a>(
        &'a self,
        request: &'a Parts,
        language: Option<String>,
    ) -> BoxFuture<'a, Outcome<Message>>;
    fn change_email<'a>(
        &'a self,
        request: &'a Parts,
        email: Option<String>,
        password: Option<String>,
    ) -> BoxFuture<'a, Outcome<Message>>;
    /// A reset link to the account's confirmed address; the same answer whether it exists or not.
    fn forgot_password<'a>(
        &'a self,
        request: &'a Parts,
        login: Option<String>,
    ) -> BoxFuture<'a, Outcome<Message>>;
    fn reset_password<'a>(
        &'a self,
        token: Option<String>,
        new_password: Option<String>,
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
    /// A page of the caller's history; `label` and `digit` filter it, as given in the query
    /// (checked by the implementation, so that a bad value gets a clear 400).
    fn history<'a>(
        &'a self,
        request: &'a Parts,
        page: u32,
        label: Option<String>,
        digit: Option<String>,
    ) -> BoxFuture<'a, Outcome<HistoryPage>>;
    /// Records what the caller says prediction `id` really is (`None`: forget what they said).
    fn set_label<'a>(
        &'a self,
        request: &'a Parts,
        id: Option<String>,
        label: Option<u8>,
    ) -> BoxFuture<'a, Outcome<HistoryItem>>;
    fn clear_history<'a>(&'a self, request: &'a Parts) -> BoxFuture<'a, Outcome<Message>>;
    /// How the model is doing (admins only).
    fn admin_stats<'a>(&'a self, request: &'a Parts) -> BoxFuture<'a, Outcome<ModelStats>>;
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
/// them from the framework's own errors (a body that is not valid JSON, say). A header, not a
/// typed value, because a header is all a server function can add to its response: leptos_axum
/// 0.8's `ResponseOptions` holds a status and headers, no extensions. The server's `/api/`
/// handler removes it before the response leaves.
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
