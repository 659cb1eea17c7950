//! The prediction quota: the layer in front of `/api/predict` that authenticates the caller,
//! counts the request against their hourly and daily allowance (`PREDICT_PER_HOUR`,
//! `PREDICT_PER_DAY`), refuses with 429 when either is spent, and reports what is left in the
//! response's headers.

use std::time::Duration;

use app::api::{
    EMAIL_UNCONFIRMED, Quota, QuotaWindow,
    backend::{Failure, Outcome},
};
use axum::{
    extract::{Request, State},
    http::{HeaderMap, HeaderValue, StatusCode, request::Parts},
    middleware::Next,
    response::Response,
};

use crate::{
    accounts::{remembered::LiveSessions, sessions::Principal},
    config::Config,
    failure::{failure_response, too_many},
    metrics::service::LimitName,
    ratelimit::{Decision, Guarded, Window},
    state::AppState,
};

/// The two windows one prediction by `user` counts in: the hour's, then the day's.
fn windows(config: &Config, user: &str) -> [Window; 2] {
    [
        Window {
            key: format!("predict:hour:{user}"),
            limit: config.predict_per_hour,
            period: Duration::from_secs(3600),
        },
        Window {
            key: format!("predict:day:{user}"),
            limit: config.predict_per_day,
            period: Duration::from_secs(86_400),
        },
    ]
}

fn quota_from(decision: &Decision) -> Option<Quota> {
    let window = |i: usize| {
        decision.windows.get(i).map(|w| QuotaWindow {
            limit: w.limit,
            remaining: w.remaining,
            reset: w.reset_after.as_secs(),
        })
    };
    Some(Quota {
        hour: window(0)?,
        day: window(1)?,
    })
}

/// `RateLimit-Policy` and `RateLimit` (IETF draft) plus the common `X-RateLimit-*`, for the
/// window closest to running out.
fn quota_headers(headers: &mut HeaderMap, quota: &Quota) {
    let tightest = if quota.hour.remaining <= quota.day.remaining {
        &quota.hour
    } else {
        &quota.day
    };
    let pairs = [
        (
            "ratelimit-policy",
            format!("{};w=3600, {};w=86400", quota.hour.limit, quota.day.limit),
        ),
        (
            "ratelimit",
            format!(
                "limit={}, remaining={}, reset={}",
                tightest.limit, tightest.remaining, tightest.reset
            ),
        ),
        ("x-ratelimit-limit", tightest.limit.to_string()),
        ("x-ratelimit-remaining", tightest.remaining.to_string()),
        ("x-ratelimit-reset", tightest.reset.to_string()),
    ];
    for (name, value) in pairs {
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.insert(name, value);
        }
    }
}

/// The 429 for a spent quota, naming the window that ran out.
fn spent(decision: &Decision, quota: Option<&Quota>) -> Response {
    let which = match quota {
        Some(q) if q.hour.remaining == 0 => format!("{} an hour", q.hour.limit),
        Some(q) => format!("{} a day", q.day.limit),
        None => "the limit".to_owned(),
    };
    failure_response(&too_many(
        &format!("Rate limit reached ({which})"),
        decision.retry_after().as_secs(),
    ))
}

/// Guarded steps tried before counting without the guard (the epoch kept moving: several
/// account changes at once); each failed one is followed by a fresh read of the session.
const GUARDED_TRIES: usize = 3;

