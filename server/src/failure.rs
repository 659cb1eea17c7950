//! How refusals reach the client: the `{"msg": ...}` answer with its status and `Retry-After`,
//! and the failures every service shares (our fault, the database away, a wait put in words).

use app::api::backend::Failure;

use crate::metrics::service::count_database_error;
use axum::{
    http::{HeaderValue, StatusCode, header::CONTENT_TYPE, header::RETRY_AFTER},
    response::{IntoResponse, Response},
};

/// `{"msg": ...}` with `status`.
pub fn json_error(status: StatusCode, msg: &str) -> Response {
    let body = serde_json::json!({ "msg": msg }).to_string();
    (status, [(CONTENT_TYPE, "application/json")], body).into_response()
}

/// A [`Failure`] as an HTTP answer: its status, its message and, when it has one, `Retry-After`.
pub fn failure_response(failure: &Failure) -> Response {
    let mut response = json_error(failure.status, &failure.msg);
    if let Some(secs) = failure.retry_after {
        response
            .headers_mut()
            .insert(RETRY_AFTER, HeaderValue::from(secs));
    }
    response
}

/// Something broke on our side; the details go to the log, not to the client.
pub fn internal() -> Failure {
    Failure::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "Something went wrong on our side. Please try again.",
    )
}

/// The database failed: logged with `what` was being done, answered as a 503 to retry shortly.
pub fn database(error: &sqlx::Error, what: &str) -> Failure {
    tracing::error!(%error, what, "database error");
    count_database_error();
    Failure::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "The database is not available right now. Please try again shortly.",
    )
    .retry_after(5)
}

/// "45 seconds", "2 minutes", "1 hour".
pub fn human_duration(secs: u64) -> String {
    let plural = |n: u64, unit: &str| format!("{n} {unit}{}", if n == 1 { "" } else { "s" });
    match secs {
        0..=59 => plural(secs.max(1), "second"),
        60..=3599 => plural(secs.div_ceil(60), "minute"),
        _ => plural(secs.div_ceil(3600), "hour"),
    }
}

/// 429 for a spent allowance, saying in words when to come back (and in `Retry-After`).
pub fn too_many(what: &str, wait_secs: u64) -> Failure {
    let wait = wait_secs.max(1);
    Failure::new(
        StatusCode::TOO_MANY_REQUESTS,
        format!("{what}. Try again in {}.", human_duration(wait)),
    )
    .retry_after(wait)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_like_a_person_would_say_them() {
        assert_eq!(human_duration(0), "1 second");
        assert_eq!(human_duration(30), "30 seconds");
        assert_eq!(human_duration(60), "1 minute");
        assert_eq!(human_duration(61), "2 minutes");
        assert_eq!(human_duration(3600), "1 hour");
    }

    #[test]
    fn refusals_carry_their_retry_after() {
        let response = failure_response(&too_many("Too many tries", 90));
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(response.headers()[RETRY_AFTER], "90");
        assert_eq!(response.headers()[CONTENT_TYPE], "application/json");
        let message = too_many("Too many tries", 90).msg;
        assert_eq!(message, "Too many tries. Try again in 2 minutes.");
    }
}
