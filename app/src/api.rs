//! The JSON API: server functions at fixed paths under `/api/`, called by the pages (from the
//! WASM bundle) and by scripts alike.
//!
//! Every error is `{"msg": "..."}` with a meaningful HTTP status (a bad upload to `/api/predict`
//! is `{"error": "..."}`, as in the original service). The functions themselves are thin: on the
//! server they hand the request to the [`backend::Backend`] or [`backend::Predictions`] the
//! server crate provides through context, which own the database, the tokens and the model.
//!
//! `wire` holds the JSON types, `functions` the server functions and `backend` (server
//! only) the port behind them; all of it is re-exported here, at the paths the server uses.

#[cfg(feature = "ssr")]
pub mod backend;
mod functions;
#[cfg(feature = "ssr")]
pub mod openapi;
mod wire;

// The glob also brings each function's generated argument type (`Register`, `Login`, …).
pub use functions::*;
pub use wire::{
    ACCESS_COOKIE, AccessToken, ApiError, BAD_DIGIT, BAD_LABEL_FILTER, CurrentUser,
    EMAIL_CONFIRMED, EMAIL_UNCONFIRMED, HistoryItem, HistoryPage, LANGUAGE_SAVED, LANGUAGE_UNKNOWN,
    LINK_EXPIRED, LINK_UNKNOWN, LINK_USED, LabelState, MISSING_AUTHORIZATION, Message, ModelStats,
    NO_FILE, NOT_AN_IMAGE, PASSWORD_RESET, PredictError, PredictResponse, Quota, QuotaWindow,
    REFRESH_COOKIE, RESET_REQUESTED, StatsSlot, TOKEN_EXPIRED, UserPage, UserSummary,
};
