//! trazo's server as a library, so the binary and the integration tests build the same thing.

pub mod accounts;
pub mod api;
pub mod config;
pub mod db;
pub mod health;
pub mod history;
pub mod metrics;
pub mod predict;
pub mod ratelimit;
pub mod redis_link;
pub mod routes;
pub mod security;
pub mod shutdown;
pub mod state;
pub mod telemetry;

use std::{future::Future, net::SocketAddr, time::Duration};

use tokio::net::TcpListener;

pub use routes::router;
pub use state::AppState;

/// Serves `app` (normally [`router`]) on `listener` until `stop` resolves, then lets in-flight
/// requests finish for at most `grace` before returning.
pub async fn serve(
    listener: TcpListener,
    app: axum::Router,
    stop: impl Future<Output = ()> + Send + 'static,
    grace: Duration,
) -> std::io::Result<()> {
    let (stopping_tx, mut stopping_rx) = tokio::sync::watch::channel(false);
    let app = app.into_make_service_with_connect_info::<SocketAddr>();
    let server = axum::serve(listener, app).with_graceful_shutdown(async move {
        stop.await;
        let _ = stopping_tx.send(true);
    });
    let deadline = async move {
        if stopping_rx.wait_for(|stopping| *stopping).await.is_ok() {
            tokio::time::sleep(grace).await;
        } else {
            std::future::pending::<()>().await;
        }
    };
    tokio::select! {
        result = server => result,
        () = deadline => {
            tracing::warn!(grace_secs = grace.as_secs(), "in-flight requests did not finish in time; exiting anyway");
            Ok(())
        }
    }
}
