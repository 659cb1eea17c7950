//! The outbox table: mail written by requests, taken and delivered by the workers.
//!
//! A worker takes one due mail at a time with a conditional update that sets a lease
//! (`claimed_until`): of several instances polling at once exactly one gets each row, and a
//! worker that dies mid-delivery leaves its row to be taken again when the lease runs out.

use sqlx::{AnyConnection, AnyPool, Row};

use super::templates::{Kind, Params};

/// A mail waiting to be delivered.
#[derive(Debug, Clone)]
pub struct Pending {
    pub id: String,
    pub kind: String,
    pub recipient: String,
    pub params: String,
    pub attempts: i64,
    pub created_at: i64,
}

/// Writes a mail into the outbox, in the caller's transaction.
pub async fn enqueue(
    conn: &mut AnyConnection,
    kind: Kind,
    recipient: &str,
    params: &Params,
    now: i64,
) -> Result<(), sqlx::Error> {
    let params =
        serde_json::to_string(params).map_err(|error| sqlx::Error::Encode(Box::new(error)))?;
    sqlx::query(
        "INSERT INTO outbox (id, kind, recipient, params, created_at, attempts, next_attempt_at) \
         VALUES ($1, $2, $3, $4, $5, 0, $5)",
    )
    .bind(uuid::Uuid::new_v4().to_string())
    .bind(kind.as_str())
    .bind(recipient)
    .bind(params)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// Takes the next due mail for `worker` until `now + lease_secs`, if there is one.
pub async fn claim(
    db: &AnyPool,
    worker: &str,
    now: i64,
    lease_secs: i64,
) -> Result<Option<Pending>, sqlx::Error> {
    let row = sqlx::query(
        "UPDATE outbox SET claimed_by = $1, claimed_until = $2 \
         WHERE id = (SELECT id FROM outbox \
                     WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= $3 \
                       AND (claimed_until IS NULL OR claimed_until < $3) \
                     ORDER BY next_attempt_at LIMIT 1) \
           AND sent_at IS NULL AND failed_at IS NULL \
           AND (claimed_until IS NULL OR claimed_until < $3) \
         RETURNING id, kind, recipient, params, attempts, created_at",
    )
    .bind(worker)
    .bind(now + lease_secs)
    .bind(now)
    .fetch_optional(db)
    .await?;
    row.map(|row| {
        Ok(Pending {
            id: row.try_get("id")?,
            kind: row.try_get("kind")?,
            recipient: row.try_get("recipient")?,
            params: row.try_get("params")?,
            attempts: row.try_get("attempts")?,
            created_at: row.try_get("created_at")?,
        })
    })
    .transpose()
}

/// The mail server took it.
pub async fn sent(db: &AnyPool, id: &str, worker: &str, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE outbox SET sent_at = $1, claimed_until = NULL, last_error = NULL \
         WHERE id = $2 AND claimed_by = $3",
    )
    .bind(now)
    .bind(id)
    .bind(worker)
    .execute(db)
    .await?;
    Ok(())
}

/// The mail server did not take it: try again at `retry_at`, or never (`retry_at` `None`).
pub async fn not_sent(
    db: &AnyPool,
    id: &str,
    worker: &str,
    now: i64,
    retry_at: Option<i64>,
    error: &str,
) -> Result<(), sqlx::Error> {
    let statement = if retry_at.is_some() {
        "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = $1, claimed_until = NULL, \
         last_error = $2 WHERE id = $3 AND claimed_by = $4"
    } else {
        "UPDATE outbox SET attempts = attempts + 1, failed_at = $1, claimed_until = NULL, \
         last_error = $2 WHERE id = $3 AND claimed_by = $4"
    };
    sqlx::query(statement)
        .bind(retry_at.unwrap_or(now))
        .bind(error)
        .bind(id)
        .bind(worker)
        .execute(db)
        .await?;
    Ok(())
}

/// Forgets mail sent (or given up on) before `before`.
pub async fn prune(db: &AnyPool, before: i64) -> Result<u64, sqlx::Error> {
    let done = sqlx::query(
        "DELETE FROM outbox WHERE (sent_at IS NOT NULL AND sent_at < $1) \
            OR (failed_at IS NOT NULL AND failed_at < $1)",
    )
    .bind(before)
    .execute(db)
    .await?;
    Ok(done.rows_affected())
}

/// Mail not yet delivered (waiting or being retried), for the health figures and the tests.
pub async fn waiting(db: &AnyPool) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL")
        .fetch_one(db)
        .await
}
