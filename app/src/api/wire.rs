//! What travels over the wire: the JSON bodies and the fixed messages the API and its clients share.

use std::fmt;

use leptos::server_fn::{
    codec::JsonEncoding,
    error::{FromServerFnError, ServerFnErrorErr},
};
use serde::{Deserialize, Serialize};

/// The message of a 401 whose access token has run out (the original service's contract).
pub const TOKEN_EXPIRED: &str = "Token has expired";
/// The message of a 401 that came without an access token (the original service's contract).
pub const MISSING_AUTHORIZATION: &str = "Missing Authorization Header";
/// The session cookies' names over plain HTTP; over HTTPS they take the `__Host-` prefix. The
/// server sets them (server/src/accounts/sessions.rs); a page rendering on the server reads their
/// presence as a hint that someone may be logged in.
pub const ACCESS_COOKIE: &str = "trazo_access";
pub const REFRESH_COOKIE: &str = "trazo_refresh";
/// The original service's message for a request without a `file` field.
pub const NO_FILE: &str = "No se encontró el archivo en la solicitud.";
/// The original service's message for a file that is not an accepted image.
pub const NOT_AN_IMAGE: &str =
    "Tipo de archivo no permitido. Por favor, sube una imagen PNG, JPG, JPEG o GIF.";

/// The message of a 403 from `/api/predict` when the server requires a confirmed address
/// (`REQUIRE_CONFIRMED_EMAIL`) and the caller has none.
pub const EMAIL_UNCONFIRMED: &str = "Confirm your email address before making predictions: \
     follow the link we mailed you, or ask for a new one.";

/// What the mailed links' pages say: the same words from the JSON API and, through a short code
/// in the address, after a no-JavaScript form post.
pub const EMAIL_CONFIRMED: &str = "Your email address is confirmed.";
pub const LINK_UNKNOWN: &str =
    "This link is not valid. Copy the whole link from the mail, or ask for a new one.";
pub const LINK_USED: &str = "This link was already used. Ask for a new one if you need it.";
pub const LINK_EXPIRED: &str = "This link has expired. Ask for a new one.";
pub const RESET_REQUESTED: &str = "If that account exists and has a confirmed email address, \
                                   we sent it a link to reset the password.";
/// `POST /api/set_language` with anything but `en` or `es` (422).
pub const LANGUAGE_UNKNOWN: &str = "language must be en or es";
pub const LANGUAGE_SAVED: &str = "Language saved.";
pub const PASSWORD_RESET: &str = "Your password was changed. Log in with the new one.";

/// The body of every error response: a message meant for a person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AccessToken {
    pub access_token: String,
    pub token_type: String,
    /// Seconds until the access token expires.
    pub expires_in: i64,
}

/// The logged-in user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CurrentUser {
    pub username: String,
    pub role: String,
    /// RFC 3339, UTC.
    pub created_at: String,
    /// The account's email address, confirmed or not (`null`: none). Only ever sent to its owner.
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub email_confirmed: bool,
    /// The server requires a confirmed address before predictions, and this account has none.
    #[serde(default)]
    pub must_confirm_email: bool,
    /// The interface language the account chose (`en`, `es`), applied at log-in; `null`: never
    /// chosen.
    #[serde(default)]
    pub language: Option<String>,
}

impl CurrentUser {
    pub fn is_admin(&self) -> bool {
        self.role == "admin"
    }
}

/// One account as the admin page lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct UserSummary {
    pub username: String,
    pub role: String,
    pub disabled: bool,
    pub created_at: String,
}

/// A page of accounts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct UserPage {
    pub users: Vec<UserSummary>,
    /// 1-based.
    pub page: u32,
    pub per_page: u32,
    pub total: u64,
}

impl UserPage {
    pub fn pages(&self) -> u32 {
        page_count(self.total, self.per_page)
    }
}

/// How the model is doing, for admins (`GET /api/admin/stats`, the `/admin/stats` page): what it
/// was asked, how often the cache answered, how much the rate limit refused, how sure it was,
/// and what people said it got wrong. Times are Unix milliseconds (UTC hours and days).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ModelStats {
    /// When these figures were read.
    pub as_of_ms: i64,
    /// The last 48 hours, oldest first; the last is the hour under way.
    pub hours: Vec<StatsSlot>,
    /// The last 30 days (UTC), oldest first; the last is today.
    pub days: Vec<StatsSlot>,
    /// Share of the last 30 days' predictions the cache answered (`null` without any).
    pub cache_hit_ratio: Option<f64>,
    /// Share of the last 30 days' prediction requests the rate limit refused (`null` without any).
    pub refused_share: Option<f64>,
    /// The last 30 days' predictions by the model's confidence in its answer: ten bins of 0.1,
    /// from [0, 0.1) to [0.9, 1].
    pub confidence: Vec<u64>,
    /// Every labelled prediction, `confusion[true digit][predicted digit]` (10×10): the diagonal
    /// is what people confirmed, the rest what they corrected.
    pub confusion: Vec<Vec<u64>>,
}

