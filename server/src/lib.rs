//! trazo's server as a library, so the binary and the integration tests build the same thing.

pub mod accounts;
pub mod admission;
pub mod cli;
pub mod clock;
pub mod commands;
pub mod config;
pub mod db;
pub mod edge;
pub mod failure;
pub mod health;
pub mod mail;
pub mod metrics;
pub mod predictions;
pub mod ratelimit;
pub mod redis_link;
pub mod routes;
pub mod shutdown;
pub mod state;
pub mod telemetry;

use std::{
    future::Future,
    net::SocketAddr,
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};

use axum::extract::ConnectInfo;
use hyper_util::{
    rt::{TokioIo, TokioTimer},
    server::graceful::GracefulShutdown,
};
use tokio::{net::TcpListener, sync::Semaphore};
use tower::ServiceExt as _;

pub use routes::router;
pub use state::AppState;

/// What one connection may cost the server, whoever is on the other end.
#[derive(Debug, Clone, Copy)]
pub struct ConnectionLimits {
    /// A connection must send a whole request head within this, and an idle kept-alive
    /// connection is closed after it: half-sent headers cannot hold connections open.
    pub header_read_timeout: Duration,
    /// Connections served at once; beyond it, new connections are closed at once.
    pub max_connections: usize,
}

impl From<&config::Config> for ConnectionLimits {
    fn from(config: &config::Config) -> Self {
        Self {
            header_read_timeout: Duration::from_secs(config.header_read_timeout_secs),
            max_connections: config.max_connections,
        }
    }
}

/// Serves `app` (normally [`router`]) over HTTP/1.1 on `listener` until `stop` resolves, then
/// lets in-flight requests finish for at most `grace` before returning.
///
/// The connection loop is hyper's own rather than `axum::serve`, which has neither a header
/// read timeout nor a connection cap. Only HTTP/1.1 is spoken: with HTTP/2 detection, a
/// connection that never sends a byte would wait forever before any timeout applies (put a
/// proxy in front for TLS and HTTP/2).
pub async fn serve(
    listener: TcpListener,
    app: axum::Router,
    stop: impl Future<Output = ()> + Send + 'static,
    grace: Duration,
    limits: ConnectionLimits,
) -> std::io::Result<()> {
    let slots = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let at_capacity = Arc::new(AtomicBool::new(false));
    let graceful = GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout);
    tokio::pin!(stop);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors and the like: wait a little rather than spin.
                    tracing::warn!(%error, "could not accept a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut stop => break,
        };
        let Ok(slot) = slots.clone().try_acquire_owned() else {
            if !at_capacity.swap(true, Ordering::Relaxed) {
                tracing::warn!(
                    max_connections = limits.max_connections,
                    "connection limit reached; closing new connections until some end"
                );
            }
            drop(stream);
            continue;
        };
        at_capacity.store(false, Ordering::Relaxed);
        let _ = stream.set_nodelay(true);
        let router = app.clone();
        let service =
            hyper::service::service_fn(move |mut request: http::Request<hyper::body::Incoming>| {
                request
                    .extensions_mut()
                    .insert(ConnectInfo::<SocketAddr>(peer));
                router.clone().oneshot(request)
            });
        let connection = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            // Timeouts and clients that hang up end here; neither is the server's problem.
            let _ = connection.await;
            drop(slot);
        });
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => Ok(()),
        () = tokio::time::sleep(grace) => {
            tracing::warn!(grace_secs = grace.as_secs(), "in-flight requests did not finish in time; exiting anyway");
            Ok(())
        }
    }
}
