//! One lazily opened, shared Redis connection that is dropped on failure and reopened on the
//! next use. The rate limiter and the answer cache each hold one.

use tokio::sync::Mutex as AsyncMutex;

pub struct RedisLink {
    client: Option<redis::Client>,
    connection: AsyncMutex<Option<redis::aio::MultiplexedConnection>>,
}

impl RedisLink {
    pub fn new(client: Option<redis::Client>) -> Self {
        Self {
            client,
            connection: AsyncMutex::new(None),
        }
    }

    pub fn is_configured(&self) -> bool {
        self.client.is_some()
    }

    /// The open connection, opening it first if needed.
    pub async fn get(&self) -> Result<redis::aio::MultiplexedConnection, redis::RedisError> {
        let mut slot = self.connection.lock().await;
        if let Some(connection) = slot.as_ref() {
            return Ok(connection.clone());
        }
        let Some(client) = &self.client else {
            return Err(redis::RedisError::from((
                redis::ErrorKind::Client,
                "Redis is not configured",
            )));
        };
        let connection = client.get_multiplexed_async_connection().await?;
        *slot = Some(connection.clone());
        Ok(connection)
    }

    /// Drops the connection after a failure, so the next use reconnects.
    pub async fn forget(&self) {
        *self.connection.lock().await = None;
    }
}
