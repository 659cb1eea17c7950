//! The account refusals a person may meet, in the words they are given: bad or missing
//! credentials, a password the rules refuse, too many tries, the password threads busy.

use std::time::Duration;

use app::api::backend::{Failure, Outcome};
use http::StatusCode;

use super::{password::HashError, policy};
use crate::{failure::internal, failure::too_many, ratelimit::Decision};

pub const MISSING_CREDENTIALS: &str = "Username and password required";
pub const BAD_CREDENTIALS: &str = "Bad username or password";
pub const SESSION_ENDED: &str = "Session has ended; please log in again";

pub fn unauthorized(msg: &str) -> Failure {
    Failure::new(StatusCode::UNAUTHORIZED, msg)
}

pub fn unprocessable(error: policy::PolicyError) -> Failure {
    Failure::new(StatusCode::UNPROCESSABLE_ENTITY, error.0)
}

pub fn bad_request(msg: &str) -> Failure {
    Failure::new(StatusCode::BAD_REQUEST, msg)
}

/// Both fields present and not blank, or 400.
pub fn required(username: Option<String>, password: Option<String>) -> Outcome<(String, String)> {
    match (username, password) {
        (Some(username), Some(password)) if !username.trim().is_empty() && !password.is_empty() => {
            Ok((username, password))
        }
        _ => Err(bad_request(MISSING_CREDENTIALS)),
    }
}

/// Refusals of the password threads: a full line is the service being busy (503), anything
/// else is our fault (500).
pub fn hash_failure(error: HashError) -> Failure {
    match error {
        HashError::Busy => Failure::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "Too many log-ins and sign-ups are being checked right now. Please try again in a moment.",
        )
        .retry_after(1),
        other => {
            tracing::error!(error = %other, "password hashing failed");
            internal()
        }
    }
}

pub fn too_many_signups(decision: &Decision) -> Failure {
    too_many(
        "Too many accounts were created from your network",
        decision.retry_after().as_secs(),
    )
}

pub fn too_many_failures_from_address(decision: &Decision) -> Failure {
    too_many(
        "Too many failed log-ins from your network",
        decision.retry_after().as_secs(),
    )
}

pub fn locked_out(wait: Duration) -> Failure {
    too_many(
        "Too many failed log-ins for this account",
        wait.as_secs_f64().ceil() as u64,
    )
}

pub fn too_many_in_flight() -> Failure {
    Failure::new(
        StatusCode::TOO_MANY_REQUESTS,
        "Too many log-ins or sign-ups from your network at once. Try again in a second.",
    )
    .retry_after(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_or_empty_credentials_are_a_400() {
        for (u, p) in [
            (None, Some("x".to_owned())),
            (Some("a".to_owned()), None),
            (Some("  ".to_owned()), Some("x".to_owned())),
            (Some("a".to_owned()), Some(String::new())),
        ] {
            let failure = required(u, p).expect_err("refused");
            assert_eq!(failure.status, StatusCode::BAD_REQUEST);
            assert_eq!(failure.msg, MISSING_CREDENTIALS);
        }
    }

    #[test]
    fn a_lock_out_rounds_its_wait_up() {
        let failure = locked_out(Duration::from_millis(29_200));
        assert_eq!(failure.retry_after, Some(30));
        assert_eq!(
            failure.msg,
            "Too many failed log-ins for this account. Try again in 30 seconds."
        );
    }
}
