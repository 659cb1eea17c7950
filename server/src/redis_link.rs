//! One lazily opened, shared Redis connection, and the one way to use it: every call runs under
//! [`TIMEOUT`], and a call that fails or times out drops the connection so the next one
//! reconnects. The rate limiter and the answer cache each hold one.

use std::{fmt, time::Duration};

use metrics::Counter;
use redis::{RedisError, RedisResult, aio::MultiplexedConnection};
use tokio::sync::Mutex as AsyncMutex;

/// Every Redis call gives up after this, so a hung Redis cannot hang a request: callers then
/// fall back (the limiter to per-instance counts, the cache to a miss). One value for both:
/// a healthy Redis answers in well under a millisecond on loopback and a few on a LAN, so
/// 250 ms only ever cuts off a Redis that is in trouble.
pub const TIMEOUT: Duration = Duration::from_millis(250);

/// Why a call did not reach Redis or get its answer.
#[derive(Debug)]
pub enum Unavailable {
    /// `REDIS_URL` is not set: not a failure, there is just no shared store.
    NotConfigured,
    Failed(RedisError),
    TimedOut,
}

impl fmt::Display for Unavailable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotConfigured => f.write_str("Redis is not configured"),
            Self::Failed(error) => write!(f, "{error}"),
            Self::TimedOut => write!(f, "no answer within {} ms", TIMEOUT.as_millis()),
        }
    }
}

pub struct RedisLink {
    client: Option<redis::Client>,
    connection: AsyncMutex<Option<MultiplexedConnection>>,
    /// Calls that failed or timed out (`trazo_redis_errors_total`).
    errors: Counter,
}

impl RedisLink {
    pub fn new(client: Option<redis::Client>) -> Self {
        Self {
            client,
            connection: AsyncMutex::new(None),
            errors: Counter::noop(),
        }
    }

    /// Counts every call that fails or times out in `errors`.
    pub fn counting_errors(self, errors: Counter) -> Self {
        Self { errors, ..self }
    }

    pub fn is_configured(&self) -> bool {
        self.client.is_some()
    }

    /// Runs `call` on the shared connection (opened first if needed) within [`TIMEOUT`]. On an
    /// error or a timeout the connection is dropped, so the next call opens a fresh one.
    pub async fn run<T>(
        &self,
        call: impl AsyncFnOnce(&mut MultiplexedConnection) -> RedisResult<T>,
    ) -> Result<T, Unavailable> {
        if !self.is_configured() {
            return Err(Unavailable::NotConfigured);
        }
        let outcome = tokio::time::timeout(TIMEOUT, async {
            let mut connection = self.connection().await?;
            call(&mut connection).await
        })
        .await;
        let failure = match outcome {
            Ok(Ok(value)) => return Ok(value),
            Ok(Err(error)) => Unavailable::Failed(error),
            Err(_) => Unavailable::TimedOut,
        };
        self.errors.increment(1);
        *self.connection.lock().await = None;
        Err(failure)
    }

    async fn connection(&self) -> RedisResult<MultiplexedConnection> {
        let mut slot = self.connection.lock().await;
        if let Some(connection) = slot.as_ref() {
            return Ok(connection.clone());
        }
        let Some(client) = &self.client else {
            return Err(RedisError::from((
                redis::ErrorKind::Client,
                "Redis is not configured",
            )));
        };
        let connection = client.get_multiplexed_async_connection().await?;
        *slot = Some(connection.clone());
        Ok(connection)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn without_redis_nothing_is_attempted() {
        let link = RedisLink::new(None);
        let mut called = false;
        let outcome = link
            .run(async |_| {
                called = true;
                Ok(())
            })
            .await;
        assert!(matches!(outcome, Err(Unavailable::NotConfigured)));
        assert!(!called);
    }

    #[tokio::test]
    async fn a_redis_that_never_answers_is_given_up_on_within_the_timeout() {
        // A listener that accepts and never speaks: the connection handshake hangs.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let _silent = tokio::spawn(async move {
            let mut held = Vec::new();
            while let Ok((socket, _)) = listener.accept().await {
                held.push(socket);
            }
        });
        let client = redis::Client::open(format!("redis://{addr}")).expect("client");
        let recorder = metrics_exporter_prometheus::PrometheusBuilder::new().build_recorder();
        let errors = metrics::with_local_recorder(&recorder, || metrics::counter!("errors"));
        let link = RedisLink::new(Some(client)).counting_errors(errors);
        let started = std::time::Instant::now();
        let outcome = link
            .run(async |connection| redis::cmd("PING").query_async::<String>(connection).await)
            .await;
        assert!(matches!(outcome, Err(Unavailable::TimedOut)), "{outcome:?}");
        assert!(started.elapsed() < TIMEOUT + Duration::from_millis(200));
        assert!(
            recorder.handle().render().contains("errors 1"),
            "the timeout is counted"
        );
    }
}