/// Authenticates the caller and counts the request, in that order and as one decision: a
/// session remembered in memory is used only if the limiter's Redis step confirms, in the same
/// atomic step as the count, that no session or account changed since it was read (see
/// `accounts::remembered`); otherwise it is read from the database again, and nothing was
/// counted for the stale check.
async fn admit(state: &AppState, parts: &Parts) -> Outcome<(Principal, Decision)> {
    let sessions = &state.sessions;
    let mut checked = sessions.authenticate_remembered(parts).await?;
    for _ in 0..GUARDED_TRIES {
        refuse_unconfirmed(state, &checked.principal)?;
        let windows = windows(&state.config, &checked.principal.user.id);
        let guard = LiveSessions::guard(checked.shared_epoch);
        match state.limiter.hit_guarded(&windows, &guard).await {
            Guarded::Decided(decision) => return Ok((checked.principal, decision)),
            Guarded::Moved { current } => {
                checked = sessions.recheck(parts, Some(current)).await?;
            }
            // Counted in process (Redis failed just now): a remembered session is read again,
            // and if it has ended the count is given back.
            Guarded::Unchecked(decision) if checked.fresh => {
                return Ok((checked.principal, decision));
            }
            Guarded::Unchecked(decision) => match sessions.recheck(parts, None).await {
                Ok(fresh) => return Ok((fresh.principal, decision)),
                Err(failure) => {
                    state.limiter.release(&windows).await;
                    return Err(failure);
                }
            },
        }
    }
    // The session was just read from the database: count as every request did before.
    refuse_unconfirmed(state, &checked.principal)?;
    let windows = windows(&state.config, &checked.principal.user.id);
    Ok((checked.principal, state.limiter.hit(&windows).await))
}

/// Before the quota counts: an account the operator does not yet let predict spends nothing.
fn refuse_unconfirmed(state: &AppState, principal: &Principal) -> Outcome<()> {
    if state.accounts.must_confirm_email(&principal.user) {
        return Err(Failure::new(StatusCode::FORBIDDEN, EMAIL_UNCONFIRMED));
    }
    Ok(())
}

/// The quota layer: authenticates the caller (401 otherwise), refuses an account without the
/// confirmed address the operator requires (403, `REQUIRE_CONFIRMED_EMAIL`), counts the request in the hour
/// and day windows in one atomic step, refuses with 429 and `Retry-After` when either is
/// spent, and reports the quota on every response. The caller and their quota travel on to
/// the predictor in the request's extensions.
pub async fn rate_limit(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let (mut parts, body) = request.into_parts();
    // An API call is never authenticated the way a page render is: no refresh-cookie fallback.
    let (principal, decision) = match admit(&state, &parts).await {
        Ok(admitted) => admitted,
        Err(failure) => return failure_response(&failure),
    };
    state
        .metrics
        .service
        .decided(LimitName::Predictions, decision.allowed);
    let quota = quota_from(&decision);
    let mut response = if decision.allowed {
        parts.extensions.insert(principal);
        if let Some(quota) = &quota {
            parts.extensions.insert(quota.clone());
        }
        next.run(Request::from_parts(parts, body)).await
    } else {
        state.refusals.record();
        spent(&decision, quota.as_ref())
    };
    if let Some(quota) = &quota {
        quota_headers(response.headers_mut(), quota);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quota_headers_report_the_tightest_window() {
        let quota = Quota {
            hour: QuotaWindow {
                limit: 50,
                remaining: 3,
                reset: 100,
            },
            day: QuotaWindow {
                limit: 200,
                remaining: 150,
                reset: 8000,
            },
        };
        let mut headers = HeaderMap::new();
        quota_headers(&mut headers, &quota);
        assert_eq!(headers["ratelimit-policy"], "50;w=3600, 200;w=86400");
        assert_eq!(headers["ratelimit"], "limit=50, remaining=3, reset=100");
        assert_eq!(headers["x-ratelimit-remaining"], "3");
    }

    #[test]
    fn the_windows_follow_the_configuration() {
        let config = Config::from_lookup(|name| match name {
            "PREDICT_PER_HOUR" => Some("7".to_owned()),
            "PREDICT_PER_DAY" => Some("9".to_owned()),
            _ => None,
        })
        .expect("config");
        let [hour, day] = windows(&config, "u1");
        assert_eq!((hour.limit, hour.period.as_secs()), (7, 3600));
        assert_eq!((day.limit, day.period.as_secs()), (9, 86_400));
        assert_eq!(hour.key, "predict:hour:u1");
    }
}
