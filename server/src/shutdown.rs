//! Waiting for the signals that ask the server to stop: Ctrl-C, and SIGTERM from orchestrators.

use std::future::Future;

/// Registers for SIGTERM and Ctrl-C (SIGINT) at once — before the server says it is listening,
/// so a signal that arrives right after start-up is handled, not fatal — and returns a future
/// that resolves when either arrives.
pub fn signal() -> impl Future<Output = ()> + Send + 'static {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let terminate = signal(SignalKind::terminate());
        let interrupt = signal(SignalKind::interrupt());
        async move {
            let (mut terminate, mut interrupt) = match (terminate, interrupt) {
                (Ok(terminate), Ok(interrupt)) => (terminate, interrupt),
                (Err(error), _) | (_, Err(error)) => {
                    tracing::error!(%error, "cannot listen for shutdown signals");
                    return std::future::pending::<()>().await;
                }
            };
            tokio::select! {
                _ = interrupt.recv() => tracing::info!("Ctrl-C received: finishing in-flight requests"),
                _ = terminate.recv() => tracing::info!("SIGTERM received: finishing in-flight requests"),
            }
        }
    }
    #[cfg(not(unix))]
    async {
        if tokio::signal::ctrl_c().await.is_ok() {
            tracing::info!("Ctrl-C received: finishing in-flight requests");
        } else {
            std::future::pending::<()>().await;
        }
    }
}
