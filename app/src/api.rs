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
mod wire;

// The glob also brings each function's generated argument type (`Register`, `Login`, …).
pub use functions::*;
pub use wire::{
    AccessToken, ApiError, CurrentUser, HistoryItem, HistoryPage, MISSING_AUTHORIZATION, Message,
    NO_FILE, NOT_AN_IMAGE, PredictError, PredictResponse, Quota, QuotaWindow, TOKEN_EXPIRED,
    UserPage, UserSummary,
};

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
}
