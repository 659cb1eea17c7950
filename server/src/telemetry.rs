//! Structured logs: human-readable in development, JSON in production. Every request runs in a
//! span carrying its method, path, client address and request id, and ends with one `request`
//! line giving its status and latency. Security events (log-ins and their failures, sessions
//! revoked, accounts created, changed or deleted, admin actions, refused cross-site requests) go
//! to the target [`SECURITY`], so an operator can route or filter them apart. Query strings,
//! headers, passwords and tokens are never logged: they can carry secrets.

use std::{net::IpAddr, time::Duration};

use axum::http::{Request, Response};
use tracing::Span;
use tracing_subscriber::{EnvFilter, fmt, prelude::*};

use crate::{config::LogFormat, edge::client::client_ip_of};

pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// The log target of security events: `LOG_LEVEL=warn,trazo::security=info` keeps them while
/// quietening the rest.
pub const SECURITY: &str = "trazo::security";

/// Installs the global subscriber. `filter` uses `RUST_LOG` syntax, e.g. `info,sqlx=warn`.
pub fn init(format: LogFormat, filter: &str) {
    let filter = EnvFilter::try_new(filter).unwrap_or_else(|error| {
        eprintln!("LOG_LEVEL {filter:?} is not a valid filter ({error}); using info");
        EnvFilter::new("info")
    });
    let registry = tracing_subscriber::registry().with(filter);
    let result = match format {
        LogFormat::Json => registry
            .with(
                fmt::layer()
                    .json()
                    .flatten_event(true)
                    .with_current_span(true),
            )
            .try_init(),
        LogFormat::Pretty => registry.with(fmt::layer().compact()).try_init(),
    };
    if let Err(error) = result {
        eprintln!("logging was already set up: {error}");
    }
}

/// The span for one request: method, path (without query), the client's address (through
/// trusted proxies, as the limits see it) and request id.
pub fn request_span<B>(request: &Request<B>, trusted_proxies: &[IpAddr]) -> Span {
    let request_id = request
        .headers()
        .get(REQUEST_ID_HEADER)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("-");
    let client = client_ip_of(request.extensions(), request.headers(), trusted_proxies)
        .map_or_else(|| "-".to_owned(), |ip| ip.to_string());
    tracing::info_span!(
        "request",
        method = %request.method(),
        path = %request.uri().path(),
        client = %client,
        request_id = %request_id,
    )
}

/// The one line each request ends with (in its span): status and latency in milliseconds.
/// Server errors are logged as errors, so `level=error` finds them.
pub fn request_done<B>(response: &Response<B>, latency: Duration, _span: &Span) {
    let status = response.status().as_u16();
    let latency_ms = latency.as_secs_f64() * 1000.0;
    if response.status().is_server_error() {
        tracing::error!(status, latency_ms, "request");
    } else {
        tracing::info!(status, latency_ms, "request");
    }
}