impl ModelStats {
    /// Labelled predictions, and how many of them were corrected.
    pub fn labelled(&self) -> (u64, u64) {
        let mut all = 0;
        let mut corrected = 0;
        for (truth, row) in self.confusion.iter().enumerate() {
            for (predicted, count) in row.iter().enumerate() {
                all += count;
                if truth != predicted {
                    corrected += count;
                }
            }
        }
        (all, corrected)
    }
}

/// One hour or day of [`ModelStats`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct StatsSlot {
    /// The hour's or day's first millisecond.
    pub start_ms: i64,
    /// Predictions answered (each one in someone's history).
    pub predictions: u64,
    /// Of those, the ones the cache answered.
    pub cached: u64,
    /// Prediction requests the rate limit refused (429).
    pub refused: u64,
}

/// Errors of `/api/predict`, in the original service's two shapes: `{"error": ...}` for a bad
/// upload (400, 413, 422), `{"msg": ...}` for everything else (401, 429, 503).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
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

/// One rate-limit window as the response reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct QuotaWindow {
    pub limit: u64,
    pub remaining: u64,
    /// Seconds until the window resets.
    pub reset: u64,
}

/// What is left of the caller's prediction quota.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Quota {
    pub hour: QuotaWindow,
    pub day: QuotaWindow,
}

/// `/api/predict`'s answer: the original service's three fields and more.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
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
    /// This prediction's row in the caller's history, for `POST /api/label`.
    pub id: String,
}

/// One past prediction.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct HistoryItem {
    pub id: String,
    pub digit: u8,
    pub probability: f32,
    pub cached: bool,
    /// RFC 3339, UTC.
    pub created_at: String,
    /// The 28×28 image the model saw, as a data URL.
    pub image: String,
    /// The digit the person said it really is (`POST /api/label`), if they said: equal to
    /// `digit` when they confirmed the answer, another digit when they corrected it.
    pub label: Option<u8>,
    /// When they said it (Unix milliseconds).
    pub labelled_at_ms: Option<i64>,
}

impl HistoryItem {
    pub fn label_state(&self) -> LabelState {
        match self.label {
            None => LabelState::Unlabelled,
            Some(label) if label == self.digit => LabelState::Confirmed,
            Some(_) => LabelState::Corrected,
        }
    }
}

/// What a person said of an answer: `GET /api/history?label=` filters by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum LabelState {
    /// They said the answer was right.
    Confirmed,
    /// They gave another digit.
    Corrected,
    /// They have not said.
    Unlabelled,
}

impl LabelState {
    pub const ALL: [Self; 3] = [Self::Confirmed, Self::Corrected, Self::Unlabelled];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Confirmed => "confirmed",
            Self::Corrected => "corrected",
            Self::Unlabelled => "unlabelled",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|state| state.as_str() == text)
    }
}

/// The message for a `label` filter that is not one of [`LabelState`]'s.
pub const BAD_LABEL_FILTER: &str = "label must be confirmed, corrected or unlabelled";
/// The message for a digit outside 0–9.
pub const BAD_DIGIT: &str = "digit must be a whole number from 0 to 9";

/// A page of the user's predictions, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct HistoryPage {
    pub items: Vec<HistoryItem>,
    /// 1-based.
    pub page: u32,
    pub per_page: u32,
    pub total: u64,
    /// When the page was read (Unix milliseconds): `?until=` for the dataset downloads, so
    /// that both files of the IDX pair hold the same digits.
    pub as_of_ms: i64,
}

impl HistoryPage {
    pub fn pages(&self) -> u32 {
        page_count(self.total, self.per_page)
    }
}

/// How many pages `total` items fill at `per_page` a page; never less than one, so an empty
/// listing is still "page 1 of 1".
fn page_count(total: u64, per_page: u32) -> u32 {
    let per_page = u64::from(per_page.max(1));
    u32::try_from(total.div_ceil(per_page))
        .unwrap_or(u32::MAX)
        .max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_states_read_back_and_classify() {
        for state in LabelState::ALL {
            assert_eq!(LabelState::parse(state.as_str()), Some(state));
        }
        assert_eq!(LabelState::parse("Confirmed"), None);
        let item = |label| HistoryItem {
            id: "x".into(),
            digit: 3,
            probability: 0.9,
            cached: false,
            created_at: String::new(),
            image: String::new(),
            label,
            labelled_at_ms: None,
        };
        assert_eq!(item(None).label_state(), LabelState::Unlabelled);
        assert_eq!(item(Some(3)).label_state(), LabelState::Confirmed);
        assert_eq!(item(Some(8)).label_state(), LabelState::Corrected);
    }

    #[test]
    fn pages_round_up() {
        assert_eq!(page_count(0, 20), 1);
        assert_eq!(page_count(20, 20), 1);
        assert_eq!(page_count(21, 20), 2);
        assert_eq!(page_count(5, 0), 5);
        assert_eq!(page_count(u64::MAX, 1), u32::MAX);
        let users = UserPage {
            users: vec![],
            page: 1,
            per_page: 20,
            total: 21,
        };
        let history = HistoryPage {
            items: vec![],
            page: 1,
            per_page: 20,
            total: 41,
            as_of_ms: 0,
        };
        assert_eq!(users.pages(), 2);
        assert_eq!(history.pages(), 3);
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
